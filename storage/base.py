"""The storage contract, its errors and key naming: `projects/<project_id>/<kind>/<name>`."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Concatenate, ParamSpec, Protocol, TypeVar

_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$")


class StorageError(Exception):
    """The storage backend failed or was given a bad key."""


class ObjectNotFound(StorageError):
    """No object under that key."""


def check_key(key: str) -> str:
    if not _SAFE_KEY.match(key) or ".." in key.split("/") or "//" in key or len(key) > 900:
        raise StorageError(f"invalid object key {key!r}: use letters, digits, '._-' and '/' separators, no '..'.")
    return key


def project_key(project_id: object, kind: str, name: str) -> str:
    """Key for a project's file, e.g. project_key(pid, 'images', 'shot_001_ab12.png')."""
    return check_key(f"projects/{project_id}/{kind}/{name}")


class ObjectStorage(Protocol):
    """Every method raises StorageError when the backend fails (ObjectNotFound for a missing key), nothing else."""

    name: str

    def put_file(self, key: str, path: str, content_type: str = "application/octet-stream") -> None: ...
    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None: ...
    def get_bytes(self, key: str) -> bytes: ...
    def download(self, key: str, path: str) -> str:
        """Copy the object to `path` and return it. Raises ObjectNotFound."""
        ...

    def local_path(self, key: str) -> str:
        """A local file with the object's content (the file itself for local storage, a cached copy for S3)."""
        ...

    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int: ...
    def delete(self, key: str) -> None: ...
    def list(self, prefix: str) -> list[str]: ...
    def url(self, key: str, expires_seconds: int = 3600) -> str:
        """A URL the browser can fetch until it expires: presigned for S3, a signed app route for local storage."""
        ...

    def upload_url(self, key: str, expires_seconds: int = 3600) -> str:
        """A URL the browser can PUT the object's bytes to until it expires: presigned for S3, a signed app route
        (`/files/upload/<token>`) for local storage. It allows that one key only; what arrives is not checked."""
        ...


class _TranslatesErrors(Protocol):
    def _errors(self, op: str, key: str) -> AbstractContextManager[None]: ...


B = TypeVar("B", bound=_TranslatesErrors)
P = ParamSpec("P")
R = TypeVar("R")


def translated(method: Callable[Concatenate[B, P], R]) -> Callable[Concatenate[B, P], R]:
    """Run a backend method inside its backend's `_errors(op, key)`, the one place its failures become StorageError."""

    @functools.wraps(method)
    def wrapper(self: B, /, *args: P.args, **kwargs: P.kwargs) -> R:
        key = args[0] if args else next(iter(kwargs.values()), "")
        with self._errors(method.__name__, str(key)):
            return method(self, *args, **kwargs)

    return wrapper
