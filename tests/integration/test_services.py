"""The services on SQLite and the real MariaDB, with in-memory AWS fakes (failure injection)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import threading
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from PIL import Image
from sqlalchemy import Engine, event, func, select

from ocrjobs.adapters.database import make_engine
from ocrjobs.adapters.fakes import FakeAuditLog, FakeObjectStore, FakeQueue
from ocrjobs.adapters.messages import SEED_FIELDS, decode
from ocrjobs.adapters.orm import job_items, jobs
from ocrjobs.adapters.repository import UnitOfWork
from ocrjobs.config import Settings
from ocrjobs.domain.errors import AwsError, BackendUnavailable, NotFound, OcrJobsError
from ocrjobs.domain.model import Job, JobDetail, JobItem, JobPage, NamedBytes, Progress
from ocrjobs.domain.status import EXPIRED_CODE, ItemStatus, JobStatus
from ocrjobs.services import audit, processing
from ocrjobs.services import jobs as svc
from ocrjobs.services.context import Context
from ocrjobs.services.dispatch import requeue_unsent
from ocrjobs.services.maintenance import expire_jobs, retry_items, sweep_dead_letters
from ocrjobs.services.orphans import OrphanSweep, sweep_orphan_objects
from ocrjobs.services.uploads import UploadAbandoned, UploadClaim

KEY = re.compile(r"jobs/([0-9a-f-]{36})/([0-9a-f-]{36})\.([a-z0-9]+)")


# -- helpers -----------------------------------------------------------------------------------


def png(width: int = 64, height: int = 32, shade: int = 255) -> bytes:
    buf = io.BytesIO()
    img = Image.new("L", (width, height), shade)
    img.putpixel((1, 1), 0)
    img.save(buf, format="PNG")
    return buf.getvalue()


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buf, format="JPEG")
    return buf.getvalue()


def bomb() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def valid_files(folder: Path, n: int) -> list[Path]:
    return [write(folder, f"page{i}.png", png(shade=200 + i)) for i in range(n)]


def fakes(ctx: Context) -> tuple[FakeObjectStore, FakeQueue, FakeAuditLog]:
    assert isinstance(ctx.store, FakeObjectStore)
    assert isinstance(ctx.queue, FakeQueue)
    assert isinstance(ctx.audit, FakeAuditLog)
    return ctx.store, ctx.queue, ctx.audit


def row_counts(ctx: Context) -> tuple[int, int]:
    with ctx.uow() as uow:
        conn = uow.repo.conn
        n_jobs = conn.execute(select(func.count()).select_from(jobs)).scalar_one()
        n_items = conn.execute(select(func.count()).select_from(job_items)).scalar_one()
    return int(n_jobs), int(n_items)


def assert_nothing_left(ctx: Context, *, messages: bool = True) -> None:
    """No rows, objects or job audit events (and, unless told otherwise, no messages)."""
    store, queue, audit_log = fakes(ctx)
    assert row_counts(ctx) == (0, 0)
    assert store.objects == {}
    if messages:
        assert queue.bodies == []
    assert {k: v for k, v in audit_log.rows.items() if not k.startswith("deleted#")} == {}


def create(ctx: Context, tmp_path: Path, n: int = 2, name: str = "job") -> JobDetail:
    result = svc.create_job(ctx, name, valid_files(tmp_path / uuid.uuid4().hex, n))
    assert result.job is not None
    return result.job


def take_messages(ctx: Context) -> dict[UUID, Any]:
    """Receive and delete every queued message: item id → (decoded message, receipt handle)."""
    out: dict[UUID, Any] = {}
    while batch := ctx.queue.receive(max_messages=10, wait_seconds=0):
        for m in batch:
            msg = decode(m.body)
            out[msg.item_id] = (msg, m.receipt_handle)
            ctx.queue.delete(m.receipt_handle)
    return out


class Clock:
    """A settable clock for the services (aware UTC)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(fake_ctx: Context) -> Clock:
    c = Clock()
    fake_ctx.clock = c
    return c


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


# -- create --------------------------------------------------------------------------------------


def test_create_with_mixed_valid_and_invalid_files(fake_ctx: Context, tmp_path: Path) -> None:
    store, queue, audit_log = fakes(fake_ctx)
    drop = tmp_path / "drop"
    files = [
        write(drop, "a.png", png()),
        write(drop, "notes.txt", b"not an image"),
        write(drop, "b.jpg", jpeg()),
        write(drop, "empty.png", b""),
        write(drop, "cut.png", png(300, 300)[:60]),
        write(drop, "bomb.png", bomb()),
        write(drop, "c.png", png(80, 20)),
    ]
    progress: list[Progress] = []
    lock = threading.Lock()

    def on_progress(p: Progress) -> None:
        with lock:
            progress.append(p)

    result = svc.create_job(
        fake_ctx, "  mixed   drop ", files, language="por", progress=on_progress
    )
    assert result.job is not None
    assert result.unsent == 0
    assert [(r.name, r.code) for r in result.rejected] == [
        ("notes.txt", "NOT_IMAGE"),
        ("empty.png", "EMPTY"),
        ("cut.png", result.rejected[2].code),
        ("bomb.png", "DECOMPRESSION_BOMB"),
    ]
    assert result.rejected[2].code in {"CORRUPT", "NOT_IMAGE"}
    assert all(r.reason for r in result.rejected)

    detail = result.job
    job = detail.job
    assert job.name == "mixed drop"
    assert job.status is JobStatus.PENDING
    assert job.language == "por"
    assert job.sqs_retention_deadline - job.created_at == timedelta(days=2)
    assert sorted(i.original_name for i in detail.items) == ["a.png", "b.jpg", "c.png"]
    assert detail.counts.pending == 3

    by_name = {i.original_name: i for i in detail.items}
    for name, ctype, ext in [
        ("a.png", "image/png", "png"),
        ("b.jpg", "image/jpeg", "jpg"),
        ("c.png", "image/png", "png"),
    ]:
        item = by_name[name]
        data = (drop / name).read_bytes()
        assert item.s3_key == f"jobs/{job.id}/{item.id}.{ext}"
        assert item.status is ItemStatus.PENDING
        assert item.content_type == ctype
        assert item.size_bytes == len(data)
        assert item.sha256 == hashlib.sha256(data).hexdigest()
        assert item.enqueued_at is not None
        assert item.attempts == 0
        assert (item.ocr_text, item.error_msg, item.error_code) == (None, None, None)
        stored = store.objects[item.s3_key]
        assert (stored.data, stored.content_type) == (data, ctype)
    assert set(store.objects) == {i.s3_key for i in detail.items}

    bodies = [json.loads(b) for b in queue.bodies]
    assert len(bodies) == 3
    for body in bodies:
        assert list(body)[:5] == list(SEED_FIELDS)
        assert set(body) <= {*SEED_FIELDS, "version", "language"}
        item = next(i for i in detail.items if str(i.id) == body["item_id"])
        assert body["job_id"] == str(job.id)
        assert body["s3_bucket"] == store.bucket
        assert body["s3_key"] == item.s3_key
        assert datetime.fromisoformat(body["created_at"]) == item.created_at
        assert body["language"] == "por"

    [created] = audit_log.list_events(str(job.id))
    assert created.action == audit.JOB_CREATED
    assert created.actor == "tester@test"
    assert created.details["items"] == 3
    assert created.details["rejected"] == 4

    assert progress[0].stage == "checking"
    assert progress[-1] == Progress(7, 7, "done")
    assert {p.stage for p in progress} >= {"uploading", "saving", "queueing", "done"}


