#!/usr/bin/env python3
"""Stand-alone verifier of a Lianzhang event export (JSON Lines), for auditors.

Uses the Python standard library only (Ed25519 through ``cryptography`` when it is installed,
else a small pure-Python check after RFC 8032): copy this one file anywhere and run

    python3 verify_export.py log.jsonl                         # the chain, then balances
    python3 verify_export.py log.jsonl --public-key server.pub # and every signature
    python3 verify_export.py log.jsonl --public-key KEY --checkpoint cp.json   # not cut short
    python3 verify_export.py log.jsonl --json                  # balances as JSON

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
(any event carrying an ``entry``: entries, red-ink reversals, capital contributions, grants).
Compare them with the trial balances of the service.

It also reconciles the books with each other, as ``lianzhang verify`` does: a village's 141{J}
against the joint entity's 301{V}, each plan's payer against its payees, land rent paid against
received, and 内部往来 between any two sets of books; the first pair that disagrees is printed.

Exit status: 0 when the chain holds and every pair agrees, 1 when the chain breaks (the line is
named) or a pair disagrees, 2 on a bad file or argument.
"""

from __future__ import annotations

import hashlib
import json
import sys
from decimal import Decimal
from pathlib import Path

GENESIS = "0" * 64
EXPORT = "lianzhang-events"
SEALS = ("lianzhang-chain-save", "lianzhang-chain-upgrade")
ROTATION, RESTORE = "lianzhang-key-rotation", "lianzhang-key-restore"
ROTATION_TOPIC = "projections.key_rotation:SigningKeyRotation.Rotated"
CHECKPOINT = "lianzhang-checkpoint"


def canonical(value: object) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


# -- Ed25519 verification (RFC 8032) ------------------------------------------------------------

_P = 2**255 - 19
_D = -121665 * pow(121666, -1, _P) % _P
_Q = 2**252 + 27742317777372353535851937790883648493
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    e = (a[1] - a[0]) * (b[1] - b[0]) % _P
    h = (a[1] + a[0]) * (b[1] + b[0]) % _P
    f = 2 * a[3] * b[3] * _D % _P
    g = 2 * a[2] * b[2] % _P
    e, f, g, h = h - e, g - f, g + f, h + e
    return (e * f, g * h, f * g, e * h)


def _mul(s: int, point: tuple[int, ...]) -> tuple[int, ...]:
    result = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            result = _add(result, point)
        point = _add(point, point)
        s >>= 1
    return result


def _point(data: bytes) -> tuple[int, ...] | None:
    """The curve point of 32 encoded bytes (RFC 8032 5.1.3), or None."""
    y = int.from_bytes(data, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P)
    if x2 % _P == 0:
        return None if sign else (0, y, 1, 0)
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P:
        return None
    x = _P - x if (x & 1) != sign else x
    return (x, y, 1, x * y % _P)


