"""Issue 11 item 2: a villager recomputes every line of a plan from what its page prints — the
bases and their column totals, the weights, the exact shares, the deductions and the rounding
rule in words — and arrives at every printed amount to the fen. Nothing here reads the store:
only the HTML."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from html.parser import HTMLParser
from typing import Any

import pytest

from scripts import scenario_a as A
from tests.e2e.public_demo import demo_client


class Printed(HTMLParser):
    """The text of every element marked data-v="…" (what is printed there), and the order of
    the tiers (the 怎样自己核算 list, data-tier/data-kind)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.tiers: list[tuple[str, str]] = []
        self.parties: list[str] = []
        self.open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "data-tier" in found:
            self.tiers.append((str(found["data-tier"]), str(found["data-kind"])))
        if "data-party" in found:
            self.parties.append(str(found["data-party"]))
        if tag not in ("br", "img", "meta", "link", "input"):
            self.open.append((tag, found.get("data-v")))
            if found.get("data-v"):
                self.values[str(found["data-v"])] = ""

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            name, _ = self.open.pop()
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, key in self.open:
            if key:
                self.values[key] += data


def number(text: str) -> Decimal:
    return Decimal(text.replace("¥", "").replace(",", "").strip())


def fen(text: str) -> int:
    return int(number(text) * 100)


def half_up(value: Fraction) -> int:
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


def split(total: int, shares: dict[str, Fraction]) -> dict[str, int]:
    """The rule printed on the page: each share rounded down to the fen, the fen left over one
    each to the largest remainders, ties to the code first."""
    exact = {code: total * share for code, share in shares.items()}
    parts = {code: int(value) for code, value in exact.items()}
    left = total - sum(parts.values())
    for code in sorted(exact, key=lambda c: (-(exact[c] - parts[c]), c))[:left]:
        parts[code] += 1
    return parts


def recompute(html: str) -> dict[str, int]:
    page = Printed()
    page.feed(html)
    v = page.values
    parties = page.parties
    assert parties and page.tiers
    amount = fen(v["amount"])
    deducted = sum(
        half_up(Fraction(amount) * Fraction(number(text)) / 100)
        for key, text in v.items()
        if key.startswith("deduction:")
    )
    left = amount - deducted
    assert left == fen(v["distributable"])
    bases = {
        key.split(":")[2]: None for key in v if key.startswith("base:")
    }  # the basis keys, in order
    base = {(p, b): number(v[f"base:{p}:{b}"]) for p in parties for b in bases}
    for b in bases:  # the printed column totals add up
        assert sum(base[(p, b)] for p in parties) == number(v[f"base-total:{b}"])
    totals = {b: Fraction(number(v[f"base-total:{b}"])) for b in bases}
    lines = dict.fromkeys(parties, 0)
    for index, (tier, kind) in enumerate(page.tiers):
        last = index == len(page.tiers) - 1
        if kind == "rate":
            (key,) = [k for k in v if k.startswith(f"rate:{tier}:")]
            basis, percent = key.split(":")[2], Fraction(number(v[key]))
            parts = {p: half_up(Fraction(base[(p, basis)]) * percent) for p in parties}
            assert not last and sum(parts.values()) <= left
        else:
            weights = {
                k.split(":")[2]: Fraction(number(text))
                for k, text in v.items()
                if k.startswith(f"weight:{tier}:")
            }
            if kind == "proportional":  # by one basis, named as in the column headers
                by = {v[f"basis:{b}"].strip(): b for b in bases}[v[f"by:{tier}"].strip()]
                weights = {by: Fraction(1)}
            whole = sum(weights.values())
            shares = {
                p: sum(w / whole * Fraction(base[(p, b)]) / totals[b] for b, w in weights.items())
                for p in parties
            }
            for p in parties:  # the printed share is the exact fraction
                printed = v[f"fraction:{tier}:{p}"].replace(",", "")
                top, _, bottom = printed.partition("/")
                assert Fraction(Decimal(top)) / Fraction(Decimal(bottom or "1")) == shares[p]
            assert last  # a weighted or proportional tier without percent takes the rest
            parts = split(left, shares)
        for p in parties:
            assert parts[p] == fen(v[f"part:{tier}:{p}"]), (tier, p)
            lines[p] += parts[p]
        assert sum(parts.values()) == fen(v[f"tier:{tier}"])
        left -= sum(parts.values())
    assert left == 0
    for p in parties:
        lines[p] += fen(v[f"adjust:{p}"])
    return lines


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with demo_client(tmp_path_factory.mktemp("demo")) as (client, _runtime):
        yield client


def test_households_recomputed_from_the_page(demo: Any) -> None:
    html = demo.get(f"/public/plans/{A.HOUSEHOLD_PLAN}").text
    lines = recompute(html)
    expected = {code: int(Decimal(x) * 100) for code, x in A.EXPECTED_HOUSEHOLDS.items()}
    assert lines == expected
    assert "取整规则" in html and "34" in html  # 4/34: the shares over their total, as printed


def test_villages_recomputed_from_the_page(demo: Any) -> None:
    html = demo.get(f"/public/plans/{A.ALLIANCE_PLAN}").text
    lines = recompute(html)
    expected = {code: int(Decimal(x) * 100) for code, x in A.EXPECTED_VILLAGE_TOTALS.items()}
    assert lines == expected
    page = Printed()
    page.feed(html)
    for code, total in expected.items():
        assert fen(page.values[f"total:{code}"]) == total


def test_the_capital_behind_each_share_by_programme(demo: Any) -> None:
    from tests.e2e.public_demo import text_of

    text = text_of(demo.get(f"/public/plans/{A.ALLIANCE_PLAN}").text)
    assert "各方资金的来源" in text and "财政扶持壮大村级集体经济资金" in text
    assert "¥600,000.00" in text and "陆拾万元整" in text
