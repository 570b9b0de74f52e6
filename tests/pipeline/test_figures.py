"""Characters drawn from the script: every appearance field shows where it should, arms, hands and feet, ages and
styles in proportion, poses from the words, an expression per emotion (fear is not anger), framing by camera, the
faces and talking sprites a motion comic needs, and looks that keep a cast apart.

Figures are drawn on a plain white sheet with real layers (`_Sheet`), so colours are exactly the Look's."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from pipeline.emotions import EMOTIONS
from pipeline.image.base import PanelRequest
from pipeline.image.canvas import Box
from pipeline.image.figure_body import Skeleton, pose_skeleton
from pipeline.image.looks import DISTINCT, Look, cast_looks, colour_signature, signature_distance
from pipeline.image.poses import choose_pose, words_about
from pipeline.image.sketch import SketchImageBackend
from pipeline.image.sketch_figures import FigureMixin, Placement
from pipeline.image.styles import style_look
from pipeline.models import Character, StoryboardShot
from pipeline.parse import parse_script

WHITE = (255, 255, 255)
PINK, RED, YELLOW, BLUE = (240, 150, 180), (205, 40, 48), (235, 190, 40), (50, 90, 190)
EMOTION_WORDS = {"neutral": "平静", "happy": "开心", "sad": "伤心", "angry": "生气", "nervous": "紧张", "shy": "害羞",
                 "surprised": "惊讶", "scared": "害怕", "determined": "坚定", "tired": "疲惫"}  # fmt: skip


class _Sheet(FigureMixin):
    """FigureMixin on a white sheet: no scenery, no effects, no style colouring; layers kept apart as the panel
    keeps them, and each figure's joints kept for the tests."""

    def __init__(self, request: PanelRequest) -> None:
        self.req, self.shot = request, request.shot
        self.w, self.h = request.width, request.height
        self.unit = min(self.w, self.h) / 100
        self.rng = random.Random(request.seed)
        self.style = style_look(request.style)
        self.outline = self.style.outline
        self.line_w = max(2, int(0.5 * self.style.line_scale * self.unit))
        self.anchors, self.faces, self.mouths, self.sprites = {}, {}, {}, {}
        self.layers: dict[str, Image.Image] = {}
        self.skeletons: dict[str, Skeleton] = {}
        self.layer("background")
        self._characters(int(self.h * 0.7))

    def layer(self, name: str) -> None:
        if name not in self.layers:
            self.layers[name] = Image.new("RGB", (self.w, self.h), WHITE) if name == "background" else Image.new(
                "RGBA", (self.w, self.h), (0, 0, 0, 0))  # fmt: skip
        self.image = self.layers[name]
        self.draw = ImageDraw.Draw(self.image)

    def _figure(self, p: Placement) -> None:
        super()._figure(p)
        self.skeletons[p.name] = pose_skeleton(p.build, p.pose, p.x, p.head_y, p.r, p.facing)

    def flat(self) -> np.ndarray:
        image = self.layers["background"].copy()
        for name, layer in self.layers.items():
            if name != "background":
                image.paste(layer, (0, 0), layer)
        return np.asarray(image).astype(int)

    def alpha(self, name: str) -> np.ndarray:
        return np.asarray(self.layers[f"character:{name}"].getchannel("A")) > 0


def _shot(names: tuple[str, ...], camera: str = "medium", emotion: str | None = None, text: str = "",
          kind: str = "dialogue") -> StoryboardShot:  # fmt: skip
    return StoryboardShot(order=1, scene_id=1, kind=kind, camera=camera, scene_description="", location="公园",  # type: ignore[arg-type]
                          time="白天", interior=False, characters=names, text=text, duration=2.0, transition="cut",
                          speaker=names[0] if names and kind == "dialogue" else None, emotion=emotion)  # fmt: skip


