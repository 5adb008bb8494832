"""Stand-alone verifier of a Lianzhang event export (JSON Lines), for auditors.

Uses the Python standard library only (Ed25519 through ``cryptography`` when it is installed,
else a small pure-Python check after RFC 8032): copy this one folder (``verify_export``: this
file, ``chain.py``, ``books.py``, ``assets.py``) anywhere and run the folder

    python3 verify_export log.jsonl                         # the chain, then balances
    python3 verify_export log.jsonl --public-key server.pub # and every signature
    python3 verify_export log.jsonl --public-key KEY --checkpoint cp.json   # not cut short
    python3 verify_export log.jsonl --json                  # balances as JSON

``server.pub`` holds the server's public key (64 hex digits), as printed by
``lianzhang checkpoint --public-key``; get it from the server's keeper, not from the export.

What it checks: every line but the last is one event
``{"originator_id", "originator_version", "topic", "state", "position", "hash"}``; the
``hash`` of each line is

    sha256( previous_hash_hex + "\\n" + canonical(event) )

over the four event fields (canonical: JSON with sorted keys, no spaces, UTF-8 kept), starting
from 64 zeros. Positions rise from line to line. The last event of each save also carries
``seal``, ``key_id`` and ``signature``: the server's Ed25519 signature over
``canonical({"kind": seal, "positions": [the positions of the save's lines], "hash": hash})``.
The last line closes the file: ``{"export": "lianzhang-events", "events", "position", "hash",
"checkpoint"}``, with a checkpoint signed over ``canonical({"kind", "position", "hash",
"made_at", "key_id"})``; a file without it was cut short. The last hash is the ledger
fingerprint printed on every disclosure sheet.

Without ``--public-key`` only the hashes are checked, and anyone who edits the file can
recompute them; with it, an edited, moved, inserted, deleted or appended event, an edited
position and a cut file are all found, and with ``--checkpoint`` (a checkpoint kept apart from
the export, ``lianzhang checkpoint``) so is a log cut back before that checkpoint.

What it computes: each accounting entity's account balances from the events alone, in yuan,
debit positive: opening balances (the latest ``OpeningBalancesSet``) plus every posted entry
(any event carrying an ``entry``: entries, red-ink reversals, capital contributions, grants;
and each voucher of a ``VouchersPosted``, many vouchers in one event with amounts in fen).
Compare them with the trial balances of the service.

It also reconciles the books with each other, as ``lianzhang verify`` does: a village's 141{J}
against the joint entity's 301{V}, each plan's payer against its payees, land rent paid against
received, and 内部往来 between any two sets of books; then, as ``lianzhang verify`` does, the
books against the 三资 registers the events carry (``assets.py``): each project's 153
sub-account against its recorded costs, 151/152 (132/133, 134, 161/162) of books with cards
against the 原值 and accumulated depreciation of the cards held, and each owner's parts of a
jointly owned card's months and of a project's income against the whole. The first
disagreement is printed (all of them with ``--json``).

Exit status: 0 when the chain holds and every pair agrees, 1 when the chain breaks (the line is
named) or a pair disagrees, 2 on a bad file or argument.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

try:  # imported as a package (python3 -m verify_export, the project's tests)
    from .assets import asset_problems, collect_assets, new_assets
    from .books import balances, collect, new_facts, pair_problems
    from .chain import BadFile, Broken, Keys, read_log
except ImportError:  # run as a folder (python3 verify_export): the modules beside this one
    from assets import asset_problems, collect_assets, new_assets  # type: ignore[no-redef]
    from books import balances, collect, new_facts, pair_problems  # type: ignore[no-redef]
    from chain import BadFile, Broken, Keys, read_log  # type: ignore[no-redef]


def read_public_key(value: str) -> bytes:
    """64 hex digits, or a file holding them (``lianzhang checkpoint --public-key``)."""
    text = value
    if len(value.strip()) != 64 or Path(value).exists():
        text = Path(value).read_text(encoding="utf-8")
    key = bytes.fromhex(text.split()[0])
    if len(key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes (64 hex digits)")
    return key


def options(argv: list[str]) -> tuple[str, bool, list[str], list[str]]:
    path, as_json = "", False
    given: dict[str, list[str]] = {"--public-key": [], "--checkpoint": []}
    needs = {"--public-key": "a key (64 hex digits) or a file", "--checkpoint": "a file"}
    items = iter(argv)
    for item in items:
        if item == "--json":
            as_json = True
        elif item in given:
            value = next(items, None)
            if value is None:
                raise ValueError(f"{item} needs {needs[item]}")
            given[item].append(value)
        elif path or item.startswith("-"):
            raise ValueError(f"unexpected argument {item!r}")
        else:
            path = item
    keys, checkpoints = given["--public-key"], given["--checkpoint"]
    if not path:
        raise ValueError("name the export file")
    if checkpoints and not keys:
        raise ValueError("a checkpoint is checked with --public-key (the key you trust)")
    return path, as_json, keys, checkpoints


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    try:
        path, as_json, key_texts, checkpoint_paths = options(argv)
        given = [read_public_key(text) for text in key_texts]
        documents = [(n, json.loads(Path(n).read_text(encoding="utf-8"))) for n in checkpoint_paths]
    except (OSError, ValueError) as error:
        print(f"verify_export: {error}", file=sys.stderr)
        return 2
    try:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
    except OSError as error:
        print(f"verify_export: cannot read {path}: {error.strerror}", file=sys.stderr)
        return 2
    while lines and not lines[-1].strip():
        lines.pop()
    keys = Keys(given, lines)
    try:
        facts, registers = new_facts(), new_assets()

        def each(event: dict) -> None:
            collect(facts, event)
            collect_assets(registers, event)

        count, previous = read_log(path, lines, keys if given else None, documents, each)
    except Broken as broken:
        print(f"CHAIN BROKEN at {broken}")
        return 1
    except BadFile as error:
        print(f"verify_export: {error}", file=sys.stderr)
        return 2
    result = balances(facts)
    pairs = pair_problems(facts, facts["codes"], result) + asset_problems(registers, result)
    if as_json:
        summary = {"events": count, "fingerprint": previous, "balances": result, "pairs": pairs}
        summary["signatures"] = "checked" if given else "not checked"
        print(json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True))
    else:
        print(f"chain holds: {count} events, fingerprint {previous}")
        if not given:
            print(
                "signatures NOT checked: anyone who edits the file can recompute the hashes; "
                "give --public-key (the server's key, from its keeper)"
            )
        else:
            used = " → ".join(segment[0] for segment in keys.segments) or "none"
            print(f"signatures checked with key {', '.join(sorted(keys.anchors))} (keys: {used})")
        for code, amounts in result.items():
            total = sum(Decimal(v) for v in amounts.values())
            print(f"\n{code} (debits − credits = {total:.2f})")
            for account, amount in amounts.items():
                print(f"  {account:<12} {amount:>18}")
    if pairs:
        if not as_json:
            print(f"PAIR DISAGREES: {pairs[0]['detail']}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
