"""UI stall in the desktop's local mode (``make run``): a drop uploaded, then OCRed.

The window starts its backend as ``python -m desktop --local`` does: the embedded local
stack (moto + a fresh SQLite file under the data directory) and the in-process worker.
Once it is ready, a 5 ms ``PreciseTimer`` on the UI thread records its lateness while

1. **upload** — a folder of generated ~98 KiB PNGs goes through ``MainWindow.submit``
   (the submission child uploads to the stack), until ``submission_finished``;
2. **OCR** — the embedded worker OCRs the items while the window polls, the new job is
   selected and its detail view updates, until the job's row says it finished;
3. **after** — 3 s more (the last poll, the detail's final state).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from bench.gui.lateness import Lateness, Stalls

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from desktop.main_window import MainWindow

FINISHED = {"DONE", "ERROR", "EXPIRED"}
AFTER_S = 3.0


@dataclass(frozen=True)
class LocalStall:
    items: int
    upload_s: float
    ocr_s: float
    upload: Stalls
    ocr: Stalls
    after: Stalls
    whole: Stalls
    """Upload and OCR together."""
    stack_pid: int | None
    """The moto server's process (``None``: no stack); compared with ours in the report."""


def _job_status(window: MainWindow, job_id: UUID) -> str:
    row = window.model.row_of(job_id)
    summary = window.model.summary(row) if row is not None else None
    return str(summary.job.status) if summary is not None else ""


def local_stall(app: QApplication, folder: Path, data_dir: Path) -> LocalStall:
    """Submit ``folder`` on the local stack and wait for its OCR, timing the UI thread."""
    from bench.gui.__main__ import close_window, make_window, wait_until
    from desktop.backend import Mode
    from ocrjobs.config import Settings
    from ocrjobs.domain.model import CreateResult

    window = make_window(data_dir)
    window.show()
    # As `python -m desktop --local`: nothing configured, the data directory our own.
    settings = Settings.load().replace(
        data_dir=str(data_dir), database_url="", endpoint_url="", aws_profile=""
    )
    window.backend.start(settings, local=True)
    if not wait_until(app, lambda: window.backend.mode is not Mode.STARTING, 120):
        raise SystemExit("the local backend did not start")
    if window.backend.mode is not Mode.LOCAL or not window.backend.worker_running:
        raise SystemExit(f"no local stack with a worker: {window.backend.worker_note}")
    wait_until(app, lambda: not window.model.loading, 10)
    wait_until(app, lambda: False, 2)  # the first poll and the status bar settle
    started = window.backend._started  # the bench looks at what was started
    stack = started.stack if started is not None else None
    stack_pid = getattr(stack, "server_pid", None)

    results: list[object] = []
    window.submission_finished.connect(results.append)
    beats = Lateness(window)
    beats.start()
    t0 = time.perf_counter()
    window.submit([folder], "bench local", "eng")
    if not wait_until(app, lambda: bool(results), 900):
        raise SystemExit("the upload did not finish")
    t_up = time.perf_counter()
    result = results[0]
    if not isinstance(result, CreateResult) or result.job is None:
        raise SystemExit(f"the upload failed: {result!r}")
    job_id = result.job.job.id
    if not wait_until(app, lambda: _job_status(window, job_id) in FINISHED, 1800):
        raise SystemExit(f"the job did not finish: {_job_status(window, job_id)}")
    t_ocr = time.perf_counter()
    wait_until(app, lambda: False, AFTER_S)
    beats.stop()
    for at, late in beats.worst():
        print(
            f"  stall {late:.0f} ms ending at {at - t0:+.2f}s "
            f"(upload ended at {t_up - t0:.2f}s, OCR at {t_ocr - t0:.2f}s)"
        )
    close_window(app, window)
    return LocalStall(
        items=len(result.job.items),
        upload_s=t_up - t0,
        ocr_s=t_ocr - t_up,
        upload=beats.between(t0, t_up),
        ocr=beats.between(t_up, t_ocr),
        after=beats.between(t_ocr, t_ocr + AFTER_S + 1),
        whole=beats.between(t0, t_ocr),
        stack_pid=stack_pid,
    )
