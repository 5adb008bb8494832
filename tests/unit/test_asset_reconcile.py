"""The books against the 三资 registers (``audit.asset_reconcile``, which ``verify`` runs) and its
standard-library copy in the stand-alone verifier (``scripts/verify_export/assets.py``): the same
disagreements, named alike, on the same facts — the one from the read model's rows, the other
from the export's events."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from audit.asset_reconcile import asset_problems
from scripts.verify_export.assets import asset_problems as exported_problems
from scripts.verify_export.assets import collect_assets, new_assets

# Scenario B in 2025: the barn on 151 at 900,000.00, four months of 3,562.50 on 152, the project
# completed; its income (rent) split 45% / 25% / 30%
CARD: dict[str, Any] = {
    "entity": "J01",
    "number": "GZ-001",
    "account": "151",
    "contra": "152",
    "original": 90000000,
    "opening": 0,
    "disposed": False,
    "shares": {"V01": "0.45", "V02": "0.25", "V03": "0.3"},
    "months": {m: 356250 for m in ("2025-09", "2025-10", "2025-11", "2025-12")},
    "owners": {
        m: {"V01": 160313, "V02": 89062, "V03": 106875}
        for m in ("2025-09", "2025-10", "2025-11", "2025-12")
    },
}
PROJECT: dict[str, Any] = {
    "entity": "J01",
    "code": "XM2025-NC",
    "account": "153XM2025NC",
    "costs": 90000000,
    "completed": True,
    "shares": {"V01": "0.45", "V02": "0.25", "V03": "0.3"},
    "income": [("income 2025-09-J-0001", 800000, {"V01": 360000, "V02": 200000, "V03": 240000})],
}
BALANCES = {"J01": {"102": 3200000, "151": 90000000, "152": -1425000, "153XM2025NC": 0}}


def events(cards: list[dict[str, Any]], projects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The export's events that say what ``cards`` and ``projects`` hold (amounts as text, the
    values wrapped as the store writes them)."""

    def yuan(fen: int) -> dict[str, str]:
        return {"_type_": "cny", "_data_": f"{fen // 100}.{fen % 100:02d}"}

    out: list[dict[str, Any]] = []
    for n, c in enumerate(cards):
        card = f"card-{n}"
        state = {
            **{k: c[k] for k in ("entity", "number", "account", "contra")},
            "original": yuan(c["original"]),
            "accumulated": yuan(c["opening"]),
            "owners": c["shares"],
        }
        out.append(
            {"topic": "domain.assets:AssetCard.Registered", "originator_id": card, "state": state}
        )
        for month, fen in c["months"].items():
            depreciated = {
                "month": month,
                "amount": yuan(fen),
                "owners": c["owners"].get(month, {}),
            }
            out.append(
                {
                    "topic": "domain.assets:AssetCard.Depreciated",
                    "originator_id": card,
                    "state": depreciated,
                }
            )
        if c["disposed"]:
            out.append(
                {"topic": "domain.assets:AssetCard.Disposed", "originator_id": card, "state": {}}
            )
    for n, p in enumerate(projects):
        project = f"project-{n}"
        planned = {k: p[k] for k in ("entity", "code", "account")}
        out.append(
            {"topic": "domain.projects:Project.Planned", "originator_id": project, "state": planned}
        )
        cost = {"amount": yuan(p["costs"])}
        out.append(
            {
                "topic": "domain.projects:Project.CostRecorded",
                "originator_id": project,
                "state": cost,
            }
        )
        if p["completed"]:
            done = {"owners": p["shares"]}
            out.append(
                {
                    "topic": "domain.projects:Project.Completed",
                    "originator_id": project,
                    "state": done,
                }
            )
        for label, fen, owners in p["income"]:
            income = {"entry": label.removeprefix("income "), "amount": yuan(fen), "owners": owners}
            out.append(
                {
                    "topic": "domain.projects:Project.IncomeRecorded",
                    "originator_id": project,
                    "state": income,
                }
            )
    return out


def both(balances: dict[str, dict[str, int]], cards: list[Any], projects: list[Any]) -> list[Any]:
    """The disagreements ``verify`` finds, checked to be what the stand-alone verifier finds."""
    found = asset_problems(balances, cards, projects)
    registers = new_assets()
    for event in events(cards, projects):
        collect_assets(registers, event)
    as_yuan = {
        e: {a: f"{'-' if f < 0 else ''}{abs(f) // 100}.{abs(f) % 100:02d}" for a, f in b.items()}
        for e, b in balances.items()
    }
    assert exported_problems(registers, as_yuan) == found
    return found


def test_scenario_b_agrees() -> None:
    assert both(BALANCES, [CARD], [PROJECT]) == []


def changed(what: dict[str, Any], **values: Any) -> dict[str, Any]:
    found = copy.deepcopy(what)
    found.update(values)
    return found


@pytest.mark.parametrize(
    ("balances", "card", "project", "pair", "figures"),
    [
        # a voucher posted 1,000.00 to 151 beside the card
        ({"151": 90100000}, CARD, PROJECT, "asset-original", ("901000.00", "900000.00")),
        # a month of depreciation posted by hand, not by the run
        ({"152": -1781250}, CARD, PROJECT, "asset-depreciation", ("17812.50", "14250.00")),
        # the project's sub-account keeps a cost its completion did not move
        ({"153XM2025NC": 100000}, CARD, PROJECT, "project-cost", ("1000.00", "0.00")),
        # a project under construction: its costs are on its sub-account
        ({}, CARD, changed(PROJECT, completed=False), "project-cost", ("0.00", "900000.00")),
        # a month's owners' parts one fen short
        (
            {},
            changed(
                CARD,
                owners={**CARD["owners"], "2025-10": {"V01": 160312, "V02": 89062, "V03": 106875}},
            ),
            PROJECT,
            "owner-shares",
            ("3562.50", "3562.49"),
        ),
        # shares that do not add up to the whole
        (
            {},
            changed(CARD, shares={"V01": "0.45", "V02": "0.25", "V03": "0.29"}),
            PROJECT,
            "owner-shares",
            ("1", "0.99"),
        ),
        # an income whose owners' parts are more than it
        (
            {},
            CARD,
            changed(
                PROJECT,
                income=[
                    ("income 2025-09-J-0001", 800000, {"V01": 360001, "V02": 200000, "V03": 240000})
                ],
            ),
            "owner-shares",
            ("8000.00", "8000.01"),
        ),
    ],
)
def test_each_disagreement_is_named_alike_by_both(
    balances: dict[str, int], card: Any, project: Any, pair: str, figures: tuple[str, str]
) -> None:
    books = {"J01": {**BALANCES["J01"], **balances}}
    if not project["completed"]:
        books["J01"].update({"151": 0, "152": 0})  # nothing completed: no asset either
        card = changed(card, disposed=True)
    first = both(books, [card], [project])[0]
    assert (first["pair"], first["figure"], first["counterpart"]["figure"]) == (pair, *figures)
    assert first["detail"].startswith(("project ", "J01's ", "card "))


def test_a_disposed_card_leaves_the_books_and_books_without_cards_are_not_checked() -> None:
    gone = changed(CARD, disposed=True)
    books = {"J01": {"102": 3200000, "151": 0, "152": 0}, "V01": {"151": 120000000}}
    assert both(books, [gone], []) == []
