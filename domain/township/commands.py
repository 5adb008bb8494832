"""The township's settings as a command (``domain.commands``): the API's route and the
workbench's 设置 page build the same :class:`ChooseSettings`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.commands import Command, Place, Recorded, Words
from domain.township import Choices


@dataclass(frozen=True)
class ChooseSettings(Command[Choices]):
    """Choose how ``township`` numbers its vouchers, its 凭证字 (``words``: ``single`` 记 or
    ``split`` 收/付/转; None keeps them) and whether 审核 posts at once (审核即记账); answers the
    settings as they now stand."""

    township: str
    numbering: str
    review_posts: bool
    words: str | None = None

    def places(self, app: Any) -> Iterable[Place]:
        return ((self.township, Words(f"township {self.township}", f"乡镇 {self.township}")),)

    def execute(self, app: Any, actor: str) -> Choices:
        choices: Choices = app.township.choose(
            self.township,
            numbering=self.numbering,
            review_posts=self.review_posts,
            actor=actor,
            words=self.words,
        )
        return choices

    def replayed(self, recorded: Recorded) -> Choices:
        return recorded.app.township.choices(self.township)  # type: ignore[no-any-return]
