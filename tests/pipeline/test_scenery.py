"""Places, light, weather and props of sketch panels (pipeline.image.sketch_scenery and the modules it draws with).

The scenery is drawn on a small stand-in for the panel (the layers the panel gives it: an opaque background, a
transparent effects layer), so these tests need neither fonts nor figures.
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image, ImageDraw

from pipeline.image import backdrops_outdoor as outdoor
from pipeline.image.backdrops import DRAWERS, scene_pen
from pipeline.image.palettes import DAYPARTS, daypart_for, palette_for
from pipeline.image.places import BACKDROPS, backdrop_for
from pipeline.image.props import PROPS, SKY, TABLETOP, prop_text, props_for
from pipeline.image.sketch_scenery import SceneryMixin, backdrop_of, weather_for
from pipeline.image.styles import style_look
from pipeline.models import StoryboardShot

# Each backdrop from a Chinese and an English place word, with the script's INT./EXT. where it decides.
PLACES = [
    ("street", "现代都市街道", "Main Street", False),
    ("classroom", "教室", "CLASSROOM", True),
    ("rooftop", "学校天台", "School Rooftop", False),
    ("home", "客厅", "living room", True),
    ("bedroom", "卧室", "Bedroom", True),
    ("office", "办公室", "the office", True),
    ("cafe", "咖啡馆", "Café", True),
    ("bookshop", "旧书店", "bookshop", True),
    ("shop", "便利店", "corner shop", True),
    ("market", "古镇夜市", "night market", False),
    ("station", "候车室", "train station waiting room", True),
    ("park", "公园", "city park", False),
    ("bridge", "古镇石桥", "old stone bridge", False),
    ("mountain_road", "盘山公路", "mountain road", False),
    ("forest", "森林", "forest", False),
    ("beach", "海边", "Rocky Coast", False),
    ("sea", "大海", "Open Sea", False),
    ("lighthouse", "灯塔", "lighthouse", False),
    ("lantern_room", "灯塔", "LANTERN ROOM", True),
    ("hospital", "医院病房", "hospital", True),
    ("temple", "寺庙", "temple", False),
    ("spaceship", "飞船驾驶舱", "launch pad", None),
    ("neutral", "某处", "somewhere", None),
]
# Each prop in a Chinese and an English sentence.
PROP_SENTENCES = [
    ("lantern", "她提着灯笼走来", "climbs the stairs with a lantern"),
    ("lamp", "台灯亮着", "The great lamp sputters"),
    ("street_lamp", "路灯一盏一盏亮了起来", "under a streetlight"),
    ("lighthouse", "远处的灯塔", "A lighthouse beam sweeps the sea"),
    ("boat", "一条小船靠岸", "a small fishing boat turns"),
    ("door", "他推门进来", "She opens the door"),
    ("window", "窗外下着雨", "looks out of the window"),
    ("umbrella", "撑着一把伞", "holding an umbrella"),
    ("phone", "手机响了", "checks her phone"),
    ("book", "她在看书", "reads a book"),
    ("cup", "一杯热茶", "sips from a cup"),
    ("table", "桌子上", "on the kitchen table"),
    ("chair", "坐在椅子上", "sits on a chair"),
    ("bench", "长椅上坐着老人", "on a park bench"),
    ("bicycle", "骑着自行车", "rides a bicycle"),
    ("car", "一辆汽车停下", "a car pulls up"),
    ("tree", "大树下", "under the old tree"),
    ("flower", "一束鲜花", "a bunch of flowers"),
    ("cat", "一只猫", "a cat yawns"),
    ("dog", "小狗跑过来", "the dog barks"),
    ("bag", "背着书包", "drops her bag"),
    ("letter", "一封信", "hands him a letter"),
    ("gift", "送给你的礼物", "unwraps a gift"),
    ("cake", "生日蛋糕", "a birthday cake"),
    ("guitar", "弹着吉他", "plays the guitar"),
    ("sword", "拔出长剑", "draws his sword"),
    ("candle", "点燃蜡烛", "lights a candle"),
    ("clock", "墙上的时钟", "the clock strikes twelve"),
    ("bed", "躺在床上", "lies on the bed"),
    ("computer", "打开电脑", "types on a laptop"),
    ("wrench", "握着扳手", "holds a wrench"),
    ("stairs", "走上楼梯", "climbs the spiral stairs"),
    ("sign", "路牌上写着", "a sign reads CLOSED"),
    ("bottle", "一瓶水", "a bottle of wine"),
    ("ball", "踢足球", "kicks the ball"),
    ("kite", "放风筝", "flies a kite"),
    ("candy_figure", "这个糖人是怎么做的", "a candy figure of a dragon"),
    ("mooncake", "吃月饼", "shares a mooncake"),
    ("moon", "月光洒下", "the moon rises"),
    ("bird", "一只鸟飞过", "a bird sings"),
    ("rock", "坐在石头上", "Rain lashes the rocks"),
    ("fire", "围着篝火", "around the campfire"),
]


class _Canvas(SceneryMixin):
    """The panel as scenery sees it: layers by name (the background opaque, the others transparent)."""

    def __init__(self, shot: StoryboardShot, size: tuple[int, int] = (270, 480), style: str = "comic",
                 seed: int = 1) -> None:  # fmt: skip
        self.shot = shot
        self.w, self.h = size
        self.unit = min(size) / 100
        self.rng = random.Random(seed)
        self.style = style_look(style)
        self.outline = self.style.outline
        self.line_w = max(2, int(0.5 * self.style.line_scale * self.unit))
        self.faces, self.anchors, self.mouths, self.sprites = {}, {}, {}, {}
        self.layers: dict[str, Image.Image] = {}
        self.layer("background")

    def layer(self, name: str) -> None:
        if name not in self.layers:
            mode, colour = ("RGB", (0, 0, 0)) if name == "background" else ("RGBA", (0, 0, 0, 0))
            self.layers[name] = Image.new(mode, (self.w, self.h), colour)  # type: ignore[arg-type]
        self.image = self.layers[name]
        self.draw = ImageDraw.Draw(self.image)

    def scenery(self) -> int:
        """As the panel draws it: the place, its props, then the weather on the effects layer."""
        horizon = self._background()
        self._props(horizon)
        self.layer("effects")
        self._weather()
        return horizon

    def flat(self) -> np.ndarray:
        image = self.layers["background"].copy()
        if "effects" in self.layers:
            image.paste(self.layers["effects"], (0, 0), self.layers["effects"])
        return np.asarray(image).astype(int)


def _shot(location: str, time: str = "白天", interior: bool | None = None, text: str = "", kind: str = "action",
          camera: str = "long", sound_effects: tuple[str, ...] = (), description: str = "") -> StoryboardShot:  # fmt: skip
    return StoryboardShot(order=1, scene_id=1, kind=kind, camera=camera, scene_description=description,  # type: ignore[arg-type]
                          location=location, time=time, interior=interior, characters=(), text=text, duration=2.0,
                          transition="cut", sound_effects=sound_effects)  # fmt: skip


def _background(shot: StoryboardShot, size: tuple[int, int] = (270, 480), style: str = "comic",
                seed: int = 1) -> np.ndarray:  # fmt: skip
    canvas = _Canvas(shot, size, style, seed)
    canvas._background()
    return canvas.flat()


def _luma(pixels: np.ndarray) -> np.ndarray:
    return pixels[..., 0] * 0.299 + pixels[..., 1] * 0.587 + pixels[..., 2] * 0.114


# -- places --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("backdrop", "chinese", "english", "interior"), PLACES, ids=[p[0] for p in PLACES])
def test_every_backdrop_is_chosen_from_chinese_and_english_place_words(backdrop, chinese, english, interior) -> None:
    assert backdrop_for(chinese, interior) == backdrop
    assert backdrop_for(english, interior) == backdrop
    assert backdrop_for(english.upper(), interior) == backdrop  # Fountain headings shout


def test_the_place_words_of_the_samples_and_their_traps() -> None:
    assert {p[0] for p in PLACES} == set(BACKDROPS) and len(BACKDROPS) >= 21
    assert backdrop_for("学校天台", False) == "rooftop"  # a rooftop before a school
    assert backdrop_for("咖啡店") == "cafe" and backdrop_for("书店") == "bookshop"  # before a shop
    assert backdrop_for("starship bridge") == "spaceship" and backdrop_for("Brooklyn Bridge") == "bridge"
    assert backdrop_for("lighthouse", interior=True) == "lantern_room"
    assert backdrop_for("Roadside diner") == "cafe"  # whole words: "roads" is no road, "diner" is
    assert backdrop_for("toward the ward") == "hospital" and backdrop_for("towards home") == "home"
    # Where the location names nothing, the description may: a place no word names is neutral.
    assert backdrop_of(_shot("某处", description="教室里,白天")) == "classroom"
    assert backdrop_of(_shot("某处")) == "neutral"


def test_backdrops_are_visibly_different() -> None:
    """Every pair differs in the layout of its colours (a coarse thumbnail), not in a few pixels."""
    thumbs: dict[str, np.ndarray] = {}
    for backdrop, _, english, interior in PLACES:
        pixels = _background(_shot(english, "day", interior), size=(108, 192))
        thumb = Image.fromarray(pixels.astype(np.uint8)).resize((6, 8), Image.Resampling.BOX)
        thumbs[backdrop] = np.asarray(thumb).astype(float)
    distances = {(a, b): float(np.abs(thumbs[a] - thumbs[b]).mean()) for a, b in itertools.combinations(thumbs, 2)}
    closest = min(distances, key=distances.__getitem__)
    print(f"closest backdrops: {closest} at {distances[closest]:.1f}")
    assert distances[closest] > 10


def _place(location: str, seed: int, interior: bool | None = None, horizon: int = 320) -> np.ndarray:
    """The place alone, drawn at a fixed horizon (the seed also tilts the camera; that is tested apart)."""
    canvas = _Canvas(_shot(location, "夜晚", interior), seed=seed)
    backdrop = backdrop_of(canvas.shot)
    draw = DRAWERS.get(backdrop, outdoor.open_land)
    draw(scene_pen(canvas), horizon)
    return canvas.flat()


@pytest.mark.parametrize(("backdrop", "chinese", "interior"), [(p[0], p[1], p[3]) for p in PLACES],
                         ids=[p[0] for p in PLACES])  # fmt: skip
def test_a_place_looks_the_same_in_every_shot_of_its_scene(backdrop, chinese, interior) -> None:
    """The place is seeded by its location: another seed moves the moon and the clouds, nothing on the ground."""
    a, b = _place(chinese, seed=1, interior=interior), _place(chinese, seed=2, interior=interior)
    moved = np.abs(a - b).sum(axis=2) > 0
    assert not moved[320:].any()
    assert moved.mean() < 0.08


def test_another_place_of_the_same_kind_is_laid_out_differently() -> None:
    a, b = _place("现代都市街道", seed=1), _place("Main Street", seed=1)
    assert (np.abs(a - b).sum(axis=2) > 0)[200:320].mean() > 0.2  # another skyline


def test_the_horizon_is_returned_and_follows_the_camera() -> None:
    horizons = {camera: _Canvas(_shot("公园", camera=camera))._background() for camera in ("low-angle", "high-angle")}
    assert 480 * 0.3 < horizons["high-angle"] < horizons["low-angle"] < 480 * 0.9


# -- light -------------------------------------------------------------------------------------------------------


def test_time_words_in_both_languages_name_the_time_of_day() -> None:
    times = {"白天": "day", "清晨": "dawn", "傍晚": "dusk", "夜晚": "night", "深夜": "night", "DAY": "day",
             "Dawn": "dawn", "sunset": "dusk", "Night": "night", "MIDNIGHT": "night"}  # fmt: skip
    assert {word: daypart_for(word) for word in times} == times
    assert daypart_for("CONTINUOUS", "古镇夜市") == "night"  # the place says what the time does not
    assert daypart_for("LATER") == "day"


def test_day_dusk_and_night_skies_darken_in_that_order() -> None:
    tops = {}
    for word in ("白天", "黄昏", "夜晚"):
        pixels = _background(_shot("公园", word))
        tops[word] = _luma(pixels[: 480 // 5]).mean()
    assert tops["白天"] > tops["黄昏"] + 20 > tops["夜晚"] + 40
    assert len({palette_for(d, indoor).sky_at(0) for d in DAYPARTS for indoor in (False, True)}) >= 4


def test_a_room_at_night_is_lit_warm_with_a_dark_window() -> None:
    day, night = _background(_shot("客厅", "白天", True)), _background(_shot("客厅", "晚上", True))
    outdoors = _background(_shot("公园", "晚上"))
    wall = (slice(int(480 * 0.6), int(480 * 0.62)), slice(None))  # a band of wall, under the window
    assert night[wall].mean() > outdoors[: 480 // 2].mean() + 60  # the lamps are on
    r, b = night[wall][..., 0].mean(), night[wall][..., 2].mean()
    assert r - b > day[wall][..., 0].mean() - day[wall][..., 2].mean()  # warmer than daylight
    dark_day, dark_night = ((_luma(p)[int(480 * 0.15) : int(480 * 0.3)] < 60).mean() for p in (day, night))
    assert dark_night > dark_day + 0.15  # the window shows the night outside


@pytest.mark.parametrize("style", ["chinese", "noir", "watercolor"])
def test_styles_shape_the_place(style) -> None:
    """Ink wash draws grey ink mountains in mist, noir hardens the contrast, watercolour softens the edges."""
    shot = _shot("公园", "白天")
    plain, styled = _background(shot, style="comic"), _background(shot, style=style)
    if style == "chinese":
        band = slice(int(480 * 0.4), int(480 * 0.66))

        def ink(pixels: np.ndarray) -> int:
            grey = pixels[band].max(axis=2) - pixels[band].min(axis=2) < 25
            return int((grey & (_luma(pixels[band]) < 150)).sum())

        assert ink(styled) > ink(plain) + 2000
    elif style == "noir":
        assert _luma(styled).std() > _luma(plain).std() * 1.15
    else:

        def sharpness(pixels: np.ndarray) -> float:  # edge strength against overall contrast
            luma = _luma(pixels)
            return float(np.abs(np.diff(luma, axis=1)).mean() / luma.std())

        assert sharpness(styled) < sharpness(plain) * 0.8


# -- weather -----------------------------------------------------------------------------------------------------


def test_weather_is_read_from_place_time_action_and_sound() -> None:
    assert weather_for(_shot("Rocky Coast", "Night", text="Rain lashes the rocks.")) == {"rain"}
    assert weather_for(_shot("Rocky Coast", "Night", kind="dialogue", sound_effects=("thunder",))) == {"rain"}
    assert weather_for(_shot("学校天台", "夜晚", kind="dialogue", sound_effects=("风声",))) == {"wind"}
    assert weather_for(_shot("街道", "下雪的夜晚")) == {"snow"}
    assert weather_for(_shot("山路", "清晨", text="大雾弥漫,下起了雨")) == {"fog", "rain"}
    assert weather_for(_shot("Moors", "DAY", text="A blizzard howls.")) == {"snow", "wind"}
    assert weather_for(_shot("公园", text="他们在风景里放风筝")) == set()  # 风景, 风筝: no wind
    assert weather_for(_shot("街道", kind="dialogue", text="明天会下雨吗?")) == set()  # said, not seen


def _effects(words: str, faces: dict | None = None) -> tuple[_Canvas, np.ndarray, np.ndarray]:
    """The place without and with the weather `words` name, and the effects layer's alpha."""
    canvas = _Canvas(_shot("公园", "白天", text=words), size=(540, 960))
    canvas._background()
    before = canvas.flat()
    canvas.faces = faces or {}
    canvas.layer("effects")
    canvas._weather()
    return canvas, before, np.asarray(canvas.layers["effects"])[..., 3].astype(int)


