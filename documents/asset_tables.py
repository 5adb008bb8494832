"""The 三资 tables of one set of books for a period, as a clerk and an auditor read them (the
workbench's 报表 › 资产 pages print them, as HTML, on A4 and as XLSX):

- :func:`depreciation_schedule`, the 固定资产折旧表: per card 原值, accumulated at the period's
  start, this period's depreciation (or amortisation), accumulated at its end, net value, and
  for a jointly owned card each owner's share of this period's depreciation as each month
  recorded it; the monthly runs (their vouchers) and the totals by owner;
- :func:`construction_table`, 在建工程 by project: budget and cost to date by item, funding by
  source, progress, what its 153 sub-account holds at the period's end;
- :func:`asset_list`, the asset list (资产清单) with the period's changes: cards added and
  disposed of, 原值 at the start and end by category, each card's owners and lessee;
- :func:`books_against_cards`, the balance sheet's 固定资产原值 / 累计折旧 (132/133, 134, 161/162)
  and 在建工程 against the cards and projects: what the 附注 of a balance sheet prints when the
  books keep cards (``documents.statements`` adds it).

Amounts are two-place strings; every table carries ``checks`` (what must hold, both figures).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from documents.asset_facts import (
    Card,
    ProjectFacts,
    balances_at,
    cards_of,
    day_of,
    entity_row,
    funding_kind,
    funding_source,
    names_of,
    percent_text,
    period_facts,
    projects_of,
    runs_of,
    under,
    yuan,
)
from domain.periods import Period
from projections.assets_queries import percent


def _check(what: str, left: int, right: int) -> dict[str, Any]:
    return {
        "check": what,
        "left": yuan(left),
        "right": yuan(right),
        "holds": left == right,
        "difference": yuan(left - right),
    }


def _head(conn: Connection, entity: str, period: Period) -> dict[str, Any]:
    row = entity_row(conn, entity) or {"code": entity, "name": entity}
    return {"entity": {"code": entity, "name": row["name"]}, "period": period_facts(period)}


def _in_period(card: Card, period: Period) -> bool:
    """Held at some moment of the period: came by its end, not disposed of before it."""
    gone = card.disposed_on
    return card.acquired_on <= period.end and (gone is None or gone >= period.start)


def owners_list(
    shares: dict[str, str], names: dict[str, str], amounts: dict[str, int] | None = None
) -> list[dict[str, Any]]:
    """The owners of a card or project by code: name, share, percentage (and ``amount``, each
    one's part of a figure, when ``amounts`` is given)."""
    return [
        {
            "owner": owner,
            "name": names.get(owner, owner),
            "share": share,
            "percent": percent_text(share),
            **({"amount": yuan(amounts.get(owner, 0))} if amounts is not None else {}),
        }
        for owner, share in sorted(shares.items())
    ]


# -- 固定资产折旧表 ----------------------------------------------------------------------------


def depreciation_schedule(conn: Connection, entity: str, period: Period) -> dict[str, Any]:
    """固定资产折旧表 of ``entity``'s books for ``period`` (a month, quarter or year): every card
    that depreciates and was held in the period (see the module docstring)."""
    first, last = period.first_month, period.last_month
    before = _before(first)
    names = names_of(conn)
    rows, totals = [], dict.fromkeys(("original", "before", "now", "after", "net"), 0)
    by_owner: dict[str, int] = {}
    for card in cards_of(conn, entity):
        if card.row["contra"] is None or not _in_period(card, period):
            continue
        start, now = card.accumulated_to(before), card.depreciated_in(first, last)
        owners = card.owners_in(first, last)
        for owner, fen in owners.items():
            by_owner[owner] = by_owner.get(owner, 0) + fen
        figures = {
            "original": card.original,
            "before": start,
            "now": now,
            "after": start + now,
            "net": card.original - start - now,
        }
        for key, fen in figures.items():
            totals[key] += fen
        words = card.words()
        rows.append(
            {
                "number": card.number,
                "name": card.row["name"],
                "category_zh": words["category_zh"],
                "account": card.row["account"],
                "contra": card.row["contra"],
                "method_zh": words["method_zh"],
                "use_zh": words["use_zh"],
                "life_months": card.row["life_months"],
                "residual_rate": card.row["residual_rate"],
                "months": sum(1 for m in card.months if first <= m <= last),
                "status": "已清理"
                if card.disposed_on and card.disposed_on <= period.end
                else "在用",
                "original": yuan(figures["original"]),
                "accumulated_before": yuan(figures["before"]),
                "depreciation": yuan(figures["now"]),
                "accumulated": yuan(figures["after"]),
                "net": yuan(figures["net"]),
                "jointly_owned": len(card.shares) > 1,
                "owners": owners_list(card.shares, names, owners),
            }
        )
    runs = runs_of(conn, entity, first, last)
    run_total = sum(int(r["total_fen"]) for r in runs)
    return {
        **_head(conn, entity, period),
        "title": "固定资产折旧表",
        "cards": rows,
        "totals": {
            "original": yuan(totals["original"]),
            "accumulated_before": yuan(totals["before"]),
            "depreciation": yuan(totals["now"]),
            "accumulated": yuan(totals["after"]),
            "net": yuan(totals["net"]),
        },
        "owners": [
            {"owner": o, "name": names.get(o, o), "amount": yuan(f)}
            for o, f in sorted(by_owner.items())
        ],
        "runs": [
            {"month": r["month"], "entry": r["entry"], "total": yuan(int(r["total_fen"]))}
            for r in runs
        ],
        "checks": [
            _check("本期折旧合计 = 各月计提凭证合计", totals["now"], run_total),
            _check(
                "本期折旧合计 = 各所有者份额合计",
                totals["now"],
                sum(by_owner.values()),
            ),
        ],
    }


def _before(month: str) -> str:
    """The month before ``month`` (``2025-01`` → ``2024-12``)."""
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


# -- 在建工程 by project -----------------------------------------------------------------------


def _project(p: ProjectFacts, period: Period, names: dict[str, str]) -> dict[str, Any]:
    start, end = period.start, period.end
    by_item: dict[str, list[int]] = {}  # item → [before, in period]
    grant_used: dict[str, int] = {}
    for c in p.costs:
        if c["date"] > end:
            continue
        column = 0 if c["date"] < start else 1
        by_item.setdefault(c["item"], [0, 0])[column] += int(c["amount_fen"])
        if c["grant"]:
            grant_used[c["grant"]] = grant_used.get(c["grant"], 0) + int(c["grant_fen"])
    budget = sum(fen for _, fen in p.budget)
    cost = p.cost_to(end)
    items = []
    for item, fen in p.budget:
        before, now = by_item.get(item, [0, 0])
        items.append(
            {
                "item": item,
                "budget": yuan(fen),
                "cost_before": yuan(before),
                "cost": yuan(now),
                "cost_to_date": yuan(before + now),
                "left": yuan(fen - before - now),
                "progress": percent(before + now, fen),
            }
        )
    funding = [
        {
            "kind": s["kind"],
            "kind_zh": funding_kind(s["kind"]),
            "source": s["source"],
            "source_name": funding_source(s, names),
            "programme": s["programme"],
            "amount": yuan(int(s["amount_fen"])),
            **({"used": yuan(grant_used.get(str(s["source"]), 0))} if s["kind"] == "grant" else {}),
        }
        for s in p.funding
    ]
    done = p.completed_on is not None and p.completed_on <= end
    return {
        "code": p.code,
        "name": p.row["name"],
        "kind_zh": p.kind_zh(),
        "account": p.row["account"],
        "state_zh": p.state_on(end),
        "planned_on": str(p.row["planned_on"])[:10],
        "completed_on": p.completed_on.isoformat() if done and p.completed_on else None,
        "assets": [a for a in (p.row["assets"] or "").split("\n") if a] if done else [],
        "budget": yuan(budget),
        "cost_in_period": yuan(sum(now for _, now in by_item.values())),
        "cost_to_date": yuan(cost),
        "progress": percent(cost, budget),
        "transferred": yuan(cost if done else 0),
        "balance": yuan(p.open_on(end)),
        "items": items,
        "funding": funding,
        "funding_total": yuan(sum(int(s["amount_fen"]) for s in p.funding)),
        "owners": owners_list(p.owners, names) if done else [],
    }


def construction_table(conn: Connection, entity: str, period: Period) -> dict[str, Any]:
    """在建工程 of ``entity``'s books by project for ``period``: every project planned by the
    period's end, with each one's 153 sub-account checked against its costs."""
    end = period.end
    names = names_of(conn)
    balances = balances_at(conn, entity, period.last_month)
    found = [p for p in projects_of(conn, entity) if day_of(p.row["planned_on"]) <= end]
    rows = [_project(p, period, names) for p in found]
    open_total = sum(p.open_on(end) for p in found)
    checks = [
        _check(
            f"{p.row['account']} 科目余额 = 项目 {p.code} 未转资产的成本",
            balances.get(str(p.row["account"]), 0),
            p.open_on(end),
        )
        for p in found
    ]
    checks.append(
        _check("153 在建工程科目余额 = 各项目未转资产成本合计", under(balances, "153"), open_total)
    )
    return {
        **_head(conn, entity, period),
        "title": "在建工程明细表（按项目）",
        "projects": rows,
        "totals": {
            "budget": yuan(sum(sum(f for _, f in p.budget) for p in found)),
            "cost_in_period": yuan(
                sum(
                    int(c["amount_fen"])
                    for p in found
                    for c in p.costs
                    if period.start <= c["date"] <= end
                )
            ),
            "cost_to_date": yuan(sum(p.cost_to(end) for p in found)),
            "balance": yuan(open_total),
        },
        "checks": checks,
    }


# -- 资产清单 with the period's changes ----------------------------------------------------------


def asset_rows(
    cards: list[Card], period: Period, names: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, int]]]:
    """The cards held in the period (held at its end, or disposed of during it), each with its
    change, and per category the 原值 at the start, added, disposed of and at the end (fen)."""
    start, end, last = period.start, period.end, period.last_month
    rows = []
    totals: dict[str, dict[str, int]] = {}
    for card in cards:
        if not _in_period(card, period):
            continue
        words = card.words()
        gone = card.disposed_on
        disposed = gone is not None and gone <= end
        added = card.acquired_on >= start
        sums = totals.setdefault(
            words["category_zh"],
            dict.fromkeys(("start", "added", "disposed", "end", "accumulated", "net"), 0),
        )
        sums["start"] += 0 if added else card.original
        sums["added"] += card.original if added else 0
        sums["disposed"] += card.original if disposed else 0
        accumulated = card.accumulated_to(last)
        if not disposed:
            sums["end"] += card.original
            sums["accumulated"] += accumulated
            sums["net"] += card.original - accumulated
        changes = []
        if added:
            changes.append(f"新增（{words['acquisition_zh']}，{card.acquired_on.isoformat()}）")
        if disposed and gone is not None:
            result = int(card.row["result_fen"] or 0)
            outcome = f"净收益 {yuan(result)}" if result >= 0 else f"净损失 {yuan(-result)}"
            changes.append(f"清理（{words['disposal_zh']}，{gone.isoformat()}，{outcome}）")
        lessee = card.lessee_on(end) if not disposed else None
        rows.append(
            {
                "number": card.number,
                "name": card.row["name"],
                "category_zh": words["category_zh"],
                "account": card.row["account"],
                "location": card.row["location"],
                "acquired_on": card.acquired_on.isoformat(),
                "acquisition_zh": words["acquisition_zh"],
                "project": card.row["project"],
                "original": yuan(card.original),
                "accumulated": yuan(accumulated),
                "net": yuan(card.original - accumulated),
                "status": "已清理" if disposed else ("出租" if lessee else "在用"),
                "lessee": lessee,
                "rent": yuan(card.rent_between(start, end)),
                "owners": owners_list(card.shares, names),
                "changes": changes,
            }
        )
    return rows, totals


