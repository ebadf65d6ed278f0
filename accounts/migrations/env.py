"""Alembic environment for the accounts schema.

Run through ``accounts.db.upgrade`` (which passes an open connection, so a lock can be held around it)
or with the plain ``alembic`` command (``-x url=...`` or DATABASE_URL).
"""

from __future__ import annotations

from alembic import context

from accounts.models import Base
from institutions import models as _institution_models  # noqa: F401  (their tables share this history)

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    from accounts.db import make_engine

    url = context.get_x_argument(as_dictionary=True).get("url")
    with make_engine(url).begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported; run `yibao accounts migrate`")
run_migrations_online()
