"""Alembic migrations on a fresh SQLite file and a fresh MariaDB database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from ocrjobs.adapters.database import make_engine
from ocrjobs.adapters.migrate import (
    FTS_PREFIXES,
    current_revision,
    downgrade,
    head_revision,
    include_object,
    upgrade,
)
from ocrjobs.adapters.orm import metadata

MYSQL_ENV = "OCRJOBS_TEST_MYSQL_URL"
SEED_JOB_COLUMNS = {"id", "name", "created_at", "status", "sqs_retention_deadline"}
SEED_ITEM_COLUMNS = {"id", "job_id", "s3_key", "created_at", "status", "ocr_text", "error_msg"}


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database with no tables at all (not the shared migrated one)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
        yield engine
        engine.dispose()
        return
    base = os.environ.get(MYSQL_ENV)
    if not base:
        pytest.skip(f"{MYSQL_ENV} not set: MariaDB runs skipped")
    name = f"ocrjobs_m_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(base))
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    engine = make_engine(make_url(base).set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert {t for t in _tables(empty_engine) if not t.startswith(FTS_PREFIXES)} == {
        "jobs",
        "job_items",
        "uploads",
    }
    upgrade(empty_engine)  # idempotent
    assert current_revision(empty_engine) == head_revision()

    downgrade(empty_engine, "base")
    assert current_revision(empty_engine) is None
    assert _tables(empty_engine) == set()

    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert {t for t in _tables(empty_engine) if not t.startswith(FTS_PREFIXES)} == {
        "jobs",
        "job_items",
        "uploads",
    }


def test_migrated_schema_matches_the_tables_the_code_uses(empty_engine: Engine) -> None:
    """No drift: Alembic finds nothing to autogenerate between the migrations and orm.py."""
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_seed_columns_indexes_and_named_checks(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    insp = inspect(empty_engine)
    job_cols = {c["name"] for c in insp.get_columns("jobs")}
    item_cols = {c["name"] for c in insp.get_columns("job_items")}
    assert job_cols >= SEED_JOB_COLUMNS
    assert item_cols >= SEED_ITEM_COLUMNS
    nullable = {c["name"]: c["nullable"] for c in insp.get_columns("job_items")}
    assert nullable["error_msg"] is True
    assert nullable["ocr_text"] is True
    assert nullable["status"] is False
    job_indexes = {i["name"] for i in insp.get_indexes("jobs")}
    assert {"ix_jobs_created_at_id", "ix_jobs_updated_at", "ix_jobs_deadline_status"} <= (
        job_indexes
    )
    item_indexes = {i["name"] for i in insp.get_indexes("job_items")}
    assert {"ix_job_items_counts", "ix_job_items_updated_at"} <= item_indexes
    [fk] = insp.get_foreign_keys("job_items")
    assert fk["referred_table"] == "jobs"
    assert fk["constrained_columns"] == ["job_id"]
    checks = {c["name"] for t in ("jobs", "job_items") for c in insp.get_check_constraints(t)}
    assert {"ck_jobs_job_status", "ck_job_items_item_status"} <= checks


def test_mysql_tables_are_utf8mb4(empty_engine: Engine) -> None:
    if empty_engine.dialect.name not in {"mysql", "mariadb"}:
        pytest.skip("MariaDB only")
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT table_name, table_collation FROM information_schema.tables "
                "WHERE table_schema = DATABASE()"
            )
        ).all()
        types: dict[str, str] = dict(
            conn.execute(
                text(
                    "SELECT column_name, column_type FROM information_schema.columns "
                    "WHERE table_schema = DATABASE() AND table_name = 'job_items'"
                )
            ).all()
        )
    for _, collation in rows:
        assert collation.startswith("utf8mb4")
    assert types["id"] == "char(36)"
    assert types["created_at"] == "datetime(6)"
    assert types["ocr_text"] == "mediumtext"


def test_data_survives_a_repeated_upgrade(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    now = datetime(2026, 11, 29, tzinfo=UTC).replace(tzinfo=None)
    job_id = str(uuid.uuid4())
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO jobs (id, name, created_at, status, sqs_retention_deadline, "
                "language, updated_at) VALUES (:id, 'kept', :t, 'PENDING', :t, 'eng', :t)"
            ),
            {"id": job_id, "t": now},
        )
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM jobs")).scalar_one() == "kept"
