"""Images left in S3 with no job: the ones a submission uploaded and never committed.

``create_job`` uploads every image before it commits the job's rows, and removes the
uploads itself when anything fails. What it cannot clean up is its own death between
the two (the desktop's upload process killed, a CLI run killed with SIGKILL, a power
cut): the images stay under ``jobs/{job_id}/`` with no row pointing at them, invisible
in the app, never deleted by anyone, and billed. A ``delete_job`` whose S3 part failed
after its rows went leaves the same. :func:`sweep_orphan_objects` finds such job folders
and deletes them (and any audit event of that job id, e.g. the ``JOB_CREATED`` written
just before a commit that never happened).

A folder is an orphan only when no job row has its id, its newest object is older than
``orphan_grace_seconds``, and its submission's claim (:mod:`ocrjobs.services.uploads`)
is gone or was last touched before that: a running submission touches its claim every
minute, whatever its uploads do. In one transaction the sweep deletes a stale claim,
then looks for the job row; the submission's commit deletes the claim and inserts the
row in one transaction too, so one of the two wins and the other sees it: a late commit
either keeps its images or fails cleanly (``UploadAbandoned``). Stale claims whose
folder is already empty are dropped as well. The desktop sweeps once an hour,
``ocrjobs orphans`` on demand; several sweeping at once only repeat deletes of absent
keys.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from ocrjobs.domain.errors import OcrJobsError
from ocrjobs.domain.model import JOBS_ROOT, job_prefix
from ocrjobs.services.context import Context

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OrphanSweep:
    """What a sweep found.

    Attributes:
        jobs: Job ids whose folders were deleted (or would be, in a dry run).
        objects: How many objects those folders held.
        bytes: Their total size.
        recent: Folders with no job whose newest object is still within the grace period.
        dry_run: Nothing was deleted.
    """

    jobs: tuple[UUID, ...]
    objects: int
    bytes: int
    recent: int
    dry_run: bool


def sweep_orphan_objects(
    ctx: Context, grace: timedelta | None = None, *, dry_run: bool = False
) -> OrphanSweep:
    """Delete the S3 folders of jobs that have no row (see the module docstring).

    Args:
        ctx: The services' dependencies.
        grace: Leave folders whose newest object is younger than this (default: the
            ``orphan_grace_seconds`` setting).
        dry_run: Only report what would be deleted.

    Raises:
        OcrJobsError: ``grace`` is negative (the cutoff would lie in the future and take
            the images of submissions still uploading).
    """
    grace = timedelta(seconds=ctx.settings.orphan_grace_seconds) if grace is None else grace
    if grace < timedelta(0):
        raise OcrJobsError(
            f"the orphan grace period cannot be negative ({grace.total_seconds():g} s given)"
        )
    cutoff = ctx.clock() - grace
    candidates = _jobless_folders(ctx)
    swept: list[UUID] = []
    objects = size = recent = 0
    for job_id in candidates:
        found = ctx.store.list_objects(job_prefix(job_id))
        if not found:
            continue
        newest = max(o.last_modified for o in found)
        if newest > cutoff:
            recent += 1
            continue
        if not _take(ctx, job_id, cutoff, dry_run=dry_run):
            continue
        folder_bytes = sum(o.size for o in found)
        if not dry_run:
            ctx.store.delete_keys([o.key for o in found])
            try:
                ctx.audit.delete_events(str(job_id))
            except OcrJobsError as exc:
                log.warning("orphan job=%s: objects deleted, audit events kept: %s", job_id, exc)
        log.warning(
            "orphan job=%s: %s %d objects (%d bytes) with no job row, newest %s",
            job_id,
            "would delete" if dry_run else "deleted",
            len(found),
            folder_bytes,
            newest.isoformat(),
        )
        swept.append(job_id)
        objects += len(found)
        size += folder_bytes
    if not dry_run:
        _drop_stale_claims(ctx, cutoff)
    return OrphanSweep(tuple(swept), objects, size, recent, dry_run)


def _take(ctx: Context, job_id: UUID, cutoff: datetime, *, dry_run: bool) -> bool:
    """Whether the folder of ``job_id`` is the sweep's to delete (see the module
    docstring): its stale claim deleted (or none), then no job row, in one transaction."""
    with ctx.uow(write=not dry_run) as uow:
        if not dry_run:
            uow.repo.end_upload(job_id, stale_before=cutoff)  # locks it against the commit
        if uow.repo.upload_claimed(job_id, touched_since=cutoff):
            return False  # a submission still running: touched since the cutoff
        if uow.repo.existing_job_ids([job_id]):
            return False  # committed since the first look
        if not dry_run:
            uow.commit()
    return True


def _drop_stale_claims(ctx: Context, cutoff: datetime) -> None:
    """Claims untouched since ``cutoff`` whose submission left no object (it died before
    its first upload, or its folder is gone): delete them."""
    with ctx.uow() as uow:
        stale = uow.repo.stale_uploads(cutoff)
    for job_id in stale:
        if ctx.store.list_keys(job_prefix(job_id)):
            continue  # the folder pass handles it once its newest object is old enough
        with ctx.uow(write=True) as uow:
            if uow.repo.end_upload(job_id, stale_before=cutoff):
                uow.commit()
                log.info("dropped the stale upload claim of job=%s (no object)", job_id)


def _jobless_folders(ctx: Context) -> list[UUID]:
    """Ids of the ``jobs/{id}/`` folders that no job row has, in listing order."""
    ids: list[UUID] = []
    for folder in ctx.store.list_folders(JOBS_ROOT):
        name = folder[len(JOBS_ROOT) :].rstrip("/")
        try:
            job_id = UUID(name)
        except ValueError:
            job_id = None
        if job_id is None or str(job_id) != name:
            log.warning("s3://%s/%s is not a job folder; left alone", ctx.store.bucket, folder)
            continue
        ids.append(job_id)
    with ctx.uow() as uow:
        existing = uow.repo.existing_job_ids(ids)  # in chunks of its own
    return [i for i in ids if i not in existing]
