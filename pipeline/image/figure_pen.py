"""The pen figures are drawn with: panel coordinates rounded once, then moved to the image drawn on, so a face drawn
again on a crop of the panel (a motion-comic sprite) lands on exactly the same pixels; ink outlines by default."""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image, ImageDraw

from pipeline.image.looks import RGB, mix

Point = tuple[float, float]


class Pen:
    def __init__(self, image: Image.Image, ink: RGB, width: int, origin: tuple[int, int] = (0, 0),
                 draw: ImageDraw.ImageDraw | None = None) -> None:  # fmt: skip
        """`origin`: the panel pixel at the image's top-left corner ((0, 0) on the panel itself, a crop's corner
        for a sprite); `draw`: the panel's own pen on `image`, when it has one."""
        self.image = image
        self.draw = draw or ImageDraw.Draw(image)
        self.ink = ink
        self.width = max(1, width)
        self.ox, self.oy = origin

    def moved(self, image: Image.Image, origin: tuple[int, int]) -> Pen:
        """The same pen on another image whose top-left corner is the panel pixel `origin`."""
        return Pen(image, self.ink, self.width, origin)

    # -- coordinates: rounded in panel pixels first, so moving the image never changes a shape ----------------

    def xy(self, x: float, y: float) -> tuple[int, int]:
        return round(x) - self.ox, round(y) - self.oy

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        (a, b), (c, d) = self.xy(min(x0, x1), min(y0, y1)), self.xy(max(x0, x1), max(y0, y1))
        return a, b, c, d

    def _ink(self, outline: RGB | None | bool) -> RGB | None:
        return self.ink if outline is True else None if outline is False else outline

    # -- shapes: filled, with an ink outline unless `outline=False` --------------------------------------------

    def ellipse(self, box: Sequence[float], fill: RGB | None, outline: RGB | None | bool = True,
                width: int | None = None) -> None:  # fmt: skip
        self.draw.ellipse(self.box(*box), fill=fill, outline=self._ink(outline), width=width or self.width)

    def circle(self, x: float, y: float, r: float, fill: RGB | None, outline: RGB | None | bool = True) -> None:
        self.ellipse((x - r, y - r, x + r, y + r), fill, outline)

    def rounded(self, box: Sequence[float], radius: float, fill: RGB | None, outline: RGB | None | bool = True,
                width: int | None = None) -> None:  # fmt: skip
        x0, y0, x1, y1 = self.box(*box)
        radius = max(0, min(round(radius), (x1 - x0) // 2, (y1 - y0) // 2))
        self.draw.rounded_rectangle((x0, y0, x1, y1), radius=radius, fill=fill, outline=self._ink(outline),
                                    width=width or self.width)  # fmt: skip

    def polygon(self, points: Sequence[Point], fill: RGB | None, outline: RGB | None | bool = True,
                width: int | None = None) -> None:  # fmt: skip
        self.draw.polygon([self.xy(*p) for p in points], fill=fill, outline=self._ink(outline),
                          width=width or self.width)  # fmt: skip

    def chord(self, box: Sequence[float], start: float, end: float, fill: RGB | None,
              outline: RGB | None | bool = True, width: int | None = None) -> None:  # fmt: skip
        self.draw.chord(self.box(*box), start, end, fill=fill, outline=self._ink(outline), width=width or self.width)

    def arc(self, box: Sequence[float], start: float, end: float, colour: RGB | None = None,
            width: int | None = None) -> None:  # fmt: skip
        self.draw.arc(self.box(*box), start, end, fill=colour or self.ink, width=width or self.width)

    def line(self, points: Sequence[Point], colour: RGB | None = None, width: float | None = None) -> None:
        self.draw.line([self.xy(*p) for p in points], fill=colour or self.ink, width=max(1, round(width or self.width)),
                       joint="curve")  # fmt: skip

    def limb(self, points: Sequence[Point], thickness: float, fill: RGB, outline: bool = True) -> None:
        """A rounded stroke (an arm, a leg, a braid) with an ink outline: ink first, a little wider, then the fill."""
        self.limbs([(points, thickness)], fill, outline)

    def limbs(self, strokes: Sequence[tuple[Sequence[Point], float]], fill: RGB, outline: bool = True) -> None:
        """Rounded strokes of one colour joined without a seam (a thigh and its calf): all the ink, then all the
        fill."""
        for grow, colour in ((2 * self.width, self.ink), (0, fill)) if outline else ((0, fill),):
            for points, thickness in strokes:
                self.line(points, colour, thickness + grow)
                for x, y in (points[0], points[-1]):
                    self.circle(x, y, (thickness + grow) / 2, colour, outline=False)

    def pattern(self, outline: Sequence[Point], kind: str, base: RGB, size: float) -> None:
        """Print a cloth pattern (plaid, striped, floral, polka dot) inside a filled shape, then ink its edge again.
        `size` is the pattern's repeat in panel pixels."""
        xs, ys = [p[0] for p in outline], [p[1] for p in outline]
        x0, y0, x1, y1 = self.box(min(xs), min(ys), max(xs), max(ys))
        if x1 - x0 < 2 or y1 - y0 < 2:
            return
        mask = Image.new("L", (x1 - x0 + 1, y1 - y0 + 1), 0)
        ImageDraw.Draw(mask).polygon([(px - x0, py - y0) for px, py in (self.xy(*p) for p in outline)], fill=255)
        cloth = Image.new(self.image.mode, mask.size, base)
        _print(ImageDraw.Draw(cloth), kind, base, mask.size, max(6, round(size)))
        self.image.paste(cloth, (x0, y0), mask)
        self.polygon(outline, None)


def _print(draw: ImageDraw.ImageDraw, kind: str, base: RGB, size: tuple[int, int], step: int) -> None:
    w, h = size
    dark, light = mix(base, (0, 0, 0), 0.4), mix(base, (255, 255, 255), 0.55)
    if kind == "plaid":  # broad dark bands both ways, thin light lines between
        for x in range(step // 4, w, step):
            draw.rectangle((x, 0, x + step // 3, h), fill=dark)
        for y in range(step // 4, h, step):
            draw.rectangle((0, y, w, y + step // 3), fill=dark)
        for k in range(step // 4 + step // 2 + step // 6, max(w, h), step):
            draw.line((k, 0, k, h), fill=light, width=max(1, step // 12))
            draw.line((0, k, w, k), fill=light, width=max(1, step // 12))
    elif kind == "striped":
        for y in range(0, h, step // 2):
            draw.rectangle((0, y, w, y + step // 5), fill=light)
    elif kind in ("floral", "polka dot"):
        dot = max(2, step // 7)
        for row, y in enumerate(range(step // 3, h, step // 2)):
            for x in range(step // 3 + (row % 2) * step // 2, w, step):
                if kind == "floral":
                    for dx, dy in ((-dot, 0), (dot, 0), (0, -dot), (0, dot)):
                        draw.ellipse((x + dx - dot, y + dy - dot, x + dx + dot, y + dy + dot), fill=light)
                    draw.ellipse((x - dot // 2, y - dot // 2, x + dot // 2, y + dot // 2), fill=(240, 200, 60))
                else:
                    draw.ellipse((x - dot, y - dot, x + dot, y + dot), fill=(248, 248, 248))

