"""Figures a ministry and a donor ask for: the programme's indicators, counted as events happen.

indicators.py  what each figure counts, in a monthly report's words
counters.py    the daily and monthly counts, written where each event happens
figures.py     a report for a date range, in total or by facility, county or language
output.py      a report as a table, CSV or JSON
"""

from .counters import Tally, count

__all__ = ["Tally", "count"]
