"""A month's depreciation previewed (``assets.preview``, what the workbench's
计提折旧 page and the API show before the run), on the in-memory store: the same lines, total
and owners' shares as the run then posts, nothing written; a month already run, a month before
it not run, a 工作量法 card without its units, as the run says them."""

from __future__ import annotations

import datetime

import pytest

from domain.assets.commands import RegisterAsset, RunDepreciation
from domain.assets.preview import preview_depreciation, units_cards
from domain.assets.service import CardTerms
from domain.errors import ConflictError, InvalidRequestError
from ledger.money import money
from tests.application.scenario_b import CARD, JOINT, Story
from tests.application.small import application, events

D = datetime.date


@pytest.fixture
def barn() -> Story:
    story = Story(application())
    story.until_completion()
    return story


def test_the_preview_is_what_the_run_posts_and_writes_nothing(barn: Story) -> None:
    before = events(barn.app)
    preview = preview_depreciation(barn.app.assets, entity=JOINT, month="2025-09")
    assert events(barn.app) == before
    assert preview.entry is None and "尚未记账" in preview.message
    assert preview.total == money("3562.50")
    assert preview.owners == {
        "V01": money("1603.13"),
        "V02": money("890.62"),
        "V03": money("1068.75"),
    }
    (line,) = preview.lines
    assert (line["number"], line["amount"], line["account"], line["contra"]) == (
        CARD,
        356250,
        "511",
        "152",
    )
    run = barn.run(RunDepreciation(entity=JOINT, month="2025-09"))
    assert (run.total, run.owners) == (preview.total, preview.owners)
    again = preview_depreciation(barn.app.assets, entity=JOINT, month="2025-09")
    assert again.lines == [] and "已经计提过" in again.message
    with pytest.raises(ConflictError) as skipped:
        preview_depreciation(barn.app.assets, entity=JOINT, month="2025-11")
    assert "请先计提 2025-10" in (skipped.value.zh or "")


def test_a_units_card_is_previewed_with_its_units(barn: Story) -> None:
    terms = CardTerms(
        number="NJ-U",
        name="收割机",
        life_months=120,
        method="units",
        total_units="10000",
        original="100000.00",
    )
    barn.run(
        RegisterAsset(entity=JOINT, terms=terms, acquisition="donated", acquired_on=D(2025, 8, 5))
    )
    assert [c["number"] for c in units_cards(barn.app.assets, JOINT)] == ["NJ-U"]
    with pytest.raises(InvalidRequestError) as missing:
        preview_depreciation(barn.app.assets, entity=JOINT, month="2025-09")
    assert "本月工作量" in (missing.value.zh or "")
    preview = preview_depreciation(
        barn.app.assets, entity=JOINT, month="2025-09", units={"NJ-U": "250"}
    )
    # 100,000.00 × 95% × 250 / 10,000 = 2,375.00, beside the barn's 3,562.50
    amounts = {line["number"]: line["amount"] for line in preview.lines}
    assert amounts == {CARD: 356250, "NJ-U": 237500}
    assert preview.total == money("5937.50")