def asset_list(conn: Connection, entity: str, period: Period) -> dict[str, Any]:
    """资产清单 of ``entity``'s books for ``period``: every card held at its end or disposed of
    during it, with its change, and by category 原值 at the start, added, disposed of, at the
    end; 累计折旧 and 净值 at the end."""
    rows, totals = asset_rows(cards_of(conn, entity), period, names_of(conn))
    checks = [
        _check(
            f"{category}：期初原值 + 本期增加 − 本期减少 = 期末原值",
            t["start"] + t["added"] - t["disposed"],
            t["end"],
        )
        for category, t in totals.items()
    ]
    return {
        **_head(conn, entity, period),
        "title": "资产清单",
        "cards": rows,
        "categories": [
            {"category_zh": category, **{k: yuan(v) for k, v in t.items()}}
            for category, t in totals.items()
        ],
        "checks": checks,
    }


# -- the balance sheet against the cards ---------------------------------------------------------

# (line of the balance sheet, its account, what the cards hold: "original" or "accumulated")
RECONCILED = (
    ("生产性生物资产原值", "132", "original"),
    ("减：生产性生物资产累计折旧", "133", "accumulated"),
    ("公益性生物资产", "134", "original"),
    ("固定资产原值", "151", "original"),
    ("减：累计折旧", "152", "accumulated"),
    ("无形资产原值", "161", "original"),
    ("减：累计摊销", "162", "accumulated"),
)


