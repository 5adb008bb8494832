"""Reconcile the books with each other: a fact posted into several books must
read the same in each of them.

``verify`` checks every book against the log; this checks pairs of books against each other,
from the read models (which ``verify`` has just proved equal to a replay of the log):

1. **investment**: a village's 141{J} 长期投资 (debit) equals the joint entity's 301{V} 资本
   (credit);
2. **plan**: for every payer and payee that keeps books, summed over the plans between them (a
   plan and its corrections are one fact), what the payer paid it (debits to 211{payee} under
   ``plan:P``) equals the cash the payee booked under them (102 and 101 debits), and what the
   payer declared to it (credits to 211{payee}) equals the income the payee booked (5xx
   credits);
3. **land rent**: the cash a joint entity paid a village as rent equals the cash the village
   booked as rent received from it;
4. **internal** (内部往来): between any two entities, what one's books say the other owes it
   (112, 113, 201, 211, 221 sub-accounts named after the other, debit positive) and what the
   other's books say it owes the first cancel out.

Red-ink reversals count against the source of the entry they reverse. The pure core
(:func:`pair_problems`) takes plain dictionaries so that the stand-alone export verifier
(``scripts/verify_export/books.py``, which must stay standard-library only) can run the same checks
over an exported log; its copy is kept identical in behaviour by a test.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from ledger.money import fen_text
from projections.tables import account_months, entities, entries, entry_lines, opening_balances

# Sub-account prefixes of 内部往来 and claims/debts between units that keep books here.
INTERNAL = ("112", "113", "201", "211", "221")

Balances = dict[str, dict[str, int]]  # entity → account → fen, debit positive
# (entity, source key) → account → [debit fen, credit fen] (red ink negative in its column)
BySource = dict[tuple[str, str], dict[str, list[int]]]


def source_key(source: str) -> str:
    """``land-rent:J01:2025-0007`` → ``land-rent:J01``: the pair a source belongs to."""
    kind, _, rest = source.partition(":")
    if kind == "land-rent":
        return f"{kind}:{rest.split(':', 1)[0]}"
    return source


def _problem(
    pair: str,
    entity: str,
    account: str,
    figure: int,
    other: str,
    other_account: str,
    other_figure: int,
    what: str,
) -> dict[str, Any]:
    return {
        "check": "pair",
        "pair": pair,
        "entity": entity,
        "account": account,
        "figure": fen_text(figure),
        "counterpart": {
            "entity": other,
            "account": other_account,
            "figure": fen_text(other_figure),
        },
        "detail": f"{what}: {entity} {account} {fen_text(figure)}, {other} {other_account} "
        f"{fen_text(other_figure)}",
    }


def pair_problems(
    kinds: dict[str, str], balances: Balances, by_source: BySource
) -> list[dict[str, Any]]:
    """Every pair of books that disagree, in a fixed order (the first is the one reported).

    Args:
        kinds: entity code → ``village`` or ``joint``.
        balances: closing balances, entity → account → fen (debit positive).
        by_source: movements of the entries each operation posted, per entity and source key.
    """
    problems: list[dict[str, Any]] = []
    villages = sorted(c for c, k in kinds.items() if k == "village")
    joints = sorted(c for c, k in kinds.items() if k == "joint")

    def balance(entity: str, account: str) -> int:
        return balances.get(entity, {}).get(account, 0)

    for village in villages:
        for joint in joints:
            invested, capital = balance(village, f"141{joint}"), -balance(joint, f"301{village}")
            if invested != capital:
                problems.append(
                    _problem(
                        "investment",
                        village,
                        f"141{joint}",
                        invested,
                        joint,
                        f"301{village}",
                        capital,
                        f"{village}'s investment in {joint} is not {joint}'s capital from "
                        f"{village}",
                    )
                )

    def moved(entity: str, key: str, prefixes: tuple[str, ...], column: int) -> int:
        lines = by_source.get((entity, key), {})
        return sum(v[column] for a, v in lines.items() if a.startswith(prefixes))

    # A plan and the plans that correct it are one fact: a correction reverses the old
    # declaration and books each payee's difference (domain.plan.corrections), so the figures
    # agree per payer and payee summed over all their plans, not plan by plan.
    totals: dict[tuple[str, str], list[int]] = {}  # paid, cash, declared, income
    named: dict[tuple[str, str], list[str]] = {}
    for key in sorted({key for _, key in by_source if key.startswith("plan:")}):
        holders = sorted({e for e, k in by_source if k == key})
        payers = [e for e in holders if any(a.startswith("32201") for a in by_source[(e, key)])]
        for payer in payers:
            payees = sorted(
                {
                    a[3:]
                    for a in by_source[(payer, key)]
                    if a.startswith("211") and a[3:] in kinds and a[3:] != payer
                }
                | {e for e in holders if e != payer}
            )
            for payee in payees:
                row = totals.setdefault((payer, payee), [0, 0, 0, 0])
                row[0] += moved(payer, key, (f"211{payee}",), 0)
                row[1] += moved(payee, key, ("101", "102"), 0)
                row[2] += moved(payer, key, (f"211{payee}",), 1)
                row[3] += moved(payee, key, ("5",), 1)
                named.setdefault((payer, payee), []).append(key[5:])
    for (payer, payee), (paid, cash, declared, income) in sorted(totals.items()):
        plans = ", ".join(named[(payer, payee)])
        if paid != cash:
            problems.append(
                _problem(
                    "plan",
                    payee,
                    "102",
                    cash,
                    payer,
                    f"211{payee}",
                    paid,
                    f"{plans}: cash {payee} booked is not what {payer} paid it",
                )
            )
        if declared != income:
            problems.append(
                _problem(
                    "plan",
                    payee,
                    "5xx",
                    income,
                    payer,
                    f"211{payee}",
                    declared,
                    f"{plans}: income {payee} booked is not what {payer} declared",
                )
            )

    for joint in joints:
        for village in villages:
            paid = moved(joint, f"land-rent:{village}", ("102",), 1)
            received = moved(village, f"land-rent:{joint}", ("102",), 0)
            if paid != received:
                problems.append(
                    _problem(
                        "land-rent",
                        village,
                        "102",
                        received,
                        joint,
                        "102",
                        paid,
                        f"land rent {village} booked from {joint} is not what {joint} paid",
                    )
                )

    codes = sorted(kinds)
    for index, first in enumerate(codes):
        for second in codes[index + 1 :]:
            claim = sum(balance(first, p + second) for p in INTERNAL)
            debt = sum(balance(second, p + first) for p in INTERNAL)
            if claim + debt != 0:
                problems.append(
                    _problem(
                        "internal",
                        first,
                        _accounts(balances.get(first, {}), second),
                        claim,
                        second,
                        _accounts(balances.get(second, {}), first),
                        -debt,
                        f"内部往来 between {first} and {second} do not agree (what {first} is "
                        f"owed, debit positive; what {second} owes, credit positive)",
                    )
                )
    return problems


def _accounts(accounts: dict[str, int], other: str) -> str:
    held = [p + other for p in INTERNAL if accounts.get(p + other)]
    return "+".join(held) or f"113{other}"


# -- from the read models -------------------------------------------------------------------------


def book_facts(conn: Connection) -> tuple[dict[str, str], Balances, BySource]:
    """Entity kinds, closing balances and per-source movements, read from the read models."""
    kinds = {r.code: r.kind for r in conn.execute(select(entities.c.code, entities.c.kind))}
    balances: Balances = {}
    for r in conn.execute(select(opening_balances)):
        books = balances.setdefault(r.entity_code, {})
        books[r.account] = books.get(r.account, 0) + r.balance_fen
    for r in conn.execute(
        select(
            account_months.c.entity_code,
            account_months.c.account,
            func.sum(account_months.c.debit_fen - account_months.c.credit_fen).label("net"),
        ).group_by(account_months.c.entity_code, account_months.c.account)
    ):
        books = balances.setdefault(r.entity_code, {})
        books[r.account] = books.get(r.account, 0) + int(r.net)
    sources = {
        (r.entity_code, r.number): (r.source, r.reverses)
        for r in conn.execute(
            select(entries.c.entity_code, entries.c.number, entries.c.source, entries.c.reverses)
        )
    }
    by_source: BySource = {}
    for r in conn.execute(
        select(
            entry_lines.c.entity_code,
            entry_lines.c.number,
            entry_lines.c.account,
            entry_lines.c.side,
            entry_lines.c.amount_fen,
        )
    ):
        source, reverses = sources.get((r.entity_code, r.number), (None, None))
        if source is None and reverses is not None:
            source = sources.get((r.entity_code, reverses), (None, None))[0]
        if not source:
            continue
        lines = by_source.setdefault((r.entity_code, source_key(source)), {})
        columns = lines.setdefault(r.account, [0, 0])
        columns[0 if r.side == "debit" else 1] += int(r.amount_fen)
    return kinds, balances, by_source


def verify_pairs(conn: Connection) -> list[dict[str, Any]]:
    """The pairs of books that disagree (empty when every pair agrees)."""
    return pair_problems(*book_facts(conn))
