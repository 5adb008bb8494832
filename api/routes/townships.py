"""A township's settings (乡镇设置): how its vouchers are numbered, its 凭证字, whether 审核
posts at once, and who signs its printed vouchers as 会计主管 and 出纳 (``domain.township``).
Read by anyone who reads; changed by its 记账/主管 (``settings.choose``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictBool

from api.schemas.common import Strict
from domain.bounds import ONE_LINE_PATTERN
from domain.township import Choices
from domain.township.commands import ChooseSettings, NameSigners
from web.deps import ReaderDep, WriterDep

router = APIRouter(prefix="/v1/townships", tags=["townships"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no or invalid token"},
    403: {"description": "not allowed"},
    422: {"description": "invalid request"},
}

TownshipPath = Annotated[
    str,
    Path(min_length=1, max_length=64, pattern=ONE_LINE_PATTERN, examples=["城关镇"]),
]


class SettingsChoice(Strict):
    numbering: Literal["monthly", "yearly"] = Field(
        description="monthly: 凭证字 (记/收/付/转) numbered per set of books, month and 凭证字 "
        "(2026-07-J-0003, read 2026年7月 记字第3号), never leaving their month, in the order of "
        "posting within it; yearly: one sequence per set of books and year (YYYY-NNNN). A set of "
        "books with entries in a year keeps that year's numbering until its next year."
    )
    review_posts: StrictBool = Field(
        description="true: 审核即记账 (the reviewer's approval posts the voucher); false: 审核 "
        "and 记账 are two steps by two people"
    )
    words: Literal["single", "split"] | None = Field(
        default=None,
        description="凭证字 under monthly numbering: single: 记 only (通用记账凭证); split: 收 "
        "(101/102 debited), 付 (credited), 转 (neither), chosen from the lines. Left out: as "
        "they are.",
    )
    bank_reconciled_to_close: StrictBool | None = Field(
        default=None,
        description="true: 结账 of a month is refused while a bank account of the books is not "
        "reconciled for it (its 银行存款余额调节表 not confirmed); false: 结账 only warns. Left "
        "out: as it is.",
    )


class SignersChoice(Strict):
    supervisor: str = Field(
        default="", max_length=32, pattern=ONE_LINE_PATTERN, description="会计主管, by name"
    )
    cashiers: dict[
        Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")],
        Annotated[str, Field(max_length=32, pattern=ONE_LINE_PATTERN)],
    ] = Field(
        default_factory=dict,
        max_length=1000,
        description="出纳 of each set of books of the township: entity code → name (a blank "
        "name: none); books not named here have none",
    )


class SettingsPublic(BaseModel):
    township: str
    numbering: Literal["monthly", "yearly"]
    numbering_label: str
    review_posts: bool
    review_label: str
    words: Literal["single", "split"]
    words_label: str
    supervisor: str = Field(description="会计主管, printed on every voucher ('' none named)")
    cashiers: dict[str, str] = Field(description="出纳 of each set of books named (code → name)")
    bank_reconciled_to_close: bool = Field(
        default=False, description="结账 waits for the bank accounts to be reconciled"
    )
    bank_label: str = ""


def settings_body(township: str, choices: Choices) -> dict[str, Any]:
    return SettingsPublic(
        township=township,
        numbering=choices.numbering,  # type: ignore[arg-type]
        numbering_label=choices.numbering_label,
        review_posts=choices.review_posts,
        review_label=choices.review_label,
        words=choices.words,  # type: ignore[arg-type]
        words_label=choices.words_label,
        supervisor=choices.supervisor,
        cashiers=dict(choices.cashiers),
        bank_reconciled_to_close=choices.bank_reconciled_to_close,
        bank_label=choices.bank_label,
    ).model_dump(mode="json")


@router.get("/{township}/settings", response_model=SettingsPublic, responses=PROBLEMS)
def get_settings(township: TownshipPath, reader: ReaderDep) -> dict[str, Any]:
    """The township's settings (the defaults where it never chose)."""
    return settings_body(township, reader.runtime.app.township.choices(township))


@router.post(
    "/{township}/settings", status_code=200, response_model=SettingsPublic, responses=PROBLEMS
)
def choose_settings(township: TownshipPath, body: SettingsChoice, cmd: WriterDep) -> JSONResponse:
    """Choose the township's voucher numbering and review practice (recorded, with who chose)."""
    command = ChooseSettings(
        township=township,
        numbering=body.numbering,
        review_posts=body.review_posts,
        words=body.words,
        bank_reconciled_to_close=body.bank_reconciled_to_close,
    )
    return cmd.run(
        command,
        lambda choices: (
            settings_body(township, choices),
            f"/v1/townships/{quote(township, safe='')}/settings",
        ),
        status=200,
    )


@router.post(
    "/{township}/signers", status_code=200, response_model=SettingsPublic, responses=PROBLEMS
)
def name_signers(township: TownshipPath, body: SignersChoice, cmd: WriterDep) -> JSONResponse:
    """Name who signs the township's printed vouchers as 会计主管 and, per set of books, 出纳
    (recorded, with who named them); 记账, 审核 and 制单 are the workflow's people."""
    command = NameSigners(
        township=township,
        supervisor=body.supervisor,
        cashiers=tuple(sorted(body.cashiers.items())),
    )
    return cmd.run(
        command,
        lambda choices: (
            settings_body(township, choices),
            f"/v1/townships/{quote(township, safe='')}/settings",
        ),
        status=200,
    )


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS: tuple[str, ...] = ()
DUTIES = {
    ("POST", "/v1/townships/{township}/settings"): "settings.choose",
    ("POST", "/v1/townships/{township}/signers"): "settings.choose",
}
