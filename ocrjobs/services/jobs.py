"""Job operations (the seed's REST endpoints): create, list, get, rename, delete, changes."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

from ocrjobs.domain.errors import Cancelled, NotFound, OcrJobsError
from ocrjobs.domain.model import (
    AuditEvent,
    Changes,
    CreateResult,
    DeleteReport,
    Job,
    JobDetail,
    JobItem,
    JobPage,
    JobSummary,
    NamedBytes,
    Progress,
    Rejection,
    job_prefix,
    s3_key_for,
)
from ocrjobs.domain.status import ItemStatus, JobStatus, StatusCounts
from ocrjobs.domain.words import PageWords, decode_words
from ocrjobs.services import audit, intake
from ocrjobs.services.context import Context
from ocrjobs.services.dispatch import send_items
from ocrjobs.services.retry import retry_conflicts
from ocrjobs.services.uploads import UploadClaim

log = logging.getLogger(__name__)

MAX_NAME = 255
MAX_PAGE_SIZE = 500
# Poll overlap: rows stamped by a worker whose clock runs a little behind ours are still
# seen. Rows can come twice; callers replace by id.
POLL_OVERLAP = timedelta(seconds=5)

ProgressCallback = Callable[[Progress], None]
# An uploaded image: its item id, S3 key and checked facts.
_Accepted = tuple[UUID, str, intake.CheckedImage]


def parse_job_id(job_id: UUID | str) -> UUID:
    """Accept a UUID or its text; a malformed id is a not-found error, never a crash."""
    if isinstance(job_id, UUID):
        return job_id
    try:
        return UUID(str(job_id).strip())
    except ValueError as exc:
        raise NotFound(f"no job with id {job_id!r} (not a valid job id)") from exc


def clean_name(name: str) -> str:
    """Job names: trimmed, single-line, 1–255 characters."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise OcrJobsError("a job name cannot be empty")
    if len(cleaned) > MAX_NAME:
        raise OcrJobsError(f"a job name is at most {MAX_NAME} characters ({len(cleaned)} given)")
    return cleaned


def default_name(files: Sequence[Path | str | NamedBytes]) -> str:
    """The folder's name for one dropped folder, else the first file's stem (+ "and N more")."""
    if not files:
        return "empty"
    first = files[0]
    if isinstance(first, NamedBytes):
        base = Path(first.name).stem or "pasted image"
    else:
        p = Path(first)
        base = p.name if p.is_dir() else p.stem
    suffix = "" if len(files) == 1 else f" (+{len(files) - 1})"
    # A long file name must not make the whole submission fail on the name limit.
    return (" ".join(base.split()) or "untitled")[: MAX_NAME - len(suffix)] + suffix


def create_job(
    ctx: Context,
    name: str | None,
    files: Sequence[Path | str | NamedBytes],
    *,
    language: str | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    job_id: UUID | None = None,
) -> CreateResult:
    """Create a job from files: check, upload, insert rows, audit, send one message per item.

    Each file is checked by its content; refused files are listed in the result with a
    reason and the valid ones still become the job. Nothing is created when no file is
    valid. Uploads run concurrently to ``jobs/{job_id}/{item_id}.{ext}``; rows are
    committed only after every upload succeeded, and messages are sent only after the
    commit (see :mod:`ocrjobs.services.dispatch`). If S3, the database or DynamoDB fails
    the objects already uploaded are deleted and the error names the backend.

    Args:
        ctx: the services' dependencies.
        name: the job's name; None or blank picks one from the files.
        files: paths, folders (walked recursively) or in-memory images.
        language: Tesseract language(s) such as ``eng`` or ``eng+por``.
        progress: called (from worker threads) as files are checked and uploaded.
        cancel: set it to stop the submission; uploaded objects are removed.
        job_id: the new job's id (default: a fresh one); a caller that may lose sight
            of the submission (a process that dies) can look the job up by it.
    """
    t0 = time.perf_counter()
    job_id = job_id or uuid.uuid4()
    job_name = clean_name(name) if name and name.strip() else clean_name(default_name(files))
    lang = (language or ctx.settings.default_language).strip()
    sources = intake.expand(files)
    total = len(sources)
    report = progress or (lambda _p: None)
    report(Progress(0, total, "checking"))
    # Claiming the job id also fails fast, before any upload, when the database cannot
    # be reached; the claim keeps the orphan sweep off these images until the commit.
    with UploadClaim(ctx, job_id) as claim:
        try:
            return _create(ctx, job_id, job_name, lang, sources, report, cancel, claim, t0)
        except BaseException:
            if not claim.settled:
                claim.release()
            raise