def _elongation(mask: np.ndarray) -> float:
    """A mask's mean run length down over its mean run length across: streaks that fall are long, round flakes
    about 1, streaks blown sideways short."""
    runs_down = (mask[1:] & ~mask[:-1]).sum() + mask[0].sum()
    runs_across = (mask[:, 1:] & ~mask[:, :-1]).sum() + mask[:, 0].sum()
    return float(runs_across) / max(1, int(runs_down))


def test_rain_falls_in_sparse_see_through_streaks() -> None:
    _, _, alpha = _effects("暴雨")
    drops = alpha > 0
    assert 0.003 < drops.mean() < 0.12  # sparse
    assert alpha[drops].max() < 200  # see-through
    assert _elongation(drops) > 3  # streaks falling


def test_snow_falls_in_round_flakes() -> None:
    _, _, alpha = _effects("大雪纷飞")
    flakes = alpha > 0
    assert 0.005 < flakes.mean() < 0.15
    assert 0.6 < _elongation(flakes) < 1.6


def test_wind_blows_across() -> None:
    _, _, alpha = _effects("A strong wind")
    assert (alpha > 0).mean() > 0.002
    assert _elongation(alpha > 0) < 0.5


def test_fog_lowers_the_contrast() -> None:
    canvas, before, alpha = _effects("浓雾")
    after = canvas.flat()
    assert _luma(after).std() < 0.7 * _luma(before).std()
    assert (alpha > 0).mean() > 0.95


