"""The chart of accounts of 《农村集体经济组织会计制度》 (财会〔2023〕14号, in force 2024-01-01).

The 42 accounts live in one data file, ``chart_2023.csv`` (code, name, category, normal side,
contra), so a correction is made in one place. The codes of the 损益 (income and expense) group
are unconfirmed against the Ministry's own text.

Sub-accounts are written as a chart code followed by a suffix of ASCII letters or digits:
``32201`` (各项分配), ``113V02`` (内部往来 with village V02), ``141J01`` (long-term investment in
J01). A sub-account inherits its parent's category, normal side and contra flag.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache
from importlib.resources import files

from ledger.errors import UnknownAccountError

_SUFFIX = re.compile(r"^[A-Za-z0-9]+$")


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"

    @property
    def opposite(self) -> Side:
        return Side.CREDIT if self is Side.DEBIT else Side.DEBIT


class Category(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    COST = "cost"
    PROFIT_LOSS = "profit_loss"


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    category: Category
    normal_side: Side
    contra: bool = False
    parent: str | None = None


class ChartOfAccounts:
    """The base accounts and any named sub-accounts; ``get`` resolves sub-accounts."""

    def __init__(self, accounts: Mapping[str, Account], names: Mapping[str, str] | None = None):
        self._accounts = dict(sorted(accounts.items()))
        self._names = dict(names or {})

    @classmethod
    def standard(cls) -> ChartOfAccounts:
        return _standard()

    def parent_of(self, code: str) -> str:
        """The 3-digit chart code an account or sub-account belongs to."""
        base = code[:3]
        if base not in self._accounts or (len(code) > 3 and not _SUFFIX.match(code[3:])):
            raise UnknownAccountError(
                f"account {code!r} is not in the chart of accounts (2023); use a 3-digit chart "
                "code such as 102, or a chart code followed by letters or digits such as 113V02"
            )
        return base

    def get(self, code: str) -> Account:
        if not isinstance(code, str):
            raise UnknownAccountError(f"account {code!r} is not an account code")
        base = self.parent_of(code)
        account = self._accounts[base]
        if code == base:
            return account
        name = self._names.get(code, f"{account.name}-{code[3:]}")
        return replace(account, code=code, name=name, parent=base)

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        try:
            self.parent_of(code)
        except UnknownAccountError:
            return False
        return True

    def __iter__(self) -> Iterator[Account]:
        return iter(self._accounts.values())

    def __len__(self) -> int:
        return len(self._accounts)

    def with_names(self, names: Mapping[str, str]) -> ChartOfAccounts:
        """A chart in which the given sub-account codes carry the given names."""
        for code in names:
            self.parent_of(code)
        return ChartOfAccounts(self._accounts, {**self._names, **names})


@cache
def _standard() -> ChartOfAccounts:
    text = files("ledger").joinpath("chart_2023.csv").read_text(encoding="utf-8")
    accounts = {
        row["code"]: Account(
            code=row["code"],
            name=row["name"],
            category=Category(row["category"]),
            normal_side=Side(row["normal_side"]),
            contra=row["contra"] == "yes",
        )
        for row in csv.DictReader(io.StringIO(text))
    }
    return ChartOfAccounts(accounts)
