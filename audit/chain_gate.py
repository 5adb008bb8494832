"""The chain gate: the read models never show what the signed chain does not sign.

``audit.signing`` writes, with every save, one chain row per event and signs the last
row of the save; ``verify_log`` checks the whole log against it for an auditor. The gate makes
the same check *before* events reach the read models, incrementally: the pull loop
(``PullLoop.catch_up``, used by requests, ``lianzhang worker`` and ``rebuild``) applies events
only up to the gate's *frontier*, the last position of a save whose events are each in the
signed chain at their position (same originator and version, hashing to the chain) and whose
signature verifies with a known key. An event not covered stops the gate there: ``broken``
says where and what (the first problem, in ``verify``'s words); the views answer 503
``chain-broken`` and ``lianzhang rebuild`` exits 2 naming it. The events of a save become
visible only once the whole save's signature is checked.

Two layers:

- ``ChainCheck`` is pure: fed pages of stored events and the chain rows of the same
  positions, it moves the frontier save by save and returns the first problem. It takes a
  mapping key id → public key, so a chain signed by several keys (rotation) is checked with
  all of them.
- ``ChainGate`` reads the pages: the events after the frontier, then (in a later snapshot,
  never an earlier one) the chain rows of the same positions. A save's chain rows are written
  in the same transaction as its events, so rows read after the events are all there; a save
  committed meanwhile lies beyond the events read and is checked next time (no false alarm
  under concurrent writes). The frontier is kept in memory per process (``position``,
  ``hash``): the first catch-up of a process checks the whole log once, then only new events.
  ``reset`` (every ``rebuild``) checks the whole log again. A full check starts from the
  latest signed checkpoint of the gate (``audit.gate_checkpoints``, written by a process that
  holds the signing key, at most one per ``CHECKPOINT_EVENTS`` events and
  ``CHECKPOINT_SECONDS`` seconds): it still re-hashes every event and follows the keys through
  every save, but skips the Ed25519 verify of the saves at or below the checkpoint, once the
  hash and the digest of the signatures at its position are found equal (else, or on any
  problem below it, the check starts over without it). ``lianzhang verify`` uses no
  checkpoint. A broken gate is tried again at
  most every ``RETRY_SECONDS`` (the forged rows deleted, a backup restored) and on every
  ``rebuild``.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from audit import gate_checkpoints
from audit.chain import GENESIS, stored_canonical_bytes
from audit.chain_table import signed_chain
from audit.gate_checkpoints import EMPTY_DIGEST, fold
from audit.key_ring import KeyRing
from audit.keys import ChainError, PublicKey, Signer
from audit.messages import RESTORE, ROTATION, SAVE, UPGRADE, rotation_state, save_message
from projections.pages import Stored
from projections.replay import read_stored
from projections.runner import ProjectionStuckError

PAGE = 5000
RETRY_SECONDS = 30.0
CHECKPOINT_EVENTS = 1000  # a checkpoint at most every so many events checked
CHECKPOINT_SECONDS = 60.0  # and at most one a minute per process

# what went wrong, in Chinese (the API's problem details are in Chinese by default)
_ZH = {
    "unchained": "不在服务器签名的事件链中：它是绕过服务器密钥直接写入数据库的（插入或追加）",
    "deleted": "在签名的事件链中，但日志里已没有这条事件：它被删除了",
    "replaced": "不是签名时该位置的那条事件：事件被移动或替换了",
    "altered": "与签名的事件链哈希不符：它被改动过，或它之前的事件被移动了",
    "invalid": "不是有效的 JSON",
    "signature": "所在的保存，其签名无法用服务器的公钥验证：签名链被绕过服务器密钥改写了",
    "unknown-key": "所在的保存由一把不属于本服务器的密钥签名",
    "key": (
        "之后的签名链没有落在本服务器现在的密钥上："
        "密钥被替换了，而不是用 lianzhang keys rotate 轮换"
    ),
    "unsigned": "没有签名：它们是绕过服务器密钥追加的",
}


@dataclass(frozen=True)
class ChainBreak:
    """The first event the signed chain does not cover: where, what (``kind``), and the
    sentence ``verify`` gives for it."""

    position: int
    kind: str
    detail: str

    def sentence(self) -> str:
        return (
            f"the event log does not match its signed chain at position {self.position}: "
            f"{self.detail}; the read models stop before it and nothing from there on is "
            "shown: run `lianzhang verify`"
        )

    def sentence_zh(self) -> str:
        return (
            f"事件链校验失败：第 {self.position} 号事件{_ZH.get(self.kind, '')}。"
            "查询数据停在它之前，之后的内容一律不显示；请联系审计人员运行 lianzhang verify"
        )

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "problem": self.kind, "detail": self.detail}


class ChainBrokenError(ProjectionStuckError):
    """A view was asked of read models held before an event the signed chain does not cover
    (every view: they all stop there)."""

    def __init__(self, broken: ChainBreak) -> None:
        super().__init__(())
        self.broken = broken
        self.args = (broken.sentence(),)

    def __str__(self) -> str:
        return self.broken.sentence()


class ChainCheck:
    """The pure check, page by page. ``position`` and ``hash``: the frontier, the end of the
    last save found whole and signed (start from a frontier found before, or from 0);
    ``digest``: the running digest of the signed rows up to it (``audit.gate_checkpoints``).
    The Ed25519 verify of the saves ending at or below ``trusted`` is skipped (a checkpoint's
    position; the caller compares hash and digest there). ``verified`` and ``skipped`` count
    the saves whose signature was verified, or not."""

    def __init__(
        self,
        keys: Mapping[str, PublicKey] | KeyRing,
        position: int = 0,
        hash: str = GENESIS,
        digest: str = EMPTY_DIGEST,
        *,
        trusted: int = 0,
    ) -> None:
        # the keys followed across rotations (audit.key_ring): a save is checked with the
        # key valid at its place, a change of key only through a rotation event signed by the
        # old key and the new (or a restore's hand-over); a plain mapping trusts each of its keys
        self.ring = keys if isinstance(keys, KeyRing) else KeyRing(dict(keys), set(keys), None)
        self.keys = self.ring.keys
        self.position = position
        self.hash = hash
        self.digest = digest
        self.trusted = trusted
        self.verified = 0
        self.skipped = 0
        self.broken: ChainBreak | None = None
        self._previous = hash
        self._pending: list[int] = []  # positions of the save read so far, not yet signed

    @property
    def pending(self) -> tuple[int, ...]:
        return tuple(self._pending)

    def feed(self, events: Sequence[Stored], rows: Sequence[Any]) -> ChainBreak | None:
        """Check the next events (in position order, after everything fed before) against the
        chain rows of the same positions (rows beyond the last event are not looked at: they
        may belong to a save committed after the events were read). Returns the first problem
        (and keeps returning it)."""
        if self.broken is not None:
            return self.broken
        last = events[-1].position if events else self.position
        chain = iter(r for r in rows if int(r["position"]) <= last)
        row = next(chain, None)
        for event in events:
            if row is not None and int(row["position"]) < event.position:
                return self._break(
                    int(row["position"]),
                    "deleted",
                    f"the signed chain has position {row['position']} but the log has no "
                    "event there: it was deleted",
                )
            if row is None or int(row["position"]) > event.position:
                return self._break(
                    event.position,
                    "unchained",
                    f"event at position {event.position} is not in the signed chain: it was "
                    "written into the database without the server's key (inserted or appended)",
                )
            problem = self._event(event, row)
            if problem is not None:
                return problem
            row = next(chain, None)
        if row is not None:
            return self._break(
                int(row["position"]),
                "deleted",
                f"the signed chain has position {row['position']} but the log has no event "
                "there: it was deleted",
            )
        return None

    def finish(self) -> ChainBreak | None:
        """At the end of the log: events left without their save's signature were appended
        without the key."""
        if self.broken is None and self._pending:
            first, last = self._pending[0], self._pending[-1]
            return self._break(
                first,
                "unsigned",
                f"positions {first}–{last} at the end of the chain carry no signature: they "
                "were appended without the server's key",
            )
        if self.broken is None:
            wrong = self.ring.finish()  # every key reached from the server's, ending on it
            if wrong is not None:
                return self._break(self.position, "key", wrong)
        return self.broken

    def _event(self, event: Stored, row: Mapping[str, Any]) -> ChainBreak | None:
        position = event.position
        if (event.originator_id, int(event.originator_version)) != (
            str(row["originator_id"]),
            int(row["originator_version"]),
        ):
            return self._break(
                position,
                "replaced",
                f"event at position {position} is not the event signed there: events were "
                "moved or replaced",
            )
        try:
            data = stored_canonical_bytes(event)
        except (ValueError, UnicodeDecodeError) as error:
            return self._break(
                position,
                "invalid",
                f"the stored event at position {position} is not valid JSON: {error}",
            )
        computed = hashlib.sha256(self._previous.encode("ascii") + b"\n" + data).hexdigest()
        if row["previous"] != self._previous or row["hash"] != computed:
            return self._break(
                position,
                "altered",
                f"event at position {position} does not hash to the signed chain: it was "
                "altered, or events before it were moved",
            )
        self._previous = computed
        self._pending.append(position)
        if row["signature"] is None:
            return None
        first = self._pending[0]
        kind, key_id = str(row["kind"]), str(row["key_id"])
        rotation = rotation_state(event.state) if kind in (ROTATION, RESTORE) else None
        if key_id not in self.keys and rotation is None:
            return self._break(
                first,
                "unknown-key",
                f"the save of positions {first}–{position} is signed by key {key_id}, which "
                f"is not a key of this server ({', '.join(sorted(self.keys))}): the chain "
                "rows were written without the server's key",
            )
        wrong: str | None
        if kind not in (SAVE, UPGRADE, ROTATION, RESTORE):
            wrong = f"the save of positions {first}–{position} has the unknown kind {kind!r}"
        elif (
            kind == RESTORE
            and self.ring.final is not None
            and rotation is not None
            and _key_id_of(rotation["new_key"]) != self.ring.final
        ):
            wrong = (
                f"the restore at position {position} hands the chain to key {key_id}, not to "
                f"this server's key {self.ring.final}"
            )
        else:
            verify = position > self.trusted
            wrong = self.ring.check_save(
                kind,
                key_id,
                row["signature"],
                save_message(kind, self._pending, computed),
                list(self._pending),
                rotation,
                self.hash,
                verify=verify,
            )
            if verify:
                self.verified += 1
            else:
                self.skipped += 1
        if wrong is not None:
            return self._break(first, "signature", wrong)
        self.position, self.hash = position, computed
        self.digest = fold(self.digest, row)
        self._pending = []
        return None

    def _break(self, position: int, kind: str, detail: str) -> ChainBreak:
        self.broken = ChainBreak(position, kind, detail)
        return self.broken


class ChainGate:
    """The frontier of the signed log for one event store (one per process, shared by every
    pull loop reading that store)."""

    def __init__(
        self,
        engine: Engine,
        table: str,
        keys: Mapping[str, PublicKey],
        *,
        final: str | None = None,
        page: int = PAGE,
        signer: Signer | None = None,
        checkpoint_events: int = CHECKPOINT_EVENTS,
        checkpoint_seconds: float = CHECKPOINT_SECONDS,
    ) -> None:
        self.engine = engine
        self.table = table
        self.keys = dict(keys)
        self.final = final  # the server's present key: the chain must lead to it
        self.ring = self._new_ring()
        self.page = page
        self.position = 0
        self.hash = GENESIS
        self.digest = EMPTY_DIGEST
        self.broken: ChainBreak | None = None
        self._broken_at = 0.0
        self._lock = threading.Lock()
        # checkpoints: written with ``signer`` (None: never), read at every full check
        self.signer = signer
        self.checkpoint_events = checkpoint_events
        self.checkpoint_seconds = checkpoint_seconds
        self.checkpointed = 0  # the position of the last checkpoint written or taken
        self._written_at = -float("inf")
        self.verified = 0  # saves whose signature was verified since the last reset
        self.skipped = 0  # saves below a checkpoint, not verified again
        if signer is not None:
            gate_checkpoints.create_table(engine)

    def reset(self) -> None:
        """Forget the frontier: the next ``advance`` checks the whole log (``rebuild``)."""
        with self._lock:
            self.position, self.hash, self.broken = 0, GENESIS, None
            self.digest = EMPTY_DIGEST
            self.ring = self._new_ring()
            self.verified = self.skipped = 0

    def rekey(self, keys: Mapping[str, PublicKey]) -> None:
        """Keys were recorded (a restore brought the source's): check the whole log again
        with them."""
        with self._lock:
            self.keys = dict(keys)
        self.reset()

    def _new_ring(self) -> KeyRing:
        anchors = {self.final} if self.final is not None else set(self.keys)
        return KeyRing(dict(self.keys), anchors, self.final)

    def require(self) -> None:
        if self.broken is not None:
            raise ChainBrokenError(self.broken)

    def advance(self, stop: int | None = None) -> int:
        """Check the events after the frontier (up to ``stop``); returns the position up to
        which events may be shown (the frontier, or ``stop`` when the frontier is past it)."""
        with self._lock:
            if stop is not None and stop <= self.position:
                return stop
            if self.broken is not None and time.monotonic() - self._broken_at < RETRY_SECONDS:
                return self.position
            check = self._from_checkpoint() if self.position == 0 else None
            if check is None:
                check = ChainCheck(self.ring, self.position, self.hash, self.digest)
            problem = self._check(check, stop)
            self.verified += check.verified
            self.skipped += check.skipped
            self.position, self.hash, self.digest = check.position, check.hash, check.digest
            self.broken = problem
            self._broken_at = time.monotonic()
            if problem is None and stop is None:
                self._checkpoint()
            return self.position if stop is None else min(stop, self.position)

    def _from_checkpoint(self) -> ChainCheck | None:
        """A check from the start that has reached the latest trusted checkpoint without
        verifying the signatures below it, the hash and digest there found equal; None when
        there is none, or the log up to it is not what it vouches for (then a full check)."""
        found = gate_checkpoints.latest_trusted(self.engine, self.keys)
        if found is None or found.position <= 0:
            return None
        ring = self._new_ring()
        check = ChainCheck(ring, trusted=found.position)
        problem = self._check(check, found.position)
        self.skipped += check.skipped
        if problem is not None or check.pending:
            return None
        if (check.position, check.hash, check.digest) != (
            found.position,
            found.hash,
            found.digest,
        ):
            return None
        self.ring, self.checkpointed = ring, found.position
        check.skipped = 0  # counted above
        return check

    def _checkpoint(self) -> None:
        """Record the frontier (every signature up to it verified, by this process or below a
        checkpoint it took), at most every ``checkpoint_events`` events and
        ``checkpoint_seconds`` seconds."""
        if self.signer is None or self.position - self.checkpointed < self.checkpoint_events:
            return
        if time.monotonic() - self._written_at < self.checkpoint_seconds:
            return
        self._written_at = time.monotonic()
        if gate_checkpoints.write(self.engine, self.signer, self.position, self.hash, self.digest):
            self.checkpointed = self.position

    def _check(self, check: ChainCheck, stop: int | None) -> ChainBreak | None:
        after = check.position
        while True:
            events = read_stored(self.engine, self.table, None, after, self.page, stop)
            if not events:
                break
            last = events[-1].position
            with self.engine.connect() as conn:  # after the events: every row of theirs is in
                rows = list(
                    conn.execute(
                        select(signed_chain)
                        .where(signed_chain.c.position > after, signed_chain.c.position <= last)
                        .order_by(signed_chain.c.position)
                    ).mappings()
                )
            problem = check.feed(events, rows)
            if problem is not None:
                return problem
            after = last
            if len(events) < self.page:
                break
        if stop is not None:
            return None  # a save running past ``stop`` is checked by a later catch-up
        return self._tail(check, after)

    def _tail(self, check: ChainCheck, after: int) -> ChainBreak | None:
        """The end of the log: a chain row after the last event whose event is gone (the
        events read again after the row, so a save committed meanwhile is not taken for a
        deletion), else events left without their save's signature."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(signed_chain.c.position)
                .where(signed_chain.c.position > after)
                .order_by(signed_chain.c.position)
                .limit(1)
            ).scalar_one_or_none()
        if row is not None:
            found = read_stored(self.engine, self.table, None, after, 1)
            if not found or found[0].position > int(row):
                return check._break(
                    int(row),
                    "deleted",
                    f"the signed chain has position {row} but the log has no event there: "
                    "it was deleted",
                )
        return check.finish()


def _key_id_of(hex_key: str) -> str | None:
    try:
        return PublicKey.from_hex(hex_key).key_id
    except ChainError:
        return None
