"""Answer a mother who wrote of a danger sign, on SMS or USSD, and open her urgent follow-up."""

import logging
from dataclasses import replace

from .. import triage
from ..sms.outbound import Outgoing
from ..store import followup_texts
from .alerts import alerts_for

log = logging.getLogger(__name__)


def answer_sms(db, content, config, phone, contact, text, today):
    """The SMS to send when `text` names a danger sign, or None when it names none.

    Her answer, every time (unless she texted STOP: then only the follow-up is noted, and the
    Mentor Mother calls), and the alerts to on-duty Mentor Mothers.
    """
    finding = triage.detect(content.danger_signs, text)
    if finding is None:
        return None
    noted = _note(db, config, phone, finding, text, "sms", today)
    replies = []
    if contact.get("opted_out") != "yes":
        words = triage.reply_text(content, finding, _language(content, contact, finding))
        # Each of her danger-sign texts is answered: the key holds the text's place on the follow-up.
        key = f"urgent:{noted.followup_id}" + (f":{noted.count}" if noted.count > 1 else "")
        replies.append(Outgoing(phone, words, "urgent", key=key))
    return replies + _alerts(content, config, phone, noted, finding)


def answer_ussd(db, content, config, phone, contact, text, today):
    """(the END screen's text, the alerts to send) when `text` names a danger sign, else None."""
    finding = triage.detect(content.danger_signs, text)
    if finding is None:
        return None
    noted = _note(db, config, phone, finding, text, "ussd", today)
    return screen_text(content, finding, _language(content, contact, finding)), _alerts(
        content, config, phone, noted, finding)


def screen_text(content, finding, language):
    """The USSD screen for a danger sign: the SMS's words, shortened to fit one screen."""
    sign = content.texts.get(content.danger_signs.signs[finding.sign].name, language)
    return content.texts.get(f"sms_urgent.screen_{finding.action}", language, sign=sign)


def _language(content, contact, finding):
    """Her own language when she chose one, else the one she wrote in, else the default."""
    found = contact.get("language") or finding.language
    return found if found in content.languages else content.default_language


def _note(db, config, phone, finding, text, channel, today):
    """Keep her words on her open follow-up (made urgent), or on a new urgent one."""
    noted = followup_texts.note(db, phone, text, channel, today, config["FOLLOWUP_TEXTS_PER_DAY"],
                                followup_texts.Danger(finding.category, finding.sign))
    log.info("Urgent follow-up %s %s (%s, %s)", noted.followup_id,
             "made urgent" if noted.became_urgent else "has another danger sign", finding.category,
             channel)
    return noted


def _alerts(content, config, phone, noted, finding):
    """Tell the on-duty Mentor Mothers when her follow-up becomes urgent, and of a new danger
    sign only hours later (followup_texts.ALERT_AGAIN_HOURS): one number cannot flood their phones.
    """
    if not noted.alert:
        return []
    alerts = alerts_for(content, config, phone, noted.followup_id, finding.category)
    if noted.alert != "first":  # a key of its own, so the sent-once check lets it go
        alerts = [replace(alert, key=f"{alert.key}:{noted.alert}") for alert in alerts]
    return alerts
