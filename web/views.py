"""Which read models each route needs, so a stuck one (``projections.runner``) answers 503 only
where it matters: the audit trail and fingerprint need the audit and chain projections; every
route reads the books (ledger) and most the alliance economy too (economy). A write is refused
before anything is written when its answer would come from a stuck read model, so a client is
never left with a committed write it cannot read back.
"""

from __future__ import annotations

from fastapi import Request

from audit.chain_gate import ChainBrokenError
from projections.runner import ProjectionStuckError
from runtime.bootstrap import Runtime
from web.problems import Problem

AUDIT = ("chain", "audit")
LEDGER = ("ledger",)
BOOKS = ("ledger", "economy")
VOUCHERS = ("ledger", "vouchers")


def needed(path: str) -> tuple[str, ...]:
    """The projections a request to ``path`` reads: alliances, villages' registration and the
    books (entries, trial balances) read the ledger only; statements, plans, agreements,
    registers and disclosure read both ledger and economy."""
    if path.startswith("/v1/audit"):
        return AUDIT
    if "/vouchers" in path or path.startswith("/v1/attachments") or path.endswith("/print.pdf"):
        return VOUCHERS
    if (
        path.startswith("/v1/alliances")
        or path == "/v1/villages"
        or (path.startswith("/v1/entities") and "/statements/" not in path)
    ):
        return LEDGER
    return BOOKS


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
