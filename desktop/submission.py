"""Creating jobs in a long-lived child process, so uploads never hold the GUI process's interpreter.

``create_job`` checks every file with Pillow and uploads on ``upload_concurrency``
threads. Run on threads of the GUI process, those threads and the UI thread take turns
on one GIL: ``bench/gui`` measured the UI thread stalling 76–435 ms while 1,000 images
uploaded. So a ``spawn`` child (nice 10, :mod:`desktop.submission_child`) builds its own
context from the settings and runs ``create_job``; progress comes back over a pipe and
cancel goes the other way. The result is the same :class:`CreateResult` (plain
dataclasses pickle) and errors keep their type, so the window's handling (rejected-files
banner, outbox, cancel) does not depend on where the job was created.

One child serves every submission of a window: :class:`SubmissionProcess` starts it
ahead of the first drop (the window asks when its backend is ready), so a drop does not
wait for a fresh interpreter to import the core and boto3. Submissions that overlap run
side by side in it, each on its own thread. The child is replaced

* when it dies: the submissions it was running fail with
  :class:`SubmissionProcessError` (the job exists only if its one transaction committed;
  items committed but not yet queued are sent by ``requeue_unsent``), a submission it
  had not started yet goes to the replacement, and a replacement is started at once
  when the dead child had been working;
* when the settings change: the old child takes no more submissions and exits once
  the ones it runs end.

Only a context that can be rebuilt from settings (the local stack, AWS) can move to a
child; the window runs ``create_job`` for an injected context (tests, screenshots) on a
task thread.

This module imports no Qt: it runs on the window's task threads and its own.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import queue
import signal
import threading
import time
import uuid
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any
from uuid import UUID

from desktop.submission_child import CHILD_NICE, Files, ProgressReport, serve, unpack_error
from ocrjobs.config import Settings
from ocrjobs.domain.errors import Cancelled, OcrJobsError
from ocrjobs.domain.model import CreateResult
from ocrjobs.services import jobs as job_service
from ocrjobs.services.context import Context

log = logging.getLogger(__name__)

POLL_S = 0.05
"""How often a waiting task thread looks at its cancel event."""
JOIN_S = 10.0
"""How long closing waits for a child to exit before terminating it."""
DISPATCH_TRIES = 3
"""Children tried for one submission when each ends before taking it."""

Reply = tuple[str, Any]


class SubmissionProcessError(OcrJobsError):
    """The child process ended without a result (killed, crashed) or could not start."""

    code = "SUBMISSION_PROCESS_FAILED"


def created_anyway(ctx: Context, job_id: UUID) -> CreateResult | None:
    """The job a dead child committed before it could reply, or ``None``.

    A child killed after its commit (while queueing, or before its reply got out) leaves
    a whole job behind: reporting it as failed would invite the same files again. Its
    refused files are not known any more; unsent items are sent by the poller's
    ``requeue_unsent``.
    """
    try:
        detail = job_service.get_job(ctx, job_id)
    except OcrJobsError:  # not there (NotFound), or the database cannot say
        return None
    unsent = sum(1 for i in detail.items if i.enqueued_at is None)
    return CreateResult(job=detail, rejected=(), unsent=unsent)


class _NotStarted(Exception):
    """The child ended before it began this submission: nothing of it was stored."""


class _Child:
    """One spawned :func:`desktop.submission_child.serve` and the thread reading its replies."""

    def __init__(self, settings: Settings, nice: int, on_end: Callable[[_Child], None]) -> None:
        mp = multiprocessing.get_context("spawn")
        ours, theirs = mp.Pipe()
        self.settings = settings
        self.proc = mp.Process(
            target=serve, args=(theirs, settings, nice), name="ocrjobs-submit", daemon=True
        )
        t0 = time.perf_counter()
        self.proc.start()
        theirs.close()
        assert self.proc.pid is not None
        self.pid: int = self.proc.pid
        log.info("submission process pid=%s spawned in %.3fs", self.pid, time.perf_counter() - t0)
        self.ready = threading.Event()
        """Set once the child warmed up (imports, context)."""
        self.ended = threading.Event()
        """Set once the child exited and every waiting submission was told."""
        self.accepting = True
        self._conn: Connection = ours
        self._on_end = on_end
        self._state = threading.Lock()  # accepting, _waiting
        self._send_lock = threading.Lock()  # one message at a time; before _state
        self._waiting: dict[int, queue.SimpleQueue[Reply]] = {}
        threading.Thread(
            target=self._read, name=f"submission-reader-{self.pid}", daemon=True
        ).start()

    def dispatch(
        self, sid: int, replies: queue.SimpleQueue[Reply], message: tuple[Any, ...]
    ) -> bool:
        """Send a submission; False when this child takes no more (retired or ended)."""
        with self._send_lock:
            with self._state:
                if not self.accepting:
                    return False
                self._waiting[sid] = replies
            try:
                self._conn.send(message)
            except OSError:  # it just died: the reader tells the waiter ("ended")
                log.info("submission %s: process pid=%s is gone", sid, self.pid)
        return True

    def forget(self, sid: int) -> None:
        with self._state:
            self._waiting.pop(sid, None)

    def send_quietly(self, message: tuple[Any, ...]) -> None:
        with self._send_lock:
            self._send_locked(message)

    def retire(self) -> None:
        """Take no more submissions; the child exits once the ones it runs end."""
        with self._send_lock:
            with self._state:
                if not self.accepting:
                    return
                self.accepting = False
            self._send_locked(("stop",))

    def _send_locked(self, message: tuple[Any, ...]) -> None:
        try:
            self._conn.send(message)
        except OSError:  # already ended; the reader handles it
            log.debug("could not send %r to submission process pid=%s", message[0], self.pid)

    def _read(self) -> None:
        try:
            while True:
                try:
                    message = self._conn.recv()
                except (EOFError, OSError):
                    break
                except Exception:  # one unreadable reply must not end the child's use
                    log.exception("unreadable reply from submission process pid=%s", self.pid)
                    continue
                if message[0] == "ready":
                    self.ready.set()
                    continue
                with self._state:
                    replies = self._waiting.get(message[1])
                if replies is not None:
                    replies.put((message[0], message[2] if len(message) > 2 else None))
        finally:
            self.proc.join(JOIN_S)
            how = exit_text(self.proc.exitcode)
            with self._state:
                self.accepting = False
                waiting = list(self._waiting.values())
            for replies in waiting:
                replies.put(("ended", how))
            with self._send_lock:
                self._conn.close()
            self.ended.set()
            self._on_end(self)


def exit_text(code: int | None) -> str:
    """``killed by SIGKILL``, ``exit code 1``, ``still running``."""
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class SubmissionProcess:
    """The window's submission process: started ahead, reused, replaced, stopped at close.

    Every method may block on process start-up or a pipe, so the window calls them on
    task threads, except :meth:`stop`, which never waits.
    """

    def __init__(self, *, nice: int = CHILD_NICE) -> None:
        self._nice = nice
        self._lock = threading.Lock()
        self._current: _Child | None = None
        self._children: list[_Child] = []
        """Every child not yet ended: the current one and retired ones still finishing."""
        self._closed = False
        self._ids = itertools.count(1)

    @property
    def pid(self) -> int | None:
        """The current child's process id (None before the first start or after stop)."""
        current = self._current
        return current.pid if current is not None else None

    @property
    def pids(self) -> list[int]:
        """Every child still running: the current one and retired ones finishing work."""
        with self._lock:
            return [c.pid for c in self._children]

    def prepare(self, settings: Settings) -> int:
        """Have a child for ``settings`` running (start one unless it is); its pid.

        A child for other settings is retired. Blocking (a spawn): call it off the UI thread.
        """
        with self._lock:
            return self._child_for(settings).pid

    def wait_ready(self, timeout: float) -> bool:
        """Wait until the current child has warmed up (tests, benchmarks)."""
        current = self._current
        return current is not None and current.ready.wait(timeout)

    def retire(self) -> None:
        """The current child takes no more submissions and exits once idle (e.g. no child
        is wanted for the new backend)."""
        with self._lock:
            current, self._current = self._current, None
        if current is not None:
            current.retire()

    def submit(
        self,
        settings: Settings,
        name: str,
        files: Files,
        language: str,
        *,
        report: ProgressReport,
        cancel: threading.Event,
        job_id: UUID | None = None,
    ) -> CreateResult:
        """Create a job in the child; block (off the UI thread) until it ends.

        Args:
            settings: the backend's settings; the child builds its context from them (a
                child for other settings is replaced).
            name: the job's name.
            files: paths, folders or in-memory images (sent to the child).
            language: the OCR language.
            report: called on this thread with the child's (throttled) progress.
            cancel: set it to cancel; the child undoes its uploads and raises ``Cancelled``.
            job_id: the id the job is created under (default: a fresh one); if the child
                dies, :func:`created_anyway` tells whether the job was committed.

        Returns:
            The child's :class:`CreateResult`.

        Raises:
            The child's exception, same type and attributes (``BackendUnavailable``,
            ``Cancelled``, ...), or :class:`SubmissionProcessError` if the child died
            while creating this job or no child could take it.
        """
        sid = next(self._ids)
        message = ("submit", sid, name, list(files), language, job_id or uuid.uuid4())
        why = ""
        for _ in range(DISPATCH_TRIES):
            if cancel.is_set():
                raise Cancelled("submission cancelled")
            replies: queue.SimpleQueue[Reply] = queue.SimpleQueue()
            child = self._dispatch(settings, sid, replies, message)
            try:
                return self._wait(child, sid, replies, report, cancel)
            except _NotStarted as exc:
                why = str(exc)
                log.warning(
                    "submission %r: process pid=%s ended before starting it (%s); "
                    "sending it to a new one",
                    name,
                    child.pid,
                    why,
                )
            finally:
                child.forget(sid)
        raise SubmissionProcessError(
            f"the upload process could not start ({why}); nothing was sent"
        )

    def _dispatch(
        self,
        settings: Settings,
        sid: int,
        replies: queue.SimpleQueue[Reply],
        message: tuple[Any, ...],
    ) -> _Child:
        for _ in range(DISPATCH_TRIES):
            with self._lock:
                child = self._child_for(settings)
            if child.dispatch(sid, replies, message):
                return child
        raise SubmissionProcessError(
            "no upload process would take the submission; nothing was sent"
        )

    @staticmethod
    def _wait(
        child: _Child,
        sid: int,
        replies: queue.SimpleQueue[Reply],
        report: ProgressReport,
        cancel: threading.Event,
    ) -> CreateResult:
        started = cancel_sent = False
        while True:
            if cancel.is_set() and not cancel_sent:
                child.send_quietly(("cancel", sid))
                cancel_sent = True
            try:
                kind, value = replies.get(timeout=POLL_S)
            except queue.Empty:
                continue
            if kind == "progress":
                report(value)
            elif kind == "started":
                started = True
            elif kind == "done":
                assert isinstance(value, CreateResult)
                return value
            elif kind == "error":
                raise unpack_error(value)
            elif started:  # "ended" while creating the job
                raise SubmissionProcessError(
                    f"the upload process ended before it finished this job ({value}); "
                    "the job was saved only if it shows in the list"
                )
            elif cancel.is_set():
                raise Cancelled("submission cancelled")
            else:
                raise _NotStarted(value)

    def _child_for(self, settings: Settings) -> _Child:
        """The current child if it takes submissions for ``settings``, else a new one (locked)."""
        if self._closed:
            raise SubmissionProcessError("the window is closing; nothing was sent")
        current = self._current
        if current is not None and current.accepting and current.settings == settings:
            return current
        if current is not None:
            current.retire()
        return self._spawn(settings)

    def _spawn(self, settings: Settings) -> _Child:
        try:
            child = _Child(settings, self._nice, self._ended)
        except Exception as exc:
            raise SubmissionProcessError(f"the upload process could not start: {exc}") from exc
        self._current = child
        self._children.append(child)
        return child

    def _ended(self, child: _Child) -> None:
        """Called by the child's reader thread once it exited."""
        how = exit_text(child.proc.exitcode)
        with self._lock:
            if child in self._children:
                self._children.remove(child)
            if self._current is not child:
                log.info("submission process pid=%s exited (%s)", child.pid, how)
                return
            self._current = None
            log.warning("submission process pid=%s ended unexpectedly (%s)", child.pid, how)
            # Replace a child that had been working (a crash, a kill) now, so the next
            # drop finds one ready; one that died while starting is retried on demand.
            if self._closed or not child.ready.is_set():
                return
            try:
                self._spawn(child.settings)
            except SubmissionProcessError:
                log.exception("could not replace the submission process")

    def stop(self) -> None:
        """Take no more submissions; every child exits once what it runs ends. Never waits.

        The window calls this on the UI thread as it closes: the stop messages are sent
        from a short-lived thread, as a pipe may be busy with a large submission.
        """
        with self._lock:
            self._closed = True
            self._current = None
            children = list(self._children)
        if not children:
            return

        def retire_all() -> None:
            for child in children:
                child.retire()

        threading.Thread(target=retire_all, name="submission-stop", daemon=True).start()

    def join(self, timeout: float = JOIN_S) -> None:
        """Stop, wait up to ``timeout`` for every child to exit, terminate any that does not."""
        with self._lock:
            self._closed = True
            self._current = None
            children = list(self._children)
        deadline = time.monotonic() + timeout
        for child in children:
            child.retire()
        for child in children:
            if child.ended.wait(max(0.0, deadline - time.monotonic())):
                continue
            log.warning("submission process pid=%s did not exit; terminating it", child.pid)
            child.proc.terminate()
            if not child.ended.wait(JOIN_S):
                log.error("submission process pid=%s ignored SIGTERM; killing it", child.pid)
                child.proc.kill()
                child.ended.wait(JOIN_S)
