"""The chart of accounts of 《农村集体经济组织会计制度》 (财会〔2023〕14号, in force 2024-01-01).

The 42 accounts live in one data file, ``chart_2023.csv`` (code, name, category, normal side,
contra), so a correction is made in one place. The codes of the 损益 (income and expense) group
are unconfirmed against the Ministry's own text. The same file holds the two sub-accounts the
2023 system itself prescribes, 32201 各项分配 and 32202 未分配收益 (under 322 收益分配): every
set of books has them.

Sub-accounts are written as a chart code followed by a suffix of ASCII letters or digits:
``32201`` (各项分配), ``113V02`` (内部往来 with village V02), ``141J01`` (long-term investment in
J01). A sub-account inherits its parent's category, normal side and contra flag. Sub-accounts
are one level deep (二级科目 under a 3-digit 一级科目): ``new_sub_account_problem`` says what a
new one must look like; which ones are open is kept by each set of books.
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
from types import MappingProxyType

from ledger.errors import LedgerError, UnknownAccountError

_SUFFIX = re.compile(r"[A-Za-z0-9]+")  # used with fullmatch: "$" would admit a newline
MAX_CODE_LENGTH = 32  # what the API takes as an account code
MAX_NAME_LENGTH = 60
_CODE_HELP = (
    "a valid code is a 3-digit chart code such as 102, or a chart code followed by ASCII letters "
    "or digits such as 32201 or 113V02"
)


class Side(StrEnum):
    """借 (debit) or 贷 (credit). A ``str`` enum: ``Side.DEBIT == "debit"``."""

    DEBIT = "debit"
    CREDIT = "credit"

    @property
    def opposite(self) -> Side:
        """The other side: debit ↔ credit."""
        return Side.CREDIT if self is Side.DEBIT else Side.DEBIT


class Category(StrEnum):
    """The five groups of the chart: 资产, 负债, 所有者权益, 成本, 损益."""

    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    COST = "cost"
    PROFIT_LOSS = "profit_loss"


@dataclass(frozen=True)
class Account:
    """A chart account or a sub-account; ``parent`` is the 3-digit code of a sub-account's base.

    ``contra`` marks the accounts kept on the side opposite to their group (133, 152, 162:
    accumulated depreciation and amortisation, credit balances among the assets).
    """

    code: str
    name: str
    category: Category
    normal_side: Side
    contra: bool = False
    parent: str | None = None


class ChartOfAccounts:
    """The 42 base accounts plus the names given to sub-accounts; immutable.

    ``get`` resolves any sub-account (chart code + ASCII letters/digits) even when it has no
    registered name: it is then named ``f"{parent.name}-{suffix}"``.
    """

    def __init__(
        self,
        accounts: Mapping[str, Account],
        names: Mapping[str, str] | None = None,
        prescribed: Mapping[str, str] | None = None,
    ) -> None:
        self._accounts = dict(sorted(accounts.items()))
        self._prescribed = dict(prescribed or {})
        self._names = dict(names or {})

    @property
    def prescribed(self) -> Mapping[str, str]:
        """The sub-accounts the chart itself prescribes (code → name): 32201 各项分配 and
        32202 未分配收益. Every set of books has them open."""
        return MappingProxyType(self._prescribed)

    @property
    def prescribed_parents(self) -> frozenset[str]:
        """The chart accounts that have prescribed sub-accounts (322)."""
        return frozenset(code[:3] for code in self._prescribed)

    @classmethod
    def standard(cls) -> ChartOfAccounts:
        """The chart of 2023 from ``chart_2023.csv`` (loaded once)."""
        return _standard()

    def parent_of(self, code: str) -> str:
        """The 3-digit chart code an account or sub-account belongs to.

        Raises:
            UnknownAccountError: when ``code`` is neither a chart code nor one with a suffix.
        """
        if not isinstance(code, str):
            raise UnknownAccountError(f"account {code!r} is not a text code; {_CODE_HELP}")
        base = code[:3]
        if base not in self._accounts or (len(code) > 3 and not _SUFFIX.fullmatch(code[3:])):
            raise UnknownAccountError(
                f"account {code!r} is not in the chart of accounts (2023); {_CODE_HELP}",
                zh=f"科目 {code} 不在 2023 年村集体经济组织会计科目表中：请选择表中的科目，"
                "明细科目写成总账科目代码加字母或数字（如 113V02）",
            )
        return base

    def get(self, code: str) -> Account:
        """The account for ``code``; a sub-account inherits category, side and contra flag."""
        base = self.parent_of(code)
        account = self._accounts[base]
        if code == base:
            return account
        name = self._names.get(code) or self._prescribed.get(code) or f"{account.name}-{code[3:]}"
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
        """The base accounts in code order (not the sub-accounts)."""
        return iter(self._accounts.values())

    def __len__(self) -> int:
        return len(self._accounts)

    def __repr__(self) -> str:
        return f"<ChartOfAccounts: {len(self._accounts)} accounts, {len(self._names)} named>"

    @property
    def names(self) -> Mapping[str, str]:
        """The sub-account names registered with :meth:`with_names` (code → name)."""
        return MappingProxyType(self._names)

    def with_names(self, names: Mapping[str, str]) -> ChartOfAccounts:
        """A chart in which the given sub-account codes carry the given names.

        Raises:
            UnknownAccountError: for a code that is not a sub-account of the chart (base
                accounts keep the names of the 2023 chart).
            LedgerError: for a name that is not a non-empty string.
        """
        for code, name in names.items():
            base = self.parent_of(code)
            if code == base:
                raise UnknownAccountError(
                    f"account {code} is a chart account named {self._accounts[base].name}; only "
                    "sub-accounts (chart code + letters or digits, such as 113V02) take new names"
                )
            if not isinstance(name, str) or not name.strip():
                raise LedgerError(
                    f"the name of sub-account {code} is {name!r}; a non-empty text is needed"
                )
        return ChartOfAccounts(self._accounts, {**self._names, **names}, self._prescribed)

    def new_sub_account_problem(self, code: object, parent: object) -> str | None:
        """What is wrong with opening sub-account ``code`` under ``parent`` (None: nothing).

        The rules of the 2023 chart as kept here: the parent is one of the 42 chart accounts
        (sub-accounts are one level deep), the code is the parent's code followed by ASCII
        letters or digits (``211V01``, ``50101``), at most ``MAX_CODE_LENGTH`` characters.
        """
        if not isinstance(parent, str) or parent not in self._accounts:
            return (
                f"parent {parent!r} is not one of the 42 accounts of the chart (2023); a "
                "sub-account is opened under a 3-digit chart account such as 211 or 113"
            )
        if not isinstance(code, str) or not code.startswith(parent) or len(code) == len(parent):
            return (
                f"code {code!r} does not extend its parent {parent}; a sub-account's code is the "
                f"parent's code followed by letters or digits, such as {parent}01 or {parent}V01"
            )
        if not _SUFFIX.fullmatch(code[len(parent) :]):
            return (
                f"code {code!r}: after {parent} only ASCII letters or digits may follow, such as "
                f"{parent}01 or {parent}V01"
            )
        if len(code) > MAX_CODE_LENGTH:
            return f"code {code!r} is longer than {MAX_CODE_LENGTH} characters"
        return None


@cache
def _standard() -> ChartOfAccounts:
    text = files("ledger").joinpath("chart_2023.csv").read_text(encoding="utf-8")
    accounts: dict[str, Account] = {}
    prescribed: dict[str, str] = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        code = row["code"]
        if len(code) > 3 and code[:3] in accounts and _SUFFIX.fullmatch(code[3:]):
            parent = accounts[code[:3]]
            if (row["category"], row["normal_side"]) != (parent.category, parent.normal_side):
                raise LedgerError(
                    f"chart_2023.csv line {line}: sub-account {code} differs from {parent.code}"
                )
            prescribed[code] = row["name"]
            continue
        if not (len(code) == 3 and code.isascii() and code.isdigit()) or code in accounts:
            raise LedgerError(
                f"chart_2023.csv line {line}: code {code!r} is not a new 3-digit code"
            )
        if row["contra"] not in ("yes", "no"):
            raise LedgerError(
                f"chart_2023.csv line {line}: contra is {row['contra']!r}, not yes/no"
            )
        accounts[code] = Account(
            code=code,
            name=row["name"],
            category=Category(row["category"]),
            normal_side=Side(row["normal_side"]),
            contra=row["contra"] == "yes",
        )
    return ChartOfAccounts(accounts, prescribed=prescribed)
