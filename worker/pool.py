"""OCR child processes: each holds one long-lived engine and reads one image at a time.

The parent process does all the I/O; the CPU work runs here, one process per core, so a
hung or crashing Tesseract only costs its own process: a per-item timeout kills it and
a fresh one takes its place. Children are started with the ``spawn`` method (no forked
copies of the parent's threads, sockets or database connections) and get
``OMP_THREAD_LIMIT=1`` in their environment before anything loads Tesseract.

:class:`OcrPool` keeps each child fed: a feeder thread per child writes up to
:data:`PIPE_DEPTH` requests into its pipe, so the child starts the next image the moment
it finishes one instead of waiting for a parent thread to be scheduled and send it (on
small images that wait left the children idle ~15 % of the time). The per-item timeout
of a queued image counts from when the child could start it. Inside the child a second
thread decodes and analyses the next image while Tesseract reads the current one
(:func:`_serve`).
"""

from __future__ import annotations

import collections
import contextlib
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from typing import Protocol

from worker.ocr.engine import (
    ENGINE_FAILED,
    TIMEOUT,
    OcrEngine,
    OcrFailure,
    OcrResult,
    ocr_profile,
)

log = logging.getLogger(__name__)

START_TIMEOUT_S = 120.0
"""How long a child may take to load its engine before the worker gives up."""
PIPE_DEPTH = 2
"""Requests written ahead into a child's pipe: the one it reads and the next."""
_IDLE_POLL_S = 0.01


class ChildDied(Exception):
    """The OCR process died while reading an image (crash, out of memory, killed).

    Not an item failure by itself: the worker retries the message later, and a message
    that keeps killing its process ends in the dead-letter queue.
    """


@dataclass(frozen=True, slots=True)
class EngineSpec:
    """What each child builds with :func:`worker.ocr.select.create_engine`."""

    name: str | None = None
    tessdata: str | None = None
    psm: int = 3
    max_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 80_000_000
    log_level: str = "INFO"


class Slot(Protocol):
    """One OCR process the worker may hand an image to."""

    index: int

    def recognize(self, image: bytes, language: str, timeout_s: float) -> OcrResult:
        """Read one image; raise :class:`OcrFailure` or :class:`ChildDied`."""
        ...


class Slots(Protocol):
    """A set of OCR processes (:class:`OcrPool`, or a fake in unit tests)."""

    engine_name: str

    def profile(self, language: str) -> str:
        """The OCR profile of a result read in ``language`` (engine, mode, pipeline)."""
        ...

    def start(self) -> None:
        """Start every process; raise :class:`OcrFailure` if no engine can run."""

    def acquire(self, timeout: float) -> Slot | None:
        """An idle slot, or ``None`` after ``timeout`` seconds."""

    def release(self, slot: Slot) -> None:
        """Give a slot back."""

    def kill(self) -> None:
        """Stop every process at once (hard shutdown)."""

    def close(self) -> None:
        """Stop every process cleanly."""


def _child_main(conn: Connection, spec: EngineSpec) -> None:
    """Body of an OCR process: build the engine, then answer requests in order."""
    # The parent decides when children stop: Ctrl-C and a SIGTERM to the process group
    # must not kill an image half-way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    # numpy's OpenBLAS would start a thread per core at import; the analysis needs none.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from worker.logs import setup_logging
    from worker.ocr.image_checks import ImageLimits
    from worker.ocr.select import create_engine

    setup_logging(spec.log_level)
    try:
        engine = create_engine(
            spec.name or None,
            tessdata=spec.tessdata or None,
            psm=spec.psm,
            limits=ImageLimits(max_bytes=spec.max_bytes, max_pixels=spec.max_pixels),
        )
    except OcrFailure as exc:
        conn.send(("error", exc.code, exc.message))
        return
    conn.send(("ready", engine.name, engine.psm))
    with engine:
        _serve(conn, engine)


