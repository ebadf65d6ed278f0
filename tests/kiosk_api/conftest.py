"""Fixtures of the kiosk API tests: an HTTP client on the real stack, a private app for no-stack tests,
the browser (Debian's chromium through Playwright) and the screenshot folder."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from yibao.settings import PROJECT_ROOT
from yibao.stack import Stack, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync",
                 # The embed test's "hospital site" is served by the browser itself; Local Network Access checks
                 # would block its loopback script, which a real deployment (a hospital domain) never meets.
                 "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests"]


def _reset_caches() -> None:
    from kiosk_api.store import get_store
    from yibao.ratelimit import _limiter_for
    from yibao.settings import get_settings

    for cached in (get_settings, get_store, _limiter_for):
        cached.cache_clear()


@pytest.fixture
def private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings pointing at a fresh data dir and database, and at a Rasa port nothing listens on."""
    monkeypatch.setenv("YIBAO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'yibao.db'}")
    monkeypatch.setenv("YIBAO_RASA_URL", f"http://127.0.0.1:{free_port()}")
    _reset_caches()
    yield tmp_path
    _reset_caches()


@pytest.fixture(scope="session")
def warm_stack(live_stack: Stack) -> Stack:
    """One answered question first: the embedding model may still be loading in kiosk_api."""
    with httpx.Client(base_url=live_stack.api_url, timeout=120) as client:
        sid = client.post("/api/session", json={"channel": "api"}).json()["session_id"]
        client.post("/api/chat", json={"session_id": sid, "message": "住院报销比例是多少"}).raise_for_status()
        client.delete(f"/api/session/{sid}")
    return live_stack


@pytest.fixture
def api(warm_stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=warm_stack.api_url, timeout=60) as client:
        yield client


@pytest.fixture
def session_id(api: httpx.Client) -> str:
    resp = api.post("/api/session", json={"channel": "api"})
    assert resp.status_code == 201, resp.text
    return resp.json()["session_id"]


@pytest.fixture(scope="session")
def demo_account(live_stack: Stack) -> dict[str, str]:
    """The first demo account (fictional), loaded into the stack's private database with the real CLI."""
    from accounts.importer import DEMO_CSV, read_csv

    env = {**os.environ, **live_stack.env()}
    subprocess.run([sys.executable, "-m", "yibao.cli", "accounts", "demo"], cwd=PROJECT_ROOT, env=env, check=True,
                   capture_output=True)
    row = read_csv(DEMO_CSV)[0]
    return {"card_number": row.card_number, "pin": row.pin, "balance": f"{float(row.balance):.2f}"}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = PROJECT_ROOT / "tests" / "artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: apt-get install chromium (scripts/test.sh does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_factory(browser: Any, warm_stack: Stack) -> Iterator[Any]:
    """Pages of the real stack in chromium; ``page.js_errors`` collects uncaught errors and dialogs;
    ``init_script`` runs before the page's own scripts (e.g. to take its speech voices away)."""
    contexts = []

    def open_page(path: str, viewport: dict[str, int], init_script: str | None = None, **options: Any) -> Any:
        context = browser.new_context(viewport=viewport, base_url=warm_stack.api_url, locale="zh-CN", **options)
        if init_script:
            context.add_init_script(init_script)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
        page.js_errors = errors
        page.goto(path)
        page.wait_for_selector("body[data-ready=true]")
        return page

    yield open_page
    for context in contexts:
        context.close()
