"""What every request and answer body shares: the field types with the bounds of
``domain.bounds`` (amounts as strings, codes, one-line and multi-line text, dates, periods,
months, years) and ``Strict``, the base of every request body (unknown keys refused)."""

from __future__ import annotations

import datetime
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr

from domain.bounds import (
    FIRST_DAY,
    LAST_DAY,
    MAX_CODE,
    MAX_LONG_TEXT,
    MAX_OFFSET,
    MAX_PEOPLE,
    MAX_POSITION,
    MAX_TEXT,
    MAX_YEAR,
    MIN_YEAR,
    MONTH_PATTERN,
    MULTI_LINE_PATTERN,
    ONE_LINE_PATTERN,
    PERIOD_PATTERN,
)

Amount = Annotated[
    StrictStr,
    Field(
        pattern=r"^-?[0-9]{1,11}(\.[0-9]{1,2})?$",
        examples=["1200.00"],
        description="yuan as a decimal string with at most two places; never a JSON number; "
        "at most 10000000000.00 (¥10 billion) per amount, ¥100 billion per entry",
    ),
]
DecimalText = Annotated[
    StrictStr,
    Field(
        pattern=r"^[0-9]{1,11}(\.[0-9]{1,4})?$",
        max_length=20,
        examples=["500", "1.0"],
        description="a non-negative decimal written as a string, at most 4 places; never a JSON "
        "number (mu and share units at most 1000000, grade and percentages at most 100)",
    ),
]
Code = Annotated[
    StrictStr,
    Field(min_length=1, max_length=MAX_CODE, pattern=r"^[A-Za-z0-9_-]+$", examples=["V01"]),
]
Text = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=MAX_TEXT,
        pattern=ONE_LINE_PATTERN,
        description="one line of text: no control characters or line breaks",
    ),
]
OptionalText = Annotated[
    StrictStr, Field(max_length=MAX_TEXT, pattern=ONE_LINE_PATTERN, description="one line")
]
LongText = Annotated[
    StrictStr,
    Field(
        max_length=MAX_LONG_TEXT,
        pattern=MULTI_LINE_PATTERN,
        description="text that may span lines (line breaks and tabs, no other control characters)",
    ),
]
MultiLineText = Annotated[
    StrictStr, Field(min_length=1, max_length=MAX_TEXT, pattern=MULTI_LINE_PATTERN)
]
People = Annotated[int, Field(ge=0, le=MAX_PEOPLE, strict=True)]
Day = Annotated[
    datetime.date,
    Field(ge=FIRST_DAY, le=LAST_DAY, description="a calendar date from 1950-01-01 to 2100-12-31"),
]
# Query parameters: the same bounds, as FastAPI ``Query`` constraints.
DayQuery = Query(ge=FIRST_DAY, le=LAST_DAY, description="a date from 1950-01-01 to 2100-12-31")
OffsetQuery = Query(ge=0, le=MAX_OFFSET, description="how many to skip")
PositionQuery = Query(
    alias="as_of_position",
    ge=0,
    le=MAX_POSITION,
    description="as the log stood after this event",
)
PeriodText = Annotated[
    StrictStr,
    Field(
        pattern=PERIOD_PATTERN,
        examples=["2026-Q1"],
        description="2025 (year), 2025-Q1 (quarter) or 2025-03 (month), 1950 to 2100",
    ),
]
Programme = Annotated[
    StrictStr, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$", examples=["CZFC"])
]
Account = Annotated[
    StrictStr, Field(min_length=3, max_length=40, pattern=r"^[A-Za-z0-9]+$", examples=["102"])
]
Month = Annotated[StrictStr, Field(pattern=MONTH_PATTERN, examples=["2025-03"])]
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR, strict=True)]


def _in_utc(value: datetime.datetime) -> datetime.datetime:
    """A moment the store recorded in UTC: SQLite hands it back without its offset (PostgreSQL
    with it), and a date-time without an offset is not one (RFC 3339, as the OpenAPI document
    promises): answered with ``Z`` on both stores."""
    if value.tzinfo is None:
        return value.replace(tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC)


Moment = Annotated[
    datetime.datetime, AfterValidator(_in_utc), Field(description="a moment, in UTC")
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