def _create(
    ctx: Context,
    job_id: UUID,
    job_name: str,
    lang: str,
    sources: list[intake.Source],
    report: ProgressCallback,
    cancel: threading.Event | None,
    claim: UploadClaim,
    t0: float,
) -> CreateResult:
    """:func:`create_job` once the job id is claimed: upload, commit, queue."""
    total = len(sources)
    accepted, rejected, uploaded = _check_and_upload(ctx, job_id, sources, report, cancel)
    for r in rejected:
        log.warning("refused file=%r code=%s: %s", r.name, r.code, r.reason)
    if not accepted:
        log.info("nothing to create: all %d files refused", total)
        claim.release()
        return CreateResult(job=None, rejected=tuple(rejected))

    now = ctx.clock()
    job = Job(
        id=job_id,
        name=job_name,
        created_at=now,
        status=JobStatus.PENDING,
        sqs_retention_deadline=now + ctx.retention,
        language=lang,
        updated_at=now,
    )
    items = [
        JobItem(
            id=item_id,
            job_id=job_id,
            s3_key=key,
            created_at=now,
            status=ItemStatus.PENDING,
            ocr_text=None,
            error_msg=None,
            error_code=None,
            original_name=img.source.name[:512],
            content_type=img.content_type,
            size_bytes=img.size_bytes,
            sha256=img.sha256,
            page_number=img.page_number,
            attempts=0,
            enqueued_at=None,
            started_at=None,
            finished_at=None,
            updated_at=now,
        )
        for item_id, key, img in accepted
    ]
    report(Progress(total, total, "saving"))
    audited = False
    try:
        if cancel is not None and cancel.is_set():
            raise Cancelled("submission cancelled")
        with ctx.uow(write=True) as uow:
            claim.end(uow)  # first: it locks the claim the orphan sweep would take
            uow.repo.add_job(job, items)
            # Audited before the commit: if DynamoDB is down, nothing is committed.
            audit.record(
                ctx,
                job_id,
                audit.JOB_CREATED,
                name=job_name,
                items=len(items),
                rejected=len(rejected),
                language=lang,
                keys=[i.s3_key for i in items][:50],
            )
            audited = True
            uow.commit()
    except BaseException as exc:
        applied = _committed(ctx, job_id) if isinstance(exc, OcrJobsError) else False
        if applied is None:
            # The database went away around the commit: the job may exist. Its images
            # and its claim stay for the orphan sweep, which removes them only if not.
            log.error("creating job=%s: %s; whether it was committed is unknown", job_id, exc)
            claim.settled = True  # not ours to release any more
            raise
        if not applied:
            _undo_failed(ctx, job_id, exc, uploaded, audited=audited)
            raise
        # The commit went through but its reply was lost: the job exists, whole.
        log.warning("creating job=%s: %s, but the job was committed", job_id, exc)
    claim.settled = True
    report(Progress(total, total, "queueing"))
    unsent = send_items(ctx, items, {str(job_id): lang})
    report(Progress(total, total, "done"))
    log.info(
        "created job=%s name=%r items=%d rejected=%d unsent=%d in %.3fs",
        job_id,
        job_name,
        len(items),
        len(rejected),
        unsent,
        time.perf_counter() - t0,
    )
    return CreateResult(job=_created(ctx, job, items), rejected=tuple(rejected), unsent=unsent)


def _committed(ctx: Context, job_id: UUID) -> bool | None:
    """Whether the job's row exists (after its commit raised); None if unknown."""
    try:
        with ctx.uow() as uow:
            return bool(uow.repo.existing_job_ids([job_id]))
    except OcrJobsError:
        return None


def _undo_failed(
    ctx: Context, job_id: UUID, exc: BaseException, uploaded: list[str], *, audited: bool
) -> None:
    """Remove what a submission that did not commit left: its objects and its event."""
    if isinstance(exc, OcrJobsError):
        # An expected failure that names its backend: one line, no traceback (as for
        # a failed upload), so the CLI and GUI logs stay readable during an outage.
        log.error("creating job=%s failed: %s; removing its %d objects", job_id, exc, len(uploaded))
    else:
        log.exception("creating job=%s failed; removing its %d objects", job_id, len(uploaded))
    _undo(ctx, job_id, uploaded)
    if audited:
        # The commit failed after the event was written: no JOB_CREATED for a job that
        # does not exist.
        try:
            ctx.audit.delete_events(str(job_id))
        except OcrJobsError:
            log.exception("could not remove the audit event of failed job=%s", job_id)


