"""Load flows/ and locales/ into one checked `Content`.

Every problem found is collected, not just the first, so a staff member fixes
a whole edit in one go. Nothing is loaded half-way: if there is any problem,
the caller gets the list and no content.
"""

import json
from pathlib import Path

import jsonschema

from ..engine.model import Content, Flow, State
from ..errors import InvalidContent, Problem
from . import checks, yamlfile
from .texts import Texts

SPEC_VERSION = 1  # the flow file format this code reads
SCHEMA_FILE = "flow.schema.json"


def load_content(flows_dir, locales_dir, languages=("en", "sw"), default_language="en"):
    """Return the checked Content, or raise InvalidContent listing every problem."""
    content, problems = read_content(flows_dir, locales_dir, languages, default_language)
    errors = [p for p in problems if not getattr(p, "warning", False)]
    if errors:
        raise InvalidContent(errors)
    return content


def read_content(flows_dir, locales_dir, languages=("en", "sw"), default_language="en"):
    """Return (content, problems); content is None when files could not be read."""
    problems = []
    texts, text_problems = Texts.load(locales_dir)
    problems += [Problem(p.file, str(p), line=p.line) for p in text_problems]
    flows = {}
    schema = json.loads((Path(flows_dir) / SCHEMA_FILE).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(Path(flows_dir).glob("*.yaml")):
        flow, lines = _read_flow(path, validator, problems)
        if flow is not None:
            flows[flow.name] = flow
            flow.lines = lines
    content = Content(flows=flows, texts=texts, default_language=default_language,
                      languages=tuple(languages))
    unreadable = {p.stem for p in Path(flows_dir).glob("*.yaml")} - set(flows)
    problems += checks.check_content(content, unreadable)
    return content, problems


def _read_flow(path, validator, problems):
    try:
        data, lines, duplicates = yamlfile.load(path.read_text(encoding="utf-8"))
    except (yamlfile.YamlError, UnicodeDecodeError) as err:
        problems.append(Problem(path.name, f"This file is not valid YAML: {err}",
                                line=getattr(err, "line", None),
                                fix="Check indentation and that texts with ':' are in quotes."))
        return None, {}
    for key_path, line in duplicates:
        problems.append(Problem(path.name, f"'{key_path[-1]}' is written twice here.", line=line,
                                fix="Give each state a different name, or remove the copy."))
    if not isinstance(data, dict):
        problems.append(Problem(path.name, "A flow file must start with spec, flow, start and states."))
        return None, {}
    if data.get("spec") != SPEC_VERSION:
        problems.append(Problem(path.name, f"This file says spec {data.get('spec')!r}; this version of "
                                "the bot reads spec 1.", line=yamlfile.line_of(lines, "spec"),
                                fix="Write 'spec: 1' at the top of the file."))
        return None, {}
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors:
        problems.append(_schema_problem(path.name, error, lines))
    if errors:
        return None, {}
    if data["flow"] != path.stem:
        problems.append(Problem(path.name, f"The flow is named '{data['flow']}' but the file is "
                                f"'{path.name}'.", line=yamlfile.line_of(lines, "flow"),
                                fix=f"Write 'flow: {path.stem}' or rename the file."))
    states = {name: State(name, body["kind"], body, yamlfile.line_of(lines, "states", name))
              for name, body in data["states"].items()}
    return Flow(name=path.stem, start=data["start"], states=states, file=path.name), lines


def _schema_problem(file, error, lines):
    path = list(error.absolute_path)
    state = path[1] if len(path) > 1 and path[0] == "states" else None
    where = ".".join(str(p) for p in path[2:]) or None
    return Problem(file, _plain(error), state=state, key=where,
                   line=yamlfile.line_of(lines, *path),
                   fix="See flows/flow.schema.json and docs/ for what each state kind takes.")


def _plain(error):
    """Turn a JSON Schema message into words for a non-programmer."""
    if error.validator == "required":
        return f"Something is missing: {error.message.split(' is a required')[0]} must be given."
    if error.validator == "additionalProperties":
        return f"Unknown setting: {error.message.split('(')[-1].rstrip(')')}."
    if error.validator == "enum":
        return f"{error.instance!r} is not allowed here; use one of {error.validator_value}."
    if error.validator == "pattern":
        return (f"{error.instance!r} is not a valid name or key: use lower-case letters, digits "
                "and _ (text keys look like topic.name).")
    if error.validator == "anyOf" and isinstance(error.instance, dict):
        return "Say where this leads: add 'next: <state>' or 'flow: <flow name>'."
    if error.validator == "not":
        return "A message cannot both end the session and lead on; remove 'end' or 'next'."
    return error.message
