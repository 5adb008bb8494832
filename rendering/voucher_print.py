"""Printing a voucher (记账凭证) in the usual layout: A5 landscape, fits A4 as well.

Two sources, one printable shape (a dict):

- ``printable_from_draft(engine, draft)``: a voucher of the workflow, at any status; its 凭证号
  is the number the books gave it once posted, 草稿 before;
- ``printable_from_entry(engine, entity, number)``: any posted entry. An entry posted by a
  voucher prints that voucher (its preparer, reviewer, poster, attachments); a plan's payout
  prints the person who asked for the execution as 制单 and the one who executed it as 审核 and
  记账 (分配方案执行，审核即记账); one posted directly (through the API, an import posted
  directly, another operation) prints its actor as 制单 and 记账 and says honestly that it was
  not reviewed (审核: （直接记账，未经审核）).

The signatures, as the form has them: 会计主管, 记账, 审核, 出纳, 制单. 记账 is the person who
posted it (with 审核即记账, its reviewer, and the line says 审核即记账); 会计主管 and 出纳 are
the township's (``signers``: entity → (会计主管, 出纳), from ``domain.township``), blank lines to
sign by hand where none is named.

``voucher_html(printable)`` is a standalone page (no outside requests); ``voucher_pdf`` prints
it with WeasyPrint, the CJK font embedded (``rendering.render.pdf``).

Names: people's 姓名 from the people read model (``projections.people_view``): a login
prints as 姓名, ``login@token`` as 姓名（接口）, anything else as recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, select

from ledger.capitals import to_capitals
from ledger.money import amount_str, from_fen, money, to_fen, yuan_text
from ledger.voucher_numbers import number_cited, number_label, number_word, voucher_title
from projections import queries
from projections.people_view import display_actor, display_names
from projections.tables import entries, plan_requests
from projections.voucher_view import _connection, voucher_detail, voucher_for_entry
from rendering.environment import environment
from rendering.render import pdf

NOT_REVIEWED = "（直接记账，未经审核）"
# entity → (会计主管, 出纳): the township's signers (``domain.township``), by name
Signers = Callable[[str], tuple[str, str]]


def _no_signers(entity: str) -> tuple[str, str]:
    return "", ""


MIN_ROWS = 5  # a printed voucher has at least this many rows, blank ones filling it


def _namer(source: Engine | Connection) -> Callable[[str | None], str]:
    """actor → the name printed (姓名 when the people read model knows it)."""
    names = display_names(source)

    def name(actor: str | None) -> str:
        return display_actor(actor, names)

    return name


def _amount(value: str | None) -> str | None:
    return None if value is None else amount_str(money(value, allow_negative=True))


def _printable(
    *,
    entity: str,
    entity_name: str,
    date: str,
    number: str | None,
    status_label: str,
    summary: str,
    lines: list[dict[str, Any]],
    attachments: int,
    preparer: str,
    reviewer: str,
    bookkeeper: str,
    draft: str | None,
    note: str = "",
    review_posted: bool = False,
    signers: tuple[str, str] = ("", ""),
) -> dict[str, Any]:
    debit = sum(
        to_fen(money(line["debit"], allow_negative=True)) for line in lines if line["debit"]
    )
    credit = sum(
        to_fen(money(line["credit"], allow_negative=True)) for line in lines if line["credit"]
    )
    word = number_word(number)
    return {
        "title": voucher_title(number),  # 收款凭证, 付款凭证, 转账凭证 by its 凭证字, else 记账凭证
        "entity": entity,
        "entity_name": entity_name,
        "date": date,
        "number": number,
        "number_label": number_label(number) if number else "草稿",
        # as printed after 凭证号：; a yearly number has no 凭证字 of its own (printed 记)
        "number_text": number_label(number) if word else f"记 {number}",
        "status_label": status_label,
        "summary": summary,
        "lines": lines,
        "debit_total": amount_str(from_fen(debit)),
        "credit_total": amount_str(from_fen(credit)),
        "total_capitals": to_capitals(from_fen(debit)),  # 负 in front of a negative
        "attachments": attachments,
        "preparer": preparer,
        "reviewer": reviewer,
        "bookkeeper": bookkeeper,
        "review_posted": review_posted,  # 审核即记账: the 记账 line says so
        "supervisor": signers[0],  # 会计主管
        "cashier": signers[1],  # 出纳
        "draft": draft,
        "note": note,
    }


def _from_detail(
    detail: dict[str, Any],
    name: Callable[[str | None], str],
    *,
    number: str | None,
    signers: Signers,
) -> dict[str, Any]:
    posted = detail["status"] == "posted"
    reviewed = detail["status"] in ("reviewed", "posted")
    return _printable(
        entity=detail["entity"],
        entity_name=detail["entity_name"],
        date=detail["date"],
        number=number,
        status_label=detail["status_label"],
        summary=detail["summary"],
        lines=[
            {
                "summary": line["memo"] or detail["summary"],
                "account": line["account"],
                "account_name": line["account_name"],
                "debit": _amount(line["debit"]),
                "credit": _amount(line["credit"]),
            }
            for line in detail["lines"]
        ],
        attachments=int(detail["attachment_count"]),
        preparer=name(detail["preparer"]),
        reviewer=name(detail["reviewer"]) if reviewed else "",
        bookkeeper=name(detail.get("poster") or detail["reviewer"]) if posted else "",
        draft=detail["draft"],
        review_posted=posted and bool(detail.get("review_posted")),
        signers=signers(detail["entity"]),
    )


def printable_from_draft(
    engine: Engine | Connection, draft: str, signers: Signers = _no_signers
) -> dict[str, Any] | None:
    """A voucher of the workflow as printed; None when there is none with that id."""
    with _connection(engine) as conn:
        detail = voucher_detail(conn, draft)
        if detail is None:
            return None
        return _from_detail(detail, _namer(conn), number=detail["posted_number"], signers=signers)


def _plan_requester(conn: Connection, source: str | None) -> str | None:
    """Who asked for the execution of the plan that posted an entry (its ``source`` is
    ``plan:CODE``); None for another source, or a plan executed before requests existed."""
    if not source or not source.startswith("plan:"):
        return None
    found = conn.execute(
        select(plan_requests.c.actor).where(plan_requests.c.plan_code == source[5:])
    ).scalar_one_or_none()
    return None if found is None else str(found)


def printable_from_entry(
    engine: Engine | Connection, entity: str, number: str, signers: Signers = _no_signers
) -> dict[str, Any] | None:
    """A posted entry as its voucher is printed; None when the books have no such entry."""
    with _connection(engine) as conn:
        view = queries.entry(conn, entity, number)
        if view is None:
            return None
        name = _namer(conn)
        voucher = voucher_for_entry(conn, entity, number)
        if voucher is not None:
            return _from_detail(voucher, name, number=number, signers=signers)
        row = queries.entity(conn, entity)
        source = conn.execute(
            select(entries.c.source).where(
                entries.c.entity_code == entity, entries.c.number == number
            )
        ).scalar_one_or_none()
        notes = []
        if view.reverses:
            reason = f"：{view.reason}" if view.reason else ""
            cited = number_cited(view.reverses)  # 第 2025-0015 号凭证, 2026年7月 记字第3号凭证
            cited = cited if number_word(view.reverses) else f"第 {cited}"
            notes.append(f"红字冲销{cited}{reason}")
        if source:
            notes.append(f"系统生成（{source}）")
        requester = _plan_requester(conn, source)
        if requester is not None:
            notes.append("分配方案执行：提请人制单，执行人审核即记账")
        return _printable(
            entity=entity,
            entity_name=row["name"] if row is not None else entity,
            date=view.date.isoformat() if hasattr(view.date, "isoformat") else str(view.date),
            number=number,
            status_label="已记账",
            summary=view.memo,
            lines=[
                {
                    "summary": line.memo or view.memo,
                    "account": line.account,
                    "account_name": line.account_name,
                    "debit": amount_str(line.amount) if line.side == "debit" else None,
                    "credit": amount_str(line.amount) if line.side == "credit" else None,
                }
                for line in view.lines
            ],
            attachments=0,
            preparer=name(requester or view.actor),
            reviewer=NOT_REVIEWED if requester is None else name(view.actor),
            bookkeeper=name(view.actor),
            draft=None,
            note="；".join(notes),
            review_posted=requester is not None,
            signers=signers(entity),
        )


def _yuan(amount: str | None) -> str:
    """A column of the voucher: ``1,234.50`` without ``¥``; blank for none and for zero."""
    return yuan_text(amount, symbol=False, blank_zero=True)


def voucher_html(printable: dict[str, Any]) -> str:
    """The voucher as a standalone printable page (A5 landscape; fits A4)."""
    rows = list(printable["lines"])
    blanks = max(0, MIN_ROWS - len(rows))
    return (
        environment()
        .get_template("voucher.html")
        .render(v=printable, blanks=blanks, amount=_yuan, title=_title(printable))
    )


def _title(printable: dict[str, Any]) -> str:
    return f"{printable['title']} {printable['entity_name']} {printable['number_label']}"


def voucher_pdf(printable: dict[str, Any]) -> bytes:
    """The voucher as a PDF (WeasyPrint; the CJK font embedded)."""
    return pdf(voucher_html(printable))
