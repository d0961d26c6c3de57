"""The one place that turns botocore exceptions into domain errors.

Retrying is not done here: botocore retries throttling, 5xx and connection errors itself
(the composition root builds clients with ``Config(retries={"mode": "standard", ...})``).
What reaches this module has already been retried; it only gets a domain name and a
``transient`` flag so callers can decide between "try later" and "give up".
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.client import BaseClient
from botocore.exceptions import (
    ClientError,
    FlexibleChecksumError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from ocrjobs.domain.errors import (
    AwsError,
    BackendUnavailable,
    ConfigError,
    ObjectMissing,
    OcrJobsError,
)

logger = logging.getLogger(__name__)

TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "SlowDown",
        "ProvisionedThroughputExceededException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ServiceUnavailable",
        "InternalError",
        "InternalFailure",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
"""AWS error codes worth retrying later (on top of every HTTP 5xx)."""

MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
"""Codes S3 uses for an absent object (HEAD requests carry only the status code)."""


def is_transient(exc: OcrJobsError) -> bool:
    """Whether a failed call may succeed if tried again later.

    True for an unreachable endpoint and for :class:`AwsError` marked transient
    (throttling, 5xx); false for everything else (access denied, missing queue, ...).
    """
    if isinstance(exc, BackendUnavailable):
        return True
    return isinstance(exc, AwsError) and exc.transient


def _code_and_status(err: ClientError) -> tuple[str, int]:
    error = err.response.get("Error", {})
    code = str(error.get("Code", "Unknown"))
    status = int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    return code, status


def aws_error(
    service: str, operation: str, code: str, message: str, *, status: int = 0
) -> AwsError:
    """The one rule for an AWS refusal: transient for HTTP 5xx and throttling-like codes.

    Also used for per-entry failures inside batch responses (DeleteObjects ``Errors``,
    SendMessageBatch ``Failed``), which carry a code but no status of their own.
    """
    transient = status >= 500 or code in TRANSIENT_CODES
    return AwsError(service, operation, code, message, transient=transient)


def aws_error_from(err: ClientError, service: str) -> AwsError:
    """Build the :class:`AwsError` for a botocore ``ClientError``."""
    code, status = _code_and_status(err)
    message = str(err.response.get("Error", {}).get("Message", "")) or str(err)
    return aws_error(service, err.operation_name, code, message, status=status)


@contextmanager
def translate_errors(
    client: BaseClient, operation: str, *, missing: str | None = None
) -> Iterator[None]:
    """Run boto3 calls of ``client`` and re-raise their failures as domain errors.

    Args:
        client: the boto3 client making the calls (names the service and endpoint).
        operation: what is being done, for messages and logs (e.g. ``"GetObject"``).
        missing: if given, an absent object (``NoSuchKey`` / 404) becomes
            :class:`ObjectMissing` with this description (e.g. ``"s3://bucket/key"``).

    Raises:
        BackendUnavailable: the endpoint could not be reached or dropped the connection.
        ObjectMissing: the object named by ``missing`` does not exist.
        AwsError: AWS refused the call (``transient`` for throttling and 5xx).
        ConfigError: no usable AWS credentials were found.
    """
    service = client.meta.service_model.service_name
    try:
        yield
    except ClientError as err:
        code, _ = _code_and_status(err)
        if missing is not None and code in MISSING_CODES:
            raise ObjectMissing(f"{missing} does not exist", details=str(err)) from err
        translated = aws_error_from(err, service)
        logger.warning(
            "%s %s failed: %s (transient=%s)", service, operation, code, translated.transient
        )
        raise translated from err
    except (BotoConnectionError, HTTPClientError) as err:
        # Connect refused/timed out, read timed out, connection dropped mid-response.
        endpoint = client.meta.endpoint_url
        logger.warning("%s %s: endpoint %s unreachable: %s", service, operation, endpoint, err)
        raise BackendUnavailable(service, endpoint, str(err)) from err
    except FlexibleChecksumError as err:
        # The body botocore received does not match the checksum S3 stored: a corrupted
        # transfer, worth another download.
        raise AwsError(service, operation, "ChecksumMismatch", str(err), transient=True) from err
    except (NoCredentialsError, PartialCredentialsError) as err:
        raise ConfigError(
            "no AWS credentials found (profile, environment or instance role)", details=str(err)
        ) from err
