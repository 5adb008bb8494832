"""Commands as data: what every front end builds and hands to the one runner (``domain.runner``).

A command is a small frozen dataclass of one capability (``domain/<capability>/commands.py``):
its fields are what the clerk asked for, validated by the front end (pydantic for the API, the
form parsers for the workbench, argparse for the command line). It says three things:

- ``places(app)``: the townships it writes in, each with a few words for a refusal, so the
  runner can refuse a caller of another township before anything is loaded for writing (the
  application's save checks every aggregate again: this is the early, clear answer; the save
  is the guarantee, ``domain.tenancy``);
- ``execute(app, actor)``: the call of its capability's service, returning what the front end
  answers from (a code, an entry, a number);
- ``replayed(recorded)``: the same result rebuilt from the events the command recorded, for a
  retry with the same Idempotency-Key whose first answer was lost.

The runner owns the rest: the tenancy context, the idempotency claim, the retry and the log
position of the save. ``app`` is the application (``domain.application``): its services
(``app.books`` …) and its loaders (``get_books`` …).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from domain.errors import NotFoundError
from domain.ids import entity_id
from domain.tenancy import recorded_events
from ledger.entries import JournalEntry

T = TypeVar("T")

# (township, what): a place a command writes in, with the words a refusal names it by
Place = tuple[str, str]


class Words(str):
    """A place's words in English (the string itself, as the API names it) and in Chinese
    (``zh``, as the workbench names it: ``村 V01``, ``方案 P1``): a front end that answers in
    Chinese refuses with ``zh`` (``getattr(what, "zh", what)``)."""

    zh: str

    def __new__(cls, text: str, zh: str) -> Words:
        words = super().__new__(cls, text)
        words.zh = zh
        return words


class Command(Generic[T]):
    """Base of every command (subclasses are ``@dataclass(frozen=True)``)."""

    # Whether the runner retries the whole command when a concurrent save got there first; a
    # command that saves in several transactions of its own (a file import in batches) retries
    # each itself.
    retried: ClassVar[bool] = True

    def places(self, app: Any) -> Iterable[Place]:
        """The townships this command writes in (none: the save's check alone)."""
        return ()

    def execute(self, app: Any, actor: str) -> T:
        raise NotImplementedError

    def replayed(self, recorded: Recorded) -> T:
        """The result of :meth:`execute`, rebuilt from the events it recorded."""
        raise NotImplementedError(f"{type(self).__name__} cannot be answered again")


class Recorded:
    """What a committed command wrote, read back from its events: how a retried request whose
    first answer was never given (the process died) is answered."""

    def __init__(self, app: Any, pairs: Sequence[Sequence[Any]]) -> None:
        self.app = app  # for a result that is rebuilt by asking the application again
        self.events = recorded_events(app, pairs)

    def entry(self, code: str | None = None) -> JournalEntry:
        """The entry the command posted in ``code``'s books (the only one when ``code`` is
        None)."""
        for event in self.events:
            entry = getattr(event, "entry", None)
            if isinstance(entry, JournalEntry) and (
                code is None or event.originator_id == entity_id(code)
            ):
                return entry
        raise LookupError(f"no entry of {code} among the recorded events")

    def entries(self, code: str | None = None) -> list[JournalEntry]:
        """Every entry the command posted (in ``code``'s books when given), in order."""
        return [
            event.entry
            for event in self.events
            if isinstance(getattr(event, "entry", None), JournalEntry)
            and (code is None or event.originator_id == entity_id(code))
        ]

    def value(self, name: str) -> Any:
        """The first recorded event's ``name`` (a published version, a comparison number)."""
        for event in self.events:
            if hasattr(event, name):
                return getattr(event, name)
        raise LookupError(f"no recorded event has {name!r}")


# -- places, as the commands name them -------------------------------------------------------


def books_place(app: Any, code: str, what: str | None = None) -> Place:
    """The township of the books of ``code`` (404 when there are none)."""
    township = app.entity_township(code)  # fixed at registration: no load of the books
    return township, Words(what or f"books of {code}", f"{code} 的账簿")


def village_place(app: Any, code: str) -> Place:
    """The township of village ``code`` (404 when it is not a village)."""
    return app.get_village(code).township, Words(f"village {code}", f"村 {code}")


def joint_place(app: Any, code: str) -> Place:
    """The township of joint entity ``code`` (404 when it is not one)."""
    return app.get_joint(code).township, Words(f"joint entity {code}", f"联合社 {code}")


def alliance_place(app: Any, code: str) -> Place:
    """The township of alliance ``code`` (404 when there is none)."""
    return app.get_alliance(code).township, Words(f"alliance {code}", f"联村党组织 {code}")


def known_entity_place(app: Any, code: str, what: str | None = None) -> Iterable[Place]:
    """The township of entity ``code`` when it exists (when not, the command itself says so)."""
    try:
        township = app.entity_township(code)
    except NotFoundError:
        return ()
    if not isinstance(what, Words):
        what = Words(what or f"books of {code}", f"单位 {code}")
    return ((township, what),)
