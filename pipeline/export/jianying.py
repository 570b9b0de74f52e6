"""The timeline as a 剪映 (JianYing Pro) draft folder: the panels on a video track, the voices and an optional music
bed on audio tracks, the subtitles on a text track, every file copied into the folder, for a creator to finish by
hand in JianYing."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from PIL import Image

from pipeline.errors import MissingToolError, RenderError
from pipeline.export import jianying_format as fmt
from pipeline.export.captions import check_panels
from pipeline.models import Timeline

MUSIC_VOLUME = 0.3  # under the voices
MAX_NAME_CHARS = 80
_BAD_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


class TimedText(Protocol):
    """A subtitle cue (pipeline.subtitles.Cue): shown from `start` to `end` seconds."""

    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def text(self) -> str: ...


def export_jianying_draft(
    timeline: Timeline, cues: Sequence[TimedText], out_dir: str, *, name: str, music_path: str | None = None
) -> str:
    """Write the draft folder `<out_dir>/<name>` (draft_content.json, draft_meta_info.json, materials/).

    Every segment keeps the timeline's exact times: panel i covers [start, start + duration) of shot i, each voice
    starts at its shot's start + voice_offset, each subtitle covers its cue, and the music (looped when shorter)
    runs the length of the video.

    Args:
        timeline: the shots, in order; each needs its panel image.
        cues: the subtitles, e.g. pipeline.subtitles.subtitle_cues(timeline).
        out_dir: an existing folder; the draft is made inside it.
        name: the draft's name in JianYing and its folder's name (no path separators or `<>:"|?*`).
        music_path: an audio file laid under the whole video at 30 % volume, when given.

    Returns:
        The draft folder's path; move it into JianYing's drafts folder ("JianyingPro Drafts") to open it.

    Raises:
        RenderError: bad arguments, a missing panel or voice file, an existing draft folder, an unreadable music file.
        MissingToolError: ffprobe is needed to measure a music file that is not WAV.
    """
    # 1. check the inputs, measure the music
    folder = _check_inputs(timeline, cues, out_dir, name, music_path)
    music_length = fmt.us(_audio_seconds(music_path, None)) if music_path else 0
    if music_path and music_length <= 0:
        raise RenderError(f"the music file {Path(music_path).name} has no length: choose another.")
    # 2.-6. the draft, all of it or nothing
    try:
        _write_draft(timeline, cues, folder, name, (music_path, music_length) if music_path else None)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return str(folder)


def _write_draft(timeline: Timeline, cues: Sequence[TimedText], folder: Path, name: str,
                 music: tuple[str, int] | None) -> None:  # fmt: skip
    materials_dir = folder / "materials"
    materials_dir.mkdir(parents=True)
    materials: dict[str, list[dict[str, Any]]] = {"videos": [], "audios": [], "speeds": [], "texts": []}

    # 2. the panels, one photo segment per shot
    panels = []
    for shot in timeline.shots:
        file_name = _copy(shot.image_path, materials_dir, f"panel_{shot.order:03d}")
        with Image.open(shot.image_path) as image:
            width, height = image.size
        material_id, speed_id = fmt.new_id(), fmt.new_id()
        materials["videos"].append(fmt.photo_material(material_id, file_name, width, height))
        materials["speeds"].append(fmt.speed_material(speed_id))
        panels.append(fmt.photo_segment(material_id, speed_id, fmt.us(shot.start), fmt.us(shot.duration)))

    # 3. the voices at their offsets, on as many tracks as overlaps need (one, for a built timeline)
    voices = []
    for shot in timeline.shots:
        if shot.voice is None:
            continue
        file_name = _copy(shot.voice.path, materials_dir, f"voice_{shot.order:03d}")
        length = fmt.us(_audio_seconds(shot.voice.path, shot.voice.duration))
        material_id, speed_id = fmt.new_id(), fmt.new_id()
        materials["audios"].append(fmt.audio_material(material_id, file_name, length))
        materials["speeds"].append(fmt.speed_material(speed_id))
        start = fmt.us(shot.start + shot.voice_offset)
        voices.append(fmt.audio_segment(material_id, speed_id, start, min(fmt.us(shot.voice.duration), length)))

    # 4. the music, looped to the video's length
    total = fmt.us(timeline.duration)
    music_segments = []
    if music is not None:
        music_path, length = music
        file_name = _copy(music_path, materials_dir, "music")
        material_id = fmt.new_id()
        materials["audios"].append(fmt.audio_material(material_id, file_name, length))
        for start in range(0, total, length):
            speed_id = fmt.new_id()
            materials["speeds"].append(fmt.speed_material(speed_id))
            music_segments.append(
                fmt.audio_segment(material_id, speed_id, start, min(length, total - start), volume=MUSIC_VOLUME)
            )

    # 5. the subtitles
    texts = []
    for cue in cues:
        if not cue.text.strip():
            continue
        material_id = fmt.new_id()
        materials["texts"].append(fmt.text_material(material_id, cue.text.strip()))
        texts.append(fmt.text_segment(material_id, fmt.us(cue.start), fmt.us(cue.end) - fmt.us(cue.start)))

    # 6. the tracks, in the order JianYing draws them (later ones on top), and the two files
    tracks = [fmt.track("video", "panels", panels, 0)]
    layers = [("audio", "voices", voices), ("audio", "music", music_segments), ("text", "subtitles", texts)]
    for kind, label, segments in layers:
        for lane, lane_segments in enumerate(_lanes(segments), start=1):
            tracks.append(fmt.track(kind, label if lane == 1 else f"{label} {lane}", lane_segments, len(tracks)))
    duration = max(_end(s) for t in tracks for s in t["segments"])
    draft_id = fmt.new_id()
    content = fmt.draft_content(name=name, draft_id=draft_id, width=timeline.width, height=timeline.height,
                                fps=timeline.fps, duration=duration, materials=materials, tracks=tracks)  # fmt: skip
    meta = fmt.draft_meta_info(name=name, draft_id=draft_id, duration=duration, now_us=time.time_ns() // 1000)
    for file_name, data in (("draft_content.json", content), ("draft_meta_info.json", meta)):
        (folder / file_name).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def _check_inputs(timeline: Timeline, cues: Sequence[TimedText], out_dir: str, name: str,
                  music_path: str | None) -> Path:  # fmt: skip
    if (
        not name.strip()
        or name != name.strip()
        or len(name) > MAX_NAME_CHARS
        or _BAD_NAME.search(name)
        or name in (".", "..")
    ):
        raise RenderError(
            f"draft name {name!r} cannot be a folder name: use 1-{MAX_NAME_CHARS} characters without "
            '<>:"/\\|?*, control characters or spaces at either end.'
        )
    if not Path(out_dir).is_dir():
        raise RenderError(f"out_dir {out_dir!r} is not a folder: create it first.")
    folder = Path(out_dir) / name
    if folder.exists():
        raise RenderError(f"a draft named {name!r} already exists in {out_dir!r}: choose another name.")
    check_panels(timeline)
    missing = [s.order for s in timeline.shots if s.voice is not None and not Path(s.voice.path).is_file()]
    if missing:
        raise RenderError(f"shots {missing} have no voice file: voice the lines again before exporting.")
    for i, cue in enumerate(cues, start=1):
        if not 0 <= cue.start < cue.end:
            raise RenderError(f"subtitle {i} ({cue.text[:20]!r}) runs from {cue.start} to {cue.end} s: it must end "
                              "after it starts, at or after 0.")  # fmt: skip
    if music_path is not None and not Path(music_path).is_file():
        raise RenderError(f"music_path {music_path!r} is not a file.")
    return folder


def _copy(source: str, folder: Path, stem: str) -> str:
    """Copy a file into the draft's materials folder as `<stem><suffix>`; return the new file's name."""
    file_name = stem + Path(source).suffix.lower()
    shutil.copyfile(source, folder / file_name)
    return file_name


def _audio_seconds(path: str, known: float | None) -> float:
    """The audio file's length: read from a WAV's header, measured by ffprobe otherwise, or `known` when given
    and the file is not a WAV."""
    if path.lower().endswith(".wav"):
        try:
            with wave.open(path, "rb") as wav:
                return wav.getnframes() / wav.getframerate()
        except (wave.Error, EOFError) as exc:
            raise RenderError(f"{Path(path).name} is not a readable WAV file.", detail=f"{path}: {exc}") from None
    if known is not None:
        return known
    if shutil.which("ffprobe") is None:
        raise MissingToolError("ffprobe is not installed (Debian: apt-get install ffmpeg); it measures the music file.")
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
                           capture_output=True, text=True)  # fmt: skip
    try:
        seconds = float(probe.stdout.strip())
    except ValueError:
        raise RenderError(f"{Path(path).name} is not an audio file ffprobe can read.", detail=probe.stderr) from None
    return seconds


def _end(segment: dict[str, Any]) -> int:
    target = segment["target_timerange"]
    return int(target["start"] + target["duration"])


def _lanes(segments: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Segments spread over as few tracks as keep each track free of overlaps (JianYing refuses overlaps)."""
    lanes: list[list[dict[str, Any]]] = []
    for segment in sorted(segments, key=lambda s: s["target_timerange"]["start"]):
        start = segment["target_timerange"]["start"]
        lane = next((lane for lane in lanes if _end(lane[-1]) <= start), None)
        if lane is None:
            lanes.append([segment])
        else:
            lane.append(segment)
    return lanes
