"""Engine construction: settings fit for RDS (pre-ping, recycle, utf8mb4, TLS) and SQLite."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import ConnectionPoolEntry

log = logging.getLogger(__name__)

WRITE_OPTION = "ocrjobs_write"


def make_engine(url: str, *, ca_bundle: str = "", pool_recycle: int = 280) -> Engine:
    """Create the one engine of a process for ``url``.

    MySQL/MariaDB (RDS): PyMySQL with utf8mb4, ``pool_pre_ping`` and ``pool_recycle``
    (RDS and proxies drop idle connections), TLS verified against ``ca_bundle`` when
    given, READ COMMITTED (the conditional updates need no gap locks).

    SQLite: WAL journal, a 30 s busy timeout and ``BEGIN IMMEDIATE`` for write
    transactions, so several processes (desktop, workers) share one file safely.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    connect_args: dict[str, Any] = {"charset": "utf8mb4", "connect_timeout": 10}
    if ca_bundle:
        connect_args["ssl"] = {"ca": ca_bundle}
    if parsed.get_backend_name() == "mysql" and not parsed.drivername.endswith("pymysql"):
        parsed = parsed.set(drivername="mysql+pymysql")
    return create_engine(
        parsed,
        pool_pre_ping=True,
        pool_recycle=pool_recycle,
        pool_size=5,
        max_overflow=10,
        isolation_level="READ COMMITTED",
        connect_args=connect_args,
    )


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        try:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            # Not fatal here: the first unit of work fails to connect and reports the
            # database as unavailable (with its path) like any unreachable database.
            log.warning("cannot create the directory of %s: %s", url.database, exc)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        # Let us emit BEGIN ourselves (pysqlite's own transaction handling is broken
        # for our use: it never issues BEGIN IMMEDIATE).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def describe(engine: Engine) -> str:
    """The engine's URL with the password hidden, for logs and error messages."""
    return engine.url.render_as_string(hide_password=True)
