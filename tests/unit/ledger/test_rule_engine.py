"""The rule engine of RULES.md: the worked examples, every kind of error with its JSON path, and
the invariants as properties."""

from __future__ import annotations

import copy
import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.rules import RuleError, allocate_document

EXAMPLE = Path(__file__).parents[3] / "examples" / "rules-example.json"


def scenario_a() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    del document["floors"], document["caps"]
    return document


def by_code(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {line["code"]: line for line in result["lines"]}


def test_scenario_a_to_the_fen() -> None:
    result = allocate_document(scenario_a())
    assert result["deductions"] == [{"name": "管理费", "percent": "2", "amount": "3720.00"}]
    assert result["distributable"] == "182280.00"
    assert [(t["name"], t["amount"]) for t in result["tiers"]] == [
        ("保底收益", "90000.00"),
        ("按权重分配", "92280.00"),
    ]
    lines = by_code(result)
    assert {c: line["tiers"]["保底收益"] for c, line in lines.items()} == {
        "V01": "36000.00",
        "V02": "24000.00",
        "V03": "30000.00",
    }
    assert {c: line["tiers"]["按权重分配"] for c, line in lines.items()} == {
        "V01": "40884.05",
        "V02": "20836.56",
        "V03": "30559.39",
    }
    assert {c: line["total"] for c, line in lines.items()} == {
        "V01": "76884.05",
        "V02": "44836.56",
        "V03": "60559.39",
    }
    assert result["tiers"][1]["weights"] == {
        "V01": "0.443043",
        "V02": "0.225797",
        "V03": "0.331159",
    }
    assert result["total"] == "182280.00"


def test_rules_md_example_with_floor_and_cap() -> None:
    """By hand: V02 is raised to its floor 50000.00; the shortfall 5163.44 is taken from V01
    and V03 in proportion to 76884.05 : 60559.39, exactly 2888.3603… and 2275.0796…, so
    2888.36 and 2275.07 and the last fen to the larger remainder, V03: 2275.08. That leaves
    V01 73995.69 and V03 58284.31. V01 is then over its cap by 3995.69, given to V02 and V03
    in proportion to 50000.00 : 58284.31, exactly 1844.9995… and 2150.6904…: 1844.99 and
    2150.69, the last fen to V02 (remainder .9995 > .6904): 1845.00. Totals 70000.00,
    51845.00 and 60435.00."""
    result = allocate_document(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    lines = by_code(result)
    assert {c: (line["adjustment"], line["total"]) for c, line in lines.items()} == {
        "V01": ("-6884.05", "70000.00"),
        "V02": ("7008.44", "51845.00"),
        "V03": ("-124.39", "60435.00"),
    }


def test_proportional_percent_then_equal() -> None:
    result = allocate_document(
        {
            "amount": "1000.00",
            "tiers": [
                {"kind": "proportional", "basis": "capital", "percent": "60"},
                {"kind": "equal"},
            ],
            "parties": [
                {"code": "A", "bases": {"capital": "1"}},
                {"code": "B", "bases": {"capital": "2"}},
                {"code": "C", "bases": {"capital": "0"}},
            ],
        }
    )
    assert [t["name"] for t in result["tiers"]] == ["第1档", "第2档"]
    lines = by_code(result)
    assert {c: line["tiers"]["第1档"] for c, line in lines.items()} == {
        "A": "200.00",
        "B": "400.00",
        "C": "0.00",
    }
    assert {c: line["tiers"]["第2档"] for c, line in lines.items()} == {
        "A": "133.34",
        "B": "133.33",
        "C": "133.33",
    }
    assert lines["A"]["name"] == "A"


def test_rate_tier_scaled_down_and_a_last_rate_tier_takes_the_rest() -> None:
    short = allocate_document(
        {
            "amount": "100.00",
            "tiers": [
                {"name": "保底", "kind": "rate", "basis": "capital", "percent": "10"},
                {"name": "余额", "kind": "equal"},
            ],
            "parties": [
                {"code": "A", "bases": {"capital": "1000"}},
                {"code": "B", "bases": {"capital": "3000"}},
            ],
        }
    )
    assert {c: line["tiers"]["保底"] for c, line in by_code(short).items()} == {
        "A": "25.00",
        "B": "75.00",
    }
    assert [t["amount"] for t in short["tiers"]] == ["100.00", "0.00"]
    rest = allocate_document(
        {
            "amount": "1000.00",
            "tiers": [{"kind": "rate", "basis": "capital", "percent": "1"}],
            "parties": [
                {"code": "A", "bases": {"capital": "1000"}},
                {"code": "B", "bases": {"capital": "3000"}},
            ],
        }
    )
    assert {c: line["total"] for c, line in by_code(rest).items()} == {"A": "250.00", "B": "750.00"}


def test_a_basis_totalling_zero_is_dropped() -> None:
    result = allocate_document(
        {
            "amount": "90.00",
            "tiers": [{"kind": "weighted", "weights": {"land": "50", "population": "50"}}],
            "parties": [
                {"code": "A", "bases": {"land": "0", "population": "1"}},
                {"code": "B", "bases": {"land": "0", "population": "2"}},
            ],
        }
    )
    assert {c: line["total"] for c, line in by_code(result).items()} == {"A": "30.00", "B": "60.00"}
    assert "land" in result["tiers"][0]["note"]


def paths(document: dict[str, Any]) -> list[str]:
    with pytest.raises(RuleError) as caught:
        allocate_document(document)
    return [path for path, _ in caught.value.errors]


def test_every_problem_is_named_by_its_path() -> None:
    document = scenario_a()
    document["amount"] = 186000
    document["deductions"][0]["percent"] = "abc"
    document["tiers"][1]["weights"]["capital"] = 50
    document["tiers"].append({"kind": "median"})
    document["parties"][1]["code"] = "V01"
    del document["parties"][2]["bases"]["land"]
    document["floors"] = {"V09": "1.00"}
    document["colour"] = "red"
    assert paths(document) == [
        "colour",
        "amount",
        "deductions[0].percent",
        "tiers[1].weights.capital",
        "tiers[2].kind",
        "parties[1].code",
        "parties[2].bases.land",
        "floors.V09",
    ]
    with pytest.raises(RuleError, match="a JSON number is not accepted"):
        allocate_document({**scenario_a(), "amount": 186000})


@pytest.mark.parametrize(
    ("change", "path", "says"),
    [
        ({"amount": "1.005"}, "amount", "more than 2 decimal places"),
        ({"amount": "-1.00"}, "amount", "negative"),
        ({"tiers": []}, "tiers", "at least one tier"),
        ({"parties": []}, "parties", "at least one party"),
        (
            {"deductions": [{"name": "a", "percent": "60"}, {"name": "b", "percent": "41"}]},
            "deductions",
            "more than 100",
        ),
        ({"floors": {"V01": "100000.00", "V02": "100000.00"}}, "floors", "more than the"),
        ({"caps": {"V01": "1.00", "V02": "1.00", "V03": "1.00"}}, "caps", "less than the"),
        ({"floors": {"V01": "10.00"}, "caps": {"V01": "5.00"}}, "floors.V01", "above the cap"),
        ({"tiers": [{"kind": "rate", "basis": "capital"}]}, "tiers[0].percent", "not a decimal"),
        ({"tiers": [{"kind": "weighted", "weights": {}}]}, "tiers[0].weights", "at least one"),
        (
            {"tiers": [{"kind": "weighted", "weights": {"capital": "0"}}]},
            "tiers[0].weights",
            "add up to zero",
        ),
        (
            {"tiers": [{"name": "x", "kind": "equal"}, {"name": "x", "kind": "equal"}]},
            "tiers[1].name",
            "duplicate",
        ),
        ({"tiers": [{"kind": "equal", "basis": "capital"}]}, "tiers[0].basis", "unknown key"),
    ],
)
def test_invalid_documents(change: dict[str, Any], path: str, says: str) -> None:
    with pytest.raises(RuleError) as caught:
        allocate_document({**scenario_a(), **change})
    assert path in [p for p, _ in caught.value.errors]
    assert says in str(caught.value)


# -- properties -------------------------------------------------------------------------------

decimals = st.integers(min_value=0, max_value=10**6).map(lambda n: str(Decimal(n) / 100))
percents = st.integers(min_value=0, max_value=100).map(str)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(min_value=2, max_value=8))
    bases = ["capital", "land", "population"]
    parties = [
        {"code": f"P{i:02d}", "bases": {b: draw(decimals) for b in bases}} for i in range(count)
    ]
    tiers: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        kind = draw(st.sampled_from(["rate", "weighted", "proportional", "equal"]))
        tier: dict[str, Any] = {"kind": kind}
        if kind == "rate":
            tier |= {"basis": draw(st.sampled_from(bases)), "percent": draw(percents)}
        elif kind == "weighted":
            tier["weights"] = {b: draw(st.sampled_from(["0", "10", "30", "50"])) for b in bases}
            if all(w == "0" for w in tier["weights"].values()):
                tier["weights"]["capital"] = "1"
        elif kind == "proportional":
            tier["basis"] = draw(st.sampled_from(bases))
        if kind != "rate" and draw(st.booleans()):
            tier["percent"] = draw(percents)
        tiers.append(tier)
    amount = draw(st.integers(min_value=0, max_value=10**9))
    document: dict[str, Any] = {
        "amount": f"{amount // 100}.{amount % 100:02d}",
        "deductions": [{"name": "公积公益金", "percent": draw(st.sampled_from(["0", "10", "15"]))}],
        "tiers": tiers,
        "parties": parties,
    }
    distributable = amount * 85 // 100  # below the true distributable: floors stay feasible
    if draw(st.booleans()):
        code = draw(st.sampled_from([p["code"] for p in parties]))
        floor = draw(st.integers(min_value=0, max_value=distributable // count))
        document["floors"] = {code: f"{floor // 100}.{floor % 100:02d}"}
    if draw(st.booleans()):
        code = parties[-1]["code"]
        if code not in document.get("floors", {}):
            cap = draw(st.integers(min_value=0, max_value=max(amount, 0)))
            document["caps"] = {code: f"{cap // 100}.{cap % 100:02d}"}
    return document


def fen(text: str) -> int:
    return int(Decimal(text) * 100)


@settings(max_examples=300, deadline=None)
@given(documents(), st.randoms())
def test_invariants(document: dict[str, Any], rnd: random.Random) -> None:
    result = allocate_document(document)
    lines = result["lines"]
    assert sum(fen(line["total"]) for line in lines) == fen(result["distributable"])
    assert fen(result["total"]) == fen(result["distributable"])
    assert fen(result["distributable"]) + sum(
        fen(d["amount"]) for d in result["deductions"]
    ) == fen(result["amount"])
    assert sum(fen(line["adjustment"]) for line in lines) == 0
    for tier in result["tiers"]:
        assert sum(fen(line["tiers"][tier["name"]]) for line in lines) == fen(tier["amount"])
    assert all(fen(v) >= 0 for line in lines for v in line["tiers"].values())
    assert all(fen(line["total"]) >= 0 for line in lines)
    totals = {line["code"]: fen(line["total"]) for line in lines}
    for code, floor in document.get("floors", {}).items():
        assert totals[code] >= fen(floor)
    for code, cap in document.get("caps", {}).items():
        assert totals[code] <= fen(cap) or all(totals[c] <= 0 for c in totals if c != code)
    shuffled = copy.deepcopy(document)
    rnd.shuffle(shuffled["parties"])
    again = allocate_document(shuffled)
    assert {line["code"]: line for line in again["lines"]} == by_code(result)
    assert allocate_document(copy.deepcopy(document)) == result
