"""Staff accounts and sign-in: argon2id password hashes, roles, lockout after repeated failures, sessions.

    svc = get_staff_service()
    svc.add_user("wang", "a long password", role="kb_admin")
    result = svc.sign_in("wang", "a long password")     # SignIn(ok, message, token, user)
    user = svc.session_user(result.token)                 # StaffPrincipal | None (expired, ended, disabled)
    svc.sign_out(result.token)

The cookie carries a random token; the database keeps only its SHA-256, so a copy of the database signs no
one in. The CSRF token is derived from the session token (``csrf_token``): nothing more to store, and a page
from another site can neither read the cookie nor compute the token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import sessionmaker

from accounts.db import database_url, make_engine, upgrade
from accounts.hashing import hash_secret, verify_secret
from accounts.staff_models import ROLES, StaffLoginGuard, StaffSession, StaffUser
from yibao.settings import get_settings

MIN_PASSWORD = 10
MAX_PASSWORD = 200
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


class StaffError(ValueError):
    """A polite Chinese reason (bad user name, weak password, unknown role, duplicate user)."""


@dataclass(frozen=True)
class StaffPrincipal:
    username: str
    role: str

    def can(self, role: str) -> bool:
        """kb_admin includes everything staff may do."""
        return role == "staff" or self.role == role


@dataclass(frozen=True)
class SignIn:
    ok: bool
    message: str
    token: str = ""
    user: StaffPrincipal | None = None
    locked: bool = False


def _now() -> datetime:
    return datetime.now(UTC)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _name_key(username: str) -> str:
    return hashlib.sha256(f"yibao-staff:{username}".encode()).hexdigest()


def csrf_token(session_token: str) -> str:
    return hashlib.sha256(f"yibao-csrf:{session_token}".encode()).hexdigest()[:40]


def csrf_matches(session_token: str, candidate: str) -> bool:
    return bool(candidate) and hmac.compare_digest(csrf_token(session_token), candidate)


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def check_new_user(username: str, password: str, role: str) -> None:
    name = normalise_username(username)
    if not (2 <= len(name) <= 64) or not set(name) <= USERNAME_CHARS:
        raise StaffError("用户名应为 2 到 64 位小写字母、数字或 . _ -")
    if role not in ROLES:
        raise StaffError(f"角色只能是 {' / '.join(ROLES)}")
    if not (MIN_PASSWORD <= len(password) <= MAX_PASSWORD):
        raise StaffError(f"密码至少 {MIN_PASSWORD} 位")
    if password.lower() == name or len(set(password)) < 4:
        raise StaffError("密码太简单：不能与用户名相同，也不能只由少数几个字符重复组成")


class StaffService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str | None = None) -> StaffService:
        engine = make_engine(url)
        upgrade(engine)
        return cls(engine)

    # --- accounts -----------------------------------------------------------------------------------------

    def add_user(self, username: str, password: str, role: str) -> StaffPrincipal:
        check_new_user(username, password, role)
        name = normalise_username(username)
        with self._sessions.begin() as db:
            if db.scalar(select(StaffUser.id).where(StaffUser.username == name)) is not None:
                raise StaffError(f"用户 {name} 已存在")
            db.add(StaffUser(username=name, password_hash=hash_secret(password), role=role, created_at=_now()))
        return StaffPrincipal(name, role)

    def set_password(self, username: str, password: str) -> None:
        name = normalise_username(username)
        with self._sessions.begin() as db:
            user = db.scalar(select(StaffUser).where(StaffUser.username == name))
            if user is None:
                raise StaffError(f"没有用户 {name}")
            check_new_user(name, password, user.role)
            user.password_hash = hash_secret(password)
            db.execute(update(StaffSession).where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
                       .values(ended_at=_now()))

    def set_disabled(self, username: str, disabled: bool) -> None:
        name = normalise_username(username)
        with self._sessions.begin() as db:
            user = db.scalar(select(StaffUser).where(StaffUser.username == name))
            if user is None:
                raise StaffError(f"没有用户 {name}")
            user.disabled = disabled

    def users(self) -> list[tuple[str, str, bool, datetime]]:
        with self._sessions() as db:
            rows = db.execute(select(StaffUser.username, StaffUser.role, StaffUser.disabled, StaffUser.created_at)
                              .order_by(StaffUser.username))
            return [tuple(r) for r in rows]  # type: ignore[misc]

    # --- sign-in ------------------------------------------------------------------------------------------

    def sign_in(self, username: str, password: str) -> SignIn:
        settings = get_settings()
        wrong = "用户名或密码不正确。"
        name = normalise_username(username)[:64]
        key, now = _name_key(name), _now()
        with self._sessions.begin() as db:
            guard = db.get(StaffLoginGuard, key) or StaffLoginGuard(name_key=key, failures=0)
            if guard.locked_until and guard.locked_until > now:
                minutes = max(1, int((guard.locked_until - now).total_seconds() // 60) + 1)
                return SignIn(False, f"密码错误次数过多，该用户已暂停登录，请 {minutes} 分钟后再试。", locked=True)
            user = db.scalar(select(StaffUser).where(StaffUser.username == name))
            # Always one argon2 check, so an unknown name takes as long as a wrong password.
            ok = verify_secret(user.password_hash if user else None, password or "")
            if not ok or user is None or user.disabled:
                guard.failures = (guard.failures or 0) + 1
                locked = guard.failures >= settings.staff_max_failures
                if locked:
                    guard.locked_until, guard.failures = now + timedelta(minutes=settings.staff_lockout_minutes), 0
                db.merge(guard)
                if locked:
                    return SignIn(False, f"密码错误次数过多，该用户已暂停登录 {settings.staff_lockout_minutes} 分钟。",
                                  locked=True)
                return SignIn(False, wrong)
            db.merge(StaffLoginGuard(name_key=key, failures=0, locked_until=None))
            token = secrets.token_urlsafe(32)
            expires = now + timedelta(hours=settings.staff_session_hours)
            db.add(StaffSession(token_hash=_token_hash(token), user_id=user.id, created_at=now, last_seen=now,
                                expires_at=expires))
            return SignIn(True, "已登录。", token=token, user=StaffPrincipal(user.username, user.role))

    def session_user(self, token: str) -> StaffPrincipal | None:
        if not token or len(token) > 100:
            return None
        now = _now()
        with self._sessions() as db:
            row = db.execute(
                select(StaffUser.username, StaffUser.role)
                .join(StaffSession, StaffSession.user_id == StaffUser.id)
                .where(StaffSession.token_hash == _token_hash(token), StaffSession.ended_at.is_(None),
                       StaffSession.expires_at > now, StaffUser.disabled.is_(False))
            ).first()
        return StaffPrincipal(row[0], row[1]) if row else None

    def sign_out(self, token: str) -> None:
        with self._sessions.begin() as db:
            db.execute(update(StaffSession).where(StaffSession.token_hash == _token_hash(token))
                       .values(ended_at=_now()))


@lru_cache(maxsize=4)
def _service_for(url: str) -> StaffService:
    return StaffService.open(url)


def get_staff_service() -> StaffService:
    return _service_for(database_url())
