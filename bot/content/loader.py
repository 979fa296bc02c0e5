"""Load flows/ and locales/ into one checked `Content`.

Every problem found is collected, not just the first, so a staff member fixes
a whole edit in one go. Nothing is loaded half-way: if there is any problem,
the caller gets the list and no content.
"""

import json
from pathlib import Path

import jsonschema

from .. import facilities
from ..engine.model import Content, Flow, State
from ..errors import InvalidContent, Problem
from ..referrals import services as referral_services
from . import checks, danger_sign_words, glossary, schedules, yamlfile
from .message_sets import MESSAGE_SETS_DIR, build_message_set
from .texts import DEFAULT_PROGRAMME_NAME, Texts

SPEC_VERSION = 1  # the file format this code reads
# Files in flows/ that are lists the flows use, not flows.
NOT_FLOWS = (danger_sign_words.FILE, referral_services.FILE)


def load_content(flows_dir, locales_dir, languages=("en", "sw"), default_language="en",
                 programme_name=DEFAULT_PROGRAMME_NAME, ussd_code=""):
    """Return the checked Content, or raise InvalidContent listing every problem."""
    content, problems = read_content(flows_dir, locales_dir, languages, default_language,
                                     programme_name, ussd_code)
    errors = [p for p in problems if not p.warning]
    if errors:
        raise InvalidContent(errors)
    return content


def read_content(flows_dir, locales_dir, languages=("en", "sw"), default_language="en",
                 programme_name=DEFAULT_PROGRAMME_NAME, ussd_code=""):
    """Return (content, problems), problems including warnings."""
    flows_dir = Path(flows_dir)
    texts, problems = Texts.load(locales_dir, programme_name, ussd_code)
    flows = {}
    for path, data, lines in _read_all(flows_dir, "flow", "flow.schema.json", problems,
                                       skip=NOT_FLOWS):
        states = {name: State(name, body["kind"], body, yamlfile.line_of(lines, "states", name))
                  for name, body in data["states"].items()}
        flows[path.stem] = Flow(path.stem, data["start"], states, path.name, lines=lines,
                                channel=data.get("channel", "ussd"))
    sets = {}
    for path, data, lines in _read_all(flows_dir / MESSAGE_SETS_DIR, "message_set",
                                       flows_dir.resolve() / "message_set.schema.json", problems):
        sets[path.stem] = build_message_set(f"{MESSAGE_SETS_DIR}/{path.name}", data, lines)
    visits = {path.stem: schedules.build_visits(f"schedules/{path.name}", data, lines, problems)
              for path, data, lines in _read_all(flows_dir / "schedules", "schedule",
                                                 flows_dir.resolve() / "schedule.schema.json",
                                                 problems)}
    content = Content(flows=flows, texts=texts, default_language=default_language,
                      languages=tuple(languages), message_sets=sets, schedules=visits,
                      danger_signs=_read_danger_signs(flows_dir, problems),
                      referrals=_read_referrals(flows_dir, problems))
    content.facilities, found = facilities.read_sample(flows_dir)  # checked like the flows that use it
    problems += found
    unreadable = {p.stem for p in flows_dir.glob("*.yaml") if p.name not in NOT_FLOWS} - set(flows)
    problems += checks.check_content(content, unreadable)
    problems += glossary.check_texts(_read_glossary(Path(locales_dir), problems), texts)
    return content, problems