def test_drop_with_no_valid_file_creates_nothing(fake_ctx: Context, tmp_path: Path) -> None:
    files = [
        write(tmp_path, "a.txt", b"text"),
        write(tmp_path, "b.png", b""),
        write(tmp_path, "c.png", bomb()),
    ]
    result = svc.create_job(fake_ctx, "nothing", files)
    assert result.job is None
    assert [r.code for r in result.rejected] == ["NOT_IMAGE", "EMPTY", "DECOMPRESSION_BOMB"]
    assert_nothing_left(fake_ctx)


def test_empty_drop_creates_nothing(fake_ctx: Context, tmp_path: Path) -> None:
    empty = tmp_path / "empty folder"
    empty.mkdir()
    result = svc.create_job(fake_ctx, None, [empty])
    assert result.job is None
    assert result.rejected == ()
    assert_nothing_left(fake_ctx)


def test_names_never_reach_keys(fake_ctx: Context, tmp_path: Path) -> None:
    names = ["ação 名前 📄.png", "../../etc/passwd.png", "a/b\\c d.jpg", "file\x00.png", "x" * 700]
    files = [NamedBytes(n, png(shade=100 + i)) for i, n in enumerate(names)]
    result = svc.create_job(fake_ctx, None, files)
    assert result.job is not None
    assert not result.rejected
    for item in result.job.items:
        m = KEY.fullmatch(item.s3_key)
        assert m
        assert (m[1], m[2], m[3]) == (str(item.job_id), str(item.id), "png")
    store, _, _ = fakes(fake_ctx)
    assert all(KEY.fullmatch(k) for k in store.objects)
    stored_names = sorted(i.original_name for i in result.job.items)
    assert stored_names == sorted([*names[:4], "x" * 512])


def test_folder_drop_is_named_after_the_folder(fake_ctx: Context, tmp_path: Path) -> None:
    folder = tmp_path / "Contratos 2026"
    valid_files(folder, 2)
    write(folder / "sub", "deep.png", png())
    write(folder, ".hidden.png", png())
    result = svc.create_job(fake_ctx, None, [folder])
    assert result.job is not None
    assert result.job.job.name == "Contratos 2026"
    assert len(result.job.items) == 3


def test_timestamps_aware_utc_and_uuids(fake_ctx: Context, tmp_path: Path) -> None:
    created = create(fake_ctx, tmp_path)
    got = svc.get_job(fake_ctx, str(created.job.id).upper())
    assert got.job.id == created.job.id
    assert isinstance(got.job.id, UUID)
    stamps = [got.job.created_at, got.job.updated_at, got.job.sqs_retention_deadline]
    for item in got.items:
        assert isinstance(item.id, UUID)
        stamps += [item.created_at, item.updated_at]
        assert item.enqueued_at is not None
        stamps.append(item.enqueued_at)
    for ts in stamps:
        assert ts.tzinfo is UTC
    assert abs(datetime.now(UTC) - got.job.created_at) < timedelta(hours=1)


# -- list / get / rename ---------------------------------------------------------------------------


