"""One request, several commands each in its own save: a township's monthly depreciation run
takes its books one after the other (``RunDepreciation`` of each book), from the API, the
workbench or the command line.

Each part runs through the one runner with an idempotency claim of its own, derived from the
request's key and the part's name (``KEY#J01``), so a retried request answers every part that
committed from what it recorded and runs again only the parts that did not (a book refused
the first time, or never reached). A part's refusal is the part's answer (in Chinese): the
other books still run.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from domain.commands import Command
from domain.errors import DomainError
from ledger.errors import LedgerError
from web.deps import POSITION_HEADER, Answer, Writer
from web.problems import Problem, chinese_detail

T = TypeVar("T")

MAX_KEY = 255


def part_of(writer: Writer, name: str) -> Writer:
    """``writer`` for the part ``name`` of its request: the same caller, the claim of the
    request's key and the part (none when the request sent no key)."""
    claim = writer.claim
    if claim is None:
        return writer
    key = f"{claim.key}#{name}"
    if len(key) > MAX_KEY:
        key = hashlib.sha256(key.encode()).hexdigest()
    return dataclasses.replace(writer, claim=dataclasses.replace(claim, key=key))


@dataclass
class Part:
    """What one part answered: its body, or the refusal in Chinese (``problem``)."""

    name: str
    answer: Answer | None
    problem: str | None = None
    kind: str | None = None


def commit_each(
    writer: Writer,
    parts: Sequence[tuple[str, Command[T]]],
    read: Callable[[str, T], tuple[dict[str, Any], str | None]],
) -> tuple[list[Part], dict[str, str]]:
    """Run every ``(name, command)`` with its own claim (:func:`part_of`); ``read(name,
    result)`` builds a part's body. Returns each part's answer or refusal, and the headers of
    the whole (the last log position; ``Idempotent-Replayed`` when every part was)."""
    done: list[Part] = []
    for name, command in parts:

        def body(result: T, name: str = name) -> tuple[dict[str, Any], str | None]:
            return read(name, result)

        try:
            answer = part_of(writer, name).commit(command, body, status=200)
        except (DomainError, LedgerError, Problem) as exc:
            kind = getattr(exc, "kind", "invalid-entry")
            detail = getattr(exc, "message", None) or getattr(exc, "detail", None) or str(exc)
            done.append(
                Part(
                    name,
                    None,
                    chinese_detail(kind, detail, getattr(exc, "zh", None), exc_field(exc)),
                    kind,
                )
            )
        else:
            done.append(Part(name, answer))
    answered = [p.answer for p in done if p.answer is not None]
    positions = [int(a.headers.get(POSITION_HEADER, "0")) for a in answered]
    headers = {POSITION_HEADER: str(max(positions or [writer.runtime.views.head()]))}
    if answered and all(a.replayed for a in answered) and len(answered) == len(done):
        headers["Idempotent-Replayed"] = "true"
    return done, headers


def exc_field(exc: Exception) -> str | None:
    found = getattr(exc, "field", None)
    return found if isinstance(found, str) else None
