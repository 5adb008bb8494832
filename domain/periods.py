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
