"""Verification and balance disclosure: the one place where the assistant touches personal data.

    svc = get_account_service()
    svc.verify_pin(card, pin, conversation_id=sender_id, channel="kiosk")        -> Verification
    svc.request_otp(card, id_last6, conversation_id=sender_id, channel="widget")  -> OtpRequest
    svc.verify_id_otp(card, id_last6, otp, conversation_id=sender_id, channel=...) -> Verification
    svc.disclose_balance(conversation_id=sender_id, channel=...)                   -> BalanceView | None
    svc.end_conversation(sender_id)

This service is the last line of defence, whoever calls it: a balance is returned only to the conversation
that verified, within the expiry window; messages never tell whether a card exists; every attempt and every
disclosure is written to the append-only audit log in the same transaction as the change it records.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, NamedTuple

from sqlalchemy import Engine, case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from accounts import audit
from accounts.db import database_url, make_engine, upgrade
from accounts.hashing import card_key, hash_secret, verify_secret
from accounts.models import CardGuard, ConversationVerification, InsuredPerson, OtpChallenge
from accounts.otp import OtpSender, otp_sender_from_settings
from yibao.inputs import ID_LAST6_PATTERN, OTP_PATTERN, PIN_PATTERN, normalize, valid_card, valid_conversation_id
from yibao.logging import get_logger
from yibao.ratelimit import RateLimiter
from yibao.redaction import mask_card
from yibao.settings import get_settings

if TYPE_CHECKING:
    from accounts.statement import StatementView

log = get_logger(__name__)


@dataclass(frozen=True)
class AccountPolicy:
    """Security limits; the defaults come from yibao.settings (environment variables YIBAO_VERIFY_TTL_SECONDS, ...).

    Wrong secrets for a card never lock it: after ``max_failures`` wrong tries (within ``failure_window``) each
    further wrong try makes the card wait longer before the next one is checked (``first_delay``, doubling,
    at most ``lockout``). The README explains why a delay and not a lock.
    """

    verification_ttl: timedelta = field(
        default_factory=lambda: timedelta(seconds=get_settings().session_clocks.verification))
    max_failures: int = field(default_factory=lambda: get_settings().max_pin_failures)
    first_delay: timedelta = field(default_factory=lambda: timedelta(seconds=get_settings().first_delay_seconds))
    lockout: timedelta = field(default_factory=lambda: timedelta(minutes=get_settings().lockout_minutes))
    failure_window: timedelta = field(default_factory=lambda: timedelta(hours=get_settings().failure_window_hours))
    # Sliding window over every verification try (PIN, code request, code) of one conversation.
    conversation_attempts: str = field(default_factory=lambda: get_settings().limit_attempts_per_conversation)
    # Codes sent for one card (SMS bombing); beyond it a request is answered as usual but nothing is sent.
    otp_per_card: str = field(default_factory=lambda: get_settings().limit_otp_per_card)
    otp_ttl: timedelta = field(default_factory=lambda: timedelta(seconds=get_settings().otp_ttl_seconds))
    otp_max_attempts: int = 3
    otp_resend_interval: timedelta = field(default_factory=lambda: timedelta(seconds=get_settings().otp_resend_seconds))
    transactions_shown: int = 5

    def delay_after(self, failures: int) -> timedelta:
        """How long a card waits after its ``failures``-th wrong try in a row (zero for the free ones)."""
        if failures < self.max_failures:
            return timedelta(0)
        return min(self.first_delay * 2 ** min(failures - self.max_failures, 20), self.lockout)


@dataclass(frozen=True)
class Verification:
    ok: bool
    message: str  # polite Chinese, safe to show the patient; never says whether the card exists
    locked: bool = False


@dataclass(frozen=True)
class OtpRequest:
    """``accepted``: ask the patient for the code next (also when no code was sent: that stays secret)."""

    accepted: bool
    message: str
    locked: bool = False


class TransactionLine(NamedTuple):
    date: date
    text: str
    amount: Decimal


@dataclass(frozen=True)
class BalanceView:
    masked_name: str
    masked_card: str
    insurance_type: str
    balance: Decimal
    arrears: Decimal
    transactions: list[TransactionLine]
    verified_until: datetime


class Messages:
    """Everything the patient reads. Failure texts are identical for unknown cards and wrong secrets."""

    ok = "身份核验成功。"
    wrong_pin = "卡号或密码不正确，请核对后重新输入。"
    wrong_otp = "卡号、身份证号后六位或验证码不正确，请核对后重新输入。"
    remaining = "（还可尝试 {n} 次；之后每次输错，都要等待更长时间才能再试）"
    locked = "输入错误次数较多，为保护账户安全，该卡需等待{wait}后才能再次核验，请稍后再试。{help}。"
    too_many = "这次对话中的核验次数太多了，请{wait}后再试。{help}。"
    bad_card = "卡号格式不正确：请输入医保卡（社保卡）上的卡号，6 到 20 位数字或字母。"
    bad_pin = "密码应为 6 位数字，请重新输入。"
    bad_id_last6 = "请输入身份证号码的最后 6 位（最后一位可以是 X）。"
    bad_otp = "验证码应为 6 位数字，请重新输入。"
    bad_conversation = "会话已失效，请重新开始查询。"
    otp_sent = "如果卡号和身份证号后六位无误，验证码已发送到该卡登记的手机，{minutes} 分钟内有效，请输入 6 位验证码。"


def _wait_text(seconds: float) -> str:
    """30 -> "30 秒", 120 -> "2 分钟" (rounded up: never tell a patient to come back too early)."""
    seconds = max(1, int(-(-seconds // 1)))
    return f" {seconds} 秒" if seconds < 60 else f" {-(-seconds // 60)} 分钟"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class AccountService:
    def __init__(
        self,
        engine: Engine,
        policy: AccountPolicy | None = None,
        otp_sender: OtpSender | None = None,
        clock: Callable[[], datetime] = _utcnow,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.engine = engine
        self.policy = policy or AccountPolicy()
        self.otp_sender: OtpSender = otp_sender or otp_sender_from_settings()
        self.clock = clock
        self.limiter = limiter or RateLimiter(get_settings().rate_limit_storage or "memory://")
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # Network senders deliver off the request path: how long a gateway takes must not tell whether a code
        # was sent (that is: whether the card and ID digits matched).
        self._deliveries = ThreadPoolExecutor(max_workers=2, thread_name_prefix="otp-delivery")

    @classmethod
    def open(cls, url: str | None = None, **kwargs: object) -> AccountService:
        """Connect and bring the schema up to date (safe when several processes start at once)."""
        engine = make_engine(url)
        upgrade(engine)
        return cls(engine, **kwargs)  # type: ignore[arg-type]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # ---- verification -------------------------------------------------------------------------------------

    def verify_pin(self, card_number: str, pin: str, *, conversation_id: str, channel: str = "kiosk") -> Verification:
        card, pin = normalize(card_number), normalize(pin)
        with self.transaction() as session:
            problem = self._start_attempt(session, conversation_id, card, channel, "verify_pin")
            if problem is None and not PIN_PATTERN.fullmatch(pin):
                problem = self._reject_input(session, conversation_id, card, channel, "verify_pin", Messages.bad_pin)
            if problem is not None:
                return problem
            person = session.scalar(select(InsuredPerson).where(InsuredPerson.card_number == card))
            matched = verify_secret(person.pin_hash if person else None, pin)
            return self._finish_attempt(session, person if matched else None, card, conversation_id, channel, "pin")

    def request_otp(
        self, card_number: str, id_last6: str, *, conversation_id: str, channel: str = "widget"
    ) -> OtpRequest:
        """Send a code if card and ID digits match; the answer and the work done are the same either way.

        Both paths check the ID digits (one argon2 verify) and hash a fresh code (one argon2 hash); only the
        matching one keeps and delivers it, and a network sender delivers after the answer: a stranger who
        knows a card number learns nothing about its ID digits from the answer or from how long it took.
        """
        card, id_last6 = normalize(card_number), normalize(id_last6)
        now = self.clock()
        delivery: tuple[str, str, str] | None = None
        with self.transaction() as session:
            problem = self._start_attempt(session, conversation_id, card, channel, "request_otp")
            if problem is None and not ID_LAST6_PATTERN.fullmatch(id_last6):
                problem = self._reject_input(
                    session, conversation_id, card, channel, "request_otp", Messages.bad_id_last6
                )
            if problem is not None:
                return OtpRequest(False, problem.message, problem.locked)
            key = card_key(card)
            sent_message = Messages.otp_sent.format(minutes=int(self.policy.otp_ttl.total_seconds() // 60))
            recent = session.scalar(
                select(OtpChallenge.id).where(
                    OtpChallenge.card_key == key, OtpChallenge.created_at > now - self.policy.otp_resend_interval
                )
            )
            person = session.scalar(select(InsuredPerson).where(InsuredPerson.card_number == card))
            matched = verify_secret(person.id_last6_hash if person else None, id_last6)
            code = f"{secrets.randbelow(10**6):06d}"
            code_hash = hash_secret(code)  # on every path: see the docstring
            if recent is not None or person is None or not matched or not person.phone:
                # Failures are counted when the code is checked, so this answer is the same for every case.
                outcome = "throttled" if recent is not None else "not_sent"
                audit.record(session, now, "request_otp", outcome, channel, conversation_id, card)
                return OtpRequest(True, sent_message)
            if not self.limiter.hit(self.policy.otp_per_card, "otp-card", key):
                audit.record(session, now, "request_otp", "throttled", channel, conversation_id, card, "per_card")
                return OtpRequest(True, sent_message)
            session.execute(
                update(OtpChallenge)
                .where(OtpChallenge.card_key == key, OtpChallenge.used_at.is_(None))
                .values(used_at=now)
            )
            session.add(
                OtpChallenge(
                    card_key=key, conversation_id=conversation_id, code_hash=code_hash,
                    created_at=now, expires_at=now + self.policy.otp_ttl, attempts=0,
                )
            )
            audit.record(session, now, "request_otp", "sent", channel, conversation_id, card)
            delivery = (person.phone, code, card)
        # After the commit: the code works as soon as it arrives.
        self._deliver(*delivery, conversation_id=conversation_id, channel=channel)
        return OtpRequest(True, sent_message)

    def _deliver(self, phone: str, code: str, card: str, *, conversation_id: str, channel: str) -> None:
        def send() -> None:
            try:
                self.otp_sender.send(phone, code, card_number=card)
            except Exception:  # the gateway's own error types are unknown here; the patient may ask again
                log.exception("otp_send_failed", card=mask_card(card))
                with self.transaction() as session:
                    audit.record(session, self.clock(), "request_otp", "send_failed", channel, conversation_id, card)

        if getattr(self.otp_sender, "deliver_in_background", True):
            self._deliveries.submit(send)
        else:
            send()  # the demo outbox: a local file append, the same few microseconds whatever happens

    def verify_id_otp(
        self, card_number: str, id_last6: str, otp: str, *, conversation_id: str, channel: str = "widget"
    ) -> Verification:
        card, id_last6, otp = normalize(card_number), normalize(id_last6), normalize(otp)
        now = self.clock()
        with self.transaction() as session:
            problem = self._start_attempt(session, conversation_id, card, channel, "verify_otp")
            if problem is None and not ID_LAST6_PATTERN.fullmatch(id_last6):
                problem = self._reject_input(
                    session, conversation_id, card, channel, "verify_otp", Messages.bad_id_last6
                )
            if problem is None and not OTP_PATTERN.fullmatch(otp):
                problem = self._reject_input(session, conversation_id, card, channel, "verify_otp", Messages.bad_otp)
            if problem is not None:
                return problem
            challenge = session.scalar(
                select(OtpChallenge)
                .where(
                    OtpChallenge.card_key == card_key(card),
                    OtpChallenge.conversation_id == conversation_id,
                    OtpChallenge.used_at.is_(None),
                    OtpChallenge.expires_at > now,
                    OtpChallenge.attempts < self.policy.otp_max_attempts,
                )
                .order_by(OtpChallenge.created_at.desc())
                .limit(1)
            )
            person = session.scalar(select(InsuredPerson).where(InsuredPerson.card_number == card))
            # Both hashes are always checked so timing does not tell which part was wrong.
            id_ok = verify_secret(person.id_last6_hash if person else None, id_last6)
            code_ok = verify_secret(challenge.code_hash if challenge else None, otp)
            if challenge is not None:
                challenge.attempts += 1
                if id_ok and code_ok:
                    challenge.used_at = now
            matched = person if (id_ok and code_ok) else None
            return self._finish_attempt(session, matched, card, conversation_id, channel, "id_otp")

    def _start_attempt(
        self, session: Session, conversation_id: str, card: str, channel: str, event: str
    ) -> Verification | None:
        """Checks shared by all attempts. Any new attempt first revokes this conversation's verification,
        so typing another person's card never leaves the previous person's data open."""
        now = self.clock()
        if not valid_conversation_id(conversation_id):
            audit.record(session, now, event, "invalid_input", channel, "?", "", "conversation_id")
            return Verification(False, Messages.bad_conversation)
        # A code being checked must survive its own check; any other attempt supersedes pending codes.
        self._revoke(session, conversation_id, now, pending_otp=event != "verify_otp")
        limit = self.policy.conversation_attempts
        if not self.limiter.hit(limit, "attempts", conversation_id):
            shown_card = card if valid_card(card) else ""
            audit.record(session, now, event, "rate_limited", channel, conversation_id, shown_card)
            wait = _wait_text(self.limiter.retry_after(limit, "attempts", conversation_id))
            return Verification(False, Messages.too_many.format(wait=wait, help=get_settings().human_help), True)
        if not valid_card(card):
            return self._reject_input(session, conversation_id, "", channel, event, Messages.bad_card)
        guard = session.get(CardGuard, card_key(card))
        if guard is not None and guard.locked_until is not None and guard.locked_until > now:
            audit.record(session, now, event, "locked", channel, conversation_id, card)
            return self._locked(guard.locked_until - now)
        return None

    def _reject_input(
        self, session: Session, conversation_id: str, card: str, channel: str, event: str, message: str
    ) -> Verification:
        """Malformed input is not a guess at anybody's secret: told clearly, not counted towards lockout."""
        audit.record(session, self.clock(), event, "invalid_input", channel, conversation_id, card)
        return Verification(False, message)

    def _finish_attempt(
        self,
        session: Session,
        person: InsuredPerson | None,
        card: str,
        conversation_id: str,
        channel: str,
        method: str,
    ) -> Verification:
        now = self.clock()
        event = "verify_pin" if method == "pin" else "verify_otp"
        if person is not None:
            session.execute(update(CardGuard).where(CardGuard.card_key == card_key(card)).values(failures=0))
            session.add(
                ConversationVerification(
                    conversation_id=conversation_id, person_id=person.id, method=method, channel=channel,
                    verified_at=now, expires_at=now + self.policy.verification_ttl,
                )
            )
            audit.record(session, now, event, "ok", channel, conversation_id, card)
            log.info("verified", method=method, channel=channel, card=mask_card(card))
            return Verification(True, Messages.ok)
        failures = self._count_failure(session, card, now)
        if failures >= self.policy.max_failures:
            audit.record(session, now, event, "locked_now", channel, conversation_id, card, f"failures={failures}")
            return self._locked(self.policy.delay_after(failures))
        audit.record(session, now, event, "failed", channel, conversation_id, card, f"failures={failures}")
        wrong = Messages.wrong_pin if method == "pin" else Messages.wrong_otp
        return Verification(False, wrong + self._remaining(failures))

    def _count_failure(self, session: Session, card: str, now: datetime) -> int:
        """Atomic per-card counter (one upsert, correct with several processes); returns the failures in a row.

        A count whose last failure is older than ``failure_window`` starts over; from ``max_failures`` on, the
        card waits ``delay_after(failures)`` before its next try is checked.
        """
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        expired = CardGuard.last_failure_at < now - self.policy.failure_window
        stmt = dialect.insert(CardGuard).values(card_key=card_key(card), failures=1, last_failure_at=now)
        stmt = stmt.on_conflict_do_update(
            index_elements=[CardGuard.card_key],
            set_={"failures": case((expired, 1), else_=CardGuard.failures + 1), "last_failure_at": now},
        ).returning(CardGuard.failures)
        failures = int(session.execute(stmt).scalar_one())
        delay = self.policy.delay_after(failures)
        if delay:
            session.execute(
                update(CardGuard).where(CardGuard.card_key == card_key(card)).values(locked_until=now + delay)
            )
        return failures

    def _locked(self, wait: timedelta) -> Verification:
        message = Messages.locked.format(wait=_wait_text(wait.total_seconds()), help=get_settings().human_help)
        return Verification(False, message, True)

    def _remaining(self, failures: int) -> str:
        return Messages.remaining.format(n=self.policy.max_failures - failures)

    # ---- disclosure ---------------------------------------------------------------------------------------

    def is_verified(self, conversation_id: str) -> bool:
        """Whether this conversation may see its balance now (discloses nothing, so not audited)."""
        with self._sessions() as session:
            grant = self._active_verification(session, conversation_id, self.clock())
            return grant is not None and grant.balance_shown_at is None

    def disclose_balance(self, conversation_id: str, *, channel: str = "kiosk") -> BalanceView | None:
        """The balance, once per verification, so a replayed or forged request for the same conversation gets
        nothing (issue 12, finding 3); afterwards the grant opens only the statement, once."""
        now = self.clock()
        with self.transaction() as session:
            grant = self._active_verification(session, conversation_id, now)
            if grant is None or not self.claim(session, grant, now, "balance_shown_at"):
                conv = conversation_id if valid_conversation_id(conversation_id) else "?"
                audit.record(session, now, "disclose_balance", "denied", channel, conv, "")
                return None
            person = session.get_one(InsuredPerson, grant.person_id)
            audit.record(session, now, "disclose_balance", "disclosed", channel, conversation_id, person.card_number)
            return BalanceView(
                masked_name=person.masked_name,
                masked_card=mask_card(person.card_number),
                insurance_type=person.insurance_type,
                balance=person.balance,
                arrears=person.arrears,
                transactions=[
                    TransactionLine(t.occurred_on, t.description, t.amount)
                    for t in person.transactions[: self.policy.transactions_shown]
                ],
                verified_until=grant.expires_at,
            )

    def disclose_statement(self, conversation_id: str, *, channel: str = "kiosk") -> StatementView | None:
        """Year-by-year records for a verified conversation (accounts/statement.py), audited like the balance."""
        from accounts.statement import disclose_statement

        return disclose_statement(self, conversation_id, channel=channel)

    def _active_verification(
        self, session: Session, conversation_id: str, now: datetime
    ) -> ConversationVerification | None:
        if not valid_conversation_id(conversation_id):
            return None
        return session.scalar(
            select(ConversationVerification)
            .where(
                ConversationVerification.conversation_id == conversation_id,
                ConversationVerification.revoked_at.is_(None),
                ConversationVerification.expires_at > now,
            )
            .order_by(ConversationVerification.verified_at.desc())
            .limit(1)
        )

    @staticmethod
    def claim(session: Session, grant: ConversationVerification, now: datetime,
              stamp: Literal["balance_shown_at", "revoked_at"]) -> bool:
        """Stamp an active ``grant`` (the balance shown, or the grant used up) unless something did meanwhile: of
        two concurrent requests, only one gets through."""
        active = ConversationVerification
        claimed = session.execute(
            update(active)
            .where(active.id == grant.id, active.revoked_at.is_(None), getattr(active, stamp).is_(None))
            .values({stamp: now})
        ).rowcount
        return bool(claimed)

    def end_conversation(self, conversation_id: str, *, channel: str = "kiosk") -> None:
        """Kiosk reset / session end: the verification and any pending one-time code stop working at once."""
        if not valid_conversation_id(conversation_id):
            return
        now = self.clock()
        with self.transaction() as session:
            if self._revoke(session, conversation_id, now):
                audit.record(session, now, "end_conversation", "revoked", channel, conversation_id, "")

    def _revoke(self, session: Session, conversation_id: str, now: datetime, pending_otp: bool = True) -> int:
        active = ConversationVerification
        revoked = session.execute(
            update(active)
            .where(active.conversation_id == conversation_id, active.revoked_at.is_(None))
            .values(revoked_at=now)
        ).rowcount
        if pending_otp:
            session.execute(
                update(OtpChallenge)
                .where(OtpChallenge.conversation_id == conversation_id, OtpChallenge.used_at.is_(None))
                .values(used_at=now)
            )
        return int(revoked or 0)


@lru_cache(maxsize=4)
def _service_for(url: str) -> AccountService:
    return AccountService.open(url)


def get_account_service() -> AccountService:
    """The process-wide service for DATABASE_URL (or the SQLite file in the data dir); schema upgraded on first use."""
    return _service_for(database_url())
