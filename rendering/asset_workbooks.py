"""The 三资 tables as XLSX: the clerk's 固定资产折旧表, 在建工程明细表 and 资产清单
(``documents.asset_tables``; one table a workbook, through ``rendering.spreadsheets``), and the
worksheets the 三资 parts of a disclosure sheet add to its workbook (``documents.asset_sheet``).
Amounts are numbers with two decimals, text stays text (never a formula)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rendering.spreadsheets import table_workbook


def _n(amount: str) -> Decimal:
    return Decimal(amount)


def _heading(table: dict[str, Any]) -> list[str]:
    p = table["period"]
    return [
        f"编制单位：{table['entity']['name']}（{table['entity']['code']}）",
        f"期间：{p['label']}（{p['start']} 至 {p['end']}）",
        "单位：元",
    ]


def _owners(owners: list[dict[str, Any]], amounts: bool = True) -> str:
    return "；".join(
        f"{o['name']} {o['percent']}" + (f" {o['amount']}" if amounts and "amount" in o else "")
        for o in owners
    )


def _checks(table: dict[str, Any]) -> list[list[Any]]:
    return [
        [("✓ " if c["holds"] else "✗ ") + c["check"], _n(c["left"]), _n(c["right"])]
        for c in table["checks"]
    ]


def depreciation_workbook(table: dict[str, Any]) -> bytes:
    header = [
        "编号",
        "名称",
        "类别",
        "方法",
        "用途",
        "原值",
        "期初累计折旧",
        "本期折旧",
        "期末累计折旧",
        "期末净值",
        "状态",
        "各所有者分摊本期折旧",
    ]
    rows: list[list[Any]] = [
        [
            c["number"],
            c["name"],
            c["category_zh"],
            c["method_zh"],
            c["use_zh"],
            _n(c["original"]),
            _n(c["accumulated_before"]),
            _n(c["depreciation"]),
            _n(c["accumulated"]),
            _n(c["net"]),
            c["status"],
            _owners(c["owners"]) if c["jointly_owned"] else "",
        ]
        for c in table["cards"]
    ]
    t = table["totals"]
    rows.append(["合计", "", "", "", "", *(_n(t[k]) for k in _DEPRECIATION_TOTALS), "", ""])
    bold = {len(rows) - 1}
    rows.append([])
    rows += [["所有者", o["name"], "", "", "", "", "", _n(o["amount"])] for o in table["owners"]]
    rows += [
        ["计提凭证", r["month"], r["entry"] or "", "", "", "", "", _n(r["total"])]
        for r in table["runs"]
    ]
    rows.append([])
    rows += _checks(table)
    return table_workbook(
        table["title"],
        _heading(table),
        [header],
        rows,
        bold_rows=frozenset(bold),
        widths=(10, 14, 12, 12, 20, 14, 14, 14, 14, 14, 8, 40),
    )


_DEPRECIATION_TOTALS = ("original", "accumulated_before", "depreciation", "accumulated", "net")


def construction_workbook(table: dict[str, Any]) -> bytes:
    header = [
        "项目/明细",
        "状态/来源",
        "预算/计划金额",
        "期初已投入",
        "本期投入",
        "累计投入",
        "进度%",
        "科目余额",
    ]
    rows: list[list[Any]] = []
    bold = set()
    for p in table["projects"]:
        bold.add(len(rows))
        rows.append(
            [
                f"{p['code']} {p['name']}（{p['account']}）",
                p["state_zh"] + (f"，{p['completed_on']} 竣工" if p["completed_on"] else ""),
                _n(p["budget"]),
                None,
                _n(p["cost_in_period"]),
                _n(p["cost_to_date"]),
                p["progress"],
                _n(p["balance"]),
            ]
        )
        rows += [
            [
                f"  {i['item']}",
                "",
                _n(i["budget"]),
                _n(i["cost_before"]),
                _n(i["cost"]),
                _n(i["cost_to_date"]),
                i["progress"],
                None,
            ]
            for i in p["items"]
        ]
        rows += [
            [
                f"  资金：{f['source_name']}",
                f["kind_zh"],
                _n(f["amount"]),
                None,
                None,
                _n(f["used"]) if "used" in f else None,
                "",
                None,
            ]
            for f in p["funding"]
        ]
        if p["owners"]:
            rows.append([f"  所有权份额：{_owners(p['owners'], amounts=False)}"])
    t = table["totals"]
    bold.add(len(rows))
    rows.append(
        [
            "合计",
            "",
            _n(t["budget"]),
            None,
            _n(t["cost_in_period"]),
            _n(t["cost_to_date"]),
            "",
            _n(t["balance"]),
        ]
    )
    rows.append([])
    rows += _checks(table)
    return table_workbook(
        table["title"],
        _heading(table),
        [header],
        rows,
        bold_rows=frozenset(bold),
        widths=(36, 22, 16, 16, 16, 16, 8, 16),
    )


def asset_list_workbook(table: dict[str, Any]) -> bytes:
    header = [
        "编号",
        "名称",
        "类别",
        "取得",
        "原值",
        "累计折旧",
        "净值",
        "状态",
        "承租方",
        "本期租金",
        "所有权份额",
        "本期变动",
    ]
    rows: list[list[Any]] = [
        [
            c["number"],
            c["name"],
            c["category_zh"],
            f"{c['acquisition_zh']}，{c['acquired_on']}",
            _n(c["original"]),
            _n(c["accumulated"]),
            _n(c["net"]),
            c["status"],
            c["lessee"] or "",
            _n(c["rent"]),
            _owners(c["owners"], amounts=False),
            "；".join(c["changes"]),
        ]
        for c in table["cards"]
    ]
    rows.append([])
    rows.append(
        ["类别", "", "", "期初原值", "本期增加", "本期减少", "期末原值", "期末累计折旧", "期末净值"]
    )
    bold = {len(rows) - 1}
    rows += [
        [t["category_zh"], "", "", *(_n(t[k]) for k in _CATEGORY_FIGURES)]
        for t in table["categories"]
    ]
    rows.append([])
    rows += _checks(table)
    return table_workbook(
        table["title"],
        _heading(table),
        [header],
        rows,
        bold_rows=frozenset(bold),
        widths=(10, 14, 12, 24, 14, 14, 14, 8, 14, 12, 30, 36),
    )


CONTRACT_HEADERS = [
    "合同",
    "类别",
    "收/付",
    "对方",
    "标的",
    "期限",
    "状态",
    "合同金额",
    "本期应收/应付",
    "本期实收/实付",
    "期末欠款",
]
_CATEGORY_FIGURES = ("start", "added", "disposed", "end", "accumulated", "net")

Sheet = Callable[[str, list[str], list[list[Any]], "list[Any] | None"], None]


def sheet_worksheets(sheet: Sheet, content: dict[str, Any]) -> None:
    """The worksheets of a disclosure sheet's 三资 parts (``rendering.render.sheet_xlsx``'s
    ``sheet`` adds one): 资产清单; 联建项目 (a joint entity's projects, or a village's shares of
    them); 各类资源; 经济合同. Nothing for a content without them."""
    register = content.get("asset_register")
    if register:
        rows = [
            [
                f"{c['number']} {c['name']}",
                c["category_zh"],
                f"{c['acquisition_zh']}，{c['acquired_on']}",
                _n(c["original"]),
                _n(c["accumulated"]),
                _n(c["net"]),
                c["status"],
                c["lessee"] or "",
                _n(c["rent"]),
                _owners(c["owners"], amounts=False),
                "；".join(c["changes"]),
            ]
            for c in register["cards"]
        ]
        rows += [
            [
                f"{t['category_zh']}：期初原值 {t['start']}，本期增加 {t['added']}，"
                f"本期减少 {t['disposed']}",
                "",
                "",
                _n(t["end"]),
                _n(t["accumulated"]),
                _n(t["net"]),
            ]
            for t in register["categories"]
        ]
        total = register["total"]
        sheet(
            "资产清单",
            [
                "资产",
                "类别",
                "取得",
                "原值",
                "累计折旧",
                "净值",
                "状态",
                "承租方",
                "本期租金",
                "所有权份额",
                "本期变动",
            ],
            rows,
            ["合计", "", "", _n(total["end"]), _n(total["accumulated"]), _n(total["net"])],
        )
    projects = content.get("projects") or content.get("project_shares")
    if projects:
        rows = []
        for p in projects:
            rows.append(
                [
                    f"{p['code']} {p['name']}",
                    p["state_zh"],
                    _n(p["budget"]),
                    _n(p["cost"]),
                    _n(p["depreciated"]),
                    _n(p["earned"]),
                    _n(p["result"]),
                ]
            )
            for v in p["villages"] if "villages" in p else [p["mine"]]:
                rows.append(
                    [
                        f"  {v['name']}（份额 {v['percent'] or '竣工时确定'}）",
                        "投入",
                        _n(v["invested"]),
                        None,
                        _n(v["depreciated"]),
                        _n(v["earned"]),
                        _n(v["result"]),
                    ]
                )
        sheet(
            "联建项目",
            ["项目/村", "状态", "预算/投入资金", "已投入成本", "本期折旧", "本期收益", "本期结余"],
            rows,
            None,
        )

    resources = content.get("resources")
    if resources:
        sheet(
            "各类资源",
            ["资源", "类别", "面积", "坐落", "用途", "状态", "承包（租用）方", "本期变动"],
            [
                [
                    f"{x['code']} {x['name']}",
                    f"{g['group']}·{x['kind']}",
                    x["area"],
                    x["location"],
                    x["use"],
                    x["status"],
                    "、".join(x["holders"]),
                    "；".join(
                        f"{h['date']} {h['what']} {h['reason']}".strip() for h in x["changes"]
                    ),
                ]
                for g in resources["groups"]
                for x in g["resources"]
            ],
            None,
        )
    contracts = content.get("contracts")
    if contracts:
        figures = ("total", "due", "received", "arrears")
        sheet(
            "经济合同",
            CONTRACT_HEADERS,
            [
                [
                    f"{x['code']} {x['title']}",
                    x["kind"],
                    x["direction"],
                    x["party"],
                    x["subject"],
                    f"{x['start']} 至 {x['end']}",
                    x["status"],
                    *(_n(x[k]) for k in figures),
                ]
                for x in contracts["contracts"]
            ]
            + [
                [f"{direction}合计", "", "", "", "", "", "", *(_n(t[k]) for k in figures)]
                for direction, t in contracts["totals"].items()
            ],
            None,
        )
