"""Fill a MariaDB database with a realistic job history, fast (executemany + INSERT ... SELECT).

The mix: mostly finished jobs spread over the last 60 days, some failed or expired, a few
still pending or processing (stamped in the last minutes, as a running worker leaves
them). Items come from ``INSERT ... SELECT`` over MariaDB's ``seq_0_to_N`` sequence
table, so 200,000 rows take seconds, not minutes.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text

# (job status, share of jobs)
MIX = (("DONE", 0.82), ("ERROR", 0.06), ("EXPIRED", 0.03), ("PROCESSING", 0.05), ("PENDING", 0.04))


KINDS = ("invoices", "letters", "receipts", "forms", "contracts")


@dataclass(frozen=True)
class Seeded:
    """What was inserted, and a few jobs the benchmark needs."""

    jobs: int
    items: int
    active_job: uuid.UUID
    """A PROCESSING job with many items (the one shown in the detail view)."""
    seconds: float


def _item_counts(n_jobs: int, n_items: int, rng: random.Random) -> list[int]:
    """Items per job: 1–60 (mostly small), adjusted to sum to exactly ``n_items``."""
    counts = [max(1, min(60, int(rng.expovariate(1 / (n_items / n_jobs))))) for _ in range(n_jobs)]
    diff = n_items - sum(counts)
    i = 0
    while diff != 0:
        j = i % n_jobs
        step = 1 if diff > 0 else -1
        if 1 <= counts[j] + step <= 60:
            counts[j] += step
            diff -= step
        i += 1
    return counts


def seed(
    engine: Engine, n_jobs: int = 10_000, n_items: int = 200_000, *, rng_seed: int = 7
) -> Seeded:
    """Insert ``n_jobs`` jobs and exactly ``n_items`` items into a migrated, empty database."""
    import time

    t0 = time.perf_counter()
    rng = random.Random(rng_seed)
    now = datetime.now(UTC).replace(tzinfo=None)
    counts = _item_counts(n_jobs, n_items, rng)
    statuses = rng.choices([s for s, _ in MIX], weights=[w for _, w in MIX], k=n_jobs)
    rows = []
    active: tuple[int, uuid.UUID] | None = None
    for i, (status, n) in enumerate(zip(statuses, counts, strict=True)):
        job_id = uuid.uuid4()
        if status in {"PENDING", "PROCESSING"}:
            created = now - timedelta(seconds=rng.uniform(60, 3600))
            updated = now - timedelta(seconds=rng.uniform(0, 600))
            finished = None
            if status == "PROCESSING" and (active is None or n > active[0]):
                active = (n, job_id)
        else:
            created = now - timedelta(days=rng.uniform(0.1, 60))
            finished = created + timedelta(seconds=rng.uniform(5, 900))
            updated = finished
        rows.append(
            {
                "id": str(job_id),
                "name": f"Scan batch {i:05d} — {rng.choice(KINDS)}",
                "created_at": created,
                "status": status,
                "deadline": created + timedelta(hours=96),
                "language": rng.choice(["eng", "eng", "por", "eng+por"]),
                "updated_at": updated,
                "finished_at": finished,
                "n": n,
            }
        )
    assert active is not None
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TEMPORARY TABLE bench_jobs (id CHAR(36) PRIMARY KEY, n INT NOT NULL, "
                "status VARCHAR(16) NOT NULL) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        )
        conn.execute(
            text(
                "INSERT INTO jobs (id, name, created_at, status, sqs_retention_deadline, "
                "language, updated_at, finished_at) VALUES (:id, :name, :created_at, :status, "
                ":deadline, :language, :updated_at, :finished_at)"
            ),
            rows,
        )
        conn.execute(
            text("INSERT INTO bench_jobs (id, n, status) VALUES (:id, :n, :status)"),
            [{"id": r["id"], "n": r["n"], "status": r["status"]} for r in rows],
        )
        # Item status from the job's: finished jobs are all DONE but for a few failed (or
        # expired) items; active jobs are DONE up to a point, then PROCESSING, then PENDING.
        conn.execute(
            text(
                """
                INSERT INTO job_items (id, job_id, s3_key, created_at, status, ocr_text,
                    error_msg, error_code, original_name, content_type, size_bytes, sha256,
                    page_number, attempts, enqueued_at, started_at, finished_at, updated_at,
                    confidence)
                SELECT x.id, x.job_id, CONCAT('jobs/', x.job_id, '/', x.id, '.png'),
                    x.created_at, x.st,
                    IF(x.st = 'DONE', CONCAT('Invoice ', x.seq, ' total amount due ',
                       x.seq * 17 % 1000, '.00 payable within thirty days of receipt'), NULL),
                    IF(x.st = 'ERROR', IF(x.jst = 'EXPIRED', 'not processed before the deadline',
                       'the image could not be read'), NULL),
                    IF(x.st = 'ERROR', IF(x.jst = 'EXPIRED', 'EXPIRED', 'OCR_FAILED'), NULL),
                    CONCAT('page-', LPAD(x.seq, 3, '0'), '.png'), 'image/png',
                    80000 + x.seq * 37 % 40000, SHA2(x.id, 256), NULL,
                    IF(x.st = 'PENDING', 0, 1), x.created_at,
                    IF(x.st = 'PENDING', NULL, x.created_at),
                    IF(x.st IN ('DONE', 'ERROR'), x.updated_at, NULL),
                    x.updated_at,
                    IF(x.st = 'DONE', 80 + x.seq % 20, NULL)
                FROM (
                    SELECT UUID() AS id, j.id AS job_id, j.created_at, j.status AS jst,
                        s.seq, LEAST(j.updated_at, j.created_at + INTERVAL s.seq SECOND)
                            AS updated_at,
                        CASE
                            WHEN j.status = 'DONE' THEN 'DONE'
                            WHEN j.status IN ('ERROR', 'EXPIRED')
                                THEN IF(s.seq % 4 = 0, 'ERROR', 'DONE')
                            WHEN j.status = 'PENDING' THEN 'PENDING'
                            WHEN s.seq < b.n / 2 THEN 'DONE'
                            WHEN s.seq < b.n / 2 + 2 THEN 'PROCESSING'
                            ELSE 'PENDING'
                        END AS st
                    FROM jobs j
                    JOIN bench_jobs b ON b.id = j.id
                    JOIN seq_0_to_999 s ON s.seq < b.n
                ) x
                """
            )
        )
        conn.execute(text("DROP TEMPORARY TABLE bench_jobs"))
        n_jobs_db = conn.execute(text("SELECT COUNT(*) FROM jobs")).scalar_one()
        n_items_db = conn.execute(text("SELECT COUNT(*) FROM job_items")).scalar_one()
        conn.execute(text("ANALYZE TABLE jobs, job_items"))
    return Seeded(int(n_jobs_db), int(n_items_db), active[1], time.perf_counter() - t0)
