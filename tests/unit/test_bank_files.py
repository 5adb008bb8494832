"""Bank statement files (``adapters.bank_files``): every named template's made-up sample read to
the fen, Scenario C's three files read into the statements the application test imports, an
export no template knows mapped once, and what cannot be read refused in Chinese."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from adapters import bank_files
from adapters.bank_files import BankFileError, MappingNeeded
from tests.application.scenario_c import FILES, MONTHS, statement

D = datetime.date


def read(name: str, **kwargs: object) -> bank_files.ParsedStatement:
    parsed, _ = bank_files.read(FILES / name, **kwargs)  # type: ignore[arg-type]
    return parsed


@pytest.mark.parametrize(
    ("name", "template", "number", "into", "out", "lines"),
    [
        ("nongxin.xlsx", "nongxin", "6223200100881234", "6400.00", "3200.00", 3),
        ("icbc.csv", "icbc", "1603005109200012345", "20000.00", "3312.80", 3),
        ("abc.xlsx", "abc", "1537010104000888", "8000.00", "3562.50", 2),
        ("boc.csv", "boc", "237266889900", "1500.00", "480.00", 2),
        ("ccb.xlsx", "ccb", "37050167080800001234", "5000.00", "860.50", 2),
        ("nongshang-2026-10.xlsx", "nongshang", "9001000123653021", "12023.45", "860.50", 3),
    ],
)
def test_each_template_reads_its_sample_to_the_fen(
    name: str, template: str, number: str, into: str, out: str, lines: int
) -> None:
    parsed = read(name)
    assert (parsed.format, parsed.account_number) == (template, number)
    assert (parsed.total_in, parsed.total_out) == (Decimal(into), Decimal(out))
    assert len(parsed.lines) == lines and parsed.problems == []
    assert bank_files.TEMPLATES[template].label  # named for the clerk


def test_scenario_c_files_are_the_statements_the_application_imports() -> None:
    for month, name in zip(
        MONTHS,
        ("nongshang-2026-09.csv", "nongshang-2026-10.xlsx", "nongshang-2026-11.csv"),
        strict=True,
    ):
        parsed, _ = bank_files.read(FILES / name)
        made = parsed.statement(file_name=name, digest="x")
        expected = statement(month)
        assert (made.start, made.end) == (expected.start, expected.end)
        assert [(x.date, x.amount, x.balance, x.reference, x.memo) for x in made.lines] == [
            (x.date, x.amount, x.balance, x.reference, x.memo) for x in expected.lines
        ]
        assert made.account_number == expected.account_number
        assert parsed.problems == [] and parsed.holder == "高青县唐坊镇仉家村股份经济合作社"
    november = read("nongshang-2026-11.csv")  # GBK, as Excel saves a CSV in Chinese Windows
    assert (november.opening, november.closing) == ("261162.95", "264147.95")


def test_an_unknown_export_is_mapped_once_and_then_known() -> None:
    with pytest.raises(MappingNeeded) as needed:
        read("unmapped.csv")
    assert needed.value.headings == ["发生日期", "收入", "支出", "结余", "交易对方", "备注", "流水"]
    mapping = {
        "date": "发生日期",
        "amount_in": "收入",
        "amount_out": "支出",
        "balance": "结余",
        "counterparty": "交易对方",
        "memo": "备注",
        "reference": "流水",
    }
    mapped = read("unmapped.csv", columns=mapping)
    assert [(x.date, x.amount) for x in mapped.lines] == [
        (D(2026, 10, 5), "100.00"),
        (D(2026, 10, 6), "-40.00"),
    ]
    remembered = read("unmapped.csv", remembered=mapping)  # the bank's, found first
    assert remembered.format == "mapped" and len(remembered.lines) == 2
    assert bank_files.default_period(remembered) == (D(2026, 10, 1), D(2026, 10, 31))
    assert "收入和支出两列" in str(bank_files.columns_problem({"date": "发生日期"}))
    assert "同一列" in str(
        bank_files.columns_problem({"date": "x", "amount_in": "y", "amount_out": "y"})
    )
    with pytest.raises(BankFileError, match="收入和支出两列"):
        bank_files.parse(b"a,b\n", "csv", columns={"date": "a"})


def test_bad_rows_are_named_and_bad_files_refused(tmp_path: Path) -> None:
    data = "\n".join(
        [
            "账号：9001000123653021",
            "交易日期,借方发生额,贷方发生额,余额,摘要",
            "2026-10-08,,12000.00,262000.00,土地租金",
            "2026-10-09,5.00,6.00,,两个都填",
            "2026-10-10,abc,,,不是金额",
            "2026-13-01,1.00,,,不是日期",
            "2026-10-11,1.001,,,三位小数",
            '2026-10-12,"1,234.50",,,千分位',
        ]
    ).encode()
    parsed = bank_files.parse(data, "csv")
    assert [(p.row, p.message) for p in parsed.problems] == [
        (4, "收入和支出应填且只填一个"),
        (5, "“abc”不是金额"),
        (6, "“2026-13-01”不是日期"),
        (7, "1.001 超过两位小数"),
    ]
    assert [x.amount for x in parsed.lines] == ["12000.00", "-1234.50"]
    with pytest.raises(BankFileError, match="不是 Excel"):
        bank_files.parse(b"not a zip", "xlsx")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as archive:
        archive.writestr("xl/workbook.xml", '<!DOCTYPE x [<!ENTITY a "b">]><x/>')
    with pytest.raises(BankFileError, match="实体声明"):
        bank_files.parse(bomb.getvalue(), "xlsx")
    with pytest.raises(BankFileError, match=r"\.xls"):
        bank_files.file_kind("old.xls")
    with pytest.raises(BankFileError, match="文件太大"):
        bank_files.parse(b"x" * (bank_files.MAX_BYTES + 1), "csv")


def test_direction_words_and_signed_amounts() -> None:
    data = "\n".join(
        [
            "交易时间,借贷方向,发生额,余额,对方户名,交易流水号,摘要",
            "2026/10/2 9:00,贷,5000,5000,甲,1,租金",
            "20261003,借,(30.00),4970,乙,2,括号",
            "2026年10月4日,?,1,,丙,3,方向不明",
        ]
    ).encode("gb18030")
    parsed = bank_files.parse(data, "csv")
    assert parsed.format == "ccb"
    assert [(x.date, x.amount) for x in parsed.lines] == [
        (D(2026, 10, 2), "5000.00"),
        (D(2026, 10, 3), "-30.00"),
    ]
    assert parsed.problems[0].row == 4 and "借贷方向" in parsed.problems[0].message
