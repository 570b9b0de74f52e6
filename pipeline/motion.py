"""Ken Burns camera moves, sub-pixel smooth: a plate (the panel fitted to the frame, as raw YUV) and how the frames
move over it.

A pan is a translation at constant speed. Cropping a yuv420p frame snaps to even pixels (the chroma planes are half
size), which makes a slow pan judder; so the plate is prepared as `PHASES` copies, each shifted by a fraction of two
pixels, stacked in one tall (or wide) image: each frame crops the copy whose shift is nearest to the exact position,
at an even offset. The crop is free in ffmpeg, so a pan costs no more than a still. A zoom (toward the speaker's
face, or out from it) is a change of scale, which no crop can do: each of its frames is warped from the plate at
1/32 px (pipeline.yuv.zoomed) and piped to ffmpeg.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from PIL import Image, ImageFilter

from pipeline.errors import RenderError
from pipeline.yuv import blurred, quantized, shifted, stacked, to_planes

Motion = Literal["auto", "none", "zoom-in", "zoom-out", "pan-left", "pan-right", "pan-up", "pan-down"]
MOTIONS: tuple[str, ...] = get_args(Motion)
PHASES = 8  # copies of a panning plate, 2/8 px apart (4 above 1080p, where pixels are smaller)
PREFILTER_SIGMA = 0.5  # px: a panning plate is softened a touch, so that its shifted copies look (and encode) alike
PAN_SPEED = 0.012  # of the frame's width per second
PAN_MARGIN = 0.08  # how much larger than the frame a panning plate is (the most a pan travels)
ZOOM_SPEED = 0.012  # scale change per second
ZOOM_MAX = 1.10
LANCZOS = Image.Resampling.LANCZOS


def auto_motion(camera: str, order: int, portrait: bool) -> str:
    """The move a shot gets when none is set: close shots push in on the face; wide shots travel along the frame's
    long side; medium shots drift sideways (a pan costs about half a zoom to render)."""
    if camera in ("closeup", "over-shoulder"):
        return "zoom-in"
    if camera in ("long", "establishing"):
        return ("pan-up", "pan-down")[order % 2] if portrait else ("pan-left", "pan-right")[order % 2]
    return ("pan-right", "pan-left")[order % 2]


@dataclass(frozen=True)
class Move:
    """One shot's move over the frames it is visible (`frames`, its incoming transition included)."""

    motion: str  # a resolved motion: never "auto"
    frames: int
    width: int  # the frame
    height: int
    fps: int = 25
    focus: tuple[float, float] = (0.5, 0.45)  # where a zoom is centred, as fractions of the frame
    speed: float = 1.0  # of the pan or zoom speed: a foreground layer moves faster than the background (parallax)
    quick: bool = False  # a preview's: pans in 2 phases unsoftened (they may step a pixel)

    def check(self) -> None:
        if self.motion not in MOTIONS or self.motion == "auto":
            raise RenderError(f"motion {self.motion!r} must be one of {', '.join(MOTIONS[1:])}.")
        if self.frames < 1:
            raise RenderError(f"a move needs at least one frame, got {self.frames}.")

    @property
    def phases(self) -> int:
        if self.quick:  # a preview pans in whole pixels: a quarter of the plate to make
            return 2
        return PHASES if self.width * self.height <= 1080 * 1920 else PHASES // 2

    @property
    def resample(self) -> Image.Resampling:
        """How a panel is scaled to the plate: Lanczos; bilinear for a preview (half the time, as sharp at its size)."""
        return Image.Resampling.BILINEAR if self.quick else LANCZOS

    @property
    def is_pan(self) -> bool:
        return self.motion.startswith("pan-")

    @property
    def horizontal(self) -> bool:
        return self.motion in ("pan-left", "pan-right")

    def plate_size(self) -> tuple[int, int]:
        """The plate: the frame itself, or larger along the pan's axis by the pan's margin (even sizes)."""
        if not self.is_pan:
            return self.width, self.height
        scale = 1 + PAN_MARGIN
        return _even(self.width * scale), _even(self.height * scale)

    def stacked_size(self) -> tuple[int, int]:
        """The size of `plate()`'s image: the plate, or its phase copies side by side across the pan."""
        pw, ph = self.plate_size()
        if not self.is_pan:
            return pw, ph
        return (pw, ph * self.phases) if self.horizontal else (pw * self.phases, ph)

    def travel(self) -> float:
        """Pixels a pan moves over all its frames (constant speed; slower when the shot is long)."""
        pw, ph = self.plate_size()
        room = (pw - self.width) if self.horizontal else (ph - self.height)
        seconds = self.frames / self.fps
        return min(room - 2.0, self.speed * PAN_SPEED * self.width * seconds)  # 2 px kept for the phase copies' reach

    def zoom_range(self) -> tuple[float, float]:
        seconds = self.frames / self.fps
        top = min(1.0 + self.speed * (ZOOM_MAX - 1.0), 1.0 + self.speed * ZOOM_SPEED * seconds)
        if self.motion == "zoom-in":
            return 1.0, top
        if self.motion == "zoom-out":
            return top, 1.0
        return 1.0, 1.0

    # -- the plate ---------------------------------------------------------------------------------------------

    def plate(self, fitted: Image.Image) -> list[np.ndarray]:
        """The planes of the raw picture ffmpeg reads, yuv420p (yuva420p for an RGBA plate, resampled premultiplied
        so that transparent edges keep no dark fringe): `fitted` (already the plate size) as is, or, for a pan, its
        phase copies stacked across the pan (so a crop can pick a copy by its offset along the other axis)."""
        planes = to_planes(fitted)
        if not self.is_pan:
            return quantized(planes)
        soft = blurred(planes, PREFILTER_SIGMA) if self._softened else planes
        copies = []
        for k in range(self.phases):
            shift = (2.0 * k + 1.0) / self.phases  # every copy resampled alike (a sharp unshifted copy would flicker)
            copies.append(quantized(shifted(soft, shift, 0.0) if self.horizontal else shifted(soft, 0.0, shift)))
        return stacked(copies, vertical=self.horizontal)

    def soften(self, image: Image.Image) -> Image.Image:
        """What `plate` does to a pan's picture besides shifting it (for sprites laid over a panned plate)."""
        if not self.is_pan or not self._softened:
            return image
        return image.convert("RGBa").filter(ImageFilter.GaussianBlur(PREFILTER_SIGMA)).convert("RGBA")

    @property
    def _softened(self) -> bool:
        return bool(PREFILTER_SIGMA) and not self.quick

    def view_origin(self, first: int) -> tuple[str, str]:
        """Where the frame's top-left corner is on the plate (one copy of it) on each frame, as ffmpeg expressions
        of n (rounded to whole pixels): what a sprite laid over the moving picture subtracts."""
        w, h = self.width, self.height
        pw, ph = self.plate_size()
        if not self.is_pan:
            return "0", "0"
        a, b = self._pan_line()
        along = f"round({a:.6f}+{b:.8f}*(n+{first}))"
        return (along, str((ph - h) // 2 // 2 * 2)) if self.horizontal else (str((pw - w) // 2 // 2 * 2), along)

    def _pan_line(self) -> tuple[float, float]:
        """The pan's position on frame 0 and its step per frame, in plate pixels along the pan."""
        pw, ph = self.plate_size()
        span = max(1, self.frames - 1)
        travel = self.travel()
        room = (pw - self.width) if self.horizontal else (ph - self.height)
        start = (room - travel) / 2
        forward = self.motion in ("pan-left", "pan-up")  # the view moves right/down: the picture moves left/up
        return (start, travel / span) if forward else (start + travel, -travel / span)

    # -- the filter --------------------------------------------------------------------------------------------

    def filter(self, first: int) -> str:
        """The ffmpeg filter moving over the plate for frames `first`, `first + 1`, ... of the move (n counts the
        frames of the stream it is applied to, from 0), for a pan or no move. Its output is width x height."""
        w, h = self.width, self.height
        if self.motion == "none":
            return f"crop={w}:{h}:0:0"
        if self.is_pan:
            pw, ph = self.plate_size()
            a, b = self._pan_line()
            # q: the exact position in steps of 2/phases px; the crop takes the copy q mod phases at 2*floor(q/phases).
            k = self.phases
            q = f"round(({a:.6f}+{b:.8f}*(n+{first}))*{k / 2})"
            along, across = f"2*floor({q}/{k})", f"mod({q},{k})*{ph if self.horizontal else pw}"
            x, y = (along, f"{(ph - h) // 2 // 2 * 2}+{across}") if self.horizontal else (
                f"{(pw - w) // 2 // 2 * 2}+{across}", along)  # fmt: skip
            return f"crop={w}:{h}:x='{x}':y='{y}'"
        raise RenderError(f"a {self.motion} is drawn frame by frame (Move.scale), not by an ffmpeg filter.")

    def scale(self, n: int) -> float:
        """A zoom's scale on frame n of the move (1 shows the whole plate)."""
        z0, z1 = self.zoom_range()
        return z0 + (z1 - z0) * n / max(1, self.frames - 1)


def fit_geometry(pw: int, ph: int, width: int, height: int) -> tuple[float, int, int]:
    """How a pw x ph panel sits in a width x height frame: (scale, x, y) of its top-left corner. It covers the frame
    when the shapes are close (cropped evenly), else it is shown whole, centred (over a blurred copy of itself)."""
    if _covers(pw, ph, width, height):
        scale = max(width / pw, height / ph)
        return scale, -((round(pw * scale) - width) // 2), -((round(ph * scale) - height) // 2)  # as _cover crops
    scale = min(width / pw, height / ph)
    return scale, (width - max(1, round(pw * scale))) // 2, (height - max(1, round(ph * scale))) // 2


def fit_panel(panel: Image.Image, width: int, height: int, resample: Image.Resampling = LANCZOS) -> Image.Image:
    """The panel filling a width x height frame: scaled to cover it when the shapes are close; otherwise shown whole
    over a blurred, darkened copy of itself (a 9:16 panel in a 16:9 video), never stretched. `resample` scales it
    (a preview's moves take `Move.resample`)."""
    panel = panel.convert("RGB")
    if _covers(panel.width, panel.height, width, height):
        return _cover(panel, width, height, resample)
    scale, x, y = fit_geometry(panel.width, panel.height, width, height)
    back = _cover(panel, max(16, width // 8), max(16, height // 8)).filter(ImageFilter.GaussianBlur(3))
    back = back.resize((width, height), Image.Resampling.BILINEAR)
    back = Image.fromarray((np.asarray(back, dtype=np.float32) * 0.55).astype(np.uint8))
    inner = panel.resize((max(1, round(panel.width * scale)), max(1, round(panel.height * scale))), resample)
    back.paste(inner, (x, y))
    return back


def _covers(pw: int, ph: int, width: int, height: int) -> bool:
    """Whether a panel of that shape covers the frame (the shapes are close) rather than being shown whole."""
    return abs(math.log((pw / ph) / (width / height))) < 0.12


def _cover(image: Image.Image, width: int, height: int, resample: Image.Resampling = LANCZOS) -> Image.Image:
    scale = max(width / image.width, height / image.height)
    w, h = max(width, round(image.width * scale)), max(height, round(image.height * scale))
    resized = image.resize((w, h), resample)
    x, y = (w - width) // 2, (h - height) // 2
    return resized.crop((x, y, x + width, y + height))


def _even(value: float) -> int:
    return int(math.ceil(value / 2)) * 2