def test_list_jobs_counts_in_a_constant_number_of_queries(
    fake_ctx: Context, engine: Engine, tmp_path: Path
) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    with UnitOfWork(engine, write=True) as uow:
        for n in range(60):
            job_id = uuid.uuid4()
            now = base + timedelta(minutes=n)
            job = Job(job_id, f"job {n}", now, JobStatus.PENDING, now, "eng", now)
            items = []
            for k in range(n % 4):
                item_id = uuid.uuid4()
                status = [ItemStatus.PENDING, ItemStatus.DONE, ItemStatus.ERROR][k % 3]
                items.append(
                    JobItem(
                        item_id, job_id, f"jobs/{job_id}/{item_id}.png", now, status, None,
                        None, None, "x.png", "image/png", 1, "0" * 64, None, 0, None, None,
                        None, now,
                    )
                )  # fmt: skip
            uow.repo.add_job(job, items)
        uow.commit()

    seen: dict[int, list[str]] = {}
    pages: dict[int, JobPage] = {}
    for size in (5, 50):
        with count_statements(engine) as statements:
            pages[size] = svc.list_jobs(fake_ctx, 1, size)
        seen[size] = statements
    assert len(seen[5]) == len(seen[50])
    selects = [s for s in seen[50] if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 3  # total, page, grouped counts
    assert pages[5].total == pages[50].total == 60
    assert len(pages[5].jobs) == 5
    assert len(pages[50].jobs) == 50
    # newest first, counts right for every job on the page
    assert [s.job.name for s in pages[5].jobs] == [f"job {n}" for n in range(59, 54, -1)]
    for s in pages[50].jobs:
        n = int(s.job.name.split()[1])
        assert s.counts.total == n % 4
        assert s.counts.pending == (1 if n % 4 >= 1 else 0)
        assert s.counts.done == (1 if n % 4 >= 2 else 0)
        assert s.counts.error == (1 if n % 4 >= 3 else 0)
    last = svc.list_jobs(fake_ctx, 2, 50)
    assert len(last.jobs) == 10
    assert last.pages == 2


def test_list_jobs_filters_and_bad_arguments(fake_ctx: Context, tmp_path: Path) -> None:
    create(fake_ctx, tmp_path, 1, "alpha")
    create(fake_ctx, tmp_path, 1, "beta")
    assert [s.job.name for s in svc.list_jobs(fake_ctx, search="alp").jobs] == ["alpha"]
    assert svc.list_jobs(fake_ctx, status="PENDING").total == 2
    assert svc.list_jobs(fake_ctx, status=JobStatus.DONE).total == 0
    for page, size in [(0, 10), (1, 0), (1, 10_000)]:
        with pytest.raises(OcrJobsError):
            svc.list_jobs(fake_ctx, page, size)


def test_get_job_and_not_found(fake_ctx: Context, tmp_path: Path) -> None:
    created = create(fake_ctx, tmp_path, 3)
    got = svc.get_job(fake_ctx, created.job.id)
    assert got.job == created.job
    assert {i.id for i in got.items} == {i.id for i in created.items}
    assert got.counts.pending == 3
    for bad in (uuid.uuid4(), str(uuid.uuid4()), "not-a-uuid", ""):
        with pytest.raises(NotFound) as info:
            svc.get_job(fake_ctx, bad)
        assert info.value.exit_code == 3


def test_rename_is_audited(fake_ctx: Context, tmp_path: Path) -> None:
    created = create(fake_ctx, tmp_path, 1, "old name")
    summary = svc.rename_job(fake_ctx, created.job.id, "  new\tname ")
    assert summary.job.name == "new name"
    assert svc.get_job(fake_ctx, created.job.id).job.name == "new name"
    events = svc.job_events(fake_ctx, created.job.id)
    assert [e.action for e in events] == [audit.JOB_CREATED, audit.JOB_RENAMED]
    assert events[1].details == {"old": "old name", "new": "new name"}
    with pytest.raises(OcrJobsError):
        svc.rename_job(fake_ctx, created.job.id, "   ")
    with pytest.raises(OcrJobsError):
        svc.rename_job(fake_ctx, created.job.id, "x" * 256)
    with pytest.raises(NotFound):
        svc.rename_job(fake_ctx, uuid.uuid4(), "ghost")
    assert len(svc.job_events(fake_ctx, created.job.id)) == 2


def test_rename_fails_whole_when_audit_is_down(fake_ctx: Context, tmp_path: Path) -> None:
    created = create(fake_ctx, tmp_path, 1, "before")
    _, _, audit_log = fakes(fake_ctx)
    audit_log.broken = BackendUnavailable("dynamodb", "http://127.0.0.1:1", "refused")
    with pytest.raises(BackendUnavailable):
        svc.rename_job(fake_ctx, created.job.id, "after")
    audit_log.broken = None
    assert svc.get_job(fake_ctx, created.job.id).job.name == "before"


# -- delete ----------------------------------------------------------------------------------------


def test_delete_removes_rows_objects_and_audit_events(fake_ctx: Context, tmp_path: Path) -> None:
    store, _, audit_log = fakes(fake_ctx)
    doomed = create(fake_ctx, tmp_path, 3, "doomed")
    kept = create(fake_ctx, tmp_path, 2, "kept")
    svc.rename_job(fake_ctx, doomed.job.id, "doomed!")
    report = svc.delete_job(fake_ctx, str(doomed.job.id))
    assert (report.items, report.objects, report.audit_events, report.existed) == (3, 3, 2, True)
    with pytest.raises(NotFound):
        svc.get_job(fake_ctx, doomed.job.id)
    assert row_counts(fake_ctx) == (1, 2)
    assert not [k for k in store.objects if str(doomed.job.id) in k]
    assert len(store.objects) == 2
    assert svc.job_events(fake_ctx, doomed.job.id) == []
    assert len(svc.job_events(fake_ctx, kept.job.id)) == 1
    # the deletion itself is recorded outside the deleted job's partition
    deletions = [e for k, rows in audit_log.rows.items() if k.startswith("deleted#") for e in rows]
    assert len(deletions) == 1

    again = svc.delete_job(fake_ctx, doomed.job.id)
    assert (again.items, again.objects, again.audit_events, again.existed) == (0, 0, 0, False)
    assert row_counts(fake_ctx) == (1, 2)


def test_delete_unknown_job_is_harmless(fake_ctx: Context, tmp_path: Path) -> None:
    create(fake_ctx, tmp_path, 1)
    report = svc.delete_job(fake_ctx, uuid.uuid4())
    assert not report.existed
    assert row_counts(fake_ctx) == (1, 1)
    with pytest.raises(NotFound):
        svc.delete_job(fake_ctx, "garbage")


def test_delete_while_an_item_is_claimed(fake_ctx: Context, tmp_path: Path) -> None:
    created = create(fake_ctx, tmp_path, 2)
    messages = take_messages(fake_ctx)
    (msg_a, _), (msg_b, _) = messages.values()
    claim_a = processing.claim(fake_ctx, msg_a, message_id="m-a")
    claim_b = processing.claim(fake_ctx, msg_b, message_id="m-b")
    assert isinstance(claim_a, processing.Claim)
    assert isinstance(claim_b, processing.Claim)
    assert processing.fetch_image(fake_ctx, claim_a)

    svc.delete_job(fake_ctx, created.job.id)

    assert processing.complete(fake_ctx, claim_a, "text after delete") is False
    assert processing.fail(fake_ctx, claim_b, "OCR_FAILED", "late failure") is False
    assert processing.release(fake_ctx, claim_a) is False
    again = processing.claim(fake_ctx, msg_a)
    assert isinstance(again, processing.Skip)
    assert row_counts(fake_ctx) == (0, 0)
    assert svc.job_events(fake_ctx, created.job.id) == []
    store, _, _ = fakes(fake_ctx)
    assert store.objects == {}


# -- processing (the worker's side, as far as the services go) ----------------------------------


def test_items_finish_and_the_job_follows(fake_ctx: Context, tmp_path: Path) -> None:
    created = create(fake_ctx, tmp_path, 2)
    (msg_a, _), (msg_b, _) = take_messages(fake_ctx).values()
    a = processing.claim(fake_ctx, msg_a)
    assert isinstance(a, processing.Claim)
    assert svc.get_job(fake_ctx, created.job.id).job.status is JobStatus.PROCESSING
    assert processing.complete(fake_ctx, a, "hello", confidence=90.0)
    assert processing.complete(fake_ctx, a, "twice") is False  # result already recorded
    b = processing.claim(fake_ctx, msg_b)
    assert isinstance(b, processing.Claim)
    assert processing.fail(fake_ctx, b, "OCR_FAILED", "unreadable")
    detail = svc.get_job(fake_ctx, created.job.id)
    assert detail.job.status is JobStatus.ERROR
    assert detail.job.finished_at is not None
    items = {i.id: i for i in detail.items}
    assert items[msg_a.item_id].ocr_text == "hello"  # DONE items keep their text
    assert items[msg_b.item_id].error_code == "OCR_FAILED"
    # a redelivered message for a finished item is skipped
    assert isinstance(processing.claim(fake_ctx, msg_a), processing.Skip)
    actions = [e.action for e in svc.job_events(fake_ctx, created.job.id)]
    assert actions.count(audit.ITEM_STARTED) == 2
    assert audit.ITEM_DONE in actions
    assert audit.ITEM_FAILED in actions


# -- expiry and retry -----------------------------------------------------------------------------


def test_expire_jobs(fake_ctx: Context, tmp_path: Path, clock: Clock) -> None:
    old = create(fake_ctx, tmp_path, 3, "old")
    (msg, _), *_ = take_messages(fake_ctx).values()
    done = processing.claim(fake_ctx, msg)
    assert isinstance(done, processing.Claim)
    assert processing.complete(fake_ctx, done, "read in time")
    clock.now += timedelta(days=1)
    young = create(fake_ctx, tmp_path, 1, "young")

    before_deadline = old.job.sqs_retention_deadline - timedelta(seconds=1)
    assert expire_jobs(fake_ctx, before_deadline) == []

    after = old.job.sqs_retention_deadline + timedelta(seconds=1)
    assert expire_jobs(fake_ctx, after) == [old.job.id]
    assert expire_jobs(fake_ctx, after + timedelta(minutes=1)) == []

    detail = svc.get_job(fake_ctx, old.job.id)
    assert detail.job.status is JobStatus.EXPIRED
    assert detail.counts.expired == 2
    assert detail.counts.done == 1
    for item in detail.items:
        if item.id == msg.item_id:
            assert item.ocr_text == "read in time"
        else:
            assert item.status is ItemStatus.ERROR
            assert item.error_code == EXPIRED_CODE
            assert item.error_msg
            assert item.expired
    assert svc.get_job(fake_ctx, young.job.id).job.status is JobStatus.PENDING
    expired_events = [
        e for e in svc.job_events(fake_ctx, old.job.id) if e.action == audit.JOB_EXPIRED
    ]
    assert len(expired_events) == 1
    assert expired_events[0].details["items"] == 2
    assert svc.list_jobs(fake_ctx, status=JobStatus.EXPIRED).total == 1


def test_expiry_leaves_processing_items_to_their_worker(fake_ctx: Context, tmp_path: Path) -> None:
    created = create(fake_ctx, tmp_path, 1)
    [(msg, _)] = take_messages(fake_ctx).values()
    c = processing.claim(fake_ctx, msg)
    assert isinstance(c, processing.Claim)
    assert expire_jobs(fake_ctx, created.job.sqs_retention_deadline + timedelta(hours=1)) == []
    assert processing.complete(fake_ctx, c, "finished late")
    assert svc.get_job(fake_ctx, created.job.id).job.status is JobStatus.DONE


def test_retry_expired_and_failed_items(fake_ctx: Context, tmp_path: Path, clock: Clock) -> None:
    created = create(fake_ctx, tmp_path, 3)
    msgs = list(take_messages(fake_ctx).values())
    (ok_msg, _), (bad_msg, _), _ = msgs
    ok = processing.claim(fake_ctx, ok_msg)
    bad = processing.claim(fake_ctx, bad_msg)
    assert isinstance(ok, processing.Claim)
    assert isinstance(bad, processing.Claim)
    processing.complete(fake_ctx, ok, "fine")
    processing.fail(fake_ctx, bad, "OCR_FAILED", "broken")
    clock.now = created.job.sqs_retention_deadline + timedelta(hours=1)
    expire_jobs(fake_ctx)
    assert svc.get_job(fake_ctx, created.job.id).job.status is JobStatus.EXPIRED
    _, queue, _ = fakes(fake_ctx)
    assert queue.bodies == []

    clock.now += timedelta(hours=1)
    assert retry_items(fake_ctx, created.job.id, failed=False, expired=True) == 1
    detail = svc.get_job(fake_ctx, created.job.id)
    assert detail.job.sqs_retention_deadline == clock.now + timedelta(days=2)
    assert detail.job.status is JobStatus.PROCESSING  # one DONE, one pending, one failed
    resent = [decode(b) for b in queue.bodies]
    assert len(resent) == 1
    expired_item = resent[0].item_id
    assert expired_item not in {ok_msg.item_id, bad_msg.item_id}

    assert retry_items(fake_ctx, created.job.id) == 1  # the failed one; expired already pending
    assert {decode(b).item_id for b in queue.bodies} == {expired_item, bad_msg.item_id}
    detail = svc.get_job(fake_ctx, created.job.id)
    items = {i.id: i for i in detail.items}
    assert items[ok_msg.item_id].status is ItemStatus.DONE
    assert items[ok_msg.item_id].ocr_text == "fine"
    for item_id in (expired_item, bad_msg.item_id):
        item = items[item_id]
        assert item.status is ItemStatus.PENDING
        assert (item.error_code, item.error_msg) == (None, None)
        assert item.enqueued_at is not None
    actions = [e.action for e in svc.job_events(fake_ctx, created.job.id)]
    assert actions.count(audit.ITEMS_RETRIED) == 2
    assert retry_items(fake_ctx, created.job.id) == 0

    # The retried items can now be processed to the end.
    for msg, _ in take_messages(fake_ctx).values():
        c = processing.claim(fake_ctx, msg)
        assert isinstance(c, processing.Claim)
        assert processing.complete(fake_ctx, c, "second try")
    assert svc.get_job(fake_ctx, created.job.id).job.status is JobStatus.DONE


def test_retry_unknown_job(fake_ctx: Context) -> None:
    with pytest.raises(NotFound):
        retry_items(fake_ctx, uuid.uuid4())


def test_dead_letters_mark_items_error(fake_ctx: Context, tmp_path: Path) -> None:
    created = create(fake_ctx, tmp_path, 1)
    [(msg, _)] = take_messages(fake_ctx).values()
    _, queue, _ = fakes(fake_ctx)
    assert queue.dlq is not None
    assert queue.dlq.send([svc_message(msg)]) == []
    assert sweep_dead_letters(fake_ctx) == 1
    detail = svc.get_job(fake_ctx, created.job.id)
    assert detail.items[0].status is ItemStatus.ERROR
    assert detail.items[0].error_code == "DEAD_LETTER"
    assert detail.job.status is JobStatus.ERROR
    assert queue.dlq.bodies == []


def svc_message(msg: Any) -> Any:
    from ocrjobs.adapters.messages import encode
    from ocrjobs.adapters.ports import OutgoingMessage

    return OutgoingMessage("1", encode(msg))


# -- the outbox: SQS failures after the commit --------------------------------------------------


def test_sqs_down_during_create_then_requeue_sends_once(fake_ctx: Context, tmp_path: Path) -> None:
    _, queue, _ = fakes(fake_ctx)
    queue.broken = BackendUnavailable("sqs", "http://127.0.0.1:1", "connection refused")
    result = svc.create_job(fake_ctx, "queued later", valid_files(tmp_path, 12))
    assert result.job is not None
    assert result.unsent == 12
    detail = svc.get_job(fake_ctx, result.job.job.id)
    assert detail.job.status is JobStatus.PENDING
    assert all(i.enqueued_at is None for i in detail.items)
    assert queue.messages == {}

    # Still down: nothing is sent, nothing is lost.
    assert requeue_unsent(fake_ctx) == 0
    queue.broken = None
    assert requeue_unsent(fake_ctx, timedelta(0)) == 12
    assert requeue_unsent(fake_ctx, timedelta(0)) == 0
    ids = [decode(b).item_id for b in queue.bodies]
    assert sorted(ids) == sorted(i.id for i in detail.items)  # each exactly once
    assert all(i.enqueued_at is not None for i in svc.get_job(fake_ctx, detail.job.id).items)
    actions = [e.action for e in svc.job_events(fake_ctx, detail.job.id)]
    assert audit.ITEMS_REQUEUED in actions


def test_requeue_respects_the_grace_period(fake_ctx: Context, tmp_path: Path) -> None:
    _, queue, _ = fakes(fake_ctx)
    queue.broken = BackendUnavailable("sqs", "http://127.0.0.1:1", "refused")
    result = svc.create_job(fake_ctx, "fresh", valid_files(tmp_path, 1))
    assert result.unsent == 1
    queue.broken = None
    # A submission may still be about to send it: not yet.
    assert requeue_unsent(fake_ctx, timedelta(hours=1)) == 0
    assert requeue_unsent(fake_ctx, timedelta(0)) == 1


def test_one_rejected_message_is_resent_later(fake_ctx: Context, tmp_path: Path) -> None:
    _, queue, _ = fakes(fake_ctx)
    original = queue.send
    rejected: list[str] = []

    def send_rejecting_first(messages: Any) -> list[str]:
        if not rejected:
            rejected.append(messages[0].id)
            queue.reject_ids.add(messages[0].id)
        return original(messages)

    queue.send = send_rejecting_first  # type: ignore[method-assign]
    result = svc.create_job(fake_ctx, "partial", valid_files(tmp_path, 3))
    assert result.unsent == 1
    queue.reject_ids.clear()
    assert requeue_unsent(fake_ctx, timedelta(0)) == 1
    assert sorted(decode(b).item_id for b in queue.bodies) == sorted(
        i.id
        for i in result.job.items  # type: ignore[union-attr]
    )


def test_sqs_refusing_for_good_during_create_keeps_the_job(
    fake_ctx: Context, tmp_path: Path
) -> None:
    _, queue, _ = fakes(fake_ctx)
    queue.broken = AwsError("sqs", "SendMessageBatch", "AccessDenied", "no", transient=False)
    result = svc.create_job(fake_ctx, "denied", valid_files(tmp_path, 2))
    assert result.job is not None
    assert result.unsent == 2
    assert row_counts(fake_ctx) == (1, 2)


# -- S3, DynamoDB and the database failing during create ------------------------------------------


def test_s3_down_mid_upload_leaves_nothing(fake_ctx: Context, tmp_path: Path) -> None:
    store, _, _ = fakes(fake_ctx)
    original = store.put
    calls = 0
    lock = threading.Lock()

    def flaky_put(key: str, data: bytes, content_type: str, sha256_hex: str) -> None:
        nonlocal calls
        with lock:
            calls += 1
            n = calls
        if n > 3:
            raise BackendUnavailable("s3", "http://127.0.0.1:1", "connection reset")
        original(key, data, content_type, sha256_hex)

    store.put = flaky_put  # type: ignore[method-assign]
    with pytest.raises(BackendUnavailable) as info:
        svc.create_job(fake_ctx, "half", valid_files(tmp_path, 10))
    assert info.value.service.lower() == "s3"
    assert "s3" in str(info.value).lower()
    assert calls > 3
    assert_nothing_left(fake_ctx)


def test_s3_refusing_an_upload_leaves_nothing(fake_ctx: Context, tmp_path: Path) -> None:
    store, _, _ = fakes(fake_ctx)
    store.fail_next = AwsError("s3", "PutObject", "AccessDenied", "denied", transient=False)
    with pytest.raises(AwsError, match="AccessDenied"):
        svc.create_job(fake_ctx, "denied", valid_files(tmp_path, 4))
    assert_nothing_left(fake_ctx)


def test_dynamodb_down_at_create_leaves_nothing(fake_ctx: Context, tmp_path: Path) -> None:
    _, _, audit_log = fakes(fake_ctx)
    audit_log.broken = BackendUnavailable("dynamodb", "http://127.0.0.1:1", "refused")
    with pytest.raises(BackendUnavailable) as info:
        svc.create_job(fake_ctx, "unaudited", valid_files(tmp_path, 3))
    assert info.value.service == "dynamodb"
    audit_log.broken = None
    assert_nothing_left(fake_ctx)


def test_cancelled_submission_leaves_nothing(fake_ctx: Context, tmp_path: Path) -> None:
    cancel = threading.Event()

    def stop_after_first(p: Progress) -> None:
        if p.stage == "uploading":
            cancel.set()

    with pytest.raises(OcrJobsError, match="cancelled"):
        svc.create_job(
            fake_ctx, "cancel", valid_files(tmp_path, 6), progress=stop_after_first, cancel=cancel
        )
    assert_nothing_left(fake_ctx)


def _ctx_on(engine: Engine, tmp_path: Path) -> Context:
    """Fake AWS on a database that cannot be reached (no working ``db_url`` needed)."""

    def uow(*, write: bool = False) -> UnitOfWork:
        return UnitOfWork(engine, write=write)

    dlq = FakeQueue("dlq")
    return Context(
        settings=Settings(data_dir=str(tmp_path / "data"), actor="tester@test"),
        uow=uow,
        store=FakeObjectStore("bucket"),
        queue=FakeQueue("queue", max_receive_count=5, dlq=dlq),
        dlq=dlq,
        audit=FakeAuditLog(),
        close_hooks=[engine.dispose],
    )


def _unreachable_sqlite(tmp_path: Path) -> Engine:
    folder = tmp_path / "gone"
    engine = make_engine(f"sqlite:///{folder / 'db.sqlite3'}")
    folder.rmdir()  # the database's directory vanished (an unmounted share, say)
    return engine


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda tmp: make_engine("mysql+pymysql://root:pw@127.0.0.1:1/x"), id="mysql"),
        pytest.param(_unreachable_sqlite, id="sqlite-gone"),
        pytest.param(
            lambda tmp: make_engine("sqlite:////proc/ocrjobs-no-such-dir/db.sqlite3"),
            id="sqlite-unwritable",
        ),
    ],
)
def test_database_unreachable_at_create_leaves_nothing_uploaded(tmp_path: Path, make: Any) -> None:
    ctx = _ctx_on(make(tmp_path), tmp_path)
    try:
        with pytest.raises(BackendUnavailable) as info:
            svc.create_job(ctx, "no db", valid_files(tmp_path, 3))
        assert info.value.service == "database"
        assert "pw" not in str(info.value)
        store, queue, audit_log = fakes(ctx)
        assert store.objects == {}
        assert queue.bodies == []
        assert audit_log.rows == {}
        with pytest.raises(BackendUnavailable):
            svc.list_jobs(ctx)
    finally:
        ctx.close()


