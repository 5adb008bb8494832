"""Accounting months written ``YYYY-MM`` (the form used in events, URLs and read models)."""

from __future__ import annotations

import datetime
import re

from domain.errors import InvalidRequestError

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def month_of(day: datetime.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(text: str, *, field: str = "month") -> str:
    """Validate a ``YYYY-MM`` month and return it unchanged."""
    if not isinstance(text, str) or not _MONTH.match(text):
        raise InvalidRequestError(
            f"month {text!r} is not a month; write it as YYYY-MM, e.g. 2025-03", field=field
        )
    return text


def parse_date(text: object, *, field: str = "date") -> datetime.date:
    """Parse an ISO date (``2025-03-31``), refusing anything else with a clear message."""
    if isinstance(text, datetime.date) and not isinstance(text, datetime.datetime):
        return text
    if isinstance(text, str):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    raise InvalidRequestError(
        f"date {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-03-31", field=field
    )


_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$")


def period_bounds(period: str) -> tuple[datetime.date, datetime.date] | None:
    """First and last day of ``2025``, ``2025-Q3`` or ``2025-07``; None for other labels."""
    match = _PERIOD.match(period)
    if not match:
        return None
    year = int(match.group(1))
    if match.group(2):
        first = last = int(match.group(2))
    elif match.group(3):
        first, last = int(match.group(3)) * 3 - 2, int(match.group(3)) * 3
    else:
        first, last = 1, 12
    end = (
        datetime.date(year + 1, 1, 1) if last == 12 else datetime.date(year, last + 1, 1)
    ) - datetime.timedelta(days=1)
    return datetime.date(year, first, 1), end
