"""The Mentor Mother follow-up list: people who asked to be called back."""

import time
import uuid

OPEN = "followups:open"  # sorted set of follow-up ids by time asked


def key(followup_id):
    return f"followup:{followup_id}"


def by_phone_key(phone):
    """Her follow-ups, so that "forget me" finds them."""
    return f"followups:by_phone:{phone}"


def add(pipe, phone, reason, topic, channel, message=""):
    """Queue a new open follow-up on a pipeline; return its id.

    `message` is her own words when she texted a question; it is kept for the
    Mentor Mother to read, never logged.
    """
    followup_id = uuid.uuid4().hex[:12]
    now = time.time()
    pipe.hset(key(followup_id), mapping={
        "id": followup_id, "phone": phone, "reason": reason, "topic": topic,
        "channel": channel, "created_at": str(int(now)), "status": "open", "message": message,
    })
    pipe.zadd(OPEN, {followup_id: now})
    pipe.sadd(by_phone_key(phone), followup_id)
    return followup_id
