"""Worker audit events never outlive a job deleted while its items were processing."""

from __future__ import annotations

import io

from PIL import Image

from ocrjobs.adapters.messages import decode
from ocrjobs.domain.model import NamedBytes
from ocrjobs.services import audit, jobs, processing
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