def _sheet(*characters: Character, camera: str = "medium", style: str = "comic", size: tuple[int, int] = (540, 960),
           seed: int = 1, framed: tuple[str, ...] | None = None, **shot: str) -> _Sheet:  # fmt: skip
    names = framed if framed is not None else tuple(c.name for c in characters)
    request = PanelRequest(shot=_shot(names, camera, **shot), characters={c.name: c for c in characters},
                           width=size[0], height=size[1], style=style, seed=seed)  # fmt: skip
    return _Sheet(request)


def _near(pixels: np.ndarray, colour: tuple[int, int, int], tolerance: int = 6) -> np.ndarray:
    return np.abs(pixels - np.array(colour)).sum(axis=-1) <= tolerance


def _crop(pixels: np.ndarray, box: Box) -> np.ndarray:
    x0, y0, x1, y1 = (max(0, v) for v in box)
    return pixels[y0:y1, x0:x1]


def _girl(appearance: dict[str, str] | None = None, **attributes: str) -> Character:
    return Character("Mia", {"gender": "女", "age": "25", **attributes}, {"hair": "black short hair", **(appearance or {})})


# -- appearance ---------------------------------------------------------------------------------------------------


def test_bald_draws_no_hair_and_twin_tails_hang_either_side() -> None:
    haired = _sheet(Character("Bo", {"gender": "男"}, {"hair": "black short hair"}))
    bald = _sheet(Character("Bo", {"gender": "男"}, {"hair": "光头"}))
    for sheet, hair_pixels in ((haired, lambda n: n > 500), (bald, lambda n: n == 0)):
        x0, y0, x1, y1 = sheet.faces["Bo"]
        above_eyes = _crop(sheet.flat(), (x0 - 40, y0 - 40, x1 + 40, y0 + (y1 - y0) // 3))
        assert hair_pixels(int(_near(above_eyes, (30, 28, 32)).sum()))
    tails = _sheet(_girl({"hair": "pink twin tails"}))
    short = _sheet(_girl({"hair": "pink short hair"}))
    for sheet, expect in ((tails, True), (short, False)):
        x0, y0, x1, y1 = sheet.faces["Mia"]
        pixels = sheet.flat()
        beside = [_crop(pixels, (x0 - (x1 - x0), y0, x0 - 8, y1 + (y1 - y0))),
                  _crop(pixels, (x1 + 8, y0, x1 + (x1 - x0), y1 + (y1 - y0)))]  # fmt: skip
        assert all((int(_near(side, PINK).sum()) > 800) == expect for side in beside)


def test_a_plaid_shirt_shows_two_colours_and_glasses_and_a_backpack_are_drawn() -> None:
    plaid = _sheet(_girl({"clothing": "red plaid shirt"}))
    plain = _sheet(_girl({"clothing": "red shirt"}))
    for sheet, expect in ((plaid, True), (plain, False)):
        sk = sheet.skeletons["Mia"]
        chest = _crop(sheet.flat(), (round(sk.x - 0.6 * sk.waist), round(sk.chest), round(sk.x - 0.15 * sk.waist),
                                     round(sk.waist_y)))  # fmt: skip
        red, dark = _near(chest, RED, 10).mean(), _near(chest, tuple(int(c * 0.6) for c in RED), 10).mean()
        assert red > 0.15 and (dark > 0.15) == expect
    frame = (40, 40, 50)
    with_glasses = _sheet(_girl({"accessories": "glasses"}))
    without = _sheet(_girl())
    assert _near(_crop(with_glasses.flat(), with_glasses.faces["Mia"]), frame, 0).sum() > 100
    assert _near(_crop(without.flat(), without.faces["Mia"]), frame, 0).sum() == 0
    packed = _sheet(_girl({"accessories": "pink backpack"}))
    pixels, sk = packed.flat(), packed.skeletons["Mia"]
    over_shoulders = _crop(pixels, (round(sk.x - sk.shoulders), round(sk.top - 0.3 * sk.r), round(sk.x - 0.4 * sk.r),
                                    round(sk.top)))  # fmt: skip
    straps = _crop(pixels, (round(sk.x - 0.3 * sk.r), round(sk.chest), round(sk.x + sk.shoulders), round(sk.waist_y)))
    assert _near(over_shoulders, PINK).sum() > 100 and _near(straps, PINK).sum() > 300
    assert _near(without.flat(), PINK).sum() == 0


# Each field of the structured appearance, and where on the figure it must change the drawing.
FIELDS = [
    ({"gender": "男"}, {}, "body"), ({"age": "70"}, {}, "head"), ({"age": "15"}, {}, "body"),
    ({}, {"build": "chubby"}, "body"), ({}, {"build": "muscular"}, "body"), ({}, {"build": "slim"}, "body"),
    ({}, {"build": "tall"}, "legs"), ({}, {"hair": "blond short hair"}, "head"), ({}, {"hair": "long black hair"}, "head"),
    ({}, {"hair": "ponytail"}, "head"), ({}, {"hair": "braids"}, "body"), ({}, {"hair": "丸子头"}, "head"),
    ({}, {"hair": "卷发"}, "head"), ({}, {"hair": "波波头"}, "head"), ({}, {"hair": "wavy long hair"}, "head"),
    ({}, {"facial_hair": "beard"}, "face"), ({}, {"facial_hair": "moustache"}, "face"),
    ({}, {"skin": "tanned"}, "face"), ({}, {"skin": "freckles"}, "face"),
    *(({}, {"clothing": item}, "body") for item in ("white shirt", "T恤", "毛衣", "hoodie", "suit", "校服", "coat",
                                                     "jacket", "dress", "robe", "汉服", "旗袍")),
    ({}, {"clothing": "blue striped shirt"}, "body"), ({}, {"clothing": "jeans"}, "legs"),
    ({}, {"clothing": "skirt"}, "legs"), ({}, {"clothing": "shorts"}, "legs"), ({}, {"clothing": "red boots"}, "feet"),
    ({}, {"clothing": "sandals"}, "feet"),
    *(({}, {"accessories": item}, where) for item, where in (
        ("sunglasses", "face"), ("hat", "head"), ("cap", "head"), ("beanie", "head"), ("scarf", "body"),
        ("bag", "body"), ("tie", "body"), ("earrings", "head"), ("mask", "face"), ("headphones", "head"),
        ("necklace", "body"), ("apron", "body"), ("cane", "legs"))),
]  # fmt: skip


@pytest.mark.parametrize(("attributes", "appearance", "where"), FIELDS, ids=lambda v: str(v))
def test_every_appearance_field_changes_the_figure_where_it_is_worn(attributes, appearance, where) -> None:
    camera = "medium" if where in ("head", "face") else "long"
    base = _sheet(_girl(), camera=camera)
    changed = _sheet(_girl(appearance, **attributes), camera=camera)
    sk = base.skeletons["Mia"]
    hx, hy = sk.head
    r = sk.r
    regions = {"head": (hx - 2 * r, hy - 2 * r, hx + 2 * r, hy + r), "face": (hx - r, hy - r, hx + r, hy + r),
               "body": (sk.x - 3 * r, sk.top - r, sk.x + 3 * r, sk.crotch + r),
               "legs": (sk.x - 3 * r, sk.crotch, sk.x + 3 * r, sk.floor + 2 * r),
               "feet": (sk.x - 3 * r, sk.floor - 2 * r, sk.x + 3 * r, sk.floor + r)}  # fmt: skip
    box = tuple(round(v) for v in regions[where])
    diff = np.abs(_crop(base.flat(), box) - _crop(changed.flat(), box)).sum(axis=-1) > 30
    assert diff.sum() > 40, f"{appearance or attributes} changed {diff.sum()} pixels of the {where}"


def test_long_shots_draw_arms_hands_and_shoes() -> None:
    sheet = _sheet(_girl({"clothing": "blue sweater, black trousers, red shoes"}), camera="long")
    pixels, sk = sheet.flat(), sheet.skeletons["Mia"]
    skin = Look.of(_girl()).skin
    for side in (-1, 1):
        hx, hy = sk.hands[side]
        assert tuple(pixels[round(hy), round(hx)]) == skin  # a hand at the end of each arm
        (ex, ey), (sx, sy) = sk.elbows[side], sk.shoulder_at[side]
        assert tuple(pixels[round((ey + sy) / 2), round((ex + sx) / 2)]) == BLUE  # a sleeve on the upper arm
        ax, _ = sk.ankles[side]
        assert _near(pixels[round(sk.floor - sk.foot_h * 0.4), round(ax - sk.r) : round(ax + sk.r)], RED).sum() > 5
    rows = np.nonzero(sheet.alpha("Mia").any(axis=1))[0]
    assert abs(rows[-1] - sk.floor) < 3 and _near(pixels[rows[-1] - 3], RED).sum() > 5  # the shoes stand lowest


def test_a_child_is_shorter_with_a_bigger_head_and_chibi_is_about_two_and_a_half_heads() -> None:
    def heads_tall(sheet: _Sheet) -> tuple[float, float]:
        rows = np.nonzero(sheet.alpha("Mia").any(axis=1))[0]
        x0, y0, x1, y1 = sheet.faces["Mia"]
        return rows[-1] - rows[0], (sheet.skeletons["Mia"].floor - y0) / (y1 - y0)

    adult, child = (heads_tall(_sheet(_girl(age=age), camera="long")) for age in ("30", "8"))
    assert child[0] < 0.75 * adult[0] and child[1] < adult[1] - 1.5
    teen = _sheet(_girl(age="15"), camera="long").skeletons["Mia"]
    grown = _sheet(_girl(age="30"), camera="long").skeletons["Mia"]
    assert teen.shoulders < grown.shoulders  # slimmer
    elder = _sheet(_girl(age="75"), camera="long").skeletons["Mia"]
    assert elder.head[1] - elder.top > grown.head[1] - grown.top  # stooped: the head sunk into the shoulders
    chibi = heads_tall(_sheet(_girl(), camera="long", style="chibi"))
    assert 2.2 < chibi[1] < 3.0 and adult[1] > 6.0


def test_poses_come_from_the_words_in_either_language_and_the_seed_varies_them() -> None:
    rng = random.Random(1)
    cases = {"他坐在长椅上": ("sit", None), "Mia sits down": ("sit", None), "她走向门口": ("walk", None),
             "Mia runs to the door": ("run", None), "小明指着窗外": (None, "pointing"), "Mia points at Bo": (None, "pointing"),
             "她抱臂站着": (None, "arms crossed"), "Mia crosses her arms": (None, "arms crossed"),
             "他抱头蹲下": (None, "hands on head"), "Mia waves goodbye": (None, "waving"), "她挥手": (None, "waving"),
             "坐着指着窗外": ("sit", "pointing")}  # fmt: skip
    for words, (legs, arms) in cases.items():
        pose = choose_pose(words, "neutral", rng)
        assert (legs is None or pose.legs == legs) and (arms is None or pose.name == arms), words
    assert choose_pose("", "scared", rng).name == "hands up" and choose_pose("", "sad", rng).head_down > 0.3
    assert choose_pose("Mia waves.", "neutral", rng).name == "waving"
    assert choose_pose("The waves crash on the rocks", "neutral", rng).name != "waving"
    assert choose_pose("她在走廊里", "neutral", rng).legs == "stand" and choose_pose("手指", "neutral", rng).name != "pointing"
    assert words_about("小明坐下，小红指着他", "小红", ("小明", "小红"), "小明") == "小红指着他"
    a, b = (choose_pose("Mia points", "neutral", random.Random(seed)) for seed in (1, 2))
    assert a.name == b.name and a.near != b.near  # the same pose, a little different


def test_a_pose_moves_the_figure() -> None:
    standing = _sheet(_girl(), camera="long")
    sitting = _sheet(_girl(), camera="long", text="Mia sits on the bench.")
    pointing = _sheet(_girl(), camera="long", text="Mia points at the sea.")
    stand, sit, point = (s.skeletons["Mia"] for s in (standing, sitting, pointing))
    assert sit.sitting and sit.head[1] > stand.head[1] + stand.r  # lower, on a seat
    far_hand = max(abs(point.hands[s][0] - point.x) for s in (-1, 1))
    assert far_hand > 3 * point.shoulders / 1.5 > max(abs(stand.hands[s][0] - stand.x) for s in (-1, 1))
    assert np.abs(standing.flat() - pointing.flat()).sum(axis=-1).astype(bool).sum() > 2000


# -- faces -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["comic", "anime", "chinese", "chibi"])
def test_each_expression_differs_from_neutral_and_fear_is_not_anger(style) -> None:
    faces, size = {}, None
    for emotion in EMOTIONS:  # the face boxes, the same size (a sad head hangs a little lower)
        sheet = _sheet(_girl(), camera="closeup", style=style, emotion=EMOTION_WORDS[emotion])
        x0, y0, x1, y1 = sheet.faces["Mia"]
        size = size or (x1 - x0, y1 - y0)
        faces[emotion] = _crop(sheet.flat(), (x0, y0, x0 + size[0], y0 + size[1]))
    for emotion in EMOTIONS:
        if emotion != "neutral":
            changed = (np.abs(faces[emotion] - faces["neutral"]).sum(axis=-1) > 30).mean()
            assert changed > 0.005, f"{emotion} looks neutral in {style}"
    h, w = faces["scared"].shape[:2]
    for band in ((0.28, 0.48), (0.48, 0.68)):  # not only the mouth: the brows and the eyes differ too
        rows, cols = slice(int(h * band[0]), int(h * band[1])), slice(int(w * 0.2), int(w * 0.8))
        scared, angry = faces["scared"][rows, cols], faces["angry"][rows, cols]
        assert (np.abs(scared - angry).sum(axis=-1) > 30).mean() > 0.02, band


def test_eyes_follow_the_style() -> None:
    """Anime: large eyes with whites and highlights; dot: small dark dots; chibi: the biggest eyes of all."""
    look = Look.of(_girl())
    whites, eyes = {}, {}
    for style in ("comic", "anime", "chinese", "chibi"):
        sheet = _sheet(_girl(), camera="closeup", style=style)
        x0, y0, x1, y1 = sheet.faces["Mia"]
        band = _crop(sheet.flat(), (x0, y0 + (y1 - y0) // 3, x1, y0 + (y1 - y0) * 2 // 3))
        whites[style] = int(_near(band, WHITE, 0).sum())
        eyes[style] = int((~_near(band, look.skin, 0) & ~_near(band, look.hair, 0)).sum())
    assert whites["anime"] > 5 * whites["comic"] and whites["chinese"] > 2 * whites["comic"]
    assert eyes["chibi"] > 1.25 * eyes["anime"] > 1.25 * eyes["comic"]


# -- framing ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(540, 960), (600, 600), (960, 540)])
def test_a_closeup_face_fills_most_of_the_width(size) -> None:
    sheet = _sheet(_girl(), camera="closeup", size=size)
    x0, _, x1, _ = sheet.faces["Mia"]
    assert (x1 - x0) >= 0.45 * size[0]


def test_an_establishing_shot_draws_nobody() -> None:
    sheet = _sheet(_girl(), camera="establishing")
    assert not sheet.faces and not sheet.anchors and len(sheet.layers) == 1


def test_over_the_shoulder_the_listener_is_seen_from_behind_clear_of_the_speakers_face() -> None:
    speaker = Character("Bo", {"gender": "男"}, {"hair": "black short hair", "clothing": "blue coat"})
    for hair in ("pink twin tails", "long pink hair", "pink afro", "pink bun"):
        for size in ((540, 960), (960, 540), (600, 600)):
            listener = _girl({"hair": hair, "clothing": "pink coat", "accessories": "straw hat"})
            sheet = _sheet(speaker, listener, camera="over-shoulder", size=size)
            assert set(sheet.faces) == {"Bo"}  # the listener shows no face
            x0, y0, x1, y1 = sheet.faces["Bo"]
            assert not sheet.alpha("Mia")[y0:y1, x0:x1].any(), (hair, size)
            listener_cols = np.nonzero(sheet.alpha("Mia").any(axis=0))[0]
            assert listener_cols[0] == 0 or listener_cols[-1] == size[0] - 1  # cut by the side edge
            assert sheet.alpha("Mia").sum() > 0.12 * size[0] * size[1]  # large, in front
            assert list(sheet.layers)[-1] == "character:Mia"  # drawn last


def test_angles_see_the_figure_from_below_and_from_above() -> None:
    below, above = (_sheet(_girl(), camera=c).skeletons["Mia"] for c in ("low-angle", "high-angle"))
    assert below.foot_w / below.r > 1.5 * above.foot_w / above.r  # big feet from below
    assert (below.floor - below.crotch) / below.r > 1.5 * (above.floor - above.crotch) / above.r  # long legs
    assert below.floor - below.head[1] > above.floor - above.head[1]  # a larger figure


def test_framed_characters_are_all_drawn_and_side_by_side() -> None:
    cast = [Character(n, {"gender": "男"}) for n in ("A", "B", "C")]
    sheet = _sheet(*cast, camera="long", kind="action")
    assert set(sheet.faces) == {"A", "B", "C"}
    xs = [sheet.anchors[n][0] for n in ("A", "B", "C")]
    assert xs == sorted(xs)  # in cast order, so they keep their sides from shot to shot
    boxes = [sheet.faces[n] for n in ("A", "B", "C")]
    assert all(a[2] <= b[0] for a, b in itertools.pairwise(boxes))


# -- what a motion comic needs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("camera", ["closeup", "medium", "long"])
def test_sprites_change_only_the_mouth_or_the_eyes(camera) -> None:
    sheet = _sheet(_girl({"accessories": "glasses", "facial_hair": "moustache"}), camera=camera, emotion="开心")
    layer = sheet.layers["character:Mia"]
    x0, y0, x1, y1 = sheet.faces["Mia"]
    mx, my = sheet.mouths["Mia"]
    fw, fh = x1 - x0, y1 - y0
    assert x0 < mx < x1 and y0 + fh // 2 < my < y1
    sprites = sheet.sprites["Mia"]
    assert set(sprites) == {"mouth_half", "mouth_open", "eyes_closed"}
    for state, sprite in sprites.items():
        pasted = layer.copy()
        pasted.paste(sprite.image, sprite.box[:2], sprite.image)
        changed = np.any(np.asarray(pasted) != np.asarray(layer), axis=-1)
        ys, xs = np.nonzero(changed)
        assert len(ys) > 4, state
        if state.startswith("mouth"):
            assert abs(xs - mx).max() <= 0.35 * fw and abs(ys - my).max() <= 0.25 * fh, state
        else:
            assert ys.max() < my - 0.1 * fh and ys.min() > y0 + 0.2 * fh, state  # the eyes' band


def test_everyone_framed_front_on_gets_sprites_and_a_masked_mouth_none() -> None:
    sheet = _sheet(_girl({"accessories": "口罩"}), Character("Bo"), camera="medium")
    assert "mouth_open" not in sheet.sprites["Mia"] and "eyes_closed" in sheet.sprites["Mia"]
    assert set(sheet.sprites["Bo"]) == {"mouth_half", "mouth_open", "eyes_closed"}


def test_the_speakers_panel_mouth_shows_the_emotion() -> None:
    happy = _sheet(_girl(), camera="closeup", emotion="开心")
    calm = _sheet(_girl(), camera="closeup")
    mx, my = happy.mouths["Mia"]
    box = (mx - 30, my - 20, mx + 30, my + 30)
    assert np.abs(_crop(happy.flat(), box) - _crop(calm.flat(), box)).sum() > 0


# -- the whole panel ----------------------------------------------------------------------------------------------


def test_the_same_request_draws_the_same_bytes_and_sprites(tmp_path: Path) -> None:
    cast = {"Mia": _girl({"hair": "pink twin tails", "clothing": "plaid shirt", "accessories": "backpack"}),
            "Bo": Character("Bo", {"gender": "男"}, {"hair": "光头"})}  # fmt: skip
    for camera in ("long", "over-shoulder", "closeup"):
        request = PanelRequest(shot=_shot(("Mia", "Bo"), camera, "害怕"), characters=cast, width=540, height=960,
                               style="anime", seed=5)  # fmt: skip
        paths = [tmp_path / f"{camera}{n}.png" for n in (1, 2)]
        for path in paths:
            SketchImageBackend().draw(request, str(path))
        assert paths[0].read_bytes() == paths[1].read_bytes()
        a, b = _Sheet(request), _Sheet(request)
        assert np.array_equal(a.flat(), b.flat()) and a.faces == b.faces
        assert all(np.array_equal(np.asarray(a.sprites[n][s].image), np.asarray(b.sprites[n][s].image))
                   for n in a.sprites for s in a.sprites[n])  # fmt: skip


def test_a_character_looks_the_same_in_every_shot() -> None:
    """The look comes from the character and the cast alone: not from the shot, its camera or who else is in it."""
    cast = [Character("Mia", {"gender": "女"}), Character("Bo", {"gender": "男"})]
    look = cast_looks(cast)["Mia"]
    assert look == cast_looks(list(cast))["Mia"] and look.clothing != cast_looks(cast)["Bo"].clothing
    for framed, camera in ((("Mia",), "medium"), (("Bo", "Mia"), "long"), (("Mia", "Bo"), "closeup")):
        layer = np.asarray(_sheet(*cast, framed=framed, camera=camera).layers["character:Mia"])[..., :3].astype(int)
        assert _near(layer, look.clothing).sum() > 200, (framed, camera)


def test_no_two_characters_of_a_cast_are_confusable(samples) -> None:
    casts = [list(parse_script(text).characters) for text in samples.values()]
    six = [Character(n, {"gender": g, "age": a}) for n, g, a in (("甲", "男", "16"), ("乙", "女", "16"), ("丙", "男", "40"),
                                                                   ("丁", "女", "40"), ("戊", "男", "16"), ("己", "女", "16"))]
    # A colour the script gives one character is not another's default; two described alike (whose default hair
    # would be the same) get different hair.
    said = [*six[:3], Character("Blue", {"gender": "男"}, {"clothing": "blue coat"})]
    alike = [Character(n, {"gender": "男"}, {"clothing": "white shirt, black trousers"}) for n in ("Yan", "Zoe")]
    for cast in [*casts, six, said, alike]:
        looks = cast_looks(cast)
        for (a, la), (b, lb) in itertools.combinations(looks.items(), 2):
            assert signature_distance(la, lb) >= DISTINCT, (a, b, colour_signature(la), colour_signature(lb))
    looks = cast_looks(alike)
    assert looks["Yan"].clothing == looks["Zoe"].clothing == (235, 235, 238)  # what the script says is kept
    assert cast_looks(said)["Blue"].clothing == (50, 90, 190) != cast_looks(said)["甲"].clothing


def test_the_panel_reports_faces_and_mouths(tmp_path: Path) -> None:
    request = PanelRequest(shot=_shot(("Mia",), "closeup", "开心"), characters={"Mia": _girl()}, width=540,
                           height=960, style="comic", seed=2)  # fmt: skip
    drawn = SketchImageBackend().draw(replace(request), str(tmp_path / "p.png"))
    x0, y0, x1, y1 = drawn.params["faces"]["Mia"]
    mx, my = drawn.params["mouths"]["Mia"]
    assert x1 - x0 >= 0.45 and x0 < mx < x1 and y0 < my < y1