def test_fog_thins_over_a_face_without_a_box_around_it() -> None:
    from pipeline.image.weather import _fog

    veil = Image.new("RGBA", (400, 600), (0, 0, 0, 0))
    _fog(veil, [(100.0, 100.0, 300.0, 300.0)], night=False)
    alpha = np.asarray(veil)[..., 3].astype(int)
    assert alpha[200, 200] * 2 < alpha[200, 390]  # the face's centre is clear, beside it the fog is whole
    steps = max(np.abs(np.diff(alpha, axis=0)).max(), np.abs(np.diff(alpha, axis=1)).max())
    assert steps <= 4  # it thickens smoothly: no edge where the face's box ends


def test_indoors_the_weather_stays_outside() -> None:
    canvas = _Canvas(_shot("客厅", "白天", True, text="窗外下着大雨,刮着大风"))
    canvas.scenery()
    assert canvas.layers["effects"].getbbox() is None  # no rain in the room
    window_sky = _background(_shot("客厅", "白天", True))
    assert canvas.flat()[: 480 // 3].mean() < window_sky[: 480 // 3].mean()  # a grey sky in the window


@pytest.mark.parametrize("words", ["Rain lashes the rocks", "大雪", "wind howls", "雾"])
def test_weather_keeps_off_faces(words) -> None:
    face = (200, 250, 340, 400)
    _, _, alpha = _effects(words, faces={"Maya": face})
    inside = alpha[face[1] : face[3], face[0] : face[2]]
    if words == "雾":
        assert inside.mean() < 0.5 * alpha.mean()  # thinned, so the expression reads
    else:
        assert inside.max() == 0


# -- props -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("prop", "chinese", "english"), PROP_SENTENCES, ids=[p[0] for p in PROP_SENTENCES])
def test_props_are_found_in_chinese_and_english(prop, chinese, english) -> None:
    assert prop in props_for(chinese)
    assert prop in props_for(english)


def test_props_vocabulary_is_broad_and_avoids_false_friends() -> None:
    assert len({p[0] for p in PROP_SENTENCES}) >= 30 and {p[0] for p in PROP_SENTENCES} <= set(PROPS)
    assert props_for("Maya climbs the spiral stairs with a lantern.") == ["stairs", "lantern"]  # in order
    assert props_for("远处的灯塔") == ["lighthouse"]  # not a lamp as well
    assert props_for("背着书包") == ["bag"] and props_for("吃月饼") == ["mooncake"]
    for words in ("他在部门工作", "等了十分钟", "我相信你", "吃面包", "花钱", "地球", "风景"):
        assert props_for(words) == [], words


def test_props_come_from_action_and_description_not_from_the_place_name() -> None:
    canvas = _Canvas(_shot("Lantern Room", "Night", True, description="Wide shot of Old Tom (Lantern Room, Night)"))
    horizon = canvas._background()
    before = canvas.flat()
    canvas._props(horizon)
    assert np.array_equal(before, canvas.flat())  # "Lantern Room" names no lantern prop
    said = _Canvas(_shot("公园", text="把伞给我", kind="dialogue"))
    horizon = said._background()
    before = said.flat()
    said._props(horizon)
    assert np.array_equal(before, said.flat())  # an umbrella said is not an umbrella seen
    rose = replace(_shot("Garden", text="Rose waits.", description="Close-up of Rose (Garden, Day)"),
                   characters=("Rose",))  # fmt: skip
    assert "Rose" not in prop_text(rose) and props_for(prop_text(rose)) == []  # a girl called Rose is no flower
    assert weather_for(replace(_shot("Moor", text="Storm sleeps."), characters=("Storm",))) == set()


@pytest.mark.parametrize("prop", PROPS)
def test_each_prop_is_drawn_at_the_sides_or_low_never_where_faces_go(prop) -> None:
    indoor = prop in TABLETOP  # on a table in a room; the rest outdoors
    words = next(english for name, _, english in PROP_SENTENCES if name == prop)
    shot = _shot("客厅" if indoor else "公园", "白天", indoor or None, text=words)
    canvas = _Canvas(shot, size=(540, 960))
    horizon = canvas._background()
    before = canvas.flat()
    canvas._props(horizon)
    changed = np.abs(canvas.flat() - before).sum(axis=2) > 30
    assert changed.sum() > 40, prop
    centre = changed[int(960 * 0.05) : int(960 * 0.5), int(540 * 0.32) : int(540 * 0.68)]
    assert centre.sum() == 0, prop
    if prop not in SKY:
        ys = np.nonzero(changed)[0]
        assert ys.max() > 960 * 0.45  # standing on something, not floating in the sky


def test_table_top_things_stand_on_a_table_indoors() -> None:
    canvas = _Canvas(_shot("客厅", "白天", True, text="桌上放着蛋糕和蜡烛"), size=(540, 960))
    horizon = canvas._background()
    before = canvas.flat()
    canvas._props(horizon)
    changed = np.abs(canvas.flat() - before).sum(axis=2) > 30
    xs, ys = np.nonzero(changed)[1], np.nonzero(changed)[0]
    assert ys.min() > horizon and (xs.max() < 540 * 0.4 or xs.min() > 540 * 0.6)  # low, at one side


# -- the whole ---------------------------------------------------------------------------------------------------


def test_same_request_same_pixels() -> None:
    shot = _shot("Rocky Coast", "Night", False, text="Rain lashes the rocks. A lighthouse beam sweeps the sea.",
                 sound_effects=("thunder",))  # fmt: skip
    runs = []
    for _ in range(2):
        canvas = _Canvas(shot, seed=7)
        canvas.scenery()
        runs.append(canvas.flat().tobytes())
    assert runs[0] == runs[1]


def test_scenery_speed_at_full_size() -> None:
    """Background and props of a 1080x1920 panel, every backdrop (printed; the budget is well under 0.15 s)."""
    timings = {}
    for backdrop, chinese, _, interior in PLACES:
        shot = _shot(chinese, "夜晚", interior, text="一只猫坐在长椅旁,桌上有一杯茶和一本书,树下挂着灯笼")
        canvas = _Canvas(shot, size=(1080, 1920), style="chinese")
        start = time.perf_counter()
        horizon = canvas._background()
        canvas._props(horizon)
        timings[backdrop] = time.perf_counter() - start
    slowest = max(timings, key=timings.__getitem__)
    mean = sum(timings.values()) / len(timings)
    print(f"scenery 1080x1920: mean {mean * 1000:.1f} ms, slowest {slowest} {timings[slowest] * 1000:.1f} ms")
