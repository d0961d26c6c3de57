"""The one codec for queue messages (seed format plus optional extra fields)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ocrjobs.domain.errors import OcrJobsError

MESSAGE_VERSION = 1
SEED_FIELDS = ("job_id", "item_id", "s3_bucket", "s3_key", "created_at")


class BadMessage(OcrJobsError):
    """A queue message body that is not a valid ocrjobs message."""

    code = "BAD_MESSAGE"


@dataclass(frozen=True, slots=True)
class ItemMessage:
    """One SQS message per item: the seed's five fields, plus version and language."""

    job_id: UUID
    item_id: UUID
    s3_bucket: str
    s3_key: str
    created_at: datetime
    language: str | None = None


def encode(msg: ItemMessage) -> str:
    """JSON body with exactly the seed's field names and formats (extras after them)."""
    body: dict[str, object] = {
        "job_id": str(msg.job_id),
        "item_id": str(msg.item_id),
        "s3_bucket": msg.s3_bucket,
        "s3_key": msg.s3_key,
        "created_at": msg.created_at.isoformat(),
        "version": MESSAGE_VERSION,
    }
    if msg.language:
        body["language"] = msg.language
    return json.dumps(body, separators=(",", ":"))


def decode(body: str) -> ItemMessage:
    """Parse and validate a body; raise :class:`BadMessage` saying what is wrong."""
    try:
        data = json.loads(body)
    except (ValueError, TypeError) as exc:
        raise BadMessage(f"message body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise BadMessage("message body is not a JSON object")
    missing = [f for f in SEED_FIELDS if f not in data]
    if missing:
        raise BadMessage(f"message body lacks {', '.join(missing)}")
    for f in SEED_FIELDS:
        if not isinstance(data[f], str) or not data[f]:
            raise BadMessage(f"message field {f} must be a non-empty string")
    try:
        job_id = UUID(data["job_id"])
        item_id = UUID(data["item_id"])
    except ValueError as exc:
        raise BadMessage(f"message ids are not UUIDs: {exc}") from exc
    try:
        created = datetime.fromisoformat(data["created_at"])
    except ValueError as exc:
        raise BadMessage(f"message created_at is not ISO 8601: {exc}") from exc
    key: str = data["s3_key"]
    ext = key.removeprefix(f"jobs/{job_id}/{item_id}.")
    if ext == key or not (ext.isascii() and ext.isalnum()):
        raise BadMessage(f"message s3_key {key!r} does not belong to item {item_id}")
    language = data.get("language")
    if language is not None and not isinstance(language, str):
        raise BadMessage("message field language must be a string")
    return ItemMessage(job_id, item_id, data["s3_bucket"], key, created, language or None)
