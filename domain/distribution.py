"""From a plan to its inputs and its postings.

``alliance_parties`` and ``household_parties`` turn the registers into the ``parties`` of a
rule document (docs/rules.md) as of the plan's record date; ``payout_entries`` turns an allocation
into the entries execution posts, for the payer and for every payee with books.

Postings (《农村集体经济组织会计制度》 2023):

- the payer declares the distribution: 借 32201 收益分配-各项分配 for everything it distributes,
  贷 211 应付款 per payee (``211V01`` a village, ``211H01`` a household) and, for each deduction
  that is set aside, its account (公积公益金 → 311, 福利费 → 211FL); a deduction without an
  account (such as a management cost kept by the joint entity) stays undistributed;
- the payer pays: 借 211 per payee, 贷 102 银行存款;
- each village that receives: 借 102 银行存款, 贷 502 投资收益.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from moneyed import Money

from domain.books import JointEntity, VillageCollective
from domain.members.queries import RegisterQueries
from domain.privacy import mask_name
from ledger.money import ZERO, amount_str, money

# Where a deduction of a plan is set aside, by its name; None keeps it undistributed.
DEFAULT_DEDUCTION_ACCOUNTS: dict[str, str | None] = {
    "公积公益金": "311",
    "福利费": "211FL",
}


def plain_decimal(value: Decimal) -> str:
    """A basis value as a decimal string without exponent or needless zeros."""
    text = f"{value.normalize():f}"
    return text if "." not in text else text.rstrip("0").rstrip(".")


def period_share_text(part: Fraction) -> str:
    """A party's part of the period as docs/rules.md's ``period_share``: six places, half-up, never
    0 (a party with at least one day keeps 0.000001)."""
    text = _pro_rata(Decimal(1), part, "0.000001")
    return plain_decimal(max(text, Decimal("0.000001")))


def alliance_parties(
    joint: JointEntity,
    villages: list[VillageCollective],
    as_of: datetime.date,
    membership: dict[str, Fraction] | None = None,
    last_days: dict[str, datetime.date] | None = None,
) -> list[dict[str, Any]]:
    """Member villages with their bases on ``as_of``: capital paid into the joint entity,
    land shares in force (mu × grade), population and households.

    ``membership`` gives, for a village that was a member for only part of the plan's period
    (a late joiner, or one that left during it), the part it was (days as a member / days of
    the period); its bases are taken in that proportion (capital rounded half-up to the fen,
    the others to six places) and the party carries it as ``period_share`` (docs/rules.md), so its
    weight in every tier, equal ones included, counts its days. A village that left is valued
    on ``last_days``, its last day as a member (its capital may have been returned since).
    """
    parties = []
    for v in sorted(villages, key=lambda v: v.code):
        part = (membership or {}).get(v.code, Fraction(1))
        day = (last_days or {}).get(v.code, as_of)
        bases = {
            "capital": joint.capital_of(v.code, day).amount,
            "land": joint.land_basis(v.code, day),
            "population": Decimal(v.population),
            "households": Decimal(v.households),
        }
        if part != 1:
            bases = {
                name: _pro_rata(value, part, "0.01" if name == "capital" else "0.000001")
                for name, value in bases.items()
            }
        party: dict[str, Any] = {
            "code": v.code,
            "name": v.name,
            "bases": {
                "capital": amount_str(money(bases["capital"])),
                **{k: plain_decimal(bases[k]) for k in ("land", "population", "households")},
            },
        }
        if part != 1:
            party["period_share"] = period_share_text(part)
        parties.append(party)
    return parties


def _pro_rata(value: Decimal, part: Fraction, places: str) -> Decimal:
    exact = Fraction(value) * part
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal(places), rounding=ROUND_HALF_UP
    )


def household_days(
    register: RegisterQueries, first: datetime.date, last: datetime.date
) -> dict[str, tuple[int, datetime.date]]:
    """Per household with a member on some day from ``first`` to ``last`` (both included): the
    days on which at least one of its members was a member, and the last such day."""
    spans: dict[str, list[tuple[datetime.date, datetime.date]]] = {}
    for record in register.members.values():
        start = max(first, datetime.date.fromisoformat(record["joined"]))
        end = last
        if record["left"] is not None:
            end = min(last, datetime.date.fromisoformat(record["left"]) - datetime.timedelta(1))
        if end >= start:
            spans.setdefault(record["household"], []).append((start, end))
    out: dict[str, tuple[int, datetime.date]] = {}
    for household, ranges in spans.items():
        days, reach = 0, first - datetime.timedelta(1)
        for start, end in sorted(ranges):
            start = max(start, reach + datetime.timedelta(1))
            if end >= start:
                days += (end - start).days + 1
                reach = end
        out[household] = (days, max(end for _, end in ranges))
    return out


def household_parties(
    register: RegisterQueries,
    as_of: datetime.date,
    period: tuple[datetime.date, datetime.date] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, list[int]]]:
    """Households and their share units (per kind and ``shares``), with the days each was a
    member household when the plan has a ``period`` (first day, last day counted).

    Without a period: the households with members on ``as_of``. With one: every household
    with a member on some day of it; one that was a member household for only part of it (a
    new household, or one whose members all left) carries ``period_share`` = its days / the
    period's days and has its units taken in that proportion (six places), valued on its last
    day as a member household (the others on ``as_of``). The name is the household head's,
    masked (张*明): a plan and everything printed from it carry no full names.

    Returns (parties, days) where ``days`` maps a partial household to [days, period days].
    """
    bases_on: dict[datetime.date, dict[str, dict[str, Decimal]]] = {}

    def household_bases(day: datetime.date) -> dict[str, dict[str, Decimal]]:
        if day not in bases_on:  # once per day, not once per household
            bases_on[day] = register.household_bases(day)
        return bases_on[day]

    if period is None:
        found = {n: (Fraction(1), as_of) for n in household_bases(as_of)}
        partial: dict[str, list[int]] = {}
    else:
        total = (period[1] - period[0]).days + 1
        spans = household_days(register, *period)
        present = household_bases(as_of)
        found = {
            n: (Fraction(d, total), as_of if n in present else day) for n, (d, day) in spans.items()
        }
        partial = {n: [d, total] for n, (d, _) in spans.items() if d != total}
    parties = []
    for number in sorted(found):
        part, day = found[number]
        bases = household_bases(day).get(number, {})
        if not bases:
            continue
        party: dict[str, Any] = {
            "code": number,
            "name": mask_name(register.households[number]["head"]),
            "bases": {
                kind: plain_decimal(units if part == 1 else _pro_rata(units, part, "0.000001"))
                for kind, units in bases.items()
            },
        }
        if part != 1:
            party["period_share"] = period_share_text(part)
        parties.append(party)
    return parties, partial


# Payees per entry when a plan pays more than one entry can hold (ledger.entries.MAX_POSTINGS):
# the declaration and the payment are then posted as batches (第1/6批 …), each balanced.
PAYEES_PER_ENTRY = 900


def payout_entries(
    *,
    plan_code: str,
    title: str,
    result: dict[str, Any],
    deduction_accounts: dict[str, str | None],
) -> tuple[list[tuple[str, list[dict[str, Any]]]], dict[str, Money]]:
    """The payer's entries (memo, postings) and the amount each payee receives: the
    declaration(s) first, then the payment(s). A plan with more payees than one entry holds
    (a village of thousands of households) posts them in batches of ``PAYEES_PER_ENTRY``."""
    lines = {line["code"]: money(line["total"]) for line in result["lines"]}
    paid = {code: amount for code, amount in lines.items() if amount > ZERO}
    set_aside_lines: list[dict[str, Any]] = []
    set_aside = ZERO
    for deduction in result["deductions"]:
        account = deduction_accounts.get(deduction["name"])
        amount = money(deduction["amount"])
        if account is None or amount == ZERO:
            continue
        set_aside += amount
        set_aside_lines.append(
            {"account": account, "side": "credit", "amount": amount, "memo": deduction["name"]}
        )
    payees = sorted(paid.items())
    batches = [
        payees[i : i + PAYEES_PER_ENTRY] for i in range(0, len(payees), PAYEES_PER_ENTRY)
    ] or [[]]

    def memo(kind: str, index: int) -> str:
        text = f"{kind} {plan_code} {title}"
        return text if len(batches) == 1 else f"{text}（第{index}/{len(batches)}批）"

    declarations: list[tuple[str, list[dict[str, Any]]]] = []
    payments: list[tuple[str, list[dict[str, Any]]]] = []
    for index, batch in enumerate(batches, start=1):
        first = index == 1
        declare = list(set_aside_lines) if first else []
        declare += [
            {"account": f"211{code}", "side": "credit", "amount": amount, "memo": code}
            for code, amount in batch
        ]
        batch_paid = sum((amount for _, amount in batch), ZERO)
        total = batch_paid + (set_aside if first else ZERO)
        declare.insert(0, {"account": "32201", "side": "debit", "amount": total, "memo": title})
        if total > ZERO:
            declarations.append((memo("分配", index), declare))
        if batch_paid > ZERO:
            pay = [
                {"account": f"211{code}", "side": "debit", "amount": amount, "memo": code}
                for code, amount in batch
            ]
            pay.append({"account": "102", "side": "credit", "amount": batch_paid, "memo": ""})
            payments.append((memo("支付", index), pay))
    return declarations + payments, paid


def declarations(entries: list[tuple[str, list[dict[str, Any]]]]) -> list[tuple[str, Any]]:
    """The declaration entries among ``payout_entries``' (those debiting 32201)."""
    return [
        e for e in entries if any(p["account"] == "32201" and p["side"] == "debit" for p in e[1])
    ]


def receipt_postings(amount: Money, payer: str) -> list[dict[str, Any]]:
    """A village's receipt of its share: 借 102 银行存款, 贷 502 投资收益."""
    return [
        {"account": "102", "side": "debit", "amount": amount, "memo": ""},
        {"account": "502", "side": "credit", "amount": amount, "memo": f"来自{payer}"},
    ]
