"""Test builders: random codes so runs never collide, and readable defaults."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from domain.application import LianzhangApplication

TOWNSHIP = "唐坊镇"
COUNTY = "高青县"
OPENING = datetime.date(2025, 1, 1)


def code(prefix: str = "V") -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def posting(account: str, side: str, amount: str, memo: str = "") -> dict[str, str]:
    return {"account": account, "side": side, "amount": amount, "memo": memo}


def receipt(amount: str, *, income: str = "504") -> list[dict[str, str]]:
    """Money received into the bank: 借 102 银行存款, 贷 an income account."""
    return [posting("102", "debit", amount), posting(income, "credit", amount)]


OPENING_BALANCES = [
    posting("102", "debit", "500000.00"),
    posting("101", "debit", "2000.00"),
    posting("301", "credit", "400000.00"),
    posting("311", "credit", "102000.00"),
]


def village(
    app: LianzhangApplication,
    *,
    village_code: str | None = None,
    township: str = TOWNSHIP,
    opening: list[dict[str, str]] | None = OPENING_BALANCES,
    **overrides: Any,
) -> str:
    """Register a village (with opening balances unless ``opening=None``); returns its code."""
    village_code = village_code or code("V")
    app.books.register_village(
        code=village_code,
        name=overrides.get("name", "测试村"),
        township=township,
        county=COUNTY,
        population=overrides.get("population", 1000),
        households=overrides.get("households", 300),
        flags=overrides.get("flags", ()),
        actor="tester",
    )
    if opening is not None:
        app.books.set_opening_balances(
            entity=village_code, as_of=OPENING, balances=opening, actor="tester"
        )
    return village_code


def alliance(app: LianzhangApplication, *, township: str = TOWNSHIP) -> str:
    alliance_code = code("A")
    app.alliances.form_alliance(
        code=alliance_code,
        name="测试联村党委",
        township=township,
        county=COUNTY,
        model="村企联建",
        formed_on=OPENING,
        actor="tester",
    )
    return alliance_code


def review_posts(app: LianzhangApplication, township: str = TOWNSHIP) -> None:
    """The township chooses 审核即记账 (the reviewer's approval posts), its numbering kept: for
    tests whose subject is not the two steps of 审核 and 记账."""
    numbering = app.township.choices(township).numbering
    app.township.choose(township, numbering=numbering, review_posts=True, actor="tester")


def execute_plan(
    app: LianzhangApplication,
    code: str,
    date: datetime.date,
    *,
    actor: str = "tester",
    requester: str = "requester",
    **options: Any,
) -> Any:
    """Execute plan ``code`` as a township does: ``requester`` asks for it (提请执行), another
    person (``actor``) executes it."""
    app.plans.request_execution(code=code, date=date, actor=requester)
    return app.plans.execute_plan(code=code, date=date, actor=actor, **options)
