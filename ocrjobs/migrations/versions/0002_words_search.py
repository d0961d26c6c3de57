"""Word boxes, OCR profile (duplicate reuse) and full-text search over OCR text.

* ``job_items.words``: JSON word boxes ``[[x, y, w, h, conf, text], ...]``;
* ``job_items.ocr_profile``: what produced the text (engine, language, pipeline
  version) — an image with the same sha256 and profile reuses a DONE item's result;
* full-text search: a FULLTEXT index on MySQL/MariaDB; on SQLite an FTS5 table
  ``job_items_fts(item_id UNINDEXED, ocr_text)`` kept in step by triggers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE job_items_fts USING fts5("
    "item_id UNINDEXED, ocr_text, tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO job_items_fts (item_id, ocr_text) "
    "SELECT id, ocr_text FROM job_items WHERE ocr_text IS NOT NULL",
    "CREATE TRIGGER job_items_fts_ai AFTER INSERT ON job_items WHEN new.ocr_text IS NOT NULL "
    "BEGIN INSERT INTO job_items_fts (item_id, ocr_text) VALUES (new.id, new.ocr_text); END",
    "CREATE TRIGGER job_items_fts_ad AFTER DELETE ON job_items "
    "BEGIN DELETE FROM job_items_fts WHERE item_id = old.id; END",
    "CREATE TRIGGER job_items_fts_au AFTER UPDATE OF ocr_text ON job_items "
    "BEGIN DELETE FROM job_items_fts WHERE item_id = old.id; "
    "INSERT INTO job_items_fts (item_id, ocr_text) SELECT new.id, new.ocr_text "
    "WHERE new.ocr_text IS NOT NULL; END",
]


def upgrade() -> None:
    with op.batch_alter_table("job_items") as batch:
        batch.add_column(
            sa.Column(
                "words",
                sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb"),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("ocr_profile", sa.String(64), nullable=True))
    op.create_index("ix_job_items_sha256_profile", "job_items", ["sha256", "ocr_profile"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect in {"mysql", "mariadb"}:
        op.execute("ALTER TABLE job_items ADD FULLTEXT INDEX ft_job_items_ocr_text (ocr_text)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("job_items_fts_ai", "job_items_fts_ad", "job_items_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS job_items_fts")
    elif dialect in {"mysql", "mariadb"}:
        op.execute("ALTER TABLE job_items DROP INDEX ft_job_items_ocr_text")
    op.drop_index("ix_job_items_sha256_profile", table_name="job_items")
    with op.batch_alter_table("job_items") as batch:
        batch.drop_column("ocr_profile")
        batch.drop_column("words")
