"""Render benchmark: a 60 s, 15-shot 9:16 video (sketch panels, espeak-ng voices, zooms and pans, every transition,
CJK subtitles, a watermark and a title) rendered final, preview and again after one panel changed, and the same
video written with moviepy the usual way (bench/moviepy_baseline.py, in its own venv .venv-bench).

Prints one line per run, `name wall_s cpu_s peak_rss_mb rtf jitter_px`, then where the final render's time went, and
last `render-bench final_rtf=… preview_rtf=… speedup_vs_moviepy=… rerender_ratio=… jitter_px=… peak_rss_mb=…`.
cpu_s is this process and its children (ffmpeg); peak_rss_mb is the largest of this process and any one child so far
(ru_maxrss only grows, so a later run shows at least an earlier one's figure; the baseline's is its own process tree).
jitter_px: per pan shot, the frame-to-frame shift of the centre minus its 5-frame average, outside the transitions;
the median over pan shots (a smooth pan gives < 0.2 px, one snapped to whole pixels 0.5-1 px).
Run: .venv/bin/python bench/render.py [--skip-baseline] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from pipeline.image.sketch import SketchImageBackend  # noqa: E402
from pipeline.models import Character, PanelLayers, PanelSprite, Storyboard, Timeline, Transition, VoiceClip  # noqa: E402
from pipeline.motion import Move, fit_panel  # noqa: E402
from pipeline.parse import parse_script  # noqa: E402
from pipeline.plan import PlanOptions, plan_storyboard  # noqa: E402
from pipeline.presets import Output, RenderKind, RenderSettings, Watermark  # noqa: E402
from pipeline.render import DirectoryCache, RenderOptions, render_video  # noqa: E402
from pipeline.segment_encoder import TITLE_SECONDS  # noqa: E402
from pipeline.shot_requests import panel_request, shot_seed, voice_request  # noqa: E402
from pipeline.subtitles import subtitle_cues  # noqa: E402
from pipeline.timeline import build_timeline  # noqa: E402
from pipeline.tts.espeak import EspeakTTSBackend  # noqa: E402
from tests.media import frame_shifts, shift_jitter  # noqa: E402

SCRIPT = """场景:海边小镇,清晨
角色:阿海(男,渔夫,黑色短发,蓝色外套),小雨(女,大学生,马尾辫,黄色雨衣)

旁白: 清晨的海边小镇,雾气还没有散开。
（阿海推着小船走向码头）
小雨(惊讶): 你今天还要出海吗?天气预报说有大风。
阿海(微笑): 风再大,鱼也要吃饭,我也要吃饭。
（海浪拍打着码头的木桩）
小雨(担心): 那我跟你一起去,至少可以帮你看着天。
阿海(犹豫): 船上很冷,你确定吗?
[音效: 海浪]
小雨(坚定): 我确定。

场景:海上,中午
角色:阿海,小雨

