"""Counts of items to review read from the index too: ``(job_id, status, error_code,
confidence)``.

``counts_for`` now also counts, per job, the DONE items whose mean word confidence is
below ``ocrjobs.domain.words.LOW_CONFIDENCE`` (the job list flags jobs that need review).
Adding ``confidence`` to 0003's covering index keeps that query on the index alone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NEW = "ix_job_items_counts"
OLD = "ix_job_items_job_id_status_error_code"


def upgrade() -> None:
    # Create before dropping: the foreign key on job_id always has an index.
    op.create_index(NEW, "job_items", ["job_id", "status", "error_code", "confidence"])
    op.drop_index(OLD, table_name="job_items")


def downgrade() -> None:
    op.create_index(OLD, "job_items", ["job_id", "status", "error_code"])
    op.drop_index(NEW, table_name="job_items")
