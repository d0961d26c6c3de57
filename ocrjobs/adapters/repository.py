"""The SQL repository and unit of work: every database read and write of the product.

Writes that workers race on are conditional updates (``WHERE status IN (...)``), so a
redelivered message or a second worker can never overwrite a finished item.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Engine,
    Row,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from ocrjobs.adapters.database import WRITE_OPTION, describe
from ocrjobs.adapters.orm import job_items, jobs, uploads
from ocrjobs.domain.errors import BackendUnavailable, ConfigError, Conflict
from ocrjobs.domain.model import Job, JobItem
from ocrjobs.domain.status import (
    EXPIRED_CODE,
    ItemStatus,
    JobStatus,
    StatusCounts,
    derive_job_status,
    sources_for,
)
from ocrjobs.domain.words import LOW_CONFIDENCE

log = logging.getLogger(__name__)

SORTS = {
    "created_desc": (jobs.c.created_at.desc(), jobs.c.id.desc()),
    "created_asc": (jobs.c.created_at.asc(), jobs.c.id.asc()),
    "name": (jobs.c.name.asc(), jobs.c.id.asc()),
    "status": (jobs.c.status.asc(), jobs.c.created_at.desc()),
    "updated_desc": (jobs.c.updated_at.desc(), jobs.c.id.desc()),
}

# Item rows without the word boxes (large JSON): those are read one item at a time.
ITEM_COLUMNS = [c for c in job_items.c if c.name != "words"]

# The worker's statements, built once: it runs them for every item, and building (and
# cache-keying) a statement costs more CPU than SQLite takes to run it. Bound parameter
# names start with "p_": an UPDATE may not reuse its columns' names.
_JOB_FOR_UPDATE = select(jobs).where(jobs.c.id == bindparam("p_job")).with_for_update()
_JOB_ID_FOR_UPDATE = select(jobs.c.id).where(jobs.c.id == bindparam("p_job")).with_for_update()
_ITEM_BY_ID = select(*ITEM_COLUMNS).where(job_items.c.id == bindparam("p_item"))
_STATUS_COUNTS = (
    select(
        job_items.c.status,
        func.count(),
        func.sum(case((job_items.c.error_code == EXPIRED_CODE, 1), else_=0)),
    )
    .where(job_items.c.job_id == bindparam("p_job"))
    .group_by(job_items.c.status)
)
_SET_JOB_STATUS = (
    update(jobs)
    .where(jobs.c.id == bindparam("p_job"))
    .values(
        status=bindparam("p_status"),
        updated_at=bindparam("p_now"),
        finished_at=bindparam("p_finished"),
    )
)
_CLAIM_ITEM = (
    update(job_items)
    .where(
        job_items.c.id == bindparam("p_item"),
        job_items.c.status.in_([s.value for s in sources_for(ItemStatus.PROCESSING)]),
    )
    .values(
        status=ItemStatus.PROCESSING.value,
        claim_token=bindparam("p_token"),
        attempts=job_items.c.attempts + 1,
        started_at=bindparam("p_now"),
        updated_at=bindparam("p_now"),
        error_code=None,
        error_msg=None,
    )
)
_FINISH_ITEM = (
    update(job_items)
    .where(
        job_items.c.id == bindparam("p_item"),
        job_items.c.status == ItemStatus.PROCESSING.value,
        job_items.c.claim_token == bindparam("p_token"),
    )
    .values(
        status=bindparam("p_status"),
        ocr_text=bindparam("p_text"),
        confidence=bindparam("p_confidence"),
        error_code=bindparam("p_code"),
        error_msg=bindparam("p_msg"),
        words=bindparam("p_words"),
        ocr_profile=bindparam("p_profile"),
        finished_at=bindparam("p_now"),
        updated_at=bindparam("p_now"),
        claim_token=None,
    )
)

_FIND_RESULT = (
    select(job_items.c.id, job_items.c.ocr_text, job_items.c.confidence, job_items.c.words)
    .where(
        job_items.c.sha256 == bindparam("p_sha"),
        job_items.c.ocr_profile == bindparam("p_profile"),
        job_items.c.status == ItemStatus.DONE.value,
    )
    .limit(1)
)

# Chunk IN (...) lists: SQLite caps bound parameters, MySQL packets are finite.
IN_CHUNK = 500


def _chunks(seq: Sequence[UUID], size: int = IN_CHUNK) -> Iterable[Sequence[UUID]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def _job(row: Row[Any]) -> Job:
    m = row._mapping
    return Job(
        id=m["id"],
        name=m["name"],
        created_at=m["created_at"],
        status=JobStatus(m["status"]),
        sqs_retention_deadline=m["sqs_retention_deadline"],
        language=m["language"],
        updated_at=m["updated_at"],
        finished_at=m["finished_at"],
    )


def _item(row: Row[Any] | Any) -> JobItem:
    m = row._mapping
    return JobItem(
        id=m["id"],
        job_id=m["job_id"],
        s3_key=m["s3_key"],
        created_at=m["created_at"],
        status=ItemStatus(m["status"]),
        ocr_text=m["ocr_text"],
        error_msg=m["error_msg"],
        error_code=m["error_code"],
        original_name=m["original_name"],
        content_type=m["content_type"],
        size_bytes=m["size_bytes"],
        sha256=m["sha256"],
        page_number=m["page_number"],
        attempts=m["attempts"],
        enqueued_at=m["enqueued_at"],
        started_at=m["started_at"],
        finished_at=m["finished_at"],
        updated_at=m["updated_at"],
        confidence=m["confidence"],
        ocr_profile=m["ocr_profile"],
    )


def _job_values(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "name": job.name,
        "created_at": job.created_at,
        "status": job.status.value,
        "sqs_retention_deadline": job.sqs_retention_deadline,
        "language": job.language,
        "updated_at": job.updated_at,
        "finished_at": job.finished_at,
    }


def _item_values(item: JobItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "job_id": item.job_id,
        "s3_key": item.s3_key,
        "created_at": item.created_at,
        "status": item.status.value,
        "ocr_text": item.ocr_text,
        "error_msg": item.error_msg,
        "error_code": item.error_code,
        "original_name": item.original_name,
        "content_type": item.content_type,
        "size_bytes": item.size_bytes,
        "sha256": item.sha256,
        "page_number": item.page_number,
        "attempts": item.attempts,
        "claim_token": None,
        "enqueued_at": item.enqueued_at,
        "started_at": item.started_at,
        "finished_at": item.finished_at,
        "updated_at": item.updated_at,
        "confidence": item.confidence,
        "ocr_profile": item.ocr_profile,
    }


def _search_words(query: str) -> list[str]:
    """Plain words of a search query (operators of either engine's syntax dropped)."""
    cleaned = "".join(ch if ch.isalnum() else " " for ch in query)
    return [w for w in cleaned.split() if w][:16]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlRepository:
    """Reads and writes ``jobs`` and ``job_items`` on one connection (inside a unit of work)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- jobs ---------------------------------------------------------------------------

    def add_job(self, job: Job, items: Sequence[JobItem]) -> None:
        self.conn.execute(insert(jobs), [_job_values(job)])
        if items:
            self.conn.execute(insert(job_items), [_item_values(i) for i in items])

    def get_job(self, job_id: UUID) -> Job | None:
        row = self.conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
        return _job(row) if row else None

    def list_jobs(
        self,
        offset: int,
        limit: int,
        status: JobStatus | None = None,
        search: str | None = None,
        sort: str = "created_desc",
    ) -> tuple[list[Job], int]:
        conds = []
        if status is not None:
            conds.append(jobs.c.status == status.value)
        if search:
            conds.append(jobs.c.name.like(f"%{_escape_like(search)}%", escape="\\"))
        where = and_(*conds) if conds else None
        total_q = select(func.count()).select_from(jobs)
        page_q = select(jobs).order_by(*SORTS.get(sort, SORTS["created_desc"]))
        if where is not None:
            total_q = total_q.where(where)
            page_q = page_q.where(where)
        total = int(self.conn.execute(total_q).scalar_one())
        rows = self.conn.execute(page_q.offset(offset).limit(limit)).all()
        return [_job(r) for r in rows], total

    def rename_job(self, job_id: UUID, name: str, now: datetime) -> bool:
        res = self.conn.execute(
            update(jobs).where(jobs.c.id == job_id).values(name=name, updated_at=now)
        )
        return res.rowcount > 0

    def delete_job(self, job_id: UUID) -> int:
        """Delete the job's items and the job; return how many items were deleted."""
        n = self.conn.execute(delete(job_items).where(job_items.c.job_id == job_id)).rowcount
        self.conn.execute(delete(jobs).where(jobs.c.id == job_id))
        return int(n)

    def counts_for(self, job_ids: Sequence[UUID]) -> dict[UUID, StatusCounts]:
        """Per-status item counts for many jobs: one grouped query per 500 ids."""
        raw: dict[UUID, dict[str, int]] = {j: {} for j in job_ids}
        expired = case((job_items.c.error_code == EXPIRED_CODE, 1), else_=0)
        review = case(
            (
                and_(
                    job_items.c.status == ItemStatus.DONE.value,
                    job_items.c.confidence < LOW_CONFIDENCE,
                ),
                1,
            ),
            else_=0,
        )
        for chunk in _chunks(list(job_ids)):
            q = (
                select(
                    job_items.c.job_id,
                    job_items.c.status,
                    func.count(),
                    func.sum(expired),
                    func.sum(review),
                )
                .where(job_items.c.job_id.in_(chunk))
                .group_by(job_items.c.job_id, job_items.c.status)
            )
            for job_id, status, n, n_expired, n_review in self.conn.execute(q):
                d = raw[job_id]
                d[status] = int(n)
                d["EXPIRED"] = d.get("EXPIRED", 0) + int(n_expired or 0)
                d["REVIEW"] = d.get("REVIEW", 0) + int(n_review or 0)
        return {
            j: StatusCounts(
                pending=d.get("PENDING", 0),
                processing=d.get("PROCESSING", 0),
                done=d.get("DONE", 0),
                error=d.get("ERROR", 0),
                expired=d.get("EXPIRED", 0),
                review=d.get("REVIEW", 0),
            )
            for j, d in raw.items()
        }

    def lock_job(self, job_id: UUID) -> bool:
        """Lock the job's row until the transaction ends (MySQL ``FOR UPDATE``; SQLite's
        ``BEGIN IMMEDIATE`` already serialises writers). False if the job is gone.

        Every transaction that changes a job's items takes this lock first, so two workers
        finishing the last items of one job take turns: the second counts the first's
        result, and neither can deadlock on the job row.
        """
        return self.conn.execute(_JOB_ID_FOR_UPDATE, {"p_job": job_id}).first() is not None

    def lock_and_get_job(self, job_id: UUID) -> Job | None:
        """:meth:`lock_job` and :meth:`get_job` in one statement."""
        row = self.conn.execute(_JOB_FOR_UPDATE, {"p_job": job_id}).first()
        return _job(row) if row else None

    def status_counts(self, job_id: UUID) -> StatusCounts:
        """One job's per-status counts, what :func:`derive_job_status` needs (no review)."""
        counts = {"EXPIRED": 0}
        for status, n, n_expired in self.conn.execute(_STATUS_COUNTS, {"p_job": job_id}):
            counts[status] = int(n)
            counts["EXPIRED"] += int(n_expired or 0)
        return StatusCounts(
            pending=counts.get("PENDING", 0),
            processing=counts.get("PROCESSING", 0),
            done=counts.get("DONE", 0),
            error=counts.get("ERROR", 0),
            expired=counts["EXPIRED"],
        )

    def refresh_job_status(
        self,
        job_id: UUID,
        now: datetime,
        *,
        locked: Job | None = None,
        counts: StatusCounts | None = None,
    ) -> tuple[Job, StatusCounts] | None:
        """Recompute the job's status from its items (the domain rule) and store it.

        ``locked``: the job's row as this transaction already locked and read it (saves a
        statement). ``counts``: counts the caller knows the rule's answer from (e.g. any
        count with an item PROCESSING after a claim), instead of counting the items.
        """
        job = locked if locked is not None else self.lock_and_get_job(job_id)
        if job is None:
            return None
        if counts is None:
            counts = self.status_counts(job_id)
        status = derive_job_status(counts)
        finished = status in {JobStatus.DONE, JobStatus.ERROR, JobStatus.EXPIRED}
        finished_at = (job.finished_at or now) if finished else None
        self.conn.execute(
            _SET_JOB_STATUS,
            {"p_job": job_id, "p_status": status.value, "p_now": now, "p_finished": finished_at},
        )
        return (
            Job(
                id=job.id,
                name=job.name,
                created_at=job.created_at,
                status=status,
                sqs_retention_deadline=job.sqs_retention_deadline,
                language=job.language,
                updated_at=now,
                finished_at=finished_at,
            ),
            counts,
        )

    def changed_jobs(self, since: datetime | None, limit: int = 1000) -> list[Job]:
        q = select(jobs).order_by(jobs.c.updated_at.asc()).limit(limit)
        if since is not None:
            q = q.where(jobs.c.updated_at >= since)
        return [_job(r) for r in self.conn.execute(q)]

    def changed_items(self, job_id: UUID, since: datetime | None) -> list[JobItem]:
        q = select(*ITEM_COLUMNS).where(job_items.c.job_id == job_id)
        if since is not None:
            q = q.where(job_items.c.updated_at >= since)
        return [_item(r) for r in self.conn.execute(q.order_by(job_items.c.created_at))]

    def existing_job_ids(self, job_ids: Sequence[UUID]) -> set[UUID]:
        found: set[UUID] = set()
        for chunk in _chunks(list(job_ids)):
            found.update(self.conn.execute(select(jobs.c.id).where(jobs.c.id.in_(chunk))).scalars())
        return found

    def ping(self) -> None:
        """A round trip to the server (the connection check)."""
        self.conn.execute(select(literal(1)))

    # -- uploads (a submission's claim on its job id, see ocrjobs.services.uploads) -------

    def begin_upload(self, job_id: UUID, now: datetime) -> None:
        self.conn.execute(insert(uploads).values(job_id=job_id, started_at=now, touched_at=now))

    def touch_upload(self, job_id: UUID, now: datetime) -> bool:
        """Mark the claim alive; False when it is gone (swept)."""
        res = self.conn.execute(
            update(uploads).where(uploads.c.job_id == job_id).values(touched_at=now)
        )
        return res.rowcount > 0

    def end_upload(self, job_id: UUID, stale_before: datetime | None = None) -> bool:
        """Delete the claim (only if last touched before ``stale_before``, when given);
        True when this call deleted it. Locks the row until the transaction ends."""
        q = delete(uploads).where(uploads.c.job_id == job_id)
        if stale_before is not None:
            q = q.where(uploads.c.touched_at < stale_before)
        return self.conn.execute(q).rowcount > 0

    def upload_claimed(self, job_id: UUID, touched_since: datetime) -> bool:
        """Whether a claim on ``job_id`` was touched at or after ``touched_since``."""
        q = select(uploads.c.job_id).where(
            uploads.c.job_id == job_id, uploads.c.touched_at >= touched_since
        )
        return self.conn.execute(q).first() is not None

    def stale_uploads(self, touched_before: datetime, limit: int = 500) -> list[UUID]:
        q = (
            select(uploads.c.job_id)
            .where(uploads.c.touched_at < touched_before)
            .order_by(uploads.c.touched_at)
            .limit(limit)
        )
        return list(self.conn.execute(q).scalars())

    # -- items --------------------------------------------------------------------------

    def get_items(self, job_id: UUID) -> list[JobItem]:
        q = (
            select(*ITEM_COLUMNS)
            .where(job_items.c.job_id == job_id)
            .order_by(job_items.c.created_at, job_items.c.page_number, job_items.c.original_name)
        )
        return [_item(r) for r in self.conn.execute(q)]

    def get_item(self, item_id: UUID) -> JobItem | None:
        row = self.conn.execute(_ITEM_BY_ID, {"p_item": item_id}).first()
        return _item(row) if row else None

    def mark_enqueued(self, item_ids: Sequence[UUID], now: datetime) -> None:
        for chunk in _chunks(list(item_ids)):
            self.conn.execute(
                update(job_items)
                .where(job_items.c.id.in_(chunk), job_items.c.enqueued_at.is_(None))
                .values(enqueued_at=now)
            )

    def unsent_items(self, created_before: datetime, limit: int = 1000) -> list[JobItem]:
        q = (
            select(*ITEM_COLUMNS)
            .where(
                job_items.c.status == ItemStatus.PENDING.value,
                job_items.c.enqueued_at.is_(None),
                job_items.c.updated_at < created_before,
            )
            .order_by(job_items.c.created_at)
            .limit(limit)
        )
        return [_item(r) for r in self.conn.execute(q)]

    def claim_item(self, item_id: UUID, token: str, now: datetime) -> JobItem | None:
        """PENDING/PROCESSING → PROCESSING for this claim token; None if not claimable.

        PROCESSING may be re-claimed: SQS only redelivers a message after its visibility
        timeout, i.e. when the previous worker died or gave up. The token makes the last
        claimer the only one whose result is accepted.
        """
        res = self.conn.execute(_CLAIM_ITEM, {"p_item": item_id, "p_token": token, "p_now": now})
        if res.rowcount == 0:
            return None
        return self.get_item(item_id)

    def finish_item(
        self,
        item_id: UUID,
        token: str,
        now: datetime,
        *,
        text: str | None = None,
        confidence: float | None = None,
        error_code: str | None = None,
        error_msg: str | None = None,
        words: str | None = None,
        ocr_profile: str | None = None,
    ) -> bool:
        """PROCESSING → DONE (text) or ERROR (code + message), only for the current claim."""
        status = ItemStatus.ERROR if error_code else ItemStatus.DONE
        res = self.conn.execute(
            _FINISH_ITEM,
            {
                "p_item": item_id,
                "p_token": token,
                "p_status": status.value,
                "p_text": text,
                "p_confidence": confidence,
                "p_code": error_code,
                "p_msg": error_msg,
                "p_words": words,
                "p_profile": ocr_profile,
                "p_now": now,
            },
        )
        return res.rowcount > 0

    def get_words(self, item_id: UUID) -> str | None:
        """The item's word boxes as stored (JSON text), or None."""
        q = select(job_items.c.words).where(job_items.c.id == item_id)
        return self.conn.execute(q).scalar_one_or_none()

    def find_result(
        self, sha256: str, ocr_profile: str
    ) -> tuple[UUID, str, float | None, str | None] | None:
        """A DONE item with the same image bytes and OCR profile: (id, text, confidence, words)."""
        row = self.conn.execute(_FIND_RESULT, {"p_sha": sha256, "p_profile": ocr_profile}).first()
        if row is None or row[1] is None:
            return None
        return row[0], row[1], row[2], row[3]

    def search_text(self, query: str, limit: int = 50) -> list[tuple[JobItem, str]]:
        """Items whose OCR text matches every word of ``query``, best first, with job names.

        SQLite: the FTS5 table; MySQL/MariaDB: the FULLTEXT index in boolean mode.
        """
        words = _search_words(query)
        if not words:
            return []
        if self.conn.dialect.name == "sqlite":
            match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
            ids_q = text(
                "SELECT item_id FROM job_items_fts WHERE job_items_fts MATCH :q "
                "ORDER BY rank LIMIT :n"
            )
            ids = [UUID(r[0]) for r in self.conn.execute(ids_q, {"q": match, "n": limit})]
        else:
            match = " ".join(f"+{w}*" for w in words)
            ids_q = text(
                "SELECT id FROM job_items WHERE MATCH(ocr_text) AGAINST (:q IN BOOLEAN MODE) "
                "LIMIT :n"
            )
            ids = [UUID(str(r[0])) for r in self.conn.execute(ids_q, {"q": match, "n": limit})]
        if not ids:
            return []
        rows = self.conn.execute(
            select(*ITEM_COLUMNS, jobs.c.name.label("job_name"))
            .join(jobs, jobs.c.id == job_items.c.job_id)
            .where(job_items.c.id.in_(ids))
        ).all()
        found = {r._mapping["id"]: (_item(r), r._mapping["job_name"]) for r in rows}
        return [found[i] for i in ids if i in found]

    def unclaim_item(self, item_id: UUID, token: str, now: datetime) -> bool:
        """PROCESSING → PENDING for the current claim (a worker handing an item back)."""
        res = self.conn.execute(
            update(job_items)
            .where(
                job_items.c.id == item_id,
                job_items.c.status == ItemStatus.PROCESSING.value,
                job_items.c.claim_token == token,
            )
            .values(
                status=ItemStatus.PENDING.value, claim_token=None, started_at=None, updated_at=now
            )
        )
        return res.rowcount > 0

    def fail_unclaimed(
        self, item_id: UUID, statuses: Sequence[ItemStatus], code: str, msg: str, now: datetime
    ) -> bool:
        """Mark an item ERROR if it is still in one of ``statuses`` (sweeps, DLQ reader)."""
        res = self.conn.execute(
            update(job_items)
            .where(
                job_items.c.id == item_id,
                job_items.c.status.in_([s.value for s in statuses]),
            )
            .values(
                status=ItemStatus.ERROR.value,
                error_code=code,
                error_msg=msg,
                finished_at=now,
                updated_at=now,
                claim_token=None,
            )
        )
        return res.rowcount > 0

    def expire_pending(self, now: datetime, msg: str, limit: int = 500) -> dict[UUID, int]:
        """Items still PENDING in jobs past their deadline → ERROR/EXPIRED. Per-job counts.

        Each item is updated conditionally, so two sweepers never count one item twice.
        """
        q = (
            select(job_items.c.id, job_items.c.job_id)
            .join(jobs, jobs.c.id == job_items.c.job_id)
            .where(
                jobs.c.sqs_retention_deadline < now,
                job_items.c.status == ItemStatus.PENDING.value,
            )
            .limit(limit)
        )
        expired: dict[UUID, int] = {}
        for item_id, job_id in self.conn.execute(q).all():
            if self.fail_unclaimed(item_id, [ItemStatus.PENDING], EXPIRED_CODE, msg, now):
                expired[job_id] = expired.get(job_id, 0) + 1
        return expired

    def reset_for_retry(
        self, job_id: UUID, *, failed: bool, expired: bool, now: datetime
    ) -> list[JobItem]:
        """ERROR items (failed and/or expired) → PENDING, unsent; return them."""
        kinds = []
        if expired:
            kinds.append(job_items.c.error_code == EXPIRED_CODE)
        if failed:
            kinds.append(
                or_(job_items.c.error_code.is_(None), job_items.c.error_code != EXPIRED_CODE)
            )
        if not kinds:
            return []
        cond = and_(
            job_items.c.job_id == job_id,
            job_items.c.status == ItemStatus.ERROR.value,
            or_(*kinds),
        )
        ids = list(self.conn.execute(select(job_items.c.id).where(cond)).scalars())
        if not ids:
            return []
        for chunk in _chunks(ids):
            self.conn.execute(
                update(job_items)
                .where(job_items.c.id.in_(chunk), job_items.c.status == ItemStatus.ERROR.value)
                .values(
                    status=ItemStatus.PENDING.value,
                    error_code=None,
                    error_msg=None,
                    ocr_text=None,
                    confidence=None,
                    enqueued_at=None,
                    started_at=None,
                    finished_at=None,
                    claim_token=None,
                    updated_at=now,
                )
            )
        return [i for i in self.get_items(job_id) if i.id in set(ids)]

    def set_deadline(self, job_id: UUID, deadline: datetime, now: datetime) -> None:
        self.conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id)
            .values(sqs_retention_deadline=deadline, updated_at=now)
        )

    def stale_processing(self, started_before: datetime, limit: int = 500) -> list[JobItem]:
        q = (
            select(*ITEM_COLUMNS)
            .where(
                job_items.c.status == ItemStatus.PROCESSING.value,
                job_items.c.updated_at < started_before,
            )
            .limit(limit)
        )
        return [_item(r) for r in self.conn.execute(q)]


