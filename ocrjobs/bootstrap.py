"""The composition root: the one place that builds engines and boto3 clients into a Context.

Building a context does no network I/O: the database is first touched by the first unit
of work and the queue URL is resolved on first use, so the desktop starts even while a
backend is down and can say which one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from ocrjobs.adapters.database import make_engine
from ocrjobs.adapters.dynamodb import DynamoAuditLog
from ocrjobs.adapters.repository import UnitOfWork
from ocrjobs.adapters.s3 import S3ObjectStore
from ocrjobs.adapters.sqs import SqsQueue
from ocrjobs.config import Settings
from ocrjobs.services.context import Context

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

    from ocrjobs.adapters.provision import Provisioned

log = logging.getLogger(__name__)

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Clients:
    s3: S3Client
    sqs: SQSClient
    dynamodb: DynamoDBClient
    region: str


def make_clients(settings: Settings) -> Clients:
    """boto3 clients from the standard credential chain, with botocore's retry config."""
    session = boto3.Session(
        profile_name=settings.aws_profile or None,
        region_name=settings.aws_region or None,
    )
    region = session.region_name or DEFAULT_REGION
    config = Config(
        region_name=region,
        retries={"mode": "standard", "max_attempts": settings.aws_max_attempts},
        connect_timeout=settings.aws_connect_timeout,
        # Must exceed SQS's 20 s long poll.
        read_timeout=max(settings.aws_read_timeout, 25.0),
        max_pool_connections=max(10, settings.upload_concurrency + 4),
    )
    endpoint = settings.resolved_endpoint_url
    return Clients(
        s3=session.client("s3", config=config, endpoint_url=endpoint),
        sqs=session.client("sqs", config=config, endpoint_url=endpoint),
        dynamodb=session.client("dynamodb", config=config, endpoint_url=endpoint),
        region=region,
    )


def build_context(settings: Settings | None = None) -> Context:
    """Wire settings → engine, unit-of-work factory, S3/SQS/DynamoDB adapters → Context."""
    settings = settings or Settings.load()
    engine = make_engine(
        settings.resolved_database_url,
        ca_bundle=settings.database_ca_bundle,
        pool_recycle=settings.database_pool_recycle,
    )
    clients = make_clients(settings)

    def uow(*, write: bool = False) -> UnitOfWork:
        return UnitOfWork(engine, write=write)

    ctx = Context(
        settings=settings,
        uow=uow,
        store=S3ObjectStore(clients.s3, settings.bucket),
        queue=SqsQueue(clients.sqs, None, settings.queue),
        dlq=SqsQueue(clients.sqs, None, settings.dlq_name),
        audit=DynamoAuditLog(clients.dynamodb, settings.audit_table),
    )
    ctx.close_hooks.append(engine.dispose)
    log.debug(
        "context built: db=%s bucket=%s queue=%s table=%s endpoint=%s",
        engine.url.render_as_string(hide_password=True),
        settings.bucket,
        settings.queue,
        settings.audit_table,
        settings.resolved_endpoint_url,
    )
    return ctx


def init_backends(
    settings: Settings, *, aws: bool = True, database: bool = True
) -> Provisioned | None:
    """Create what the product needs (idempotent): schema migrations, bucket, queues, table."""
    # Alembic and provisioning are only needed here: keep them out of every CLI start-up.
    from ocrjobs.adapters.migrate import upgrade
    from ocrjobs.adapters.provision import provision

    result = None
    if database:
        engine = make_engine(settings.resolved_database_url, ca_bundle=settings.database_ca_bundle)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
    if aws:
        clients = make_clients(settings)
        result = provision(
            clients.s3,
            clients.sqs,
            clients.dynamodb,
            bucket=settings.bucket,
            queue=settings.queue,
            dlq=settings.dlq_name,
            audit_table=settings.audit_table,
            region=clients.region,
            visibility_timeout=settings.visibility_timeout,
            max_receive_count=settings.max_receive_count,
            retention_seconds=int(settings.retention_hours * 3600),
        )
    return result
