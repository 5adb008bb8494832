"""The read model ``bank`` (bank accounts, statements, matches, reconciliations and cash counts),
from the events of ``domain.bank`` and ``domain.cash``; its queries are
``projections.bank_queries`` and the 调节表 a page prints is ``documents.bank_reconciliation``.

Rows follow the events one for one, amounts in whole fen:

- ``lz_bank_accounts`` one per account (its bank, branch, number, format, first day and opening
  balance per statement), ``lz_bank_statements`` each statement, ``lz_bank_lines`` each line of
  a statement with the match it is in (``match``, None when unmatched);
- ``lz_bank_matches`` each match (kind, note, who, undone and why), ``lz_bank_match_lines`` its
  lines on both sides (a posting as it was when matched: voucher, date, amount, 摘要);
- ``lz_bank_reconciliations`` each month's confirmed table (both balances, the adjusted one,
  the 未达账项 as JSON, who);
- ``lz_bank_formats`` the columns each township mapped for each bank;
- ``lz_cash_counts`` each 现金盘点 (pieces as JSON, counted, books, difference, its voucher, the
  two signers) and ``lz_cash_resolutions`` each settling of a difference.

The postings of the books' side are the ledger's own rows (``lz_entry_lines``), read by the
queries; nothing of them is copied here but what a match recorded.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import BigInteger, Column, Date, Integer, String, Table, Text, select

from projections.pages import PageWriter, Stored, dashed, data, fen
from projections.tables import metadata

bank_accounts = Table(
    "lz_bank_accounts",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("entity", String(32), nullable=False, index=True),
    Column("township", Text, nullable=False),
    Column("account", String(40), nullable=False),
    Column("name", Text, nullable=False),
    Column("bank", Text, nullable=False),
    Column("branch", Text, nullable=False),
    Column("number", String(40), nullable=False),
    Column("format", String(32), nullable=False),
    Column("start", Date, nullable=False),
    Column("opening_fen", BigInteger, nullable=False),
    Column("registered_by", Text, nullable=False),
)

bank_statements = Table(
    "lz_bank_statements",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("opening_fen", BigInteger, nullable=False),
    Column("closing_fen", BigInteger, nullable=False),
    Column("lines", Integer, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("format", String(32), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("actor", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
)

bank_lines = Table(
    "lz_bank_lines",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("line", String(32), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("row", Integer, nullable=False),
    Column("date", Date, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("balance_fen", BigInteger),
    Column("counterparty", Text, nullable=False),
    Column("reference", Text, nullable=False),
    Column("memo", Text, nullable=False),
    Column("match", String(16)),
)

bank_matches = Table(
    "lz_bank_matches",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("match", String(16), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("note", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("undone", Integer, nullable=False),
    Column("reason", Text),
    Column("undone_by", Text),
    Column("position", BigInteger, nullable=False),
)

bank_match_lines = Table(
    "lz_bank_match_lines",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("match", String(16), primary_key=True),
    Column("side", String(4), primary_key=True),
    Column("line", String(40), primary_key=True),
    Column("date", Date, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("entry", String(16)),
    Column("memo", Text, nullable=False),
)

bank_reconciliations = Table(
    "lz_bank_reconciliations",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("end", Date, nullable=False),
    Column("book_fen", BigInteger, nullable=False),
    Column("bank_fen", BigInteger, nullable=False),
    Column("adjusted_fen", BigInteger, nullable=False),
    Column("items", Text, nullable=False),  # JSON: kind, side, line, date, amount, memo
    Column("actor", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
)

bank_formats = Table(
    "lz_bank_formats",
    metadata,
    Column("township", String(64), primary_key=True),
    Column("bank", String(200), primary_key=True),
    Column("columns", Text, nullable=False),  # JSON: field → heading
    Column("actor", Text, nullable=False),
)

cash_counts = Table(
    "lz_cash_counts",
    metadata,
    Column("entity", String(32), primary_key=True),
    Column("number", String(24), primary_key=True),
    Column("date", Date, nullable=False),
    Column("account", String(40), nullable=False),
    Column("pieces", Text, nullable=False),  # JSON: denomination → pieces
    Column("counted_fen", BigInteger, nullable=False),
    Column("book_fen", BigInteger, nullable=False),
    Column("difference_fen", BigInteger, nullable=False),
    Column("resolved_fen", BigInteger, nullable=False),
    Column("entry", String(16)),
    Column("cashier", Text, nullable=False),
    Column("supervisor", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("actor", Text, nullable=False),
)

cash_resolutions = Table(
    "lz_cash_resolutions",
    metadata,
    Column("entity", String(32), primary_key=True),
    Column("number", String(24), primary_key=True),
    Column("entry", String(16), primary_key=True),
    Column("date", Date, nullable=False),
    Column("account", String(40), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("memo", Text, nullable=False),
    Column("actor", Text, nullable=False),
)

# the formats' aggregates: their id → township (their later events need it)
bank_format_townships = Table(
    "lz_bank_format_townships",
    metadata,
    Column("formats_id", String(36), primary_key=True),
    Column("township", String(64), nullable=False),
)

# the cash counts' books: their id → entity (every later event of them needs it)
cash_books = Table(
    "lz_cash_books",
    metadata,
    Column("counts_id", String(36), primary_key=True),
    Column("entity", String(32), nullable=False),
)

BANK_TABLES = (
    bank_accounts,
    bank_statements,
    bank_lines,
    bank_matches,
    bank_match_lines,
    bank_reconciliations,
    bank_format_townships,
    bank_formats,
    cash_books,
    cash_counts,
    cash_resolutions,
)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class BankProjection:
    """Bank accounts and cash counts, a few statements per event."""

    name = "bank"
    tables = BANK_TABLES

    def apply(self, w: PageWriter, event: Stored, position: int) -> None:
        topic = event.topic
        if topic.startswith("domain.bank:BankAccount."):
            prefix = "_account_"
        elif topic.startswith("domain.bank:StatementFormats."):
            prefix = "_formats_"
        elif topic.startswith("domain.cash:CashCounts."):
            prefix = "_cash_"
        else:
            return
        handler = getattr(self, prefix + event.name.rpartition(".")[2], None)
        if handler is not None:
            handler(w, event, dashed(event.originator_id), event.state)

    # -- accounts -----------------------------------------------------------------------------

    def _account_Registered(self, w: PageWriter, e: Stored, aid: str, s: dict[str, Any]) -> None:
        w.insert(
            bank_accounts,
            {
                "account_id": aid,
                "entity": s["entity"],
                "township": s["township"],
                "account": s["account"],
                "name": s["name"],
                "bank": s["bank"],
                "branch": s["branch"],
                "number": s["number"],
                "format": s["format"],
                "start": w.day(data(s["start"])),
                "opening_fen": fen(s["opening"]),
                "registered_by": s["actor"],
            },
        )

    def _account_StatementImported(
        self, w: PageWriter, e: Stored, aid: str, s: dict[str, Any]
    ) -> None:
        w.insert(
            bank_statements,
            {
                "account_id": aid,
                "seq": s["seq"],
                "start": w.day(data(s["start"])),
                "end": w.day(data(s["end"])),
                "opening_fen": fen(s["opening"]),
                "closing_fen": fen(s["closing"]),
                "lines": len(s["lines"]),
                "file_name": s["file_name"],
                "format": s["format"],
                "digest": s["digest"],
                "actor": s["actor"],
                "position": e.position,
            },
        )
        for line in s["lines"]:
            w.insert(
                bank_lines,
                {
                    "account_id": aid,
                    "line": line["id"],
                    "seq": s["seq"],
                    "row": line["row"],
                    "date": w.day(line["date"]),
                    "amount_fen": line["amount"],
                    "balance_fen": line["balance"],
                    "counterparty": line["counterparty"],
                    "reference": line["reference"],
                    "memo": line["memo"],
                    "match": None,
                },
            )

    def _account_Matched(self, w: PageWriter, e: Stored, aid: str, s: dict[str, Any]) -> None:
        match = s["match"]
        w.insert(
            bank_matches,
            {
                "account_id": aid,
                "match": match,
                "kind": s["kind"],
                "note": s["note"],
                "actor": s["actor"],
                "undone": 0,
                "reason": None,
                "undone_by": None,
                "position": e.position,
            },
        )
        for line_id in s["bank"]:
            w.update(bank_lines, {"account_id": aid, "line": line_id}, {"match": match})
        for line_id in s["bank"]:
            found = w.pending(bank_lines, {"account_id": aid, "line": line_id})
            if found is None:
                query = select(bank_lines.c.date, bank_lines.c.amount_fen, bank_lines.c.memo).where(
                    (bank_lines.c.account_id == aid) & (bank_lines.c.line == line_id)
                )
                row = w.execute(query).one()
                day, amount, memo = row.date, row.amount_fen, row.memo
            else:
                day, amount, memo = found["date"], found["amount_fen"], found["memo"]
            w.insert(
                bank_match_lines,
                {
                    "account_id": aid,
                    "match": match,
                    "side": "bank",
                    "line": line_id,
                    "date": day,
                    "amount_fen": amount,
                    "entry": None,
                    "memo": memo,
                },
            )
        for line in s["book"]:
            w.insert(
                bank_match_lines,
                {
                    "account_id": aid,
                    "match": match,
                    "side": "book",
                    "line": line["id"],
                    "date": w.day(line["date"]),
                    "amount_fen": line["amount"],
                    "entry": line["entry"],
                    "memo": line["memo"],
                },
            )

    def _account_MatchUndone(self, w: PageWriter, e: Stored, aid: str, s: dict[str, Any]) -> None:
        match = s["match"]
        w.update(
            bank_matches,
            {"account_id": aid, "match": match},
            {"undone": 1, "reason": s["reason"], "undone_by": s["actor"]},
        )
        query = select(bank_match_lines.c.line).where(
            (bank_match_lines.c.account_id == aid)
            & (bank_match_lines.c.match == match)
            & (bank_match_lines.c.side == "bank")
        )
        for (line_id,) in w.execute(query).all():
            w.update(bank_lines, {"account_id": aid, "line": line_id}, {"match": None})

    def _account_MonthReconciled(
        self, w: PageWriter, e: Stored, aid: str, s: dict[str, Any]
    ) -> None:
        key = {"account_id": aid, "month": s["month"]}
        values = {
            "end": w.day(data(s["end"])),
            "book_fen": fen(s["book_balance"]),
            "bank_fen": fen(s["bank_balance"]),
            "adjusted_fen": fen(s["adjusted"]),
            "items": _json(s["items"]),
            "actor": s["actor"],
            "position": e.position,
        }
        w.execute(
            bank_reconciliations.delete().where(
                (bank_reconciliations.c.account_id == aid)
                & (bank_reconciliations.c.month == s["month"])
            )
        )
        w.insert(bank_reconciliations, {**key, **values})

    # -- formats ------------------------------------------------------------------------------

    def _formats_Opened(self, w: PageWriter, e: Stored, fid: str, s: dict[str, Any]) -> None:
        w.insert(bank_format_townships, {"formats_id": fid, "township": s["township"]})

    def _formats_Remembered(self, w: PageWriter, e: Stored, fid: str, s: dict[str, Any]) -> None:
        found = w.pending(bank_format_townships, {"formats_id": fid})
        if found is not None:
            township = str(found["township"])
        else:
            query = select(bank_format_townships.c.township).where(
                bank_format_townships.c.formats_id == fid
            )
            township = str(w.execute(query).scalar_one())
        w.execute(
            bank_formats.delete().where(
                (bank_formats.c.township == township) & (bank_formats.c.bank == s["bank"])
            )
        )
        w.insert(
            bank_formats,
            {
                "township": township,
                "bank": s["bank"],
                "columns": _json(s["columns"]),
                "actor": s["actor"],
            },
        )

    # -- cash counts --------------------------------------------------------------------------

    def _cash_Opened(self, w: PageWriter, e: Stored, cid: str, s: dict[str, Any]) -> None:
        w.insert(cash_books, {"counts_id": cid, "entity": s["entity"]})

    def _cash_entity(self, w: PageWriter, cid: str) -> str:
        found = w.pending(cash_books, {"counts_id": cid})
        if found is not None:
            return str(found["entity"])
        query = select(cash_books.c.entity).where(cash_books.c.counts_id == cid)
        return str(w.execute(query).scalar_one())

    def _cash_Counted(self, w: PageWriter, e: Stored, cid: str, s: dict[str, Any]) -> None:
        w.insert(
            cash_counts,
            {
                "entity": self._cash_entity(w, cid),
                "number": s["number"],
                "date": w.day(data(s["date"])),
                "account": s["account"],
                "pieces": _json(s["pieces"]),
                "counted_fen": fen(s["counted"]),
                "book_fen": fen(s["book"]),
                "difference_fen": fen(s["difference"]),
                "resolved_fen": 0,
                "entry": s.get("entry"),
                "cashier": s["cashier"],
                "supervisor": s["supervisor"],
                "note": s["note"],
                "actor": s["actor"],
            },
        )

    def _cash_Resolved(self, w: PageWriter, e: Stored, cid: str, s: dict[str, Any]) -> None:
        entity = self._cash_entity(w, cid)
        amount = fen(s["amount"])
        w.insert(
            cash_resolutions,
            {
                "entity": entity,
                "number": s["number"],
                "entry": s["entry"],
                "date": w.day(data(s["date"])),
                "account": s["account"],
                "amount_fen": amount,
                "memo": s["memo"],
                "actor": s["actor"],
            },
        )
        key = {"entity": entity, "number": s["number"]}
        found = w.pending(cash_counts, key)
        if found is not None:
            found["resolved_fen"] += amount
            return
        w.execute(
            cash_counts.update()
            .where((cash_counts.c.entity == entity) & (cash_counts.c.number == s["number"]))
            .values(resolved_fen=cash_counts.c.resolved_fen + amount)
        )
