"""What is kept, and for how long: pruning what would otherwise grow for ever.

Most records carry their own expiry (README, "What is kept, and for how long").
Two live as long as she is enrolled and must be pruned from the inside: her
sent marks (`sms:done:<phone>`, whose expiry every SMS pushes on) and her visits
(`visits:<phone>`). The dispatch prunes both for each mother it plans, from the
records it has just read, so it costs no extra read; a daily sweep in the worker
does the same for the mothers the dispatch never reaches (opted out, paused).
"""

import logging

from ..sms import outbound
from ..store import quick, visits

log = logging.getLogger(__name__)
SWEEP_CHUNK = 500  # mothers read and pruned in one round trip


def tidy(pipe, phone, found_visits, marks, now, visit_keep_days):
    """Queue the pruning of her sent marks and visits past keeping at `now`; return how many go."""
    gone = outbound.prune_marks(pipe, phone, marks, now.timestamp())
    return gone + visits.prune(pipe, phone, found_visits, now.date(), visit_keep_days)


def sweep(db, now, visit_keep_days):
    """Prune every mother's sent marks and visits (the dispatch's pruning, for all); return how many went."""
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
    log.info("Retention sweep: %s records pruned for %s numbers", gone, len(phones))
    return gone
