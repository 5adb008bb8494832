"""Bodies of distribution plans: drafting one (its rule as a JSON object checked by
``ledger.rules``), its steps (四议两公开) and its execution."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictStr, WithJsonSchema

from api.schemas.common import (
    Account,
    Amount,
    Code,
    Day,
    LongText,
    MultiLineText,
    OptionalText,
    People,
    Strict,
    Text,
)


def rule_object(name: str) -> Any:
    """A JSON object checked by ``ledger.rules`` as a whole (never by a model here: its
    errors name every JSON path), shown in the OpenAPI document as the component ``name``
    (one of ``RULE_MODELS`` below, added by ``api.openapi``)."""
    shown = {"allOf": [{"$ref": f"#/components/schemas/{name}"}]}
    return Annotated[dict[str, Any], WithJsonSchema(shown)]


RuleTermsObject = rule_object("RuleTerms")
RuleDocumentObject = rule_object("RuleDocument")
ComparisonDocumentObject = rule_object("ComparisonDocument")


class PlanScope(Strict):
    kind: Literal["alliance", "village"]
    code: Code


class PlanCreate(Strict):
    code: Code
    title: Text
    scope: PlanScope
    period: Annotated[
        StrictStr,
        Field(min_length=4, max_length=16, pattern=r"^[0-9A-Za-z-]+$", examples=["2025"]),
    ]
    as_of: Day
    amount: Amount
    rule: RuleTermsObject = Field(
        description="deductions, tiers, floors and caps of docs/rules.md; parties and amount are "
        "filled in by the plan"
    )
    deduction_accounts: dict[Text, Account | None] = Field(default_factory=dict, max_length=20)
    supersedes: Code | None = None


class StepCreate(Strict):
    step: Literal["提议", "商议", "审议", "决议", "决议公开", "实施结果公开"]
    date: Day
    body: MultiLineText
    place: OptionalText = ""
    expected: People | None = None
    present: People | None = None
    votes_for: People | None = None
    votes_against: People | None = None
    abstentions: People | None = None
    assembly: Literal["villagers", "representatives"] | None = None
    merged: bool = False
    note: LongText = ""
    adult_villagers: People | None = Field(
        default=None,
        description="决议 by a villagers' assembly: 本村十八周岁以上村民数 (the quorum is more "
        "than half of them present)",
    )
    households: People | None = Field(
        default=None, description="决议 by a villagers' assembly: 本村户数"
    )
    households_present: People | None = Field(
        default=None,
        description="决议 by a villagers' assembly: households represented (the quorum is two "
        "thirds of the households)",
    )


class ExecutionRequestCreate(Strict):
    date: Day = Field(description="the day the payouts are to be dated (执行日期)")


class ExecutionRequestCancel(Strict):
    reason: Text = Field(description="why the request is withdrawn or refused")


class ExecutionCreate(Strict):
    date: Day
    acknowledge_paid_villages: bool = Field(
        default=False,
        description="a correction of an alliance plan whose villages have since paid their "
        "households: true to correct it all the same (their own plans are not changed)",
    )
