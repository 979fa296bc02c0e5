"""'My follow-ups': her open follow-ups one to a screen, and what came of each call.

Each screen gives the reason, how long the mother has waited and her number in full, to
call from the Mentor Mother's own phone; giving the number out is noted on the follow-up,
as the console does (followups.number_to_call). The outcome is kept the moment she
chooses it (bot/mentors/outcomes.py), so a dropped session loses nothing she reported.
"""

import time

from ...store import followups
from .. import outcomes
from .screen import dialled, options, screen

CHOICES = dict(zip(("1", "2", "3", "4"), outcomes.OUTCOMES, strict=True))


def _current(ctx):
    found = outcomes.mine(ctx.db, ctx.mentor["phone"])
    if not found:
        return None, 0
    index = int(ctx.data.get("fu_index") or 0) % len(found)
    ctx.data["fu_index"] = index
    return found[index], len(found)


def _waited(ctx, record):
    hours = max(int((time.time() - int(record.get("created_at") or 0)) // 3600), 0)
    waited = ctx.t("hours", n=hours) if hours < 48 else ctx.t("days", n=hours // 24)
    tries = int(record.get("attempts") or 0)
    return ctx.t("waited_tried", time=waited, n=tries) if tries else ctx.t("waited", time=waited)


def show(ctx):
    record, count = _current(ctx)
    if record is None:
        return screen(ctx, ctx.t("fu_none"))
    number = followups.number_to_call(ctx.db, record["id"], outcomes.signed(ctx.mentor))
    ctx.data["fu_id"] = record["id"]
    urgent = ctx.t("urgent") + " " if followups.priority(record) == "urgent" else ""
    reason = ctx.t(f"reason_{record.get('reason')}") if ctx.content.texts.has(
        f"mentor_work.reason_{record.get('reason')}", ctx.language) else ctx.t("reason_callback")
    title = "\n".join([f"{ctx.data['fu_index'] + 1}/{count} {urgent}{reason}", _waited(ctx, record),
                       ctx.t("call", number=dialled(number or record["phone"]))])
    return screen(ctx, title, options(ctx, "fu_done", "fu_next"))


def take(ctx, typed):
    if typed == "1" and ctx.data.get("fu_id"):
        return "fu_outcome"
    if typed == "2":
        ctx.data["fu_index"] = int(ctx.data.get("fu_index") or 0) + 1
        return "fu_show"
    ctx.hint = ctx.t("common.hint_number")
    return None


def show_outcome(ctx):
    return screen(ctx, ctx.t("outcome_ask"), options(
        ctx, *(f"outcome_{name}" for name in outcomes.OUTCOMES)))


def take_outcome(ctx, typed):
    outcome = CHOICES.get(typed)
    if outcome is None:
        ctx.hint = ctx.t("common.hint_number")
        return None
    kept = outcomes.record(ctx.db, ctx.config, ctx.data.get("fu_id", ""), ctx.mentor, outcome)
    ctx.data["fu_said"] = outcome if kept else "gone"
    return "fu_saved"


def show_saved(ctx):
    said = ctx.data.get("fu_said")
    return screen(ctx, ctx.t(f"saved_{said}"), options(ctx, "fu_next"))


def take_saved(ctx, typed):
    if typed != "1":
        ctx.hint = ctx.t("common.hint_number")
        return None
    if ctx.data.get("fu_said") == "no_answer":  # still open: go on from the one after it
        ids = [r["id"] for r in outcomes.mine(ctx.db, ctx.mentor["phone"])]
        if ctx.data.get("fu_id") in ids:
            ctx.data["fu_index"] = ids.index(ctx.data["fu_id"]) + 1
    return "fu_show"


STATES = {"fu_show": (show, take, "home"), "fu_outcome": (show_outcome, take_outcome, "fu_show"),
          "fu_saved": (show_saved, take_saved, "home")}
