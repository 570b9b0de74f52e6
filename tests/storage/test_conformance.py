"""One conformance suite for every storage backend: local directory and a real S3 server (SeaweedFS)."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from storage.base import ObjectNotFound, StorageError, project_key
from storage.local import LocalStorage

SECRET = b"conformance-secret"


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "objects", secret=SECRET)
    from storage.s3 import S3Storage

    server = request.getfixturevalue("s3_server")
    bucket = f"t{tmp_path.name.lower().replace('_', '-')[-30:]}".strip("-")
    return S3Storage(
        server["endpoint"], server["access_key"], server["secret_key"], bucket, cache_dir=tmp_path / "cache"
    )


def test_put_get_round_trip(storage, tmp_path) -> None:
    key = project_key("p1", "images", "a.png")
    storage.put_bytes(key, b"\x89PNG-data", "image/png")
    assert storage.exists(key) and storage.size(key) == 9
    assert storage.get_bytes(key) == b"\x89PNG-data"
    src = tmp_path / "big.bin"
    src.write_bytes(bytes(range(256)) * 40_000)  # ~10 MB: multipart on S3
    storage.put_file("projects/p1/videos/v.mp4", str(src), "video/mp4")
    out = storage.download("projects/p1/videos/v.mp4", str(tmp_path / "copy.bin"))
    assert open(out, "rb").read() == src.read_bytes()
    local = storage.local_path("projects/p1/videos/v.mp4")
    assert open(local, "rb").read() == src.read_bytes()


def test_overwrite_list_and_delete(storage) -> None:
    storage.put_bytes("projects/p2/a/1.txt", b"one")
    storage.put_bytes("projects/p2/a/1.txt", b"two")
    storage.put_bytes("projects/p2/b/2.txt", b"x")
    storage.put_bytes("projects/p3/c.txt", b"y")
    assert storage.get_bytes("projects/p2/a/1.txt") == b"two"
    assert storage.list("projects/p2/") == ["projects/p2/a/1.txt", "projects/p2/b/2.txt"]
    storage.delete("projects/p2/a/1.txt")
    storage.delete("projects/p2/a/1.txt")  # deleting twice is fine
    assert not storage.exists("projects/p2/a/1.txt")


def test_missing_objects(storage, tmp_path) -> None:
    with pytest.raises(ObjectNotFound):
        storage.get_bytes("projects/none/x.png")
    with pytest.raises(ObjectNotFound):
        storage.download("projects/none/x.png", str(tmp_path / "x"))
    with pytest.raises(ObjectNotFound):
        storage.size("projects/none/x.png")
    assert not storage.exists("projects/none/x.png")


@pytest.mark.parametrize("key", ["../etc/passwd", "projects/../../x", "/abs", "a//b", ""])
def test_unsafe_keys_are_refused(storage, key) -> None:
    with pytest.raises(StorageError):
        storage.put_bytes(key, b"x")


def test_url(storage) -> None:
    storage.put_bytes("projects/p4/x.txt", b"hello")
    url = storage.url("projects/p4/x.txt")
    if storage.name == "s3":
        assert urllib.request.urlopen(url, timeout=10).read() == b"hello"  # a presigned GET works
        tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(tampered, timeout=10)
    else:  # fetched through the app in test_signed_url_round_trip below
        path, _, query = url.partition("?")
        assert path == "/files/projects/p4/x.txt" and query.startswith("expires=") and "&signature=" in query


def test_wrong_secret_is_refused(request, tmp_path) -> None:
    from storage.s3 import S3Storage

    server = request.getfixturevalue("s3_server")
    with pytest.raises(StorageError):
        S3Storage(server["endpoint"], server["access_key"], "wrong-secret", "anybucket", cache_dir=tmp_path)


# -- local storage: signed URLs through the app's /files route ---------------------------------------------------


@pytest.fixture
def app_client(settings):
    from fastapi.testclient import TestClient

    from app import create_app
    from studio.services import build_services

    app = create_app(settings, services=build_services(settings, immediate=True))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client


def _refused(response, content: bytes) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["code"] == 20003 and content not in response.content


def test_signed_url_round_trip(app_client) -> None:
    storage = app_client.app.state.services.storage
    key, content = project_key("p5", "images", "a.png"), b"\x89PNG-signed-content"
    storage.put_bytes(key, content, "image/png")
    url = storage.url(key, expires_seconds=60)
    response = app_client.get(url)
    assert response.status_code == 200 and response.content == content
    assert response.headers["content-type"] == "image/png"


def test_expired_tampered_and_unsigned_urls_are_refused(app_client) -> None:
    storage = app_client.app.state.services.storage
    key, content = project_key("p6", "images", "a.png"), b"\x89PNG-private"
    storage.put_bytes(key, content)
    url = storage.url(key, expires_seconds=60)
    path, _, query = url.partition("?")
    expires, signature = (part.split("=", 1)[1] for part in query.split("&"))

    _refused(app_client.get(storage.url(key, expires_seconds=-1)), content)  # genuinely signed, but expired
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    _refused(app_client.get(f"{path}?expires={expires}&signature={flipped}"), content)
    _refused(app_client.get(f"{path}?expires={int(expires) + 3600}&signature={signature}"), content)  # extended
    _refused(app_client.get(path), content)
    _refused(app_client.get(f"{path}?expires={expires}"), content)
    _refused(app_client.get(f"{path}?signature={signature}"), content)
    _refused(app_client.get(f"{path}?expires=soon&signature={signature}"), content)
    assert app_client.get(url).content == content  # the genuine URL still works


def test_another_keys_signature_is_refused(app_client) -> None:
    storage = app_client.app.state.services.storage
    mine, theirs = project_key("mine", "images", "a.png"), project_key("theirs", "images", "a.png")
    storage.put_bytes(mine, b"mine")
    storage.put_bytes(theirs, b"their secret")
    _, _, query = storage.url(mine).partition("?")
    _refused(app_client.get(f"/files/{theirs}?{query}"), b"their secret")


def test_verify(tmp_path) -> None:
    storage = LocalStorage(tmp_path / "objects", secret=SECRET)
    other = LocalStorage(tmp_path / "objects", secret=b"another-secret")
    key = "projects/p/a.png"
    expires, signature = (part.split("=", 1)[1] for part in storage.url(key).partition("?")[2].split("&"))
    assert storage.verify(key, expires, signature) and storage.verify(key, int(expires), signature)
    assert not other.verify(key, expires, signature)
    assert not storage.verify("projects/p/b.png", expires, signature)
    assert not storage.verify(key, expires, signature.upper())
    assert not storage.verify(key, expires, "")
    assert not storage.verify("../" + key, expires, signature)
    assert not storage.verify(key, "x", signature)
    with pytest.raises(StorageError):
        LocalStorage(tmp_path / "objects", secret=b"")


# -- local storage: symbolic links and file-system failures ------------------------------------------------------


def test_symlinks_never_lead_outside_the_root(tmp_path) -> None:
    storage = LocalStorage(tmp_path / "objects", secret=SECRET)
    outside = tmp_path / "comicreel.db"
    outside.write_bytes(b"SQLite format 3\x00")
    (tmp_path / "objects" / "projects" / "p").mkdir(parents=True)
    (tmp_path / "objects" / "projects" / "p" / "db.png").symlink_to(outside)
    (tmp_path / "objects" / "projects" / "q").symlink_to(tmp_path, target_is_directory=True)
    for key in ("projects/p/db.png", "projects/q/comicreel.db"):
        for call in (storage.get_bytes, storage.local_path, storage.size, storage.exists, storage.delete):
            with pytest.raises(StorageError, match="outside the storage directory"):
                call(key)
        with pytest.raises(StorageError):
            storage.put_bytes(key, b"overwritten")
    assert storage.list("projects/") == []
    assert outside.read_bytes() == b"SQLite format 3\x00"


def test_file_system_failures_are_storage_errors(tmp_path) -> None:
    storage = LocalStorage(tmp_path / "objects", secret=SECRET)
    storage.put_bytes("projects/p/a.txt", b"x")
    too_long = "projects/p/" + "n" * 300  # one name over the file system's 255 bytes
    for call in (storage.get_bytes, storage.size, storage.exists, storage.local_path, storage.delete):
        with pytest.raises(StorageError, match="File name too long") as info:
            call(too_long)
        assert not isinstance(info.value, ObjectNotFound)
    with pytest.raises(StorageError, match="File name too long"):
        storage.put_bytes(too_long, b"x")
    with pytest.raises(StorageError) as info:  # a file where a directory should be
        storage.put_bytes("projects/p/a.txt/b.txt", b"x")
    assert not isinstance(info.value, ObjectNotFound)
    with pytest.raises(StorageError):  # a directory where the object should be
        storage.put_bytes("projects/p", b"x")
    with pytest.raises(StorageError):  # the source file of an upload is missing
        storage.put_file("projects/p/b.txt", str(tmp_path / "missing.bin"))
    with pytest.raises(StorageError):
        storage.download("projects/p/a.txt", str(tmp_path / "objects" / "projects" / "p" / "a.txt" / "copy"))
    with pytest.raises(ObjectNotFound):  # a folder is not an object, as on S3
        storage.get_bytes("projects/p")
    with pytest.raises(ObjectNotFound):
        storage.size("projects/p/a.txt/b.txt")
    assert storage.get_bytes("projects/p/a.txt") == b"x"
