"""S3 implementation of :class:`~ocrjobs.adapters.ports.ObjectStore`."""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from datetime import UTC
from typing import TYPE_CHECKING

from ocrjobs.adapters.aws_errors import aws_error, translate_errors
from ocrjobs.adapters.ports import ObjectInfo, ObjectStore

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

logger = logging.getLogger(__name__)

DELETE_BATCH = 1000
"""S3's DeleteObjects limit (moto accepts more; AWS does not)."""


def sha256_base64(sha256_hex: str) -> str:
    """The ``ChecksumSHA256`` header value (base64 of the digest) for a hex SHA-256."""
    digest = bytes.fromhex(sha256_hex)
    if len(digest) != 32:
        raise ValueError(f"not a SHA-256 hex digest: {sha256_hex!r}")
    return base64.b64encode(digest).decode("ascii")


class S3ObjectStore(ObjectStore):
    """One S3 bucket.

    Uploads carry a SHA-256 checksum that S3 verifies on arrival; downloads ask for the
    stored checksum back (``ChecksumMode``) so botocore verifies the bytes it received.

    Args:
        client: a boto3 S3 client (its retry configuration applies to every call).
        bucket: the bucket name.
    """

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self.bucket = bucket

    def _uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def put(self, key: str, data: bytes, content_type: str, sha256_hex: str) -> None:
        """Store ``data`` at ``key`` with its content type and SHA-256 checksum.

        Raises:
            AwsError: S3 refused the object (``BadDigest`` if the checksum is wrong).
            BackendUnavailable: the endpoint could not be reached.
        """
        checksum = sha256_base64(sha256_hex)
        with translate_errors(self._client, "PutObject"):
            self._client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                # The algorithm header makes S3 store the checksum (and moto keep it).
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=checksum,
            )
        logger.debug("put %s (%d bytes, %s)", self._uri(key), len(data), content_type)

    def get(self, key: str) -> bytes:
        """The object's bytes, checked against the checksum stored with it.

        Raises:
            ObjectMissing: no object at ``key``.
            AwsError: any other refusal (or a checksum mismatch, marked transient).
            BackendUnavailable: the endpoint could not be reached.
        """
        with translate_errors(self._client, "GetObject", missing=self._uri(key)):
            response = self._client.get_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
            # Reading inside the block: a dropped stream or a bad checksum surfaces here.
            data = response["Body"].read()
        logger.debug("got %s (%d bytes)", self._uri(key), len(data))
        return data

    def delete_keys(self, keys: Sequence[str]) -> int:
        """Delete ``keys`` in DeleteObjects calls of at most 1,000 keys.

        Absent keys are not an error (S3 reports them deleted). Returns ``len(keys)``.

        Raises:
            AwsError: S3 refused a batch, or refused some keys in it (the first error).
            BackendUnavailable: the endpoint could not be reached.
        """
        for start in range(0, len(keys), DELETE_BATCH):
            chunk = keys[start : start + DELETE_BATCH]
            objects: list[ObjectIdentifierTypeDef] = [{"Key": k} for k in chunk]
            with translate_errors(self._client, "DeleteObjects"):
                response = self._client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True}
                )
            errors = response.get("Errors", [])
            if errors:
                first = errors[0]
                code = first.get("Code", "Unknown")
                logger.error(
                    "delete in s3://%s: %d of %d keys refused, first %s: %s",
                    self.bucket,
                    len(errors),
                    len(chunk),
                    first.get("Key", "?"),
                    code,
                )
                raise aws_error("s3", "DeleteObjects", code, first.get("Message", ""))
            logger.debug("deleted %d keys from s3://%s", len(chunk), self.bucket)
        return len(keys)

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under ``prefix`` (listed first, then deleted in batches).

        Returns the number of objects deleted.
        """
        keys = self.list_keys(prefix)
        self.delete_keys(keys)
        logger.info("deleted %d objects under s3://%s/%s", len(keys), self.bucket, prefix)
        return len(keys)

    def list_keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix``, following ListObjectsV2 pagination."""
        return [o.key for o in self.list_objects(prefix)]

    def list_objects(self, prefix: str) -> list[ObjectInfo]:
        """Every object under ``prefix`` with its LastModified and Size (ListObjectsV2)."""
        found: list[ObjectInfo] = []
        paginator = self._client.get_paginator("list_objects_v2")
        with translate_errors(self._client, "ListObjectsV2"):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                found.extend(
                    ObjectInfo(obj["Key"], obj["LastModified"].astimezone(UTC), obj.get("Size", 0))
                    for obj in page.get("Contents", [])
                    if "Key" in obj and "LastModified" in obj
                )
        return found

    def list_folders(self, prefix: str) -> list[str]:
        """The common prefixes right under ``prefix`` (ListObjectsV2 with ``Delimiter="/"``):
        one entry per job, however many images each holds."""
        folders: list[str] = []
        paginator = self._client.get_paginator("list_objects_v2")
        with translate_errors(self._client, "ListObjectsV2"):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/"):
                folders.extend(p["Prefix"] for p in page.get("CommonPrefixes", []) if "Prefix" in p)
        return folders
