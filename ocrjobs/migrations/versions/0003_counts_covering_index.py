"""Per-status item counts read from an index: ``job_items (job_id, status, error_code)``.

``counts_for`` (the job list's counts and every poll tick's) groups a job's items by
status and counts the expired ones by ``error_code``. With ``(job_id, status)`` MariaDB
read every item row for ``error_code``; with ``error_code`` in the index it reads the
index only (bench/gui: 120 changed jobs, 2,318 items: 25 ms → 14.5 ms). The new index
starts with the old one's columns, so it replaces it (and still backs the foreign key).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NEW = "ix_job_items_job_id_status_error_code"
OLD = "ix_job_items_job_id_status"


def upgrade() -> None:
    # Create before dropping: the foreign key on job_id always has an index.
    op.create_index(NEW, "job_items", ["job_id", "status", "error_code"])
    op.drop_index(OLD, table_name="job_items")


def downgrade() -> None:
    op.create_index(OLD, "job_items", ["job_id", "status"])
    op.drop_index(NEW, table_name="job_items")
