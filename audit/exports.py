"""Exports for auditors: the whole log as JSON Lines (and its import into an empty store), and
each entity's books as a Beancount and an hledger journal.

JSON Lines: one event per line, in log order, each the canonical event of ``audit.chain``
plus its ``position`` and chain ``hash``, written canonically (sorted keys, UTF-8). Anyone can
check the file with ``scripts/verify_export`` (one folder, standard library only).

Journals: one file per entity; accounts are named by category and chart code (``Assets:C102``,
``Liabilities:C211H01``, ``Income:C502``), with the Chinese name in an ``open`` comment; one
transaction per entry (the opening balances first), debits positive and credits negative, in
CNY. Red-ink reversals are transactions with negative amounts on the original's sides. The
entries of 三资 operations carry their source as a tag: hledger ``; project:XM2025-NC`` (query
``tag:project=XM2025-NC``), Beancount ``#project-XM2025-NC`` with ``source: "project:XM2025-NC"``
(also ``asset:GZ-001`` and ``depreciation:2025-09``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from audit.chain import GENESIS, chain_hash, notification_event
from audit.chain_table import signed_rows
from audit.checkpoints import make_checkpoint
from audit.keys import ChainError, PublicKey
from audit.restore import ExportError, Restored, restore
from audit.running_store import RunningStore
from ledger.accounts import Category, ChartOfAccounts, Side
from ledger.canonical import canonical_bytes
from ledger.money import amount_str, from_fen
from projections.chart_view import entity_chart
from projections.tables import entities, entries, entry_lines, opening_balances

EXPORT = "lianzhang-events"


# What an export reads of a running store: the application's event log, the engine, the read
# models and the key that signs the closing checkpoint.
Exported = RunningStore


# -- the log ---------------------------------------------------------------------------------


def export_events(runtime: Exported) -> Iterator[bytes]:
    """Every stored event as one canonical JSON line with its position and chain hash (the last
    event of each save also with the signature written with it: ``signature``, ``key_id``,
    ``seal``), then one closing line ``{"export": "lianzhang-events", "events", "position",
    "hash", "checkpoint"}`` whose signed checkpoint lets a verifier see the file was not cut."""
    previous = GENESIS
    start = count = 0
    while page := runtime.app.recorder.select_notifications(
        start=start, limit=1000, inclusive_of_start=False
    ):
        with runtime.engine.connect() as conn:
            rows = signed_rows(conn, start, page[-1].id)
        for notification in page:
            event = notification_event(notification)
            previous = chain_hash(previous, event)
            record = {**event, "position": notification.id, "hash": previous}
            row = rows.get(notification.id)
            if row is not None and row["signature"] is not None:
                record.update(seal=row["kind"], key_id=row["key_id"], signature=row["signature"])
            yield canonical_bytes(record) + b"\n"
            count += 1
        start = page[-1].id
    try:
        checkpoint = make_checkpoint(runtime.engine, runtime.app.recorder, runtime.signer, start)
    except ChainError:
        checkpoint = None  # the store does not match its signed chain: say so, vouch for nothing
    closing = {"export": EXPORT, "events": count, "position": start, "hash": previous}
    yield canonical_bytes({**closing, "checkpoint": checkpoint}) + b"\n"


def read_export(lines: Iterable[bytes]) -> list[dict[str, Any]]:
    """Parse and check an export: valid JSON on every line, an unbroken chain, and a closing
    line that counts the events and states the last hash (a file cut short has none)."""
    return read_export_records(lines)[0]


def read_export_records(
    lines: Iterable[bytes],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """The events, the whole records (with position, hash and signature fields) and the
    closing line of an export, once every line parses and every hash follows."""
    previous = GENESIS
    events: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    last_position = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record = None
        try:
            record = json.loads(line)
            event = {
                k: record[k] for k in ("originator_id", "originator_version", "topic", "state")
            }
            position = int(record["position"])
        except (ValueError, KeyError, TypeError) as error:
            if isinstance(record, dict) and record.get("export") == EXPORT:
                if record.get("events") != len(events) or record.get("hash") != previous:
                    raise ExportError(
                        f"line {number}: the closing line does not match the events before it"
                    ) from None
                return events, records, record
            raise ExportError(f"line {number}: not an exported event ({error})") from None
        previous = chain_hash(previous, event)
        if record.get("hash") != previous:
            raise ExportError(
                f"line {number}: the chain breaks here (hash {str(record.get('hash'))[:12]}…, "
                f"computed {previous[:12]}…): the file was altered at or before this line"
            )
        if position <= last_position:
            raise ExportError(f"line {number}: position {position} does not come after the last")
        last_position = position
        events.append(event)
        records.append(record)
    raise ExportError(
        "the export has no closing line: it was cut short (or made before exports had one); "
        "nothing was imported"
    )


def import_events(
    runtime: Restored, lines: Iterable[bytes], trusted: Sequence[PublicKey] = ()
) -> int:
    """Restore an export into an empty store (``audit.restore``): refused unless its
    chain and every signature verify with a key in ``trusted``."""
    events, records, closing = read_export_records(lines)
    return restore(runtime, events, records, closing, trusted)


# -- journals --------------------------------------------------------------------------------

ROOTS = {
    Category.ASSET: "Assets",
    Category.LIABILITY: "Liabilities",
    Category.EQUITY: "Equity",
    Category.COST: "Assets",
}


def account_name(code: str) -> str:
    account = ChartOfAccounts.standard().get(code)
    if account.category is Category.PROFIT_LOSS:
        root = "Income" if account.normal_side is Side.CREDIT else "Expenses"
    else:
        root = ROOTS[account.category]
    return f"{root}:C{code}"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


Transaction = tuple[str, str, list[tuple[str, str]], str | None]  # day, narration, postings, tag

# Sources of the 三资 operations, carried by the journals as a tag (hledger ``project:XM2025-NC``,
# Beancount ``#project-XM2025-NC`` and ``source: "project:XM2025-NC"``): a project's costs,
# completion and income, an asset's booking, disposal and rent, a month's depreciation run.
TAGGED = ("project:", "asset:", "depreciation:")


def _tag(source: str | None) -> str | None:
    return source if source and source.startswith(TAGGED) else None


def _transactions(conn: Connection, code: str) -> tuple[str, list[Transaction]]:
    entity = conn.execute(select(entities).where(entities.c.code == code)).mappings().first()
    if entity is None:
        raise ExportError(f"entity {code} does not exist")
    opening = [
        (r.account, amount_str(from_fen(r.balance_fen)))
        for r in conn.execute(
            select(opening_balances)
            .where(opening_balances.c.entity_code == code)
            .order_by(opening_balances.c.account)
        )
        if r.balance_fen
    ]
    out: list[Transaction] = []
    if opening:
        out.append((str(entity["opening_date"]), "期初余额", opening, None))
    lines: dict[str, list[tuple[str, str]]] = {}
    for r in conn.execute(
        select(entry_lines)
        .where(entry_lines.c.entity_code == code)
        .order_by(entry_lines.c.number, entry_lines.c.line)
    ):
        fen = r.amount_fen if r.side == "debit" else -r.amount_fen
        lines.setdefault(r.number, []).append((r.account, amount_str(from_fen(fen))))
    for r in conn.execute(
        select(entries.c.number, entries.c.date, entries.c.memo, entries.c.source)
        .where(entries.c.entity_code == code)
        .order_by(entries.c.date, entries.c.number)
    ):
        out.append((r.date.isoformat(), f"{r.number} {r.memo}", lines[r.number], _tag(r.source)))
    return str(entity["name"]), out


def _accounts(transactions: list[Transaction]) -> dict[str, str]:
    first: dict[str, str] = {}
    for day, _, postings, _ in transactions:
        for account, _ in postings:
            first.setdefault(account, day)
    return dict(sorted(first.items()))


def beancount_journal(conn: Connection, code: str) -> str:
    name, transactions = _transactions(conn, code)
    chart = entity_chart(conn, code, stored=True)  # a file that leaves: names as opened
    out = [f'option "title" {_quote(f"{code} {name}")}', 'option "operating_currency" "CNY"', ""]
    for account, day in _accounts(transactions).items():
        out.append(f"{day} open {account_name(account)} CNY ; {chart.get(account).name}")
    for day, narration, postings, tag in transactions:
        out.append("")
        if tag is None:
            out.append(f"{day} * {_quote(narration)}")
        else:  # a tag (#project-XM2025-NC) and the source as metadata
            out.append(f"{day} * {_quote(narration)} #{tag.replace(':', '-')}")
            out.append(f"  source: {_quote(tag)}")
        for account, amount in postings:
            out.append(f"  {account_name(account):<28} {amount:>18} CNY")
    return "\n".join(out) + "\n"


def hledger_journal(conn: Connection, code: str) -> str:
    name, transactions = _transactions(conn, code)
    chart = entity_chart(conn, code, stored=True)  # a file that leaves: names as opened
    out = [f"; {code} {name}", "commodity 1,000.00 CNY", ""]
    for account in _accounts(transactions):
        out.append(f"account {account_name(account)}  ; {chart.get(account).name}")
    for day, narration, postings, tag in transactions:
        out.append("")
        described = f"{day} {narration.replace(';', '；')}"
        out.append(described if tag is None else f"{described}  ; {tag}")  # an hledger tag
        for account, amount in postings:
            out.append(f"    {account_name(account):<28}  {amount} CNY")
    return "\n".join(out) + "\n"


def export_journals(runtime: Exported, directory: Path, kind: str) -> list[Path]:
    """One journal per entity into ``directory``; returns the files written."""
    runtime.views.catch_up()
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    suffix, render = {
        "beancount": (".beancount", beancount_journal),
        "hledger": (".journal", hledger_journal),
    }[kind]
    with runtime.engine.connect() as conn:
        codes = list(conn.execute(select(entities.c.code).order_by(entities.c.code)).scalars())
        for code in codes:
            path = directory / f"{code}{suffix}"
            path.write_text(render(conn, code), encoding="utf-8")
            written.append(path)
    return written
