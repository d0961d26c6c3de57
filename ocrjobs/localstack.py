"""The embedded local stack: a moto server on loopback plus an SQLite database.

Anyone can run the whole product on one machine with no AWS account. moto keeps no
state across restarts, so the SQLite database lives and dies with the server: it is
created fresh on start and removed on stop, never left pointing at vanished objects.

moto runs in a child process owned by the stack (:class:`~ocrjobs.moto_process.MotoProcess`),
never in the caller's: its per-request CPU would otherwise share the caller's GIL (the
desktop's UI thread). The database, the schema and the environment stay with the caller.
"""

from __future__ import annotations

import logging
import os
import shlex
import time
from pathlib import Path
from types import TracebackType

from ocrjobs.bootstrap import init_backends
from ocrjobs.config import Settings
from ocrjobs.moto_process import MotoProcess

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
REGION = "us-east-1"
# moto accepts any credentials; these are not secrets and never reach AWS.
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local-stack",
    "AWS_SECRET_ACCESS_KEY": "local-stack",
    "AWS_SESSION_TOKEN": "local-stack",
}
ENV_FILE = "local-stack.env"


class LocalStack:
    """Start/stop the local stack: moto in a child process, SQLite in this one.

    Args:
        data_dir: where the SQLite file (and ``local-stack.env``) go.
        port: 0 picks a free port.
        settings: base settings (names of bucket, queue, table...); endpoint, region and
            database URL are replaced by the local ones.
        database_url: use this database instead of a fresh SQLite file (the tests run the
            same stack on MariaDB); its tables are emptied on start, since moto's state
            is new.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int = 0,
        settings: Settings | None = None,
        database_url: str | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.port = port
        self.base = settings or Settings()
        self.external_db = database_url
        self._server: MotoProcess | None = None
        self.settings: Settings | None = None
        self.env: dict[str, str] = {}
        self._saved_env: dict[str, str | None] = {}

    @property
    def db_path(self) -> Path:
        return self.data_dir / "local.sqlite3"

    @property
    def server_pid(self) -> int | None:
        """The moto child's process id while the stack runs."""
        return self._server.pid if self._server is not None else None

    @property
    def endpoint_url(self) -> str:
        if not self.env:
            raise RuntimeError("local stack not started")
        return self.env["AWS_ENDPOINT_URL"]

    def start(self, *, apply_env: bool = True) -> Settings:
        """Start moto on 127.0.0.1, create the schema and resources; return the settings.

        Blocks for a second or so (the moto child starting): the desktop calls it off
        the UI thread. With ``apply_env`` this process's environment gets the variables
        (so boto3's standard chain and child processes such as workers find the stack).
        """
        t0 = time.perf_counter()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._remove_db()
        # A new child each start, so a restarted stack never finds the last run's
        # objects, messages or audit items beside its fresh database.
        server = MotoProcess(
            LOOPBACK, self.port, {**DUMMY_CREDENTIALS, "AWS_DEFAULT_REGION": REGION}
        )
        host, real_port = server.start()
        if host not in {LOOPBACK, "localhost"}:
            server.stop()
            raise RuntimeError(f"moto bound to {host}, refusing a non-loopback address")
        self._server = server
        endpoint = f"http://{LOOPBACK}:{real_port}"
        db_url = self.external_db or f"sqlite:///{self.db_path}"
        self.env = {
            **DUMMY_CREDENTIALS,
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "OCRJOBS_DATABASE_URL": db_url,
            "OCRJOBS_ENDPOINT_URL": endpoint,
            "OCRJOBS_AWS_REGION": REGION,
            "OCRJOBS_BUCKET": self.base.bucket,
            "OCRJOBS_QUEUE": self.base.queue,
            "OCRJOBS_DLQ": self.base.dlq_name,
            "OCRJOBS_AUDIT_TABLE": self.base.audit_table,
            "OCRJOBS_DATA_DIR": str(self.data_dir),
        }
        if apply_env:
            self._apply_env()
        self.settings = self.base.replace(
            database_url=db_url,
            endpoint_url=endpoint,
            aws_region=REGION,
            aws_profile="",
            data_dir=str(self.data_dir),
        )
        try:
            init_backends(self.settings)
            if self.external_db:
                _empty_tables(self.external_db)
        except BaseException:
            self.stop()
            raise
        (self.data_dir / ENV_FILE).write_text(self.shell_exports() + "\n", encoding="utf-8")
        log.info(
            "local stack up at %s (moto pid %s, db %s) in %.2fs",
            endpoint,
            self.server_pid,
            self.db_path,
            time.perf_counter() - t0,
        )
        return self.settings

    def shell_exports(self) -> str:
        """``export VAR=value`` lines for ``eval "$(ocrjobs local --print-env)"``."""
        lines = [f"export {k}={shlex.quote(v)}" for k, v in sorted(self.env.items())]
        return "\n".join(["unset AWS_PROFILE", *lines])

    def _apply_env(self) -> None:
        for key in [*self.env, "AWS_PROFILE"]:
            self._saved_env.setdefault(key, os.environ.get(key))
        os.environ.pop("AWS_PROFILE", None)  # a profile would shadow the dummy keys
        os.environ.update(self.env)

    def stop(self) -> None:
        """Stop the moto child, remove the database it pointed into, restore the environment."""
        if self._server is not None:
            try:
                self._server.stop()
            finally:
                self._server = None
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env.clear()
        self._remove_db()
        (self.data_dir / ENV_FILE).unlink(missing_ok=True)
        log.info("local stack stopped")

    def _remove_db(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _empty_tables(url: str) -> None:
    """Rows of an earlier run would point at objects this fresh moto never had."""
    from sqlalchemy import delete

    from ocrjobs.adapters.database import make_engine
    from ocrjobs.adapters.orm import job_items, jobs

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(delete(job_items))
            conn.execute(delete(jobs))
    finally:
        engine.dispose()
