"""'Forget me': delete everything kept about one phone number.

Her contact, visits, reminders, USSD and SMS sessions, message history and
follow-ups go; daily counts, which hold no number, stay. Data Protection Act
2019: a data subject may ask for her data to be deleted.
"""

from . import contacts, followups, ussd_sessions, visits


def forget(db, phone):
    """Delete every record of `phone`; return how many keys went."""
    from ..reminders import due_list
    from ..sms import incoming, log, outbound

    message_ids = db.lrange(log.contact_key(phone), 0, -1)
    followup_ids = db.smembers(followups.by_phone_key(phone))
    keys = [contacts.key(phone), visits.key(phone), ussd_sessions.key(phone),
            incoming.session_key(phone), log.contact_key(phone), outbound.done_key(phone),
            followups.by_phone_key(phone)]
    keys += [log.message_key(m) for m in message_ids]
    keys += [followups.key(f) for f in followup_ids]
    pipe = db.pipeline(transaction=True)
    pipe.delete(*keys)
    due_list.remove(pipe, phone)
    if followup_ids:
        pipe.zrem(followups.OPEN, *followup_ids)
    deleted = pipe.execute()[0]
    return deleted
