"""The renderer as a viewer sees it: frame-exact shots and transitions, smooth moves, text where it may be, tags,
and incremental re-renders that match a full one frame for frame."""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from pipeline.errors import RenderError
from pipeline.models import TimedShot, Timeline
from pipeline.presets import PRESETS, RenderSettings, Watermark
from pipeline.render import DirectoryCache, RenderOptions, default_output, render_video
from pipeline.subtitles import Cue
from tests.media import gray_frames, pan_motion, probe, stream

W, H, FPS = 360, 640, 25
COLOURS = [(230, 40, 40), (40, 200, 60), (40, 60, 230), (230, 220, 40), (200, 40, 200), (40, 210, 210),
           (250, 140, 20), (120, 60, 160), (250, 250, 250), (90, 90, 90), (160, 220, 120), (20, 20, 120),
           (240, 160, 190)]  # fmt: skip
TRANSITIONS = ["cut", "fade", "dissolve", "wipe", "slide"]
CAMERAS = ["closeup", "medium", "long"]  # zooms and pans both


def flat_timeline(tmp_path, colours=COLOURS, fps=FPS) -> Timeline:
    shots, start = [], 0.0
    for i, colour in enumerate(colours):
        path = tmp_path / f"panel_{i}_{colour[0]}_{colour[1]}_{colour[2]}.png"
        Image.new("RGB", (W, H), colour).save(path)
        duration = round(1.0 + 0.37 * (i % 4) + 0.013 * i, 3)  # starts fall between frames
        shots.append(TimedShot(order=i + 1, image_path=str(path), start=round(start, 3), duration=duration,
                               transition=TRANSITIONS[i % len(TRANSITIONS)], subtitle="", speaker=None, voice=None,
                               voice_offset=0.35, camera=CAMERAS[i % 3]))  # fmt: skip
        start += duration
    return Timeline(W, H, fps, tuple(shots))


