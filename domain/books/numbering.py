"""The voucher numbers a set of books gives (``domain.books.Books``): per year (``2025-0015``)
or per month and 凭证字 (``2026-07-J-0003``, ``ledger.voucher_numbers``), as the township chose.

Decisions:

- **A year keeps its scheme.** The first entry a set of books records in a year fixes that
  year's scheme (read back from its number, so books written before the setting existed are
  yearly for every year they have entries in, with nothing stored for it); a year without
  entries takes the township's setting when its first entry is posted. A township that changes
  to monthly numbering in July keeps yearly numbers in its books for the rest of that year,
  and numbers monthly from 1 January.
- **Numbers never leave their month.** An entry dated in an earlier open month takes that
  month's next number for its word; numbers are given when the entry is posted (审核/记账),
  in the order of posting within the month and word, and never changed afterwards: a voucher
  dated the 5th posted after one dated the 20th has the next number. They are cited by
  red-ink reversals, published 三公开 sheets, the signed log and printed vouchers already
  filed, so there is no 整理凭证号 (renumbering); the books list entries by date, then number.
- **The township's setting reaches the books when they are loaded** (``Port.get_books``,
  :meth:`Books.follow`); it is not part of their state (a snapshot leaves it out). Books that
  were never given one (built outside an application, as the unit tests do) number yearly
  with 记, as every book did before the setting existed.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Snapshot

from domain.errors import InvalidRequestError
from ledger.entries import JournalEntry
from ledger.voucher_numbers import (
    MONTHLY,
    SINGLE,
    SPLIT,
    YEARLY,
    VoucherNumber,
    month_sequence,
    monthly_number,
    number_label,
    number_word,
    parse_number,
    words_for,
    yearly_number,
)

# a number as the books write it (``ledger.voucher_numbers``): year, then month and word
_RECORDED = re.compile(r"([0-9]{4})-(?:((?:0[1-9]|1[0-2])-[JSFZ])-)?([0-9]{4}|[1-9][0-9]{4,})")

CHOICE = "_numbering_choice"
"""Where the township's choice sits on the books while they are loaded (never in a snapshot)."""


@dataclass(frozen=True)
class NumberingChoice:
    """What the books need of the township's settings: ``numbering`` (monthly or yearly) for
    a year without entries, and its 凭证字 (``single``: 记; ``split``: 收/付/转)."""

    numbering: str = YEARLY
    words: str = SINGLE


BARE = NumberingChoice()
"""The choice of books given none: yearly, 记 (how books were numbered before the setting)."""


class ChoiceSource:
    """The township's choice, read when the books first need it (a year without entries, or a
    monthly year's 凭证字), once per load: books numbering yearly never ask."""

    def __init__(self, fetch: Callable[[], NumberingChoice]) -> None:
        self._fetch = fetch
        self._found: NumberingChoice | None = None

    def __call__(self) -> NumberingChoice:
        if self._found is None:
            self._found = self._fetch()
        return self._found

    def __deepcopy__(self, memo: dict[int, Any]) -> ChoiceSource:
        return self  # a copy of the books asks the same township


@dataclass(frozen=True)
class NumberAtEntry:
    """The number a voucher has (``posted``) or would take if it were posted now, as a voucher
    form and the API show it: the stored form, the label, its 凭证字, the year's scheme and the
    words the lines allow (the automatic one first; none under yearly numbering)."""

    entity: str
    number: str | None
    numbering: str
    words: tuple[str, ...] = ()
    posted: bool = False

    @property
    def label(self) -> str | None:
        return None if self.number is None else number_label(self.number)

    @property
    def word(self) -> str | None:
        return None if self.number is None else number_word(self.number)

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "number": self.number,
            "label": self.label,
            "word": self.word,
            "numbering": self.numbering,
            "words": list(self.words),
            "posted": self.posted,
        }

    @staticmethod
    def of_posted(entity: str, number: str) -> NumberAtEntry:
        word = number_word(number)
        return NumberAtEntry(
            entity=entity,
            number=number,
            numbering=YEARLY if word is None else MONTHLY,
            words=() if word is None else (word,),
            posted=True,
        )


def pairs_of(rows: Iterable[Mapping[str, Any]] | Iterable[Any]) -> list[tuple[str, str]]:
    """``(account, side)`` of raw postings (mappings) or ``Posting`` objects, as far as they
    can be read (a malformed row is refused by the entry's own checks)."""
    found = []
    for row in rows:
        if isinstance(row, Mapping):
            account, side = row.get("account"), row.get("side")
        else:
            account, side = getattr(row, "account", None), getattr(row, "side", None)
        found.append((str(account or ""), str(getattr(side, "value", side) or "")))
    return found


