"""Helpers of the browser tests (importable: conftest modules are not, under --import-mode=importlib):
viewports, waiting for an answer, and the axe-core check whose reports are saved beside the screenshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
ANSWER_TIMEOUT = 60_000  # ms; the first answer also may wait for kiosk_api to load the embedding model
# WCAG 2.0–2.2 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING_IMPACTS = {"serious", "critical"}


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


def axe_check(page: Any, artifacts: Path, name: str) -> list[dict[str, Any]]:
    """Run axe-core (the copy bundled in axe-playwright-python) on the page as it is now; save the full report
    and a screenshot under artifacts/axe/; return the serious and critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                       "resultTypes": ["violations", "incomplete"]}).response
    folder = artifacts / "axe"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"{name}.png")
    report = {"page": name, "url": page.url, "axe_version": results.get("testEngine", {}).get("version"),
              "violations": results["violations"], "incomplete": results.get("incomplete", [])}
    (folder / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def small_targets(page: Any, minimum: int = 60) -> list[str]:
    """Visible, enabled buttons and summaries smaller than minimum × minimum CSS px (适老化: 60 × 60)."""
    return page.evaluate("""(minimum) => [...document.querySelectorAll('button, summary, [role=button], a')]
        .filter((e) => e.offsetParent !== null && !e.disabled)
        .map((e) => [e, e.getBoundingClientRect()])
        .filter(([e, r]) => r.width > 0 && (r.width < minimum || r.height < minimum))
        .map(([e, r]) => `${e.id || e.className || e.tagName} "${e.textContent.trim().slice(0, 20)}" `
                          + `${Math.round(r.width)}x${Math.round(r.height)}`)""",
        minimum)