旁白: 中午时分,小船已经离岸很远了。
（乌云从远处压过来）
阿海(紧张): 不好,快把帆收起来!
小雨(害怕): 我抓不住绳子!
（一道闪电划过天空）
阿海(激动): 抓紧我的手,我们一起回家!
旁白: 傍晚,两个人终于看见了灯塔的光。
"""
SECONDS = 60.0
SHOTS = 15
# Set per shot rather than left to the planner, so the work measured stays the same when the planner changes.
MOVES = ("zoom-in", "pan-up", "pan-left", "zoom-out", "pan-down", "pan-right")  # the first shot (under the title) zooms
TRANSITIONS: tuple[Transition, ...] = ("cut", "fade", "dissolve", "wipe", "slide")
CHANGED = SHOTS // 2  # the shot whose panel is redrawn before the re-render
BENCH_VENV = REPO / ".venv-bench"
T = TypeVar("T")


@dataclass(frozen=True)
class Inputs:
    storyboard: Storyboard
    characters: dict[str, Character]
    images: dict[int, str]  # panel path by shot order
    voices: dict[int, VoiceClip]
    panels: dict[int, dict[str, Any]]  # what the image backend reported of each panel
    layers: dict[int, PanelLayers]  # each panel in layers, for the motion comic


@dataclass(frozen=True)
class Run:
    name: str
    wall: float
    cpu: float
    cpu_children: float
    peak_rss_mb: float
    jitter: float | None = None

    def line(self) -> str:
        jitter = "-" if self.jitter is None else f"{self.jitter:.3f}"
        return (f"{self.name:16} wall_s={self.wall:7.2f} cpu_s={self.cpu:7.2f} peak_rss_mb={self.peak_rss_mb:7.1f} "
                f"rtf={self.wall / SECONDS:.3f} jitter_px={jitter}")  # fmt: skip


def prepare_inputs(tmp: Path) -> Inputs:
    """Plan the script (15 shots, moves and transitions set), draw every panel at 1080x1920, voice every line."""
    parsed = parse_script(SCRIPT)
    board = plan_storyboard(parsed, PlanOptions(aspect_ratio="9:16", style="comic"))
    if len(board.shots) != SHOTS:
        raise SystemExit(f"the bench script plans {len(board.shots)} shots, not {SHOTS}: fix SCRIPT.")
    shots = tuple(replace(s, motion=MOVES[i % len(MOVES)], transition=TRANSITIONS[i % len(TRANSITIONS)])
                  for i, s in enumerate(board.shots))  # fmt: skip
    board = replace(board, shots=shots)
    characters = {c.name: c for c in parsed.characters}
    painter, speaker = SketchImageBackend(), EspeakTTSBackend()
    images, voices, panels, layers = {}, {}, {}, {}
    for shot in board.shots:
        drawn = painter.draw(replace(panel_request(board, shot, characters, shot_seed(board, shot)), layers=True),
                             str(tmp / f"panel_{shot.order:02d}.png"))  # fmt: skip
        images[shot.order] = drawn.path
        panels[shot.order] = drawn.params
        layers[shot.order] = PanelLayers(
            drawn.layers["background"], tuple(p for name, p in drawn.layers.items() if name != "background"),
            tuple(PanelSprite(sp["character"], sp["state"], sp["path"], tuple(sp["box"])) for sp in drawn.sprites))
        if shot.voiced:
            voices[shot.order] = speaker.synthesize(voice_request(shot, characters, board.language),
                                                    str(tmp / f"voice_{shot.order:02d}.wav"))  # fmt: skip
    return Inputs(board, characters, images, voices, panels, layers)


def timeline_for(inputs: Inputs, output: Output, images: dict[int, str] | None = None) -> Timeline:
    """The timeline at the output's size and fps, every shot stretched by one factor so the video lasts 60 s."""
    timeline = build_timeline(inputs.storyboard, images or inputs.images, inputs.voices, fps=output.fps,
                              size=output.size, panels=inputs.panels, layers=inputs.layers)  # fmt: skip
    if timeline.duration > SECONDS:
        raise SystemExit(f"the voiced script lasts {timeline.duration:.1f} s, over {SECONDS:.0f} s: shorten SCRIPT.")
    factor = SECONDS / timeline.duration
    durations = [round(s.duration * factor, 3) for s in timeline.shots]
    durations[-1] = round(SECONDS - sum(durations[:-1]), 3)
    starts = [round(sum(durations[:i]), 3) for i in range(len(durations))]
    timed = zip(timeline.shots, starts, durations, strict=True)
    shots = tuple(replace(s, start=start, duration=d) for s, start, d in timed)
    return replace(timeline, shots=shots)


def measure(name: str, work: Callable[[], T]) -> tuple[Run, T]:
    """Run `work`, with its wall seconds, CPU seconds (this process and its children) and peak RSS."""
    self0, kids0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = work()
    wall = time.perf_counter() - start
    self1, kids1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    own = self1.ru_utime + self1.ru_stime - self0.ru_utime - self0.ru_stime
    kids = kids1.ru_utime + kids1.ru_stime - kids0.ru_utime - kids0.ru_stime
    peak = max(self1.ru_maxrss, kids1.ru_maxrss) / 1024  # KiB on Linux
    return Run(name, wall, own + kids, kids, peak), result


def pan_jitter(path: str, timeline: Timeline, crossfade: float) -> float | None:
    """The median over pan shots of the centre's jitter, each over its frames outside the transitions."""
    moves = frame_shifts(path)
    fps = timeline.fps
    margin = round(crossfade * fps) + 1
    figures = []
    for shot in timeline.shots:
        if not shot.motion.startswith("pan-"):
            continue
        first, end = round(shot.start * fps), round((shot.start + shot.duration) * fps)
        run = moves[first + margin : end - margin]
        if len(run) >= 12:
            figures.append(shift_jitter(run))
    return statistics.median(figures) if figures else None


