"""The image backend contract: draw one panel for one storyboard shot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from pipeline.models import Character, StoryboardShot


@dataclass(frozen=True)
class PanelRequest:
    shot: StoryboardShot
    characters: dict[str, Character]  # every character of the script, by name, for consistent looks
    width: int
    height: int
    style: str
    seed: int
    prompt_override: str | None = None


@dataclass(frozen=True)
class DrawnPanel:
    path: str
    width: int
    height: int
    seed: int
    prompt: str
    params: dict[str, Any] = field(default_factory=dict)


class ImageBackend(Protocol):
    name: str

    def draw(self, request: PanelRequest, out_path: str) -> DrawnPanel:
        """Draw the panel to `out_path` (PNG) and say how it was made. Raises DrawError."""
        ...
