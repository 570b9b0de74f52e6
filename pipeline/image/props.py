"""Props named in a shot's action line, narration or description (zh and en): which ones, and where in the panel
they stand (the sides and the lower third, clear of where faces go), drawn by prop_shapes."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from pipeline.image import prop_shapes as home
from pipeline.image import prop_shapes_outdoor as outdoor
from pipeline.image.backdrops import scene_pen
from pipeline.image.canvas import PanelCanvas
from pipeline.image.places import backdrop_of, without_names, words_pattern
from pipeline.image.scene_pen import ScenePen
from pipeline.models import StoryboardShot

# Checked in this order, each match used up: "灯塔" is a lighthouse before "灯" is a lamp, "书包" a bag before
# "书" a book, "月饼" a moon-cake before "月" a moon. Chinese words are compounds where the single character also
# means something else ("门" in 部门, "包" in 面包, "钟" in 分钟, "信" in 相信, "花" in 花钱).
PROP_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "lighthouse": (("灯塔",), ("lighthouse", "beacon")),
    "street_lamp": (("路灯", "街灯"), ("street lamp", "streetlamp", "streetlight", "street light", "lamppost",
                                     "lamp post")),
    "lantern": (("灯笼", "提灯", "孔明灯", "花灯", "灯火"), ("lantern", "paper lantern")),
    "mooncake": (("月饼",), ("mooncake", "moon cake")),
    "candy_figure": (("糖人", "糖画", "糖龙", "糖葫芦"), ("candy figure", "sugar figure", "sugar painting",
                                                      "candy dragon", "lollipop")),
    "bicycle": (("自行车", "单车", "脚踏车"), ("bicycle", "bike", "cycle")),
    "bench": (("长椅", "长凳"), ("bench",)),
    "flower": (("花瓶", "花朵", "鲜花", "花束", "一束花", "樱花", "玫瑰", "荷花", "菊花", "花盆", "花丛"),
               ("flower", "bouquet", "rose", "tulip", "blossom", "vase")),
    "bag": (("书包", "背包", "包包", "手提包", "钱包", "行李", "箱子", "袋子"),
            ("bag", "backpack", "suitcase", "luggage", "handbag", "purse", "satchel", "briefcase")),
    "computer": (("电脑", "计算机", "显示器"), ("computer", "laptop", "monitor")),
    "table": (("桌", "茶几", "柜台"), ("table", "desk", "counter")),
    "book": (("书本", "课本", "小说", "日记", "一本书", "看书", "读书", "翻书", "书页", "书籍", "书架", "这本书",
              "那本书"), ("book", "novel", "notebook", "diary", "textbook")),
    "letter": (("信封", "信件", "一封信", "情书", "书信", "写信", "来信", "寄信", "信纸", "纸条"),
               ("letter", "envelope", "note")),
    "cake": (("蛋糕",), ("cake", "cupcake")),
    "cup": (("杯",), ("cup", "mug", "teacup", "glass")),
    "bottle": (("瓶",), ("bottle", "flask")),
    "door": (("门口", "开门", "关门", "大门", "房门", "推门", "敲门", "门前", "木门", "铁门", "家门", "门边", "进门",
              "出门", "门外"), ("door", "doorway", "gate")),
    "window": (("窗",), ("window",)),
    "umbrella": (("伞",), ("umbrella", "parasol")),
    "phone": (("手机", "电话"), ("phone", "cellphone", "smartphone", "telephone", "mobile")),
    "chair": (("椅", "凳", "沙发"), ("chair", "stool", "armchair", "sofa", "couch", "seat")),
    "car": (("汽车", "轿车", "出租车", "小车", "车子", "开车", "停车"), ("car", "taxi", "van", "truck")),
    "tree": (("树",), ("tree", "oak", "pine", "willow")),
    "cat": (("猫",), ("cat", "kitten")),
    "dog": (("狗", "犬"), ("dog", "puppy")),
    "gift": (("礼物", "礼盒", "红包"), ("gift", "parcel", "package")),
    "guitar": (("吉他",), ("guitar",)),
    "sword": (("剑", "刀"), ("sword", "blade", "katana", "sabre", "saber", "knife")),
    "candle": (("蜡烛", "烛"), ("candle", "candlelight")),
    "clock": (("时钟", "钟表", "闹钟", "挂钟", "大钟", "钟楼"), ("clock", "alarm clock")),
    "bed": (("床",), ("bed",)),
    "wrench": (("扳手", "扳子", "工具"), ("wrench", "spanner", "tool")),
    "stairs": (("楼梯", "台阶", "阶梯", "梯子"), ("stairs", "staircase", "steps", "ladder", "stairway")),
    "sign": (("招牌", "牌子", "路牌", "指示牌", "告示"), ("sign", "signpost", "billboard", "placard")),
    "ball": (("足球", "篮球", "皮球", "排球", "网球", "气球", "踢球", "打球", "球拍"), ("ball", "football", "basketball")),
    "kite": (("风筝",), ("kite",)),
    "moon": (("月亮", "月光", "明月", "满月", "圆月", "月色"), ("moon", "moonlight")),
    "bird": (("鸟", "鸽子", "乌鸦", "海鸥", "燕子"), ("bird", "crow", "gull", "seagull", "pigeon", "dove", "sparrow")),
    "rock": (("石头", "岩石", "礁石", "巨石"), ("rock", "boulder", "stone")),
    "fire": (("篝火", "火堆", "火焰", "炉火", "营火"), ("fire", "campfire", "bonfire", "flame")),
    "boat": (("船", "舟"), ("boat", "ship", "sailboat", "canoe", "ferry", "yacht")),
    "lamp": (("灯",), ("lamp",)),
}  # fmt: skip
PROPS: tuple[str, ...] = tuple(PROP_WORDS)

# Where each prop goes: standing tall at a side on the horizon, hung on a side wall, in a top corner of the sky,
# on a table (indoors) or the ground, on the water, or on the ground in the lower third.
TALL = frozenset({"door", "stairs", "tree", "street_lamp", "car", "bed", "sign", "lighthouse"})
WALL = frozenset({"window", "clock", "lantern"})
SKY = frozenset({"kite", "moon", "bird"})
OUTDOOR_TALL = frozenset({"window", "clock"})  # out of doors, a window is in a wall and a clock on a post
TABLETOP = frozenset({"phone", "book", "cup", "cake", "candle", "letter", "computer", "bottle", "mooncake", "wrench",
                      "lamp"})  # fmt: skip
# A prop's height in units (1 % of the short side) where it stands nearest.
HEIGHTS: dict[str, float] = {
    "lighthouse": 30, "street_lamp": 42, "lantern": 7, "mooncake": 3, "candy_figure": 20, "bicycle": 14,
    "bench": 12, "flower": 9, "bag": 9, "computer": 6, "table": 12, "book": 2.6, "letter": 1.8, "cake": 5, "cup": 3.2,
    "bottle": 7, "door": 42, "window": 22, "umbrella": 18, "phone": 2, "chair": 15, "car": 20, "tree": 48,
    "cat": 8, "dog": 11, "gift": 8, "guitar": 17, "sword": 18, "candle": 5, "clock": 8, "bed": 14, "wrench": 1.6,
    "stairs": 40, "sign": 24, "ball": 6, "kite": 10, "moon": 10, "bird": 5, "rock": 9, "fire": 10, "boat": 9,
    "lamp": 10,
}  # fmt: skip
# What a backdrop already shows is not drawn again.
_SHOWN: dict[str, frozenset[str]] = {
    "street": frozenset({"street_lamp"}), "market": frozenset({"lantern"}), "lighthouse": frozenset({"lighthouse"}),
    "lantern_room": frozenset({"lamp", "lighthouse", "window"}), "bedroom": frozenset({"bed", "window"}),
    "hospital": frozenset({"bed"}), "home": frozenset({"window"}), "classroom": frozenset({"clock"}),
    "station": frozenset({"window"}), "office": frozenset({"window", "computer"}),
}  # fmt: skip
_WATER = frozenset({"beach", "sea", "lighthouse", "bridge"})
MOST_PROPS = 7  # more would crowd the sides
Shape = Callable[[ScenePen, float, float, float], None]
SHAPES: dict[str, Shape] = {
    "lighthouse": outdoor.lighthouse, "street_lamp": outdoor.street_lamp, "lantern": outdoor.lantern,
    "mooncake": home.mooncake, "candy_figure": outdoor.candy_figure, "bicycle": outdoor.bicycle,
    "bench": outdoor.bench, "flower": outdoor.flower, "bag": home.bag, "computer": home.computer, "table": home.table,
    "book": home.book, "letter": home.letter, "cake": home.cake, "cup": home.cup, "bottle": home.bottle,
    "door": home.door, "window": home.window, "umbrella": outdoor.umbrella, "phone": home.phone,
    "chair": home.chair, "car": outdoor.car, "tree": outdoor.tree, "cat": outdoor.cat, "dog": outdoor.dog,
    "gift": home.gift, "guitar": home.guitar, "sword": outdoor.sword, "candle": home.candle, "clock": home.clock,
    "bed": home.bed, "wrench": home.wrench, "stairs": outdoor.stairs, "sign": outdoor.sign, "ball": outdoor.ball,
    "kite": outdoor.kite, "moon": outdoor.moon, "bird": outdoor.bird, "rock": outdoor.rock, "fire": outdoor.fire,
    "boat": outdoor.boat, "lamp": home.lamp,
}  # fmt: skip


def props_for(text: str) -> list[str]:
    """The props `text` names, in the order it names them, each once.

    >>> props_for("Maya climbs the spiral stairs with a lantern.")
    ['stairs', 'lantern']
    """
    found: dict[str, int] = {}
    for name, pattern in _patterns():
        for match in pattern.finditer(text):
            found.setdefault(name, match.start())
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)  # used up: "灯塔" is no "灯" too
    return sorted(found, key=found.__getitem__)


class PropMixin(PanelCanvas):
    def _props(self, horizon: int) -> None:
        """Draw the props the shot's action, narration and description name on the current layer (the
        background, right after the place): tall ones at the side edges, small ones in the lower third, table-top
        things on a table indoors; never in the centre of the upper half, where faces go."""
        pen = scene_pen(self)
        backdrop = backdrop_of(self.shot)
        shown = _SHOWN.get(backdrop, frozenset())
        if pen.pal.night and not pen.pal.overcast:
            shown |= {"moon"}  # the night sky has one already
        names = [n for n in props_for(prop_text(self.shot)) if n not in shown and not (pen.pal.indoor and n in SKY)]
        if names:
            place_props(pen, names[:MOST_PROPS], horizon, left_first=self.rng.random() < 0.5, water=backdrop in _WATER)


def prop_text(shot: StoryboardShot) -> str:
    """The words props are read from: the action or narration line and the description, without the place's own
    name (a lantern room's description names no lantern), the characters' names, or what characters say."""
    description = shot.scene_description.replace(shot.location, " ") if shot.location else shot.scene_description
    line = shot.text if shot.kind != "dialogue" else ""
    return without_names(f"{line} {description}", shot)


def place_props(pen: ScenePen, names: list[str], horizon: int, left_first: bool, water: bool) -> None:
    """Stand each prop in its place: tall ones alternating between the side edges, wall and sky things high at
    the sides, table-top things on a table (indoors), the rest on the ground along the sides of the lower third."""
    sides = [left_first, not left_first]
    tall = TALL if pen.pal.indoor else TALL | OUTDOOR_TALL
    for k, name in enumerate(n for n in names if n in tall):
        left = sides[k % 2]
        x = pen.w * (0.1 + 0.14 * (k // 2) if left else 0.9 - 0.14 * (k // 2))
        far = name == "lighthouse"  # far off on the horizon
        base = horizon - pen.u(10) if far else horizon + pen.u(2)
        _shape(pen, name, x, base, HEIGHTS[name] * pen.unit * (0.45 if far else 1.0))
    for k, name in enumerate(n for n in names if n not in tall and (n in WALL or n in SKY)):
        x = pen.w * (0.12 if sides[(k + 1) % 2] else 0.88)
        _shape(pen, name, x, horizon * (0.16 if name in SKY else 0.45), HEIGHTS[name] * pen.unit)
    on_table = [n for n in names if n in TABLETOP or n == "table"] if pen.pal.indoor else []
    if on_table:
        _table_with(pen, on_table, horizon, sides[1])
    ground = [n for n in names if n not in tall | WALL | SKY and n not in on_table]
    _on_ground(pen, ground, horizon, sides, water, table_side=sides[1] if on_table else None)


def _shape(pen: ScenePen, name: str, x: float, base: float, size: float) -> None:
    SHAPES[name](pen, x, base, max(4.0, size))


def _table_with(pen: ScenePen, items: list[str], horizon: int, left: bool) -> None:
    """A small table at one side, in front of the wall, with the table-top things spread on it."""
    width, height = 26 * pen.unit, HEIGHTS["table"] * pen.unit
    cx = pen.w * (0.16 if left else 0.84)
    base = horizon + (pen.h - horizon) * 0.62
    _shape(pen, "table", cx, base, height)
    things = [n for n in items if n != "table"]
    for k, name in enumerate(things):
        x = cx - width * 0.38 + width * 0.76 * (k + 0.5) / len(things)
        _shape(pen, name, x, base - height, HEIGHTS[name] * pen.unit)


def _on_ground(pen: ScenePen, items: list[str], horizon: int, sides: list[bool], water: bool,
               table_side: bool | None) -> None:  # fmt: skip
    """Small things on the ground along the sides of the lower third, larger the nearer they stand (in front of
    the table on its side); a boat on the water near the horizon where there is water."""
    slots = [(0.13, 0.8), (0.3, 0.93), (0.11, 0.97), (0.24, 0.8)]
    third = max(horizon + pen.u(4), int(pen.h * 2 / 3))
    for k, name in enumerate(items):
        left = sides[k % 2]
        fx, fy = slots[(k // 2) % len(slots)]
        if left == table_side:
            fx, fy = (0.11, 0.97) if k // 2 % 2 == 0 else (0.3, 0.97)
        x = pen.w * (fx if left else 1 - fx)
        if name == "boat" and water:
            base, near = float(horizon - pen.u(3)), 0.6
        else:
            base = third + (pen.h - third) * (fy - 0.66) / 0.34
            near = 0.75 + 0.5 * (base - horizon) / max(1, pen.h - horizon)
        _shape(pen, name, x, base, HEIGHTS[name] * pen.unit * near)


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((name, words_pattern(zh, en)) for name, (zh, en) in PROP_WORDS.items())
