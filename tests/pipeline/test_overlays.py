"""Overlay layers: speech bubbles that stay in the safe box and point at the speaker, narration captions, the
watermark, the title band and the cover thumbnail, checked on their pixels."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from pipeline.errors import RenderError
from pipeline.overlays import cover_image, text_layer, title_layer, watermark_layer
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