class UnitOfWork:
    """One database transaction: rolls back unless :meth:`commit` was called.

    ``write=True`` takes SQLite's write lock at BEGIN (no deadlocked lock upgrades
    between processes); MySQL ignores it.
    """

    def __init__(self, engine: Engine, *, write: bool = False) -> None:
        self.engine = engine
        self.write = write
        self._conn: Connection | None = None
        self._committed = False

    @property
    def repo(self) -> SqlRepository:
        if self._conn is None:
            raise RuntimeError("unit of work used outside its with-block")
        return SqlRepository(self._conn)

    def __enter__(self) -> UnitOfWork:
        try:
            conn = self.engine.connect()
            if self.write:
                conn = conn.execution_options(**{WRITE_OPTION: True})
            conn.begin()
        except DBAPIError as exc:
            # OperationalError (refused, timed out) and DatabaseError alike, e.g. an
            # SQLite path holding some other file: either way this database cannot be used.
            raise _unavailable(self.engine, exc) from exc
        self._conn = conn
        return self

    def commit(self) -> None:
        assert self._conn is not None
        try:
            self._conn.commit()
        except OperationalError as exc:
            if is_lock_conflict(exc):
                raise _conflict(self.engine, exc) from exc
            raise _unavailable(self.engine, exc) from exc
        self._committed = True

    def rollback(self) -> None:
        if self._conn is not None:
            self._conn.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if conn.in_transaction():
                conn.rollback()
        finally:
            conn.close()
        if is_lock_conflict(exc or Exception()):
            assert exc is not None
            raise _conflict(self.engine, exc) from exc
        if isinstance(exc, OperationalError) and _is_connection_error(exc):
            raise _unavailable(self.engine, exc) from exc
        if isinstance(exc, DBAPIError) and _is_missing_table(exc):
            raise ConfigError(
                f"the database at {describe(self.engine)} has no ocrjobs tables: "
                "run `ocrjobs init` to create them",
                details=str(exc.orig),
            ) from exc


