"""S3Storage: any S3 API (MinIO, SeaweedFS, AWS) through the `minio` client, with a local read cache."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import timedelta
from pathlib import Path

from minio import Minio
from minio.error import S3Error

from storage.base import ObjectNotFound, StorageError, check_key

_MISSING = ("NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound")


class S3Storage:
    name = "s3"

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        *,
        secure: bool = False,
        region: str | None = None,
        cache_dir: str | Path,
    ) -> None:
        self.client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region)
        self.bucket = bucket
        self.cache_dir = Path(cache_dir)
        try:
            if not self.client.bucket_exists(bucket):
                self.client.make_bucket(bucket)
        except S3Error as exc:
            raise StorageError(f"S3 bucket {bucket!r} at {endpoint} is not usable: {exc.code} {exc.message}") from exc

    def put_file(self, key: str, path: str, content_type: str = "application/octet-stream") -> None:
        self.client.fput_object(self.bucket, check_key(key), path, content_type=content_type)

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.client.put_object(self.bucket, check_key(key), io.BytesIO(data), len(data), content_type=content_type)

    def get_bytes(self, key: str) -> bytes:
        try:
            response = self.client.get_object(self.bucket, check_key(key))
        except S3Error as exc:
            raise self._translate(exc, key) from exc
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def download(self, key: str, path: str) -> str:
        try:
            self.client.fget_object(self.bucket, check_key(key), path)
        except S3Error as exc:
            raise self._translate(exc, key) from exc
        return path

    def local_path(self, key: str) -> str:
        """Objects are written once under a key, so a cached copy of the same size stays valid."""
        digest = hashlib.sha256(key.encode()).hexdigest()[:24]
        cached = self.cache_dir / f"{digest}{Path(key).suffix}"
        if cached.is_file() and cached.stat().st_size == self.size(key):
            return str(cached)
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = f"{cached}.part-{os.getpid()}"
        self.download(key, tmp)
        os.replace(tmp, cached)
        return str(cached)

    def exists(self, key: str) -> bool:
        try:
            self.client.stat_object(self.bucket, check_key(key))
            return True
        except S3Error as exc:
            if exc.code in _MISSING:
                return False
            raise StorageError(f"S3 stat {key!r} failed: {exc.code}") from exc

    def size(self, key: str) -> int:
        try:
            return int(self.client.stat_object(self.bucket, check_key(key)).size or 0)
        except S3Error as exc:
            raise self._translate(exc, key) from exc

    def delete(self, key: str) -> None:
        self.client.remove_object(self.bucket, check_key(key))

    def list(self, prefix: str) -> list[str]:
        return sorted(
            o.object_name for o in self.client.list_objects(self.bucket, prefix=prefix, recursive=True) if o.object_name
        )

    def url(self, key: str, expires_seconds: int = 3600) -> str:
        return self.client.presigned_get_object(self.bucket, check_key(key), expires=timedelta(seconds=expires_seconds))

    @staticmethod
    def _translate(exc: S3Error, key: str) -> StorageError:
        if exc.code in _MISSING:
            return ObjectNotFound(key)
        return StorageError(f"S3 request for {key!r} failed: {exc.code} {exc.message}")
