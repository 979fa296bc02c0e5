"""Her PIN, the work menu's first screen, and its language.

The PIN is checked with bot/mentors (salted hash, MAX_TRIES wrong tries lock it for
LOCK_MINUTES); it is never kept, not even in the session's history. A locked PIN ends the
session at once, saying when she may try again.
"""

from datetime import timedelta

from ... import mentors
from ...reminders import clock
from .. import outcomes
from .screen import end, options, screen

LANGUAGES = ("en", "sw")


def show_pin(ctx):
    return screen(ctx, ctx.t("pin_ask"), foot=False)


def take_pin(ctx, typed):
    phone = ctx.mentor["phone"]
    if mentors.check_pin(ctx.db, phone, typed.strip()):
        ctx.data["signed_in"] = True
        return "home"
    if mentors.locked(ctx.db, phone):
        return "locked"
    ctx.hint = ctx.t("pin_wrong", left=mentors.tries_left(ctx.db, phone))
    return None


def show_locked(ctx):
    seconds = mentors.locked_for(ctx.db, ctx.mentor["phone"])
    until = (ctx.now + timedelta(seconds=seconds + 59)).time().replace(second=0, microsecond=0)
    # As the reminders say a time: Kiswahili counts the hours from 07:00 ("saa 2:15 mchana").
    said = clock.spoken(ctx.content.texts, ctx.language, until)
    return end(ctx.t("pin_locked", time=said, minutes=mentors.LOCK_MINUTES))


def show_home(ctx):
    count = len(outcomes.mine(ctx.db, ctx.mentor["phone"]))
    other = LANGUAGES[1 - LANGUAGES.index(ctx.language)] if ctx.language in LANGUAGES else "sw"
    lines = options(ctx, (ctx.t("followups", count=count),), "register", "home_visit",
                    "clinic_visit", (ctx.content.texts.get("mentor_work.language", other),))
    return screen(ctx, ctx.t("home", name=ctx.mentor["name"].split()[0]), lines, back=False,
                  foot=False)


def take_home(ctx, typed):
    chosen = {"1": "fu_show", "2": "reg_phone", "3": "hv_phone", "4": "cv_phone"}.get(typed)
    if typed == "5":
        ctx.mentor["language"] = "sw" if ctx.language == "en" else "en"
        mentors.set_language(ctx.db, ctx.mentor["phone"], ctx.mentor["language"])
        return "home"
    if chosen is None:
        ctx.hint = ctx.t("common.hint_number")
    if chosen == "fu_show":
        ctx.data["fu_index"] = 0
    return chosen


STATES = {"pin": (show_pin, take_pin, None), "locked": (show_locked, None, None),
          "home": (show_home, take_home, None)}
