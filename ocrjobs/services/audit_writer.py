"""The worker's audit events, written in the background in batches.

A worker writes two events per item (``ITEM_STARTED``, then ``ITEM_DONE`` or
``ITEM_FAILED``). One ``PutItem`` each would cost two DynamoDB requests per item in the
item's own thread; on small images that is more time than the OCR. The writer queues
each event (timestamped when it happened, so the trail's order is unchanged) and a
thread writes them with ``BatchWriteItem``, 25 per request, at most ``max_delay``
seconds after the oldest one was queued.

After each batch the jobs involved are looked up in the database (one query): the
events just written for a job deleted meanwhile are removed again by key, so a worker
finishing an item just as its job is deleted leaves nothing of the job behind (see
``jobs.delete_job``, which deletes rows, then objects, then the events).

Events DynamoDB did not take (throttling, an outage) are retried with a growing pause;
the queue is bounded by ``max_pending`` (beyond it the oldest events are dropped with an
error in the log). :meth:`AuditWriter.close` writes what is queued (a graceful stop); a
process killed outright loses at most the last ``max_delay`` seconds of events. The
database, not the audit log, holds the items' states, so nothing else is lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from uuid import UUID

from ocrjobs.domain.errors import OcrJobsError
from ocrjobs.domain.model import AuditEvent
from ocrjobs.services.audit import make_event
from ocrjobs.services.batching import wait_for_batch
from ocrjobs.services.context import Context
from ocrjobs.services.retry import backoff_seconds

log = logging.getLogger(__name__)

BATCH = 25
"""Events per ``BatchWriteItem`` request (DynamoDB's limit)."""


class AuditWriter:
    """Queue audit events and write them in batches from a background thread.

    Args:
        ctx: The context whose ``audit`` log and database are used.
        max_delay: Longest time an event waits in the queue, in seconds.
        max_pending: Most events kept while DynamoDB refuses them.
    """

    def __init__(self, ctx: Context, *, max_delay: float = 0.5, max_pending: int = 10_000) -> None:
        self.ctx = ctx
        self.max_delay = max_delay
        self.max_pending = max_pending
        self.written = 0
        self.dropped = 0
        self._pending: deque[tuple[float, AuditEvent]] = deque()
        self._queued = 0
        self._settled = 0  # written or dropped: flush() waits for this to catch up
        self._cond = threading.Condition()
        self._closing = False
        self._flush_to = 0
        self._thread: threading.Thread | None = None

    def record(self, job_id: UUID | str, action: str, **details: object) -> AuditEvent:
        """Queue an event of ``job_id`` (timestamped now) and return it."""
        event = make_event(self.ctx, str(job_id), action, dict(details))
        with self._cond:
            closing = self._closing
            if not closing:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="audit", daemon=True)
                    self._thread.start()
                self._pending.append((time.monotonic(), event))
                self._queued += 1
                wake = len(self._pending) in (1, BATCH)
                if len(self._pending) > self.max_pending:
                    _, lost = self._pending.popleft()
                    self._settle(dropped=1)
                    log.error(
                        "audit queue full (%d): dropped event %s %s of job %s",
                        self.max_pending,
                        lost.action,
                        lost.event_id,
                        lost.job_id,
                    )
                # The thread waits for the first event, then for a full batch or the
                # oldest one's deadline: waking it for every event only costs CPU.
                if wake:
                    self._cond.notify_all()
        # A writer already closed writes a late event at once.
        if closing and self._write([event]):
            log.error("audit: event %s of job %s not written", event.action, event.job_id)
        return event

    @property
    def pending(self) -> int:
        """Events queued and not written yet."""
        with self._cond:
            return len(self._pending)

    def flush(self, timeout: float | None = None) -> bool:
        """Write everything queued so far; False if that took longer than ``timeout``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            target = self._queued
            self._flush_to = max(self._flush_to, target)
            self._cond.notify_all()
            while self._settled < target:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(0.05 if left is None else min(left, 0.05))
        return True

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued (waiting at most ``timeout``) and stop the thread."""
        self.flush(timeout)
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        with self._cond:
            if self._pending:
                log.error("audit writer stopped with %d events not written", len(self._pending))

    # -- the thread ---------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        while True:
            with self._cond:
                while not self._pending and not self._closing:
                    self._cond.wait()
                if not self._pending:
                    return
                # Wait for a full batch, the oldest event's deadline, a flush or the end.
                wait_for_batch(
                    self._cond,
                    self._pending,
                    BATCH,
                    self.max_delay,
                    lambda: self._closing or self._flush_to > self._settled,
                )
                batch = [self._pending.popleft()[1] for _ in range(min(BATCH, len(self._pending)))]
            left = self._write(batch)
            with self._cond:
                if left:
                    # Back to the front, in order, for the next attempt.
                    self._pending.extendleft((time.monotonic(), e) for e in reversed(left))
                self._settle(written=len(batch) - len(left))
            if not left:
                failures = 0
                continue
            failures += 1
            if self._closing and failures > 3:
                with self._cond:
                    lost = len(self._pending)
                    self._pending.clear()
                    self._settle(dropped=lost)
                log.error("audit: gave up on %d events at shutdown", lost)
                return
            delay = backoff_seconds(failures, base=0.5, cap=30.0)
            log.warning("audit: %d events not written; retrying in %.1fs", len(left), delay)
            with self._cond:
                self._cond.wait_for(lambda: self._closing, timeout=delay)

    def _settle(self, *, written: int = 0, dropped: int = 0) -> None:
        # Called with the lock held.
        self.written += written
        self.dropped += dropped
        self._settled += written + dropped
        self._cond.notify_all()

    def _write(self, events: list[AuditEvent]) -> list[AuditEvent]:
        """Write ``events``; remove them again for jobs deleted meanwhile; return the rest."""
        try:
            left = self.ctx.audit.append_many(events)
        except OcrJobsError as exc:
            log.error("audit: %d events refused: %s", len(events), exc)
            return list(events)
        except Exception:  # a bug must not stop the thread: keep the events, log it
            log.exception("audit: writing %d events failed", len(events))
            return list(events)
        not_written = {id(e) for e in left}
        self._forget_deleted_jobs([e for e in events if id(e) not in not_written])
        return left

    def _forget_deleted_jobs(self, written: list[AuditEvent]) -> None:
        """Delete again (by key) the events just written for jobs that no longer exist."""
        ids: set[UUID] = set()
        for event in written:
            try:
                ids.add(UUID(event.job_id))
            except ValueError:
                continue  # not a job's partition (e.g. the deletions log)
        if not ids:
            return
        try:
            with self.ctx.uow() as uow:
                alive = {str(i) for i in uow.repo.existing_job_ids(list(ids))}
        except Exception as exc:  # the events are written; only the clean-up is missed
            log.warning("audit: could not check %d jobs still exist: %s", len(ids), exc)
            return
        orphans = [e for e in written if e.job_id not in alive]
        if not orphans:
            return
        try:
            self.ctx.audit.delete_many(orphans)
        except OcrJobsError:
            log.exception("could not remove %d audit events of deleted jobs", len(orphans))
        else:
            log.info("audit: removed %d events of deleted jobs", len(orphans))
