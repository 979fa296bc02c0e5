"""A report written out: a table to read, CSV for a spreadsheet, JSON for another system."""

import csv
import io
import json
import re

from .figures import value_text

# A cell a spreadsheet would run as a formula is written as text (OWASP's advice for CSV). A
# phone number as the bot keeps it (+ and digits only, checked on the way in) is left whole:
# it can do nothing, and a data manager matches numbers as they are.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PHONE = re.compile(r"\+\d{7,15}")


def safe_cell(value):
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _PHONE.fullmatch(text):
        return "'" + text
    return text


def heading(report):
    return [report.names.get(g, g) for g in report.groups]


def table(report):
    """Aligned text, one line per figure, a column per group."""
    width = max(len(row.label) for row in report.rows)
    columns = heading(report)
    sizes = [max(len(c), 6) for c in columns]
    lines = [f"Indicators from {report.start} to {report.end}"
             + (f", by {report.by}" if report.by else ""),
             f"{'':<{width}}  " + "  ".join(f"{c:>{s}}" for c, s in zip(columns, sizes, strict=True))]
    for row in report.rows:
        cells = [value_text(row.values[g]) for g in report.groups]
        lines.append(f"{row.label:<{width}}  "
                     + "  ".join(f"{c:>{s}}" for c, s in zip(cells, sizes, strict=True)))
    lines.append("")
    lines += [f"{row.label}: {row.definition}" for row in report.rows if row.definition]
    return "\n".join(lines) + "\n"


def csv_text(report):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["indicator", "label", *heading(report), "definition"])
    for row in report.rows:
        values = ["" if row.values[g] is None else row.values[g] for g in report.groups]
        writer.writerow([safe_cell(c) for c in (row.name, row.label.strip(), *values,
                                                row.definition)])
    return out.getvalue()


def json_text(report):
    return json.dumps({
        "from": report.start.isoformat(), "to": report.end.isoformat(), "by": report.by,
        "groups": [{"id": g, "name": report.names.get(g, g)} for g in report.groups],
        "indicators": [{"id": row.name, "label": row.label.strip(), "definition": row.definition,
                        "values": row.values} for row in report.rows],
    }, indent=1, ensure_ascii=False) + "\n"


FORMATS = {"table": table, "csv": csv_text, "json": json_text}
