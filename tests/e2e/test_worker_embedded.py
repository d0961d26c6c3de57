"""The worker embedded in another process (the desktop's local mode, ``make run``)."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image, ImageDraw, ImageFont

from ocrjobs.bootstrap import build_context
from ocrjobs.config import Settings
from ocrjobs.domain.model import NamedBytes
from ocrjobs.domain.status import JobStatus
from ocrjobs.services import jobs
from worker.consumer import WorkerOptions
from worker.embedded import start_worker

pytestmark = [pytest.mark.e2e, pytest.mark.ocr, pytest.mark.slow]


def line(text: str) -> bytes:
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 42)
    img = Image.new("L", (900, 110), 255)
    ImageDraw.Draw(img).text((20, 25), text, font=font, fill=0)
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(300, 300))
    return buf.getvalue()


def test_embedded_worker_reads_submitted_images(local_stack: Settings) -> None:
    ctx = build_context(local_stack)
    handle = start_worker(
        local_stack,
        options=WorkerOptions(
            concurrency=1, wait_seconds=1, sweep_interval=0, heartbeat_interval=0
        ),
    )
    try:
        created = jobs.create_job(
            ctx,
            "embedded",
            [NamedBytes("a.png", line("Embedded one")), NamedBytes("b.png", line("Embedded two"))],
        )
        assert created.job is not None
        job_id = created.job.job.id
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            detail = jobs.get_job(ctx, job_id)
            if detail.job.status is JobStatus.DONE:
                break
            time.sleep(0.1)
        assert [i.ocr_text for i in detail.items] == ["Embedded one", "Embedded two"]
        assert handle.is_alive()
    finally:
        assert handle.stop(timeout=30)
        ctx.close()
    assert handle.error is None
    assert handle.stats.done == 2
