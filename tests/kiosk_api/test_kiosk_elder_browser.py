"""The kiosk for older patients, in Debian's chromium against the real stack (issue 14): read-aloud through the
server engine, answers reached by touch alone, the idle warning extended with one tap, 大字 and 高对比, the
keypad's silence while a PIN is typed. Screenshots in tests/artifacts/."""

from __future__ import annotations

import io
import json
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.kiosk_api.browser_helpers import ANSWER_TIMEOUT, LANDSCAPE, PORTRAIT, last_reply, small_targets

pytestmark = [pytest.mark.stack, pytest.mark.browser]

# What a Linux kiosk's chromium has: no speech voice at all (made certain here, whatever the test machine has).
NO_VOICES = "speechSynthesis.getVoices = () => [];"
# A browser that does have a Chinese voice: what it is asked to say is recorded instead of played.
FAKE_CHINESE_VOICE = """
  window.__spoken = [];
  const voice = {lang: "zh-CN", name: "测试中文语音", default: true, localService: true, voiceURI: "zh"};
  speechSynthesis.getVoices = () => [voice];
  speechSynthesis.speak = (u) => { window.__spoken.push(u.text); setTimeout(() => u.onend && u.onend(), 10); };
"""


def tap_path(page: Any, topic: str, subtopic: str, question: str) -> Any:
    """Three taps from the home screen; returns the answer."""
    page.locator(f".topic[data-topic={topic}]").click()
    page.locator(f".choice[data-subtopic={subtopic}]").click()
    page.locator(f".choice[data-question={question}]").click()
    return last_reply(page)


def wav_seconds_and_rms(audio: bytes) -> tuple[float, float]:
    with wave.open(io.BytesIO(audio)) as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
        return w.getnframes() / w.getframerate(), float(np.sqrt(np.mean(samples**2)))


def assert_answer_shown_once(reply: Any) -> None:
    """Short answer first; the source once, as an expandable citation; no match score for patients."""
    text = reply.inner_text()
    assert "匹配度" not in text
    assert "来源：" not in text  # the bot's source line is not repeated: the citation shows it
    assert reply.locator("details.sources").count() == 1
    assert reply.locator("details.sources").get_attribute("open") is None  # collapsed until tapped


def test_kiosk_reads_the_answer_aloud_through_the_server_engine(page_factory: Any, artifacts: Path) -> None:
    page = page_factory("/kiosk", PORTRAIT, init_script=NO_VOICES)
    reply = tap_path(page, "reimbursement", "inpatient", "inpatient_ratio")
    assert_answer_shown_once(reply)
    with page.expect_response(lambda r: r.url.endswith("/api/tts"), timeout=ANSWER_TIMEOUT) as spoken:
        reply.locator(".speak").click()
    response = spoken.value
    assert response.status == 200 and response.headers["content-type"] == "audio/wav"
    sent = json.loads(response.request.post_data)["text"]
    assert sent.strip() and "来源" not in sent and "匹配度" not in sent
    seconds, rms = wav_seconds_and_rms(response.body())
    (artifacts / "kiosk_read_aloud.wav").write_bytes(response.body())
    assert seconds > 1.0 and rms > 300, (seconds, rms)  # speech, not silence
    page.wait_for_function("() => document.body.dataset.speechEngine === 'server'")
    page.screenshot(path=artifacts / "kiosk_read_aloud_portrait.png")
    assert page.js_errors == []


def test_kiosk_uses_a_chinese_browser_voice_when_there_is_one(page_factory: Any) -> None:
    page = page_factory("/kiosk", PORTRAIT, init_script=FAKE_CHINESE_VOICE)
    tts_requests: list[str] = []
    page.on("request", lambda r: tts_requests.append(r.url) if r.url.endswith("/api/tts") else None)
    reply = tap_path(page, "remote_filing", "direct", "direct_policy")
    reply.locator(".speak").click()
    page.wait_for_function("() => window.__spoken.length > 0")
    spoken = page.evaluate("window.__spoken[0]")
    assert spoken and "来源" not in spoken and "匹配度" not in spoken
    assert tts_requests == []


@pytest.mark.parametrize(("name", "path", "expect"), [
    ("reimbursement", ("reimbursement", "inpatient", "employee_inpatient"), "职工"),
    ("filing_guide", ("remote_filing", "filing", "filing_temporary"), "备案"),
    ("catalog", ("catalog", "classes", "catalog_classes"), "甲类"),
])
def test_answers_are_reached_by_touch_alone(
    page_factory: Any, artifacts: Path, name: str, path: tuple[str, str, str], expect: str
) -> None:
    page = page_factory("/kiosk", PORTRAIT)
    typed: list[str] = []
    page.on("request", lambda r: typed.append(r.url) if r.url.endswith("/api/chat") else None)
    tap_path(page, *path)
    reply = page.locator(".reply").nth(0)  # this answer, also once later answers follow it
    assert len(typed) == 1  # three taps, one question asked, nothing typed
    assert page.locator("#ask-input").input_value() == ""
    assert expect in reply.locator(".lead").first.inner_text() + reply.locator(".bubble").first.inner_text()
    assert_answer_shown_once(reply)
    related = reply.locator(".quick-replies .quick")
    assert 2 <= related.count() <= 4
    assert reply.locator(".nav.back", has_text="返回上一级").count() == 1
    page.screenshot(path=artifacts / f"kiosk_touch_{name}.png")

    reply.locator(".nav.back").click()  # back to the list the answer belongs to
    page.wait_for_selector(f"#browse:not([hidden]) .choice[data-question={path[2]}]")
    assert page.locator("#browse-path").inner_text().startswith("首页 ›")
    page.locator(f".choice.question:not([data-question={path[2]}])").first.click()  # another question
    last_reply(page)
    assert related.first.is_disabled() and reply.locator(".nav.back").is_disabled()  # old turn's buttons
    assert page.js_errors == []


