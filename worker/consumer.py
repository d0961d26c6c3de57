"""The consume loop: receive, claim, fetch, OCR, record, and only then delete the message.

One :class:`Worker` per process. Its thread of control:

* the **receive loop** (the caller's thread) long-polls SQS for at most as many messages
  as it has free capacity (``concurrency + prefetch`` plus a small buffer, ≤ 10 per
  call). The buffer is sized from the recent OCR time per item to hold about
  ``buffer_seconds`` of work (none for full pages, up to 20 small images), so fast items
  are received 10 at a time instead of one request per item, and slow ones are never
  hidden in this process while another worker could take them;
* **handler threads** each take one message through decode → claim → S3 download → OCR
  in a child process (:mod:`worker.pool`, through
  :func:`worker.ocr.preprocess.recognize_document`) → result → delete. An image whose
  bytes were already read with the same OCR profile reuses that result instead.
  A gate lets at most ``concurrency + prefetch`` items be between claim and OCR result:
  the prefetched ones are claimed and downloaded while the OCR processes are busy, which
  keeps them fed. The default prefetch adapts: one item per OCR process for full pages,
  up to :data:`MAX_AHEAD` for small images (whose OCR is shorter than their download);
* a **visibility keeper** extends every message held longer than half the visibility
  timeout, so a long item is never delivered to a second worker;
* an **acknowledger** (:mod:`worker.acks`) deletes finished messages in batches of up to
  10, and an **audit writer** (:mod:`ocrjobs.services.audit_writer`) writes the item
  events in batches of up to 25, both within a fraction of a second;
* a **sweeper** runs the core's sweeps (expiry, unsent items, dead letters) periodically;
* a **heartbeat** logs items done, throughput and queue depth.

Failures: an :class:`~worker.ocr.engine.OcrFailure` or a missing object fails the item
(ERROR with a stable code) and deletes the message. Anything else (database or AWS
unreachable, throttling, a crashed OCR process, a bug) keeps the message and hides it
for a backoff drawn from its receive count; after ``maxReceiveCount`` deliveries SQS
moves it to the dead-letter queue and the sweeper marks the item ERROR. An undecodable
body is logged and left alone to reach the dead-letter queue the same way.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from ocrjobs.adapters.aws_errors import is_transient
from ocrjobs.adapters.messages import BadMessage, ItemMessage, decode
from ocrjobs.adapters.ports import ReceivedMessage
from ocrjobs.domain.errors import ObjectMissing, OcrJobsError
from ocrjobs.services import processing
from ocrjobs.services.audit_writer import AuditWriter
from ocrjobs.services.context import Context
from ocrjobs.services.maintenance import (
    expire_jobs,
    fail_stuck,
    queue_depth,
    sweep_dead_letters,
)
from ocrjobs.services.retry import backoff_seconds
from worker.acks import Acknowledger
from worker.ocr.engine import OcrFailure, OcrResult
from worker.pool import ChildDied, Slot, Slots, usable_cpus

log = logging.getLogger(__name__)

MAX_BATCH = 10
"""SQS returns at most 10 messages per receive."""
MAX_BUFFER = 2 * MAX_BATCH
"""Most messages received ahead of the handlers."""
MAX_AHEAD = 3
"""Most items claimed and downloaded ahead per OCR process (adaptive prefetch)."""
PREPARE_S = 0.1
"""About how long preparing an item (claim, download) may take while the OCR runs."""


@dataclass(frozen=True)
class WorkerOptions:
    """How one worker process runs (its backends come from the core ``Settings``).

    Attributes:
        concurrency: OCR processes.
        prefetch: Extra items claimed and downloaded ahead while every OCR process is
            busy. ``None``: adaptive, one to :data:`MAX_AHEAD` per OCR process (more
            for small, fast images). They are released on shutdown.
        buffer_seconds: Messages received ahead of the handlers (not yet claimed) cover
            about this many seconds of OCR at the recent pace, at most
            :data:`MAX_BUFFER`; 0 disables the buffer. Lets small images be received
            10 per request; full pages (seconds each) get no buffer.
        wait_seconds: Long-poll wait of each receive (SQS allows 0-20).
        drain: Stop once a receive comes back empty and nothing is in flight.
        once: Handle the messages of one receive, then stop.
        engine: OCR engine name (``None``: the ``ocr_engine`` setting, else the fastest).
        psm: Tesseract page segmentation mode.
        prepare_ahead: Each OCR process prepares its next image on a second thread
            (``None``: when the processes leave a CPU free; see
            :attr:`worker.pool.EngineSpec.prepare_ahead`).
        backoff_base: First backoff window for transient failures, in seconds.
        backoff_cap: Largest backoff window, in seconds.
        sweep_interval: Seconds between maintenance sweeps (0 disables them).
        heartbeat_interval: Seconds between heartbeat log lines (0 disables them).
    """

    concurrency: int = field(default_factory=usable_cpus)  # one OCR process per CPU
    prefetch: int | None = None
    buffer_seconds: float = 2.0
    wait_seconds: int = 20
    drain: bool = False
    once: bool = False
    engine: str | None = None
    psm: int = 3
    prepare_ahead: bool | None = None
    backoff_base: float = 2.0
    backoff_cap: float = 900.0
    sweep_interval: float = 60.0
    heartbeat_interval: float = 60.0

    @property
    def capacity(self) -> int:
        """Items at once between claim and OCR result: one per OCR process plus the
        prefetch (the adaptive prefetch starts at one per process)."""
        prefetch = self.concurrency if self.prefetch is None else self.prefetch
        return max(1, self.concurrency + max(prefetch, 0))

    @property
    def max_prefetch(self) -> int:
        """The largest prefetch this worker may use."""
        if self.prefetch is None:
            return MAX_AHEAD * self.concurrency
        return max(self.prefetch, 0)


@dataclass
class _Held:
    """A message this process holds (for the visibility keeper)."""

    message: ReceivedMessage
    received_at: float
    extended_at: float
    done: bool = False


@dataclass
class Stats:
    """Counters for the heartbeat and for tests."""

    done: int = 0
    failed: int = 0
    skipped: int = 0
    retried: int = 0
    undecodable: int = 0
    released: int = 0

    @property
    def finished(self) -> int:
        """Items that got a result (DONE or ERROR)."""
        return self.done + self.failed

    def add(self, name: str) -> None:
        """Count one more ``name`` (thread-safe)."""
        with _STATS_LOCK:
            setattr(self, name, getattr(self, name) + 1)


_STATS_LOCK = threading.Lock()


class Pace:
    """Recent OCR time per item: an exponential moving average (thread-safe)."""

    def __init__(self, weight: float = 0.2) -> None:
        self.weight = weight
        self.mean: float | None = None
        self._lock = threading.Lock()

    def observe(self, seconds: float) -> None:
        """Take one more item's OCR time into account."""
        with self._lock:
            if self.mean is None:
                self.mean = seconds
            else:
                self.mean += self.weight * (seconds - self.mean)

    def ahead(self) -> int:
        """Items to claim and download ahead per OCR process: enough to hide about
        :data:`PREPARE_S` of preparation (claim, S3 GET) behind the OCR, 1 to 3."""
        with self._lock:
            mean = self.mean
        if mean is None:
            return 1
        return 1 + min(MAX_AHEAD - 1, int(PREPARE_S / max(mean, 1e-3)))

    def buffer(self, window_s: float, processes: int) -> int:
        """Messages that ``processes`` OCR processes read in about ``window_s`` seconds."""
        with self._lock:
            mean = self.mean
        if mean is None or window_s <= 0:
            return 0  # nothing measured yet: no buffer (pages may take seconds each)
        return min(MAX_BUFFER, int(window_s * processes / max(mean, 1e-3)))


