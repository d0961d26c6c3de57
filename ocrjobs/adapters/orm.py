"""Table definitions for ``jobs``, ``job_items`` and ``uploads`` (SQLAlchemy Core).

The repository maps rows to the plain dataclasses in ``ocrjobs.domain.model`` itself:
every worker write is a conditional ``UPDATE ... WHERE status IN (...)``, which Core
expresses directly, and plain frozen data crosses threads to the GUI safely.
"""

from __future__ import annotations

import enum

from sqlalchemy import (
    Column,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql

from ocrjobs.adapters.types import UTCDateTime, UUIDString
from ocrjobs.domain.status import ItemStatus, JobStatus

# Named constraints: MySQL needs CHECK names unique per schema, Alembic needs names to
# alter them later (batch mode on SQLite).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# ocr_text can exceed TEXT's 64 KiB on MySQL for a dense page: MEDIUMTEXT there.
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def _status_enum(enum_cls: type[enum.StrEnum], name: str) -> Enum:
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


jobs = Table(
    "jobs",
    metadata,
    Column("id", UUIDString(), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("status", _status_enum(JobStatus, "job_status"), nullable=False),
    Column("sqs_retention_deadline", UTCDateTime(), nullable=False),
    Column("language", String(64), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    # The job list: newest first, optionally filtered by status.
    Index("ix_jobs_created_at_id", "created_at", "id"),
    Index("ix_jobs_status_created_at", "status", "created_at"),
    # Polling: "what changed since T".
    Index("ix_jobs_updated_at", "updated_at"),
    # Expiry sweep.
    Index("ix_jobs_deadline_status", "sqs_retention_deadline", "status"),
    mysql_charset="utf8mb4",
    mysql_collate="utf8mb4_unicode_ci",
)

job_items = Table(
    "job_items",
    metadata,
    Column("id", UUIDString(), primary_key=True),
    Column("job_id", UUIDString(), ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
    Column("s3_key", String(255), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("status", _status_enum(ItemStatus, "item_status"), nullable=False),
    Column("ocr_text", LongText, nullable=True),
    Column("error_msg", Text(), nullable=True),
    Column("error_code", String(32), nullable=True),
    Column("original_name", String(512), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size_bytes", Integer(), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("page_number", Integer(), nullable=True),
    Column("attempts", Integer(), nullable=False, default=0),
    Column("claim_token", String(36), nullable=True),
    Column("enqueued_at", UTCDateTime(), nullable=True),
    Column("started_at", UTCDateTime(), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("confidence", Float(), nullable=True),
    # JSON word boxes [[x, y, w, h, conf, text], ...] (migration 0002).
    Column("words", LongText, nullable=True),
    # Engine + language + pipeline version that produced the text: same sha256 and
    # profile → the result is reused instead of OCRing again.
    Column("ocr_profile", String(64), nullable=True),
    # A job's items, and per-status (expired, to-review) counts read from the index alone
    # (migrations 0003, 0004).
    Index("ix_job_items_counts", "job_id", "status", "error_code", "confidence"),
    Index("ix_job_items_updated_at", "updated_at"),
    # Sweeps: unsent PENDING items, PROCESSING items gone stale.
    Index("ix_job_items_status_enqueued_at", "status", "enqueued_at"),
    Index("ix_job_items_sha256", "sha256"),
    Index("ix_job_items_sha256_profile", "sha256", "ocr_profile"),
    mysql_charset="utf8mb4",
    mysql_collate="utf8mb4_unicode_ci",
)

# A submission's claim on its job id while it uploads, before its job row exists
# (migration 0005, ocrjobs.services.uploads): the job's commit deletes it in the same
# transaction, the orphan sweep only when it has not been touched for the grace period.
uploads = Table(
    "uploads",
    metadata,
    Column("job_id", UUIDString(), primary_key=True),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("touched_at", UTCDateTime(), nullable=False),
    Index("ix_uploads_touched_at", "touched_at"),
    mysql_charset="utf8mb4",
    mysql_collate="utf8mb4_unicode_ci",
)
