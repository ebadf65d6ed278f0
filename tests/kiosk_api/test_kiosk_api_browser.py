"""The three front ends in Debian's chromium against the real stack; screenshots in tests/artifacts/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.kiosk_api.browser_helpers import (
    ANSWER_TIMEOUT,
    LANDSCAPE,
    PHONE,
    PORTRAIT,
    last_reply,
    verify_on_kiosk_keypad,
)
from yibao.stack import Stack, free_port

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def test_kiosk_remote_filing_then_balance_portrait(
    page_factory: Any, artifacts: Path, demo_account: dict[str, str]
) -> None:
    page = page_factory("/kiosk", PORTRAIT)
    body_px = float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('.privacy')).fontSize)"))
    assert body_px >= 24
    assert page.locator("#privacy").is_visible()
    assert page.locator(".topic").count() == 8
    page.screenshot(path=artifacts / "kiosk_home_portrait.png")

    page.locator(".topic[data-topic=remote_filing]").click()
    page.locator(".choice[data-subtopic=filing]").click()
    page.locator(".choice[data-question=filing_temporary]").click()
    reply = last_reply(page)
    reply.locator(".sources summary").click()
    assert reply.locator(".sources li").count() >= 1
    assert reply.locator(".bubble.bot").first.inner_text().strip()
    page.screenshot(path=artifacts / "kiosk_remote_filing_portrait.png")

    page.locator("#home-button").click()  # a new patient: the screen is wiped
    page.wait_for_selector("#home:not([hidden])")
    assert page.locator("#transcript > *").count() == 0

    def masked_pin_on_screen() -> None:
        assert page.locator("#keypad-display").inner_text() == "●" * len(demo_account["pin"])
        page.screenshot(path=artifacts / "kiosk_pin_keypad_portrait.png")

    verify_on_kiosk_keypad(page, demo_account["card_number"], demo_account["pin"], before_ok=masked_pin_on_screen)
    reply = last_reply(page)
    shown = re.sub(r"[,，]", "", reply.inner_text())
    assert demo_account["balance"] in shown
    transcript = page.locator("#transcript").inner_text()
    assert demo_account["pin"] not in transcript and demo_account["card_number"] not in transcript
    page.screenshot(path=artifacts / "kiosk_balance_portrait.png")
    assert page.js_errors == []


def test_kiosk_landscape_resets_after_inactivity(page_factory: Any, artifacts: Path) -> None:
    page = page_factory("/kiosk?idle=3&countdown=3", LANDSCAPE)
    page.screenshot(path=artifacts / "kiosk_home_landscape.png")
    page.locator(".topic[data-topic=reimbursement]").click()
    page.locator(".choice[data-subtopic=inpatient]").click()
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/api/chat")):
        page.locator(".choice[data-question=employee_inpatient]").click()
    last_reply(page)
    page.wait_for_selector("#idle-overlay:not([hidden])", timeout=15_000)
    page.screenshot(path=artifacts / "kiosk_countdown_landscape.png")
    with page.expect_request(lambda r: r.method == "DELETE" and "/api/session/" in r.url, timeout=15_000):
        page.wait_for_selector("#home:not([hidden])", timeout=15_000)
    assert page.locator("#transcript > *").count() == 0
    assert page.js_errors == []


def test_widget_citations_quick_replies_and_escaping(page_factory: Any, artifacts: Path) -> None:
    page = page_factory("/widget", PHONE, is_mobile=True, has_touch=True)
    page.locator("#message").fill("你好")
    page.locator("#message").press("Enter")
    reply = last_reply(page)
    assert reply.locator(".quick").count() >= 2

    page.locator("#message").fill("异地就医直接结算按哪里的政策报销")
    page.locator("#send").click()
    reply = last_reply(page)
    reply.locator(".sources summary").click()
    assert reply.locator(".sources li").count() >= 1
    page.screenshot(path=artifacts / "widget_phone_citations.png", full_page=True)

    attack = "<img src=x onerror=alert(1)>"
    page.locator("#message").fill(attack)
    page.locator("#send").click()
    last_reply(page)
    mine = page.locator(".bubble.user").last
    assert mine.inner_text() == attack
    assert "&lt;img" in mine.inner_html()
    assert page.js_errors == []


def test_widget_enter_while_composing_does_not_send(page_factory: Any) -> None:
    page = page_factory("/widget", PHONE)
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.url.endswith("/api/chat") else None)
    box = page.locator("#message")
    box.fill("yibao")
    # What an IME does while a pinyin candidate is picked with Enter.
    box.dispatch_event("compositionstart", {"data": ""})
    box.dispatch_event("keydown", {"key": "Enter", "code": "Enter", "isComposing": True, "keyCode": 229})
    box.dispatch_event("compositionend", {"data": "医保"})
    page.wait_for_timeout(500)
    assert sent == [] and page.locator(".bubble.user").count() == 0
    box.fill("医保")
    with page.expect_request(lambda r: r.url.endswith("/api/chat")):
        box.press("Enter")
    assert page.locator(".bubble.user").count() == 1


def test_embed_script_opens_the_widget_on_another_site(browser: Any, live_stack: Stack) -> None:
    host_page = f'<html><body><h1>某医院官网</h1><script src="{live_stack.api_url}/widget.js"></script></body></html>'
    context = browser.new_context(viewport=LANDSCAPE)
    try:
        page = context.new_page()
        # A hospital website on another origin, served by the browser itself (see CHROMIUM_ARGS on LNA).
        site = f"http://127.0.0.1:{free_port()}/hospital-site"
        page.route(site, lambda route: route.fulfill(body=host_page, content_type="text/html"))
        page.goto(site)
        page.get_by_role("button", name="打开医保在线咨询").click()
        frame = page.frame_locator("iframe[title='医保通在线咨询']")
        frame.locator("body[data-ready=true]").wait_for()
        frame.locator("#close").click()
        page.wait_for_selector("iframe[title='医保通在线咨询']", state="hidden")
    finally:
        context.close()


def test_staff_console_finds_prescription_retention(page_factory: Any, artifacts: Path) -> None:
    page = page_factory("/staff", {"width": 1366, "height": 900})
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("外配处方保存多久")
    page.wait_for_selector(".result mark", timeout=ANSWER_TIMEOUT)
    first = page.locator(".result").first
    assert first.locator(".source strong").inner_text().startswith("《")
    assert "保存" in first.locator(".text").inner_text()
    page.keyboard.press("ArrowDown")
    assert first.get_attribute("aria-current") == "true"
    page.keyboard.press("Enter")
    first.locator(".copied").wait_for()
    page.screenshot(path=artifacts / "staff_search.png")
    with page.context.expect_page() as opened:
        page.keyboard.press("Shift+Enter")
    section = opened.value
    section.wait_for_selector("body[data-ready=true]")
    assert "保存" in section.locator("#section").inner_text()
    section.screenshot(path=artifacts / "staff_section.png")
    page.locator(".mode[data-mode=catalog]").click()
    page.locator("#q").fill("阿莫西林")
    page.wait_for_selector(".result .badge", timeout=ANSWER_TIMEOUT)
    page.screenshot(path=artifacts / "staff_catalog.png")
    assert page.js_errors == []
