"""Rules that flows and texts must keep before the bot will serve them.

Each rule looks at the loaded content and returns Problems that name the file,
the state or key, and what to do. The same rules run when the app starts and
when staff run `flask --app wsgi flows check`.
"""

from ..engine import actions
from ..engine.model import MAIN_FLOW, START_FLOW
from ..errors import Problem
from ..store.visits import KINDS
from . import danger_sign_words, graph, safety_rules, screen_rules, sms_rules

# Texts the engine itself shows (navigation, hints, notices).
SYSTEM_KEYS = (
    "common.more", "common.back", "common.main", "common.next", "common.yes", "common.no",
    "common.hint_number", "common.hint_answer", "common.hint_no_such_date", "common.hint_words",
    "common.menu_changed", "common.sorry",
    "common.unavailable", "common.resume_question", "common.resume_continue",
    "common.resume_main",
    # automatic SMS replies (bot/sms/incoming.py)
    "sms_replies.stopped", "sms_replies.started", "sms_replies.help", "sms_replies.language",
    "sms_replies.question", "sms_replies.started_not_joined", "sms_replies.not_joined",
    "sms_replies.already_getting",
    # reminders (bot/reminders/)
    "sms_reminders.day_before", "sms_reminders.morning", "sms_reminders.suggested",
    "sms_reminders.missed", "sms_reminders.your_clinic", "sms_reminders.day_before_at_time",
    "sms_reminders.morning_at_time", "sms_reminders.time_of_day",
    *(f"sms_reminders.part_{part}" for part in ("morning", "afternoon", "evening", "night")),
    # an enrolment cut off midway (bot/enrolment/recovery.py)
    "sms_enrol.dropped",
    # a mother a Mentor Mother registered: her request to confirm, and the reply to her YES
    # (bot/enrolment/confirmation.py)
    "sms_confirm.ask", "sms_confirm.confirmed",
    *(f"sms_reminders.kind_{kind}" for kind in KINDS),  # each kind of visit is named in the SMS
)


def check_content(content, unreadable=()):
    """Return every problem found in the content, warnings last.

    `unreadable` names flow files that exist but could not be read; their own
    problems are already reported, so links to them are not reported again.
    """
    problems = []
    for name in (START_FLOW, MAIN_FLOW):
        if name not in content.flows and name not in unreadable:
            problems.append(Problem(f"{name}.yaml", f"The '{name}' flow is missing; the bot "
                                    "cannot start without it.", fix=f"Create flows/{name}.yaml."))
    used = {key: ("locales", None, None) for key in SYSTEM_KEYS}
    used.update(danger_sign_words.used_texts(content.danger_signs, content.texts))
    used.update(_work_menu_texts(content))
    keys_by_state = {}
    for flow in content.flows.values():
        problems += _check_flow(content, flow, used, unreadable)
        for state in flow.states.values():
            keys_by_state[(flow.name, state.name)] = list(text_keys(state))
    for message_set in content.message_sets.values():
        for message in message_set.messages:
            used.setdefault(message.text, (message_set.file, message.id, message.line))
    for name, visits in content.schedules.items():  # a visit's own name in the reminder SMS
        for visit in visits:
            if visit.get("name"):
                used.setdefault(visit["name"], (f"schedules/{name}.yaml", visit["id"], None))
    problems += _check_texts(content, used)
    problems += graph.check_shape(content)
    problems += sms_rules.check_sms(content)
    problems += safety_rules.check_call_promises(content)
    problems += safety_rules.check_danger_sms(content)
    problems += danger_sign_words.check_replies(content)
    if not problems and not unreadable:  # rendering needs every flow, link and text in place
        problems += screen_rules.check_screens(content, keys_by_state)
        problems += safety_rules.check_danger_pages(content)
    problems += _unused_texts(content, used)
    return problems


# The Mentor Mother's work menu (bot/mentors/work) is Python, not a flow: every text of its
# file is its own, and each must be there in every language with the same blanks.
WORK_MENU = "mentor_work."


def _work_menu_texts(content):
    keys = {key for strings in content.texts.strings.values() for key in strings
            if key.startswith(WORK_MENU)}
    return {key: (f"locales/{WORK_MENU[:-1]}", None, None) for key in keys}


PIN_ACTIONS = ("set_pin", "check_pin")  # what may take a PIN typed in an input of type pin


def text_keys(state):
    """Yield every text key a state uses."""
    data = state.data
    if data.get("text"):
        yield data["text"]
    if data.get("hint"):
        yield data["hint"]
    for option in data.get("options", []):
        yield option["text"]
    for choice in data.get("validate", {}).get("choices", []) + data.get("validate", {}).get("also", []):
        yield choice["text"]
    action = actions.REGISTRY.get(data.get("do"))
    for param in action.text_params if action else ():
        if param in data.get("with", {}):
            yield str(data["with"][param])


def targets(state):
    """Yield (where, target data) for every way out of a state."""
    data = state.data
    if data.get("next") or data.get("flow"):
        yield "", data
    for n, option in enumerate(data.get("options", []), 1):
        yield f"option {n}", option
    for n, route in enumerate(data.get("routes", []), 1):
        yield f"route {n}", route
    if "otherwise" in data:
        yield "otherwise", data["otherwise"]


