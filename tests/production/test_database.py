"""Databases: Alembic upgrades and downgrades cleanly on a fresh PostgreSQL database; the embedded SQLite setup
(WAL once per file, a bounded pool, a busy timeout) takes 50 concurrent clients reading and writing over HTTP."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, inspect, text

from db.migrate import downgrade, upgrade
from db.session import POOL_OVERFLOW, POOL_SIZE, make_engine
from tests.conftest import REPO, free_port
from tests.db.test_migrations import SEED_TABLES
from tests.production.conftest import until


@pytest.mark.services
def test_alembic_upgrades_downgrades_and_upgrades_again_on_postgres(pg_database) -> None:
    engine = create_engine(pg_database)
    try:
        upgrade(pg_database)
        assert SEED_TABLES <= set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        downgrade(pg_database, "base")
        inspector = inspect(engine)
        assert not SEED_TABLES & set(inspector.get_table_names())
        with engine.connect() as conn:  # no enum or other type left behind to trip the next upgrade
            assert conn.execute(text("SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                                     "WHERE n.nspname = 'public' AND t.typtype = 'e'")).scalar_one() == 0  # fmt: skip
        upgrade(pg_database)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
        assert SEED_TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_sqlite_engine_sets_wal_once_per_file_and_bounds_its_pool(tmp_path) -> None:
    path = tmp_path / "x.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        statements: list[str] = []
        from sqlalchemy import event

        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert not any("journal_mode" in s for s in statements)
        assert engine.pool.size() == POOL_SIZE and engine.pool._max_overflow == POOL_OVERFLOW  # type: ignore[attr-defined]
        with engine.connect() as conn:  # every pooled connection waits for a lock instead of failing at once
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        engine.dispose()


def _request(url: str, method: str = "GET", body: dict[str, object] | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})  # fmt: skip
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_fifty_concurrent_clients_on_embedded_sqlite(tmp_path) -> None:
    """A real uvicorn on loopback with in-process workers; 50 clients create, read, update and parse projects at
    once. Every answer is a success and the server logs no database error."""
    port = free_port()
    env = {**os.environ, "COMICREEL_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(REPO),
           "GRADIO_ANALYTICS_ENABLED": "False", "COMICREEL_EMBEDDED_WORKERS": "2"}  # fmt: skip
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "app:create_app", "--factory", "--host",
                                   "127.0.0.1", "--port", str(port), "--no-access-log"], cwd=REPO, env=env,
                                  stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}/api/v1"
    failures: list[str] = []
    lock = threading.Lock()

    def client(i: int) -> list[str]:
        statuses = []
        code, body = _request(f"{base}/projects", "POST", {"name": f"client {i}"})
        statuses.append(code)
        if code != 201:
            return [f"create: {code} {body}"]
        pid = body["data"]["project_id"]
        for round_ in range(4):
            statuses.append(_request(f"{base}/projects/{pid}", "PATCH", {"name": f"client {i} r{round_}"})[0])
            statuses.append(_request(f"{base}/projects/{pid}")[0])
            statuses.append(_request(f"{base}/projects?page_size=50")[0])
        statuses.append(_request(f"{base}/projects/{pid}/script", "POST",
                                 {"content": f"场景:街道,白天\n阿福: 第{i}句。\n"})[0])  # fmt: skip
        code, body = _request(f"{base}/projects/{pid}/script/parse", "POST", {})
        statuses.append(code)
        task_id = body.get("data", {}).get("task_id")
        for _ in range(5):
            if task_id:
                statuses.append(_request(f"{base}/tasks/{task_id}")[0])
        return [f"client {i}: {s}" for s in statuses if s >= 300]

    try:
        until(lambda: _alive(f"http://127.0.0.1:{port}/healthz", server), timeout=90, what="the server")
        with ThreadPoolExecutor(max_workers=50) as pool:
            for found in pool.map(client, range(50)):
                with lock:
                    failures.extend(found)
        assert failures == [], failures[:10]
        listing = _request(f"{base}/projects?page_size=100")[1]["data"]
        assert listing["total"] == 50
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    log = log_path.read_text(errors="replace")
    for problem in ("disk I/O error", "database is locked", "Traceback", "QueuePool limit"):
        assert problem not in log, log[-3000:]


def _alive(url: str, server: subprocess.Popen[bytes]) -> bool:
    if server.poll() is not None:
        raise AssertionError("the server exited")
    try:
        urllib.request.urlopen(url, timeout=2)
        return True
    except OSError:
        time.sleep(0.2)
        return False
