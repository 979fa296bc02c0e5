"""A Mentor Mother's or supervisor's own SMS to a mother, written in the console.

The text is checked before it goes: its length in SMS parts, characters outside
GSM-7 (one of them makes the whole SMS cost twice as many parts, and some phones
show it as a box), and words that must never be in an SMS a shared phone may
show (HIV and its treatment, the Mentor Mother programme: bot/content/sms_rules).
It then goes the way every SMS goes (jobs.queue_sms -> outbound.send), so her
STOP, a pause for an undeliverable number and "forget me" apply, and her SMS log
keeps it with the name of who wrote it.
"""

from dataclasses import dataclass, field

from .. import jobs, store
from ..content import gsm
from ..content.sms_rules import PRIVATE_WORDS, PROGRAMME_WORDS
from ..optout import undeliverable
from ..sms.outbound import Outgoing
from ..store import contacts
from ..store import staff_changes as her_history

MAX_PARTS = 3  # a longer message is a phone call


@dataclass
class Checked:
    text: str
    parts: int
    problems: list = field(default_factory=list)


def check(text):
    """Read the text as it would be sent; list every reason it cannot go, in plain words."""
    text = " ".join((text or "").split())
    found = Checked(text, gsm.segments(text) if text else 0)
    if not text:
        found.problems.append("Write the SMS first.")
        return found
    odd = gsm.outside_gsm(text)
    if odd:
        found.problems.append(
            "These characters are not plain SMS characters: " + "  ".join(odd)
            + " (the SMS would cost twice as many parts, and some phones show boxes). Use straight "
            "quotes ' \" and -, and letters without accents.")
    elif found.parts > MAX_PARTS:
        found.problems.append(f"It is {gsm.length(text)} characters: {found.parts} SMS parts. "
                              f"Keep it within {MAX_PARTS} parts ({153 * MAX_PARTS} characters); "
                              "call her for anything longer.")
    words = sorted({m.group(0) for rule in (PRIVATE_WORDS, PROGRAMME_WORDS)
                    for m in rule.finditer(text)}, key=str.lower)
    if words:
        found.problems.append(
            f"It names {', '.join(repr(w) for w in words)}. Someone else may read SMS on her "
            "phone: never name HIV, its treatment or the Mentor Mother programme in an SMS. "
            "Call her for that.")
    return found


def refused_for(contact):
    """Why no SMS can go to her now, or None."""
    if contact.get("opted_out") == "yes":
        return "She stopped all SMS (STOP): no SMS goes to her. Call her instead."
    if undeliverable.is_paused(contact):
        return ("SMS to her are paused because her last SMS were not delivered. Check her number "
                "first (see her follow-up \"SMS not delivered\").")
    return None


def send(db, config, phone, checked, by):
    """Queue the checked SMS for her; note it in her history. Return the batch id."""
    batch = jobs.queue_sms([Outgoing(phone, checked.text, "staff", by=by)],
                           store.enqueue_connection(), config["SMS_RETRY_SECONDS"])
    pipe = db.pipeline(transaction=False)
    her_history.record(pipe, phone, by, f"Sent her an SMS ({checked.parts} part"
                                        f"{'s' if checked.parts > 1 else ''})")
    pipe.execute()
    return batch


def her_contact(db, phone):
    return db.hgetall(contacts.key(phone))