def baseline_spec(timeline: Timeline, output: Output, audio: str, out: str, options: RenderOptions) -> dict[str, Any]:
    """What moviepy_baseline.py renders: the same panels, times, moves (as far as moviepy's tools go) and text."""
    shots = []
    for i, shot in enumerate(timeline.shots):
        before = timeline.shots[i - 1] if i else None
        fade = 0.0
        if before is not None and before.transition != "cut":
            fade = min(options.crossfade, before.duration / 2, shot.duration / 2)
        move = Move(shot.motion, round((fade + shot.duration) * timeline.fps), timeline.width, timeline.height,
                    timeline.fps, shot.anchors.get(shot.speaker or "", (0.5, 0.45)))  # fmt: skip
        spec: dict[str, Any] = {"kind": "zoom"}
        if move.is_pan:
            pw, ph = move.plate_size()
            room = (pw - timeline.width) if move.horizontal else (ph - timeline.height)
            a = (room - move.travel()) / 2
            b = a + move.travel()
            forward = shot.motion in ("pan-left", "pan-up")
            spec = {"kind": "pan", "plate": [pw, ph], "horizontal": move.horizontal,
                    "from": a if forward else b, "to": b if forward else a}  # fmt: skip
        else:
            spec["zoom"], spec["focus"] = list(move.zoom_range()), list(move.focus)
        shots.append({"image": shot.image_path, "start": shot.start, "duration": shot.duration, "fade_in": fade,
                      "move": spec})  # fmt: skip
    settings, safe = output.settings, output.safe
    return {
        "width": output.width, "height": output.height, "fps": output.fps, "duration": timeline.duration,
        "preset": output.x264_preset, "crf": output.crf, "font": _font_path(), "audio": audio, "out": out,
        "title": settings.title, "title_seconds": TITLE_SECONDS, "safe": [safe.top, safe.bottom, safe.left, safe.right],
        "watermark": {"text": settings.watermark.text, "opacity": settings.watermark.opacity},
        "cues": [{"start": c.start, "end": c.end, "text": c.text} for c in subtitle_cues(timeline)],
        "shots": shots,
    }  # fmt: skip


def output_for(kind: RenderKind) -> Output:
    """Douyin (1080x1920 at 30 fps; a preview is 720x1280) with a title and a text watermark."""
    settings = RenderSettings(kind=kind, platform="douyin", title="出海", watermark=Watermark(text="ComicReel 漫剧"))
    return settings.resolve("9:16")


def _font_path() -> str:
    from pipeline.fonts import find_cjk_font

    return find_cjk_font().path


def bench_python() -> str:
    """The baseline's interpreter: .venv-bench, created with moviepy when missing."""
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run(["python3", "-m", "venv", str(BENCH_VENV)], check=True)
    if subprocess.run([str(python), "-c", "import moviepy"], capture_output=True).returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "moviepy>=2.1,<3", "numpy"], check=True)
    return str(python)


def run_baseline(python: str, spec_path: str) -> Run:
    """moviepy_baseline.py as a child, measured through its own rusage (its ffmpeg included)."""
    env = {**os.environ, "FFMPEG_BINARY": shutil.which("ffmpeg") or "ffmpeg"}  # the same ffmpeg as ComicReel's
    start = time.perf_counter()
    proc = subprocess.Popen([python, str(REPO / "bench" / "moviepy_baseline.py"), spec_path], env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"the moviepy baseline failed (exit code {proc.returncode}); its output is above.")
    cpu = usage.ru_utime + usage.ru_stime
    return Run("moviepy_baseline", wall, cpu, cpu, usage.ru_maxrss / 1024)


