"""Masked forms of personal data for anything public (三公开 sheets, public pages).

Names keep their first and last character (张*明, 李*); ID numbers never leave in full, and are
sealed in events with a key per person (``PersonalDataVault``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from typing import Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_ID = re.compile(r"^[0-9]{17}[0-9X]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def mask_name(name: str) -> str:
    """张三明 → 张*明, 张三 → 张*, 欧阳小明 → 欧**明."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(id_number: str) -> str:
    """370321199001011234 → 3703**********1234 (for staff screens; public sheets show none)."""
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def id_number_problem(id_number: str) -> str | None:
    """Why an 18-digit resident ID number (GB 11643) is invalid, or None when it is valid."""
    if not _ID.match(id_number):
        return "an ID number has 17 digits and a final digit or X"
    total = sum(int(d) * w for d, w in zip(id_number[:17], _WEIGHTS, strict=True))
    if _CHECK[total % 11] != id_number[17]:
        return "the check digit of the ID number does not match (GB 11643)"
    return None


def with_check_digit(first17: str) -> str:
    """Complete 17 digits into a valid ID number (for demo data and tests)."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + _CHECK[total % 11]


# -- personal data sealed in events (crypto-shredding) -----------------------------------------


class KeyStore(Protocol):
    """Where per-person keys live, outside the event table (a table of their own, or memory).

    Keys are stored wrapped (encrypted) under the vault's master key, so a copy of the store
    without the master key file opens nothing. ``index`` is the keyed digest of the secret, kept
    beside the key (not in events) so that it disappears with the key."""

    def get(self, subject: str) -> tuple[bytes, str] | None: ...

    def put(self, subject: str, wrapped_key: bytes, index: str) -> None: ...

    def subjects_with_index(self, index: str) -> set[str]: ...

    def delete(self, subject: str) -> None: ...

    def close(self) -> None: ...


class MemoryKeyStore:
    """Keys in a dict: the in-memory event store's companion (tests, scratch replays)."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[bytes, str]] = {}

    def get(self, subject: str) -> tuple[bytes, str] | None:
        return self.rows.get(subject)

    def put(self, subject: str, wrapped_key: bytes, index: str) -> None:
        self.rows[subject] = (wrapped_key, index)

    def subjects_with_index(self, index: str) -> set[str]:
        return {s for s, (_, i) in self.rows.items() if i == index}

    def delete(self, subject: str) -> None:
        self.rows.pop(subject, None)

    def close(self) -> None:
        pass


SEALED_PREFIX = "sealed:v1:"
FORGOTTEN = "（已删除）"


class PersonalDataVault:
    """Seals a person's sensitive data (ID number) with a key of that person's own.

    - ``seal`` encrypts with AES-256-GCM under the subject's key (created on first use); the
      event stores only ``sealed:v1:<nonce+ciphertext, base64>``, bound to the subject by the
      associated data, so a sealed value copied onto another person does not open.
    - ``reveal`` opens it again, or returns None once the subject was forgotten.
    - ``forget`` deletes the subject's key (and its lookup index): every copy of the log, export
      or backup made before or after then holds ciphertext nobody can open (crypto-shredding,
      as 个人信息保护法 art. 47 expects for sensitive personal information).
    - ``holders`` finds the subjects holding a secret by a keyed digest (HMAC-SHA256 under a key
      derived from the master key), so duplicates can be refused without opening every record.

    The master key (32 random bytes) lives in a file outside the database.
    """

    def __init__(self, master_key: bytes, keys: KeyStore) -> None:
        if len(master_key) != 32:
            raise ValueError("the vault's master key must be 32 bytes")
        self._wrap = AESGCM(master_key)
        self._index_key = hmac.new(master_key, b"lianzhang index v1", hashlib.sha256).digest()
        self.keys = keys

    @classmethod
    def in_memory(cls) -> PersonalDataVault:
        return cls(os.urandom(32), MemoryKeyStore())

    def index(self, secret: str) -> str:
        return hmac.new(self._index_key, secret.encode(), hashlib.sha256).hexdigest()

    def seal(self, subject: str, secret: str) -> str:
        found = self.keys.get(subject)
        if found is None:
            key = AESGCM.generate_key(bit_length=256)
            self.keys.put(subject, self._wrap_key(subject, key), self.index(secret))
        else:
            key = self._unwrap_key(subject, found[0])
            self.keys.put(subject, found[0], self.index(secret))
        nonce = os.urandom(12)
        sealed = nonce + AESGCM(key).encrypt(nonce, secret.encode(), subject.encode())
        return SEALED_PREFIX + base64.b64encode(sealed).decode("ascii")

    def reveal(self, subject: str, sealed: str) -> str | None:
        """The secret, or None when the subject's key was deleted (forgotten)."""
        if not sealed.startswith(SEALED_PREFIX):
            return sealed  # written before sealing existed: stored in the clear
        found = self.keys.get(subject)
        if found is None:
            return None
        raw = base64.b64decode(sealed[len(SEALED_PREFIX) :])
        key = self._unwrap_key(subject, found[0])
        return AESGCM(key).decrypt(raw[:12], raw[12:], subject.encode()).decode()

    def holders(self, secret: str) -> set[str]:
        return self.keys.subjects_with_index(self.index(secret))

    def forget(self, subject: str) -> None:
        self.keys.delete(subject)

    def _wrap_key(self, subject: str, key: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._wrap.encrypt(nonce, key, b"key:" + subject.encode())

    def _unwrap_key(self, subject: str, wrapped: bytes) -> bytes:
        return self._wrap.decrypt(wrapped[:12], wrapped[12:], b"key:" + subject.encode())


def member_subject(village: str, member: str) -> str:
    """Whose key seals a member's ID number."""
    return f"member:{village}:{member}"
