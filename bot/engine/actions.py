"""Built-in actions that flow files can name in an `action` state.

Each action is a small function registered under the name staff write in
`do:`, with the parameters it takes in `with:`. It changes the run (the
contact as this session sees it, the answers, where to go next) and adds
effects the channel carries out after the step. New actions are added here;
flow files cannot run anything else.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from . import pins
from .model import Effect, Target


@dataclass(frozen=True)
class Action:
    name: str
    run: object
    required: tuple
    optional: tuple
    text_params: tuple  # parameters that are text keys, checked like any other text
    doc: str
    ends: bool  # it closes the session, so it needs no next state
    allowed: dict  # parameter -> the only values it may take (checked with the flows)


REGISTRY = {}
_BLANK = re.compile(r"%\{([a-z_][a-z0-9_]*)\}")


def action(name, required=(), optional=(), text_params=(), ends=False, allowed=None):
    """Register a function as the action `name`."""

    def register(func):
        REGISTRY[name] = Action(name, func, tuple(required), tuple(optional),
                                tuple(text_params), (func.__doc__ or "").strip(), ends,
                                dict(allowed or {}))
        return func

    return register


@action("set_field", required=("field",), optional=("value", "from_result"))
def set_field(params, run):
    """Keep a value on the contact: `with: {field: stage, value: pregnant}` or
    `with: {field: due_date, from_result: due_date}`."""
    value = run.results.get(params["from_result"]) if "from_result" in params else params.get("value")
    run.set_field(params["field"], "" if value is None else str(value))


@action("clear_field", required=("field",))
def clear_field(params, run):
    """Forget one contact field: `with: {field: next_visit}`."""
    run.contact.pop(params["field"], None)
    run.effects.append(Effect("clear_field", params["field"]))


@action("set_language", optional=("language", "from_result"))
def set_language(params, run):
    """Change the language of every later screen and SMS:
    `with: {language: sw}` or `with: {from_result: language}`."""
    wanted = run.results.get(params["from_result"]) if "from_result" in params else params.get("language")
    if wanted in run.content.languages:
        run.set_field("language", wanted)
    else:
        run.effects.append(Effect("event", "unknown_language", str(wanted)))


# Why a flow may ask for a call; each is its own group in the follow-up lists.
CALLBACK_REASONS = ("callback", "development")


@action("request_callback", optional=("topic", "from_result", "reason"),
        allowed={"reason": CALLBACK_REASONS})
def request_callback(params, run):
    """Ask a Mentor Mother to call this number back:
    `with: {topic: pmtct}` or `with: {from_result: topic}`; a topic can show answers,
    `topic: "child of %{age} months"`. `reason: development` files it as a development
    follow-up (the reason is `callback` otherwise)."""
    if "from_result" in params:
        topic = run.results.get(params["from_result"])
    else:  # the topic is for staff: an answer not given shows as "-"
        topic = _BLANK.sub(lambda found: str(run.results.get(found[1], "-")),
                           str(params.get("topic") or ""))
    reason = str(params.get("reason") or "callback")
    run.effects.append(Effect("request_callback", reason, str(topic or "general")))


@action("find_services", required=("from_result",))
def find_services(params, run):
    """Look up the services listed for the county she typed (flows/referral_services.yaml):
    `with: {from_result: county}`. Sets the answer `services` (empty when none is listed) and
    writes the county's proper name back into `county`."""
    typed = run.results.get(params["from_result"])
    referrals = run.content.referrals
    county, found = referrals.in_county(typed) if referrals else (None, [])
    if county:
        run.keep_answer(params["from_result"], county)
    run.keep_answer("services", referrals.shown(found, run.language) if found else "")


@action("go_to_flow", required=("flow",))
def go_to_flow(params, run):
    """Enter another flow at its start: `with: {flow: nutrition}`."""
    run.jump = Target(flow=str(params["flow"]))


@action("end_session", required=("text",), text_params=("text",), ends=True)
def end_session(params, run):
    """Show a last screen and close the session: `with: {text: main.goodbye}`."""
    run.end_text = str(params["text"])


@action("set_today", required=("field",))
def set_today(params, run):
    """Keep today's date on the contact: `with: {field: enrolled_on}`."""
    run.set_field(params["field"], run.today.isoformat())


@action("estimate_due_date", required=("from_result",))
def estimate_due_date(params, run):
    """Work out the due date from weeks pregnant: `with: {from_result: weeks}`
    (40 weeks in all, WHO)."""
    weeks = run.results.get(params["from_result"])
    if str(weeks or "").isdigit():
        run.set_field("due_date", (run.today + timedelta(days=(40 - int(weeks)) * 7)).isoformat())