def _check_flow(content, flow, used, unreadable):
    problems = []
    if flow.start not in flow.states:
        problems.append(Problem(flow.file, f"The start state '{flow.start}' does not exist.",
                                line=flow.lines.get(("start",)),
                                fix="Write the name of one of the states below after 'start:'."))
    for state in flow.states.values():
        for key in text_keys(state):
            used.setdefault(key, (flow.file, state.name, state.line))
        problems += _check_targets(content, flow, state, unreadable)
        if state.kind == "action":
            problems += _check_action(flow, state)
        problems += _check_counts(flow, state)
        if state.kind == "input" and state.data["validate"]["type"] == "pin":
            problems += _check_pin_input(content, flow, state)
        if state.kind == "input" and state.data["validate"]["type"] == "pick" and \
                "from" not in state.data["validate"]:
            problems.append(Problem(flow.file, "A pick question must say which list it offers.",
                                    state=state.name, line=state.line,
                                    fix="Add 'from: counties', 'from: sub_counties' or "
                                        "'from: facilities' under 'validate:'."))
    return problems


def _check_pin_input(content, flow, state):
    """A typed PIN is never kept: it must go straight to set_pin or check_pin, and not on a field."""
    if state.data.get("field"):
        return [Problem(flow.file, "A PIN question keeps the PIN on her contact with 'field'; only "
                        "its hash may be kept.", state=state.name, line=state.line,
                        fix="Remove 'field:' and lead to an action with do: set_pin.")]
    target = state.target
    after = content.state(target.flow or flow.name, target.state) if target and target.state else None
    if after is not None and after.kind == "action" and after.data.get("do") in PIN_ACTIONS:
        return []
    return [Problem(flow.file, "A PIN question must lead straight to an action that uses the PIN; "
                    "the PIN is forgotten at the next screen.", state=state.name, line=state.line,
                    fix="Set 'next:' to a state with do: set_pin (to keep a new PIN) or "
                        "do: check_pin (to check hers).")]


def _check_targets(content, flow, state, unreadable):
    problems = []
    for where, data in targets(state):
        label = f" ({where})" if where else ""
        other = data.get("flow")
        if other in unreadable:
            continue
        if other and other not in content.flows:
            problems.append(Problem(flow.file, f"It leads to the flow '{other}'{label}, which does "
                                    "not exist.", state=state.name, line=state.line,
                                    fix=f"Create flows/{other}.yaml or correct the name."))
        elif data.get("next") and data["next"] not in content.flows.get(other or flow.name).states:
            problems.append(Problem(flow.file, f"It leads to the state '{data['next']}'{label}, "
                                    "which does not exist.", state=state.name, line=state.line,
                                    fix="Correct the name or add that state."))
    return problems


def _check_counts(flow, state):
    """A screen counts only the indicators a flow may count (bot/reports/indicators.py)."""
    from ..reports.indicators import FLOW_COUNTED

    return [Problem(flow.file, f"'{name}' is not an indicator a flow can count.", state=state.name,
                    line=state.line, fix=f"Write one of: {', '.join(sorted(FLOW_COUNTED))}.")
            for name in state.data.get("counts", ()) if name not in FLOW_COUNTED]


def _check_action(flow, state):
    action = actions.REGISTRY.get(state.data["do"])
    if action is None:
        known = ", ".join(sorted(actions.REGISTRY))
        return [Problem(flow.file, f"There is no action called '{state.data['do']}'.",
                        state=state.name, line=state.line, fix=f"Use one of: {known}.")]
    given = set(state.data.get("with", {}))
    problems = []
    for missing in sorted(set(action.required) - given):
        problems.append(Problem(flow.file, f"The action '{action.name}' needs '{missing}'.",
                                state=state.name, line=state.line,
                                fix=f"Add it under 'with:'. {action.doc}"))
    for unknown in sorted(given - set(action.required) - set(action.optional)):
        problems.append(Problem(flow.file, f"The action '{action.name}' does not take '{unknown}'.",
                                state=state.name, line=state.line, fix=action.doc))
    for param, values in action.allowed.items():
        value = state.data.get("with", {}).get(param)
        if value is not None and value not in values:
            problems.append(Problem(flow.file, f"The action '{action.name}' does not know the "
                                    f"{param} '{value}'.", state=state.name, line=state.line,
                                    fix=f"Write one of: {', '.join(values)}."))
    return problems


def _check_texts(content, used):
    problems = []
    texts = content.texts
    for key, (file, state, line) in sorted(used.items()):
        for locale in content.languages:
            if not texts.has(key, locale):
                problems.append(Problem(file, f"The text '{key}' has no {locale} version.",
                                        state=state, key=key, line=line,
                                        fix=f"Add '{key.split('.', 1)[1]}' to "
                                            f"locales/{key.split('.')[0]}.{locale}.yml."))
        shapes = {locale: texts.placeholders(key, locale) for locale in content.languages
                  if texts.has(key, locale)}
        if len({frozenset(s) for s in shapes.values()}) > 1:
            detail = "; ".join(f"{loc}: {sorted(s) or 'none'}" for loc, s in shapes.items())
            problems.append(Problem(file, f"The text '{key}' uses different %{{...}} blanks in "
                                    f"different languages ({detail}).", state=state, key=key,
                                    line=line, fix="Use the same blanks in every language."))
    return problems


def _unused_texts(content, used):
    """Warn about texts nothing uses: often a typo in a key, or a leftover."""
    sms = sms_rules.sms_texts(content)
    problems = []
    for locale in content.languages:
        for key in sorted(content.texts.strings.get(locale, {})):
            if key not in used and key not in sms:
                file, line = content.texts.origin.get((locale, key)) or (f"locales/{locale}", None)
                problems.append(Problem(f"locales/{getattr(file, 'name', file)}", "No flow uses "
                                        "this text.", key=key, line=line, warning=True,
                                        fix="Check the key in the flow for a typo, or remove the "
                                            "text."))
    return problems
