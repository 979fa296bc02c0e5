"""POST /ussd and /ussd/events: AT's USSD callbacks.

One POST per screen. AT's `text` carries every input so far joined by `*`;
bot/channels/ussd_history.py reads the newest input from it against the
history kept with her session. What a session keeps is bounded whatever AT
sends: the history's tail, the newest input read up to MAX_INPUT characters,
the whole record under ussd_sessions.MAX_BYTES.

Words typed where the menus take none, or as a free-text answer, are read for
danger signs (bot/urgent): she is told at once to go to the nearest hospital.

A Mentor Mother dialling from her registered number gets her work menu instead
(bot/mentors/work), after her PIN; every other number gets the mothers' menus.
"""

import logging
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, g

from .. import (
    content_service,
    effects,
    engine,
    facilities,
    jobs,
    mentors,
    phones,
    pin,
    reports,
    store,
    test_numbers,
    urgent,
)
from ..enrolment import recovery
from ..errors import InvalidContent
from ..mentors import work
from ..privacy import mask_phone
from ..reminders import next_visit
from ..reports import reach
from ..store import assignments, contacts, quick, ussd_events, ussd_sessions, visits
from .ussd_history import bounded, following, newest_input
from .webhooks import field, fields, plain, token_required

log = logging.getLogger(__name__)
blueprint = Blueprint("ussd", __name__)
MAX_TEXT = 20_000  # longer histories are cut; the newest input is still read
MAX_INPUT = 200  # a phone sends at most about 182 characters a screen; more is read no further
UNAVAILABLE = "Sorry, the service is not available. / Samahani, huduma haipatikani."


@blueprint.post("/ussd")
@token_required
def ussd():
    return plain(*respond(field("sessionId", 100).strip(), field("phoneNumber", 40),
                          field("text", MAX_TEXT)))


def respond(session_id, raw_phone, text):
    """Answer one USSD request as (body, HTTP status): the work of /ussd once its token is checked.

    The console's phone simulator calls it too, in this process, with clean fields.
    """
    if not session_id:
        return "Bad request: sessionId is missing.", 400
    phone = phones.normalise(raw_phone, current_app.config["PHONE_REGION"])
    if phone is None:
        return "Bad request: phoneNumber is missing or not a valid phone number.", 400
    try:
        number, content = content_service.serving()
    except InvalidContent:  # only when a staff command runs on broken flows
        return "END " + UNAVAILABLE, 200
    try:
        return _answer(content, number, session_id, phone, text), 200
    except store.Errors as err:
        log.warning("USSD for %s: Redis unavailable (%s)", mask_phone(phone), type(err).__name__)
        g.ussd_outcome = "unavailable"  # counted in /metrics
        return "END " + content.texts.get("common.unavailable", content.default_language), 200
    except Exception:
        log.exception("USSD for %s failed", mask_phone(phone))
        g.ussd_outcome = "error"
        return "END " + content.texts.get("common.sorry", content.default_language), 200


def _answer(content, number, session_id, phone, text):
    db = store.redis()
    pipe = quick.Batch(db)
    contacts.load(pipe, phone)
    ussd_sessions.load(pipe, phone)
    pipe.hgetall(visits.key(phone))
    pipe.hget(facilities.stored.META, facilities.stored.ID)
    pipe.hgetall(assignments.mentor_key(phone))
    contact, raw, raw_visits, facilities_marker, mentor = pipe.execute()
    if mentor.get("name"):  # her own number: the Mentor Mother's work menu, after her PIN
        return _work_menu(db, content, number, phone, mentor, session_id, text)
    live = ussd_sessions.parse(raw)
    going_on = live and live.session_id == session_id and not live.session.ended
    if going_on:
        content, number = _version_she_started_on(content, number, live)
    now = datetime.now(ZoneInfo(current_app.config["BOT_TIMEZONE"]))
    today = now.date()
    listed = facilities.directory(db, content, facilities_marker)  # her clinic is chosen from it
    contact.update(next_visit.menu_fields(contact, visits.parse(raw_visits), content, today,
                                          contact.get("language") or content.default_language,
                                          current_app.config.get("PROGRAMME_COUNTY", "")))
    contact.update(pin.lock_state(contact, now))
    config = current_app.config
    window = config["RESUME_MINUTES"] * 60
    history = text
    if going_on:
        newest = newest_input(live.history, text, live.skipped)
        if newest is None:
            return live.screen  # AT repeated a request we already answered
        history = following(live.history, live.skipped, text, newest,
                            _asks_pin(content, live.session))
        newest = newest[:MAX_INPUT]
        result = engine.step(content, live.session, contact, newest, today=today, facilities=listed)
        if _words_not_taken(content, live.session, result.session, newest):
            found = urgent.answer_ussd(db, content, current_app.config, phone, contact, newest,
                                       today)
            if found is not None:
                return _urgent_end(db, phone, live, history, *found, window)
    else:
        # An enrolment the network cut off waits a day for her (bot/enrolment/recovery.py).
        recent = live if live and time.time() - live.updated <= recovery.keep_seconds(
            live.session, config) else None
        result = engine.start(content, contact, previous=recent and recent.session, today=today,
                              facilities=listed)
    reply = result.screen.for_ussd()
    live = _live(session_id, history, reply, result.session, number)

    def also(pipe):
        ussd_sessions.save(pipe, phone, live, recovery.keep_seconds(result.session, config))
        _count_session(pipe, phone, contact, not going_on, reply, now)

    effects.apply(db, content, config, phone, result.effects, "ussd", extra=also)
    recovery.finished(db, config, phone, result.effects)
    return reply


