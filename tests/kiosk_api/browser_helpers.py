"""Helpers of the browser tests (importable: conftest modules are not, under --import-mode=importlib)."""

from __future__ import annotations

from typing import Any

ANSWER_TIMEOUT = 60_000  # ms; the first answer also loads the embedding model in the action server


def last_reply(page: Any) -> Any:
    page.wait_for_selector(".typing", state="detached", timeout=ANSWER_TIMEOUT)
    return page.locator(".reply").last


def verify_on_kiosk_keypad(page: Any, card_number: str, pin: str, before_ok: Any = None) -> None:
    """From the home screen: 余额查询, the card number and the PIN typed on the on-screen keypad."""
    page.locator("[data-action=balance]").click()
    page.wait_for_selector("#keypad:not([hidden])", timeout=ANSWER_TIMEOUT)
    for digit in card_number:
        page.locator(f"#keypad [data-key='{digit}']").click()
    page.locator("#keypad-ok").click()
    page.locator("#keypad-title", has_text="密码").wait_for(timeout=ANSWER_TIMEOUT)
    for digit in pin:
        page.locator(f"#keypad [data-key='{digit}']").click()
    if before_ok is not None:
        before_ok()
    page.locator("#keypad-ok").click()