_G = _point((4 * pow(5, _P - 2, _P) % _P).to_bytes(32, "little"))


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 verification, used when ``cryptography`` is not installed."""
    if len(public) != 32 or len(signature) != 64:
        return False
    a, r = _point(public), _point(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= _Q or _G is None:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % _Q
    left, right = _mul(s, _G), _add(r, _mul(h, a))
    return (left[0] * right[2] - right[0] * left[2]) % _P == 0 and (
        left[1] * right[2] - right[1] * left[2]
    ) % _P == 0


def verifier(public: bytes):  # type: ignore[no-untyped-def]
    """A function (signature hex, message) → bool for the Ed25519 key ``public``."""
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return lambda signature, message: ed25519_verify(public, message, bytes.fromhex(signature))
    key = Ed25519PublicKey.from_public_bytes(public)

    def check(signature: str, message: bytes) -> bool:
        try:
            key.verify(bytes.fromhex(signature), message)
        except (InvalidSignature, ValueError):
            return False
        return True

    return check


def read_public_key(value: str) -> bytes:
    """64 hex digits, or a file holding them (``lianzhang checkpoint --public-key``)."""
    text = value
    if len(value.strip()) != 64 or Path(value).exists():
        text = Path(value).read_text(encoding="utf-8")
    key = bytes.fromhex(text.split()[0])
    if len(key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes (64 hex digits)")
    return key


def unwrap(value: object) -> object:
    """Stored values are wrapped as {"_type_": name, "_data_": data}; take the data out."""
    if isinstance(value, dict) and set(value) == {"_type_", "_data_"}:
        return unwrap(value["_data_"])
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


class Broken(Exception):
    """The chain breaks; the message names the line."""


class BadFile(Exception):
    """Not an export: a line that is no event (exit status 2)."""


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


def key_id_of(public: bytes) -> str:
    return hashlib.sha256(public).hexdigest()[:16]


class Keys:
    """The signing keys of an export, followed across its key rotations (the rules of
    ``audit/key_ring.py``): a rotation event (topic ``ROTATION_TOPIC``) is saved alone;
    its save is signed by the new key it names, and (kind ``rotation``) its ``old_signature``
    by the old key over canonical({"kind": "lianzhang-key-rotation", "old_key", "new_key",
    "previous"}); a ``restore`` is signed by the new key only. Whoever trusts a key trusts the
    keys before it and, across a rotation (not a restore), the key after it."""

    def __init__(self, given: list[bytes], lines: list[str]) -> None:
        self.public = {key_id_of(k): k for k in given}
        self.anchors = set(self.public)
        for line in lines:
            if ROTATION_TOPIC not in line:
                continue
            try:
                state = json.loads(line)["state"]
                for name in ("old_key", "new_key"):
                    raw = bytes.fromhex(state[name])
                    if len(raw) == 32:
                        self.public.setdefault(key_id_of(raw), raw)
            except (ValueError, KeyError, TypeError):
                continue
        self.checks = {i: verifier(k) for i, k in self.public.items()}
        self.segments: list[list] = []  # [key id, first, last, link]

    def check(self, record: dict, pending: list, message: bytes, previous: str) -> str | None:
        seal, key_id = record.get("seal"), str(record.get("key_id"))
        first, last = pending[0], pending[-1]
        signature = str(record.get("signature"))
        if seal in SEALS:
            current = self.segments[-1][0] if self.segments else key_id
            check = self.checks.get(current)
            if check is None:
                return f"the save at positions {first}–{last} is signed by unknown key {key_id}"
            if key_id != current or not check(signature, message):
                return (
                    f"the signature over positions {first}–{last} does not verify with key "
                    f"{current}"
                )
            if not self.segments:
                self.segments.append([current, first, last, None])
            self.segments[-1][2] = last
            return None
        if seal not in (ROTATION, RESTORE):
            return f"the save at positions {first}–{last} has an unknown kind {seal!r}"
        where = f"the key rotation at position {last}"
        state = record.get("state") if isinstance(record.get("state"), dict) else {}
        try:
            old, new = bytes.fromhex(state["old_key"]), bytes.fromhex(state["new_key"])
        except (KeyError, TypeError, ValueError):
            return f"{where} names no keys"
        kind = "rotation" if seal == ROTATION else "restore"
        if len(pending) != 1 or record.get("topic") != ROTATION_TOPIC or state.get("kind") != kind:
            return f"{where} is not a rotation event in a save of its own"
        if state.get("previous") != previous:
            return f"{where} was signed for another place in the chain (moved)"
        old_id, new_id = key_id_of(old), key_id_of(new)
        if self.segments and self.segments[-1][0] != old_id:
            return f"{where} hands over from key {old_id}, not the chain's {self.segments[-1][0]}"
        if new_id != key_id or len(new) != 32 or not verifier(new)(signature, message):
            return f"{where} is not signed by the new key {new_id} it names"
        if seal == ROTATION:
            handover = canonical(
                {"kind": ROTATION, "old_key": old.hex(), "new_key": new.hex(), "previous": previous}
            )
            if len(old) != 32 or not verifier(old)(str(state.get("old_signature")), handover):
                return f"{where} is not signed by the old key {old_id}: it was forged"
        if new_id == old_id or any(s[0] == new_id for s in self.segments):
            return f"{where} goes back to key {new_id}, which signed before"
        if not self.segments:
            self.segments.append([old_id, first, first - 1, None])
        self.segments.append([new_id, first, last, seal])
        return None

    def trusted(self) -> set:
        ids, trusted, changed = [s[0] for s in self.segments], set(self.anchors), True
        while changed:
            changed = False
            for i in range(len(ids) - 1):
                if ids[i] in trusted and self.segments[i + 1][3] == ROTATION:
                    changed = changed or ids[i + 1] not in trusted
                    trusted.add(ids[i + 1])
                if ids[i + 1] in trusted:
                    changed = changed or ids[i] not in trusted
                    trusted.add(ids[i])
        return trusted

    def untrusted(self) -> str | None:
        trusted = self.trusted()
        for key_id, first, last, _ in self.segments:
            if key_id not in trusted:
                return (
                    f"positions {first}–{last} are signed by key {key_id}, which the key you "
                    f"gave ({', '.join(sorted(self.anchors))}) does not lead to"
                )
        return None


def check_checkpoint(document: object, keys: dict, where: str) -> dict:  # type: ignore[type-arg]
    """The checkpoint, once its kind, key (one of ``keys``: id → check) and signature are
    right; else Broken."""
    if not isinstance(document, dict) or document.get("kind") != CHECKPOINT:
        raise Broken(f"{where}: not a Lianzhang checkpoint")
    check = keys.get(document.get("key_id"))
    if check is None:
        raise Broken(
            f"{where}: signed by key {document.get('key_id')}, not by {', '.join(sorted(keys))}"
        )
    try:
        message = canonical(
            {k: document[k] for k in ("kind", "position", "hash", "made_at", "key_id")}
        )
        good = check(str(document.get("signature")), message)
    except (KeyError, ValueError):
        good = False
    if not good:
        raise Broken(f"{where}: its signature does not verify (it was changed after signing)")
    return document


def read_log(path: str, lines: list[str], keys: Keys | None, documents: list) -> tuple:
    """Check the chain line by line, with ``keys`` also every signature, the closing checkpoint
    and the checkpoints ``documents``; collect what the balances and the pair checks need.
    Returns (events, last hash, facts); Broken or BadFile when the file does not hold."""
    previous = save_start = GENESIS
    count = last_position = 0
    hashes: dict[int, str] = {}
    facts: dict = {"codes": {}, "opening": {}, "moves": {}, "kinds": {}, "sources": {}, "lines": []}
    pending: list[int] = []
    closed = None
    for number, line in enumerate(lines, start=1):
        where = f"{path}:{number}"
        if not line.strip():
            continue
        if closed is not None:
            raise Broken(f"{where}: a line after the closing line (appended)")
        try:
            record = json.loads(line)
        except ValueError as error:
            if number == len(lines):
                raise Broken(f"{where}: the last line is cut short ({error})") from None
            raise BadFile(f"{where}: not an event ({error})") from None
        if isinstance(record, dict) and record.get("export") == EXPORT:
            closed = record
            continue
        try:
            event = {
                k: record[k] for k in ("originator_id", "originator_version", "topic", "state")
            }
            position = int(record["position"])
        except (ValueError, KeyError, TypeError) as error:
            raise BadFile(f"{where}: not an event ({error})") from None
        if not pending:
            save_start = previous
        previous = hashlib.sha256(previous.encode("ascii") + b"\n" + canonical(event)).hexdigest()
        if record.get("hash") != previous:
            raise Broken(
                f"{where} (position {position}): stated {record.get('hash')}, computed {previous}"
            )
        if position <= last_position:
            raise Broken(
                f"{where}: position {position} does not come after {last_position} "
                "(lines moved or positions edited)"
            )
        last_position = position
        hashes[position] = previous
        pending.append(position)
        if "signature" in record:
            if keys is not None:
                message = canonical(
                    {"kind": record.get("seal"), "positions": pending, "hash": previous}
                )
                wrong = keys.check(record, pending, message, save_start)
                if wrong is not None:
                    raise Broken(f"{where}: {wrong}")
            pending = []
        count += 1
        collect(facts, event["topic"], event["originator_id"], event["state"])
    end = f"{path}:{len(lines) + 1}"
    if closed is None:
        raise Broken(f"{end}: no closing line: the file was cut short")
    if (closed.get("events"), closed.get("position"), closed.get("hash")) != (
        count,
        last_position,
        previous,
    ):
        raise Broken(f"{end}: the closing line does not match the events before it")
    if keys is None:
        return count, previous, facts
    if pending:
        raise Broken(
            f"{path}: positions {pending[0]}–{pending[-1]} at the end carry no "
            "signature (appended without the server's key)"
        )
    wrong = keys.untrusted()
    if wrong is not None:
        raise Broken(f"{path}: {wrong}")
    last_key = keys.segments[-1][0] if keys.segments else next(iter(keys.anchors))
    vouched = check_checkpoint(
        closed.get("checkpoint"), {last_key: keys.checks[last_key]}, "closing line"
    )
    if (vouched.get("position"), vouched.get("hash")) != (last_position, previous):
        raise Broken(f"{end}: the closing checkpoint vouches for another log")
    trusted = {i: keys.checks[i] for i in keys.trusted() if i in keys.checks}
    for name, document in documents:
        vouched = check_checkpoint(document, trusted, name)
        at = int(vouched["position"])
        if at > last_position:
            raise Broken(
                f"{name}: vouches for position {at} (made {vouched.get('made_at')}) "
                f"but the export ends at {last_position}: events were cut off"
            )
        if at and hashes.get(at) != vouched["hash"]:
            raise Broken(
                f"{name}: the export does not give its hash at position {at}: the "
                "history up to there was rewritten"
            )
    return count, previous, facts


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
        handle = open(path, encoding="utf-8")
    except OSError as error:
        print(f"verify_export: cannot read {path}: {error.strerror}", file=sys.stderr)
        return 2
    with handle:
        lines = handle.read().split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    keys = Keys(given, lines)
    try:
        count, previous, facts = read_log(path, lines, keys if given else None, documents)
    except Broken as broken:
        print(f"CHAIN BROKEN at {broken}")
        return 1
    except BadFile as error:
        print(f"verify_export: {error}", file=sys.stderr)
        return 2
    result = balances(facts)
    pairs = pair_problems(facts, facts["codes"], result)
    if as_json:
        checked = "checked" if given else "not checked"
        summary = {"events": count, "fingerprint": previous, "signatures": checked}
        print(
            json.dumps(
                {**summary, "balances": result, "pairs": pairs},
                ensure_ascii=False,
                indent=2,
                sort_keys=True,
            )
        )
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


# -- balances ------------------------------------------------------------------------------------


def add_postings(balances: dict, postings: list) -> None:
    """Add ``postings`` to ``balances`` (account → yuan, debit positive)."""
    for posting in postings:
        sign = 1 if posting["side"] == "debit" else -1
        account = posting["account"]
        balances[account] = balances.get(account, Decimal(0)) + sign * Decimal(posting["amount"])


def balances(facts: dict) -> dict[str, dict[str, str]]:
    """Each entity's account balances in yuan, debit positive: its latest opening balances
    plus every posted entry, by code."""
    result: dict[str, dict[str, str]] = {}
    for owner, code in sorted(facts["codes"].items(), key=lambda item: item[1]):
        total: dict[str, Decimal] = {}
        for source in (facts["opening"].get(owner, {}), facts["moves"].get(owner, {})):
            for account, amount in source.items():
                total[account] = total.get(account, Decimal(0)) + amount
        result[code] = {a: f"{v:.2f}" for a, v in sorted(total.items()) if v != 0}
    return result


# -- books against each other (the same checks as audit/book_reconcile.py) ----------------------

INTERNAL = ("112", "113", "201", "211", "221")


def _fen(amount: object) -> int:
    return int(Decimal(str(amount)) * 100)


def collect(facts: dict, topic: str, owner: str, state: dict) -> None:
    """Remember what the balances and the pair checks need from one event: the code and kind
    of each set of books, its latest opening balances, and every entry's postings, number,
    source, reversed entry and lines."""
    if topic.startswith("domain.books:") and topic.endswith(".Registered"):
        facts["codes"][owner] = state["code"]
        facts["kinds"][owner] = "joint" if "JointEntity" in topic else "village"
    if topic.endswith(".OpeningBalancesSet"):
        facts["opening"][owner] = {}
        add_postings(facts["opening"][owner], unwrap(state["postings"]))  # type: ignore[arg-type]
    if "entry" not in state:
        return
    entry = unwrap(state["entry"])
    add_postings(facts["moves"].setdefault(owner, {}), entry["postings"])
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
    # a plan and the plans that correct it are one fact: summed per payer and payee
    totals: dict = {}
    named: dict = {}
    for key in sorted({k for _, k in by_source if k.startswith("plan:")}):
        holders = sorted({e for e, k in by_source if k == key})
        payers = [e for e in holders if any(a.startswith("32201") for a in by_source[(e, key)])]
        for payer in payers:
            in_211 = {a[3:] for a in by_source[(payer, key)] if a.startswith("211")}
            payees = {p for p in in_211 if p in kinds and p != payer}
            for payee in sorted(payees | {e for e in holders if e != payer}):
                row = totals.setdefault((payer, payee), [0, 0, 0, 0])
                row[0] += moved(payer, key, (f"211{payee}",), 0)
                row[1] += moved(payee, key, ("101", "102"), 0)
                row[2] += moved(payer, key, (f"211{payee}",), 1)
                row[3] += moved(payee, key, ("5",), 1)
                named.setdefault((payer, payee), []).append(key[5:])
    for (payer, payee), (paid, cash, declared, income) in sorted(totals.items()):
        plans = ", ".join(named[(payer, payee)])
        if paid != cash:
            add(
                "plan",
                (payee, "102", cash),
                (payer, f"211{payee}", paid),
                f"{plans}: cash {payee} booked is not what {payer} paid it",
            )
        if declared != income:
            add(
                "plan",
                (payee, "5xx", income),
                (payer, f"211{payee}", declared),
                f"{plans}: income {payee} booked is not what {payer} declared",
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
