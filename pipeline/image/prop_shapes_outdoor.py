"""How props out of doors (and a few anywhere: a lantern, a cat, stairs) are drawn: a few shapes each, standing
on (x, base) and `size` pixels tall; sky things (a kite, the moon, birds) centred on (x, y). Lanterns, fires and a
boat's lamp glow after dark."""

from __future__ import annotations

from pipeline.image.scene_pen import ScenePen


def lighthouse(pen: ScenePen, x: float, b: float, s: float) -> None:
    pen.tower(x, b, scale=s / (42 * pen.unit))


def street_lamp(pen: ScenePen, x: float, b: float, s: float) -> None:
    pen.street_lamp(x, b, height=s)


def lantern(pen: ScenePen, x: float, y: float, s: float) -> None:
    """Hung from above the frame, `y` its middle."""
    pal = pen.pal
    r = s * 0.4
    pen.draw.line([(x, 0), (x, y - r)], fill=pen.outline, width=pen.thin)
    pen.lamp_glow(x, y, r * 4, (255, 140, 80))
    pen.draw.ellipse(
        [x - r * 1.1, y - r, x + r * 1.1, y + r], fill=pal.glow((225, 45, 35)), outline=pen.outline, width=pen.thin
    )
    gold = pal.glow((240, 200, 60))
    pen.draw.rectangle([x - r * 0.5, y - r * 1.15, x + r * 0.5, y - r * 0.9], fill=gold)
    pen.draw.line([(x, y + r), (x, y + r * 1.8)], fill=gold, width=pen.thin)


def candy_figure(pen: ScenePen, x: float, b: float, s: float) -> None:
    """A sugar-painted dragon on a stick, stuck in a straw stand."""
    pal = pen.pal
    pen.rect((x - s * 0.12, b - s * 0.4, x + s * 0.12, b), pal.lit((210, 180, 110)))
    pen.draw.line([(x, b - s * 0.4), (x, b - s * 0.65)], fill=pal.lit((230, 220, 190)), width=pen.thin)
    amber = pal.glow((240, 170, 40))
    top = b - s
    points = [(x - s * 0.25 + s * 0.5 * (k % 2), top + s * 0.08 * k) for k in range(5)]
    pen.draw.line(points, fill=amber, width=max(2, int(s * 0.07)), joint="curve")
    pen.disc(x - s * 0.25, top, s * 0.09, amber, outline=False)


def bicycle(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    r = s * 0.36
    frame, ink = pal.lit((200, 50, 50)), pen.outline
    back, front = (x - s * 0.55, b - r), (x + s * 0.55, b - r)
    for cx, cy in (back, front):
        pen.draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=ink, width=max(2, pen.thin))
    seat, bars = (x - s * 0.2, b - s * 0.85), (x + s * 0.45, b - s * 0.95)
    pedal = (x, b - r)
    pen.draw.line([back, pedal, front, bars, seat, back], fill=frame, width=max(2, int(s * 0.05)))
    pen.draw.line([seat, pedal], fill=frame, width=max(2, int(s * 0.05)))