def test_unrelated_failure_inside_a_unit_of_work_is_not_hidden(fake_ctx: Context) -> None:
    with pytest.raises(ZeroDivisionError), fake_ctx.uow() as _:
        _ = 1 / 0


# -- changes since (the GUI's polling) -------------------------------------------------------------


def test_changes_since(fake_ctx: Context, tmp_path: Path) -> None:
    first = svc.changes_since(fake_ctx, None)
    assert first.jobs == ()
    created = create(fake_ctx, tmp_path, 2)
    changes = svc.changes_since(fake_ctx, first.watermark, created.job.id)
    assert [s.job.id for s in changes.jobs] == [created.job.id]
    assert changes.jobs[0].counts.pending == 2
    assert {i.id for i in changes.items} == {i.id for i in created.items}
    assert changes.watermark.tzinfo is UTC


# -- failures after the audit write / during delete ----------------------------------------------


def failing_job_commit(
    ctx: Context, engine: Engine, *, applied: bool = False, then_down: bool = False
) -> Context:
    """``ctx`` whose commit of the job (the second write: the first claims the job id)
    raises as if the connection dropped at that moment, after the commit went through
    (``applied``) or before; ``then_down``: the database stays unreachable after it."""
    commits = 0

    class FailingCommit(UnitOfWork):
        def __enter__(self) -> UnitOfWork:
            if then_down and commits >= 2:
                raise BackendUnavailable("database", "test", "connection lost")
            return super().__enter__()

        def commit(self) -> None:
            nonlocal commits
            commits += 1
            if commits == 2:
                if applied:
                    super().commit()
                raise BackendUnavailable("database", "test", "connection lost at commit")
            super().commit()

    def uow(*, write: bool = False) -> UnitOfWork:
        return FailingCommit(engine, write=write)

    return replace(ctx, uow=uow)


