"""Send the reminders that are due, and file each mother under her next one.

`reminders:next` is a sorted set of phone numbers scored by the time of their
next reminder, so a dispatch reads only who is due, never every contact. The
score changes only after her SMS went out, so a worker killed mid-send leaves
her due and the next dispatch sends what is left; the per-contact record of
sent reminders makes a repeated dispatch send nothing twice.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..sms import log, outbound
from ..store import contacts, followups, quick, visits
from .plan import make_plan

NEXT = "reminders:next"
CHUNK = 10_000  # contacts planned together: bigger chunks mean bigger bulk groups
RETRY_AFTER = timedelta(minutes=15)  # a recipient AT could not take now is tried again then


@dataclass
class Report:
    contacts: int = 0
    sent: int = 0
    late: int = 0
    not_sent: dict = field(default_factory=dict)  # status -> count
    retry: int = 0


def reschedule(db, content, phone, now, rules):
    """File one contact under the time of her next reminder (after any change to her data)."""
    contact, raw_visits, done = _load(db, [phone])[0]
    plan = make_plan(contact, raw_visits, content, now, rules, done)
    _file(db, {phone: plan.due[0].at if plan.due else plan.next_at})


def due_contacts(db, until, limit):
    return db.zrangebyscore(NEXT, "-inf", until.timestamp(), start=0, num=limit)


def dispatch(db, content, gateway, now, rules, batch_size, limit=100_000):
    """Send what is due at `now`; return a Report. GatewayError propagates (retry later)."""
    report = Report()
    if not rules.is_allowed(now):
        return report  # nothing goes out at night; the due stay due
    phones = due_contacts(db, now, limit)
    for start in range(0, len(phones), CHUNK):
        _dispatch_chunk(db, content, gateway, now, rules, batch_size, phones[start:start + CHUNK],
                        report)
    return report


def due_on(db, content, rules, day, zone, limit):
    """Return ([(phone, contact, reminder)], capped): what dispatches would send on `day`.

    Each contact due by the last minute of that day's sending window is planned at that
    minute, which is when everything due that day is due. `capped`: `limit` contacts read.
    """
    moment = datetime.combine(day, rules.send_until, zone) - timedelta(minutes=1)
    phones = due_contacts(db, moment, limit)
    found = [(phone, contact, reminder)
             for start in range(0, len(phones), CHUNK)
             for phone, contact, plan in plan_for(db, content, moment, rules,
                                                  phones[start:start + CHUNK])
             for reminder in plan.due]
    return found, len(phones) >= limit


def plan_for(db, content, now, rules, phones):
    """Return [(phone, contact, plan)] for these contacts."""
    loaded = _load(db, phones)
    return [(phone, contact, make_plan(contact, found, content, now, rules, done))
            for phone, (contact, found, done) in zip(phones, loaded, strict=True)]


def _dispatch_chunk(db, content, gateway, now, rules, batch_size, phones, report):
    plans = plan_for(db, content, now, rules, phones)
    items, by_key = [], {}
    pipe = db.pipeline(transaction=False)
    for phone, contact, plan in plans:
        for reminder in plan.late:
            outbound.mark_done(pipe, phone, reminder.id, "late")
            log.count(pipe, now, "skipped:late")
            report.late += 1
        for reminder in plan.due:
            item = outbound.Outgoing(phone, render(content, contact, reminder), reminder.kind,
                                     key=reminder.id)
            items.append(item)
            by_key[(phone, reminder.id)] = reminder
    quick.execute(pipe)
    outcomes = outbound.send(db, gateway, items, batch_size, numbers_checked=True) if items else []
    retry_phones = set()
    pipe = db.pipeline(transaction=False)
    for outcome in outcomes:
        reminder = by_key[(outcome.item.phone, outcome.item.key)]
        if outcome.retryable:
            retry_phones.add(outcome.item.phone)
            report.retry += 1
            continue
        if outcome.sent and outcome.status != "AlreadySent":
            report.sent += 1
        elif not outcome.sent:
            report.not_sent[outcome.status] = report.not_sent.get(outcome.status, 0) + 1
            outbound.mark_done(pipe, outcome.item.phone, reminder.id, outcome.status)
        if reminder.followup and outcome.status != "AlreadySent":
            followups.add(pipe, outcome.item.phone, "missed_visit", reminder.params["kind"],
                          "reminder", message=reminder.params["date"].isoformat())
    quick.execute(pipe)
    report.contacts += len(plans)
    nexts = {}
    for phone, _contact, plan in plans:
        times = [plan.next_at] if plan.next_at else []
        if phone in retry_phones:
            times.append(now + RETRY_AFTER)
        nexts[phone] = min(times) if times else None
    _file(db, nexts)


def render(content, contact, reminder):
    """The SMS text of a reminder, in her language."""
    language = contact.get("language") or content.default_language
    if not reminder.params:
        return content.texts.get(reminder.text, language)
    day = reminder.params["date"]
    clinic = reminder.params.get("clinic") or content.texts.get("sms_reminders.your_clinic",
                                                                 language)
    visit = content.texts.get(f"sms_reminders.kind_{reminder.params['kind']}", language)
    return content.texts.get(reminder.text, language, visit=visit, clinic=clinic,
                             date=day.strftime("%d-%m-%Y"))


def _load(db, phones):
    pipe = db.pipeline(transaction=False)
    for phone in phones:
        pipe.hgetall(contacts.key(phone))
        pipe.hgetall(visits.key(phone))
        pipe.hgetall(outbound.done_key(phone))
    answers = quick.execute(pipe)
    return [(answers[i], visits.parse(answers[i + 1]), set(answers[i + 2]))
            for i in range(0, len(answers), 3)]


def _file(db, nexts):
    pipe = db.pipeline(transaction=False)
    for phone, when in nexts.items():
        if when is None:
            pipe.zrem(NEXT, phone)
        else:
            pipe.zadd(NEXT, {phone: when.timestamp()})
    quick.execute(pipe)


