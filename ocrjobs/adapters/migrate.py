"""Apply Alembic migrations programmatically (``ocrjobs init``, the local stack, tests)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

# Full-text search lives outside orm.py's tables (an FTS5 table and its shadow tables on
# SQLite, a FULLTEXT index on MySQL): migrations own it, autogenerate must not drop it.
FTS_PREFIXES = ("job_items_fts", "ft_job_items")


def include_object(
    _obj: object, name: str | None, _type: str, reflected: bool, _compare_to: object
) -> bool:
    """Alembic filter: leave the full-text search objects to the migrations."""
    return not (reflected and name is not None and name.startswith(FTS_PREFIXES))


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent)."""
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    log.info("schema at %s on %s", revision, engine.url.render_as_string(hide_password=True))


def downgrade(engine: Engine, revision: str) -> None:
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()
