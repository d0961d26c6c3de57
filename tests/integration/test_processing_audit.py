"""Worker audit events never outlive a job deleted while its items were processing."""

from __future__ import annotations

import io
import time
from dataclasses import replace
from uuid import UUID

from PIL import Image

from ocrjobs.adapters.fakes import FakeAuditLog
from ocrjobs.adapters.messages import decode
from ocrjobs.domain.errors import AwsError
from ocrjobs.domain.model import NamedBytes
from ocrjobs.services import audit, jobs, processing
from ocrjobs.services.audit_writer import AuditWriter
from ocrjobs.services.context import Context


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (64, 32), 255).save(buf, "PNG")
    return buf.getvalue()


def test_result_audited_after_the_job_was_deleted_leaves_no_event(fake_ctx: Context) -> None:
    result = jobs.create_job(fake_ctx, "racy", [NamedBytes("a.png", _png())])
    assert result.job is not None
    job_id = result.job.job.id
    [msg] = fake_ctx.queue.receive(10, 0)
    claim = processing.claim(fake_ctx, decode(msg.body))
    assert isinstance(claim, processing.Claim)
    assert [e.action for e in jobs.job_events(fake_ctx, job_id)] == [
        audit.JOB_CREATED,
        audit.ITEM_STARTED,
    ]
    jobs.delete_job(fake_ctx, job_id)
    # The worker's late write (its commit came before the delete's) is taken back.
    processing._record_live(fake_ctx, job_id, audit.ITEM_DONE, item_id=str(claim.item_id))
    assert fake_ctx.audit.list_events(str(job_id)) == []
    # And the result itself is refused: the row is gone.
    assert not processing.complete(fake_ctx, claim, "late text")
    assert fake_ctx.audit.list_events(str(job_id)) == []


def test_live_job_keeps_its_worker_events(fake_ctx: Context) -> None:
    result = jobs.create_job(fake_ctx, "kept", [NamedBytes("a.png", _png())])
    assert result.job is not None
    [msg] = fake_ctx.queue.receive(10, 0)
    claim = processing.claim(fake_ctx, decode(msg.body))
    assert isinstance(claim, processing.Claim)
    assert processing.complete(fake_ctx, claim, "text")
    actions = [e.action for e in jobs.job_events(fake_ctx, result.job.job.id)]
    assert actions == [audit.JOB_CREATED, audit.ITEM_STARTED, audit.ITEM_DONE]


# --- the worker's batched writer ---------------------------------------------------------


THROTTLED = AwsError("dynamodb", "BatchWriteItem", "Throttling", "slow down", transient=True)


def _live_job(ctx: Context) -> UUID:
    result = jobs.create_job(ctx, "batched", [NamedBytes("a.png", _png())])
    assert result.job is not None
    return result.job.job.id


def test_writer_batches_25_per_request_in_order(fake_ctx: Context) -> None:
    job_id = _live_job(fake_ctx)
    writer = AuditWriter(fake_ctx, max_delay=30)
    assert isinstance(fake_ctx.audit, FakeAuditLog)
    fake_ctx.audit.calls.clear()

    sent = [writer.record(job_id, audit.ITEM_DONE, n=n) for n in range(60)]
    assert writer.flush(10)

    assert fake_ctx.audit.calls == ["BatchWriteItem"] * 3
    assert [e.event_id for e in fake_ctx.audit.list_events(str(job_id))][1:] == [
        e.event_id for e in sent
    ]
    assert (writer.written, writer.dropped, writer.pending) == (60, 0, 0)
    writer.close()


def test_writer_writes_within_max_delay_without_a_flush(fake_ctx: Context) -> None:
    job_id = _live_job(fake_ctx)
    writer = AuditWriter(fake_ctx, max_delay=0.05)
    writer.record(job_id, audit.ITEM_STARTED)
    deadline = time.monotonic() + 5
    while writer.written == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert writer.written == 1
    writer.close()


def test_writer_takes_back_the_events_of_deleted_jobs_only(fake_ctx: Context) -> None:
    live, doomed = _live_job(fake_ctx), _live_job(fake_ctx)
    jobs.delete_job(fake_ctx, doomed)
    writer = AuditWriter(fake_ctx, max_delay=30)
    writer.record(live, audit.ITEM_DONE)
    writer.record(doomed, audit.ITEM_DONE)
    writer.close()
    assert [e.action for e in fake_ctx.audit.list_events(str(live))] == [
        audit.JOB_CREATED,
        audit.ITEM_DONE,
    ]
    assert fake_ctx.audit.list_events(str(doomed)) == []


def test_writer_keeps_events_through_an_outage(fake_ctx: Context) -> None:
    job_id = _live_job(fake_ctx)
    assert isinstance(fake_ctx.audit, FakeAuditLog)
    fake_ctx.audit.broken = THROTTLED
    writer = AuditWriter(fake_ctx, max_delay=0.01)
    writer.record(job_id, audit.ITEM_STARTED)
    writer.record(job_id, audit.ITEM_DONE)
    assert not writer.flush(0.3)
    assert writer.pending == 2

    fake_ctx.audit.broken = None
    assert writer.flush(30)
    actions = [e.action for e in fake_ctx.audit.list_events(str(job_id))]
    assert actions == [audit.JOB_CREATED, audit.ITEM_STARTED, audit.ITEM_DONE]
    writer.close()


def test_writer_bounds_its_queue_and_writes_late_events_at_once(fake_ctx: Context) -> None:
    job_id = _live_job(fake_ctx)
    assert isinstance(fake_ctx.audit, FakeAuditLog)
    fake_ctx.audit.broken = THROTTLED
    writer = AuditWriter(fake_ctx, max_delay=30, max_pending=3)
    for n in range(5):
        writer.record(job_id, audit.ITEM_DONE, n=n)
    assert writer.dropped == 2
    fake_ctx.audit.broken = None
    writer.close()
    assert [e.details.get("n") for e in fake_ctx.audit.list_events(str(job_id))][1:] == [2, 3, 4]

    writer.record(job_id, audit.ITEM_FAILED)  # after close: written synchronously
    assert fake_ctx.audit.list_events(str(job_id))[-1].action == audit.ITEM_FAILED


def test_processing_goes_through_the_writer_when_one_is_set(fake_ctx: Context) -> None:
    writer = AuditWriter(fake_ctx, max_delay=30)
    ctx = replace(fake_ctx, live_events=writer)
    job_id = _live_job(ctx)
    [msg] = ctx.queue.receive(10, 0)
    claim = processing.claim(ctx, decode(msg.body))
    assert isinstance(claim, processing.Claim)
    assert processing.complete(ctx, claim, "text")
    assert [e.action for e in jobs.job_events(ctx, job_id)] == [audit.JOB_CREATED]
    writer.close()
    actions = [e.action for e in jobs.job_events(ctx, job_id)]
    assert actions == [audit.JOB_CREATED, audit.ITEM_STARTED, audit.ITEM_DONE]
