"""Dates as found in proposals and finance exports: ISO or dd/mm/yyyy.

Like money.py, the grammar is shared with the vectorised column parser.
"""

from __future__ import annotations

import datetime as dt
import re

from .money import BLANKS

ISO_PATTERN = r"^([1-9][0-9]{3})-([0-9]{2})-([0-9]{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$"
UK_PATTERN = r"^([0-9]{1,2})/([0-9]{1,2})/([1-9][0-9]{3})$"
_ISO = re.compile(ISO_PATTERN)
_UK = re.compile(UK_PATTERN)


class DateError(ValueError):
    pass


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise DateError(f"'{value}' has a time of day; expected a date")
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip(BLANKS)
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _UK.match(text)
        if not match:
            raise DateError(f"'{text}' is not a date (expected YYYY-MM-DD or DD/MM/YYYY)")
        day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(f"'{text}' is not a real date ({exc})") from None


def day_number(day: dt.date) -> int:
    """20250915 for 15 September 2025: orders like the date, and is an integer for durable-rules."""
    return day.year * 10000 + day.month * 100 + day.day
