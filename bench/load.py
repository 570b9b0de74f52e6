"""Read load on the REST API: task status, project list and project detail, in embedded mode (SQLite, in-process
workers) and, when PostgreSQL and Redis are at hand, in production mode (PostgreSQL, Redis, no in-process workers).

    .venv/bin/python bench/load.py [--requests 5000] [--concurrency 16] [--modes embedded,production]

Bounded: a fixed number of requests per endpoint, a fixed number of connections, loopback only; the server is started
here (uvicorn on a free loopback port, its own temporary data folder) and stopped at the end. The client is raw
asyncio sockets with keep-alive (an HTTP library would be the bottleneck); its own ceiling is measured first against
a server that answers a fixed response. The last line is `load-bench rps=... p99_ms=...` for task status, embedded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
PG_ADMIN_URL = os.environ.get("COMICREEL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

# A server that answers every request with the same small response: the client's own ceiling.
TRIVIAL_SERVER = r"""
import asyncio, sys
BODY = b'{"status":"ok"}'
RESPONSE = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (len(BODY), BODY)
async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    async with server:
        await server.serve_forever()
asyncio.run(main())
"""


@dataclass(frozen=True)
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        data = sorted(self.latencies_ms)
        if not data:
            return float("nan")
        return data[min(len(data) - 1, max(0, round(p / 100 * len(data)) - 1))]

    def line(self) -> str:
        return (f"  {self.name:<16} {self.rps:8.0f} req/s  p50 {self.percentile(50):6.1f} ms  p95 "
                f"{self.percentile(95):6.1f} ms  p99 {self.percentile(99):6.1f} ms  errors {self.errors}")  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


async def _connection(port: int, path: str, count: int, latencies: list[float], errors: list[int]) -> None:
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept: application/json\r\n\r\n".encode()
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        for _ in range(count):
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            latencies.append((time.perf_counter() - started) * 1000)
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append(int(head[9:12]))
    finally:
        writer.close()


async def _load(port: int, path: str, requests: int, concurrency: int) -> tuple[float, list[float], list[int]]:
    latencies: list[float] = []
    errors: list[int] = []
    shares = [requests // concurrency + (1 if i < requests % concurrency else 0) for i in range(concurrency)]
    started = time.perf_counter()
    await asyncio.gather(*(_connection(port, path, n, latencies, errors) for n in shares if n))
    return time.perf_counter() - started, latencies, errors


def measure(name: str, port: int, path: str, requests: int, concurrency: int) -> Result:
    asyncio.run(_load(port, path, min(requests // 10, 500), concurrency))  # warm up: connections, caches
    seconds, latencies, errors = asyncio.run(_load(port, path, requests, concurrency))
    return Result(name, len(latencies), len(errors), seconds, latencies)


def _wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit(f"the server did not start: {log.read_text()[-2000:]}") from None
            time.sleep(0.3)


def _call(port: int, method: str, path: str, body: dict[str, object] | None = None) -> dict[str, object]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://{HOST}:{port}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})  # fmt: skip
    with urllib.request.urlopen(req, timeout=30) as response:
        return json.loads(response.read())["data"]  # type: ignore[no-any-return]


class Server:
    """The app under uvicorn in a subprocess, with its own data folder and these settings."""

    def __init__(self, root: Path, env: dict[str, str], *, loop: str = "auto", http: str = "auto") -> None:
        self.port = free_port()
        self.log = root / "server.log"
        full = {**os.environ, "COMICREEL_DATA_DIR": str(root / "data"), "PYTHONPATH": str(REPO),
                "GRADIO_ANALYTICS_ENABLED": "False", **env}  # fmt: skip
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "app:create_app", "--factory", "--host", HOST, "--port",
                 str(self.port), "--no-access-log", "--log-level", "warning", "--loop", loop, "--http", http],
                cwd=REPO, env=full, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        _wait_http(f"http://{HOST}:{self.port}/healthz", self.proc, self.log)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def seed(port: int, wait_task: bool) -> tuple[str, str]:
    """A project with a script, and a parse task (finished when workers run here): (project id, task id)."""
    pid = str(_call(port, "POST", "/api/v1/projects", {"name": "load", "aspect_ratio": "9:16"})["project_id"])
    _call(port, "POST", f"/api/v1/projects/{pid}/script", {"content": "场景:街道,白天\n阿福(开心): 早上好!\n"})
    task = _call(port, "POST", f"/api/v1/projects/{pid}/script/parse", {})
    task_id = str(task.get("task_id") or task.get("parse_task_id") or "")
    deadline = time.monotonic() + 60
    while wait_task and time.monotonic() < deadline:
        if _call(port, "GET", f"/api/v1/tasks/{task_id}")["status"] in ("completed", "failed"):
            break
        time.sleep(0.2)
    for i in range(19):  # a full first page of projects
        _call(port, "POST", "/api/v1/projects", {"name": f"load {i}"})
    return pid, task_id


def run_mode(mode: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, Result]:
    requests, concurrency = args.requests, args.concurrency
    root = Path(tempfile.mkdtemp(prefix=f"comicreel-load-{mode}-"))
    server = Server(root, env, loop=args.loop, http=args.http)
    try:
        pid, task_id = seed(server.port, wait_task=env.get("COMICREEL_EMBEDDED_WORKERS") != "0")
        paths = {"task status": f"/api/v1/tasks/{task_id}", "project list": "/api/v1/projects",
                 "project detail": f"/api/v1/projects/{pid}", "healthz": "/healthz"}  # fmt: skip
        results = {name: measure(name, server.port, path, requests, concurrency) for name, path in paths.items()}
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(f"{mode} ({concurrency} connections, {requests} requests each; uvicorn --loop {args.loop} --http {args.http}):")
    for result in results.values():
        print(result.line())
    return results


class Services:
    """PostgreSQL (a fresh database on the local cluster) and a private Redis, for production mode."""

    def __init__(self) -> None:
        from sqlalchemy import create_engine, text

        self.name = f"comicreel_load_{uuid.uuid4().hex[:8]}"
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.pg_url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{self.name}"
        redis = shutil.which("redis-server")
        if redis is None:
            raise RuntimeError("redis-server is not installed")
        self.redis_port = free_port()
        self.redis = subprocess.Popen([redis, "--bind", HOST, "--port", str(self.redis_port), "--save", "",
                                       "--appendonly", "no"], stdout=subprocess.DEVNULL)  # fmt: skip
        time.sleep(0.3)

    def stop(self) -> None:
        from sqlalchemy import text

        self.redis.terminate()
        self.redis.wait(10)
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def client_ceiling(requests: int, concurrency: int) -> Result:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", TRIVIAL_SERVER, str(port)])
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        return measure("client ceiling", port, "/", requests, concurrency)
    finally:
        proc.terminate()
        proc.wait(10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=5000, help="requests per endpoint (default 5000)")
    parser.add_argument("--concurrency", type=int, default=16, help="open connections (default 16)")
    parser.add_argument("--modes", default="embedded,production", help="embedded, production, or both")
    parser.add_argument("--loop", choices=["auto", "asyncio", "uvloop"], default="auto",
                        help="uvicorn's event loop (auto: uvloop when installed)")
    parser.add_argument("--http", choices=["auto", "h11", "httptools"], default="auto",
                        help="uvicorn's HTTP parser (auto: httptools when installed)")
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 256 or not 1 <= args.requests <= 1_000_000:
        parser.error("--concurrency must be 1-256 and --requests 1-1000000")
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    print(f"cores: {os.cpu_count()}; server: uvicorn, one process; client: asyncio sockets, keep-alive")
    print(client_ceiling(args.requests, args.concurrency).line().replace("  client", "client"))
    embedded: dict[str, Result] = {}
    for mode in modes:
        if mode == "embedded":
            embedded = run_mode("embedded", {}, args)
        elif mode == "production":
            try:
                services = Services()
            except Exception as exc:  # noqa: BLE001 - production mode is optional here
                print(f"production: skipped ({exc})")
                continue
            try:
                env = {"COMICREEL_DATABASE_URL": services.pg_url, "COMICREEL_EMBEDDED_WORKERS": "0",
                       "COMICREEL_REDIS_URL": f"redis://{HOST}:{services.redis_port}/0"}  # fmt: skip
                run_mode("production", env, args)
            finally:
                services.stop()
        else:
            parser.error(f"unknown mode {mode!r}: embedded or production")
    if embedded:
        status = embedded["task status"]
        print(f"load-bench rps={status.rps:.0f} p99_ms={status.percentile(99):.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