def books_against_cards(conn: Connection, entity: str, period: Period) -> list[dict[str, Any]]:
    """The balance sheet's asset lines against the cards held at the period's end (and 在建工程
    against the projects' open costs): one row per line of an account some card (or project)
    of these books uses — line, account, the books' figure, the cards', the difference and
    whether they agree. Empty for books without cards or projects."""
    cards = cards_of(conn, entity)
    found = projects_of(conn, entity)
    if not cards and not found:
        return []
    end, last = period.end, period.last_month
    balances = balances_at(conn, entity, last)
    used = {str(c.row["account"]) for c in cards} | {
        str(c.row["contra"]) for c in cards if c.row["contra"]
    }
    rows = []
    for line, account, what in RECONCILED:
        if account not in used:
            continue
        held = [c for c in cards if c.exists_on(end)]
        if what == "original":
            figure = sum(c.original for c in held if c.row["account"] == account)
            books = under(balances, account)
        else:
            figure = sum(c.accumulated_to(last) for c in held if c.row["contra"] == account)
            books = -under(balances, account)
        count = sum(1 for c in held if account in (c.row["account"], c.row["contra"]))
        rows.append(_row(line, account, books, figure, f"资产卡片 {count} 张"))
    if found:
        open_total = sum(p.open_on(end) for p in found if day_of(p.row["planned_on"]) <= end)
        rows.append(_row("在建工程", "153", under(balances, "153"), open_total, "在建项目"))
    return rows


