"""The places a sketch panel can draw, and which one a script's place words (Chinese or English) name.

One vocabulary for the backdrop drawing and its tests: `backdrop_for("学校天台", False)` → "rooftop".
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.models import StoryboardShot

# Checked in this order, so the more particular place wins: "学校天台" is a rooftop before a school, "咖啡店" a café
# before a shop, "lantern room" a lighthouse's inside before a lighthouse, "starship bridge" a ship before a bridge.
# Chinese words match anywhere in the text; English words match whole words, plurals included.
PLACE_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "lantern_room": (("灯室", "灯塔内", "灯塔里", "灯塔顶"),
                     ("lantern room", "lamp room", "lighthouse interior", "inside the lighthouse")),
    "lighthouse": (("灯塔",), ("lighthouse",)),
    "spaceship": (("飞船", "太空", "宇宙", "舰桥", "驾驶舱", "发射台", "空间站", "星舰"),
                  ("spaceship", "spacecraft", "starship", "space station", "launch pad", "cockpit", "space",
                   "shuttle", "control room")),
    "hospital": (("医院", "病房", "诊所", "急诊", "手术室", "医务室"),
                 ("hospital", "ward", "clinic", "infirmary", "emergency room", "operating room", "sickroom")),
    "station": (("车站", "候车", "火车站", "地铁", "站台", "月台", "机场", "候机", "高铁"),
                ("station", "waiting room", "platform", "airport", "terminal", "subway", "metro", "train")),
    "rooftop": (("天台", "屋顶", "楼顶", "顶楼", "阳台"), ("rooftop", "roof", "balcony", "terrace")),
    "classroom": (("教室", "学校", "校园", "课堂", "讲堂", "课室"),
                  ("classroom", "school", "lecture hall", "campus", "schoolroom")),
    "bookshop": (("书店", "书房", "图书馆", "书屋", "书局", "阅览室"),
                 ("bookshop", "bookstore", "book shop", "library", "reading room")),
    "cafe": (("咖啡", "茶馆", "茶楼", "茶室", "餐厅", "饭店", "饭馆", "酒吧", "面馆", "奶茶"),
             ("café", "cafe", "coffee shop", "coffeehouse", "teahouse", "tea house", "restaurant", "diner", "bar",
              "pub", "bistro", "canteen", "cafeteria")),
    "market": (("夜市", "集市", "市场", "庙会", "摊", "市集", "早市"),
               ("market", "bazaar", "fair", "stall", "marketplace", "food court")),
    "bedroom": (("卧室", "寝室", "宿舍", "房间", "酒店", "宾馆", "旅馆", "闺房"),
                ("bedroom", "dorm", "dormitory", "hotel", "motel", "bedchamber", "nursery")),
    "office": (("办公室", "公司", "会议室", "写字楼", "工作室", "办公"),
               ("office", "meeting room", "conference room", "boardroom", "studio", "headquarters", "workplace")),
    "shop": (("商店", "小店", "超市", "便利店", "商场", "杂货", "店铺", "铺", "店"),
             ("shop", "store", "supermarket", "boutique", "mall", "grocery", "pharmacy", "bakery")),
    "home": (("客厅", "厨房", "公寓", "家里", "家中", "老家", "屋里", "家", "屋"),
             ("living room", "home", "house", "apartment", "flat", "kitchen", "lounge", "sitting room", "parlor",
              "parlour", "cabin", "dining room", "cottage")),
    "temple": (("寺", "庙", "道观", "祠", "宫殿", "殿", "佛堂", "神社"),
               ("temple", "shrine", "monastery", "pagoda", "palace", "church", "cathedral")),
    "bridge": (("桥",), ("bridge",)),
    "beach": (("海边", "海滩", "沙滩", "海岸", "岸边", "港口", "码头", "海湾", "礁", "河边", "江边", "湖边", "岛"),
              ("beach", "coast", "shore", "seaside", "harbour", "harbor", "pier", "dock", "bay", "seashore",
               "riverside", "lakeside", "riverbank", "island", "cove")),
    "sea": (("海", "洋", "湖", "江", "河", "船上", "甲板"),
            ("sea", "ocean", "open sea", "lake", "river", "deck", "waters")),
    "mountain_road": (("山路", "山道", "盘山", "山间", "山上", "山顶", "山", "悬崖", "峡谷", "岭"),
                      ("mountain road", "mountain", "mountains", "cliff", "canyon", "hill", "hillside", "trail",
                       "valley", "ridge")),
    "forest": (("森林", "树林", "林间", "丛林", "竹林", "林子", "林"),
               ("forest", "woods", "woodland", "jungle", "grove", "bamboo", "thicket")),
    "park": (("公园", "花园", "操场", "草地", "广场", "院子", "庭院", "田野", "草原", "农场", "田"),
             ("park", "garden", "playground", "lawn", "meadow", "field", "yard", "courtyard", "square", "plaza",
              "farm", "countryside")),
    "street": (("街", "马路", "路口", "路", "巷", "胡同", "城市", "都市", "市区", "镇", "村"),
               ("street", "road", "avenue", "alley", "city", "downtown", "town", "crosswalk", "intersection",
                "sidewalk", "highway", "village", "crossroads")),
}  # fmt: skip
NEUTRAL = "neutral"
BACKDROPS: tuple[str, ...] = (*PLACE_WORDS, NEUTRAL)
# Backdrops drawn as a room (a wall, a floor, maybe a window); the others under the sky.
INDOOR: frozenset[str] = frozenset({"lantern_room", "spaceship", "hospital", "station", "classroom", "bookshop",
                                    "cafe", "bedroom", "office", "shop", "home"})  # fmt: skip


def backdrop_for(location: str, interior: bool | None = None) -> str:
    """The backdrop the place words of `location` name, one of BACKDROPS.

    Args:
        location: the scene's place as the script wrote it ("学校天台", "INT. LANTERN ROOM", "Rocky Coast").
        interior: the script's INT./EXT. (None: unknown). Inside a lighthouse is its lantern room; a place no word
            names is NEUTRAL (drawn as a plain room when interior, else open land).
    """
    found = next((name for name, pattern in _patterns() if pattern.search(location)), NEUTRAL)
    if found == "lighthouse" and interior:
        return "lantern_room"
    return found


def backdrop_of(shot: StoryboardShot) -> str:
    """The shot's backdrop: from its location, or from its description where the location names no place."""
    found = backdrop_for(shot.location, shot.interior)
    return found if found != NEUTRAL else backdrop_for(without_names(shot.scene_description, shot), shot.interior)


