"""The vouchers read model: one row per voucher (``lz_vouchers``), and its queries.

Actors are kept as recorded (``preparer``, ``reviewer``, ``poster``: who posted it, 记账 —
with 审核即记账 its reviewer —, each step's ``actor``); the queries add what to show for them
(``preparer_name``, ``reviewer_name``, ``poster_name``, ``actor_name``: 姓名 from
``projections.people_view``). A voucher made by a file imported for review names its import
(``import_id``): the batch review page lists an import's vouchers (``import_id=`` of
``voucher_list``) with their totals (``projections.voucher_batches``).

``voucher_list`` is what the workbench's lists and the API's listing read (by township, status,
entity, preparer); ``voucher_detail`` adds the lines with the account names of the entity's
chart, the attachments and the status history, and the corrections read from that history (no
columns of their own): what a red-ink or correcting voucher cites (``cites``), a posted
voucher's red-ink voucher (``reversal``), a voided voucher's reason (status ``voided``). A
posted voucher's row names its entry (``posted_number``), so an entry's print finds the voucher
that posted it (``voucher_for_entry``).

Vouchers are few next to entries: each event is applied with its own statements through the
page writer's ``execute`` (which flushes what the page holds before it), reading the decoded
event.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    or_,
    select,
    update,
)

from domain.vouchers import STATUS_LABELS, STEP_LABELS
from ledger.capitals import to_capitals
from ledger.money import ZERO, amount_str, from_fen, money, to_fen
from ledger.voucher_numbers import search_key
from projections.chart_view import entity_chart
from projections.pages import PageWriter, Stored, dashed
from projections.people_view import display_actor, display_names
from projections.tables import entities, metadata

vouchers = Table(
    "lz_vouchers",
    metadata,
    Column("id", String(32), primary_key=True),  # the voucher's uuid as 32 hex digits (draft)
    Column("entity", String(32), nullable=False),
    Column("township", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("date", Date, nullable=False),
    Column("summary", Text, nullable=False),
    Column("total_fen", BigInteger, nullable=False),
    Column("preparer", Text, nullable=False),
    Column("reviewer", Text),
    Column("posted_number", String(16)),
    Column("returned_reason", Text),
    Column("attachment_count", Integer, nullable=False),
    Column("lines", Text, nullable=False),  # JSON: [{account, debit, credit, memo}]
    Column("attachments", Text, nullable=False),  # JSON: [{sha256, name, media_type, size}]
    Column("history", Text, nullable=False),  # JSON: [{what, actor, at}]
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_position", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("lz_vouchers_entity_number", "entity", "posted_number"),
    Index("lz_vouchers_township_status", "township", "status"),
)

# Who posted a voucher (``Posted``) and the import that made it (``Imported``), beside
# ``lz_vouchers``: a table of its own, so read models built before it still read
# and a rebuild of old events writes nothing here. A posted voucher without a row was posted
# by its reviewer's approval (``Approved``: 审核即记账).
voucher_posting = Table(
    "lz_voucher_posting",
    metadata,
    Column("id", String(32), primary_key=True),  # the voucher's id, as in lz_vouchers
    Column("poster", Text),  # who posted it (记账); with 审核即记账 its reviewer
    Column("import_id", String(64)),  # the import that made it, submitted for review
    Index("lz_voucher_posting_import", "import_id"),
)

VOUCHER_TABLES = (vouchers, voucher_posting)
# a voucher's row with who posted it and its import (outer join: older rows have none)
WITH_POSTING = vouchers.outerjoin(voucher_posting, voucher_posting.c.id == vouchers.c.id)
VOUCHER_COLUMNS = (*vouchers.c, voucher_posting.c.poster, voucher_posting.c.import_id)


def _note_posting(w: PageWriter, draft: str, known: bool | None, **values: Any) -> None:
    """Record who posted ``draft`` or the import that made it (``lz_voucher_posting``);
    ``known``: whether it has a row already, None when not known (then it is looked up)."""
    key = {"id": draft}
    if w.pending(voucher_posting, key) is not None:
        known = True
    elif known is None:
        found = w.execute(select(voucher_posting.c.id).where(voucher_posting.c.id == draft))
        known = found.first() is not None
    if known:
        w.update(voucher_posting, key, values)
    else:
        w.insert(voucher_posting, {"id": draft, "poster": None, "import_id": None, **values})


_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def _lines(lines: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {
            "account": str(line["account"]),
            "debit": amount_str(line["debit"]),
            "credit": amount_str(line["credit"]),
            "memo": str(line.get("memo") or ""),
        }
        for line in lines
    ]


def _total_fen(lines: list[dict[str, str]]) -> int:
    return sum(to_fen(money(line["debit"], allow_negative=True)) for line in lines)


class VoucherProjection:
    """Applies the events of ``domain.vouchers.Voucher`` to ``lz_vouchers``."""

    name = "vouchers"
    tables = VOUCHER_TABLES

    def apply(self, w: PageWriter, event: Stored, position: int) -> None:
        if not event.topic.startswith("domain.vouchers:Voucher."):
            return
        e = event.event
        kind = event.name.rsplit(".", 1)[-1]
        draft = dashed(event.originator_id).replace("-", "")
        at = e.timestamp
        step = {
            "Drafted": "drafted",
            "Edited": "edited",
            "Submitted": "submitted",
            "Withdrawn": "withdrawn",
            "Returned": "returned",
            "Approved": "approved",
            "Reviewed": "reviewed",
            "Unreviewed": "unreviewed",
            "Posted": "posted",
            "Imported": "imported",
            "DocumentAttached": "attached",
            "Voided": "voided",
            "Cited": "reverses" if getattr(e, "kind", "") == "reversal" else "corrects",
            "ReversalDrafted": "reversal",
        }.get(kind)
        if step is None:
            return
        history_item: dict[str, Any] = {"what": step, "actor": e.actor, "at": at.isoformat()}
        if kind == "Voided":
            history_item["reason"] = e.reason
        elif kind == "Cited":
            history_item.update(original=e.original, number=e.number, reason=e.reason)
        elif kind == "ReversalDrafted":
            history_item["reversal"] = e.reversal
        if kind == "Drafted":
            lines = _lines(e.lines)
            w.insert(  # kept in the page: an import's next event finds it there
                vouchers,
                {
                    "id": draft,
                    "entity": e.entity,
                    "township": e.township,
                    "status": "draft",
                    "date": e.date,
                    "summary": e.summary,
                    "total_fen": _total_fen(lines),
                    "preparer": e.actor,
                    "reviewer": None,
                    "posted_number": None,
                    "returned_reason": None,
                    "attachment_count": 0,
                    "lines": _dumps(lines),
                    "attachments": "[]",
                    "history": _dumps([history_item]),
                    "created_at": at,
                    "updated_position": position,
                    "updated_at": at,
                },
            )
            return
        key = {"id": draft}
        row: Any = w.pending(vouchers, key)
        # whether it has a row of lz_voucher_posting: None unknown (a new voucher has none)
        posting: bool | None = False if row is not None else None
        if row is None:
            row = (
                w.execute(
                    select(*vouchers.c, voucher_posting.c.id.label("posting"))
                    .select_from(WITH_POSTING)
                    .where(vouchers.c.id == draft)
                )
                .mappings()
                .first()
            )
            if row is None:  # pragma: no cover - a voucher's first event is its draft
                return
            posting = row["posting"] is not None
        values: dict[str, Any] = {
            "history": _dumps([*json.loads(row["history"]), history_item]),
            "updated_position": position,
            "updated_at": at,
        }
        if kind == "Edited":
            lines = _lines(e.lines)
            values.update(
                date=e.date, summary=e.summary, lines=_dumps(lines), total_fen=_total_fen(lines)
            )
        elif kind == "Submitted":
            values.update(status="submitted", returned_reason=None)
        elif kind == "Withdrawn":
            values.update(status="draft")
        elif kind == "Returned":
            values.update(status="returned", returned_reason=e.reason, reviewer=e.actor)
            values["history"] = _dumps(
                [*json.loads(row["history"]), {**history_item, "reason": e.reason}]
            )
        elif kind in ("Approved", "Posted"):
            values.update(status="posted", posted_number=e.number)
            if kind == "Approved":  # 审核即记账: the reviewer posted it (no row: see above)
                values["reviewer"] = e.actor
            else:
                _note_posting(w, draft, posting, poster=e.actor)
            cited = _cited(json.loads(row["history"]))
            if cited is not None and cited["kind"] == "reversal":
                _mark_reversed(w, cited["original"], {**history_item, "what": "reversed"}, draft)
        elif kind == "Reviewed":
            values.update(status="reviewed", reviewer=e.actor)
        elif kind == "Unreviewed":
            values.update(status="submitted", reviewer=None)
        elif kind == "Imported":
            values.update(status="submitted")
            _note_posting(w, draft, posting, import_id=e.import_id)
        elif kind == "Voided":
            values.update(status="voided")
        elif kind == "DocumentAttached":
            documents = json.loads(row["attachments"])
            documents.append(
                {"sha256": e.sha256, "name": e.name, "media_type": e.media_type, "size": e.size}
            )
            values.update(attachments=_dumps(documents), attachment_count=len(documents))
        w.update(vouchers, key, values)  # in the page, or written with the page's updates


def _cited(history: list[dict[str, Any]]) -> dict[str, str] | None:
    """What a red-ink or correcting voucher cites, from its history: ``kind`` (reversal or
    correction), ``original`` (its id), ``number`` and ``reason``; None for any other."""
    for step in history:
        if step.get("what") in ("reverses", "corrects"):
            return {
                "kind": "reversal" if step["what"] == "reverses" else "correction",
                "original": str(step.get("original") or ""),
                "number": str(step.get("number") or ""),
                "reason": str(step.get("reason") or ""),
            }
    return None


def _mark_reversed(w: PageWriter, original: str, step: dict[str, Any], reversal: str) -> None:
    """The original's history says which entry reversed it, once its red-ink voucher posts."""
    row = w.execute(select(vouchers.c.history).where(vouchers.c.id == original)).first()
    if row is None:  # pragma: no cover - a red-ink voucher cites a voucher of the store
        return
    history = [*json.loads(row.history), {**step, "reversal": reversal}]
    w.execute(update(vouchers).where(vouchers.c.id == original).values(history=_dumps(history)))


