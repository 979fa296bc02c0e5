"""GET /console/messages: SMS sent, delivered and failed per day, their cost, and what is coming."""

from flask import current_app, render_template, request

from .. import content_service, store
from ..errors import InvalidContent
from ..sms import log as sms_log
from ..sms.delivery import UNKNOWN as UNKNOWN_STATUS
from . import chart, upcoming
from .web import blueprint

PERIODS = (7, 14, 30, 90)  # days the page offers
UNKNOWN_WORDS = "delivery reports with a status AT does not document (see the log)"
SERIES = (("sent", "sent"), ("delivered", "delivered"), ("failed", "failed or undelivered"))


@blueprint.get("/messages")
def messages():
    days = request.args.get("days", type=int)
    days = days if days in PERIODS else 14
    db = store.redis()
    rows = [day_row(day, counts) for day, counts in sms_log.totals(db, days)]
    labels = [row["date"] for row in rows]
    counts_chart = chart.bars(labels, [(name, [row[key] for row in rows]) for key, name in SERIES])
    cost_chart = chart.bars(labels, [("KES", [row["cost"] for row in rows])], unit=" KES")
    try:
        coming, kinds, capped = upcoming.forecast(db, content_service.current(), current_app.config)
    except InvalidContent:  # the counts still help while the flows are being fixed
        coming, kinds, capped = None, [], False
    return render_template("console/messages.html", rows=rows, days=days, periods=PERIODS,
                           counts_chart=counts_chart, cost_chart=cost_chart, series=SERIES,
                           coming=coming, kinds=kinds, kind_names=upcoming.KINDS, capped=capped,
                           totals=_sum(rows))


def day_row(day, counts):
    """One day's figures; failures keep their reasons (AT's words)."""
    reasons = {}
    for name, value in counts.items():
        if name.startswith(("failed:", "undelivered:", "skipped:")):
            what, reason = name.split(":", 1)
            if int(value):
                reasons[f"{reason} ({what})"] = int(value)
    failed = sum(v for k, v in reasons.items() if not k.endswith("(skipped)"))
    if int(counts.get(UNKNOWN_STATUS, 0)):  # neither delivered nor failed: AT needs asking
        reasons[UNKNOWN_WORDS] = int(counts[UNKNOWN_STATUS])
    return {"date": day.isoformat(), "sent": int(counts.get("sent", 0)),
            "delivered": int(counts.get("delivered", 0)), "failed": failed,
            "skipped": sum(v for k, v in reasons.items() if k.endswith("(skipped)")),
            "cost": int(counts.get("cost_milli", 0)) / 1000, "reasons": sorted(reasons.items())}


def _sum(rows):
    return {key: sum(row[key] for row in rows) for key in ("sent", "delivered", "failed", "skipped",
                                                          "cost")}
