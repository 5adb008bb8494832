"""The command that publishes a disclosure sheet (三公开), as data (``domain.commands``): it
names the township of the village or joint entity and calls ``app.disclosure``
(``domain.disclosure.service``). The API's routes and the workbench's form build the same
command.

A sheet's content is made from the read models and checked against the signed chain, which the
domain does not read: the front end gives the command the :class:`SheetMaker` that does it
(``documents.publishing.SheetMaker``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from domain.commands import Command, Place, Recorded, Words


class SheetMaker(Protocol):
    """The read side of a publication."""

    def content(
        self,
        code: str,
        period: str,
        *,
        checked_by: list[str],
        checked_on: datetime.date,
        opinion: str,
    ) -> dict[str, Any]:
        """The sheet's content from the read models as they stand, with a signed checkpoint of
        the chain it was made from (refused when they do not agree)."""
        ...

    def published(self) -> None:
        """The read models brought up to the version just saved."""
        ...


@dataclass(frozen=True)
class PublishSheet(Command[dict[str, Any]]):
    """Publish the sheet of a village or a joint entity (联合社) for a period as its next,
    immutable version; answers the version (``{"version": n, …}``).

    ``kind`` is what ``code`` must be: "village", "joint entity", or "" for either (the
    workbench's form, which names the books by their name). Not retried as a whole: the content
    is made after the read models are caught up in transactions of their own, and the save
    retries itself."""

    code: str
    period: str
    checked_by: tuple[str, ...]
    checked_on: datetime.date
    opinion: str
    reason: str
    sheets: SheetMaker = field(compare=False, repr=False)
    kind: str = ""
    retried: ClassVar[bool] = False

    def places(self, app: Any) -> Iterable[Place]:
        if self.kind == "village":
            books = app.get_village(self.code)
        elif self.kind == "joint entity":
            books = app.get_joint(self.code)
        else:
            books = app.get_books(self.code)
        what = f"{self.kind or 'books of'} {self.code}"
        return ((books.township, Words(what, f"{books.name}（{self.code}）")),)

    def execute(self, app: Any, actor: str) -> dict[str, Any]:
        content = self.sheets.content(
            self.code,
            self.period,
            checked_by=list(self.checked_by),
            checked_on=self.checked_on,
            opinion=self.opinion,
        )
        version: dict[str, Any] = app.disclosure.publish_sheet(
            village=self.code,
            period=self.period,
            content=content,
            checked_by=list(self.checked_by),
            checked_on=self.checked_on,
            reason=self.reason,
            actor=actor,
        )
        self.sheets.published()
        return version

    def replayed(self, recorded: Recorded) -> dict[str, Any]:
        return {"version": recorded.value("version")}