def _created(ctx: Context, job: Job, items: Sequence[JobItem]) -> JobDetail:
    """The job as stored now; as committed if it cannot be read back.

    The job exists once committed: a database lost (or a delete) right after the commit
    must not turn a created job into a reported failure, which would invite a second
    submission of the same files.
    """
    try:
        return get_job(ctx, job.id)
    except OcrJobsError as exc:
        log.warning("created job=%s but could not read it back: %s", job.id, exc)
        return JobDetail(job=job, counts=_count(items), items=tuple(items))


def _check_and_upload(
    ctx: Context,
    job_id: UUID,
    sources: list[intake.Source],
    report: ProgressCallback,
    cancel: threading.Event | None,
) -> tuple[list[_Accepted], list[Rejection], list[str]]:
    """Check and upload every source concurrently; keep input order in the results."""
    s = ctx.settings
    results: list[list[_Accepted] | Rejection | None] = [None] * len(sources)
    uploaded: list[str] = []
    lock = threading.Lock()
    done = 0
    stop = threading.Event()

    def stopped() -> bool:
        return stop.is_set() or (cancel is not None and cancel.is_set())

    def one(index: int, source: intake.Source) -> None:
        nonlocal done
        if stopped():
            return
        pages: list[_Accepted] = []
        try:
            # One image, or every page of a PDF, each uploaded as soon as it is ready.
            for img in intake.iter_images(
                source, max_bytes=s.max_file_bytes, max_pixels=s.max_pixels
            ):
                if stopped():
                    return
                item_id = uuid.uuid4()
                key = s3_key_for(job_id, item_id, img.ext)
                t = time.perf_counter()
                ctx.store.put(key, img.data, img.content_type, img.sha256)
                log.debug(
                    "uploaded key=%s bytes=%d in %.3fs",
                    key,
                    len(img.data),
                    time.perf_counter() - t,
                )
                with lock:
                    uploaded.append(key)
                # Keep only metadata: the bytes are in S3 now.
                pages.append((item_id, key, img.without_data()))
        except intake.Refused as refused:
            results[index] = refused.rejection
            if pages:  # a PDF refused part-way: its pages must not outlive it
                keys = [k for _, k, _ in pages]
                _undo(ctx, job_id, keys)
                with lock:
                    for k in keys:
                        uploaded.remove(k)
        else:
            results[index] = pages
        with lock:
            done += 1
            n = done
        report(Progress(n, len(sources), "uploading", source.name))

    workers = max(1, min(s.upload_concurrency, len(sources)))
    with ThreadPoolExecutor(workers, thread_name_prefix="upload") as pool:
        futures: list[Future[None]] = [pool.submit(one, i, src) for i, src in enumerate(sources)]
        finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
        error = next((f.exception() for f in finished if f.exception() is not None), None)
        if error is not None:
            stop.set()
            for f in futures:
                f.cancel()
    if error is None and cancel is not None and cancel.is_set():
        error = Cancelled("submission cancelled")
    if error is not None:
        log.error("submission of job=%s stopped: %s", job_id, error)
        _undo(ctx, job_id, uploaded)
        raise error
    accepted = [page for r in results if isinstance(r, list) for page in r]
    rejected = [r for r in results if isinstance(r, Rejection)]
    return accepted, rejected, uploaded


def _undo(ctx: Context, job_id: UUID, keys: Iterable[str]) -> None:
    keys = list(keys)
    if not keys:
        return
    try:
        ctx.store.delete_keys(keys)
    except OcrJobsError:
        log.exception("could not remove %d objects of failed job=%s", len(keys), job_id)


def list_jobs(
    ctx: Context,
    page: int = 1,
    page_size: int = 50,
    status: JobStatus | str | None = None,
    search: str | None = None,
    sort: str = "created_desc",
) -> JobPage:
    """One page of jobs, newest first, with per-status item counts (three queries in all)."""
    if page < 1:
        raise OcrJobsError("page numbers start at 1")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise OcrJobsError(f"page size must be 1–{MAX_PAGE_SIZE}")
    try:
        st = JobStatus(status) if status else None
    except ValueError as exc:
        known = ", ".join(s.value for s in JobStatus)
        raise OcrJobsError(f"unknown job status {status!r} (one of {known})") from exc
    with ctx.uow() as uow:
        jobs, total = uow.repo.list_jobs((page - 1) * page_size, page_size, st, search, sort)
        counts = uow.repo.counts_for([j.id for j in jobs])
    return JobPage(
        jobs=tuple(JobSummary(j, counts[j.id]) for j in jobs),
        total=total,
        page=page,
        page_size=page_size,
    )


