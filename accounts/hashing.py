"""Hashes for PINs, ID digits and one-time codes (argon2id), and the lookup key of a typed card number."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("never-a-valid-secret")


def verify_secret(stored_hash: str | None, candidate: str) -> bool:
    """Constant-time check (argon2's own comparison). A missing hash is checked against a dummy one,
    so an unknown card takes as long as a wrong PIN and timing reveals nothing."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), candidate) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def card_key(card_number: str) -> str:
    """Key of the per-card failure counter: the same for a card whether or not it exists."""
    return hashlib.sha256(f"yibao-card:{card_number}".encode()).hexdigest()
