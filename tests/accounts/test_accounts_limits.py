"""Issue 12, findings 1 and 4: what a stranger who knows card numbers can and cannot do to the accounts service.

The one-time-code request does the same work whether or not the ID digits match; tries are limited per
conversation and per card; wrong tries slow a card down (progressive delay) but never lock its owner out
for long, and the count of wrong tries expires.
"""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import accounts.service as service_module
from accounts.importer import DEMO_CSV, AccountRow, read_csv
from accounts.otp import OutboxOtpSender
from accounts.service import AccountService


class Clock:
    """A clock the test moves forward (the service reads it for every decision)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def svc(service: AccountService, clock: Clock) -> AccountService:
    return AccountService(service.engine, service.policy, otp_sender=service.otp_sender, clock=clock)


def wrong(row: AccountRow) -> str:
    return "000000" if row.pin != "000000" else "111111"


def test_otp_request_does_the_same_work_whether_or_not_the_id_digits_match(
    svc: AccountService, demo_rows: list[AccountRow], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 1: the right digits used to cost one more argon2 hash (365-459 ms against 200-270 ms)."""
    calls: list[str] = []
    real_hash, real_verify = service_module.hash_secret, service_module.verify_secret
    monkeypatch.setattr(service_module, "hash_secret", lambda s: calls.append("hash") or real_hash(s))
    monkeypatch.setattr(service_module, "verify_secret", lambda h, s: calls.append("verify") or real_verify(h, s))
    row = demo_rows[0]
    work = {}
    for label, id_last6, conversation in (("right", row.id_number[-6:], "t1"), ("wrong", "999999", "t2"),
                                          ("unknown card", "123456", "t3")):
        calls.clear()
        card = row.card_number if label != "unknown card" else "9911223344556677"
        answer = svc.request_otp(card, id_last6, conversation_id=conversation)
        work[label] = (sorted(calls), answer)
    assert work["right"] == work["wrong"] == work["unknown card"], work


def test_a_slow_sms_gateway_does_not_show_in_the_answer_time(
    tmp_path: Path, service: AccountService, demo_rows: list[AccountRow]
) -> None:
    """A code is delivered after the answer, so the gateway's latency cannot tell that the digits matched."""
    release, delivered = threading.Event(), threading.Event()

    class SlowGateway:
        deliver_in_background = True

        def send(self, phone: str, code: str, *, card_number: str) -> None:
            release.wait(30)  # a gateway that answers only when the test lets it
            delivered.set()

    svc = AccountService(service.engine, service.policy, otp_sender=SlowGateway())
    row = demo_rows[1]
    answer = svc.request_otp(row.card_number, row.id_number[-6:], conversation_id="slow")
    assert answer.accepted and not delivered.is_set()  # answered while the gateway still had the code
    release.set()
    assert delivered.wait(10)


def test_id_digit_guesses_are_limited_per_conversation(svc: AccountService, demo_rows: list[AccountRow]) -> None:
    """Finding 1: wrong ID digits at the code request never counted; now every try in a conversation does."""
    row = demo_rows[0]
    answers = [svc.request_otp(row.card_number, f"{n:06d}", conversation_id="guesser") for n in range(15)]
    refused = [a for a in answers if not a.accepted]
    assert refused and all(a.locked for a in refused)
    assert sum(a.accepted for a in answers) <= 10


def test_one_conversation_cannot_guess_across_many_cards(
    svc: AccountService, demo_rows: list[AccountRow], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 4: one session made 24 PIN guesses across 6 cards in 10 s, unslowed."""
    checked: list[str] = []
    real_verify = service_module.verify_secret
    monkeypatch.setattr(service_module, "verify_secret", lambda h, s: checked.append(s) or real_verify(h, s))
    cards = [r.card_number for r in demo_rows] + ["9911223344556677", "9988776655443322"]
    results = [svc.verify_pin(cards[i % len(cards)], f"{100000 + i}", conversation_id="stuffer") for i in range(24)]
    assert len(checked) <= 10  # the rest were refused before any PIN was compared
    assert results[-1].locked and "核验次数太多" in results[-1].message


def test_a_stranger_cannot_lock_the_owner_out_for_long(
    svc: AccountService, clock: Clock, demo_rows: list[AccountRow]
) -> None:
    """Finding 4: five wrong PINs used to lock the card for 15 minutes against its owner."""
    row = demo_rows[0]
    for i in range(svc.policy.max_failures):
        last = svc.verify_pin(row.card_number, wrong(row), conversation_id=f"stranger-{i}")
    assert last.locked
    assert svc.verify_pin(row.card_number, row.pin, conversation_id="owner").locked  # within the first delay
    clock.advance(seconds=svc.policy.first_delay.total_seconds() + 1)
    assert svc.verify_pin(row.card_number, row.pin, conversation_id="owner-again").ok


def test_each_further_wrong_try_doubles_the_wait_up_to_a_cap(
    svc: AccountService, clock: Clock, demo_rows: list[AccountRow]
) -> None:
    row, policy = demo_rows[1], svc.policy
    for i in range(policy.max_failures):
        svc.verify_pin(row.card_number, wrong(row), conversation_id=f"a{i}")
    waits = []
    for i in range(8):
        wait = policy.delay_after(policy.max_failures + i)
        clock.advance(seconds=wait.total_seconds() - 1)
        assert svc.verify_pin(row.card_number, row.pin, conversation_id=f"early{i}").locked  # still waiting
        clock.advance(seconds=2)
        assert svc.verify_pin(row.card_number, wrong(row), conversation_id=f"b{i}").locked
        waits.append(wait)
    assert waits[0] == policy.first_delay and waits[1] == 2 * policy.first_delay
    assert max(waits) == policy.lockout


def test_wrong_tries_are_forgotten_after_the_failure_window(
    svc: AccountService, clock: Clock, demo_rows: list[AccountRow]
) -> None:
    """Finding 4: failure counts never expired - four slips on Monday and one on Friday locked the card."""
    row = demo_rows[2]
    for i in range(svc.policy.max_failures - 1):
        assert not svc.verify_pin(row.card_number, wrong(row), conversation_id=f"mon-{i}").locked
    clock.advance(seconds=svc.policy.failure_window.total_seconds() + 60)
    for i in range(svc.policy.max_failures - 1):
        assert not svc.verify_pin(row.card_number, wrong(row), conversation_id=f"fri-{i}").locked


def test_codes_sent_per_card_are_limited(
    tmp_path: Path, service: AccountService, clock: Clock, demo_rows: list[AccountRow]
) -> None:
    """Nobody can make the service text a patient's phone over and over (one code per minute, five per hour)."""
    outbox = OutboxOtpSender(tmp_path / "limits-outbox.jsonl")
    svc = AccountService(service.engine, service.policy, otp_sender=outbox, clock=clock)
    row = demo_rows[3]
    for i in range(8):
        assert svc.request_otp(row.card_number, row.id_number[-6:], conversation_id=f"c{i}").accepted
        clock.advance(seconds=svc.policy.otp_resend_interval.total_seconds() + 1)
    sent = outbox.path.read_text().splitlines()
    assert len(sent) == 5


def test_demo_card_numbers_are_not_sequential() -> None:
    """Finding 4: 9900000000000001, …0002, …: knowing one demo card meant knowing them all."""
    numbers = sorted(int(row.card_number) for row in read_csv(DEMO_CSV))
    assert all(b - a > 10**6 for a, b in itertools.pairwise(numbers)), numbers
