"""Job creation in a child process (``desktop.submission``) on the real local stack."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.backend import Mode
from desktop.main_window import MainWindow
from desktop.submission import create_job_in_child, pack_error, unpack_error
from ocrjobs.bootstrap import build_context
from ocrjobs.config import Settings
from ocrjobs.domain.errors import BackendUnavailable, Cancelled
from ocrjobs.domain.model import CreateResult, Progress
from ocrjobs.services import jobs as job_service
from tests.gui.conftest import make_image

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def test_errors_cross_the_pipe_with_their_type_and_attributes() -> None:
    try:
        try:
            raise OSError("connection refused")
        except OSError as cause:
            raise BackendUnavailable("S3", "http://127.0.0.1:9", "refused") from cause
    except BackendUnavailable as exc:
        payload = pack_error(exc)
    back = unpack_error(payload)
    assert isinstance(back, BackendUnavailable)
    assert back.service == "S3"
    assert back.message == "S3 unreachable at http://127.0.0.1:9: refused"
    assert str(back.__cause__) == "OSError: connection refused"


def test_a_job_is_created_in_a_child_with_progress_and_refusals(
    local_stack: Settings, tmp_path: Path
) -> None:
    good = [make_image(tmp_path / f"p{i}.png", f"page {i}") for i in range(3)]
    bad = tmp_path / "notes.txt"
    bad.write_text("not an image")
    seen: list[Progress] = []
    result = create_job_in_child(
        local_stack,
        "child job",
        [*good, bad],
        "eng",
        report=seen.append,
        cancel=threading.Event(),
    )
    assert result.job is not None
    assert result.job.counts.total == 3
    assert [r.name for r in result.rejected] == ["notes.txt"]
    assert seen
    assert seen[-1].stage == "done"
    ctx = build_context(local_stack)
    try:
        assert job_service.get_job(ctx, result.job.job.id).job.name == "child job"
        assert len(ctx.store.list_keys("jobs/")) == 3
    finally:
        ctx.close()


def test_a_cancelled_child_keeps_nothing(local_stack: Settings, tmp_path: Path) -> None:
    files = [make_image(tmp_path / f"p{i}.png") for i in range(3)]
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        create_job_in_child(local_stack, "cancelled", files, "eng", report=print, cancel=cancel)
    ctx = build_context(local_stack)
    try:
        assert job_service.list_jobs(ctx).total == 0
        assert ctx.store.list_keys("jobs/") == []
    finally:
        ctx.close()


def test_an_unreachable_backend_fails_with_its_own_error(
    local_stack: Settings, tmp_path: Path
) -> None:
    # Nothing listens on port 9 of loopback.
    broken = local_stack.replace(endpoint_url="http://127.0.0.1:9", aws_max_attempts=1)
    with pytest.raises(BackendUnavailable):
        create_job_in_child(
            broken,
            "offline",
            [make_image(tmp_path / "p.png")],
            "eng",
            report=lambda _p: None,
            cancel=threading.Event(),
        )


def test_the_window_submits_through_a_child_on_a_real_backend(
    qtbot: QtBot, window: MainWindow, local_stack: Settings, tmp_path: Path
) -> None:
    ctx = build_context(local_stack)
    window.backend.use(ctx, Mode.AWS)
    files = [make_image(tmp_path / f"w{i}.png") for i in range(2)]
    try:
        with qtbot.waitSignal(window.submission_finished, timeout=60_000) as blocker:
            handle = window.submit(files, "from the window", "eng")
        assert handle is not None
    finally:
        window.poller.stop()
        window.runner.wait()
        ctx.close()
    result = blocker.args[0]
    assert isinstance(result, CreateResult), result
    assert result.job is not None
    assert result.job.counts.total == 2
    assert window.model.row_of(result.job.job.id) is not None
