from __future__ import annotations

import pytest

from ledger.accounts import Category, ChartOfAccounts, Side
from ledger.errors import UnknownAccountError


def test_the_chart_has_the_42_accounts_of_2023() -> None:
    chart = ChartOfAccounts.standard()
    assert len(chart) == 42
    codes = [a.code for a in chart]
    assert codes == sorted(codes)
    by_category: dict[Category, int] = {}
    for account in chart:
        by_category[account.category] = by_category.get(account.category, 0) + 1
    assert by_category == {
        Category.ASSET: 19,
        Category.LIABILITY: 8,
        Category.EQUITY: 4,
        Category.COST: 1,
        Category.PROFIT_LOSS: 10,
    }


def test_normal_sides_and_contra_accounts() -> None:
    chart = ChartOfAccounts.standard()
    assert chart.get("102").name == "银行存款" and chart.get("102").normal_side is Side.DEBIT
    assert {a.code for a in chart if a.contra} == {"133", "152", "162"}
    assert all(chart.get(c).normal_side is Side.CREDIT for c in ("133", "152", "162"))
    assert chart.get("502").normal_side is Side.CREDIT
    assert chart.get("513").normal_side is Side.DEBIT
    assert Side.DEBIT.opposite is Side.CREDIT


def test_sub_accounts_inherit_from_their_parent() -> None:
    chart = ChartOfAccounts.standard()
    sub = chart.get("113V02")
    assert sub.parent == "113" and sub.name == "内部往来-V02" and sub.category is Category.ASSET
    named = chart.with_names({"141J01": "长期投资-黑牛养殖联合社"})
    assert named.get("141J01").name == "长期投资-黑牛养殖联合社"
    assert "32201" in chart and "141J01" in chart


@pytest.mark.parametrize("code", ["999", "10", "", "113-V02", "1131 ", "abc"])
def test_unknown_codes_are_refused(code: str) -> None:
    chart = ChartOfAccounts.standard()
    assert code not in chart
    with pytest.raises(UnknownAccountError, match="chart"):
        chart.get(code)
