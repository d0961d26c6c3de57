"""``ocrjobs`` end to end on the local stack, read back with plain boto3 and plain SQL.

The stack (moto on 127.0.0.1 + SQLite) applies its environment to ``os.environ``, so each
``ocrjobs`` subprocess joins it through the standard AWS chain and ``OCRJOBS_*``. What
the CLI wrote is then checked against SPEC without our adapters: S3 keys
``jobs/{job_id}/{item_id}.{ext}``, the seed's five message fields, row values, audit
events in DynamoDB, and that delete leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from PIL import Image
from sqlalchemy import create_engine, text

from ocrjobs.config import Settings
from ocrjobs.localstack import LocalStack

pytestmark = pytest.mark.e2e

SEED_FIELDS = ["job_id", "item_id", "s3_bucket", "s3_key", "created_at"]
UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
KEY = re.compile(rf"jobs/({UUID_RE})/({UUID_RE})\.([a-z0-9]+)")


def ocrjobs(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ocrjobs", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        check=False,
    )


def ok(*args: str) -> subprocess.CompletedProcess[str]:
    result = ocrjobs(*args)
    assert result.returncode == 0, result.stderr
    return result


class Stack:
    """Plain clients on the local stack: boto3 on its endpoint, plain SQL on its database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        endpoint = os.environ["AWS_ENDPOINT_URL"]
        assert endpoint.startswith("http://127.0.0.1:")
        self.s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        self.sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1")
        self.ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
        self.queue_url = self.sqs.get_queue_url(QueueName=settings.queue)["QueueUrl"]
        # A bare engine and text SQL: none of our column types or repository code.
        self.engine = create_engine(settings.database_url)

    def sql(self, query: str, **params: object) -> list[Any]:
        with self.engine.begin() as conn:
            result = conn.execute(text(query), params)
            return list(result.mappings().all()) if result.returns_rows else []

    def close(self) -> None:
        self.engine.dispose()

    def keys(self, prefix: str = "jobs/") -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.settings.bucket, Prefix=prefix
        )
        return [o["Key"] for p in pages for o in p.get("Contents", [])]

    def drain(self) -> list[dict[str, Any]]:
        """Receive and delete every message: the bodies, parsed."""
        bodies: list[dict[str, Any]] = []
        while True:
            got = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not got:
                return bodies
            for m in got:
                bodies.append(json.loads(m["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])

    def events(self, job_id: str) -> list[dict[str, Any]]:
        items = self.ddb.query(
            TableName=self.settings.audit_table,
            KeyConditionExpression="job_id = :j",
            ExpressionAttributeValues={":j": {"S": job_id}},
            ConsistentRead=True,
        )["Items"]
        return [{k: next(iter(v.values())) for k, v in item.items()} for item in items]


@pytest.fixture
def stack(local_stack: Settings) -> Iterator[Stack]:
    """The local stack on SQLite (its default)."""
    plain = Stack(local_stack)
    yield plain
    plain.close()


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def any_stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    """The local stack on SQLite, then on the real MariaDB."""
    db = None if request.param == "sqlite" else str(request.getfixturevalue("_mysql_migrated"))
    local = LocalStack(tmp_path / "stack", database_url=db)
    settings = local.start()
    plain = Stack(settings)
    yield plain
    plain.close()
    local.stop()


def png(path: Path, size: tuple[int, int] = (120, 40), shade: int = 255) -> Path:
    img = Image.new("L", size, shade)
    img.putpixel((3, 3), 0)
    img.save(path, format="PNG")
    return path


def jpeg(path: Path) -> Path:
    Image.new("RGB", (60, 60), "white").save(path, format="JPEG")
    return path


def sql_time(value: str | datetime) -> datetime:
    """Our timestamps are stored as naive UTC (text on SQLite, DATETIME on MariaDB)."""
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    assert stamp.tzinfo is None
    return stamp.replace(tzinfo=UTC)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_submit_list_show_rename_logs_delete(stack: Stack, tmp_path: Path, samples: Path) -> None:
    drop = tmp_path / "drop ação"
    drop.mkdir()
    files = [
        png(drop / "page one.png"),
        jpeg(drop / "photo.JPG"),
        png(drop / "名前.png", (200, 80), 240),
    ]
    files += sorted(samples.glob("en-line.png"))
    (drop / "notes.txt").write_text("not an image")
    files.append(drop / "notes.txt")

    result = ok("submit", *map(str, files), "--name", "E2E ação", "--lang", "por", "--json")
    out = json.loads(result.stdout)
    job_id = out["job"]["job"]["id"]
    assert [r["name"] for r in out["rejected"]] == ["notes.txt"]
    assert out["rejected"][0]["code"] == "NOT_IMAGE"
    assert out["unsent"] == 0
    n = len(files) - 1

    # -- rows (plain SQL) --
    [job] = stack.sql("SELECT * FROM jobs")
    assert job["id"] == job_id
    assert job["name"] == "E2E ação"
    assert job["status"] == "PENDING"
    assert job["language"] == "por"
    created = sql_time(job["created_at"])
    assert sql_time(job["sqs_retention_deadline"]) - created == timedelta(days=2)
    assert abs(datetime.now(UTC) - created) < timedelta(hours=1)
    items = stack.sql("SELECT * FROM job_items WHERE job_id = :job", job=job_id)
    assert len(items) == n
    by_name = {i["original_name"]: i for i in items}
    assert set(by_name) == {f.name for f in files[:-1]}
    for f in files[:-1]:
        row = by_name[f.name]
        assert row["status"] == "PENDING"
        assert row["ocr_text"] is None
        assert row["error_msg"] is None
        assert row["size_bytes"] == f.stat().st_size
        assert row["enqueued_at"] is not None
        ext = "jpg" if f.suffix == ".JPG" else "png"
        assert row["s3_key"] == f"jobs/{job_id}/{row['id']}.{ext}"
        assert row["content_type"] == ("image/jpeg" if ext == "jpg" else "image/png")

    # -- S3 objects (plain boto3) --
    keys = stack.keys()
    assert sorted(keys) == sorted(i["s3_key"] for i in items)
    for key in keys:
        m = KEY.fullmatch(key)
        assert m
        assert m[1] == job_id
        row = next(i for i in items if i["id"] == m[2])
        obj = stack.s3.get_object(Bucket=stack.settings.bucket, Key=key)
        source = next(f for f in files if f.name == row["original_name"])
        assert obj["Body"].read() == source.read_bytes()
        assert obj["ContentType"] == row["content_type"]

    # -- queue messages: the seed's five fields, right values --
    bodies = stack.drain()
    assert len(bodies) == n
    for body in bodies:
        assert list(body)[:5] == SEED_FIELDS
        assert set(body) - set(SEED_FIELDS) <= {"version", "language"}
        row = next(i for i in items if i["id"] == body["item_id"])
        assert body["job_id"] == job_id
        assert body["s3_bucket"] == stack.settings.bucket
        assert body["s3_key"] == row["s3_key"]
        assert datetime.fromisoformat(body["created_at"]) == sql_time(row["created_at"])
        assert body.get("language", "por") == "por"
    assert sorted(b["item_id"] for b in bodies) == sorted(i["id"] for i in items)

    # -- audit (plain DynamoDB) --
    [created_event] = stack.events(job_id)
    assert created_event["action"] == "JOB_CREATED"
    assert json.loads(created_event["details"])["items"] == n

    # -- list / show --
    listed = json.loads(ok("list", "--json").stdout)
    assert listed["total"] == 1
    assert listed["jobs"][0]["id"] == job_id
    assert listed["jobs"][0]["counts"]["PENDING"] == n
    shown = json.loads(ok("show", job_id, "--json").stdout)
    assert shown["job"]["name"] == "E2E ação"
    assert sorted(i["id"] for i in shown["items"]) == sorted(i["id"] for i in items)
    assert {i["status"] for i in shown["items"]} == {"PENDING"}

    # -- rename, logs --
    assert job_id in ok("rename", job_id, "Renamed job").stdout
    assert stack.sql("SELECT name FROM jobs")[0]["name"] == "Renamed job"
    logs = json.loads(ok("logs", job_id, "--json").stdout)
    assert [e["action"] for e in logs] == ["JOB_CREATED", "JOB_RENAMED"]
    assert logs[1]["details"] == {"old": "E2E ação", "new": "Renamed job"}
    assert [e["action"] for e in stack.events(job_id)] == ["JOB_CREATED", "JOB_RENAMED"]

    # -- delete: nothing left in S3, SQL or DynamoDB; again → not found --
    day_before = datetime.now(UTC).strftime("%Y-%m-%d")
    deleted = ok("delete", job_id, "--yes")
    assert job_id in deleted.stdout
    assert stack.keys() == []
    assert stack.sql("SELECT id FROM jobs") == []
    assert stack.sql("SELECT id FROM job_items") == []
    assert stack.events(job_id) == []
    # "who deleted what, when" survives in a per-day partition outside the job's own
    days = {day_before, datetime.now(UTC).strftime("%Y-%m-%d")}
    records = [
        json.loads(e["details"])
        for day in sorted(days)
        for e in stack.events(f"deleted#{day}")
        if e["action"] == "JOB_DELETED"
    ]
    assert [r["job_id"] for r in records] == [job_id]
    assert records[0]["objects"] == n
    missing = ocrjobs("delete", job_id, "--yes")
    assert missing.returncode == 3
    assert job_id in missing.stderr


def test_expire_and_retry(any_stack: Stack, tmp_path: Path) -> None:
    stack = any_stack
    from ocrjobs.bootstrap import build_context
    from ocrjobs.services.jobs import create_job

    ctx = build_context(Settings.load())
    try:
        result = create_job(
            ctx, "late", [png(tmp_path / "a.png"), png(tmp_path / "b.png", shade=9)]
        )
    finally:
        ctx.close()
    assert result.job is not None
    job_id = str(result.job.job.id)
    first = stack.drain()
    assert len(first) == 2
    # Nobody processed it in time.
    stack.sql("UPDATE jobs SET sqs_retention_deadline = '2000-01-01 00:00:00.000000'")

    out = ok("expire")
    assert job_id in out.stdout
    [job] = stack.sql("SELECT status FROM jobs")
    assert job["status"] == "EXPIRED"
    items = stack.sql("SELECT status, error_code, error_msg FROM job_items")
    assert [(i["status"], i["error_code"]) for i in items] == [("ERROR", "EXPIRED")] * 2
    assert all(i["error_msg"] for i in items)
    assert "JOB_EXPIRED" in [e["action"] for e in stack.events(job_id)]

    out = ok("retry", job_id)
    assert "2" in out.stdout
    [job] = stack.sql("SELECT status, sqs_retention_deadline FROM jobs")
    assert job["status"] == "PENDING"
    assert sql_time(job["sqs_retention_deadline"]) > datetime.now(UTC) + timedelta(days=1)
    items = stack.sql("SELECT id, status, error_code, s3_key FROM job_items")
    assert [(i["status"], i["error_code"]) for i in items] == [("PENDING", None)] * 2
    again = stack.drain()
    assert sorted(b["item_id"] for b in again) == sorted(i["id"] for i in items)
    assert sorted(b["s3_key"] for b in again) == sorted(i["s3_key"] for i in items)
    actions = [e["action"] for e in stack.events(job_id)]
    assert actions.count("JOB_EXPIRED") == 1
    assert "ITEMS_RETRIED" in actions
    assert sorted(stack.keys()) == sorted(i["s3_key"] for i in items)


def test_exit_codes_and_errors_name_what_failed(stack: Stack, tmp_path: Path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    image = png(tmp_path / "ok.png")
    port = closed_port()
    aws_down = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "OCRJOBS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "OCRJOBS_AWS_MAX_ATTEMPTS": "1",
    }
    # Only DynamoDB down: boto3's per-service endpoint variables, no global override.
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    ddb_down = {
        "AWS_ENDPOINT_URL": "",
        "OCRJOBS_ENDPOINT_URL": "",
        "AWS_ENDPOINT_URL_S3": endpoint,
        "AWS_ENDPOINT_URL_SQS": endpoint,
        "AWS_ENDPOINT_URL_DYNAMODB": f"http://127.0.0.1:{port}",
        "OCRJOBS_AWS_MAX_ATTEMPTS": "1",
    }
    runs: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
        "usage": (("submit",), {}),
        "refused": (("submit", str(bad), str(text)), {}),
        "not_found": (("show", "00000000-0000-4000-8000-000000000000"), {}),
        "s3_down": (("submit", str(image)), aws_down),
        "dynamodb_down": (("submit", str(image)), ddb_down),
        "db_down": (
            ("list",),
            {"OCRJOBS_DATABASE_URL": f"mysql+pymysql://u:pw@127.0.0.1:{port}/x"},
        ),
        "db_unwritable": (
            ("submit", str(image)),
            {"OCRJOBS_DATABASE_URL": "sqlite:////proc/ocrjobs-nowhere/db.sqlite3"},
        ),
    }
    r = {name: ocrjobs(*args, env=env) for name, (args, env) in runs.items()}

    assert r["usage"].returncode == 2
    assert "usage" in r["usage"].stderr

    assert r["refused"].returncode == 4
    assert "bad.png" in r["refused"].stderr
    assert "notes.txt" in r["refused"].stderr

    assert r["not_found"].returncode == 3
    assert "00000000-0000-4000-8000-000000000000" in r["not_found"].stderr

    assert r["s3_down"].returncode == 5, r["s3_down"].stderr
    assert f"127.0.0.1:{port}" in r["s3_down"].stderr
    assert "s3" in r["s3_down"].stderr.lower()

    assert r["dynamodb_down"].returncode == 5, r["dynamodb_down"].stderr
    assert "dynamodb" in r["dynamodb_down"].stderr.lower()
    assert f"127.0.0.1:{port}" in r["dynamodb_down"].stderr

    assert r["db_down"].returncode == 5
    assert "database" in r["db_down"].stderr
    assert f"127.0.0.1:{port}" in r["db_down"].stderr
    assert "pw" not in r["db_down"].stderr

    assert r["db_unwritable"].returncode == 5, r["db_unwritable"].stderr
    assert "database" in r["db_unwritable"].stderr
    assert "/proc/ocrjobs-nowhere/db.sqlite3" in r["db_unwritable"].stderr

    for result in r.values():
        assert "Traceback" not in result.stderr
    # Nothing half-created: no rows, and the objects uploaded before the database
    # failed were removed again.
    assert stack.sql("SELECT id FROM jobs") == []
    assert stack.keys() == []
    assert stack.drain() == []


def test_orphans_deletes_images_no_job_points_at(stack: Stack, tmp_path: Path) -> None:
    submitted = json.loads(ok("submit", str(png(tmp_path / "real.png")), "--json").stdout)
    job_id = submitted["job"]["job"]["id"]
    orphan = f"jobs/{uuid.uuid4()}/{uuid.uuid4()}.png"  # a submission killed before its commit
    stack.s3.put_object(Bucket=stack.settings.bucket, Key=orphan, Body=b"image bytes")

    kept = json.loads(ok("orphans", "--json").stdout)  # default grace: an hour
    assert (kept["jobs"], kept["recent"]) == ([], 1)
    dry = json.loads(ok("orphans", "--grace", "0", "--dry-run", "--json").stdout)
    assert dry["jobs"] == [orphan.split("/")[1]]
    assert (dry["objects"], dry["bytes"], dry["dry_run"]) == (1, 11, True)
    before = stack.keys()
    assert orphan in before

    swept = ok("orphans", "--grace", "0")
    assert "deleted 1 objects (11 bytes) of 1 job folders" in swept.stdout
    after = stack.keys()
    assert orphan not in after
    assert [k.split("/")[1] for k in after] == [job_id]


def test_unsent_items_are_sent_by_requeue_exactly_once(stack: Stack, tmp_path: Path) -> None:
    files = [str(png(tmp_path / f"p{i}.png", shade=200 + i)) for i in range(3)]
    # SQS refuses the sends (no such queue) after the rows are committed.
    submitted = ocrjobs("submit", *files, "--json", env={"OCRJOBS_QUEUE": "no-such-queue"})
    assert submitted.returncode == 0, submitted.stderr
    out = json.loads(submitted.stdout)
    assert out["unsent"] == 3
    job_id = out["job"]["job"]["id"]
    items = stack.sql("SELECT id, status, enqueued_at FROM job_items")
    assert [(i["status"], i["enqueued_at"]) for i in items] == [("PENDING", None)] * 3
    assert stack.drain() == []

    requeued = ok("requeue", "--grace", "0")
    assert "3 unsent items queued" in requeued.stdout
    bodies = stack.drain()
    assert sorted(b["item_id"] for b in bodies) == sorted(i["id"] for i in items)
    assert {b["job_id"] for b in bodies} == {job_id}
    for body in bodies:
        assert list(body)[:5] == SEED_FIELDS
    assert all(i["enqueued_at"] is not None for i in stack.sql("SELECT enqueued_at FROM job_items"))
    assert "ITEMS_REQUEUED" in [e["action"] for e in stack.events(job_id)]