def bench(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    wood, iron = pal.lit((160, 110, 60)), pal.lit((60, 60, 65))
    half = s
    for dx in (-0.85, 0.85):
        pen.draw.line([(x + dx * half, b), (x + dx * half, b - s)], fill=iron, width=max(2, int(s * 0.06)))
    pen.rect((x - half, b - s * 0.5, x + half, b - s * 0.4), wood)
    for k in range(2):
        y = b - s * (0.75 + 0.18 * k)
        pen.rect((x - half, y, x + half, y + s * 0.1), wood)


def flower(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    pen.poly(
        [(x - s * 0.22, b - s * 0.45), (x + s * 0.22, b - s * 0.45), (x + s * 0.15, b), (x - s * 0.15, b)],
        pal.lit((190, 110, 70)),
    )
    green = pal.lit((60, 130, 60))
    for k, colour in enumerate(((235, 70, 90), (250, 210, 70), (240, 120, 160))):
        fx, fy = x + (k - 1) * s * 0.25, b - s * (0.85 + 0.1 * (k == 1))
        pen.draw.line([(x, b - s * 0.45), (fx, fy)], fill=green, width=max(2, int(s * 0.04)))
        pen.disc(fx, fy, s * 0.13, pal.lit(colour))


def umbrella(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    top = b - s
    pen.draw.line([(x, top), (x, b)], fill=pen.outline, width=max(2, int(s * 0.04)))
    pen.draw.arc(
        [x - s * 0.15, b - s * 0.15, x + s * 0.05, b + s * 0.05], 0, 180, fill=pen.outline, width=max(2, int(s * 0.04))
    )
    pen.draw.pieslice(
        [x - s * 0.6, top, x + s * 0.6, top + s * 0.7],
        180,
        360,
        fill=pal.lit((60, 110, 200)),
        outline=pen.outline,
        width=pen.thin,
    )


def car(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    body, glass = pal.lit((190, 50, 50)), pal.lit((170, 210, 235))
    half = s * 1.2
    pen.poly(
        [
            (x - half * 0.55, b - s * 0.5),
            (x - half * 0.35, b - s),
            (x + half * 0.35, b - s),
            (x + half * 0.6, b - s * 0.5),
        ],
        body,
    )
    pen.draw.polygon(
        [
            (x - half * 0.45, b - s * 0.55),
            (x - half * 0.3, b - s * 0.9),
            (x + half * 0.3, b - s * 0.9),
            (x + half * 0.48, b - s * 0.55),
        ],
        fill=glass,
    )
    pen.draw.rounded_rectangle(
        [x - half, b - s * 0.58, x + half, b - s * 0.18], radius=s * 0.1, fill=body, outline=pen.outline, width=pen.thin
    )
    for dx in (-0.6, 0.6):
        pen.disc(x + dx * half, b - s * 0.18, s * 0.18, pal.lit((30, 30, 35)))
    if pal.lamps_on:
        pen.glow(int(x + half), int(b - s * 0.4), int(s * 0.4), pal.glow((255, 240, 180)), 150)


def tree(pen: ScenePen, x: float, b: float, s: float) -> None:
    """Out of doors a tree; in a room a potted one, half as tall."""
    if not pen.pal.indoor:
        pen.tree(x, b, s)
        return
    pot = s * 0.12
    pen.tree(x, b - pot, s * 0.45)
    pen.poly(
        [(x - pot, b - pot), (x + pot, b - pot), (x + pot * 0.7, b), (x - pot * 0.7, b)], pen.pal.lit((180, 100, 60))
    )


def cat(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    fur = pal.lit((90, 85, 90))
    pen.draw.arc([x, b - s * 0.6, x + s * 0.7, b], 270, 90, fill=fur, width=max(2, int(s * 0.08)))  # the tail
    pen.draw.ellipse([x - s * 0.35, b - s * 0.65, x + s * 0.35, b], fill=fur, outline=pen.outline, width=1)
    hx, hy, hr = x, b - s * 0.75, s * 0.25
    for dx in (-1.0, 1.0):
        pen.draw.polygon(
            [(hx + dx * hr * 0.9, hy - hr * 1.4), (hx + dx * hr * 0.2, hy - hr * 0.6), (hx + dx * hr, hy - hr * 0.2)],
            fill=fur,
        )
    pen.disc(hx, hy, hr, fur)
    for dx in (-0.4, 0.4):
        pen.disc(hx + dx * hr, hy - hr * 0.1, hr * 0.12, pal.glow((230, 210, 90)), outline=False)


def dog(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    fur = pal.lit((190, 140, 80))
    for dx in (-0.45, -0.25, 0.3, 0.5):
        pen.rect((x + dx * s, b - s * 0.45, x + dx * s + s * 0.1, b), fur)
    pen.draw.ellipse([x - s * 0.55, b - s * 0.75, x + s * 0.65, b - s * 0.35], fill=fur, outline=pen.outline, width=1)
    pen.draw.line([(x - s * 0.5, b - s * 0.6), (x - s * 0.8, b - s * 0.85)], fill=fur, width=max(2, int(s * 0.07)))
    pen.disc(x + s * 0.7, b - s * 0.85, s * 0.2, fur)
    pen.draw.ellipse([x + s * 0.55, b - s * 0.95, x + s * 0.68, b - s * 0.65], fill=pal.lit((120, 80, 45)))


def sword(pen: ScenePen, x: float, b: float, s: float) -> None:
    """Stuck point-down in the ground."""
    pal = pen.pal
    steel = pal.lit((200, 205, 215))
    pen.poly([(x - s * 0.04, b - s * 0.75), (x + s * 0.04, b - s * 0.75), (x, b)], steel)
    pen.rect((x - s * 0.16, b - s * 0.8, x + s * 0.16, b - s * 0.75), pal.lit((200, 170, 70)))
    pen.rect((x - s * 0.03, b - s, x + s * 0.03, b - s * 0.8), pal.lit((90, 50, 40)))


def stairs(pen: ScenePen, x: float, b: float, s: float) -> None:
    """Steps climbing toward the nearer side edge."""
    pal = pen.pal
    up = -1 if x < pen.w / 2 else 1
    steps, depth = 8, s * 0.9 / 8
    stone = pal.lit((170, 160, 150))
    points = [(x - up * s * 0.5, b)]
    for k in range(steps):
        sx = x - up * s * 0.5 + up * depth * k
        points += [(sx, b - s * (k + 1) / steps), (sx + up * depth, b - s * (k + 1) / steps)]
    points.append((points[-1][0], b))
    pen.poly(points, stone)
    rail = pal.lit((90, 70, 50))
    pen.draw.line(
        [(x - up * s * 0.5, b - s * 0.3), (points[-1][0], b - s * 1.3)], fill=rail, width=max(2, int(s * 0.02))
    )


def sign(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    pen.draw.line([(x, b), (x, b - s * 0.6)], fill=pal.lit((90, 70, 50)), width=max(2, int(s * 0.05)))
    pen.rect((x - s * 0.4, b - s, x + s * 0.4, b - s * 0.6), pal.lit((40, 110, 70)))
    for k in range(2):
        y = b - s * (0.88 - 0.14 * k)
        pen.draw.line([(x - s * 0.3, y), (x + s * 0.3, y)], fill=pal.lit((240, 240, 230)), width=max(1, int(s * 0.03)))


def ball(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    r = s / 2
    pen.disc(x, b - r, r, pal.lit((240, 120, 40)))
    pen.draw.line([(x - r, b - r), (x + r, b - r)], fill=pen.outline, width=1)
    pen.draw.arc([x - r * 0.5, b - s, x + r * 0.5, b], 270, 90, fill=pen.outline, width=1)


def kite(pen: ScenePen, x: float, y: float, s: float) -> None:
    pal = pen.pal
    h = s / 2
    pen.poly([(x, y - h), (x + h * 0.7, y), (x, y + h), (x - h * 0.7, y)], pal.lit((230, 60, 60)))
    pen.draw.line([(x, y - h), (x, y + h)], fill=pen.outline, width=1)
    pen.draw.line([(x - h * 0.7, y), (x + h * 0.7, y)], fill=pen.outline, width=1)
    tail = [(x + k * h * 0.15 * (-1) ** k, y + h + k * h * 0.4) for k in range(6)]
    pen.draw.line(tail, fill=pal.lit((250, 210, 70)), width=max(1, pen.thin))


def moon(pen: ScenePen, x: float, y: float, s: float) -> None:
    pal = pen.pal
    pen.glow(int(x), int(y), int(s * 1.5), pal.glow((250, 245, 210)), 70)
    pen.disc(x, y, s / 2, pal.glow((250, 245, 210)), outline=False)


def bird(pen: ScenePen, x: float, y: float, s: float) -> None:
    for k in range(3):
        bx, by = x + (k - 1) * s * 1.4, y + (k % 2) * s * 0.6
        pen.draw.line(
            [(bx - s * 0.5, by - s * 0.2), (bx, by + s * 0.1), (bx + s * 0.5, by - s * 0.2)],
            fill=pen.outline,
            width=max(2, pen.thin),
        )


def rock(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    w = s * 1.4
    pen.poly(
        [
            (x - w, b),
            (x - w * 0.8, b - s * 0.6),
            (x - w * 0.2, b - s),
            (x + w * 0.5, b - s * 0.8),
            (x + w, b - s * 0.2),
            (x + w, b),
        ],
        pal.lit((110, 105, 110)),
    )


def fire(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    pen.glow(int(x), int(b - s * 0.4), int(s * 1.6), pal.glow((255, 160, 60)), 120)
    wood = pal.lit((100, 60, 35))
    for dx in (-1, 1):
        pen.draw.line([(x - dx * s * 0.6, b), (x + dx * s * 0.6, b - s * 0.25)], fill=wood, width=max(2, int(s * 0.12)))
    pen.poly([(x - s * 0.4, b - s * 0.15), (x, b - s), (x + s * 0.4, b - s * 0.15)], pal.glow((250, 120, 40)))
    pen.poly(
        [(x - s * 0.2, b - s * 0.15), (x, b - s * 0.6), (x + s * 0.2, b - s * 0.15)],
        pal.glow((255, 220, 90)),
        outline=False,
    )


def boat(pen: ScenePen, x: float, b: float, s: float) -> None:
    pal = pen.pal
    half = s * 1.3
    pen.draw.line([(x, b - s * 0.3), (x, b - s * 1.6)], fill=pen.outline, width=max(2, int(s * 0.06)))
    pen.poly(
        [(x + s * 0.05, b - s * 1.5), (x + s * 0.05, b - s * 0.45), (x + half * 0.75, b - s * 0.45)],
        pal.lit((240, 235, 220)),
    )
    pen.poly(
        [(x - half, b - s * 0.4), (x + half, b - s * 0.4), (x + half * 0.7, b), (x - half * 0.7, b)],
        pal.lit((120, 75, 45)),
    )
    pen.lamp_glow(x - half * 0.5, b - s * 0.6, s * 0.8, (255, 220, 140))
