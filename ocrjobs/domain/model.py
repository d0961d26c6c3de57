"""Plain data for jobs and items: what services return and what crosses threads to the GUI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from ocrjobs.domain.status import EXPIRED_CODE, ItemStatus, JobStatus, StatusCounts
from ocrjobs.domain.words import LOW_CONFIDENCE

RETENTION = timedelta(days=2)
"""The seed's ``sqs_retention_deadline`` = ``created_at`` + 2 days (the queue's retention)."""


JOBS_ROOT = "jobs/"
"""The S3 prefix under which every job has its folder (seed layout)."""


def s3_key_for(job_id: UUID, item_id: UUID, ext: str) -> str:
    """The one place that builds S3 keys: ``jobs/{job_id}/{item_id}.{ext}`` (seed layout).

    Nothing the user typed reaches a key: ids are UUIDs and ``ext`` comes from the
    detected image format, never from the file name.
    """
    # isalnum() alone accepts any Unicode letter or digit ("é", "²", fullwidth "ｊｐｇ").
    if not (ext.isascii() and ext.isalnum()):
        raise ValueError(f"bad extension {ext!r}")
    return f"{job_prefix(job_id)}{item_id}.{ext.lower()}"


def job_prefix(job_id: UUID) -> str:
    """The S3 prefix holding every object of one job."""
    return f"{JOBS_ROOT}{job_id}/"


@dataclass(frozen=True, slots=True)
class Job:
    """A row of ``jobs`` (seed columns first)."""

    id: UUID
    name: str
    created_at: datetime
    status: JobStatus
    sqs_retention_deadline: datetime
    language: str
    updated_at: datetime
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class JobItem:
    """A row of ``job_items`` (seed columns first)."""

    id: UUID
    job_id: UUID
    s3_key: str
    created_at: datetime
    status: ItemStatus
    ocr_text: str | None
    error_msg: str | None
    error_code: str | None
    original_name: str
    content_type: str
    size_bytes: int
    sha256: str
    page_number: int | None
    attempts: int
    enqueued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime
    confidence: float | None = None
    ocr_profile: str | None = None

    @property
    def expired(self) -> bool:
        return self.status is ItemStatus.ERROR and self.error_code == EXPIRED_CODE

    @property
    def low_confidence(self) -> bool:
        """Read, but with a mean word confidence under ``LOW_CONFIDENCE``: to review."""
        return (
            self.status is ItemStatus.DONE
            and self.confidence is not None
            and self.confidence < LOW_CONFIDENCE
        )


@dataclass(frozen=True, slots=True)
class JobSummary:
    """A job with its per-status item counts: one row of the job list."""

    job: Job
    counts: StatusCounts

    @property
    def id(self) -> UUID:
        return self.job.id


@dataclass(frozen=True, slots=True)
class JobDetail:
    """A job with every item: what ``get_job`` returns."""

    job: Job
    counts: StatusCounts
    items: tuple[JobItem, ...]


@dataclass(frozen=True, slots=True)
class JobPage:
    """One page of the job list."""

    jobs: tuple[JobSummary, ...]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed since a watermark: jobs (with counts) and the ids of deleted-or-missing ones.

    ``watermark`` is what to pass to the next poll.
    """

    jobs: tuple[JobSummary, ...]
    items: tuple[JobItem, ...]
    watermark: datetime


@dataclass(frozen=True, slots=True)
class Rejection:
    """A file refused at submission: which file, a stable code and a human reason."""

    name: str
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class CreateResult:
    """Outcome of ``create_job``: the job (if any file was valid) and every refused file."""

    job: JobDetail | None
    rejected: tuple[Rejection, ...]
    unsent: int = 0
    """Items whose queue message could not be sent yet (they are resent by ``requeue``)."""


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One entry of the DynamoDB audit log."""

    job_id: str
    timestamp: datetime
    event_id: str
    action: str
    actor: str
    details: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NamedBytes:
    """A file that exists only in memory (a pasted image): its display name and bytes."""

    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Progress:
    """Submission progress reported to a callback: ``done`` of ``total`` files handled."""

    done: int
    total: int
    stage: str
    """``checking`` / ``uploading``, then ``saving``, ``queueing``, ``done``."""
    current: str = ""


@dataclass(frozen=True, slots=True)
class DeleteReport:
    """What ``delete_job`` removed."""

    job_id: UUID
    objects: int
    items: int
    audit_events: int
    existed: bool
