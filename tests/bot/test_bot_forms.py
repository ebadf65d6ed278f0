"""Issue 12, finding 2: a menu button pressed at any prompt of any form leaves the form cleanly or is answered -
never a loop. Every form, every menu payload, every prompt, through the real Rasa server and the kiosk API's actions.

Before: "查个人账户余额" (/check_balance) at the PIN prompt made Rasa run action_fallback until its circuit
breaker stopped the turn (ten identical bubbles), and every later message got no answer.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from bot.actions.texts import FORGOT_PIN_BUTTON, MAIN_MENU
from tests.bot.helpers import DEMO_CARD
from yibao.stack import Stack

pytestmark = pytest.mark.stack

# How to reach each prompt of each form from a fresh conversation (button payloads: no NLU involved).
PROMPTS: dict[str, list[str]] = {
    "remote_filing_form.filing_type": ["/guide_remote_filing"],
    "special_disease_form.disease": ["/guide_special_disease"],
    "estimate_form.insurance_type": ["/estimate_reimbursement"],
    "estimate_form.visit_type": ["/estimate_reimbursement", '/inform{"insurance_type":"职工"}'],
    "estimate_form.total_cost": ["/estimate_reimbursement", '/inform{"insurance_type":"职工"}',
                                 '/inform{"visit_type":"住院"}'],
    "balance_form.card_number": ["/check_balance"],
    "balance_form.pin": ["/check_balance", DEMO_CARD],
    "balance_otp_form.card_number": ["/forgot_pin"],
    "balance_otp_form.id_last6": ["/forgot_pin", DEMO_CARD],
}
PAYLOADS = [payload for _, payload in MAIN_MENU] + [FORGOT_PIN_BUTTON[1]]


def _started(meta: dict[str, Any], intent: str, expect: set[str | None]) -> bool:
    return meta.get("intent") == intent and meta.get("expect_input") in expect


# What the conversation must show right after the button: the service the button names has started.
STARTED = {
    "/check_balance": lambda m: _started(m, "check_balance", {"card_number"}),
    "/forgot_pin": lambda m: _started(m, "check_balance", {"card_number", "id_last6"}),
    "/estimate_reimbursement": lambda m: _started(m, "estimate_reimbursement", {None, "amount"}),
    "/guide_special_disease": lambda m: _started(m, "guide_special_disease", {None}),
    "/guide_remote_filing": lambda m: _started(m, "guide_remote_filing", {None}),
    "/ask_catalog": lambda m: m.get("intent") == "ask_catalog" and m.get("expect_input") is None,
    "/request_human": lambda m: m.get("handoff") is True and m.get("expect_input") is None,
}


@pytest.fixture(scope="module")
def stack(live_stack: Stack) -> Stack:
    from accounts.importer import DEMO_CSV, read_csv, store
    from accounts.service import AccountService

    service = AccountService.open(live_stack.env_overrides["DATABASE_URL"])
    with service.transaction() as session:
        store(session, read_csv(DEMO_CSV), demo=True)
    return live_stack


def say(stack: Stack, sender: str, text: str) -> tuple[list[str], list[dict[str, Any]]]:
    resp = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                      headers={"Authorization": f"Bearer {stack.rasa_token}"}, timeout=180)
    resp.raise_for_status()
    outputs = resp.json()
    texts = [o["text"] for o in outputs if o.get("text")]
    metas = [o["custom"] for o in outputs if (o.get("custom") or {}).get("type") == "answer_meta"]
    return texts, metas


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("prompt", sorted(PROMPTS))
def test_a_menu_button_at_any_prompt_starts_what_it_names(stack: Stack, prompt: str, payload: str) -> None:
    sender = f"forms-{uuid.uuid4().hex[:12]}"
    for step in PROMPTS[prompt]:
        _, metas = say(stack, sender, step)
    assert metas, f"no prompt reached for {prompt}"
    texts, metas = say(stack, sender, payload)
    assert texts and metas, "no answer"
    assert len(texts) <= 3 and sum(bool(m.get("fallback")) for m in metas) <= 1, texts  # no fallback storm
    assert STARTED[payload](metas[-1]), (texts, metas[-1])
    # The conversation is not wedged: a greeting afterwards is answered like any greeting.
    texts, metas = say(stack, sender, "/greet")
    assert texts and metas and not metas[-1].get("fallback"), texts