class Counters:
    """The counters of a set of books (their state): ``sequences`` (year → last yearly
    number), ``month_sequences`` (``2026-07-J`` → last serial) and ``year_schemes`` (year →
    its scheme, once the year has an entry)."""

    def __init__(
        self,
        sequences: dict[str, int],
        month_sequences: dict[str, int],
        year_schemes: dict[str, str],
        choice: NumberingChoice | Callable[[], NumberingChoice],
    ) -> None:
        self.sequences = sequences
        self.month_sequences = month_sequences
        self.year_schemes = year_schemes
        self._choice = choice

    @property
    def choice(self) -> NumberingChoice:
        """The township's choice (asked for only when it is needed)."""
        found = self._choice
        return found if isinstance(found, NumberingChoice) else found()

    def scheme(self, year: int) -> str:
        """The scheme of ``year``: its entries', else the township's."""
        return self.year_schemes.get(f"{year:04d}") or self.choice.numbering

    def word(
        self, rows: Iterable[Any], wanted: str | None, *, strict: bool, day: datetime.date
    ) -> str:
        """The 凭证字 of an entry with ``rows``: ``wanted`` when the township's words allow it
        for these lines, else the automatic one (``strict``: a word that does not fit is
        refused, in Chinese)."""
        allowed = words_for(pairs_of(rows), self.choice.words)
        if not wanted or wanted in allowed:
            return wanted or allowed[0]
        if strict:
            raise word_refused(wanted, allowed, self.choice.words, day)
        return allowed[0]

    def next_number(
        self,
        day: datetime.date,
        rows: Iterable[Any] = (),
        word: str | None = None,
        *,
        strict: bool = False,
        after: int = 0,
    ) -> str:
        """The number the next entry dated ``day`` takes (``after`` more entries of the same
        sequence being numbered first, as the 年终结转 entries are)."""
        if self.scheme(day.year) == YEARLY:
            year = f"{day.year:04d}"
            return yearly_number(day.year, self.sequences.get(year, 0) + 1 + after)
        chosen = self.word(rows, word, strict=strict, day=day)
        key = month_sequence(day.year, day.month, chosen)
        return monthly_number(
            day.year, day.month, chosen, self.month_sequences.get(key, 0) + 1 + after
        )

    def at_entry(
        self, entity: str, day: datetime.date, rows: Iterable[Any], word: str | None
    ) -> NumberAtEntry:
        """What a voucher dated ``day`` with ``rows`` (and the clerk's ``word``) would take."""
        scheme = self.scheme(day.year)
        allowed = words_for(pairs_of(rows), self.choice.words) if scheme == MONTHLY else ()
        return NumberAtEntry(
            entity=entity,
            number=self.next_number(day, rows, word),
            numbering=scheme,
            words=allowed,
        )

    def record(self, number: str) -> None:
        """Count an entry recorded with ``number`` (its year's scheme fixed by the first)."""
        quick = _RECORDED.fullmatch(number) if type(number) is str else None
        if quick is not None and quick[3] != "0000":  # as stored: read without parsing
            year, sequence = quick[1], quick[2]
            if sequence is None:
                self.sequences[year] = self.sequences.get(year, 0) + 1
                self.year_schemes.setdefault(year, YEARLY)
            else:
                key = f"{year}-{sequence}"
                self.month_sequences[key] = self.month_sequences.get(key, 0) + 1
                self.year_schemes.setdefault(year, MONTHLY)
            return
        found = parse_number(number)
        if found is None:  # pragma: no cover - the books number every entry they record
            raise ValueError(f"{number!r} is not a voucher number")
        year = f"{found.year:04d}"
        if found.month is None:
            self.sequences[year] = self.sequences.get(year, 0) + 1
            self.year_schemes.setdefault(year, YEARLY)
        else:
            key = found.sequence
            self.month_sequences[key] = self.month_sequences.get(key, 0) + 1
            self.year_schemes.setdefault(year, MONTHLY)

    def has(self, number: str) -> bool:
        """Whether ``number`` is within its sequence (the books number consecutively)."""
        found = parse_number(number)
        if found is None:
            return False
        if found.month is None:
            return found.serial <= self.sequences.get(f"{found.year:04d}", 0)
        return found.serial <= self.month_sequences.get(found.sequence, 0)

    def numbers(self) -> list[str]:
        """Every number given, yearly ones first by year, then by month and word."""
        yearly = [
            yearly_number(int(year), serial)
            for year, count in sorted(self.sequences.items())
            for serial in range(1, count + 1)
        ]
        monthly = []
        for key, count in sorted(self.month_sequences.items()):
            sample = parse_number(f"{key}-0001")
            assert isinstance(sample, VoucherNumber) and sample.month and sample.word
            monthly += [
                monthly_number(sample.year, sample.month, sample.word, serial)
                for serial in range(1, count + 1)
            ]
        return yearly + monthly


