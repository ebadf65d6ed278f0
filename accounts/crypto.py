"""The data key: encrypts personal fields at rest, in the accounts database and in Rasa's tracker store.

Standard library + ``cryptography`` only: imported by the Python 3.11 services and by Rasa's tracker store
(Python 3.10). One key for both, so one thing to back up:

    YIBAO_TRACKER_KEY   base64 of a 64-byte AES-SIV key (give every instance the same one), else
    <data dir>/secrets/tracker.key, created once (atomically, mode 0600) by the first process that needs it.

Without it, stored card numbers, phone numbers and balances cannot be read: back it up with the data
directory (README, "Backup and restore"). AES-SIV is deterministic - the same card number always gives the
same token - so the database can still look a card up and keep card numbers unique without ever holding one.
"""

from __future__ import annotations

import base64
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESSIV

TOKEN_PREFIX = "enc:v1:"


def key_file() -> Path:
    from yibao.settings import get_settings

    return get_settings().data_dir / "secrets" / "tracker.key"


def load_cipher() -> AESSIV:
    """The shared AES-SIV key: YIBAO_TRACKER_KEY, else the key file (created on first use)."""
    return AESSIV(base64.b64decode(key_text()))


def key_text() -> str:
    """The key as base64 text: YIBAO_TRACKER_KEY, else the key file (created on first use)."""
    from yibao.settings import get_settings

    if get_settings().tracker_key:
        return get_settings().tracker_key
    path = key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(base64.b64encode(AESSIV.generate_key(512)))
        try:
            os.link(tmp, path)  # fails if another process created it first: then its key is used
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def seal(cipher: AESSIV, value: Any, *context: str) -> str:
    """``value`` (any JSON value) as a printable token bound to ``context`` (e.g. table and column)."""
    token = cipher.encrypt(json.dumps(value, ensure_ascii=False).encode(), [c.encode() for c in context])
    return TOKEN_PREFIX + base64.urlsafe_b64encode(token).decode()


def unseal(cipher: AESSIV, token: str, *context: str) -> Any:
    """The value ``seal`` was given; raises ``ValueError`` for anything else (wrong key, other context)."""
    if not token.startswith(TOKEN_PREFIX):
        raise ValueError("not a sealed value")
    try:
        data = cipher.decrypt(base64.urlsafe_b64decode(token[len(TOKEN_PREFIX):]), [c.encode() for c in context])
    except Exception as exc:  # InvalidTag, binascii.Error
        raise ValueError("cannot unseal: wrong key or damaged value") from exc
    return json.loads(data)


@lru_cache(maxsize=4)
def _cipher_for(env_key: str, path: str) -> AESSIV:
    return load_cipher()


def data_cipher() -> AESSIV:
    """The process's cipher (cached per key source, so tests that switch data directories get theirs)."""
    from yibao.settings import get_settings

    return _cipher_for(get_settings().tracker_key, str(key_file()))
