"""A township's own choices for its books (乡镇设置): how vouchers are numbered and whether a
reviewer's approval posts at once.

Township practice differs, and the 2023 制度 leaves both to the township:

- ``numbering``: ``"monthly"`` (the default): 凭证字 (记/收/付/转) with numbers per set of books,
  month and 凭证字, never leaving their month (given when a voucher posts, in the order of
  posting within the month: ``domain/books/numbering.py``); ``"yearly"``: one sequence per set
  of books and calendar year (how every book was numbered before this setting existed). A set
  of books that already has entries in a year keeps that year's scheme until its next year.
- ``words``: ``"single"`` (the default): one 凭证字, 记 (通用记账凭证), as most village books and
  三资 platforms keep them; ``"split"``: 收款, 付款 and 转账凭证 apart, the word chosen from the
  lines (``ledger.voucher_numbers.words_for``). Numbers count per word, so a change of words
  never makes two vouchers share a number; a township changes it at a year's start.
- ``review_posts``: ``False`` (the default): 审核 and 记账 are two steps by two people (the
  reviewer approves, the bookkeeper posts); ``True``: 审核即记账, the reviewer's approval posts
  the voucher and the printed voucher says so.

- ``bank_reconciled_to_close``: ``False`` (the default): 结账 of a month whose bank accounts are
  not reconciled (no 银行存款余额调节表 confirmed, ``domain.bank``) goes ahead with a warning;
  ``True``: it is refused until every bank account of the books is reconciled for the month
  (``ClosingRuleChosen``).

- the people who sign its vouchers besides those of the workflow (``SignersNamed``): its
  会计主管 (one per township) and the 出纳 of each of its sets of books (a village's 报账员),
  printed by name on every voucher beside 记账, 审核 and 制单; blank lines where none is named.

A township that never chose has the defaults (the deployment may give another numbering for
such townships: ``LIANZHANG_NUMBERING``, ``domain.application``). The settings are one
aggregate per township (id: uuid5 of the township's code), written by its 记账/主管 or an
administrator; every change is an event naming who made it, so an auditor sees when a township
changed its practice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.bounds import check_text
from domain.errors import InvalidRequestError
from domain.ids import NAMESPACE
from domain.owned import Townships
from ledger.voucher_numbers import SINGLE, SPLIT

NUMBERINGS: dict[str, str] = {
    "monthly": "按月、按凭证字编号（记/收/付/转字第 N 号）",
    "yearly": "按年连续编号（YYYY-NNNN）",
}
WORDS: dict[str, str] = {
    SINGLE: "只用记字（通用记账凭证）",
    SPLIT: "分收、付、转字（收款、付款、转账凭证，按分录自动确定）",
}


def settings_id(township: str) -> UUID:
    return uuid5(NAMESPACE, f"township-settings:{township}")


@dataclass(frozen=True)
class Choices:
    """A township's settings as they stand (the defaults where it never chose)."""

    numbering: str = "monthly"
    review_posts: bool = False
    words: str = SINGLE
    supervisor: str = ""  # 会计主管, by name
    cashiers: tuple[tuple[str, str], ...] = ()  # (entity code, 出纳's name)
    bank_reconciled_to_close: bool = False

    def cashier_of(self, entity: str) -> str:
        """The 出纳 named for the books of ``entity`` ("" when none is)."""
        return dict(self.cashiers).get(entity, "")

    @property
    def numbering_label(self) -> str:
        return NUMBERINGS[self.numbering]

    @property
    def words_label(self) -> str:
        return WORDS[self.words]

    @property
    def review_label(self) -> str:
        return "审核即记账" if self.review_posts else "审核、记账分两步，由两人完成"

    @property
    def bank_label(self) -> str:
        return (
            "银行存款未对账（未确认余额调节表）的月份不能结账"
            if self.bank_reconciled_to_close
            else "银行存款未对账时结账只提醒，不阻止"
        )


DEFAULTS = Choices()


def checked_numbering(numbering: object) -> str:
    if numbering not in NUMBERINGS:
        raise InvalidRequestError(
            f"numbering is 'monthly' or 'yearly', not {str(numbering)[:40]!r}",
            field="numbering",
            zh=f"凭证编号方式只能是按月编号或按年编号，不是 {str(numbering)[:40]!r}",
        )
    return str(numbering)


def checked_words(words: object) -> str:
    if words not in WORDS:
        raise InvalidRequestError(
            f"words is 'single' (记) or 'split' (收/付/转), not {str(words)[:40]!r}",
            field="words",
            zh=f"凭证字只能是只用记字或分收、付、转字，不是 {str(words)[:40]!r}",
        )
    return str(words)


