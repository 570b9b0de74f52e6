"""Overlay layers: speech bubbles that stay in the safe box and point at the speaker, narration captions, the
watermark, the title band and the cover thumbnail; and a shot's lettering, which keeps off every face (bubbles,
thought clouds, captions, sound words) and points at the speaker's mouth; all checked on their pixels."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from pipeline.errors import RenderError
from pipeline.overlays import cover_image, shot_layer, text_layer, title_layer, watermark_layer
from pipeline.presets import PRESETS, SUBTITLE_STYLES, Watermark
from pipeline.subtitles import Cue

DOUYIN, BILIBILI = PRESETS["douyin"].safe, PRESETS["bilibili"].safe
ZH = Cue(0, 2, "昨天的话，我想了一整天。其实我一直都想告诉你一件事情。", speaker="小红")
EN = Cue(0, 2, "Honestly? I never thought we'd make it to the rooftop tonight, not after all that.", speaker="Ming")


def _alpha(layer: Image.Image) -> np.ndarray:
    return np.asarray(layer.getchannel("A")).astype(int)


def _inside(layer: Image.Image, box: tuple[int, int, int, int]) -> None:
    ys, xs = np.nonzero(_alpha(layer))
    assert len(xs) > 0, "nothing was drawn"
    x0, y0, x1, y1 = box
    assert x0 <= xs.min() and xs.max() < x1 and y0 <= ys.min() and ys.max() < y1, (xs.min(), ys.min(), xs.max(),
                                                                                  ys.max(), box)  # fmt: skip


@pytest.mark.parametrize("style", SUBTITLE_STYLES)
@pytest.mark.parametrize("cue", [ZH, EN], ids=["zh", "en"])
@pytest.mark.parametrize("anchor", [(0.62, 0.30), (0.2, 0.55), (0.5, 0.12), (0.9, 0.9), None])
def test_bubble_stays_in_the_upper_safe_area_and_points_at_the_speaker(style, cue, anchor) -> None:
    layer = text_layer(cue, width=540, height=960, safe=DOUYIN, anchor=anchor, style=style)
    assert layer.size == (540, 960) and layer.mode == "RGBA"
    x0, y0, x1, y1 = DOUYIN.box(540, 960)
    _inside(layer, (x0, y0, x1, min(y1, round(960 * 0.8))))
    alpha = _alpha(layer)
    ys, xs = np.nonzero(alpha)
    body = (xs.mean(), ys.mean())  # the bubble's centre (the tail is thin and hardly moves it)
    assert ys.min() < y0 + (y1 - y0) * 0.5, "the bubble should sit in the upper part of the safe area"
    if anchor is None or anchor[1] > 0.5:  # nothing to avoid up there: right at the top
        assert ys.min() <= y0 + 960 * 0.015
    if anchor is None:
        return
    ax, ay = anchor[0] * 540, anchor[1] * 960
    near = np.hypot(xs - ax, ys - ay).min()  # the tail's tip
    assert near < np.hypot(body[0] - ax, body[1] - ay) - 0.4 * np.ptp(ys), "the tail should reach toward the head"
    head = np.hypot(*np.mgrid[:960, :540][::-1] - np.array([ax, ay])[:, None, None]) < 10
    assert not alpha[head].any(), "the bubble covers the speaker's head"


@pytest.mark.parametrize("style", SUBTITLE_STYLES)
def test_bubble_holds_legible_text_and_the_speaker_name(style) -> None:
    layer = text_layer(ZH, width=1080, height=1920, safe=DOUYIN, anchor=(0.5, 0.45), style=style)
    pixels = np.asarray(layer).astype(int)
    opaque = pixels[..., 3] > 200
    colours = pixels[opaque][:, :3]
    fill = np.median(colours, axis=0)  # most of a bubble is its fill
    ink = np.abs(colours - fill).max(axis=1) > 120  # text (and outline) against the fill
    assert ink.sum() > 4000, "no text in the bubble"
    named = text_layer(ZH, width=1080, height=1920, safe=DOUYIN, anchor=(0.5, 0.45), style=style)
    unnamed = text_layer(Cue(0, 2, ZH.text), width=1080, height=1920, safe=DOUYIN, anchor=(0.5, 0.45), style=style)
    assert np.asarray(named).tobytes() != np.asarray(unnamed).tobytes()
    assert np.asarray(named).tobytes() == np.asarray(layer).tobytes(), "the same inputs should draw the same layer"


def test_a_short_line_makes_a_small_bubble_and_a_long_one_at_most_four_rows() -> None:
    short = _alpha(text_layer(Cue(0, 1, "好！"), width=1080, height=1920, safe=DOUYIN, anchor=None))
    long = _alpha(text_layer(Cue(0, 1, ZH.text * 6), width=1080, height=1920, safe=DOUYIN, anchor=None))
    assert (short > 0).sum() * 4 < (long > 0).sum()
    rows = np.nonzero((long > 0).any(axis=1))[0]
    assert np.ptp(rows) < 1920 * 0.3, "a very long line should shrink and be cut, not grow down the frame"


def test_tall_frame_keeps_its_bottom_fifth_clear_even_for_a_player_safe_zone() -> None:
    """A 9:16 video on a desktop player: the safe zone allows 90 % of the height, bubbles still stop at 80 %."""
    layer = text_layer(ZH, width=540, height=960, safe=PRESETS["custom"].safe, anchor=(0.5, 0.97), style="bold")
    assert _alpha(layer).any() and not _alpha(layer)[round(960 * 0.8) :].any()


def test_landscape_bubble_stays_in_the_player_safe_area() -> None:
    layer = text_layer(EN, width=1280, height=720, safe=BILIBILI, anchor=(0.7, 0.5), style="comic")
    _inside(layer, BILIBILI.box(1280, 720))


@pytest.mark.parametrize("kind", ["narration", "caption"])
def test_narration_is_a_box_across_the_top_of_the_safe_area(kind) -> None:
    cue = Cue(0, 2, "第二天晚上，两人约在了天台。", kind=kind)
    alpha = _alpha(text_layer(cue, width=1080, height=1920, safe=DOUYIN, anchor=None, style="yellow"))
    ys, xs = np.nonzero(alpha)
    x0, y0, x1, _ = DOUYIN.box(1080, 1920)
    assert abs(ys.min() - y0) <= 2 and ys.max() < y0 + 1920 * 0.15
    assert abs(xs.min() - x0) <= 2 and abs(xs.max() - (x1 - 1)) <= 2
    box = alpha[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    assert (box == 255).mean() > 0.99, "a caption is a filled rectangle"


def test_unknown_style_and_kind_are_refused() -> None:
    with pytest.raises(RenderError, match="simple, bold"):
        text_layer(ZH, width=540, height=960, safe=DOUYIN, anchor=None, style="fancy")
    with pytest.raises(RenderError, match="dialogue, narration, caption"):
        text_layer(Cue(0, 1, "x", kind="sfx"), width=540, height=960, safe=DOUYIN, anchor=None)


@pytest.mark.parametrize("position", ["top-left", "top-right", "bottom-left", "bottom-right"])
@pytest.mark.parametrize("opacity", [0.35, 0.8])
def test_text_watermark_sits_in_its_corner_at_its_opacity(position, opacity) -> None:
    mark = Watermark(text="@ComicReel 漫画", position=position, opacity=opacity)
    alpha = _alpha(watermark_layer(mark, width=1080, height=1920, safe=DOUYIN))
    ys, xs = np.nonzero(alpha)
    assert abs(alpha.max() - 255 * opacity) <= 2
    x0, y0, x1, y1 = DOUYIN.box(1080, 1920)
    gap = 1080 * 0.02
    assert (xs.min() - x0 < gap) if position.endswith("left") else (x1 - xs.max() < gap)
    assert (ys.min() - y0 < gap) if position.startswith("top") else (y1 - ys.max() < gap)
    _inside(watermark_layer(mark, width=1080, height=1920, safe=DOUYIN), DOUYIN.box(1080, 1920))


def test_image_watermark_is_scaled_to_an_eighth_of_the_width(tmp_path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (400, 200), (230, 30, 30, 255)).save(logo)
    mark = Watermark(image_path=str(logo), position="top-right", opacity=0.5)
    layer = watermark_layer(mark, width=1280, height=720, safe=BILIBILI)
    ys, xs = np.nonzero(_alpha(layer))
    assert abs((np.ptp(xs) + 1) - 0.12 * 1280) <= 2 and abs((np.ptp(ys) + 1) - 0.06 * 1280) <= 2
    assert abs(_alpha(layer).max() - 128) <= 1
    assert xs.max() > 1280 * 0.9 and ys.min() < 720 * 0.1


def test_unreadable_watermark_image_is_refused(tmp_path) -> None:
    bad = tmp_path / "logo.png"
    bad.write_text("not an image")
    with pytest.raises(RenderError, match="watermark image"):
        watermark_layer(Watermark(image_path=str(bad)), width=640, height=360, safe=BILIBILI)
    with pytest.raises(RenderError, match="opacity"):
        watermark_layer(Watermark(text="x", opacity=1.5), width=640, height=360, safe=BILIBILI)


def test_empty_marks_and_titles_draw_nothing() -> None:
    assert not _alpha(watermark_layer(Watermark(), width=320, height=320, safe=BILIBILI)).any()
    assert not _alpha(title_layer("  ", width=320, height=320, safe=BILIBILI)).any()


@pytest.mark.parametrize("size, safe", [((1080, 1920), DOUYIN), ((1920, 1080), BILIBILI)])
def test_title_band_fills_the_upper_third_of_the_safe_area(size, safe) -> None:
    width, height = size
    layer = title_layer("天台上的约定：一个很长很长的标题", width=width, height=height, safe=safe)
    x0, y0, x1, y1 = safe.box(width, height)
    _inside(layer, (x0, y0, x1, round(y0 + (y1 - y0) / 3)))
    pixels = np.asarray(layer).astype(int)
    band = (pixels[..., 3] > 100) & (pixels[..., 3] < 200)
    white = (pixels[..., :3].min(axis=2) > 230) & (pixels[..., 3] == 255)
    assert band.sum() > (x1 - x0) * height * 0.04, "a translucent band"
    assert white.sum() > 2000, "large white title text"


def test_cover_fills_the_size_with_the_panel_and_the_title(tmp_path) -> None:
    panel = tmp_path / "panel.png"
    grid = np.zeros((300, 400, 3), dtype=np.uint8)
    grid[:, :200] = (40, 90, 200)
    grid[:, 200:] = (250, 220, 180)
    Image.fromarray(grid).save(panel)
    bare = np.asarray(cover_image(str(panel), "", width=540, height=960)).astype(int)
    titled_image = cover_image(str(panel), "天台上的约定", width=540, height=960)
    titled = np.asarray(titled_image).astype(int)
    assert titled_image.mode == "RGB" and titled.shape == (960, 540, 3)
    assert bare[480, 100].tolist() == [40, 90, 200] and bare[480, 440].tolist() == [250, 220, 180]  # centre crop
    assert titled.std() > 30 and len(np.unique(titled.reshape(-1, 3), axis=0)) > 50
    changed = np.abs(titled - bare).max(axis=2) > 60
    assert changed[: 960 // 2].mean() < 0.01 and changed[960 // 2 :].mean() > 0.1, "the title goes in the lower part"
    with pytest.raises(RenderError, match="panel"):
        cover_image(str(tmp_path / "missing.png"), "x", width=540, height=960)


# ---------------------------------------------------------------------------------------------------- a shot's lettering

PORTRAIT = [  # (faces as frame fractions, the speaker, their mouth or None)
    ({"A": (0.08, 0.17, 0.92, 0.61)}, "A", (0.5, 0.55)),  # a close-up filling the middle
    ({"A": (0.22, 0.30, 0.40, 0.45), "B": (0.60, 0.32, 0.78, 0.47)}, "A", (0.31, 0.41)),
    ({"A": (0.35, 0.10, 0.65, 0.30)}, "A", (0.5, 0.25)),  # a face at the top of the frame
    ({"A": (0.40, 0.60, 0.60, 0.75)}, "A", None),  # low, no mouth reported
    ({"A": (0.10, 0.30, 0.30, 0.42), "B": (0.40, 0.28, 0.60, 0.40), "C": (0.70, 0.32, 0.90, 0.44)}, "C", (0.8, 0.4)),
    ({"A": (0.05, 0.35, 0.45, 0.60)}, "A", (0.25, 0.52)),
    ({"B": (0.30, 0.20, 0.70, 0.50)}, "A", None),  # the speaker is off screen, someone else is framed
]
LANDSCAPE = [
    ({"A": (0.20, 0.20, 0.35, 0.55), "B": (0.60, 0.25, 0.75, 0.60)}, "B", (0.67, 0.5)),
    ({"A": (0.30, 0.10, 0.70, 0.80)}, "A", (0.5, 0.62)),
]
SIZES = {"portrait": (540, 960, DOUYIN), "landscape": (960, 540, BILIBILI)}
CASES = [("portrait", *layout) for layout in PORTRAIT] + [("landscape", *layout) for layout in LANDSCAPE]


def _shot(faces, speaker, mouth, *, emotion=None, sounds=(), camera="medium"):
    anchors = {name: ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for name, b in faces.items()}
    return SimpleNamespace(order=1, kind="dialogue", speaker=speaker, subtitle="", emotion=emotion,
                           sound_effects=tuple(sounds), camera=camera, anchors=anchors, faces=dict(faces),
                           mouths={speaker: mouth} if mouth else {})  # fmt: skip


def _face_pixels(alpha: np.ndarray, faces) -> int:
    h, w = alpha.shape
    return sum(int(alpha[math.ceil(b[1] * h) : int(b[3] * h), math.ceil(b[0] * w) : int(b[2] * w)].sum() > 0)
               for b in faces.values())  # fmt: skip


def _room(frame: str) -> tuple[int, int, int, int]:
    width, height, safe = SIZES[frame]
    x0, y0, x1, y1 = safe.box(width, height)
    return x0, y0, x1, min(y1, round(height * 0.8)) if height > width else y1


@pytest.mark.parametrize("thought", [False, True], ids=["speech", "thought"])
@pytest.mark.parametrize("style", SUBTITLE_STYLES)
@pytest.mark.parametrize("frame, faces, speaker, mouth", CASES)
def test_lettering_never_covers_a_face_and_stays_in_the_safe_area(frame, faces, speaker, mouth, style,
                                                                   thought) -> None:  # fmt: skip
    width, height, safe = SIZES[frame]
    shot = _shot(faces, speaker, mouth, emotion="心想" if thought else None, sounds=("thunder",))
    for text in (ZH.text, EN.text):
        lettered = shot_layer(shot, Cue(0, 2, text, speaker=speaker), width=width, height=height, safe=safe,
                              style=style)  # fmt: skip
        assert not lettered.warnings, lettered.warnings
        alpha = _alpha(lettered.image)
        assert _face_pixels(alpha, faces) == 0, "text covers a face"
        _inside(lettered.image, _room(frame))
        assert (alpha > 0).sum() > 0.03 * width * height, "the line and the sound word are drawn"


def _components(alpha: np.ndarray) -> list[np.ndarray]:
    labels, count = ndimage.label(alpha > 0)
    return sorted((labels == i for i in range(1, count + 1)), key=lambda m: -int(m.sum()))


@pytest.mark.parametrize("frame, faces, speaker, mouth", [c for c in CASES if c[3]])
def test_the_tail_points_at_the_speakers_mouth(frame, faces, speaker, mouth) -> None:
    width, height, safe = SIZES[frame]
    layer = shot_layer(_shot(faces, speaker, mouth), Cue(0, 2, ZH.text), width=width, height=height, safe=safe,
                       style="bold").image  # fmt: skip
    bubble = _components(_alpha(layer))[0]
    rows, cols = bubble.sum(axis=1), bubble.sum(axis=0)
    top, bottom = np.nonzero(rows > 0.5 * rows.max())[0][[0, -1]]  # the body: where the bubble is wide (not the tail)
    left, right = np.nonzero(cols > 0.5 * cols.max())[0][[0, -1]]
    centre = np.array([(left + right) / 2, (top + bottom) / 2])
    ys, xs = np.nonzero(bubble)
    mx, my = mouth[0] * width, mouth[1] * height
    nearest = np.argmin(np.hypot(xs - mx, ys - my))
    tip = np.array([xs[nearest], ys[nearest]])
    to_tip, to_mouth = tip - centre, np.array([mx, my]) - centre
    cosine = to_tip @ to_mouth / np.linalg.norm(to_tip) / np.linalg.norm(to_mouth)
    assert cosine > math.cos(math.radians(20)), "the tail leaves the bubble toward the mouth"
    out = max(left - tip[0], tip[0] - right, top - tip[1], tip[1] - bottom)  # how far the tip is out of the body
    fx0, fy0, fx1, fy1 = (v * s for v, s in zip(faces[speaker], (width, height) * 2, strict=True))
    room = max(fx0 - right, left - fx1, fy0 - bottom, top - fy1)  # from the body to the speaker's face
    assert out >= 0.5 * min(0.04 * min(width, height), room), "the tail reaches out toward the face"
    assert _face_pixels(_alpha(layer), faces) == 0


def test_a_line_with_no_room_left_is_still_drawn_where_it_covers_least() -> None:
    faces = {"A": (0.0, 0.0, 1.0, 1.0)}
    lettered = shot_layer(_shot(faces, "A", (0.5, 0.6), sounds=("thunder",)), ZH, width=540, height=960, safe=DOUYIN)
    assert _alpha(lettered.image).any(), "the line is not lost"
    assert any("no room for the sound word" in w for w in lettered.warnings)


def test_a_thought_is_a_cloud_with_shrinking_circles_toward_the_mouth() -> None:
    faces, speaker, mouth = PORTRAIT[1]
    pictures = {}
    for thought in (False, True):
        shot = _shot(faces, speaker, mouth, emotion="心想" if thought else None)
        cue = Cue(0, 2, "他怎么还不来", speaker=speaker)
        pictures[thought] = _alpha(shot_layer(shot, cue, width=540, height=960, safe=DOUYIN, style="comic").image)

    def bumps(mask: np.ndarray) -> int:  # dips along the top edge: one for an ellipse, many for a cloud
        cols = np.nonzero(mask.any(axis=0))[0]
        top = np.array([np.argmax(mask[:, x]) for x in cols[len(cols) // 5 : -len(cols) // 5]])
        steps = np.sign(np.diff(top))
        steps = steps[steps != 0]
        return int(((steps[:-1] < 0) & (steps[1:] > 0)).sum())

    speech, cloud = _components(pictures[False])[0], _components(pictures[True])[0]
    assert bumps(speech) <= 1 and bumps(cloud) >= 4
    mx, my = mouth[0] * 540, mouth[1] * 960
    dots = []
    for mask in _components(pictures[True])[1:]:
        ys, xs = np.nonzero(mask)
        square = 0.7 < (np.ptp(xs) + 1) / (np.ptp(ys) + 1) < 1.4 and mask.sum() > 0.6 * (np.ptp(xs) + 1) ** 2
        if square and np.hypot(xs.mean() - mx, ys.mean() - my) < 0.2 * 960:
            dots.append((np.hypot(xs.mean() - mx, ys.mean() - my), int(mask.sum())))
    assert len(dots) == 3, dots
    assert [size for _, size in sorted(dots)] == sorted(size for _, size in dots), "smaller nearer the mouth"


def test_narration_moves_to_the_bottom_when_a_face_is_at_the_top() -> None:
    faces = {"A": (0.30, 0.06, 0.70, 0.30)}
    shot = SimpleNamespace(**{**vars(_shot(faces, "A", None)), "kind": "narration", "speaker": None})
    cue = Cue(0, 2, "第二天晚上，两人约在了天台。", kind="narration")
    alpha = _alpha(shot_layer(shot, cue, width=1080, height=1920, safe=DOUYIN, style="yellow").image)
    ys, xs = np.nonzero(alpha)
    x0, y0, x1, y1 = DOUYIN.box(1080, 1920)
    assert _face_pixels(alpha, faces) == 0
    assert ys.min() > 1920 * 0.6 and abs(ys.max() - 1920 * 0.8) <= 3, "at the bottom of the room"
    assert abs(xs.min() - x0) <= 3 and abs(xs.max() - (x1 - 1)) <= 3, "across the safe width"


def test_sound_words_are_big_off_faces_and_text_and_only_where_bubbles_are_shown() -> None:
    faces, speaker, mouth = PORTRAIT[1]
    loud = _shot(faces, speaker, mouth, sounds=("雷声",))
    quiet = _shot(faces, speaker, mouth)
    kwargs = {"width": 1080, "height": 1920, "safe": DOUYIN, "style": "comic"}
    with_sound = _alpha(shot_layer(loud, ZH, **kwargs).image)
    without = _alpha(shot_layer(quiet, ZH, **kwargs).image)
    word = (with_sound > 0) & (without == 0)
    assert (with_sound[without > 0] == without[without > 0]).all(), "the sound word is not drawn over the bubble"
    ys, xs = np.nonzero(word)
    assert np.ptp(ys) > 0.08 * 1080 and np.ptp(xs) > 0.2 * 1080, "big lettering"
    assert _face_pixels(word.astype(int), faces) == 0
    sound_only = shot_layer(loud, None, **kwargs)
    assert _alpha(sound_only.image).any() and not sound_only.warnings
    for mode, shown in (("subtitles", False), ("both", True), ("bubbles", True)):
        assert _alpha(shot_layer(loud, ZH, text_mode=mode, **kwargs).image).any() is np.bool_(shown)


def test_shot_lettering_is_deterministic_and_refuses_an_unknown_text_mode() -> None:
    faces, speaker, mouth = PORTRAIT[4]
    shot = _shot(faces, speaker, mouth, sounds=("心跳", "door"))
    one = shot_layer(shot, ZH, width=540, height=960, safe=DOUYIN, style="comic").image
    two = shot_layer(shot, ZH, width=540, height=960, safe=DOUYIN, style="comic").image
    assert one.tobytes() == two.tobytes()
    with pytest.raises(RenderError, match="text_mode"):
        shot_layer(shot, ZH, width=540, height=960, safe=DOUYIN, text_mode="captions")


def test_a_character_no_font_has_is_left_out_with_a_warning() -> None:
    faces, speaker, mouth = PORTRAIT[1]
    lettered = shot_layer(_shot(faces, speaker, mouth), Cue(0, 2, "好啊🔥", speaker=speaker), width=540, height=960,
                          safe=DOUYIN)  # fmt: skip
    assert len(lettered.warnings) == 1 and "U+1F525" in lettered.warnings[0] and "shot 1" in lettered.warnings[0]
    assert _alpha(lettered.image).any()
