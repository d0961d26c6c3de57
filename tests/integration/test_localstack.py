"""The embedded local stack: loopback only, moto in a child process that never outlives
its owner, and its state lives and dies with it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
from PIL import Image

from ocrjobs.bootstrap import build_context
from ocrjobs.localstack import ENV_FILE, LocalStack
from ocrjobs.moto_process import MotoProcessError
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
    # Same process, same data directory: a restart must not find the previous run's
    # objects, messages or audit items beside a fresh database.
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


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie (exited, not yet reaped by its adopter)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _answers(endpoint: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{endpoint}/moto-api/data.json", timeout=5) as response:
            response.read()
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, ConnectionError):
        return False
    return True


def _wait_gone(pid: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_moto_runs_in_a_child_process_that_stop_ends(tmp_path: Path) -> None:
    stack = LocalStack(tmp_path / "stack")
    stack.start()
    pid, endpoint = stack.server_pid, stack.endpoint_url
    try:
        assert pid is not None
        assert pid != os.getpid()
        assert _alive(pid)
        assert _answers(endpoint)
    finally:
        stack.stop()
    assert stack.server_pid is None
    assert not _alive(pid)
    assert not _answers(endpoint)


OWNER = """
import sys, time
from pathlib import Path
from ocrjobs.localstack import LocalStack
stack = LocalStack(Path(sys.argv[1]))
stack.start()
print(stack.server_pid, stack.endpoint_url, flush=True)
time.sleep(300)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_moto_child_ends_when_its_owner_is_killed(tmp_path: Path) -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(tmp_path / "stack")], stdout=subprocess.PIPE, text=True
    )
    pid = 0
    try:
        assert owner.stdout is not None
        line = owner.stdout.readline()  # EOF (and a failed split) if the owner failed
        pid_text, endpoint = line.split()
        pid = int(pid_text)
        assert pid not in {owner.pid, os.getpid()}
        assert _alive(pid)
        assert _answers(endpoint)
        owner.kill()  # SIGKILL: no atexit, no finally, no multiprocessing clean-up
        owner.wait(10)
        assert _wait_gone(pid), f"moto pid {pid} outlived its owner"
        assert not _answers(endpoint)
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait(10)
        if pid and _alive(pid):
            os.kill(pid, 9)


def test_a_taken_port_fails_at_once(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        stack = LocalStack(tmp_path / "stack", port=taken.getsockname()[1])
        with pytest.raises(MotoProcessError, match="could not start"):
            stack.start()
    assert stack.server_pid is None


def test_ocrjobs_local_on_a_taken_port_says_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ocrjobs.cli import main

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["local", "--port", str(port), "--data-dir", str(tmp_path / "stack")])
    err = capsys.readouterr().err
    assert code != 0
    assert "ocrjobs: error: moto could not start" in err
    assert "Address already in use" in err
    assert "Traceback" not in err
