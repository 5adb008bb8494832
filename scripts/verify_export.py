#!/usr/bin/env python3
"""Stand-alone verifier of a Lianzhang event export (JSON Lines), for auditors.

Uses the Python standard library only: copy this one file anywhere and run

    python3 verify_export.py log.jsonl            # check the chain, print balances
    python3 verify_export.py log.jsonl --json     # the same, balances as JSON

What it checks: every line is one event
``{"originator_id", "originator_version", "topic", "state", "position", "hash"}``; the
``hash`` of each line is

    sha256( previous_hash_hex + "\\n" + canonical(event) )

over the four event fields (canonical: JSON with sorted keys, no spaces, UTF-8 kept), starting
from 64 zeros. The last hash is the ledger fingerprint printed on every disclosure sheet.

What it computes: each accounting entity's account balances from the events alone, in yuan,
debit positive: opening balances (the latest ``OpeningBalancesSet``) plus every posted entry
(any event carrying an ``entry``: entries, red-ink reversals, capital contributions, grants).
Compare them with the trial balances of the service.

It also reconciles the books with each other, as ``lianzhang verify`` does: a village's 141{J}
against the joint entity's 301{V}, each plan's payer against its payees, land rent paid against
received, and 内部往来 between any two sets of books; the first pair that disagrees is printed.

Exit status: 0 when the chain holds and every pair agrees, 1 when the chain breaks (the line is
named) or a pair disagrees, 2 on a bad file.
"""

from __future__ import annotations

import hashlib
import json
import sys
from decimal import Decimal

GENESIS = "0" * 64


def canonical(value: object) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def unwrap(value: object) -> object:
    """Stored values are wrapped as {"_type_": name, "_data_": data}; take the data out."""
    if isinstance(value, dict) and set(value) == {"_type_", "_data_"}:
        return unwrap(value["_data_"])
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def postings_of(state: dict) -> list[dict]:
    if "entry" in state:
        return unwrap(state["entry"])["postings"]  # type: ignore[index]
    return []


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    path, as_json = argv[0], "--json" in argv
    previous = GENESIS
    codes: dict[str, str] = {}
    opening: dict[str, dict[str, Decimal]] = {}
    moves: dict[str, dict[str, Decimal]] = {}
    count = 0
    facts: dict = {"kinds": {}, "sources": {}, "lines": []}
    try:
        handle = open(path, encoding="utf-8")
    except OSError as error:
        print(f"verify_export: cannot read {path}: {error.strerror}", file=sys.stderr)
        return 2
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                event = {
                    k: record[k] for k in ("originator_id", "originator_version", "topic", "state")
                }
            except (ValueError, KeyError, TypeError) as error:
                print(f"verify_export: {path}:{number}: not an event ({error})", file=sys.stderr)
                return 2
            previous = hashlib.sha256(
                previous.encode("ascii") + b"\n" + canonical(event)
            ).hexdigest()
            if record.get("hash") != previous:
                print(
                    f"CHAIN BROKEN at {path}:{number} (position {record.get('position')}): "
                    f"stated {record.get('hash')}, computed {previous}"
                )
                return 1
            count += 1
            state, topic, owner = event["state"], event["topic"], event["originator_id"]
            if topic.startswith("domain.books:") and topic.endswith(".Registered"):
                codes[owner] = state["code"]
            if topic.endswith(".OpeningBalancesSet"):
                opening[owner] = {}
                for posting in unwrap(state["postings"]):  # type: ignore[union-attr]
                    sign = 1 if posting["side"] == "debit" else -1
                    balances = opening[owner]
                    balances[posting["account"]] = balances.get(
                        posting["account"], Decimal(0)
                    ) + sign * Decimal(posting["amount"])
            collect_pair_facts(facts, topic, owner, state)
            for posting in postings_of(state):
                sign = 1 if posting["side"] == "debit" else -1
                balances = moves.setdefault(owner, {})
                balances[posting["account"]] = balances.get(
                    posting["account"], Decimal(0)
                ) + sign * Decimal(posting["amount"])
    result: dict[str, dict[str, str]] = {}
    for owner, code in sorted(codes.items(), key=lambda item: item[1]):
        total: dict[str, Decimal] = {}
        for source in (opening.get(owner, {}), moves.get(owner, {})):
            for account, amount in source.items():
                total[account] = total.get(account, Decimal(0)) + amount
        result[code] = {a: f"{v:.2f}" for a, v in sorted(total.items()) if v != 0}
    pairs = pair_problems(facts, codes, result)
    if as_json:
        print(
            json.dumps(
                {"events": count, "fingerprint": previous, "balances": result, "pairs": pairs},
                ensure_ascii=False,
                indent=2,
                sort_keys=True,
            )
        )
    else:
        print(f"chain holds: {count} events, fingerprint {previous}")
        for code, balances in result.items():
            check = sum(Decimal(v) for v in balances.values())
            print(f"\n{code} (debits − credits = {check:.2f})")
            for account, amount in balances.items():
                print(f"  {account:<12} {amount:>18}")
    if pairs:
        if not as_json:
            print(f"PAIR DISAGREES: {pairs[0]['detail']}")
        return 1
    return 0


# -- books against each other (the same checks as projections/reconcile.py) ----------------------

INTERNAL = ("112", "113", "201", "211", "221")


def _fen(amount: object) -> int:
    return int(Decimal(str(amount)) * 100)


