"""How a character is drawn, derived only from the script's description, so it is the same in every panel."""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

from pipeline.models import Character

RGB = tuple[int, int, int]

_COLOR_WORDS: tuple[tuple[str, RGB], ...] = (
    ("黑", (30, 28, 32)), ("black", (30, 28, 32)), ("白", (235, 235, 238)), ("white", (235, 235, 238)),
    ("银", (196, 200, 210)), ("silver", (196, 200, 210)), ("灰", (128, 128, 134)), ("grey", (128, 128, 134)),
    ("gray", (128, 128, 134)), ("红", (205, 40, 48)), ("red", (205, 40, 48)), ("蓝", (50, 90, 190)),
    ("blue", (50, 90, 190)), ("绿", (50, 150, 80)), ("green", (50, 150, 80)), ("黄", (235, 190, 40)),
    ("yellow", (235, 190, 40)), ("金", (225, 180, 70)), ("blond", (225, 190, 100)), ("棕", (120, 72, 40)),
    ("brown", (120, 72, 40)), ("紫", (120, 70, 160)), ("purple", (120, 70, 160)), ("粉", (240, 150, 180)),
    ("pink", (240, 150, 180)), ("橙", (240, 130, 40)), ("orange", (240, 130, 40)),
)  # fmt: skip
SKIN = ((255, 224, 196), (245, 208, 170), (226, 180, 140), (200, 150, 110))
HAPPY = ("开心", "微笑", "高兴", "笑", "慈祥", "happy", "smiling", "smile", "glad", "joy")
SAD = ("伤心", "难过", "哭", "sad", "crying", "worried", "担心", "害怕", "afraid", "scared")
SURPRISED = ("惊讶", "震惊", "吃惊", "surprised", "shocked", "疑惑", "confused")
ANGRY = ("生气", "愤怒", "angry", "determined", "坚定", "紧张", "nervous")


def stable_int(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:8], "big")


def color_in(text: str) -> RGB | None:
    lowered = text.lower()
    found = [(lowered.find(word), rgb) for word, rgb in _COLOR_WORDS if word in lowered]
    return min(found)[1] if found else None


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return (int(a[0] + (b[0] - a[0]) * t), int(a[1] + (b[1] - a[1]) * t), int(a[2] + (b[2] - a[2]) * t))


@dataclass(frozen=True)
class Look:
    """How a character is drawn; derived only from the character, so it is the same in every panel."""

    skin: RGB
    hair: RGB
    hair_style: str  # short, long, ponytail, braid, bald
    clothing: RGB
    accent: RGB
    glasses: bool
    scarf: RGB | None
    hat: RGB | None
    beard: bool
    female: bool
    elder: bool

    @classmethod
    def of(cls, character: Character, index: int = 0) -> Look:
        """`index` is the character's place in the script's cast, so the first characters get distinct colours."""
        rng = random.Random(stable_int("look", character.name))
        hair_text = str(character.appearance.get("hair", ""))
        clothing_text = str(character.appearance.get("clothing", ""))
        features = " ".join(str(f) for f in character.appearance.get("features", []))
        everything = " ".join([hair_text, clothing_text, features, *character.attributes.values()]).lower()
        female = character.attributes.get("gender") == "女" or any(
            w in everything for w in ("婆", "奶奶", "girl", "woman", "马尾", "ponytail")
        )
        elder = any(w in everything for w in ("老", "婆婆", "爷", "70s", "80s", "60s", "白发", "old", "white beard"))
        if "马尾" in hair_text or "ponytail" in hair_text.lower():
            style = "ponytail"
        elif "辫" in hair_text or "braid" in hair_text.lower():
            style = "braid"
        elif "长" in hair_text or "long" in hair_text.lower() or (female and "短" not in hair_text):
            style = "long"
        elif "光头" in hair_text or "bald" in hair_text.lower():
            style = "bald"
        else:
            style = "short"
        hair = color_in(hair_text) or ((225, 225, 228) if elder else rng.choice([(30, 28, 32), (90, 55, 30)]))
        palette = [(52, 96, 180), (200, 70, 60), (60, 140, 90), (220, 150, 40), (150, 90, 170), (40, 150, 160)]
        default_coat = palette[index % len(palette)]
        clothing = color_in(clothing_text.split(",")[0]) or default_coat
        scarf_words = ("围巾", "scarf")
        scarf_item = next((p for p in re.split(r"[,，]", clothing_text) if any(w in p for w in scarf_words)), None)
        if scarf_item and color_in(clothing_text.split(",")[0]) and clothing_text.split(",")[0] == scarf_item:
            clothing = default_coat
        hat_item = next((p for p in re.split(r"[,，]", clothing_text) if "帽" in p or "hat" in p.lower()), None)
        return cls(
            skin=SKIN[stable_int("skin", character.name) % 2],
            hair=hair,
            hair_style=style,
            clothing=clothing,
            accent=mix(clothing, (255, 255, 255), 0.45),
            glasses=any(w in everything for w in ("眼镜", "glasses", "spectacles")),
            scarf=(color_in(scarf_item) or (200, 40, 50)) if scarf_item else None,
            hat=(color_in(hat_item) or (215, 185, 110)) if hat_item else None,
            beard=any(w in everything for w in ("beard", "胡")),
            female=female,
            elder=elder,
        )
