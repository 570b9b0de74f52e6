"""A stranger cannot fetch private files: the database, the queue, the URL secret, another project's objects.

Requests go over a real socket to uvicorn, so paths reach the app as a client wrote them (`..`, `%2e%2e`, `%2F`,
backslashes), not as an HTTP client library would tidy them.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from app import create_app
from studio.services import build_services
from tests.conftest import free_port

SQLITE_HEADER = b"SQLite format 3"
OBJECT = b"\x89PNG another project's private panel"


@dataclass
class Served:
    port: int
    data_dir: Path
    objects_dir: Path
    project_id: str
    object_key: str
    signed_query: str  # a genuine signature, for a key of the stranger's own

    def get(self, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Host": f"127.0.0.1:{self.port}"})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def private_files(self) -> dict[str, bytes]:
        """Each private file (relative to data_dir) and bytes of it that must never appear in a response."""
        secret = (self.data_dir / "secret_key").read_bytes().strip()
        files = {"comicreel.db": SQLITE_HEADER, "queue.db": SQLITE_HEADER, "secret_key": secret,
                 f"objects/{self.object_key}": OBJECT}  # fmt: skip
        for name, marker in files.items():
            assert marker in (self.data_dir / name).read_bytes(), f"{name} missing: the test would prove nothing"
        return files


@pytest.fixture
def served(settings, tmp_path, monkeypatch) -> Iterator[Served]:
    monkeypatch.chdir(tmp_path)  # so that "data/comicreel.db" is the database's path relative to the server
    services = build_services(settings)  # not immediate: SqliteHuey creates queue.db
    app = create_app(settings, services=services)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        victim = _create_project(port, "victim")
        object_key = f"projects/{victim}/images/x.png"
        services.storage.put_bytes(object_key, OBJECT, "image/png")
        mine = f"projects/{_create_project(port, 'stranger')}/images/mine.png"
        services.storage.put_bytes(mine, b"\x89PNG mine")
        signed_query = services.storage.url(mine).partition("?")[2]
        data_dir = settings.data_dir.resolve()
        yield Served(port, data_dir, settings.resolved_storage_dir, victim, object_key, signed_query)
    finally:
        server.should_exit = True
        thread.join(15)


def _create_project(port: int, name: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = f'{{"name": "{name}"}}'
    conn.request("POST", "/api/v1/projects", body=body, headers={"Host": f"127.0.0.1:{port}",
                 "Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}"})  # fmt: skip
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    assert response.status == 201, payload
    import json

    return json.loads(payload)["data"]["project_id"]


def _assert_refused(served: Served, paths: list[str], marker: bytes) -> None:
    leaks = []
    for path in paths:
        status, body = served.get(path)
        if not 400 <= status < 500 or marker in body:
            leaks.append(f"{path} -> {status}, {len(body)} bytes{', CONTAINS THE FILE' if marker in body else ''}")
    assert not leaks, "\n".join(leaks)


def test_files_route_serves_nothing_without_a_valid_signature(served) -> None:
    for name, marker in served.private_files().items():
        absolute = str(served.data_dir / name)
        up = "/".join([".."] * 5)  # from objects/projects/<pid>/images up to data_dir and beyond
        paths = [
            f"/files/{name}", f"/files/../{name}", f"/files/%2e%2e/{name}", f"/files/%2E%2E/{name}",
            f"/files/..%2F{name}", f"/files/projects/..%2F..%2F{name}", f"/files/projects/%2e%2e%2f%2e%2e%2f{name}",
            f"/files/..\\{name}", f"/files/..%5C{name}", f"/files/projects/..%5C..%5C{name}",
            f"/files/{served.object_key.rsplit('/', 1)[0]}/{up}/{name}",
            f"/files/{absolute}", f"/files/{absolute.replace('/', '%2F')}", f"/files//{absolute}",
            f"/files/../{name}?{served.signed_query}", f"/files/%2e%2e/{name}?{served.signed_query}",
            f"/{name}", f"/../{name}", f"/%2e%2e/{name}",
        ]  # fmt: skip
        _assert_refused(served, paths, marker)


def test_another_projects_object_needs_its_own_signature(served) -> None:
    key = served.object_key
    _assert_refused(
        served,
        [f"/files/{key}", f"/files/{key}?{served.signed_query}", f"/files/{key}?expires=9999999999&signature=00",
         f"/files/projects/{served.project_id}/images/../images/x.png?{served.signed_query}"],
        OBJECT,
    )  # fmt: skip


def test_gradio_file_routes_serve_no_private_file(served) -> None:
    """Gradio serves files under its allowed_paths: the data directory must not be one of them."""
    for name, marker in served.private_files().items():
        absolute = str(served.data_dir / name)
        paths = [f"/gradio_api/file={absolute}", f"/gradio_api/file=data/{name}", f"/file={absolute}",
                 f"/file=data/{name}", f"/gradio_api/file={absolute.replace('/', '%2F')}"]  # fmt: skip
        _assert_refused(served, paths, marker)
    objects = served.objects_dir
    _assert_refused(served, [f"/gradio_api/file={objects}/{served.object_key}", f"/file={objects}/{served.object_key}"],
                    OBJECT)  # fmt: skip
