"""汇总: a township's or a county's villages' 资产负债表 and 收益及收益分配表 for one period,
added up line by line on the 行次 (``ledger.statement_forms.consolidate``), with every village's own
figure beside the sum, so a county auditor can see whose figure a total comes from.

The units are the villages (not the joint entities, whose capital is the villages' investment:
adding both would count that money twice) of the township or county that the caller sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from documents.statements import filled_forms, money_item
from domain.periods import Period
from ledger.money import ZERO, amount_str
from ledger.statement_forms import FormRow, consolidate, form_amount
from projections.queries import list_entities

PARTS = (
    ("assets", "资产"),
    ("claims", "负债和所有者权益"),
    ("income", "收益及收益分配"),
)


def summary_units(
    conn: Connection, *, township: str = "", county: str = ""
) -> list[dict[str, Any]]:
    """The villages of the township (or, without one, of the county), in code order."""
    return [
        e
        for e in list_entities(conn)
        if e["kind"] == "village"
        and (e["township"] == township if township else e["county"] == county)
    ]


def _rows(
    total: Sequence[FormRow],
    each: dict[str, Sequence[FormRow]],
    start: Sequence[FormRow] | None = None,
) -> list[dict[str, Any]]:
    out = []
    for index, row in enumerate(total):
        item: dict[str, Any] = {"row": row.row, "line": row.line, "kind": row.kind}
        if row.amount is not None:
            item["accounts"] = row.accounts
            item.update(money_item(row.amount))
            if start is not None and start[index].amount is not None:
                item["year_start"] = money_item(start[index].amount or ZERO)
            item["units"] = {
                code: money_item(rows[index].amount or ZERO) for code, rows in each.items()
            }
        out.append(item)
    return out


def statement_summary(
    conn: Connection, units: Sequence[dict[str, Any]], period: Period, *, scope: dict[str, str]
) -> dict[str, Any]:
    """The 汇总 of ``units``' statements for ``period``: per part (``assets``, ``claims``,
    ``income``) the rows with 行次, the sum (``amount``; 年初数 ``year_start`` on the balance
    sheet) and each unit's figure (``units``); the units with whether their own statements
    balance; and the checks of the sum."""
    forms = {u["code"]: filled_forms(conn, u["code"], period) for u in units}
    parts: dict[str, Any] = {}
    totals: dict[str, tuple[FormRow, ...]] = {}
    for part, _ in PARTS:
        each = {code: found[part] for code, found in forms.items()}
        totals[part] = consolidate(list(each.values()))
        start = None
        if part != "income":
            start = consolidate([found[f"{part}_start"] for found in forms.values()])
        parts[part] = _rows(totals[part], each, start)
    assets = form_amount(totals["assets"], "资产总计")
    claims = form_amount(totals["claims"], "负债和所有者权益总计")
    unbalanced = [
        code
        for code, found in forms.items()
        if form_amount(found["assets"], "资产总计")
        != form_amount(found["claims"], "负债和所有者权益总计")
    ]
    return {
        "scope": scope,
        "period": period.text,
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "units": [{"code": u["code"], "name": u["name"], "township": u["township"]} for u in units],
        **parts,
        "checks": [
            {
                "check": "汇总：资产总计 = 负债和所有者权益总计",
                "left": amount_str(assets),
                "right": amount_str(claims),
                "holds": assets == claims,
                "difference": amount_str(assets - claims),
            }
        ],
        "unbalanced_units": unbalanced,
    }
