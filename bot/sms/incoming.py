"""What happens to an SMS a client sends: keywords, the SMS menu, or a question.

Returns the replies to send; the caller queues them. Every rule that protects
her is here: a message AT delivers twice is handled once; nothing is ever sent
back to a shortcode or a sender name (two bots could answer each other for
ever); automatic replies to one number are capped per hour; STOP is confirmed
once and then nothing more is sent until START. A question that names a danger
sign is answered at once whatever the cap (never after STOP) and made urgent.
"""

import json
import time
import uuid
from datetime import date

import phonenumbers

from .. import effects, engine, phones, store, urgent
from ..engine import Effect
from ..store import contacts, followup_texts
from .keywords import keyword
from .outbound import Outgoing

SEEN_DAYS = 7  # AT retries within hours; a week is plenty
CLAIM_SECONDS = 300  # an attempt that died with Redis gives the message back after this
SMS_SESSION_HOURS = 24
MOBILE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
UNCAPPED = ("urgent", "alert")  # a danger sign is answered, and Mentor Mothers told, every time


def session_key(phone):
    return f"sms:session:{phone}"


def seen_key(message):
    return f"sms:seen:{message['id']}"


def claim(db, message):
    """Mark the message as taken by this attempt; False if another already took it.

    The mark holds the attempt's own token (kept in the message, so also in the
    spooled copy): if Redis fails after the mark, the spooled copy still claims it
    and is handled, while AT's duplicates of a handled message are dropped.
    """
    token = message.setdefault("claim", uuid.uuid4().hex)
    if db.set(seen_key(message), token, nx=True, ex=CLAIM_SECONDS):
        return True
    return db.get(seen_key(message)) == token


def finish(db, message):
    """Keep the mark for a week once the work is done, so AT's late duplicates are dropped."""
    try:
        db.expire(seen_key(message), SEEN_DAYS * 86400)
    except store.Errors:
        pass  # the work is done; at worst a duplicate after CLAIM_SECONDS is answered again


def release(db, message):
    """Undo this attempt's mark after its work failed, so AT's retry is handled."""
    try:
        if db.get(seen_key(message)) == message.get("claim"):
            db.delete(seen_key(message))
    except store.Errors:
        pass  # Redis is down: the spooled copy carries the token and still claims it


def handle(db, content, config, message, today=None):
    """Handle one incoming SMS (AT's fields as a dict); return the replies to send."""
    if not claim(db, message):
        return []  # AT delivered this one before
    phone = phones.normalise(message.get("from"), config["PHONE_REGION"])
    if phone is None or phonenumbers.number_type(phonenumbers.parse(phone)) not in MOBILE:
        db.hincrby("sms:inbound", "not_mobile", 1)
        return []
    contact = db.hgetall(contacts.key(phone))
    word = keyword(message.get("text"))
    db.hincrby("sms:inbound", word or "other", 1)
    if word == "stop":
        return _stop(db, content, phone, contact)
    if word == "start":
        effects.apply(db, content, config, phone, [Effect("set_field", "opted_out", "no")], "sms")
        return _capped(db, config, [_reply(content, phone, contact, "sms_replies.started")])
    if word == "help":
        return _capped(db, config, [_reply(content, phone, contact, "sms_replies.help")])
    if word in ("english", "kiswahili"):
        contact["language"] = "en" if word == "english" else "sw"
        pipe = db.pipeline(transaction=True)
        pipe.hset(contacts.key(phone), "language", contact["language"])
        contacts.expire_unless_kept(pipe, phone, config["UNENROLLED_KEEP_DAYS"])
        pipe.execute()
        return _capped(db, config, [_reply(content, phone, contact, "sms_replies.language")])
    return _capped(db, config, _menu_or_question(db, content, config, phone, contact, word, message,
                                                 today or date.today()))


def _stop(db, content, phone, contact):
    if contact.get("opted_out") == "yes":
        return []  # confirmed once already
    pipe = db.pipeline(transaction=True)
    pipe.hset(contacts.key(phone), mapping={"opted_out": "yes",
                                            "opted_out_at": str(int(time.time()))})
    contacts.keep(pipe, phone)  # her "no" never expires, enrolled or not
    pipe.execute()
    reply = _reply(content, phone, contact, "sms_replies.stopped")
    return [Outgoing(reply.phone, reply.text, "confirmation", force=True)]


def _menu_or_question(db, content, config, phone, contact, word, message, today):
    text = (message.get("text") or "").strip()
    raw = db.get(session_key(phone))
    if word == "menu":
        result = engine.start(content, contact, today=today, entry="sms", channel="sms")
    elif raw and text.isascii() and text.isdigit() and len(text) <= 2:
        session = engine.Session.from_dict(json.loads(raw))
        result = engine.step(content, session, contact, text, today=today)
    else:
        return _question(db, content, config, phone, contact, text, today)
    def keep(pipe):
        if result.session.ended:
            pipe.delete(session_key(phone))
        else:
            pipe.set(session_key(phone), json.dumps(result.session.as_dict()),
                     ex=SMS_SESSION_HOURS * 3600)

    effects.apply(db, content, config, phone, result.effects, "sms", extra=keep)
    return [Outgoing(phone, result.screen.text, "reply")]


def _question(db, content, config, phone, contact, text, today):
    """Answer a danger sign at once; keep any other question for a Mentor Mother."""
    answer = urgent.answer_sms(db, content, config, phone, contact, text, today)
    if answer is not None:
        return answer
    followup_texts.note(db, phone, text, "sms", today, config["FOLLOWUP_TEXTS_PER_DAY"])
    return [_reply(content, phone, contact, "sms_replies.question")]


def _reply(content, phone, contact, key):
    language = contact.get("language") or content.default_language
    return Outgoing(phone, content.texts.get(key, language), "reply")


def _capped(db, config, replies):
    """Drop replies past the hourly cap for this number, so two bots cannot loop.

    Answers to a danger sign and the alerts about it are never dropped, nor counted.
    """
    kept = [item for item in replies if item.kind in UNCAPPED]
    replies = [item for item in replies if item.kind not in UNCAPPED]
    if not replies:
        return kept
    key = f"sms:replies:{replies[0].phone}:{int(time.time() // 3600)}"
    pipe = db.pipeline(transaction=True)
    pipe.incrby(key, len(replies))
    pipe.expire(key, 3600)
    count = pipe.execute()[0]
    allowed = config["SMS_REPLIES_PER_HOUR"] - (count - len(replies))
    return kept + replies[:max(allowed, 0)]
