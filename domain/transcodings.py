"""Registered transcodings for the value types stored in events (no pickles).

Each has a stable ``name``: it is written into every stored event, so renaming one is a schema
change. Money is stored as its plain two-place string (the currency is always CNY).
"""

from __future__ import annotations

import datetime
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding
from moneyed import Money

from ledger.accounts import Side
from ledger.entries import JournalEntry, Posting
from ledger.money import amount_str, money


class MoneyAsStr(Transcoding):
    type = Money
    name = "cny"

    def encode(self, obj: Money) -> str:
        return amount_str(obj)

    def decode(self, data: str) -> Money:
        return money(data, allow_negative=True)


class DateAsISO(Transcoding):
    type = datetime.date
    name = "date"

    def encode(self, obj: datetime.date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> datetime.date:
        return datetime.date.fromisoformat(data)


class PostingAsDict(Transcoding):
    type = Posting
    name = "posting"

    def encode(self, obj: Posting) -> dict[str, Any]:
        return {
            "account": obj.account,
            "side": obj.side.value,
            "amount": obj.amount,
            "memo": obj.memo,
        }

    def decode(self, data: dict[str, Any]) -> Posting:
        return Posting(
            account=data["account"],
            side=Side(data["side"]),
            amount=data["amount"],
            memo=data["memo"],
        )


class JournalEntryAsDict(Transcoding):
    type = JournalEntry
    name = "journal_entry"

    def encode(self, obj: JournalEntry) -> dict[str, Any]:
        return {
            "date": obj.date,
            "number": obj.number,
            "memo": obj.memo,
            "postings": list(obj.postings),
            "reverses": obj.reverses,
        }

    def decode(self, data: dict[str, Any]) -> JournalEntry:
        return JournalEntry(
            date=data["date"],
            number=data["number"],
            memo=data["memo"],
            postings=tuple(data["postings"]),
            reverses=data["reverses"],
        )


def register_all(transcoder: JSONTranscoder) -> None:
    for transcoding in (MoneyAsStr(), DateAsISO(), PostingAsDict(), JournalEntryAsDict()):
        transcoder.register(transcoding)
