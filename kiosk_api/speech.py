"""Read-aloud on the server: a small engine interface, espeak-ng as the default engine, and a cache.

Kiosk browsers on Linux usually have no speech voices at all, so the kiosk asks ``POST /api/tts`` for audio.
A hospital plugs in its own engine with ``YIBAO_KIOSK_TTS_ENGINE=package.module:factory``: the factory takes
no argument and returns an object with ``name``, ``media_type`` and ``synthesize(text) -> bytes``.
"""

from __future__ import annotations

import hashlib
import importlib
import re
import shutil
import subprocess
import tempfile
import threading
import unicodedata
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

from yibao.settings import get_settings


class SpeechUnavailable(Exception):
    """The engine is missing or failed; the page falls back to showing the text only."""


@runtime_checkable
class SpeechEngine(Protocol):
    name: str  # part of the cache key: two engines never share cached audio
    media_type: str  # e.g. "audio/wav" or "audio/ogg"

    def synthesize(self, text: str) -> bytes: ...


class EspeakEngine:
    """espeak-ng (Debian package ``espeak-ng``), offline. The voice ``cmn-latn-pinyin`` is espeak's Mandarin
    voice ``cmn`` with the same dictionary, except that characters it spells out in pinyin are read as pinyin
    (with plain ``cmn`` that pinyin is read as English: 医 becomes "yi one")."""

    media_type = "audio/wav"

    def __init__(self, voice: str = "cmn-latn-pinyin", words_per_minute: int = 150, timeout: float = 20.0) -> None:
        self.voice, self.words_per_minute, self.timeout = voice, words_per_minute, timeout
        self.name = f"espeak-ng:{voice}:{words_per_minute}"
        self.binary = shutil.which("espeak-ng")

    def synthesize(self, text: str) -> bytes:
        if not self.binary:
            raise SpeechUnavailable("espeak-ng is not installed (apt-get install espeak-ng)")
        # Text goes in on stdin, never as an argument; -w writes a WAV whose header has the real length.
        with tempfile.TemporaryDirectory(prefix="yibao-tts-") as tmp:
            out = Path(tmp) / "speech.wav"
            cmd = [self.binary, "-v", self.voice, "-s", str(self.words_per_minute), "-w", str(out), "--stdin"]
            try:
                subprocess.run(cmd, input=text.encode("utf-8"), capture_output=True, timeout=self.timeout, check=True)
            except (OSError, subprocess.SubprocessError) as exc:
                raise SpeechUnavailable(f"espeak-ng failed: {type(exc).__name__}") from exc
            return out.read_bytes()


def load_engine(spec: str) -> SpeechEngine:
    """``espeak-ng`` (the default) or ``package.module:factory`` for a hospital's own engine."""
    cfg = get_settings()
    if spec in ("", "espeak-ng", "espeak"):
        return EspeakEngine(cfg.kiosk_tts_voice, cfg.kiosk_tts_words_per_minute)
    module_name, _, factory = spec.partition(":")
    engine = getattr(importlib.import_module(module_name), factory or "create_engine")()
    if not isinstance(engine, SpeechEngine):
        raise TypeError(f"{spec} did not return a speech engine (name, media_type, synthesize)")
    return engine


# ---- what is worth reading aloud ----
_SOURCE_LINE = re.compile(r"^\s*(来源|出处)[:：].*$|（?匹配度\s*\d+%）?", re.MULTILINE)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3})")
_ZERO_CENTS = re.compile(r"(?<=\d)\.00(?!\d)")
_RANGE = re.compile(r"(?<=[\d%％])\s*[～~—–-]\s*(?=\d)")
_CIRCLED = re.compile(r"[\u2460-\u2473]")  # ①…⑳: step numbers, read as a pause
_SPACES = re.compile(r"[ \t\u3000]+")
_LEADING_PUNCTUATION = re.compile(r"^[\s，,。.；;：:、]+")


def speakable(text: str) -> str:
    """The text as a listener needs it: no source line or match score, 75% → 百分之75, symbols dropped."""
    text = _SOURCE_LINE.sub("", text)
    text = _THOUSANDS.sub("", text)
    text = _ZERO_CENTS.sub("", text)
    text = _RANGE.sub("至", text)
    text = _PERCENT.sub(r"百分之\1", text)
    text = _CIRCLED.sub("，", text)
    kept = [ch if unicodedata.category(ch)[0] in "LNPZ" or ch == "\n" else " " for ch in text]
    lines = [_LEADING_PUNCTUATION.sub("", _SPACES.sub(" ", line)).strip() for line in "".join(kept).splitlines()]
    return "\n".join(line for line in lines if line)


class SpeechService:
    """Synthesis with an LRU cache bounded in bytes (memory only: answers can be personal, so audio never
    rests on disk) and one synthesis at a time (espeak-ng takes a core while it runs)."""

    def __init__(self, engine: SpeechEngine, cache_bytes: int) -> None:
        self.engine, self.cache_bytes = engine, cache_bytes
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._cached_size = 0
        self._lock = threading.Lock()
        self._one_at_a_time = threading.Semaphore(1)

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.engine.name}\n{text}".encode()).hexdigest()

    def audio(self, text: str) -> tuple[bytes, bool]:
        """(audio, came from the cache). Raises SpeechUnavailable."""
        key = self._key(text)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key], True
        with self._one_at_a_time:
            audio = self.engine.synthesize(text)
        if not audio:
            raise SpeechUnavailable(f"{self.engine.name} returned no audio")
        self._remember(key, audio)
        return audio, False

    def _remember(self, key: str, audio: bytes) -> None:
        if len(audio) > self.cache_bytes:
            return
        with self._lock:
            if key in self._cache:
                return
            self._cache[key] = audio
            self._cached_size += len(audio)
            while self._cached_size > self.cache_bytes:
                _, dropped = self._cache.popitem(last=False)
                self._cached_size -= len(dropped)


@lru_cache(maxsize=1)
def get_speech_service() -> SpeechService:
    cfg = get_settings()
    return SpeechService(load_engine(cfg.kiosk_tts_engine), cfg.kiosk_tts_cache_mb * 1024 * 1024)
