"""Database engine and schema upgrades for the accounts part (SQLite by default, PostgreSQL by DATABASE_URL)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from yibao.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Arbitrary constant naming "the accounts schema upgrade" for PostgreSQL's advisory lock.
_PG_UPGRADE_LOCK = 73_550_001


def database_url() -> str:
    """DATABASE_URL with the installed driver: plain ``postgresql://`` means psycopg 3 here (not psycopg2)."""
    url = get_settings().database_url
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    db_path = make_url(url).database
    if db_path and db_path != ":memory:":
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # WAL: the API (with the custom actions) and the CLI use the file at the same time.
        # synchronous=FULL: a committed audit entry survives a crash of any process.
        dbapi_connection.isolation_level = None  # transactions are begun below, not by the sqlite3 module
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn) -> None:  # type: ignore[no-untyped-def]
        # Take the write lock up front: a read-then-write transaction in WAL mode would otherwise fail with
        # "database is locked" instead of waiting when another process wrote in between.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; safe when several processes start at once."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_UPGRADE_LOCK})
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        return
    db_path = engine.url.database
    lock_path = Path(f"{db_path}.migrate.lock") if db_path and db_path != ":memory:" else None
    with _file_lock(lock_path), engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


@contextmanager
def _file_lock(path: Path | None) -> Iterator[None]:
    """An exclusive ``flock`` on a side file (SQLite has no advisory locks of its own)."""
    if path is None:
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
