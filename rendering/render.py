"""Outputs of statements and disclosure sheets, all from the same content: HTML pages
(Jinja2, autoescaped; phone-readable, A4 print stylesheet), PDF (WeasyPrint, with the CJK font
embedded), XLSX (openpyxl: one sheet per section, amounts as numbers) and a bar chart (inline
SVG, no external requests)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from ledger.money import format_yuan, money
from rendering.spreadsheets import workbook_bytes

FONT_FAMILY = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif'


def yuan(amount: str) -> str:
    """``"60559.39"`` → ``¥60,559.39``."""
    return format_yuan(money(amount, allow_negative=True))


# Charts are drawn for a phone: a viewBox 360 units wide shown at most 480 px wide, labels on
# their own line above each bar, so that at 360-430 px a unit is about a pixel and no label is
# under 11 px (unreadable on a phone); on paper the same drawing is about 12 cm wide.
CHART_W = 360


def _svg_open(height: int, title: str, size: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'viewBox="0 0 {CHART_W} {height}" style="max-width:480px;display:block" '
        f"font-family='{FONT_FAMILY}' font-size=\"{size}\"><title>{title}</title>"
    )


def bar_chart(lines: list[dict[str, Any]], *, width: int = CHART_W) -> Markup:
    """Horizontal bars of each line's total (a village or a household), as inline SVG: the
    name and amount on one line, the bar under them."""
    if not lines:
        return Markup("")
    values = [money(line["total"]["amount"]).amount for line in lines]
    top = max(values) or Decimal(1)
    row = 36
    height = row * len(lines) + 4
    parts = [_svg_open(height, "分配金额", 13)]
    for index, (line, value) in enumerate(zip(lines, values, strict=True)):
        y = index * row
        length = int(width * value / top) if top else 0
        label = escape(f"{line['code']} {line['name']}")
        figures = escape(line["total"]["figures"])
        parts.append(
            f'<text x="0" y="{y + 15}">{label}</text>'
            f'<text x="{width}" y="{y + 15}" text-anchor="end">{figures}</text>'
            f'<rect x="0" y="{y + 20}" width="{max(length, 1)}" height="10" '
            f'fill="#a4161a"><title>{label}: {figures}</title></rect>'
        )
    parts.append("</svg>")
    return Markup(
        '<figure class="chart">' + "".join(parts) + "<figcaption>各方分配金额</figcaption></figure>"
    )


PALETTE = ("#a4161a", "#1d3557", "#2a9d8f", "#e9c46a", "#6d597a", "#f4a261", "#264653")


def grouped_bar_chart(comparison: dict[str, Any], *, width: int = CHART_W) -> Markup:
    """Per party, one bar per candidate rule with its amount, and a legend; inline SVG."""
    candidates = comparison["candidates"]
    parties = comparison["parties"]
    values = [[money(k["lines"][p["code"]]).amount for k in candidates] for p in parties]
    top = max((v for row in values for v in row), default=Decimal(1)) or Decimal(1)
    bar, value_w = 16, 96
    legend = 18 * ((len(candidates) + 1) // 2)
    group = 22 + bar * len(candidates) + 8
    height = legend + 6 + group * len(parties)
    plot = width - value_w
    parts = [_svg_open(height, "各方在各候选规则下的所得", 12)]
    for i, k in enumerate(candidates):
        x, y = (i % 2) * 180, 14 + 18 * (i // 2)
        parts.append(
            f'<rect x="{x}" y="{y - 10}" width="11" height="11" '
            f'fill="{PALETTE[i % len(PALETTE)]}"/><text x="{x + 15}" y="{y}">'
            f"{escape(k['name'])}</text>"
        )
    for row, (p, amounts) in enumerate(zip(parties, values, strict=True)):
        y0 = legend + 6 + row * group
        parts.append(
            f'<text x="0" y="{y0 + 15}" font-size="13" font-weight="bold">'
            f"{escape(p['code'] + ' ' + p['name'])}</text>"
        )
        for i, amount in enumerate(amounts):
            length = int(plot * amount / top)
            y = y0 + 22 + i * bar
            parts.append(
                f'<rect x="0" y="{y}" width="{max(length, 1)}" '
                f'height="{bar - 4}" fill="{PALETTE[i % len(PALETTE)]}"><title>'
                f"{escape(candidates[i]['name'])}: {yuan(str(amount))}</title></rect>"
                f'<text x="{width}" y="{y + bar - 5}" text-anchor="end">'
                f"{yuan(str(amount))}</text>"
            )
    parts.append("</svg>")
    return Markup(
        '<figure class="chart">'
        + "".join(parts)
        + "<figcaption>各候选规则下各方所得</figcaption></figure>"
    )


def gains_and_losses(comparison: dict[str, Any]) -> list[dict[str, Any]]:
    """For every candidate, in words: which parties gain and which lose against the reference
    rule, and whether its result is the same as an earlier candidate's (so two
    rules that give the same result are not read as two choices)."""
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
            amount = yuan(str(abs(value)))
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


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("rendering", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(yuan=yuan, chart=bar_chart)
    return env


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

AMOUNT_FORMAT = "#,##0.00"


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
        # print setup for finance staff, so the sheet prints as it is read: A4, fit to one page
        # wide, landscape when wide, the title, period and header rows repeated on every printed
        # page
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
    if "movements" in content:
        moved = content["movements"]
        sheet(
            "其他资金收付",
            ["序号", "日期", "凭证号", "摘要", "收/付", "金额", "大写", "资金来源/去向", "经办"],
            [
                [
                    i["no"],
                    i["date"],
                    i["voucher"],
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
            [
                [x["name"], x["programme_name"], _number(x["amount"]), x["capitals"]]
                for x in capital["received"]
            ]
            + [
                [
                    "本期收到合计",
                    "",
                    _number(capital["total"]["amount"]),
                    capital["total"]["capitals"],
                ]
            ]
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
    if changes is not None and version is not None:
        reason = f"本版更正第 {version.get('replaces')} 版，更正原因：{version.get('reason', '')}"
        change_rows: list[list[Any]] = [[reason, "", "", "", "", "", "", "", ""]]
        for i in changes["items"]:
            change_rows.append(
                [
                    i["change"],
                    i["part"],
                    i["date"],
                    i["voucher"],
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
