"""Appearance words read into fields, in Chinese and English: gender, age group, build, hair, clothing with colours
and patterns, accessories; unknown words kept; a description filed into buckets; the drawn Look built from them."""

from __future__ import annotations

import pytest

from pipeline.appearance import (
    BUCKETS,
    COLOURS,
    Accessory,
    Appearance,
    Garment,
    Hair,
    appearance_of,
    read_appearance,
    sort_description,
)
from pipeline.image.looks import Look
from pipeline.models import Character


@pytest.mark.parametrize("items, name, gender", [
    (["男"], "", "male"), (["女"], "", "female"), (["他的眼镜"], "", "male"), (["她"], "", "female"),
    (["a man"], "", "male"), (["woman"], "", "female"), (["her braid"], "", "female"), (["boy"], "", "male"),
    (["a girl in her father's coat"], "", "female"),  # more words say she than he
    ([], "小芳", "female"), ([], "Mom", "female"), ([], "Aunt May", "female"), ([], "李爷爷", "male"),
    ([], "老王", None), (["tall"], "Sam", None),
])  # fmt: skip
def test_gender_from_words_and_name(items, name, gender) -> None:
    assert read_appearance(items, name=name).gender == gender


@pytest.mark.parametrize("items, group, age", [
    (["小学生"], "child", None), (["孩子"], "child", None), (["kid"], "child", None), (["little boy"], "child", None),
    (["高中生"], "teen", None), (["初中生"], "teen", None), (["少女"], "teen", None), (["teenager"], "teen", None),
    (["中年"], "adult", None), (["middle-aged"], "adult", None),
    (["老人"], "elder", None), (["奶奶"], "elder", None), (["elderly"], "elder", None), (["old man"], "elder", None),
    (["8"], "child", 8), (["12岁"], "child", 12), (["a 12-year-old girl"], "child", 12), (["16 years old"], "teen", 16),
    (["40s"], "adult", 40), (["30多岁"], "adult", 30), (["70-year-old"], "elder", 70), (["六十岁"], "elder", 60),
    (["十二岁"], "child", 12), (["七旬老人"], "elder", 70),
    (["8", "old"], "child", 8),  # a stated age before any age word
    (["3 scars"], None, None),  # a number that is not an age
])  # fmt: skip
def test_age_group_from_words_and_numbers(items, group, age) -> None:
    looks = read_appearance(items)
    assert (looks.age_group, looks.age) == (group, age)


@pytest.mark.parametrize("item, build, height", [
    ("瘦", "slim", None), ("slim", "slim", None), ("胖", "heavy", None), ("chubby", "heavy", None),
    ("强壮", "muscular", None), ("muscular", "muscular", None), ("中等身材", "average", None),
    ("average build", "average", None), ("高个子", None, "tall"), ("tall", None, "tall"), ("矮", None, "short"),
    ("short", None, "short"), ("瘦高", "slim", "tall"), ("lanky", "slim", "tall"),
])  # fmt: skip
def test_build_and_height(item, build, height) -> None:
    looks = read_appearance([item])
    assert (looks.build, looks.height) == (build, height)


@pytest.mark.parametrize("item, hair", [
    ("黑色短发", Hair("black", "short")), ("short black hair", Hair("black", "short")),
    ("金色长发", Hair("blond", "long")), ("long blonde hair", Hair("blond", "long")), ("白发", Hair("white")),
    ("齐肩发", Hair(None, "medium")), ("shoulder-length brown hair", Hair("brown", "medium")),
    ("光头", Hair(None, "bald", "bald")), ("bald", Hair(None, "bald", "bald")),
    ("马尾辫", Hair(style="ponytail")), ("a high ponytail", Hair(style="ponytail")),
    ("双马尾", Hair(style="twin tails")), ("twin tails", Hair(style="twin tails")), ("pigtails", Hair(style="twin tails")),
    ("麻花辫", Hair(style="braid")), ("silver braid", Hair("silver", style="braid")),
    ("两条辫子", Hair(style="braids")), ("braids", Hair(style="braids")),
    ("丸子头", Hair(style="bun")), ("a grey bun", Hair("grey", style="bun")),
    ("卷发", Hair(style="curly")), ("寸头", Hair(None, "short", "buzz cut")), ("bob", Hair(style="bob")),
])  # fmt: skip
def test_hair_colour_length_and_style(item, hair) -> None:
    assert read_appearance([item]).hair == hair