def time_breakdown(run: Run, timeline: Timeline, workdir: Path) -> list[str]:
    """Where the final render's time went: Python (plates, hashing) against ffmpeg, and each segment's encode
    (from the moment its filter graph was written to the moment its file was)."""
    plates = 0.0
    fps = timeline.fps
    for shot in timeline.shots:
        move = Move(shot.motion, round(shot.duration * fps), timeline.width, timeline.height, fps)
        start = time.perf_counter()
        with Image.open(shot.image_path) as panel:
            move.plate(fit_panel(panel, *move.plate_size()))
        plates += time.perf_counter() - start
    encodes = []
    for graph in sorted(workdir.glob("segment_*.graph")):
        done = list(workdir.glob(graph.stem + "_*.mp4"))
        if done:
            encodes.append(done[0].stat().st_mtime - graph.stat().st_mtime)
    lines = [f"  final: python_cpu_s={run.cpu - run.cpu_children:.2f} ffmpeg_cpu_s={run.cpu_children:.2f} "
             f"plates_s={plates:.2f} (all {len(timeline.shots)} plates, one thread, measured apart)"]  # fmt: skip
    if encodes:
        slow = max(range(len(encodes)), key=lambda i: encodes[i])
        lines.append(f"  final: segment_encode_s sum={sum(encodes):.2f} max={encodes[slow]:.2f} (shot {slow + 1}, "
                     f"{timeline.shots[slow].motion}) each=[{' '.join(f'{e:.1f}' for e in encodes)}]")  # fmt: skip
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-baseline", action="store_true", help="do not render the moviepy baseline")
    parser.add_argument("--keep", help="work in this directory and keep the videos (default: a temporary one)")
    args = parser.parse_args()
    tmp = Path(args.keep or tempfile.mkdtemp(prefix="render-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        report(tmp, args.skip_baseline)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def report(tmp: Path, skip_baseline: bool) -> None:
    options = RenderOptions()
    final_out, preview_out = output_for("final"), output_for("preview")
    print(f"cpus={os.cpu_count()} shots={SHOTS} video={SECONDS:.0f}s final={final_out.width}x{final_out.height}@"
          f"{final_out.fps} preview={preview_out.width}x{preview_out.height}@{preview_out.fps}")  # fmt: skip
    inputs = prepare_inputs(tmp)
    final_tl, preview_tl = timeline_for(inputs, final_out), timeline_for(inputs, preview_out)
    final_cache = DirectoryCache(str(tmp / "cache_final"))

    def render(timeline: Timeline, output: Output, name: str, cache: DirectoryCache) -> Any:
        return render_video(timeline, str(tmp / f"{name}.mp4"), str(tmp / f"work_{name}"), options, output=output,
                            cues=subtitle_cues(timeline), cache=cache)  # fmt: skip

    final, final_result = measure("comicreel_final", lambda: render(final_tl, final_out, "final", final_cache))
    plain_out = replace(final_out, settings=replace(final_out.settings, motion_comic=False))
    plain, _ = measure("comicreel_plain", lambda: render(final_tl, plain_out, "plain",
                                                         DirectoryCache(str(tmp / "cache_plain"))))  # fmt: skip
    preview, _ = measure("comicreel_preview", lambda: render(preview_tl, preview_out, "preview",
                                                             DirectoryCache(str(tmp / "cache_preview"))))  # fmt: skip
    changed = inputs.storyboard.shots[CHANGED]
    redrawn = SketchImageBackend().draw(panel_request(inputs.storyboard, changed, inputs.characters,
                                                      shot_seed(inputs.storyboard, changed) + 1),
                                        str(tmp / f"panel_{changed.order:02d}_redrawn.png"))  # fmt: skip
    again_tl = timeline_for(inputs, final_out, {**inputs.images, changed.order: redrawn.path})
    rerender, again = measure("comicreel_rerender", lambda: render(again_tl, final_out, "rerender", final_cache))
    final = replace(final, jitter=pan_jitter(final_result.path, final_tl, options.crossfade))
    runs = [final, plain, preview, rerender]
    for run in runs:
        print(run.line())
    print(f"  rerender: {again.reused} of {len(again.segments)} segments reused")
    for line in time_breakdown(final, final_tl, tmp / "work_final"):
        print(line)
    baseline = None
    if not skip_baseline:
        spec = baseline_spec(final_tl, final_out, str(tmp / "work_final" / "mix.wav"), str(tmp / "moviepy.mp4"),
                             options)  # fmt: skip
        spec_path = tmp / "moviepy_spec.json"
        spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        baseline = run_baseline(bench_python(), str(spec_path))
        baseline = replace(baseline, jitter=pan_jitter(spec["out"], final_tl, options.crossfade))
        print(baseline.line())
    figures = [f"final_rtf={final.wall / SECONDS:.3f}", f"plain_panels_rtf={plain.wall / SECONDS:.3f}",
               f"motion_comic_overhead={final.wall / plain.wall - 1:.3f}", f"preview_rtf={preview.wall / SECONDS:.3f}"]
    if baseline:
        figures.append(f"speedup_vs_moviepy={baseline.wall / final.wall:.2f}")
    figures += [f"rerender_ratio={rerender.wall / final.wall:.3f}",
                "jitter_px=" + ("n/a" if final.jitter is None else f"{final.jitter:.3f}"),
                f"peak_rss_mb={max(r.peak_rss_mb for r in runs):.1f}"]  # fmt: skip
    print("render-bench " + " ".join(figures))


if __name__ == "__main__":
    main()
