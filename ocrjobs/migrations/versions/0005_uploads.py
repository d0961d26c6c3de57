"""``uploads``: a submission's claim on its job id while its images upload.

``create_job`` inserts the row before its first upload, touches it while uploading and
deletes it in the transaction that commits the job. The orphan sweep deletes the images
of a job folder with no job row only after deleting a stale claim (or when there is
none), so the database decides between a late commit and the sweep.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ocrjobs.adapters.types import UTCDateTime, UUIDString

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("job_id", UUIDString(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("touched_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_uploads")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
    )
    op.create_index("ix_uploads_touched_at", "uploads", ["touched_at"])


def downgrade() -> None:
    op.drop_index("ix_uploads_touched_at", table_name="uploads")
    op.drop_table("uploads")
