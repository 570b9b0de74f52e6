"""Pictures as raw BT.709 limited-range YUV 4:2:0, what ffmpeg reads as `-f rawvideo -pix_fmt yuv420p` (or
yuva420p), made and moved with numpy and OpenCV rather than in ffmpeg: a plate is converted here once instead of
by an ffmpeg process, its phase-shifted copies are resampled on its planes, and a zoom's frames are warped here and
piped to ffmpeg (its `perspective` filter took 25 ms of CPU for a 1080x1920 frame, OpenCV takes 6).

Planes are kept as float32, premultiplied by alpha when the picture has one, so that resampling a layer's edge
mixes in no colour of its transparent pixels; `quantized` rounds them to bytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

KR, KB = 0.2126, 0.0722  # BT.709
KG = 1.0 - KR - KB
Op = Callable[[np.ndarray], np.ndarray]
_TO_YCC = np.array([[KR, KG, KB],
                    [-KR / (2 - 2 * KB), -KG / (2 - 2 * KB), 0.5],
                    [0.5, -KG / (2 - 2 * KR), -KB / (2 - 2 * KR)]], dtype=np.float32)  # fmt: skip


@dataclass(frozen=True)
class Planes:
    """One picture's planes, float32: luma (0..255 before the limited-range scaling) at full size; Cb and Cr
    (-127.5..127.5) at half size; each premultiplied by alpha (0..1, at both sizes) when there is one."""

    luma: np.ndarray
    cb: np.ndarray
    cr: np.ndarray
    alpha: np.ndarray | None = None
    alpha_half: np.ndarray | None = None

    def map(self, full: Op, half: Op) -> Planes:
        """The planes through `full` (the full-size ones) and `half` (the others)."""
        return Planes(full(self.luma), half(self.cb), half(self.cr), None if self.alpha is None else full(self.alpha),
                      None if self.alpha_half is None else half(self.alpha_half))  # fmt: skip


def to_planes(image: Image.Image) -> Planes:
    """An RGB or RGBA picture (even width and height) as planes; RGBA comes out premultiplied."""
    if image.width % 2 or image.height % 2:
        raise ValueError(f"a 4:2:0 picture needs an even size, got {image.width}x{image.height}.")
    has_alpha = image.mode in ("RGBA", "RGBa", "LA")
    pixels = np.asarray(image.convert("RGBa" if has_alpha else "RGB"), dtype=np.float32)  # RGBa: premultiplied
    matrix = np.hstack([_TO_YCC, np.zeros((3, 1), np.float32)]) if has_alpha else _TO_YCC  # alpha stays out
    # One plane at a time: splitting a three-channel float picture costs twice as much as the three transforms.
    luma, cb, cr = (cv2.transform(pixels, matrix[k : k + 1]) for k in range(3))
    half = (image.width // 2, image.height // 2)
    alpha = cv2.transform(pixels, np.array([[0, 0, 0, 1 / 255]], np.float32)) if has_alpha else None

    def halved(plane: np.ndarray) -> np.ndarray:
        return cv2.resize(plane, half, interpolation=cv2.INTER_AREA)  # the mean of each 2x2 block

    return Planes(luma, halved(cb), halved(cr), alpha, None if alpha is None else halved(alpha))


def blurred(planes: Planes, sigma: float) -> Planes:
    """A Gaussian blur of `sigma` full-size pixels (half as many on the half-size planes)."""
    def blur(s: float) -> Op:
        return lambda a: cv2.GaussianBlur(a, (0, 0), s, borderType=cv2.BORDER_REPLICATE)

    return planes.map(blur(sigma), blur(sigma / 2))


def shifted(planes: Planes, dx: float, dy: float) -> Planes:
    """The picture moved by (-dx, -dy): each output pixel (x, y) shows the input at (x + dx, y + dy), resampled
    with the Catmull-Rom cubic along each axis that moves, the edges repeated."""
    def shift(scale: float) -> Op:
        kx, ax = _shift_kernel(dx * scale)
        ky, ay = _shift_kernel(dy * scale)
        kernel = np.outer(ky, kx).astype(np.float32)
        return lambda a: cv2.filter2D(a, -1, kernel, anchor=(ax, ay), borderType=cv2.BORDER_REPLICATE)

    return planes.map(shift(1.0), shift(0.5))


def _shift_kernel(d: float) -> tuple[np.ndarray, int]:
    """A 1-D correlation kernel and its anchor giving out[x] = in[x + d] (a fraction of d interpolated)."""
    i = math.floor(d)
    t = d - i
    if t == 0:
        offsets, weights = [i], [1.0]
    else:
        offsets = [i - 1, i, i + 1, i + 2]
        weights = [(-t**3 + 2 * t**2 - t) / 2, (3 * t**3 - 5 * t**2 + 2) / 2, (-3 * t**3 + 4 * t**2 + t) / 2,
                   (t**3 - t**2) / 2]  # fmt: skip
    start, end = min(offsets[0], 0), max(offsets[-1], 0)
    kernel = np.zeros(end - start + 1)
    for offset, weight in zip(offsets, weights, strict=True):
        kernel[offset - start] = weight
    return kernel, -start


def quantized(planes: Planes) -> list[np.ndarray]:
    """The planes as uint8, limited range, alpha straight: Y, U, V (and A when there is alpha)."""
    luma, cb, cr = planes.luma, planes.cb, planes.cr
    if planes.alpha is not None and planes.alpha_half is not None:
        luma = _unpremultiplied(luma, planes.alpha)
        cb, cr = (_unpremultiplied(c, planes.alpha_half) for c in (cb, cr))
    parts = [_bytes(luma, 219.0 / 255.0, 16.0), _bytes(cb, 224.0 / 255.0, 128.0), _bytes(cr, 224.0 / 255.0, 128.0)]
    if planes.alpha is not None:
        parts.append(_bytes(planes.alpha, 255.0, 0.0))
    return parts


def _unpremultiplied(plane: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """plane / alpha where the pixel shows (from half a step of 8-bit alpha), 0 (black, no tint) where it does not:
    a resampled transparent pixel's colour is its neighbours' ringing divided by next to nothing."""
    seen = alpha >= 0.5 / 255
    return np.divide(plane, alpha, out=np.zeros_like(plane), where=seen)


def _bytes(plane: np.ndarray, scale: float, offset: float) -> np.ndarray:
    """round(plane * scale + offset) as uint8, saturated, in one pass."""
    return cv2.addWeighted(plane, scale, plane, 0.0, offset, dtype=cv2.CV_8U)


def stacked(copies: list[list[np.ndarray]], *, vertical: bool = True) -> list[np.ndarray]:
    """Quantized pictures of one size one above another (or side by side), as one picture's planes."""
    join = np.vstack if vertical else np.hstack
    return [join([c[k] for c in copies]) for k in range(len(copies[0]))]