class Worker:
    """The consumer of one process (see the module docstring).

    Args:
        ctx: The core's context (database, S3, SQS, DynamoDB).
        slots: The OCR processes (:class:`worker.pool.OcrPool`).
        options: How to run.
        clock: Monotonic seconds (tests may pass a fake).
    """

    def __init__(
        self,
        ctx: Context,
        slots: Slots,
        options: WorkerOptions | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.slots = slots
        self.options = options or WorkerOptions()
        self.clock = clock
        self.stats = Stats()
        self.pace = Pace()
        self.visibility = ctx.settings.visibility_timeout
        # Both flush within a fraction of the visibility timeout (see worker.acks).
        delay = min(0.25, self.visibility / 10)
        self.acks = Acknowledger(ctx.queue, max_delay=delay)
        self.events = AuditWriter(ctx, max_delay=0.5)
        self.ctx = replace(ctx, live_events=self.events)
        self._stopping = threading.Event()
        self._finished = threading.Event()
        self._shutdown = threading.Event()
        self._lock = threading.Condition()
        self._held: dict[str, _Held] = {}
        self._active = 0  # items between claim and OCR result (see _enter_pipeline)
        self._threads: list[threading.Thread] = []

    # -- control ------------------------------------------------------------------------

    @property
    def stopping(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stopping.is_set()

    def stop(self) -> None:
        """Stop receiving; in-flight items finish, prefetched ones are released."""
        if not self._stopping.is_set():
            log.info("stopping: no more receives, finishing %d in-flight", self.in_flight)
        self._stopping.set()
        with self._lock:
            self._lock.notify_all()

    @property
    def in_flight(self) -> int:
        """Messages held right now."""
        with self._lock:
            return len(self._held)

    def wait_finished(self, timeout: float | None = None) -> bool:
        """Wait until :meth:`run` has returned."""
        return self._finished.wait(timeout)

    # -- the loop -----------------------------------------------------------------------

    def run(self) -> int:
        """Start the OCR processes and consume until stopped, drained or done once.

        Returns:
            The process exit code (0).

        Raises:
            OcrFailure: No OCR engine can run here (nothing was received).
        """
        opts = self.options
        try:
            self.slots.start()
            log.info(
                "worker started: concurrency=%d capacity=%d engine=%s queue=%s "
                "visibility=%ss item_timeout=%ss",
                opts.concurrency,
                opts.capacity,
                self.slots.engine_name,
                self.ctx.queue.name,
                self.visibility,
                self.ctx.settings.item_timeout,
            )
            self._start_thread("visibility", self._keep_visible)
            if opts.sweep_interval > 0:
                self._start_thread("sweeper", self._sweep_loop)
            if opts.heartbeat_interval > 0:
                self._start_thread("heartbeat", self._heartbeat_loop)
            # Threads for the items between claim and OCR result, plus one per OCR process
            # writing a result; buffered messages wait in the executor's queue, not in
            # threads (each thread costs memory: its stack and, in glibc, a malloc arena).
            threads = 2 * opts.concurrency + opts.max_prefetch
            with ThreadPoolExecutor(threads, thread_name_prefix="item") as pool:
                self._receive_loop(pool)
                # Leaving the with-block waits for every in-flight item.
            log.info(
                "worker stopped: done=%d failed=%d skipped=%d retried=%d released=%d",
                self.stats.done,
                self.stats.failed,
                self.stats.skipped,
                self.stats.retried,
                self.stats.released,
            )
            return 0
        finally:
            self._stopping.set()
            self._shutdown.set()
            for t in self._threads:
                t.join(timeout=10)
            self.acks.close()
            self.events.close()
            self.slots.close()
            self._finished.set()

    def _start_thread(self, name: str, target: Callable[[], None]) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    def _receive_loop(self, pool: ThreadPoolExecutor) -> None:
        opts = self.options
        errors = 0
        while not self.stopping:
            buffer = self.pace.buffer(opts.buffer_seconds, opts.concurrency)
            # With a buffer, wait until a whole batch (or half the buffer) fits.
            wanted = min(MAX_BATCH, max(1, buffer // 2))
            with self._lock:
                free = self._pipeline_limit() + buffer - len(self._held)
                if free < wanted:
                    self._lock.wait(timeout=1.0)
                    continue
            try:
                messages = self.ctx.queue.receive(
                    max_messages=min(free, MAX_BATCH),
                    wait_seconds=opts.wait_seconds,
                    visibility_timeout=self.visibility,
                )
            except Exception as exc:  # the loop survives any failure of a receive
                errors += 1
                delay = backoff_seconds(errors, base=1.0, cap=30.0)
                # A missing queue or denied access will not heal by itself: say so loudly.
                permanent = isinstance(exc, OcrJobsError) and not is_transient(exc)
                log.log(
                    logging.ERROR if permanent else logging.WARNING,
                    "receive failed (%s); retrying in %.1fs",
                    exc,
                    delay,
                    extra={"queue": self.ctx.queue.name, "attempt": errors},
                )
                self._stopping.wait(delay)
                continue
            errors = 0
            if self.stopping:
                self._release_messages(messages)
                break
            if not messages:
                if opts.once or (opts.drain and self.in_flight == 0):
                    log.info("queue %s empty: stopping", self.ctx.queue.name)
                    break
                if opts.wait_seconds == 0:  # no long poll to pace the loop: do not spin
                    self._stopping.wait(0.05)
                continue
            now = self.clock()
            with self._lock:
                for m in messages:
                    self._held[m.receipt_handle] = _Held(m, now, now)
            for m in messages:
                pool.submit(self._handle, m)
            if opts.once:
                break

    def _release_messages(self, messages: list[ReceivedMessage]) -> None:
        for m in messages:
            self._release_message(m)

    def _release_message(self, m: ReceivedMessage) -> None:
        """Make a message we will not work on visible again at once."""
        try:
            self.ctx.queue.change_visibility(m.receipt_handle, 0)
        except OcrJobsError as exc:
            log.warning("could not release message %s: %s", m.message_id, exc, extra=_ids(m))
        else:
            self.stats.add("released")
            log.info("released message %s", m.message_id, extra=_ids(m))

    # -- one message --------------------------------------------------------------------

    def _handle(self, m: ReceivedMessage) -> None:
        try:
            self._process(m)
        except Exception as exc:  # a message never takes the loop down
            self._retry_later(m, exc)
        finally:
            with self._lock:
                held = self._held.pop(m.receipt_handle, None)
                if held is not None:
                    held.done = True
                self._lock.notify_all()

    def _process(self, m: ReceivedMessage) -> None:
        t0 = time.perf_counter()
        if self.stopping:  # received just before the stop: not started, hand it back
            self._release_message(m)
            return
        try:
            msg = decode(m.body)
        except BadMessage as exc:
            # Left alone: it comes back after the visibility timeout and SQS moves it to
            # the dead-letter queue after maxReceiveCount deliveries.
            self.stats.add("undecodable")
            log.error("undecodable message %s: %s", m.message_id, exc.message, extra=_ids(m))
            return
        ids = _ids(m, msg)
        if not self._enter_pipeline():  # stopping while it waited: not started
            self._release_message(m)
            return
        try:
            read = self._claim_and_read(m, msg, ids, t0)
        finally:
            self._leave_pipeline()
        if read is None:
            return
        c, result, profile, fetched = read
        duration = time.perf_counter() - t0
        recorded = processing.complete(
            self.ctx,
            c,
            result.text,
            confidence=result.mean_confidence,
            duration_s=round(duration, 3),
            engine=result.engine,
            words=result.words,
            ocr_profile=result.profile or profile,
        )
        self.acks.ack(m.receipt_handle)
        if recorded:
            self.stats.add("done")
        log.info(
            "item %s %s",
            c.item_id,
            "done" if recorded else "done but dropped (claim lost)",
            extra={
                **ids,
                "chars": len(result.text),
                "confidence": result.mean_confidence,
                "engine": result.engine,
                "fetch_s": round(fetched - t0, 3),
                "ocr_s": round(result.duration_s, 3),
                "duration_s": round(duration, 3),
            },
        )

    def _pipeline_limit(self) -> int:
        """Items allowed between claim and OCR result: the OCR processes plus prefetch."""
        opts = self.options
        if opts.prefetch is not None:
            return opts.concurrency + max(opts.prefetch, 0)
        return opts.concurrency + opts.concurrency * self.pace.ahead()

    def _enter_pipeline(self) -> bool:
        """Wait for room to claim one more item; False when stopping meanwhile."""
        with self._lock:
            while self._active >= self._pipeline_limit():
                if self.stopping:
                    return False
                self._lock.wait(timeout=0.25)
            if self.stopping:
                return False
            self._active += 1
            return True

    def _leave_pipeline(self) -> None:
        with self._lock:
            self._active -= 1
            self._lock.notify_all()

    def _claim_and_read(
        self, m: ReceivedMessage, msg: ItemMessage, ids: dict[str, object], t0: float
    ) -> tuple[processing.Claim, OcrResult, str, float] | None:
        """Claim, download and OCR one item: (claim, result, profile, fetched) to record,
        or ``None`` when it was skipped, failed, reused a result or was handed back."""
        outcome = processing.claim(self.ctx, msg, message_id=m.message_id)
        if isinstance(outcome, processing.Skip):
            self.acks.ack(m.receipt_handle)
            self.stats.add("skipped")
            log.info("skipped message %s: %s", m.message_id, outcome.reason, extra=ids)
            return None
        c = outcome
        try:
            image = processing.fetch_image(self.ctx, c)
        except ObjectMissing as exc:
            self._record_failure(m, c, exc.code, exc.message, t0, ids)
            return None
        fetched = time.perf_counter()
        profile = self.slots.profile(c.language)
        previous = processing.previous_result(self.ctx, c, profile)
        if previous is not None:  # the same bytes were read with the same profile: reuse
            recorded = processing.complete(
                self.ctx,
                c,
                previous.text,
                confidence=previous.confidence,
                duration_s=round(time.perf_counter() - t0, 3),
                engine=self.slots.engine_name,
                words=previous.words,
                ocr_profile=profile,
                reused_from=previous.item_id,
            )
            self.acks.ack(m.receipt_handle)
            if recorded:
                self.stats.add("done")
            log.info(
                "item %s done: reused the result of item %s",
                c.item_id,
                previous.item_id,
                extra={**ids, "reused_from": str(previous.item_id)},
            )
            return None
        slot = self._wait_for_slot()
        if slot is None:  # shutting down before OCR started: hand the item back
            processing.release(self.ctx, c)
            self._release_message(m)
            return None
        try:
            result = slot.recognize(image, c.language, float(self.ctx.settings.item_timeout))
        except OcrFailure as exc:
            self.slots.release(slot)
            self._record_failure(m, c, exc.code, exc.message, t0, ids)
            return None
        except BaseException:
            self.slots.release(slot)
            raise
        self.slots.release(slot)
        self.pace.observe(result.duration_s)
        return c, result, profile, fetched

    def _wait_for_slot(self) -> Slot | None:
        while not self.stopping:
            slot = self.slots.acquire(timeout=0.25)
            if slot is not None:
                if self.stopping:
                    self.slots.release(slot)
                    return None
                return slot
        return None

    def _record_failure(
        self,
        m: ReceivedMessage,
        c: processing.Claim,
        code: str,
        message: str,
        t0: float,
        ids: dict[str, object],
    ) -> None:
        duration = round(time.perf_counter() - t0, 3)
        recorded = processing.fail(self.ctx, c, code, message, duration_s=duration)
        self.acks.ack(m.receipt_handle)
        if recorded:
            self.stats.add("failed")
        log.warning(
            "item %s failed: %s: %s",
            c.item_id,
            code,
            message,
            extra={**ids, "code": code, "duration_s": duration},
        )

    def _retry_later(self, m: ReceivedMessage, exc: Exception) -> None:
        """Keep the message and hide it for a backoff drawn from its receive count."""
        self.stats.add("retried")
        # Full jitter may draw ~0: wait at least a second (the tests once saw the
        # message come straight back into the same drain run).
        delay = max(
            1,
            round(
                backoff_seconds(
                    m.receive_count, base=self.options.backoff_base, cap=self.options.backoff_cap
                )
            ),
        )
        transient = isinstance(exc, OcrJobsError | ChildDied)
        log.log(
            logging.WARNING if transient else logging.ERROR,
            "message %s will be retried in %ds: %s: %s",
            m.message_id,
            delay,
            type(exc).__name__,
            exc,
            exc_info=not transient,
            extra={**_ids(m), "retry_in_s": delay},
        )
        try:
            self.ctx.queue.change_visibility(m.receipt_handle, delay)
        except Exception as again:  # it comes back after the visibility timeout anyway
            log.warning("could not delay message %s: %s", m.message_id, again, extra=_ids(m))

    # -- background threads -------------------------------------------------------------

    def _keep_visible(self) -> None:
        """Extend every message held for more than half the visibility timeout."""
        half = self.visibility / 2
        tick = max(0.2, min(5.0, self.visibility / 6))
        while not self._shutdown.wait(tick):
            now = self.clock()
            with self._lock:
                due = [h for h in self._held.values() if now - h.extended_at >= half]
            for h in due:
                if h.done:  # finished (and maybe re-hidden for a backoff) meanwhile
                    continue
                try:
                    self.ctx.queue.change_visibility(h.message.receipt_handle, self.visibility)
                except Exception as exc:
                    log.warning(
                        "could not extend message %s: %s",
                        h.message.message_id,
                        exc,
                        extra=_ids(h.message),
                    )
                    continue
                h.extended_at = now
                log.debug(
                    "extended message %s by %ss (held %.1fs)",
                    h.message.message_id,
                    self.visibility,
                    now - h.received_at,
                    extra=_ids(h.message),
                )

    def _sweep_loop(self) -> None:
        # The first sweep shortly after start-up, then one per interval.
        delay = min(5.0, self.options.sweep_interval)
        while not self._stopping.wait(delay):
            self.sweep()
            delay = self.options.sweep_interval

    def sweep(self) -> None:
        """Run the core's sweeps once; several workers may sweep at the same time.

        Each sweep's updates are conditional on the current status, so racing workers
        never double-count: jobs past their retention deadline expire, items whose
        message reached the dead-letter
        queue are marked ERROR, and so are items PROCESSING far longer than any worker
        holds one (``stuck_after_seconds``).
        """
        sweeps: list[tuple[str, Callable[[], object]]] = [
            ("expire", lambda: len(expire_jobs(self.ctx))),
            ("dead_letters", lambda: sweep_dead_letters(self.ctx)),
            ("stuck", lambda: fail_stuck(self.ctx)),
        ]
        for name, run in sweeps:
            t0 = time.perf_counter()
            try:
                n = run()
            except Exception as exc:  # a failed sweep is retried at the next interval
                log.warning("sweep %s failed: %s", name, exc, extra={"sweep": name})
                continue
            if n:
                log.info(
                    "sweep %s: %s",
                    name,
                    n,
                    extra={"sweep": name, "count": n, "duration_s": time.perf_counter() - t0},
                )

    def _heartbeat_loop(self) -> None:
        interval = self.options.heartbeat_interval
        last_t, last_n = self.clock(), 0
        while not self._stopping.wait(interval):
            now, n = self.clock(), self.stats.finished
            try:
                depth = queue_depth(self.ctx)
                visible, hidden = depth.visible, depth.in_flight
            except Exception:
                visible = hidden = -1
            log.info(
                "heartbeat",
                extra={
                    "heartbeat": True,
                    "items_done": self.stats.done,
                    "items_failed": self.stats.failed,
                    "items_skipped": self.stats.skipped,
                    "retries": self.stats.retried,
                    "in_flight": self.in_flight,
                    "items_per_s": round((n - last_n) / max(now - last_t, 1e-9), 3),
                    "queue_visible": visible,
                    "queue_in_flight": hidden,
                    "audit_pending": self.events.pending,
                    "audit_dropped": self.events.dropped,
                    "deletes_failed": self.acks.failed,
                },
            )
            last_t, last_n = now, n


def _ids(m: ReceivedMessage, msg: ItemMessage | None = None) -> dict[str, object]:
    out: dict[str, object] = {"message_id": m.message_id, "receive_count": m.receive_count}
    if msg is not None:
        out["job_id"] = str(msg.job_id)
        out["item_id"] = str(msg.item_id)
    return out