def mean_colours(path: str) -> np.ndarray:
    """The mean RGB colour of every frame, (frames, 3)."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-vf", "scale=36:64:flags=area", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(-1, 64 * 36, 3).astype(float).mean(axis=1)


def pure(frame: np.ndarray, colour: tuple[int, int, int]) -> bool:
    return float(np.abs(frame - np.array(colour)).max()) < 8


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sync")
    timeline = flat_timeline(tmp)
    cache = DirectoryCache(str(tmp / "cache"))
    result = render_video(timeline, str(tmp / "out.mp4"), str(tmp / "work"), cache=cache)
    return tmp, timeline, cache, result, mean_colours(result.path)


def boundaries(timeline: Timeline, crossfade: float = RenderOptions().crossfade) -> list[tuple[int, int]]:
    """(first frame, transition frames into it) of every shot after the first."""
    out = []
    for prev, shot in zip(timeline.shots, timeline.shots[1:], strict=False):
        b = round(shot.start * timeline.fps)
        own_prev = b - round(prev.start * timeline.fps)
        own = round((shot.start + shot.duration) * timeline.fps) - b
        f = 0 if prev.transition == "cut" else min(round(crossfade * timeline.fps), own_prev // 2, own // 2)
        out.append((b, f))
    return out


def test_the_video_lasts_the_sum_of_its_shots_to_the_frame(rendered) -> None:
    _, timeline, _, result, frames = rendered
    total = round(sum(s.duration for s in timeline.shots) * FPS)
    assert len(frames) == total
    info = probe(result.path)
    assert abs(float(stream(info, "video")["duration"]) - total / FPS) < 1 / FPS
    assert abs(result.duration - sum(s.duration for s in timeline.shots)) < 1 / FPS


def test_each_panel_is_whole_from_its_start_until_its_transition_which_lasts_its_set_length(rendered) -> None:
    _, timeline, _, _, frames = rendered
    edges = boundaries(timeline) + [(len(frames), 0)]
    first = 0
    for i, (end, fade) in enumerate(edges):
        colour = COLOURS[i]
        # From its first frame to the one before its outgoing transition: this panel and nothing else.
        whole = [k for k in range(first, end - fade) if not pure(frames[k], colour)]
        assert not whole, f"shot {i + 1}: frames {whole} do not show its panel (frames {first}..{end - fade - 1})"
        if i + 1 < len(COLOURS):
            mixed = [k for k in range(end - fade - 2, end + 2) if not pure(frames[k], colour)
                     and not pure(frames[k], COLOURS[i + 1])]  # fmt: skip
            kind = timeline.shots[i].transition
            if fade == 0:
                assert not mixed, f"cut after shot {i + 1}: mixed frames {mixed}"
            else:  # every mixed frame inside the transition's frames, and it takes all of them but its first
                assert mixed and min(mixed) >= end - fade and max(mixed) == end - 1, (kind, mixed, end, fade)
                assert len(mixed) >= fade - 1, (kind, mixed, fade)
        first = end


def test_fade_goes_through_black_and_back_symmetrically(rendered) -> None:
    _, timeline, _, _, frames = rendered
    luma = frames.mean(axis=1)
    checked = 0
    for (b, f), prev in zip(boundaries(timeline), timeline.shots, strict=False):
        if prev.transition != "fade" or f < 4:
            continue
        levels = luma[b - f - 1 : b + 1]
        low = int(np.argmin(levels))
        assert levels[low] < 6, levels  # a black frame
        assert sum(levels < 6) == 1, levels  # one, not a blink of several
        down, up = np.diff(levels[: low + 1]), np.diff(levels[low:])
        assert (down < 0).all() and (up > 0).all(), levels  # down, then up: no flash
        assert abs(low - (len(levels) - 1 - low)) <= 1, levels  # as long down as up
        checked += 1
    assert checked >= 2


def test_one_changed_shot_re_encodes_only_its_segments_and_matches_a_full_render(rendered, tmp_path) -> None:
    tmp, timeline, cache, first, _ = rendered
    changed_colours = list(COLOURS)
    changed_colours[6] = (10, 120, 60)
    changed = flat_timeline(tmp_path, changed_colours)
    # Shot 7's panel is in segment 7 and in the transition that ends segment 6 (shot 6 dissolves into it... or cuts).
    touched = 2 if timeline.shots[5].transition != "cut" else 1
    again = render_video(changed, str(tmp_path / "again.mp4"), str(tmp_path / "work"), cache=cache)
    assert again.reused == len(timeline.shots) - touched
    assert again.segments[:5] == first.segments[:5] and again.segments[7:] == first.segments[7:]
    full = render_video(changed, str(tmp_path / "full.mp4"), str(tmp_path / "work_full"))
    assert full.reused == 0
    assert _frame_hashes(again.path) == _frame_hashes(full.path)
    assert _frame_hashes(again.path) != _frame_hashes(first.path)


def _frame_hashes(path: str) -> list[str]:
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-map", "0:v", "-f", "framemd5", "-"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    return [line.split(",")[-1].strip() for line in out.splitlines() if not line.startswith("#")]


def test_files_carry_bt709_tags_and_mov_is_written(tmp_path) -> None:
    timeline = flat_timeline(tmp_path, COLOURS[:2])
    output = default_output(timeline, RenderSettings(format="mov"))
    result = render_video(timeline, str(tmp_path / "out.mov"), str(tmp_path / "w"), output=output)
    info = probe(result.path)
    assert "mov" in info["format"]["format_name"]
    video = stream(info, "video")
    assert (video.get("color_space"), video.get("color_primaries"), video.get("color_transfer"),
            video.get("color_range")) == ("bt709", "bt709", "bt709", "tv")  # fmt: skip
    assert stream(info, "audio")["codec_name"] == "aac"
    assert result.cover_path and Image.open(result.cover_path).size == (W, H)


def textured_panel(path, w, h, seed=3) -> str:
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (w, h), (200, 190, 170))
    draw = ImageDraw.Draw(image)
    for _ in range(400):
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(4, 30)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(int(c) for c in rng.integers(0, 255, 3)),
                     outline=(20, 20, 20), width=2)  # fmt: skip
    image.save(path)
    return str(path)


@pytest.mark.parametrize("motion", ["pan-left", "pan-up"])
def test_a_pan_is_smooth_to_a_fifth_of_a_pixel(tmp_path, motion) -> None:
    """A slow pan moves every frame by the same sub-pixel step: cropping at whole (or even) pixels would make the
    picture stand still, then jump, which phase correlation sees as a jitter of 0.5-1 px."""
    w, h = 540, 960
    panel = textured_panel(tmp_path / "panel.png", w, h)
    shot = TimedShot(order=1, image_path=panel, start=0.0, duration=3.0, transition="cut", subtitle="", speaker=None,
                     voice=None, voice_offset=0.35, motion=motion)  # fmt: skip
    result = render_video(Timeline(w, h, FPS, (shot,)), str(tmp_path / "pan.mp4"), str(tmp_path / "w"))
    speed, jitter = pan_motion(result.path)
    assert 0.2 < speed < 1.5, speed  # it moves, slowly
    assert jitter <= 0.2, jitter


def test_a_zoom_pushes_in_on_the_speaker_without_shaking(tmp_path) -> None:
    w, h = 540, 960
    panel = textured_panel(tmp_path / "panel.png", w, h)
    shot = TimedShot(order=1, image_path=panel, start=0.0, duration=3.0, transition="cut", subtitle="",
                     speaker="A", voice=None, voice_offset=0.35, motion="zoom-in", anchors={"A": (0.5, 0.5)})  # fmt: skip
    result = render_video(Timeline(w, h, FPS, (shot,)), str(tmp_path / "zoom.mp4"), str(tmp_path / "w"))
    frames = gray_frames(result.path, "null", w, h)
    first, last = frames[0], frames[-1]
    assert np.abs(first - last).mean() > 3  # the picture changed: it is larger
    _, jitter = pan_motion(result.path)  # the focus stays put
    assert jitter <= 0.2, jitter


def test_a_zoom_that_cannot_be_drawn_fails_the_render_and_leaves_nothing_running(tmp_path) -> None:
    """A zoom's frames are drawn in a thread of their own and piped to ffmpeg: when drawing fails, the render fails
    with that error, rather than ffmpeg ending quietly on a short segment."""
    timeline = flat_timeline(tmp_path, COLOURS[:3])
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    shots = list(timeline.shots)
    shots[1] = replace(shots[1], image_path=str(broken), motion="zoom-in", transition="dissolve")
    with pytest.raises(Exception, match="cannot identify image file"):
        render_video(replace(timeline, shots=tuple(shots)), str(tmp_path / "x.mp4"), str(tmp_path / "w"))
    assert not list((tmp_path / "w").glob("*.part")) and not (tmp_path / "x.mp4").exists()
    assert not _ffmpeg_children()


def _ffmpeg_children() -> list[Path]:
    """The ffmpeg processes this test process started that still run."""
    children = [p for p in Path("/proc").iterdir() if p.name.isdigit() and (p / "stat").exists()
                and (p / "stat").read_text().split(") ")[-1].split()[1] == str(os.getpid())]  # fmt: skip
    return [p for p in children if b"ffmpeg" in (p / "cmdline").read_bytes()]


def test_a_shot_ffmpeg_cannot_encode_is_named_and_leaves_nothing_behind(tmp_path, monkeypatch) -> None:
    """When ffmpeg fails on one segment (the subtitles and the other segments going well), the render fails naming
    that shot, with ffmpeg's own words in `detail`, and leaves no part file, no video and no ffmpeg running."""
    timeline = flat_timeline(tmp_path, COLOURS[:3])
    real = subprocess.Popen

    def popen(cmd: list[str], *args: Any, **kwargs: Any) -> Any:
        if any(arg.endswith("segment_0001.graph") for arg in cmd):  # the second shot's segment
            cmd = ["sh", "-c", "echo 'Error initializing filter: Invalid argument' >&2; exit 1"]
        return real(cmd, *args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", popen)  # every command passes through; only that one is replaced
    with pytest.raises(RenderError, match=r"ffmpeg could not render shot 2 \(exit code 1\)") as failed:
        render_video(timeline, str(tmp_path / "x.mp4"), str(tmp_path / "w"))
    assert "Invalid argument" in (failed.value.detail or "")
    assert not list((tmp_path / "w").glob("*.part")) and not (tmp_path / "x.mp4").exists()
    assert not _ffmpeg_children()


# -- text on screen ------------------------------------------------------------------------------------------------


def _text_pixels(tmp_path, text_mode: str, platform: str = "douyin") -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Where the text of a line shows in the middle of its shot: frames rendered with and without it, compared."""
    w, h = 540, 960
    panel = str(tmp_path / "grey.png")
    Image.new("RGB", (w, h), (120, 130, 140)).save(panel)
    shot = TimedShot(order=1, image_path=panel, start=0.0, duration=2.0, transition="cut", subtitle="", speaker="小红",
                     voice=None, voice_offset=0.35, kind="dialogue", motion="none", anchors={"小红": (0.5, 0.55)})  # fmt: skip
    timeline = Timeline(w, h, FPS, (shot,))
    cue = Cue(0.35, 1.8, "昨天的话，我想了一整天。Let's talk on the rooftop tonight.", "小红", "dialogue", 1)
    output = default_output(timeline, RenderSettings(platform=platform, text_mode=text_mode))
    with_text = render_video(timeline, str(tmp_path / f"{text_mode}.mp4"), str(tmp_path / "w1"), output=output,
                             cues=[cue])  # fmt: skip
    without = render_video(timeline, str(tmp_path / "none.mp4"), str(tmp_path / "w2"), output=output, cues=[])
    a = gray_frames(with_text.path, "null", w, h)[25]
    b = gray_frames(without.path, "null", w, h)[25]
    return np.abs(a - b) > 40, output.safe.box(w, h)


@pytest.mark.parametrize("mode", ["subtitles", "bubbles", "both"])
def test_text_stays_inside_the_platform_safe_zone(tmp_path, mode) -> None:
    changed, (x0, y0, x1, y1) = _text_pixels(tmp_path, mode)
    ys, xs = np.nonzero(changed)
    assert len(ys) > 200, "no text drawn"
    # (2 px of slack: blending happens on 2x2 chroma blocks)
    assert ys.min() >= y0 - 2 and ys.max() < y1 + 2 and xs.min() >= x0 - 2 and xs.max() < x1 + 2, (xs.min(), xs.max(), ys.min(), ys.max())


def test_by_default_a_line_is_shown_once(tmp_path) -> None:
    """Subtitles by default, and no bubble: the changed pixels form one band, low in the safe zone."""
    assert RenderSettings().text_mode == "subtitles"
    changed, (_, y0, _, y1) = _text_pixels(tmp_path, "subtitles")
    rows = np.nonzero(changed.any(axis=1))[0]
    assert rows.min() > (y0 + y1) / 2, "text in the upper half: a bubble as well as the subtitle?"
    both, _ = _text_pixels(tmp_path, "both")
    upper = both[: int((y0 + y1) / 2)]
    assert upper.sum() > 200  # in "both" the bubble shows too


def test_a_subtitle_shows_on_its_frames_and_stays_put_while_another_ends(tmp_path) -> None:
    """A cue shows from the first frame at or after its start until the last before its end. Over the other cue,
    a later one sits above, and stays there when the earlier one ends (libass keeps a cue where it is), also
    across a cut."""
    w, h = 360, 640
    panel = str(tmp_path / "grey.png")
    Image.new("RGB", (w, h), (90, 100, 110)).save(panel)
    shots = tuple(TimedShot(order=k + 1, image_path=panel, start=float(k), duration=1.0, transition="cut",
                            subtitle="", speaker=None, voice=None, voice_offset=0.35, motion="none")
                  for k in range(2))  # fmt: skip
    first = Cue(0.2, 0.8, "先出来的一行", None, "caption")  # frames 5-19
    second = Cue(0.5, 1.4, "后出来的一行", None, "caption")  # frames 13-34, over the cut at frame 25
    result = render_video(Timeline(w, h, FPS, shots), str(tmp_path / "cues.mp4"), str(tmp_path / "w"),
                          cues=[first, second])  # fmt: skip
    frames = gray_frames(result.path, "null", w, h)

    def rows(n: int) -> np.ndarray:
        return np.nonzero((np.abs(frames[n] - frames[0]) > 40).any(axis=1))[0]

    assert not len(rows(4)) and len(rows(5)) and len(rows(34)) and not len(rows(35))
    both, alone, after_cut = rows(15), rows(22), rows(30)
    assert rows(19).max() == both.max() and rows(20).max() < both.max()  # the first ends after frame 19
    assert alone.min() == both.min() and alone.max() < both.max() - 20  # the second stays above where it was
    assert abs(after_cut.max() - rows(5).max()) <= 2  # a new shot starts afresh: alone, it sits at the bottom


def test_presets_give_the_platform_shape_fps_and_safe_zone() -> None:
    douyin = RenderSettings(platform="douyin").resolve("16:9")
    assert (douyin.width, douyin.height, douyin.fps) == (1080, 1920, 30) and douyin.maxrate_kbps
    assert douyin.safe.bottom >= 0.20 and douyin.safe.right >= 0.15 and douyin.safe.top >= 0.08
    assert RenderSettings(platform="bilibili", resolution="4k").resolve("9:16").size == (3840, 2160)
    preview = RenderSettings(kind="preview", resolution="4k").resolve("9:16")
    assert preview.size == (720, 1280) and preview.x264_preset == "ultrafast"
    assert RenderSettings(platform="custom").resolve("1:1").size == (1080, 1080)
    assert set(PRESETS) == {"douyin", "kuaishou", "bilibili", "youtube", "youtube-shorts", "custom"}
    with pytest.raises(RenderError, match="text_mode"):
        RenderSettings(text_mode="twice").resolve("9:16")  # type: ignore[arg-type]


def test_a_panel_of_another_shape_is_shown_whole_over_a_blurred_copy(tmp_path) -> None:
    panel = tmp_path / "tall.png"
    image = Image.new("RGB", (360, 640), (250, 250, 250))
    ImageDraw.Draw(image).rectangle([0, 0, 359, 40], fill=(200, 0, 0))  # a red band at the very top
    image.save(panel)
    shot = TimedShot(order=1, image_path=str(panel), start=0.0, duration=1.0, transition="cut", subtitle="",
                     speaker=None, voice=None, voice_offset=0.35, motion="none")  # fmt: skip
    result = render_video(Timeline(640, 360, FPS, (shot,)), str(tmp_path / "wide.mp4"), str(tmp_path / "w"))
    frame = gray_frames(result.path, "null", 640, 360)[10]
    assert frame[:, 320].max() > 200 and frame[5, 320] < 150  # the red top band is in the picture, not cropped away
    assert frame[180, 20] < frame[180, 320]  # darker blurred sides


def test_bad_input_is_refused(tmp_path) -> None:
    with pytest.raises(RenderError, match="no shots"):
        render_video(Timeline(320, 320, 25, ()), str(tmp_path / "x.mp4"), str(tmp_path))
    timeline = flat_timeline(tmp_path, COLOURS[:1])
    with pytest.raises(RenderError, match="build the timeline"):
        render_video(timeline, str(tmp_path / "x.mp4"), str(tmp_path), output=default_output(replace(timeline, fps=30)))
    with pytest.raises(RenderError, match="motion"):
        bad = replace(timeline, shots=(replace(timeline.shots[0], motion="spin"),))
        render_video(bad, str(tmp_path / "x.mp4"), str(tmp_path))


def test_subtitles_make_room_for_a_watermark_in_a_bottom_corner(tmp_path) -> None:
    w, h = 540, 960
    panel = str(tmp_path / "grey.png")
    Image.new("RGB", (w, h), (120, 130, 140)).save(panel)
    shot = TimedShot(order=1, image_path=panel, start=0.0, duration=2.0, transition="cut", subtitle="", speaker=None,
                     voice=None, voice_offset=0.35, motion="none")  # fmt: skip
    timeline = Timeline(w, h, FPS, (shot,))
    cue = Cue(0.2, 1.9, "放学后的街道上，路灯一盏一盏亮了起来。", None, "narration", 1)
    settings = RenderSettings(platform="douyin", watermark=Watermark(text="ComicReel", position="bottom-right"))
    output = default_output(timeline, settings)
    plain = default_output(timeline, RenderSettings(platform="douyin"))
    frames = {}
    for name, out, cues in (("none", plain, []), ("mark", output, []), ("both", output, [cue]), ("text", plain, [cue])):
        result = render_video(timeline, str(tmp_path / f"{name}.mp4"), str(tmp_path / name), output=out, cues=cues)
        frames[name] = gray_frames(result.path, "null", w, h)[25]
    mark_rows = np.nonzero((np.abs(frames["mark"] - frames["none"]) > 40).any(axis=1))[0]
    text_rows = np.nonzero((np.abs(frames["both"] - frames["mark"]) > 40).any(axis=1))[0]
    alone_rows = np.nonzero((np.abs(frames["text"] - frames["none"]) > 40).any(axis=1))[0]
    assert len(mark_rows) and len(text_rows)
    assert text_rows.max() < mark_rows.min(), (text_rows.max(), mark_rows.min())  # above it, not over it
    assert alone_rows.max() > text_rows.max()  # without the mark the line sits lower
