"""Digests that key caches and records: a file's bytes, and a spec of plain data (its canonical JSON)."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def file_digest(path: str) -> str:
    """sha256 of a file's bytes, read a megabyte at a time."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def spec_digest(spec: dict[str, Any]) -> str:
    """sha256 of `spec` as canonical JSON (sorted keys; what JSON cannot hold, as its str())."""
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
