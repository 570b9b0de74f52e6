"""One conformance suite for every storage backend: local directory and a real S3 server (SeaweedFS)."""

from __future__ import annotations

import urllib.request

import pytest

from storage.base import ObjectNotFound, StorageError, project_key
from storage.local import LocalStorage


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "objects")
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
    else:
        assert url == "/files/projects/p4/x.txt"


def test_wrong_secret_is_refused(request, tmp_path) -> None:
    from storage.s3 import S3Storage

    server = request.getfixturevalue("s3_server")
    with pytest.raises(StorageError):
        S3Storage(server["endpoint"], server["access_key"], "wrong-secret", "anybucket", cache_dir=tmp_path)