def test_bald_wins_over_any_other_hair_word() -> None:
    assert read_appearance(["long hair", "ponytail", "bald"]).hair == Hair(None, "bald", "bald")


@pytest.mark.parametrize("item, garment", [
    ("格子衬衫", Garment("shirt", None, "plaid", "格子衬衫")), ("plaid shirt", Garment("shirt", None, "plaid", "plaid shirt")),
    ("米色毛衣", Garment("sweater", "beige", None, "米色毛衣")),
    ("beige sweater", Garment("sweater", "beige", None, "beige sweater")),
    ("黑色卫衣", Garment("hoodie", "black", None, "黑色卫衣")), ("西装", Garment("suit", words="西装")),
    ("校服", Garment("school uniform", words="校服")), ("白色T恤", Garment("t-shirt", "white", None, "白色T恤")),
    ("red dress", Garment("dress", "red", None, "red dress")), ("碎花裙子", Garment("skirt", None, "floral", "碎花裙子")),
    ("藏青色外套", Garment("coat", "navy", None, "藏青色外套")), ("酒红色连衣裙", Garment("dress", "maroon", None, "酒红色连衣裙")),
    ("striped t-shirt", Garment("t-shirt", None, "striped", "striped t-shirt")),
    ("keeper's coat", Garment("coat", words="keeper's coat")), ("灰色短褂", Garment("jacket", "grey", None, "灰色短褂")),
])  # fmt: skip
def test_clothing_items_with_colour_and_pattern(item, garment) -> None:
    assert read_appearance([item]).clothing == (garment,)


def test_one_item_can_say_several_things() -> None:
    man = read_appearance(["a tall man in a grey coat"])
    assert (man.gender, man.height, man.clothing) == ("male", "tall", (Garment("coat", "grey", None, "grey coat"),))
    boy = read_appearance(["戴眼镜的胖男孩"])
    assert (boy.gender, boy.age_group, boy.build) == ("male", "child", "heavy")
    assert boy.accessories == (Accessory("glasses", None, "眼镜"),)
    both = read_appearance(["a pale blue shirt and dark jeans"]).clothing
    assert [(g.item, g.colour) for g in both] == [("shirt", "light blue"), ("jeans", "black")]
    after = read_appearance(["围巾是红色的"]).accessories  # a colour after its look, with none to follow
    assert after == (Accessory("scarf", "red", "围巾"),)


@pytest.mark.parametrize("item, accessory", [
    ("戴眼镜", Accessory("glasses", None, "眼镜")), ("reading glasses", Accessory("glasses", None, "reading glasses")),
    ("墨镜", Accessory("sunglasses", None, "墨镜")), ("pink backpack", Accessory("backpack", "pink", "pink backpack")),
    ("蓝色书包", Accessory("backpack", "blue", "蓝色书包")), ("红围巾", Accessory("scarf", "red", "红围巾")),
    ("a red scarf", Accessory("scarf", "red", "red scarf")), ("straw hat", Accessory("hat", None, "straw hat")),
    ("草帽", Accessory("hat", None, "草帽")), ("黑色棒球帽", Accessory("cap", "black", "黑色棒球帽")),
    ("gold earrings", Accessory("earrings", "gold", "gold earrings")), ("手表", Accessory("watch", None, "手表")),
])  # fmt: skip
def test_accessories(item, accessory) -> None:
    assert read_appearance([item]).accessories == (accessory,)


def test_english_words_are_whole_words() -> None:
    looks = read_appearance(["that capable look", "tied up", "bold"])
    assert looks == Appearance(unknown=("that capable look", "tied up", "bold"))


def test_unknown_words_are_kept_verbatim_and_roles_apart() -> None:
    looks = read_appearance(["tired", "脸上有疤", "3 scars", "老师", "detective", "格子衬衫"])
    assert looks.unknown == ("tired", "脸上有疤", "3 scars")
    assert looks.roles == ("老师", "detective")
    assert [g.item for g in looks.clothing] == ["shirt"]


