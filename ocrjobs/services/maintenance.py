"""Sweeps and operator actions: expiry, retry, dead letters, queue depth, connection checks."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy.engine import make_url

from ocrjobs.adapters.messages import BadMessage, decode
from ocrjobs.adapters.ports import QueueDepth
from ocrjobs.domain.errors import NotFound, OcrJobsError
from ocrjobs.domain.model import job_prefix
from ocrjobs.domain.status import ItemStatus
from ocrjobs.services import audit
from ocrjobs.services.context import Context
from ocrjobs.services.dispatch import send_items
from ocrjobs.services.jobs import parse_job_id
from ocrjobs.services.retry import retry_conflicts

log = logging.getLogger(__name__)

EXPIRED_MSG = (
    "expired: not processed before the job's retention deadline ({deadline}); "
    "retry the job to queue it again"
)
DEAD_LETTER_CODE = "DEAD_LETTER"


def expire_jobs(ctx: Context, now: datetime | None = None) -> list[UUID]:
    """Items still PENDING past their job's ``sqs_retention_deadline`` become ERROR/EXPIRED.

    The jobs' statuses are re-derived (all finished with an expired item: EXPIRED) and
    each job that this call changed gets one audit event. Every item update is
    conditional, so several workers may sweep at once without double counting.
    """
    now = now or ctx.clock()
    changed: dict[UUID, int] = {}
    while True:
        with ctx.uow(write=True) as uow:
            batch = uow.repo.expire_pending(now, EXPIRED_MSG.format(deadline=now.isoformat()))
            for job_id in batch:
                uow.repo.refresh_job_status(job_id, now)
            uow.commit()
        if not batch:
            break
        for job_id, n in batch.items():
            changed[job_id] = changed.get(job_id, 0) + n
    for job_id, n in changed.items():
        audit.record(ctx, job_id, audit.JOB_EXPIRED, strict=False, items=n)
        log.info("expired job=%s items=%d", job_id, n)
    return list(changed)


@retry_conflicts
def retry_items(
    ctx: Context, job_id: UUID | str, *, failed: bool = True, expired: bool = True
) -> int:
    """Re-queue a job's failed and/or expired items with a new retention deadline.

    Returns how many items were re-queued (0 when none matched).
    """
    jid = parse_job_id(job_id)
    now = ctx.clock()
    with ctx.uow(write=True) as uow:
        job = uow.repo.get_job(jid)
        if job is None:
            raise NotFound(f"no job with id {jid}")
        items = uow.repo.reset_for_retry(jid, failed=failed, expired=expired, now=now)
        if items:
            uow.repo.set_deadline(jid, now + ctx.retention, now)
            uow.repo.refresh_job_status(jid, now)
            audit.record(
                ctx, jid, audit.ITEMS_RETRIED, items=len(items), failed=failed, expired=expired
            )
        uow.commit()
    if items:
        send_items(ctx, items, {str(jid): job.language})
    log.info("retry job=%s items=%d", jid, len(items))
    return len(items)


def sweep_dead_letters(ctx: Context, max_batches: int = 10) -> int:
    """Mark the items whose messages reached the dead-letter queue ERROR, then drop them.

    Without this an item whose message kept failing would stay PENDING or PROCESSING
    forever. Returns how many items were marked.
    """
    marked = 0
    for _ in range(max_batches):
        messages = ctx.dlq.receive(max_messages=10, wait_seconds=0, visibility_timeout=60)
        if not messages:
            break
        for m in messages:
            try:
                msg = decode(m.body)
            except BadMessage as exc:
                # Nothing to mark; keep it for an administrator but stop re-reading it.
                log.error("undecodable dead letter message_id=%s: %s", m.message_id, exc)
                # SQS caps a message's total visibility at 12 h from its receive, part of
                # which is used already: asking for 12 h is refused and aborted the sweep.
                ctx.dlq.change_visibility(m.receipt_handle, 11 * 3600)
                continue
            now = ctx.clock()
            reason = (
                f"gave up after {m.receive_count} deliveries: the message was moved to the "
                f"dead-letter queue {ctx.dlq.name}"
            )
            with ctx.uow(write=True) as uow:
                ok = uow.repo.fail_unclaimed(
                    msg.item_id,
                    [ItemStatus.PENDING, ItemStatus.PROCESSING],
                    DEAD_LETTER_CODE,
                    reason,
                    now,
                )
                if ok:
                    uow.repo.refresh_job_status(msg.job_id, now)
                uow.commit()
            if ok:
                marked += 1
                audit.record(
                    ctx,
                    msg.job_id,
                    audit.ITEM_FAILED,
                    strict=False,
                    item_id=str(msg.item_id),
                    code=DEAD_LETTER_CODE,
                    reason=reason,
                )
                log.warning(
                    "dead letter job=%s item=%s message_id=%s marked ERROR",
                    msg.job_id,
                    msg.item_id,
                    m.message_id,
                )
            ctx.dlq.delete(m.receipt_handle)
    return marked


STUCK_CODE = "STUCK"


@retry_conflicts
def fail_stuck(ctx: Context, now: datetime | None = None) -> int:
    """Mark ERROR the items PROCESSING for longer than ``stuck_after_seconds``.

    A backstop for the dead-letter sweep: an item whose worker died and whose message is
    gone for good (e.g. past the queue's retention) would otherwise stay PROCESSING.
    Workers extend a message's visibility only while an item runs (at most the item
    timeout), so an hour without an update means nobody works on it. Conditional on the
    status, so several workers may sweep at once. Returns how many items were marked.
    """
    now = now or ctx.clock()
    limit = timedelta(seconds=ctx.settings.stuck_after_seconds)
    reason = (
        f"stuck: PROCESSING for more than {ctx.settings.stuck_after_seconds} s with no "
        "worker reporting; retry the job to queue it again"
    )
    marked: list[tuple[UUID, UUID]] = []
    with ctx.uow(write=True) as uow:
        for item in uow.repo.stale_processing(now - limit):
            if uow.repo.fail_unclaimed(item.id, [ItemStatus.PROCESSING], STUCK_CODE, reason, now):
                marked.append((item.job_id, item.id))
        for job_id in {j for j, _ in marked}:
            uow.repo.refresh_job_status(job_id, now)
        uow.commit()
    for job_id, item_id in marked:
        audit.record(
            ctx, job_id, audit.ITEM_FAILED, strict=False, item_id=str(item_id), code=STUCK_CODE
        )
        log.warning("stuck item job=%s item=%s marked ERROR", job_id, item_id)
    return len(marked)


def queue_depth(ctx: Context) -> QueueDepth:
    return ctx.queue.depth()


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One backend's reachability: which service, where, and what went wrong."""

    service: str
    endpoint: str
    ok: bool
    message: str
    seconds: float


