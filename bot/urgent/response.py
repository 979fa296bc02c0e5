"""Answer a mother who wrote of a danger sign, on SMS or USSD, and open her urgent follow-up."""

import logging

from .. import triage
from ..sms.outbound import Outgoing
from ..store import followups
from .alerts import alerts_for

log = logging.getLogger(__name__)
KEPT = 1000  # characters of her words kept for the Mentor Mother, as for any texted question


def answer_sms(db, content, config, phone, contact, text):
    """The SMS to send when `text` names a danger sign, or None when it names none.

    Her answer (unless she texted STOP: then only the follow-up is made, and the Mentor
    Mother calls) and the alerts to on-duty Mentor Mothers.
    """
    finding = triage.detect(content.danger_signs, text)
    if finding is None:
        return None
    followup_id = _open_followup(db, phone, finding, text, "sms")
    replies = []
    if contact.get("opted_out") != "yes":
        words = triage.reply_text(content, finding, _language(content, contact, finding))
        replies.append(Outgoing(phone, words, "urgent", key=f"urgent:{followup_id}"))
    return replies + alerts_for(content, config, phone, followup_id, finding.category)


def answer_ussd(db, content, config, phone, contact, text):
    """(the END screen's text, the alerts to send) when `text` names a danger sign, else None."""
    finding = triage.detect(content.danger_signs, text)
    if finding is None:
        return None
    followup_id = _open_followup(db, phone, finding, text, "ussd")
    return screen_text(content, finding, _language(content, contact, finding)), alerts_for(
        content, config, phone, followup_id, finding.category)


def screen_text(content, finding, language):
    """The USSD screen for a danger sign: the SMS's words, shortened to fit one screen."""
    sign = content.texts.get(content.danger_signs.signs[finding.sign].name, language)
    return content.texts.get(f"sms_urgent.screen_{finding.action}", language, sign=sign)


def _language(content, contact, finding):
    """Her own language when she chose one, else the one she wrote in, else the default."""
    found = contact.get("language") or finding.language
    return found if found in content.languages else content.default_language


def _open_followup(db, phone, finding, text, channel):
    pipe = db.pipeline(transaction=True)
    followup_id = followups.add(pipe, phone, "danger_sign", finding.category, channel,
                                message=text[:KEPT], priority="urgent")
    pipe.hset(followups.key(followup_id), "sign", finding.sign)
    pipe.execute()
    log.info("Urgent follow-up %s opened (%s, %s)", followup_id, finding.category, channel)
    return followup_id
