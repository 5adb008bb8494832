"""The township's settings as commands (``domain.commands``): the API's routes and the
workbench's 设置 page build the same :class:`ChooseSettings` and :class:`NameSigners`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.commands import Command, Place, Recorded, Words
from domain.township import Choices


@dataclass(frozen=True)
class ChooseSettings(Command[Choices]):
    """Choose how ``township`` numbers its vouchers, its 凭证字 (``words``: ``single`` 记 or
    ``split`` 收/付/转; None keeps them), whether 审核 posts at once (审核即记账) and whether
    结账 waits for the bank accounts to be reconciled (None keeps it); answers the settings as
    they now stand."""

    township: str
    numbering: str
    review_posts: bool
    words: str | None = None
    bank_reconciled_to_close: bool | None = None  # None: as it is

    def places(self, app: Any) -> Iterable[Place]:
        return ((self.township, Words(f"township {self.township}", f"乡镇 {self.township}")),)

    def execute(self, app: Any, actor: str) -> Choices:
        choices: Choices = app.township.choose(
            self.township,
            numbering=self.numbering,
            review_posts=self.review_posts,
            actor=actor,
            words=self.words,
            bank_reconciled_to_close=self.bank_reconciled_to_close,
        )
        return choices

    def replayed(self, recorded: Recorded) -> Choices:
        return recorded.app.township.choices(self.township)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class NameSigners(Command[Choices]):
    """Name who signs ``township``'s vouchers besides the workflow's people: its 会计主管 and the
    出纳 of each of its sets of books (``cashiers``: entity code and name; a blank name: none);
    answers the settings as they now stand."""

    township: str
    supervisor: str
    cashiers: tuple[tuple[str, str], ...] = ()

    def places(self, app: Any) -> Iterable[Place]:
        return ((self.township, Words(f"township {self.township}", f"乡镇 {self.township}")),)

    def execute(self, app: Any, actor: str) -> Choices:
        choices: Choices = app.township.name_signers(
            self.township, supervisor=self.supervisor, cashiers=dict(self.cashiers), actor=actor
        )
        return choices

    def replayed(self, recorded: Recorded) -> Choices:
        return recorded.app.township.choices(self.township)  # type: ignore[no-any-return]
