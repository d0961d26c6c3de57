"""The embedded local stack: loopback only, and its state lives and dies with it."""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import pytest
from PIL import Image

from ocrjobs.bootstrap import build_context
from ocrjobs.localstack import ENV_FILE, LocalStack
from ocrjobs.services.jobs import create_job, list_jobs


def _submit_one(tmp_path: Path) -> None:
    image = tmp_path / "one.png"
    Image.new("L", (40, 20), 255).save(image)
    ctx = build_context()
    try:
        assert create_job(ctx, "one", [image]).job is not None
    finally:
        ctx.close()


def _state(stack: LocalStack) -> tuple[int, int, int, int]:
    """Objects, queued messages, audit items and jobs, read with plain clients."""
    assert stack.settings is not None
    s = stack.settings
    s3 = boto3.client("s3", endpoint_url=stack.endpoint_url, region_name="us-east-1")
    sqs = boto3.client("sqs", endpoint_url=stack.endpoint_url, region_name="us-east-1")
    ddb = boto3.client("dynamodb", endpoint_url=stack.endpoint_url, region_name="us-east-1")
    objects = s3.list_objects_v2(Bucket=s.bucket).get("KeyCount", 0)
    url = sqs.get_queue_url(QueueName=s.queue)["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    messages = int(attrs["Attributes"]["ApproximateNumberOfMessages"])
    audit_items = ddb.scan(TableName=s.audit_table, Select="COUNT")["Count"]
    ctx = build_context()
    try:
        jobs = list_jobs(ctx).total
    finally:
        ctx.close()
    return objects, messages, audit_items, jobs


def test_a_restarted_stack_starts_empty(tmp_path: Path) -> None:
    stack = LocalStack(tmp_path / "stack")
    stack.start()
    try:
        _submit_one(tmp_path)
        assert _state(stack) == (1, 1, 1, 1)
    finally:
        stack.stop()
    # Same process, same data directory: moto's backends are process-wide, so a
    # restart must not find the previous run's objects, messages or audit items
    # beside a fresh database.
    again = LocalStack(tmp_path / "stack")
    again.start()
    try:
        assert _state(again) == (0, 0, 0, 0)
    finally:
        again.stop()


def test_loopback_environment_and_cleanup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "someone-real")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    data = tmp_path / "stack"
    stack = LocalStack(data)
    settings = stack.start()
    try:
        assert stack.endpoint_url.startswith("http://127.0.0.1:")
        assert os.environ["AWS_ENDPOINT_URL"] == stack.endpoint_url
        assert "AWS_PROFILE" not in os.environ  # a profile would shadow the dummy keys
        assert settings.database_url == f"sqlite:///{stack.db_path}"
        assert stack.db_path.exists()
        exports = (data / ENV_FILE).read_text()
        assert "unset AWS_PROFILE" in exports
        assert f"export AWS_ENDPOINT_URL={stack.endpoint_url}" in exports
        assert "0.0.0.0" not in exports
    finally:
        stack.stop()
    assert os.environ["AWS_PROFILE"] == "someone-real"
    assert "AWS_ENDPOINT_URL" not in os.environ
    assert not stack.db_path.exists()
    assert not (data / ENV_FILE).exists()
