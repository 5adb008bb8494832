"""The books read model: alliances, entities, entries with their lines, and account movements
per entity and month (the basis of every trial balance)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update

from ledger.entries import JournalEntry
from ledger.money import to_fen
from projections.codes import CodeLookup
from projections.tables import (
    LEDGER_TABLES,
    account_months,
    accounts,
    alliance_members,
    alliances,
    enterprises,
    entities,
    entries,
    entry_lines,
    opening_balances,
    year_closings,
)


def _source_of(event: Any) -> str | None:
    """Entries posted inside another fact (a capital contribution, a grant) name it."""
    name = type(event).__name__
    if name == "CapitalContributed":
        return f"capital:{event.village}"
    if name == "GrantReceived":
        return f"grant:{event.programme}"
    return None


def _event_name(event: Any) -> str:
    """``Alliance.Formed`` → ``Formed``; ``VillageCollective.Registered`` stays whole, since
    both kinds of books have a ``Registered`` event."""
    qualname: str = type(event).__qualname__
    last = qualname.rsplit(".", 1)[-1]
    return qualname if last == "Registered" else last


class LedgerProjection:
    name = "ledger"
    tables = LEDGER_TABLES

    def __init__(self) -> None:
        self._code = CodeLookup()
        self._lines: list[dict[str, Any]] = []
        self._months: dict[tuple[str, str, str], list[int]] = {}
        self._handlers: dict[str, Callable[[Connection, Any, int], None]] = {
            "Formed": self._alliance_formed,
            "VillageJoined": self._village_joined,
            "VillageLeft": self._village_left,
            "EnterpriseJoined": self._enterprise_joined,
            "JointEntityRegistered": self._joint_entity_registered,
            "VillageCollective.Registered": self._village_registered,
            "JointEntity.Registered": self._joint_entity_books_registered,
            "OpeningBalancesSet": self._opening_balances_set,
            "EntryPosted": self._entry_posted,
            "CapitalContributed": self._entry_posted,
            "CapitalRefunded": self._entry_posted,
            "GrantReceived": self._entry_posted,
            "EntryReversed": self._entry_reversed,
            "MonthClosed": self._month_closed,
            "AccountOpened": self._account_opened,
            "YearClosed": self._year_closed,
            "YearReopened": self._year_reopened,
        }

    def begin_page(self, conn: Connection) -> None:
        """Entry lines and monthly movements are gathered over a page and written at its end
        (nothing reads them within the page), in as few statements as possible."""
        self._lines: list[dict[str, Any]] = []
        self._months: dict[tuple[str, str, str], list[int]] = {}

    def end_page(self, conn: Connection) -> None:
        if self._lines:
            conn.execute(insert(entry_lines), self._lines)
        for (code, account, month), (debit, credit) in sorted(self._months.items()):
            key = and_(
                account_months.c.entity_code == code,
                account_months.c.account == account,
                account_months.c.month == month,
            )
            changed = conn.execute(
                update(account_months)
                .where(key)
                .values(
                    debit_fen=account_months.c.debit_fen + debit,
                    credit_fen=account_months.c.credit_fen + credit,
                )
            )
            if changed.rowcount == 0:
                conn.execute(
                    insert(account_months).values(
                        entity_code=code,
                        account=account,
                        month=month,
                        debit_fen=debit,
                        credit_fen=credit,
                    )
                )
        self.begin_page(conn)

    def apply(self, conn: Connection, event: Any, position: int) -> None:
        handler = self._handlers.get(_event_name(event))
        if handler is not None:
            handler(conn, event, position)

    # -- alliances -----------------------------------------------------------------------------

    def _alliance_formed(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            insert(alliances).values(
                code=e.code,
                aggregate_id=str(e.originator_id),
                name=e.name,
                township=e.township,
                county=e.county,
                model=e.model,
                formed_on=e.formed_on,
            )
        )

    def _alliance_code(self, conn: Connection, e: Any) -> str:
        return self._code(conn, alliances, alliances.c.code, e)

    def _village_joined(self, conn: Connection, e: Any, position: int) -> None:
        alliance = self._alliance_code(conn, e)
        conn.execute(
            insert(alliance_members).values(
                alliance_code=alliance, village_code=e.village_code, joined_on=e.joined_on
            )
        )
        conn.execute(
            update(entities).where(entities.c.code == e.village_code).values(alliance_code=alliance)
        )

    def _village_left(self, conn: Connection, e: Any, position: int) -> None:
        alliance = self._alliance_code(conn, e)
        conn.execute(
            update(alliance_members)
            .where(
                and_(
                    alliance_members.c.alliance_code == alliance,
                    alliance_members.c.village_code == e.village_code,
                    alliance_members.c.left_on.is_(None),
                )
            )
            .values(left_on=e.left_on, reason=e.reason)
        )
        # only its membership of this alliance ends: a village an older store holds in two
        # alliances keeps the other one (issue 12)
        remaining = conn.execute(
            select(alliance_members.c.alliance_code)
            .where(
                and_(
                    alliance_members.c.village_code == e.village_code,
                    alliance_members.c.left_on.is_(None),
                )
            )
            .order_by(alliance_members.c.joined_on.desc(), alliance_members.c.alliance_code)
            .limit(1)
        ).scalar_one_or_none()
        conn.execute(
            update(entities)
            .where(entities.c.code == e.village_code)
            .values(alliance_code=remaining)
        )

    def _enterprise_joined(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            insert(enterprises).values(
                alliance_code=self._alliance_code(conn, e),
                code=e.enterprise_code,
                name=e.name,
                joined_on=e.joined_on,
            )
        )

    def _joint_entity_registered(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            update(alliances)
            .where(alliances.c.code == self._alliance_code(conn, e))
            .values(joint_entity_code=e.entity_code)
        )

    # -- books ---------------------------------------------------------------------------------

    def _village_registered(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            insert(entities).values(
                code=e.code,
                aggregate_id=str(e.originator_id),
                kind="village",
                name=e.name,
                township=e.township,
                county=e.county,
                population=e.population,
                households=e.households,
                flags=",".join(e.flags),
                registered_by=e.actor,
            )
        )

    def _joint_entity_books_registered(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            insert(entities).values(
                code=e.code,
                aggregate_id=str(e.originator_id),
                kind="joint",
                name=e.name,
                township=e.township,
                county=e.county,
                alliance_code=e.alliance_code,
                flags="",
                registered_by=e.actor,
            )
        )

    def _entity_code(self, conn: Connection, e: Any) -> str:
        return self._code(conn, entities, entities.c.code, e)

    def _opening_balances_set(self, conn: Connection, e: Any, position: int) -> None:
        code = self._entity_code(conn, e)
        conn.execute(opening_balances.delete().where(opening_balances.c.entity_code == code))
        totals: dict[str, int] = {}
        for posting in e.postings:
            totals[posting.account] = totals.get(posting.account, 0) + to_fen(posting.signed())
        for account, fen in sorted(totals.items()):
            conn.execute(
                insert(opening_balances).values(entity_code=code, account=account, balance_fen=fen)
            )
        conn.execute(update(entities).where(entities.c.code == code).values(opening_date=e.as_of))

    def _entry_posted(self, conn: Connection, e: Any, position: int) -> None:
        self._record_entry(conn, e, position, reason=None)

    def _entry_reversed(self, conn: Connection, e: Any, position: int) -> None:
        code = self._record_entry(conn, e, position, reason=e.reason)
        conn.execute(
            update(entries)
            .where(and_(entries.c.entity_code == code, entries.c.number == e.entry.reverses))
            .values(reversed_by=e.entry.number)
        )

    def _record_entry(self, conn: Connection, e: Any, position: int, *, reason: str | None) -> str:
        code = self._entity_code(conn, e)
        entry: JournalEntry = e.entry
        conn.execute(
            insert(entries).values(
                entity_code=code,
                number=entry.number,
                date=entry.date,
                memo=entry.memo,
                reverses=entry.reverses,
                reason=reason,
                source=getattr(e, "source", None) or _source_of(e),
                actor=e.actor,
                recorded_at=e.timestamp,
                total_fen=to_fen(entry.debit_total),
                position=position,
            )
        )
        month = f"{entry.date.year:04d}-{entry.date.month:02d}"
        for line, posting in enumerate(entry.postings, start=1):
            fen = to_fen(posting.amount)
            self._lines.append(
                {
                    "entity_code": code,
                    "number": entry.number,
                    "line": line,
                    "account": posting.account,
                    "side": posting.side.value,
                    "amount_fen": fen,
                    "memo": posting.memo,
                }
            )
            totals = self._months.setdefault((code, posting.account, month), [0, 0])
            totals[0 if posting.side.value == "debit" else 1] += fen
        return code

    def _month_closed(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            update(entities)
            .where(entities.c.code == self._entity_code(conn, e))
            .values(closed_through=e.month)
        )

    # -- the chart and the years of the books ----------------------------------------------

    def _account_opened(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            insert(accounts).values(
                entity_code=self._entity_code(conn, e),
                code=e.code,
                name=e.name,
                parent=e.parent,
                source=e.source,
                actor=e.actor,
                position=position,
            )
        )

    def _year_closed(self, conn: Connection, e: Any, position: int) -> None:
        code = self._entity_code(conn, e)
        values = {
            "state": "closed",
            "entries": ",".join(e.entries),
            "balances": json.dumps(e.balances, sort_keys=True, separators=(",", ":")),
            "closed_by": e.actor,
            "closed_position": position,
            "reopened_by": None,
            "reason": None,
            "reversals": None,
        }
        key = and_(year_closings.c.entity_code == code, year_closings.c.year == e.year)
        if conn.execute(update(year_closings).where(key).values(**values)).rowcount == 0:
            conn.execute(insert(year_closings).values(entity_code=code, year=e.year, **values))

    def _year_reopened(self, conn: Connection, e: Any, position: int) -> None:
        code = self._entity_code(conn, e)
        conn.execute(
            update(year_closings)
            .where(and_(year_closings.c.entity_code == code, year_closings.c.year == e.year))
            .values(
                state="reopened",
                reopened_by=e.actor,
                reason=e.reason,
                reversals=",".join(e.entries),
            )
        )
        # the red ink that undoes a closing is part of the closing's story, not ordinary
        # movement: statements leave both out of a year's income and distributions
        conn.execute(
            update(entries)
            .where(and_(entries.c.entity_code == code, entries.c.number.in_(list(e.entries))))
            .values(source=f"year-end-reopening:{e.year}")
        )