def _count_session(pipe, phone, contact, new, reply, now):
    """The programme's figures: a session begun (and her reached this month), one ended on a
    closing screen. A session that drops is counted when AT reports its end (`_dropped`)."""
    tally = reports.Tally()  # her facility and language as read at the start of this step
    if new:
        tally.add("ussd_sessions", phone, contact).reached(phone, contact)
        reach.reached(pipe, phone, contact, current_app.config["UNENROLLED_KEEP_DAYS"], now)
    if reply.startswith("END"):
        tally.add("ussd_completed", phone, contact)
    tally.write(pipe, now)


def _work_menu(db, content, number, phone, mentor, session_id, text):
    g.ussd_outcome = "mentor"  # counted apart in /metrics: no mother's session
    config = current_app.config
    now = datetime.now(ZoneInfo(config["BOT_TIMEZONE"]))
    started = work.started_on(db, phone, session_id)
    if started is not None and started != number:  # one session, one version's words
        pinned = content_service.at(current_app._get_current_object(), started)
        content, number = (pinned, started) if pinned is not None else (content, number)
    reply, sms = work.answer(db, content, config, mentors.get(db, phone) or {**mentor, "phone": phone},
                             session_id, text, now, number)
    jobs.queue_sms(sms, store.enqueue_connection(), config["SMS_RETRY_SECONDS"])
    return reply


def _words_not_taken(content, before, after, typed):
    """True when she typed words the menus did not take as an answer, or a free-text answer.

    Only then is it worth reading them for a danger sign: most inputs are a number, and
    a valid answer (a number, a date, yes) is never turned away.
    """
    if not any(character.isalpha() for character in typed):
        return False
    if (after.flow, after.state) == (before.flow, before.state):
        return True  # refused, or only turned the page: words are no answer here
    flow = content.flows.get(before.flow)
    state = flow.states.get(before.state) if flow else None
    return bool(state) and state.kind == "input" and state.data["validate"]["type"] == "text"


def _urgent_end(db, phone, live, history, screen, alerts, window):
    """End her session on the danger-sign screen and tell the on-duty Mentor Mothers."""
    reply = "END " + screen
    ended = live.session.copy()
    ended.ended = True
    pipe = quick.Batch(db)
    ussd_sessions.save(pipe, phone, _live(live.session_id, history, reply, ended, live.version),
                       window)
    reports.count(pipe, "ussd_completed", phone)
    pipe.execute()
    jobs.queue_sms(alerts, store.enqueue_connection(), current_app.config["SMS_RETRY_SECONDS"])
    return reply


def _live(session_id, history, reply, session, version):
    """The session to store, with only the tail of AT's history (see ussd_history)."""
    kept, skipped = bounded(history)
    return ussd_sessions.Live(session_id, kept, reply, 0.0, session, skipped, version)


def _version_she_started_on(content, number, live):
    """(content, number) of the version her session started on, so one session never mixes two.

    When that version can no longer be had, the one served now takes over; a state it no
    longer has takes her to the main menu with a notice (the engine's own rule).
    """
    if live.version is None or live.version == number:
        return content, number
    pinned = content_service.at(current_app._get_current_object(), live.version)
    return (pinned, live.version) if pinned is not None else (content, number)


def _asks_pin(content, session):
    """True when the screen she answers asks for her PIN, which the stored history must not hold."""
    state = content.state(session.flow, session.state)
    return bool(state) and state.kind == "input" and state.data["validate"]["type"] == "pin"


@blueprint.post("/ussd/events")
@token_required
def ussd_events_callback():
    form = {name: field(name, 200) for name in fields()}
    phone = phones.normalise(form.get("phoneNumber"), current_app.config["PHONE_REGION"])
    if test_numbers.is_test(phone):
        return plain("OK")  # a test SIM's session counts in no report
    try:
        db = store.redis()
        pipe = db.pipeline(transaction=False)
        ussd_events.record(pipe, form)
        pipe.execute()
        _dropped(db, phone, form.get("sessionId") or "")
        _after_session(db, form)
    except store.Errors:
        return plain("Service unavailable: please retry.", 503)
    return plain("OK")


# AT reports a session's end once, but may send the report again: counted once in 2 days.
ENDED_KEY, ENDED_DAYS = "report:ussd_ended:", 2


def _dropped(db, phone, session_id):
    """Count a session that ended before a closing screen, by the screen she was last shown."""
    if phone is None or not session_id:
        return
    live = ussd_sessions.parse(db.get(ussd_sessions.key(phone)))
    if live is None or live.session_id != session_id or live.session.ended:
        return  # ended on a closing screen (counted then), or her session is long gone
    if not db.set(ENDED_KEY + session_id[:100], "1", nx=True, ex=ENDED_DAYS * 86400):
        return
    pipe = quick.Batch(db)
    reports.count(pipe, "ussd_dropped", phone, detail=f"{live.session.flow}/{live.session.state}")
    pipe.execute()


def _after_session(db, form):
    """An enrolment the session ended in the middle of: keep it, and text her once."""
    config = current_app.config
    phone = phones.normalise(form.get("phoneNumber"), config["PHONE_REGION"])
    if phone is None:
        return
    try:
        sms = recovery.session_ended(db, content_service.current(), config, form, phone)
    except (InvalidContent, KeyError, ValueError) as err:  # the notification is kept all the same
        log.warning("End of USSD session for %s not followed up: %s", mask_phone(phone),
                    type(err).__name__)
        return
    try:
        jobs.queue_sms(sms, store.enqueue_connection(), config["SMS_RETRY_SECONDS"])
    except store.Errors:
        db.delete(recovery.mark_key(phone))  # AT sends the notification again: text her then
        raise