@action("add_visit", required=("from_result",), optional=("kind",))
def add_visit(params, run):
    """Keep a clinic visit she entered: `with: {from_result: visit_date, kind: other}`."""
    day = run.results.get(params["from_result"])
    if day:
        run.effects.append(Effect("add_visit", str(params.get("kind", "other")), str(day)))


@action("report_loss")
def report_loss(params, run):
    """Record that she lost the pregnancy or the baby: the reminders for them stop, her own go
    on, and a Mentor Mother is asked to call her (once)."""
    run.contact.update(stage="loss", loss_date=run.today.isoformat())
    run._values = None
    run.effects.append(Effect("report_loss"))


@action("update_reminders")
def update_reminders(params, run):
    """Work out her reminders again after her details changed."""
    run.effects.append(Effect("reschedule"))


@action("forget_me", required=("text",), text_params=("text",), ends=True)
def forget_me(params, run):
    """Delete her contact, visits, reminders and message history, then close the session
    with `text`: `with: {text: settings.forgotten}`."""
    run.effects.append(Effect("forget"))
    run.end_text = str(params["text"])


@action("set_result", required=("name", "value"))
def set_result(params, run):
    """Keep an answer for this session, as if she had given it, for a router further on:
    `with: {name: after_pin, value: details}`."""
    run.keep_answer(str(params["name"]), str(params["value"]))


@action("set_pin")
def set_pin(params, run):
    """Keep the PIN she has just typed (in an input with `validate: {type: pin}`) on her
    contact, as a salted hash only; it replaces any earlier PIN."""
    typed, run.typed_pin = run.typed_pin, None
    if typed:
        run.set_field("pin_hash", pins.make(typed))
        run.set_field("pin_tries", "0")


@action("clear_pin")
def clear_pin(params, run):
    """Remove her PIN: her details and HIV choice are asked for without one again."""
    for name in ("pin_hash", "pin_tries"):
        run.contact.pop(name, None)
        run.effects.append(Effect("clear_field", name))


@action("check_pin")
def check_pin(params, run):
    """Check the PIN she has just typed against hers: the answer `pin_ok` is `yes`, `no`, or
    `locked` at the third wrong try in a row, when the channel locks the PIN questions for
    15 minutes (bot/pin; the contact field `pin_locked` is then `yes`)."""
    typed, run.typed_pin = run.typed_pin, None
    if pins.matches(typed, run.contact.get("pin_hash")):
        outcome, tries = "yes", 0
    else:
        known = str(run.contact.get("pin_tries") or "0")
        tries = (int(known) if known.isdigit() else 0) + 1
        outcome = "no"
        if tries >= pins.MAX_TRIES:
            outcome, tries = "locked", 0
            run.contact["pin_locked"] = "yes"
            run.effects.append(Effect("lock_pin"))
    if str(tries) != str(run.contact.get("pin_tries") or "0"):
        run.set_field("pin_tries", str(tries))
    run.keep_answer("pin_ok", outcome)


@action("find_clinic", required=("from_result",))
def find_clinic(params, run):
    """Find the clinic she typed (`with: {from_result: clinic_typed}`) in the facility list:
    its MFL code (digits) or its name, case and punctuation aside. A clinic found is kept as
    her `facility` (the code) and `clinic` (its name safe for SMS). A name not in the list is
    kept as she typed it, as her `clinic`. The answer `clinic_found` says which: `yes`, `free`
    (a name not in the list), `no_code` (no clinic has that code), `list` (she typed 1: she
    wants to choose from the list) or `retry` (neither a code nor a name)."""
    typed = " ".join(str(run.results.get(params["from_result"]) or "").split())
    directory = run.facilities
    if typed == "1":
        outcome = "list"
    elif typed.isascii() and typed.isdigit():
        found = directory.get(typed) if directory is not None else None
        outcome = "yes" if found else "no_code"
        if found:
            _keep_facility(run, found)
    elif sum(char.isalpha() for char in typed) < 2:
        outcome = "retry"  # "x" or "2a": not a name she could be reminded of
    else:
        found = directory.named(typed) if directory is not None else None
        outcome = "yes" if found else "free"
        if found:
            _keep_facility(run, found)
        else:
            run.set_field("clinic", typed)
            if run.contact.pop("facility", None) is not None:
                run.effects.append(Effect("clear_field", "facility"))
    run.keep_answer("clinic_found", outcome)


@action("keep_facility", required=("from_result",))
def keep_facility(params, run):
    """Keep the facility she picked from a list (`with: {from_result: facility_code}`, an
    MFL code) as her `facility`, and its name safe for SMS as her `clinic`."""
    found = run.facilities.get(run.results.get(params["from_result"])) if run.facilities else None
    if found is None:
        run.effects.append(Effect("event", "facility_missing", str(run.results.get(params["from_result"]))))
        return
    _keep_facility(run, found)


def _keep_facility(run, facility):
    run.set_field("facility", facility.code)
    run.set_field("clinic", facility.sms_name)