def without_names(text: str, shot: StoryboardShot) -> str:
    """`text` with the names of the shot's characters blanked out: a girl called Rose is no flower, a man called
    Storm brings no rain, Mr. Park is no park."""
    for name in sorted({*shot.characters, shot.speaker or ""} - {""}, key=len, reverse=True):
        text = text.replace(name, " ")
    return text


def is_indoor(backdrop: str, interior: bool | None) -> bool:
    """Whether the backdrop is drawn as a room: its own nature, or the script's INT. for a neutral place."""
    return backdrop in INDOOR or (backdrop == NEUTRAL and bool(interior))


def words_pattern(chinese: tuple[str, ...], english: tuple[str, ...]) -> re.Pattern[str]:
    """One case-blind pattern for Chinese words anywhere and English words as whole words (plurals too); shared
    by the place, time, weather and prop vocabularies."""
    parts = [re.escape(w) for w in chinese]
    if english:
        words = "|".join(re.escape(w).replace(r"\ ", r"[\s-]+") for w in sorted(english, key=len, reverse=True))
        parts.append(rf"\b(?:{words})(?:s|es)?\b")
    return re.compile("|".join(parts), re.IGNORECASE)


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((name, words_pattern(zh, en)) for name, (zh, en) in PLACE_WORDS.items())
