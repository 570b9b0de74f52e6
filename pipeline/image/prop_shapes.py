"""How household props are drawn: a few shapes each, standing on (x, base) and `size` pixels tall, lit by the
palette (a lamp and a candle glow after dark). Table-top things stand on the table's top."""

from __future__ import annotations

from pipeline.image.scene_pen import ScenePen


def mooncake(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    pen.draw.ellipse([x - s * 2.2, b - s * 0.5, x + s * 2.2, b + s * 0.3], fill=pal.lit((235, 235, 230)))  # plate
    pen.draw.ellipse(
        [x - s * 1.3, b - s * 1.2, x + s * 1.3, b], fill=pal.lit((200, 140, 60)), outline=pen.outline, width=pen.thin
    )
    pen.draw.ellipse([x - s * 0.7, b - s * 0.9, x + s * 0.7, b - s * 0.3], outline=pal.lit((150, 95, 40)), width=2)


def bag(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    pen.draw.arc(
        [x - s * 0.35, b - s * 1.2, x + s * 0.35, b - s * 0.4], 180, 360, fill=pen.outline, width=max(2, int(s * 0.08))
    )
    pen.draw.rounded_rectangle(
        [x - s * 0.6, b - s * 0.8, x + s * 0.6, b],
        radius=s * 0.15,
        fill=pal.lit((150, 85, 50)),
        outline=pen.outline,
        width=pen.thin,
    )


def computer(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    pen.rect((x - s * 0.7, b - s, x + s * 0.7, b - s * 0.12), pal.lit((50, 52, 60)))
    pen.draw.rectangle([x - s * 0.6, b - s * 0.92, x + s * 0.6, b - s * 0.2], fill=pal.glow((130, 190, 240)))
    pen.poly(
        [(x - s * 0.8, b - s * 0.12), (x + s * 0.8, b - s * 0.12), (x + s * 0.9, b), (x - s * 0.9, b)],
        pal.lit((170, 172, 178)),
    )


def table(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    wood = pal.lit((150, 100, 60))
    half = s * 1.1
    for dx in (-0.9, 0.9):
        pen.rect((x + dx * half - s * 0.05, b - s, x + dx * half + s * 0.05, b), wood)
    pen.rect((x - half, b - s, x + half, b - s * 0.88), wood)


def book(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    for k, colour in enumerate(((60, 90, 150), (170, 60, 50), (70, 130, 80))):
        off = (k % 2) * s * 0.25
        pen.rect((x - s * 1.2 + off, b - s * (k + 1) / 3 * 1.0, x + s * 1.0 + off, b - s * k / 3), pal.lit(colour))


def letter(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    w = s * 2.2
    pen.rect((x - w, b - s * 1.6, x + w, b), pal.lit((250, 245, 230)))
    pen.draw.line([(x - w, b - s * 1.6), (x, b - s * 0.6), (x + w, b - s * 1.6)], fill=pen.outline, width=1)
    pen.disc(x, b - s * 0.6, s * 0.3, pal.lit((200, 40, 40)), outline=False)


def cake(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    cream, pink = pal.lit((250, 240, 225)), pal.lit((240, 150, 170))
    pen.rect((x - s * 0.8, b - s * 0.45, x + s * 0.8, b), cream)
    pen.rect((x - s * 0.55, b - s * 0.8, x + s * 0.55, b - s * 0.45), cream)
    pen.draw.rectangle([x - s * 0.8, b - s * 0.5, x + s * 0.8, b - s * 0.4], fill=pink)
    candle(pen, x, b - s * 0.8, s * 0.3)


def cup(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    pen.draw.arc(
        [x + s * 0.2, b - s * 0.8, x + s * 0.65, b - s * 0.3], 270, 90, fill=pen.outline, width=max(2, int(s * 0.1))
    )
    pen.rect((x - s * 0.4, b - s, x + s * 0.4, b), pal.lit((245, 245, 240)))
    for dx in (-0.15, 0.15):  # steam
        pen.draw.line(
            [(x + dx * s, b - s * 1.1), (x + dx * s + s * 0.1, b - s * 1.5)], fill=pal.lit((230, 230, 230)), width=1
        )


def bottle(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    glass = pal.lit((60, 140, 90))
    pen.rect((x - s * 0.1, b - s, x + s * 0.1, b - s * 0.6), glass)
    pen.draw.rounded_rectangle(
        [x - s * 0.22, b - s * 0.65, x + s * 0.22, b], radius=s * 0.08, fill=glass, outline=pen.outline, width=pen.thin
    )


def door(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    half = s * 0.24
    pen.rect((x - half - s * 0.03, b - s - s * 0.03, x + half + s * 0.03, b), pal.lit((230, 225, 215)))
    wood = pal.lit((140, 90, 55))
    pen.rect((x - half, b - s, x + half, b), wood)
    for y0, y1 in ((0.08, 0.45), (0.55, 0.92)):
        pen.draw.rectangle(
            [x - half * 0.7, b - s * (1 - y0), x + half * 0.7, b - s * (1 - y1)], outline=pen.outline, width=1
        )
    pen.disc(x + half * 0.7, b - s * 0.5, s * 0.02, pal.lit((220, 190, 90)), outline=False)


def window(pen: ScenePen, x: float, y: float, s: float) -> None:
    """On the wall indoors (`y` its middle); outdoors in a piece of house wall standing on `y`."""
    half = s * 0.4
    if not pen.pal.indoor:
        pen.rect((x - half * 1.6, y - s * 1.9, x + half * 1.6, y), pen.pal.lit((200, 180, 150)))
        y -= s * 1.2
    pen.window((int(x - half), int(y - s / 2), int(x + half), int(y + s / 2)))


def phone(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    pen.draw.rounded_rectangle([x - s, b - s * 0.6, x + s, b], radius=s * 0.2, fill=pal.lit((30, 30, 35)))
    pen.draw.rectangle([x - s * 0.8, b - s * 0.5, x + s * 0.8, b - s * 0.1], fill=pal.glow((140, 200, 250)))


def chair(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    wood = pal.lit((150, 100, 60))
    w = s * 0.45
    pen.rect((x - w, b - s * 0.5, x + w, b - s * 0.42), wood)
    for dx in (-w, w - s * 0.06):
        pen.rect((x + dx, b - s * 0.5, x + dx + s * 0.06, b), wood)
    pen.rect((x - w, b - s, x - w + s * 0.07, b - s * 0.5), wood)
    pen.rect((x - w, b - s, x + w, b - s * 0.85), wood)


def gift(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    pen.rect((x - s * 0.5, b - s * 0.8, x + s * 0.5, b), pal.lit((200, 50, 60)))
    ribbon = pal.lit((250, 210, 80))
    pen.draw.rectangle([x - s * 0.08, b - s * 0.8, x + s * 0.08, b], fill=ribbon)
    pen.draw.rectangle([x - s * 0.5, b - s * 0.5, x + s * 0.5, b - s * 0.38], fill=ribbon)
    for dx in (-1, 1):
        pen.draw.ellipse(
            [x + dx * s * 0.25 - s * 0.15, b - s, x + dx * s * 0.25 + s * 0.15, b - s * 0.8],
            outline=ribbon,
            width=max(2, int(s * 0.06)),
        )


def guitar(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    wood = pal.lit((190, 120, 50))
    pen.draw.line([(x, b - s * 0.4), (x + s * 0.12, b - s)], fill=pal.lit((70, 45, 30)), width=max(2, int(s * 0.06)))
    pen.disc(x, b - s * 0.18, s * 0.2, wood)
    pen.disc(x + s * 0.02, b - s * 0.42, s * 0.15, wood)
    pen.disc(x + s * 0.02, b - s * 0.3, s * 0.06, pal.lit((40, 30, 25)), outline=False)


def candle(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    pen.rect((x - s * 0.15, b - s * 0.7, x + s * 0.15, b), pal.lit((245, 240, 225)))
    pen.lamp_glow(x, b - s * 0.85, s * 1.6, (255, 200, 120))
    pen.draw.ellipse([x - s * 0.08, b - s, x + s * 0.08, b - s * 0.72], fill=pal.glow((255, 190, 60)))


def clock(pen: ScenePen, x: float, y: float, s: float) -> None:
    """On the wall indoors (`y` its middle); outdoors on a post standing on `y`."""
    pal = pen.pal
    r = s / 2
    if not pal.indoor:
        pen.draw.line([(x, y), (x, y - s * 3)], fill=pal.lit((60, 60, 65)), width=max(2, int(s * 0.1)))
        y -= s * 3
    pen.disc(x, y, r, pal.lit((245, 242, 230)))
    pen.draw.line([(x, y), (x, y - r * 0.7)], fill=pen.outline, width=max(2, int(s * 0.05)))
    pen.draw.line([(x, y), (x + r * 0.5, y + r * 0.2)], fill=pen.outline, width=max(2, int(s * 0.05)))


def bed(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    half = s * 1.3
    pen.rect((x - half, b - s * 1.3, x - half + s * 0.15, b), pal.lit((140, 100, 70)))  # the headboard
    pen.rect((x - half, b - s * 0.7, x + half, b - s * 0.15), pal.lit((120, 150, 210)))
    pen.rect((x - half + s * 0.2, b - s * 0.9, x - half + s * 0.8, b - s * 0.7), pal.lit((250, 250, 245)))
    pen.rect((x - half, b - s * 0.15, x + half, b), pal.lit((140, 100, 70)))


def wrench(pen: ScenePen, x: float, b: float, s: float) -> None:
    """Lying down: a bar with an open jaw."""
    pal = pen.pal
    steel = pal.lit((170, 175, 185))
    pen.draw.line([(x - s * 2.2, b - s * 0.5), (x + s * 1.5, b - s * 0.5)], fill=steel, width=max(2, int(s * 0.5)))
    pen.draw.arc([x + s * 1.2, b - s * 1.3, x + s * 2.8, b + s * 0.3], 200, 160, fill=steel, width=max(2, int(s * 0.4)))


def lamp(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    pen.lamp_glow(x, b - s * 0.75, s * 1.4, (255, 220, 140))
    pen.rect((x - s * 0.25, b - s * 0.08, x + s * 0.25, b), pal.lit((90, 80, 70)))
    pen.draw.line([(x, b), (x, b - s * 0.6)], fill=pal.lit((90, 80, 70)), width=max(2, int(s * 0.05)))
    shade = pal.glow((255, 225, 150)) if pal.lamps_on else pal.lit((235, 220, 190))
    pen.poly(
        [(x - s * 0.22, b - s), (x + s * 0.22, b - s), (x + s * 0.38, b - s * 0.6), (x - s * 0.38, b - s * 0.6)], shade
    )
