"""Rooms: classroom, living room, bedroom, office, café, bookshop, shop, station waiting room, hospital ward,
a lighthouse's lantern room, a spaceship and a plain room. The back wall meets the floor at `horizon`, where
figures stand; at night the lamps are on and the windows are dark."""

from __future__ import annotations

import random

from pipeline.image.looks import RGB, mix
from pipeline.image.scene_pen import ScenePen

_SPINES: tuple[RGB, ...] = (
    (150, 50, 45),
    (50, 80, 140),
    (60, 120, 80),
    (200, 160, 60),
    (110, 60, 120),
    (220, 210, 190),
    (40, 40, 50),
    (180, 100, 50),
)


def _room(pen: ScenePen, hz: int, wall: RGB, floor: RGB, boards: bool = True) -> None:
    """The back wall down to `hz`, the floor below it (boards running toward the viewer), a skirting board,
    and at night a ceiling lamp's warm pool on the wall."""
    pal = pen.pal
    pen.fill((0, 0, pen.w, hz), pal.lit(mix(wall, (0, 0, 0), 0.12)), pal.lit(wall))
    pen.fill((0, hz, pen.w, pen.h), pal.lit(floor), pal.lit(mix(floor, (0, 0, 0), 0.3)))
    if boards:
        for k in range(-6, 7):
            x = pen.w / 2 + k * pen.w / 12
            pen.draw.line(
                [(x, hz), (pen.w / 2 + (x - pen.w / 2) * 2.2, pen.h)],
                fill=pal.lit(mix(floor, (0, 0, 0), 0.2)),
                width=pen.thin,
            )
    pen.rect((0, hz - pen.u(2), pen.w, hz), pal.lit(mix(wall, (0, 0, 0), 0.35)))
    if pal.lamps_on:
        pen.glow(pen.w // 2, 0, int(hz * 0.6), pal.glow((255, 200, 130)), 70)


def classroom(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    _room(pen, hz, (228, 222, 200), (175, 135, 95))
    pen.rect((0, int(hz * 0.62), pen.w, hz - pen.u(2)), pal.lit((120, 160, 130)), outline=False)  # wainscot
    x0, x1, y0, y1 = pen.w * 0.14, pen.w * 0.86, hz * 0.2, hz * 0.55
    pen.rect((x0 - pen.u(1.5), y0 - pen.u(1.5), x1 + pen.u(1.5), y1 + pen.u(1.5)), pal.lit((140, 100, 60)))
    pen.rect((x0, y0, x1, y1), pal.lit((40, 85, 65)))
    chalk = pal.lit((220, 230, 220))
    for k in range(3):  # chalk writing, illegible at this distance
        y = y0 + (y1 - y0) * (0.25 + 0.22 * k)
        x = x0 + pen.u(4) + scene.uniform(0, 6) * pen.unit
        while x < x1 - pen.u(10):
            word = scene.uniform(3, 8) * pen.unit
            pen.draw.line([(x, y), (x + word, y + scene.uniform(-0.5, 0.5) * pen.unit)], fill=chalk, width=pen.thin)
            x += word + pen.u(2)
    pen.rect((x0, y1 + pen.u(1.5), x1, y1 + pen.u(3)), pal.lit((150, 110, 70)))
    pen.disc(pen.w / 2, y0 - pen.u(7), pen.u(3.5), pal.lit((245, 245, 240)))  # the clock
    pen.draw.line([(pen.w / 2, y0 - pen.u(7)), (pen.w / 2, y0 - pen.u(9.5))], fill=pen.outline, width=2)
    desk = pal.lit((190, 150, 100))
    for k in range(4):  # desks in rows, their tops at the floor line
        for side in (0.05, 0.72):
            dx = pen.w * (side + 0.06 * (k % 2))
            dy = hz + (pen.h - hz) * (0.1 + 0.22 * k)
            dw = pen.w * (0.2 + 0.02 * k)
            pen.rect((dx, dy, dx + dw, dy + pen.u(2 + k)), desk)


def home(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    wall = scene.choice(((235, 220, 190), (220, 210, 225), (215, 228, 210)))
    _room(pen, hz, wall, (165, 120, 80))
    stripe = pal.lit(mix(wall, (255, 255, 255), 0.35))
    for x in range(0, pen.w, pen.u(8)):
        pen.draw.line([(x, 0), (x, hz - pen.u(2))], fill=stripe, width=pen.u(1.5))
    left = scene.random() < 0.5
    wx0 = pen.w * (0.06 if left else 0.6)
    pen.window((int(wx0), int(hz * 0.12), int(wx0 + pen.w * 0.34), int(hz * 0.55)))
    curtain = pal.lit(scene.choice(((170, 60, 60), (70, 100, 150), (200, 160, 80))))
    for cx in (wx0 - pen.u(4), wx0 + pen.w * 0.34 - pen.u(2)):
        pen.rect((cx, hz * 0.08, cx + pen.u(6), hz * 0.62), curtain)
    sofa = pal.lit(scene.choice(((120, 80, 60), (80, 110, 140), (150, 120, 90))))
    sx0, sx1, top = pen.w * 0.15, pen.w * 0.85, hz - pen.u(14)
    pen.rect((sx0, top, sx1, hz), sofa)
    pen.rect((sx0 - pen.u(3), top + pen.u(4), sx0 + pen.u(3), hz), mix(sofa, (0, 0, 0), 0.2))
    pen.rect((sx1 - pen.u(3), top + pen.u(4), sx1 + pen.u(3), hz), mix(sofa, (0, 0, 0), 0.2))
    fx = pen.w * (0.7 if left else 0.1)
    pen.rect((fx, hz * 0.2, fx + pen.w * 0.2, hz * 0.42), pal.lit((180, 140, 90)))  # a picture frame
    pen.rect(
        (fx + pen.u(1.5), hz * 0.2 + pen.u(1.5), fx + pen.w * 0.2 - pen.u(1.5), hz * 0.42 - pen.u(1.5)),
        pal.lit((120, 170, 200)),
    )
    rug = pal.lit((170, 70, 60))
    pen.draw.ellipse(
        [pen.w * 0.2, hz + (pen.h - hz) * 0.3, pen.w * 0.8, hz + (pen.h - hz) * 0.75],
        fill=rug,
        outline=pen.outline,
        width=pen.thin,
    )


def bedroom(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    wall = scene.choice(((210, 225, 240), (245, 215, 220), (230, 230, 210)))
    _room(pen, hz, wall, (200, 180, 160), boards=False)
    left = scene.random() < 0.5
    wx0 = pen.w * (0.6 if left else 0.08)
    pen.window((int(wx0), int(hz * 0.15), int(wx0 + pen.w * 0.3), int(hz * 0.6)))
    for k in range(3):  # a poster
        px = pen.w * (0.1 if left else 0.62)
        pen.rect((px, hz * 0.18, px + pen.w * 0.22, hz * 0.48), pal.lit((250, 245, 235)))
        pen.disc(px + pen.w * 0.11, hz * 0.3, pen.u(4 - k), pal.lit(_SPINES[(k * 3) % len(_SPINES)]), False)
    bed = pen.w * (0.0 if left else 0.55)
    head_top, bed_top = hz - pen.u(24), hz - pen.u(8)
    pen.rect((bed + pen.u(1), head_top, bed + pen.w * 0.45, hz), pal.lit((140, 100, 70)))
    blanket = pal.lit(scene.choice(((120, 150, 210), (230, 160, 170), (160, 200, 150))))
    pen.rect((bed, bed_top, bed + pen.w * 0.45, hz + (pen.h - hz) * 0.35), blanket)
    pen.rect((bed + pen.w * 0.05, bed_top - pen.u(5), bed + pen.w * 0.22, bed_top), pal.lit((250, 250, 245)))


def office(pen: ScenePen, hz: int) -> None:
    pal = pen.pal
    _room(pen, hz, (205, 210, 218), (120, 125, 135), boards=False)
    y0, y1 = int(hz * 0.1), int(hz * 0.62)
    pen.window((0, y0, pen.w, y1), panes=(6, 1), frame=(90, 95, 105))
    pen.skyline(y1, height=0.45, far=0.35)
    bar = pen.u(0.8)
    for k in range(1, 6):  # the window's mullions again, over the skyline
        x = pen.w * k // 6
        pen.draw.rectangle([x - bar, y0, x + bar, y1], fill=pal.lit((90, 95, 105)))
    for k in range(3):  # ceiling light panels
        lx = pen.w * (0.2 + 0.3 * k)
        pen.draw.rectangle([lx - pen.u(8), 0, lx + pen.u(8), pen.u(1.5)], fill=pal.glow((245, 250, 255)))
    part = pal.lit((150, 160, 175))
    for side in (0.0, 0.62):  # cubicle partitions with monitors
        x0 = pen.w * side
        pen.rect((x0, hz - pen.u(14), x0 + pen.w * 0.38, hz), part)
        mx = x0 + pen.w * 0.19
        pen.rect((mx - pen.u(5), hz - pen.u(22), mx + pen.u(5), hz - pen.u(15)), pal.lit((40, 45, 55)))
        pen.draw.rectangle(
            [mx - pen.u(4), hz - pen.u(21), mx + pen.u(4), hz - pen.u(16)], fill=pal.glow((120, 180, 230))
        )


def cafe(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    _room(pen, hz, (160, 80, 60), (130, 90, 60))
    mortar = pal.lit((190, 150, 130))
    row = pen.u(3)
    for k, course in enumerate(range(0, int(hz * 0.65), row)):  # brick courses
        pen.draw.line([(0, course), (pen.w, course)], fill=mortar, width=1)
        for x in range((k % 2) * pen.u(4), pen.w, pen.u(8)):
            pen.draw.line([(x, course), (x, course + row)], fill=mortar, width=1)
    pen.rect((0, int(hz * 0.65), pen.w, hz - pen.u(2)), pal.lit((110, 75, 50)))  # wood panels
    left = scene.random() < 0.5
    mx = pen.w * (0.62 if left else 0.08)
    pen.rect((mx, hz * 0.12, mx + pen.w * 0.3, hz * 0.45), pal.lit((35, 40, 38)))  # the chalk menu
    for k in range(5):
        y = hz * 0.17 + k * hz * 0.055
        pen.draw.line(
            [(mx + pen.u(2), y), (mx + pen.w * 0.3 * scene.uniform(0.5, 0.9), y)],
            fill=pal.lit((230, 225, 210)),
            width=pen.thin,
        )
    cx = pen.w * (0.0 if left else 0.6)
    pen.rect((cx, hz - pen.u(13), cx + pen.w * 0.4, hz), pal.lit((90, 60, 40)))  # the counter
    ex = cx + pen.w * 0.2
    pen.rect((ex - pen.u(5), hz - pen.u(22), ex + pen.u(5), hz - pen.u(13)), pal.lit((190, 195, 200)))
    for k in range(3):  # pendant lamps
        lx, ly = pen.w * (0.2 + 0.3 * k), hz * 0.12
        pen.draw.line([(lx, 0), (lx, ly)], fill=pen.outline, width=pen.thin)
        if pal.lamps_on:
            pen.glow(int(lx), int(ly + pen.u(3)), pen.u(12), pal.glow((255, 210, 140)), 120)
        pen.poly([(lx - pen.u(4), ly + pen.u(4)), (lx + pen.u(4), ly + pen.u(4)), (lx, ly)], pal.lit((60, 90, 80)))
        pen.disc(lx, ly + pen.u(4.5), pen.u(1.2), pal.glow((255, 230, 160)))


def bookshop(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    _room(pen, hz, (120, 90, 60), (140, 95, 60))
    wood = pal.lit((95, 65, 40))
    row = pen.u(11)
    y = float(pen.u(3))
    lx = pen.w * (0.8 if scene.random() < 0.5 else 0.2)  # where the library ladder leans
    books = random.Random(scene.random())  # its own numbers: how many shelves show varies with the horizon
    while y + row < hz - pen.u(2):  # shelves from the ceiling down, full of spines
        pen.rect((0, y + row - pen.u(1.2), pen.w, y + row), wood, outline=False)
        x = 0.0
        while x < pen.w:
            bw = books.uniform(1.2, 2.8) * pen.unit
            bh = row * books.uniform(0.62, 0.92)
            pen.draw.rectangle(
                [x, y + row - pen.u(1.2) - bh, x + bw, y + row - pen.u(1.2)],
                fill=pal.lit(_SPINES[books.randrange(len(_SPINES))]),
                outline=pen.outline,
            )
            x += bw + (pen.unit * 4 if books.random() < 0.04 else 0)
        y += row
    for x in range(0, pen.w, int(pen.w / 3)):  # the cases' uprights
        pen.draw.rectangle([x, 0, x + pen.u(1.5), hz], fill=wood)
    for dx in (-pen.u(3), pen.u(3)):
        pen.draw.line([(lx + dx, hz * 0.15), (lx + dx + pen.u(6), hz)], fill=pal.lit((170, 130, 80)), width=pen.u(0.9))
    for k in range(1, 8):
        y = hz * 0.15 + (hz * 0.85) * k / 8
        off = pen.u(6) * k / 8
        pen.draw.line(
            [(lx - pen.u(3) + off, y), (lx + pen.u(3) + off, y)], fill=pal.lit((170, 130, 80)), width=pen.u(0.7)
        )


def shop(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    _room(pen, hz, (235, 235, 230), (215, 215, 210), boards=False)
    for k in range(1, 7):  # floor tiles
        y = hz + (pen.h - hz) * (k / 7) ** 1.4
        pen.draw.line([(0, y), (pen.w, y)], fill=pal.lit((180, 180, 178)), width=1)
    pen.rect((0, 0, pen.w, pen.u(9)), pal.lit(scene.choice(((200, 50, 50), (40, 120, 190), (40, 150, 90)))))
    shelf = pal.lit((170, 175, 180))
    for k in range(4):
        y = hz * (0.25 + 0.18 * k)
        pen.rect((pen.w * 0.05, y, pen.w * 0.95, y + pen.u(1.2)), shelf)
        x = pen.w * 0.06
        while x < pen.w * 0.93:  # goods: boxes and cans
            gw = scene.uniform(2.5, 5) * pen.unit
            gh = scene.uniform(5, 9) * pen.unit
            colour = pal.lit(_SPINES[scene.randrange(len(_SPINES))])
            if scene.random() < 0.4:
                pen.draw.rounded_rectangle(
                    [x, y - gh * 0.7, x + gw * 0.7, y], radius=pen.u(0.8), fill=colour, outline=pen.outline
                )
            else:
                pen.draw.rectangle([x, y - gh, x + gw, y], fill=colour, outline=pen.outline)
            x += gw + pen.u(0.6)
    left = scene.random() < 0.5
    cx = pen.w * (0.02 if left else 0.66)
    pen.rect((cx, hz - pen.u(12), cx + pen.w * 0.32, hz), pal.lit((120, 90, 70)))  # the counter
    rx = cx + pen.w * 0.1
    pen.rect((rx, hz - pen.u(18), rx + pen.u(9), hz - pen.u(12)), pal.lit((60, 60, 65)))  # the till


def station(pen: ScenePen, hz: int) -> None:
    pal = pen.pal
    _room(pen, hz, (210, 200, 185), (195, 190, 180), boards=False)
    for k in range(3):  # tall arched windows
        x0 = pen.w * (0.05 + 0.32 * k)
        x1 = x0 + pen.w * 0.26
        top = hz * 0.12
        pen.fill((int(x0), int(top), int(x1), int(hz * 0.75)), pal.sky_at(0.2), pal.sky_at(0.9))
        pen.draw.pieslice(
            [x0, top - (x1 - x0) / 2, x1, top + (x1 - x0) / 2],
            180,
            360,
            fill=pal.sky_at(0.1),
            outline=pen.outline,
            width=pen.thin,
        )
        pen.draw.rectangle([x0, top, x1, hz * 0.75], outline=pen.outline, width=pen.thin)
        pen.draw.line(
            [((x0 + x1) / 2, top - (x1 - x0) / 2), ((x0 + x1) / 2, hz * 0.75)],
            fill=pal.lit((80, 80, 90)),
            width=pen.u(0.6),
        )
    pen.rect((pen.w * 0.05, hz * 0.58, pen.w * 0.95, hz * 0.75), pal.lit((70, 75, 85)))  # a train outside
    for k in range(10):
        x = pen.w * (0.08 + 0.088 * k)
        pen.draw.rectangle(
            [x, hz * 0.61, x + pen.w * 0.05, hz * 0.67],
            fill=pal.glow((255, 225, 150)) if pal.lamps_on else pal.lit((170, 200, 220)),
        )
    bx0, bx1 = pen.w * 0.3, pen.w * 0.7
    pen.rect((bx0, hz * 0.02, bx1, hz * 0.1), pal.lit((25, 25, 30)))  # the departures board
    for k in range(3):
        y = hz * 0.035 + k * hz * 0.022
        pen.draw.line([(bx0 + pen.u(2), y), (bx1 - pen.u(2), y)], fill=pal.glow((255, 180, 60)), width=pen.u(0.6))
    seat = pal.lit((60, 110, 170))
    for side in (0.02, 0.64):  # rows of seats
        for k in range(5):
            x = pen.w * side + k * pen.w * 0.068
            pen.rect((x, hz + pen.u(2), x + pen.w * 0.06, hz + pen.u(6)), seat)
            pen.rect((x, hz - pen.u(5), x + pen.w * 0.06, hz + pen.u(2)), mix(seat, (0, 0, 0), 0.2))
    pen.veil((0, hz, pen.w, pen.h), (255, 255, 255), 40, 0)  # a polished floor


def hospital(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    _room(pen, hz, (215, 235, 228), (205, 210, 208), boards=False)
    left = scene.random() < 0.5
    rail = hz * 0.06
    pen.draw.line([(0, rail), (pen.w, rail)], fill=pal.lit((160, 165, 170)), width=pen.u(0.8))
    cx0 = pen.w * (0.0 if left else 0.62)
    curtain = pal.lit((170, 200, 220))
    for k in range(6):  # a curtain in folds
        x = cx0 + k * pen.w * 0.38 / 6
        pen.rect((x, rail, x + pen.w * 0.38 / 6, hz), curtain if k % 2 else mix(curtain, (0, 0, 0), 0.12))
    crx, cry = pen.w * (0.75 if left else 0.2), hz * 0.3
    arm, thick = pen.u(4), pen.u(1.4)
    red = pal.lit((200, 50, 50))
    pen.draw.rectangle([crx - arm, cry - thick, crx + arm, cry + thick], fill=red)
    pen.draw.rectangle([crx - thick, cry - arm, crx + thick, cry + arm], fill=red)
    bed = pen.w * (0.58 if left else 0.0)
    metal = pal.lit((170, 175, 180))
    pen.rect((bed, hz - pen.u(4), bed + pen.w * 0.42, hz + (pen.h - hz) * 0.3), pal.lit((245, 245, 245)))
    pen.draw.line(
        [(bed + pen.u(1), hz - pen.u(16)), (bed + pen.u(1), hz + (pen.h - hz) * 0.3)], fill=metal, width=pen.u(1)
    )
    pole = bed + (pen.w * 0.45 if not left else -pen.u(3))
    pen.draw.line([(pole, hz * 0.35), (pole, hz + pen.u(6))], fill=metal, width=pen.u(0.6))
    pen.rect((pole - pen.u(2), hz * 0.35, pole + pen.u(2), hz * 0.35 + pen.u(6)), pal.lit((220, 235, 245)))


def lantern_room(pen: ScenePen, hz: int) -> None:
    """Inside a lighthouse's top: glazing all round, the sea far below, the great lens at the centre."""
    pal, scene = pen.pal, pen.scene
    glass_top, sill = int(hz * 0.06), hz - pen.u(10)
    pen.fill((0, 0, pen.w, hz), pal.lit((60, 65, 70)), pal.lit((80, 82, 85)))
    pen.sky(int(sill * 0.7))
    pen.sea(int(sill * 0.7), sill)
    iron = pal.lit((40, 42, 48))
    pen.rect((0, 0, pen.w, glass_top), iron)
    pane = pen.w / 4
    for k in range(5):  # mullions and the diagonal astragals of a lantern's glazing
        x = k * pane
        pen.draw.line([(x, glass_top), (x, sill)], fill=iron, width=pen.u(1.4))
        pen.draw.line([(x, glass_top), (x + pane, sill)], fill=iron, width=pen.u(0.5))
    pen.fill((0, sill, pen.w, hz), pal.lit((70, 60, 55)), pal.lit((50, 45, 42)))
    pen.fill((0, hz, pen.w, pen.h), pal.lit((90, 90, 95)), pal.lit((55, 55, 60)))
    for k in range(1, 5):  # a riveted iron floor
        y = hz + (pen.h - hz) * (k / 5) ** 1.3
        pen.draw.line([(0, y), (pen.w, y)], fill=iron, width=pen.thin)
    cx, ly, r = pen.w / 2, hz * 0.45, pen.u(12)
    if pal.lamps_on:
        pen.glow(int(cx), int(ly), pen.u(40), pal.glow((255, 230, 140)), 130)
    brass = pal.glow((250, 215, 110)) if pal.lamps_on else pal.lit((200, 190, 150))
    for k in range(5):  # the lens: stacked rings of prisms
        y = ly - r * 1.2 + k * r * 0.5
        half = r * (0.6 + 0.35 * (1 - abs(k - 2) / 2))
        pen.draw.ellipse(
            [cx - half, y - r * 0.3, cx + half, y + r * 0.3], fill=brass, outline=pen.outline, width=pen.thin
        )
    pen.rect((cx - pen.u(6), ly + r * 1.1, cx + pen.u(6), hz), pal.lit((60, 60, 66)))  # the pedestal
    gx = pen.w * (0.15 if scene.random() < 0.5 else 0.85)
    for dx, gr in ((0, 6), (pen.u(7), 4)):  # gears of the clockwork
        pen.disc(gx + dx, hz + pen.u(2) - pen.u(gr), pen.u(gr), pal.lit((120, 110, 90)))
        pen.disc(gx + dx, hz + pen.u(2) - pen.u(gr), pen.u(gr * 0.3), iron)


def spaceship(pen: ScenePen, hz: int) -> None:
    pal, scene = pen.pal, pen.scene
    hull = (55, 60, 75)
    _room(pen, hz, hull, (45, 48, 58), boards=False)
    seam = pal.lit((35, 38, 48))
    for x in range(0, pen.w, pen.u(14)):
        pen.draw.line([(x, 0), (x, hz)], fill=seam, width=pen.u(0.5))
    vx0, vx1, vy0, vy1 = pen.w * 0.1, pen.w * 0.9, hz * 0.12, hz * 0.62
    pen.draw.rounded_rectangle(
        [vx0, vy0, vx1, vy1], radius=pen.u(8), fill=(5, 6, 18), outline=pal.lit((140, 150, 170)), width=pen.u(1.5)
    )
    for _ in range(60):  # space, the same at any hour
        sx, sy = scene.uniform(vx0 + pen.u(3), vx1 - pen.u(3)), scene.uniform(vy0 + pen.u(3), vy1 - pen.u(3))
        pen.draw.point((sx, sy), fill=(240, 240, 255))
    px, py, pr = vx0 + (vx1 - vx0) * scene.uniform(0.6, 0.8), vy0 + (vy1 - vy0) * 0.65, pen.u(12)
    pen.draw.pieslice([px - pr, py - pr, px + pr, py + pr], 180, 360, fill=(70, 120, 190))
    glow = pal.glow((80, 230, 240))
    for k in range(2):  # ceiling light strips
        pen.draw.rectangle([0, pen.u(1 + 3 * k), pen.w, pen.u(1.6 + 3 * k)], fill=glow)
    pen.rect((0, hz - pen.u(12), pen.w, hz), pal.lit((70, 75, 90)))  # the console
    for k in range(14):
        bx = pen.w * (0.04 + 0.068 * k)
        colour = (240, 80, 70) if scene.random() < 0.25 else (80, 230, 240)
        pen.draw.rectangle([bx, hz - pen.u(9), bx + pen.u(3), hz - pen.u(7)], fill=pal.glow(colour))
    pen.veil((0, vy1, pen.w, hz - pen.u(12)), (80, 230, 240), 0, 40)


def plain_room(pen: ScenePen, hz: int) -> None:
    scene = pen.scene
    _room(pen, hz, (215, 200, 175), (160, 120, 85))
    wx0 = pen.w * (0.12 if scene.random() < 0.5 else 0.55)
    pen.window((int(wx0), int(hz * 0.12), int(wx0 + pen.w * 0.33), int(hz * 0.58)))
