"""定点医药机构 and the yearly statement in Debian's chromium against the real stack; screenshots in tests/artifacts/.

- the kiosk finds the nearest pharmacy that takes 外配处方 by touch alone;
- the widget answers "哪些医院能异地直接结算" with cards;
- a verified patient sees a multi-year statement and prints it (80 mm receipt, name and card masked),
  and the statement's figures reach neither the tracker store, the logs nor the unanswered report.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.kiosk_api.browser_helpers import ANSWER_TIMEOUT, last_reply, verify_on_kiosk_keypad
from yibao.stack import Stack

pytestmark = [pytest.mark.stack, pytest.mark.browser]
PORTRAIT = {"width": 1080, "height": 1920}
PHONE = {"width": 390, "height": 844}


def test_kiosk_finds_the_nearest_pharmacy_with_external_prescriptions_by_touch(
    page_factory: Any, artifacts: Path
) -> None:
    page = page_factory("/kiosk", PORTRAIT, has_touch=True)
    typed: list[str] = []
    page.on("request", lambda r: typed.append(r.url) if r.url.endswith("/api/chat") else None)
    page.locator("[data-action=directory]").tap()
    page.wait_for_selector("#directory .inst-card")
    assert page.locator("#directory .chip[data-type=零售药店]").get_attribute("aria-pressed") == "true"
    page.screenshot(path=artifacts / "kiosk_directory_pharmacies_portrait.png")

    with page.expect_response(lambda r: "/api/institutions?" in r.url and "external_prescription" in r.url):
        page.locator("#directory .chip[data-flag=external_prescription]").tap()
    page.wait_for_selector("#directory .inst-card")
    cards = page.locator("#directory .inst-card")
    assert cards.count() >= 2
    for i in range(cards.count()):
        assert "外配处方" in cards.nth(i).locator(".inst-flags").inner_text()
    first = cards.first
    assert "市一医院对面店" in first.locator(".inst-name").inner_text()
    assert first.locator(".inst-distance").inner_text().endswith("米")
    box = page.locator("#directory .chip[data-flag=external_prescription]").bounding_box()
    assert box and box["height"] >= 72  # a finger-sized target
    page.screenshot(path=artifacts / "kiosk_directory_external_prescription_portrait.png")
    assert typed == [] and page.locator("#directory input").count() == 0  # no typing anywhere

    page.locator("#directory .inst-back").tap()
    page.wait_for_selector("#home:not([hidden])")
    assert page.locator("#directory").is_hidden() and page.js_errors == []


def test_widget_answers_which_hospitals_settle_remote_bills_with_cards(page_factory: Any, artifacts: Path) -> None:
    page = page_factory("/widget", PHONE, is_mobile=True, has_touch=True)
    page.locator("#message").fill("哪些医院能异地直接结算")
    page.locator("#send").click()
    last_reply(page)
    page.wait_for_selector(".inst-cards .inst-card", timeout=ANSWER_TIMEOUT)
    cards = page.locator(".inst-cards").last.locator(".inst-card")
    assert cards.count() >= 2
    for i in range(cards.count()):
        assert "跨省异地就医直接结算" in cards.nth(i).inner_text()
    assert "示例" in page.locator(".reply").last.inner_text()
    page.screenshot(path=artifacts / "widget_remote_settlement_hospitals.png", full_page=True)

    page.locator("#message").fill("协和医院电话多少")
    page.locator("#send").click()
    reply = last_reply(page)
    assert "没有找到" in reply.inner_text()
    assert page.js_errors == []


def test_verified_patient_sees_and_prints_a_multi_year_statement(
    page_factory: Any, artifacts: Path, demo_account: dict[str, str], live_stack: Stack
) -> None:
    from accounts.importer import DEMO_CSV, read_csv

    row = next(r for r in read_csv(DEMO_CSV) if r.card_number == demo_account["card_number"])
    page = page_factory("/kiosk", PORTRAIT)
    verify_on_kiosk_keypad(page, demo_account["card_number"], demo_account["pin"])
    statement = page.locator("#transcript .statement")
    statement.wait_for(timeout=ANSWER_TIMEOUT)
    years = statement.locator("caption", has_text="个人账户").locator("xpath=..").locator("tbody tr")
    assert years.count() == len(row.years) >= 3
    assert statement.locator("caption", has_text="缴费记录").count() == 1
    text = statement.inner_text()
    assert row.card_number[-4:] in text and row.card_number not in text and row.name not in text
    page.screenshot(path=artifacts / "kiosk_statement_portrait.png", full_page=True)

    page.evaluate("window.print = () => {}")  # headless chromium has no printer: keep the receipt copy
    statement.locator(".print-button").click()
    page.emulate_media(media="print")
    receipt = page.locator(".receipt-copy")
    assert receipt.is_visible() and page.locator("#transcript").is_hidden() and page.locator(".top").is_hidden()
    width_mm = page.evaluate("document.querySelector('.receipt-copy').getBoundingClientRect().width") * 25.4 / 96
    assert 60 <= width_mm <= 80
    assert row.card_number not in receipt.inner_text() and row.name not in receipt.inner_text()
    page.screenshot(path=artifacts / "kiosk_statement_receipt_print.png", full_page=True)
    page.emulate_media(media="screen")
    assert page.js_errors == []

    # The yearly figures went from kiosk_api to the page only: not in the tracker, the logs, the report.
    yearly = {f"{y[3]:.2f}" for y in row.years[:-1]} | {f"{y[1]:.2f}" for y in row.years}
    data_dir = Path(live_stack.env()["YIBAO_DATA_DIR"])
    tracker = sqlite3.connect(data_dir / "rasa_tracker.db")
    stored = " ".join(str(r[0]) for r in tracker.execute("SELECT data FROM events"))
    tracker.close()
    logs = " ".join(p.read_text(errors="replace") for p in (data_dir / "logs").glob("*"))
    assert not {v for v in yearly if v in stored or v in logs}


def test_staff_directory_tab_filters_and_keyboard(page_factory: Any, artifacts: Path) -> None:
    page = page_factory("/staff", {"width": 1366, "height": 900})
    page.locator(".mode[data-mode=directory]").click()
    page.wait_for_selector("#inst-filters select[data-filter=type]")
    page.wait_for_selector(".result .inst-card")
    with page.expect_response(lambda r: "/api/institutions?" in r.url and "type=" in r.url):
        page.locator("select[data-filter=type]").select_option("零售药店")
    page.locator("#inst-filters input[value=open_24h]").check()
    # Function form: the page's CSP forbids eval, which Playwright would use for a bare expression.
    page.wait_for_function("() => document.querySelectorAll('.result').length > 0 && [...document.querySelectorAll("
                           "'.result .inst-flags')].every(f => f.textContent.includes('24小时'))")
    page.locator("#q").focus()
    page.keyboard.type("百姓")
    page.wait_for_function("() => document.querySelectorAll('.result .inst-name').length === 1")
    assert "百姓大药房" in page.locator(".result .inst-name").first.inner_text()
    page.keyboard.press("ArrowDown")
    first = page.locator(".result").first
    assert first.get_attribute("aria-current") == "true"
    page.keyboard.press("Enter")
    first.locator(".copied").wait_for()
    assert "示例数据" in page.locator("#status").inner_text()
    page.screenshot(path=artifacts / "staff_directory.png")
    assert page.js_errors == []
