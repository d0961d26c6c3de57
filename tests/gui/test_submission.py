"""Job creation in the long-lived submission process (``desktop.submission``) on the
real local stack: real spawned children, moto and SQLite."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.backend import Mode
from desktop.main_window import MainWindow
from desktop.submission import SubmissionProcess, SubmissionProcessError
from desktop.submission_child import pack_error, unpack_error
from ocrjobs.bootstrap import build_context
from ocrjobs.config import Settings
from ocrjobs.domain.errors import BackendUnavailable, Cancelled
from ocrjobs.domain.model import CreateResult, Progress
from ocrjobs.services import jobs as job_service
from ocrjobs.services.context import Context
from tests.gui.conftest import make_image

pytestmark = [pytest.mark.gui, pytest.mark.slow]

READY_S = 30.0


@pytest.fixture
def submissions() -> Iterator[SubmissionProcess]:
    sp = SubmissionProcess()
    yield sp
    sp.join()
    assert sp.pids == []


@pytest.fixture
def stack_ctx(local_stack: Settings) -> Iterator[Context]:
    """A context of this process on the local stack, to look at what the child stored."""
    ctx = build_context(local_stack)
    yield ctx
    ctx.close()


def submit(
    sp: SubmissionProcess,
    settings: Settings,
    name: str,
    files: list[Path],
    *,
    report: Callable[[Progress], None] = lambda _p: None,
    cancel: threading.Event | None = None,
) -> CreateResult:
    return sp.submit(
        settings, name, files, "eng", report=report, cancel=cancel or threading.Event()
    )


def noise_images(folder: Path, n: int) -> list[Path]:
    """Incompressible ~100 KB PNGs: enough of them keep a submission busy for a while."""
    folder.mkdir()
    paths = []
    for i in range(n):
        path = folder / f"n{i:03d}.png"
        Image.frombytes("L", (316, 316), os.urandom(316 * 316)).save(path, compress_level=1)
        paths.append(path)
    return paths


def alive(pid: int) -> bool:
    """Still a running process (not gone, not a zombie waiting for a parent to reap it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return stat.parent.exists() or not Path("/proc/self").exists()
    return state not in {"Z", "X"}


def wait_for(condition: Callable[[], bool], timeout: float = READY_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


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


def test_a_job_is_created_in_the_child_with_progress_and_refusals(
    submissions: SubmissionProcess, local_stack: Settings, stack_ctx: Context, tmp_path: Path
) -> None:
    good = [make_image(tmp_path / f"p{i}.png", f"page {i}") for i in range(3)]
    bad = tmp_path / "notes.txt"
    bad.write_text("not an image")
    seen: list[Progress] = []
    result = submit(submissions, local_stack, "child job", [*good, bad], report=seen.append)
    assert result.job is not None
    assert result.job.counts.total == 3
    assert [r.name for r in result.rejected] == ["notes.txt"]
    assert seen
    assert seen[-1].stage == "done"
    assert job_service.get_job(stack_ctx, result.job.job.id).job.name == "child job"
    assert len(stack_ctx.store.list_keys("jobs/")) == 3
    assert submissions.pid not in (None, os.getpid())


def test_two_submissions_reuse_one_child(
    submissions: SubmissionProcess, local_stack: Settings, tmp_path: Path
) -> None:
    pid = submissions.prepare(local_stack)
    assert submissions.wait_ready(READY_S)
    first = submit(submissions, local_stack, "one", [make_image(tmp_path / "a.png")])
    second = submit(submissions, local_stack, "two", [make_image(tmp_path / "b.png")])
    assert first.job is not None
    assert second.job is not None
    assert first.job.job.id != second.job.job.id
    assert submissions.pid == pid
    assert submissions.prepare(local_stack) == pid
    assert submissions.pids == [pid]


def test_cancel_undoes_the_uploads_and_the_child_serves_on(
    submissions: SubmissionProcess, local_stack: Settings, stack_ctx: Context, tmp_path: Path
) -> None:
    files = noise_images(tmp_path / "many", 40)
    cancel = threading.Event()

    def cancel_once_uploading(p: Progress) -> None:
        if p.stage == "uploading":
            cancel.set()

    with pytest.raises(Cancelled):
        submit(
            submissions,
            local_stack,
            "cancelled",
            files,
            report=cancel_once_uploading,
            cancel=cancel,
        )
    assert job_service.list_jobs(stack_ctx).total == 0
    assert stack_ctx.store.list_keys("jobs/") == []
    pid = submissions.pid
    after = submit(submissions, local_stack, "after", [make_image(tmp_path / "a.png")])
    assert after.job is not None
    assert submissions.pid == pid


def test_a_stopping_child_still_takes_cancel_for_what_it_runs(
    submissions: SubmissionProcess, local_stack: Settings, stack_ctx: Context, tmp_path: Path
) -> None:
    # New settings (or closing the window) stop the child while a submission runs; the
    # user's Cancel comes after the stop and must still undo the uploads.
    files = noise_images(tmp_path / "many", 120)
    cancel = threading.Event()

    def stop_then_cancel(p: Progress) -> None:
        if p.stage == "uploading" and not cancel.is_set():
            submissions.retire()  # "stop" is in the pipe when this returns
            cancel.set()

    with pytest.raises(Cancelled):
        submit(submissions, local_stack, "stopped", files, report=stop_then_cancel, cancel=cancel)
    assert job_service.list_jobs(stack_ctx).total == 0
    assert stack_ctx.store.list_keys("jobs/") == []


def test_an_unreachable_backend_fails_with_its_own_error(
    submissions: SubmissionProcess, local_stack: Settings, tmp_path: Path
) -> None:
    # Nothing listens on port 9 of loopback.
    broken = local_stack.replace(endpoint_url="http://127.0.0.1:9", aws_max_attempts=1)
    with pytest.raises(BackendUnavailable):
        submit(submissions, broken, "offline", [make_image(tmp_path / "p.png")])


def test_a_killed_child_is_replaced_and_the_next_submission_succeeds(
    submissions: SubmissionProcess, local_stack: Settings, tmp_path: Path
) -> None:
    pid = submissions.prepare(local_stack)
    assert submissions.wait_ready(READY_S)
    os.kill(pid, signal.SIGKILL)
    # At once, before anyone noticed: the submission goes to a new child.
    result = submit(submissions, local_stack, "after a kill", [make_image(tmp_path / "a.png")])
    assert result.job is not None
    assert submissions.pid not in (None, pid)
    assert not alive(pid)

    # Killed while idle and noticed: a replacement starts by itself.
    second = submissions.pid
    assert second is not None
    os.kill(second, signal.SIGKILL)
    wait_for(lambda: submissions.pid not in (None, second))
    assert submissions.wait_ready(READY_S)
    third = submissions.pid
    again = submit(submissions, local_stack, "after another", [make_image(tmp_path / "b.png")])
    assert again.job is not None
    assert submissions.pid == third


def test_the_submission_in_flight_when_the_child_dies_fails_and_leaves_no_job(
    submissions: SubmissionProcess, local_stack: Settings, stack_ctx: Context, tmp_path: Path
) -> None:
    kept = submit(submissions, local_stack, "kept", [make_image(tmp_path / "k.png")])
    assert kept.job is not None
    kept_keys = stack_ctx.store.list_keys(f"jobs/{kept.job.job.id}/")
    pid = submissions.pid
    assert pid is not None
    files = noise_images(tmp_path / "many", 40)

    def kill_once_uploading(p: Progress) -> None:
        if p.stage == "uploading" and alive(pid):
            os.kill(pid, signal.SIGKILL)

    with pytest.raises(SubmissionProcessError) as info:
        submit(submissions, local_stack, "doomed", files, report=kill_once_uploading)
    assert "killed by SIGKILL" in info.value.message
    assert "only if it shows in the list" in info.value.message
    # Its rows were never committed; the job stored before is whole.
    listed = job_service.list_jobs(stack_ctx)
    assert [s.job.name for s in listed.jobs] == ["kept"]
    detail = job_service.get_job(stack_ctx, kept.job.job.id)
    assert detail.counts.total == 1
    assert stack_ctx.store.list_keys(f"jobs/{kept.job.job.id}/") == kept_keys
    # The replacement takes the next one.
    after = submit(submissions, local_stack, "after", [make_image(tmp_path / "a.png")])
    assert after.job is not None
    assert submissions.pid != pid


def test_new_settings_get_a_new_child_and_the_old_one_exits(
    submissions: SubmissionProcess, local_stack: Settings, tmp_path: Path
) -> None:
    old = submissions.prepare(local_stack)
    changed = local_stack.replace(upload_concurrency=2)
    new = submissions.prepare(changed)
    assert new != old
    wait_for(lambda: not alive(old))
    assert submissions.pids == [new]
    result = submit(submissions, changed, "new settings", [make_image(tmp_path / "a.png")])
    assert result.job is not None
    assert submissions.pid == new


ORPHANED_PARENT = """
import pickle, sys, time
from desktop.submission import SubmissionProcess

sp = SubmissionProcess()
print(sp.prepare(pickle.loads(open(sys.argv[1], "rb").read())), flush=True)
print("ready" if sp.wait_ready(30) else "not ready", flush=True)
time.sleep(120)
"""


def test_the_child_exits_when_the_window_process_dies(
    local_stack: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "settings.pickle"
    path.write_bytes(pickle.dumps(local_stack))
    parent = subprocess.Popen(
        [sys.executable, "-c", ORPHANED_PARENT, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        assert parent.stdout.readline().strip() == "ready"
        assert alive(pid)
    finally:
        parent.kill()
        parent.wait()
    wait_for(lambda: not alive(pid), timeout=10)


# -- through the window ------------------------------------------------------------------------


@pytest.fixture
def aws_window(window: MainWindow, stack_ctx: Context) -> Iterator[MainWindow]:
    """The window on the local stack in the AWS mode: submissions go to the child."""
    window.backend.use(stack_ctx, Mode.AWS)
    yield window
    window.poller.stop()
    window.runner.wait()
    window.submissions.join()


def submit_in_window(qtbot: QtBot, window: MainWindow, files: list[Path], name: str) -> object:
    with qtbot.waitSignal(window.submission_finished, timeout=60_000) as blocker:
        handle = window.submit(files, name, "eng")
        assert handle is not None
    return blocker.args[0]


def test_the_window_starts_the_child_ahead_and_reuses_it(
    qtbot: QtBot, aws_window: MainWindow, tmp_path: Path
) -> None:
    window = aws_window
    qtbot.waitUntil(lambda: window.submissions.pid is not None, timeout=10_000)
    pid = window.submissions.pid
    for i in range(2):
        files = [make_image(tmp_path / f"w{i}{j}.png") for j in range(2)]
        result = submit_in_window(qtbot, window, files, f"from the window {i}")
        assert isinstance(result, CreateResult), result
        assert result.job is not None
        assert result.job.counts.total == 2
        assert window.model.row_of(result.job.job.id) is not None
    assert window.submissions.pid == pid


def test_cancel_in_the_window_stops_the_child_submission(
    qtbot: QtBot, aws_window: MainWindow, stack_ctx: Context, tmp_path: Path
) -> None:
    window = aws_window
    files = noise_images(tmp_path / "many", 40)
    update = window.uploads.update_progress
    cancelled: list[int] = []

    def progress(task_id: int, p: Progress) -> None:
        update(task_id, p)
        if p.stage == "uploading" and not cancelled:
            cancelled.append(task_id)
            window.cancel_upload(task_id)

    window.uploads.update_progress = progress  # type: ignore[method-assign]
    result = submit_in_window(qtbot, window, files, "cancel me")
    assert isinstance(result, Cancelled), result
    assert cancelled
    assert job_service.list_jobs(stack_ctx).total == 0
    assert stack_ctx.store.list_keys("jobs/") == []


def test_closing_the_window_ends_the_child(qtbot: QtBot, aws_window: MainWindow) -> None:
    window = aws_window
    qtbot.waitUntil(lambda: window.submissions.pid is not None, timeout=10_000)
    pid = window.submissions.pid
    assert pid is not None
    assert alive(pid)
    window.close()
    qtbot.waitUntil(lambda: not alive(pid), timeout=10_000)
    assert window.submissions.pids == []
    window.shutdown()
    assert window.submissions.pid is None


def test_closing_the_window_cancels_its_uploads(
    qtbot: QtBot,
    aws_window: MainWindow,
    stack_ctx: Context,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "Cancel them and quit?" Yes: the child is told to stop and the upload to cancel,
    # in either order; nothing of the job may stay.
    window = aws_window
    yes = QMessageBox.StandardButton.Yes
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: yes)
    qtbot.waitUntil(lambda: window.submissions.pid is not None, timeout=10_000)
    files = noise_images(tmp_path / "many", 120)
    update = window.uploads.update_progress

    def progress(task_id: int, p: Progress) -> None:
        update(task_id, p)
        if p.stage == "uploading" and window.isVisible():
            window.close()

    window.uploads.update_progress = progress  # type: ignore[method-assign]
    result = submit_in_window(qtbot, window, files, "closed while uploading")
    assert isinstance(result, Cancelled), result
    assert job_service.list_jobs(stack_ctx).total == 0
    assert stack_ctx.store.list_keys("jobs/") == []


def test_a_child_that_dies_after_its_commit_reports_the_job_created(
    qtbot: QtBot,
    aws_window: MainWindow,
    stack_ctx: Context,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The child commits the job, then dies before its reply gets out (killed while
    queueing): the window finds the job by the id it chose and reports it created, so
    the operator does not submit the same files again."""
    window = aws_window

    def commit_then_die(
        settings: Settings, name: str, files: list[Path], language: str, **kw: Any
    ) -> CreateResult:
        job_service.create_job(stack_ctx, name, files, language=language, job_id=kw["job_id"])
        raise SubmissionProcessError("the upload process ended (killed by SIGKILL)")

    monkeypatch.setattr(window.submissions, "submit", commit_then_die)
    files = [make_image(tmp_path / f"c{j}.png") for j in range(2)]
    result = submit_in_window(qtbot, window, files, "committed, then killed")
    assert isinstance(result, CreateResult), result
    assert result.job is not None
    assert result.job.counts.total == 2
    assert [s.job.name for s in job_service.list_jobs(stack_ctx).jobs] == ["committed, then killed"]
    qtbot.waitUntil(lambda: window.model.row_of(result.job.job.id) is not None, timeout=10_000)  # type: ignore[union-attr]


def test_a_child_that_dies_before_its_commit_still_fails(
    qtbot: QtBot,
    aws_window: MainWindow,
    stack_ctx: Context,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def die(*_a: Any, **_kw: Any) -> CreateResult:
        raise SubmissionProcessError("the upload process ended (killed by SIGKILL)")

    monkeypatch.setattr(aws_window.submissions, "submit", die)
    result = submit_in_window(qtbot, aws_window, [make_image(tmp_path / "d.png")], "never")
    assert isinstance(result, SubmissionProcessError), result
    assert job_service.list_jobs(stack_ctx).total == 0


def test_long_submissions_leave_the_task_threads_to_polls_and_loads(
    qtbot: QtBot, aws_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five drops whose uploads take long (an outbox flush of held ones) hold no thread
    of the runner that polls, loads the detail view and decodes thumbnails."""
    window = aws_window
    release = threading.Event()

    def slow(*_a: Any, **_kw: Any) -> CreateResult:
        release.wait(30)
        raise Cancelled("submission cancelled")

    monkeypatch.setattr(window.submissions, "submit", slow)
    try:
        for i in range(5):
            assert window.submit([make_image(tmp_path / f"s{i}.png")], f"slow {i}", "eng")
        answers: list[object] = []
        window.runner.run(lambda: "answered", on_done=answers.append, label="a poll")
        qtbot.waitUntil(lambda: answers == ["answered"], timeout=5000)
    finally:
        release.set()
    qtbot.waitUntil(lambda: window.upload_runner.pending == 0, timeout=10_000)
