"""The API without Rasa running: error shapes, limits, pages and headers (private database, real app)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def client(private_env: Path) -> Iterator[TestClient]:
    from kiosk_api.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def _error(resp: httpx.Response) -> dict[str, str]:
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    return body["error"]


def test_rasa_down_is_a_polite_503_pointing_to_people(client: TestClient) -> None:
    sid = client.post("/api/session", json={"channel": "kiosk"}).json()["session_id"]
    resp = client.post("/api/chat", json={"session_id": sid, "message": "住院报销比例"})
    assert resp.status_code == 503
    assert "12393" in _error(resp)["message"] or "窗口" in _error(resp)["message"]


def test_health_reports_each_part_and_is_503_when_one_is_down(client: TestClient) -> None:
    resp = client.get("/api/health")
    assert resp.status_code == 503
    checks = resp.json()["checks"]
    assert set(checks) == {"rasa", "actions", "index", "database"}
    assert checks["database"]["ok"] is True and checks["rasa"]["ok"] is False


def test_oversized_body_is_413_before_parsing(client: TestClient) -> None:
    resp = client.post("/api/chat", content=b"{" + b" " * 200_000 + b"}", headers={"content-type": "application/json"})
    assert resp.status_code == 413
    assert _error(resp)["code"] == "too_large"


def test_not_json_and_wrong_types_are_422_in_chinese(client: TestClient) -> None:
    for body in (b"\xff\xfe\x00\x01", b"[1,2,3]", b'{"session_id": 5}'):
        resp = client.post("/api/chat", content=body, headers={"content-type": "application/json"})
        assert resp.status_code == 422, body
        assert any("\u4e00" <= ch <= "\u9fff" for ch in _error(resp)["message"])


def test_unknown_route_uses_the_same_error_shape(client: TestClient) -> None:
    assert _error(client.get("/api/nothing-here"))["code"] == "not_found"


@pytest.mark.parametrize(("path", "marker"), [
    ("/kiosk", "kiosk.js"), ("/widget", "widget.js"), ("/staff", "staff.js"), ("/staff/section/x", "section.js"),
])
def test_pages_are_served_with_a_strict_content_security_policy(client: TestClient, path: str, marker: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 200 and marker in resp.text
    assert "default-src 'self'" in resp.headers["content-security-policy"]
    assert resp.headers["x-content-type-options"] == "nosniff"


def test_embed_script_and_static_assets(client: TestClient) -> None:
    script = client.get("/widget.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "/widget?embed=1" in script.text
    assert client.get("/static/css/kiosk.css").status_code == 200


def test_openapi_documents_every_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/chat", "/api/session", "/api/session/{session_id}", "/api/search", "/api/catalog",
                 "/api/section/{section_id}", "/api/health", "/api/feedback", "/api/config"):
        assert path in paths


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_api_docs_work_offline(client: TestClient, page: str) -> None:
    # A hospital network often has no internet: the docs pages must load their scripts from this server.
    html = client.get(page).text
    assert "cdn" not in html.lower() and "https://" not in html
    for asset in ("swagger-ui-bundle.js",) if page == "/docs" else ("redoc.standalone.js",):
        assert asset in html
        src = html.split(asset)[0].rsplit('"', 1)[1] + asset
        assert client.get(src).status_code == 200, src
