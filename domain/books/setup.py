"""建账: a set of books set up from what a township already has, in one save or not at all.

What a 三资 platform exports as a 科目余额表 comes in as one row per account (the leaves: a chart
account without sub-accounts, or a sub-account): its code and name, its balance at the start
of the year (年初余额), its debits and credits of the year before the books start (本年累计) and
its balance on the day they start (期初余额), each balance in a 借方 and a 贷方 column. The
command (``books.SetUpBooks``) checks them all (:func:`plan_setup`), then records in the
books' one save (:func:`record_setup`): every sub-account opened with its name (or renamed,
when a clerk opened it before under another), the 期初余额 (``OpeningBalancesSet``, as setting
opening balances always did) and, when the books start during a year, the year's figures
before that day (``YearFiguresRecorded``: 年初余额 and 本年累计 per account, fen).

The books run on the 期初余额 (cash guards, 结账, 年终结转); the statements read the year's
figures (``projections.opening_years``): the balance sheet's 年初数 is the 年初余额 and the
income statement's 本年累计 counts the 本年累计 as the year's, so the year's statements read as
if the whole year had been kept here.

Rules, each refused with a sentence in Chinese (nothing is written):

- the books have no opening balances, no entries and no closed month yet (建账 starts books);
- the books start on the first day of a month (``as_of``); on 1 January nothing happened
  before in the year, so every 本年累计 is zero;
- every code is a chart account or a sub-account of one (the chart's rule:
  ``ChartOfAccounts.new_sub_account_problem``), once; 321 takes no sub-account, 322 only its
  prescribed two; a sub-account has a name of 1 to 60 characters, not another sub-account's of
  the same chart account; a chart account with sub-accounts carries no figures of its own;
- per account 年初余额 + 本年累计借方 − 本年累计贷方 = 期初余额 (debit positive);
- 年初余额 and 期初余额 each balance (借方合计 = 贷方合计), and so do the 本年累计 columns;
- 库存现金 and 银行存款 have no credit balance (an overdraft is a 短期借款);
- 321 本年收益 has no 本年累计: this system moves the year's income into it at 年终结转 only,
  so a mid-year 科目余额表 whose platform closes income into 321 every month would leave the
  income statement short (export it before that closing, or reverse it first).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.books.chart import CLOSED_PARENTS, is_open, open_sub_accounts
from domain.bounds import bad_character
from domain.errors import ConflictError, InvalidRequestError
from ledger.accounts import MAX_NAME_LENGTH
from ledger.errors import InvalidAmountError
from ledger.money import MAX_AMOUNT, fen_text, money, to_fen

# the amount columns of a row, with the words a clerk reads them by
COLUMNS = {
    "year_start_debit": "年初余额借方",
    "year_start_credit": "年初余额贷方",
    "year_debit": "本年累计借方",
    "year_credit": "本年累计贷方",
    "opening_debit": "期初余额借方",
    "opening_credit": "期初余额贷方",
}
MAX_ACCOUNTS = 100_000  # a village paying 5,000 households holds 5,000 sub-accounts of 211
CASH = ("101", "102")


@dataclass(frozen=True)
class SetupAccount:
    """One account of a 建账, checked, in fen: balances debit positive."""

    code: str
    name: str
    year_start: int
    year_debit: int
    year_credit: int
    opening: int

    @property
    def has_figures(self) -> bool:
        return any((self.year_start, self.year_debit, self.year_credit, self.opening))


@dataclass(frozen=True)
class SetupPlan:
    """What a 建账 records: the accounts, the sub-accounts to open (code → name) and to rename
    (code → new name), and the balances' totals (fen) the preview shows."""

    entity: str
    as_of: datetime.date
    accounts: tuple[SetupAccount, ...]
    opened: dict[str, str] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)

    @property
    def mid_year(self) -> bool:
        """Whether the books start after 1 January (the year's figures are recorded)."""
        return (self.as_of.month, self.as_of.day) != (1, 1)

    @property
    def previous_month(self) -> str:
        """The month before the books' first: the statements count the 本年累计 in it."""
        year, month = self.as_of.year, self.as_of.month
        return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"

    def totals(self) -> dict[str, int]:
        """The six columns added up over every account (fen)."""
        found = dict.fromkeys(COLUMNS, 0)
        for a in self.accounts:
            found["year_start_debit"] += max(a.year_start, 0)
            found["year_start_credit"] += max(-a.year_start, 0)
            found["year_debit"] += a.year_debit
            found["year_credit"] += a.year_credit
            found["opening_debit"] += max(a.opening, 0)
            found["opening_credit"] += max(-a.opening, 0)
        return found

    def opening_rows(self) -> list[dict[str, object]]:
        """The 期初余额 as the rows ``Books.set_opening_balances`` takes."""
        return [
            {
                "account": a.code,
                "side": "debit" if a.opening > 0 else "credit",
                "amount": fen_text(abs(a.opening)),
            }
            for a in self.accounts
            if a.opening
        ]

    def year_figures(self) -> dict[str, dict[str, int]]:
        """年初余额 and 本年累计 per account, zeros left out (the ``YearFiguresRecorded``
        event's fields)."""
        return {
            "year_start": {a.code: a.year_start for a in self.accounts if a.year_start},
            "debits": {a.code: a.year_debit for a in self.accounts if a.year_debit},
            "credits": {a.code: a.year_credit for a in self.accounts if a.year_credit},
        }