# -- queries ------------------------------------------------------------------------------------


@contextmanager
def _connection(source: Engine | Connection) -> Iterator[Connection]:
    if isinstance(source, Connection):
        yield source
        return
    with source.connect() as conn:
        yield conn


def _moment(value: Any) -> str | None:
    """A stored moment as ISO 8601 UTC (SQLite gives it back without its offset)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _day(value: Any) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _summary_row(row: Any, names: dict[str, str]) -> dict[str, Any]:
    total = from_fen(int(row["total_fen"]))
    # who posted it; a posted voucher of the read models built before ``lz_voucher_posting``
    # was posted by its reviewer's approval (审核即记账)
    poster = row.get("poster") or (row["reviewer"] if row["status"] == "posted" else None)
    return {
        "draft": row["id"],
        "entity": row["entity"],
        "township": row["township"],
        "status": row["status"],
        "status_label": STATUS_LABELS.get(row["status"], row["status"]),
        "date": _day(row["date"]),
        "summary": row["summary"],
        "total": amount_str(total),
        "preparer": row["preparer"],
        "preparer_name": display_actor(row["preparer"], names),
        "reviewer": row["reviewer"],
        "reviewer_name": display_actor(row["reviewer"], names) if row["reviewer"] else None,
        "posted_number": row["posted_number"],
        "poster": poster,
        "poster_name": display_actor(poster, names) if poster else None,
        "import_id": row.get("import_id"),
        "returned_reason": row["returned_reason"],
        "attachment_count": int(row["attachment_count"]),
        "created_at": _moment(row["created_at"]),
        "updated_position": int(row["updated_position"]),
        "updated_at": _moment(row["updated_at"]),
    }


@dataclass(frozen=True)
class VoucherSearch:
    """What a clerk looks a voucher up by; every field optional, all given ones must hold.

    ``text``: in the 摘要 or a line's memo; ``amount_fen``: the voucher's total or one line's
    debit or credit; ``number``: in its 凭证号 (``2025-0015``, ``0015``, ``2026-07-J-0003`` or
    as read, ``2026年7月 记字第3号``, ``记字第3号``); ``account``: a line
    on it (a chart account takes its sub-accounts); ``date_from``/``date_to``: its date."""

    text: str = ""
    amount_fen: int | None = None
    number: str = ""
    account: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    @property
    def empty(self) -> bool:
        return self == VoucherSearch()


def _json_pair(key: str, value: str) -> str:
    """How ``"key": "value"`` reads inside the stored lines (``_dumps``)."""
    return _dumps({key: value})[1:-1]


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search_conditions(search: VoucherSearch) -> list[Any]:
    found: list[Any] = []
    if search.text:
        in_memo = vouchers.c.summary.contains(search.text, autoescape=True)
        if not search.text.isascii():  # (ASCII could match a code or an amount of the lines)
            written = _like_escaped(_dumps(search.text)[1:-1])
            in_lines = vouchers.c.lines.like(f'%"memo": "%{written}%', escape="\\")
            in_memo = or_(in_memo, in_lines)
        found.append(in_memo)
    if search.amount_fen is not None:
        written = amount_str(from_fen(search.amount_fen))
        found.append(
            or_(
                vouchers.c.total_fen == search.amount_fen,
                vouchers.c.lines.contains(_json_pair("debit", written), autoescape=True),
                vouchers.c.lines.contains(_json_pair("credit", written), autoescape=True),
            )
        )
    if search.number:  # as stored, also when typed as read (记字第3号 → -J-0003)
        wanted = search_key(search.number)
        found.append(vouchers.c.posted_number.contains(wanted, autoescape=True))
    if search.account:
        # the code's start: "account": "211 finds 211 and 211X01, never 1211
        found.append(
            vouchers.c.lines.contains(_json_pair("account", search.account)[:-1], autoescape=True)
        )
    if search.date_from is not None:
        found.append(vouchers.c.date >= search.date_from)
    if search.date_to is not None:
        found.append(vouchers.c.date <= search.date_to)
    return found


def voucher_list(
    engine: Engine | Connection,
    *,
    townships: Collection[str] | None,
    status: str | Collection[str] | None = None,
    entity: str | None = None,
    preparer: str | None = None,
    limit: int = 200,
    search: VoucherSearch | None = None,
    import_id: str | None = None,
    oldest_first: bool = False,
) -> list[dict[str, Any]]:
    """Vouchers in ``townships`` (None: every township), newest change first (``oldest_first``:
    by date, then as recorded), filtered by status (one or several), entity, preparer and the
    import that made them, and by ``search`` (in the database)."""
    order = (
        (vouchers.c.date, vouchers.c.created_at, vouchers.c.id)
        if oldest_first
        else (vouchers.c.updated_position.desc(),)
    )
    query = select(*VOUCHER_COLUMNS).select_from(WITH_POSTING).order_by(*order).limit(limit)
    if import_id is not None:
        query = query.where(voucher_posting.c.import_id == import_id)
    if townships is not None:
        query = query.where(vouchers.c.township.in_(sorted(townships)))
    if isinstance(status, str):
        query = query.where(vouchers.c.status == status)
    elif status is not None:
        query = query.where(vouchers.c.status.in_(sorted(status)))
    if entity is not None:
        query = query.where(vouchers.c.entity == entity)
    if preparer is not None:
        query = query.where(vouchers.c.preparer == preparer)
    for condition in _search_conditions(search or VoucherSearch()):
        query = query.where(condition)
    with _connection(engine) as conn:
        rows = list(conn.execute(query).mappings())
        names = display_names(conn) if rows else {}
        return [_summary_row(r, names) for r in rows]


def _detail(conn: Connection, row: Any) -> dict[str, Any]:
    names = display_names(conn)
    found = _summary_row(row, names)
    lines = json.loads(row["lines"])
    chart = entity_chart(conn, row["entity"], only={line["account"] for line in lines})
    shown: list[dict[str, Any]] = []
    debit = credit = 0
    for line in lines:
        account = line["account"]
        name = chart.get(account).name if account in chart else ""
        debit += to_fen(money(line["debit"], allow_negative=True))
        credit += to_fen(money(line["credit"], allow_negative=True))
        shown.append(
            {
                "account": account,
                "account_name": name,
                "debit": line["debit"]
                if money(line["debit"], allow_negative=True) != ZERO
                else None,
                "credit": line["credit"]
                if money(line["credit"], allow_negative=True) != ZERO
                else None,
                "memo": line["memo"],
            }
        )
    entity_row = conn.execute(
        select(entities.c.name).where(entities.c.code == row["entity"])
    ).first()
    total = from_fen(debit)
    history = json.loads(row["history"])
    found.update(
        review_posted=any(step.get("what") == "approved" for step in history),
        cites=_cited(history),
        reversal=_reversal(conn, history),
        void_reason=next(
            (str(s.get("reason") or "") for s in history if s.get("what") == "voided"), None
        ),
        entity_name=entity_row.name if entity_row is not None else row["entity"],
        lines=shown,
        debit_total=amount_str(from_fen(debit)),
        credit_total=amount_str(from_fen(credit)),
        balanced=debit == credit and debit != 0,
        total_capitals=to_capitals(total),
        attachments=json.loads(row["attachments"]),
        history=[
            {
                **step,
                "label": STEP_LABELS.get(step["what"], step["what"]),
                "actor_name": display_actor(step["actor"], names),
            }
            for step in history
        ],
    )
    return found


def _reversal(conn: Connection, history: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A posted voucher's latest red-ink voucher: its id, status and entry number."""
    drafts = [s["reversal"] for s in history if s.get("what") == "reversal"]
    if not drafts:
        return None
    row = conn.execute(
        select(vouchers.c.id, vouchers.c.status, vouchers.c.posted_number).where(
            vouchers.c.id == drafts[-1]
        )
    ).first()
    if row is None:  # pragma: no cover - applied in the same page as the original's step
        return None
    return {
        "draft": row.id,
        "status": row.status,
        "status_label": STATUS_LABELS.get(row.status, row.status),
        "posted_number": row.posted_number,
    }


def voucher_detail(engine: Engine | Connection, draft: str) -> dict[str, Any] | None:
    """One voucher with its lines (account names from the entity's chart), attachments and
    history; None when there is none with that id."""
    key = str(draft).replace("-", "").lower()
    with _connection(engine) as conn:
        row = (
            conn.execute(
                select(*VOUCHER_COLUMNS).select_from(WITH_POSTING).where(vouchers.c.id == key)
            )
            .mappings()
            .first()
        )
        return None if row is None else _detail(conn, row)


def voucher_for_entry(
    engine: Engine | Connection, entity: str, number: str
) -> dict[str, Any] | None:
    """The voucher whose approval posted entry ``number`` of ``entity``, if one did."""
    with _connection(engine) as conn:
        row = (
            conn.execute(
                select(*VOUCHER_COLUMNS)
                .select_from(WITH_POSTING)
                .where(vouchers.c.entity == entity)
                .where(vouchers.c.posted_number == number)
                .where(vouchers.c.status == "posted")
            )
            .mappings()
            .first()
        )
        return None if row is None else _detail(conn, row)
