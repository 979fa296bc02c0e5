"""Which SMS one mother should get, and when: a pure function of her data and the time.

Nothing is stored per reminder. Her visits, her stage (due date, baby's birth
date, a loss) and the programme's schedule give every reminder a stable id and
a time; the dispatcher sends those that are due and not yet done, and files
her under the time of the next one. Changing a visit therefore changes its
reminders at once, and a dispatch that runs twice sends nothing twice.
"""

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from ..content.schedules import county_key
from ..store.visits import FOR_PREGNANCY_OR_BABY, KINDS
from .timing import age_months, age_weeks, iso, pregnancy_week

WHOLE_DAY = time(23, 59)
SAME_VISIT_DAYS = 7  # an entered visit this close to a suggested one replaces it
DAY_MESSAGE_KEEP_DAYS = 7  # a message counted in days, not sent within a week, is dropped
# Nothing is planned any more about a visit this long past, nor for a reminder this long past
# its expiry: her sent marks need only outlive that (outbound.DONE_DAYS), so they can be pruned.
VISIT_LOOKBACK_DAYS = 30
LATE_FORGOTTEN_DAYS = 30


@dataclass(frozen=True)
class Reminder:
    id: str  # stable for this mother: the same reminder always has the same id
    at: datetime  # when it should go (inside the sending window)
    kind: str  # visit_day_before, visit_morning, visit_suggested, visit_missed, stage,
    # stage_day (a set counted in days since her stage began, e.g. danger signs), hiv
    text: str  # text key
    params: dict = field(default_factory=dict, compare=False)
    expires: datetime | None = None  # after this it would only confuse her
    followup: bool = False  # also put her on the Mentor Mother follow-up list
    also: tuple = field(default=(), compare=False)  # earlier ids of the same reminder


@dataclass
class Plan:
    due: list  # send now
    late: list  # their moment passed while nothing was sent: record, do not send
    next_at: datetime | None  # when the next one falls due


def wants_sms(contact):
    return (contact.get("enrolled") == "yes" and contact.get("consent_sms") in ("yes", "clinic")
            and contact.get("opted_out") != "yes" and not contact.get("sms_paused"))


def make_plan(contact, visits, content, now, rules, done=()):
    """Return the Plan for one contact at `now` (aware, programme time zone)."""
    if not wants_sms(contact):
        return Plan([], [], None)
    done = set(done)
    due, late, next_at = [], [], None
    for reminder in _all(contact, visits, content, now, rules, done):
        if reminder.id in done or any(earlier in done for earlier in reminder.also):
            continue
        if reminder.at > now:
            next_at = reminder.at if next_at is None else min(next_at, reminder.at)
        elif reminder.expires is not None and now >= reminder.expires:
            if now < reminder.expires + timedelta(days=LATE_FORGOTTEN_DAYS):
                late.append(reminder)  # recorded once; long after, its mark may be pruned
        else:
            due.append(reminder)
    return Plan(due, late, next_at)


def _all(contact, visits, content, now, rules, done):
    entered = [v for v in visits.values() if v.get("status") != "cancelled" and iso(v.get("date"))]
    if contact.get("stage") == "loss":
        # After a loss not one SMS about the pregnancy or the baby, even for a visit that reached
        # her records some other way than the loss's own cancelling (bot/care/loss.py).
        entered = [v for v in entered if v.get("kind") not in FOR_PREGNANCY_OR_BABY]
    yield from _entered_visits(entered, now, rules)
    yield from _suggested_visits(contact, entered, content, now, rules, done)
    yield from _stage_messages(contact, content, now, rules)
    yield from _day_messages(contact, content, now, rules)


def _entered_visits(visits, now, rules):
    """One day-before, one morning and one missed-visit SMS per day, however many visits it has.

    Ids name the day (`visit:<date>:before`); one sent under an earlier id, which named
    a visit (`<date>-<kind>:before`), counts as sent for its day.
    """
    tz = now.tzinfo
    for day, params, starts, attended in _visit_days(visits, now):
        yield Reminder(f"visit:{day}:before", rules.at(day - timedelta(days=1), rules.day_before_at, tz),
                       "visit_day_before", "sms_reminders.day_before", params, expires=starts,
                       also=_earlier_ids(day, "before"))
        yield Reminder(f"visit:{day}:morning", rules.at(day, rules.morning_at, tz), "visit_morning",
                       "sms_reminders.morning", params,
                       expires=datetime.combine(day, WHOLE_DAY, tz), also=_earlier_ids(day, "morning"))
        if not attended:
            yield Reminder(f"visit:{day}:missed",
                           rules.at(day + timedelta(days=rules.missed_after_days),
                                    rules.day_before_at, tz),
                           "visit_missed", "sms_reminders.missed", params, followup=True,
                           also=_earlier_ids(day, "missed"))


