"""Rasa tracker store and lock store of 医保通 (runs inside ``.venv-rasa``: Python 3.10, Rasa 3.6).

``RedactingTrackerStore`` wraps Rasa's own SQL or Redis tracker store and rewrites every event before it is
written: card, ID and phone numbers in texts are masked (``yibao.redaction``), whatever is typed while a PIN
or one-time code is asked for is hidden, the ``pin``/``otp`` slots are never stored, and the ``card_number`` /
``id_last6`` slots - which the balance form needs on the next turn, possibly on another Rasa instance - are
stored encrypted (AES-SIV, key shared by all instances) and decrypted on retrieval.

Backend, chosen by environment variables so several Rasa instances can share state behind a load balancer:

    YIBAO_TRACKER_URL   empty: SQLite file ``db:`` from endpoints.yml (YIBAO_TRACKER_DB)
                        postgresql://user:pw@host:5432/rasa   or   redis://:pw@host:6379/0
    YIBAO_LOCK_URL      empty: in-memory lock store (one Rasa instance);  redis://host:6379/1
    YIBAO_TRACKER_KEY   base64 of a 64-byte AES-SIV key; empty: generated once in <data dir>/secrets/tracker.key
                        (accounts/crypto.py; the accounts database uses the same key)
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from rasa.core.brokers.broker import EventBroker
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import RedisTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from accounts.crypto import TOKEN_PREFIX as _TOKEN_PREFIX
from accounts.crypto import load_cipher
from yibao.answer_meta import find_answer_meta
from yibao.redaction import SECRET_PLACEHOLDER, redact_value
from yibao.settings import get_settings

logger = logging.getLogger(__name__)

SECRET_SLOTS = frozenset({"pin", "otp"})  # never written anywhere
PROTECTED_SLOTS = frozenset({"card_number", "id_last6"})  # written encrypted only
# Whatever is typed while one of these is asked for is stored as "[已隐藏]", whatever it looks like.
HIDDEN_PROMPTS = SECRET_SLOTS | PROTECTED_SLOTS
# What these actions say is personal data (a balance, transactions): only a placeholder is stored.
DISCLOSING_ACTIONS = frozenset({"action_show_balance"})
DISCLOSURE_PLACEHOLDER = "[账户信息已隐藏]"


def _parse_redis_url(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "localhost",
        "port": parts.port or 6379,
        "db": int(parts.path.strip("/") or 0),
        "password": unquote(parts.password) if parts.password else None,
    }


class EventRedactor:
    """Rewrites serialised Rasa events (``event.as_dict()``) for storage, and back."""

    def __init__(self, cipher: AESSIV) -> None:
        self.cipher = cipher

    def _associated(self, sender_id: str, slot: str) -> list[bytes]:
        # Binds a token to its conversation and slot: it cannot be replayed into another conversation.
        return [sender_id.encode(), slot.encode()]

    def encrypt(self, sender_id: str, slot: str, value: Any) -> str:
        data = json.dumps(value, ensure_ascii=False).encode()
        token = self.cipher.encrypt(data, self._associated(sender_id, slot))
        return _TOKEN_PREFIX + base64.urlsafe_b64encode(token).decode()

    def decrypt(self, sender_id: str, slot: str, value: Any) -> Any:
        if not (isinstance(value, str) and value.startswith(_TOKEN_PREFIX)):
            return None  # never stored in clear by us: treat as not given
        try:
            token = base64.urlsafe_b64decode(value[len(_TOKEN_PREFIX) :])
            return json.loads(self.cipher.decrypt(token, self._associated(sender_id, slot)))
        except Exception:  # wrong key or damaged token: the form simply asks again
            logger.warning("could not decrypt slot %s; it is left empty", slot)
            return None

    def protect(self, sender_id: str, events: Sequence[Event], start: int = 0) -> list[dict[str, Any]]:
        """The serialised, protected form of ``events[start:]``.

        Earlier events are only read for the prompt they leave open (a PIN typed on the next turn is hidden
        because the previous turn asked for it): they are already stored and are not serialised again.
        """
        stored, requested_slot, expected_input, action = [], None, None, None
        for index, event in enumerate(events):
            if isinstance(event, SlotSet) and event.key == REQUESTED_SLOT:
                requested_slot = event.value
            elif isinstance(event, BotUttered):
                for meta in find_answer_meta([event.data or {}]):
                    expected_input = meta.expect_input
            elif isinstance(event, ActionExecuted):
                action = event.action_name  # Rasa logs an action before the events it returned
            if index >= start:
                secret_prompt = requested_slot in HIDDEN_PROMPTS or expected_input in HIDDEN_PROMPTS
                data = self._protect_one(sender_id, event.as_dict(), secret_prompt)
                if isinstance(event, BotUttered) and action in DISCLOSING_ACTIONS:
                    data = _without_disclosure(data)
                stored.append(data)
        return stored

    def _protect_one(self, sender_id: str, event: dict[str, Any], secret_prompt: bool) -> dict[str, Any]:
        kind, name = event.get("event"), event.get("name")
        clean = redact_value(event)
        if kind == "user" and secret_prompt:
            clean["text"] = SECRET_PLACEHOLDER
            parse_data = clean.get("parse_data") or {}
            if parse_data:
                parse_data["text"], parse_data["entities"] = SECRET_PLACEHOLDER, []
        elif kind == "slot" and name in SECRET_SLOTS:
            clean["value"] = None
        elif kind == "slot" and name in PROTECTED_SLOTS and event.get("value") is not None:
            clean["value"] = self.encrypt(sender_id, name, event["value"])
        if kind == "user" and secret_prompt is False:
            for entity in (clean.get("parse_data") or {}).get("entities") or []:
                if entity.get("entity") in SECRET_SLOTS:
                    entity["value"] = SECRET_PLACEHOLDER
        return clean

    def reveal(self, sender_id: str, events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        revealed = []
        for event in events:
            if event.get("event") == "slot" and event.get("name") in PROTECTED_SLOTS and event.get("value"):
                event = {**event, "value": self.decrypt(sender_id, event["name"], event["value"])}
            revealed.append(event)
        return revealed


def _without_disclosure(event: dict[str, Any]) -> dict[str, Any]:
    """A bot message that showed an account: its text (balance, transactions) is not kept, its metadata is."""
    if event.get("text"):
        event["text"] = DISCLOSURE_PLACEHOLDER
    return event


class RedactingSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store (SQLite file or PostgreSQL) that writes protected events and reveals them on reading.

    Like Rasa's own ``save`` it appends only the events the database does not hold yet, and only those are
    protected; ``_retrieve`` reveals the stored rows before building the tracker, so a turn deserialises the
    conversation once.
    """

    def __init__(self, domain: Domain | None, redactor: EventRedactor, **kwargs: Any) -> None:
        if kwargs.get("event_broker") is not None:  # Rasa would publish the events before they are protected
            raise ValueError("an event broker is not supported by the redacting tracker store")
        self.redactor = redactor
        super().__init__(domain, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # SQLAlchemy 1.4 opens and closes a SQLite file connection per session (NullPool): two per turn, and
            # closing the last one checkpoints the WAL to disk each time. A small pool keeps them open.
            self.engine.dispose()
            self.engine = sa.create_engine(
                self.engine.url, poolclass=sa.pool.QueuePool, pool_size=2, max_overflow=8,
                connect_args={"check_same_thread": False},  # a pooled connection serves one session at a time
            )
            sa.event.listen(self.engine, "connect", _tune_sqlite_connection)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            query = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False)
            for data in self.redactor.protect(tracker.sender_id, tracker.events, start=query.count()):
                intent = (data.get("parse_data") or {}).get("intent") or {}
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=data["event"],
                        timestamp=data.get("timestamp"),
                        intent_name=intent.get("name"),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions).all()
            events = self.redactor.reveal(sender_id, (json.loads(row.data) for row in rows))
        if not (self.domain and events):
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)


