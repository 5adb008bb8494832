"""What an aggregate says about itself for tenancy (``domain.tenancy``): the township it belongs
to and its description in a refusal. Each aggregate class answers for itself in its own package,
so a new capability's aggregate needs no edit of ``domain.tenancy``; a type that answers nothing
may be written only by an administrator (tenancy fails closed)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


class Townships(Protocol):
    """The one lookup an aggregate needs to name its township: a set of books' township (the
    application's port answers it)."""

    def entity_township(self, code: str) -> str: ...


@runtime_checkable
class Owned(Protocol):
    """An aggregate that says its township: ``township_in(townships)`` answers the township a
    save of it writes into, or None for what belongs to no township (a person, an idempotency
    key: checked otherwise). ``described()``, when the class has it, names it in a refusal."""

    def township_in(self, townships: Townships) -> str | None: ...
