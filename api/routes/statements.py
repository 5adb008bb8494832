"""Statements for staff and auditors (JSON), and publishing disclosure sheets."""

from __future__ import annotations

import datetime
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic import Field

from api.responses import (
    DistributionStatementPublic,
    PublishedSheet,
    SheetDraftPublic,
    SheetVersionPublic,
    StatementPublic,
)
from api.routes.entities import PROBLEMS, described
from api.schemas import Day, LongText, PeriodText, PositionQuery, Strict, Text
from audit import chain, verify
from documents import publishing
from documents.commands import PublishSheet
from documents.distribution_statement import distribution_statement
from documents.statements import KINDS, statement
from domain.bounds import PERIOD_PATTERN
from domain.periods import Period, parse_period
from web.deps import Reader, ReaderDep, WriterDep
from web.problems import Problem

router = APIRouter(prefix="/v1", tags=["statements and disclosure"])

PeriodQuery = Annotated[
    str,
    Query(
        description="2025 (year), 2025-Q1 (quarter) or 2025-03 (month), 1950 to 2100",
        examples=["2025"],
        pattern=PERIOD_PATTERN,
    ),
]


def _period(text: str) -> Period:
    """The period of a query or body: ``2025``, ``2025-Q1`` or ``2025-03``, else a 422
    ``invalid-period`` problem (domain.periods.parse_period is the one parser)."""
    return parse_period(text)


@router.get(
    "/entities/{code}/statements/{kind}",
    responses=described(StatementPublic),
    summary="A statement for a period: trial-balance, balance-sheet, income, general-ledger, "
    "account-detail",
)
def get_statement(
    code: str,
    kind: str,
    reader: ReaderDep,
    period: PeriodQuery,
    account: Annotated[str | None, Query(description="for account-detail, e.g. 102")] = None,
    as_of_position_q: Annotated[int | None, PositionQuery] = None,
    as_of: Annotated[
        datetime.datetime | None,
        Query(description="as the books stood at this moment (ISO date and time)"),
    ] = None,
) -> dict[str, Any]:
    if kind not in KINDS:
        raise Problem(
            404,
            "statement-not-found",
            f"statement {kind!r} is not known; use one of {', '.join(KINDS)}",
        )
    reader.runtime.app.get_books(code)
    position = as_of_position(reader, as_of_position_q, as_of)
    if position is None:
        with reader.engine.connect() as conn:  # the replica when LIANZHANG_READ_URL is set
            return statement(conn, code, kind, _period(period), account)
    with verify.as_of(reader.runtime, position) as engine, engine.connect() as conn:
        return {**statement(conn, code, kind, _period(period), account), "as_of": chain.head(conn)}


def as_of_position(
    reader: Any, position: int | None, moment: datetime.datetime | None
) -> int | None:
    """The log position a statement is asked for: given, or the last one recorded by
    ``moment``; None for now."""
    if position is not None:
        return position
    if moment is not None:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        with reader.runtime.engine.connect() as conn:
            return chain.position_at(conn, moment)
    return None


@router.get(
    "/plans/{code}/statement",
    responses=described(DistributionStatementPublic),
    summary="The distribution statement of a plan (收益分配明细表)",
)
def get_distribution_statement(code: str, reader: ReaderDep) -> dict[str, Any]:
    with reader.engine.connect() as conn:  # the replica when LIANZHANG_READ_URL is set
        found = distribution_statement(conn, code)
    if found is None:
        raise Problem(404, "plan-not-found", f"distribution plan {code} does not exist")
    return found


class SheetPublish(Strict):
    period: PeriodText
    checked_by: list[Text] = Field(
        max_length=20, description="members of the 民主理财小组 who checked it"
    )
    checked_on: Day
    opinion: LongText = ""
    reason: LongText = Field(
        default="", description="why a correction is published (needed from version 2 on)"
    )


def _sheet_urls(village: str, period: str, version: int) -> dict[str, str]:
    base = f"/public/sheets/{village}/{period}/v{version}"
    return {"html": base, "pdf": f"{base}.pdf", "xlsx": f"{base}.xlsx"}


