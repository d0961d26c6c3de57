"""Shared fixtures: databases (SQLite and the real MariaDB), fake and local-stack contexts.

Every test that takes ``db_url`` (directly or through ``fake_ctx``) runs twice: on a
fresh SQLite file and on a fresh database in the MariaDB named by
``OCRJOBS_TEST_MYSQL_URL`` (CI and ``make test`` export it). Without that variable the
MariaDB runs are skipped and say so.
"""

from __future__ import annotations

import os

# Before anything imports Qt or starts Tesseract.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["OMP_THREAD_LIMIT"] = "1"

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, delete, text
from sqlalchemy.engine import make_url

from ocrjobs.adapters.database import make_engine
from ocrjobs.adapters.fakes import FakeAuditLog, FakeObjectStore, FakeQueue
from ocrjobs.adapters.migrate import upgrade
from ocrjobs.adapters.orm import job_items, jobs
from ocrjobs.adapters.repository import UnitOfWork
from ocrjobs.config import Settings
from ocrjobs.services.context import Context

MYSQL_ENV = "OCRJOBS_TEST_MYSQL_URL"
SAMPLES = Path(__file__).resolve().parent.parent / "resources" / "samples"

# Never let a developer's real AWS settings leak into a test.
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
    os.environ.pop(_var, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["OCRJOBS_CONFIG"] = os.devnull


@pytest.fixture(scope="session")
def mysql_server_url() -> Iterator[str]:
    """A fresh database on the MariaDB server for this test session (dropped afterwards)."""
    base = os.environ.get(MYSQL_ENV)
    if not base:
        pytest.skip(f"{MYSQL_ENV} not set: MariaDB runs skipped")
    url = make_url(base)
    name = f"ocrjobs_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


@pytest.fixture(scope="session")
def _mysql_migrated(mysql_server_url: str) -> str:
    engine = make_engine(mysql_server_url)
    upgrade(engine)
    engine.dispose()
    return mysql_server_url


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: SQLite file, then the real MariaDB."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    url = str(request.getfixturevalue("_mysql_migrated"))
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(delete(job_items))
        conn.execute(delete(jobs))
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=str(tmp_path / "data"),
        actor="tester@test",
        upload_concurrency=4,
        unsent_grace_seconds=0,
    )


@pytest.fixture
def fake_ctx(engine: Engine, settings: Settings) -> Iterator[Context]:
    """Services on a real database with in-memory S3, SQS (+DLQ) and DynamoDB fakes."""
    dlq = FakeQueue("ocr-jobs-dlq")
    queue = FakeQueue("ocr-jobs", max_receive_count=settings.max_receive_count, dlq=dlq)

    def uow(*, write: bool = False) -> UnitOfWork:
        return UnitOfWork(engine, write=write)

    ctx = Context(
        settings=settings,
        uow=uow,
        store=FakeObjectStore(settings.bucket),
        queue=queue,
        dlq=dlq,
        audit=FakeAuditLog(),
    )
    yield ctx
    ctx.close()


@pytest.fixture
def local_stack(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """The embedded local stack (moto server on 127.0.0.1 + SQLite), environment applied."""
    from ocrjobs.localstack import LocalStack

    stack = LocalStack(tmp_path / "stack")
    settings = stack.start()
    yield settings
    stack.stop()


@pytest.fixture
def samples() -> Path:
    return SAMPLES
