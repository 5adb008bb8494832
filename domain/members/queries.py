"""What a distribution plan asks of a member register, whichever shape holds it (the legacy
``MemberRegister`` aggregate, or a bounded register read whole as ``RegisterView``): the share
units in force on a day, and the bases per household. Plain reads over plain data."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any


class RegisterQueries:
    """What a plan asks of a register, over ``share_kinds``, ``households`` (number → head,
    registered_on) and ``members`` (number → household, joined, left, shares as dated
    ``[effective, {kind: units}]``), whichever shape holds them."""

    share_kinds: list[str]
    households: dict[str, dict[str, Any]]
    members: dict[str, dict[str, Any]]

    # -- queries -------------------------------------------------------------------------------

    def shares_on(self, member: str, day: datetime.date) -> dict[str, Decimal]:
        """A member's share units in force on ``day`` (empty when not a member that day)."""
        record = self.members[member]
        iso = day.isoformat()
        if record["joined"] > iso or (record["left"] is not None and record["left"] <= iso):
            return {}
        current: dict[str, str] = {}
        for effective, shares in record["shares"]:
            if effective <= iso:
                current = shares
        return {k: Decimal(v) for k, v in current.items()}

    def household_bases(self, day: datetime.date) -> dict[str, dict[str, Decimal]]:
        """Per household with members on ``day``: units per share kind, and ``shares`` (all
        kinds together) — the bases a household distribution plan divides by."""
        bases: dict[str, dict[str, Decimal]] = {}
        for number in sorted(self.members):
            shares = self.shares_on(number, day)
            if not shares:
                continue
            household = self.members[number]["household"]
            row = bases.setdefault(
                household, {**{k: Decimal(0) for k in self.share_kinds}, "shares": Decimal(0)}
            )
            for kind, units in shares.items():
                row[kind] += units
                row["shares"] += units
        return bases
