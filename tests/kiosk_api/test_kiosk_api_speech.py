"""POST /api/tts with the real espeak-ng engine (no Rasa needed): audio that is not silent, the cache,
the limits, what is read, and a hospital's own engine plugged in by setting."""

from __future__ import annotations

import io
import sys
import types
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from kiosk_api.speech import SpeechService, speakable

ANSWER = "异地就医需要先在参保地办理备案。长期异地居住的备案有效期一般为1到2年。"


def _caches_clear() -> None:
    from kiosk_api.speech import get_speech_service
    from yibao.ratelimit import _limiter_for

    get_speech_service.cache_clear()
    _limiter_for.cache_clear()


@pytest.fixture
def client(private_env: Path) -> Iterator[TestClient]:
    from kiosk_api.app import create_app

    _caches_clear()
    with TestClient(create_app()) as test_client:
        yield test_client
    _caches_clear()


def wav_loudness(audio: bytes) -> tuple[float, int]:
    """(seconds, RMS of the 16-bit samples) of a WAV file."""
    with wave.open(io.BytesIO(audio)) as w:
        assert w.getsampwidth() == 2
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
        return w.getnframes() / w.getframerate(), float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0


def test_tts_returns_audible_wav_and_caches_it(client: TestClient) -> None:
    first = client.post("/api/tts", json={"text": ANSWER})
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "audio/wav"
    seconds, rms = wav_loudness(first.content)
    assert seconds > 2 and rms > 300  # about 4 s of speech, far above silence (RMS 0)
    assert first.headers["x-tts-cache"] == "miss"
    again = client.post("/api/tts", json={"text": ANSWER})
    assert again.headers["x-tts-cache"] == "hit" and again.content == first.content


@pytest.mark.parametrize(("text", "code"), [
    ("", "invalid_input"), ("   ", "invalid_input"), ("字" * 601, "invalid_input"),
    ("😀🎉", "nothing_to_read"), ("来源：《某文件》 第二节（匹配度 87%）", "nothing_to_read"),
])
def test_tts_refuses_politely(client: TestClient, text: str, code: str) -> None:
    resp = client.post("/api/tts", json={"text": text})
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in resp.json()["error"]["message"])


def test_tts_is_rate_limited_per_client(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from yibao.settings import get_settings

    monkeypatch.setenv("YIBAO_LIMIT_TTS_PER_CLIENT", "3/minute")
    get_settings.cache_clear()
    statuses = [client.post("/api/tts", json={"text": f"第{i}句"}).status_code for i in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
    limited = client.post("/api/tts", json={"text": "再来"})
    assert int(limited.headers["retry-after"]) >= 1
    assert "频繁" in limited.json()["error"]["message"]
    get_settings.cache_clear()


def test_speakable_drops_source_and_score_and_says_percent() -> None:
    text = speakable("住院报销比例约为70%-90%，共24,000.00元。\n来源：《培训课件》 第三部分（匹配度 91%）\n① 先备案 👍")
    assert text == "住院报销比例约为百分之70至百分之90，共24000元。\n先备案"
    assert "匹配度" not in text and "来源" not in text


def test_cache_is_bounded_in_bytes() -> None:
    class Echo:
        name, media_type = "echo", "audio/wav"

        def synthesize(self, text: str) -> bytes:
            return text.encode() * 100

    service = SpeechService(Echo(), cache_bytes=1000)
    for word in ("一二三", "四五六", "七八九", "十"):
        service.audio(word)
    assert service._cached_size <= 1000
    assert service.audio("十")[1] is True and service.audio("一二三")[1] is False  # oldest dropped first


def test_a_hospital_engine_is_plugged_in_by_setting(private_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("hospital_tts")

    class HospitalEngine:
        name, media_type = "hospital", "audio/ogg"

        def synthesize(self, text: str) -> bytes:
            return b"OggS" + text.encode()

    module.create_engine = HospitalEngine  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "hospital_tts", module)
    monkeypatch.setenv("YIBAO_KIOSK_TTS_ENGINE", "hospital_tts:create_engine")
    from kiosk_api.app import create_app
    from yibao.settings import get_settings

    get_settings.cache_clear()
    _caches_clear()
    with TestClient(create_app()) as client:
        resp = client.post("/api/tts", json={"text": "您好"})
    _caches_clear()
    get_settings.cache_clear()
    assert resp.status_code == 200 and resp.headers["content-type"] == "audio/ogg"
    assert resp.content == "OggS您好".encode()


def test_missing_engine_is_a_polite_503(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk_api.speech import get_speech_service

    monkeypatch.setattr(get_speech_service().engine, "binary", None)
    resp = client.post("/api/tts", json={"text": "测试朗读"})
    assert resp.status_code == 503
    assert "朗读" in resp.json()["error"]["message"]
