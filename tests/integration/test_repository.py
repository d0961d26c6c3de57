"""The SQL repository and unit of work on SQLite and the real MariaDB."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, StatementError

from ocrjobs.adapters.orm import job_items, jobs
from ocrjobs.adapters.repository import UnitOfWork, _item_values
from ocrjobs.domain.model import RETENTION, Job, JobItem, s3_key_for
from ocrjobs.domain.status import EXPIRED_CODE, ItemStatus, JobStatus

T0 = datetime(2026, 11, 29, 12, 0, 0, 123456, tzinfo=UTC)


def make_job(name: str = "job", created: datetime = T0, **kw: object) -> Job:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "name": name,
        "created_at": created,
        "status": JobStatus.PENDING,
        "sqs_retention_deadline": created + RETENTION,
        "language": "eng",
        "updated_at": created,
    }
    values.update(kw)
    return Job(**values)  # type: ignore[arg-type]


def make_item(job: Job, **kw: object) -> JobItem:
    item_id = uuid.uuid4()
    values: dict[str, object] = {
        "id": item_id,
        "job_id": job.id,
        "s3_key": s3_key_for(job.id, item_id, "png"),
        "created_at": job.created_at,
        "status": ItemStatus.PENDING,
        "ocr_text": None,
        "error_msg": None,
        "error_code": None,
        "original_name": "scan.png",
        "content_type": "image/png",
        "size_bytes": 10,
        "sha256": "0" * 64,
        "page_number": None,
        "attempts": 0,
        "enqueued_at": None,
        "started_at": None,
        "finished_at": None,
        "updated_at": job.created_at,
    }
    values.update(kw)
    return JobItem(**values)  # type: ignore[arg-type]


def add(engine: Engine, job: Job, n_items: int = 1, **item_kw: object) -> list[JobItem]:
    """Insert ``job`` (the first time it is seen) and ``n_items`` new items of it."""
    items = [make_item(job, **item_kw) for _ in range(n_items)]
    with UnitOfWork(engine, write=True) as uow:
        if uow.repo.get_job(job.id) is None:
            uow.repo.add_job(job, items)
        elif items:
            uow.repo.conn.execute(insert(job_items), [_item_values(i) for i in items])
        uow.commit()
    return items


def test_round_trip_uuids_and_values(engine: Engine) -> None:
    job = make_job("Relatório ação 名前 📄")
    [item] = add(engine, job, original_name="ação/📄 name.png", ocr_text=None)
    with UnitOfWork(engine) as uow:
        got = uow.repo.get_job(job.id)
        items = uow.repo.get_items(job.id)
    assert got == job
    assert isinstance(got.id, UUID)
    assert items == [item]
    assert isinstance(items[0].id, UUID)
    assert isinstance(items[0].job_id, UUID)


def test_uuids_stored_as_canonical_text(engine: Engine) -> None:
    job = make_job()
    add(engine, job)
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT id FROM jobs")).scalar_one()
    assert raw == str(job.id)
    assert len(raw) == 36


def test_timestamps_come_back_aware_utc(engine: Engine) -> None:
    brazil = timezone(timedelta(hours=-3))
    created = datetime(2026, 11, 29, 9, 0, 0, 654321, tzinfo=brazil)
    job = make_job(created=created)
    add(engine, job)
    with UnitOfWork(engine) as uow:
        got = uow.repo.get_job(job.id)
        [item] = uow.repo.get_items(job.id)
    assert got is not None
    for ts in (got.created_at, got.updated_at, got.sqs_retention_deadline, item.created_at):
        assert ts.tzinfo is UTC
    assert got.created_at == created  # same instant, microseconds kept
    assert got.created_at.hour == 12
    assert got.created_at.microsecond == 654321
    assert got.sqs_retention_deadline - got.created_at == timedelta(days=2)
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT created_at FROM jobs")).scalar_one()
    stored = raw if isinstance(raw, datetime) else datetime.fromisoformat(raw)
    assert stored.replace(tzinfo=None) == datetime(2026, 11, 29, 12, 0, 0, 654321)


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    job = make_job(created=datetime(2026, 1, 1), updated_at=datetime(2026, 1, 1))
    with pytest.raises(StatementError, match="naive"), UnitOfWork(engine, write=True) as uow:
        uow.repo.add_job(job, [])


def _raw_job(status: str) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "name": "x",
        "created_at": T0,
        "status": status,
        "sqs_retention_deadline": T0,
        "language": "eng",
        "updated_at": T0,
    }


# PyMySQL maps MariaDB's CHECK failure (errno 4025) to OperationalError, SQLite to
# IntegrityError: either way the named constraint must be what refused the row.
CHECK_VIOLATION = (IntegrityError, OperationalError)


def test_check_constraint_rejects_a_bad_job_status(engine: Engine) -> None:
    with pytest.raises(CHECK_VIOLATION, match="ck_jobs_job_status"), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO jobs (id, name, created_at, status, sqs_retention_deadline, "
                "language, updated_at) VALUES (:id, 'x', :t, 'BOGUS', :t, 'eng', :t)"
            ),
            {"id": str(uuid.uuid4()), "t": T0.replace(tzinfo=None)},
        )


def test_check_constraint_rejects_a_bad_item_status(engine: Engine) -> None:
    job = make_job()
    add(engine, job)
    # EXPIRED is a job status, never an item status.
    with (
        pytest.raises(CHECK_VIOLATION, match="ck_job_items_item_status"),
        engine.begin() as conn,
    ):
        conn.execute(
            text("UPDATE job_items SET status = 'EXPIRED' WHERE job_id = :j"), {"j": str(job.id)}
        )


def test_item_needs_an_existing_job(engine: Engine) -> None:
    orphan = make_item(make_job())
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            insert(job_items),
            [
                {
                    **{c.name: getattr(orphan, c.name, None) for c in job_items.columns},
                    "status": "PENDING",
                    "attempts": 0,
                }
            ],
        )


def test_unit_of_work_rolls_back_unless_committed(engine: Engine) -> None:
    job = make_job()
    with UnitOfWork(engine, write=True) as uow:
        uow.repo.add_job(job, [make_item(job)])

    def fail_inside() -> None:
        with UnitOfWork(engine, write=True) as uow:
            uow.repo.add_job(make_job(), [])
            uow.repo.rename_job(job.id, "never", T0)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_inside()
    with UnitOfWork(engine) as uow:
        assert uow.repo.list_jobs(0, 10) == ([], 0)
    with pytest.raises(RuntimeError, match="outside"):
        _ = uow.repo


def test_list_jobs_order_pages_filter_and_search(engine: Engine) -> None:
    made = []
    for i in range(7):
        job = make_job(
            f"job {i}" if i != 3 else "100% done_now",
            created=T0 + timedelta(minutes=i),
            status=JobStatus.DONE if i % 2 else JobStatus.PENDING,
        )
        add(engine, job, 0)
        made.append(job)
    with UnitOfWork(engine) as uow:
        page1, total = uow.repo.list_jobs(0, 3)
        page3, _ = uow.repo.list_jobs(6, 3)
        done, n_done = uow.repo.list_jobs(0, 10, JobStatus.DONE)
        pct, _ = uow.repo.list_jobs(0, 10, search="100%")
        under, _ = uow.repo.list_jobs(0, 10, search="e_n")
        asc, _ = uow.repo.list_jobs(0, 10, sort="created_asc")
    assert total == 7
    assert [j.id for j in page1] == [m.id for m in reversed(made)][:3]
    assert [j.id for j in page3] == [made[0].id]
    assert n_done == 3
    assert {j.status for j in done} == {JobStatus.DONE}
    assert [j.name for j in pct] == ["100% done_now"]
    assert [j.name for j in under] == ["100% done_now"]  # "_" is literal, not a wildcard
    assert [j.id for j in asc] == [m.id for m in made]


def test_counts_for_many_jobs_and_statuses(engine: Engine) -> None:
    job = make_job()
    add(engine, job, 2)
    add(engine, job, 0)
    other = make_job("other")
    add(engine, other, 1, status=ItemStatus.DONE, ocr_text="hi")
    add(engine, other, 1, status=ItemStatus.ERROR, error_code="OCR_FAILED", error_msg="x")
    add(engine, other, 2, status=ItemStatus.ERROR, error_code=EXPIRED_CODE, error_msg="late")
    empty = make_job("empty")
    add(engine, empty, 0)
    unknown = uuid.uuid4()
    with UnitOfWork(engine) as uow:
        c = uow.repo.counts_for([job.id, other.id, empty.id, unknown])
    assert c[job.id].as_dict() == {
        "PENDING": 2,
        "PROCESSING": 0,
        "DONE": 0,
        "ERROR": 0,
        "EXPIRED": 0,
    }
    assert c[other.id].as_dict() == {
        "PENDING": 0,
        "PROCESSING": 0,
        "DONE": 1,
        "ERROR": 3,
        "EXPIRED": 2,
    }
    assert c[empty.id].total == 0
    assert c[unknown].total == 0


def test_counts_for_more_ids_than_one_chunk(engine: Engine) -> None:
    job = make_job()
    add(engine, job, 1)
    ids = [uuid.uuid4() for _ in range(1200)] + [job.id]
    with UnitOfWork(engine) as uow:
        counts = uow.repo.counts_for(ids)
    assert len(counts) == 1201
    assert counts[job.id].pending == 1


def test_claim_finish_are_conditional(engine: Engine) -> None:
    job = make_job()
    [item] = add(engine, job)
    now = T0 + timedelta(minutes=1)
    with UnitOfWork(engine, write=True) as uow:
        claimed = uow.repo.claim_item(item.id, "token-1", now)
        uow.commit()
    assert claimed is not None
    assert claimed.status is ItemStatus.PROCESSING
    assert claimed.attempts == 1
    # A redelivery re-claims; the first claimer's result is then refused.
    with UnitOfWork(engine, write=True) as uow:
        again = uow.repo.claim_item(item.id, "token-2", now)
        assert again is not None
        assert again.attempts == 2
        assert not uow.repo.finish_item(item.id, "token-1", now, text="stale")
        assert uow.repo.finish_item(item.id, "token-2", now, text="fresh", confidence=91.5)
        uow.commit()
    with UnitOfWork(engine, write=True) as uow:
        # DONE is final: no claim, no second result, no failure.
        assert uow.repo.claim_item(item.id, "token-3", now) is None
        assert not uow.repo.finish_item(item.id, "token-2", now, text="again")
        assert not uow.repo.fail_unclaimed(
            item.id, [ItemStatus.PENDING, ItemStatus.PROCESSING], "X", "x", now
        )
        uow.commit()
        got = uow.repo.get_item(item.id)
    assert got is not None
    assert (got.status, got.ocr_text, got.confidence) == (ItemStatus.DONE, "fresh", 91.5)
    assert got.finished_at == now


def test_refresh_job_status_follows_the_rule(engine: Engine) -> None:
    job = make_job()
    a, b = add(engine, job, 2)
    now = T0 + timedelta(minutes=5)
    with UnitOfWork(engine, write=True) as uow:
        uow.repo.claim_item(a.id, "t", now)
        refreshed = uow.repo.refresh_job_status(job.id, now)
        assert refreshed is not None
        assert refreshed[0].status is JobStatus.PROCESSING
        uow.repo.finish_item(a.id, "t", now, text="ok")
        uow.repo.claim_item(b.id, "u", now)
        uow.repo.finish_item(b.id, "u", now, error_code="OCR_FAILED", error_msg="bad")
        refreshed = uow.repo.refresh_job_status(job.id, now)
        uow.commit()
    assert refreshed is not None
    assert refreshed[0].status is JobStatus.ERROR
    assert refreshed[0].finished_at == now
    with UnitOfWork(engine) as uow:
        stored = uow.repo.get_job(job.id)
        items = {i.id: i for i in uow.repo.get_items(job.id)}
        assert uow.repo.refresh_job_status(uuid.uuid4(), now) is None
    assert stored is not None
    assert stored.status is JobStatus.ERROR
    assert items[a.id].ocr_text == "ok"  # the DONE item keeps its text


def test_expire_pending_only_touches_jobs_past_their_deadline(engine: Engine) -> None:
    late = make_job("late")
    late_items = add(engine, late, 2)
    add(engine, late, 1, status=ItemStatus.DONE, ocr_text="t")
    fresh = make_job("fresh", created=T0 + timedelta(days=3))
    add(engine, fresh, 1)
    now = T0 + RETENTION + timedelta(seconds=1)
    with UnitOfWork(engine, write=True) as uow:
        expired = uow.repo.expire_pending(now, "expired")
        again = uow.repo.expire_pending(now, "expired")
        uow.commit()
    assert expired == {late.id: 2}
    assert again == {}
    with UnitOfWork(engine) as uow:
        items = {i.id: i for i in uow.repo.get_items(late.id)}
        assert uow.repo.get_items(fresh.id)[0].status is ItemStatus.PENDING
    for i in late_items:
        assert items[i.id].status is ItemStatus.ERROR
        assert items[i.id].error_code == EXPIRED_CODE
        assert items[i.id].expired


def test_reset_for_retry_by_kind(engine: Engine) -> None:
    job = make_job()
    [failed] = add(engine, job, 1, status=ItemStatus.ERROR, error_code="OCR_FAILED", error_msg="x")
    [expired] = add(
        engine, job, 1, status=ItemStatus.ERROR, error_code=EXPIRED_CODE, error_msg="late"
    )
    [done] = add(engine, job, 1, status=ItemStatus.DONE, ocr_text="keep")
    now = T0 + timedelta(days=3)
    with UnitOfWork(engine, write=True) as uow:
        only_expired = uow.repo.reset_for_retry(job.id, failed=False, expired=True, now=now)
        only_failed = uow.repo.reset_for_retry(job.id, failed=True, expired=False, now=now)
        nothing = uow.repo.reset_for_retry(job.id, failed=True, expired=True, now=now)
        uow.commit()
        items = {i.id: i for i in uow.repo.get_items(job.id)}
    assert [i.id for i in only_expired] == [expired.id]
    assert [i.id for i in only_failed] == [failed.id]
    assert nothing == []
    for i in (failed, expired):
        got = items[i.id]
        assert got.status is ItemStatus.PENDING
        assert (got.error_code, got.error_msg, got.enqueued_at) == (None, None, None)
    assert items[done.id].status is ItemStatus.DONE
    assert items[done.id].ocr_text == "keep"


def test_unsent_items_and_mark_enqueued(engine: Engine) -> None:
    job = make_job()
    a, b = add(engine, job, 2)
    later = T0 + timedelta(minutes=2)
    with UnitOfWork(engine, write=True) as uow:
        assert {i.id for i in uow.repo.unsent_items(later)} == {a.id, b.id}
        assert uow.repo.unsent_items(T0) == []  # within the grace period
        uow.repo.mark_enqueued([a.id], later)
        uow.repo.mark_enqueued([a.id], later + timedelta(hours=1))  # first stamp kept
        uow.commit()
        assert [i.id for i in uow.repo.unsent_items(later)] == [b.id]
        assert uow.repo.get_item(a.id).enqueued_at == later  # type: ignore[union-attr]


def test_delete_job_removes_items_and_job(engine: Engine) -> None:
    job = make_job()
    add(engine, job, 3)
    keep = make_job("keep")
    add(engine, keep, 1)
    with UnitOfWork(engine, write=True) as uow:
        assert uow.repo.delete_job(job.id) == 3
        assert uow.repo.delete_job(job.id) == 0
        uow.commit()
    with engine.connect() as conn:
        assert conn.execute(select(jobs.c.id)).scalars().all() == [keep.id]
        assert len(conn.execute(select(job_items.c.id)).all()) == 1


def test_rename_and_changed_since(engine: Engine) -> None:
    job = make_job()
    add(engine, job, 1)
    other = make_job("other")
    add(engine, other, 1)
    later = T0 + timedelta(hours=1)
    with UnitOfWork(engine, write=True) as uow:
        assert uow.repo.rename_job(job.id, "new name", later)
        assert not uow.repo.rename_job(uuid.uuid4(), "ghost", later)
        uow.commit()
        changed = uow.repo.changed_jobs(later)
        items = uow.repo.changed_items(job.id, None)
    assert [j.id for j in changed] == [job.id]
    assert changed[0].name == "new name"
    assert len(items) == 1


def test_long_ocr_text_fits(engine: Engine) -> None:
    """A dense page's text exceeds MySQL's TEXT (64 KiB); the column must hold it."""
    job = make_job()
    text_value = "Lorem ipsum dolor sit amet, ação 名前 📄\n" * 3000  # ~130 KB in UTF-8
    [item] = add(engine, job, 1, status=ItemStatus.DONE, ocr_text=text_value)
    with UnitOfWork(engine) as uow:
        got = uow.repo.get_item(item.id)
    assert got is not None
    assert got.ocr_text == text_value


def test_a_closed_database_port_is_backend_unavailable() -> None:
    from ocrjobs.adapters.database import make_engine
    from ocrjobs.domain.errors import BackendUnavailable

    engine = make_engine("mysql+pymysql://root:secret@127.0.0.1:1/nothing")
    try:
        with pytest.raises(BackendUnavailable) as info, UnitOfWork(engine) as uow:
            uow.repo.list_jobs(0, 1)
    finally:
        engine.dispose()
    assert info.value.service == "database"
    assert "127.0.0.1:1" in info.value.endpoint
    assert "secret" not in str(info.value)
    assert info.value.exit_code == 5


def test_raw_driver_errors_are_dbapi_errors(engine: Engine) -> None:
    """Sanity: the constraint tests above see driver errors wrapped by SQLAlchemy."""
    with pytest.raises(DBAPIError), engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table"))


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def unmigrated_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A reachable database without the ocrjobs schema (``ocrjobs init`` never ran)."""
    from ocrjobs.adapters.database import make_engine

    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'uninitialised.sqlite3'}")
        yield engine
        engine.dispose()
        return
    base = os.environ.get("OCRJOBS_TEST_MYSQL_URL")
    if not base:
        pytest.skip("OCRJOBS_TEST_MYSQL_URL not set: MariaDB runs skipped")
    name = f"ocrjobs_u_{uuid.uuid4().hex[:10]}"
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