def _tune_sqlite_connection(connection: Any, _record: Any) -> None:
    # WAL: readers do not wait for the writer; NORMAL: no fsync per turn, and still safe if a process is
    # killed (a power cut may lose the last turns of a chat, never corrupt the file).
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")


class RedactingRedisTrackerStore(TrackerStore):
    """Rasa's Redis tracker store wrapped: the whole tracker is protected before each write (Redis stores it whole)."""

    def __init__(self, domain: Domain | None, redactor: EventRedactor, url: str, **kwargs: Any) -> None:
        self._store = RedisTrackerStore(domain, **_parse_redis_url(url), **kwargs)
        self.redactor = redactor
        super().__init__(domain, kwargs.get("event_broker"))

    @property
    def domain(self) -> Domain:
        return self._store.domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        # Rasa sets the domain after loading the model; the wrapped store rebuilds trackers with its slots.
        if hasattr(self, "_store"):
            self._store.domain = domain or Domain.empty()

    def _rebuild(self, tracker: DialogueStateTracker, events: list[dict[str, Any]]) -> DialogueStateTracker:
        return DialogueStateTracker.from_dict(
            tracker.sender_id, events, self.domain.slots, max_event_history=tracker._max_event_history
        )

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._store.save(self._rebuild(tracker, self.redactor.protect(tracker.sender_id, tracker.events)))

    async def _reveal(self, tracker: DialogueStateTracker | None) -> DialogueStateTracker | None:
        if tracker is None:
            return None
        return self._rebuild(tracker, self.redactor.reveal(tracker.sender_id, (e.as_dict() for e in tracker.events)))

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._reveal(await self._store.retrieve(sender_id))

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return await self._reveal(await self._store.retrieve_full_tracker(conversation_id))

    async def keys(self) -> Iterable[str]:
        return await self._store.keys()


