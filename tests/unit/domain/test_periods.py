"""Date arithmetic is total and periods have one parser (issue 9, points 3 and 4)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import FutureDateError, InvalidPeriodError, InvalidRequestError
from domain.periods import (
    add_months,
    add_years,
    day_in_year,
    parse_period,
    period_bounds,
    require_not_after,
)

D = datetime.date
days = st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31))


def test_a_term_from_29_february_ends_on_28_february() -> None:
    assert add_years(D(2024, 2, 29), 1) == D(2025, 2, 28)
    assert add_years(D(2024, 2, 29), 4) == D(2028, 2, 29)
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 3, 31), -1) == D(2025, 2, 28)
    assert day_in_year(2025, "02-29") == D(2025, 2, 28)
    assert day_in_year(2028, "02-29") == D(2028, 2, 29)


@given(days, st.integers(min_value=-100, max_value=100))
def test_add_years_is_total_and_keeps_the_month(day: D, years: int) -> None:
    moved = add_years(day, years)
    assert (moved.year, moved.month) == (day.year + years, day.month)
    assert moved.day == day.day or (day.month, day.day, moved.day) == (2, 29, 28)


@given(days, st.integers(min_value=-1200, max_value=1200))
def test_add_months_is_total_and_clamps_to_the_month_end(day: D, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day <= day.day
    if moved.day < day.day:  # clamped: the last day of its month
        assert (moved + datetime.timedelta(days=1)).day == 1


def test_leaving_the_calendar_is_a_clear_refusal() -> None:
    with pytest.raises(InvalidRequestError, match="outside the calendar"):
        add_years(D(9999, 6, 1), 1)
    for text in ("13-01", "02-30", "2-1", "", "12-31x"):
        with pytest.raises(InvalidRequestError, match="not a day of the year"):
            day_in_year(2025, text)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025", D(2025, 1, 1), D(2025, 12, 31)),
        ("2024-Q1", D(2024, 1, 1), D(2024, 3, 31)),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
        ("2025-02", D(2025, 2, 1), D(2025, 2, 28)),
        ("2100-12", D(2100, 12, 1), D(2100, 12, 31)),
    ],
)
def test_periods(text: str, start: D, end: D) -> None:
    assert (parse_period(text).start, parse_period(text).end) == (start, end)
    assert period_bounds(text) == (start, end)


@pytest.mark.parametrize(
    "text", ["2025年度", "2025-3", "2025Q1", "2025-Q5", "2025-13", "0000", "", "9999-12", "1949"]
)
def test_anything_else_is_not_a_period(text: str) -> None:
    with pytest.raises(InvalidPeriodError) as refused:
        parse_period(text)
    assert refused.value.field == "period"


def test_nothing_after_today() -> None:
    require_not_after(D(2026, 11, 23), D(2026, 11, 23), what="an entry")
    with pytest.raises(FutureDateError, match=r"after today \(2026-11-23\)"):
        require_not_after(D(2026, 11, 24), D(2026, 11, 23), what="an entry")