def test_commit_failure_at_create_leaves_no_audit_event(
    fake_ctx: Context, engine: Engine, tmp_path: Path
) -> None:
    ctx = failing_job_commit(fake_ctx, engine)
    with pytest.raises(BackendUnavailable):
        svc.create_job(ctx, "never committed", valid_files(tmp_path, 2))
    # Neither the objects nor a JOB_CREATED event for a job that does not exist, nor
    # the upload claim.
    assert_nothing_left(fake_ctx)
    assert sweep_orphan_objects(fake_ctx, timedelta(0)) == OrphanSweep((), 0, 0, 0, False)


def test_a_commit_whose_reply_was_lost_still_creates_the_job(
    fake_ctx: Context, engine: Engine, tmp_path: Path
) -> None:
    store, queue, _ = fakes(fake_ctx)
    ctx = failing_job_commit(fake_ctx, engine, applied=True)
    result = svc.create_job(ctx, "committed after all", valid_files(tmp_path, 2))
    assert result.job is not None
    assert len(store.objects) == 2  # its images kept, not "undone"
    assert len(queue.bodies) == 2
    actions = [e.action for e in svc.job_events(fake_ctx, result.job.job.id)]
    assert actions[:1] == [audit.JOB_CREATED]


@pytest.mark.parametrize("applied", [False, True])
def test_an_unknown_commit_outcome_leaves_the_images_to_the_sweep(
    fake_ctx: Context, engine: Engine, tmp_path: Path, applied: bool
) -> None:
    """The connection drops at the commit and the database stays away: whether the job
    exists is unknown, so nothing is undone; the sweep later keeps the images of a
    committed job and removes those of one that was not."""
    store, _, _ = fakes(fake_ctx)
    ctx = failing_job_commit(fake_ctx, engine, applied=applied, then_down=True)
    with pytest.raises(BackendUnavailable):
        svc.create_job(ctx, "unknown", valid_files(tmp_path, 2))
    assert len(store.objects) == 2
    swept = sweep_orphan_objects(fake_ctx, timedelta(0))  # the database is back
    assert len(swept.jobs) == (0 if applied else 1)
    assert len(store.objects) == (2 if applied else 0)
    assert row_counts(fake_ctx) == ((1, 2) if applied else (0, 0))


