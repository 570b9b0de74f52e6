"""The whole pipeline in one call (the CLI and the benchmark use it), and the per-shot requests jobs reuse."""

from __future__ import annotations

import hashlib
import itertools
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline.image.base import ImageBackend, PanelRequest
from pipeline.models import ASPECT_SIZES, Character, ParsedScript, RenderResult, Storyboard, StoryboardShot, VoiceClip
from pipeline.parse import Format, parse_script
from pipeline.plan import PlanOptions, plan_storyboard
from pipeline.render import RenderOptions, render_video
from pipeline.timeline import build_timeline
from pipeline.tts.base import TTSBackend, VoiceRequest, voice_for

ProgressFn = Callable[[float, str], None]


def shot_seed(key: str, order: int) -> int:
    """A stable seed per shot, so a redraw with the same inputs gives the same panel."""
    return int.from_bytes(hashlib.sha256(f"{key}:{order}".encode()).digest()[:4], "big")


def panel_request(
    storyboard: Storyboard, shot: StoryboardShot, characters: dict[str, Character], seed: int
) -> PanelRequest:
    width, height = ASPECT_SIZES[storyboard.aspect_ratio]
    return PanelRequest(shot=shot, characters=characters, width=width, height=height, style=storyboard.style, seed=seed)


def voice_request(shot: StoryboardShot, characters: dict[str, Character], language: str) -> VoiceRequest:
    speaker = characters.get(shot.speaker) if shot.speaker else None
    return VoiceRequest(text=shot.text, language=language, voice=voice_for(speaker), emotion=shot.emotion)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ScriptRender:
    parsed: ParsedScript
    storyboard: Storyboard
    shot_durations: tuple[float, ...]  # as timed: voiced shots follow their voice
    result: RenderResult


def render_script(
    text: str,
    out_path: str,
    *,
    image_backend: ImageBackend,
    tts_backend: TTSBackend,
    plan: PlanOptions | None = None,
    render: RenderOptions | None = None,
    fmt: Format | None = None,
    filename: str | None = None,
    workdir: str | None = None,
    workers: int = 2,
    on_progress: ProgressFn | None = None,
) -> ScriptRender:
    """Script text to MP4: parse, plan, draw, voice, time, render.

    Progress goes to `on_progress(fraction, step)`; the steps are the seed's task steps.
    """
    progress = on_progress or (lambda fraction, step: None)
    with tempfile.TemporaryDirectory(prefix="comicreel-", dir=workdir) as tmp:
        work = Path(tmp)
        # 1. Parse and plan.
        progress(0.0, "parsing_script")
        parsed = parse_script(text, fmt=fmt, filename=filename)
        storyboard = plan_storyboard(parsed, plan)
        characters = {c.name: c for c in parsed.characters}
        key = hashlib.sha256(text.encode()).hexdigest()[:16]
        total = len(storyboard.shots)
        finished = itertools.count(1)  # next() is atomic under the GIL; the two worker threads share it

        def tick(step: str) -> None:
            progress(0.05 + 0.35 * next(finished) / (2 * total), step)

        # 2. Draw panels and voice lines side by side (espeak runs as a subprocess; Pillow releases the GIL).
        def draw(shot: StoryboardShot) -> tuple[int, str]:
            path = str(work / f"shot_{shot.order:03d}.png")
            image_backend.draw(panel_request(storyboard, shot, characters, shot_seed(key, shot.order)), path)
            tick("generating_images")
            return shot.order, path

        def voice(shot: StoryboardShot) -> tuple[int, VoiceClip | None]:
            clip = None
            if shot.voiced:
                clip = tts_backend.synthesize(
                    voice_request(shot, characters, parsed.language), str(work / f"voice_{shot.order:03d}.wav")
                )
            tick("generating_voices")
            return shot.order, clip

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            voice_jobs = [pool.submit(voice, s) for s in storyboard.shots]
            draw_jobs = [pool.submit(draw, s) for s in storyboard.shots]
            images = dict(f.result() for f in draw_jobs)
            voices = {order: clip for order, clip in (f.result() for f in voice_jobs) if clip is not None}

        # 3. Time and render.
        timeline = build_timeline(storyboard, images, voices)
        result = render_video(
            timeline,
            out_path,
            str(work / "render"),
            render,
            on_progress=lambda f, step: progress(0.4 + 0.6 * f, step),
        )
        durations = tuple(s.duration for s in timeline.shots)
        return ScriptRender(parsed=parsed, storyboard=storyboard, shot_durations=durations, result=result)
