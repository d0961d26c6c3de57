"""Least privilege, tested for real: the desktop's and the worker's services run with the keys
of IAM users holding exactly the policies of ``resources/deploy/iam/`` on a moto server
that enforces IAM.

moto authorizes every request once its count of unauthenticated requests
(``INITIAL_NO_AUTH_ACTION_COUNT``) is used up. The server runs in a subprocess started
with that variable, so moto's global setting never leaks into the other tests (which run
moto in-process); after the set-up (resources, users, policies, keys, made with a
generous count) ``POST /moto-api/reset-auth`` lowers the count to 0, and from then on
each request is checked against its user's policy.

Also here: the template embeds the same documents (no drift), and every template output
named as a setting is a real setting.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from PIL import Image

from ocrjobs.adapters.messages import decode
from ocrjobs.adapters.provision import provision
from ocrjobs.adapters.sqs import SqsQueue
from ocrjobs.bootstrap import build_context
from ocrjobs.config import Settings
from ocrjobs.domain.errors import AwsError
from ocrjobs.domain.status import ItemStatus, JobStatus
from ocrjobs.services import audit, jobs, maintenance, processing
from ocrjobs.services.context import Context
from ocrjobs.services.orphans import sweep_orphan_objects

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
POLICIES_PY = ROOT / "resources" / "deploy" / "iam" / "policies.py"
TEMPLATE = ROOT / "resources" / "deploy" / "ocrjobs.yaml"
REGION = "us-east-1"
BUCKET = "iam-test-jobs"
OTHER_BUCKET = "iam-test-someone-else"
QUEUE = "iam-test-queue"
TABLE = "iam-test-audit"
DENIED = {"AccessDenied", "AccessDeniedException", "403"}

_SERVER = """
import logging, sys
from moto.server import ThreadedMotoServer
logging.getLogger("werkzeug").setLevel(logging.ERROR)
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
print(f"http://{host}:{port}", flush=True)
sys.stdin.read()
server.stop()
"""


def load_policies() -> ModuleType:
    """``resources/deploy/iam/policies.py`` (not a package: loaded from its path)."""
    spec = importlib.util.spec_from_file_location("ocrjobs_iam_policies", POLICIES_PY)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def for_moto(policy: dict[str, Any], bucket: str) -> dict[str, Any]:
    """The policy plus what moto needs to recognise the same permissions; grants nothing new.

    - AWS authorizes SendMessageBatch/DeleteMessageBatch/ChangeMessageVisibilityBatch as
      the single-message actions; moto asks for ``sqs:SendMessageBatch`` etc.;
    - AWS authorizes DeleteObjects per key (``s3:DeleteObject`` on ``bucket/key``); moto
      checks ``s3:DeleteObject`` once against the bucket's ARN.

    Each alias is only added to a statement that already allows the real action, on the
    same resources, so the forbidden calls below stay forbidden.
    """
    out: dict[str, Any] = json.loads(json.dumps(policy))
    extra = []
    for statement in out["Statement"]:
        actions = statement["Action"]
        for single in ("sqs:SendMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"):
            if single in actions:
                actions.append(single + "Batch")
        if "s3:DeleteObject" in actions:
            extra.append(
                {
                    "Sid": "MotoDeleteObjects",
                    "Effect": "Allow",
                    "Action": ["s3:DeleteObject"],
                    "Resource": [f"arn:aws:s3:::{bucket}"],
                }
            )
    out["Statement"].extend(extra)
    return out


@dataclass(frozen=True)
class Keys:
    access_key_id: str
    secret_access_key: str


@dataclass(frozen=True)
class Stack:
    endpoint: str
    worker: Keys
    operator: Keys
    queue_url: str
    dlq_url: str
    db_url: str


def _client(service: str, endpoint: str, keys: Keys) -> Any:
    session = boto3.Session()
    return session.client(
        service,  # type: ignore[call-overload]
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=keys.access_key_id,
        aws_secret_access_key=keys.secret_access_key,
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """moto in a subprocess enforcing IAM; resources, users with the two policies, keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["INITIAL_NO_AUTH_ACTION_COUNT"] = "10000"  # the set-up below; then reset to 0
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert proc.stdout is not None
        endpoint = proc.stdout.readline().strip()
        assert endpoint.startswith("http://127.0.0.1:"), endpoint
        admin = Keys("admin-setup", "admin-setup")
        s3, sqs, ddb, iam = (_client(s, endpoint, admin) for s in ("s3", "sqs", "dynamodb", "iam"))
        made = provision(
            s3,
            sqs,
            ddb,
            bucket=BUCKET,
            queue=QUEUE,
            dlq=f"{QUEUE}-dlq",
            audit_table=TABLE,
            region=REGION,
            visibility_timeout=300,
            max_receive_count=5,
        )
        s3.put_object(Bucket=BUCKET, Key="private/notes.txt", Body=b"not a job")
        s3.create_bucket(Bucket=OTHER_BUCKET)
        s3.put_object(Bucket=OTHER_BUCKET, Key="jobs/x/y.png", Body=b"someone else's")

        def arn(url: str) -> str:
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
            return str(attrs["Attributes"]["QueueArn"])

        values = {
            "AWS::Partition": "aws",
            "Bucket": BUCKET,
            "Queue.Arn": arn(made.queue_url),
            "DeadLetterQueue.Arn": arn(made.dlq_url),
            # moto authorizes DynamoDB calls against the resource "*" (it names no table),
            # so only "*" can match there: the actions are enforced, the table scoping is
            # not (it is in the template, with the real ARN).
            "AuditTable.Arn": "*",
            "Database.MasterUserSecret.SecretArn": (
                f"arn:aws:secretsmanager:{REGION}:123456789012:secret:ocrjobs-db"
            ),
        }
        policies = load_policies()
        keys = {}
        for name in ("worker", "operator"):
            iam.create_user(UserName=f"ocrjobs-{name}")
            iam.put_user_policy(
                UserName=f"ocrjobs-{name}",
                PolicyName=f"ocrjobs-{name}",
                PolicyDocument=json.dumps(for_moto(policies.render(name, values), BUCKET)),
            )
            key = iam.create_access_key(UserName=f"ocrjobs-{name}")["AccessKey"]
            keys[name] = Keys(key["AccessKeyId"], key["SecretAccessKey"])
        request = urllib.request.Request(
            f"{endpoint}/moto-api/reset-auth",
            data=b"0",
            method="POST",
            # Not form-encoded: moto reads the raw body, which Flask hands over only then.
            headers={"Content-Type": "text/plain"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
            assert response.status == 200
        db_path = tmp_path_factory.mktemp("iam") / "iam.sqlite3"
        from ocrjobs.bootstrap import init_backends

        init_backends(Settings(database_url=f"sqlite:///{db_path}"), aws=False)
        yield Stack(
            endpoint,
            keys["worker"],
            keys["operator"],
            made.queue_url,
            made.dlq_url,
            f"sqlite:///{db_path}",
        )
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _context(
    stack: Stack, keys: Keys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, actor: str
) -> Context:
    settings = Settings(
        database_url=stack.db_url,
        endpoint_url=stack.endpoint,
        aws_region=REGION,
        bucket=BUCKET,
        queue=QUEUE,
        audit_table=TABLE,
        data_dir=str(tmp_path / actor),
        actor=actor,
        aws_max_attempts=1,
        unsent_grace_seconds=0,
    )
    # boto3 reads the standard chain when the clients are built (here, and only here).
    with monkeypatch.context() as m:
        m.setenv("AWS_ACCESS_KEY_ID", keys.access_key_id)
        m.setenv("AWS_SECRET_ACCESS_KEY", keys.secret_access_key)
        m.delenv("AWS_SESSION_TOKEN", raising=False)
        ctx = build_context(settings)
    # moto authorizes GetQueueUrl against the resource "*" (the request names no queue
    # URL), so a policy scoped to the queue's ARN cannot pass it there although AWS
    # would. The queues' URLs are therefore handed over resolved; every other SQS call
    # is checked against the queue ARNs.
    sqs = _client("sqs", stack.endpoint, keys)
    return dataclasses.replace(
        ctx,
        queue=SqsQueue(sqs, stack.queue_url, QUEUE),
        dlq=SqsQueue(sqs, stack.dlq_url, f"{QUEUE}-dlq"),
    )


@pytest.fixture
def operator_ctx(
    stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Context]:
    ctx = _context(stack, stack.operator, tmp_path, monkeypatch, "operator@desk")
    yield ctx
    ctx.close()


@pytest.fixture
def worker_ctx(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    ctx = _context(stack, stack.worker, tmp_path, monkeypatch, "worker@ec2")
    yield ctx
    ctx.close()


def _images(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(n):
        path = folder / f"page{i}.png"
        Image.new("L", (80 + i, 40), 255).save(path)
        paths.append(path)
    return paths


def _denied(call: Callable[[], object]) -> str:
    """Run a call the policy must refuse; return its error code ("allowed" if it passed)."""
    try:
        call()
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
        return "AccessDenied" if code in DENIED or status == "403" else f"other error {code}"
    except AwsError as exc:
        return "AccessDenied" if exc.aws_code in DENIED else f"other error {exc.aws_code}"
    return "allowed"


def _work_one_receive(ctx: Context) -> int:
    """What the worker does per message: receive, claim, fetch, complete, delete."""
    done = 0
    for m in ctx.queue.receive(max_messages=10, wait_seconds=1, visibility_timeout=120):
        msg = decode(m.body)
        ctx.queue.change_visibility(m.receipt_handle, 300)  # the visibility keeper
        claimed = processing.claim(ctx, msg, message_id=m.message_id)
        assert isinstance(claimed, processing.Claim), claimed
        image = processing.fetch_image(ctx, claimed)
        assert image.startswith(b"\x89PNG")
        if done == 0:
            assert processing.fail(ctx, claimed, "BAD_IMAGE", "made to fail for the retry")
        else:
            assert processing.complete(ctx, claimed, f"text of {msg.item_id}", engine="test")
        ctx.queue.delete(m.receipt_handle)
        done += 1
    return done


def test_operator_and_worker_do_everything_with_exactly_their_policies(
    operator_ctx: Context, worker_ctx: Context, tmp_path: Path
) -> None:
    # Operator's desktop: submit, list, show, rename, events, connection check, queue depth.
    result = jobs.create_job(operator_ctx, "least privilege", _images(tmp_path / "in", 3))
    assert result.job is not None
    assert not result.rejected
    job_id = result.job.job.id
    assert jobs.list_jobs(operator_ctx).total >= 1
    assert len(jobs.get_job(operator_ctx, job_id).items) == 3
    jobs.rename_job(operator_ctx, job_id, "renamed under IAM")
    assert [c.service for c in maintenance.check_connections(operator_ctx) if not c.ok] == []
    assert maintenance.queue_depth(operator_ctx).visible >= 0

    # Worker: receive, keep visible, claim, fetch, fail one / complete the rest, delete;
    # the sweeps (dead letters, expiry); queue depth for its heartbeat.
    handled = 0
    for _ in range(5):
        handled += _work_one_receive(worker_ctx)
        if handled >= 3:
            break
    assert handled == 3
    # The worker's batched audit writes, and its removal (by key) of events it wrote
    # for a job deleted meanwhile.
    events = [audit.make_event(worker_ctx, str(job_id), audit.ITEM_DONE, {}) for _ in range(3)]
    assert worker_ctx.audit.append_many(events) == []
    worker_ctx.audit.delete_many(events[1:])
    assert maintenance.sweep_dead_letters(worker_ctx) == 0
    maintenance.expire_jobs(worker_ctx)
    worker_ctx.queue.depth()
    detail = jobs.get_job(operator_ctx, job_id)
    assert sorted(i.status for i in detail.items) == sorted(
        [ItemStatus.DONE, ItemStatus.DONE, ItemStatus.ERROR]
    )

    # Operator: retry the failed item (SendMessage), read the audit trail, delete the job
    # (objects, rows, audit events with BatchWriteItem, the deletion record).
    assert maintenance.retry_items(operator_ctx, job_id) == 1
    handled = 0
    for _ in range(5):
        handled += len(worker_ctx.queue.receive(max_messages=10, wait_seconds=1))
        if handled:
            break
    assert handled == 1
    actions = {e.action for e in jobs.job_events(operator_ctx, job_id)}
    assert len(actions) >= 4, actions
    assert jobs.get_job(operator_ctx, job_id).job.status is not JobStatus.ERROR
    report = jobs.delete_job(operator_ctx, job_id)
    assert report.objects == 3

    # Operator's desktop, hourly: the images of a submission killed before its commit.
    orphan = f"jobs/{uuid.uuid4()}/{uuid.uuid4()}.png"
    operator_ctx.store.put(orphan, b"x", "image/png", hashlib.sha256(b"x").hexdigest())
    swept = sweep_orphan_objects(operator_ctx, timedelta(0))
    assert (len(swept.jobs), swept.objects) == (1, 1)
    assert operator_ctx.store.list_keys("jobs/") == []


def _forbidden(who: str, stack: Stack, keys: Keys) -> dict[str, Callable[[], object]]:
    s3 = _client("s3", stack.endpoint, keys)
    sqs = _client("sqs", stack.endpoint, keys)
    ddb = _client("dynamodb", stack.endpoint, keys)
    calls: dict[str, Callable[[], object]] = {
        "read outside jobs/": partial(s3.get_object, Bucket=BUCKET, Key="private/notes.txt"),
        "write outside jobs/": partial(
            s3.put_object, Bucket=BUCKET, Key="private/new.txt", Body=b"x"
        ),
        "read another bucket": partial(s3.get_object, Bucket=OTHER_BUCKET, Key="jobs/x/y.png"),
        "list another bucket": partial(s3.list_objects_v2, Bucket=OTHER_BUCKET),
        "delete the bucket": partial(s3.delete_bucket, Bucket=BUCKET),
        "turn off bucket encryption": partial(s3.delete_bucket_encryption, Bucket=BUCKET),
        "delete the queue": partial(sqs.delete_queue, QueueUrl=stack.queue_url),
        "purge the queue": partial(sqs.purge_queue, QueueUrl=stack.queue_url),
        "create a queue": partial(sqs.create_queue, QueueName="rogue"),
        "delete the table": partial(ddb.delete_table, TableName=TABLE),
        "scan the table": partial(ddb.scan, TableName=TABLE),
    }
    if who == "worker":
        calls |= {
            "send a message": partial(sqs.send_message, QueueUrl=stack.queue_url, MessageBody="{}"),
            "delete a job's object": partial(
                s3.delete_object, Bucket=BUCKET, Key=f"jobs/{uuid.UUID(int=0)}/x.png"
            ),
            "upload into jobs/": partial(
                s3.put_object, Bucket=BUCKET, Key="jobs/j/i.png", Body=b""
            ),
            "list the job images": partial(s3.list_objects_v2, Bucket=BUCKET, Prefix="jobs/"),
            # BatchWriteItem (batched audit events) cannot be limited to puts by IAM, but
            # without Query/Scan a worker cannot find another event's key to delete it.
            "read audit events": partial(
                ddb.query,
                TableName=TABLE,
                KeyConditionExpression="job_id = :j",
                ExpressionAttributeValues={":j": {"S": "j"}},
            ),
        }
    return calls


@pytest.mark.parametrize("who", ["operator", "worker"])
def test_forbidden_calls_are_denied(stack: Stack, who: str) -> None:
    keys = stack.operator if who == "operator" else stack.worker
    outcomes = {what: _denied(call) for what, call in _forbidden(who, stack, keys).items()}
    assert {what: o for what, o in outcomes.items() if o != "AccessDenied"} == {}


def test_template_embeds_the_policy_documents() -> None:
    policies = load_policies()
    assert policies.sync_template(TEMPLATE) == [], "run `make cfn-sync`"
    for name in policies.POLICY_NAMES:
        assert policies.placeholders(name) <= {
            "AWS::Partition",
            "Bucket",
            "Queue.Arn",
            "DeadLetterQueue.Arn",
            "AuditTable.Arn",
            "Database.MasterUserSecret.SecretArn",
        }


def test_template_outputs_are_settings() -> None:
    from cfnlint.decode import decode as cfn_decode  # type: ignore[import-untyped]

    template, matches = cfn_decode(str(TEMPLATE))
    assert not matches
    assert template is not None
    names = set(Settings.__dataclass_fields__)
    settings_outputs = {
        key: out
        for key, out in template["Outputs"].items()
        if out["Description"].startswith("Setting ")
    }
    assert len(settings_outputs) >= 9
    for key, out in settings_outputs.items():
        setting = out["Description"].split()[1]
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in key).lstrip("_")
        assert setting == snake, (key, setting)
        assert setting in names, setting
        assert f"OCRJOBS_{setting.upper()}" in out["Description"]


def test_template_user_data_is_valid_bash_and_matches_the_unit() -> None:
    """The worker's user data parses as bash and installs the executable where the unit runs it."""
    from cfnlint.decode import decode as cfn_decode

    template, _ = cfn_decode(str(TEMPLATE))
    assert template is not None
    data = template["Resources"]["WorkerLaunchTemplate"]["Properties"]["LaunchTemplateData"]
    script = data["UserData"]["Fn::Base64"]["Fn::Sub"]
    rendered = re.sub(r"\$\{([A-Za-z0-9:.]+)\}", "PLACEHOLDER", script)
    check = subprocess.run(
        ["bash", "-n"], input=rendered, text=True, capture_output=True, check=False
    )
    assert check.returncode == 0, check.stderr
    unit = (ROOT / "resources" / "deploy" / "ocrjobs-worker.service").read_text(encoding="utf-8")
    exec_start = re.search(r"^ExecStart=(\S+)", unit, re.MULTILINE)
    assert exec_start is not None
    assert exec_start.group(1) == "/opt/ocrjobs/bin/ocrjobs-worker"
    assert "mv /tmp/ocrjobs-worker /opt/ocrjobs/bin" in script
    assert "EnvironmentFile=/etc/ocrjobs/worker.env" in unit
    assert "cat > /etc/ocrjobs/worker.env" in script
