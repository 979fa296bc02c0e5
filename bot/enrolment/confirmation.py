"""A mother a Mentor Mother registered: filed as awaiting her own YES before any SMS.

A Mentor Mother registers a mother from her work menu (bot/mentors/work). The mother is
filed with `enrolled: awaiting`, which no reminder plan sends to (bot/reminders/plan.py,
`wants_sms`), and gets one SMS: the request to confirm, with no health details, saying how
to confirm (YES / NDIYO) and how to stop (STOP / ACHA). Her YES makes her enrolled with her
own consent to SMS, and her stage messages start; her STOP removes the registration and
keeps only her "no" (bot/sms/incoming.py). Consent to SMS that name HIV is never given
here: she chooses that herself on USSD, after its warning.
"""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from .. import effects
from ..engine import Effect
from ..sms.outbound import Outgoing
from ..store import assignments, contacts, mentor_actions

AWAITING = "awaiting"  # her `enrolled` until she confirms
ASK = "sms_confirm.ask"
CONFIRMED = "sms_confirm.confirmed"
STAGE_DATE = {"pregnancy": "due_date", "baby": "birth_date"}


def standing(contact):
    """Why she cannot be registered now ("enrolled", "awaiting", "stopped"), or ""."""
    if contact.get("enrolled") == "yes":
        return "enrolled"
    if contact.get("enrolled") == AWAITING:
        return AWAITING
    return "stopped" if contact.get("opted_out") == "yes" else ""


def register(db, content, config, mother, details, mentor):
    """File `mother` as awaiting confirmation and return the one SMS to send her, or None
    when she cannot be registered (see `standing`).

    `details`: stage (pregnancy or baby), date (ISO), facility (MFL code), clinic (its SMS
    name) and language. `mentor`: the Mentor Mother's phone, kept as who registered her.
    """
    if standing(db.hgetall(contacts.key(mother))):
        return None
    now = int(time.time())
    # Her record of being registered goes with her, unless she confirms (or was known before):
    # nothing is kept for years about someone who never said yes.
    known_before = db.exists(mentor_actions.key(mother))
    fields = {"enrolled": AWAITING, "stage": details["stage"],
              STAGE_DATE[details["stage"]]: details["date"], "facility": details["facility"],
              "clinic": details["clinic"], "language": details["language"],
              "registered_by": mentor, "registered_at": str(now), "mentor": mentor,
              "updated_at": str(now)}
    pipe = db.pipeline(transaction=True)
    pipe.hset(contacts.key(mother), mapping=fields)
    pipe.sadd(assignments.mothers_key(mentor), mother)
    # Never confirmed, she is forgotten like any caller who never joined.
    contacts.expire_unless_kept(pipe, mother, config["UNENROLLED_KEEP_DAYS"])
    mentor_actions.record(pipe, mother, mentor, "registered",
                          {"stage": details["stage"], "date": details["date"],
                           "facility": details["facility"]},
                          now=now, keep_days=config["MENTOR_ACTIONS_KEEP_DAYS"]
                          if known_before else config["UNENROLLED_KEEP_DAYS"])
    pipe.execute()
    text = content.texts.get(ASK, details["language"])
    return Outgoing(mother, text, "confirm_request", key=f"confirm-ask:{mother}:{now}")


def confirm(db, content, config, phone, contact):
    """Her YES / NDIYO: enrol her with her own consent to SMS; return the reply to send."""
    today = datetime.now(ZoneInfo(config["BOT_TIMEZONE"])).date().isoformat()
    changes = [Effect("set_field", "enrolled", "yes"), Effect("set_field", "consent_sms", "yes"),
               Effect("set_field", "enrolled_on", today),
               Effect("set_field", "stage_since", today),
               Effect("set_field", "confirmed_by_sms", today)]
    effects.apply(db, content, config, phone, changes, "sms")
    db.expire(mentor_actions.key(phone),  # she said yes: her Mentor Mothers' work is kept
              max(int(float(config["MENTOR_ACTIONS_KEEP_DAYS"]) * 86400), 60))
    language = contact.get("language") or content.default_language
    return Outgoing(phone, content.texts.get(CONFIRMED, language), "reply")


def ask_again(db, content, config, mother, mentor, today):
    """The request to confirm, sent again to a mother still waiting (her SMS may have gone
    while her phone was off), at most once a day: its key is the day's, and a key is sent once.
    Return the SMS, or None when she is no longer waiting."""
    contact = db.hgetall(contacts.key(mother))
    if contact.get("enrolled") != AWAITING:
        return None
    pipe = db.pipeline(transaction=False)
    left_days = max(db.ttl(mentor_actions.key(mother)), 0) / 86400  # kept no longer than before
    mentor_actions.record(pipe, mother, mentor, "asked_again", {},
                          keep_days=max(left_days, float(config["UNENROLLED_KEEP_DAYS"])))
    pipe.execute()
    language = contact.get("language") or content.default_language
    return Outgoing(mother, content.texts.get(ASK, language), "confirm_request",
                    key=f"confirm-ask:{mother}:{today.isoformat()}")
