"""A storage outage on a real SeaweedFS server, stopped (or frozen) mid-test: every S3Storage method fails fast
with StorageError, never a raw urllib3/minio error, and the API answers 503 without deleting anything.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import pytest
import urllib3
from fastapi.testclient import TestClient

from storage.base import ObjectNotFound, StorageError
from storage.s3 import S3Storage

CONNECT_TIMEOUT, READ_TIMEOUT = 1.0, 1.0
# The timeout plus a margin. A behaviour bound, not a benchmark: minio's own client retries a refused
# connection for ~6 s and waits 5 minutes for a hung server.
BOUND = 5.0
KEY = "projects/p/images/a.png"


def _storage(server: dict[str, str], tmp_path, bucket: str) -> S3Storage:
    return S3Storage(
        server["endpoint"], server["access_key"], server["secret_key"], bucket, cache_dir=tmp_path / "cache",
        connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
    )  # fmt: skip


def _calls(storage: S3Storage, server: dict[str, str], tmp_path) -> dict[str, Callable[[], object]]:
    source = tmp_path / "source.bin"
    source.write_bytes(b"x" * 1000)
    return {
        "put_file": lambda: storage.put_file("projects/p/videos/v.mp4", str(source)),
        "put_bytes": lambda: storage.put_bytes("projects/p/images/b.png", b"data"),
        "get_bytes": lambda: storage.get_bytes(KEY),
        "download": lambda: storage.download(KEY, str(tmp_path / "copy.png")),
        "local_path": lambda: storage.local_path(KEY),
        "exists": lambda: storage.exists(KEY),
        "size": lambda: storage.size(KEY),
        "delete": lambda: storage.delete(KEY),
        "list": lambda: storage.list("projects/"),
        "constructor": lambda: _storage(server, tmp_path, "another-bucket"),
    }


def _assert_each_fails_fast(calls: dict[str, Callable[[], object]]) -> None:
    failures = []
    for name, call in calls.items():
        started = time.monotonic()
        try:
            call()
            failures.append(f"{name}: returned instead of raising StorageError")
        except ObjectNotFound as exc:
            failures.append(f"{name}: an outage is not a missing object ({exc})")
        except StorageError as exc:
            if not isinstance(exc.__cause__, urllib3.exceptions.HTTPError | OSError):
                failures.append(f"{name}: lost the cause ({exc.__cause__!r})")
        except Exception as exc:  # noqa: BLE001 - the point: nothing but StorageError may escape
            failures.append(f"{name}: raised {type(exc).__module__}.{type(exc).__name__}: {exc}")
        elapsed = time.monotonic() - started
        if elapsed > BOUND:
            failures.append(f"{name}: took {elapsed:.1f} s, over {BOUND} s")
    assert not failures, "\n".join(failures)


def test_every_method_fails_fast_when_the_server_stops(stoppable_s3_server, tmp_path) -> None:
    storage = _storage(stoppable_s3_server.info, tmp_path, "outage")
    storage.put_bytes(KEY, b"\x89PNG-before-the-outage")
    assert storage.get_bytes(KEY) == b"\x89PNG-before-the-outage"

    stoppable_s3_server.stop()
    _assert_each_fails_fast(_calls(storage, stoppable_s3_server.info, tmp_path))
    # A presigned URL needs no request (the bucket's region was learned at start), so it is still made.
    assert storage.url(KEY).startswith(f"http://{stoppable_s3_server.info['endpoint']}/outage/{KEY}?")


def test_every_method_fails_fast_when_the_server_hangs(stoppable_s3_server, tmp_path) -> None:
    """A frozen server still accepts connections (the kernel does) but never answers: the read timeout applies."""
    storage = _storage(stoppable_s3_server.info, tmp_path, "hang")
    storage.put_bytes(KEY, b"\x89PNG-before-the-outage")
    pid = stoppable_s3_server.proc.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        calls = _calls(storage, stoppable_s3_server.info, tmp_path)
        _assert_each_fails_fast({name: calls[name] for name in ("put_bytes", "get_bytes", "exists", "list")})
    finally:
        os.kill(pid, signal.SIGCONT)


@pytest.fixture
def s3_app(settings, stoppable_s3_server):
    from app import create_app
    from studio.services import build_services

    s3 = settings.model_copy(update={
        "storage_backend": "s3", "s3_endpoint": stoppable_s3_server.info["endpoint"], "s3_bucket": "outage-api",
        "s3_access_key": stoppable_s3_server.info["access_key"], "s3_secret_key": stoppable_s3_server.info["secret_key"],
        "storage_connect_timeout": CONNECT_TIMEOUT, "storage_read_timeout": READ_TIMEOUT,
    })  # fmt: skip
    app = create_app(s3, services=build_services(s3, immediate=True))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client


def test_deleting_a_project_during_an_outage_answers_503_and_deletes_nothing(s3_app, stoppable_s3_server) -> None:
    created = s3_app.post("/api/v1/projects", json={"name": "kept"})
    assert created.status_code == 201, created.text
    pid = created.json()["data"]["project_id"]
    s3_app.app.state.services.storage.put_bytes(f"projects/{pid}/images/a.png", b"\x89PNG")

    stoppable_s3_server.stop()
    started = time.monotonic()
    response = s3_app.delete(f"/api/v1/projects/{pid}")
    elapsed = time.monotonic() - started
    assert response.status_code == 503 and response.json()["code"] == 40002, response.text
    assert elapsed < BOUND, f"DELETE took {elapsed:.1f} s during the outage"
    kept = s3_app.get(f"/api/v1/projects/{pid}")
    assert kept.status_code == 200 and kept.json()["data"]["name"] == "kept"
