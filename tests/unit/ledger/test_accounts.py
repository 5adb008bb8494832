from __future__ import annotations

import pytest

from ledger.accounts import Account, Category, ChartOfAccounts, Side
from ledger.errors import LedgerError, UnknownAccountError

# The chart of 财会〔2023〕14号, transcribed by hand: (code, name, category, normal side, contra).
A, L, E, C, P = (
    Category.ASSET,
    Category.LIABILITY,
    Category.EQUITY,
    Category.COST,
    Category.PROFIT_LOSS,
)
D, K = Side.DEBIT, Side.CREDIT
TABLE = [
    ("101", "库存现金", A, D, False),
    ("102", "银行存款", A, D, False),
    ("111", "短期投资", A, D, False),
    ("112", "应收款", A, D, False),
    ("113", "内部往来", A, D, False),
    ("121", "库存物资", A, D, False),
    ("131", "消耗性生物资产", A, D, False),
    ("132", "生产性生物资产", A, D, False),
    ("133", "生产性生物资产累计折旧", A, K, True),
    ("134", "公益性生物资产", A, D, False),
    ("141", "长期投资", A, D, False),
    ("151", "固定资产", A, D, False),
    ("152", "累计折旧", A, K, True),
    ("153", "在建工程", A, D, False),
    ("154", "固定资产清理", A, D, False),
    ("161", "无形资产", A, D, False),
    ("162", "累计摊销", A, K, True),
    ("171", "长期待摊费用", A, D, False),
    ("181", "待处理财产损溢", A, D, False),
    ("201", "短期借款", L, K, False),
    ("211", "应付款", L, K, False),
    ("212", "应付工资", L, K, False),
    ("213", "应付劳务费", L, K, False),
    ("214", "应交税费", L, K, False),
    ("221", "长期借款及应付款", L, K, False),
    ("231", "一事一议资金", L, K, False),
    ("241", "专项应付款", L, K, False),
    ("301", "资本", E, K, False),
    ("311", "公积公益金", E, K, False),
    ("321", "本年收益", E, K, False),
    ("322", "收益分配", E, K, False),
    ("401", "生产(劳务)成本", C, D, False),
    ("501", "经营收入", P, K, False),
    ("502", "投资收益", P, K, False),
    ("503", "补助收入", P, K, False),
    ("504", "其他收入", P, K, False),
    ("511", "经营支出", P, D, False),
    ("512", "税金及附加", P, D, False),
    ("513", "管理费用", P, D, False),
    ("514", "公益支出", P, D, False),
    ("515", "其他支出", P, D, False),
    ("521", "所得税费用", P, D, False),
]


def test_the_chart_is_the_table_of_2023_in_code_order() -> None:
    chart = ChartOfAccounts.standard()
    assert len(chart) == len(TABLE) == 42
    assert [(a.code, a.name, a.category, a.normal_side, a.contra, a.parent) for a in chart] == [
        (*row, None) for row in TABLE
    ]


def test_the_standard_chart_is_loaded_once() -> None:
    assert ChartOfAccounts.standard() is ChartOfAccounts.standard()


def test_sides_and_categories_are_the_csv_words() -> None:
    assert Side.DEBIT.value == "debit" and isinstance(Side.DEBIT, str)
    assert Side("credit") is Side.CREDIT and f"{Side.CREDIT}" == "credit"
    assert Side.DEBIT.opposite is Side.CREDIT and Side.CREDIT.opposite is Side.DEBIT
    assert [c.value for c in Category] == ["asset", "liability", "equity", "cost", "profit_loss"]


def test_sub_accounts_inherit_from_their_parent() -> None:
    chart = ChartOfAccounts.standard()
    assert chart.get("113V02") == Account(
        code="113V02",
        name="内部往来-V02",
        category=Category.ASSET,
        normal_side=Side.DEBIT,
        contra=False,
        parent="113",
    )
    depreciation = chart.get("152A")
    assert (depreciation.normal_side, depreciation.contra) == (Side.CREDIT, True)
    assert chart.get("32201").name == "各项分配"  # the chart's own sub-accounts
    assert dict(chart.prescribed) == {"32201": "各项分配", "32202": "未分配收益"}
    assert chart.parent_of("141J01") == "141" and chart.parent_of("102") == "102"
    assert "32201" in chart and "141J01" in chart and "102" in chart


def test_with_names_names_sub_accounts_and_leaves_the_original_alone() -> None:
    chart = ChartOfAccounts.standard()
    named = chart.with_names({"141J01": "长期投资-黑牛养殖联合社", "32201": "各项分配"})
    assert named.get("141J01").name == "长期投资-黑牛养殖联合社"
    assert named.get("32201").name == "各项分配"
    assert named.get("32202").name == "未分配收益"
    assert named.get("113X").name == "内部往来-X"
    assert dict(named.names) == {"141J01": "长期投资-黑牛养殖联合社", "32201": "各项分配"}
    assert chart.get("141J01").name == "长期投资-J01"
    assert dict(chart.names) == {}
    renamed = named.with_names({"32201": "提取公积公益金"})
    assert renamed.get("32201").name == "提取公积公益金"
    assert renamed.get("141J01").name == "长期投资-黑牛养殖联合社"


@pytest.mark.parametrize(
    ("names", "error", "says"),
    [
        ({"102": "银行"}, UnknownAccountError, "only sub-accounts"),
        ({"999X": "x"}, UnknownAccountError, "not in the chart"),
        ({"113V01": ""}, LedgerError, "a non-empty text is needed"),
    ],
)
def test_with_names_refuses_what_cannot_be_named(
    names: dict[str, str], error: type[LedgerError], says: str
) -> None:
    with pytest.raises(error, match=says):
        ChartOfAccounts.standard().with_names(names)


@pytest.mark.parametrize(
    "code", ["999", "10", "1", "", "113-V02", "1131 ", "113V02\n", "abc", "113村", "１０２"]
)
def test_unknown_codes_are_refused(code: str) -> None:
    chart = ChartOfAccounts.standard()
    assert code not in chart
    with pytest.raises(UnknownAccountError) as caught:
        chart.get(code)
    message = str(caught.value)
    assert repr(code) in message
    assert "3-digit chart code" in message and "letters or digits" in message


def test_non_text_codes_are_not_accounts() -> None:
    chart = ChartOfAccounts.standard()
    assert 102 not in chart
    with pytest.raises(UnknownAccountError, match="not a text code"):
        chart.get(102)  # type: ignore[arg-type]
