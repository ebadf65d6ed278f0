"""axe-core (through axe-playwright-python) on the kiosk, the widget and the staff console, in each of their
states: no serious or critical violation. Reports and screenshots in tests/artifacts/axe/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.kiosk_api.browser_helpers import (
    ANSWER_TIMEOUT,
    PHONE,
    PORTRAIT,
    axe_check,
    last_reply,
    small_targets,
)

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def _assert_clean(found: dict[str, list[dict[str, Any]]], artifacts: Path, page_name: str) -> None:
    (artifacts / "axe" / f"summary_{page_name}.json").write_text(
        json.dumps({state: len(v) for state, v in found.items()}, ensure_ascii=False), encoding="utf-8")
    blocking = {state: v for state, v in found.items() if v}
    assert blocking == {}, json.dumps(blocking, ensure_ascii=False, indent=1)


def test_kiosk_has_no_serious_accessibility_violations(
    page_factory: Any, artifacts: Path, demo_account: dict[str, str]
) -> None:
    page = page_factory("/kiosk?idle=4", PORTRAIT)
    found, targets = {}, {}
    found["home"], targets["home"] = axe_check(page, artifacts, "kiosk_home"), small_targets(page)
    page.locator(".topic[data-topic=remote_filing]").click()
    found["topic"], targets["topic"] = axe_check(page, artifacts, "kiosk_topic"), small_targets(page)
    page.locator(".choice[data-subtopic=manual]").click()
    page.locator(".choice[data-question=manual_claim]").click()
    last_reply(page).locator(".sources summary").click()
    found["answer"], targets["answer"] = axe_check(page, artifacts, "kiosk_answer"), small_targets(page)
    page.wait_for_selector("#idle-overlay:not([hidden])", timeout=15_000)
    found["timeout_warning"] = axe_check(page, artifacts, "kiosk_timeout_warning")
    targets["timeout_warning"] = small_targets(page)
    page.locator("#idle-continue").click()
    page.locator("#large-toggle").click()
    page.locator("#contrast-toggle").click()
    found["answer_large_contrast"] = axe_check(page, artifacts, "kiosk_answer_large_contrast")
    page.locator("#large-toggle").click()
    page.locator("#contrast-toggle").click()
    page.locator("#home-button").click()
    page.locator("[data-action=balance]").click()
    page.wait_for_selector("#keypad:not([hidden])", timeout=ANSWER_TIMEOUT)
    for digit in demo_account["card_number"][:4]:
        page.locator(f"#keypad [data-key='{digit}']").click()
    found["keypad"], targets["keypad"] = axe_check(page, artifacts, "kiosk_keypad"), small_targets(page)
    _assert_clean(found, artifacts, "kiosk")
    assert {state: t for state, t in targets.items() if t} == {}  # 适老化: every target at least 60 × 60 px


def test_widget_has_no_serious_accessibility_violations(page_factory: Any, artifacts: Path) -> None:
    page = page_factory("/widget", PHONE, is_mobile=True, has_touch=True)
    found = {"home": axe_check(page, artifacts, "widget_home")}
    page.locator("#message").fill("异地就医直接结算按哪里的政策报销")
    page.locator("#send").click()
    last_reply(page).locator(".sources summary").click()
    found["answer"] = axe_check(page, artifacts, "widget_answer")
    page.locator("#message").fill("查询医保余额")
    page.locator("#send").click()
    last_reply(page)
    asks_card = "() => document.getElementById('message').placeholder.includes('卡号')"
    page.wait_for_function(asks_card, timeout=ANSWER_TIMEOUT)
    found["keypad"] = axe_check(page, artifacts, "widget_card_input")
    _assert_clean(found, artifacts, "widget")


def test_staff_console_has_no_serious_accessibility_violations(page_factory: Any, artifacts: Path) -> None:
    page = page_factory("/staff", {"width": 1366, "height": 900})
    found = {"home": axe_check(page, artifacts, "staff_home")}
    page.locator("#q").fill("外配处方保存多久")
    page.wait_for_selector(".result mark", timeout=ANSWER_TIMEOUT)
    assert "匹配度" in page.locator(".result").first.inner_text()  # the score is shown to staff, only there
    found["answer"] = axe_check(page, artifacts, "staff_search_results")
    page.locator(".mode[data-mode=catalog]").click()
    page.locator("#q").fill("阿莫西林")
    page.wait_for_selector(".result .badge", timeout=ANSWER_TIMEOUT)
    found["catalog"] = axe_check(page, artifacts, "staff_catalog_results")
    page.goto("/staff/login")  # the password entry of the console (its queue, documents and dashboard need it)
    page.wait_for_selector("#login")
    found["sign_in"] = axe_check(page, artifacts, "staff_sign_in")
    _assert_clean(found, artifacts, "staff")
