"""Outputs of statements and disclosure sheets, all from the same content: HTML pages
(Jinja2, autoescaped, through ``rendering.environment``; phone-readable, A4 print stylesheet),
PDF (WeasyPrint, with the CJK font embedded), XLSX (openpyxl: one sheet per section, amounts as
numbers) and bar charts (``rendering.charts``: inline SVG, no external requests)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from markupsafe import Markup

from ledger.money import money, yuan_text
from ledger.voucher_numbers import number_label
from rendering.asset_workbooks import sheet_worksheets
from rendering.budget import sheet_rows
from rendering.charts import grouped_bar_chart
from rendering.environment import environment
from rendering.spreadsheets import AMOUNT_FORMAT, workbook_bytes


def _voucher(number: Any) -> Any:
    """A voucher number as a clerk reads it (2026年7月 记字第3号; a yearly one as written)."""
    return number_label(number) if number else number


def gains_and_losses(comparison: dict[str, Any]) -> list[dict[str, Any]]:
    """For every candidate, in words: which parties gain and which lose against the reference
    rule, and whether its result is the same as an earlier candidate's (so that two rules with
    one outcome are not read as two choices)."""
    parties = comparison["parties"]
    out: list[dict[str, Any]] = []
    for index, k in enumerate(comparison["candidates"]):
        same = next(
            (
                earlier["name"]
                for earlier in comparison["candidates"][:index]
                if earlier["lines"] == k["lines"]
            ),
            None,
        )
        gain, lose = [], []
        for p in parties:
            change = k["difference"][p["code"]]
            value = money(change["yuan"], allow_negative=True).amount
            amount = yuan_text(abs(value))
            percent = change.get("percent")
            if value > 0:
                gain.append(f"{p['name']}多得 {amount}（+{percent}%）" if percent else "")
            elif value < 0:
                lose.append(f"{p['name']}少得 {amount}（{percent}%）" if percent else "")
        if index == 0:
            words = "参照规则（其他规则与它相比）。"
        elif not gain and not lose:
            words = f"与参照“{comparison['reference']}”结果相同。"
        else:
            words = f"与参照“{comparison['reference']}”相比：" + "，".join(gain + lose) + "。"
        if same is not None:
            words += f"结果与“{same}”相同。"
        out.append({"name": k["name"], "words": words, "gain": gain, "lose": lose})
    return out


def qr_svg(url: str) -> Markup:
    """A QR code of ``url`` as inline SVG (segno; error correction M, quiet zone kept)."""
    import segno

    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(omitsize=True, border=4, title=url, dark="#000", light="#fff")
    return Markup(svg)


def comparison_html(
    comparison: dict[str, Any], *, number: int | None = None, for_step: str | None = None
) -> str:
    return (
        environment()
        .get_template("comparison.html")
        .render(
            title="分配规则比较",
            c=comparison,
            grouped=grouped_bar_chart(comparison),
            gains=gains_and_losses(comparison),
            number=number,
            for_step=for_step,
        )
    )


def sheet_html(
    content: dict[str, Any],
    *,
    version: dict[str, Any] | None = None,
    base: str = "",
    check: dict[str, Any] | None = None,
    corrected: dict[str, str] | None = None,
    changes: dict[str, Any] | None = None,
) -> str:
    """The disclosure sheet as a page; ``version`` None renders an unpublished draft.
    ``corrected``: plans on it corrected since (code → the correcting plan).
    ``changes``: a correction's differences from the version it replaces
    (``documents.sheet_changes``), printed under its notice.
    ``check`` (a published version): its QR code and whether it is the latest."""
    return (
        environment()
        .get_template("sheet.html")
        .render(
            title=content["title"],
            c=content,
            version=version,
            draft=version is None,
            base=base,
            check=check,
            corrected=corrected or {},
            changes=changes,
        )
    )


def plan_html(statement: dict[str, Any], *, check: dict[str, Any] | None = None) -> str:
    return (
        environment()
        .get_template("plan.html")
        .render(title=statement["title"], s=statement, check=check)
    )


def household_html(**values: Any) -> str:
    return environment().get_template("household.html").render(title="查我家的分配", **values)


def index_html(sheets: list[dict[str, Any]], plans: list[dict[str, Any]]) -> str:
    return (
        environment()
        .get_template("index.html")
        .render(title="三公开 · 财务公开栏", sheets=sheets, plans=plans)
    )


def pdf(html: str) -> bytes:
    """A4 PDF of a page, printed with its print stylesheet; the CJK font is embedded."""
    from weasyprint import HTML  # imported here: it loads Pango, needed only for PDFs

    return bytes(HTML(string=html, media_type="print").write_pdf())


# -- XLSX ----------------------------------------------------------------------------------------


def _capital_rows(capital: dict[str, Any]) -> list[list[Any]]:
    """The rows of a joint entity's capital paid in and refunded in the period: 本期入股 and
    本期退股 apart (layout 5), or one net 本期收到 with a refund negative (earlier layouts)."""
    if "paid_in" not in capital:
        parts = [("", capital["received"], "本期收到合计", capital["total"])]
    else:
        parts = [
            ("本期入股：", capital["paid_in"], "本期入股合计", capital["paid_in_total"]),
            ("本期退股：", capital["refunded"], "本期退股合计", capital["refunded_total"]),
        ]
    rows: list[list[Any]] = []
    for label, lines, total_name, total in parts:
        rows += [
            [label + x["name"], x["programme_name"], _number(x["amount"]), x["capitals"]]
            for x in lines
        ]
        rows.append([total_name, "", _number(total["amount"]), total["capitals"]])
    return rows


def _number(amount: str) -> Decimal:
    return money(amount, allow_negative=True).amount


def sheet_xlsx(
    content: dict[str, Any],
    *,
    version: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> bytes:
    """The sheet for finance staff: one worksheet per section, Chinese headers, amounts as
    numbers with two decimals, a total row under every list. A correction (``changes``, from
    ``documents.sheet_changes``) gets a first worksheet 更正说明: its reason, then every item
    added, removed or changed with old and new amount, then the totals old → new."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F3F1EC")

    def sheet(
        name: str, headers: list[str], rows: list[list[Any]], total: list[Any] | None
    ) -> None:
        ws = book.create_sheet(name)
        ws.append([content["title"]])
        ws.append(
            [
                f"期间：{content['period']['start']} 至 {content['period']['end']}",
                f"版本：{version['version'] if version else '草稿'}",
                f"摘要：{version['digest'] if version else ''}",
            ]
        )
        ws.append(headers)
        for cell in ws[3]:
            cell.font = bold
            cell.fill = fill
        for values in rows:
            ws.append(values)
        if total is not None:
            ws.append(total)
            for cell in ws[ws.max_row]:
                cell.font = bold
        for row in ws.iter_rows(min_row=4):
            for cell in row:
                if isinstance(cell.value, Decimal):
                    cell.number_format = AMOUNT_FORMAT
                    cell.alignment = Alignment(horizontal="right")
        for column, width in zip("ABCDEFGHI", (8, 12, 12, 30, 22, 16, 36, 12, 12), strict=False):
            ws.column_dimensions[column].width = width
        # print setup for finance staff: A4, fit to one page wide, landscape when
        # wide, the title, period and header rows repeated on every printed page
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if len(headers) > 6 else "portrait"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = "1:3"
        ws.print_options.gridLines = True

    items_headers = ["序号", "日期", "凭证号", "摘要", "科目", "金额", "大写", "资金来源", "经办"]
    for name, part in (("收入明细", content["income"]), ("支出明细", content["expense"])):
        sheet(
            name,
            items_headers,
            [
                [
                    i["no"],
                    i["date"],
                    _voucher(i["voucher"]),
                    i["item"],
                    i["account"],
                    _number(i["amount"]),
                    i["capitals"],
                    i["source"],
                    i["handled_by"],
                ]
                for i in part["items"]
            ],
            ["合计", "", "", "", "", _number(part["total"]["amount"]), part["total"]["capitals"]],
        )
    if "movements" in content:
        moved = content["movements"]
        sheet(
            "其他资金收付",
            ["序号", "日期", "凭证号", "摘要", "收/付", "金额", "大写", "资金来源/去向", "经办"],
            [
                [
                    i["no"],
                    i["date"],
                    _voucher(i["voucher"]),
                    i["item"],
                    i["direction"],
                    _number(i["amount"]),
                    i["capitals"],
                    i["source"],
                    i["handled_by"],
                ]
                for i in moved["items"]
            ]
            + [
                [
                    "收进合计",
                    "",
                    "",
                    "",
                    "收",
                    _number(moved["total_in"]["amount"]),
                    moved["total_in"]["capitals"],
                ],
            ],
            [
                "付出合计",
                "",
                "",
                "",
                "付",
                _number(moved["total_out"]["amount"]),
                moved["total_out"]["capitals"],
            ],
        )
    if "capital" in content:  # a joint entity's sheet: capital received by fund programme
        capital = content["capital"]
        sheet(
            "入股资金",
            ["投入的村", "资金项目", "金额", "大写"],
            _capital_rows(capital)
            + [
                [
                    f"期末持有（{content['period']['end']}）",
                    x["programme_name"],
                    _number(x["amount"]),
                    x["capitals"],
                ]
                for x in capital["held"]
            ],
            [
                "期末持有合计",
                "",
                _number(capital["held_total"]["amount"]),
                capital["held_total"]["capitals"],
            ],
        )
    sheet(
        "资产",
        ["项目", "科目", "金额", "大写"],
        [
            [x["line"], x["accounts"], _number(x["amount"]), x["capitals"]]
            for x in content["assets"]["lines"]
        ],
        [
            "资产合计",
            "",
            _number(content["assets"]["total"]["amount"]),
            content["assets"]["total"]["capitals"],
        ],
    )
    sheet_worksheets(sheet, content)  # 三资: 资产清单, 联建项目 (only when the content has them)
    claims_rows = [
        row
        for x in content["claims"]["lines"]
        for row in [
            ["债权", x["line"], x["accounts"], _number(x["amount"]), x["capitals"]],
            *(
                ["", d["name"], d["account"], _number(d["amount"]), d["capitals"]]
                for d in x.get("detail", [])
            ),
        ]
    ]
    debts_rows = [
        row
        for x in content["debts"]["lines"]
        for row in [
            ["债务", x["line"], x["accounts"], _number(x["amount"]), x["capitals"]],
            *(
                ["", d["name"], d["account"], _number(d["amount"]), d["capitals"]]
                for d in x.get("detail", [])
            ),
        ]
    ]
    claims_total = [
        "债权合计",
        "",
        "",
        _number(content["claims"]["total"]["amount"]),
        content["claims"]["total"]["capitals"],
    ]
    sheet(
        "债权债务",
        ["类别", "项目", "科目", "金额", "大写"],
        [*claims_rows, claims_total, *debts_rows],
        [
            "债务合计",
            "",
            "",
            _number(content["debts"]["total"]["amount"]),
            content["debts"]["total"]["capitals"],
        ],
    )
    for row in book["债权债务"].iter_rows(min_row=4):
        if row[0].value == "债权合计":
            for cell in row:
                cell.font = bold
    # 收益分配: what the village received and what it paid out are totalled apart (adding
    # them would mix money in with money out)
    rows: list[list[Any]] = []
    for role, label in (("received", "分得"), ("paid", "分出")):
        part = [
            d
            for d in content["distributions"]
            if (d.get("role") == "received") == (role == "received")
        ]
        if not part:
            continue
        for d in part:
            for line in d["lines"]:
                rows.append(
                    [
                        d["plan"],
                        d["title"],
                        line["code"],
                        line["name"],
                        _number(line["total"]["amount"]),
                        line["total"]["capitals"],
                    ]
                )
        total = sum((_number(d["total"]["amount"]) for d in part), Decimal(0))
        rows.append([f"{label}合计", "", "", "", total.quantize(Decimal("0.01")), ""])
    sheet("收益分配", ["方案", "名称", "编号", "户主/单位", "金额", "大写"], rows, None)
    for row in book["收益分配"].iter_rows(min_row=4):
        if str(row[0].value).endswith("合计"):
            for cell in row:
                cell.font = bold
    steps: list[list[Any]] = []
    for a in content["affairs"]:
        for s in a["steps"]:
            steps.append(
                [
                    a["plan"],
                    a["title"],
                    s.get("label", s["step"]),
                    s["date"],
                    s["body"],
                    s.get("expected"),
                    s["present"],
                    s["votes_for"],
                    s.get("votes_against"),
                    s.get("abstentions"),
                    s["place"],
                ]
            )
    sheet(
        "村务公开",
        [
            "方案",
            "名称",
            "步骤",
            "日期",
            "组织/会议",
            "应到",
            "实到",
            "同意",
            "反对",
            "弃权",
            "公开地点",
        ],
        steps,
        None,
    )
    if "budget" in content:  # 财务计划: plan, actual, difference (rendering.budget)
        sheet("财务计划", *sheet_rows(content["budget"]))
    if changes is not None and version is not None:
        reason = f"本版更正第 {version.get('replaces')} 版，更正原因：{version.get('reason', '')}"
        change_rows: list[list[Any]] = [[reason, "", "", "", "", "", "", "", ""]]
        for i in changes["items"]:
            change_rows.append(
                [
                    i["change"],
                    i["part"],
                    i["date"],
                    _voucher(i["voucher"]),
                    i["item"],
                    i["account"],
                    _number(i["old"]["amount"]) if i["old"] else None,
                    _number(i["new"]["amount"]) if i["new"] else None,
                    _number(i["difference"]["amount"]),
                    "；".join(i["fields"]),
                ]
            )
        for t in changes["totals"]:
            change_rows.append(
                [
                    "合计",
                    t["name"],
                    "",
                    "",
                    "",
                    "",
                    _number(t["old"]["amount"]),
                    _number(t["new"]["amount"]),
                    _number(t["difference"]["amount"]),
                    "",
                ]
            )
        sheet(
            "更正说明",
            [
                "变动",
                "部分",
                "日期",
                "凭证号",
                "摘要",
                "科目/收付",
                "原金额",
                "新金额",
                "差额",
                "其他变动",
            ],
            change_rows,
            None,
        )
    del book["Sheet"]
    return workbook_bytes(book)  # memos, names and reasons as text, never a formula
