"""Statements for staff and auditors (JSON), and publishing disclosure sheets."""

from __future__ import annotations

import datetime
from typing import Annotated, Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

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
from documents.distribution_statement import distribution_statement
from documents.statement_summary import statement_summary, summary_units
from documents.statements import KINDS, statement
from domain.books import JointEntity, VillageCollective
from domain.bounds import PERIOD_PATTERN
from domain.disclosure.commands import PublishSheet
from domain.periods import Period, parse_period
from rendering.summary_workbook import summary_workbook
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
    description="balance-sheet and income are in the 2023 formats: the balance sheet's "
    "`form` has every row with its 行次 (`row`), the 流动/非流动 subtotals and 固定资产 原值, "
    "累计折旧 and 净值; the income statement's `lines` carry their 行次 (`row`) and `kind`, "
    "with 收益总额 before 所得税费用 and 其他转入 before 可分配收益. Both have `notes` (附注) "
    "and `signatures` (the lines signed on paper).",
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
    reader.runtime.app.require_books(code)
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


class SummaryUnit(BaseModel):
    code: str
    name: str
    township: str


class StatementSummaryPublic(BaseModel):
    """The 汇总 of a township's or county's villages' statements, by 行次."""

    scope: dict[str, str]
    period: str
    label: str
    start: datetime.date
    end: datetime.date
    units: list[SummaryUnit]
    assets: list[dict[str, Any]] = Field(
        description="rows: row (行次), line, kind, amount, year_start, units {code: amount}"
    )
    claims: list[dict[str, Any]] = Field(description="liabilities and equity, as assets")
    income: list[dict[str, Any]] = Field(description="the 收益及收益分配表's rows, as assets")
    checks: list[dict[str, Any]]
    unbalanced_units: list[str]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _summary(reader: Reader, period: str, township: str, county: str) -> dict[str, Any]:
    found = _period(period)
    if bool(township) == bool(county):
        raise Problem(
            422,
            "invalid",
            "name either a township or a county (township=唐坊镇 or county=高青县)",
            field="township",
            zh="请只填写一个汇总范围：乡镇（township=唐坊镇）或县（county=高青县）",
        )
    scope = {"township": township} if township else {"county": county}
    with reader.engine.connect() as conn:  # the replica when LIANZHANG_READ_URL is set
        units = summary_units(conn, township=township, county=county)
        if not units:
            where = township or county
            raise Problem(
                404,
                "not-found",
                f"{where} has no villages to add up",
                zh=f"{where}没有可汇总的村集体，请检查乡镇或县的名称",
            )
        return statement_summary(conn, units, found, scope=scope)


ScopeQuery = Annotated[str, Query(max_length=100, description="the township (乡镇) to add up")]
CountyQuery = Annotated[str, Query(max_length=100, description="or the county (县) to add up")]


@router.get(
    "/statement-summaries",
    responses=described(StatementSummaryPublic),
    summary="汇总: a township's or county's villages' balance sheets and income statements, "
    "added up by 行次",
)
def get_statement_summary(
    reader: ReaderDep, period: PeriodQuery, township: ScopeQuery = "", county: CountyQuery = ""
) -> dict[str, Any]:
    return _summary(reader, period, township, county)


@router.get(
    "/statement-summaries.xlsx",
    response_class=Response,
    responses={
        **PROBLEMS,
        200: {
            "description": "the 汇总 as a workbook: one sheet per statement, a column per village",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        },
    },
    summary="汇总 as XLSX (资产负债表汇总, 收益及收益分配表汇总, 汇总单位)",
)
def get_statement_summary_xlsx(
    reader: ReaderDep, period: PeriodQuery, township: ScopeQuery = "", county: CountyQuery = ""
) -> Response:
    found = _summary(reader, period, township, county)
    name = f"{township or county}-报表汇总-{found['period']}.xlsx"
    return Response(
        summary_workbook(found),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


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


def _publish(code: str, body: SheetPublish, cmd: WriterDep, kind: str) -> JSONResponse:
    """Publish the sheet of a village or joint entity (``kind`` says which ``code`` must be)."""
    _period(body.period)
    command = PublishSheet(
        code=code,
        period=body.period,
        checked_by=tuple(body.checked_by),
        checked_on=body.checked_on,
        opinion=body.opinion,
        reason=body.reason,
        sheets=publishing.SheetMaker(cmd.runtime),
        kind=kind,
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
    return _publish(village, body, cmd, "village")


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
    return _publish(joint, body, cmd, "joint entity")


@router.get(
    "/joint-entities/{joint}/disclosures",
    responses=described(list[PublishedSheet]),
    summary="The joint entity's published sheets",
)
def list_joint_disclosures(joint: str, reader: ReaderDep) -> list[dict[str, Any]]:
    reader.runtime.app.require_books(joint, JointEntity)
    return list_disclosures(joint, reader)


@router.get(
    "/villages/{village}/disclosures",
    responses=described(list[PublishedSheet]),
)
def list_disclosures(village: str, reader: ReaderDep) -> list[dict[str, Any]]:
    return [
        PublishedSheet.model_validate(
            {**row, "urls": _sheet_urls(village, row["period"], row["version"])}
        ).model_dump(mode="json")
        for row in publishing.list_published(reader.runtime, village)
    ]


@router.get(
    "/villages/{village}/disclosures/{period}/draft",
    responses=described(SheetDraftPublic),
    summary="What the sheet would contain if published now (nothing is written)",
)
def draft(village: str, period: str, reader: ReaderDep) -> Response:
    reader.runtime.app.require_books(village, VillageCollective)
    return _draft(village, period, reader)


@router.get(
    "/joint-entities/{joint}/disclosures/{period}/draft",
    responses=described(SheetDraftPublic),
    summary="What the joint entity's sheet would contain if published now (nothing is written)",
)
def draft_joint(joint: str, period: str, reader: ReaderDep) -> Response:
    reader.runtime.app.require_books(joint, JointEntity)
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
    # The content is plain JSON already (strings, whole numbers, lists): serialised as
    # JSONResponse would, byte for byte (compact, UTF-8), by orjson, without FastAPI's encoder
    # walking every line of a large village (5,000 households' lines: 0.4 ms, not 30)
    body = orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
    return Response(body, media_type="application/json")


# What this router's paths read (web.views) and the duties of its writes (web.duties): the
# balance sheet's 资产核对表 reads the cards and projects, a sheet's 三资 parts (资产清单, 联建项目,
# 各类资源, 经济合同) the assets and resources read models too
READ_MODELS = ("ledger", "economy")
_SHEETS = ("ledger", "economy", "assets", "resources")
READ_MODELS_OF_PATHS = {
    "/v1/entities/{code}/statements/{kind}": ("ledger", "economy", "assets"),
    "/v1/villages/{village}/disclosures": _SHEETS,
    "/v1/joint-entities/{joint}/disclosures": _SHEETS,
    "/v1/villages/{village}/disclosures/{period}/draft": _SHEETS,
    "/v1/joint-entities/{joint}/disclosures/{period}/draft": _SHEETS,
}
DUTIES = {
    ("POST", "/v1/villages/{village}/disclosures"): "sheet.publish",
    ("POST", "/v1/joint-entities/{joint}/disclosures"): "sheet.publish",
}
