"""Charts of the public pages as inline SVG (no external requests): a bar per party of a
distribution, and a group of bars per party for the candidate rules of a comparison."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

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
