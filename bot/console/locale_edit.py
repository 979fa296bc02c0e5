"""Change one text of a locale file: only its own line rewritten, checked before it is kept.

The console edits the published version's files (`prepare`, then publishing
checks the whole version); `save` does the same to a folder of files.

The comments in these files give the source of each health fact, so a file
is never dumped again by a YAML writer: the one `key: "text"` line is
replaced, its trailing comment and every other byte kept. The edit is first
written to a copy of the whole locales folder and run through the same
checker the bot runs on start; any error there (not a warning) refuses it,
since the running bot would refuse to load it anyway.
"""

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from ..content import yamlfile
from ..content.loader import read_content
from ..errors import BotError

# A top-level `name: "text"` line, the name maybe quoted ("yes"), maybe a comment after the text.
LINE = re.compile(r'^(?P<head>(?P<q>"?)(?P<name>[A-Za-z0-9_]+)(?P=q)[ \t]*:[ \t]*)'
                  r'(?P<value>"(?:[^"\\]|\\.)*")(?P<tail>[ \t]*(?:#.*)?)$')
KEY = re.compile(r"^[a-z][a-z0-9_]*\.[A-Za-z0-9_]+$")
MAX_TEXT = 2000
UNQUOTED = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]")


class EditRefused(BotError):
    """The edit was not saved; `problems` are dicts with message, fix and where."""

    def __init__(self, problems):
        self.problems = [p if isinstance(p, dict) else {"message": p} for p in problems]
        super().__init__(" ".join(p["message"] for p in self.problems))


def quote(text):
    """Write a text as a YAML double-quoted string."""
    # JSON's escaping (\" \\ \uXXXX) is valid YAML. JSON leaves bare the characters a YAML
    # file may not hold (DEL, the C1 controls) and the two Unicode line separators that would
    # end the line: those are escaped too, so the checker, not the YAML reader, judges them.
    return UNQUOTED.sub(lambda m: f"\\u{ord(m[0]):04x}", json.dumps(text, ensure_ascii=False))


def replace_text(source, name, text):
    """Return `source` with the line of `name` holding `text`; every other line as it was."""
    lines = source.splitlines(keepends=True)
    found = [i for i, line in enumerate(lines)
             if (m := LINE.match(line.rstrip("\r\n"))) and m["name"] == name]
    if len(found) != 1:
        raise EditRefused([f"The line of '{name}' is not written as name: \"text\" on one line, "
                           "so the console cannot change it safely. Change it in the file by hand."])
    line = lines[found[0]]
    bare = line.rstrip("\r\n")
    match = LINE.match(bare)
    lines[found[0]] = match["head"] + quote(text) + match["tail"] + line[len(bare):]
    changed = "".join(lines)
    data = yamlfile.load(changed)[0] or {}
    if data.get(name) != text:  # never write a file that would not read back as intended
        raise EditRefused([f"The text of '{name}' could not be written safely; nothing was saved."])
    return changed


def clean(text, language):
    """Return the text to save, or raise EditRefused saying what is wrong with it."""
    if "\n" in text or "\r" in text:
        raise EditRefused([f"The {language} text has a line break. Write it on one line: the bot "
                           "makes the line breaks on the screen itself."])
    if not text.strip():
        raise EditRefused([f"The {language} text is empty. Write the words she should read."])
    if len(text) > MAX_TEXT:
        raise EditRefused([f"The {language} text is over {MAX_TEXT} characters."])
    return text


def read(path):
    with open(path, encoding="utf-8", newline="") as handle:  # keep the file's own line endings
        return handle.read()


def save(flows_dir, locales_dir, key, texts, was=None, languages=("en", "sw"), default_language="en"):
    """Save `texts` ({language: text}) for `key` if the checker allows; return the languages changed."""
    def source_of(name):
        path = Path(locales_dir) / name
        return read(path) if path.is_file() else None

    changes = prepare(source_of, key, texts, was, languages)
    if changes:
        changes = {Path(locales_dir) / name: source for name, source in changes.items()}
        _check(flows_dir, locales_dir, key, changes, languages, default_language)
        for path, source in changes.items():
            _write(path, source)
    return sorted(p.name.split(".")[1] for p in changes)


def prepare(source_of, key, texts, was=None, languages=("en", "sw")):
    """Return {file name: new source} for the files `texts` change; `source_of(name)` reads one."""
    # `was` holds the texts the editor started from: a difference means someone else saved since.
    if not KEY.match(key):
        raise EditRefused([f"'{key}' is not a text key the console can change."])
    namespace, name = key.split(".", 1)
    changes = {}
    for language, text in texts.items():
        file_name = f"{namespace}.{language}.yml"
        source = source_of(file_name) if language in languages else None
        if source is None:
            raise EditRefused([f"There is no file locales/{file_name}."])
        current = (yamlfile.load(source)[0] or {}).get(name)
        if text == (current or ""):
            continue  # this language was left as it is
        if was and language in was and was[language] != (current or ""):
            raise EditRefused([f"Someone changed the {language} text since you opened it. Reload "
                               "the page to see it, then make your change again."])
        changes[file_name] = replace_text(source, name, clean(text, language))
    return changes


def for_editor(problems, key):
    """The checker's errors as the console shows them, those about `key` first."""
    errors = sorted((p for p in problems if not p.warning), key=lambda p: p.key != key)
    return [{"message": p.message, "fix": p.fix, "where": _where(p)} for p in errors]


def _check(flows_dir, locales_dir, key, changes, languages, default_language):
    with tempfile.TemporaryDirectory(prefix="mm-texts-") as folder:
        copy = Path(folder) / "locales"
        shutil.copytree(locales_dir, copy)
        for path, source in changes.items():
            (copy / path.name).write_bytes(source.encode("utf-8"))
        _, problems = read_content(flows_dir, copy, languages, default_language)
    errors = for_editor(problems, key)
    if errors:
        raise EditRefused(errors)


def _where(problem):
    parts = [str(problem.file)] + ([f"line {problem.line}"] if problem.line else [])
    parts += [f"state {problem.state}"] if problem.state else []
    return ", ".join(parts + ([f"key {problem.key}"] if problem.key else []))


def _write(path, source):
    """Replace the file in one step, so the bot never reads it half-written."""
    spare = path.with_name(f".{path.name}.console.tmp")
    spare.write_bytes(source.encode("utf-8"))
    shutil.copymode(path, spare)
    os.replace(spare, path)
