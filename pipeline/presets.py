"""What a render is made for: the platform (size, frame rate, bitrate cap, safe zone), the resolution, preview or
final quality, and how dialogue appears on screen. `RenderSettings.resolve()` turns a request into exact numbers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

from pipeline.errors import RenderError
from pipeline.models import ASPECT_SIZES

Platform = Literal["douyin", "kuaishou", "bilibili", "youtube", "youtube-shorts", "custom"]
PLATFORMS: tuple[str, ...] = get_args(Platform)
RenderResolution = Literal["720p", "1080p", "4k"]
RENDER_RESOLUTIONS: dict[str, int] = {"720p": 720, "1080p": 1080, "4k": 2160}  # the short side
VideoFormat = Literal["mp4", "mov"]
VIDEO_FORMATS: tuple[str, ...] = get_args(VideoFormat)
RenderKind = Literal["preview", "final"]
TextMode = Literal["subtitles", "bubbles", "both"]  # where dialogue is shown; the default never shows a line twice
TEXT_MODES: tuple[str, ...] = get_args(TextMode)
SubtitleStyle = Literal["simple", "bold", "boxed", "yellow", "comic"]
SUBTITLE_STYLES: tuple[str, ...] = get_args(SubtitleStyle)
Corner = Literal["top-left", "top-right", "bottom-left", "bottom-right"]
CORNERS: tuple[str, ...] = get_args(Corner)


@dataclass(frozen=True)
class SafeZone:
    """Fractions of the frame's height (top, bottom) and width (left, right) that the platform's own buttons,
    captions and progress bar cover: no text of ours goes there."""

    top: float
    bottom: float
    left: float
    right: float

    def box(self, width: int, height: int) -> tuple[int, int, int, int]:
        """The safe area in pixels: (x0, y0, x1, y1)."""
        return (round(width * self.left), round(height * self.top),
                round(width * (1 - self.right)), round(height * (1 - self.bottom)))  # fmt: skip


_VERTICAL_APP = SafeZone(top=0.08, bottom=0.20, left=0.05, right=0.15)  # Douyin, Kuaishou, Shorts: UI over the video
_PLAYER = SafeZone(top=0.05, bottom=0.10, left=0.05, right=0.05)  # a desktop player: title bar and progress bar


@dataclass(frozen=True)
class PlatformPreset:
    name: str
    aspect_ratio: str | None  # None: the project's own
    fps: int
    max_bitrate_kbps: int | None  # per 1080p; scaled with the pixel count for other resolutions
    safe: SafeZone


PRESETS: dict[str, PlatformPreset] = {
    "douyin": PlatformPreset("douyin", "9:16", 30, 8000, _VERTICAL_APP),
    "kuaishou": PlatformPreset("kuaishou", "9:16", 30, 8000, _VERTICAL_APP),
    "youtube-shorts": PlatformPreset("youtube-shorts", "9:16", 30, 10000, _VERTICAL_APP),
    "bilibili": PlatformPreset("bilibili", "16:9", 30, 6000, _PLAYER),
    "youtube": PlatformPreset("youtube", "16:9", 30, 10000, _PLAYER),
    "custom": PlatformPreset("custom", None, 25, None, _PLAYER),
}


@dataclass(frozen=True)
class Watermark:
    """A text or image mark in a corner of the safe area."""

    text: str = ""
    image_path: str | None = None
    position: Corner = "bottom-right"
    opacity: float = 0.7

    @property
    def enabled(self) -> bool:
        return bool(self.text.strip() or self.image_path)


FINAL_X264_PARAMS = "subme=1:8x8dct=0"


@dataclass(frozen=True)
class RenderSettings:
    """A render request, as the API, the studio and the CLI give it."""

    kind: RenderKind = "final"
    platform: Platform = "custom"
    resolution: RenderResolution = "1080p"
    format: VideoFormat = "mp4"
    text_mode: TextMode = "subtitles"
    subtitle_style: SubtitleStyle = "simple"
    watermark: Watermark = field(default_factory=Watermark)
    title: str = ""  # shown over the opening seconds, and on the cover, when set
    motion_comic: bool = True  # panels in layers: parallax, talking mouths, blinks (False: plain moving panels)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RenderSettings:
        """From a task payload (unknown keys ignored; values are checked by `resolve`)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and v is not None}
        if "type" in data and "kind" not in known:
            known["kind"] = data["type"]
        if "platform_preset" in data and "platform" not in known:
            known["platform"] = data["platform_preset"]
        if isinstance(known.get("watermark"), dict):
            mark = {k: v for k, v in known["watermark"].items() if k in Watermark.__dataclass_fields__}
            known["watermark"] = Watermark(**mark)
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "platform": self.platform, "resolution": self.resolution, "format": self.format,
                "text_mode": self.text_mode, "subtitle_style": self.subtitle_style, "title": self.title,
                "motion_comic": self.motion_comic,
                "watermark": {"text": self.watermark.text, "image_path": self.watermark.image_path,
                              "position": self.watermark.position, "opacity": self.watermark.opacity}}  # fmt: skip

    def resolve(self, project_aspect: str) -> Output:
        """The exact output: frame size, fps, encoder settings and safe zone.

        A preview is 720p with the fastest encoder settings whatever the resolution asked; a platform with its own
        aspect ratio sets the frame's shape (a panel of another shape is shown whole over a blurred copy of itself).
        """
        for value, allowed, name in ((self.kind, ("preview", "final"), "kind"), (self.platform, PLATFORMS, "platform"),
                                     (self.resolution, tuple(RENDER_RESOLUTIONS), "resolution"),
                                     (self.format, VIDEO_FORMATS, "format"), (self.text_mode, TEXT_MODES, "text_mode"),
                                     (self.subtitle_style, SUBTITLE_STYLES, "subtitle_style"),
                                     (self.watermark.position, CORNERS, "watermark.position")):  # fmt: skip
            if value not in allowed:
                raise RenderError(f"{name} {value!r} is not one of {', '.join(allowed)}.")
        if not 0.0 <= self.watermark.opacity <= 1.0:
            raise RenderError(f"watermark.opacity {self.watermark.opacity} must be between 0 and 1.")
        preset = PRESETS[self.platform]
        aspect = preset.aspect_ratio or project_aspect
        short = RENDER_RESOLUTIONS["720p" if self.kind == "preview" else self.resolution]
        base_w, base_h = ASPECT_SIZES[aspect]
        scale = short / min(base_w, base_h)
        width, height = round(base_w * scale) // 2 * 2, round(base_h * scale) // 2 * 2
        maxrate = None
        if preset.max_bitrate_kbps:
            maxrate = round(preset.max_bitrate_kbps * (width * height) / (1080 * 1920))
        if self.kind == "preview":
            return Output(width, height, preset.fps, preset.safe, "ultrafast", 28, maxrate, self)
        # veryfast with the cheapest sub-pixel refinement: a third less CPU on slow pans for 0.0006 SSIM; and 4x4
        # transforms only: a tenth less again on comic panels, for files no larger and SSIM no lower (measured).
        return Output(width, height, preset.fps, preset.safe, "veryfast", 21 if short >= 2160 else 23, maxrate, self,
                      FINAL_X264_PARAMS)


@dataclass(frozen=True)
class Output:
    """A resolved render: everything the renderer needs to know about the file it writes."""

    width: int
    height: int
    fps: int
    safe: SafeZone
    x264_preset: str
    crf: int
    maxrate_kbps: int | None
    settings: RenderSettings
    x264_params: str = ""  # extra libx264 options, key=value:key=value

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    def with_size(self, width: int, height: int) -> Output:
        return replace(self, width=width, height=height)
