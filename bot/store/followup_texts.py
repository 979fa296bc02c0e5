"""Her texts, gathered on one open follow-up: one number cannot flood the Mentor Mothers' list.

A text (an SMS question, or words naming a danger sign on SMS or USSD) joins her open follow-up
made from texts, if she has one, instead of making another. Only follow-ups made from texts
take them: a missed visit, a call she asked for, a loss or a development check is a task of its
own, closed on its own (a loss closes her missed-visit follow-ups), and her words must not be
closed with it.

What one follow-up keeps is bounded: her newest texts (MESSAGES_KEPT, danger signs kept before
other texts), each cut to TEXT_KEPT characters, and no more than FOLLOWUP_TEXTS_PER_DAY of them
a day; past that a text is only counted. A danger sign is always kept and always makes the
follow-up urgent; nothing makes it normal again.
"""

import json
import random
import time
from dataclasses import dataclass

import redis

from . import followups

MESSAGES_KEPT = 20
TEXT_KEPT = 1000  # characters of each text, as for any texted question
ATTEMPTS = 50  # tries when other texts of hers change the follow-up at the same moment
BACKOFF = 0.002  # seconds, times the attempt, at most: colliding texts spread out (about 1 s in all)
# On-duty Mentor Mothers are told of a danger sign when her follow-up becomes urgent, and again
# for a new one only this long after they were last told: never a flood of alerts.
ALERT_AGAIN_HOURS = 6


@dataclass(frozen=True)
class Danger:
    """What the danger-sign reader found in her words."""

    category: str
    sign: str


@dataclass(frozen=True)
class Noted:
    """Where her text went: the follow-up, its count of texts, whether it just became urgent,
    and whether the on-duty Mentor Mothers are to be told (`alert`, a key part, or "")."""

    followup_id: str
    count: int
    became_urgent: bool
    kept: bool
    alert: str = ""


def note(db, phone, text, channel, today, per_day, danger=None):
    """Add her text to her open texted follow-up, or open one for it; return where it went."""
    with db.pipeline(transaction=True) as pipe:
        for attempt in range(ATTEMPTS):
            try:
                return _note(pipe, phone, text, channel, today, per_day, danger)
            except redis.WatchError:
                pipe.reset()  # another text of hers (or staff) changed it: read again
                time.sleep(random.uniform(0, BACKOFF * attempt))
    # Never lost, even when her texts keep colliding: she gets a follow-up of its own.
    with db.pipeline(transaction=True) as pipe:
        return _open(pipe, phone, _entry(text, channel, danger), today, danger)


def _note(pipe, phone, text, channel, today, per_day, danger):
    """Add her text to her open texted follow-up (watched), or open one; raise WatchError."""
    record = _open_texted(pipe, phone)
    entry = _entry(text, channel, danger)
    if record is None:
        return _open(pipe, phone, entry, today, danger)
    same_day = record.get("texts_day") == today.isoformat()
    today_count = int(record.get("texts_today") or 0) if same_day else 0
    kept = danger is not None or today_count < per_day
    count = int(record.get("texts") or 1) + 1
    changes = {"texts": count, "last_text_at": entry["at"], "texts_day": today.isoformat(),
               "texts_today": today_count + int(kept)}
    if kept:
        changes.update(messages=_dumps(_kept([*followups.messages(record), entry])),
                       message=entry["text"])
    else:
        changes["texts_not_kept"] = int(record.get("texts_not_kept") or 0) + 1
    upgrade = danger is not None and followups.priority(record) != "urgent"
    if upgrade:
        changes.update(priority="urgent", reason="danger_sign", topic=danger.category,
                       sign=danger.sign)
    alert = _alert(record, danger, upgrade, entry["at"], count)
    if alert:
        changes["alerted_at"] = entry["at"]
    pipe.multi()
    pipe.hset(followups.key(record["id"]), mapping=changes)
    if upgrade:  # listed with the urgent ones, from the time she wrote of the danger
        listed = followups.TESTS if record.get("test") == "yes" else followups.OPEN
        pipe.zadd(listed, {record["id"]: entry["at"] - followups.URGENT_AHEAD})
    pipe.execute()
    return Noted(record["id"], count, upgrade, kept, alert)


def _alert(record, danger, upgrade, now, count):
    """The alert's key part when Mentor Mothers are to be told of this text, else ""."""
    if danger is None:
        return ""
    if upgrade:
        return "first"
    last = int(record.get("alerted_at") or record.get("created_at") or 0)
    return f"again-{count}" if now - last >= ALERT_AGAIN_HOURS * 3600 else ""


def _open_texted(pipe, phone):
    """Her open follow-up made from texts (the oldest), watched; None when she has none."""
    index = followups.by_phone_key(phone)
    pipe.watch(index)
    ids = sorted(pipe.smembers(index))
    if ids:
        pipe.watch(*[followups.key(i) for i in ids])
    found = [pipe.hgetall(followups.key(i)) for i in ids]
    texted = [r for r in found if r.get("status") == "open" and r.get("reason") in followups.TEXTED]
    return min(texted, key=lambda r: int(r.get("created_at") or 0), default=None)


def _open(pipe, phone, entry, today, danger):
    """Open a follow-up for her first text."""
    pipe.multi()
    reason, topic = ("danger_sign", danger.category) if danger else ("sms_question", "")
    followup_id = followups.add(pipe, phone, reason, topic, entry["channel"],
                                message=entry["text"],
                                priority="urgent" if danger else "normal")
    pipe.hset(followups.key(followup_id), mapping={
        "messages": _dumps([entry]), "texts": 1, "last_text_at": entry["at"],
        "texts_day": today.isoformat(), "texts_today": 1,
        **({"sign": danger.sign, "alerted_at": entry["at"]} if danger else {})})
    pipe.execute()
    return Noted(followup_id, 1, danger is not None, True, "first" if danger else "")


def _entry(text, channel, danger):
    return {"at": int(time.time()), "text": text[:TEXT_KEPT], "channel": channel,
            "sign": danger.sign if danger else ""}


def _kept(entries):
    """The newest MESSAGES_KEPT texts; when some must go, other texts go before danger signs."""
    entries = list(entries)
    while len(entries) > MESSAGES_KEPT:
        plain = next((i for i, e in enumerate(entries) if not e.get("sign")), 0)
        del entries[plain]
    return entries


def _dumps(entries):
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
