"""What is kept, and for how long: pruning what would otherwise grow for ever.

Most records carry their own expiry (README, "What is kept, and for how long").
Three live as long as she is enrolled, or as long as she is followed up, and must
be pruned from the inside: her sent marks (`sms:done:<phone>`, whose expiry every
SMS pushes on), her visits (`visits:<phone>`) and her closed follow-ups
(`followups:closed:<phone>`, whose expiry each closing pushes on). The dispatch
prunes the first two for each mother it plans, from the records it has just read,
so it costs no extra read; a daily sweep in the worker does the same for the
mothers the dispatch never reaches (opted out, paused), and prunes closed follow-ups.
"""

import logging

from ..sms import outbound
from ..store import followups, quick, visits

log = logging.getLogger(__name__)
SWEEP_CHUNK = 500  # mothers read and pruned in one round trip


def tidy(pipe, phone, found_visits, marks, now, visit_keep_days):
    """Queue the pruning of her sent marks and visits past keeping at `now`; return how many go."""
    gone = outbound.prune_marks(pipe, phone, marks, now.timestamp())
    return gone + visits.prune(pipe, phone, found_visits, now.date(), visit_keep_days)


def sweep(db, now, visit_keep_days, followup_keep_days=followups.KEEP_DAYS):
    """Prune every mother's sent marks and visits (the dispatch's pruning, for all) and her closed
    follow-ups; return how many went."""
    phones = set()
    for pattern, prefix in (("visits:*", "visits:"), ("sms:done:*", "sms:done:")):
        phones.update(name[len(prefix):] for name in db.scan_iter(match=pattern, count=1000))
    phones, gone = sorted(phones), 0
    for start in range(0, len(phones), SWEEP_CHUNK):
        chunk = phones[start:start + SWEEP_CHUNK]
        pipe = quick.Batch(db)
        for phone in chunk:
            pipe.hgetall(visits.key(phone))
            pipe.hgetall(outbound.done_key(phone))
        found = pipe.execute()
        pipe = quick.Batch(db)
        for phone, raw_visits, marks in zip(chunk, found[::2], found[1::2], strict=True):
            gone += tidy(pipe, phone, visits.parse(raw_visits), marks, now, visit_keep_days)
        pipe.execute()
    gone += _sweep_closed(db, now, followup_keep_days)
    log.info("Retention sweep: %s records pruned for %s numbers", gone, len(phones))
    return gone


def _sweep_closed(db, now, keep_days):
    """Delete closed follow-ups closed more than `keep_days` ago, for every mother; return how many."""
    prefix, gone = followups.closed_key(""), 0
    phones = sorted({name[len(prefix):] for name in db.scan_iter(match=prefix + "*", count=1000)})
    for start in range(0, len(phones), SWEEP_CHUNK):
        chunk = phones[start:start + SWEEP_CHUNK]
        pipe = quick.Batch(db)
        for phone in chunk:
            pipe.hgetall(followups.closed_key(phone))
        found = pipe.execute()
        pipe = quick.Batch(db)
        for phone, raw in zip(chunk, found, strict=True):
            gone += followups.prune_closed(pipe, phone, raw, now.timestamp(), keep_days)
        pipe.execute()
    return gone
