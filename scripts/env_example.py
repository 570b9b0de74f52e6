"""Write .env.example from the Settings class: every setting, its description and its default."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.config import Settings  # noqa: E402


def render() -> str:
    lines = [
        "# ComicReel settings. Every variable is optional; the values shown are the defaults.",
        "# Copy to .env (or export them) to change them. Empty means 'not set'. Lists are comma-separated.",
    ]
    for name, field in Settings.model_fields.items():
        default = field.default
        if default is None:
            value = ""
        elif isinstance(default, bool):
            value = str(default).lower()
        elif isinstance(default, list):
            value = ",".join(default)
        else:
            value = str(default)
        lines += ["", f"# {field.description}", f"COMICREEL_{name.upper()}={value}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    (Path(__file__).resolve().parents[1] / ".env.example").write_text(render(), encoding="utf-8")
