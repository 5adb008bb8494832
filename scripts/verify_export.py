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

Exit status: 0 when the chain holds, 1 when it breaks (the line is named), 2 on a bad file.
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
    if as_json:
        print(
            json.dumps(
                {"events": count, "fingerprint": previous, "balances": result},
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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