def _publish(code: str, body: SheetPublish, cmd: WriterDep, *, joint: bool) -> JSONResponse:
    """Publish the sheet of a village or (``joint``) of a joint entity."""
    _period(body.period)
    command = PublishSheet(
        cmd.runtime,
        village=code,
        period=body.period,
        checked_by=tuple(body.checked_by),
        checked_on=body.checked_on,
        opinion=body.opinion,
        reason=body.reason,
        joint=joint,
    )

    def read(version: dict[str, Any]) -> tuple[dict[str, Any], str]:
        found = publishing.published(cmd.runtime, code, body.period, version["version"])
        assert found is not None
        urls = _sheet_urls(code, body.period, found["version"])
        meta = {
            k: found[k]
            for k in ("village_code", "period", "version", "digest", "replaces", "checked_on")
        }
        return {**meta, "urls": urls}, urls["html"]

    return cmd.run(command, read)


@router.post(
    "/villages/{village}/disclosures",
    status_code=201,
    response_model=SheetVersionPublic,
    responses=PROBLEMS,
    summary="Publish the village's disclosure sheet for a period (immutable version)",
)
def publish(village: str, body: SheetPublish, cmd: WriterDep) -> JSONResponse:
    return _publish(village, body, cmd, joint=False)


@router.post(
    "/joint-entities/{joint}/disclosures",
    status_code=201,
    response_model=SheetVersionPublic,
    responses=PROBLEMS,
    summary="Publish the joint entity's disclosure sheet for a period (immutable version)",
    description="The joint entity (联合社) handles the alliance's money, so it has its own "
    "public sheet: income and expenditure item by item, capital received by fund programme, "
    "its distributions to villages. `village_code` in the answer holds the joint entity's "
    "code (the field name of the stored sheet).",
)
def publish_joint(joint: str, body: SheetPublish, cmd: WriterDep) -> JSONResponse:
    return _publish(joint, body, cmd, joint=True)


@router.get(
    "/joint-entities/{joint}/disclosures",
    responses=described(list[PublishedSheet]),
    summary="The joint entity's published sheets",
)
def list_joint_disclosures(joint: str, reader: ReaderDep) -> list[dict[str, Any]]:
    reader.runtime.app.get_joint(joint)
    return list_disclosures(joint, reader)


@router.get(
    "/villages/{village}/disclosures",
    responses=described(list[PublishedSheet]),
)
def list_disclosures(village: str, reader: ReaderDep) -> list[dict[str, Any]]:
    return [
        {**row, "urls": _sheet_urls(village, row["period"], row["version"])}
        for row in publishing.list_published(reader.runtime, village)
    ]


@router.get(
    "/villages/{village}/disclosures/{period}/draft",
    responses=described(SheetDraftPublic),
    summary="What the sheet would contain if published now (nothing is written)",
)
def draft(village: str, period: str, reader: ReaderDep) -> Response:
    reader.runtime.app.get_village(village)
    return _draft(village, period, reader)


@router.get(
    "/joint-entities/{joint}/disclosures/{period}/draft",
    responses=described(SheetDraftPublic),
    summary="What the joint entity's sheet would contain if published now (nothing is written)",
)
def draft_joint(joint: str, period: str, reader: ReaderDep) -> Response:
    reader.runtime.app.get_joint(joint)
    return _draft(joint, period, reader)


def _draft(village: str, period: str, reader: Reader) -> Response:
    """The content of ``village``'s (a village's or a joint entity's) sheet if published now."""
    _period(period)
    content = publishing.draft_sheet(
        reader.runtime,
        village,
        period,
        checked_by=[],
        checked_on=reader.runtime.app.today(),
        opinion="",
    )
    # The content is plain JSON already (strings, numbers, lists): serialised as JSONResponse
    # would, byte for byte, without FastAPI's encoder walking every line of a large village.
    body = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return Response(body.encode("utf-8"), media_type="application/json")
