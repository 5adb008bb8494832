"""Issue 11 items 1, 2 and 6 in a real Chromium: the demo's public pages at a phone's 390 px and
a desktop's 1280 px — nothing wider than the screen, households as cards with amount and 大写,
chart labels of at least 11 px — and the printed QR code decodes to the page's URL and digest."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts import scenario_a as A
from tests.e2e.browser import served
from tests.e2e.public_demo import demo_client

SCREENSHOTS = Path(__file__).resolve().parents[2] / ".screenshots"

PAGES = [
    "/public",
    "/public/sheets/V03/2026-Q1/v1",
    "/public/sheets/V01/2025/v1",
    "/public/sheets/J01/2025/v1",  # the 三资 parts: 资产清单, 联建项目 (issue 21)
    f"/public/plans/{A.ALLIANCE_PLAN}",
    f"/public/plans/{A.HOUSEHOLD_PLAN}",
    f"/public/plans/{A.ALLIANCE_PLAN}/comparisons/1",
    "/public/households",
]

# every element's right edge and width against the viewport, measured in the page
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > width + 0.5 || r.left < -0.5) {
      out.push(`${e.tagName}.${e.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  if (document.documentElement.scrollWidth > width) out.push('scrollWidth ' +
      document.documentElement.scrollWidth);
  return out.slice(0, 10);
}"""

# the smallest rendered font size of the chart labels: font size times the SVG's scale
CHART_FONTS = """() => Array.from(document.querySelectorAll('figure.chart svg text')).map(
  t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, module_chromium: Any
) -> Iterator[tuple[str, Any]]:
    with demo_client(tmp_path_factory.mktemp("demo")) as (client, _runtime):
        with served(client.app) as base:
            yield base, module_chromium
    for context in module_chromium.contexts:
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_nothing_wider_than_the_screen(site: Any, width: int) -> None:
    base, browser = site
    page = browser.new_page(viewport={"width": width, "height": 844})
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    SCREENSHOTS.mkdir(exist_ok=True)
    for path in PAGES:
        page.goto(f"{base}{path}")
        assert page.evaluate(TOO_WIDE) == [], (path, width)
        fonts = page.evaluate(CHART_FONTS)
        if "comparisons" in path or "/plans/" in path or "V03/2026-Q1" in path:
            assert fonts, path
        assert all(size >= 11 for size in fonts), (path, width, min(fonts))
        name = path.strip("/").replace("/", "_") or "index"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    assert [url for url in requested if not url.startswith(base)] == []  # nothing from outside
    page.close()


def test_a_household_is_a_card_with_amount_and_capitals(site: Any) -> None:
    base, browser = site
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{base}/public/sheets/V03/2026-Q1/v1")
    card = page.locator("tr.household").first
    cells = {
        label: card.locator(f'td[data-label="{label}"]').bounding_box()
        for label in ("户号", "户主", "分配金额", "大写")
    }
    assert all(box is not None for box in cells.values())
    text = card.inner_text()
    assert "H01" in text and "李*国" in text
    assert "¥6,055.94" in text and "陆仟零伍拾伍元玖角肆分" in text
    # stacked: 户号 on top, then the head, the amount, and the 大写 under the amount
    tops = [cells[k]["y"] for k in ("户号", "户主", "分配金额", "大写")]  # type: ignore[index]
    assert tops == sorted(tops) and tops[3] > tops[2]
    assert card.evaluate("e => getComputedStyle(e).display") == "block"
    page.close()


def decode(png: bytes) -> list[str]:
    import zxingcpp
    from PIL import Image

    return [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.mark.parametrize(
    "path", ["/public/sheets/V03/2026-Q1/v1", f"/public/plans/{A.HOUSEHOLD_PLAN}"]
)
def test_the_qr_code_decodes_to_the_url_and_digest(site: Any, path: str) -> None:
    base, browser = site
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{base}{path}")
    page.emulate_media(media="print")  # the code is printed on paper
    qr = page.locator(".verify svg")
    assert qr.is_visible()
    urls = decode(qr.screenshot())
    assert len(urls) == 1, urls
    url = urls[0]
    assert url.startswith(f"{base}{path}?digest=")
    digest = url.split("digest=")[1]
    assert len(digest) == 64 and digest[:16] in page.inner_text(".verify")
    page.emulate_media(media="screen")
    opened = browser.new_page(viewport={"width": 390, "height": 844})
    opened.goto(url)  # what the phone opens: the same version, and it is the latest
    said = opened.inner_text(".verify")
    assert "与本页一致" in said and "这是最新版本" in said
    opened.goto(url.replace(digest, "0" * 64))
    assert "不一致" in opened.inner_text(".verify")
    opened.close()
    page.close()