def _yuan(fen: int) -> str:
    return fen_text(fen, symbol=True, separators=True)


def _balance(fen: int) -> str:
    """A balance as a 科目余额表 prints it: 借 ¥1,200.00, 贷 ¥300.00, 平."""
    if fen == 0:
        return "平"
    return f"{'借' if fen > 0 else '贷'} {_yuan(abs(fen))}"


def _amount(row: Mapping[str, object], name: str, index: int, where: str) -> int:
    value = row.get(name, "0")
    if value is None or value == "":
        value = "0"
    negative = name in ("year_debit", "year_credit")  # red ink may leave a column negative
    try:
        return to_fen(
            money(
                value,
                allow_negative=negative,
                field=f"accounts[{index}].{name}",
                maximum=MAX_AMOUNT,
            )
        )
    except InvalidAmountError as error:
        raise InvalidRequestError(
            str(error),
            field=f"accounts[{index}].{name}",
            zh=f"{where}的{COLUMNS[name]}“{value}”不是金额：请写成 1200.00 的样子"
            + ("" if negative else "（不能是负数）")
            + "，最多两位小数，不超过 100 亿元",
        ) from None


def refuse_started(books: Any) -> None:
    """建账 is for books that hold nothing yet."""
    code = books.code
    if books.opening_date is not None or books.sequences or books.closed_through:
        what = (
            f"期初余额（{books.opening_date} 起）"
            if books.opening_date is not None
            else "已记账的凭证或已结账的月份"
        )
        raise ConflictError(
            f"the books of {code} already have opening balances, entries or closed months; "
            "setting up books (建账) is for books that have none",
            field="entity",
            zh=f"{code} 的账簿已有{what}，不能再建账：建账只用于还没有期初余额和凭证的新账簿；"
            "已有的账请用凭证调整",
        )


def _check_as_of(as_of: datetime.date) -> None:
    if as_of.day != 1:
        raise InvalidRequestError(
            f"books are set up as of the first day of a month, not {as_of}",
            field="as_of",
            zh=f"建账日期应是某月的1日（如 {as_of.replace(day=1)}），不是 {as_of}",
        )


def _row_code(books: Any, row: Mapping[str, object], index: int) -> str:
    code = row.get("code")
    chart = books.chart
    where = f"accounts[{index}].code"
    if not isinstance(code, str) or not code.strip():
        raise InvalidRequestError(
            "every account needs its code", field=where, zh=f"第{index + 1}个科目没有科目编码"
        )
    code = code.strip()
    if len(code) <= 3:
        if code not in chart or len(code) != 3:
            raise InvalidRequestError(
                f"account {code} is not one of the 42 accounts of the chart (2023)",
                field=where,
                zh=f"科目编码 {code} 不是《农村集体经济组织会计制度》（2023）的一级科目，"
                "也不是其下的明细科目：请核对编码（一级科目是三位数，如 101、113、501）",
            )
        return code
    parent = code[:3]
    problem = chart.new_sub_account_problem(code, parent)
    if problem is not None:
        known = parent in {a.code for a in chart}
        raise InvalidRequestError(
            problem,
            field=where,
            zh=(
                f"科目编码 {code} 不认识：前三位 {parent} 不是 2023 年科目表的一级科目"
                if not known
                else f"明细科目编码 {code} 在 {parent} 之后只能是英文字母或数字（最多 32 位），"
                f"如 {parent}01、{parent}001"
            ),
        )
    if code in chart.prescribed:
        return code
    if parent in CLOSED_PARENTS:
        raise InvalidRequestError(
            f"{CLOSED_PARENTS[parent]}; {code} cannot be opened",
            field=where,
            zh=f"{parent} {chart.get(parent).name} 下不能开明细科目 {code}"
            + (
                "（年终结转记入本科目）"
                if parent == "321"
                else "（只有 32201 各项分配和 32202 未分配收益）"
            ),
        )
    return code


