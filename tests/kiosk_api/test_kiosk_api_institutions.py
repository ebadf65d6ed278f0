"""`GET /api/institutions` and `POST /api/account/statement` on the real app (private database, Rasa not needed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def client(private_env: Path) -> Iterator[TestClient]:
    from institutions import search
    from kiosk_api.app import create_app

    search._directory_for.cache_clear()
    with TestClient(create_app()) as test_client:
        yield test_client
    search._directory_for.cache_clear()


def _error(resp: httpx.Response, status: int) -> dict[str, str]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    return body["error"]


def test_nearest_pharmacy_with_external_prescriptions(client: TestClient) -> None:
    resp = client.get("/api/institutions", params={"type": "零售药店", "flag": "external_prescription",
                                                   "near": "true", "limit": 3})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["is_sample"] and "虚构" in body["source"] and body["origin"]
    cards = body["institutions"]
    assert len(cards) == 3 and body["total"] >= 3
    assert all(c["type"] == "零售药店" and "external_prescription" in c["flags"] for c in cards)
    assert [c["distance_m"] for c in cards] == sorted(c["distance_m"] for c in cards)
    assert cards[0]["distance_text"].startswith("约") and "外配处方" in cards[0]["flag_names"]


def test_name_search_with_typo_pinyin_and_initials(client: TestClient) -> None:
    for q in ("安兰市第一人民医院", "市一医院", "alsdyrmyy"):
        hits = client.get("/api/institutions", params={"q": q}).json()["institutions"]
        assert hits and hits[0]["name"] == "安澜市第一人民医院", q
    unknown = client.get("/api/institutions", params={"q": "协和医院"}).json()
    assert unknown["institutions"] == [] and unknown["total"] == 0


def test_filters_combine_and_page(client: TestClient) -> None:
    first = client.get("/api/institutions", params={"type": ["医院", "社区卫生服务中心"], "district": "东湖区",
                                                    "limit": 2}).json()
    assert first["total"] > 2 and len(first["institutions"]) == 2
    assert all(c["district"] == "东湖区" and c["type"] in ("医院", "社区卫生服务中心") for c in first["institutions"])
    rest = client.get("/api/institutions", params={"type": ["医院", "社区卫生服务中心"], "district": "东湖区",
                                                   "limit": 2, "offset": 2}).json()
    assert not {c["code"] for c in rest["institutions"]} & {c["code"] for c in first["institutions"]}
    far = client.get("/api/institutions", params={"near": "true", "lat": 30.74, "lon": 114.32, "limit": 1}).json()
    assert far["institutions"][0]["district"] == "北岭县" and far["origin"] == {"latitude": 30.74, "longitude": 114.32}


@pytest.mark.parametrize(
    "params",
    [{"flag": "free_lunch"}, {"type": "养老院"}, {"level": "四级"}, {"lat": "30.5"}, {"lat": 10, "lon": 200},
     {"limit": 0}, {"limit": 500}, {"offset": -1}, {"near": "maybe"}, {"q": "长" * 50}, {"q": "\x00\x01\x02\x03"}],
)
def test_bad_parameters_are_422_in_the_error_format(client: TestClient, params: dict) -> None:
    error = _error(client.get("/api/institutions", params=params), 422)
    assert error["code"] == "invalid_input" and error["message"] and "Error" not in error["message"]


def test_facets_come_from_the_directory(client: TestClient) -> None:
    facets = client.get("/api/institutions/facets").json()
    assert "零售药店" in facets["types"] and "东湖区" in facets["districts"]
    assert facets["flags"]["external_prescription"] == "外配处方" and facets["total"] >= 25


def test_html_in_a_query_is_data_not_markup(client: TestClient) -> None:
    resp = client.get("/api/institutions", params={"q": "<img src=x onerror=alert(1)>"})
    assert resp.status_code in (200, 422) and "<img" not in json.dumps(resp.json(), ensure_ascii=False).replace(
        '"q"', "")


# ---- the statement ---------------------------------------------------------------------------------------------


@pytest.fixture
def demo_accounts(client: TestClient) -> list:
    from accounts.importer import DEMO_CSV, read_csv, store
    from accounts.service import get_account_service

    rows = read_csv(DEMO_CSV)[:3]
    with get_account_service().transaction() as session:
        store(session, rows, demo=True)
    return rows


def test_statement_needs_a_verified_session(client: TestClient, demo_accounts: list,
                                            capfd: pytest.CaptureFixture[str]) -> None:
    from accounts.service import get_account_service

    sid = client.post("/api/session", json={"channel": "kiosk"}).json()["session_id"]
    assert _error(client.post("/api/account/statement", json={"session_id": sid}), 403)["code"] == "not_verified"
    row = demo_accounts[0]
    assert get_account_service().verify_pin(row.card_number, row.pin, conversation_id=sid).ok
    resp = client.post("/api/account/statement", json={"session_id": sid})
    assert resp.status_code == 200 and resp.headers["cache-control"] == "no-store"
    body = resp.json()
    assert [y["year"] for y in body["years"]] == sorted((y[0] for y in row.years), reverse=True)
    assert body["masked_card"].endswith(row.card_number[-4:]) and row.card_number not in json.dumps(body)
    assert body["arrears_advice"] == ""
    # The statement's figures never reach the logs.
    logged = capfd.readouterr()
    assert str(row.years[0][3]) not in logged.out + logged.err
    client.delete(f"/api/session/{sid}")
    assert _error(client.post("/api/account/statement", json={"session_id": sid}), 404)


def test_statement_with_arrears_says_what_to_do(client: TestClient, demo_accounts: list) -> None:
    from accounts.service import get_account_service
    from yibao.settings import get_settings

    owing = next(r for r in demo_accounts if r.arrears_periods)
    sid = client.post("/api/session", json={"channel": "kiosk"}).json()["session_id"]
    assert get_account_service().verify_pin(owing.card_number, owing.pin, conversation_id=sid).ok
    body = client.post("/api/account/statement", json={"session_id": sid}).json()
    assert body["arrears_periods"][0]["period_start"] == owing.arrears_periods[0][0]
    assert get_settings().human_help in body["arrears_advice"]


def test_statement_of_an_unknown_or_malformed_session(client: TestClient) -> None:
    assert _error(client.post("/api/account/statement", json={"session_id": "nope"}), 404)
    assert _error(client.post("/api/account/statement", json={}), 422)
    assert _error(client.post("/api/account/statement", json={"session_id": "x" * 500}), 422)