def word_refused(
    wanted: str, allowed: tuple[str, ...], words: str, day: datetime.date
) -> InvalidRequestError:
    """The refusal of a 凭证字 that does not fit the lines or the township's words."""
    if words != SPLIT:
        zh = f"本乡镇的凭证只用记字，不能用“{wanted}”字"
        en = f"this township numbers every voucher 记, not {wanted}"
    else:
        zh = (
            f"{day} 的凭证按分录只能是“{'”或“'.join(allowed)}”字，不能用“{wanted}”字："
            "借记库存现金或银行存款的是收字，贷记的是付字，都不涉及的是转字"
        )
        en = f"the lines make this voucher {' or '.join(allowed)}, not {wanted}"
    return InvalidRequestError(en, field="word", zh=zh)


def upcast_v2_v3(state: dict[str, Any]) -> None:
    """Snapshots of version 2 counted yearly numbers only: every year they have is yearly."""
    state.setdefault("month_sequences", {})
    state.setdefault("year_schemes", dict.fromkeys(state.get("sequences", {}), YEARLY))


class BooksNumbering:
    """The numbering half of the books (``domain.books.Books`` takes it; a plain mixin, no
    event here): the township's choice as the application gives it, and the numbers."""

    if TYPE_CHECKING:
        code: str
        sequences: dict[str, int]
        month_sequences: dict[str, int]
        year_schemes: dict[str, str]

    def follow(self, choice: NumberingChoice | ChoiceSource) -> None:
        """Number as the township chose (given by the application each time it loads the
        books, or where to ask for it; not part of their state)."""
        self.__dict__[CHOICE] = choice

    @property
    def numbering_choice(self) -> NumberingChoice:
        found = self.__dict__.get(CHOICE)
        if isinstance(found, ChoiceSource):
            return found()
        return found if isinstance(found, NumberingChoice) else BARE

    @property
    def counters(self) -> Counters:
        """The books' voucher counters with the township's choice (reading and numbering; the
        choice is asked for only when a number needs it)."""
        found = self.__dict__.get(CHOICE)
        choice = found if isinstance(found, (NumberingChoice, ChoiceSource)) else BARE
        return Counters(self.sequences, self.month_sequences, self.year_schemes, choice)

    def next_number(
        self,
        day: datetime.date,
        postings: Iterable[Any] = (),
        word: str | None = None,
        *,
        strict: bool = False,
    ) -> str:
        """The number an entry dated ``day`` with ``postings`` would take now (``word``: the
        clerk's 凭证字, refused when it does not fit and ``strict``)."""
        return self.counters.next_number(day, postings, word, strict=strict)

    def number_at_entry(
        self, day: datetime.date, postings: Iterable[Any] = (), word: str | None = None
    ) -> NumberAtEntry:
        """:meth:`next_number` as a voucher form shows it (label, 凭证字, the words allowed)."""
        return self.counters.at_entry(self.code, day, list(postings), word)

    def checked_word(self, entry: JournalEntry, word: str | None) -> JournalEntry:
        """``entry`` once the 凭证字 a clerk chose (``word``) fits its lines and the township's
        words (refused in Chinese otherwise; nothing to check under yearly numbering)."""
        if word:
            self.next_number(entry.date, entry.postings, word, strict=True)
        return entry

    def reversal_number(self, day: datetime.date, original: JournalEntry) -> str:
        """The number of a red-ink reversal of ``original`` dated ``day``: the original's
        凭证字 where the township's words still allow it."""
        return self.next_number(day, original.postings, number_word(original.number))

    def year_end_numbers(self, year: int) -> Callable[[int], str]:
        """The numbers of the 年终结转 entries of ``year`` (dated 31 December, none touching
        cash, so one sequence): the k-th takes the k-th next number."""
        day = datetime.date(year, 12, 31)
        counters = self.counters
        return lambda k: counters.next_number(day, after=k)


class BooksSnapshot(Snapshot):
    """A snapshot of the books' state (``Books.Snapshot``): without the township's numbering
    choice, which the application gives the books each time it loads them."""

    @classmethod
    def take(cls, aggregate: Any) -> Any:
        snapshot = super().take(aggregate)
        snapshot.state.pop(CHOICE, None)
        return snapshot