def _read_all(folder, name_field, schema_path, problems, skip=None):
    """Yield (path, data, lines) for every readable, schema-valid YAML file in `folder`."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    validator = _validator(folder / schema_path)  # a name beside the files, or an absolute path
    for path in sorted(folder.glob("*.yaml")):
        if path.name in (skip or ()):
            continue
        shown = path.name if name_field == "flow" else f"{folder.name}/{path.name}"
        data, lines = _read_one(path, shown, validator, name_field, problems)
        if data is not None:
            yield path, data, lines


def _validator(schema_path):
    return jsonschema.Draft202012Validator(json.loads(Path(schema_path).read_text(encoding="utf-8")))


def _read_danger_signs(flows_dir, problems):
    """Return the compiled danger-sign lexicon, or None when it is missing or broken."""
    path = flows_dir / danger_sign_words.FILE
    if not path.is_file():
        problems.append(Problem(danger_sign_words.FILE, "There is no danger-sign lexicon: free-text "
                                "messages will not be checked for danger signs.", warning=True,
                                fix=f"Restore flows/{danger_sign_words.FILE} from the project."))
        return None
    schema = flows_dir / danger_sign_words.SCHEMA
    if not schema.is_file():
        problems.append(Problem(danger_sign_words.FILE, f"Its schema, {danger_sign_words.SCHEMA}, is "
                                "missing, so the lexicon cannot be checked.",
                                fix=f"Restore flows/{danger_sign_words.SCHEMA} from the project."))
        return None
    found = []
    data, lines = _read_one(path, danger_sign_words.FILE, _validator(schema), None, found)
    lexicon = danger_sign_words.build_lexicon(data, lines, found) if data is not None else None
    problems += found
    return lexicon


def _read_referrals(flows_dir, problems):
    """Return the referral services list; an empty one when the file is missing or broken."""
    path, schema = flows_dir / referral_services.FILE, flows_dir / referral_services.SCHEMA
    if not path.is_file():
        return referral_services.ReferralList(())
    if not schema.is_file():
        problems.append(Problem(referral_services.FILE, f"Its schema, {referral_services.SCHEMA}, "
                                "is missing, so the list cannot be checked.",
                                fix=f"Restore flows/{referral_services.SCHEMA} from the project."))
        return referral_services.ReferralList(())
    data, lines = _read_one(path, referral_services.FILE, _validator(schema), None, problems)
    if data is None:
        return referral_services.ReferralList(())
    return referral_services.build_referral_list(data, lines, problems)


def _read_glossary(locales_dir, problems):
    """Return the Glossary, or None when there is none (nothing to check) or it is broken."""
    path = locales_dir / glossary.FILE
    if not path.is_file():
        return None
    schema = locales_dir / glossary.SCHEMA
    if not schema.is_file():
        problems.append(Problem(f"locales/{glossary.FILE}", f"Its schema, {glossary.SCHEMA}, is "
                                "missing, so the glossary cannot be checked.", warning=True,
                                fix=f"Restore locales/{glossary.SCHEMA} from the project."))
        return None
    found = []
    data, lines = _read_one(path, f"locales/{glossary.FILE}", _validator(schema), None, found)
    for problem in found:  # the glossary guides reviewers; mothers never see it
        problem.warning = True
    problems += found
    return glossary.build_glossary(data, lines) if data is not None else None


def _read_one(path, shown, validator, name_field, problems):
    try:
        data, lines, duplicates = yamlfile.load(path.read_text(encoding="utf-8"))
    except (yamlfile.YamlError, UnicodeDecodeError) as err:
        problems.append(Problem(shown, f"This file is not valid YAML: {err}",
                                line=getattr(err, "line", None),
                                fix="Check the indentation, and put texts with ':' in quotes."))
        return None, {}
    for key_path, line in duplicates:
        problems.append(Problem(shown, f"'{key_path[-1]}' is written twice here.", line=line,
                                fix="Give each one a different name, or remove the copy."))
    if not isinstance(data, dict):
        first = name_field or ("services" if shown == referral_services.FILE else "signs")
        problems.append(Problem(shown, f"The file must start with spec, {first} and the rest.",
                                fix="Compare it with another file in the same folder."))
        return None, {}
    if data.get("spec") != SPEC_VERSION:
        problems.append(Problem(shown, f"This file says spec {data.get('spec')!r}; this version of "
                                "the bot reads spec 1.", line=yamlfile.line_of(lines, "spec"),
                                fix="Write 'spec: 1' at the top of the file."))
        return None, {}
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    problems += [_schema_problem(shown, error, lines) for error in errors]
    if errors:
        return None, {}
    if name_field and data[name_field] != path.stem:
        problems.append(Problem(shown, f"The {name_field.replace('_', ' ')} is named "
                                f"'{data[name_field]}' but the file is '{path.name}'.",
                                line=yamlfile.line_of(lines, name_field),
                                fix=f"Write '{name_field}: {path.stem}' or rename the file."))
    return data, lines


def _schema_problem(file, error, lines):
    path = list(error.absolute_path)
    state = str(path[1]) if len(path) > 1 and path[0] in ("states", "messages") else None
    where = ".".join(str(p) for p in path[2:]) or None
    return Problem(file, _plain(error), state=state, key=where,
                   line=yamlfile.line_of(lines, *path),
                   fix="See the schema file beside it and docs/flows.md for what each part takes.")


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
    if error.validator == "oneOf" and isinstance(error.instance, dict) and "from" in error.instance:
        return "Say when this visit is: give its week or day (one of the two)."
    if error.validator == "minLength" and error.instance == "":
        return "This is empty: write the words, or remove it."
    if error.validator == "not":
        return "A message cannot both end the session and lead on; remove 'end' or 'next'."
    return error.message
