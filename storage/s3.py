"""S3Storage: any S3 API (MinIO, SeaweedFS, AWS) through the `minio` client, with a local read cache."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import certifi
import urllib3
from minio import Minio
from minio.error import MinioException, S3Error

from storage.base import ObjectNotFound, StorageError, check_key, translated

_MISSING = ("NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound")


def _http_client(connect_timeout: float, read_timeout: float) -> urllib3.PoolManager:
    """minio's default client retries a refused connection 5 times with backoff (~6 s) and reads for 5 minutes.

    Here a server that is down fails within the connect timeout: no retry on connection or read errors, a
    couple on 5xx answers (an overloaded server says so quickly), and minio itself sees redirects and errors.
    The price: a keep-alive connection the server closes just as it is reused fails the request instead of
    being retried (urllib3 checks for a closed connection before reuse, so this is rare); jobs retry anyway.
    """
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
        maxsize=10,
        cert_reqs="CERT_REQUIRED",
        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
        retries=urllib3.Retry(
            total=2,
            connect=0,
            read=0,
            other=0,
            redirect=False,
            status=2,
            status_forcelist=(500, 502, 503, 504),
            backoff_factor=0.2,
            raise_on_status=False,
        ),
    )


class S3Storage:
    """Objects in one bucket (created when missing).

    `region` may stay None: the constructor learns the bucket's region once, so `url()` needs no request.

    Raises:
        StorageError: the server cannot be reached, refuses the credentials or the bucket.
    """

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
        connect_timeout: float = 3.0,
        read_timeout: float = 30.0,
    ) -> None:
        self.endpoint = endpoint
        self.client = Minio(
            endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region,
            http_client=_http_client(connect_timeout, read_timeout),
        )  # fmt: skip
        self.bucket = bucket
        self.cache_dir = Path(cache_dir)
        with self._errors("use bucket", bucket):
            if not self.client.bucket_exists(bucket):
                self.client.make_bucket(bucket)

    @contextmanager
    def _errors(self, op: str, key: str) -> Iterator[None]:
        try:
            yield
        except StorageError:
            raise
        except S3Error as exc:
            if exc.code in _MISSING:
                raise ObjectNotFound(key) from exc
            raise StorageError(f"S3 {op} {key!r} at {self.endpoint} failed: {exc.code} {exc.message}") from exc
        except (MinioException, urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            # A server down or hung: urllib3's MaxRetryError, ProtocolError, timeouts; OSError for the cache;
            # ValueError for what minio refuses before asking (a bad bucket name, an expiry over 7 days).
            reason = exc.reason if isinstance(exc, urllib3.exceptions.MaxRetryError) else exc
            raise StorageError(f"S3 {op} {key!r} at {self.endpoint} failed: {reason}") from exc

    @translated
    def put_file(self, key: str, path: str, content_type: str = "application/octet-stream") -> None:
        self.client.fput_object(self.bucket, check_key(key), path, content_type=content_type)

    @translated
    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.client.put_object(self.bucket, check_key(key), io.BytesIO(data), len(data), content_type=content_type)

    @translated
    def get_bytes(self, key: str) -> bytes:
        response = self.client.get_object(self.bucket, check_key(key))
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    @translated
    def download(self, key: str, path: str) -> str:
        self.client.fget_object(self.bucket, check_key(key), path)
        return path

    @translated
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

    @translated
    def exists(self, key: str) -> bool:
        try:
            self.client.stat_object(self.bucket, check_key(key))
        except S3Error as exc:
            if exc.code in _MISSING:
                return False
            raise
        return True

    @translated
    def size(self, key: str) -> int:
        return int(self.client.stat_object(self.bucket, check_key(key)).size or 0)

    @translated
    def delete(self, key: str) -> None:
        self.client.remove_object(self.bucket, check_key(key))

    @translated
    def list(self, prefix: str) -> list[str]:
        objects = self.client.list_objects(self.bucket, prefix=prefix, recursive=True)
        return sorted(o.object_name for o in objects if o.object_name)

    @translated
    def url(self, key: str, expires_seconds: int = 3600) -> str:
        """A presigned GET; no request is made, the bucket's region being known since the constructor."""
        return self.client.presigned_get_object(self.bucket, check_key(key), expires=timedelta(seconds=expires_seconds))

    @translated
    def upload_url(self, key: str, expires_seconds: int = 3600) -> str:
        """A presigned PUT; the size cannot be capped in it, so whoever takes the upload checks the object's size."""
        return self.client.presigned_put_object(self.bucket, check_key(key), expires=timedelta(seconds=expires_seconds))
