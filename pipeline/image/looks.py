"""How a character is drawn, derived only from the script's description, so it is the same in every panel."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from pipeline.appearance import COLOURS, RGB, Appearance, Hair, appearance_of
from pipeline.models import Character

SKIN = ((255, 224, 196), (245, 208, 170), (226, 180, 140), (200, 150, 110))
HAPPY = ("开心", "微笑", "高兴", "笑", "慈祥", "happy", "smiling", "smile", "glad", "joy")
SAD = ("伤心", "难过", "哭", "sad", "crying", "worried", "担心", "害怕", "afraid", "scared")
SURPRISED = ("惊讶", "震惊", "吃惊", "surprised", "shocked", "疑惑", "confused")
ANGRY = ("生气", "愤怒", "angry", "determined", "坚定", "紧张", "nervous")


def stable_int(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:8], "big")


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return (int(a[0] + (b[0] - a[0]) * t), int(a[1] + (b[1] - a[1]) * t), int(a[2] + (b[2] - a[2]) * t))


# What the sketch can draw, and the look each item of an Appearance is drawn as.
DRAWN_HAIR = ("short", "long", "ponytail", "twin tails", "braid", "braids", "bun", "bald")
TOPS = ("shirt", "blouse", "t-shirt", "sweater", "cardigan", "hoodie", "suit", "school uniform", "uniform", "lab coat",
        "coat", "jacket", "dress", "overalls", "apron", "robe", "hanfu", "qipao", "kimono", "tang suit", "cloak",
        "vest", "tracksuit", "pajamas", "armour", "top", "clothes")  # fmt: skip
HATS = ("hat", "cap", "beanie")
_GIRLISH_HAIR = ("ponytail", "twin tails", "braid", "braids")  # drawn as a girl where the script gives no gender
_PALETTE = ((52, 96, 180), (200, 70, 60), (60, 140, 90), (220, 150, 40), (150, 90, 170), (40, 150, 160))
_WHITE_HAIR, _SCARF, _HAT, _BACKPACK = (225, 225, 228), (200, 40, 50), (215, 185, 110), (70, 105, 150)


@dataclass(frozen=True)
class Look:
    """How a character is drawn; derived only from the character, so it is the same in every panel."""

    skin: RGB
    hair: RGB
    hair_style: str  # one of DRAWN_HAIR
    clothing: RGB
    accent: RGB
    glasses: bool
    scarf: RGB | None
    hat: RGB | None
    beard: bool
    female: bool
    elder: bool
    backpack: RGB | None
    child: bool

    @classmethod
    def of(cls, character: Character, index: int = 0) -> Look:
        """`index` is the character's place in the script's cast, so the first characters get distinct colours."""
        looks = appearance_of(character)
        rng = random.Random(stable_int("look", character.name))
        elder = looks.age_group == "elder"
        female = looks.gender == "female" or (looks.gender is None and looks.hair.style in _GIRLISH_HAIR)
        hair = _rgb(looks.hair.colour) or (_WHITE_HAIR if elder else rng.choice([(30, 28, 32), (90, 55, 30)]))
        tops = [g for g in looks.clothing if g.item in TOPS]
        clothing = next((rgb for g in tops if (rgb := _rgb(g.colour))), None) or _PALETTE[index % len(_PALETTE)]
        return cls(
            skin=SKIN[stable_int("skin", character.name) % 2],
            hair=hair,
            hair_style=_hair_style(looks.hair, female),
            clothing=clothing,
            accent=mix(clothing, (255, 255, 255), 0.45),
            glasses=_worn(looks, "glasses", "sunglasses") is not None,
            scarf=_worn(looks, "scarf", default=_SCARF),
            hat=_worn(looks, *HATS, default=_HAT),
            beard=looks.facial_hair is not None,
            female=female,
            elder=elder,
            backpack=_worn(looks, "backpack", default=_BACKPACK),
            child=looks.age_group == "child",
        )


def _rgb(colour: str | None) -> RGB | None:
    return COLOURS.get(colour) if colour else None


def _worn(looks: Appearance, *items: str, default: RGB = (40, 40, 50)) -> RGB | None:
    """The colour of the first accessory of these kinds (`default` where none is said); None when there is none."""
    accessory = next((a for a in looks.accessories if a.item in items), None)
    return None if accessory is None else _rgb(accessory.colour) or default


def _hair_style(hair: Hair, female: bool) -> str:
    if hair.style in DRAWN_HAIR:
        return hair.style  # bald among them: an Appearance that says bald says nothing else of the hair
    if hair.length == "long" or (hair.length == "medium" and female):
        return "long"
    return "long" if female and hair.length is None else "short"
