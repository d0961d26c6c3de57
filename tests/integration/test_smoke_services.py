"""A first end-to-end pass over the services on both databases with fake AWS adapters."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from ocrjobs.domain.status import JobStatus
from ocrjobs.services import jobs
from ocrjobs.services.context import Context


def test_create_list_get_delete(fake_ctx: Context, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    for i in range(3):
        Image.new("L", (64, 32), 255).save(drop / f"p{i}.png")
    (drop / "notes.txt").write_text("hello")
    result = jobs.create_job(fake_ctx, "smoke", sorted(drop.iterdir()))
    assert result.job is not None
    assert [r.code for r in result.rejected] == ["NOT_IMAGE"]
    assert len(result.job.items) == 3
    page = jobs.list_jobs(fake_ctx)
    assert page.total == 1
    assert page.jobs[0].counts.pending == 3
    assert page.jobs[0].job.status is JobStatus.PENDING
    report = jobs.delete_job(fake_ctx, result.job.job.id)
    assert report.items == 3
    assert report.objects == 3
    assert jobs.list_jobs(fake_ctx).total == 0