def test_the_reimbursement_estimate_is_done_by_touch_alone(page_factory: Any, artifacts: Path) -> None:
    """The estimate asks back (insurance, visit, cost): choices to tap, and the keypad for the amount."""
    page = page_factory("/kiosk", PORTRAIT)
    tap_path(page, "reimbursement", "estimate", "estimate_my_bill")
    page.locator(".reply").last.locator(".quick", has_text="职工医保").click()
    last_reply(page).locator(".quick", has_text="住院").click()
    page.wait_for_selector("#keypad:not([hidden])", timeout=ANSWER_TIMEOUT)
    assert "费用" in page.locator("#keypad-title").inner_text()
    for key in "20000":
        page.locator(f"#keypad [data-key='{key}']").click()
    page.locator("#keypad-ok").click()
    reply = last_reply(page)
    assert "元" in reply.inner_text() and reply.locator("details.sources").count() == 1
    assert page.locator("#ask-input").input_value() == ""
    page.screenshot(path=artifacts / "kiosk_touch_estimate.png")
    assert page.js_errors == []


def test_the_idle_warning_is_extended_with_one_tap(page_factory: Any, artifacts: Path) -> None:
    page = page_factory("/kiosk?idle=3", LANDSCAPE)
    deletes: list[str] = []
    page.on("request", lambda r: deletes.append(r.url) if r.method == "DELETE" else None)
    tap_path(page, "catalog", "pharmacy", "prescription_keep")
    page.wait_for_selector("#idle-overlay:not([hidden])", timeout=15_000)
    assert int(page.locator("#idle-count").inner_text()) >= 20  # WCAG 2.2.1: at least 20 s to react
    assert "3 秒" in page.locator("#idle-continue").inner_text()  # it says how much time the tap gives
    page.screenshot(path=artifacts / "kiosk_idle_warning_landscape.png")
    page.locator("#idle-continue").click()  # one tap
    page.wait_for_selector("#idle-overlay", state="hidden")
    assert page.locator("#transcript .reply").count() == 1 and deletes == []
    page.wait_for_selector("#idle-overlay:not([hidden])", timeout=15_000)  # a new idle period, then warned again
    assert deletes == []
    assert page.js_errors == []


def test_large_text_and_high_contrast_toggles(page_factory: Any, artifacts: Path) -> None:
    page = page_factory("/kiosk", PORTRAIT)
    reply = tap_path(page, "policy", "visit", "family_proxy")
    page.locator("#large-toggle").click()
    assert page.locator("#large-toggle").get_attribute("aria-pressed") == "true"
    assert "开" in page.locator("#large-toggle").inner_text()  # the state in words, not only in colour
    bubble_px = float(reply.locator(".bubble.bot").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert bubble_px >= 32
    page.locator("#contrast-toggle").click()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(0, 0, 0)"
    assert small_targets(page) == []
    page.screenshot(path=artifacts / "kiosk_large_contrast_portrait.png")
    page.locator("#home-button").click()  # the next patient gets the normal screen back
    page.wait_for_selector("#home:not([hidden])")
    assert page.evaluate("document.documentElement.className") == ""


def test_nothing_is_spoken_while_the_pin_is_typed_and_the_card_is_read_back_on_request(
    page_factory: Any, artifacts: Path, demo_account: dict[str, str]
) -> None:
    page = page_factory("/kiosk", PORTRAIT, init_script=NO_VOICES)
    spoken: list[str] = []
    page.on("request", lambda r: spoken.append(json.loads(r.post_data)["text"]) if r.url.endswith("/api/tts") else None)
    page.locator("#speak-toggle").click()  # auto read-aloud on: even so, nothing while the PIN is typed
    page.locator("[data-action=balance]").click()
    page.wait_for_selector("#keypad:not([hidden])", timeout=ANSWER_TIMEOUT)
    card = demo_account["card_number"]
    for digit in card:
        page.locator(f"#keypad [data-key='{digit}']").click()
    page.wait_for_timeout(300)
    before = list(spoken)
    assert all(card not in text for text in before)  # typing the card is not read out by itself
    page.locator("#keypad-readback").click()  # asked for: digit by digit, one digit per request
    for _ in range(300):  # each distinct digit is fetched once, then played from the page's own clips
        if len(spoken) - len(before) >= len(set(card)):
            break
        page.wait_for_timeout(100)
    digits = spoken[len(before):]
    assert digits and all(len(d) == 1 and d.isdigit() for d in digits)
    assert set(digits) == set(card)
    page.screenshot(path=artifacts / "kiosk_card_readback_portrait.png")

    page.locator("#keypad-ok").click()
    page.locator("#keypad-title", has_text="密码").wait_for(timeout=ANSWER_TIMEOUT)
    assert page.locator("#keypad-readback").is_hidden()
    pin_start = len(spoken)
    for digit in demo_account["pin"]:
        page.locator(f"#keypad [data-key='{digit}']").click()
    page.wait_for_timeout(500)
    assert spoken[pin_start:] == []
    page.locator("#keypad-ok").click()
    last_reply(page)
    assert all(demo_account["pin"] not in text for text in spoken)
    assert page.js_errors == []
