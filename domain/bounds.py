"""Bounds the store can hold: every number and text a command accepts fits every column it
reaches, on SQLite and PostgreSQL alike, and every sum a read model keeps fits a signed 64-bit
fen column.

The limits are chosen as a township accountant (乡镇农经站) would: far above any village
collective's or alliance's real figures, far below what a database column or a rendered sheet
cannot hold.

- Money (in ``ledger.money`` and ``ledger.entries``, where money is parsed): at most
  ¥10,000,000,000.00 per posting or amount, at most ¥100,000,000,000.00 per entry (the sum of
  its debits), at most 1,000 postings per entry. A read model's largest sum (one account's
  debits over all the years of one entity) would need more than 92,000 entries of the largest
  possible size to pass 2^63 fen; should a hostile client try, the projection stops on that
  event and the views that need it answer 503 (``projections.runner``) — the store survives.
- People and households (population, households, expected, present, votes): 0 … 1,000,000; the
  largest villages in China have some tens of thousands of residents. These land in 32-bit
  integer columns.
- Land: at most 1,000,000 mu per contribution or rent (a county's farmland is of that order),
  grade 0 … 100, at most 4 decimal places; share units per member and kind 0 … 1,000,000,
  4 places; percentages 0 … 100.
- Text: names, memos, reasons and the like at most 200 characters (notes and opinions 500),
  codes 1 … 32 of ``A-Z a-z 0-9 _ -``; no control characters (NUL included: PostgreSQL text
  cannot hold it, and the XLSX and PDF sheets cannot render the others), no lone surrogates and
  no non-characters U+FFFE/U+FFFF. Multi-line text (a step's minutes, a note) may contain line
  breaks and tabs; everything else is one line.

:func:`check_event` is the last line: the application's mapper runs it on every event before
it is stored, so a command that forgets a check still cannot write what a column refuses.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent
from moneyed import Money

from domain.errors import InvalidRequestError
from ledger.entries import JournalEntry

MAX_PEOPLE = 1_000_000
"""Population, households, members present or voting: at most this many."""
MAX_MU = Decimal(1_000_000)
MAX_UNITS = Decimal(1_000_000)
MAX_PERCENT = Decimal(100)
MAX_GRADE = MAX_PERCENT
"""A land grade is scored like a percentage (0 … 100): one bound for both, not two that could
drift apart."""
DECIMAL_PLACES = 4
MAX_DECIMAL_TEXT = 20
"""A decimal written as text (mu, grade, units, percent) has at most this many characters."""
MAX_TEXT = 200
MAX_LONG_TEXT = 500
MAX_CODE = 32
MAX_POSTINGS = 1000
MIN_YEAR, MAX_YEAR = 2000, 2100
"""Years of agreements, dividends and rents."""
FIRST_DAY, LAST_DAY = datetime.date(1950, 1, 1), datetime.date(2100, 12, 31)
"""Every date a command or a query takes lies in these years (date arithmetic on a year near
9999 would overflow)."""
YEAR_PATTERN = "(19[5-9][0-9]|20[0-9][0-9]|2100)"
MONTH_PATTERN = f"^{YEAR_PATTERN}-(0[1-9]|1[0-2])$"
PERIOD_PATTERN = f"^{YEAR_PATTERN}(-Q[1-4]|-(0[1-9]|1[0-2]))?$"
MAX_OFFSET = 1_000_000_000
MAX_POSITION = 2**62
INT64 = 2**63

# One-line text: no control character at all (C0, DEL, C1), no surrogates or non-characters.
_ONE_LINE_BAD = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Multi-line text: line feed, carriage return and tab are allowed.
_MULTI_LINE_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

ONE_LINE_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f\\ufffe\\uffff]*$"
"""The same rule as a JSON-schema pattern (surrogates cannot reach a validated str)."""
MULTI_LINE_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ufffe\\uffff]*$"


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def bad_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character of ``text`` the store must not hold, described, or None."""
    found = (_MULTI_LINE_BAD if multiline else _ONE_LINE_BAD).search(text)
    return None if found is None else _describe(found.group())


def check_text(
    value: object,
    *,
    field: str,
    max_length: int = MAX_TEXT,
    multiline: bool = False,
    required: bool = False,
) -> str:
    """``value`` if it is text the store can hold, else InvalidRequestError naming ``field``."""
    if not isinstance(value, str):
        raise InvalidRequestError(f"{field} must be text, not {value!r}", field=field)
    if required and not value.strip():
        raise InvalidRequestError(f"{field} must not be empty", field=field)
    if len(value) > max_length:
        raise InvalidRequestError(
            f"{field} has {len(value)} characters; at most {max_length} are allowed", field=field
        )
    bad = bad_character(value, multiline=multiline)
    if bad is not None:
        lines = "" if multiline else " or line breaks"
        raise InvalidRequestError(
            f"{field} contains the control character {bad}; text may not contain control "
            f"characters{lines}",
            field=field,
        )
    return value


