"""Send the reminders that are due, and file each mother under her next one.

The due list (`due_list`) holds each mother under the time of her next
reminder, so a dispatch reads only who is due, never every contact. Her entry
changes only after her SMS went out, so a worker killed mid-send leaves her due
and the next dispatch sends what is left; the per-contact record of sent
reminders makes a repeated dispatch send nothing twice. A dispatch can be split
into jobs that send at the same time, each through its own parts of the list.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .. import reports, retention, test_numbers
from ..content.sms_rules import PRIVATE_WORDS, PROGRAMME_WORDS
from ..sms import log, outbound
from ..store import contacts, followups, quick, visits
from . import clock, due_list, timing
from .plan import make_plan

# Contacts planned and sent together. Identical texts go in one bulk request, and a bigger
# chunk has more mothers per text: 10,000 gave about 50 recipients a request, 30,000 about
# 150, which halved the sending's share of the CPU (BENCHMARKS.md).
CHUNK = 25_000
RETRY_AFTER = timedelta(minutes=15)  # a recipient AT could not take now is tried again then
# The texts that say the visit's time, used when the register or the clinic gave one.
TIMED = {"sms_reminders.day_before": "sms_reminders.day_before_at_time",
         "sms_reminders.morning": "sms_reminders.morning_at_time"}


@dataclass
class Report:
    contacts: int = 0
    sent: int = 0
    late: int = 0
    not_sent: dict = field(default_factory=dict)  # status -> count
    retry: int = 0
    busy_parts: int = 0  # parts of the due list another dispatch was working through


def reschedule(db, content, phone, now, rules):
    """File one contact under the time of her next reminder (after any change to her data)."""
    contact, raw_visits, done = _load(db, [phone])[0]
    plan = make_plan(contact, raw_visits, content, now, rules, done)
    due_list.file(db, {phone: plan.due[0].at if plan.due else plan.next_at})


def dispatch(db, content, gateway, now, rules, batch_size, job=0, jobs=1):
    """Send what is due at `now` in job `job` (from 0) of `jobs`; return a Report.

    It goes on until no one in its parts of the due list is due any more. GatewayError
    propagates (AT down: the due stay due, and are sent when it is tried again).
    """
    report = Report()
    if not rules.is_allowed(now):
        return report  # nothing goes out at night; the due stay due
    wanted = due_list.parts_for(job, jobs)
    claim = due_list.Claim(db, wanted)
    report.busy_parts = len(wanted) - len(claim.parts)
    seen = set()  # each mother once per dispatch, whatever happens to her entry
    try:
        while claim.parts:
            phones, _ = due_list.due(db, claim.parts, now, CHUNK)
            phones = [phone for phone in phones if phone not in seen]
            if not phones:
                break
            seen.update(phones)
            _dispatch_chunk(db, content, gateway, now, rules, batch_size, phones, report)
    finally:
        claim.release()
    return report


def due_on(db, content, rules, day, zone, limit, today=None):
    """Return ([(phone, contact, reminder)], capped): what that day's dispatches would send.

    Each contact due by the last minute of that day's sending window is planned at that
    minute, and a reminder counts on the day it falls due: a weekly message goes only on
    its weekday, however long it stays worth sending. Today (`today`, the programme's
    own by default) also counts what is overdue and not yet sent: the next dispatch sends
    it. `capped`: more were due than `limit`.
    """
    today = today or datetime.now(zone).date()
    moment = datetime.combine(day, rules.send_until, zone) - timedelta(minutes=1)
    phones, capped = due_list.due(db, range(due_list.PARTS), moment, limit)
    found = [(phone, contact, reminder)
             for start in range(0, len(phones), CHUNK)
             for phone, contact, plan in plan_for(db, content, moment, rules,
                                                  phones[start:start + CHUNK])
             for reminder in plan.due
             if reminder.at.date() == day or (day == today and reminder.at.date() < day)]
    return found, capped


def plan_for(db, content, now, rules, phones):
    """Return [(phone, contact, plan)] for these contacts."""
    loaded = _load(db, phones)
    return [(phone, contact, make_plan(contact, found, content, now, rules, done))
            for phone, (contact, found, done) in zip(phones, loaded, strict=True)]


def _dispatch_chunk(db, content, gateway, now, rules, batch_size, phones, report):
    items, by_key = [], {}
    pipe = quick.Batch(db)
    plans = _plan_and_tidy(db, pipe, content, now, rules, phones)
    for phone, contact, plan in plans:
        for reminder in plan.late:
            outbound.mark_done(pipe, phone, reminder.id, "late", now.timestamp())
            if not test_numbers.is_test(phone):
                log.count(pipe, now, "skipped:late")
            report.late += 1
        for reminder in plan.due:
            item = outbound.Outgoing(phone, render(content, contact, reminder), reminder.kind,
                                     key=reminder.id)
            items.append(item)
            by_key[(phone, reminder.id)] = reminder
    pipe.execute()
    outcomes = outbound.send(db, gateway, items, batch_size, numbers_checked=True,
                             now=now.timestamp()) if items else []
    retry_phones = set()
    pipe = quick.Batch(db)
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
            outbound.mark_done(pipe, outcome.item.phone, reminder.id, outcome.status,
                               now.timestamp())
        if reminder.followup and outcome.status != "AlreadySent":
            followups.add(pipe, outcome.item.phone, "missed_visit", reminder.params["kind"],
                          "reminder", message=reminder.params["date"].isoformat())
            reports.count(pipe, "visits_missed", outcome.item.phone, when=now)
    pipe.execute()
    report.contacts += len(plans)
    nexts = {}
    for phone, _contact, plan in plans:
        times = [plan.next_at] if plan.next_at else []
        if phone in retry_phones:
            times.append(now + RETRY_AFTER)
        nexts[phone] = min(times) if times else None
    due_list.file(db, nexts)


def _plan_and_tidy(db, pipe, content, now, rules, phones):
    """Plan these contacts; queue on `pipe` the pruning of their records past keeping."""
    plans = []
    for phone, (contact, found, done) in zip(phones, _load(db, phones), strict=True):
        retention.tidy(pipe, phone, found, done, now, rules.visit_keep_days)
        plans.append((phone, contact, make_plan(contact, found, content, now, rules, done)))
    return plans


def render(content, contact, reminder):
    """The SMS text of a reminder, in her language."""
    language = contact.get("language") or content.default_language
    if not reminder.params:
        return content.texts.get(reminder.text, language)
    day = reminder.params["date"]
    clinic = reminder.params.get("clinic")
    if not clinic or clinic_kept_out(clinic):
        clinic = content.texts.get("sms_reminders.your_clinic", language)
    # A suggested visit may have its own name (the postnatal checks are for her and the baby).
    name = reminder.params.get("name") or f"sms_reminders.kind_{reminder.params['kind']}"
    visit = content.texts.get(name, language)
    when = reminder.params.get("time")
    if when and reminder.text in TIMED:  # the register gave a time: say it
        return content.texts.get(TIMED[reminder.text], language, visit=visit, clinic=clinic,
                                 date=day.strftime("%d-%m-%Y"),
                                 time=clock.spoken(content.texts, language, timing.clock(when)))
    return content.texts.get(reminder.text, language, visit=visit, clinic=clinic,
                             date=day.strftime("%d-%m-%Y"))


# In Kenya a "comprehensive care centre" (CCC) or a patient support centre is where HIV care is
# given: a clinic named so tells whoever reads the SMS as much as the word HIV (KMHFL lists some).
CARE_CLINIC_WORDS = re.compile(r"\b(ccc|comprehensive\s+care\s+(centre|center|clinic)"
                               r"|patient\s+support\s+(centre|center))\b", re.IGNORECASE)


def clinic_kept_out(name):
    """Say why a clinic name stays out of her SMS (it names HIV care or the programme), or None."""
    words = {m.group(0) for rule in (PRIVATE_WORDS, PROGRAMME_WORDS, CARE_CLINIC_WORDS)
             for m in rule.finditer(name or "")}
    if not words:
        return None
    return (f"the clinic name {name!r} contains {', '.join(sorted(words, key=str.lower))}, which an SMS "
            "read on a shared phone must not name; it is kept, and her SMS say 'your clinic' instead")


def _load(db, phones):
    pipe = quick.Batch(db)
    for phone in phones:
        pipe.hgetall(contacts.key(phone))
        pipe.hgetall(visits.key(phone))
        pipe.hgetall(outbound.done_key(phone))
    answers = pipe.execute()
    return [(answers[i], visits.parse(answers[i + 1]), answers[i + 2])
            for i in range(0, len(answers), 3)]
