"""Alembic environment: runs on the connection handed over by ``ocrjobs.adapters.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from ocrjobs.adapters.migrate import include_object
from ocrjobs.adapters.orm import metadata

config = context.config


def run_migrations_online() -> None:
    connection: Connection | None = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through ocrjobs.adapters.migrate.upgrade()")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported")
run_migrations_online()