def get_job(ctx: Context, job_id: UUID | str) -> JobDetail:
    """A job with every item's status, text and error; :class:`NotFound` if there is none."""
    jid = parse_job_id(job_id)
    with ctx.uow() as uow:
        job = uow.repo.get_job(jid)
        if job is None:
            raise NotFound(f"no job with id {jid}")
        items = uow.repo.get_items(jid)
    return JobDetail(job=job, counts=_count(items), items=tuple(items))


def _count(items: Sequence[JobItem]) -> StatusCounts:
    return StatusCounts(
        pending=sum(i.status is ItemStatus.PENDING for i in items),
        processing=sum(i.status is ItemStatus.PROCESSING for i in items),
        done=sum(i.status is ItemStatus.DONE for i in items),
        error=sum(i.status is ItemStatus.ERROR for i in items),
        expired=sum(i.expired for i in items),
        review=sum(i.low_confidence for i in items),
    )


@retry_conflicts
def rename_job(ctx: Context, job_id: UUID | str, name: str) -> JobSummary:
    """Rename a job and record it in the audit log."""
    jid = parse_job_id(job_id)
    new = clean_name(name)
    with ctx.uow(write=True) as uow:
        job = uow.repo.get_job(jid)
        if job is None:
            raise NotFound(f"no job with id {jid}")
        uow.repo.rename_job(jid, new, ctx.clock())
        audit.record(ctx, jid, audit.JOB_RENAMED, old=job.name, new=new)
        uow.commit()
        counts = uow.repo.counts_for([jid])[jid]
        renamed = uow.repo.get_job(jid)
    assert renamed is not None
    log.info("renamed job=%s %r -> %r", jid, job.name, new)
    return JobSummary(renamed, counts)


@retry_conflicts
def delete_job(ctx: Context, job_id: UUID | str) -> DeleteReport:
    """Remove a job's rows, S3 objects and audit events. Idempotent.

    Rows go first: from then on a worker holding one of its messages finds no row, writes
    nothing and drops the message, so nothing comes back. The deletion itself is
    recorded in the ``deleted#<day>`` audit partition, since the job's own is emptied.
    """
    jid = parse_job_id(job_id)
    t0 = time.perf_counter()
    with ctx.uow(write=True) as uow:
        job = uow.repo.get_job(jid)
        n_items = uow.repo.delete_job(jid) if job is not None else 0
        uow.commit()
    objects = ctx.store.delete_prefix(job_prefix(jid))
    events = ctx.audit.delete_events(str(jid))
    existed = job is not None or objects > 0 or events > 0
    if existed:
        audit.record_deletion(
            ctx,
            jid,
            name=job.name if job else None,
            items=n_items,
            objects=objects,
            audit_events=events,
        )
    log.info(
        "deleted job=%s items=%d objects=%d audit_events=%d in %.3fs",
        jid,
        n_items,
        objects,
        events,
        time.perf_counter() - t0,
    )
    return DeleteReport(jid, objects, n_items, events, existed)


def job_events(ctx: Context, job_id: UUID | str) -> list[AuditEvent]:
    """The job's audit trail, oldest first."""
    return ctx.audit.list_events(str(parse_job_id(job_id)))


def changes_since(ctx: Context, watermark: datetime | None, job_id: UUID | None = None) -> Changes:
    """Jobs (with counts) changed since ``watermark``, and the changed items of ``job_id``.

    Pass the returned ``watermark`` to the next call. Cheap: indexed on ``updated_at``.
    """
    since = watermark - POLL_OVERLAP if watermark else None
    with ctx.uow() as uow:
        jobs = uow.repo.changed_jobs(since)
        counts = uow.repo.counts_for([j.id for j in jobs])
        items = uow.repo.changed_items(job_id, since) if job_id else []
    stamps = [j.updated_at for j in jobs] + [i.updated_at for i in items]
    new_mark = max([*stamps, *([watermark] if watermark else [])], default=None)
    return Changes(
        jobs=tuple(JobSummary(j, counts[j.id]) for j in jobs),
        items=tuple(items),
        watermark=new_mark or ctx.clock() - POLL_OVERLAP,
    )


def item_words(ctx: Context, item_id: UUID | str) -> PageWords | None:
    """An item's word boxes (for overlays and exports); None when it has none."""
    iid = item_id if isinstance(item_id, UUID) else UUID(str(item_id))
    with ctx.uow() as uow:
        raw = uow.repo.get_words(iid)
    return decode_words(raw)


def item_image(ctx: Context, item: JobItem) -> bytes:
    """The item's image bytes from S3 (:class:`ObjectMissing` if it is gone)."""
    return ctx.store.get(item.s3_key)
