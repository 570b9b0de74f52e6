"""Places under the sky: street, rooftop, night market, park, bridge, mountain road, forest, beach, open sea,
lighthouse, temple and open land. Each draws from the sky down to the panel's bottom; figures stand on `horizon`."""

from __future__ import annotations

from pipeline.image.looks import RGB, mix
from pipeline.image.scene_pen import Point, ScenePen

_STALL_COLOURS: tuple[RGB, ...] = ((200, 50, 40), (230, 160, 40), (60, 120, 180), (60, 150, 90), (180, 70, 140))


def street(pen: ScenePen, hz: int) -> None:
    pal = pen.pal
    pen.sky(hz)
    pen.skyline(hz, height=0.5)
    pen.ground(hz, (95, 95, 100))
    walk = hz + pen.u(5)
    pen.rect((0, hz, pen.w, walk), pal.lit((175, 168, 160)))
    mid, y = pen.w / 2, float(walk + pen.u(3))
    while y < pen.h:  # lane dashes, longer toward the viewer
        length = pen.u(3) + (y - walk) * 0.25
        half = pen.u(0.6) + (y - walk) * 0.02
        pen.draw.rectangle([mid - half, y, mid + half, y + length], fill=pal.lit((235, 225, 150)))
        y += length * 2
    for x in (int(pen.w * 0.1), int(pen.w * 0.9)):
        pen.street_lamp(x, walk)