MAX_SIGNER = 32
"""Characters of a signer's name (a 姓名, or two)."""


def checked_signer(name: object, *, field: str) -> str:
    text = check_text(name, field=field, max_length=MAX_SIGNER).strip()
    return text


class TownshipSettings(Aggregate):
    """One township's settings and their history."""

    # named by ``SignersNamed`` (class defaults: settings chosen before it read "")
    supervisor: str = ""
    cashiers: tuple[tuple[str, str], ...] = ()  # (entity code, name), sorted
    bank_reconciled_to_close: bool = False  # by ``ClosingRuleChosen``

    def township_in(self, townships: Townships) -> str | None:
        township: str = self.township
        return township

    def described(self) -> str:
        return f"the settings of township {self.township}"

    @staticmethod
    def create_id(township: str) -> UUID:
        return settings_id(township)

    @event("Opened")
    def __init__(self, *, township: str) -> None:
        self.township = township
        self.numbering = DEFAULTS.numbering
        self.review_posts = DEFAULTS.review_posts
        self.words = DEFAULTS.words
        self.history: list[dict[str, Any]] = []

    @property
    def chosen_words(self) -> str:
        """The 凭证字 chosen (settings recorded before the choice existed: one word, 记)."""
        return str(self.__dict__.get("words", SINGLE))

    def name_signers(self, *, supervisor: object, cashiers: dict[str, object], actor: str) -> bool:
        """Name the 会计主管 and each set of books' 出纳 (a blank name: none); answers whether
        anything changed."""
        named = checked_signer(supervisor, field="supervisor")
        tellers = {
            str(code): checked_signer(name, field=f"cashiers.{code}")
            for code, name in cashiers.items()
        }
        tellers = {code: name for code, name in tellers.items() if name}
        if named == self.supervisor and tuple(sorted(tellers.items())) == self.cashiers:
            return False
        self._signers_named(supervisor=named, cashiers=tellers, actor=actor)
        return True

    @event("SignersNamed")
    def _signers_named(self, *, supervisor: str, cashiers: dict[str, str], actor: str) -> None:
        self.supervisor = supervisor
        self.cashiers = tuple(sorted(cashiers.items()))
        self.history.append({"supervisor": supervisor, "cashiers": dict(cashiers), "actor": actor})

    @property
    def choices(self) -> Choices:
        return Choices(
            numbering=self.numbering,
            review_posts=self.review_posts,
            words=self.chosen_words,
            supervisor=self.supervisor,
            cashiers=self.cashiers,
            bank_reconciled_to_close=self.bank_reconciled_to_close,
        )

    def choose_closing_rule(self, *, bank_reconciled_to_close: bool, actor: str) -> bool:
        """Whether 结账 waits for the bank accounts to be reconciled; answers whether anything
        changed."""
        if bool(bank_reconciled_to_close) == self.bank_reconciled_to_close:
            return False
        self._closing_rule_chosen(
            bank_reconciled_to_close=bool(bank_reconciled_to_close), actor=actor
        )
        return True

    @event("ClosingRuleChosen")
    def _closing_rule_chosen(self, *, bank_reconciled_to_close: bool, actor: str) -> None:
        self.bank_reconciled_to_close = bank_reconciled_to_close
        self.history.append({"bank_reconciled_to_close": bank_reconciled_to_close, "actor": actor})

    def choose(
        self, *, numbering: object, review_posts: bool, actor: str, words: object = None
    ) -> bool:
        """Record the township's choice (``words`` None: as it was); answers whether anything
        changed (nothing is recorded when every setting is as it was)."""
        numbering = checked_numbering(numbering)
        words = self.chosen_words if words is None else checked_words(words)
        if (numbering, bool(review_posts), words) == (
            self.numbering,
            self.review_posts,
            self.chosen_words,
        ):
            return False
        self._chosen(numbering=numbering, review_posts=bool(review_posts), actor=actor, words=words)
        return True

    def record(self, choices: Choices, *, actor: str) -> None:
        """Record ``choices`` as they are (a township's first choice, ``app.township``)."""
        self._chosen(
            numbering=checked_numbering(choices.numbering),
            review_posts=bool(choices.review_posts),
            actor=actor,
            words=checked_words(choices.words),
        )

    @event("Chosen")
    def _chosen(
        self, *, numbering: str, review_posts: bool, actor: str, words: str = SINGLE
    ) -> None:
        self.numbering = numbering
        self.review_posts = review_posts
        self.words = words
        self.history.append(
            {"numbering": numbering, "review_posts": review_posts, "actor": actor, "words": words}
        )