def _row(line: str, account: str, books: int, cards: int, source: str) -> dict[str, Any]:
    return {
        "line": line,
        "account": account,
        "books": yuan(books),
        "cards": yuan(cards),
        "source": source,
        "difference": yuan(books - cards),
        "holds": books == cards,
    }


def reconciliation_note(rows: list[dict[str, Any]]) -> str | None:
    """The 附注's sentence on the reconciliation (None without cards or projects)."""
    if not rows:
        return None
    wrong = [r for r in rows if not r["holds"]]
    if not wrong:
        return (
            "固定资产等资产项目的账面金额与资产卡片（在建工程与各项目）逐项核对一致，见资产核对表。"
        )
    parts = "；".join(
        f"{r['line']}（{r['account']}）账面 {r['books']}、{r['source']} {r['cards']}，"
        f"差 {r['difference']}"
        for r in wrong
    )
    return f"资产账卡不符：{parts}。"


def asset_check(conn: Connection, entity: str, period: Period, notes: list[str]) -> dict[str, Any]:
    """What a balance sheet of books with cards or projects adds: ``asset_check`` (the rows of
    :func:`books_against_cards`) and its sentence appended to ``notes`` (附注); nothing for
    books without them (their statements are unchanged)."""
    rows = books_against_cards(conn, entity, period)
    note = reconciliation_note(rows)
    if note is None:
        return {}
    notes.append(note)
    return {"asset_check": rows}
