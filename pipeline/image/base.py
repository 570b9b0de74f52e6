"""The image backend contract: draw one panel for one storyboard shot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

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
    layers: bool = False  # also write the panel's layers and talking sprites beside it (for a motion comic)
    weather: tuple[str, ...] = ()  # the scene's weather (rain, snow, fog, wind), beside what the shot itself names
    # For model backends (the sketch backend ignores these): the preset (preview: fewer steps, smaller), how the
    # characters are kept alike (reference: conditioned on their reference pictures; consistent: shots drawn
    # together share attention), each character's reference picture (a local PNG path) by name, and the scene's
    # reference picture (a local PNG path: the current panel of the scene's first shot) that keeps one place.
    quality: Literal["preview", "final"] = "final"
    lock: Literal["none", "reference", "consistent"] = "none"
    references: dict[str, str] = field(default_factory=dict)
    scene_reference: str | None = None


@dataclass(frozen=True)
class DrawnPanel:
    path: str
    width: int
    height: int
    seed: int
    prompt: str
    params: dict[str, Any] = field(default_factory=dict)
    # With `PanelRequest.layers`: the layers' PNG files by name, in order ("background" (RGB), then RGBA ones:
    # "character:<name>"…, "effects"); they composite to the panel. And the sprites a motion comic swaps in over
    # a face: {"character", "state" (mouth_half, mouth_open, eyes_closed), "path", "box" [x0, y0, x1, y1] px}.
    layers: dict[str, str] = field(default_factory=dict)
    sprites: tuple[dict[str, Any], ...] = ()


class ImageBackend(Protocol):
    name: str

    def draw(self, request: PanelRequest, out_path: str) -> DrawnPanel:
        """Draw the panel to `out_path` (PNG) and say how it was made. Raises DrawError."""
        ...
