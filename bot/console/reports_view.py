"""GET /console/reports: the programme's indicators for a date range, and the year month by month.

The same figures as `flask report` (bot/reports): no phone number is counted, so every signed-in
staff member may read them and download them as CSV.
"""

import calendar
from datetime import date, timedelta

from flask import Response, abort, render_template, request, stream_with_context

from .. import store
from ..reports import exports, figures, output
from ..reports.counters import programme_day
from . import auth, chart
from .web import blueprint

MONTHS = 12  # the chart: the last year, month by month
TREND = (("reached_new", "new"), ("reached_returning", "returning"))


def _asked(today):
    """(start, end, by, problem) from the query; this month so far when nothing is asked."""
    problem = None
    try:
        end = date.fromisoformat(request.args["to"]) if request.args.get("to") else today
        start = (date.fromisoformat(request.args["from"]) if request.args.get("from")
                 else end.replace(day=1))
    except ValueError:
        start, end, problem = today.replace(day=1), today, "Write dates as 2026-12-31."
    by = request.args.get("by") or None
    if by not in (None, *figures.GROUPINGS):
        by, problem = None, f"Group by one of: {', '.join(figures.GROUPINGS)}."
    return start, end, by, problem


@blueprint.get("/reports")
def reports():
    db, today = store.redis(), programme_day()
    start, end, by, problem = _asked(today)
    report = None
    try:
        report = figures.build(db, start, end, by, today=today)
    except figures.ReportError as err:
        problem = str(err)
    months = _last_months(today)
    trend = [figures.build(db, first, last, today=today) for first, last in months]
    values = [{row.name: row.values[figures.TOTAL] for row in month.rows} for month in trend]
    reach_chart = chart.bars([first.strftime("%b %y") for first, _ in months],
                             [(label, [v[name] for v in values]) for name, label in TREND],
                             short=str)
    return render_template("console/reports.html", report=report, problem=problem, start=start,
                           end=end, by=by, groupings=figures.GROUPINGS, value_text=figures.value_text,
                           reach_chart=reach_chart, trend_names=[label for _, label in TREND],
                           export_kinds=exports.KINDS)


@blueprint.get("/reports.csv")
def reports_csv():
    db, today = store.redis(), programme_day()
    start, end, by, problem = _asked(today)
    if problem:
        return Response(problem + "\n", 400, mimetype="text/plain")
    try:
        report = figures.build(db, start, end, by, today=today)
    except figures.ReportError as err:
        return Response(str(err) + "\n", 400, mimetype="text/plain")
    name = f"indicators-{start}-{end}" + (f"-by-{by}" if by else "") + ".csv"
    return Response(output.csv_text(report), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _last_months(today):
    """(first day, last day) of the last MONTHS months, this one included (to today)."""
    found, first = [], today.replace(day=1)
    for _ in range(MONTHS):
        last = min(today, date(first.year, first.month, calendar.monthrange(first.year, first.month)[1]))
        found.append((first, last))
        first = (first - timedelta(days=1)).replace(day=1)
    return found[::-1]


@blueprint.get("/exports.csv")
def export_csv():
    """Records of a date range as CSV (`kind`: contacts, visits, followups or messages),
    streamed: numbers whole for editors only, her HIV choices only when an editor asks (`hiv=1`)."""
    kind = request.args.get("kind", "")
    if kind not in exports.KINDS:
        abort(404)
    today = programme_day()
    try:
        end = exports.parse_day(request.args["to"], "to") if request.args.get("to") else today
        start = (exports.parse_day(request.args["from"], "from") if request.args.get("from")
                 else end.replace(day=1))
        editor = auth.is_editor()
        found = exports.lines(store.redis(), kind, start, end, request.args.get("facility") or None,
                              whole_numbers=editor, hiv=editor and request.args.get("hiv") == "1")
        first = next(found)  # a wrong range is told now, not half-way through a download
    except exports.ExportError as err:
        return Response(str(err) + "\n", 400, mimetype="text/plain")

    def stream():
        yield first
        yield from found
    name = f"{kind}-{start}-{end}.csv"
    return Response(stream_with_context(stream()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
