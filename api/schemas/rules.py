"""The rule document (docs/rules.md) in the OpenAPI document: these models only describe it; the
routes take the rule as a JSON object and ``ledger.rules.parse_rule`` checks it as a whole."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictStr

from api.schemas.common import Strict

# -- the rule document (docs/rules.md) in the OpenAPI document -------------------------------------
#
# These models only describe the document in OpenAPI: the routes still take the rule as a JSON
# object (``RuleObject``) and ``ledger.rules.parse_rule`` checks it as a whole, naming every
# problem with its JSON path (422 ``invalid-rule``), as the command line does.

RuleDecimal = Annotated[
    StrictStr,
    Field(
        pattern=r"^[0-9]+(\.[0-9]+)?$",
        examples=["6"],
        description="a plain decimal written as a string (no sign, exponent or spaces)",
    ),
]
RuleAmount = Annotated[
    StrictStr,
    Field(
        pattern=r"^[0-9]{1,13}(\.[0-9]{1,2})?$",
        examples=["186000.00"],
        description="yuan, at most two decimals, ≥ 0, below 10^13",
    ),
]
RuleName = Annotated[StrictStr, Field(min_length=1, examples=["保底收益"])]


class RuleDeduction(Strict):
    """Taken first, in order: ``percent`` of the original amount, half-up to the fen."""

    name: RuleName = Field(examples=["管理费"])
    percent: RuleDecimal = Field(examples=["2"])


class RateTier(Strict):
    """Each party gets ``percent`` of its own ``basis`` value (scaled down when what is left
    is less)."""

    kind: Literal["rate"]
    name: RuleName | None = Field(default=None, description="default 第N档")
    basis: RuleName = Field(examples=["capital"])
    percent: RuleDecimal


class WeightedTier(Strict):
    """Split by Σ weight(b) × basis_b(p) / Σ basis_b; with ``percent`` (not last) it takes
    that share of the distributable amount."""

    kind: Literal["weighted"]
    name: RuleName | None = None
    weights: dict[StrictStr, RuleDecimal] = Field(
        examples=[{"capital": "50", "land": "30", "population": "20"}]
    )
    percent: RuleDecimal | None = None


class ProportionalTier(Strict):
    """A weighted tier with one basis."""

    kind: Literal["proportional"]
    name: RuleName | None = None
    basis: RuleName = Field(examples=["population"])
    percent: RuleDecimal | None = None


class EqualTier(Strict):
    """Equal parts, counting membership (period_share / Σ period_share)."""

    kind: Literal["equal"]
    name: RuleName | None = None
    percent: RuleDecimal | None = None


RuleTier = Annotated[
    RateTier | WeightedTier | ProportionalTier | EqualTier, Field(discriminator="kind")
]


class RuleParty(Strict):
    code: RuleName = Field(examples=["V01"])
    name: RuleName | None = Field(default=None, description="default: the code")
    bases: dict[StrictStr, RuleDecimal] = Field(
        description="every basis a tier reads, ≥ 0 (absent is an error, never a zero)",
        examples=[{"capital": "600000.00", "land": "500", "population": "1200"}],
    )
    period_share: RuleDecimal | None = Field(
        default=None,
        description="the part of the period it was a member, in (0, 1]; default 1",
        examples=["0.712329"],
    )


class RuleTerms(Strict):
    """A distribution rule without its amount and parties (a plan fills them in from its
    registers and amount): deductions, tiers, floors and caps (docs/rules.md)."""

    deductions: list[RuleDeduction] = Field(default_factory=list)
    tiers: list[RuleTier] = Field(
        min_length=1, description="applied in order; the last takes the rest"
    )
    floors: dict[StrictStr, RuleAmount] = Field(
        default_factory=dict, description="by party code: raised to at least this"
    )
    caps: dict[StrictStr, RuleAmount] = Field(
        default_factory=dict, description="by party code: held to at most this"
    )


class RuleDocument(RuleTerms):
    """A whole rule document (docs/rules.md): what to divide, how, and among whom."""

    amount: RuleAmount
    parties: list[RuleParty] = Field(min_length=1)


class ComparisonDocument(Strict):
    """The amount and parties to compare candidates on (docs/rules.md); its own deductions and
    tiers, when given, are the first candidate."""

    amount: RuleAmount
    parties: list[RuleParty] = Field(min_length=1)
    deductions: list[RuleDeduction] = Field(default_factory=list)
    tiers: list[RuleTier] = Field(default_factory=list)
    floors: dict[StrictStr, RuleAmount] = Field(default_factory=dict)
    caps: dict[StrictStr, RuleAmount] = Field(default_factory=dict)


RULE_MODELS: tuple[type[BaseModel], ...] = (RuleTerms, RuleDocument, ComparisonDocument)
