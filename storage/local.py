"""LocalStorage: objects as files under one directory; writes are atomic (temp file + rename)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from storage.base import ObjectNotFound, check_key


class LocalStorage:
    name = "local"

    def __init__(self, root: str | Path, url_prefix: str = "/files") -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.url_prefix = url_prefix.rstrip("/")

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _write_atomic(self, key: str, write) -> None:  # type: ignore[no-untyped-def]
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

    def put_file(self, key: str, path: str, content_type: str = "application/octet-stream") -> None:
        with open(path, "rb") as src:
            self._write_atomic(key, lambda fh: shutil.copyfileobj(src, fh, 1 << 20))

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self._write_atomic(key, lambda fh: fh.write(data))

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectNotFound(key) from None

    def download(self, key: str, path: str) -> str:
        src = self._path(key)
        if not src.is_file():
            raise ObjectNotFound(key)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, path)
        return path

    def local_path(self, key: str) -> str:
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFound(key)
        return str(path)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise ObjectNotFound(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list(self, prefix: str) -> list[str]:
        base = self.root
        return sorted(
            str(p.relative_to(base))
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".part-") and str(p.relative_to(base)).startswith(prefix)
        )

    def url(self, key: str, expires_seconds: int = 3600) -> str:
        return f"{self.url_prefix}/{check_key(key)}"
