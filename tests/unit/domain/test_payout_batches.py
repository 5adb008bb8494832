"""A household plan of a large village pays more households than one entry may hold
(ledger.entries.MAX_POSTINGS): its declaration and payment are posted in balanced batches."""

from __future__ import annotations

from decimal import Decimal

from domain.distribution import PAYEES_PER_ENTRY, declarations, payout_entries
from ledger.entries import MAX_POSTINGS
from ledger.money import money


def result(households: int) -> dict[str, object]:
    lines = [{"code": f"H{i:05d}", "total": f"{100 + i % 7}.01"} for i in range(households)]
    return {
        "lines": lines,
        "deductions": [{"name": "公积公益金", "amount": "1000.00"}],
    }


def test_a_small_plan_posts_one_declaration_and_one_payment_as_before() -> None:
    entries, paid = payout_entries(
        plan_code="P1", title="分红", result=result(3), deduction_accounts={"公积公益金": "311"}
    )
    assert [memo for memo, _ in entries] == ["分配 P1 分红", "支付 P1 分红"]
    assert [p["account"] for p in entries[0][1]] == ["32201", "311", "211H00000", "211H00001",
                                                     "211H00002"]  # fmt: skip
    assert len(paid) == 3


def test_five_thousand_households_post_in_balanced_batches() -> None:
    n = 5000
    entries, paid = payout_entries(
        plan_code="P1", title="分红", result=result(n), deduction_accounts={"公积公益金": "311"}
    )
    batches = -(-n // PAYEES_PER_ENTRY)
    assert len(entries) == 2 * batches
    assert entries[0][0] == f"分配 P1 分红（第1/{batches}批）"
    assert entries[-1][0] == f"支付 P1 分红（第{batches}/{batches}批）"
    assert len(declarations(entries)) == batches
    total = sum(paid.values(), money("0"))
    declared = Decimal(0)
    for memo, postings in entries:
        assert len(postings) <= MAX_POSTINGS
        debit = sum(p["amount"].amount for p in postings if p["side"] == "debit")
        credit = sum(p["amount"].amount for p in postings if p["side"] == "credit")
        assert debit == credit > 0, memo
        if memo.startswith("分配"):
            declared += debit
    assert declared == total.amount + Decimal("1000.00")
    # every household appears once in the declarations and once in the payments
    credited = [
        p["account"] for _, ps in declarations(entries) for p in ps if p["side"] == "credit"
    ]
    assert sorted(credited) == sorted(["311", *(f"211H{i:05d}" for i in range(n))])
