"""Reading a 科目余额表 for 建账 (``adapters.balance_files``): the template's layout and a
platform's (two header rows, 期初/本年累计/期末, a direction column), the chart's tree with its
sub-accounts, every cell read as text, and every problem at its row and column in Chinese."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from adapters.balance_files import BalanceFileError, parse_balances, template_xlsx
from adapters.balance_template import EXAMPLE, TEMPLATE_HEADER
from adapters.register_files import to_xlsx
from tests.setup_files import ROWS, balance_file, rows_with, with_formula


def problems(data: bytes) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.message) for p in parse_balances(data).problems]


def test_the_template_layout_reads_into_the_leaves_of_the_chart() -> None:
    parsed = parse_balances(balance_file())
    assert parsed.problems == []
    assert "年初余额 = 年初余额借方 (C)/年初余额贷方 (D)" in parsed.layout
    tree = {r.code: (r.parent, r.depth, sorted(r.children)) for r in parsed.rows}
    assert tree["113"] == (None, 0, ["11301", "11302"])
    assert tree["11301"] == ("113", 1, [])
    assert tree["322"] == (None, 0, ["32201", "32202"])
    accounts = {a["code"]: a for a in parsed.accounts()}
    assert "113" not in accounts and "322" not in accounts  # the sums, checked, not booked
    assert accounts["11301"] == {
        "code": "11301",
        "name": "张三",
        "year_start_debit": "5000.00",
        "year_start_credit": "0.00",
        "year_debit": "0.00",
        "year_credit": "3000.00",
        "opening_debit": "2000.00",
        "opening_credit": "0.00",
    }
    assert accounts["152"]["year_start_credit"] == "10000.00"
    assert [(c["check"], c["left"], c["right"], c["holds"]) for c in parsed.checks()] == [
        ("年初余额：借方合计 = 贷方合计", 36000000, 36000000, True),
        ("期初余额：借方合计 = 贷方合计", 42200000, 42200000, True),
        ("本年累计：借方合计 = 贷方合计", 10200000, 10200000, True),
    ]


def test_the_downloadable_template_has_its_example_and_rules() -> None:
    book = load_workbook(io.BytesIO(template_xlsx()))
    assert book.sheetnames == ["科目余额表", "示例", "说明"]
    assert [c.value for c in book["科目余额表"][1]] == list(TEMPLATE_HEADER)
    example = [[c.value for c in row] for row in book["示例"].iter_rows()]
    assert [r[0] for r in example[1:]] == [r[0] or None for r in EXAMPLE]
    # the example is itself a file 建账 reads without a problem
    rows = [[r[0], r[1], *r[2:]] for r in EXAMPLE]
    assert parse_balances(to_xlsx([list(TEMPLATE_HEADER), *rows])).problems == []


def test_a_platform_export_with_two_header_rows_and_a_direction_column() -> None:
    """期初余额 (1 January) | 本期发生额 | 本年累计 | 期末余额 (the day the books start), the
    balances as an amount with 方向, numbers stored as numbers, codes as 113.01."""
    head = [
        ["科目余额表", None, None, None, None, None, None, None, None, None],
        [
            "科目编码",
            "科目名称",
            "期初余额",
            None,
            "本期发生额",
            None,
            "本年累计",
            None,
            "期末余额",
            None,
        ],
        [None, None, "方向", "金额", "借方", "贷方", "借方", "贷方", "方向", "金额"],
    ]

    def balance(debit: str, credit: str) -> list[object]:
        if debit:
            return ["借", float(debit)]
        if credit:
            return ["贷", float(credit)]
        return ["平", None]

    body = []
    for code, name, ysd, ysc, yd, yc, od, oc in ROWS[:-1]:
        dotted = f"{code[:3]}.{code[3:]}" if len(code) > 3 else int(code)
        body.append(
            [
                dotted,
                name,
                *balance(ysd, ysc),
                1,
                1,
                float(yd or 0),
                float(yc or 0),
                *balance(od, oc),
            ]
        )
    parsed = parse_balances(to_xlsx([*head, *body, [None, "合  计"]]))
    assert parsed.problems == []
    assert parsed.layout.startswith("年初余额 = 期初余额 (D)/期初余额方向 (C)；")
    assert parsed.layout.endswith("建账日的期初余额 = 期末余额 (J)/期末余额方向 (I)")
    assert {a["code"]: a for a in parse_balances(balance_file()).accounts()} == {
        a["code"]: a for a in parsed.accounts()
    }


def test_codes_deeper_than_the_books_become_sub_accounts_named_after_their_parents() -> None:
    rows = [
        ["102", "银行存款", "100.00", "", "", "", "100.00", ""],
        ["113", "内部往来", "", "100.00", "", "", "", "100.00"],
        ["11301", "张三", "", "100.00", "", "", "", "100.00"],
        ["1130101", "借款", "", "60.00", "", "", "", "60.00"],
        ["1130102", "垫付", "", "40.00", "", "", "", "40.00"],
    ]
    parsed = parse_balances(balance_file(rows))
    assert parsed.problems == []
    assert [(a["code"], a["name"]) for a in parsed.accounts()] == [
        ("102", "银行存款"),
        ("1130101", "张三-借款"),
        ("1130102", "张三-垫付"),
    ]


def test_a_file_that_does_not_balance_says_by_how_much() -> None:
    rows = rows_with({"501": {5: "40000.01", 7: "40000.01"}})
    assert problems(balance_file(rows)) == [
        (
            None,
            None,
            "期初余额不平衡：借方合计 ¥422,000.00，贷方合计 ¥422,000.01，相差 ¥0.01",
        ),
        (
            None,
            None,
            "本年累计不平衡：借方合计 ¥102,000.00，贷方合计 ¥102,000.01，相差 ¥0.01",
        ),
    ]


def test_a_parent_row_must_be_the_sum_of_its_sub_accounts() -> None:
    found = problems(balance_file(rows_with({"113": {2: "8000.50"}})))
    assert found == [
        (
            5,
            "年初余额借方 (C)/年初余额贷方 (D)",
            "113 内部往来 的年初余额 借 ¥8,000.50 与其下级科目合计 借 ¥8,000.00 不符（相差 ¥0.50）",
        )
    ]


def test_a_row_whose_year_does_not_add_up_to_its_opening_balance() -> None:
    found = problems(balance_file(rows_with({"101": {6: "2600.00"}})))
    assert found == [
        (
            3,
            "期初余额借方 (G)/期初余额贷方 (H)",
            "101 库存现金：年初余额 借 ¥2,000.00 + 本年累计借方 ¥5,000.00 − 本年累计贷方 "
            "¥4,500.00 = 借 ¥2,500.00，与期初余额 借 ¥2,600.00 不符（相差 ¥100.00）",
        )
    ]


def test_unknown_codes_are_named() -> None:
    rows = [
        *ROWS[:-1],
        ("1001", "现金", "", "", "", "", "", ""),
        ("113-X.1", "王五", "", "", "", "", "", ""),
    ]
    found = problems(balance_file([list(r) for r in rows]))
    assert found == [
        (
            19,
            "科目编码 (A)",
            "科目编码 1001 不认识：100 不是《农村集体经济组织会计制度》（2023）的一级科目",
        )
    ]  # 113-X.1 is 113X1, a sub-account code the chart allows


def test_a_formula_cell_is_refused_not_read_for_its_last_value() -> None:
    found = problems(with_formula("C3", "=1000+1000"))
    assert len(found) == 1
    row, column, message = found[0]
    assert (row, column) == (3, "C 列")
    assert "公式" in message and "=1000+1000" in message


def test_amounts_are_read_from_their_figures_and_never_rounded() -> None:
    found = problems(balance_file(rows_with({"101": {2: "2000.001"}, "102": {4: "六万"}})))
    assert [(r, c) for r, c, _ in found] == [
        (3, "年初余额借方 (C)/年初余额贷方 (D)"),
        (4, "本年累计借方 (E)/本年累计贷方 (F)"),
    ]
    assert "超过两位小数" in found[0][2] and "不是金额" in found[1][2]


@pytest.mark.parametrize(
    "header",
    [
        ["科目", "余额"],  # no code column
        [
            "科目编码",
            "科目名称",
            "年初余额",
            "期初余额借方",
            "期初余额贷方",
        ],  # 年初 without direction
    ],
)
def test_a_file_without_a_readable_header_is_refused_whole(header: list[str]) -> None:
    with pytest.raises(BalanceFileError) as refused:
        parse_balances(to_xlsx([header, ["101", "库存现金", "1", "1", ""]]))
    assert refused.value.args[0].isascii() is False
