"""Books of an accounting entity: a village collective (村集体经济组织) or the joint entity of
an alliance (联合社). Under 三独立 every village keeps its own books; so does the joint entity.

Rules enforced here, each with an error that says what would be allowed:

- every entry is built balanced by ``ledger`` (debits = credits, at least two postings, amounts
  positive with at most two places, accounts in the chart of 2023 or its sub-accounts);
- no entry is dated before the opening balances or inside a closed month;
- a mistake is corrected by a red-ink reversal (红字冲销) that names the original, at most once;
- months are closed in order, like a lock date: closing 2025-03 closes every month up to it;
- cash cannot go below zero (see :meth:`Books._check_cash`) and an entry must describe something
  that can happen (see :meth:`Books._check_sense`), whichever command posts it.
- sub-accounts are opened before they are posted to, and a chart account that has sub-accounts
  takes no postings of its own (``domain/chart.py``);
- a year closed by 年终结转 takes no entries until it is reopened (``domain/closing.py``).

Voucher numbers are given by the books, ``YYYY-NNNN`` counting per calendar year, so two clerks
posting at once get consecutive numbers (the second save conflicts and is retried).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from moneyed import Money

from domain.chart import (
    check_postings_open,
    is_open,
    open_for_operation,
    open_sub_accounts,
    refuse_new_sub_account,
)
from domain.closing import check_year_open, closing_postings, refuse_closing_reversal
from domain.errors import (
    AlreadyReversedError,
    CashOverdraftError,
    ClosedPeriodError,
    ConflictError,
    CrossBookEntryError,
    EarmarkedCashError,
    EntryNotFoundError,
    InvalidRequestError,
    NonsenseEntryError,
)
from domain.ids import entity_id
from domain.periods import add_years, month_of, parse_month
from domain.programmes import programme_name
from domain.sources import correcting_operation
from ledger.accounts import Category, ChartOfAccounts, Side
from ledger.entries import JournalEntry, Posting, build_entry, red_ink_reversal
from ledger.money import amount_str, format_yuan, from_fen, to_fen

OPENING_NUMBER = "期初"

CASH_ACCOUNTS = ("101", "102")  # 库存现金, 银行存款 (and their sub-accounts, one per bank account)
# Asset accounts a receipt (借 101/102) may credit, each for a reason: cash moved between 101
# and 102 (存现 / 提现), a claim or short-term investment collected (111 短期投资, 112 应收款,
# 113 内部往来), a long-term investment recovered (141), the proceeds of a disposal (154
# 固定资产清理), an intangible asset sold at its carrying amount (161, the 2023 system credits it
# directly), a cash overage awaiting approval (181 待处理财产损溢).
RECEIPT_MAY_CREDIT = ("101", "102", "111", "112", "113", "141", "154", "161", "181")


class Books(Aggregate):
    """The books every accounting entity keeps; subclasses add who the entity is."""

    # Snapshots of version 1 carried ``entry_dates`` (number → date of every entry), which grew
    # with the books; version 2 drops it (issue 13, see ``has_entry``).
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state.pop("entry_dates", None)
        state.setdefault("account_names", {})  # snapshots older than opened sub-accounts
        state["totals"], state["sub_accounts"] = _summaries(
            state.get("balances", {}), state.get("account_names", {})
        )

    if TYPE_CHECKING:  # set by the subclasses' Registered events (annotations here would
        code: str  # turn the aggregate into a dataclass with another __init__)
        name: str
        township: str
        county: str

    @staticmethod
    def create_id(code: str) -> UUID:
        return entity_id(code)

    def _start_books(self) -> None:
        self.opening_date: datetime.date | None = None
        self.opening: tuple[Posting, ...] = ()
        # The state does not grow with the entries (issue 13): an entry exists when its number
        # is within its year's sequence (numbers are given by the books, consecutively), and
        # only who reversed whom is kept. The entries themselves stay in their events; a
        # reversal is given the original by the application, which reads it from the books'
        # own event stream.
        self.reverses: dict[str, str] = {}  # reversal number → original number
        self.reversed_by: dict[str, str] = {}  # original number → reversal number
        self.closed_through: str | None = None
        self.sequences: dict[str, int] = {}  # year → last voucher number (str keys: JSON)
        # Running balance of every account, in fen, debit positive: what guards such as "never
        # pay out more than the bank holds" check, without reading any read model.
        self.balances: dict[str, int] = {}
        self.account_names: dict[str, str] = {}  # sub-accounts opened: code → name
        self.closed_years: dict[str, list[str]] = {}  # year → its 年终结转 entry numbers
        # Kept so that no check reads every account (a village paying 5,000 households has a
        # 211 sub-account each, issue 13): the balance of each chart account (its first three
        # digits) with its sub-accounts, and how many sub-accounts each has (opened or used).
        self.totals: dict[str, int] = {}
        self.sub_accounts: dict[str, int] = {}

    @property
    def chart(self) -> ChartOfAccounts:
        return ChartOfAccounts.standard()

    # -- guards --------------------------------------------------------------------------------

    def _check_open(self, day: datetime.date, *, field: str = "date") -> None:
        code = getattr(self, "code", "?")
        if self.opening_date is not None and day < self.opening_date:
            raise InvalidRequestError(
                f"{day} is before the opening balances of {code} ({self.opening_date}); "
                f"date the entry on {self.opening_date} or later",
                field=field,
            )
        if self.closed_through is not None and month_of(day) <= self.closed_through:
            raise ClosedPeriodError(
                f"month {month_of(day)} of {code} is closed (closed through "
                f"{self.closed_through}); date the entry in an open month, after "
                f"{self.closed_through}",
                field=field,
                zh=f"{code} 的 {month_of(day)} 月已结账（结账至 {self.closed_through}）：请把日期"
                f"改到 {self.closed_through} 以后的未结账月份",
            )
        check_year_open(self, day, field=field)

    def _check_cash(self, entry: JournalEntry, *, field: str = "postings") -> None:
        """The one cash policy (issue 9): no entry may leave 101 库存现金 or 102 银行存款 (each
        account or sub-account on its own) below zero.

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
            have = self.balances.get(account, 0)
            if fen < 0 and have + fen < 0:
                name = self.chart.get(account).name
                raise CashOverdraftError(
                    f"{self.code} has {format_yuan(from_fen(have))} in {account} {name}; this "
                    f"entry takes out {format_yuan(from_fen(-fen))}, which would leave "
                    f"{format_yuan(from_fen(have + fen))}. 库存现金 and 银行存款 cannot go below "
                    f"zero: record the money coming in first, or take out at most "
                    f"{format_yuan(from_fen(max(have, 0)))}",
                    field=field,
                    zh=f"{self.code} 的 {account} {name} 现有 {format_yuan(from_fen(have))}，"
                    f"这笔支出 {format_yuan(from_fen(-fen))}，会使余额变为 "
                    f"{format_yuan(from_fen(have + fen))}。库存现金和银行存款不能为负数：请先登记"
                    f"收入，或最多支出 {format_yuan(from_fen(max(have, 0)))}",
                    details={
                        "available": amount_str(from_fen(have)),
                        "requested": amount_str(from_fen(-fen)),
                    },
                )

    def _check_earmarked(self, entry: JournalEntry) -> None:
        """Earmarked money leaves only with its earmark (issue 9): the credit balance of 241
        专项应付款 is grant money held for its programme, so no entry may take 101/102 below it
        unless the same entry lowers the earmark by as much, i.e. debits the programme's 241
        sub-account: 借 241{programme} / 贷 102 when the money is spent or passed on for the
        programme, or, when it builds an asset, 借 153 在建工程 / 贷 102 with 借 241 / 贷 311 in
        the same voucher. Ordinary payments, raw entries and distributions spend only the cash
        that is not earmarked."""
        cash_move = sum(
            to_fen(p.signed()) for p in entry.postings if p.account.startswith(CASH_ACCOUNTS)
        )
        if cash_move >= 0:
            return
        earmark_move = -sum(
            to_fen(p.signed()) for p in entry.postings if p.account.startswith("241")
        )
        earmarked = -self._fen("241")
        cash = self._fen(*CASH_ACCOUNTS)
        if earmarked <= 0 or cash + cash_move >= earmarked + earmark_move:
            return
        free = max(cash - earmarked, 0)
        raise EarmarkedCashError(
            f"{self.code} holds {format_yuan(from_fen(cash))} in 101/102, of which "
            f"{format_yuan(from_fen(earmarked))} is earmarked grant money (241 专项应付款) that "
            f"only its programme may spend; this entry takes out "
            f"{format_yuan(from_fen(-cash_move))}, more than the "
            f"{format_yuan(from_fen(free))} that is free. Spend earmarked money with an entry "
            "that debits its 241 sub-account (借 241 / 贷 102; for an asset 借 153 / 贷 102 with "
            "借 241 / 贷 311)",
            field="postings",
            zh=f"{self.code} 的库存现金和银行存款共 {format_yuan(from_fen(cash))}，其中 "
            f"{format_yuan(from_fen(earmarked))} 是专项资金（241 专项应付款），只能用于该项目；"
            f"这笔支出 {format_yuan(from_fen(-cash_move))}，超过可自由支配的 "
            f"{format_yuan(from_fen(free))}。动用专项资金请借记其 241 明细科目（借 241 / 贷 102）",
            details={
                "available": amount_str(from_fen(free)),
                "requested": amount_str(from_fen(-cash_move)),
            },
        )

    def _check_sense(self, entry: JournalEntry) -> None:
        """Refuse an entry that balances but describes nothing that can happen (issue 9).

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
            account = self.chart.get(posting.account)
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

    def balance(self, *prefixes: str) -> Money:
        """Debit-positive balance of every account starting with one of ``prefixes``."""
        return from_fen(self._fen(*prefixes))

    def _fen(self, *prefixes: str) -> int:
        """:meth:`balance` in fen; read from the chart accounts' totals (a few dozen) unless a
        prefix names a sub-account."""
        if all(len(prefix) <= 3 for prefix in prefixes):
            return sum(fen for code, fen in self.totals.items() if code.startswith(prefixes))
        return sum(fen for code, fen in self.balances.items() if code.startswith(prefixes))

    def has_sub_accounts(self, parent: str) -> bool:
        """Whether the chart account ``parent`` has sub-accounts (prescribed, opened or
        used), so that it takes no postings of its own."""
        return parent in self.chart.prescribed_parents or self.sub_accounts.get(parent, 0) > 0

    def available_income(self) -> Money:
        """Income not yet distributed: the credit balance of the income and expense accounts
        (5xx), 本年收益 (321) and 收益分配 (322) taken together."""
        return -self.balance("5", "321", "322")

    def _next_number(self, day: datetime.date) -> str:
        year = f"{day.year:04d}"
        return f"{year}-{self.sequences.get(year, 0) + 1:04d}"

    # -- opening balances ----------------------------------------------------------------------

    def set_opening_balances(
        self, *, as_of: datetime.date, balances: Iterable[Mapping[str, object]], actor: str
    ) -> None:
        """Record the balances the books start from (期初余额), as balanced postings.

        Allowed until the first entry is posted or a month is closed; a later call replaces the
        earlier balances (both stay in the log).
        """
        if self.sequences or self.closed_through is not None:
            raise ConflictError(
                f"the books of {self.code} already have entries or closed months; opening "
                "balances can only be set on books that have none",
                field="balances",
            )
        rows = list(balances)
        postings: tuple[Posting, ...] = ()
        if rows:
            entry = build_entry(
                date=as_of,
                number=OPENING_NUMBER,
                memo="期初余额",
                postings=rows,
                chart=self.chart,
                field_prefix="balances",
            )
            check_postings_open(self, entry.postings, field_prefix="balances")
            postings = entry.postings
            for index, posting in enumerate(postings):
                if posting.account.startswith(CASH_ACCOUNTS) and posting.side is Side.CREDIT:
                    raise CashOverdraftError(
                        f"an opening balance of {self.code} cannot be a credit on "
                        f"{posting.account} {self.chart.get(posting.account).name}: "
                        "库存现金 and 银行存款 cannot go below zero; an overdraft is a "
                        "short-term loan (201 短期借款)",
                        field=f"balances[{index}].side",
                    )
        self._opening_balances_set(as_of=as_of, postings=postings, actor=actor)

    @event("OpeningBalancesSet")
    def _opening_balances_set(
        self, *, as_of: datetime.date, postings: tuple[Posting, ...], actor: str
    ) -> None:
        self.opening_date = as_of
        self.opening = tuple(postings)
        self.balances = {}
        for posting in postings:
            self._move(posting)
        self.totals, self.sub_accounts = _summaries(self.balances, self.account_names)

    def _move(self, posting: Posting) -> None:
        account = posting.account
        fen = to_fen(posting.signed())
        if account not in self.balances and len(account) > 3:
            if account not in self.account_names:
                self.sub_accounts[account[:3]] = self.sub_accounts.get(account[:3], 0) + 1
        self.balances[account] = self.balances.get(account, 0) + fen
        self.totals[account[:3]] = self.totals.get(account[:3], 0) + fen

    # -- entries -------------------------------------------------------------------------------

    def prepare_entry(
        self, *, date: datetime.date, memo: str, postings: Iterable[Mapping[str, object]]
    ) -> JournalEntry:
        """Check and build the next entry of these books without recording it."""
        if not memo.strip():
            raise InvalidRequestError(
                f"an entry in the books of {self.code} needs a memo (摘要)", field="memo"
            )
        self._check_open(date)
        entry = build_entry(
            date=date,
            number=self._next_number(date),
            memo=memo.strip(),
            postings=list(postings),
            chart=self.chart,
        )
        self._check_sense(entry)
        self._check_cash(entry)
        self._check_earmarked(entry)
        check_postings_open(self, entry.postings)
        return entry

    def post_entry(
        self,
        *,
        date: datetime.date,
        memo: str,
        postings: Iterable[Mapping[str, object]],
        actor: str,
        source: str | None = None,
    ) -> JournalEntry:
        """Post a balanced journal entry (记账凭证) and return it with its voucher number.

        ``source`` names what caused a posting the system made (``plan:P2025``,
        ``capital:J01``); entries a clerk posts have none.
        """
        rows = list(postings)
        open_for_operation(self, rows, source=source, actor=actor)
        entry = self.prepare_entry(date=date, memo=memo, postings=rows)
        self._entry_posted(entry=entry, actor=actor, source=source)
        return entry

    @event("EntryPosted")
    def _entry_posted(self, *, entry: JournalEntry, actor: str, source: str | None = None) -> None:
        self._record_entry(entry)

    def _record_entry(self, entry: JournalEntry) -> None:
        for posting in entry.postings:
            self._move(posting)
        year = entry.number[:4]
        self.sequences[year] = self.sequences.get(year, 0) + 1

    def has_entry(self, number: str) -> bool:
        """Whether ``number`` is a voucher of these books: ``YYYY-NNNN`` within its year's
        sequence (the books number every entry they record, one after the other)."""
        year, _, serial = number.partition("-")
        if not (len(year) == 4 and year.isdigit() and serial.isascii() and serial.isdigit()):
            return False
        return number == f"{year}-{int(serial):04d}" and 1 <= int(serial) <= self.sequences.get(
            year, 0
        )

    def entry_numbers(self) -> list[str]:
        """Every voucher number of these books, in order."""
        return [
            f"{year}-{serial:04d}"
            for year, count in sorted(self.sequences.items())
            for serial in range(1, count + 1)
        ]

    def require_entry(self, number: str) -> None:
        if not self.has_entry(number):
            raise EntryNotFoundError(
                f"entry {number} is not in the books of {self.code}", field="number"
            )

    def reverse_entry(
        self,
        *,
        original: JournalEntry,
        date: datetime.date,
        reason: str,
        actor: str,
        source: str | None = None,
        correction: bool = False,
    ) -> JournalEntry:
        """Reverse a whole entry in red ink (红字冲销), once, dated in an open month.

        ``original`` is the entry as posted in these books (the application reads it from
        their event stream); it is checked against the index before anything is emitted.
        ``source`` is what posted it: an entry of an operation that spans several books is
        reversed only by that operation's correction (``correction=True``), which changes
        every book in the same save (``domain.sources``).
        """
        number = original.number
        self.require_entry(number)
        refuse_closing_reversal(self, number)
        operation = correcting_operation(
            source, self.code, number, joint_books=isinstance(self, JointEntity)
        )
        if operation is not None and not correction:
            raise CrossBookEntryError(
                f"entry {number} of {self.code} was posted by the system for {source} and "
                f"belongs to more than one book or record; a red-ink reversal here would leave "
                f"the others unchanged. Correct it with {operation}",
                field="number",
                details={"source": source or ""},
            )
        if number in self.reverses:
            raise ConflictError(
                f"entry {number} of {self.code} is itself the reversal of "
                f"{self.reverses[number]}; post a new entry instead of reversing a reversal",
                field="number",
            )
        if number in self.reversed_by:
            raise AlreadyReversedError(
                f"entry {number} of {self.code} was already reversed by "
                f"{self.reversed_by[number]}; an entry can be reversed once",
                field="number",
            )
        if not reason.strip():
            raise InvalidRequestError(
                f"reversing entry {number} of {self.code} needs a reason", field="reason"
            )
        if date < original.date:
            raise InvalidRequestError(
                f"the reversal of entry {number} of {self.code} cannot be dated {date}, before "
                f"the entry itself ({original.date})",
                field="date",
            )
        self._check_open(date)
        reversal = red_ink_reversal(
            original,
            date=date,
            number=self._next_number(date),
            memo=f"冲销 {number}: {reason.strip()}",
        )
        self._check_cash(reversal, field="number")
        self._entry_reversed(entry=reversal, reason=reason.strip(), actor=actor)
        return reversal

    @event("EntryReversed")
    def _entry_reversed(self, *, entry: JournalEntry, reason: str, actor: str) -> None:
        self._record_entry(entry)
        assert entry.reverses is not None
        self.reversed_by[entry.reverses] = entry.number
        self.reverses[entry.number] = entry.reverses

    # -- periods -------------------------------------------------------------------------------

    def close_month(self, *, month: str, today: datetime.date, actor: str) -> None:
        """Close every month up to and including ``month`` (结账); no entry may be dated in it."""
        parse_month(month)
        if self.closed_through is not None and month <= self.closed_through:
            raise ClosedPeriodError(
                f"the books of {self.code} are already closed through {self.closed_through}; "
                f"close a later month than {self.closed_through}",
                field="month",
            )
        if month >= month_of(today):
            raise InvalidRequestError(
                f"month {month} has not ended yet (today is {today}); a month can be closed "
                "once it is over",
                field="month",
            )
        if self.opening_date is not None and month < month_of(self.opening_date):
            raise InvalidRequestError(
                f"the books of {self.code} open on {self.opening_date}; close "
                f"{month_of(self.opening_date)} or a later month",
                field="month",
            )
        self._month_closed(month=month, actor=actor)

    @event("MonthClosed")
    def _month_closed(self, *, month: str, actor: str) -> None:
        self.closed_through = month

    # -- the chart of these books (domain/chart.py) --------------------------------------------

    @property
    def open_accounts(self) -> dict[str, str]:
        """Every sub-account open in these books, code → name (see ``open_sub_accounts``)."""
        return open_sub_accounts(self)

    def open_account(self, *, code: str, name: str, parent: str, actor: str) -> None:
        """Open a sub-account a clerk asked for (开设明细科目); refused as
        ``refuse_new_sub_account`` says (a code taken, a parent outside the chart, no name)."""
        refuse_new_sub_account(self, code=code, name=name, parent=parent)
        self._account_opened(code=code, name=name.strip(), parent=parent, actor=actor, source=None)

    def ensure_account(self, code: str, name: str, *, actor: str, source: str) -> None:
        """Open a sub-account an operation needs, in the same save, unless it is open already
        (chart accounts need no opening)."""
        if not is_open(self, code):
            self._account_opened(code=code, name=name, parent=code[:3], actor=actor, source=source)

    @event("AccountOpened")
    def _account_opened(
        self, *, code: str, name: str, parent: str, actor: str, source: str | None = None
    ) -> None:
        names = self.__dict__.setdefault("account_names", {})
        if code not in names and code not in self.balances:
            self.sub_accounts[code[:3]] = self.sub_accounts.get(code[:3], 0) + 1
        names[code] = name

    # -- year-end closing (domain/closing.py) --------------------------------------------------

    @property
    def years_closed(self) -> dict[str, list[str]]:
        """Years closed by 年终结转 and not reopened: year → the numbers of its entries."""
        found: dict[str, list[str]] = self.__dict__.setdefault("closed_years", {})
        return found

    def post_closing(
        self, *, year: int, before: Mapping[str, int], actor: str
    ) -> tuple[list[JournalEntry], dict[str, int]]:
        """Post the 年终结转 of ``year`` from the balances of 31 December (``before``, fen,
        debit positive) and record the year closed with the balances it carries forward.

        The guards (year over, not closed yet, years in order) are ``domain/closing.py``'s,
        run by the application before; the entries are dated 31 December even when December
        is already closed by 结账: they only move income into 本年收益 and 收益分配.
        """
        day = datetime.date(year, 12, 31)
        posted: list[JournalEntry] = []
        carried = {code: fen for code, fen in before.items() if fen}
        for memo, postings in closing_postings(before):
            entry = build_entry(
                date=day,
                number=self._next_number(day),
                memo=memo,
                postings=postings,
                chart=self.chart,
            )
            self._entry_posted(entry=entry, actor=actor, source=f"year-end:{year}")
            posted.append(entry)
            for posting in entry.postings:
                fen = carried.get(posting.account, 0) + to_fen(posting.signed())
                if fen:
                    carried[posting.account] = fen
                else:
                    carried.pop(posting.account, None)
        self._year_closed(
            year=year,
            entries=[e.number for e in posted],
            balances=dict(sorted(carried.items())),
            actor=actor,
        )
        return posted, carried

    @event("YearClosed")
    def _year_closed(
        self, *, year: int, entries: list[str], balances: dict[str, int], actor: str
    ) -> None:
        self.years_closed[str(year)] = list(entries)

    def reverse_closing(
        self, *, year: int, originals: list[JournalEntry], reason: str, actor: str
    ) -> list[JournalEntry]:
        """Reopen ``year``: reverse its 年终结转 entries in red ink, dated 31 December, last
        first, and record the reopening with its reason."""
        day = datetime.date(year, 12, 31)
        reversals = []
        for original in reversed(originals):
            reversal = red_ink_reversal(
                original,
                date=day,
                number=self._next_number(day),
                memo=f"冲销 {original.number}: 重新打开{year}年度：{reason}",
            )
            self._entry_reversed(entry=reversal, reason=reason, actor=actor)
            reversals.append(reversal)
        self._year_reopened(
            year=year, reason=reason, entries=[r.number for r in reversals], actor=actor
        )
        return reversals

    @event("YearReopened")
    def _year_reopened(self, *, year: int, reason: str, entries: list[str], actor: str) -> None:
        self.years_closed.pop(str(year), None)


class VillageCollective(Books):
    """A member village's collective economic organisation (村集体经济组织) and its own books."""

    @event("Registered")
    def __init__(
        self,
        *,
        code: str,
        name: str,
        township: str,
        county: str,
        population: int,
        households: int,
        flags: list[str],
        actor: str,
    ) -> None:
        self.code = code
        self.name = name
        self.township = township
        self.county = county
        self.population = population
        self.households = households
        self.flags = list(flags)
        self._start_books()

    kind = "village"


