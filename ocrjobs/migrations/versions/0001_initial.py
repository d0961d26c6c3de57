"""Initial schema: jobs and job_items (seed columns plus what the product needs).

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from ocrjobs.adapters.types import UTCDateTime, UUIDString

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JOB_STATUSES = ("PENDING", "PROCESSING", "DONE", "ERROR", "EXPIRED")
ITEM_STATUSES = ("PENDING", "PROCESSING", "DONE", "ERROR")
MYSQL_CHARSET = "utf8mb4"
MYSQL_COLLATE = "utf8mb4_unicode_ci"


def _status(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", UUIDString(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("status", _status("job_status", JOB_STATUSES), nullable=False),
        sa.Column("sqs_retention_deadline", UTCDateTime(), nullable=False),
        sa.Column("language", sa.String(64), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        mysql_charset=MYSQL_CHARSET,
        mysql_collate=MYSQL_COLLATE,
    )
    op.create_index("ix_jobs_created_at_id", "jobs", ["created_at", "id"])
    op.create_index("ix_jobs_status_created_at", "jobs", ["status", "created_at"])
    op.create_index("ix_jobs_updated_at", "jobs", ["updated_at"])
    op.create_index("ix_jobs_deadline_status", "jobs", ["sqs_retention_deadline", "status"])

    op.create_table(
        "job_items",
        sa.Column("id", UUIDString(), nullable=False),
        sa.Column("job_id", UUIDString(), nullable=False),
        sa.Column("s3_key", sa.String(255), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("status", _status("item_status", ITEM_STATUSES), nullable=False),
        sa.Column(
            "ocr_text",
            sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb"),
            nullable=True,
        ),
        sa.Column("error_msg", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(32), nullable=True),
        sa.Column("original_name", sa.String(512), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("page_number", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claim_token", sa.String(36), nullable=True),
        sa.Column("enqueued_at", UTCDateTime(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_items")),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_items_job_id_jobs"), ondelete="CASCADE"
        ),
        mysql_charset=MYSQL_CHARSET,
        mysql_collate=MYSQL_COLLATE,
    )
    op.create_index("ix_job_items_job_id_status", "job_items", ["job_id", "status"])
    op.create_index("ix_job_items_updated_at", "job_items", ["updated_at"])
    op.create_index("ix_job_items_status_enqueued_at", "job_items", ["status", "enqueued_at"])
    op.create_index("ix_job_items_sha256", "job_items", ["sha256"])


def downgrade() -> None:
    op.drop_table("job_items")
    op.drop_table("jobs")
