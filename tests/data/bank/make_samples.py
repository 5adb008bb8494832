"""Writes the made-up bank statements of this folder (run it again after changing it:
``python tests/data/bank/make_samples.py``). Every name, number and figure is invented.

- ``nongshang-2026-09.csv`` (UTF-8), ``nongshang-2026-10.xlsx``, ``nongshang-2026-11.csv``
  (GBK, as Excel on a Chinese Windows saves it): 仉家村's account at 高青农商银行 ending 3021,
  Scenario C (issue 22's acceptance scenario), in a rural commercial bank's 企业网银 export
  (借方发生额 = 支出, 贷方发生额 = 收入);
- one month of another village's account in each other named template: ``nongxin.xlsx``
  (农信社), ``icbc.csv`` (工行), ``abc.xlsx`` (农行), ``boc.csv`` (中行, a signed amount),
  ``ccb.xlsx`` (建行, an amount and 借贷方向);
- ``unmapped.csv``: a bank's export no template knows (its columns are mapped once by a clerk).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from rendering.spreadsheets import save  # noqa: E402

HOLDER = "高青县唐坊镇仉家村股份经济合作社"
NUMBER = "9001000123653021"

SCENARIO_C = {
    "2026-09": (
        "2026-09-01",
        "2026-09-30",
        "248500.00",
        [
            (
                "2026-09-12",
                "09:31:05",
                "补助款",
                "",
                "3000.00",
                "251500.00",
                "唐坊镇财政所",
                "370322000188",
                "ZZ2609120001",
                "柜面",
            ),
            (
                "2026-09-26",
                "14:02:44",
                "货款",
                "1500.00",
                "",
                "250000.00",
                "高青县文具商店",
                "6228480012345678",
                "ZZ2609260003",
                "网银",
            ),
        ],
    ),
    "2026-10": (
        "2026-10-01",
        "2026-10-31",
        "250000.00",
        [
            (
                "2026-10-08",
                "10:15:00",
                "土地租金",
                "",
                "12000.00",
                "262000.00",
                "纽澜地农业科技有限公司",
                "15370101040008888",
                "ZZ2610080007",
                "网银",
            ),
            (
                "2026-10-21",
                "02:10:33",
                "电费代扣",
                "860.50",
                "",
                "261139.50",
                "国网高青县供电公司",
                "37001650080059000888",
                "DF2610210002",
                "批量代扣",
            ),
            (
                "2026-10-31",
                "23:59:59",
                "结息",
                "",
                "23.45",
                "261162.95",
                "",
                "",
                "LX2610310001",
                "系统",
            ),
        ],
    ),
    "2026-11": (
        "2026-11-01",
        "2026-11-30",
        "261162.95",
        [
            (
                "2026-11-03",
                "09:02:18",
                "转账支票",
                "5000.00",
                "",
                "256162.95",
                "高青县众力施工队",
                "6217001210018888888",
                "10300001",
                "柜面",
            ),
            (
                "2026-11-15",
                "11:40:09",
                "厂房租金",
                "",
                "8000.00",
                "264162.95",
                "纽澜地农业科技有限公司",
                "15370101040008888",
                "ZZ2611150011",
                "网银",
            ),
            (
                "2026-11-30",
                "23:59:59",
                "手续费",
                "15.00",
                "",
                "264147.95",
                "",
                "",
                "SXF2611300001",
                "系统",
            ),
        ],
    ),
}
NONGSHANG = [
    "交易日期",
    "交易时间",
    "摘要",
    "借方发生额",
    "贷方发生额",
    "余额",
    "对方户名",
    "对方账号",
    "凭证号",
    "交易渠道",
]


def nongshang_rows(month: str) -> list[list[str]]:
    start, end, opening, lines = SCENARIO_C[month]
    out = sum(float(x[3] or 0) for x in lines)
    into = sum(float(x[4] or 0) for x in lines)
    closing = lines[-1][5]
    return [
        ["高青农村商业银行股份有限公司 账户交易明细"],
        [f"户名：{HOLDER}", "", "", f"账号：{NUMBER}"],
        ["开户网点：唐坊支行", "", "", "币种：人民币"],
        [f"起止日期：{start} 至 {end}", "", "", f"期初余额：{float(opening):,.2f}"],
        [],
        NONGSHANG,
        *[list(line) for line in lines],
        ["本期合计", "", "", f"{out:.2f}", f"{into:.2f}", "", "", "", "", ""],
        [f"期末余额：{float(closing):,.2f}"],
        ["打印日期：2026-12-01", "", "", "本对账单仅供参考，以银行记录为准"],
    ]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "明细"
    for row in rows:
        sheet.append(row)
    save(book, path)


def number(text: str) -> object:
    """An amount as Excel keeps it (a float), blank as blank."""
    return float(text) if text else None


def main() -> None:
    write_csv(HERE / "nongshang-2026-09.csv", nongshang_rows("2026-09"))
    rows: list[list[object]] = []
    for row in nongshang_rows("2026-10"):
        if len(row) == len(NONGSHANG) and row[0].startswith("2026"):
            rows.append([*row[:3], number(row[3]), number(row[4]), number(row[5]), *row[6:]])
        else:
            rows.append(list(row))
    write_xlsx(HERE / "nongshang-2026-10.xlsx", rows)
    write_csv(HERE / "nongshang-2026-11.csv", nongshang_rows("2026-11"), encoding="gb18030")

    write_xlsx(
        HERE / "nongxin.xlsx",
        [
            ["山东省农村信用社 客户账户明细查询"],
            ["账号：6223 2001 0088 1234", "", "户名：高青县唐坊镇和店村股份经济合作社"],
            ["查询期间：2026年10月01日至2026年10月31日"],
            [
                "记账日期",
                "凭证种类",
                "凭证号码",
                "摘要",
                "支出金额",
                "存入金额",
                "账户余额",
                "对方户名",
            ],
            [
                "2026年10月09日",
                "转账",
                "00012",
                "土地流转费",
                None,
                6400.0,
                86400.0,
                "纽澜地农业科技有限公司",
            ],
            ["2026年10月16日", "现金", "00013", "取现备用", 2000.0, None, 84400.0, ""],
            [
                "2026年10月28日",
                "转账",
                "00014",
                "支付保洁费",
                1200.0,
                None,
                83200.0,
                "唐坊镇保洁服务队",
            ],
        ],
    )
    write_csv(
        HERE / "icbc.csv",
        [
            ["中国工商银行 账户明细"],
            ["账号: 1603 0051 0920 0012 345", "户名: 高青县唐坊镇李孟德村股份经济合作社"],
            ["起始日期: 2026-10-01", "终止日期: 2026-10-31"],
            [
                "凭证号",
                "对方账号",
                "摘要",
                "交易时间",
                "转入金额",
                "转出金额",
                "余额",
                "对方单位名称",
                "用途",
            ],
            [
                "",
                "37001650080059000888",
                "代扣",
                "2026-10-12 08:00:01",
                "",
                "312.80",
                "40187.20",
                "国网高青县供电公司",
                "电费",
            ],
            [
                "1206",
                "6228480012345678",
                "转账",
                "2026-10-20 15:21:40",
                "",
                "3,000.00",
                "37187.20",
                "高青县农资公司",
                "购化肥",
            ],
            [
                "",
                "370322000188",
                "来账",
                "2026-10-25 10:00:00",
                "20,000.00",
                "",
                "57187.20",
                "唐坊镇财政所",
                "村级运转经费",
            ],
        ],
    )
    write_xlsx(
        HERE / "abc.xlsx",
        [
            ["中国农业银行 账户交易明细"],
            ["账户：1537 0101 0400 0888", "户名：黑牛养殖联合社"],
            [
                "交易日期",
                "交易时间",
                "收入金额",
                "支出金额",
                "本次余额",
                "对方户名",
                "对方账号",
                "交易用途",
                "交易流水号",
            ],
            [
                "20261005",
                "091200",
                8000.0,
                None,
                1208000.0,
                "纽澜地农业科技有限公司",
                "15370101040008888",
                "牛舍租金",
                "A20261005000123",
            ],
            [
                "20261015",
                "101500",
                None,
                3562.5,
                1204437.5,
                "高青县众力施工队",
                "6217001210018888888",
                "维修款",
                "A20261015000456",
            ],
        ],
    )
    write_csv(
        HERE / "boc.csv",
        [
            ["中国银行 交易明细"],
            ["账号：2372 6688 9900", "账户名称：高青县唐坊镇仉家村股份经济合作社"],
            [
                "交易日期",
                "业务类型",
                "交易金额",
                "交易后余额",
                "对方户名",
                "对方账号",
                "摘要",
                "交易流水号",
            ],
            [
                "2026/10/03",
                "转账",
                "1500.00",
                "51500.00",
                "唐坊镇财政所",
                "370322000188",
                "补助",
                "BOC0001",
            ],
            [
                "2026/10/18",
                "转账",
                "-480.00",
                "51020.00",
                "高青县文具商店",
                "6228480012345678",
                "办公用品",
                "BOC0002",
            ],
        ],
    )
    write_xlsx(
        HERE / "ccb.xlsx",
        [
            ["中国建设银行 账户明细"],
            ["账号：3705 0167 0808 0000 1234", "户名：高青县唐坊镇和店村股份经济合作社"],
            [
                "交易时间",
                "借贷方向",
                "发生额",
                "余额",
                "对方户名",
                "对方账号",
                "摘要",
                "交易流水号",
            ],
            [
                "2026-10-02 09:00:00",
                "贷",
                5000.0,
                25000.0,
                "纽澜地农业科技有限公司",
                "15370101040008888",
                "租金",
                "CCB01",
            ],
            [
                "2026-10-22 16:30:00",
                "借",
                860.5,
                24139.5,
                "国网高青县供电公司",
                "37001650080059000888",
                "电费",
                "CCB02",
            ],
        ],
    )
    write_csv(
        HERE / "unmapped.csv",
        [
            ["某村镇银行 流水"],
            ["发生日期", "收入", "支出", "结余", "交易对方", "备注", "流水"],
            ["2026-10-05", "100.00", "", "1100.00", "张三", "退款", "X1"],
            ["2026-10-06", "", "40.00", "1060.00", "李四", "材料", "X2"],
        ],
    )


if __name__ == "__main__":
    main()
