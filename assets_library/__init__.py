"""Built-in creative assets: style presets (palettes the sketch renderer and prompts use) and their catalog."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

LIBRARY_DIR = Path(__file__).parent


@cache
def catalog() -> dict[str, Any]:
    """The catalog of every built-in asset, with its licence."""
    return json.loads((LIBRARY_DIR / "catalog.json").read_text(encoding="utf-8"))


def style_preset(name: str) -> dict[str, Any]:
    """A style preset by name; raises KeyError naming the known styles."""
    styles = catalog()["styles"]
    if name not in styles:
        raise KeyError(f"unknown style {name!r}; known: {sorted(styles)}")
    return styles[name]
