"""What runs in the submission process: a loop serving ``create_job`` requests over a pipe.

The window's :class:`desktop.submission.SubmissionProcess` starts this in a ``spawn``
child once and sends it every submission. The child builds its context from the
settings once (imports, boto3 clients, the engine) and runs each submission on a thread
of its own, so the next drop finds everything ready. Messages (tuples):

* window → child: ``("submit", id, name, files, language, job_id)``, ``("cancel", id)``,
  ``("stop",)`` (take no more; exit once the running submissions end, which still
  take ``cancel`` meanwhile);
* child → window: ``("ready", pid)`` once warmed up, then per submission
  ``("started", id)`` just before ``create_job`` begins, ``("progress", id, Progress)``
  (throttled), and ``("done", id, CreateResult)`` or ``("error", id, packed error)``.

If the window goes away (the pipe ends), also after ``stop``, every running submission
is cancelled, which undoes its uploads, and the process exits. Also here, because both
sides use them: :func:`throttled` progress and the error packing (our errors'
``__init__`` signatures do not unpickle by themselves).

This module imports no Qt: the child must not load it.
"""

from __future__ import annotations

import logging
import os
import pickle
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ocrjobs.config import Settings
from ocrjobs.domain.model import NamedBytes, Progress

if TYPE_CHECKING:
    from ocrjobs.services.context import Context

log = logging.getLogger(__name__)

Files = Sequence[Path | str | NamedBytes]
ProgressReport = Callable[[Progress], None]

PROGRESS_EVERY_S = 0.1
"""At most ~10 progress reports a second reach the UI (plus stage changes)."""
STOPPING_POLL_S = 0.05
"""How often a stopping child looks whether its last submission ended."""
CHILD_NICE = 10
"""The child yields the CPU to the window: on two cores, a child uploading on 16
threads beside the stack otherwise delays the UI thread by whole scheduler slices."""

# (exception class, args, picklable attributes, cause as text, child traceback)
ErrorPayload = tuple[type[BaseException], tuple[Any, ...], dict[str, Any], str, str]


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