def _serve(conn: Connection, engine: OcrEngine) -> None:
    """Answer requests in order, preparing the next image while Tesseract reads this one.

    A second thread takes the next request from the pipe and decodes, analyses and
    preprocesses it (:func:`~worker.ocr.preprocess.prepare_document`: Pillow and numpy,
    mostly outside the GIL) while this thread waits in Tesseract, which releases the GIL:
    on a full page that takes the ~0.2 s of Python work off the path between two
    recognitions. At most one image is prepared ahead.
    """
    from worker.ocr.preprocess import PreparedDocument, prepare_document, read_document

    ready: queue.SimpleQueue[PreparedDocument | OcrFailure | None] = queue.SimpleQueue()
    room = threading.Semaphore(1)

    def prepare_ahead() -> None:
        while True:
            room.acquire()
            try:
                request = conn.recv()
            except (EOFError, OSError):
                request = None  # the parent is gone
            if request is None:
                ready.put(None)
                return
            image, language = request
            try:
                ready.put(prepare_document(engine, image, language))
            except OcrFailure as exc:
                ready.put(exc)
            except Exception as exc:  # a decoder bug must not take the process down
                log.exception("preparing an image raised %s", type(exc).__name__)
                ready.put(OcrFailure(ENGINE_FAILED, f"{type(exc).__name__}: {exc}"))

    threading.Thread(target=prepare_ahead, name="prepare", daemon=True).start()
    while (doc := ready.get()) is not None:
        room.release()
        if isinstance(doc, OcrFailure):
            conn.send(("fail", doc.code, doc.message))
            continue
        try:
            # The whole pipeline (checks, deskew, upscaling, orientation), not the bare
            # engine: the same reading as every other caller of recognize_document.
            result = read_document(engine, doc)
        except OcrFailure as exc:
            conn.send(("fail", exc.code, exc.message))
        except Exception as exc:  # an engine bug must not take the process down
            log.exception("OCR engine raised %s", type(exc).__name__)
            conn.send(("fail", ENGINE_FAILED, f"{type(exc).__name__}: {exc}"))
        else:
            conn.send(("ok", result))
        del doc  # free the pixels before waiting for the next image


class OcrProcess:
    """One child process and the parent's end of its pipe."""

    def __init__(self, index: int, spec: EngineSpec) -> None:
        self.index = index
        self.spec = spec
        self.engine_name = ""
        self.psm = spec.psm
        self._mp = multiprocessing.get_context("spawn")
        self._proc: SpawnProcess | None = None
        self._conn: Connection | None = None

    @property
    def pid(self) -> int | None:
        """The child's process id (``None`` before start)."""
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        """Spawn the child and wait until its engine is loaded.

        Raises:
            OcrFailure: ``ENGINE_UNAVAILABLE`` (or another code) if it cannot build one.
        """
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before a child imports numpy
        parent, child = self._mp.Pipe()
        proc = self._mp.Process(
            target=_child_main, args=(child, self.spec), name=f"ocr-{self.index}", daemon=True
        )
        t0 = time.perf_counter()
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        if not parent.poll(START_TIMEOUT_S):
            self.kill()
            raise OcrFailure(ENGINE_FAILED, f"OCR process {self.index} did not start in time")
        try:
            reply = parent.recv()
        except EOFError:
            proc.join(5)
            code = proc.exitcode  # read before kill() closes the process object
            self.kill()
            raise OcrFailure(
                ENGINE_FAILED, f"OCR process {self.index} died on start (exit code {code})"
            ) from None
        if reply[0] != "ready":
            self.kill()
            raise OcrFailure(reply[1], reply[2])
        self.engine_name = str(reply[1])
        self.psm = int(reply[2])
        log.debug(
            "OCR process %d (pid %s) ready with %s in %.2fs",
            self.index,
            proc.pid,
            self.engine_name,
            time.perf_counter() - t0,
        )

    def recognize(self, image: bytes, language: str, timeout_s: float) -> OcrResult:
        """Read one image in the child, killing and replacing it after ``timeout_s``.

        Raises:
            OcrFailure: the engine's failure, or ``TIMEOUT``.
            ChildDied: the process died while reading (it has been replaced).
        """
        if self._conn is None or self._proc is None or not self._proc.is_alive():
            # Never started, or died between items (e.g. the OOM killer): replace it first.
            if self._conn is not None:
                log.warning("OCR process %d died while idle; starting a new one", self.index)
                self.kill()
            self.start()
        assert self._conn is not None
        t0 = time.perf_counter()
        try:
            self._conn.send((image, language))
            ready = self._conn.poll(timeout_s)
            reply = self._conn.recv() if ready else None
        except (EOFError, OSError) as exc:
            code = self._proc.exitcode if self._proc is not None else None
            self.restart()
            raise ChildDied(f"OCR process died (exit code {code}): {exc!r}") from exc
        if reply is None:
            self.restart()
            raise OcrFailure(
                TIMEOUT, f"OCR took longer than {timeout_s:g} s; its process was killed"
            )
        if reply[0] == "fail":
            raise OcrFailure(reply[1], reply[2])
        result: OcrResult = reply[1]
        # The child's duration plus the transfer both ways: what the item cost.
        return replace(result, duration_s=time.perf_counter() - t0)

    def restart(self) -> None:
        """Kill the child and start a fresh one."""
        self.kill()
        self.start()

    def kill(self) -> None:
        """Kill the child at once (SIGKILL) and reap it."""
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            conn.close()
        if proc is not None:
            if proc.is_alive():
                proc.kill()
            proc.join(5)
            proc.close()

    def close(self, timeout: float = 5.0) -> None:
        """Ask the child to exit, then kill it if it does not."""
        proc, conn = self._proc, self._conn
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.send(None)
        if proc is not None:
            proc.join(timeout)
        self.kill()


