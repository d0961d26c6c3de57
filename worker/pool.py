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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from typing import ParamSpec, Protocol, TypeVar

from worker.ocr.engine import (
    ENGINE_FAILED,
    TIMEOUT,
    OcrEngine,
    OcrFailure,
    OcrResult,
    ocr_profile,
)

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

START_TIMEOUT_S = 120.0
"""How long a child may take to load its engine before the worker gives up."""
PIPE_DEPTH = 2
"""Requests written ahead into a child's pipe: the one it reads and the next."""
LARGE_IMAGE_PIXELS = 20_000_000
"""While an image this large is read, the next is not prepared (A3 at 300 dpi is 17 Mpx)."""
_IDLE_POLL_S = 0.01


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask, not only what the machine has)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


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
    prepare_ahead: bool | None = None
    """Prepare the next image on a second thread while Tesseract reads (see
    :func:`_serve`). ``None``: when the processes leave a CPU free for it
    (:meth:`OcrPool.__init__`; one process alone: when the machine has two CPUs or more).
    Measured on 2 CPUs, 500 line images: one process 14 % faster with it; two processes
    4-7 % slower (the second thread then competes with the other process's Tesseract)."""


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
        _serve(conn, engine, ahead=bool(spec.prepare_ahead))


def _serve(conn: Connection, engine: OcrEngine, *, ahead: bool) -> None:
    """Answer requests in order.

    A second thread takes each request from the pipe as soon as it arrives: the parent
    writes the next image while this one is read, and must never be stuck writing a
    large image into a full pipe while this thread writes a long reply into the other
    direction (both would wait for ever, and the parent's timeouts with them). With
    ``ahead`` that thread also decodes, analyses and preprocesses the image
    (:func:`~worker.ocr.preprocess.prepare_document`) while this thread waits in
    Tesseract, which releases the GIL: on a full page that takes ~0.2 s of Python off
    the path between two recognitions. It pays only with a CPU to spare for it (see
    :attr:`EngineSpec.prepare_ahead`). One image is prepared ahead at most, none of
    :data:`LARGE_IMAGE_PIXELS` or more while a large one is read (memory).
    """
    from worker.ocr.preprocess import (
        PreparedDocument,
        prepare_document,
        read_document,
        recognize_document,
    )

    inbox: queue.SimpleQueue[PreparedDocument | OcrFailure | tuple[bytes, str] | None]
    inbox = queue.SimpleQueue()
    room = threading.Semaphore(1)  # may the receiving thread prepare the next image?

    def receive() -> None:
        try:
            # Always take the request out of the pipe at once (the parent's timeouts run
            # on the thread that writes into it); only its preparation waits for room.
            while (request := _receive(conn)) is not None:
                if ahead:
                    room.acquire()
                    inbox.put(_attempt(prepare_document, engine, *request))
                else:
                    inbox.put(request)
                del request
        except BaseException:
            # Without this thread nothing would answer: die, so the parent replaces us.
            log.exception("OCR process: receiving thread failed")
            os._exit(70)
        finally:
            inbox.put(None)

    threading.Thread(target=receive, name="receive", daemon=True).start()
    while (item := inbox.get()) is not None:
        # A large page keeps the room until it is read: two of them would double the
        # process's peak memory.
        hold = (
            isinstance(item, PreparedDocument)
            and item.page.image.width * item.page.image.height >= LARGE_IMAGE_PIXELS
        )
        if ahead and not hold:
            room.release()
        outcome: OcrResult | OcrFailure
        if isinstance(item, tuple):
            outcome = _attempt(recognize_document, engine, *item)
        elif isinstance(item, OcrFailure):
            outcome = item
        else:
            outcome = _attempt(read_document, engine, item)
        del item  # free the pixels before the next image is prepared or waited for
        if hold:
            room.release()
        _send_outcome(conn, outcome)
        del outcome


def _receive(conn: Connection) -> tuple[bytes, str] | None:
    """The next request, or ``None`` to stop (asked, or the parent is gone)."""
    try:
        request: tuple[bytes, str] | None = conn.recv()
    except (EOFError, OSError):
        return None
    return request


