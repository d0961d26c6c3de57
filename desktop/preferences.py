"""Preferences in QSettings; the database password only in the OS keyring.

The stored values override :meth:`Settings.load` (environment and TOML file) for the
keys the settings dialog edits. The database URL is stored *without* its password; the
password goes to ``keyring`` under the service ``ocrjobs`` and the URL's user@host as
the account, and is put back into the URL only in memory when the context is built.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QByteArray, QSettings
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ocrjobs.config import Settings

log = logging.getLogger(__name__)

KEYRING_SERVICE = "ocrjobs"
EDITABLE = (
    "aws_profile",
    "aws_region",
    "endpoint_url",
    "bucket",
    "queue",
    "audit_table",
    "database_url",
    "default_language",
    "poll_interval",
)


class SecretStore(Protocol):
    """Where the database password lives (the OS keyring; a dict in tests)."""

    def get(self, account: str) -> str | None: ...

    def set(self, account: str, secret: str) -> None: ...

    def delete(self, account: str) -> None: ...


class KeyringSecrets:
    """:class:`SecretStore` over the ``keyring`` package (imported lazily)."""

    def get(self, account: str) -> str | None:
        try:
            import keyring

            value = keyring.get_password(KEYRING_SERVICE, account)
        except Exception:  # no usable keyring backend: say so, keep working without
            log.warning("keyring unavailable; no stored password for %s", account, exc_info=True)
            return None
        return str(value) if value is not None else None

    def set(self, account: str, secret: str) -> None:
        import keyring

        keyring.set_password(KEYRING_SERVICE, account, secret)

    def delete(self, account: str) -> None:
        try:
            import keyring
            from keyring.errors import PasswordDeleteError

            with contextlib.suppress(PasswordDeleteError):
                keyring.delete_password(KEYRING_SERVICE, account)
        except Exception:
            log.warning("keyring unavailable; could not delete password for %s", account)


class MemorySecrets:
    """:class:`SecretStore` in memory (tests, screenshots)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, account: str) -> str | None:
        return self.values.get(account)

    def set(self, account: str, secret: str) -> None:
        self.values[account] = secret

    def delete(self, account: str) -> None:
        self.values.pop(account, None)


@dataclass(frozen=True)
class SplitUrl:
    """A database URL without its password, the password, and the keyring account."""

    url: str
    password: str
    account: str


def split_password(url: str) -> SplitUrl:
    """Take the password out of a SQLAlchemy URL (``""`` if it has none or is not a URL)."""
    if not url:
        return SplitUrl("", "", "")
    try:
        parsed = make_url(url)
    except ArgumentError:
        return SplitUrl(url, "", "")
    password = parsed.password or ""
    account = f"{parsed.username or ''}@{parsed.host or ''}:{parsed.port or ''}/{parsed.database}"
    # URL.set(password=None) keeps the password: build the URL again without it.
    bare = URL.create(
        parsed.drivername,
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    ).render_as_string(hide_password=False)
    return SplitUrl(bare, str(password), account)


def with_password(url: str, password: str | None) -> str:
    if not url or not password:
        return url
    try:
        return make_url(url).set(password=password).render_as_string(hide_password=False)
    except ArgumentError:
        return url


class Preferences:
    """Typed access to the app's QSettings plus the keyring for the database password."""

    def __init__(self, qsettings: QSettings, secrets: SecretStore | None = None) -> None:
        self.qs = qsettings
        self.secrets: SecretStore = secrets or KeyringSecrets()

    # -- backend settings ----------------------------------------------------------------

    def stored(self) -> dict[str, Any]:
        """The backend keys saved by the settings dialog (password-free)."""
        out: dict[str, Any] = {}
        self.qs.beginGroup("backend")
        try:
            for key in EDITABLE:
                if self.qs.contains(key):
                    out[key] = self.qs.value(key)
        finally:
            self.qs.endGroup()
        return out

    def settings(self, load: Callable[..., Settings] = Settings.load) -> Settings:
        """``Settings.load()`` with the stored preferences applied and the password restored."""
        base = load()
        stored = self.stored()
        changes: dict[str, Any] = {}
        for key, value in stored.items():
            default = getattr(base, key)
            if isinstance(default, float):
                try:
                    changes[key] = float(value)
                except (TypeError, ValueError):
                    continue
            else:
                changes[key] = str(value or "")
        merged = base.replace(**changes)
        if merged.database_url:
            split = split_password(merged.database_url)
            if not split.password and split.account:
                merged = merged.replace(
                    database_url=with_password(split.url, self.secrets.get(split.account))
                )
        return merged

    def save_backend(self, values: dict[str, Any]) -> None:
        """Store the dialog's values; the database password goes to the keyring only."""
        self.qs.beginGroup("backend")
        try:
            for key in EDITABLE:
                if key not in values:
                    continue
                value = values[key]
                if key == "database_url":
                    split = split_password(str(value))
                    if split.password:
                        self.secrets.set(split.account, split.password)
                    value = split.url
                self.qs.setValue(key, value)
        finally:
            self.qs.endGroup()
        self.qs.sync()

    # -- UI preferences ------------------------------------------------------------------

    def ui_language(self) -> str:
        """``""`` follows the system locale; else a locale name such as ``pt_BR``."""
        return str(self.qs.value("ui/language", "") or "")

    def set_ui_language(self, name: str) -> None:
        self.qs.setValue("ui/language", name)

    def bytes_value(self, key: str) -> QByteArray | None:
        value = self.qs.value(key)
        return value if isinstance(value, QByteArray) else None

    def set_bytes(self, key: str, value: QByteArray) -> None:
        self.qs.setValue(key, value)

    def sync(self) -> None:
        self.qs.sync()
