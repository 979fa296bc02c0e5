"""An enrolment the network cut off: her answers kept for a day, one SMS, and a count.

MomConnect lost about a quarter of its registrations to dropped USSD sessions.
When Africa's Talking's end-of-session notification says a session ended
mid-enrolment (dropped or timed out), she gets one SMS, only if she already said
yes to SMS, saying her answers are kept and to dial again; her session is kept for
ENROL_RESUME_HOURS instead of the usual few minutes, and the next dial offers to
continue where she stopped. Each day counts the dropped enrolments, the SMS sent
and the enrolments finished after a drop (recovered).
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from .. import reports
from ..sms.outbound import Outgoing
from ..store import contacts, ussd_sessions

FLOW = "enrol"
DROPPED = ("Incomplete", "Failed")  # AT's statuses for a session that did not end on our END
CODE = re.compile(r"\*[0-9*]{1,30}#")  # a USSD code as AT sends it, e.g. *384*123#
COUNTS = ("dropped", "sms", "recovered")
KEEP_COUNTS_DAYS = 400


def mark_key(phone):
    """Her dropped enrolment's session id, while she may still finish it."""
    return f"enrolment:dropped:{phone}"


def counts_key(day):
    return f"enrolment:recovery:{day.isoformat()}"


def mid_enrolment(session):
    """True when a session stands inside the enrolment, not yet finished."""
    return session.flow == FLOW and not session.ended


def keep_seconds(session, config):
    """How long to keep a session: a day while she is enrolling, else the resume window."""
    usual = config["RESUME_MINUTES"] * 60
    return max(usual, config["ENROL_RESUME_HOURS"] * 3600) if mid_enrolment(session) else usual


def session_ended(db, content, config, form, phone):
    """Handle AT's end-of-session notification for `phone`; return the SMS to send (a list)."""
    live = ussd_sessions.parse(db.get(ussd_sessions.key(phone)))
    if (live is None or live.session_id != str(form.get("sessionId", ""))
            or not mid_enrolment(live.session) or form.get("status") not in DROPPED):
        return []
    hold = int(config["ENROL_RESUME_HOURS"] * 3600)
    # AT may send the same notification again: the first one alone counts and texts her.
    if db.set(mark_key(phone), live.session_id, ex=hold, get=True) == live.session_id:
        return []
    db.expire(ussd_sessions.key(phone), hold)
    contact = db.hgetall(contacts.key(phone))
    _count(db, config, "dropped")
    if not _agreed_to_sms(contact, live.session):
        return []
    _count(db, config, "sms")
    language = contact.get("language") or content.default_language
    code = str(form.get("serviceCode") or "")
    text = content.texts.get("sms_enrol.dropped", language,
                             code=code if CODE.fullmatch(code) else
                             config.get("USSD_CODE") or
                             content.texts.get("sms_menu.ussd_code_unset", language))
    return [Outgoing(phone, text, "enrolment", key=f"enrol_dropped:{live.session_id}")]


def finished(db, config, phone, effects):
    """Count her enrolment as recovered when it was finished after a drop."""
    if not any(e.kind == "set_field" and e.name == "enrolled" and e.value == "yes" for e in effects):
        return
    if db.delete(mark_key(phone)):
        _count(db, config, "recovered")
        pipe = db.pipeline(transaction=False)
        reports.count(pipe, "enrolment_recovered", phone)
        pipe.execute()


def counts(db, days):
    """{day: {dropped, sms, recovered}} for these days."""
    pipe = db.pipeline(transaction=False)
    for day in days:
        pipe.hgetall(counts_key(day))
    return {day: {name: int(found.get(name, 0)) for name in COUNTS}
            for day, found in zip(days, pipe.execute(), strict=True)}


def _agreed_to_sms(contact, session):
    if contact.get("opted_out") == "yes":
        return False
    return contact.get("consent_sms") == "yes" or session.results.get("consent_sms") == "yes"


def _count(db, config, name):
    key = counts_key(datetime.now(ZoneInfo(config["BOT_TIMEZONE"])).date())
    pipe = db.pipeline(transaction=False)
    pipe.hincrby(key, name, 1)
    pipe.expire(key, KEEP_COUNTS_DAYS * 86400)
    pipe.execute()
