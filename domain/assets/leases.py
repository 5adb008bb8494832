"""The rent a lease (资产出租) falls due for: its periods and due dates, read from its terms as
``AssetCard.leases`` keeps them (ISO dates, fen). Pure: the service checks a receipt against it,
the read model and the 工作台 list what is due and overdue from it.

A lease from ``start`` to ``end`` (its last day) with a rent every ``every`` months has a period
beginning in ``start``'s month and every ``every`` months after, while the period begins on or
before ``end``; each period's rent is due on day ``due_day`` of its first month (paid in
advance, as leases of collective assets usually are). A period cut short by the end of the lease
is still due in full: the contract says otherwise, the clerk ends the lease earlier.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Due:
    """One period of a lease: its first month (``2025-09``), due date and rent in fen."""

    period: str
    due_on: datetime.date
    rent: int


def _add_months(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + count
    return index // 12, index % 12 + 1


def periods(terms: Mapping[str, Any]) -> list[Due]:
    """Every period of a lease with ``terms`` (``start``, ``end``, ``every``, ``due_day``,
    ``rent``), in order."""
    start = datetime.date.fromisoformat(terms["start"])
    end = datetime.date.fromisoformat(terms["end"])
    every = int(terms["every"])
    found: list[Due] = []
    year, month = start.year, start.month
    while datetime.date(year, month, 1) <= end:
        day = min(int(terms["due_day"]), calendar.monthrange(year, month)[1])
        first = datetime.date(year, month, 1)
        due_on = max(datetime.date(year, month, day), start if first <= start else first)
        found.append(Due(f"{year:04d}-{month:02d}", due_on, int(terms["rent"])))
        year, month = _add_months(year, month, every)
    return found


def period_of(terms: Mapping[str, Any], period: str) -> Due | None:
    """The period of the lease beginning in month ``period``, or None."""
    for due in periods(terms):
        if due.period == period:
            return due
    return None


def outstanding(
    terms: Mapping[str, Any], received: Mapping[str, int], through: datetime.date
) -> list[tuple[Due, int]]:
    """The periods due on or before ``through`` with what is still owed on each (fen > 0)."""
    return [
        (due, due.rent - received.get(due.period, 0))
        for due in periods(terms)
        if due.due_on <= through and due.rent > received.get(due.period, 0)
    ]
