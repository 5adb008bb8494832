"""Outputs of statements and disclosure sheets, all from the same content: HTML pages
(Jinja2, autoescaped; phone-readable, A4 print stylesheet), PDF (WeasyPrint, with the CJK font
embedded), XLSX (openpyxl: one sheet per section, amounts as numbers) and a bar chart (inline
SVG, no external requests)."""

from __future__ import annotations

import io
from decimal import Decimal
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from ledger.money import format_yuan, money

FONT_FAMILY = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif'


def yuan(amount: str) -> str:
    """``"60559.39"`` → ``¥60,559.39``."""
    return format_yuan(money(amount, allow_negative=True))


def bar_chart(lines: list[dict[str, Any]], *, width: int = 640) -> Markup:
    """Horizontal bars of each line's total (a village or a household), as inline SVG."""
    if not lines:
        return Markup("")
    values = [money(line["total"]["amount"]).amount for line in lines]
    top = max(values) or Decimal(1)
    row, label_w, value_w = 22, 150, 110
    bar_w = width - label_w - value_w
    height = row * len(lines) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}" font-family=\'{FONT_FAMILY}\' font-size="12">'
        "<title>分配金额</title>"
    ]
    for index, (line, value) in enumerate(zip(lines, values, strict=True)):
        y = 5 + index * row
        length = int(bar_w * value / top) if top else 0
        label = escape(f"{line['code']} {line['name']}")
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{label}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{max(length, 1)}" height="{row - 8}" '
            f'fill="#a4161a"><title>{label}: {escape(line["total"]["figures"])}</title></rect>'
            f'<text x="{label_w + length + 6}" y="{y + 15}">'
            f"{escape(line['total']['figures'])}</text>"
        )
    parts.append("</svg>")
    return Markup(
        '<figure class="chart">' + "".join(parts) + "<figcaption>各方分配金额</figcaption></figure>"
    )


PALETTE = ("#a4161a", "#1d3557", "#2a9d8f", "#e9c46a", "#6d597a", "#f4a261", "#264653")


def grouped_bar_chart(comparison: dict[str, Any], *, width: int = 720) -> Markup:
    """Per party, one bar per candidate rule, with a legend; inline SVG."""
    candidates = comparison["candidates"]
    parties = comparison["parties"]
    values = [[money(k["lines"][p["code"]]).amount for k in candidates] for p in parties]
    top = max((v for row in values for v in row), default=Decimal(1)) or Decimal(1)
    bar, gap, label_w = 12, 10, 120
    group = bar * len(candidates) + gap
    legend = 18 * ((len(candidates) + 2) // 3)
    height = group * len(parties) + legend + 10
    plot = width - label_w - 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}" font-family=\'{FONT_FAMILY}\' font-size="11">'
        "<title>各方在各候选规则下的所得</title>"
    ]
    for i, k in enumerate(candidates):
        x, y = 10 + (i % 3) * 230, 12 + 18 * (i // 3)
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" '
            f'fill="{PALETTE[i % len(PALETTE)]}"/><text x="{x + 14}" y="{y}">'
            f"{escape(k['name'])}</text>"
        )
    for row, (p, amounts) in enumerate(zip(parties, values, strict=True)):
        y0 = legend + 10 + row * group
        parts.append(
            f'<text x="{label_w - 6}" y="{y0 + group // 2}" text-anchor="end">'
            f"{escape(p['code'] + ' ' + p['name'])}</text>"
        )
        for i, amount in enumerate(amounts):
            length = int(plot * amount / top)
            y = y0 + i * bar
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{max(length, 1)}" '
                f'height="{bar - 2}" fill="{PALETTE[i % len(PALETTE)]}"><title>'
                f"{escape(candidates[i]['name'])}: {yuan(str(amount))}</title></rect>"
                f'<text x="{label_w + length + 4}" y="{y + bar - 3}" font-size="9">'
                f"{yuan(str(amount))}</text>"
            )
    parts.append("</svg>")
    return Markup(
        '<figure class="chart">'
        + "".join(parts)
        + "<figcaption>各候选规则下各方所得</figcaption></figure>"
    )


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
            number=number,
            for_step=for_step,
        )
    )


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("projections", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(yuan=yuan, chart=bar_chart)
    return env


def sheet_html(
    content: dict[str, Any], *, version: dict[str, Any] | None = None, base: str = ""
) -> str:
    """The disclosure sheet as a page; ``version`` None renders an unpublished draft."""
    return (
        environment()
        .get_template("sheet.html")
        .render(
            title=content["title"], c=content, version=version, draft=version is None, base=base
        )
    )


def plan_html(statement: dict[str, Any]) -> str:
    return environment().get_template("plan.html").render(title=statement["title"], s=statement)


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

AMOUNT_FORMAT = "#,##0.00"


def _number(amount: str) -> Decimal:
    return money(amount, allow_negative=True).amount


def sheet_xlsx(content: dict[str, Any], *, version: dict[str, Any] | None = None) -> bytes:
    """The sheet for finance staff: one worksheet per section, Chinese headers, amounts as
    numbers with two decimals, a total row under every list."""
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

    items_headers = ["序号", "日期", "凭证号", "摘要", "科目", "金额", "大写", "资金来源", "经办"]
    for name, part in (("收入明细", content["income"]), ("支出明细", content["expense"])):
        sheet(
            name,
            items_headers,
            [
                [
                    i["no"],
                    i["date"],
                    i["voucher"],
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
    sheet(
        "债权债务",
        ["类别", "项目", "科目", "金额", "大写"],
        [
            row
            for kind, part in (("债权", "claims"), ("债务", "debts"))
            for x in content[part]["lines"]
            for row in [
                [kind, x["line"], x["accounts"], _number(x["amount"]), x["capitals"]],
                *(
                    ["", d["name"], d["account"], _number(d["amount"]), d["capitals"]]
                    for d in x.get("detail", [])
                ),
            ]
        ],
        [
            "债务合计",
            "",
            "",
            _number(content["debts"]["total"]["amount"]),
            content["debts"]["total"]["capitals"],
        ],
    )
    rows: list[list[Any]] = []
    for d in content["distributions"]:
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
    total = sum((_number(d["total"]["amount"]) for d in content["distributions"]), Decimal(0))
    sheet(
        "收益分配",
        ["方案", "名称", "编号", "户主/单位", "金额", "大写"],
        rows,
        ["合计", "", "", "", total.quantize(Decimal("0.01")), ""],
    )
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
                    s["present"],
                    s["votes_for"],
                    s["place"],
                ]
            )
    sheet(
        "村务公开",
        ["方案", "名称", "步骤", "日期", "组织/会议", "实到", "同意", "公开地点"],
        steps,
        None,
    )
    del book["Sheet"]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