def _attempt(step: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | OcrFailure:
    """``step``'s value, or its failure; any other exception (an engine or decoder bug)
    becomes an ``ENGINE_FAILED`` failure instead of taking the process down."""
    try:
        return step(*args, **kwargs)
    except OcrFailure as exc:
        return exc
    except Exception as exc:
        log.exception("OCR pipeline raised %s", type(exc).__name__)
        return OcrFailure(ENGINE_FAILED, f"{type(exc).__name__}: {exc}")


def _send_outcome(conn: Connection, outcome: OcrResult | OcrFailure) -> None:
    if isinstance(outcome, OcrFailure):
        conn.send(("fail", outcome.code, outcome.message))
    else:
        conn.send(("ok", outcome))


class OcrProcess:
    """One child process and the parent's end of its pipe."""

    def __init__(self, index: int, spec: EngineSpec) -> None:
        if spec.prepare_ahead is None:
            spec = replace(spec, prepare_ahead=usable_cpus() > 1)
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
        proc = self._proc  # the feeder thread may replace it meanwhile
        try:
            return proc.pid if proc is not None else None
        except ValueError:  # closed by kill() in between
            return None

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

    @property
    def alive(self) -> bool:
        """Started and not dead."""
        return self._conn is not None and self._proc is not None and self._proc.is_alive()

    @property
    def exitcode(self) -> int | None:
        """How the child ended (``None`` while it runs or when there is none)."""
        return self._proc.exitcode if self._proc is not None else None

    def ensure_started(self) -> None:
        """Start the child if it never was, or replace it if it died while idle.

        Raises:
            OcrFailure: as :meth:`start`.
        """
        if self.alive:
            return
        if self._conn is not None:  # e.g. the OOM killer, between two images
            log.warning("OCR process %d died while idle; starting a new one", self.index)
            self.kill()
        self.start()

    def send(self, image: bytes, language: str) -> None:
        """Write a request into the child's pipe (answered in order by :meth:`reply`).

        Raises:
            OSError: no child, or its pipe broke.
        """
        if self._conn is None:
            raise OSError("no OCR process")
        self._conn.send((image, language))

    def reply(self, timeout_s: float) -> tuple[object, ...] | None:
        """The child's next answer, or ``None`` if none came within ``timeout_s``.

        Raises:
            EOFError, OSError: the child died (or there is none).
        """
        if self._conn is None:
            raise OSError("no OCR process")
        reply: tuple[object, ...] | None = (
            self._conn.recv() if self._conn.poll(max(0.0, timeout_s)) else None
        )
        return reply

    def recognize(self, image: bytes, language: str, timeout_s: float) -> OcrResult:
        """Read one image in the child, killing and replacing it after ``timeout_s``.

        Raises:
            OcrFailure: the engine's failure, or ``TIMEOUT``.
            ChildDied: the process died while reading (it has been replaced).
        """
        self.ensure_started()
        t0 = time.perf_counter()
        try:
            self.send(image, language)
            reply = self.reply(timeout_s)
        except (EOFError, OSError) as exc:
            code = self.exitcode
            self.restart()
            raise ChildDied(f"OCR process died (exit code {code}): {exc!r}") from exc
        if reply is None:
            self.restart()
            raise OcrFailure(
                TIMEOUT, f"OCR took longer than {timeout_s:g} s; its process was killed"
            )
        # The child's duration plus the transfer both ways: what the item cost.
        return replace(_answer(reply), duration_s=time.perf_counter() - t0)

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


def _answer(reply: tuple[object, ...]) -> OcrResult:
    """The result in a child's reply (``("ok", result)``), or its failure raised."""
    if reply[0] == "fail":
        raise OcrFailure(str(reply[1]), str(reply[2]))
    result = reply[1]
    assert isinstance(result, OcrResult)
    return result


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

    A child that prepares ahead (:func:`_serve`) and dies with several requests in its
    pipe may have died preparing the next image rather than reading the first, so none of
    them is blamed: each is sent again alone to the new child, and only one that kills a
    child while alone in its pipe fails (:class:`ChildDied`). A child that does not
    prepare ahead only ever works on the first.
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
            if self.stopping:  # e.g. the pool was killed while a crash was being handled
                self._fail([*sent, *retry], ChildDied("OCR pool stopped"))
                return
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
                first = not sent
                if self._send(req, sent):
                    if first:  # after a possible start: the engine's load is not its time
                        head_since = time.perf_counter()
                    sent.append(req)
            alone = alone and bool(sent)
            if not sent:
                continue
            head = sent[0]
            left = head.timeout_s - (time.perf_counter() - head_since)
            # With room in the pipe, look at the inbox again every few milliseconds.
            wait = min(left, _IDLE_POLL_S) if len(sent) < depth else left
            try:
                reply = self.proc.reply(wait)
            except (EOFError, OSError) as exc:
                code = self.proc.exitcode
                if len(sent) > 1 and self.proc.spec.prepare_ahead:
                    # It may have died preparing the next image, not reading this one.
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
            try:
                head.finish(result=replace(_answer(reply), duration_s=now - head_since))
            except OcrFailure as exc:
                head.finish(error=exc)
            head_since = now

    def _send(self, req: _Request, sent: list[_Request]) -> bool:
        """Write ``req`` into the pipe, starting a child first if there is none alive.

        False when ``req`` was answered already (the child cannot start) or was queued
        behind requests of a dead child (the reader replaces it and resends them).
        """
        if sent and not self.proc.alive:
            sent.append(req)  # the reader sees the death first and resends everything
            return False
        try:
            if not sent:
                self.proc.ensure_started()
            self.proc.send(req.image, req.language)
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
            for r in sent:
                self.proc.send(r.image, r.language)
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
        # Worst case: the image ahead crashes its process, crashes it again alone, then
        # this one is read; each after a restart.
        if not req.done.wait((PIPE_DEPTH + 1) * timeout_s + 2 * START_TIMEOUT_S):
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
        if spec.prepare_ahead is None:
            spec = replace(spec, prepare_ahead=size < usable_cpus())
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
            "%d OCR processes ready with engine %s (next image prepared ahead: %s)",
            len(self.processes),
            self.engine_name,
            "yes" if self.spec.prepare_ahead else "no",
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
