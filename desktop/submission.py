"""Creating a job in a child process, so uploads never hold the GUI process's interpreter.

``create_job`` checks every file with Pillow and uploads on ``upload_concurrency``
threads. Run on threads of the GUI process, those threads and the UI thread take turns
on one GIL: ``bench/gui`` measured the UI thread stalling 76–435 ms while 1,000 images
uploaded. Here a ``spawn`` child builds its own context from the settings and runs
``create_job``; progress comes back over a pipe and cancel goes the other way. The
result is the same :class:`CreateResult` (plain dataclasses pickle) and errors keep
their type, so the window's handling (rejected-files banner, outbox, cancel) is unchanged.

Only a context that can be rebuilt from settings (the local stack, AWS) can move to a
child; an injected context (tests, screenshots) runs ``create_job`` on the task thread.

This module imports no Qt: the child must not load it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ocrjobs.config import Settings
from ocrjobs.domain.errors import OcrJobsError
from ocrjobs.domain.model import CreateResult, NamedBytes, Progress

log = logging.getLogger(__name__)

Files = Sequence[Path | str | NamedBytes]
ProgressReport = Callable[[Progress], None]

PROGRESS_EVERY_S = 0.1
"""At most ~10 progress reports a second reach the UI (plus stage changes)."""
POLL_S = 0.05
"""How often the waiting task thread looks at the cancel event."""
JOIN_S = 10.0
CHILD_NICE = 10
"""The child yields the CPU to the window: on two cores, a child uploading on 16
threads beside the stack otherwise delays the UI thread by whole scheduler slices."""

# (exception class, args, picklable attributes, cause as text, child traceback)
_ErrorPayload = tuple[type[BaseException], tuple[Any, ...], dict[str, Any], str, str]


class SubmissionProcessError(OcrJobsError):
    """The child process ended without a result (killed, crashed)."""

    code = "SUBMISSION_PROCESS_FAILED"


def throttled(report: ProgressReport) -> ProgressReport:
    """At most ~10 progress reports a second (plus stage changes and the last file).

    ``create_job`` reports from its upload threads; a thousand files must not become a
    thousand queued UI updates (or pipe messages).
    """
    lock = threading.Lock()
    last_time, last_stage = 0.0, ""

    def forward(p: Progress) -> None:
        nonlocal last_time, last_stage
        now = time.monotonic()
        with lock:
            same_stage = p.stage == last_stage and p.done < p.total
            if same_stage and now - last_time < PROGRESS_EVERY_S:
                return
            last_time, last_stage = now, p.stage
        report(p)

    return forward


def create_job_in_child(
    settings: Settings,
    name: str,
    files: Files,
    language: str,
    *,
    report: ProgressReport,
    cancel: threading.Event,
) -> CreateResult:
    """Run ``create_job`` in a spawned process; block (off the UI thread) until it ends.

    Args:
        settings: the backend's settings; the child builds its context from them.
        name: the job's name.
        files: paths, folders or in-memory images (sent to the child).
        language: the OCR language.
        report: called on this thread with the child's (throttled) progress.
        cancel: set it to cancel; the child undoes its uploads and raises ``Cancelled``.

    Returns:
        The child's :class:`CreateResult`.

    Raises:
        The child's exception, same type and attributes (``BackendUnavailable``,
        ``Cancelled``, ...), or :class:`SubmissionProcessError` if it died.
    """
    mp = multiprocessing.get_context("spawn")
    ours, theirs = mp.Pipe()
    proc = mp.Process(
        target=child_main,
        args=(theirs, settings, name, list(files), language),
        name="ocrjobs-submit",
        daemon=True,
    )
    t0 = time.perf_counter()
    proc.start()
    theirs.close()
    log.debug(
        "submission %r: child pid=%s started in %.3fs", name, proc.pid, time.perf_counter() - t0
    )
    cancel_sent = False
    try:
        while True:
            if cancel.is_set() and not cancel_sent:
                _send_quietly(ours, ("cancel",))
                cancel_sent = True
            if not ours.poll(POLL_S):
                if not proc.is_alive() and not ours.poll():
                    raise SubmissionProcessError(
                        f"the upload process ended without a result (exit code {proc.exitcode})"
                    )
                continue
            try:
                kind, value = ours.recv()
            except EOFError as exc:
                proc.join(JOIN_S)
                raise SubmissionProcessError(
                    f"the upload process ended without a result (exit code {proc.exitcode})"
                ) from exc
            if kind == "progress":
                report(value)
            elif kind == "done":
                assert isinstance(value, CreateResult)
                return value
            else:
                raise unpack_error(value)
    finally:
        ours.close()
        proc.join(JOIN_S)
        if proc.is_alive():
            log.warning("submission child pid=%s did not exit; terminating it", proc.pid)
            proc.terminate()
            proc.join(JOIN_S)


def _send_quietly(conn: Connection, message: tuple[Any, ...]) -> None:
    try:
        conn.send(message)
    except OSError:  # the child already ended; its result (or EOF) is in the pipe
        log.debug("could not send %r to the submission child", message[0])


def child_main(
    conn: Connection, settings: Settings, name: str, files: Files, language: str
) -> None:
    """The child: build a context, run ``create_job``, send progress and the outcome."""
    from ocrjobs.bootstrap import build_context
    from ocrjobs.services.jobs import create_job

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s[submit]: %(message)s"
    )
    if hasattr(os, "nice"):  # POSIX; Windows children keep the normal priority
        os.nice(CHILD_NICE)
    cancel = threading.Event()
    send_lock = threading.Lock()

    def send(message: tuple[str, object]) -> None:
        with send_lock:
            conn.send(message)

    def listen() -> None:
        try:
            while True:
                if conn.recv()[0] == "cancel":
                    cancel.set()
        except (EOFError, OSError):  # the GUI went away: stop and undo
            cancel.set()

    threading.Thread(target=listen, name="cancel-listener", daemon=True).start()
    try:
        ctx = build_context(settings)
        try:
            result = create_job(
                ctx,
                name,
                files,
                language=language,
                progress=throttled(lambda p: send(("progress", p))),
                cancel=cancel,
            )
        finally:
            ctx.close()
    except BaseException as exc:  # every failure goes back to the window
        send(("error", pack_error(exc)))
    else:
        send(("done", result))


def pack_error(exc: BaseException) -> _ErrorPayload:
    """An exception as picklable parts (our errors' ``__init__`` signatures do not unpickle)."""
    state = {k: v for k, v in vars(exc).items() if _picklable(v)}
    cause = exc.__cause__ or exc.__context__
    cause_text = f"{type(cause).__name__}: {cause}" if cause is not None else ""
    tb = "".join(traceback.format_exception(exc))
    payload: _ErrorPayload = (type(exc), exc.args, state, cause_text, tb)
    if _picklable(payload):
        return payload
    return (RuntimeError, (f"{type(exc).__name__}: {exc}",), {}, cause_text, tb)


def unpack_error(payload: _ErrorPayload) -> BaseException:
    """The exception again: same class, args and attributes; the cause as text."""
    cls, args, state, cause_text, tb = payload
    try:
        exc = cls.__new__(cls)
        exc.args = args
        exc.__dict__.update(state)
    except Exception:
        exc = RuntimeError(f"{cls.__name__}: {args}")
    if cause_text:
        exc.__cause__ = RuntimeError(cause_text)
    log.debug("submission child failed:\n%s", tb)
    return exc


def _picklable(value: object) -> bool:
    try:
        pickle.dumps(value)
    except Exception:
        return False
    return True
