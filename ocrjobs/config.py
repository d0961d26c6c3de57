"""Settings: one object read from ``OCRJOBS_*`` environment variables and an optional TOML file.

Precedence: explicit overrides > environment > TOML file > defaults. AWS credentials,
profile, region and endpoint come from the standard AWS chain (``AWS_PROFILE``,
``AWS_REGION``/``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL``, ~/.aws, instance role); the
product never reads or stores AWS secret keys itself. Every key is listed in
docs/configuration.md. Nothing here does I/O at import time.
"""

from __future__ import annotations

import dataclasses
import getpass
import math
import os
import socket
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ocrjobs.domain.errors import ConfigError

ENV_PREFIX = "OCRJOBS_"
CONFIG_FILE_ENV = "OCRJOBS_CONFIG"


def default_data_dir() -> Path:
    """Where the local SQLite database and the local stack's files live."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("ocrjobs", appauthor=False))


def default_config_file() -> Path:
    """The TOML file read when ``OCRJOBS_CONFIG`` is not set."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("ocrjobs", appauthor=False)) / "config.toml"


def _default_actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


@dataclass(frozen=True)
class Settings:
    """Everything the core, the worker and the desktop need to find their backends."""

    database_url: str = ""
    """SQLAlchemy URL; empty means an SQLite file in ``data_dir``."""
    database_ca_bundle: str = ""
    """CA bundle for TLS to MySQL/RDS (e.g. the RDS global bundle); empty: no TLS."""
    database_pool_recycle: int = 280
    bucket: str = "ocr-jobs-bucket"
    queue: str = "ocr-jobs"
    dlq: str = ""
    """Dead-letter queue name; empty means ``{queue}-dlq``."""
    audit_table: str = "ocr-jobs-audit"
    aws_profile: str = ""
    aws_region: str = ""
    endpoint_url: str = ""
    """Overrides ``AWS_ENDPOINT_URL`` for every AWS service (the local stack uses it)."""
    aws_max_attempts: int = 5
    aws_connect_timeout: float = 5.0
    aws_read_timeout: float = 30.0
    data_dir: str = ""
    default_language: str = "eng"
    max_file_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 80_000_000
    upload_concurrency: int = 16
    retention_hours: float = 48.0
    visibility_timeout: int = 300
    max_receive_count: int = 5
    item_timeout: int = 180
    unsent_grace_seconds: int = 60
    """Items committed but never sent for this long are resent by ``requeue``."""
    orphan_grace_seconds: int = 3600
    """S3 job folders with no job row whose newest object is this old are deleted by the
    orphan sweep (``ocrjobs orphans``, hourly in the desktop)."""
    stuck_after_seconds: int = 3600
    """PROCESSING items untouched this long whose message reached the DLQ are marked ERROR."""
    poll_interval: float = 2.0
    reuse_duplicates: bool = True
    """An image whose sha256 was already OCRed with the same profile reuses that result."""
    ocr_engine: str = ""
    """``tesserocr``, ``pytesseract`` or empty for the fastest available."""
    tessdata_dir: str = ""
    actor: str = field(default_factory=_default_actor)

    @property
    def dlq_name(self) -> str:
        return self.dlq or f"{self.queue}-dlq"

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir) if self.data_dir else default_data_dir()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_path / 'ocrjobs.sqlite3'}"

    @property
    def resolved_endpoint_url(self) -> str | None:
        return self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    @classmethod
    def load(
        cls,
        env: Mapping[str, str] | None = None,
        config_file: Path | None = None,
        **overrides: Any,
    ) -> Settings:
        """Read settings: overrides > ``OCRJOBS_*`` environment > TOML file > defaults."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        path = config_file or (
            Path(env[CONFIG_FILE_ENV]) if env.get(CONFIG_FILE_ENV) else default_config_file()
        )
        if config_file is None and env.get(CONFIG_FILE_ENV) and not path.exists():
            # Named on purpose: a typo must not silently fall back to the defaults.
            raise ConfigError(f"config file {path} named by {CONFIG_FILE_ENV} does not exist")
        if path.is_file():
            values.update(_read_toml(path))
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = raw
        values.update(overrides)
        return cls(**{k: _coerce(cls, k, v) for k, v in values.items()})


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    section = data.get("ocrjobs", data)
    if not isinstance(section, dict):
        raise ConfigError(f"config file {path}: [ocrjobs] must be a table")
    return dict(section)


def _coerce(cls: type[Settings], name: str, value: Any) -> Any:
    known = {f.name: f for f in fields(cls)}
    if name not in known:
        raise ConfigError(f"unknown setting {name!r}")
    default = known[name].default
    if default is dataclasses.MISSING:
        return str(value)
    try:
        if isinstance(default, bool):
            return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes"}
        # TOML hands over typed values: int(True) and int(1.5) would silently become 1.
        if isinstance(default, (int, float)) and isinstance(value, bool):
            raise TypeError(value)
        if isinstance(default, int):
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(value)
        if isinstance(default, float):
            number = float(value)
            if not math.isfinite(number):
                raise ValueError(value)
            return number
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name} must be a number, got {value!r}") from exc
    return str(value)
