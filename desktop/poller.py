"""Live progress: a timer that asks the database what changed since the last tick.

Each tick runs :func:`changes_since` (and, every few ticks, the queue depth) in the
:class:`TaskRunner`; results come back as signals the window and the detail view apply
in place. A tick never overlaps the previous one.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.tasks import TaskRunner
from ocrjobs.adapters.ports import QueueDepth
from ocrjobs.domain.model import Changes, JobSummary
from ocrjobs.domain.status import JobStatus
from ocrjobs.services import dispatch, maintenance, orphans
from ocrjobs.services import jobs as job_service
from ocrjobs.services.context import Context

log = logging.getLogger(__name__)

DEPTH_EVERY = 5
"""Ask SQS for the queue depth every this many ticks (it is a network call)."""
REQUEUE_EVERY = 30
"""Every this many ticks (a minute at the default 2 s) resend never-queued items."""
ORPHAN_SWEEP_S = 3600.0
"""Seconds between two sweeps for S3 images no job points at
(:mod:`ocrjobs.services.orphans`); the first comes :data:`FIRST_ORPHAN_SWEEP_S` after
start, so a window opening is not slowed by it."""
FIRST_ORPHAN_SWEEP_S = 600.0
RATE_WINDOW = 60.0
ACTIVE = frozenset({JobStatus.PENDING, JobStatus.PROCESSING})


@dataclass(frozen=True)
class Tick:
    """One poll's result."""

    changes: Changes
    depth: QueueDepth | None
    depth_error: str = ""
    job_id: UUID | None = None
    """The job whose items ``changes`` holds (the detail view's when the tick began)."""


class Poller(QObject):
    """Polls ``changes_since`` every ``interval`` seconds while a context is available."""

    jobs_changed = Signal(object)
    """``tuple[JobSummary, ...]`` changed since the last tick."""
    items_changed = Signal(object, object)
    """``(job_id, tuple[JobItem, ...])`` for the job shown in the detail view."""
    job_finished = Signal(object)
    """A ``JobSummary`` whose job went from pending/processing to done/error/expired."""
    connection_changed = Signal(bool, str)
    """``(ok, message)`` after every tick."""
    depth_changed = Signal(object)
    """``QueueDepth`` (or ``None`` when SQS could not be asked)."""
    rate_changed = Signal(float)
    """Items finished per minute over the last minute."""

    def __init__(
        self,
        runner: TaskRunner,
        context: Callable[[], Context | None],
        parent: QObject | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._context = context
        self._monotonic = monotonic
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.tick)
        self._busy = False
        self._ticks = 0
        self._watermark: datetime | None = None
        self._status: dict[UUID, JobStatus] = {}
        self._finished_counts: dict[UUID, int] = {}
        self._finished_events: deque[tuple[float, int]] = deque()
        self.detail_job: UUID | None = None
        self.ok: bool | None = None
        self._next_orphan_sweep = monotonic() + FIRST_ORPHAN_SWEEP_S

    def start(self, interval_s: float) -> None:
        ctx = self._context()
        if ctx is not None and self._watermark is None:
            self._watermark = ctx.clock()
        self._timer.start(max(200, int(interval_s * 1000)))

    def stop(self) -> None:
        self._timer.stop()

    def reset(self) -> None:
        """Forget the watermark and known statuses (a new backend was started)."""
        self._watermark = None
        self._status.clear()
        self._finished_counts.clear()
        self._finished_events.clear()
        self.ok = None

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    @property
    def busy(self) -> bool:
        """A poll is in flight (the next tick does nothing)."""
        return self._busy

    def note(self, summaries: tuple[JobSummary, ...] | list[JobSummary]) -> None:
        """Remember statuses seen elsewhere (loaded pages, created jobs) for finish detection."""
        for s in summaries:
            self._status.setdefault(s.id, s.job.status)
            self._finished_counts.setdefault(s.id, s.counts.finished)

    def tick(self) -> None:
        """Poll once now (no-op while a poll is in flight or there is no context)."""
        ctx = self._context()
        if ctx is None or self._busy:
            return
        self._busy = True
        self._ticks += 1
        with_depth = self._ticks % DEPTH_EVERY == 1
        with_requeue = self._ticks % REQUEUE_EVERY == 0
        watermark, job_id = self._watermark, self.detail_job

        def poll() -> Tick:
            if with_requeue:
                # Operators hold sqs:SendMessage (workers do not): items a crashed
                # submission committed but never queued are sent from here.
                try:
                    dispatch.requeue_unsent(ctx)
                except Exception:  # logged; the poll itself still counts
                    log.exception("resending unsent items failed")
            changes = job_service.changes_since(ctx, watermark, job_id)
            depth, depth_error = None, ""
            if with_depth:
                try:
                    depth = maintenance.queue_depth(ctx)
                except Exception as exc:  # reported in the status bar, the poll still counts
                    depth_error = str(exc)
            return Tick(changes, depth, depth_error, job_id)

        self._runner.run(poll, on_done=self._done, on_error=self._failed, label="poll")
        now = self._monotonic()
        if now >= self._next_orphan_sweep:
            self._next_orphan_sweep = now + ORPHAN_SWEEP_S
            self._sweep_orphans(ctx)

    def _sweep_orphans(self, ctx: Context) -> None:
        """Delete the images of submissions killed before their commit, on a task thread
        of its own (listing a large bucket takes a while; the poll goes on meanwhile).
        Operators hold s3:ListBucket and s3:DeleteObject on ``jobs/`` (workers do not)."""

        def failed(exc: BaseException) -> None:
            log.warning("sweeping images with no job failed: %s", exc)

        self._runner.run(
            lambda: orphans.sweep_orphan_objects(ctx),
            on_error=failed,
            label="orphan sweep",
        )

    def _done(self, tick: Tick) -> None:
        self._busy = False
        changes = tick.changes
        self._watermark = changes.watermark
        if self.ok is False:
            log.info("poll succeeded again")
        self.ok = True
        self.connection_changed.emit(True, "")
        now = self._monotonic()
        finished: list[JobSummary] = []
        for s in changes.jobs:
            before = self._status.get(s.id)
            if before in ACTIVE and s.job.status not in ACTIVE:
                finished.append(s)
            self._status[s.id] = s.job.status
            prev = self._finished_counts.get(s.id)
            if prev is not None and s.counts.finished > prev:
                self._finished_events.append((now, s.counts.finished - prev))
            self._finished_counts[s.id] = s.counts.finished
        while self._finished_events and now - self._finished_events[0][0] > RATE_WINDOW:
            self._finished_events.popleft()
        if changes.jobs:
            self.jobs_changed.emit(changes.jobs)
        # The job asked about, not the one selected now: the user may have moved on.
        if tick.job_id is not None and changes.items:
            self.items_changed.emit(tick.job_id, changes.items)
        if tick.depth is not None or tick.depth_error:
            self.depth_changed.emit(tick.depth)
        self.rate_changed.emit(float(sum(n for _, n in self._finished_events)))
        for s in finished:
            self.job_finished.emit(s)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        message = getattr(exc, "message", None) or str(exc)
        if self.ok is not False:  # log the transition, not every failed tick
            log.warning("poll failed: %s", message)
        else:
            log.debug("poll failed again: %s", message)
        self.ok = False
        self.connection_changed.emit(False, str(message))
