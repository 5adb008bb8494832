"""Which read models each route needs, so a stuck one (``projections.runner``) answers 503 only
where it matters: the audit trail and fingerprint need the audit and chain projections; every
route reads the books (ledger) and most the alliance economy too (economy). A write is refused
before anything is written when its answer would come from a stuck read model, so a client is
never left with a committed write it cannot read back.

Each router module says what its paths read, beside its routes: ``READ_MODELS`` (every path)
and, where some read otherwise, ``READ_MODELS_OF_PATHS`` (path template → read models) at the
end of the module. The composition root declares them here (``web.routers``) as it includes the
routers, and :func:`needed` answers a request's path from the route it matches (the first, in
the app's order). A path no router declared reads the books (ledger and economy).

A write answered from its command's own result reads no read model at all; one that reads its
answer back catches up only what its route reads (:func:`answer_reads`), not every read model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from fastapi import APIRouter, Request
from starlette.routing import compile_path

from audit.chain_gate import ChainBrokenError
from projections.runner import ProjectionStuckError
from runtime.bootstrap import Runtime
from web.problems import Problem

AUDIT = ("chain", "audit")
LEDGER = ("ledger",)
BOOKS = ("ledger", "economy")
VOUCHERS = ("ledger", "vouchers")


class ReadMap:
    """Path templates and the read models they need, in the order routes are matched."""

    def __init__(self) -> None:
        self._routes: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = []
        self._known: dict[str, tuple[str, ...]] = {}

    def declare(
        self,
        router: APIRouter,
        needs: tuple[str, ...],
        paths: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        """``router``'s routes read ``needs``, those with a path template in ``paths`` (prefix
        included) what it says. A template of ``paths`` no route has is an error (it would
        silently read the default); a template declared again with other needs too."""
        paths = dict(paths or {})
        templates = [t for t in (getattr(route, "path", None) for route in router.routes) if t]
        unknown = set(paths) - set(templates)
        if unknown:
            raise ValueError(f"no route of this router has the path {sorted(unknown)}")
        for template in templates:
            wanted = paths.get(template, needs)
            known = self._known.get(template)
            if known is not None:
                if known != wanted:
                    raise ValueError(f"{template} is declared to read {known} and {wanted}")
                continue
            self._known[template] = wanted
            self._routes.append((compile_path(template)[0], template, wanted))

    def needed(self, path: str) -> tuple[str, ...]:
        for regex, _template, needs in self._routes:
            if regex.match(path):
                return needs
        return BOOKS


READ_MAP = ReadMap()


def declare(
    router: APIRouter,
    needs: tuple[str, ...],
    paths: Mapping[str, tuple[str, ...]] | None = None,
) -> None:
    """What ``router``'s paths read (see :meth:`ReadMap.declare`); the composition root calls it
    as it includes the router (``web.routers``); again is a no-op."""
    READ_MAP.declare(router, needs, paths)


def needed(path: str) -> tuple[str, ...]:
    """The projections a request to ``path`` reads (see the module)."""
    return READ_MAP.needed(path)


# What every answer read from the read models may also read: the ledger (the economy's rows
# name the ledger's entities as they are applied) and the people (every 经办 is shown by name).
ALWAYS = ("ledger", "people")


def answer_reads(path: str) -> frozenset[str]:
    """The projections a write to ``path`` catches up before it reads its answer back (in
    request mode): what the route reads (:func:`needed`) and :data:`ALWAYS`; the others are
    left to the next read, which catches every one up."""
    return frozenset((*needed(path), *ALWAYS))


def require_views(request: Request, runtime: Runtime) -> None:
    """503 problem details when a read model this request needs is stuck."""
    try:
        runtime.views.require(needed(request.url.path))
    except ProjectionStuckError as error:
        raise stuck_problem(error) from None


def stuck_problem(error: ProjectionStuckError) -> Problem:
    if isinstance(error, ChainBrokenError):  # every view: the read models stop before it
        broken = error.broken
        return Problem(
            503,
            "chain-broken",
            broken.sentence(),
            zh=broken.sentence_zh(),
            position=broken.position,
            chain=broken.as_dict(),
        )
    first = error.stuck[0]
    return Problem(
        503,
        "projection-stuck",
        str(error),
        headers={"Retry-After": "30"},
        projection=first.projection,
        position=first.position,
        stuck=[s.as_dict() for s in error.stuck],
    )
