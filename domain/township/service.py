"""A township's settings (``app.township``): read them (the defaults where it never chose) and
record a choice. The voucher workflow and the books read :meth:`choices` when they post.

The defaults of a township that never chose are :data:`domain.township.DEFAULTS` unless the
application is given others (its numbering from ``LIANZHANG_NUMBERING``,
``domain.application``)."""

from __future__ import annotations

from domain.bounds import check_text
from domain.errors import DomainError, InvalidRequestError
from domain.port import Port
from domain.township import (
    DEFAULTS,
    Choices,
    TownshipSettings,
    checked_numbering,
    checked_words,
    settings_id,
)


def _township(township: object) -> str:
    text = check_text(township, field="township", max_length=64).strip()
    if not text:
        raise InvalidRequestError(
            "name the township whose settings these are", field="township", zh="请指明乡镇"
        )
    return text


class TownshipService:
    """Township settings; ``app.township``."""

    def __init__(self, port: Port, defaults: Choices = DEFAULTS) -> None:
        self.port = port
        self.defaults = defaults

    def settings(self, township: str) -> TownshipSettings | None:
        found = self.port.find(settings_id(township))
        return found if isinstance(found, TownshipSettings) else None

    def choices(self, township: str) -> Choices:
        """What ``township`` chose, or the defaults."""
        settings = self.settings(township)
        return self.defaults if settings is None else settings.choices

    def choose(
        self,
        township: object,
        *,
        numbering: object,
        review_posts: bool,
        actor: str,
        words: object = None,
        bank_reconciled_to_close: bool | None = None,
    ) -> Choices:
        """Record ``township``'s settings (nothing recorded when they do not change; ``words``
        None keeps the 凭证字 as they are, ``bank_reconciled_to_close`` None the closing rule)."""
        code = _township(township)

        def command() -> Choices:
            settings = self.settings(code)
            if settings is not None:
                changed = settings.choose(
                    numbering=numbering, review_posts=review_posts, actor=actor, words=words
                )
                if bank_reconciled_to_close is not None:
                    changed = (
                        settings.choose_closing_rule(
                            bank_reconciled_to_close=bank_reconciled_to_close, actor=actor
                        )
                        or changed
                    )
                if changed:
                    self.port.save(settings)
                return settings.choices
            # a first choice: compared with what the township had, this deployment's defaults
            wanted = Choices(
                numbering=checked_numbering(numbering),
                review_posts=bool(review_posts),
                words=self.defaults.words if words is None else checked_words(words),
                bank_reconciled_to_close=bool(bank_reconciled_to_close),
            )
            if wanted == self.defaults:
                return wanted
            settings = TownshipSettings(township=code)
            settings.record(wanted, actor=actor)  # the numbering it had: the deployment's
            if wanted.bank_reconciled_to_close:
                settings.choose_closing_rule(bank_reconciled_to_close=True, actor=actor)
            self.port.save(settings)
            return settings.choices

        return self.port.retrying(command)

    def name_signers(
        self, township: object, *, supervisor: object, cashiers: dict[str, object], actor: str
    ) -> Choices:
        """Record who signs ``township``'s vouchers: its 会计主管 and the 出纳 of each of its
        sets of books (each a set of books of this township)."""
        code = _township(township)
        for entity in cashiers:
            if self.port.entity_township(entity) != code:  # refused when there are no books
                raise InvalidRequestError(
                    f"the books of {entity} are not in {code}",
                    field=f"cashiers.{entity}",
                    zh=f"单位 {entity} 不属于{code}，不能在这里指定它的出纳",
                )

        def command() -> Choices:
            settings = self.settings(code)
            if settings is None:
                settings = TownshipSettings(township=code)
            if settings.name_signers(supervisor=supervisor, cashiers=cashiers, actor=actor):
                self.port.save(settings)
            return settings.choices

        return self.port.retrying(command)

    def signers_of(self, entity: str) -> tuple[str, str]:
        """Who signs the vouchers of ``entity`` besides the workflow's people: (会计主管, 出纳),
        "" where none is named (an unknown entity: neither)."""
        try:
            township = self.port.entity_township(entity)
        except DomainError:
            return "", ""
        choices = self.choices(township)
        return choices.supervisor, choices.cashier_of(entity)