def serve(conn: Connection, settings: Settings, nice: int = CHILD_NICE) -> None:
    """The child's main: warm up, then serve submissions until told to stop or orphaned."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s[submit]: %(message)s"
    )
    if nice and hasattr(os, "nice"):  # POSIX; Windows children keep the normal priority
        os.nice(nice)  # before any thread starts: they inherit it
    _Server(conn, settings).run()


class _Server:
    def __init__(self, conn: Connection, settings: Settings) -> None:
        self._conn = conn
        self._settings = settings
        self._send_lock = threading.Lock()
        self._ctx_lock = threading.Lock()
        self._ctx: Context | None = None
        self._running_lock = threading.Lock()
        self._running: dict[int, tuple[threading.Thread, threading.Event]] = {}

    def run(self) -> None:
        t0 = time.perf_counter()
        self._warm_up()
        log.info("submission process pid=%s ready in %.3fs", os.getpid(), time.perf_counter() - t0)
        self._send(("ready", os.getpid()))
        threading.Thread(target=self._touch_backends, name="touch-backends", daemon=True).start()
        try:
            self._serve()
        finally:
            for thread, _cancel in self._in_flight():
                thread.join()
            if self._ctx is not None:
                self._ctx.close()
            self._conn.close()

    def _serve(self) -> None:
        stopping = False
        while True:
            if stopping:
                # Told to stop: keep reading until the last submission ends, so a Cancel
                # (closing the window cancels its uploads) or the window going away still
                # reaches the submissions running here.
                if not self._in_flight():
                    return
                if not self._conn.poll(STOPPING_POLL_S):
                    continue
            try:
                message = self._conn.recv()
            except (EOFError, OSError):  # the window went away: stop and undo
                running = self._in_flight()
                if running:
                    log.warning("the window went away: cancelling %d submission(s)", len(running))
                for _thread, cancel in running:
                    cancel.set()
                return
            kind = message[0]
            if kind == "submit":
                self._start(*message[1:])
            elif kind == "cancel":
                with self._running_lock:
                    entry = self._running.get(message[1])
                if entry is not None:
                    entry[1].set()
            elif kind == "stop":
                log.info("stopping once %d submission(s) end", len(self._in_flight()))
                stopping = True
            else:
                log.error("unknown message %r", kind)

    def _in_flight(self) -> list[tuple[threading.Thread, threading.Event]]:
        with self._running_lock:
            return list(self._running.values())

    def _warm_up(self) -> None:
        """Import and build now what the first submission would otherwise wait for."""
        import ocrjobs.services.jobs  # noqa: F401  # the service and its intake (Pillow)

        try:
            self._context()
        except Exception:  # each submission tries again and reports its own error
            log.warning("could not build the context yet", exc_info=True)

    def _touch_backends(self) -> None:
        """Connect to each backend once (read-only probes), beside the serving loop.

        The first ``create_job`` would otherwise open the database connection, resolve
        the credentials and the queue URL and set up each AWS connection itself.
        """
        from ocrjobs.services.maintenance import check_connections

        ctx = self._ctx
        if ctx is None:
            return
        for check in check_connections(ctx):
            log.log(
                logging.DEBUG if check.ok else logging.INFO,
                "warm-up: %s %s in %.3fs (%s)",
                check.service,
                "ok" if check.ok else "failed",
                check.seconds,
                check.message,
            )

    def _context(self) -> Context:
        from ocrjobs.bootstrap import build_context

        with self._ctx_lock:
            if self._ctx is None:
                self._ctx = build_context(self._settings)
            return self._ctx

    def _send(self, message: tuple[object, ...]) -> None:
        with self._send_lock:
            try:
                self._conn.send(message)
            except OSError:  # the window is gone; the main loop sees it too
                log.debug("could not send %r to the window", message[0])

    def _start(self, sid: int, name: str, files: Files, language: str, job_id: UUID) -> None:
        cancel = threading.Event()
        thread = threading.Thread(
            target=self._create,
            args=(sid, name, files, language, job_id, cancel),
            name=f"submission-{sid}",
        )
        with self._running_lock:
            self._running[sid] = (thread, cancel)
        thread.start()

    def _create(
        self,
        sid: int,
        name: str,
        files: Files,
        language: str,
        job_id: UUID,
        cancel: threading.Event,
    ) -> None:
        from ocrjobs.services.jobs import create_job

        try:
            ctx = self._context()
            self._send(("started", sid))
            result = create_job(
                ctx,
                name,
                files,
                language=language,
                progress=throttled(lambda p: self._send(("progress", sid, p))),
                cancel=cancel,
                job_id=job_id,
            )
        except BaseException as exc:  # every failure goes back to the window
            self._send(("error", sid, pack_error(exc)))
        else:
            self._send(("done", sid, result))
        finally:
            with self._running_lock:
                self._running.pop(sid, None)


def pack_error(exc: BaseException) -> ErrorPayload:
    """An exception as picklable parts (our errors' ``__init__`` signatures do not unpickle)."""
    state = {k: v for k, v in vars(exc).items() if _picklable(v)}
    cause = exc.__cause__ or exc.__context__
    cause_text = f"{type(cause).__name__}: {cause}" if cause is not None else ""
    tb = "".join(traceback.format_exception(exc))
    payload: ErrorPayload = (type(exc), exc.args, state, cause_text, tb)
    if _picklable(payload):
        return payload
    return (RuntimeError, (f"{type(exc).__name__}: {exc}",), {}, cause_text, tb)


def unpack_error(payload: ErrorPayload) -> BaseException:
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
    log.debug("submission failed in the child:\n%s", tb)
    return exc


def _picklable(value: object) -> bool:
    try:
        pickle.dumps(value)
    except Exception:
        return False
    return True