UowFactory = Callable[..., UnitOfWork]

# MySQL/MariaDB ER_NO_SUCH_TABLE; SQLite only says so in its message.
_MYSQL_NO_SUCH_TABLE = 1146


def _is_missing_table(exc: DBAPIError) -> bool:
    args: tuple[object, ...] = tuple(getattr(exc.orig, "args", ()))
    return "no such table" in str(exc.orig).lower() or args[:1] == (_MYSQL_NO_SUCH_TABLE,)


# MySQL/MariaDB: 1213 deadlock found, 1205 lock wait timeout exceeded.
_MYSQL_LOCK_ERRORS = frozenset({1213, 1205})


def is_lock_conflict(exc: BaseException) -> bool:
    """True for a transaction the database rolled back to break a deadlock (or lock wait).

    Two workers finishing items of one job update the same ``jobs`` row; MariaDB may pick
    one as a deadlock victim, SQLite may give up waiting for its write lock.
    """
    if not isinstance(exc, DBAPIError):
        return False
    args = getattr(exc.orig, "args", ())
    if args and args[0] in _MYSQL_LOCK_ERRORS:
        return True
    return "database is locked" in str(exc.orig)


def _is_connection_error(exc: DBAPIError) -> bool:
    return bool(exc.connection_invalidated) or "connect" in str(exc.orig).lower()


def _conflict(engine: Engine, exc: BaseException) -> Conflict:
    return Conflict(
        f"the database at {describe(engine)} rolled the transaction back (lock conflict)",
        details=str(getattr(exc, "orig", exc)),
    )


def _unavailable(engine: Engine, exc: Exception) -> BackendUnavailable:
    return BackendUnavailable("database", describe(engine), str(getattr(exc, "orig", exc)))