def overlaid(
    panel: Image.Image, bare: list[np.ndarray], sprites: list[tuple[Image.Image, int, int]]
) -> list[np.ndarray]:
    """`quantized(to_planes(panel))` (given as `bare`) with the sprites (RGBA, at x, y; cut where they pass the
    panel's edge) laid over the panel, without converting it all again: only the box they cover, widened to whole
    chroma blocks, is converted (the conversion works block by block, so the bytes are the same)."""
    planes = [plane.copy() for plane in bare]
    if not sprites:
        return planes
    left = max(0, min(x for _, x, _ in sprites)) // 2 * 2
    top = max(0, min(y for _, _, y in sprites)) // 2 * 2
    right = min(panel.width, (max(x + art.width for art, x, _ in sprites) + 1) // 2 * 2)
    bottom = min(panel.height, (max(y + art.height for art, _, y in sprites) + 1) // 2 * 2)
    if right <= left or bottom <= top:
        return planes
    region = panel.crop((left, top, right, bottom)).convert("RGBA")
    for art, x, y in sprites:
        region.alpha_composite(art.crop((max(0, left - x), max(0, top - y), art.width, art.height)),
                               (max(0, x - left), max(0, y - top)))  # fmt: skip
    for k, part in enumerate(quantized(to_planes(region.convert("RGB")))):
        step = 1 if k == 0 else 2
        planes[k][top // step : bottom // step, left // step : right // step] = part
    return planes


def zoomed(planes: list[np.ndarray], scale: float, focus: tuple[float, float], out: list[np.ndarray]) -> None:
    """A quantized yuv420p picture `scale` times as large around `focus` (fractions of the frame, which stays put on
    screen), bilinear at 1/32 px, written into `out` (planes of the same shapes): the view's top-left corner on the
    picture is focus * size * (1 - 1/scale)."""
    for plane, into in zip(planes, out, strict=True):
        h, w = plane.shape
        left, top = focus[0] * w * (1 - 1 / scale), focus[1] * h * (1 - 1 / scale)
        # Pixel centres map onto pixel centres: x_in + 0.5 = left + (x_out + 0.5) / scale.
        matrix = np.array([[1 / scale, 0, left + 0.5 / scale - 0.5], [0, 1 / scale, top + 0.5 / scale - 0.5]])
        cv2.warpAffine(plane, matrix, (w, h), dst=into, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                       borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