def test_sort_description_files_every_item_once() -> None:
    description = "男,高中生,老师,瘦,黑色短发,white beard,格子衬衫,戴眼镜,红围巾(很长, 很旧),tired,40s"
    buckets = sort_description(description)
    assert tuple(buckets) == BUCKETS
    assert buckets == {
        "gender": ["男"], "age": ["高中生", "40s"], "role": ["老师"], "build": ["瘦"],
        "hair": ["黑色短发", "white beard"], "clothing": ["格子衬衫"], "accessories": ["戴眼镜", "红围巾(很长, 很旧)"],
        "features": ["tired"],
    }  # fmt: skip
    english = sort_description("8; twin tails; pink backpack; a tall man in a grey coat; girl; keeper's coat")
    assert sum(len(items) for items in english.values()) == 6
    assert english["age"] == ["8"] and english["gender"] == ["girl"]
    assert english["clothing"] == ["a tall man in a grey coat", "keeper's coat"]


def test_appearance_of_reads_every_field_and_explicit_attributes_win() -> None:
    character = Character(
        "小明",
        {"gender": "女", "age": "8", "role": "高中生"},  # explicit gender and age win over the words below
        {"hair": "grey, twin tails", "clothing": "米色毛衣", "accessories": ["pink backpack"],
         "features": ["a tall man", "freckles", "笑起来有酒窝"]},
    )  # fmt: skip
    looks = appearance_of(character)
    assert (looks.gender, looks.age_group, looks.age, looks.height) == ("female", "child", 8, "tall")
    assert looks.hair == Hair("grey", None, "twin tails")  # a bare colour under "hair" is the hair's
    assert looks.clothing == (Garment("sweater", "beige", None, "米色毛衣"),)
    assert looks.accessories == (Accessory("backpack", "pink", "pink backpack"),)
    assert (looks.skin, looks.unknown) == ("freckled", ("笑起来有酒窝",))
    assert appearance_of(Character("Rex", {"role": "veteran"}, {"features": ["tired"]})).roles == ("veteran",)
    assert appearance_of(Character("Mom", {"role": "tired"})).roles == ("tired",)  # filed as the role by the parser
    assert appearance_of(Character("Q", {"age": "老人"}, {"features": ["a kid at heart"]})).age_group == "elder"


def test_appearance_round_trips_through_a_dict() -> None:
    looks = read_appearance(["女", "12岁", "silver braid", "格子衬衫", "pink backpack", "detective", "tired", "胖",
                             "white beard", "freckles", "tall"])  # fmt: skip
    data = looks.to_dict()
    assert data["hair"] == {"colour": "silver", "style": "braid"} and "skin" in data
    assert Appearance.from_dict(data) == looks
    assert Appearance().to_dict() == {}


def _look(hair: str = "", clothing: str = "", accessories: str = "", **attributes: str) -> Look:
    appearance = {k: v for k, v in (("hair", hair), ("clothing", clothing), ("accessories", accessories)) if v}
    return Look.of(Character("X", attributes, appearance))


def test_look_is_drawn_from_the_appearance() -> None:
    assert _look(hair="光头", gender="男").hair_style == "bald"
    assert _look(hair="bald, long hair").hair_style == "bald"  # bald never gets hair
    assert _look(hair="twin tails").hair_style == "twin tails" and _look(hair="twin tails").female
    assert _look(hair="丸子头").hair_style == "bun"
    assert _look(hair="金色短发", gender="女").hair == COLOURS["blond"]
    assert _look(clothing="red skirt, beige sweater").clothing == COLOURS["beige"]  # the top's colour
    assert _look(clothing="米色毛衣").clothing == COLOURS["beige"]
    assert _look(clothing="keeper's coat").clothing == Look.of(Character("X")).clothing  # no colour: the palette
    assert _look(accessories="reading glasses").glasses and not _look().glasses
    assert _look(accessories="pink backpack").backpack == COLOURS["pink"] and _look().backpack is None
    assert _look(accessories="红色围巾").scarf == COLOURS["red"]
    assert _look(accessories="straw hat").hat is not None and _look(accessories="黑色棒球帽").hat == COLOURS["black"]
    assert _look(age="8").child and not _look(age="8").elder and _look(age="70s").elder
    assert Look.of(Character("Tom", {"age": "70s"}, {"hair": "white beard"})).beard
