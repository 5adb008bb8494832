"""The books read model: alliances, entities, entries with their lines, and account movements
per entity and month (the basis of every trial balance)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, select, update

from ledger.money import to_fen
from projections.codes import CodeLookup
from projections.pages import PageWriter, Stored, data, fen
from projections.tables import (
    LEDGER_TABLES,
    account_kinds,
    account_months,
    accounts,
    alliance_members,
    alliances,
    enterprises,
    entities,
    entries,
    entry_lines,
    opening_balances,
    opening_years,
    year_closings,
)


def _source_of(name: str, state: dict[str, Any]) -> str | None:
    """Entries posted inside another fact (a capital contribution, a grant) name it."""
    if name == "CapitalContributed":
        return f"capital:{state['village']}"
    if name == "GrantReceived":
        return f"grant:{state['programme']}"
    return None


def _event_name(event: Stored) -> str:
    """``Alliance.Formed`` → ``Formed``; ``VillageCollective.Registered`` stays whole, since
    both kinds of books have a ``Registered`` event."""
    last = event.name.rsplit(".", 1)[-1]
    return event.name if last == "Registered" else last


_LINE = ("entity_code", "number", "line", "account", "side", "amount_fen", "memo")
# an entry's row as a tuple for the page's writer (``PageWriter.append``): an update of it later
# in the page (a reversal, a year reopened) is then written after the page's inserts
_ENTRY = (
    "entity_code", "number", "date", "memo", "reverses", "reversed_by", "reason", "source",
    "actor", "recorded_at", "total_fen", "position",
)  # fmt: skip

_SQLITE_UPSERT = (
    "INSERT INTO lz_account_months (entity_code, account, month, debit_fen, credit_fen) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (entity_code, account, month) DO UPDATE SET "
    "debit_fen = debit_fen + excluded.debit_fen, credit_fen = credit_fen + excluded.credit_fen"
)


def _postgres_upsert(writer: PageWriter) -> str:
    """PostgreSQL: the page's movements as five arrays, one statement (an executemany pays a
    round of the protocol per row); the keys of a page are distinct, as ``ON CONFLICT`` needs."""
    table = writer.conn.dialect.identifier_preparer.format_table(account_months)
    return (
        f"INSERT INTO {table} AS m (entity_code, account, month, debit_fen, credit_fen) "
        "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::bigint[], %s::bigint[]) "
        "ON CONFLICT (entity_code, account, month) DO UPDATE SET "
        "debit_fen = m.debit_fen + excluded.debit_fen, "
        "credit_fen = m.credit_fen + excluded.credit_fen"
    )


class LedgerProjection:
    """Frequent events (entries, reversals, month closings, accounts) are read from their
    stored fields; the rare ones (registrations, memberships, closings) from the decoded
    event. Rows go through the page's writer (``projections.pages``)."""

    name = "ledger"
    tables = LEDGER_TABLES

    def __init__(self) -> None:
        self._code = CodeLookup()
        self._months: dict[tuple[str, str, str], list[int]] = {}
        self._handlers: dict[str, Callable[[PageWriter, Stored, int], None]] = {
            "Formed": self._alliance_formed,
            "VillageJoined": self._village_joined,
            "VillageLeft": self._village_left,
            "EnterpriseJoined": self._enterprise_joined,
            "JointEntityRegistered": self._joint_entity_registered,
            "VillageCollective.Registered": self._village_registered,
            "JointEntity.Registered": self._joint_entity_books_registered,
            "OpeningBalancesSet": self._opening_balances_set,
            "YearFiguresRecorded": self._year_figures_recorded,
            "EntryPosted": self._entry_posted,
            "VouchersPosted": self._vouchers_posted,
            "CapitalContributed": self._entry_posted,
            "CapitalRefunded": self._entry_posted,
            "GrantReceived": self._entry_posted,
            "EntryReversed": self._entry_reversed,
            "MonthClosed": self._month_closed,
            "MonthReopened": self._month_reopened,
            "AccountOpened": self._account_opened,
            "AccountRenamed": self._account_renamed,
            "AccountRetired": self._account_retired,
            "AccountClassified": self._account_classified,
            "YearClosed": self._year_closed,
            "YearReopened": self._year_reopened,
        }

    def begin_page(self, w: PageWriter) -> None:
        """Monthly movements are summed over a page in whole fen and added at its end, one
        statement for the page (nothing reads them within the page)."""
        self._months = {}

    def end_page(self, w: PageWriter) -> None:
        if self._months:
            rows = [(*key, debit, credit) for key, (debit, credit) in sorted(self._months.items())]
            w.flush()
            if w.conn.dialect.name == "sqlite":  # the driver's executemany, rows as tuples
                w.conn.exec_driver_sql(_SQLITE_UPSERT, rows)
            else:
                w.conn.exec_driver_sql(
                    _postgres_upsert(w), tuple(map(list, zip(*rows, strict=True)))
                )
            w.statements += 1
        self._months = {}

    def apply(self, w: PageWriter, event: Stored, position: int) -> None:
        handler = self._handlers.get(_event_name(event))
        if handler is not None:
            handler(w, event, position)

    # -- alliances -----------------------------------------------------------------------------

    def _alliance_formed(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        self._code.remember(ev.originator_id, e.code)
        w.insert(
            alliances,
            {
                "code": e.code,
                "aggregate_id": ev.originator_id,
                "name": e.name,
                "township": e.township,
                "county": e.county,
                "model": e.model,
                "formed_on": e.formed_on,
            },
        )

    def _alliance_code(self, w: PageWriter, e: Stored) -> str:
        return self._code(w, alliances, alliances.c.code, e)

    def _village_joined(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        alliance = self._alliance_code(w, ev)
        w.insert(
            alliance_members,
            {"alliance_code": alliance, "village_code": e.village_code, "joined_on": e.joined_on},
        )
        w.update(entities, {"code": e.village_code}, {"alliance_code": alliance})

    def _village_left(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        alliance = self._alliance_code(w, ev)
        w.execute(
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
        # alliances keeps the other one (not dropped from both)
        remaining = w.execute(
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
        w.update(entities, {"code": e.village_code}, {"alliance_code": remaining})

    def _enterprise_joined(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        w.insert(
            enterprises,
            {
                "alliance_code": self._alliance_code(w, ev),
                "code": e.enterprise_code,
                "name": e.name,
                "joined_on": e.joined_on,
            },
        )

    def _joint_entity_registered(self, w: PageWriter, ev: Stored, position: int) -> None:
        w.update(
            alliances,
            {"code": self._alliance_code(w, ev)},
            {"joint_entity_code": ev.event.entity_code},
        )

    # -- books ---------------------------------------------------------------------------------

    def _village_registered(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        self._code.remember(ev.originator_id, e.code)
        w.insert(
            entities,
            {
                "code": e.code,
                "aggregate_id": ev.originator_id,
                "kind": "village",
                "name": e.name,
                "township": e.township,
                "county": e.county,
                "alliance_code": None,
                "population": e.population,
                "households": e.households,
                "flags": ",".join(e.flags),
                "opening_date": None,
                "closed_through": None,
                "registered_by": e.actor,
            },
        )

    def _joint_entity_books_registered(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        self._code.remember(ev.originator_id, e.code)
        w.insert(
            entities,
            {
                "code": e.code,
                "aggregate_id": ev.originator_id,
                "kind": "joint",
                "name": e.name,
                "township": e.township,
                "county": e.county,
                "alliance_code": e.alliance_code,
                "population": None,
                "households": None,
                "flags": "",
                "opening_date": None,
                "closed_through": None,
                "registered_by": e.actor,
            },
        )

    def _entity_code(self, w: PageWriter, e: Stored) -> str:
        return self._code(w, entities, entities.c.code, e)

    def _opening_balances_set(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        code = self._entity_code(w, ev)
        w.delete(opening_balances, {"entity_code": code})
        totals: dict[str, int] = {}
        for posting in e.postings:
            totals[posting.account] = totals.get(posting.account, 0) + to_fen(posting.signed())
        for account, amount in sorted(totals.items()):
            w.insert(
                opening_balances, {"entity_code": code, "account": account, "balance_fen": amount}
            )
        w.update(entities, {"code": code}, {"opening_date": e.as_of})
        w.delete(opening_years, {"entity_code": code})  # a 建账's year figures, replaced

    def _year_figures_recorded(self, w: PageWriter, ev: Stored, position: int) -> None:
        """建账 during a year: the year's figures before the books' first month, counted in the
        month before it."""
        e = ev.event
        code = self._entity_code(w, ev)
        year, number = e.as_of.year, e.as_of.month
        month = f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"
        w.delete(opening_years, {"entity_code": code})
        for account in sorted({*e.year_start, *e.debits, *e.credits}):
            w.insert(
                opening_years,
                {
                    "entity_code": code,
                    "account": account,
                    "month": month,
                    "year_start_fen": int(e.year_start.get(account, 0)),
                    "debit_fen": int(e.debits.get(account, 0)),
                    "credit_fen": int(e.credits.get(account, 0)),
                },
            )

    def _entry_posted(self, w: PageWriter, ev: Stored, position: int) -> None:
        self._record_entry(w, ev, position, reason=None)

    def _entry_reversed(self, w: PageWriter, ev: Stored, position: int) -> None:
        code, entry = self._record_entry(w, ev, position, reason=ev.state["reason"])
        w.update(
            entries,
            {"entity_code": code, "number": entry["reverses"]},
            {"reversed_by": entry["number"]},
        )

    def _record_entry(
        self, w: PageWriter, ev: Stored, position: int, *, reason: str | None
    ) -> tuple[str, dict[str, Any]]:
        """An entry, its lines and its month's movements, from the stored fields."""
        code = self._entity_code(w, ev)
        state = ev.state
        entry = state["entry"]["_data_"]
        number = entry["number"]
        day = data(entry["date"])
        debit_total = 0
        months = self._months
        month = day[:7]
        for line, item in enumerate(entry["postings"], start=1):
            posting = item["_data_"]
            amount = fen(posting["amount"])
            account = posting["account"]
            side = posting["side"]
            w.append(
                entry_lines, _LINE, (code, number, line, account, side, amount, posting["memo"])
            )
            totals = months.get((code, account, month))
            if totals is None:
                totals = months[(code, account, month)] = [0, 0]
            if side == "debit":
                totals[0] += amount
                debit_total += amount
            else:
                totals[1] += amount
        ev.total = debit_total
        w.append(
            entries,
            _ENTRY,
            (
                code,
                number,
                w.day(day),
                entry["memo"],
                entry["reverses"],
                None,
                reason,
                state.get("source") or _source_of(ev.name.rsplit(".", 1)[-1], state),
                state["actor"],
                w.moment(state["timestamp"]["_data_"]),
                debit_total,
                position,
            ),
        )
        return code, entry

    def _vouchers_posted(self, w: PageWriter, ev: Stored, position: int) -> None:
        """Many vouchers in one event (``domain/books/batch.py``): each an entry, its lines and
        its month's movements, as an ``EntryPosted`` of it gives them; one pass over the
        vouchers, rows built as tuples and handed to the writer once per event."""
        code = self._entity_code(w, ev)
        state = ev.state
        actor = state["actor"]
        recorded_at = w.moment(state["timestamp"]["_data_"])
        day_of = w.day
        months = self._months
        found = months.get
        lines: list[tuple[Any, ...]] = []
        line_row = lines.append
        rows: list[tuple[Any, ...]] = []
        entry_row = rows.append
        everything = 0
        for number, day, memo, items in state["vouchers"]:
            month = day[:7]
            debit_total = 0
            line = 0
            for item in items:
                line += 1
                account = item[0]
                debit = item[1]
                key = (code, account, month)
                totals = found(key)
                if totals is None:
                    totals = months[key] = [0, 0]
                text = item[3] if len(item) > 3 else ""
                if debit:
                    totals[0] += debit
                    debit_total += debit
                    line_row((code, number, line, account, "debit", debit, text))
                else:
                    credit = item[2]
                    totals[1] += credit
                    line_row((code, number, line, account, "credit", credit, text))
            everything += debit_total
            entry_row(
                (code, number, day_of(day), memo, None, None, None, None, actor, recorded_at,
                 debit_total, position)
            )  # fmt: skip
        w.extend(entry_lines, _LINE, lines)
        w.extend(entries, _ENTRY, rows)
        ev.total = everything

    def _month_closed(self, w: PageWriter, ev: Stored, position: int) -> None:
        w.update(
            entities, {"code": self._entity_code(w, ev)}, {"closed_through": ev.state["month"]}
        )

    def _month_reopened(self, w: PageWriter, ev: Stored, position: int) -> None:
        """反结账: closed through the month before (None: nothing closed any more)."""
        w.update(
            entities,
            {"code": self._entity_code(w, ev)},
            {"closed_through": ev.state["closed_through"]},
        )

    # -- the chart and the years of the books ----------------------------------------------

    def _account_opened(self, w: PageWriter, ev: Stored, position: int) -> None:
        state = ev.state
        w.insert(
            accounts,
            {
                "entity_code": self._entity_code(w, ev),
                "code": state["code"],
                "name": state["name"],
                "parent": state["parent"],
                "source": state.get("source"),
                "actor": state["actor"],
                "position": position,
            },
        )

    def _account_renamed(self, w: PageWriter, ev: Stored, position: int) -> None:
        """A new name; a sub-account older books used without opening it gets its row."""
        state = ev.state
        code = self._entity_code(w, ev)
        key = and_(accounts.c.entity_code == code, accounts.c.code == state["code"])
        if w.execute(update(accounts).where(key).values(name=state["name"])).rowcount == 0:
            w.insert(
                accounts,
                {
                    "entity_code": code,
                    "code": state["code"],
                    "name": state["name"],
                    "parent": state["code"][:3],
                    "source": None,
                    "actor": state["actor"],
                    "position": position,
                },
            )

    def _account_retired(self, w: PageWriter, ev: Stored, position: int) -> None:
        key = {"entity_code": self._entity_code(w, ev), "code": ev.state["code"]}
        w.delete(accounts, key)
        w.delete(account_kinds, key)

    def _account_classified(self, w: PageWriter, ev: Stored, position: int) -> None:
        state = ev.state
        key = {"entity_code": self._entity_code(w, ev), "code": state["code"]}
        w.delete(account_kinds, key)
        w.insert(account_kinds, {**key, "kind": state["kind"]})

    def _year_closed(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        code = self._entity_code(w, ev)
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
        if w.execute(update(year_closings).where(key).values(**values)).rowcount == 0:
            w.insert(year_closings, {"entity_code": code, "year": e.year, **values})

    def _year_reopened(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        code = self._entity_code(w, ev)
        w.update(
            year_closings,
            {"entity_code": code, "year": e.year},
            {
                "state": "reopened",
                "reopened_by": e.actor,
                "reason": e.reason,
                "reversals": ",".join(e.entries),
            },
        )
        # the red ink that undoes a closing is part of the closing's story, not ordinary
        # movement: statements leave both out of a year's income and distributions
        for number in e.entries:
            w.update(
                entries,
                {"entity_code": code, "number": number},
                {"source": f"year-end-reopening:{e.year}"},
            )
