"""LocalStorage: objects as files under one directory; atomic writes (temp file + rename); HMAC-signed URLs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from storage.base import ObjectNotFound, StorageError, check_key, translated

# Prefixed to the key in an upload token's signed message: a download signature (of the key alone) never uploads.
_UPLOAD = "upload\n"


def _raise(exc: OSError) -> None:
    raise exc


class LocalStorage:
    """Files under `root`, served by the app's `/files/{key}` route to whoever holds a URL from `url()`.

    Args:
        root: the storage directory, created when missing.
        secret: key for the HMAC that signs file URLs; keep it out of `root`.
        url_prefix: where the app serves `/files/{key}`.
    """

    name = "local"

    def __init__(self, root: str | Path, secret: bytes, url_prefix: str = "/files") -> None:
        if not secret:
            raise StorageError("LocalStorage needs a non-empty secret to sign file URLs (set COMICREEL_SECRET_KEY).")
        self._secret = secret
        self.root = Path(root).resolve()
        with self._errors("create", str(self.root)):
            self.root.mkdir(parents=True, exist_ok=True)
        self.url_prefix = url_prefix.rstrip("/")

    @contextmanager
    def _errors(self, op: str, key: str) -> Iterator[None]:
        try:
            yield
        except OSError as exc:  # permission, disk full, name too long, a file where a directory should be...
            raise StorageError(f"local storage {op} {key!r} failed: {exc.strerror or exc}") from exc

    def _path(self, key: str) -> Path:
        """The file for `key`; refuses keys that a symbolic link leads outside the root."""
        path = self.root / check_key(key)
        if not Path(os.path.realpath(path)).is_relative_to(self.root):
            raise StorageError(f"object key {key!r} leads outside the storage directory through a symbolic link.")
        return path

    def _open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(key) from None

    def _write_atomic(self, key: str, write: Callable[[BinaryIO], object]) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @translated
    def put_file(self, key: str, path: str, content_type: str = "application/octet-stream") -> None:
        with open(path, "rb") as src:
            self._write_atomic(key, lambda fh: shutil.copyfileobj(src, fh, 1 << 20))

    @translated
    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self._write_atomic(key, lambda fh: fh.write(data))

    @translated
    def get_bytes(self, key: str) -> bytes:
        with self._open(key) as fh:
            return fh.read()

    @translated
    def download(self, key: str, path: str) -> str:
        with self._open(key) as src:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        return path

    @translated
    def local_path(self, key: str) -> str:
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFound(key)
        return str(path)

    @translated
    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    @translated
    def size(self, key: str) -> int:
        with self._open(key) as fh:
            return os.fstat(fh.fileno()).st_size

    @translated
    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    @translated
    def list(self, prefix: str) -> list[str]:
        # Walk only the prefix's directory, not every project's files; os.walk does not follow directory links.
        folder = prefix.rpartition("/")[0]
        try:
            top = self._path(folder) if folder else self.root
        except StorageError:
            return []  # no key can start with an invalid folder
        if not top.is_dir():
            return []
        keys = []
        for dirpath, _, filenames in os.walk(top, onerror=_raise):
            for name in filenames:
                full = os.path.join(dirpath, name)
                key = os.path.relpath(full, self.root)
                if key.startswith(prefix) and not name.startswith(".part-") and not os.path.islink(full):
                    keys.append(key)
        return sorted(keys)

    @translated
    def url(self, key: str, expires_seconds: int = 3600) -> str:
        """`/files/<key>?expires=<unix time>&signature=<hex HMAC-SHA256 of key and expiry>`; keys need no quoting."""
        expires = int(time.time()) + expires_seconds
        return f"{self.url_prefix}/{check_key(key)}?expires={expires}&signature={self._sign(key, expires)}"

    def verify(self, key: str, expires: int | str, signature: str) -> bool:
        """Whether `signature` was made by `url()` for this key and `expires` is still in the future."""
        try:
            check_key(key)
        except StorageError:
            return False
        return self._signed(key, expires, signature)

    @translated
    def upload_url(self, key: str, expires_seconds: int = 3600) -> str:
        """`/files/upload/<token>`: the token names the key and its expiry, signed; `verify_upload` reads it back."""
        expires = int(time.time()) + expires_seconds
        name = base64.urlsafe_b64encode(check_key(key).encode()).decode().rstrip("=")
        return f"{self.url_prefix}/upload/{name}.{expires}.{self._sign(_UPLOAD + key, expires)}"

    def verify_upload(self, token: str) -> str | None:
        """The key an unexpired token from `upload_url()` allows to be written, or None."""
        name, _, rest = token.partition(".")
        expires, _, signature = rest.partition(".")
        try:
            key = base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        if not self._signed(_UPLOAD + key, expires, signature):
            return None
        try:
            return check_key(key)
        except StorageError:
            return None

    def _signed(self, message: str, expires: int | str, signature: str) -> bool:
        try:
            expires_at = int(expires)
        except ValueError:
            return False
        if expires_at <= time.time():
            return False
        return hmac.compare_digest(self._sign(message, expires_at).encode(), signature.encode("utf-8", "replace"))

    def _sign(self, key: str, expires: int) -> str:
        # "\n" never occurs in a key, so no other (key, expiry) pair signs the same message.
        return hmac.new(self._secret, f"{key}\n{expires}".encode(), hashlib.sha256).hexdigest()
