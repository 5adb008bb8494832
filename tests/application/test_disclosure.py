"""Publishing 三公开 sheets on the in-memory store: versions, corrections with their reason, the
民主理财小组's check, and nothing written on a refusal (the rules tests/e2e/test_disclosure.py
and test_dates.py reach over HTTP with Scenario A)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from domain.application import LianzhangApplication
from domain.disclosure import sheet_id, substance_digest
from domain.errors import ConflictError, EntityNotFoundError, InvalidRequestError
from ledger.canonical import digest
from tests import builders
from tests.application.small import application, events

D = datetime.date
CHECKERS = ["王建华", "刘秀梅"]


@pytest.fixture
def app() -> LianzhangApplication:
    return application()


def content(income: str, *, made_on: str = "2026-04-01") -> dict[str, Any]:
    return {"income": {"total": income}, "made_on": made_on, "ledger": {"position": 7}}


def publish(
    app: LianzhangApplication, village: str, sheet: dict[str, Any], **overrides: Any
) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "village": village,
        "period": "2026-Q1",
        "content": sheet,
        "checked_by": CHECKERS,
        "checked_on": D(2026, 4, 3),
        "reason": "",
        "actor": "clerk",
        **overrides,
    }
    return app.disclosure.publish_sheet(**arguments)


def test_the_first_version_then_a_correction_with_its_reason(app: LianzhangApplication) -> None:
    village = builders.village(app)
    first = publish(app, village, content("100.00"))
    assert first["version"] == 1
    assert first["digest"] == digest(content("100.00"))
    assert first["substance"] == substance_digest(content("100.00"))
    before = events(app)
    with pytest.raises(InvalidRequestError, match="needs its reason") as refused:
        publish(app, village, content("180.00"))
    assert refused.value.field == "reason"
    assert events(app) == before
    second = publish(app, village, content("180.00"), reason="补记三月废品变卖收入")
    assert second["version"] == 2
    sheet = app.repository.get(sheet_id(village, "2026-Q1"))
    assert [v["version"] for v in sheet.versions] == [1, 2]  # version 1 stays as published


def test_the_same_figures_again_are_not_a_correction(app: LianzhangApplication) -> None:
    village = builders.village(app)
    publish(app, village, content("100.00"))
    before = events(app)
    # made on another day, at another position of the log: the same figures all the same
    again = content("100.00", made_on="2026-04-09") | {"ledger": {"position": 9}}
    with pytest.raises(ConflictError, match="already has exactly this content") as refused:
        publish(app, village, again, reason="再发一次")
    assert refused.value.field == "period"
    assert events(app) == before


def test_a_sheet_is_checked_by_someone_within_or_after_its_period(
    app: LianzhangApplication,
) -> None:
    village = builders.village(app)
    before = events(app)
    with pytest.raises(InvalidRequestError, match="before its period begins") as early:
        publish(app, village, content("100.00"), checked_on=D(2025, 12, 31))
    assert early.value.field == "checked_on"
    with pytest.raises(InvalidRequestError, match="name who checked") as nobody:
        publish(app, village, content("100.00"), checked_by=[" ", ""])
    assert nobody.value.field == "checked_by"
    assert events(app) == before
    within = publish(app, village, content("100.00"), checked_on=D(2026, 1, 1))
    assert within["checked_on"] == "2026-01-01"


def test_each_village_and_period_has_its_own_versions(app: LianzhangApplication) -> None:
    v1, v2 = builders.village(app), builders.village(app)
    assert publish(app, v1, content("1.00"))["version"] == 1
    assert publish(app, v2, content("1.00"))["version"] == 1
    assert (
        publish(app, v1, content("1.00"), period="2026-Q2", checked_on=D(2026, 7, 1))["version"]
        == 1
    )
    with pytest.raises(EntityNotFoundError):
        publish(app, "NOPE", content("1.00"))  # an entity that does not exist has no sheet
