"""The member register file (成员名册 XLSX): every bad row named by row and column, in Chinese;
the template reads back as an empty register with the example's columns."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest

from adapters.register_files import (
    HEADER,
    RegisterFileError,
    parse_register,
    template_xlsx,
    to_xlsx,
)
from domain.privacy import with_check_digit

ID1 = with_check_digit("37032219800101001")
ID2 = with_check_digit("37032219850505002")
ID3 = with_check_digit("37032219700202003")
HEAD = [*HEADER, "人口股", "劳龄股"]


def good_rows() -> list[list[object]]:
    return [
        ["李孟德村成员名册"],
        HEAD,
        ["H01", "李建国", "2025-01-01", "H01-1", "李建国", ID1, "2025-01-01", 1, 0.5],
        [None, None, None, "H01-2", "王秀英", ID2, datetime.date(2025, 3, 1), 1, None],
        ["H02", "张三明", "2025/1/1", "H02-1", "张三明", ID3, "2025年1月1日", 1, 1],
    ]


def test_a_good_file_reads_households_members_and_shares() -> None:
    found = parse_register(to_xlsx(good_rows()))
    assert found.problems == []
    assert [h.number for h in found.households] == ["H01", "H02"]
    assert found.share_kinds == ["人口股", "劳龄股"]
    first, second, third = found.members
    assert (first.household, first.row, first.shares) == (
        "H01",
        3,
        {"人口股": Decimal(1), "劳龄股": Decimal("0.5")},
    )
    assert (second.household, second.joined_on, second.shares) == (
        "H01",
        datetime.date(2025, 3, 1),
        {"人口股": Decimal(1)},
    )
    assert third.household == "H02" and third.joined_on == datetime.date(2025, 1, 1)


def test_every_bad_row_is_named_with_its_column() -> None:
    rows = good_rows()
    rows[2][5] = ID1[:-1] + ("0" if ID1[-1] != "0" else "1")  # wrong check digit, row 3
    rows[3][8] = "半股"  # not a number, row 4
    rows.append(["H03", "", "2025-01-01", "H02-1", "", "123", "明年", 1, 0])  # row 6
    rows.append(["H04", "赵六", "2025-13-01", "H04-1", "赵六", ID3, "2025-01-01", 1, 0])  # row 7
    found = parse_register(to_xlsx(rows))
    where = {(p.row, p.column) for p in found.problems}
    assert (3, "身份证号 (F)") in where
    assert (4, "劳龄股 (I)") in where
    assert {
        (6, "户主 (B)"),
        (6, "成员编号 (D)"),
        (6, "姓名 (E)"),
        (6, "身份证号 (F)"),
        (6, "入社日期 (G)"),
    } <= where
    assert (7, "登记日期 (C)") in where and (7, "身份证号 (F)") in where  # ID of row 5 again
    assert all(p.message and not p.message.isascii() for p in found.problems)  # Chinese
    assert "第3行，身份证号 (F)：" in found.problems[0].line()
    assert {m.row for m in found.members} == {5}  # only the good rows become members


def test_a_household_with_two_heads_and_unknown_share_kinds() -> None:
    rows = good_rows()
    rows[3][0], rows[3][1] = "H01", "王秀英"
    found = parse_register(to_xlsx(rows), share_kinds=["人口股"])
    assert (4, "户主 (B)") in {(p.row, p.column) for p in found.problems}
    assert (2, "劳龄股 (I)") in {(p.row, p.column) for p in found.problems}


def test_files_that_cannot_be_read() -> None:
    with pytest.raises(RegisterFileError, match="Excel"):
        parse_register(b"not a workbook")
    with pytest.raises(RegisterFileError, match="表头"):
        parse_register(to_xlsx([["a", "b"], [1, 2]]))
    with pytest.raises(RegisterFileError, match="股份列"):
        parse_register(to_xlsx([list(HEADER)]))
    with pytest.raises(RegisterFileError, match="缺少"):
        parse_register(to_xlsx([["户号", "姓名", "人口股"]]))


def test_the_template_is_the_header_and_reads_as_empty() -> None:
    data = template_xlsx(["人口股", "劳龄股"])
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["成员名册", "示例", "说明"]
    assert [c.value for c in book["成员名册"][1]] == HEAD
    found = parse_register(data)
    assert [p.message for p in found.problems] == ["文件里没有成员：表头下面一行一个成员"]
    example = to_xlsx(list(book["示例"].iter_rows(values_only=True)))
    assert parse_register(example).problems == []
