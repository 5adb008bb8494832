"""The server's signing key and its public half, and the error of a chain or key that cannot be
trusted: the key types every other audit module builds on (this module imports none of them).

The key is Ed25519; its id is the first 16 hex digits of SHA-256 over the 32 raw public-key
bytes. ``PublicKey`` is all an auditor holds; ``Signer`` is the server's private key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from domain.errors import ConflictError


class ChainError(ConflictError):
    """The log and its signed chain disagree, or the signing key cannot be used."""

    kind = "chain-broken"


def key_id_of(raw_public: bytes) -> str:
    return hashlib.sha256(raw_public).hexdigest()[:16]


@dataclass(frozen=True)
class PublicKey:
    """The half of the server key an auditor holds: checks signatures, makes none."""

    key: Ed25519PublicKey

    @classmethod
    def from_hex(cls, value: str) -> PublicKey:
        try:
            return cls(Ed25519PublicKey.from_public_bytes(bytes.fromhex(value.strip())))
        except ValueError:
            raise ChainError(
                f"{value[:20]!r} is not an Ed25519 public key (64 hex digits)"
            ) from None

    @property
    def raw(self) -> bytes:
        return self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def hex(self) -> str:
        return self.raw.hex()

    @property
    def key_id(self) -> str:
        return key_id_of(self.raw)

    def verifies(self, signature: str | None, message: bytes) -> bool:
        try:
            self.key.verify(bytes.fromhex(signature or ""), message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """The server key: signs the chain as it is written, and checkpoints."""

    key: Ed25519PrivateKey

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.key.public_key())

    @property
    def key_id(self) -> str:
        return self.public.key_id

    def sign(self, message: bytes) -> str:
        return self.key.sign(message).hex()