class JointEntity(Books):
    """The joint entity of an alliance (联合社 / 强村公司 / 资金池): pooled money, its own books and
    an equity register (股权登记) of what each member village put in.

    The register keeps each village's capital by fund programme (fen, so snapshots round-trip
    exactly) and its land shares; both are the bases of the alliance's distribution plans.
    """

    @event("Registered")
    def __init__(
        self,
        *,
        code: str,
        name: str,
        alliance_code: str,
        township: str,
        county: str,
        actor: str,
    ) -> None:
        self.code = code
        self.name = name
        self.alliance_code = alliance_code
        self.township = township
        self.county = county
        self._start_books()
        # village → programme → list of [ISO date, fen] contributions
        self.capital: dict[str, dict[str, list[list[Any]]]] = {}
        # village → list of land share records
        self.land: dict[str, list[dict[str, Any]]] = {}

    kind = "joint"

    # -- equity register -----------------------------------------------------------------------

    def capital_of(self, village: str, as_of: datetime.date) -> Money:
        """Capital the village had contributed by ``as_of`` (all programmes)."""
        fen = sum(
            amount
            for records in self.capital.get(village, {}).values()
            for day, amount in records
            if datetime.date.fromisoformat(day) <= as_of
        )
        return from_fen(fen)

    def capital_by_programme(self, village: str, as_of: datetime.date) -> dict[str, Money]:
        return {
            programme: from_fen(
                sum(a for d, a in records if datetime.date.fromisoformat(d) <= as_of)
            )
            for programme, records in sorted(self.capital.get(village, {}).items())
        }

    def land_basis(self, village: str, as_of: datetime.date) -> Decimal:
        """Land shares in force on ``as_of``: Σ mu × grade factor."""
        total = Decimal(0)
        for record in self.land.get(village, []):
            start = datetime.date.fromisoformat(record["date"])
            end = add_years(start, int(record["term_years"]))  # total: 02-29 + 1 year = 02-28
            if start <= as_of < end:
                total += Decimal(record["mu"]) * Decimal(record["grade"])
        return total

    def contribute_capital(
        self,
        *,
        village: str,
        programme: str,
        amount: Money,
        date: datetime.date,
        actor: str,
        village_name: str | None = None,
    ) -> JournalEntry:
        """Capital paid in by a member village (借 102 银行存款, 贷 301 资本-village); opens
        301{village} (资本-仉家村, after ``village_name``) with it the first time."""
        programme_name(programme)
        self.ensure_account(
            f"301{village}",
            f"资本-{village_name or village}",
            actor=actor,
            source=f"capital:{village}",
        )
        entry = self.prepare_entry(
            date=date,
            memo=f"{village}投入资本（{programme_name(programme)}）",
            postings=[
                {"account": "102", "side": "debit", "amount": amount},
                {"account": f"301{village}", "side": "credit", "amount": amount},
            ],
        )
        self._capital_contributed(
            entry=entry, village=village, programme=programme, amount=amount, actor=actor
        )
        return entry

    @event("CapitalContributed")
    def _capital_contributed(
        self, *, entry: JournalEntry, village: str, programme: str, amount: Money, actor: str
    ) -> None:
        self._record_entry(entry)
        records = self.capital.setdefault(village, {}).setdefault(programme, [])
        records.append([entry.date.isoformat(), to_fen(amount)])

    def refundable_capital(self, village: str, programme: str, day: datetime.date) -> Money:
        """Capital of ``programme`` the village can take back on ``day``: what it held then,
        and never more than it holds on any later recorded day (a later-dated refund already
        recorded must stay covered)."""
        records = self.capital.get(village, {}).get(programme, [])
        held = sum(a for d, a in records if datetime.date.fromisoformat(d) <= day)
        lowest = held
        later = sorted((d, a) for d, a in records if datetime.date.fromisoformat(d) > day)
        for _, a in later:
            held += a
            lowest = min(lowest, held)
        return from_fen(max(lowest, 0))

    def check_refund(
        self, *, village: str, programme: str, amount: Money, date: datetime.date
    ) -> None:
        """Refuse to return more of a programme's capital than the village holds (409)."""
        available = self.refundable_capital(village, programme, date)
        if amount > available:
            raise ConflictError(
                f"{village} holds {format_yuan(available)} of {programme_name(programme)} "
                f"({programme}) capital in {self.code} on {date}; {format_yuan(amount)} cannot "
                "be returned",
                field="amount",
                details={"available": amount_str(available), "requested": amount_str(amount)},
            )

    def refund_capital(
        self,
        *,
        village: str,
        programme: str,
        amount: Money,
        date: datetime.date,
        reason: str,
        actor: str,
    ) -> JournalEntry:
        """Capital returned to a village (退还资本: 借 301 资本-village, 贷 102 银行存款), the
        equity register reduced by the programme it was paid in from. A counter-entry, not red
        ink: money really goes back, on its own date (also when a village leaves the alliance
        and takes its capital with it)."""
        name = programme_name(programme)
        if not reason.strip():
            raise InvalidRequestError(
                f"returning capital to {village} needs a reason", field="reason"
            )
        self.check_refund(village=village, programme=programme, amount=amount, date=date)
        entry = self.prepare_entry(
            date=date,
            memo=f"退还{village}资本（{name}）：{reason.strip()}",
            postings=[
                {"account": f"301{village}", "side": "debit", "amount": amount},
                {"account": "102", "side": "credit", "amount": amount},
            ],
        )
        self._capital_refunded(
            entry=entry,
            village=village,
            programme=programme,
            amount=amount,
            reason=reason.strip(),
            actor=actor,
            source=f"capital:{village}",
        )
        return entry

    @event("CapitalRefunded")
    def _capital_refunded(
        self,
        *,
        entry: JournalEntry,
        village: str,
        programme: str,
        amount: Money,
        reason: str,
        actor: str,
        source: str,
    ) -> None:
        self._record_entry(entry)
        records = self.capital.setdefault(village, {}).setdefault(programme, [])
        records.append([entry.date.isoformat(), -to_fen(amount)])

    def contribute_land(
        self,
        *,
        village: str,
        mu: Decimal,
        grade: Decimal,
        value_per_mu: Money,
        term_years: int,
        date: datetime.date,
        actor: str,
    ) -> None:
        """Land contributed as shares (土地入股): recorded in the equity register, not booked."""
        for name, value in (("mu", mu), ("grade", grade)):
            if not value.is_finite() or value <= 0:
                raise InvalidRequestError(f"{name} must be a positive number", field=name)
        if term_years < 1:
            raise InvalidRequestError("term_years must be at least 1", field="term_years")
        add_years(date, term_years)  # the term's end must be a date before anything is saved
        self._check_open(date)
        self._land_share_contributed(
            village=village,
            mu=mu,
            grade=grade,
            value_per_mu=value_per_mu,
            term_years=term_years,
            date=date,
            actor=actor,
        )

    @event("LandShareContributed")
    def _land_share_contributed(
        self,
        *,
        village: str,
        mu: Decimal,
        grade: Decimal,
        value_per_mu: Money,
        term_years: int,
        date: datetime.date,
        actor: str,
    ) -> None:
        self.land.setdefault(village, []).append(
            {
                "date": date.isoformat(),
                "mu": str(mu),
                "grade": str(grade),
                "term_years": term_years,
                "value_per_mu_fen": to_fen(value_per_mu),
            }
        )

    def receive_grant(
        self, *, programme: str, amount: Money, date: datetime.date, memo: str, actor: str
    ) -> JournalEntry:
        """A grant earmarked for a programme (借 102, 贷 241 专项应付款-programme)."""
        name = programme_name(programme)
        self.ensure_account(
            f"241{programme}", f"专项应付款-{name}", actor=actor, source=f"grant:{programme}"
        )
        entry = self.prepare_entry(
            date=date,
            memo=memo or f"收到{name}",
            postings=[
                {"account": "102", "side": "debit", "amount": amount},
                {"account": f"241{programme}", "side": "credit", "amount": amount},
            ],
        )
        self._grant_received(entry=entry, programme=programme, amount=amount, actor=actor)
        return entry

    @event("GrantReceived")
    def _grant_received(
        self, *, entry: JournalEntry, programme: str, amount: Money, actor: str
    ) -> None:
        self._record_entry(entry)


def _summaries(
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