def _row_name(
    books: Any, code: str, row: Mapping[str, object], index: int, taken: dict[tuple[str, str], str]
) -> str:
    """The name of sub-account ``code``, checked: 1 to 60 characters, one line, not another
    sub-account's of the same chart account (``taken``: (parent, name) → code)."""
    name = row.get("name")
    text = name.strip() if isinstance(name, str) else ""
    where = f"accounts[{index}].name"
    if not text or len(text) > MAX_NAME_LENGTH or bad_character(text) is not None:
        raise InvalidRequestError(
            f"sub-account {code} needs a name of 1 to {MAX_NAME_LENGTH} characters on one line",
            field=where,
            zh=f"明细科目 {code} 需要一个名称（1 到 {MAX_NAME_LENGTH} 个字，不换行）",
        )
    other = taken.get((code[:3], text))
    if other is not None and other != code:
        raise InvalidRequestError(
            f"sub-accounts {other} and {code} are both named {text}",
            field=where,
            zh=f"明细科目 {other} 和 {code} 都叫“{text}”：同一科目下的明细科目名称不能相同",
        )
    taken[(code[:3], text)] = code
    return text


def _checked_row(
    books: Any, row: Mapping[str, object], index: int, taken: dict[tuple[str, str], str]
) -> SetupAccount:
    code = _row_code(books, row, index)
    subaccount = len(code) > 3 and code not in books.chart.prescribed
    name = _row_name(books, code, row, index, taken) if subaccount else books.chart.get(code).name
    where = f"科目 {code} {name}"
    figures = {n: _amount(row, n, index, where) for n in COLUMNS}
    account = SetupAccount(
        code=code,
        name=name,
        year_start=figures["year_start_debit"] - figures["year_start_credit"],
        year_debit=figures["year_debit"],
        year_credit=figures["year_credit"],
        opening=figures["opening_debit"] - figures["opening_credit"],
    )
    computed = account.year_start + account.year_debit - account.year_credit
    if computed != account.opening:
        raise InvalidRequestError(
            f"account {code}: the balance at the start of the year {fen_text(account.year_start)} "
            f"+ debits {fen_text(account.year_debit)} − credits {fen_text(account.year_credit)} "
            f"is {fen_text(computed)}, not the opening balance {fen_text(account.opening)}",
            field=f"accounts[{index}].opening_debit",
            zh=f"{where}：年初余额 {_balance(account.year_start)} + 本年累计借方 "
            f"{_yuan(account.year_debit)} − 本年累计贷方 {_yuan(account.year_credit)} = "
            f"{_balance(computed)}，与期初余额 {_balance(account.opening)} 不符"
            f"（相差 {_yuan(abs(computed - account.opening))}）",
        )
    if code.startswith(CASH) and account.opening < 0:
        raise InvalidRequestError(
            f"account {code} cannot open with a credit balance (an overdraft is a short-term "
            "loan, 201)",
            field=f"accounts[{index}].opening_credit",
            zh=f"{where}的期初余额在贷方（{_balance(account.opening)}）：库存现金和银行存款不能"
            "为负数，透支请记为 201 短期借款",
        )
    return account


def _check_totals(plan: SetupPlan) -> None:
    totals = plan.totals()
    for debit, credit, words, field_name in (
        ("year_start_debit", "year_start_credit", "年初余额", "year_start_debit"),
        ("year_debit", "year_credit", "本年累计发生额", "year_debit"),
        ("opening_debit", "opening_credit", "期初余额", "opening_debit"),
    ):
        if totals[debit] != totals[credit]:
            raise InvalidRequestError(
                f"{COLUMNS[debit]} total {fen_text(totals[debit])} ≠ {COLUMNS[credit]} total "
                f"{fen_text(totals[credit])}: the figures do not balance",
                field=f"accounts.{field_name}",
                zh=f"{words}不平衡：借方合计 {_yuan(totals[debit])}，贷方合计 "
                f"{_yuan(totals[credit])}，相差 {_yuan(abs(totals[debit] - totals[credit]))}："
                "请核对科目余额表",
            )


