"""Issue 15: the session clocks come from one place (yibao/settings.py: SessionClocks), agree with what cannot
read the settings (domain.yml's Rasa session, the kiosk page's fallback and floor), and a contradiction among
them stops the settings from loading."""

from __future__ import annotations

import re

import pytest
import yaml

from yibao.settings import MIN_COUNTDOWN_SECONDS, PROJECT_ROOT, RASA_SESSION_MINUTES, Settings

STATIC = PROJECT_ROOT / "kiosk_api" / "static" / "js"


def _default(name: str) -> object:
    fields = getattr(Settings, "model_fields", None) or Settings.__fields__
    return fields[name].default


def test_domain_session_is_the_settings_rasa_session() -> None:
    """domain.yml is static (the model is trained with it): it must say what yibao.settings assumes."""
    session = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["session_config"]
    assert session["session_expiration_time"] == RASA_SESSION_MINUTES
    assert session["carry_over_slots_to_new_session"] is False  # a new session starts with nothing


def test_kiosk_page_fallback_and_floor_are_the_settings() -> None:
    """api.js's fallback (when /api/config cannot be read) and kiosk.js's countdown floor."""
    api = (STATIC / "api.js").read_text(encoding="utf-8")
    fallback = re.search(r"idle_seconds: (\d+), countdown_seconds: (\d+), max_message_chars: (\d+)", api)
    assert fallback, "api.js's loadConfig fallback not found"
    assert tuple(map(int, fallback.groups())) == (
        _default("kiosk_idle_seconds"), _default("kiosk_countdown_seconds"), _default("max_message_chars"))
    floor = re.search(r"const MIN_COUNTDOWN_SECONDS = (\d+);", (STATIC / "kiosk.js").read_text(encoding="utf-8"))
    assert floor and int(floor.group(1)) == MIN_COUNTDOWN_SECONDS


def test_the_defaults_relate_as_stated() -> None:
    clocks = Settings().session_clocks
    assert clocks.problems() == []
    assert clocks.verification <= clocks.rasa_session <= clocks.api_session
    assert clocks.kiosk_idle + clocks.kiosk_countdown < clocks.rasa_session


@pytest.mark.parametrize(("variable", "value", "said"), [
    ("YIBAO_KIOSK_COUNTDOWN_SECONDS", "10", "at least 20"),
    ("YIBAO_VERIFY_TTL_SECONDS", "900", "must not exceed Rasa's session"),
    ("YIBAO_KIOSK_IDLE_SECONDS", "580", "must be shorter than Rasa's session"),
    ("YIBAO_KIOSK_SESSION_TTL_SECONDS", "300", "must not be shorter than Rasa's session"),
    ("YIBAO_VERIFY_TTL_SECONDS", "0", "positive"),
])
def test_contradicting_clocks_stop_the_settings(variable: str, value: str, said: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=said):
        Settings()