def _visit_days(visits, now):
    """(day, SMS params, when the first visit starts, any attended) for each day with visits."""
    by_day = {}
    for visit in visits:
        day = iso(visit["date"])
        if day >= now.date() - timedelta(days=VISIT_LOOKBACK_DAYS):  # else nothing more to say
            by_day.setdefault(day, []).append(visit)
    for day in sorted(by_day):
        found = sorted(by_day[day], key=lambda v: (_time(v.get("time")) or time(23, 59), v["id"]))
        kinds = {v.get("kind", "other") for v in found} - {"other"}
        when = next((t for t in (_time(v.get("time")) for v in found) if t), None)
        params = {"date": day, "clinic": next((v["clinic"] for v in found if v.get("clinic")), ""),
                  "kind": kinds.pop() if len(kinds) == 1 else "other",
                  "time": when.strftime("%H:%M") if when else ""}
        starts = datetime.combine(day, when or time(0, 0), now.tzinfo)
        yield day, params, starts, any(v.get("status") == "attended" for v in found)


def _earlier_ids(day, moment):
    return tuple(f"{day.isoformat()}-{kind}:{moment}" for kind in KINDS)


def _suggested_visits(contact, entered, content, now, rules, done):
    """Suggested visits from today on, up to the first one still to come.

    Only that one matters for when she is due next, and a national dispatch
    plans every due mother: working out her whole schedule each time was the
    largest part of planning in the dispatch benchmark.
    """
    tz = now.tzinfo
    for day, visit in suggested(contact, entered, content, now.date(), rules.county):
        params = {"date": day, "clinic": contact.get("clinic", ""), "kind": visit["kind"]}
        if visit.get("name"):
            params["name"] = visit["name"]
        reminder = Reminder(f"s:{visit['id']}:{day.isoformat()}",
                            rules.at(day - timedelta(days=1), rules.day_before_at, tz),
                            "visit_suggested", "sms_reminders.suggested", params,
                            expires=datetime.combine(day, WHOLE_DAY, tz))
        yield reminder
        if reminder.at > now and reminder.id not in done:
            return  # the later ones come after this one


def suggested(contact, entered, content, start, programme_county=""):
    """Yield (day, schedule visit) for her suggested visits on `start` or later, in order.

    Only those meant for her, one a day (the first named), and none an entered
    visit (`entered`: her visits that stand) replaces. Nothing without a pregnancy
    or baby stage and its date: after a loss, none.
    """
    base = {"pregnancy": ("due_date", iso(contact.get("due_date"))),
            "baby": ("birth_date", iso(contact.get("birth_date")))}.get(contact.get("stage"))
    if not base or base[1] is None:
        return
    taken = {iso(v["date"]) for v in entered}
    offsets, visits = _schedule(content, base[0])
    county = county_key(contact.get("county") or programme_county)
    last_day = None
    for index in range(bisect_left(offsets, (start - base[1]).days), len(offsets)):
        visit = visits[index]
        if not _meant_for(visit, contact, county):
            continue
        day = base[1] + timedelta(days=offsets[index])
        window = visit.get("replaced_within", SAME_VISIT_DAYS)
        if day == last_day or any(abs((day - t).days) <= window for t in taken):
            continue  # one SMS for visits on the same day (the first named); entered ones win
        last_day = day
        yield day, visit


def _meant_for(visit, contact, county):
    """True when this suggested visit is for her: HIV-related ones only if she chose them, and
    those given only in some counties only if hers is one of them (never when it is unknown)."""
    if visit.get("who") == "hiv_opt_in" and contact.get("hiv_messages") != "yes":
        return False
    return "counties" not in visit or county in visit["counties"]


def _schedule(content, base):
    """The suggested visits counted from `base`, as (days after it, sorted; the visits).

    Worked out once per content: a national dispatch plans every due mother, and
    going through the whole schedule for each of them showed as about a sixth of
    a profile of the dispatch benchmark.
    Visits on the same day keep the schedule's order, so the first one named wins.
    """
    tables = content.__dict__.setdefault("_suggested_by_base", {})
    if base not in tables:
        listed = [visit for schedule in content.schedules.values() for visit in schedule
                  if visit["from"] == base]
        found = sorted((_offset(visit), n) for n, visit in enumerate(listed))
        tables[base] = ([offset for offset, _ in found], [listed[n] for _, n in found])
    return tables[base]


