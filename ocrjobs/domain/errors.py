"""Domain exceptions: each has a stable code (for logs, JSON and exit codes) and a human message."""

from __future__ import annotations


class OcrJobsError(Exception):
    """Base class. ``code`` is stable across versions; ``str(exc)`` is for people."""

    code = "OCRJOBS_ERROR"
    exit_code = 1

    def __init__(self, message: str, *, details: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(OcrJobsError):
    code = "NOT_FOUND"
    exit_code = 3


class InvalidTransition(OcrJobsError):
    code = "INVALID_TRANSITION"
    exit_code = 1


class ValidationFailed(OcrJobsError):
    """No file of a submission was acceptable; ``rejections`` says why for each one."""

    code = "VALIDATION_FAILED"
    exit_code = 4

    def __init__(self, message: str, rejections: list[tuple[str, str, str]]) -> None:
        super().__init__(message)
        self.rejections = rejections


class ConfigError(OcrJobsError):
    code = "CONFIG_ERROR"
    exit_code = 2


class BackendUnavailable(OcrJobsError):
    """A database or AWS endpoint could not be reached; ``service`` and ``endpoint`` name it."""

    code = "BACKEND_UNAVAILABLE"
    exit_code = 5

    def __init__(self, service: str, endpoint: str, reason: str) -> None:
        super().__init__(f"{service} unreachable at {endpoint}: {reason}")
        self.service = service
        self.endpoint = endpoint
        self.reason = reason


class Cancelled(OcrJobsError):
    code = "CANCELLED"
    exit_code = 130


class ObjectMissing(OcrJobsError):
    """An S3 object that should exist does not (permanent for the item)."""

    code = "MISSING_OBJECT"


class AwsError(OcrJobsError):
    """An AWS call failed after botocore's own retries. ``transient`` means try later."""

    code = "AWS_ERROR"
    exit_code = 5

    def __init__(
        self, service: str, operation: str, aws_code: str, message: str, *, transient: bool
    ) -> None:
        super().__init__(f"{service} {operation} failed: {aws_code}: {message}")
        self.service = service
        self.operation = operation
        self.aws_code = aws_code
        self.transient = transient


class Conflict(OcrJobsError):
    """The database rolled the transaction back to break a lock conflict (deadlock or lock
    wait timeout); nothing of it was kept, so running the operation again is safe."""

    code = "CONFLICT"
    exit_code = 5
