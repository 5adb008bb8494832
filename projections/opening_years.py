"""The year's figures of books set up during a year (建账, ``domain/books/setup.py``), as the
read side counts them (table ``lz_opening_years``).

Books that start on 1 July hold their 期初余额 of 1 July (``lz_opening_balances``); their year
began on 1 January. For the year's statements the figures before 1 July count as if they had
been kept here: every period read from the monthly movements starts from the 年初余额 instead
of the 期初余额, and the 本年累计 of each account is a movement of June, the month before the
books' first (``queries.trial_balance_between``, ``ledger_queries.month_movements``). A period
after June reads the same either way (年初余额 + June's movement = 期初余额); a period from
January on has the year's 年初数 and the whole year's movements. What reads entries rather
than monthly movements adds them itself: the 明细账 as a first line (:func:`before_rows`), the
income statement's distributions (what 322 moved before the books, :func:`before_books`)."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, select

from ledger.account_books import month_end
from projections.tables import opening_years


@dataclass(frozen=True)
class OpeningYear:
    """The year's figures of one entity: ``month`` (the month before its books' first, which
    takes the movements before them), the balance of each account at the year's start (fen,
    debit positive) and its debits and credits of the year before the books' first month."""

    month: str
    year_start: dict[str, int]
    moves: dict[str, tuple[int, int]]

    def covers(self, first_month: str, last_month: str) -> bool:
        """Whether the months ``first_month`` … ``last_month`` take the year's movements."""
        return first_month <= self.month <= last_month

    def summed(self, wanted: str) -> tuple[int, int]:
        """Debits and credits (fen) of ``wanted``: a chart account with its sub-accounts, a
        sub-account alone."""
        debit = credit = 0
        for account, (d, c) in self.moves.items():
            if account == wanted or (len(wanted) == 3 and account.startswith(wanted)):
                debit += d
                credit += c
        return debit, credit


def opening_year(conn: Connection, code: str) -> OpeningYear | None:
    """The year's figures of ``code``'s books (None: they were not set up during a year)."""
    rows = list(conn.execute(select(opening_years).where(opening_years.c.entity_code == code)))
    if not rows:
        return None
    return OpeningYear(
        month=rows[0].month,
        year_start={r.account: int(r.year_start_fen) for r in rows},
        moves={
            r.account: (int(r.debit_fen), int(r.credit_fen))
            for r in rows
            if r.debit_fen or r.credit_fen
        },
    )


def before_books(
    conn: Connection, code: str, account: str, first_month: str, last_month: str
) -> tuple[str, int, int] | None:
    """The year's movements before ``code``'s books on ``account`` (a chart account with its
    sub-accounts) — (the month they are counted in, debits, credits; fen) — when the months
    ``first_month`` … ``last_month`` take them and they are not nothing: the line a 明细账 of
    such a period prints first (``建账前本年累计``)."""
    year = opening_year(conn, code)
    if year is None or not year.covers(first_month, last_month):
        return None
    debit, credit = year.summed(account)
    return (year.month, debit, credit) if debit or credit else None


BEFORE_BOOKS = "建账前本年累计"  # the memo of that line


def year_lines(conn: Connection, code: str, first_month: str, last_month: str) -> list[Any]:
    """The year's figures before ``code``'s books as entry lines, when the months
    ``first_month`` … ``last_month`` take them: per account a debit and a credit line (those not
    nothing), dated the last day of the month they are counted in, numbered ``建账``, 摘要
    :data:`BEFORE_BOOKS`, source ``setup`` (what a 明细账 or a 三公开 sheet lists first)."""
    year = opening_year(conn, code)
    if year is None or not year.covers(first_month, last_month):
        return []
    day = month_end(year.month)
    return [
        SimpleNamespace(
            date=day,
            number="建账",
            memo=BEFORE_BOOKS,
            source="setup",
            actor="",
            reverses=None,
            account=account,
            side=side,
            amount_fen=fen,
        )
        for account, (debit, credit) in sorted(year.moves.items())
        for side, fen in (("debit", debit), ("credit", credit))
        if fen
    ]


def before_rows(
    conn: Connection, code: str, account: str, first_month: str, last_month: str
) -> list[Any]:
    """:func:`year_lines` on ``account`` (a chart account with its sub-accounts), summed: a
    debit line and a credit line, as a 明细账 prints them."""
    before = before_books(conn, code, account, first_month, last_month)
    if before is None:
        return []
    day = month_end(before[0])
    return [
        SimpleNamespace(
            date=day, number="建账", memo=BEFORE_BOOKS, account=account, side=side, amount_fen=fen
        )
        for side, fen in (("debit", before[1]), ("credit", before[2]))
        if fen
    ]