def _offset(visit):
    """Days from the due date (weeks of pregnancy) or from the birth (weeks or days of age)."""
    if visit["from"] == "due_date":
        return (visit["week"] - 40) * 7
    return visit["day"] if "day" in visit else visit["week"] * 7


def _stage_messages(contact, content, now, rules):
    latest, following = rules.stage_slots(now)
    enrolled = datetime.fromtimestamp(int(contact.get("enrolled_at") or 0), now.tzinfo)
    for slot in (latest, following):
        if slot < enrolled:
            continue
        found = _stage_message(contact, content, slot.date())
        if found:
            set_name, message = found
            yield Reminder(f"stage:{set_name}:{message.at}", slot, "stage", message.text,
                           expires=slot + timedelta(days=7))
        hiv = _hiv_message(contact, content, slot.date())
        if hiv:
            yield Reminder(f"hiv:{hiv.at}", slot, "hiv", hiv.text, expires=slot + timedelta(days=7))


def _stage_message(contact, content, day):
    stage = contact.get("stage")
    if stage == "pregnancy" and (due := iso(contact.get("due_date"))):
        return _pick(content, "pregnancy", "week", pregnancy_week(due, day))
    if stage == "baby" and (birth := iso(contact.get("birth_date"))):
        weeks = age_weeks(birth, day)
        if weeks <= 52:
            return _pick(content, "baby", "week", weeks)
        return _pick(content, "baby", "month", age_months(birth, day))
    if stage == "loss" and (lost := iso(contact.get("loss_date"))):
        return _pick(content, "loss", "sequence", (day - lost).days // 7 + 1)
    return None


def _pick(content, stage, unit, at):
    for message_set in content.message_sets.values():
        if message_set.stage == stage and message_set.unit == unit and not message_set.opt_in:
            message = message_set.message_at(at)
            if message:
                return message_set.name, message
    return None


def _hiv_message(contact, content, day):
    since = iso(contact.get("hiv_since"))
    if contact.get("hiv_messages") != "yes" or since is None or contact.get("stage") == "loss":
        return None
    for message_set in content.message_sets.values():
        if message_set.opt_in == "hiv":
            return message_set.message_at((day - since).days // 7 + 1)
    return None


def _day_messages(contact, content, now, rules):
    """Sets counted in days since her stage began: sent on that day, whatever the weekday.

    Her stage began on `stage_since` (the day she joined, or the birth or loss was
    recorded); a mother who joined before that was kept counts from `enrolled_on`.
    """
    began = iso(contact.get("stage_since")) or iso(contact.get("enrolled_on"))
    if began is None:
        return
    for message_set in content.message_sets.values():
        if message_set.unit != "day" or message_set.stage != contact.get("stage") \
                or message_set.opt_in:
            continue
        for message in message_set.messages:
            for round_, day in _rounds(message_set, message, began, now.date()):
                if not _within_weeks(contact, message.until_week, day):
                    continue
                moment = rules.at(day, rules.send_from, now.tzinfo)
                # The day the stage began is in the id: a later pregnancy or baby gets them again.
                rid = f"day:{message.id}:{began}" + ("" if round_ is None else f":{round_}")
                yield Reminder(rid, moment, "stage_day", message.text,
                               expires=moment + timedelta(days=DAY_MESSAGE_KEEP_DAYS))


def _rounds(message_set, message, began, today):
    """(round number or None, day) of a message: once, or the latest and next of a repeat."""
    first = began + timedelta(days=message.at)
    if not message_set.every:
        return [(None, first)]
    latest = max(0, (today - first).days // message_set.every)
    return [(n, first + timedelta(days=n * message_set.every)) for n in (latest, latest + 1)]


def _within_weeks(contact, until_week, day):
    """True when `day` is at most `until_week` into her pregnancy or her baby's life."""
    if until_week is None:
        return True
    if contact.get("stage") == "pregnancy" and (due := iso(contact.get("due_date"))):
        return pregnancy_week(due, day) <= until_week
    if contact.get("stage") == "baby" and (birth := iso(contact.get("birth_date"))):
        return age_weeks(birth, day) <= until_week
    return False


def _time(text):
    try:
        hours, minutes = str(text).split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return None
