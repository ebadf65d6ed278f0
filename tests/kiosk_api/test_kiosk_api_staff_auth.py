"""Staff sign-in on the real app and a private database: who may read, who may change, CSRF, lockout,
cookies, sign-out, and the routes that stay open to patients."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from yibao.settings import PROJECT_ROOT

PASSWORD = "lobby-desk-2026!"
READ_ROUTES = [
    ("GET", "/api/staff/me"), ("GET", "/api/staff/queue"), ("GET", "/api/staff/curated"),
    ("GET", "/api/staff/curated/1/history"), ("GET", "/api/staff/curated.yaml"), ("GET", "/api/staff/policy-rows"),
    ("GET", "/api/staff/documents"), ("GET", "/api/staff/kb/versions"), ("GET", "/api/staff/dashboard"),
    ("GET", "/api/staff/dashboard.csv"), ("GET", "/api/staff/charts/questions.svg"),
]
CHANGE_ROUTES = [
    ("POST", "/api/staff/curated", {"question": "问题", "answer": "答案", "source_id": "policy:1:ratio"}),
    ("PUT", "/api/staff/curated/1", {"answer": "新答案"}),
    ("DELETE", "/api/staff/curated/1", None),
    ("POST", "/api/staff/curated.yaml", None),
    ("POST", "/api/staff/documents?filename=a.txt", None),
    ("DELETE", "/api/staff/documents/003", None),
    ("POST", "/api/staff/kb/rollback/1", None),
]


@pytest.fixture
def client(private_env: Path) -> Iterator[TestClient]:
    from accounts.staff import get_staff_service
    from kiosk_api.app import create_app

    svc = get_staff_service()
    svc.add_user("desk", PASSWORD, "staff")
    svc.add_user("editor", PASSWORD, "kb_admin")
    with TestClient(create_app()) as test_client:
        yield test_client


def _sign_in(client: TestClient, user: str) -> str:
    resp = client.post("/api/staff/login", json={"username": user, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    return resp.json()["csrf_token"]


def _call(
    client: TestClient, method: str, path: str, body: object = None, headers: dict | None = None
) -> httpx.Response:
    if body is None:
        return client.request(method, path, headers=headers or {}, content=b"x" if method == "POST" else None)
    return client.request(method, path, json=body, headers=headers or {})


@pytest.mark.parametrize(("method", "path"), READ_ROUTES + [(m, p) for m, p, _ in CHANGE_ROUTES])
def test_protected_routes_answer_401_without_sign_in(client: TestClient, method: str, path: str) -> None:
    resp = _call(client, method, path)
    assert resp.status_code == 401, (path, resp.text)
    assert resp.json()["error"]["code"] == "not_signed_in"


def test_staff_role_reads_but_every_change_is_403(client: TestClient) -> None:
    token = _sign_in(client, "desk")
    for method, path in READ_ROUTES:  # a fresh installation: empty, but every page answers
        assert client.request(method, path).status_code == 200, path
    for method, path, body in CHANGE_ROUTES:
        resp = _call(client, method, path, body, headers={"X-CSRF-Token": token})
        assert resp.status_code == 403, (path, resp.text)
        assert resp.json()["error"]["code"] == "forbidden"


def test_changes_without_or_with_a_wrong_csrf_token_are_403(client: TestClient) -> None:
    token = _sign_in(client, "editor")
    for method, path, body in CHANGE_ROUTES:
        for headers in ({}, {"X-CSRF-Token": "0" * 40}, {"X-CSRF-Token": token[:-1]}):
            resp = _call(client, method, path, body, headers=headers)
            assert resp.status_code == 403, (path, headers, resp.text)
            assert resp.json()["error"]["code"] == "csrf_failed"
    # the token is what makes the difference: the same change with it gets past the guard
    resp = client.delete("/api/staff/curated/999", headers={"X-CSRF-Token": token})
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "invalid_curated_answer"


def test_cookie_is_httponly_strict_and_secure_only_over_tls(private_env: Path) -> None:
    from accounts.staff import get_staff_service
    from kiosk_api.app import create_app

    get_staff_service().add_user("editor", PASSWORD, "kb_admin")
    for base_url, secure in (("http://testserver", False), ("https://testserver", True)):
        with TestClient(create_app(), base_url=base_url) as client:
            resp = client.post("/api/staff/login", json={"username": "editor", "password": PASSWORD})
            cookie = resp.headers["set-cookie"]
            assert "yibao_staff=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie.replace(
                "Strict", "strict")
            assert ("Secure" in cookie) is secure, cookie


def test_lockout_after_repeated_failures_also_for_unknown_names(client: TestClient) -> None:
    unknown = client.post("/api/staff/login", json={"username": "nobody", "password": "x" * 12})
    wrong = client.post("/api/staff/login", json={"username": "editor", "password": "x" * 12})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()  # the answer never tells whether the account exists
    for _ in range(4):
        client.post("/api/staff/login", json={"username": "editor", "password": "wrong password"})
    locked = client.post("/api/staff/login", json={"username": "editor", "password": PASSWORD})
    assert locked.status_code == 423 and "暂停" in locked.json()["error"]["message"]
    assert client.get("/api/staff/me").status_code == 401
    assert _sign_in(client, "desk")  # another account is not affected


def test_sign_out_ends_the_session_even_for_a_copied_cookie(client: TestClient) -> None:
    token = _sign_in(client, "editor")
    cookie = client.cookies.get("yibao_staff")
    assert client.get("/api/staff/me").json()["role"] == "kb_admin"
    assert client.post("/api/staff/logout").status_code == 403  # sign-out is a change: CSRF needed too
    assert client.post("/api/staff/logout", headers={"X-CSRF-Token": token}).status_code == 204
    client.cookies.set("yibao_staff", cookie)
    assert client.get("/api/staff/me").status_code == 401


def test_there_is_no_default_account(private_env: Path) -> None:
    from accounts.staff import get_staff_service
    from kiosk_api.app import create_app

    assert get_staff_service().users() == []
    with TestClient(create_app()) as client:
        for name, password in (("admin", "admin"), ("admin", "admin123456"), ("staff", "staff")):
            assert client.post("/api/staff/login", json={"username": name, "password": password}).status_code == 401


def test_patient_pages_and_policy_search_stay_open(client: TestClient) -> None:
    for path in ("/kiosk", "/widget", "/staff", "/staff/login", "/api/config", "/api/search?q=住院报销",
                 "/api/catalog?q=阿莫西林"):
        assert client.get(path).status_code not in (401, 403), path


def test_weak_passwords_and_bad_names_are_refused(private_env: Path) -> None:
    from accounts.staff import StaffError, get_staff_service

    svc = get_staff_service()
    for name, password, role in (("ok", "short", "staff"), ("ok", "aaaaaaaaaaaa", "staff"),
                                 ("Bad Name!", PASSWORD, "staff"), ("ok", PASSWORD, "root")):
        with pytest.raises(StaffError):
            svc.add_user(name, password, role)
    assert svc.users() == []


def test_yibao_staff_add_creates_an_account_that_can_sign_in(private_env: Path) -> None:
    from accounts.staff import get_staff_service

    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([sys.executable, "-m", "yibao.cli", "staff", "add", "Zhang", "--role", "kb_admin",
                           "--password-stdin"], input=PASSWORD + "\n", text=True, capture_output=True, env=env,
                          cwd=PROJECT_ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    result = get_staff_service().sign_in("zhang", PASSWORD)
    assert result.ok and result.user is not None and result.user.role == "kb_admin"
    again = subprocess.run([sys.executable, "-m", "yibao.cli", "staff", "add", "zhang", "--password-stdin"],
                           input=PASSWORD + "\n", text=True, capture_output=True, env=env, cwd=PROJECT_ROOT,
                           timeout=120)
    assert again.returncode == 1 and "已存在" in again.stdout
