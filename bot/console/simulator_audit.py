"""Who used the phone simulator, when, on which test number: a short list kept in Redis.

The simulator acts as a phone on staff's behalf, so each USSD screen and SMS it
sends is noted with the staff member's name (and in the log, the number masked).
The list keeps the newest KEPT entries; it never holds what was typed.
"""

import json
import logging
import time

from ..privacy import mask_phone

log = logging.getLogger(__name__)
AUDIT = "console:simulator:audit"  # newest first
KEPT = 2000


def record(db, user, channel, phone):
    """Note that `user` sent a USSD screen or an SMS (`channel`) as test number `phone`."""
    entry = {"at": int(time.time()), "user": user, "channel": channel, "phone": mask_phone(phone)}
    pipe = db.pipeline(transaction=False)
    pipe.lpush(AUDIT, json.dumps(entry))
    pipe.ltrim(AUDIT, 0, KEPT - 1)
    pipe.execute()
    log.info("Console simulator: %s sent %s as test number %s", user, channel.upper(),
             mask_phone(phone))


def latest(db, limit=20):
    """The newest entries, newest first, as dicts."""
    found = []
    for raw in db.lrange(AUDIT, 0, limit - 1):
        try:
            found.append(json.loads(raw))
        except ValueError:
            continue
    return found
