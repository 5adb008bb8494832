"""The chart of accounts of one set of books: which sub-accounts are open, and the guards that
keep a clerk from posting to a typo.

Rules (《农村集体经济组织会计制度》 2023, as this system keeps them):

- the 42 chart accounts are always there; so are the two sub-accounts the chart prescribes,
  32201 各项分配 and 32202 未分配收益;
- any other sub-account (二级科目: the chart code and a suffix of letters or digits, one level
  deep) is opened before it is used: by a clerk (``POST /v1/entities/{code}/accounts``), or by
  the operation that needs it, in the same save, named after the counterparty (301V01
  资本-仉家村, 211H03 应付款-张*明（H03）);
- 321 本年收益 takes no sub-accounts and 322 收益分配 only its two prescribed ones: 年终结转
  posts to them;
- an entry (or opening balance) may not post to a sub-account that is not open, nor to a chart
  account that has open sub-accounts: the clerk is told which sub-accounts there are;
- books written before this rule existed used sub-accounts without opening them: every
  sub-account that holds a balance counts as open (its entries replay as they were), named as
  the chart names an unnamed sub-account (应付款-V01);
- a sub-account a clerk opens says what it is kept for (``KINDS``: a household, a unit or a
  project); any opened or used sub-account may be renamed (never a chart account, nor the
  chart's prescribed two); one never posted to (no entry, no opening balance) may be retired
  (停用): it is no longer open, and its parent takes postings again when it was the last one.
  A retired code may be opened again later.

A balance posted to a chart account before its first sub-account was opened stays on that
account; since the account then takes no new postings, the way to move it is to reverse the
entries that made it (red ink is always allowed) and post them again to a sub-account.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from domain.errors import AlreadyExistsError, ConflictError, InvalidRequestError, NotFoundError
from ledger.accounts import MAX_NAME_LENGTH, ChartOfAccounts
from ledger.entries import Posting


class Books(Protocol):
    """What these rules read of a set of books (``domain.books.Books``), without importing it:
    the aggregate imports this module."""

    @property
    def code(self) -> str: ...
    @property
    def chart(self) -> ChartOfAccounts: ...
    @property
    def balances(self) -> dict[str, int]: ...
    def has_sub_accounts(self, parent: str) -> bool: ...
    def ensure_account(self, code: str, name: str, *, actor: str, source: str) -> None: ...


# Chart accounts under which no sub-account may be opened (beyond those the chart prescribes).
CLOSED_PARENTS = {
    "321": "321 本年收益 takes no sub-accounts: 年终结转 closes the income accounts into it",
    "322": "322 收益分配 has the chart's two sub-accounts, 32201 各项分配 and 32202 未分配收益",
}
SHOWN = 6  # sub-accounts listed in a refusal before "…"

# What a sub-account a clerk opens is kept for (辅助核算的对象), with its Chinese label.
KINDS = {"household": "农户", "unit": "单位", "project": "项目"}
# Where the workbench opens, renames and retires sub-accounts, as a clerk's message names it.
CHART_PAGE_ZH = "工作台的「科目」页"


class AccountNotOpenError(InvalidRequestError):
    """An entry posts to a sub-account that is not open, or to a chart account that has
    sub-accounts."""

    kind = "account-not-open"


def open_sub_accounts(books: Books) -> dict[str, str]:
    """Every sub-account open in ``books``, code → name, in code order: the chart's prescribed
    ones, those opened (by a clerk or an operation), and those an older entry already used."""
    chart = books.chart
    names = dict(chart.prescribed)
    for code in books.balances:
        if len(code) > 3:
            names.setdefault(code, chart.get(code).name)
    names.update(books.__dict__.get("account_names", {}))
    return dict(sorted(names.items()))


def is_open(books: Books, code: str) -> bool:
    """Whether ``code`` may be posted to as far as opening goes (a chart account always is;
    a sub-account once opened, prescribed or already used), without listing every account."""
    return (
        len(code) <= 3
        or code in books.chart.prescribed
        or code in books.__dict__.get("account_names", {})
        or code in books.balances
    )


# Sources of entries whose accounts a clerk chose: these are never opened for them.
CLERK_SOURCES = (None, "receipt", "payment")


def open_for_operation(
    books: Books, rows: Iterable[Mapping[str, object]], *, source: str | None, actor: str
) -> None:
    """An operation's entry (``source`` such as ``plan:P1``) opens, in the same save, the
    sub-accounts it posts to that are not open yet. The operation names them first where it
    knows the counterparty (``ensure_account``); any left are named as the chart names an
    unnamed sub-account (应付款-H01). A clerk's entry (no source, or a receipt or payment through
    102 to an account the clerk chose) opens nothing."""
    if source in CLERK_SOURCES:
        return
    for row in rows:
        code = row.get("account")
        if isinstance(code, str) and code in books.chart and not is_open(books, code):
            books.ensure_account(code, books.chart.get(code).name, actor=actor, source=source)


def children(open_accounts: dict[str, str], parent: str) -> list[str]:
    return [code for code in open_accounts if code[:3] == parent and len(code) > 3]


def _listing(open_accounts: dict[str, str], codes: list[str]) -> str:
    shown = [f"{c} {open_accounts[c]}" for c in codes[:SHOWN]]
    return ", ".join(shown) + (f" and {len(codes) - SHOWN} more" if len(codes) > SHOWN else "")


def _listing_zh(open_accounts: dict[str, str], codes: list[str]) -> str:
    shown = [f"{c} {open_accounts[c]}" for c in codes[:SHOWN]]
    return "、".join(shown) + (f" 等 {len(codes)} 个" if len(codes) > SHOWN else "")


def check_postings_open(
    books: Books, postings: Iterable[Posting], *, field_prefix: str = "postings"
) -> None:
    """Refuse a posting to a sub-account that is not open or to a chart account that has
    sub-accounts (422, naming the account and what to do instead)."""
    postings = list(postings)
    if all(
        is_open(books, p.account) if len(p.account) > 3 else not books.has_sub_accounts(p.account)
        for p in postings
    ):
        return  # the usual case, without naming and sorting every account
    accounts = open_sub_accounts(books)
    chart = books.chart
    for index, posting in enumerate(postings):
        code = posting.account
        field = f"{field_prefix}[{index}].account"
        parent = chart.parent_of(code)
        name = chart.get(parent).name
        if len(code) > 3 and code not in accounts:
            siblings = children(accounts, parent)
            known = (
                f"; the open sub-accounts of {parent} {name} are {_listing(accounts, siblings)}"
                if siblings
                else ""
            )
            known_zh = f"；{parent} {name} 已开设的明细科目有 {_listing_zh(accounts, siblings)}"
            raise AccountNotOpenError(
                f"account {code} is not open in the books of {books.code}{known}; open it first "
                f"(POST /v1/entities/{books.code}/accounts with code {code}, a name and parent "
                f"{parent}) or post to an open one",
                field=field,
                zh=f"科目 {code} 在 {books.code} 的账簿中尚未开设：请先到{CHART_PAGE_ZH}开设"
                f"（上级科目 {parent} {name}），或改用已开设的科目"
                + (known_zh if siblings else ""),
            )
        if len(code) == 3:
            subs = children(accounts, code)
            if subs:
                raise AccountNotOpenError(
                    f"account {code} {name} has sub-accounts in the books of {books.code} "
                    f"({_listing(accounts, subs)}); post to one of them, or open a new one "
                    f"under {code}",
                    field=field,
                    zh=f"科目 {code} {name} 在 {books.code} 已有明细科目"
                    f"（{_listing_zh(accounts, subs)}）：请记到其中一个明细科目，或到"
                    f"{CHART_PAGE_ZH}在 {code} 下新开一个",
                )


def _new_code_zh(books: Books, code: str, parent: str) -> str:
    """``new_sub_account_problem`` in Chinese."""
    if parent not in books.chart:
        return f"上级科目 {parent} 不是 2023 年科目表的 42 个一级科目之一：请选择一个三位的一级科目"
    if not code.startswith(parent) or len(code) == len(parent):
        return f"明细科目编码 {code} 应以上级科目 {parent} 开头，后接字母或数字，如 {parent}H01"
    return (
        f"明细科目编码 {code} 在 {parent} 之后只能是英文字母或数字（最多 32 位），"
        f"如 {parent}H01、{parent}V01"
    )


def _checked_name(books: Books, code: str, name: object, parent: str) -> str:
    """The name given to ``code``, stripped; refused when empty, too long or taken by another
    sub-account of the same parent."""
    example = f"{books.chart.get(parent).name}-仉家村"
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME_LENGTH:
        raise InvalidRequestError(
            f"sub-account {code} needs a name of 1 to {MAX_NAME_LENGTH} characters, such as "
            f"{example}",
            field="name",
            zh=f"请为明细科目 {code} 写一个名称（1 到 {MAX_NAME_LENGTH} 个字），如 {example}",
        )
    accounts = open_sub_accounts(books)
    for other in children(accounts, parent):
        if other != code and accounts[other] == name.strip():
            raise AlreadyExistsError(
                f"{other} in the books of {books.code} is already named {name.strip()}; give "
                f"{code} another name",
                field="name",
                zh=f"{books.code} 的明细科目 {other} 已叫“{name.strip()}”："
                f"请给 {code} 另起一个名称",
            )
    return name.strip()


def refuse_new_sub_account(
    books: Books, *, code: str, name: str, parent: str, kind: str | None = None
) -> None:
    """What a clerk may open: a new code under a chart account, with a name (and, when
    given, one of ``KINDS``)."""
    problem = books.chart.new_sub_account_problem(code, parent)
    if problem is not None:
        field = "parent" if problem.startswith("parent") else "code"
        raise InvalidRequestError(problem, field=field, zh=_new_code_zh(books, code, parent))
    if parent in CLOSED_PARENTS:
        raise InvalidRequestError(
            f"{CLOSED_PARENTS[parent]}; open no other sub-account under {parent}",
            field="parent",
            zh=f"{parent} {books.chart.get(parent).name} 下不能另开明细科目"
            + (
                "（年终结转记入本科目）"
                if parent == "321"
                else "（只有 32201 各项分配和 32202 未分配收益）"
            ),
        )
    if kind is not None and kind not in KINDS:
        raise InvalidRequestError(
            f"kind {kind!r} is not one of {', '.join(KINDS)}",
            field="kind",
            zh=f"明细科目的类别请选{'、'.join(KINDS.values())}之一",
        )
    accounts = open_sub_accounts(books)
    if code in accounts:
        raise AlreadyExistsError(
            f"account {code} is already open in the books of {books.code}, named {accounts[code]}",
            field="code",
            zh=f"{books.code} 已开设明细科目 {code} {accounts[code]}：请换一个编码",
        )
    _checked_name(books, code, name, parent)


def _sub_account(books: Books, code: str, doing: str) -> str:
    """The name of the open sub-account ``code`` that a clerk may change (``doing``: 改名 or
    停用); refused for a chart account, a prescribed one, or one not open."""
    if code in books.chart.prescribed or (code in books.chart and len(code) == 3):
        what = "a chart account" if len(code) == 3 else "prescribed by the chart"
        raise InvalidRequestError(
            f"account {code} is {what}; only the sub-accounts of these books may be changed",
            field="code",
            zh=f"科目 {code} 是会计制度规定的科目，不能{doing}："
            f"只有本账簿开设的明细科目可以{doing}",
        )
    accounts = open_sub_accounts(books)
    if code not in accounts:
        raise NotFoundError(
            f"account {code} is not open in the books of {books.code}",
            field="code",
            zh=f"{books.code} 的账簿中没有开设明细科目 {code}",
        )
    return accounts[code]


def refuse_rename(books: Books, code: str, name: object) -> str:
    """The new name of sub-account ``code`` (stripped); refused as ``_checked_name`` says, or
    when the name is what it is called already."""
    old = _sub_account(books, code, "改名")
    new = _checked_name(books, code, name, code[:3])
    if new == old:
        raise InvalidRequestError(
            f"sub-account {code} is already named {old}",
            field="name",
            zh=f"明细科目 {code} 现在就叫“{old}”：请写新的名称",
        )
    return new


def refuse_retire(books: Books, code: str) -> None:
    """A sub-account may be retired (停用) only when nothing was ever posted to it: no entry,
    no opening balance (its balance is then zero)."""
    name = _sub_account(books, code, "停用")
    if code in books.balances:
        fen = books.balances[code]
        held = "its balance is zero" if fen == 0 else "it holds a balance"
        raise ConflictError(
            f"sub-account {code} {name} has postings ({held}); only a sub-account never "
            "posted to may be retired",
            field="code",
            zh=f"明细科目 {code} {name} 已有记账（"
            + ("余额为零" if fen == 0 else "尚有余额")
            + "）：只有从未记过账的明细科目可以停用",
        )


def operation_accounts(
    postings: Iterable[Mapping[str, Any]],
    names: Mapping[str, str],
    books: Books,
    *,
    actor: str,
    source: str,
) -> None:
    """Open, in ``books``, every sub-account the postings use that is not open yet, named by
    ``names`` (code → name) or, failing that, after the chart (应付款-V01)."""
    for posting in postings:
        code = str(posting["account"])
        if not is_open(books, code):
            name = names.get(code) or books.chart.get(code).name
            books.ensure_account(code, name, actor=actor, source=source)