@dataclass(eq=False)
class _Request:
    image: bytes
    language: str
    timeout_s: float
    done: threading.Event = field(default_factory=threading.Event)
    result: OcrResult | None = None
    error: BaseException | None = None

    def finish(self, result: OcrResult | None = None, error: BaseException | None = None) -> None:
        self.result, self.error = result, error
        self.done.set()


class _Feeder:
    """Feeds one :class:`OcrProcess` from a thread: up to :data:`PIPE_DEPTH` requests in
    its pipe, replies handed back in order, timeouts handled as in
    :meth:`OcrProcess.recognize` (the requests queued behind are sent to the new child).

    A child that dies with several requests in its pipe may have died preparing the next
    image rather than reading the first (:func:`_serve`), so none of them is blamed: each
    is sent again alone to the new child, and only one that kills a child while alone in
    its pipe fails (:class:`ChildDied`).
    """

    def __init__(self, proc: OcrProcess) -> None:
        self.proc = proc
        self.inbox: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name=f"ocr-feed-{proc.index}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        sent: list[_Request] = []  # written to the child's pipe, oldest first
        retry: collections.deque[_Request] = collections.deque()  # sent again, one at a time
        head_since = 0.0  # when the child could start sent[0]
        alone = False  # sent[0] came from retry: nothing goes into the pipe behind it
        while True:
            depth = 1 if retry or alone else PIPE_DEPTH
            while len(sent) < depth:
                req: _Request | None
                if retry:
                    req = retry.popleft()
                    alone = True
                else:
                    try:
                        # Block only when the child has nothing to do.
                        req = self.inbox.get() if not sent else self.inbox.get_nowait()
                    except queue.Empty:
                        break
                if req is None:  # stop
                    self._fail([*sent, *retry], ChildDied("OCR pool stopped"))
                    return
                if not sent:
                    head_since = time.perf_counter()
                if self._send(req, sent):
                    sent.append(req)
            alone = alone and bool(sent)
            if not sent:
                continue
            head = sent[0]
            left = head.timeout_s - (time.perf_counter() - head_since)
            # With room in the pipe, look at the inbox again every few milliseconds.
            wait = min(left, _IDLE_POLL_S) if len(sent) < depth else left
            try:
                conn = self.proc._conn
                if conn is None:
                    raise OSError("no pipe")
                reply = conn.recv() if conn.poll(max(0.0, wait)) else None
            except (EOFError, OSError) as exc:
                code = self.proc._proc.exitcode if self.proc._proc is not None else None
                if len(sent) > 1:
                    log.warning(
                        "OCR process %d died (exit code %s) with %d images in its pipe; "
                        "sending each again alone",
                        self.proc.index,
                        code,
                        len(sent),
                    )
                    retry.extendleft(reversed(sent))
                    sent.clear()
                else:
                    error = ChildDied(f"OCR process died (exit code {code}): {exc!r}")
                    sent.pop(0).finish(error=error)
                alone = False
                head_since = self._replace(sent)
                continue
            now = time.perf_counter()
            if reply is None:
                if now - head_since < head.timeout_s:
                    continue  # not late yet
                sent.pop(0).finish(
                    error=OcrFailure(
                        TIMEOUT,
                        f"OCR took longer than {head.timeout_s:g} s; its process was killed",
                    )
                )
                alone = False
                head_since = self._replace(sent)
                continue
            sent.pop(0)
            alone = False
            if reply[0] == "fail":
                head.finish(error=OcrFailure(reply[1], reply[2]))
            else:
                result: OcrResult = reply[1]
                head.finish(result=replace(result, duration_s=now - head_since))
            head_since = now

    def _send(self, req: _Request, sent: list[_Request]) -> bool:
        """Write ``req`` into the pipe, starting a child first if there is none alive.

        False when ``req`` was answered already (the child cannot start) or was queued
        behind requests of a dead child (the reader replaces it and resends them).
        """
        proc = self.proc
        alive = proc._conn is not None and proc._proc is not None and proc._proc.is_alive()
        if not alive and sent:
            sent.append(req)  # the reader sees the death first and resends everything
            return False
        try:
            if not alive:
                if proc._conn is not None:
                    log.warning("OCR process %d died while idle; starting a new one", proc.index)
                    proc.kill()
                proc.start()
            if proc._conn is None:
                raise OSError("no pipe")
            proc._conn.send((req.image, req.language))
        except OcrFailure as exc:
            req.finish(error=exc)
            return False
        except OSError:
            # The pipe broke: the reader finds it so, replaces the child and resends.
            sent.append(req)
            return False
        return True

    def _replace(self, sent: list[_Request]) -> float:
        """Replace the child; write the requests it had not answered to the new one."""
        if self.stopping:
            self._fail(sent, ChildDied("OCR pool stopped"))
            return time.perf_counter()
        try:
            self.proc.restart()
            conn = self.proc._conn
            if conn is None:
                raise OSError("no pipe")
            for r in sent:
                conn.send((r.image, r.language))
        except (OcrFailure, OSError) as exc:
            self._fail(sent, exc if isinstance(exc, OcrFailure) else ChildDied(repr(exc)))
        return time.perf_counter()

    @staticmethod
    def _fail(sent: list[_Request], error: BaseException) -> None:
        for r in sent:
            r.finish(error=error)
        sent.clear()

    def stop(self) -> None:
        """Ask the thread to end (requests still in flight fail with ChildDied)."""
        self.stopping = True
        self.inbox.put(None)


