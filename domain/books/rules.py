"""The guards every entry of a set of books passes (``domain.books.Books`` runs them): open
periods, cash never below zero, earmarked cash spent only for its earmark, entries that describe
something that can happen, and what a red-ink reversal or a month's closing may do.

They read the books through :class:`Books` (a protocol), so the aggregate imports this module
and not the other way round.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from moneyed import Money

from domain.books.chart import check_postings_open, is_open
from domain.books.closing import check_year_open, refuse_closing_reversal
from domain.errors import (
    AlreadyReversedError,
    CashOverdraftError,
    ClosedPeriodError,
    ConflictError,
    CrossBookEntryError,
    EarmarkedCashError,
    InvalidRequestError,
    NonsenseEntryError,
    OverDistributionError,
)
from domain.periods import month_of, parse_month
from domain.sources import correcting_operation
from ledger.accounts import Category, ChartOfAccounts, Side
from ledger.entries import JournalEntry, Posting, build_entry, red_ink_reversal
from ledger.money import amount_str, format_yuan, from_fen, to_fen
from ledger.voucher_numbers import number_label

OPENING_NUMBER = "期初"

CASH_ACCOUNTS = ("101", "102")  # 库存现金, 银行存款 (and their sub-accounts, one per bank account)
# Asset accounts a receipt (借 101/102) may credit, each for a reason: cash moved between 101
# and 102 (存现 / 提现), a claim or short-term investment collected (111 短期投资, 112 应收款,
# 113 内部往来), a long-term investment recovered (141), the proceeds of a disposal (154
# 固定资产清理), an intangible asset sold at its carrying amount (161, the 2023 system credits it
# directly), a cash overage awaiting approval (181 待处理财产损溢).
RECEIPT_MAY_CREDIT = ("101", "102", "111", "112", "113", "141", "154", "161", "181")


class Books(Protocol):
    """What the guards read of a set of books."""

    @property
    def code(self) -> str: ...
    @property
    def chart(self) -> ChartOfAccounts: ...
    @property
    def balances(self) -> dict[str, int]: ...
    @property
    def opening_date(self) -> datetime.date | None: ...
    @property
    def closed_through(self) -> str | None: ...
    @property
    def reverses(self) -> dict[str, str]: ...
    @property
    def reversed_by(self) -> dict[str, str]: ...
    @property
    def years_closed(self) -> dict[str, list[str]]: ...
    @property
    def has_entries(self) -> bool: ...
    def fen(self, *prefixes: str) -> int: ...
    def balance(self, *prefixes: str) -> Money: ...
    def has_sub_accounts(self, parent: str) -> bool: ...
    def ensure_account(self, code: str, name: str, *, actor: str, source: str) -> None: ...
    def require_entry(self, number: str) -> None: ...


def check_open(books: Books, day: datetime.date, *, field: str = "date") -> None:
    code = getattr(books, "code", "?")
    if books.opening_date is not None and day < books.opening_date:
        raise InvalidRequestError(
            f"{day} is before the opening balances of {code} ({books.opening_date}); "
            f"date the entry on {books.opening_date} or later",
            field=field,
        )
    if books.closed_through is not None and month_of(day) <= books.closed_through:
        raise ClosedPeriodError(
            f"month {month_of(day)} of {code} is closed (closed through "
            f"{books.closed_through}); date the entry in an open month, after "
            f"{books.closed_through}",
            field=field,
            zh=f"{code} 的 {month_of(day)} 月已结账（结账至 {books.closed_through}）：请把日期"
            f"改到 {books.closed_through} 以后的未结账月份",
        )
    check_year_open(books, day, field=field)


def check_cash(books: Books, entry: JournalEntry, *, field: str = "postings") -> None:
    """The one cash policy, on every path that posts: no entry may leave 101 库存现金 or
    102 银行存款 (each account or sub-account on its own) below zero.

    Checked on every entry these books record: raw entries, receipts and payments, capital
    contributions, land rent, plan payouts, red-ink reversals (reversing a receipt takes
    the money out again). The check is on the running balance, the books as they stand
    after the entry, not day by day: an entry dated before the receipt it spends is
    accepted when the money is there now.
    """
    moves: dict[str, int] = {}
    for posting in entry.postings:
        if posting.account.startswith(CASH_ACCOUNTS):
            moves[posting.account] = moves.get(posting.account, 0) + to_fen(posting.signed())
    for account, fen in sorted(moves.items()):
        have = books.balances.get(account, 0)
        if fen < 0 and have + fen < 0:
            name = books.chart.get(account).name
            raise CashOverdraftError(
                f"{books.code} has {format_yuan(from_fen(have))} in {account} {name}; this "
                f"entry takes out {format_yuan(from_fen(-fen))}, which would leave "
                f"{format_yuan(from_fen(have + fen))}. 库存现金 and 银行存款 cannot go below "
                f"zero: record the money coming in first, or take out at most "
                f"{format_yuan(from_fen(max(have, 0)))}",
                field=field,
                zh=f"{books.code} 的 {account} {name} 现有 {format_yuan(from_fen(have))}，"
                f"这笔支出 {format_yuan(from_fen(-fen))}，会使余额变为 "
                f"{format_yuan(from_fen(have + fen))}。库存现金和银行存款不能为负数：请先登记"
                f"收入，或最多支出 {format_yuan(from_fen(max(have, 0)))}",
                details={
                    "available": amount_str(from_fen(have)),
                    "requested": amount_str(from_fen(-fen)),
                },
            )


def check_earmarked(books: Books, entry: JournalEntry) -> None:
    """Earmarked money leaves only with its earmark: the credit balance of 241
    专项应付款 is grant money held for its programme, so no entry may take 101/102 below it
    unless the same entry lowers the earmark by as much, i.e. debits the programme's 241
    sub-account: 借 241{programme} / 贷 102 when the money is spent or passed on for the
    programme, or, when it builds an asset, 借 153 在建工程 / 贷 102 with 借 241 / 贷 311 in
    the same voucher. Ordinary payments, raw entries and distributions spend only the cash
    that is not earmarked.

    A jointly built project (``domain.projects``) spends its grant on construction before it is
    finished: each cost paid from the grant moves that part 借 241<programme> / 贷 241<project>
    in its voucher, and 241<project> is moved to 311 on completion. A 241 sub-account beside an
    open 153 sub-account of the same suffix (241XM2025NC beside 153XM2025NC 在建工程) holds
    grant money already spent on that construction: still owed to the programme, no longer in
    the bank, so it is not earmarked cash."""
    cash_move = sum(
        to_fen(p.signed()) for p in entry.postings if p.account.startswith(CASH_ACCOUNTS)
    )
    if cash_move >= 0:
        return
    earmark_move = -sum(
        to_fen(p.signed())
        for p in entry.postings
        if p.account.startswith("241") and not _spent_on_construction(books, p.account)
    )
    earmarked = -books.fen("241") - _construction_earmarks(books)
    cash = books.fen(*CASH_ACCOUNTS)
    if earmarked <= 0 or cash + cash_move >= earmarked + earmark_move:
        return
    free = max(cash - earmarked, 0)
    raise EarmarkedCashError(
        f"{books.code} holds {format_yuan(from_fen(cash))} in 101/102, of which "
        f"{format_yuan(from_fen(earmarked))} is earmarked grant money (241 专项应付款) that "
        f"only its programme may spend; this entry takes out "
        f"{format_yuan(from_fen(-cash_move))}, more than the "
        f"{format_yuan(from_fen(free))} that is free. Spend earmarked money with an entry "
        "that debits its 241 sub-account (借 241 / 贷 102; for an asset 借 153 / 贷 102 with "
        "借 241 / 贷 311)",
        field="postings",
        zh=f"{books.code} 的库存现金和银行存款共 {format_yuan(from_fen(cash))}，其中 "
        f"{format_yuan(from_fen(earmarked))} 是专项资金（241 专项应付款），只能用于该项目；"
        f"这笔支出 {format_yuan(from_fen(-cash_move))}，超过可自由支配的 "
        f"{format_yuan(from_fen(free))}。动用专项资金请借记其 241 明细科目：用于费用的，"
        "借 241 / 贷 102；购置资产的，借 153 / 贷 102，同时借 241 / 贷 311",
        details={
            "available": amount_str(from_fen(free)),
            "requested": amount_str(from_fen(-cash_move)),
        },
    )


def _spent_on_construction(books: Books, account: str) -> bool:
    """Whether 241 sub-account ``account`` sits beside an open 153 sub-account of the same
    suffix: grant money spent on that construction (see ``check_earmarked``)."""
    return len(account) > 3 and is_open(books, f"153{account[3:]}")


def _construction_earmarks(books: Books) -> int:
    """The credit balance (fen) of the 241 sub-accounts spent on construction."""
    if not books.has_sub_accounts("153"):
        return 0
    return -sum(
        fen
        for account, fen in books.balances.items()
        if account.startswith("241") and _spent_on_construction(books, account)
    )


def check_sense(books: Books, entry: JournalEntry) -> None:
    """Refuse an entry that balances but describes nothing that can happen.

    Nonsense, precisely:

    1. every posting is on one and the same account (102 against 102): it moves nothing;
       money between two bank accounts goes between two sub-accounts (102ICBC, 102RCC);
    2. a receipt (an entry debiting 101 or 102) crediting an asset account that money
       cannot come from: anything but :data:`RECEIPT_MAY_CREDIT`. Stock (121), biological
       assets (13x), fixed assets (151, 153) and prepaid expenses (171) are sold through
       income (501/504) and their cost moved separately, or through 154 固定资产清理;
       contra accounts (133, 152, 162 累计折旧/摊销) never receive cash.

    Red-ink reversals are not checked here: they undo an entry that was.
    """
    accounts = {posting.account for posting in entry.postings}
    if len(accounts) == 1:
        (only,) = accounts
        raise NonsenseEntryError(
            f"every posting of this entry is on account {only}: an entry on only account "
            f"{only} moves nothing. Money between two bank accounts goes between two "
            "sub-accounts (e.g. 102ICBC and 102RCC)",
            field="postings",
            zh=f"这笔凭证的每一行都记在科目 {only} 上，等于什么也没发生。两个银行账户之间转账，"
            "请记在两个明细科目之间（如 102ICBC 和 102RCC）",
        )
    receipt = any(
        p.side is Side.DEBIT and p.account.startswith(CASH_ACCOUNTS) for p in entry.postings
    )
    if not receipt:
        return
    for index, posting in enumerate(entry.postings):
        account = books.chart.get(posting.account)
        if (
            posting.side is Side.CREDIT
            and account.category is Category.ASSET
            and account.code[:3] not in RECEIPT_MAY_CREDIT
        ):
            way = (
                "a fixed asset sold goes through 154 固定资产清理"
                if account.code[:3] in ("151", "152", "153")
                else f"a sale of {account.name} is income (501/504), with its cost moved in "
                "an entry of its own"
            )
            raise NonsenseEntryError(
                f"a receipt (借 101/102) cannot credit {posting.account} {account.name}: "
                "money comes in for a claim collected (112 应收款, 113 内部往来, 111), an "
                "investment recovered (141), a disposal (154 固定资产清理, 161), or cash "
                f"moved between 101 and 102; {way}",
                field=f"postings[{index}].account",
            )


def opening_postings(
    books: Books, as_of: datetime.date, rows: list[Mapping[str, object]]
) -> tuple[Posting, ...]:
    """The postings of opening balances (期初余额), checked: allowed until the first entry is
    posted or a month is closed, balanced, on open accounts, never a credit on cash (an
    overdraft is a short-term loan)."""
    if books.has_entries or books.closed_through is not None:
        raise ConflictError(
            f"the books of {books.code} already have entries or closed months; opening "
            "balances can only be set on books that have none",
            field="balances",
        )
    if not rows:
        return ()
    entry = build_entry(
        date=as_of,
        number=OPENING_NUMBER,
        memo="期初余额",
        postings=rows,
        chart=books.chart,
        field_prefix="balances",
    )
    check_postings_open(books, entry.postings, field_prefix="balances")
    postings = entry.postings
    for index, posting in enumerate(postings):
        if posting.account.startswith(CASH_ACCOUNTS) and posting.side is Side.CREDIT:
            raise CashOverdraftError(
                f"an opening balance of {books.code} cannot be a credit on "
                f"{posting.account} {books.chart.get(posting.account).name}: "
                "库存现金 and 银行存款 cannot go below zero; an overdraft is a "
                "short-term loan (201 短期借款)",
                field=f"balances[{index}].side",
            )
    return postings


def summaries(
    balances: Mapping[str, int], account_names: Mapping[str, str]
) -> tuple[dict[str, int], dict[str, int]]:
    """``Books.totals`` and ``Books.sub_accounts`` computed from every account."""
    totals: dict[str, int] = {}
    for code, fen in balances.items():
        totals[code[:3]] = totals.get(code[:3], 0) + fen
    counts: dict[str, int] = {}
    for code in {*balances, *account_names}:
        if len(code) > 3:
            counts[code[:3]] = counts.get(code[:3], 0) + 1
    return totals, counts


def refuse_reversal(
    books: Books,
    original: JournalEntry,
    *,
    date: datetime.date,
    reason: str,
    source: str | None,
    correction: bool,
    joint_books: bool,
) -> None:
    """What a red-ink reversal of ``original`` may not do (see ``Books.reverse_entry``)."""
    number = original.number
    books.require_entry(number)
    refuse_closing_reversal(books, number)
    operation = correcting_operation(source, books.code, number, joint_books=joint_books)
    if operation is not None and not correction:
        raise CrossBookEntryError(
            f"entry {number} of {books.code} was posted by the system for {source} and "
            f"belongs to more than one book or record; a red-ink reversal here would leave "
            f"the others unchanged. Correct it with {operation}",
            field="number",
            details={"source": source or ""},
        )
    if number in books.reverses:
        raise ConflictError(
            f"entry {number} of {books.code} is itself the reversal of "
            f"{books.reverses[number]}; post a new entry instead of reversing a reversal",
            field="number",
        )
    if number in books.reversed_by:
        raise AlreadyReversedError(
            f"entry {number} of {books.code} was already reversed by "
            f"{books.reversed_by[number]}; an entry can be reversed once",
            field="number",
        )
    if not reason.strip():
        raise InvalidRequestError(
            f"reversing entry {number} of {books.code} needs a reason", field="reason"
        )
    if date < original.date:
        raise InvalidRequestError(
            f"the reversal of entry {number} of {books.code} cannot be dated {date}, before "
            f"the entry itself ({original.date})",
            field="date",
        )


def checked_reversal(
    books: Books,
    original: JournalEntry,
    *,
    number: str,
    date: datetime.date,
    reason: str,
    source: str | None,
    correction: bool,
    joint_books: bool,
) -> JournalEntry:
    """The red-ink reversal of ``original`` as entry ``number``, checked as
    ``Books.reverse_entry`` posts it (:func:`refuse_reversal`, an open month, cash), not
    recorded."""
    refuse_reversal(
        books,
        original,
        date=date,
        reason=reason,
        source=source,
        correction=correction,
        joint_books=joint_books,
    )
    check_open(books, date)
    reversal = red_ink_reversal(
        original,
        date=date,
        number=number,
        memo=f"冲销 {number_label(original.number)}: {reason.strip()}",
    )
    check_cash(books, reversal, field="number")
    return reversal


def check_month_closable(books: Books, month: str, today: datetime.date) -> None:
    """Months are closed in order, once over, not before the opening balances."""
    parse_month(month)
    if books.closed_through is not None and month <= books.closed_through:
        raise ClosedPeriodError(
            f"the books of {books.code} are already closed through {books.closed_through}; "
            f"close a later month than {books.closed_through}",
            field="month",
        )
    if month >= month_of(today):
        raise InvalidRequestError(
            f"month {month} has not ended yet (today is {today}); a month can be closed "
            "once it is over",
            field="month",
        )
    if books.opening_date is not None and month < month_of(books.opening_date):
        raise InvalidRequestError(
            f"the books of {books.code} open on {books.opening_date}; close "
            f"{month_of(books.opening_date)} or a later month",
            field="month",
        )


def checked_entry(
    books: Books,
    number: str,
    *,
    date: datetime.date,
    memo: str,
    rows: Iterable[Mapping[str, object]],
) -> JournalEntry:
    """The entry ``number`` built from ``rows`` and checked by every guard of these books
    (``Books.prepare_entry``; nothing is recorded)."""
    if not memo.strip():
        raise InvalidRequestError(
            f"an entry in the books of {books.code} needs a memo (摘要)", field="memo"
        )
    check_open(books, date)
    entry = build_entry(
        date=date, number=number, memo=memo.strip(), postings=list(rows), chart=books.chart
    )
    check_sense(books, entry)
    check_cash(books, entry)
    check_earmarked(books, entry)
    check_postings_open(books, entry.postings)
    return entry


def upcast_v1_v2(state: dict[str, Any]) -> None:
    """Snapshots of version 1 carried ``entry_dates`` (number → date of every entry), which
    grew with the books; version 2 drops it (see ``has_entry``)."""
    state.pop("entry_dates", None)
    state.setdefault("account_names", {})  # snapshots older than opened sub-accounts
    state["totals"], state["sub_accounts"] = summaries(
        state.get("balances", {}), state.get("account_names", {})
    )


class Balances(Protocol):
    """The running balances of a set of books, as ``move`` changes them."""

    balances: dict[str, int]
    totals: dict[str, int]
    sub_accounts: dict[str, int]
    account_names: dict[str, str]


def move(books: Balances, posting: Posting) -> None:
    """A posting into the books' running balances (``Books.balances``, ``totals`` and the
    count of ``sub_accounts``)."""
    account = posting.account
    fen = to_fen(posting.signed())
    if account not in books.balances and len(account) > 3:
        if account not in books.account_names:
            books.sub_accounts[account[:3]] = books.sub_accounts.get(account[:3], 0) + 1
    books.balances[account] = books.balances.get(account, 0) + fen
    books.totals[account[:3]] = books.totals.get(account[:3], 0) + fen


def require_cash(books: Books, amount: Money, what: str) -> None:
    """Refuse an operation that pays out ``amount`` when the bank (102 银行存款) holds less,
    before it is posted (409, with what is available)."""
    bank = books.balance("102")
    if amount > bank:
        raise OverDistributionError(
            f"{books.code} has {format_yuan(bank)} in the bank (102 银行存款), less than the "
            f"{format_yuan(amount)} {what}",
            field="amount",
            details={"available": amount_str(bank), "requested": amount_str(amount)},
            zh=f"{books.code} 的银行存款（102）只有 {format_yuan(bank)}，少于要付出的 "
            f"{format_yuan(amount)}",
        )
