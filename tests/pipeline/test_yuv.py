"""Raw YUV made in numpy: the colours ffmpeg would give, sub-pixel shifts that are exact, layer edges without a
dark fringe, and zooms that keep their focus in place."""

from __future__ import annotations

import subprocess

import numpy as np
from PIL import Image

from pipeline.yuv import Planes, overlaid, quantized, shifted, to_planes, zoomed

W, H = 64, 48


def _smooth(seed: int = 2) -> Image.Image:
    rng = np.random.default_rng(seed)
    small = Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8))
    return small.resize((W, H), Image.Resampling.BICUBIC)


def _ffmpeg_planes(image: Image.Image) -> list[np.ndarray]:
    cmd = ["ffmpeg", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-video_size", f"{W}x{H}", "-i", "-",
           "-vf", "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p", "-f", "rawvideo", "-"]  # fmt: skip
    data = np.frombuffer(subprocess.run(cmd, input=image.tobytes(), capture_output=True, check=True).stdout, np.uint8)
    q = (W // 2) * (H // 2)
    return [data[: W * H].reshape(H, W), data[W * H : W * H + q].reshape(H // 2, W // 2),
            data[W * H + q :].reshape(H // 2, W // 2)]  # fmt: skip


def test_colours_are_those_ffmpeg_gives_in_bt709_limited_range() -> None:
    image = _smooth()
    ours, theirs = quantized(to_planes(image)), _ffmpeg_planes(image)
    for mine, reference, most in zip(ours, theirs, (1, 3, 3), strict=True):  # chroma: ffmpeg sites it to the left
        assert np.abs(mine.astype(int) - reference).max() <= most
    white = quantized(to_planes(Image.new("RGB", (W, H), (255, 255, 255))))
    assert (white[0].min(), white[1].min(), white[2].max()) == (235, 128, 128)  # limited range, no tint


def test_a_shift_by_a_fraction_of_a_pixel_is_exact_on_a_ramp() -> None:
    ramp = np.tile(np.arange(W, dtype=np.float32), (H, 1))
    half = ramp[: H // 2, : W // 2].copy()
    for dx in (0.125, 0.875, 1.625):
        moved = shifted(Planes(ramp, half, half), dx, 0.0)
        assert np.allclose(moved.luma[:, 4:-4], ramp[:, 4:-4] + dx, atol=1e-3)
        assert np.allclose(moved.cb[:, 4:-4], half[:, 4:-4] + dx / 2, atol=1e-3)


def test_a_layer_edge_resampled_keeps_its_colour() -> None:
    layer = Image.new("RGBA", (W, H), (255, 0, 0, 0))  # transparent, though red underneath
    layer.paste((20, 20, 200, 255), (20, 0, 40, H))  # an opaque blue bar
    y, u, v, a = quantized(shifted(to_planes(layer), 0.5, 0.0))
    inside = int(v[5, 15])
    edges = (a[10] > 0) & (a[10] < 255)
    assert edges.sum() == 2 and (np.abs(y[10][edges].astype(int) - y[10, 30]) <= 2).all()
    assert abs(int(v[5, 10]) - inside) <= 2 and abs(int(v[5, 19]) - inside) <= 2  # no red fringe at either edge
    assert (y[a == 0] == 16).all() and (v[:, :8] == 128).all()  # and what does not show is black, not noise


def test_a_zoom_keeps_its_focus_in_place() -> None:
    image = Image.new("RGB", (W, H), (40, 40, 40))
    image.paste((250, 250, 250), (30, 18, 34, 22))  # a bright spot around the focus (32, 20)
    planes = quantized(to_planes(image))
    out = [np.empty_like(p) for p in planes]
    zoomed(planes, 1.5, (32 / W, 20 / H), out)
    weight = np.clip(out[0].astype(float) - 60, 0, None)
    ys, xs = np.indices(weight.shape)
    cx, cy = (xs * weight).sum() / weight.sum(), (ys * weight).sum() / weight.sum()
    assert abs(cx - 31.5) < 0.1 and abs(cy - 19.5) < 0.1, (cx, cy)  # the spot's centre stays put
    assert (out[0] > 128).sum() > 16 * 1.5**2 * 0.8  # and grows


def test_sprites_laid_over_a_converted_panel_give_the_bytes_of_converting_it_whole() -> None:
    panel = _smooth(7)
    rng = np.random.default_rng(3)
    mouth = Image.fromarray(rng.integers(0, 256, (5, 7, 4), dtype=np.uint8), "RGBA")  # odd size, partly transparent
    eye = Image.fromarray(rng.integers(0, 256, (3, 4, 4), dtype=np.uint8), "RGBA")
    sprites = [(mouth, 13, 9), (eye, 40, 30), (mouth, W - 7, H - 5), (eye, W - 3, 21), (mouth, -3, -2)]  # odd
    whole = panel.convert("RGBA")  # places: one at the corner, two passing the edges (cut there)
    for art, x, y in sprites:
        whole.alpha_composite(art.crop((max(0, -x), max(0, -y), art.width, art.height)), (max(0, x), max(0, y)))
    expected = quantized(to_planes(whole.convert("RGB")))
    bare = quantized(to_planes(panel))
    got = overlaid(panel, bare, sprites)
    for mine, reference in zip(got, expected, strict=True):
        assert np.array_equal(mine, reference)
    assert not np.array_equal(got[0], bare[0])  # and the panel converted before is left as it was
    assert np.array_equal(bare[0], quantized(to_planes(panel))[0])
    assert all(np.array_equal(a, b) for a, b in zip(overlaid(panel, bare, []), bare, strict=True))
