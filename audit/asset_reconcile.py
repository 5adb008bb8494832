"""Reconcile the books with the 三资 registers: what the cards and projects record must be what
the books hold. ``verify`` runs it after the pairs of books (``audit.book_reconcile``), from the
read models (which it has just proved equal to a replay of the log), and reports the first
disagreement named as a pair is:

1. **project-cost**: each project's 153 sub-account (``153XM2025NC``) holds its recorded costs
   until its completion moves them to the asset (then nothing);
2. **asset-original**: for books with cards on an account (151, 132, 134, 161), the books'
   balance of that account is the 原值 of the cards held (not disposed of);
3. **asset-depreciation**: for books with cards on a contra account (152, 133, 162), its credit
   balance is the cards' accumulated depreciation (what each came with and every month since);
4. **owner-shares**: a jointly owned card's (or project's) shares add up to exactly 1, and each
   month's depreciation of a card and each income of a project (its rent included) is exactly
   the sum of its owners' parts.

Books without cards keep their 151/152 as they are (an asset not carded is not checked). The
pure core (:func:`asset_problems`) takes plain dictionaries, so the stand-alone export verifier
(``scripts/verify_export/assets.py``, standard library only) runs the same checks over an
exported log; a test keeps the two identical in behaviour.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from audit.book_reconcile import Balances, _problem, book_facts, pair_problems
from projections.assets_view import (
    asset_cards,
    asset_owners,
    depreciation,
    depreciation_owners,
    project_costs,
    project_income,
    project_income_owners,
    project_owners,
    projects,
)

# a card: {"entity", "number", "account", "contra", "original", "opening", "disposed",
#          "shares": {owner: "0.45"}, "months": {month: fen}, "owners": {month: {owner: fen}}}
# a project: {"entity", "code", "account", "costs", "completed", "shares": {owner: share},
#             "income": [(entry, fen, {owner: fen})]}
Cards = list[dict[str, Any]]
Projects = list[dict[str, Any]]


def _under(balances: Balances, entity: str, prefix: str) -> int:
    return sum(f for a, f in balances.get(entity, {}).items() if a.startswith(prefix))


def asset_problems(balances: Balances, cards: Cards, projects_: Projects) -> list[dict[str, Any]]:
    """Every disagreement between the books and the 三资 registers, in a fixed order (the first
    is the one reported).

    Args:
        balances: closing balances, entity → account → fen (debit positive).
        cards: every asset card (see the module's shapes), disposed ones included.
        projects_: every project.
    """
    problems: list[dict[str, Any]] = []
    for p in sorted(projects_, key=lambda p: (p["entity"], p["code"])):
        held = balances.get(p["entity"], {}).get(p["account"], 0)
        expected = 0 if p["completed"] else p["costs"]
        if held != expected:
            what = "its recorded costs less what its completion moved to the asset"
            problems.append(
                _problem(
                    "project-cost",
                    p["entity"],
                    p["account"],
                    held,
                    p["entity"],
                    f"project {p['code']}",
                    expected,
                    f"project {p['code']}: the books' {p['account']} is not {what}",
                )
            )
    by_entity: dict[str, Cards] = {}
    for card in cards:
        by_entity.setdefault(card["entity"], []).append(card)
    for entity, mine in sorted(by_entity.items()):
        held = [c for c in mine if not c["disposed"]]
        for account in sorted({c["account"] for c in mine}):
            books = _under(balances, entity, account)
            carded = sum(c["original"] for c in held if c["account"] == account)
            if books != carded:
                problems.append(
                    _problem(
                        "asset-original",
                        entity,
                        account,
                        books,
                        entity,
                        f"cards on {account}",
                        carded,
                        f"{entity}'s {account} is not the 原值 of its cards held",
                    )
                )
        for contra in sorted({c["contra"] for c in mine if c["contra"]}):
            books = -_under(balances, entity, contra)
            carded = sum(
                c["opening"] + sum(c["months"].values()) for c in held if c["contra"] == contra
            )
            if books != carded:
                problems.append(
                    _problem(
                        "asset-depreciation",
                        entity,
                        contra,
                        books,
                        entity,
                        f"cards on {contra}",
                        carded,
                        f"{entity}'s {contra} is not the depreciation of its cards held",
                    )
                )
    for card in sorted(cards, key=lambda c: (c["entity"], c["number"])):
        problems += _share_problems(
            card["entity"],
            f"card {card['number']}",
            card["shares"],
            [
                (month, fen, card["owners"].get(month, {}))
                for month, fen in sorted(card["months"].items())
            ],
        )
    for p in sorted(projects_, key=lambda p: (p["entity"], p["code"])):
        if p["shares"]:
            problems += _share_problems(
                p["entity"], f"project {p['code']}", p["shares"], p["income"]
            )
    return problems


def _share_problems(
    entity: str, what: str, shares: dict[str, str], amounts: list[tuple[str, int, dict[str, int]]]
) -> list[dict[str, Any]]:
    found = []
    owners = "+".join(sorted(shares))
    total = sum((Decimal(s) for s in shares.values()), Decimal(0))
    if shares and total != 1:
        found.append(
            {
                "check": "pair",
                "pair": "owner-shares",
                "entity": entity,
                "account": what,
                "figure": "1",
                "counterpart": {"entity": owners, "account": "shares", "figure": f"{total}"},
                "detail": f"{what} of {entity}: its owners' shares add up to {total}, not 1",
            }
        )
    for label, fen, parts in amounts:
        if len(shares) > 1 and sum(parts.values()) != fen:
            found.append(
                _problem(
                    "owner-shares",
                    entity,
                    f"{what} {label}",
                    fen,
                    owners,
                    "owners' parts",
                    sum(parts.values()),
                    f"{what} of {entity}, {label}: the owners' parts do not add up to the amount",
                )
            )
    return found


# -- from the read models -------------------------------------------------------------------------


def asset_facts(conn: Connection) -> tuple[Cards, Projects]:
    """Every card and project as :func:`asset_problems` takes them, from the read model."""
    cards: dict[str, dict[str, Any]] = {}
    for r in conn.execute(select(asset_cards)).mappings():
        cards[r["card_id"]] = {
            "entity": r["entity"],
            "number": r["number"],
            "account": r["account"],
            "contra": r["contra"],
            "original": int(r["original_fen"]),
            "opening": int(r["opening_fen"]),
            "disposed": r["status"] == "disposed",
            "shares": {},
            "months": {},
            "owners": {},
        }
    for r in conn.execute(select(asset_owners)):
        cards[r.card_id]["shares"][r.owner] = r.share
    for r in conn.execute(select(depreciation)):
        cards[r.card_id]["months"][r.month] = int(r.amount_fen)
    for r in conn.execute(select(depreciation_owners)):
        cards[r.card_id]["owners"].setdefault(r.month, {})[r.owner] = int(r.amount_fen)
    found: dict[str, dict[str, Any]] = {}
    for r in conn.execute(select(projects)).mappings():
        found[r["project_id"]] = {
            "entity": r["entity"],
            "code": r["code"],
            "account": r["account"],
            "costs": 0,
            "completed": r["state"] == "completed",
            "shares": {},
            "income": [],
        }
    for r in conn.execute(select(project_costs)):
        found[r.project_id]["costs"] += int(r.amount_fen)
    for r in conn.execute(select(project_owners)):
        found[r.project_id]["shares"][r.owner] = r.share
    parts: dict[tuple[str, str], dict[str, int]] = {}
    for r in conn.execute(select(project_income_owners)):
        parts.setdefault((r.project_id, r.entry), {})[r.owner] = int(r.amount_fen)
    for r in conn.execute(select(project_income).order_by(project_income.c.entry)):
        key = (r.project_id, r.entry)
        found[r.project_id]["income"].append(
            (f"income {r.entry}", int(r.amount_fen), parts.get(key, {}))
        )
    return list(cards.values()), list(found.values())


def verify_books(conn: Connection) -> list[dict[str, Any]]:
    """The pairs of books that disagree (``audit.book_reconcile``), then the disagreements
    between the books and the 三资 registers: empty when everything agrees."""
    kinds, balances, by_source = book_facts(conn)
    return pair_problems(kinds, balances, by_source) + asset_problems(balances, *asset_facts(conn))
