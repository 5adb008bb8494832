"""Auditors' endpoints: the ledger fingerprint, verification and the audit trail."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.responses import LedgerHead, TrailItem, VerifyPublic
from api.routes.entities import described
from api.schemas import OffsetQuery
from audit import chain
from audit.verify import verify
from domain.bounds import FIRST_DAY, LAST_DAY
from web.deps import ReaderDep

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get(
    "/fingerprint",
    responses=described(LedgerHead),
    summary="The ledger fingerprint (账本指纹)",
)
def fingerprint(reader: ReaderDep) -> dict[str, Any]:
    with reader.runtime.engine.connect() as conn:
        return chain.head(conn)


@router.get(
    "/verify",
    responses=described(VerifyPublic),
    summary="Recompute the chain, the read models and every published sheet from the log",
)
def run_verify(reader: ReaderDep) -> dict[str, Any]:
    return verify(reader.runtime)


@router.get(
    "/trail",
    responses=described(list[TrailItem]),
    summary="Who did what and when",
)
def get_trail(
    reader: ReaderDep,
    entity: Annotated[str | None, Query(description="books concerned, e.g. V03")] = None,
    date_from: Annotated[
        datetime.date | None, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY)
    ] = None,
    date_to: Annotated[datetime.date | None, Query(alias="to", ge=FIRST_DAY, le=LAST_DAY)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Annotated[int, OffsetQuery] = 0,
) -> list[dict[str, Any]]:
    with reader.runtime.engine.connect() as conn:
        return chain.trail(
            conn, entity=entity, start=date_from, end=date_to, limit=limit, offset=offset
        )


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("chain", "audit")
