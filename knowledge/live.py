"""The process-wide knowledge base, switched to a new version without a restart.

``<data dir>/index`` is a symlink to an immutable version directory (``knowledge.documents``). Every call
looks where it points (one ``readlink``); when it moved, a background thread loads the new version while
the old one keeps answering, then the reference is swapped in one assignment. A question during a rebuild
therefore gets the old or the new index, never an error. Works the same in every process that answers
(action server, kiosk_api, or both in one).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)
RETRY_SECONDS = 5.0  # after a failed load of a new version, wait before trying again


@dataclass
class _Slot:
    kb: Any
    real: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    loading: str = ""  # the version being loaded in the background
    failed_at: float = 0.0


_slots: dict[str, _Slot] = {}
_first_load = threading.Lock()


def _real(index_dir: Path) -> str:
    return os.path.realpath(index_dir)


def _load_new(slot: _Slot, real: str, factory: Callable[[Path], Any], warm: Callable[[Any], None]) -> None:
    try:
        kb = factory(Path(real))
        old = slot.kb
        if getattr(old, "_model_path", None) == getattr(kb, "_model_path", None):
            kb._encoder = old._encoder  # the embedding model is the same: do not load it twice
        warm(kb)
        slot.kb, slot.real = kb, real  # the switch: one assignment, readers hold whichever they got
        cached = getattr(type(kb), "_encode", None)
        if cached is not None and hasattr(cached, "cache_clear"):
            cached.cache_clear()  # the cache holds references to the old version
        logger.info("knowledge base switched to %s", Path(real).name)
    except Exception:  # keep answering from the old version; retried after RETRY_SECONDS
        slot.failed_at = time.monotonic()
        logger.exception("loading knowledge base version %s failed", real)
    finally:
        slot.loading = ""


def _encoder_only(kb: Any) -> None:
    kb.encoder()


def current(
    index_dir: Path, factory: Callable[[Path], Any], wait: bool = False, warm: Callable[[Any], None] = _encoder_only
) -> Any:
    """The live knowledge base for ``index_dir``, ``warm``ed before it answers; ``wait=True`` loads a new version
    in the caller's thread."""
    key = str(index_dir)
    slot = _slots.get(key)
    if slot is None:
        with _first_load:
            slot = _slots.get(key)
            if slot is None:
                real = _real(index_dir)
                kb = factory(Path(real))
                warm(kb)
                slot = _slots[key] = _Slot(kb, real)
        return slot.kb
    real = _real(index_dir)
    if real == slot.real or not os.path.exists(os.path.join(real, "manifest.json")):
        return slot.kb
    with slot.lock:
        if slot.loading or real == slot.real or time.monotonic() - slot.failed_at < RETRY_SECONDS:
            start = False
        else:
            slot.loading, start = real, True
    if start:
        if wait:
            _load_new(slot, real, factory, warm)
        else:
            threading.Thread(target=_load_new, args=(slot, real, factory, warm), name="kb-reload",
                             daemon=True).start()
    return slot.kb


def forget() -> None:
    """Drop every loaded knowledge base (tests that switch data directories)."""
    _slots.clear()