def collect_pair_facts(facts: dict, topic: str, owner: str, state: dict) -> None:
    """Remember what the pair checks need from one event: the kind of each set of books and
    every entry's number, source, reversed entry and lines."""
    if topic.startswith("domain.books:") and topic.endswith(".Registered"):
        facts["kinds"][owner] = "joint" if "JointEntity" in topic else "village"
    if "entry" not in state:
        return
    entry = unwrap(state["entry"])
    name = topic.rsplit(".", 1)[-1]
    source = state.get("source")
    if not source and name == "CapitalContributed":
        source = f"capital:{state['village']}"
    if not source and name == "GrantReceived":
        source = f"grant:{state['programme']}"
    facts["sources"][(owner, entry["number"])] = (source, entry.get("reverses"))
    for posting in entry["postings"]:
        facts["lines"].append(
            (owner, entry["number"], posting["account"], posting["side"], _fen(posting["amount"]))
        )


def _source_key(source: str) -> str:
    kind, _, rest = source.partition(":")
    return f"{kind}:{rest.split(':', 1)[0]}" if kind == "land-rent" else source


def _yuan(fen: int) -> str:
    return f"{'-' if fen < 0 else ''}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def pair_problems(facts: dict, codes: dict, balances_yuan: dict) -> list:
    """Pairs of books that disagree, first first: a village's 141{J} against the joint entity's
    301{V}; each plan's payer (211{payee} paid and declared) against each payee (cash, income);
    land rent paid against received; 内部往来 (112/113/201/211/221 named after the other)."""
    kinds = {codes[o]: k for o, k in facts["kinds"].items() if o in codes}
    balances = {c: {a: _fen(v) for a, v in b.items()} for c, b in balances_yuan.items()}
    by_source: dict = {}
    for owner, number, account, side, fen in facts["lines"]:
        source, reverses = facts["sources"][(owner, number)]
        if not source and reverses:
            source = facts["sources"].get((owner, reverses), (None, None))[0]
        if not source or owner not in codes:
            continue
        lines = by_source.setdefault((codes[owner], _source_key(source)), {})
        lines.setdefault(account, [0, 0])[0 if side == "debit" else 1] += fen
    problems: list = []

    def add(pair: str, mine: tuple, theirs: tuple, what: str) -> None:
        (entity, account, figure), (other, other_account, other_figure) = mine, theirs
        problems.append(
            {
                "check": "pair",
                "pair": pair,
                "entity": entity,
                "account": account,
                "figure": _yuan(figure),
                "counterpart": {
                    "entity": other,
                    "account": other_account,
                    "figure": _yuan(other_figure),
                },
                "detail": f"{what}: {entity} {account} {_yuan(figure)}, {other} "
                f"{other_account} {_yuan(other_figure)}",
            }
        )

    def balance(entity: str, account: str) -> int:
        return balances.get(entity, {}).get(account, 0)

    def moved(entity: str, key: str, prefixes: tuple, column: int) -> int:
        lines = by_source.get((entity, key), {})
        return sum(v[column] for a, v in lines.items() if a.startswith(prefixes))

    villages = sorted(c for c, k in kinds.items() if k == "village")
    joints = sorted(c for c, k in kinds.items() if k == "joint")
    for v in villages:
        for j in joints:
            invested, capital = balance(v, f"141{j}"), -balance(j, f"301{v}")
            if invested != capital:
                add(
                    "investment",
                    (v, f"141{j}", invested),
                    (j, f"301{v}", capital),
                    f"{v}'s investment in {j} is not {j}'s capital from {v}",
                )
    for key in sorted({k for _, k in by_source if k.startswith("plan:")}):
        holders = sorted({e for e, k in by_source if k == key})
        payers = [e for e in holders if any(a.startswith("32201") for a in by_source[(e, key)])]
        for payer in payers:
            named = {a[3:] for a in by_source[(payer, key)] if a.startswith("211")}
            payees = {p for p in named if p in kinds and p != payer}
            for payee in sorted(payees | {e for e in holders if e != payer}):
                paid = moved(payer, key, (f"211{payee}",), 0)
                cash = moved(payee, key, ("101", "102"), 0)
                if paid != cash:
                    add(
                        "plan",
                        (payee, "102", cash),
                        (payer, f"211{payee}", paid),
                        f"{key[5:]}: cash {payee} booked is not what {payer} paid it",
                    )
                declared = moved(payer, key, (f"211{payee}",), 1)
                income = moved(payee, key, ("5",), 1)
                if declared != income:
                    add(
                        "plan",
                        (payee, "5xx", income),
                        (payer, f"211{payee}", declared),
                        f"{key[5:]}: income {payee} booked is not what {payer} declared",
                    )
    for j in joints:
        for v in villages:
            paid = moved(j, f"land-rent:{v}", ("102",), 1)
            received = moved(v, f"land-rent:{j}", ("102",), 0)
            if paid != received:
                add(
                    "land-rent",
                    (v, "102", received),
                    (j, "102", paid),
                    f"land rent {v} booked from {j} is not what {j} paid",
                )

    def held(entity: str, other: str) -> str:
        names = [p + other for p in INTERNAL if balance(entity, p + other)]
        return "+".join(names) or f"113{other}"

    ordered = sorted(kinds)
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            claim = sum(balance(first, p + second) for p in INTERNAL)
            debt = sum(balance(second, p + first) for p in INTERNAL)
            if claim + debt != 0:
                add(
                    "internal",
                    (first, held(first, second), claim),
                    (second, held(second, first), -debt),
                    f"内部往来 between {first} and {second} do not agree (what {first} is owed, "
                    f"debit positive; what {second} owes, credit positive)",
                )
    return problems


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