def check_connections(ctx: Context) -> list[CheckResult]:
    """Try the database, S3, SQS and DynamoDB one by one; say exactly which fails and why."""
    endpoint = ctx.settings.resolved_endpoint_url or "AWS (default endpoints)"
    url = make_url(ctx.settings.resolved_database_url).render_as_string(hide_password=True)

    def probe_db() -> None:
        with ctx.uow() as uow:
            uow.repo.ping()
            uow.repo.list_jobs(0, 1)

    checks = [
        ("database", url, probe_db),
        (
            "S3",
            f"{endpoint} bucket {ctx.store.bucket}",
            lambda: ctx.store.list_keys(job_prefix(UUID(int=0))),
        ),
        ("SQS", f"{endpoint} queue {ctx.queue.name}", ctx.queue.depth),
        (
            "DynamoDB",
            f"{endpoint} table {ctx.settings.audit_table}",
            lambda: ctx.audit.list_events("connection-check"),
        ),
    ]
    out = []
    for service, where, probe in checks:
        t = time.perf_counter()
        try:
            probe()
        except OcrJobsError as exc:
            out.append(CheckResult(service, where, False, exc.message, time.perf_counter() - t))
        except Exception as exc:  # a check reports every failure; never raises
            out.append(
                CheckResult(
                    service, where, False, f"{type(exc).__name__}: {exc}", time.perf_counter() - t
                )
            )
        else:
            out.append(CheckResult(service, where, True, "ok", time.perf_counter() - t))
    return out
