"""The staff console in Debian's chromium against the real stack; screenshots in tests/artifacts/.

1. A kb_admin signs in, turns a question from the unanswered queue into a curated answer citing a passage, and a
   patient's paraphrase in the chat widget then gets that answer with its source.
2. A document is uploaded on the documents page (a DOCX made here), and the dashboard shows its charts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.document_fixtures import make_docx
from yibao.settings import PROJECT_ROOT
from yibao.stack import Stack

pytestmark = [pytest.mark.stack, pytest.mark.browser]
DESKTOP = {"width": 1440, "height": 1000}
PHONE = {"width": 390, "height": 844}
ANSWER_TIMEOUT = 60_000
PASSWORD = "browser-test-2026"
QUEUE_QUESTION = "医保卡丢了怎么补办"
PARAPHRASE = "我的医保卡弄丢了，去哪里补办"
CURATED_TEXT = "医保卡丢失后，请先挂失，再带身份证到一楼医保服务窗口补办。"


@pytest.fixture(scope="module")
def editor(warm_stack: Stack) -> dict[str, str]:
    env = {**os.environ, **warm_stack.env(), "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([sys.executable, "-m", "yibao.cli", "staff", "add", "editor", "--role", "kb_admin",
                           "--password-stdin"], input=PASSWORD + "\n", text=True, capture_output=True, env=env,
                          cwd=PROJECT_ROOT, timeout=120)
    assert done.returncode == 0 or "已存在" in done.stdout, done.stdout + done.stderr
    return {"username": "editor", "password": PASSWORD}


@pytest.fixture
def pages(browser: Any, warm_stack: Stack) -> Iterator[Any]:
    contexts = []

    def open_page(path: str, viewport: dict[str, int]) -> Any:
        context = browser.new_context(viewport=viewport, base_url=warm_stack.api_url, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        page.goto(path)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _sign_in(page: Any, editor: dict[str, str]) -> None:
    page.wait_for_url("**/staff/login**")
    page.fill("#username", editor["username"])
    page.fill("#password", editor["password"])
    page.click("#submit")


def _unsolved_question(api_url: str, question: str) -> None:
    """A patient asks and says the answer did not solve it: the question is in the queue either way."""
    with httpx.Client(base_url=api_url, timeout=60) as client:
        sid = client.post("/api/session", json={"channel": "kiosk"}).json()["session_id"]
        reply = client.post("/api/chat", json={"session_id": sid, "message": question}).json()
        assert CURATED_TEXT not in " ".join(m["text"] or "" for m in reply["messages"])
        client.post("/api/feedback", json={"session_id": sid, "reply_id": reply["reply_id"], "rating": "unsolved"})


def test_sign_in_curate_from_the_queue_and_a_paraphrase_gets_the_answer(
    pages: Any, editor: dict[str, str], warm_stack: Stack, artifacts: Path
) -> None:
    _unsolved_question(warm_stack.api_url, QUEUE_QUESTION)
    page = pages("/staff/queue", DESKTOP)
    _sign_in(page, editor)
    page.wait_for_selector("body[data-ready=true]")
    group = page.locator(".group", has=page.locator(".q", has_text=QUEUE_QUESTION)).first
    group.wait_for()
    page.screenshot(path=artifacts / "staff_queue.png", full_page=True)

    group.locator("button.write").click()
    page.wait_for_selector("#source-hits li", timeout=ANSWER_TIMEOUT)
    page.fill("#answer", CURATED_TEXT)
    page.click("#save")  # no source picked yet: refused with a reason
    page.locator("#editor-status.error").wait_for()
    assert "来源" in page.locator("#editor-status").inner_text()
    page.locator("#source-hits input[type=radio]").first.check()
    page.click("#save")
    page.locator("#editor-status", has_text="已保存").wait_for(timeout=ANSWER_TIMEOUT)
    page.locator("#curated tr", has_text=CURATED_TEXT).wait_for()
    page.screenshot(path=artifacts / "staff_curated_saved.png", full_page=True)
    assert page.js_errors == []

    patient = pages("/widget", PHONE)
    patient.wait_for_selector("body[data-ready=true]")
    patient.fill("#message", PARAPHRASE)
    patient.keyboard.press("Enter")
    patient.locator(".bubble.bot", has_text=CURATED_TEXT).wait_for(timeout=ANSWER_TIMEOUT)
    reply = patient.locator(".reply").last
    reply.locator(".sources summary").click()
    assert reply.locator(".sources li").count() == 1
    patient.screenshot(path=artifacts / "widget_curated_answer.png")
    assert patient.js_errors == []


def test_upload_a_document_and_show_the_dashboard(
    pages: Any, editor: dict[str, str], warm_stack: Stack, artifacts: Path, tmp_path: Path
) -> None:
    fixture = make_docx(tmp_path / "备案补充说明.docx")
    page = pages("/staff/documents", DESKTOP)
    _sign_in(page, editor)
    page.wait_for_selector("body[data-ready=true]")
    page.set_input_files("#file", str(fixture.path))
    page.click("#upload")
    page.locator("#upload-status", has_text="已加入").wait_for(timeout=300_000)
    page.locator("#docs tr", has_text="备案补充说明").wait_for()
    page.screenshot(path=artifacts / "staff_document_uploaded.png", full_page=True)

    with httpx.Client(base_url=warm_stack.api_url, timeout=60) as client:  # found without a restart
        def found() -> bool:
            hits = client.get("/api/search", params={"q": fixture.question, "k": 3}).json()["hits"]
            return bool(hits) and hits[0]["doc_id"] == "备案补充说明"

        import time

        deadline = time.monotonic() + 60
        while not found():
            assert time.monotonic() < deadline, "the uploaded document was not found"
            time.sleep(1)

    page.click("nav.console a[href='/staff/dashboard']")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("() => [...document.querySelectorAll('#charts img')]"
                           ".every(i => i.complete && i.naturalWidth > 0)",
                           timeout=ANSWER_TIMEOUT)
    assert page.locator("#charts img").count() == 5
    assert int(page.locator(".figure strong").first.inner_text()) >= 1  # the questions asked in this test session
    page.screenshot(path=artifacts / "staff_dashboard.png", full_page=True)
    csv_text = page.evaluate("fetch('/api/staff/dashboard.csv?days=14').then(r => r.text())")
    assert csv_text.lstrip("\ufeff").startswith("date,channel,questions")
    assert page.js_errors == []
