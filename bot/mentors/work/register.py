"""'Register a mother': her number, stage and date, language and facility, then one SMS.

Nothing is filed until the Mentor Mother confirms the read-back; then the mother is filed
as awaiting her own YES and gets only the request to confirm (bot/enrolment/confirmation).
A mother already enrolled, already waiting, or who stopped SMS is not registered again.
"""

from datetime import timedelta

from ... import facilities
from ...engine.validators import parse_date
from ...enrolment import confirmation
from ...store import contacts
from .screen import day_shown, dialled, mother_number, one_again, options, picked, screen

PREGNANCY_DAYS = 300  # a due date at most this far ahead (about 43 weeks)
BABY_DAYS = 3 * 366  # a baby up to 3 years old: the toddler messages end there


def show_phone(ctx):
    return screen(ctx, ctx.t("reg_phone"))


def take_phone(ctx, typed):
    phone = mother_number(ctx, typed, "reg_phone")
    if phone is None:
        return None
    why = confirmation.standing(ctx.db.hgetall(contacts.key(phone)))
    if why:
        ctx.data["reg_refused"] = why
        return "reg_refused"
    return "reg_stage"


def show_refused(ctx):
    waiting = ctx.data.get("reg_refused") == confirmation.AWAITING
    return screen(ctx, ctx.t(f"reg_{ctx.data.get('reg_refused')}",
                             number=dialled(ctx.data["reg_phone"])),
                  options(ctx, "reg_another", *(["reg_ask_again"] if waiting else [])))


def take_refused(ctx, typed):
    """Register another, or, for a mother still waiting, send her the request again."""
    if typed == "2" and ctx.data.get("reg_refused") == confirmation.AWAITING:
        sms = confirmation.ask_again(ctx.db, ctx.content, ctx.config, ctx.data["reg_phone"],
                                     ctx.mentor["phone"], ctx.now.date())
        if sms is None:  # she replied (or stopped) meanwhile
            found = ctx.db.hgetall(contacts.key(ctx.data["reg_phone"]))
            ctx.data["reg_refused"] = confirmation.standing(found) or "enrolled"
            return "reg_refused"
        ctx.sms.append(sms)
        return "reg_asked"
    return take_again(ctx, typed)


def show_asked(ctx):
    return screen(ctx, ctx.t("reg_asked", number=dialled(ctx.data["reg_phone"])),
                  options(ctx, "reg_another"), back=False)


def show_stage(ctx):
    return screen(ctx, ctx.t("reg_stage"), options(ctx, "stage_pregnancy", "stage_baby"))


def take_stage(ctx, typed):
    return "reg_date" if picked(ctx, typed, "reg_stage", {"1": "pregnancy", "2": "baby"}) else None


def show_date(ctx):
    return screen(ctx, ctx.t(f"reg_date_{ctx.data.get('reg_stage', 'pregnancy')}"))


def take_date(ctx, typed):
    day, today = parse_date(typed), ctx.now.date()
    if ctx.data.get("reg_stage") == "baby":
        fits = day is not None and today - timedelta(days=BABY_DAYS) <= day <= today
    else:
        fits = day is not None and today <= day <= today + timedelta(days=PREGNANCY_DAYS)
    if not fits:
        ctx.hint = ctx.t(f"hint_date_{ctx.data.get('reg_stage', 'pregnancy')}")
        return None
    ctx.data["reg_date"] = day.isoformat()
    return "reg_language"


def show_language(ctx):
    return screen(ctx, ctx.t("reg_language"), options(ctx, "common.english", "common.kiswahili"))


def take_language(ctx, typed):
    return "reg_facility" if picked(ctx, typed, "reg_language", {"1": "en", "2": "sw"}) else None


def show_facility(ctx):
    own = facilities.get(ctx.db, ctx.mentor["facility"])
    name = (own.sms_name or own.name) if own else ctx.mentor["facility"]
    return screen(ctx, ctx.t("reg_facility"), options(ctx, (name,), "reg_facility_other"))


def take_facility(ctx, typed):
    if typed == "1":
        return _keep_facility(ctx, ctx.mentor["facility"])
    if typed == "2":
        return "reg_code"
    ctx.hint = ctx.t("common.hint_number")
    return None


def show_code(ctx):
    return screen(ctx, ctx.t("reg_code"))


def take_code(ctx, typed):
    return _keep_facility(ctx, typed.strip())


def _keep_facility(ctx, code):
    found = facilities.get(ctx.db, code) if code.isdigit() else None
    if found is None:
        ctx.hint = ctx.t("hint_code")
        return None
    # Her reminders name the clinic by its SMS name only (it may be blank: "your clinic").
    ctx.data.update(reg_facility=found.code, reg_clinic=found.sms_name,
                    reg_shown=found.sms_name or found.name)
    return "reg_confirm"


def show_confirm(ctx):
    data = ctx.data
    said = ctx.t(f"read_{data['reg_stage']}", number=dialled(data["reg_phone"]),
                 date=day_shown(data["reg_date"]), clinic=data["reg_shown"],
                 language=ctx.t("common.english" if data["reg_language"] == "en"
                                else "common.kiswahili"))
    return screen(ctx, said, options(ctx, "reg_yes", "cancel"))


def take_confirm(ctx, typed):
    if typed == "2":
        return "home"
    if typed != "1":
        ctx.hint = ctx.t("common.hint_number")
        return None
    data = ctx.data
    sms = confirmation.register(ctx.db, ctx.content, ctx.config, data["reg_phone"], {
        "stage": data["reg_stage"], "date": data["reg_date"], "facility": data["reg_facility"],
        "clinic": data["reg_clinic"], "language": data["reg_language"]}, ctx.mentor["phone"])
    if sms is None:  # registered meanwhile (another Mentor Mother, or she joined herself)
        found = ctx.db.hgetall(contacts.key(data["reg_phone"]))
        data["reg_refused"] = confirmation.standing(found) or "enrolled"
        return "reg_refused"
    ctx.sms.append(sms)
    return "reg_done"


def show_done(ctx):
    return screen(ctx, ctx.t("reg_done", number=dialled(ctx.data["reg_phone"])),
                  options(ctx, "reg_another"), back=False)


take_again = one_again("reg_phone")


STATES = {"reg_phone": (show_phone, take_phone, "home"),
          "reg_refused": (show_refused, take_refused, "reg_phone"),
          "reg_asked": (show_asked, take_again, "home"),
          "reg_stage": (show_stage, take_stage, "reg_phone"),
          "reg_date": (show_date, take_date, "reg_stage"),
          "reg_language": (show_language, take_language, "reg_date"),
          "reg_facility": (show_facility, take_facility, "reg_language"),
          "reg_code": (show_code, take_code, "reg_facility"),
          "reg_confirm": (show_confirm, take_confirm, "reg_facility"),
          "reg_done": (show_done, take_again, "home")}
