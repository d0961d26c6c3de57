"""Sending one queue message per item, after the rows are committed (the outbox rule).

Rows are inserted with ``enqueued_at`` NULL. Only after the commit are messages sent;
each batch that SQS accepts is then stamped ``enqueued_at``. If sending fails (SQS
unreachable, the process dies), the items stay PENDING with ``enqueued_at`` NULL and
:func:`requeue_unsent` sends them later: the desktop runs it every minute and
``ocrjobs requeue`` on demand (the operators' side, which holds ``sqs:SendMessage``;
the workers' role deliberately does not). A message is never sent for a row that was
not committed; an item can at worst be sent twice (crash between send and stamp, or the
database lost between them), which the worker's conditional claim makes harmless.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import timedelta

from ocrjobs.adapters.messages import ItemMessage, encode
from ocrjobs.adapters.ports import OutgoingMessage
from ocrjobs.domain.errors import OcrJobsError
from ocrjobs.domain.model import JobItem
from ocrjobs.services import audit
from ocrjobs.services.context import Context

log = logging.getLogger(__name__)


def message_for(ctx: Context, item: JobItem, language: str | None) -> ItemMessage:
    return ItemMessage(
        job_id=item.job_id,
        item_id=item.id,
        s3_bucket=ctx.store.bucket,
        s3_key=item.s3_key,
        created_at=item.created_at,
        language=language,
    )


def send_items(ctx: Context, items: Sequence[JobItem], languages: dict[str, str]) -> int:
    """Send a message per item and stamp the sent ones; return how many were NOT sent.

    ``languages`` maps job id (str) → OCR language for the message's extra field.
    """
    if not items:
        return 0
    t0 = time.perf_counter()
    out = [
        OutgoingMessage(str(i.id), encode(message_for(ctx, i, languages.get(str(i.job_id)))))
        for i in items
    ]
    try:
        failed = set(ctx.queue.send(out))
    except OcrJobsError as exc:
        log.error(
            "queue send failed queue=%s items=%d: %s; they stay unsent for requeue",
            ctx.queue.name,
            len(items),
            exc,
        )
        return len(items)
    sent = [i.id for i in items if str(i.id) not in failed]
    if sent:
        try:
            with ctx.uow(write=True) as uow:
                uow.repo.mark_enqueued(sent, ctx.clock())
                uow.commit()
        except OcrJobsError as exc:
            # The messages are in the queue; only the stamp is missing. Raising would
            # report a created job as failed. requeue_unsent sends them again after the
            # grace period, which the worker's conditional claim makes harmless.
            log.warning(
                "queued items=%d queue=%s but could not stamp enqueued_at: %s; "
                "they may be sent again",
                len(sent),
                ctx.queue.name,
                exc,
            )
    log.info(
        "queued items=%d unsent=%d queue=%s in %.3fs",
        len(sent),
        len(failed),
        ctx.queue.name,
        time.perf_counter() - t0,
    )
    return len(failed)


def requeue_unsent(ctx: Context, grace: timedelta | None = None) -> int:
    """Send the messages of PENDING items that were committed but never sent.

    ``grace`` (default: the ``unsent_grace_seconds`` setting) leaves alone items a
    running submission is about to send. Returns how many items were sent now.
    """
    grace = timedelta(seconds=ctx.settings.unsent_grace_seconds) if grace is None else grace
    total = 0
    while True:
        with ctx.uow() as uow:
            items = uow.repo.unsent_items(ctx.clock() - grace, limit=500)
            langs = {}
            for job_id in {i.job_id for i in items}:
                job = uow.repo.get_job(job_id)
                if job is not None:
                    langs[str(job_id)] = job.language
        if not items:
            break
        failed = send_items(ctx, items, langs)
        sent = len(items) - failed
        total += sent
        for job_id in sorted({i.job_id for i in items}, key=str):
            n = sum(1 for i in items if i.job_id == job_id)
            audit.record(ctx, job_id, audit.ITEMS_REQUEUED, strict=False, items=n)
        if failed:
            break
    if total:
        log.info("requeued %d unsent items", total)
    return total
