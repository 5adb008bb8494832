"""The export's chain, checked line by line: the hashes, the Ed25519 signature of every save
(RFC 8032, through ``cryptography`` when it is installed, else a pure-Python check), the key
rotations, the closing line and the checkpoints. Standard library only. Every save's signature
is verified: the server's chain-gate checkpoints (``lz_chain_checkpoints``) spare the server's
own re-checks, never an auditor's."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

GENESIS = "0" * 64
EXPORT = "lianzhang-events"
SEALS = ("lianzhang-chain-save", "lianzhang-chain-upgrade")
ROTATION, RESTORE = "lianzhang-key-rotation", "lianzhang-key-restore"
ROTATION_TOPIC = "projections.key_rotation:SigningKeyRotation.Rotated"
CHECKPOINT = "lianzhang-checkpoint"
EVENT_FIELDS = ("originator_id", "originator_version", "topic", "state")


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


class Broken(Exception):
    """The chain breaks; the message names the line."""


class BadFile(Exception):
    """Not an export: a line that is no event (exit status 2)."""


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
        ids, trusted, size = [s[0] for s in self.segments], set(self.anchors), -1
        while size != len(trusted):  # until nothing is added
            size = len(trusted)
            for i in range(len(ids) - 1):
                if ids[i] in trusted and self.segments[i + 1][3] == ROTATION:
                    trusted.add(ids[i + 1])
                if ids[i + 1] in trusted:
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


def read_log(
    path: str,
    lines: list[str],
    keys: Keys | None,
    documents: list,
    each: Callable[[dict], None],
) -> tuple[int, str]:
    """Check the chain line by line, with ``keys`` also every signature, the closing checkpoint
    and the checkpoints ``documents``; hand each event to ``each`` once its hash holds.
    Returns (events, last hash); Broken or BadFile when the file does not hold."""
    previous = save_start = GENESIS
    count = last_position = 0
    hashes: dict[int, str] = {}
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
            event = {k: record[k] for k in EVENT_FIELDS}
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
        each(event)
    end = f"{path}:{len(lines) + 1}"
    if closed is None:
        raise Broken(f"{end}: no closing line: the file was cut short")
    if [closed.get(k) for k in ("events", "position", "hash")] != [count, last_position, previous]:
        raise Broken(f"{end}: the closing line does not match the events before it")
    if keys is None:
        return count, previous
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
    return count, previous
