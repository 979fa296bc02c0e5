"""Opt-outs: her "no" to SMS, wherever it came from.

She stops SMS herself (STOP by SMS, "Stop SMS" in the USSD menu), or Africa's
Talking tells the bot: its opt-out callback (she opted out of the sender ID with
her network) or a delivery report saying her number is blacklisted. Each is the
same stop: no SMS of any kind, queued ones included; USSD stays open to her (it
is her own request); START undoes it. Where it came from is kept, so staff can
say why she gets nothing. A number that stops taking SMS is not a stop: see
`undeliverable`.
"""

import time

from ..reports import counters
from ..store import contacts, quick

# Where a stop came from, in the words staff use.
SOURCES = {
    "sms": "she texted STOP",
    "ussd": "she chose Stop SMS on USSD",
    "at_optout": "she opted out of the sender ID through Africa's Talking",
    "blacklist": "Africa's Talking reported her number blacklisted",
}
UNKNOWN_SOURCE = "not recorded (stopped before sources were kept)"
FIELDS = ("opted_out_source", "opted_out_sender")  # what a restart forgets with the stop

# A stop is recorded once: a later one (AT repeating its callback, a blacklisted report
# after her own STOP) keeps the first source and time, and it is counted once in the figures.
# KEYS: her contact. ARGV: time, source, sender ID, then the count's (bot/reports; none for a
# test number). Returns 1 when she is stopped now,
# 0 when she was already.
_STOP = counters.COUNT_HER + """
redis.call('PERSIST', KEYS[1])  -- her "no" never expires, enrolled or not
if redis.call('HGET', KEYS[1], 'opted_out') == 'yes' then return 0 end
if #ARGV > 3 then count_her(KEYS[1], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]) end
redis.call('HSET', KEYS[1], 'opted_out', 'yes', 'opted_out_at', ARGV[1],
           'opted_out_source', ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'opted_out_sender', ARGV[3])
else
  redis.call('HDEL', KEYS[1], 'opted_out_sender')
end
return 1
"""


def queue_stop(pipe, phone, source, sender=""):
    """Queue her stop on a `quick.Batch`; its reply is 1 when she is stopped now."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {tuple(SOURCES)}, not {source!r}")
    _, counted = counters.her_count("opted_out", phone) or (None, [])
    pipe.script(_STOP, [contacts.key(phone)], [str(int(time.time())), source, sender[:40], *counted])


def stop(db, phone, source, sender=""):
    """Record that no SMS may go to `phone`; True when she is stopped now, False if already.

    An unknown number gets no more than STOP gives it today (the stop and its
    source), so her "no" holds if she joins later.
    """
    batch = quick.Batch(db)
    queue_stop(batch, phone, source, sender)
    return batch.execute()[0] == 1


def note_flow_stop(pipe, phone, effects, channel):
    """Queue where a stop asked for on a menu came from; forget it when she starts again."""
    for effect in effects:
        if effect.kind != "set_field" or effect.name != "opted_out":
            continue
        if effect.value == "yes":
            pipe.hset(contacts.key(phone), mapping={"opted_out_at": str(int(time.time())),
                                                    "opted_out_source": channel})
        pipe.hdel(contacts.key(phone), *(FIELDS if effect.value != "yes" else FIELDS[1:]))


def source_words(contact):
    """Why she gets no SMS, in plain words; None when she has not stopped."""
    if contact.get("opted_out") != "yes":
        return None
    source = contact.get("opted_out_source")
    words = SOURCES.get(source, source) if source else UNKNOWN_SOURCE
    sender = contact.get("opted_out_sender")
    return f"{words} (sender ID {sender})" if sender else words
