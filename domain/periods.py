"""Dates and periods: accounting months (``YYYY-MM``), period labels (``2025``, ``2025-Q1``,
``2025-03``) and date arithmetic that is total.

Total means that every computation on a stored date gives a date: a term of whole years or
months that starts on a day its last year or month does not have ends on that month's last day
(a one-year term from 29 February 2024 ends on 28 February 2025; a month from 31 January ends
on 28 or 29 February). Views compute on stored dates, so a partial function here would let one
saved fact make a view answer 500 for ever; the only way these functions fail is a year beyond
9999, which commands refuse before saving (:func:`add_years` raises :class:`InvalidRequestError`).
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

from domain.bounds import FIRST_DAY, LAST_DAY
from domain.errors import FutureDateError, InvalidPeriodError, InvalidRequestError
from ledger.entries import JournalEntry

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$")
_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


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


# -- total date arithmetic ---------------------------------------------------------------------


def _clamped(year: int, month: int, day: int, *, field: str) -> datetime.date:
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise InvalidRequestError(
            f"the date falls in year {year}, outside the calendar (1 to 9999)", field=field
        )
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def add_years(day: datetime.date, years: int, *, field: str = "term_years") -> datetime.date:
    """``day`` moved by whole years; 29 February becomes 28 February in a common year.

    So a one-year term from 2024-02-29 ends on 2025-02-28 (the share is in force through
    2025-02-27, the way a term from 28 February ends on 28 February).
    """
    return _clamped(day.year + years, day.month, day.day, field=field)


def add_months(day: datetime.date, months: int, *, field: str = "months") -> datetime.date:
    """``day`` moved by whole months; a day the target month lacks becomes its last day
    (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    return _clamped(index // 12, index % 12 + 1, day.day, field=field)


def day_in_year(year: int, month_day: str, *, field: str = "payment_due") -> datetime.date:
    """The day ``MM-DD`` of ``year``; ``02-29`` is 28 February in a common year (an annual
    due date of 29 February falls due on the last day of February)."""
    match = _MONTH_DAY.match(month_day or "")
    if not match:
        raise InvalidRequestError(
            f"{month_day!r} is not a day of the year; write it MM-DD, e.g. 12-31",
            field=field,
            zh=f"{month_day} 不是一年中的某一天，请写成 月-日，如 12-31",
        )
    month, day = int(match.group(1)), int(match.group(2))
    if day > calendar.monthrange(2000, month)[1]:  # 2000 is a leap year: 02-29 exists
        raise InvalidRequestError(
            f"{month_day!r} is not a day of the year; write it MM-DD, e.g. 12-31",
            field=field,
            zh=f"{month_day} 不是一年中的某一天，请写成 月-日，如 12-31",
        )
    return _clamped(year, month, day, field=field)


def require_not_after(
    day: datetime.date, today: datetime.date, *, what: str, field: str = "date"
) -> None:
    """Refuse ``what`` dated after ``today``: the books record what has happened."""
    if day > today:
        raise FutureDateError(
            f"{what} cannot be dated {day}, after today ({today}); the books record what has "
            f"happened: date it {today} or earlier",
            field=field,
            zh=f"日期 {day} 晚于今天（{today}）：账簿只记已经发生的事，请填写 {today} 或更早的日期",
        )


# Dated facts of stored events other than journal entries: event class name → (attribute,
# field of the request, what a clerk calls it).
_DATED_EVENTS: dict[str, tuple[str, str, str]] = {
    "StepRecorded": ("date", "date", "a step of 四议两公开"),
    "Executed": ("on", "date", "the execution of a plan"),
    "ExecutionRequested": ("on", "date", "the execution of a plan"),
    "Published": ("checked_on", "checked_on", "the check of a disclosure sheet (民主理财小组)"),
    "LandShareContributed": ("date", "date", "a land share (土地入股)"),
    "DividendDeclared": ("date", "date", "a dividend declaration"),
    "DividendReceived": ("date", "date", "a dividend receipt"),
}


def dated_facts(event: object) -> Iterator[tuple[str, datetime.date, str]]:
    """What an event about to be saved dates, as (what, day, field): every journal entry it
    carries (postings, reversals, contributions, payouts …) and the dated facts above."""
    vouchers = getattr(event, "vouchers", None)
    if type(event).__name__ == "VouchersPosted" and vouchers:  # many (domain/books/batch.py)
        latest = max(vouchers, key=lambda v: str(v[1]))
        yield f"entry {latest[0]} ({latest[2]})", datetime.date.fromisoformat(latest[1]), "date"
    entry = getattr(event, "entry", None)
    if isinstance(entry, JournalEntry):
        what = (
            f"the reversal (红字冲销) of entry {entry.reverses}"
            if entry.reverses
            else f"entry {entry.number} ({entry.memo})"
        )
        yield what, entry.date, "date"
    known = _DATED_EVENTS.get(type(event).__name__)
    if known is not None:
        attribute, field, what = known
        day = getattr(event, attribute, None)
        if isinstance(day, datetime.date):
            step = getattr(event, "step", None)
            yield (f"step {step}" if isinstance(step, str) else what), day, field


# -- periods -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A period of the books: a year, a quarter or a month, with its first and last day."""

    text: str
    first_month: str
    last_month: str
    start: datetime.date
    end: datetime.date

    @property
    def is_year(self) -> bool:
        return len(self.text) == 4

    @property
    def year_before(self) -> Period:
        """The same period one year earlier (上年同期)."""
        return parse_period(f"{int(self.text[:4]) - 1:04d}{self.text[4:]}")

    @property
    def label(self) -> str:
        year = self.text[:4]
        if len(self.text) == 4:
            return f"{year}年度"
        if "Q" in self.text:
            return f"{year}年第{self.text[-1]}季度"
        return f"{year}年{int(self.text[5:])}月"


def parse_period(text: object, *, field: str = "period") -> Period:
    """The one parser of period labels: ``2025`` (a year), ``2025-Q1`` (a quarter) or
    ``2025-03`` (a month). Anything else (``2025年度``, ``2025Q1``, ``2025-3``) is refused, so
    no label is accepted and then silently read as "no period"."""
    match = _PERIOD.match(text) if isinstance(text, str) else None
    if not match or int(match.group(1)) < 1:
        raise InvalidPeriodError(
            f"period {text!r} is not a period; write 2025 (a year), 2025-Q1 (a quarter) or "
            "2025-03 (a month)",
            field=field,
        )
    assert isinstance(text, str)
    year = int(match.group(1))
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise InvalidPeriodError(
            f"period {text!r} is outside the years kept ({FIRST_DAY.year} to {LAST_DAY.year})",
            field=field,
        )
    if match.group(2):
        first = last = int(match.group(2))
    elif match.group(3):
        quarter = int(match.group(3))
        first, last = quarter * 3 - 2, quarter * 3
    else:
        first, last = 1, 12
    start = datetime.date(year, first, 1)
    end = datetime.date(year, last, calendar.monthrange(year, last)[1])
    return Period(text, f"{year:04d}-{first:02d}", f"{year:04d}-{last:02d}", start, end)


def period_bounds(period: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of ``2025``, ``2025-Q3`` or ``2025-07`` (refused otherwise)."""
    found = parse_period(period)
    return found.start, found.end
