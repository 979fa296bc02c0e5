"""'Mark a clinic visit attended': for a mother of her own facility, a visit booked in the
last LOOK_BACK_DAYS (or today). Marking it stops the missed-visit SMS and follow-up, like
the console's Attended button, and is kept with her id and the time.
"""

from datetime import date, timedelta

from ...reminders.dispatch import reschedule
from ...reminders.timing import Rules
from ...store import contacts, mentor_actions, visits
from .screen import day_shown, dialled, one_again, options, screen

LOOK_BACK_DAYS = 14  # a visit she forgot to mark for two weeks is for the clinic's register
MOST = 4  # visits listed: one screen


def show_phone(ctx):
    return screen(ctx, ctx.t("cv_phone"))


def _booked(ctx, phone):
    """Her booked visits from LOOK_BACK_DAYS ago to today, newest first: [(iso day, kind)]."""
    today = ctx.now.date()
    oldest = (today - timedelta(days=LOOK_BACK_DAYS)).isoformat()
    found = visits.parse(ctx.db.hgetall(visits.key(phone))).values()
    days = {(v["date"], v.get("kind", "other")) for v in found if v.get("status") == "booked"
            and oldest <= v.get("date", "") <= today.isoformat()}
    return sorted(days, reverse=True)[:MOST]


def take_phone(ctx, typed):
    phone = ctx.phone(typed)
    if phone is None:
        ctx.hint = ctx.t("hint_phone")
        return None
    facility = ctx.db.hget(contacts.key(phone), "facility")
    if facility != ctx.mentor["facility"]:
        ctx.hint = ctx.t("cv_not_yours", number=dialled(phone))
        return None
    if not _booked(ctx, phone):
        ctx.hint = ctx.t("cv_none", number=dialled(phone), days=LOOK_BACK_DAYS)
        return None
    ctx.data.clear()
    ctx.data.update(signed_in=True, cv_phone=phone)
    return "cv_pick"


def show_pick(ctx):
    found = _booked(ctx, ctx.data["cv_phone"])
    lines = options(ctx, *((f"{day_shown(day)} {ctx.t(f'sms_reminders.kind_{kind}')}",)
                           for day, kind in found))
    return screen(ctx, ctx.t("cv_pick", number=dialled(ctx.data["cv_phone"])), lines)


def take_pick(ctx, typed):
    found = _booked(ctx, ctx.data["cv_phone"])
    if not (typed.isdigit() and 1 <= int(typed) <= len(found)):
        ctx.hint = ctx.t("common.hint_number")
        return None
    day, kind = found[int(typed) - 1]
    phone = ctx.data["cv_phone"]
    visits.set_status(ctx.db, phone, date.fromisoformat(day), "attended")
    pipe = ctx.db.pipeline(transaction=True)
    mentor_actions.record(pipe, phone, ctx.mentor["phone"], "clinic_visit",
                          {"date": day, "visit": kind},
                          keep_days=ctx.config["MENTOR_ACTIONS_KEEP_DAYS"])
    pipe.execute()
    reschedule(ctx.db, ctx.content, phone, ctx.now, Rules.from_config(ctx.config))
    ctx.data["cv_day"] = day
    return "cv_done"


def show_done(ctx):
    return screen(ctx, ctx.t("cv_done", number=dialled(ctx.data["cv_phone"]),
                             date=day_shown(ctx.data["cv_day"])), options(ctx, "cv_another"),
                  back=False)


take_again = one_again("cv_phone")


STATES = {"cv_phone": (show_phone, take_phone, "home"),
          "cv_pick": (show_pick, take_pick, "cv_phone"),
          "cv_done": (show_done, take_again, "home")}
