"""The bounds hold in the domain too, so the command line, the demo and any other caller of the
application get the same refusals as the API (issue 12)."""

from __future__ import annotations

import datetime

import pytest

from domain.errors import InvalidRequestError
from ledger.errors import InvalidAmountError
from runtime.bootstrap import Runtime
from tests import builders
from tests.builders import posting, receipt


def test_the_application_refuses_what_the_store_cannot_hold(runtime: Runtime) -> None:
    app = runtime.app
    village = builders.village(app)
    head = runtime.views.head()
    with pytest.raises(InvalidRequestError) as refused:
        builders.village(app, population=3_000_000_000, opening=None)
    assert refused.value.field == "population"
    with pytest.raises(InvalidRequestError) as refused:
        app.books.post_entry(
            entity=village,
            date=datetime.date(2025, 3, 1),
            memo="租\x00金",
            postings=receipt("1.00"),
            actor="t",
        )
    assert refused.value.field == "entry.memo"  # where in the event: the entry's memo
    with pytest.raises(InvalidRequestError) as refused:
        app.books.post_entry(
            entity=village,
            date=datetime.date(2025, 3, 1),
            memo="租金",
            postings=[posting("102", "debit", "1.00", "a\x07b"), posting("504", "credit", "1.00")],
            actor="t",
        )
    assert refused.value.field == "entry.postings[0].memo"
    with pytest.raises(InvalidAmountError):
        app.books.post_entry(
            entity=village,
            date=datetime.date(2025, 3, 1),
            memo="租金",
            postings=receipt("10000000000.01"),
            actor="t",
        )
    with pytest.raises(InvalidAmountError, match="one entry moves at most"):
        app.books.post_entry(
            entity=village,
            date=datetime.date(2025, 3, 1),
            memo="租金",
            postings=receipt("10000000000.00") * 11,
            actor="t",
        )
    with pytest.raises(InvalidRequestError) as refused:
        app.books.register_village(
            code=builders.code("V"),
            name="村",
            township="唐坊镇",
            county="高青县",
            population=1,
            households=1,
            flags=["a\x00"],
            actor="t",
        )
    assert refused.value.field is not None and refused.value.field.startswith("flags")
    assert runtime.views.head() == head  # nothing was written
    runtime.views.catch_up()
    assert runtime.views.stuck == {}