class _Seat:
    """A place in one child's queue (see :class:`OcrPool`): what the worker holds."""

    def __init__(self, feeder: _Feeder) -> None:
        self.feeder = feeder
        self.index = feeder.proc.index

    def recognize(self, image: bytes, language: str, timeout_s: float) -> OcrResult:
        """Read one image in this seat's child (see :meth:`OcrProcess.recognize`)."""
        req = _Request(image, language, timeout_s)
        self.feeder.inbox.put(req)
        # The feeder always answers; the bound only guards against a bug in it.
        if not req.done.wait(PIPE_DEPTH * timeout_s + START_TIMEOUT_S):
            raise ChildDied(f"OCR process {self.index} did not answer")
        if req.error is not None:
            raise req.error
        assert req.result is not None
        return req.result


class OcrPool:
    """``size`` OCR processes, each with :data:`PIPE_DEPTH` seats (see :class:`Slots`).

    A seat is handed to the process with the fewest requests, so a second image is
    queued in a busy child only when no child is idle.
    """

    def __init__(self, size: int, spec: EngineSpec) -> None:
        if size < 1:
            raise ValueError("an OCR pool needs at least one process")
        self.spec = spec
        self.processes = [OcrProcess(i, spec) for i in range(size)]
        self.engine_name = ""
        self._feeders: list[_Feeder] = []
        self._load: dict[int, int] = {}
        self._cond = threading.Condition()

    def start(self) -> None:
        """Start every process in parallel (each loads its models once)."""
        errors: list[OcrFailure] = []

        def one(p: OcrProcess) -> None:
            try:
                p.start()
            except OcrFailure as exc:
                errors.append(exc)

        threads = [threading.Thread(target=one, args=(p,)) for p in self.processes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            self.kill()
            raise errors[0]
        self.engine_name = self.processes[0].engine_name
        with self._cond:
            self._feeders = [_Feeder(p) for p in self.processes]
            self._load = {p.index: 0 for p in self.processes}
        log.info(
            "%d OCR processes ready with engine %s",
            len(self.processes),
            self.engine_name,
            extra={"pids": [p.pid for p in self.processes]},
        )

    def profile(self, language: str) -> str:
        """The OCR profile of a result read in ``language`` (see :class:`Slots`)."""
        # Computed here, before any OCR process is free, to look for a reusable result.
        first = self.processes[0]
        return ocr_profile(first.engine_name, language, first.psm)

    def acquire(self, timeout: float) -> Slot | None:
        """A seat in the least busy process, or ``None`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if self._feeders:
                    feeder = min(self._feeders, key=lambda f: self._load[f.proc.index])
                    if self._load[feeder.proc.index] < PIPE_DEPTH:
                        self._load[feeder.proc.index] += 1
                        return _Seat(feeder)
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def release(self, slot: Slot) -> None:
        """Give a seat back."""
        assert isinstance(slot, _Seat)
        with self._cond:
            self._load[slot.index] -= 1
            self._cond.notify()

    def _stop_feeders(self) -> list[_Feeder]:
        with self._cond:
            feeders, self._feeders = self._feeders, []
        for f in feeders:
            f.stop()
        return feeders

    def kill(self) -> None:
        """Kill every process now."""
        feeders = self._stop_feeders()
        for p in self.processes:
            p.kill()
        for f in feeders:
            f.thread.join(5)

    def close(self) -> None:
        """Stop every process cleanly (the worker calls it once every item is done)."""
        feeders = self._stop_feeders()
        for f in feeders:
            f.thread.join(5)
        for p in self.processes:
            p.close()