def rooftop(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    wall_top = hz - pen.u(7)
    pen.sky(wall_top)
    pen.skyline(wall_top, height=0.28, far=0.45)
    pen.ground(hz, (150, 150, 155))
    for k in range(1, 6):  # floor slabs in perspective
        y = hz + (pen.h - hz) * (k / 6) ** 1.6
        pen.draw.line([(0, y), (pen.w, y)], fill=pal.lit((120, 120, 126)), width=pen.thin)
    pen.rect((0, wall_top, pen.w, hz), pal.lit((185, 180, 172)))
    rail_y = wall_top - pen.u(9)
    metal = pal.lit((90, 95, 105))
    pen.draw.line([(0, rail_y), (pen.w, rail_y)], fill=metal, width=pen.u(1))
    for px in range(0, pen.w, pen.u(7)):
        pen.draw.line([(px, rail_y), (px, wall_top)], fill=metal, width=pen.u(0.5))
    side = pen.w * (0.86 if scene.random() < 0.5 else 0.14)  # a water tank on stilts
    tank_w, tank_top = pen.u(16), rail_y - pen.u(22)
    for dx in (-0.4, 0.4):
        pen.draw.line([(side + dx * tank_w, tank_top), (side + dx * tank_w, wall_top)], fill=metal, width=pen.u(0.8))
    pen.rect((side - tank_w / 2, tank_top - pen.u(12), side + tank_w / 2, tank_top), pal.lit((150, 160, 170)))


def market(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    pen.sky(hz)
    roofs = pal.lit((60, 55, 60))  # the old town's roofs behind the stalls
    x = 0.0
    while x < pen.w:
        rw, rh = scene.uniform(18, 30) * pen.unit, scene.uniform(0.25, 0.4) * hz
        pen.poly(
            [
                (x - 3 * pen.unit, hz - rh),
                (x + rw / 2, hz - rh - 6 * pen.unit),
                (x + rw + 3 * pen.unit, hz - rh),
                (x + rw, hz),
                (x, hz),
            ],
            roofs,
        )
        x += rw
    pen.ground(hz, (130, 115, 100))
    for k in range(1, 5):
        y = hz + (pen.h - hz) * (k / 5) ** 1.5
        pen.draw.line([(0, y), (pen.w, y)], fill=pal.lit((105, 92, 80)), width=pen.thin)
    stall_w = pen.w / 4
    for i in range(4):
        sx = i * stall_w + pen.u(1)
        colour = _STALL_COLOURS[scene.randrange(len(_STALL_COLOURS))]
        roof_y, counter_y = hz - pen.u(24), hz - pen.u(9)
        pen.rect((sx, counter_y, sx + stall_w - pen.u(2), hz), pal.lit((150, 100, 60)))
        for post in (sx + pen.u(1), sx + stall_w - pen.u(3)):
            pen.draw.line([(post, roof_y), (post, counter_y)], fill=pal.lit((90, 60, 40)), width=pen.u(0.8))
        stripes = 5
        for k in range(stripes):  # a striped awning
            x0 = sx - pen.u(1) + k * (stall_w + pen.u(0)) / stripes
            x1 = x0 + stall_w / stripes
            fill = pal.lit(colour if k % 2 == 0 else (240, 235, 225))
            pen.poly(
                [(x0, roof_y), (x1, roof_y), (x1 + pen.u(1), roof_y + pen.u(5)), (x0 + pen.u(1), roof_y + pen.u(5))],
                fill,
            )
        for g in range(5):  # goods on the counter
            gx = sx + pen.u(3) + g * (stall_w - pen.u(6)) / 5
            pen.disc(gx, counter_y - pen.u(1.2), pen.u(1.4), pal.lit(_STALL_COLOURS[(i + g) % 5]))
    _lantern_string(pen, int(hz * 0.38))


def _lantern_string(pen: ScenePen, y: int) -> None:
    """A sagging string of red lanterns across the panel, glowing after dark."""
    pal = pen.pal
    sag = pen.u(6)
    points = [(x, y + sag * (1 - (2 * x / pen.w - 1) ** 2)) for x in range(0, pen.w + 1, max(1, pen.w // 20))]
    pen.draw.line(points, fill=pen.outline, width=pen.thin)
    step = pen.w / 7
    for k in range(7):
        lx = step * (k + 0.5)
        ly = y + sag * (1 - (2 * lx / pen.w - 1) ** 2)
        r = 2.8 * pen.unit
        if pal.lamps_on:
            pen.glow(int(lx), int(ly + r * 1.3), int(r * 3), pal.glow((255, 140, 80)), 90)
        pen.draw.ellipse(
            [lx - r, ly, lx + r, ly + r * 2.4], fill=pal.glow((225, 45, 35)), outline=pen.outline, width=pen.thin
        )
        pen.draw.line([(lx, ly + r * 2.4), (lx, ly + r * 3.2)], fill=pal.glow((240, 200, 60)), width=pen.thin)


def park(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    pen.sky(hz)
    far = pal.lit((90, 140, 90))
    for _ in range(9):  # a far tree line
        x, r = scene.uniform(0, pen.w), scene.uniform(6, 12) * pen.unit
        pen.draw.ellipse([x - r, hz - r * 1.4, x + r, hz + r * 0.5], fill=far)
    pen.ground(hz, (115, 170, 85))
    path = pal.lit((215, 195, 150))
    mid = pen.w * scene.uniform(0.4, 0.6)
    pen.poly([(mid - pen.u(3), hz), (mid + pen.u(3), hz), (pen.w * 0.75, pen.h), (pen.w * 0.25, pen.h)], path)
    for x, size in ((pen.w * 0.08, 42), (pen.w * 0.93, 36)):
        pen.tree(x, hz + pen.u(2), size * pen.unit)
    for _ in range(14):  # flowers in the grass, away from the path
        fx = scene.choice((scene.uniform(0, pen.w * 0.22), scene.uniform(pen.w * 0.78, pen.w)))
        fy = scene.uniform(hz + pen.u(4), pen.h)
        colour = scene.choice(((240, 90, 110), (250, 220, 80), (250, 250, 250)))
        pen.disc(fx, fy, pen.u(0.9), pal.lit(colour), outline=False)


def bridge(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    bank = hz - pen.u(14)
    pen.sky(bank)
    houses = pal.lit((70, 70, 78))
    x = 0.0
    while x < pen.w:  # the far bank: low houses with dark roofs, lit windows after dark
        hw, hh = scene.uniform(8, 16) * pen.unit, scene.uniform(5, 11) * pen.unit
        pen.rect((x, bank - hh, x + hw, bank), mix(houses, (230, 225, 215), 0.5), outline=False)
        pen.poly(
            [(x - pen.unit, bank - hh), (x + hw / 2, bank - hh - 4 * pen.unit), (x + hw + pen.unit, bank - hh)],
            houses,
            outline=False,
        )
        if pal.lamps_on and scene.random() < 0.6:
            wx = x + hw * 0.4
            pen.draw.rectangle(
                [wx, bank - hh * 0.6, wx + 2 * pen.unit, bank - hh * 0.3], fill=pal.glow((255, 210, 120))
            )
        x += hw + scene.uniform(0, 2) * pen.unit
    water, deep = pal.lit((70, 125, 170)), pal.lit((40, 75, 115))
    pen.fill((0, bank, pen.w, hz), water, deep)
    stone, dark_stone = pal.lit((150, 145, 135)), pal.lit((110, 105, 98))
    deck = hz + pen.u(5)
    pen.rect((0, hz, pen.w, deck), stone)
    pen.rect((0, deck, pen.w, pen.h), dark_stone)
    cx, r = pen.w / 2, min(pen.w * 0.42, (pen.h - deck) * 0.9)
    arch_top = deck + pen.u(8)
    pen.draw.ellipse([cx - r, arch_top, cx + r, arch_top + 2 * r], fill=water, outline=pen.outline, width=pen.u(1))
    pen.fill((int(cx - r * 0.95), int(arch_top + r * 0.9), int(cx + r * 0.95), pen.h), water, deep)
    for k in range(1, 4):  # the arch's reflection as ripples
        y = arch_top + r * (0.9 + 0.2 * k)
        pen.draw.line([(cx - r * 0.6, y), (cx + r * 0.6, y)], fill=pal.lit((150, 190, 220)), width=pen.thin)
    rail_y = hz - pen.u(9)
    pen.draw.line([(0, rail_y), (pen.w, rail_y)], fill=stone, width=pen.u(1.6))
    for px in range(pen.u(4), pen.w, pen.u(12)):
        pen.rect((px - pen.u(1.2), rail_y - pen.u(2), px + pen.u(1.2), hz), stone)


def mountain_road(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    pen.sky(hz)
    pen.ridges(hz, layers=3, height=0.55)
    pen.ground(hz, (110, 135, 80))
    bend = scene.choice((-1, 1))
    road = pal.lit((120, 115, 110))
    left: list[Point] = []
    right: list[Point] = []
    for k in range(13):
        t = k / 12  # 0 at the horizon, 1 at the bottom
        y = hz + (pen.h - hz) * t
        centre = pen.w * (0.5 + bend * 0.25 * (1 - t) * (1 - 2 * t))
        half = pen.u(2) + pen.w * 0.42 * t**1.2
        left.append((centre - half, y))
        right.append((centre + half, y))
    pen.poly([*left, *reversed(right)], road)
    for x0, y0 in right[2:]:  # guard-rail posts on the drop side
        pen.draw.line(
            [(x0, y0), (x0, y0 - (y0 - hz) * 0.12 - pen.u(1))],
            fill=pal.lit((230, 230, 230)),
            width=max(2, int((y0 - hz) * 0.015)),
        )
    for x in (pen.w * (0.08 if bend > 0 else 0.92),):
        for dx, size in ((0, 40), (pen.u(9), 30)):
            pen.tree(x + dx * -bend, hz + pen.u(3), size * pen.unit, kind="pine", leaves=(50, 100, 70))


def forest(pen: ScenePen, hz: int) -> None:
    """Rows of trees paling into the distance, a clearing in the middle, big trunks framing it at the sides."""
    pal, scene = pen.pal, pen.scene
    pen.sky(hz)
    leaves, bark = pal.lit((45, 100, 60)), pal.lit((85, 60, 45))
    for depth in (0.3, 0.6):  # far rows of crowns and trunks, paler the farther
        crown, trunk = mix(pal.sky_at(1.0), leaves, depth + 0.2), mix(pal.sky_at(1.0), bark, depth + 0.2)
        for _ in range(int(8 / depth)):
            x, r = scene.uniform(0, pen.w), scene.uniform(5, 9) * pen.unit * (0.6 + depth)
            top = hz * (0.55 - 0.25 * depth) + scene.uniform(-4, 4) * pen.unit
            pen.rect((x - r * 0.12, top, x + r * 0.12, hz), trunk, outline=False)
            pen.disc(x, top, r, crown, outline=False)
    pen.ground(hz, (80, 105, 60))
    for k in range(3):  # moss and ferns on the forest floor
        y = hz + (pen.h - hz) * (0.2 + 0.3 * k)
        for _ in range(6):
            x = scene.uniform(0, pen.w)
            pen.disc(x, y, pen.u(2 + k), pal.lit((60, 110, 55)), outline=False)
    pen.fill((0, 0, pen.w, int(hz * 0.16)), mix(leaves, (0, 0, 0), 0.35), mix(leaves, (0, 0, 0), 0.15))
    for side in (0.06, 0.94, scene.choice((0.2, 0.8))):  # near trunks frame the clearing, under a dark canopy
        half = pen.u(4.5 if side in (0.06, 0.94) else 3)
        x = pen.w * side
        pen.rect((x - half, 0, x + half, hz + (pen.h - hz) * 0.3), mix(bark, (0, 0, 0), 0.2))
    for _ in range(10):
        pen.disc(scene.uniform(0, pen.w), hz * 0.16, pen.u(scene.uniform(6, 11)), mix(leaves, (0, 0, 0), 0.15), False)
    if pal.daypart == "day" and not pal.overcast:
        for k in range(3):  # light falling through the leaves
            x = pen.w * (0.3 + 0.2 * k)
            pen.veil((int(x - pen.u(4)), int(hz * 0.2), int(x + pen.u(4)), hz), (255, 250, 200), 80, 0)


def beach(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    sea_line = hz - pen.u(16)
    pen.sky(sea_line)
    pen.sea(sea_line, hz + pen.u(3))
    sand = (225, 205, 160)
    pen.ground(hz + pen.u(3), sand)
    foam = pal.lit((245, 248, 250))
    points = [(x, hz + pen.u(3) + pen.u(1.2) * ((x // pen.u(6)) % 2)) for x in range(0, pen.w + 1, pen.u(6))]
    pen.draw.line(points, fill=foam, width=pen.u(1))
    place = pen.location.lower()
    if any(w in place for w in ("rock", "岩", "礁", "石", "cliff", "崖")):
        _rocks(pen, hz)
    for _ in range(12):  # shells and pebbles
        x, y = scene.uniform(0, pen.w), scene.uniform(hz + pen.u(8), pen.h)
        pen.disc(x, y, pen.u(0.7), pal.lit((200, 180, 150)), outline=False)


def _rocks(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    stone = pal.lit((75, 72, 78))
    for side in (0, 1):
        x0 = 0 if side == 0 else pen.w
        sign = 1 if side == 0 else -1
        points: list[Point] = [(x0, pen.h), (x0, hz - scene.uniform(4, 12) * pen.unit)]
        for k in range(1, 5):
            points.append((x0 + sign * pen.w * 0.07 * k, hz + scene.uniform(-6, 10) * pen.unit))
        points.append((x0 + sign * pen.w * 0.32, pen.h))
        pen.poly(points, stone)


def open_sea(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    pen.sky(hz)
    if scene.random() < 0.5:  # a far island
        ix, iw = pen.w * scene.uniform(0.1, 0.3), pen.u(18)
        pen.draw.ellipse([ix - iw, hz - pen.u(4), ix + iw, hz + pen.u(4)], fill=pal.lit((70, 85, 80)))
    pen.sea(hz, pen.h)
    place = pen.location.lower()
    if any(w in place for w in ("deck", "甲板", "船上", "boat", "ship")):
        deck = pen.h - (pen.h - hz) // 3
        pen.rect((0, deck, pen.w, pen.h), pal.lit((150, 110, 70)))
        for k in range(1, 6):
            x = pen.w * k / 6
            pen.draw.line([(x, deck), (pen.w / 2 + (x - pen.w / 2) * 1.6, pen.h)], fill=pen.outline, width=pen.thin)
        rail = deck - pen.u(8)
        pen.draw.line([(0, rail), (pen.w, rail)], fill=pal.lit((230, 230, 230)), width=pen.u(1))


def lighthouse(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    sea_line = hz - pen.u(20)
    pen.sky(sea_line)
    pen.sea(sea_line, hz)
    right = scene.random() < 0.5
    cliff_x = pen.w * (0.62 if right else 0.38)
    edge = pen.w if right else 0
    top = sea_line - pen.u(10)
    pen.poly([(cliff_x, hz), (cliff_x + (edge - cliff_x) * 0.3, top), (edge, top), (edge, hz)], pal.lit((90, 85, 80)))
    pen.tower(cliff_x + (edge - cliff_x) * 0.6, top)
    pen.ground(hz, (85, 95, 80))


def temple(pen: ScenePen, hz: int) -> None:
    pal = pen.pal
    pen.sky(hz)
    pen.ridges(hz, layers=2, height=0.5)
    pen.ground(hz, (160, 150, 135))
    for k in range(1, 5):
        y = hz + (pen.h - hz) * (k / 5) ** 1.5
        pen.draw.line([(0, y), (pen.w, y)], fill=pal.lit((130, 120, 108)), width=pen.thin)
    cx, half = pen.w / 2, pen.w * 0.42
    base = hz - pen.u(2)
    pen.rect((cx - half, base - pen.u(4), cx + half, base), pal.lit((190, 180, 165)))
    eave = base - pen.u(4) - hz * 0.3
    pen.rect((cx - half * 0.85, eave, cx + half * 0.85, base - pen.u(4)), pal.lit((225, 205, 170)))
    for k in range(6):  # red pillars
        px = cx - half * 0.75 + k * half * 1.5 / 5
        pen.rect((px - pen.u(1.3), eave, px + pen.u(1.3), base - pen.u(4)), pal.lit((185, 40, 35)))
    roof = pal.lit((55, 70, 70))
    lift = pen.u(6)
    pen.poly(
        [
            (cx - half * 1.1, eave - lift),
            (cx - half, eave),
            (cx + half, eave),
            (cx + half * 1.1, eave - lift),
            (cx + half * 0.7, eave - pen.u(4)),
            (cx + half * 0.5, eave - pen.u(16)),
            (cx - half * 0.5, eave - pen.u(16)),
            (cx - half * 0.7, eave - pen.u(4)),
        ],
        roof,
    )
    pen.rect((cx - pen.u(6), eave + pen.u(2), cx + pen.u(6), eave + pen.u(6)), pal.lit((30, 30, 35)))
    if pal.lamps_on:
        for px in (cx - half * 0.9, cx + half * 0.9):
            pen.glow(int(px), int(eave + pen.u(4)), pen.u(8), pal.glow((255, 150, 80)), 110)
            pen.disc(px, eave + pen.u(4), pen.u(2.2), pal.glow((225, 50, 35)))


def open_land(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    pen.sky(hz)
    hills = pal.lit((100, 135, 95))
    for _ in range(3):
        hx, hr = scene.randrange(pen.w), scene.uniform(25, 45) * pen.unit
        pen.draw.ellipse([hx - hr, hz - hr / 2, hx + hr, hz + hr], fill=mix(hills, pal.sky_at(1.0), 0.3))
    pen.ground(hz, (120, 150, 90))
