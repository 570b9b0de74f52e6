"""Engines and sessions built from a URL (never at import): a bounded connection pool for every database; SQLite
files get WAL when their engine is made (never per connection) and a busy timeout on every connection."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Executable, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

# Connections a process keeps open, and how many more it may open under a burst: requests beyond that wait up to
# POOL_TIMEOUT seconds for a free connection instead of opening ever more (SQLite and PostgreSQL alike).
POOL_SIZE = 10
POOL_OVERFLOW = 10
POOL_TIMEOUT = 30
BUSY_TIMEOUT_MS = 30_000

def ensure_wal(path: str | Path, *, timeout: float = 30.0) -> None:
    """Put a SQLite file in WAL mode, when its engine (or queue) is made: WAL is a property of the file, so setting
    it on every new connection is needless, and under load that pragma itself failed ("disk I/O error", "database
    is locked"). It is only read when the file is in WAL already.

    Raises:
        sqlite3.OperationalError: the file stayed locked for `timeout` seconds, or cannot be opened.
    """
    resolved = Path(path).resolve()
    resolved.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(resolved), timeout=timeout)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:  # another process is switching it at the same moment
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    finally:
        conn.close()


def make_engine(url: str, *, pool_size: int = POOL_SIZE, max_overflow: int = POOL_OVERFLOW) -> Engine:
    """An engine with a bounded pool (`pool_size` kept, `max_overflow` more under a burst, then callers wait)."""
    bounded: dict[str, Any] = {"poolclass": QueuePool, "pool_size": pool_size, "max_overflow": max_overflow,
                               "pool_timeout": POOL_TIMEOUT}  # fmt: skip
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **bounded)
    database = make_url(url).database
    if not database or database == ":memory:":  # one private database per connection: nothing to share or pool
        return create_engine(url, connect_args={"check_same_thread": False})
    ensure_wal(database)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}, **bounded)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")  # safe in WAL mode: a power cut may lose the last commits, never corrupt
        cur.close()

    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error, so nothing half-written remains."""
    with factory() as session, session.begin():
        yield session


def changed_rows(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE in the session's transaction and return how many rows it changed."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount
