"""Reading voucher files: grouping rows into vouchers, amounts and dates as clerks write them,
and every problem at its row and column."""

from __future__ import annotations

import datetime

import pytest

from adapters.voucher_files import (
    VoucherFileError,
    parse_amount,
    parse_date,
    parse_vouchers,
)
from domain.bulk import VoucherProblem


def csv(text: str) -> bytes:
    return text.encode("utf-8")


def test_rows_group_into_vouchers_by_number_with_blank_cells_repeated() -> None:
    parsed = parse_vouchers(
        csv(
            "标题：2025年1月凭证\n"
            "单位代码,日期,凭证号,摘要,科目代码,借方,贷方,备注\n"
            "V01,2025-01-05,记-1,收到租金,102,100,,x\n"
            ",,,,504,,100\n"
            "\n"
            ",2025年1月6日,记-2,付款,513,30,0\n"
            ",,,现金,101,,30\n"
            ",,,合计,,130,130\n"
        ),
        "csv",
    )
    assert parsed.problems == []
    first, second = parsed.vouchers
    assert (first.entity, first.date, first.memo) == ("V01", datetime.date(2025, 1, 5), "收到租金")
    assert [(p["account"], p["side"], p["amount"]) for p in first.postings] == [
        ("102", "debit", "100"),
        ("504", "credit", "100"),
    ]
    assert second.entity == "V01" and second.date == datetime.date(2025, 1, 6)
    assert [p["memo"] for p in second.postings] == ["", "现金"]
    assert [loc.posting_rows for loc in parsed.located] == [[3, 4], [6, 7]]


def test_without_a_voucher_column_a_new_memo_starts_a_voucher() -> None:
    parsed = parse_vouchers(
        csv(
            "date,memo,account,debit,credit\n"
            "2025-01-05,a,102,1,\n,,504,,1\n2025-01-05,b,102,2,\n,,504,,2\n"
        ),
        "csv",
        entity="V01",
    )
    assert [v.memo for v in parsed.vouchers] == ["a", "b"]


def test_every_row_problem_is_named() -> None:
    parsed = parse_vouchers(
        csv(
            "单位代码,日期,凭证号,摘要,科目代码,借方,贷方\n"
            "V01,2025-13-01,1,x,102,1,\n"  # row 2: no such date
            "V01,2025-01-02,2,,102,1,1\n"  # row 3: no memo, both sides
            "V01,2025-01-03,3,y,,,\n"  # row 4: no account, no amount
            "V01,2025-01-03,1,z,102,1.234,\n"  # row 5: three places stay for the domain
            "V01,2025-01-02,2,w,102,1,\n"  # row 6: voucher 2 comes back
        ),
        "csv",
    )
    found = {(p.row, p.column) for p in parsed.problems}
    assert {(2, "日期"), (3, "摘要"), (3, "借方/贷方"), (4, "科目代码"), (4, "借方/贷方")} <= found
    assert (6, "凭证号") in found


def test_a_domain_problem_lands_on_its_row_and_column() -> None:
    parsed = parse_vouchers(
        csv("日期,凭证号,摘要,科目代码,借方,贷方\n2025-01-05,1,x,102,1,\n,,,999,,1\n"),
        "csv",
        entity="V01",
    )
    where = parsed.locate(VoucherProblem(0, "postings[1].account", "unknown", "unknown-account"))
    assert (where.row, where.column) == (3, "科目代码")
    where = parsed.locate(VoucherProblem(0, "postings[1].amount", "bad", "invalid-amount"))
    assert (where.row, where.column) == (3, "贷方")
    where = parsed.locate(VoucherProblem(0, "date", "closed", "closed-period"))
    assert (where.row, where.column) == (2, "日期")


def test_json_lines_name_line_and_field() -> None:
    parsed = parse_vouchers(
        b'{"entity":"V01","date":"2025-01-05","memo":"m","postings":'
        b'[{"account":"102","side":"debit","amount":"1.00"},'
        b'{"account":"504","side":"credit","amount":"1.00"}]}\n'
        b'{"entity":"V01","date":"2025-01-05","memo":"m","postings":[{"amount":1}]}\n'
        b"not json\n",
        "jsonl",
    )
    assert len(parsed.vouchers) == 1
    assert [(p.row, p.column) for p in parsed.problems] == [(2, "postings[0].amount"), (3, None)]
    where = parsed.locate(VoucherProblem(0, "postings[1].account", "x", "unknown-account"))
    assert (where.row, where.column) == (1, "postings[1].account")


@pytest.mark.parametrize(
    ("cell", "amount"),
    [
        (12000, "12000"),
        (356.5, "356.50"),
        (0.1 + 0.2, "0.30"),
        ("1,200.00", "1200.00"),
        ("￥8.5", "8.5"),
        (0, None),
        ("", None),
        (None, None),
    ],
)
def test_amounts_as_clerks_write_them(cell: object, amount: str | None) -> None:
    assert parse_amount(cell) == amount


@pytest.mark.parametrize("cell", [1.005, "1.2.3", "abc", True])
def test_amounts_that_are_not(cell: object) -> None:
    with pytest.raises(ValueError):
        parse_amount(cell)


@pytest.mark.parametrize(
    "cell",
    [
        "2025-01-05",
        "2025/1/5",
        "2025.1.5",
        "2025年1月5日",
        "20250105",
        datetime.datetime(2025, 1, 5),
    ],
)
def test_dates_as_clerks_write_them(cell: object) -> None:
    assert parse_date(cell) == datetime.date(2025, 1, 5)


def test_a_file_without_a_header_is_refused() -> None:
    with pytest.raises(VoucherFileError, match="no header row"):
        parse_vouchers(csv("a,b\n1,2\n"), "csv")
    with pytest.raises(VoucherFileError, match="单位代码"):
        parse_vouchers(csv("日期,摘要,科目代码,借方,贷方\n"), "csv")
    with pytest.raises(VoucherFileError, match="这不是 Excel 工作簿"):
        parse_vouchers(b"not a zip", "xlsx")
