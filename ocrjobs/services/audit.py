"""Writing audit events: one function so every event has the same shape."""

from __future__ import annotations

import logging
import uuid
from uuid import UUID

from ocrjobs.domain.errors import OcrJobsError
from ocrjobs.domain.model import AuditEvent
from ocrjobs.services.context import Context

log = logging.getLogger(__name__)

# Deletions are recorded outside the deleted job's own partition (which delete empties),
# one partition per UTC day: "who deleted what, when" survives the job.
DELETIONS_PARTITION = "deleted#{day}"

JOB_CREATED = "JOB_CREATED"
JOB_RENAMED = "JOB_RENAMED"
JOB_DELETED = "JOB_DELETED"
JOB_EXPIRED = "JOB_EXPIRED"
ITEMS_RETRIED = "ITEMS_RETRIED"
ITEMS_REQUEUED = "ITEMS_REQUEUED"
ITEM_STARTED = "ITEM_STARTED"
ITEM_DONE = "ITEM_DONE"
ITEM_FAILED = "ITEM_FAILED"


def make_event(ctx: Context, partition: str, action: str, details: dict[str, object]) -> AuditEvent:
    return AuditEvent(
        job_id=partition,
        timestamp=ctx.clock(),
        event_id=str(uuid.uuid4()),
        action=action,
        actor=ctx.actor,
        details=details,
    )


def record(
    ctx: Context, job_id: UUID | str, action: str, *, strict: bool = True, **details: object
) -> AuditEvent | None:
    """Append an event to the job's audit trail.

    With ``strict`` the failure propagates (the caller undoes its work); otherwise it is
    logged and ``None`` returned (the database already holds the truth).
    """
    event = make_event(ctx, str(job_id), action, dict(details))
    try:
        ctx.audit.append(event)
    except OcrJobsError:
        if strict:
            raise
        log.exception("audit write failed job=%s action=%s", job_id, action)
        return None
    return event


def record_deletion(ctx: Context, job_id: UUID, **details: object) -> AuditEvent | None:
    day = ctx.clock().strftime("%Y-%m-%d")
    event = make_event(
        ctx, DELETIONS_PARTITION.format(day=day), JOB_DELETED, {"job_id": str(job_id), **details}
    )
    try:
        ctx.audit.append(event)
    except OcrJobsError:
        log.exception("audit write failed for deletion of job=%s", job_id)
        return None
    return event
