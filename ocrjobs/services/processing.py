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
from ocrjobs.domain.errors import OcrJobsError
from ocrjobs.domain.model import JobItem
from ocrjobs.domain.status import ONE_PROCESSING, ItemStatus
from ocrjobs.domain.words import PageWords, decode_words, encode_words
from ocrjobs.services import audit
from ocrjobs.services.context import Context
from ocrjobs.services.retry import retry_conflicts

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


@retry_conflicts
def claim(ctx: Context, msg: ItemMessage, *, message_id: str = "") -> Claim | Skip:
    """PENDING (or a PROCESSING item whose worker died) → PROCESSING for this worker."""
    now = ctx.clock()
    token = str(uuid.uuid4())
    with ctx.uow(write=True) as uow:
        # The job's row lock first: item changes of one job take turns (see lock_job).
        job = uow.repo.lock_and_get_job(msg.job_id)
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
        uow.repo.refresh_job_status(msg.job_id, now, locked=job, counts=ONE_PROCESSING)
        uow.commit()
    _record_live(
        ctx,
        msg.job_id,
        audit.ITEM_STARTED,
        item_id=str(msg.item_id),
        attempt=item.attempts,
        message_id=message_id,
    )
    return Claim(item=item, token=token, language=msg.language or job.language)


def fetch_image(ctx: Context, c: Claim) -> bytes:
    """The item's image bytes (:class:`ObjectMissing` if the object is gone)."""
    return ctx.store.get(c.item.s3_key)


@retry_conflicts
def complete(
    ctx: Context,
    c: Claim,
    text: str,
    *,
    confidence: float | None = None,
    duration_s: float | None = None,
    engine: str = "",
    words: PageWords | None = None,
    ocr_profile: str | None = None,
    reused_from: UUID | None = None,
) -> bool:
    """PROCESSING → DONE with the text (and word boxes). False when the claim was lost.

    ``ocr_profile`` names what produced the text (engine, language, pipeline version):
    later items with the same image bytes and profile may reuse it
    (:func:`previous_result`).
    """
    return _finish(
        ctx,
        c,
        text=text,
        confidence=confidence,
        duration_s=duration_s,
        engine=engine,
        words=encode_words(words) if words is not None else None,
        ocr_profile=ocr_profile,
        reused_from=reused_from,
    )


@dataclass(frozen=True, slots=True)
class PreviousResult:
    """A DONE item's result for the same image bytes and OCR profile."""

    item_id: UUID
    text: str
    confidence: float | None
    words: PageWords | None


def previous_result(ctx: Context, c: Claim, ocr_profile: str) -> PreviousResult | None:
    """The result of an identical image already OCRed with the same profile, if reuse is on."""
    if not ctx.settings.reuse_duplicates:
        return None
    with ctx.uow() as uow:
        found = uow.repo.find_result(c.item.sha256, ocr_profile)
    if found is None or found[0] == c.item_id:
        return None
    item_id, text, confidence, words = found
    return PreviousResult(item_id, text, confidence, decode_words(words))


@retry_conflicts
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
    words: str | None = None,
    ocr_profile: str | None = None,
    reused_from: UUID | None = None,
) -> bool:
    now = ctx.clock()
    with ctx.uow(write=True) as uow:
        job = uow.repo.lock_and_get_job(c.job_id)
        ok = job is not None and uow.repo.finish_item(
            c.item_id,
            c.token,
            now,
            text=text,
            confidence=confidence,
            error_code=error_code,
            error_msg=error_msg,
            words=words,
            ocr_profile=ocr_profile,
        )
        if ok:
            uow.repo.refresh_job_status(c.job_id, now, locked=job)
        uow.commit()
    if not ok:
        log.info(
            "result dropped job=%s item=%s: claim lost (deleted or re-claimed)", c.job_id, c.item_id
        )
        return False
    if error_code:
        _record_live(
            ctx,
            c.job_id,
            audit.ITEM_FAILED,
            item_id=str(c.item_id),
            code=error_code,
            reason=error_msg,
            duration_s=duration_s,
        )
    else:
        _record_live(
            ctx,
            c.job_id,
            audit.ITEM_DONE,
            item_id=str(c.item_id),
            chars=len(text or ""),
            confidence=confidence,
            duration_s=duration_s,
            engine=engine,
            **({"reused_from": str(reused_from)} if reused_from else {}),
        )
    return True


@retry_conflicts
def release(ctx: Context, c: Claim) -> bool:
    """Give a claimed item back (PROCESSING → PENDING) when a worker stops before OCR."""
    now = ctx.clock()
    with ctx.uow(write=True) as uow:
        uow.repo.lock_job(c.job_id)
        item = uow.repo.get_item(c.item_id)
        if item is None or item.status is not ItemStatus.PROCESSING:
            return False
        ok = uow.repo.unclaim_item(c.item_id, c.token, now)
        if ok:
            uow.repo.refresh_job_status(c.job_id, now)
        uow.commit()
    return ok


def _record_live(ctx: Context, job_id: UUID, action: str, **details: object) -> None:
    """Audit a worker step, after its commit, without resurrecting a deleted job's trail.

    ``delete_job`` removes rows, then objects, then the audit events. A worker whose
    commit came just before the rows went writes its event afterwards; if the job is
    gone by then, its event is removed again (by key: a worker may not read the log), so
    nothing of the job is left behind.
    A worker's :class:`~ocrjobs.services.audit_writer.AuditWriter` (``ctx.live_events``)
    does the same for each batch it writes.
    """
    if ctx.live_events is not None:
        ctx.live_events.record(job_id, action, **details)
        return
    event = audit.record(ctx, job_id, action, strict=False, **details)
    if event is None:
        return
    with ctx.uow() as uow:
        alive = uow.repo.get_job(job_id) is not None
    if not alive:
        try:
            ctx.audit.delete_many([event])
        except OcrJobsError:
            log.exception("could not remove the audit event of deleted job=%s", job_id)