def test_a_stalled_submission_whose_claim_is_alive_keeps_its_images(
    fake_ctx: Context, tmp_path: Path
) -> None:
    """Images two hours old, but their submission still touches its claim (a slow link,
    a long lock wait before its commit): the sweep leaves them."""
    store, _, _ = fakes(fake_ctx)
    job_id = uuid.uuid4()
    store.clock = lambda: datetime.now(UTC) - timedelta(hours=2)
    store.put(f"jobs/{job_id}/{uuid.uuid4()}.png", b"x", "image/png", sha(b"x"))
    with UploadClaim(fake_ctx, job_id):
        swept = sweep_orphan_objects(fake_ctx, timedelta(minutes=5))
        assert (swept.jobs, swept.recent) == ((), 0)
        assert len(store.objects) == 1
    assert sweep_orphan_objects(fake_ctx, timedelta(minutes=5)).jobs == ()  # claim stays


def test_a_sweep_before_a_late_commit_makes_the_commit_fail_cleanly(
    fake_ctx: Context, tmp_path: Path
) -> None:
    """The submission stalled past the grace (its claim untouched) and the sweep took
    its images; when it resumes, its commit must fail, not create a job without images."""
    swept: list[OrphanSweep] = []

    def progress(p: Progress) -> None:
        if p.stage == "saving" and not swept:
            swept.append(sweep_orphan_objects(fake_ctx, timedelta(0)))

    with pytest.raises(UploadAbandoned, match="orphan sweep removed its images"):
        svc.create_job(fake_ctx, "too late", valid_files(tmp_path, 2), progress=progress)
    assert len(swept[0].jobs) == 1
    assert_nothing_left(fake_ctx)


