"""Charts as inline SVG (no external requests): on the public pages a bar per party of a
distribution and a group of bars per party for the candidate rules of a comparison; on the
工作台 收入 and 支出 month by month (``month_chart``)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape
from moneyed import Money

from ledger.money import money, yuan_text

FONT_FAMILY = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif'


# Charts are drawn for a phone: a viewBox 360 units wide shown at most 480 px wide, labels on
# their own line above each bar, so that at 360-430 px a unit is about a pixel and no label is
# under 11 px on a phone; on paper the same drawing is about 12 cm wide.
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
                f"{escape(candidates[i]['name'])}: {yuan_text(amount)}</title></rect>"
                f'<text x="{width}" y="{y + bar - 5}" text-anchor="end">'
                f"{yuan_text(amount)}</text>"
            )
    parts.append("</svg>")
    return Markup(
        '<figure class="chart">'
        + "".join(parts)
        + "<figcaption>各候选规则下各方所得</figcaption></figure>"
    )


# 收入 and 支出 month by month (the 工作台): dark blue and a dark orange, both above 3:1 against
# the white card (WCAG's contrast for graphics), told apart by the legend as well as the colour.
MONTH_COLOURS = ("#1d3557", "#b35c00")
MONTH_H = 150


def month_chart(
    months: Sequence[tuple[str, Money, Money]],
    *,
    ident: str,
    title: str,
    description: str,
    legend: tuple[str, str] = ("收入", "支出"),
    width: int = 300,  # a card of the 工作台 is about 300 px wide: a unit is about a pixel
) -> Markup:
    """Two bars a month (``(label, 收入, 支出)`` each, twelve of them for a year) as inline
    SVG with its ``<title>`` and ``<desc>`` (``ident`` makes their ids unique on the page) and a
    ``<title>`` on every bar (``3月 收入 ¥1,200.00``); under each pair its number (``3``); a
    figure below zero draws no bar (its ``<title>`` still says it). Nothing is loaded from
    elsewhere: no font, no image, no link."""
    values = [(money_amount(a), money_amount(b)) for _, a, b in months]  # for the geometry
    highest = max((v for pair in values for v in pair), default=Decimal(0))
    top = highest if highest > 0 else Decimal(1)
    ident = escape(ident)
    plot_top, plot_h = 24, 100
    base = plot_top + plot_h
    slot = width / max(len(months), 1)
    bar = max(int(slot / 2) - 3, 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'viewBox="0 0 {width} {MONTH_H}" style="max-width:480px;display:block" '
        f"font-family='{FONT_FAMILY}' font-size=\"13\" "
        f'aria-labelledby="{ident}-t {ident}-d">'
        f'<title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(description)}</desc>'
    ]
    for i, (name, colour) in enumerate(zip(legend, MONTH_COLOURS, strict=True)):
        x = i * 64
        parts.append(
            f'<rect x="{x}" y="3" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="14">{escape(name)}</text>'
        )
    parts.append(
        f'<text x="{width}" y="14" text-anchor="end" fill="#5c5c5c" font-size="12">'
        f"最高 {escape(yuan_text(max(highest, Decimal(0))))}</text>"
        f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#999" stroke-width="1"/>'
    )
    for index, ((label, *amounts), pair) in enumerate(zip(months, values, strict=True)):
        x0 = index * slot + (slot - 2 * bar - 2) / 2
        drawn = zip(pair, amounts, MONTH_COLOURS, legend, strict=True)
        for side, (value, amount, colour, name) in enumerate(drawn):
            height = int(plot_h * value / top) if value > 0 else 0
            if value > 0:
                height = max(height, 1)
            parts.append(
                f'<rect x="{x0 + side * (bar + 2):.1f}" y="{base - height}" width="{bar}" '
                f'height="{height}" fill="{colour}"><title>{escape(label)} {escape(name)} '
                f"{escape(yuan_text(amount))}</title></rect>"
            )
        parts.append(
            f'<text x="{index * slot + slot / 2:.1f}" y="{base + 16}" text-anchor="middle">'
            f"{escape(label.removesuffix('月'))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def money_amount(value: Money | Decimal) -> Decimal:
    """The amount of a ``Money`` (a ``Decimal`` as it is)."""
    return value.amount if isinstance(value, Money) else value
