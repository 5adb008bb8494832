"""A township's settings (``domain.township``) through the runner on the in-memory store: the
defaults, a recorded choice with who made it, nothing recorded when nothing changes, a clerk of
another township refused, a wrong numbering refused with nothing written."""

from __future__ import annotations

import datetime

import pytest

from domain.application import LianzhangApplication
from domain.errors import ForbiddenTownshipError, InvalidRequestError
from domain.runner import Caller, Runner
from domain.township import DEFAULTS, TownshipSettings, settings_id
from domain.township.commands import ChooseSettings

D = datetime.date
HOME = Caller("clerk-1", frozenset({"唐坊镇"}))


@pytest.fixture
def app() -> LianzhangApplication:
    # the module's defaults (the test suite's own environment numbers yearly: tests/conftest.py)
    return LianzhangApplication(
        {"PERSISTENCE_MODULE": "eventsourcing.popo", "LIANZHANG_NUMBERING": "monthly"},
        today=lambda: D(2026, 11, 23),
    )


def count(app: LianzhangApplication) -> int:
    return app.recorder.max_notification_id() or 0


def test_a_township_that_never_chose_has_the_defaults(app: LianzhangApplication) -> None:
    assert app.township.choices("唐坊镇") == DEFAULTS
    assert (DEFAULTS.numbering, DEFAULTS.review_posts, DEFAULTS.words) == (
        "monthly",
        False,
        "single",
    )
    assert count(app) == 0


def test_a_choice_is_recorded_with_who_made_it(app: LianzhangApplication) -> None:
    runner = Runner(app)
    chosen = runner.run(ChooseSettings("唐坊镇", "yearly", True), HOME)
    assert (chosen.result.numbering, chosen.result.review_posts) == ("yearly", True)
    assert app.township.choices("唐坊镇").review_label == "审核即记账"
    assert app.township.choices("花沟镇") == DEFAULTS  # another township keeps its own
    settings = app.repository.get(settings_id("唐坊镇"))
    assert isinstance(settings, TownshipSettings)
    assert settings.history == [
        {"numbering": "yearly", "review_posts": True, "actor": "clerk-1", "words": "single"}
    ]

    written = count(app)
    again = runner.run(ChooseSettings("唐坊镇", "yearly", True), HOME)
    assert again.result == chosen.result
    assert count(app) == written  # the same choice again records nothing


def test_another_townships_clerk_and_a_wrong_numbering_write_nothing(
    app: LianzhangApplication,
) -> None:
    runner = Runner(app)
    with pytest.raises(ForbiddenTownshipError):
        runner.run(ChooseSettings("花沟镇", "yearly", False), HOME)
    with pytest.raises(InvalidRequestError) as refused:
        runner.run(ChooseSettings("唐坊镇", "weekly", False), HOME)
    assert "按月" in refused.value.zh
    assert count(app) == 0


def test_the_words_are_chosen_and_kept_when_not_named(app: LianzhangApplication) -> None:
    runner = Runner(app)
    chosen = runner.run(ChooseSettings("唐坊镇", "monthly", False, words="split"), HOME)
    assert chosen.result.words == "split"
    assert "收、付、转" in chosen.result.words_label
    kept = runner.run(ChooseSettings("唐坊镇", "yearly", False), HOME)  # words not named
    assert (kept.result.numbering, kept.result.words) == ("yearly", "split")
    with pytest.raises(InvalidRequestError) as refused:
        runner.run(ChooseSettings("唐坊镇", "monthly", False, words="收付"), HOME)
    assert "只用记字" in refused.value.zh


def test_a_deployment_may_number_yearly_where_a_township_never_chose() -> None:
    app = LianzhangApplication(
        {"PERSISTENCE_MODULE": "eventsourcing.popo", "LIANZHANG_NUMBERING": "yearly"},
        today=lambda: D(2026, 11, 23),
    )
    assert app.township.choices("唐坊镇").numbering == "yearly"
    # a first choice of the module's defaults is a change here, and is recorded
    chosen = Runner(app).run(ChooseSettings("唐坊镇", "monthly", False), HOME)
    assert chosen.result == DEFAULTS and count(app) > 0
    assert app.township.choices("唐坊镇") == DEFAULTS
    with pytest.raises(ValueError, match="LIANZHANG_NUMBERING"):
        LianzhangApplication(
            {"PERSISTENCE_MODULE": "eventsourcing.popo", "LIANZHANG_NUMBERING": "weekly"}
        )
