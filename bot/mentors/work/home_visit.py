"""'Record a home visit': whom she visited, what they talked about, the development check,
and any referral (her clinic, a hospital, the sub-county's EARC, or a service on the
referral list of the county of the Mentor Mother's facility, flows/referral_services.yaml).

Kept when she confirms the read-back, with her id and the time, in the mother's record of
Mentor Mothers' work (bot/store/mentor_actions.py), which the console shows on her page.
"""

from ... import facilities
from ...store import mentor_actions
from .screen import dialled, mother_number, one_again, options, screen

TOPICS = ("pmtct", "nutrition", "play", "development")
CHECKS = ("on_track", "concern", "not_done")
REFERRALS = ("none", "clinic", "hospital", "earc")


def show_phone(ctx):
    return screen(ctx, ctx.t("hv_phone"))


def take_phone(ctx, typed):
    return "hv_topics" if mother_number(ctx, typed, "hv_phone") else None


def show_topics(ctx):
    return screen(ctx, ctx.t("hv_topics"), options(ctx, *(f"topic_{t}" for t in TOPICS)))


def take_topics(ctx, typed):
    digits = [c for c in typed if not c.isspace() and c not in ",*"]
    if not digits or any(c not in "1234" for c in digits):
        ctx.hint = ctx.t("hint_topics")
        return None
    ctx.data["hv_topics"] = [TOPICS[int(c) - 1] for c in sorted(set(digits))]
    return "hv_check"


def show_check(ctx):
    return screen(ctx, ctx.t("hv_check"), options(ctx, *(f"check_{c}" for c in CHECKS)))


def take_check(ctx, typed):
    if typed not in ("1", "2", "3"):
        ctx.hint = ctx.t("common.hint_number")
        return None
    ctx.data["hv_check"] = CHECKS[int(typed) - 1]
    return "hv_referral"


def _services(ctx):
    """The real services listed for the county of her facility (never the samples)."""
    own = facilities.get(ctx.db, ctx.mentor["facility"])
    listed = ctx.content.referrals
    if own is None or listed is None:
        return []
    return listed.in_county(own.county)[1]


def show_referral(ctx):
    extra = ["referral_listed"] if _services(ctx) else []
    return screen(ctx, ctx.t("hv_referral"),
                  options(ctx, *(f"referral_{r}" for r in REFERRALS), *extra))


def take_referral(ctx, typed):
    if typed == "5" and _services(ctx):
        return "hv_service"
    if typed not in ("1", "2", "3", "4"):
        ctx.hint = ctx.t("common.hint_number")
        return None
    ctx.data["hv_referral"] = REFERRALS[int(typed) - 1]
    return "hv_confirm"


def show_service(ctx):
    return screen(ctx, ctx.t("hv_service"), options(ctx, *((s.name,) for s in _services(ctx))))


def take_service(ctx, typed):
    found = _services(ctx)
    if not (typed.isdigit() and 1 <= int(typed) <= len(found)):
        ctx.hint = ctx.t("common.hint_number")
        return None
    ctx.data["hv_referral"] = f"service: {found[int(typed) - 1].name}"
    return "hv_confirm"


def referral_words(ctx, referral):
    if referral.startswith("service: "):
        return referral[len("service: "):]
    return ctx.t(f"referral_{referral}")


def show_confirm(ctx):
    data = ctx.data
    said = ctx.t("hv_read", number=dialled(data["hv_phone"]),
                 topics=", ".join(ctx.t(f"topic_{t}") for t in data["hv_topics"]),
                 check=ctx.t(f"check_{data['hv_check']}"),
                 referral=referral_words(ctx, data["hv_referral"]))
    return screen(ctx, said, options(ctx, "save", "cancel"))


def take_confirm(ctx, typed):
    if typed == "2":
        return "home"
    if typed != "1":
        ctx.hint = ctx.t("common.hint_number")
        return None
    data = ctx.data
    pipe = ctx.db.pipeline(transaction=True)
    mentor_actions.record(pipe, data["hv_phone"], ctx.mentor["phone"], "home_visit", {
        "topics": data["hv_topics"], "check": data["hv_check"], "referral": data["hv_referral"]},
        keep_days=ctx.config["MENTOR_ACTIONS_KEEP_DAYS"])
    pipe.execute()
    return "hv_done"


def show_done(ctx):
    return screen(ctx, ctx.t("hv_done"), options(ctx, "hv_another"), back=False)


take_again = one_again("hv_phone")


STATES = {"hv_phone": (show_phone, take_phone, "home"),
          "hv_topics": (show_topics, take_topics, "hv_phone"),
          "hv_check": (show_check, take_check, "hv_topics"),
          "hv_referral": (show_referral, take_referral, "hv_check"),
          "hv_service": (show_service, take_service, "hv_referral"),
          "hv_confirm": (show_confirm, take_confirm, "hv_referral"),
          "hv_done": (show_done, take_again, "home")}