def _check_year(plan: SetupPlan, index_of: dict[str, int]) -> None:
    for account in plan.accounts:
        moved = account.year_debit or account.year_credit
        if moved and not plan.mid_year:
            raise InvalidRequestError(
                f"books set up on 1 January have nothing before them in the year; account "
                f"{account.code} has year-to-date figures",
                field=f"accounts[{index_of[account.code]}].year_debit",
                zh=f"1月1日建账，本年还没有发生额：科目 {account.code} {account.name} 的本年累计"
                "应为零（年初余额就是期初余额）",
            )
        if moved and account.code.startswith("321"):
            raise InvalidRequestError(
                "321 本年收益 has year-to-date figures: here the year's income is moved into 321 "
                "at the year-end closing only; export the trial balance before income is closed "
                "into 321",
                field=f"accounts[{index_of[account.code]}].year_credit",
                zh="321 本年收益 有本年累计发生额：本系统在年终结转时才把各项收入、支出转入本年"
                "收益，年中建账时收入、支出留在 5 字头的科目里。请导出月末结转损益之前的科目余额表"
                "（或在原平台冲回结转），否则今年的收益及收益分配表会少算这部分收益",
            )


def checked_accounts(
    books: Any, rows: Iterable[Mapping[str, object]], open_now: Mapping[str, str] | None = None
) -> list[SetupAccount]:
    """Each row checked on its own (code, name, amounts, 年初 + 借 − 贷 = 期初, cash), and no
    code twice; ``open_now``: the sub-accounts open in the books (code → name), whose names a
    new one may not take."""
    prescribed = books.chart.prescribed
    taken = {(c[:3], n): c for c, n in (open_now or {}).items() if c not in prescribed}
    accounts: list[SetupAccount] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        account = _checked_row(books, row, index, taken)
        if account.code in seen:
            raise InvalidRequestError(
                f"account {account.code} is given twice",
                field=f"accounts[{index}].code",
                zh=f"科目 {account.code} 出现了两次：每个科目只写一行",
            )
        seen.add(account.code)
        accounts.append(account)
    return accounts


def plan_setup(books: Any, as_of: datetime.date, rows: Iterable[Mapping[str, object]]) -> SetupPlan:
    """Every rule of a 建账 (module docstring) checked against ``books``; what it would record.

    Raises:
        ConflictError: the books already hold opening balances, entries or closed months.
        InvalidRequestError: the first row or total at fault (``field`` ``accounts[3].name``).
    """
    refuse_started(books)
    _check_as_of(as_of)
    rows = list(rows)
    if len(rows) > MAX_ACCOUNTS:
        raise InvalidRequestError(
            f"{len(rows):,} accounts; at most {MAX_ACCOUNTS:,}",
            field="accounts",
            zh=f"科目太多（{len(rows)} 个），一次最多 {MAX_ACCOUNTS} 个",
        )
    open_now = open_sub_accounts(books)
    accounts = checked_accounts(books, rows, open_now)
    index_of = {a.code: i for i, a in enumerate(accounts)}
    subs = {a.code[:3] for a in accounts if len(a.code) > 3}
    for account in accounts:
        parent = account.code
        if (
            len(parent) == 3
            and account.has_figures
            and (parent in subs or books.has_sub_accounts(parent))
        ):
            raise InvalidRequestError(
                f"account {parent} has sub-accounts; its figures belong to them",
                field=f"accounts[{index_of[parent]}].code",
                zh=f"科目 {parent} {account.name} 有明细科目，余额和发生额应记在明细科目上"
                f"（{parent} 只是它们的合计）",
            )
    opened = {
        a.code: a.name
        for a in accounts
        if len(a.code) > 3 and a.code not in books.chart.prescribed and not is_open(books, a.code)
    }
    renamed = {
        a.code: a.name
        for a in accounts
        if a.code in open_now
        and a.code not in books.chart.prescribed
        and open_now[a.code] != a.name
    }
    plan = SetupPlan(
        entity=books.code,
        as_of=as_of,
        accounts=tuple(accounts),
        opened=opened,
        renamed=renamed,
    )
    _check_year(plan, index_of)
    _check_totals(plan)
    return plan


def record_setup(books: Any, plan: SetupPlan, actor: str) -> None:
    """Record ``plan`` in ``books`` (not saved): the sub-accounts opened or renamed, the
    期初余额, and, for books starting during a year, the year's figures before them."""
    # checked as a whole by plan_setup (the clerk's opening, one by one, would read every open
    # sub-account for each: a village with 5,000 household sub-accounts)
    for code, name in plan.opened.items():
        books._account_opened(code=code, name=name, parent=code[:3], actor=actor, source=None)
    for code, name in plan.renamed.items():
        books._account_renamed(code=code, name=name, actor=actor)
    books.set_opening_balances(as_of=plan.as_of, balances=plan.opening_rows(), actor=actor)
    if plan.mid_year:
        books._year_figures_recorded(as_of=plan.as_of, **plan.year_figures(), actor=actor)