def check_count(value: object, *, field: str, maximum: int = MAX_PEOPLE) -> int:
    """A whole number 0 … ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise InvalidRequestError(
            f"{field} must be a whole number from 0 to {maximum:,}, not {value!r}", field=field
        )
    return value


def check_decimal(
    value: object,
    *,
    field: str,
    maximum: Decimal,
    places: int = DECIMAL_PLACES,
    positive: bool = False,
) -> Decimal:
    """A decimal 0 (or above 0 when ``positive``) … ``maximum`` with at most ``places`` places,
    given as a plain decimal string, int or Decimal."""
    refusal = (
        f"{field} must be a decimal {'above' if positive else 'from'} 0 "
        f"{'and at most' if positive else 'to'} {maximum:,} with at most {places} decimal "
        f'places, written like "12.5", not {value!r}'
    )
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise InvalidRequestError(refusal, field=field)
    if isinstance(value, str) and (
        len(value) > MAX_DECIMAL_TEXT or not re.fullmatch(r"[0-9]+(\.[0-9]+)?", value)
    ):
        raise InvalidRequestError(refusal, field=field)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise InvalidRequestError(refusal, field=field) from None
    exponent = number.as_tuple().exponent
    if (
        not number.is_finite()
        or not isinstance(exponent, int)
        or -exponent > places
        or number < 0
        or (positive and number == 0)
        or number > maximum
    ):
        raise InvalidRequestError(refusal, field=field)
    return number


# -- the last line: every event, before it is stored ----------------------------------------------

_MULTI_LINE_FIELDS = frozenset({"body", "note", "opinion", "content", "rule", "result"})


def check_event(event: object) -> None:
    """Refuse an event holding a value no column can keep: an integer outside signed 64 bits,
    or text with a character the store must not hold (control characters; line breaks only in
    multi-line fields such as a step's minutes).

    Raises:
        InvalidRequestError: naming the event's field at fault (``memo``, ``postings[1].memo``).
    """
    for name, value in vars(event).items():
        if name in ("originator_id", "originator_version", "timestamp"):
            continue
        if type(value) in (list, tuple) and _lists_clean(value):
            continue
        _check_value(value, name, multiline=name in _MULTI_LINE_FIELDS)


def _lists_clean(value: list[Any] | tuple[Any, ...]) -> bool:
    """Whether nested lists of text and integers (a batch of vouchers in the books' compact
    shape, ``domain/books/batch.py``; an import's numbers) hold only one-line text and
    integers within 64 bits: one search over all the texts instead of a walk per value.
    Anything else in them (or a text found wanting) is walked, and refused naming its place."""
    texts: list[str] = []
    pending: list[list[Any] | tuple[Any, ...]] = [value]
    while pending:
        for item in pending.pop():
            kind = type(item)
            if kind is str:
                texts.append(item)
            elif kind is list or kind is tuple:
                pending.append(item)
            elif kind is not int or not -INT64 <= item < INT64:
                return False
    return bad_character(" ".join(texts)) is None


def _entry_texts_clean(entry: JournalEntry) -> bool:
    """Whether every text of a journal entry is one line without a bad character: one search
    over all of them (the common case of every posting's save), instead of a walk per field."""
    texts = [entry.number, entry.memo, entry.reverses or ""]
    for posting in entry.postings:
        texts.append(posting.account)
        texts.append(posting.memo)
    return bad_character(" ".join(texts)) is None


def _check_value(value: Any, path: str, *, multiline: bool) -> None:
    if isinstance(value, JournalEntry) and _entry_texts_clean(value):
        return  # its other fields are a date, Money and an Enum, checked when it was built
    if isinstance(value, str):
        bad = bad_character(value, multiline=multiline)
        if bad is not None:
            raise InvalidRequestError(
                f"{path} contains the control character {bad}; text may not contain control "
                "characters",
                field=path,
            )
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not -INT64 <= value < INT64:
            raise InvalidRequestError(f"{path} is too large: {value}", field=path)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _check_value(key, path, multiline=False)
            _check_value(item, f"{path}.{key}", multiline=multiline)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for index, item in enumerate(value):
            _check_value(item, f"{path}[{index}]", multiline=multiline)
    elif isinstance(value, (Decimal, datetime.date, Enum, Money, UUID)):
        return
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        for name, item in vars(value).items():
            _check_value(item, f"{path}.{name}", multiline=multiline)


def check_shares(shares: Mapping[str, object], *, field: str = "shares") -> None:
    """Share units per kind: the kind a short one-line text, the units 0 … MAX_UNITS."""
    if len(shares) > 20:
        raise InvalidRequestError(f"{field}: at most 20 kinds of shares, not {len(shares)}")
    for kind, units in shares.items():
        check_text(kind, field=f"{field} (kind)", max_length=MAX_TEXT, required=True)
        check_decimal(units, field=f"{field}.{kind}", maximum=MAX_UNITS)


_PEOPLE_FIELDS = ("expected", "present", "votes_for", "votes_against", "abstentions")


def check_people(details: Mapping[str, object]) -> None:
    """Counts of people at a meeting (四议两公开): each 0 … MAX_PEOPLE when given."""
    for name in _PEOPLE_FIELDS:
        if details.get(name) is not None:
            check_count(details[name], field=name)


class BoundedMapper(Mapper[UUID]):
    """The application's mapper: :func:`check_event` on every event before it is stored."""

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        check_event(domain_event)
        return super().to_stored_event(domain_event)
