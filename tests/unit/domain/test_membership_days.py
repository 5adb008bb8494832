"""Household membership by days (domain.distribution): a household is a member on a day when at
least one of its members is; the days feed docs/rules.md's period_share."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.distribution import household_days, household_parties, period_share_text
from domain.members import MemberRegister
from domain.privacy import PersonalDataVault, with_check_digit

VAULT = PersonalDataVault.in_memory()

D = datetime.date
YEAR = (D(2025, 1, 1), D(2025, 12, 31))


def register(spells: list[tuple[str, datetime.date, datetime.date | None]]) -> MemberRegister:
    r = MemberRegister.open(village="V03", share_kinds=["人口股"], actor="a")
    for household in sorted({h for h, _, _ in spells}):
        r.register_household(
            number=household, head="李建国", registered_on=D(2024, 1, 1), actor="a"
        )
    for i, (household, joined, left) in enumerate(spells):
        number = f"{household}-{i}"
        r.register_member(
            number=number,
            household=household,
            name="李建国",
            id_number=with_check_digit(f"37032219800101{i:03d}"),
            joined_on=joined,
            shares={"人口股": Decimal(1)},
            actor="a",
            vault=VAULT,
        )
        if left is not None:
            r.member_leaves(member=number, left_on=left, reason="迁出", actor="a")
    return r


def test_overlapping_members_count_each_day_once() -> None:
    r = register(
        [
            ("H01", D(2024, 6, 1), D(2025, 3, 1)),  # 1 Jan – 28 Feb: 59 days
            ("H01", D(2025, 2, 1), D(2025, 4, 1)),  # 1 Feb – 31 Mar: adds March, 31 days
            ("H02", D(2024, 1, 1), None),
            ("H03", D(2025, 11, 1), None),  # 61 days
        ]
    )
    days = household_days(r, *YEAR)
    assert days["H01"] == (90, D(2025, 3, 31))
    assert days["H02"] == (365, D(2025, 12, 31))
    assert days["H03"][0] == 61
    parties, partial = household_parties(r, D(2026, 1, 15), YEAR)
    by_code = {p["code"]: p for p in parties}
    assert partial == {"H01": [90, 365], "H03": [61, 365]}
    assert by_code["H01"]["period_share"] == period_share_text(Fraction(90, 365))
    assert by_code["H01"]["bases"]["人口股"] == "0.246575"  # one member on 31 March × 90/365
    assert "period_share" not in by_code["H02"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=-100, max_value=400),
            st.one_of(st.none(), st.integers(min_value=1, max_value=500)),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_household_days_are_the_days_some_member_was_in(
    spells: list[tuple[int, int | None]],
) -> None:
    start = D(2025, 1, 1)
    listed = [
        (
            "H01",
            start + datetime.timedelta(j),
            None if n is None else start + datetime.timedelta(j + n),
        )
        for j, n in spells
    ]
    r = register(listed)
    expected = {
        day
        for offset in range(365)
        if (day := start + datetime.timedelta(offset))
        and any(joined <= day and (left is None or day < left) for _, joined, left in listed)
    }
    found = household_days(r, *YEAR)
    if expected:
        assert found["H01"] == (len(expected), max(expected))
    else:
        assert "H01" not in found