class RedactingTrackerStore(TrackerStore):
    """endpoints.yml: ``tracker_store: {type: bot.tracker_store.RedactingTrackerStore, db: <sqlite file>}``.

    A factory in class form (Rasa requires a class): the redacting SQL store (SQLite file, or PostgreSQL when
    YIBAO_TRACKER_URL/host is a database URL) or the redacting Redis store (a redis:// URL).
    """

    def __new__(  # type: ignore[misc]
        cls,
        domain: Domain | None = None,
        host: str | None = None,
        db: str = "rasa_tracker.db",
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> TrackerStore:
        url = get_settings().tracker_url or host or ""
        redactor = EventRedactor(load_cipher())
        store: TrackerStore
        if url.startswith(("redis://", "rediss://")):
            store = RedactingRedisTrackerStore(domain, redactor, url, event_broker=event_broker, **kwargs)
        elif "://" in url:  # postgresql://... (psycopg2 in .venv-rasa) or any other SQLAlchemy URL
            store = RedactingSQLTrackerStore(domain, redactor, host=url, event_broker=event_broker, **kwargs)
        else:
            store = RedactingSQLTrackerStore(
                domain, redactor, dialect="sqlite", db=db, event_broker=event_broker, **kwargs
            )
        logger.info("tracker store: %s", type(store).__name__)
        return store


class ConfiguredLockStore(LockStore):
    """endpoints.yml: ``lock_store: {type: bot.tracker_store.ConfiguredLockStore}``.

    A factory in class form (Rasa requires a class): Redis when YIBAO_LOCK_URL is set, so that two Rasa
    instances never process the same conversation at once; otherwise in memory, right for a single instance.
    """

    def __new__(cls, endpoint_config: EndpointConfig | None = None) -> LockStore:  # type: ignore[misc]
        url = get_settings().lock_url or (endpoint_config.url if endpoint_config else None) or ""
        if url.startswith(("redis://", "rediss://")):
            return RedisLockStore(**_parse_redis_url(url), key_prefix="yibao")
        # Rasa allows SANIC_WORKERS > 1 with any custom lock store type, but in-memory locks are per process:
        # two workers could then answer the same conversation at once.
        if int(os.environ.get("SANIC_WORKERS") or 1) > 1:
            raise ValueError("SANIC_WORKERS > 1 needs a shared lock store: set YIBAO_LOCK_URL=redis://host:port/db")
        return InMemoryLockStore()
