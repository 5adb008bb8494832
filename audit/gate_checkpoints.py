"""The chain gate's checkpoints (``lz_chain_checkpoints``): what a process already checked.

A full check of the log (the first catch-up of a process, every ``lianzhang rebuild``) re-hashes
every event and verifies every save's Ed25519 signature; the verifications are most of its
cost. A process that holds the signing key and has checked the chain up to position P (every
signature verified, by itself or below an earlier checkpoint it accepted) writes a row: P, the
chain hash at P, ``digest`` (a running SHA-256 over every signed chain row up to P: its
position, kind, key id and signature), made_at, the key id and that key's signature over the
domain-separated message ``canonical({"kind": GATE_CHECKPOINT, ...})``.

A later full check takes the latest checkpoint signed by a key the store trusts (one of the
gate's keys; any other is ignored), re-hashes every event and follows the key ring through
every save exactly as before, but skips the Ed25519 verify of the saves at or below P. At P it
compares the hash and the digest it computed with the checkpoint's: equal, the rows up to P are
the very rows whose signatures were verified (the hash covers every event and chain link, the
digest every signature and key id); any difference, or any problem met below P, and the check
starts again from the start without the checkpoint, reporting in its usual words. A checkpoint
copied from elsewhere can vouch for nothing else than the same rows signed by a trusted key.

``lianzhang verify`` and the stand-alone verifier never read this table: the auditor's check
verifies every signature. The table is derived (``audit.backups``): never part of a backup.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, Engine, MetaData, Table, Text, insert, select
from sqlalchemy.exc import SQLAlchemyError

from audit.keys import PublicKey, Signer
from ledger.canonical import canonical_bytes

GATE_CHECKPOINT = "lianzhang-gate-checkpoint"
CHECKPOINTS_TABLE = "lz_chain_checkpoints"
EMPTY_DIGEST = "0" * 64
CANDIDATES = 5  # the latest rows looked at for one signed by a trusted key

checkpoints_metadata = MetaData()
gate_checkpoints = Table(
    CHECKPOINTS_TABLE,
    checkpoints_metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", Text, nullable=False),
    Column("digest", Text, nullable=False),
    Column("made_at", Text, nullable=False),
    Column("key_id", Text, nullable=False),
    Column("signature", Text, nullable=False),
)


@dataclass(frozen=True)
class GateCheckpoint:
    position: int
    hash: str
    digest: str
    made_at: str
    key_id: str
    signature: str = ""

    def message(self) -> bytes:
        return canonical_bytes(
            {
                "kind": GATE_CHECKPOINT,
                "position": self.position,
                "hash": self.hash,
                "digest": self.digest,
                "made_at": self.made_at,
                "key_id": self.key_id,
            }
        )


def fold(digest: str, row: Any) -> str:
    """The running digest after one signed chain row."""
    part = f"{int(row['position'])}|{row['kind']}|{row['key_id']}|{row['signature']}"
    return hashlib.sha256(f"{digest}\n{part}".encode()).hexdigest()


def create_table(engine: Engine) -> None:
    checkpoints_metadata.create_all(engine, checkfirst=True)


def latest_trusted(engine: Engine, keys: dict[str, PublicKey]) -> GateCheckpoint | None:
    """The latest checkpoint whose signature verifies with one of ``keys``; None if none
    (or the table cannot be read)."""
    try:
        with engine.connect() as conn:
            rows = list(
                conn.execute(
                    select(gate_checkpoints)
                    .order_by(gate_checkpoints.c.position.desc())
                    .limit(CANDIDATES)
                ).mappings()
            )
    except SQLAlchemyError:
        return None
    for row in rows:
        found = GateCheckpoint(
            int(row["position"]),
            str(row["hash"]),
            str(row["digest"]),
            str(row["made_at"]),
            str(row["key_id"]),
            str(row["signature"]),
        )
        key = keys.get(found.key_id)
        if key is not None and key.verifies(found.signature, found.message()):
            return found
    return None


def write(engine: Engine, signer: Signer, position: int, hash: str, digest: str) -> bool:
    """Record a checkpoint (best effort: another process may have written the same position,
    or the store be busy; the next one will do)."""
    made_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    checkpoint = GateCheckpoint(position, hash, digest, made_at, signer.key_id)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(gate_checkpoints).values(
                    position=position,
                    hash=hash,
                    digest=digest,
                    made_at=made_at,
                    key_id=signer.key_id,
                    signature=signer.sign(checkpoint.message()),
                )
            )
    except SQLAlchemyError:
        return False
    return True