def test_a_database_without_the_schema_says_to_run_init(unmigrated_engine: Engine) -> None:
    from ocrjobs.domain.errors import ConfigError

    with (
        pytest.raises(ConfigError, match="ocrjobs init") as info,
        UnitOfWork(unmigrated_engine) as uow,
    ):
        uow.repo.list_jobs(0, 10)
    assert unmigrated_engine.url.render_as_string(hide_password=True) in info.value.message


def test_a_file_that_is_not_a_database_is_named(tmp_path: Path) -> None:
    from ocrjobs.adapters.database import make_engine
    from ocrjobs.domain.errors import BackendUnavailable

    path = tmp_path / "notes.sqlite3"
    path.write_text("these are my notes, not a database\n" * 20)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with pytest.raises(BackendUnavailable) as info, UnitOfWork(engine) as uow:
            uow.repo.list_jobs(0, 1)
    finally:
        engine.dispose()
    assert info.value.service == "database"
    assert str(path) in info.value.endpoint
    assert "not a database" in info.value.reason


def _wait_for_lock_wait(engine: Engine, thread: threading.Thread) -> None:
    """Give the other transaction time to run into our locks (up to 5 s), then go on.

    The outcome is what the test checks; this only makes the overlap likely. (InnoDB's
    ``innodb_trx`` did not always report the wait as LOCK WAIT, so it is not asserted.)
    """
    probe = create_engine(engine.url)
    try:
        for _ in range(100):
            with probe.connect() as conn:
                busy = conn.execute(
                    text(
                        "SELECT COUNT(*) FROM information_schema.processlist "
                        "WHERE info LIKE 'UPDATE job_items%' AND time >= 0"
                    )
                ).scalar_one()
            if busy or not thread.is_alive():
                thread.join(0.2)
                return
            thread.join(0.05)
    finally:
        probe.dispose()


