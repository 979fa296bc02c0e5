"""What happens to an SMS a client sends: keywords, the SMS menu, or a question.

Returns the replies to send; the caller queues them. Every rule that protects
her is here: a message AT delivers twice is handled once; nothing is ever sent
back to a shortcode or a sender name (two bots could answer each other for
ever); automatic replies to one number are capped per hour; STOP is confirmed
once and then nothing more is sent until START. A mother a Mentor Mother
registered confirms with YES or NDIYO; her STOP removes that registration. A question that names a danger
sign is answered at once whatever the cap (never after STOP) and made urgent.
Any text from her lifts a pause of her SMS after failed deliveries: her phone works.
"""

import json
import time
import uuid
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import phonenumbers

from .. import effects, engine, optout, phones, store, test_numbers, urgent
from ..engine import Effect
from ..enrolment import confirmation
from ..optout import undeliverable
from ..reminders import next_visit
from ..store import contacts, followup_texts, forget, visits
from ..triage import guess_language
from .keywords import keyword, keyword_language
from .outbound import Outgoing

SEEN_DAYS = 7  # AT retries within hours; a week is plenty
CLAIM_SECONDS = 300  # an attempt that died with Redis gives the message back after this
SMS_SESSION_HOURS = 24
MOBILE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
UNCAPPED = ("urgent", "alert")  # a danger sign is answered, and Mentor Mothers told, every time
INBOUND = "sms:inbound"  # texts received, counted by keyword


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
    if not (message.get("text") or "").strip():
        db.hincrby(INBOUND, "blank", 1)
        return []  # an empty SMS (a slip of the thumb) asks nothing: no follow-up, no reply
    phone = phones.normalise(message.get("from"), config["PHONE_REGION"])
    if phone is None or phonenumbers.number_type(phonenumbers.parse(phone)) not in MOBILE:
        db.hincrby(INBOUND, "not_mobile", 1)
        return []
    today = today or datetime.now(ZoneInfo(config["BOT_TIMEZONE"])).date()
    contact = db.hgetall(contacts.key(phone))
    if undeliverable.is_paused(contact):
        undeliverable.resume(db, content, config, phone)
        contact = {k: v for k, v in contact.items() if k not in ("sms_paused", "sms_paused_at")}
    word = keyword(message.get("text"))
    if word == "confirm" and contact.get("enrolled") != confirmation.AWAITING:
        word = None  # nothing awaits her YES: it is a message for a person, as before
    if not test_numbers.is_test(phone, config):  # a test is no client's text
        db.hincrby(INBOUND, word or "other", 1)
    _learn_language(db, content, config, phone, contact, message.get("text"), word)
    if word == "stop":
        return _stop(db, content, config, phone, contact, message.get("text"), today)
    if word == "confirm":
        return _capped(db, config, [confirmation.confirm(db, content, config, phone, contact)])
    if word == "start":
        return _capped(db, config, _start(db, content, config, phone, contact))
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
                                                 today))


def _learn_language(db, content, config, phone, contact, text, word):
    """Answer a first message in the language she wrote it in, and remember it.

    Only for a number with no language yet: a language she chose (on USSD, or by
    texting KISWAHILI) is never overruled by the words of one message.
    """
    if contact.get("language") or word in ("english", "kiswahili"):
        return
    found = (keyword_language(text) if word else None) or guess_language(text)
    if found in content.languages:
        contact["language"] = found
        pipe = db.pipeline(transaction=True)
        pipe.hset(contacts.key(phone), "language", found)
        contacts.expire_unless_kept(pipe, phone, config["UNENROLLED_KEEP_DAYS"])
        pipe.execute()


def _stop(db, content, config, phone, contact, text, today):
    """Stop every SMS to her and confirm once; a plainly worded opt-out that also names a
    danger sign still reaches a Mentor Mother, as urgent (she gets no SMS: she said no)."""
    replies = []
    if contact.get("enrolled") == confirmation.AWAITING:
        forget.forget(db, phone)  # a registration she never confirmed goes; her "no" stays
    if optout.stop(db, phone, "sms"):  # not when confirmed once already (or AT told of it first)
        reply = _reply(content, phone, contact, "sms_replies.stopped")
        replies.append(Outgoing(reply.phone, reply.text, "confirmation", force=True))
    urgent_replies = urgent.answer_sms(db, content, config, phone, {**contact, "opted_out": "yes"},
                                       text or "", today)
    return replies + (urgent_replies or [])


def _start(db, content, config, phone, contact):
    """START: SMS again for one who stopped them; for anyone else, the truth and how to join."""
    joined = contact.get("enrolled") == "yes"
    consented = contact.get("consent_sms") in ("yes", "clinic")
    if contact.get("opted_out") != "yes" and (consented or not joined):
        return [_reply(content, phone, contact,
                       "sms_replies.already_getting" if joined else "sms_replies.not_joined")]
    changes = [Effect("set_field", "opted_out", "no")]
    if joined and not consented:  # she joined without SMS; texting START from her phone asks for them
        changes.append(Effect("set_field", "consent_sms", "yes"))
    effects.apply(db, content, config, phone, changes, "sms")
    return [_reply(content, phone, contact,
                   "sms_replies.started" if joined else "sms_replies.started_not_joined")]


def _menu_or_question(db, content, config, phone, contact, word, message, today):
    text = (message.get("text") or "").strip()
    raw = db.get(session_key(phone))
    option = text.isascii() and text.isdigit() and len(text) <= 2
    if word == "menu" or option:
        contact = {**contact, **_visit_fields(db, content, config, phone, contact, today)}
    if word == "menu":
        result = engine.start(content, contact, today=today, entry="sms", channel="sms")
    elif option and raw:
        session = engine.Session.from_dict(json.loads(raw))
        result = engine.step(content, session, contact, text, today=today)
    elif option:
        # A number with no menu open means an option of the SMS menu she read before
        # (each answer closes the menu): take it, rather than file "2" as a question.
        first = engine.start(content, contact, today=today, entry="sms", channel="sms")
        result = engine.step(content, first.session, contact, text, today=today)
        result = replace(result, effects=[*first.effects, *result.effects])
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


def _visit_fields(db, content, config, phone, contact, today):
    """Her next visit for the SMS menu, booked or suggested, as the USSD menus show it."""
    found = visits.parse(db.hgetall(visits.key(phone)))
    return next_visit.menu_fields(contact, found, content, today,
                                  contact.get("language") or content.default_language,
                                  config.get("PROGRAMME_COUNTY", ""))


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
