"""The 2023 statement forms as pure arithmetic: 行次, subtotals, 原值/累计折旧/净值, 内部往来 on
either side, 收益总额 and 其他转入, and the 汇总 by 行次."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from moneyed import Money

from ledger.accounts import ChartOfAccounts
from ledger.money import ZERO, money
from ledger.statement_forms import (
    COSTS,
    REVENUES,
    FormRow,
    FormsDiffer,
    IncomeFigures,
    balance_sheet_form,
    consolidate,
    form_amount,
    income_form,
)


def picker(balances: dict[str, str]):  # type: ignore[no-untyped-def]
    """Debit-positive balances by account, summed under the given prefixes."""

    def pick(codes: Sequence[str]) -> Money:
        return sum(
            (
                money(v, allow_negative=True)
                for k, v in balances.items()
                if k.startswith(tuple(codes))
            ),
            ZERO,
        )

    return pick


BOOKS = {
    "102": "50000.00",
    "113V2": "-700.00",  # owed to another unit of the alliance
    "151": "20000.00",
    "152": "-1500.00",
    "201": "-3000.00",
    "301": "-60000.00",
    "311": "-4800.00",
}


def amounts(rows: Sequence[FormRow]) -> dict[str, tuple[int | None, str]]:
    return {r.line: (r.row, "" if r.amount is None else str(r.amount.amount)) for r in rows}


def test_the_balance_sheet_has_row_numbers_subtotals_and_cost_less_depreciation() -> None:
    assets, claims = balance_sheet_form(picker(BOOKS))
    a, c = amounts(assets), amounts(claims)
    assert a["流动资产："] == (None, "")
    assert a["货币资金"] == (1, "50000.00")
    assert a["内部往来（借方）"] == (4, "0.00")
    assert a["流动资产合计"] == (7, "50000.00")
    assert (a["固定资产原值"], a["减：累计折旧"], a["固定资产净值"]) == (
        (13, "20000.00"),
        (14, "1500.00"),
        (15, "18500.00"),
    )
    assert a["非流动资产合计"] == (22, "18500.00")  # the net line, not 原值 and 累计折旧 too
    assert a["资产总计"] == (23, "68500.00")
    assert c["内部往来（贷方）"] == (26, "700.00")
    assert c["流动负债合计"] == (30, "3700.00")
    assert c["负债合计"] == (35, "3700.00")
    assert c["所有者权益合计"] == (39, "64800.00")
    assert c["负债和所有者权益总计"] == (40, "68500.00")
    numbers = [r.row for r in (*assets, *claims) if r.row is not None]
    assert numbers == list(range(1, 41))  # one series, each 行次 once


def test_an_internal_debit_balance_is_an_asset_and_not_a_liability() -> None:
    assets, claims = balance_sheet_form(picker({"113V2": "900.00", "301": "-900.00"}))
    assert form_amount(assets, "内部往来（借方）") == money("900.00")
    assert form_amount(claims, "内部往来（贷方）") == ZERO


NAMES = {c: ChartOfAccounts.standard().get(c).name for c in REVENUES + COSTS}


def figures(other_in: str = "0.00", **moves: str) -> IncomeFigures:
    return IncomeFigures(
        movements={k.removeprefix("a"): money(v) for k, v in moves.items()},
        opening_undistributed=money("-500.00", allow_negative=True),
        other_in=money(other_in, allow_zero=True),
        distributions={"提取公积公益金": money("200.00"), "成员分配": money("1000.00")},
    )


def test_income_before_tax_and_other_transfers_in() -> None:
    rows = income_form(
        figures("300.00", a501="10000.00", a513="4000.00", a503="1000.00", a521="250.00"),
        NAMES,
        year=True,
    )
    found = amounts(rows)
    assert found["经营收益"] == (6, "6000.00")
    assert found["收益总额"] == (11, "7000.00")
    assert found["所得税费用"] == (12, "250.00")
    assert found["本年收益"] == (13, "6750.00")
    assert found["年初未分配收益"] == (14, "-500.00")
    assert found["其他转入"] == (15, "300.00")
    assert found["可分配收益"] == (16, "6550.00")  # 6750 − 500 + 300
    assert found["各项分配合计"] == (22, "1200.00")
    assert found["年末未分配收益"] == (23, "5350.00")
    assert [r.row for r in rows] == list(range(1, 24))


def test_a_quarter_says_period_words_under_the_same_row_numbers() -> None:
    rows = income_form(figures(a501="10.00"), NAMES, year=False)
    assert [(r.row, r.line) for r in rows if r.row in (13, 14, 23)] == [
        (13, "本期收益"),
        (14, "期初未分配收益"),
        (23, "期末未分配收益"),
    ]


def test_consolidation_adds_up_by_row_number() -> None:
    one = balance_sheet_form(picker(BOOKS))[0]
    two = balance_sheet_form(picker({"102": "1000.00", "151": "500.00", "152": "-50.00"}))[0]
    total = amounts(consolidate([one, two]))
    assert total["货币资金"] == (1, "51000.00")
    assert total["固定资产原值"] == (13, "20500.00")
    assert total["减：累计折旧"] == (14, "1550.00")
    assert total["资产总计"] == (23, "69950.00")
    assert total["流动资产："] == (None, "")


def test_consolidation_refuses_forms_of_other_lines() -> None:
    sheet = balance_sheet_form(picker(BOOKS))[0]
    income = income_form(figures(a501="1.00"), NAMES, year=True)
    with pytest.raises(FormsDiffer):
        consolidate([sheet, income])
    with pytest.raises(ValueError):
        consolidate([])