def test_two_workers_finishing_the_last_items_leave_the_job_done(engine: Engine) -> None:
    """Both finish inside overlapping transactions; the job must still end DONE.

    On MariaDB (READ COMMITTED) nothing in ``refresh_job_status`` locks the job row
    before counting. What serialises the two today is InnoDB's foreign-key check: the
    status update touches the FK's index (job_id, status), which share-locks the parent
    job row that the other refresh holds. Change that index and this test shows the
    lost update (job left PROCESSING with every item DONE).
    """
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): no overlap possible")
    job = make_job()
    a, b = add(engine, job, 2)
    now = T0 + timedelta(minutes=1)
    with UnitOfWork(engine, write=True) as uow:
        assert uow.repo.claim_item(a.id, "ta", now)
        assert uow.repo.claim_item(b.id, "tb", now)
        uow.commit()

    errors: list[BaseException] = []

    def worker_b() -> None:
        try:
            with UnitOfWork(engine, write=True) as uow_b:
                assert uow_b.repo.finish_item(b.id, "tb", now, text="B")
                uow_b.repo.refresh_job_status(job.id, now)
                uow_b.commit()
        except BaseException as exc:
            errors.append(exc)

    with UnitOfWork(engine, write=True) as uow_a:
        assert uow_a.repo.finish_item(a.id, "ta", now, text="A")
        uow_a.repo.refresh_job_status(job.id, now)
        thread = threading.Thread(target=worker_b)
        thread.start()
        _wait_for_lock_wait(engine, thread)
        uow_a.commit()
    thread.join(60)
    assert not thread.is_alive()
    assert errors == []
    with UnitOfWork(engine) as uow:
        stored = uow.repo.get_job(job.id)
    assert stored is not None
    assert stored.status is JobStatus.DONE