def lost_after_job_commit(ctx: Context, engine: Engine) -> Context:
    """``ctx`` whose database goes away right after ``create_job`` commits the job (its
    second commit: the first claims the job id for the upload)."""
    commits = 0

    class LostAfterFirstCommit(UnitOfWork):
        def __enter__(self) -> UnitOfWork:
            if commits >= 2:
                raise BackendUnavailable("database", "test", "connection lost")
            return super().__enter__()

        def commit(self) -> None:
            nonlocal commits
            super().commit()
            commits += 1

    def uow(*, write: bool = False) -> UnitOfWork:
        return LostAfterFirstCommit(engine, write=write)

    return replace(ctx, uow=uow)


def test_database_lost_right_after_the_commit_still_reports_the_job(
    fake_ctx: Context, engine: Engine, tmp_path: Path
) -> None:
    """The job is committed and its messages sent, then the database goes away: the
    stamp and the read-back fail, but the submission is not reported as failed (which
    would invite the operator to submit the same files again)."""
    _, queue, _ = fakes(fake_ctx)
    ctx = lost_after_job_commit(fake_ctx, engine)
    result = svc.create_job(ctx, "committed", valid_files(tmp_path, 3))
    assert result.job is not None
    assert result.unsent == 0  # sent, only not stamped
    assert result.job.counts.pending == 3
    assert len(queue.bodies) == 3
    # Back up: the rows are there, unstamped, so requeue sends them again (harmless: the
    # worker's claim is conditional), and then never again.
    stored = svc.get_job(fake_ctx, result.job.job.id)
    assert {i.id for i in stored.items} == {i.id for i in result.job.items}
    assert all(i.enqueued_at is None for i in stored.items)
    assert requeue_unsent(fake_ctx, timedelta(0)) == 3
    assert requeue_unsent(fake_ctx, timedelta(0)) == 0


