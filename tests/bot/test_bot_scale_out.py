"""Scale-out: two kiosk API instances and two Rasa instances (each calling its kiosk API's actions) behind an imagined
load balancer, sharing PostgreSQL (accounts, kiosk sessions, Rasa trackers) and Redis (Rasa lock store) on
loopback. One patient's turns alternate between the instances and the conversation still works."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from accounts.importer import AccountRow, store
from accounts.service import AccountService
from yibao.redaction import mask_name
from yibao.settings import get_settings
from yibao.stack import Ports, Stack

pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(not any(get_settings().models_dir.glob("*.tar.gz")), reason="no trained Rasa model"),
]


@pytest.fixture(scope="module")
def shared_accounts(postgres_url: str, demo_rows: list[AccountRow]) -> AccountService:
    svc = AccountService.open(postgres_url.replace("postgresql://", "postgresql+psycopg://") + "scale")
    with svc.transaction() as session:
        store(session, demo_rows, demo=True)
    return svc


@pytest.fixture(scope="module")
def instances(
    tmp_path_factory: pytest.TempPathFactory, postgres_url: str, redis_url: str, shared_accounts: AccountService
) -> Iterator[list[Stack]]:
    shared_env = {
        "DATABASE_URL": postgres_url.replace("postgresql://", "postgresql+psycopg://") + "scale",
        "YIBAO_TRACKER_URL": postgres_url + "rasa",
        "YIBAO_LOCK_URL": redis_url + "/1",
        # All Rasa instances must read each other's encrypted slots, and the accounts rows this test process
        # stored (card numbers are sealed with the same data key): the session's one key for all.
        "YIBAO_TRACKER_KEY": os.environ["YIBAO_TRACKER_KEY"],
    }
    stacks: list[Stack] = []
    try:
        for name in ("a", "b"):
            data_dir = tmp_path_factory.mktemp(f"instance-{name}")  # nothing shared through files
            shutil.copytree(get_settings().index_dir, data_dir / "index")
            env = {**shared_env, "YIBAO_DATA_DIR": str(data_dir), "YIBAO_TRACKER_DB": str(data_dir / "unused.db")}
            stack = Stack(ports=Ports.free(), log_dir=data_dir / "logs", env_overrides=env)
            stack.start(timeout=400)
            stacks.append(stack)
        yield stacks
    finally:
        for stack in stacks:
            stack.stop()


def chat(stack: Stack, session_id: str, message: str) -> dict:
    reply = httpx.post(
        f"{stack.api_url}/api/chat", json={"session_id": session_id, "message": message}, timeout=120
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_one_conversation_across_two_api_and_two_rasa_instances(
    instances: list[Stack], shared_accounts: AccountService, demo_rows: list[AccountRow]
) -> None:
    a, b = instances
    row = demo_rows[3]
    created = httpx.post(f"{a.api_url}/api/session", json={"channel": "kiosk"}, timeout=30)
    assert created.status_code == 201
    session_id = created.json()["session_id"]

    assert chat(a, session_id, "我要查医保卡余额")["expect_input"] == "card_number"  # API a -> Rasa a
    assert chat(b, session_id, row.card_number)["expect_input"] == "pin"  # API b -> Rasa b
    shown = "\n".join(m["text"] for m in chat(a, session_id, row.pin)["messages"])  # back to a
    assert f"{row.balance:,.2f}" in shown and mask_name(row.name) in shown
    # Showing the balance used the verification up (issue 12): no instance can show it again.
    assert not shared_accounts.is_verified(session_id)

    # Ending the session on the other instance works too, and leaves nothing to disclose.
    assert httpx.delete(f"{b.api_url}/api/session/{session_id}", timeout=30).status_code == 204
    assert not shared_accounts.is_verified(session_id)
    assert shared_accounts.disclose_balance(session_id) is None


def test_instances_really_share_the_lock_store(instances: list[Stack], redis_url: str) -> None:
    """Rasa's Redis lock store leaves its per-conversation keys in the shared Redis, not in process memory."""
    import redis

    a, b = instances
    client = redis.Redis.from_url(redis_url + "/1")
    client.config_resetstat()
    for stack in (a, b):
        sender = f"lock-probe-{stack.ports.rasa}"
        reply = httpx.post(
            f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": "你好"}, timeout=120,
            headers={"Authorization": f"Bearer {stack.rasa_token}"},
        )
        assert reply.status_code == 200
    info = client.info("commandstats")
    assert info.get("cmdstat_set", {}).get("calls", 0) >= 2  # both instances wrote their ticket locks there


def test_data_dirs_stay_separate(instances: list[Stack]) -> None:
    """Proof that the sharing went through PostgreSQL/Redis: no instance wrote a local tracker database."""
    for stack in instances:
        data_dir = Path(stack.env()["YIBAO_DATA_DIR"])
        assert not (data_dir / "unused.db").exists()
        assert not (data_dir / "yibao.db").exists()
