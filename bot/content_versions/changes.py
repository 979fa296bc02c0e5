"""What changed between two versions: files added, removed or changed, and each text's old and new words."""

import difflib

from ..content import yamlfile

MAX_TEXTS = 300  # texts listed per version; a whole new language would otherwise fill the history


def summarise(old, new):
    """Return {"added", "removed", "changed": [paths], "texts": [{key, language, old, new}]}."""
    if old is None:  # the first version: everything is new, nothing worth listing text by text
        return {"added": sorted(new), "removed": [], "changed": [], "texts": [], "first": True}
    changed = sorted(p for p in set(old) & set(new) if old[p] != new[p])
    summary = {"added": sorted(set(new) - set(old)), "removed": sorted(set(old) - set(new)),
               "changed": changed, "texts": []}
    for path in sorted(set(summary["added"]) | set(summary["removed"]) | set(changed)):
        summary["texts"] += texts_changed(path, old.get(path), new.get(path))
    summary["texts"] = summary["texts"][:MAX_TEXTS]
    return summary


def texts_changed(path, old, new):
    """[{key, language, old, new}] for one locale file (texts only: flows are listed by file)."""
    parts = path.split("/")[-1].split(".")
    if not path.startswith("locales/") or len(parts) != 3 or parts[2] != "yml":
        return []
    namespace, language = parts[0], parts[1]
    before, after = _texts(old), _texts(new)
    return [{"key": f"{namespace}.{name}", "language": language, "old": before.get(name),
             "new": after.get(name)}
            for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]


def _texts(data):
    if data is None:
        return {}
    try:
        found = yamlfile.load(data.decode("utf-8"))[0]
    except (yamlfile.YamlError, UnicodeDecodeError):
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def lines_changed(old, new):
    """Unified-diff lines between two versions' files, file by file."""
    shown = []
    for path in sorted(set(old) | set(new)):
        if old.get(path) == new.get(path):
            continue
        before = (old.get(path) or b"").decode("utf-8", "replace").splitlines()
        after = (new.get(path) or b"").decode("utf-8", "replace").splitlines()
        shown += difflib.unified_diff(before, after, f"a/{path}", f"b/{path}", lineterm="", n=1)
    return shown