def test_submit_wait_names_the_created_job_when_the_database_goes_away(
    fake_ctx: Context,
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``ocrjobs submit --wait``: the job is created, then the database goes away while
    waiting. The error must say the job exists (and which), or the operator submits the
    same files again."""
    from ocrjobs import cli

    ctx = lost_after_job_commit(fake_ctx, engine)
    monkeypatch.setattr(cli, "_context", lambda _args: ctx)
    files = [str(f) for f in valid_files(tmp_path, 2)]
    assert cli.main(["submit", "--wait", "--timeout", "5", *files]) == BackendUnavailable.exit_code
    (created,) = svc.list_jobs(fake_ctx).jobs
    err = capsys.readouterr().err
    assert f"job {created.id} was created" in err
    assert "connection lost" in err


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_orphan_sweep_removes_only_old_folders_with_no_job(
    fake_ctx: Context, tmp_path: Path
) -> None:
    """A submission killed between its uploads and its commit leaves images (and maybe
    its JOB_CREATED event) with no job row: the sweep removes them once they are old,
    and touches neither real jobs, nor a submission still uploading, nor other folders."""
    store, _, audit_log = fakes(fake_ctx)
    kept = create(fake_ctx, tmp_path, 2, "kept")
    old = datetime.now(UTC) - timedelta(hours=2)
    store.clock = lambda: old
    killed, uploading = uuid.uuid4(), uuid.uuid4()
    for job_id in (killed, uploading):
        for _ in range(3):
            store.put(
                f"jobs/{job_id}/{uuid.uuid4()}.png", b"png" * 10, "image/png", sha(b"png" * 10)
            )
    store.put(f"jobs/{killed}/{uuid.uuid4()}.png", b"x", "image/png", sha(b"x"))
    store.put("jobs/not-a-job/readme.txt", b"x", "text/plain", sha(b"x"))
    audit.record(fake_ctx, killed, audit.JOB_CREATED, name="never committed", items=4)
    assert len(audit_log.list_events(str(killed))) == 1
    store.clock = lambda: datetime.now(UTC)
    store.put(f"jobs/{uploading}/{uuid.uuid4()}.png", b"y", "image/png", sha(b"y"))  # still busy

    dry = sweep_orphan_objects(fake_ctx, dry_run=True)
    assert (dry.jobs, dry.objects, dry.bytes, dry.recent) == ((killed,), 4, 91, 1)
    assert len(store.list_keys(f"jobs/{killed}/")) == 4  # a dry run deletes nothing

    swept = sweep_orphan_objects(fake_ctx)
    assert (swept.jobs, swept.objects, swept.recent, swept.dry_run) == ((killed,), 4, 1, False)
    assert store.list_keys(f"jobs/{killed}/") == []
    assert audit_log.list_events(str(killed)) == []
    assert len(store.list_keys(f"jobs/{uploading}/")) == 4
    assert store.list_keys("jobs/not-a-job/") == ["jobs/not-a-job/readme.txt"]
    assert {i.s3_key for i in svc.get_job(fake_ctx, kept.job.id).items} <= set(
        store.list_keys(f"jobs/{kept.job.id}/")
    )
    assert len(store.list_keys(f"jobs/{kept.job.id}/")) == 2
    # Once the busy one is old too (its submission died as well), it goes.
    assert sweep_orphan_objects(fake_ctx, timedelta(0)).jobs == (uploading,)
    assert sweep_orphan_objects(fake_ctx, timedelta(0)).jobs == ()


def test_orphan_sweep_refuses_a_negative_grace(fake_ctx: Context) -> None:
    """A negative grace (``orphan_grace_seconds = -1`` in a config file) would put the
    cutoff in the future and delete the images of a submission still uploading."""
    store, _, _ = fakes(fake_ctx)
    uploading = f"jobs/{uuid.uuid4()}/{uuid.uuid4()}.png"
    store.put(uploading, b"x", "image/png", sha(b"x"))
    for ctx, grace in (
        (fake_ctx, timedelta(seconds=-1)),
        (replace(fake_ctx, settings=replace(fake_ctx.settings, orphan_grace_seconds=-1)), None),
    ):
        with pytest.raises(OcrJobsError, match="grace"):
            sweep_orphan_objects(ctx, grace)
    assert store.list_keys("jobs/") == [uploading]


def test_delete_with_s3_down_can_be_finished_later(fake_ctx: Context, tmp_path: Path) -> None:
    store, _, _ = fakes(fake_ctx)
    created = create(fake_ctx, tmp_path, 2)
    store.broken = BackendUnavailable("s3", "http://127.0.0.1:1", "refused")
    with pytest.raises(BackendUnavailable):
        svc.delete_job(fake_ctx, created.job.id)
    store.broken = None
    report = svc.delete_job(fake_ctx, created.job.id)
    assert report.existed
    assert report.objects == 2
    # Messages already queued stay: a worker finds no row and drops them.
    assert_nothing_left(fake_ctx, messages=False)


def test_delete_with_dynamodb_down_can_be_finished_later(fake_ctx: Context, tmp_path: Path) -> None:
    _, _, audit_log = fakes(fake_ctx)
    created = create(fake_ctx, tmp_path, 2)
    audit_log.broken = BackendUnavailable("dynamodb", "http://127.0.0.1:1", "refused")
    with pytest.raises(BackendUnavailable):
        svc.delete_job(fake_ctx, created.job.id)
    audit_log.broken = None
    report = svc.delete_job(fake_ctx, created.job.id)
    assert report.existed
    assert report.audit_events == 1
    assert_nothing_left(fake_ctx, messages=False)


# -- names and filters from outside ---------------------------------------------------------------


@pytest.mark.parametrize("n_files", [1, 12])
def test_a_long_file_name_still_gives_a_default_job_name(fake_ctx: Context, n_files: int) -> None:
    files = [NamedBytes("n" * 254 + ".png", png(shade=100 + i)) for i in range(n_files)]
    result = svc.create_job(fake_ctx, None, files)
    assert result.job is not None
    name = result.job.job.name
    assert 0 < len(name) <= svc.MAX_NAME
    assert name.startswith("nnnn")
    if n_files > 1:
        assert name.endswith(f"(+{n_files - 1})")


def test_a_blank_file_name_still_gives_a_default_job_name(fake_ctx: Context) -> None:
    result = svc.create_job(fake_ctx, None, [NamedBytes("   .png", png())])
    assert result.job is not None
    assert result.job.job.name


def test_list_jobs_with_an_unknown_status_is_a_clear_error(fake_ctx: Context) -> None:
    with pytest.raises(OcrJobsError, match="BOGUS"):
        svc.list_jobs(fake_ctx, status="BOGUS")


def test_longest_names_in_four_byte_characters_round_trip(fake_ctx: Context) -> None:
    long_name = "📄" * 600 + ".png"
    result = svc.create_job(fake_ctx, "名" * svc.MAX_NAME, [NamedBytes(long_name, png())])
    assert result.job is not None
    detail = svc.get_job(fake_ctx, result.job.job.id)
    assert detail.job.name == "名" * svc.MAX_NAME
    assert detail.items[0].original_name == long_name[:512]
    renamed = svc.rename_job(fake_ctx, detail.job.id, "𝔘" * svc.MAX_NAME)
    assert renamed.job.name == "𝔘" * svc.MAX_NAME
    assert svc.list_jobs(fake_ctx, search="𝔘𝔘").total == 1


def test_retry_with_sqs_down_is_resent_by_requeue(
    fake_ctx: Context, tmp_path: Path, clock: Clock
) -> None:
    created = create(fake_ctx, tmp_path, 2)
    take_messages(fake_ctx)
    clock.now = created.job.sqs_retention_deadline + timedelta(minutes=1)
    assert expire_jobs(fake_ctx) == [created.job.id]
    _, queue, _ = fakes(fake_ctx)
    queue.broken = BackendUnavailable("sqs", "http://127.0.0.1:1", "refused")
    assert retry_items(fake_ctx, created.job.id) == 2
    detail = svc.get_job(fake_ctx, created.job.id)
    assert {i.status for i in detail.items} == {ItemStatus.PENDING}
    assert all(i.enqueued_at is None for i in detail.items)
    queue.broken = None
    clock.now += timedelta(seconds=1)
    assert requeue_unsent(fake_ctx, timedelta(0)) == 2
    assert sorted(decode(b).item_id for b in queue.bodies) == sorted(i.id for i in detail.items)


def test_an_undecodable_dead_letter_is_kept_and_not_reread(fake_ctx: Context) -> None:
    from ocrjobs.adapters.ports import OutgoingMessage

    _, queue, _ = fakes(fake_ctx)
    assert queue.dlq is not None
    queue.dlq.send([OutgoingMessage("1", "not json at all")])
    assert sweep_dead_letters(fake_ctx) == 0
    assert queue.dlq.bodies == ["not json at all"]  # kept for an administrator
    assert sweep_dead_letters(fake_ctx) == 0  # hidden now, not re-read in a loop
