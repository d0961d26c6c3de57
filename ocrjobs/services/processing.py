"""The worker's side of an item: claim it, fetch its image, record the result.

Every write is conditional on the item's current status and on the claim token, so a
redelivered message, a second worker or a deleted job can never produce a second
result or bring a row back.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from uuid import UUID

from ocrjobs.adapters.messages import ItemMessage
from ocrjobs.domain.model import JobItem
from ocrjobs.domain.status import ItemStatus
from ocrjobs.services import audit
from ocrjobs.services.context import Context

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Claim:
    """An item this worker now owns: its row, the token its result must carry, the language."""

    item: JobItem
    token: str
    language: str

    @property
    def item_id(self) -> UUID:
        return self.item.id

    @property
    def job_id(self) -> UUID:
        return self.item.job_id


@dataclass(frozen=True, slots=True)
class Skip:
    """Why a message needs no work (it is deleted): the item is gone or already finished."""

    reason: str


def claim(ctx: Context, msg: ItemMessage, *, message_id: str = "") -> Claim | Skip:
    """PENDING (or a PROCESSING item whose worker died) → PROCESSING for this worker."""
    now = ctx.clock()
    token = str(uuid.uuid4())
    with ctx.uow(write=True) as uow:
        job = uow.repo.get_job(msg.job_id)
        if job is None:
            return Skip("job deleted")
        item = uow.repo.claim_item(msg.item_id, token, now)
        if item is None:
            current = uow.repo.get_item(msg.item_id)
            uow.rollback()
            if current is None:
                return Skip("item deleted")
            return Skip(f"item already {current.status.value}")
        if item.job_id != msg.job_id:
            uow.rollback()
            return Skip("item belongs to another job")
        uow.repo.refresh_job_status(msg.job_id, now)
        uow.commit()
    audit.record(
        ctx,
        msg.job_id,
        audit.ITEM_STARTED,
        strict=False,
        item_id=str(msg.item_id),
        attempt=item.attempts,
        message_id=message_id,
    )
    return Claim(item=item, token=token, language=msg.language or job.language)


def fetch_image(ctx: Context, c: Claim) -> bytes:
    """The item's image bytes (:class:`ObjectMissing` if the object is gone)."""
    return ctx.store.get(c.item.s3_key)


def complete(
    ctx: Context,
    c: Claim,
    text: str,
    *,
    confidence: float | None = None,
    duration_s: float | None = None,
    engine: str = "",
) -> bool:
    """PROCESSING → DONE with the text. False when this claim no longer owns the item."""
    return _finish(ctx, c, text=text, confidence=confidence, duration_s=duration_s, engine=engine)


def fail(
    ctx: Context, c: Claim, code: str, message: str, *, duration_s: float | None = None
) -> bool:
    """PROCESSING → ERROR with a stable code and a human message."""
    return _finish(ctx, c, error_code=code, error_msg=message, duration_s=duration_s)


def _finish(
    ctx: Context,
    c: Claim,
    *,
    text: str | None = None,
    confidence: float | None = None,
    error_code: str | None = None,
    error_msg: str | None = None,
    duration_s: float | None = None,
    engine: str = "",
) -> bool:
    now = ctx.clock()
    with ctx.uow(write=True) as uow:
        ok = uow.repo.finish_item(
            c.item_id,
            c.token,
            now,
            text=text,
            confidence=confidence,
            error_code=error_code,
            error_msg=error_msg,
        )
        if ok:
            uow.repo.refresh_job_status(c.job_id, now)
        uow.commit()
    if not ok:
        log.info(
            "result dropped job=%s item=%s: claim lost (deleted or re-claimed)", c.job_id, c.item_id
        )
        return False
    if error_code:
        audit.record(
            ctx,
            c.job_id,
            audit.ITEM_FAILED,
            strict=False,
            item_id=str(c.item_id),
            code=error_code,
            reason=error_msg,
            duration_s=duration_s,
        )
    else:
        audit.record(
            ctx,
            c.job_id,
            audit.ITEM_DONE,
            strict=False,
            item_id=str(c.item_id),
            chars=len(text or ""),
            confidence=confidence,
            duration_s=duration_s,
            engine=engine,
        )
    return True


def release(ctx: Context, c: Claim) -> bool:
    """Give a claimed item back (PROCESSING → PENDING) when a worker stops before OCR."""
    now = ctx.clock()
    with ctx.uow(write=True) as uow:
        item = uow.repo.get_item(c.item_id)
        if item is None or item.status is not ItemStatus.PROCESSING:
            return False
        ok = uow.repo.unclaim_item(c.item_id, c.token, now)
        if ok:
            uow.repo.refresh_job_status(c.job_id, now)
        uow.commit()
    return ok
