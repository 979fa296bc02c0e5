"""The SMS telling on-duty Mentor Mothers (URGENT_ALERT_PHONES) of a new urgent follow-up.

It carries her masked number, the kind of danger in plain words and the follow-up's id, so the
Mentor Mother opens the console for the rest. Never what she wrote: a Mentor Mother's phone is
seen by others too.
"""

from .. import test_numbers
from ..privacy import mask_phone
from ..sms.outbound import Outgoing

CATEGORIES = ("pregnancy", "after_birth", "newborn", "child", "any", "self_harm", "violence")


def alerts_for(content, config, phone, followup_id, category):
    """One SMS to each number in URGENT_ALERT_PHONES about this urgent follow-up (none for a test
    number: no Mentor Mother should go looking for a test follow-up)."""
    if test_numbers.is_test(phone, config):
        return []
    language = content.default_language
    words = content.texts.get(f"sms_urgent.category_{_known(category)}", language)
    text = content.texts.get("sms_urgent.alert", language, number=mask_phone(phone),
                             category=words, followup=followup_id)
    # The key makes a retried batch skip an alert already sent.
    return [Outgoing(number, text, "alert", key=f"alert:{followup_id}")
            for number in config["URGENT_ALERT_PHONES"] if number != phone]


def _known(category):
    return category if category in CATEGORIES else "any"
