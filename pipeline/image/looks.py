"""How a character is drawn, derived only from the script's description (pipeline.appearance) and its place in the
cast, so it is the same in every panel; and the colour signature that keeps the characters of one cast apart."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.appearance import COLOURS, RGB, Appearance, Garment, Hair, appearance_of
from pipeline.emotions import WORDS
from pipeline.models import Character

SKIN = ((255, 224, 196), (245, 208, 170), (226, 180, 140), (200, 150, 110))
SKIN_TONES: dict[str, RGB] = {"fair": (255, 230, 210), "pale": (248, 232, 224), "tan": (214, 165, 120),
                              "dark": (150, 100, 70)}  # fmt: skip
SURPRISED = WORDS["surprised"]  # kept for sketch.py's speed lines; pipeline.emotions is the one emotion table


def stable_int(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:8], "big")


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return (int(a[0] + (b[0] - a[0]) * t), int(a[1] + (b[1] - a[1]) * t), int(a[2] + (b[2] - a[2]) * t))


def colour_distance(a: RGB, b: RGB) -> float:
    """How different two colours look ("redmean" weighted RGB: 0 … about 765)."""
    mean_red = (a[0] + b[0]) / 2
    dr, dg, db = a[0] - b[0], a[1] - b[1], a[2] - b[2]
    return ((2 + mean_red / 256) * dr * dr + 4 * dg * dg + (2 + (255 - mean_red) / 256) * db * db) ** 0.5


# What the sketch can draw: every hair style and top has its own shape (figure_body, figure_face).
DRAWN_HAIR = ("short", "long", "wavy", "curly", "bob", "ponytail", "twin tails", "braid", "braids", "bun", "bald",
              "buzz cut", "afro")  # fmt: skip
DRAWN_TOPS = ("shirt", "t-shirt", "sweater", "hoodie", "suit", "school uniform", "coat", "jacket", "dress", "robe",
              "hanfu", "qipao")  # fmt: skip
# Every top word of pipeline.appearance, drawn as the nearest of DRAWN_TOPS.
TOPS: dict[str, str] = {t: t for t in DRAWN_TOPS} | {
    "blouse": "shirt", "top": "t-shirt", "clothes": "t-shirt", "cardigan": "jacket", "uniform": "jacket",
    "tracksuit": "jacket", "lab coat": "coat", "cloak": "coat", "armour": "coat", "kimono": "robe",
    "tang suit": "jacket", "pajamas": "shirt", "vest": "t-shirt", "overalls": "t-shirt", "apron": "t-shirt",
}  # fmt: skip
BOTTOMS = ("trousers", "jeans", "skirt", "shorts")
LONG_TOPS = ("dress", "robe", "hanfu", "qipao")  # they cover the legs: no bottoms are drawn
SHOES = ("shoes", "sneakers", "boots", "sandals", "slippers", "heels")
# Worn over the top (drawn as an overlay, so the top under them keeps its own colour).
OVERLAYS = ("apron", "vest", "overalls", "cloak")
HATS = ("hat", "cap", "beanie")
ACCESSORY_COLOURS: dict[str, RGB] = {
    "glasses": (40, 40, 50), "sunglasses": (25, 25, 30), "hat": (215, 185, 110), "cap": (40, 60, 130),
    "beanie": (150, 40, 60), "scarf": (200, 40, 50), "headscarf": (200, 80, 80), "backpack": (70, 105, 150),
    "bag": (125, 80, 50), "tie": (160, 30, 40), "bow tie": (150, 30, 40), "earrings": (225, 180, 70),
    "necklace": (225, 180, 70), "mask": (225, 238, 246), "headphones": (45, 45, 55), "headband": (220, 60, 90),
    "bow": (225, 60, 90), "hairpin": (225, 60, 90), "gloves": (60, 60, 70), "watch": (50, 50, 60),
    "belt": (60, 40, 30), "cane": (110, 80, 50), "umbrella": (60, 60, 140), "sword": (190, 190, 200),
    "fan": (230, 210, 170), "lantern": (230, 50, 40), "badge": (225, 180, 70), "bracelet": (225, 180, 70),
    "pipe": (90, 60, 40), "apron": (236, 232, 220), "vest": (70, 60, 55), "overalls": (60, 90, 150),
    "cloak": (70, 50, 80),
}  # fmt: skip
_GIRLISH_HAIR = ("ponytail", "twin tails", "braid", "braids")  # drawn as a girl where the script gives no gender
# Default colours, far apart from each other (colour_distance ≥ 180): a cast's tops, then trousers and hair.
PALETTE: tuple[RGB, ...] = ((50, 90, 190), (200, 60, 55), (120, 200, 100), (235, 215, 60), (240, 130, 180),
                            (30, 40, 90), (90, 110, 40), (250, 240, 235))  # fmt: skip
_BOTTOM_PALETTE: tuple[RGB, ...] = ((45, 45, 60), (150, 130, 100), (60, 70, 115), (95, 60, 45), (120, 120, 128),
                                    (30, 30, 35))  # fmt: skip
_HAIR_PALETTE: tuple[RGB, ...] = ((30, 28, 32), (95, 58, 32), (60, 40, 30), (150, 100, 55))
_WHITE_HAIR = (225, 225, 228)
_DEFAULT_TOPS = {"child": ("t-shirt", "hoodie"), "teen": ("shirt", "hoodie", "t-shirt"),
                 "adult": ("shirt", "jacket", "sweater"), "elder": ("sweater", "jacket")}  # fmt: skip
# Looks closer than this (signature_distance) could be taken for one another.
DISTINCT = 90.0


@dataclass(frozen=True)
class Look:
    """How a character is drawn; derived only from the character (and its cast index for the default colours)."""

    skin: RGB
    hair: RGB
    hair_style: str  # one of DRAWN_HAIR
    clothing: RGB  # the top's colour: what a viewer tells the character by
    top: str  # one of DRAWN_TOPS
    pattern: str | None  # the top's: plaid, striped, floral, polka dot
    bottom: str  # one of BOTTOMS, or "" under a dress or robe
    bottom_colour: RGB
    bottom_pattern: str | None
    shoes: RGB
    shoe_kind: str  # one of SHOES
    accent: RGB  # collars, cuffs and trims
    worn: tuple[tuple[str, RGB], ...] = ()  # accessories and overlays (apron, vest…): (item, colour)
    facial_hair: str | None = None  # beard, moustache, stubble
    gender: str = "male"
    age: str = "adult"  # child, teen, adult, elder
    build: str = "average"  # slim, average, heavy, muscular
    height: str | None = None  # tall, short
    freckles: bool = False

    @classmethod
    def of(cls, character: Character, index: int = 0, avoid: Iterable[RGB] = (), variant: int = 0) -> Look:
        """`index` is the character's place in the script's cast, so the first characters get distinct colours;
        default tops stay clear of the colours in `avoid` (the cast's); `variant` moves the default trousers and
        hair colours on (cast_looks uses it to tell apart two characters described alike)."""
        looks = appearance_of(character)
        name = character.name
        female = looks.gender == "female" or (looks.gender is None and looks.hair.style in _GIRLISH_HAIR)
        age = looks.age_group or "adult"
        garments = [g for g in looks.clothing if g.item in TOPS and g.item not in OVERLAYS]
        top_garment = garments[0] if garments else None
        top = TOPS[top_garment.item] if top_garment else _DEFAULT_TOPS[age][index % len(_DEFAULT_TOPS[age])]
        clothing = _rgb(top_garment.colour if top_garment else None) or _palette_colour(index, avoid)
        bottom, bottom_colour, bottom_pattern = _bottom(looks, top, female, age, index + variant,
                                                        top_garment.colour if top_garment else None)
        shoe = next((g for g in looks.clothing if g.item in SHOES), None)
        hair_default = _WHITE_HAIR if age == "elder" else _HAIR_PALETTE[(stable_int("hair", name) + variant) % 4]
        return cls(
            skin=SKIN_TONES.get(looks.skin or "") or SKIN[stable_int("skin", name) % 2],
            hair=_rgb(looks.hair.colour) or hair_default,
            hair_style=_hair_style(looks.hair, female, age),
            clothing=clothing,
            top=top,
            pattern=top_garment.pattern if top_garment else None,
            bottom=bottom,
            bottom_colour=bottom_colour,
            bottom_pattern=bottom_pattern,
            shoes=_rgb(shoe.colour if shoe else None) or ((235, 235, 238) if age in ("child", "teen") else (60, 42, 34)),
            shoe_kind=shoe.item if shoe else ("sneakers" if age in ("child", "teen") else "shoes"),
            accent=mix(clothing, (255, 255, 255), 0.45),
            worn=_worn(looks),
            facial_hair=looks.facial_hair,
            gender="female" if female else "male",
            age=age,
            build=looks.build or "average",
            height=looks.height,
            freckles=looks.skin == "freckled",
        )

    def wears(self, *items: str) -> RGB | None:
        """The colour of the first of these accessories the character wears; None when it wears none."""
        return next((colour for item, colour in self.worn if item in items), None)

    @property
    def female(self) -> bool:
        return self.gender == "female"

    @property
    def child(self) -> bool:
        return self.age == "child"

    @property
    def teen(self) -> bool:
        return self.age == "teen"

    @property
    def elder(self) -> bool:
        return self.age == "elder"

    @property
    def glasses(self) -> str | None:
        """"glasses", "sunglasses" or None."""
        return next((item for item, _ in self.worn if item in ("glasses", "sunglasses")), None)

    @property
    def hat(self) -> RGB | None:
        return self.wears(*HATS)

    @property
    def hat_kind(self) -> str | None:
        return next((item for item, _ in self.worn if item in HATS), None)

    @property
    def scarf(self) -> RGB | None:
        return self.wears("scarf")

    @property
    def backpack(self) -> RGB | None:
        return self.wears("backpack")

    @property
    def beard(self) -> bool:
        return self.facial_hair is not None


def colour_signature(look: Look) -> tuple[RGB, RGB, RGB]:
    """What a viewer tells a character by at a glance: the top's, the hair's and the trousers' colours (largest
    area first). Two looks are confusable when `signature_distance` is under DISTINCT."""
    return look.clothing, look.hair, look.bottom_colour if look.bottom else look.clothing


def signature_distance(a: Look, b: Look) -> float:
    """How far apart two looks are at a glance: the clearest difference of their signatures' colours, more when
    the hair's shape differs as well. The top counts most; the trousers little, since a medium shot cuts them off."""
    weights = (1.0, 0.8, 0.3)
    colours = max(w * colour_distance(x, y) for w, x, y in zip(weights, colour_signature(a), colour_signature(b),
                                                                strict=True))  # fmt: skip
    return colours + (40.0 if a.hair_style != b.hair_style else 0.0)


def cast_looks(characters: Iterable[Character]) -> dict[str, Look]:
    """Every character's Look, in cast order: default tops keep clear of every colour the script names for a top,
    and a character that would still be confused with an earlier one gets other default trousers or hair (the
    colours the script names are never changed). The same cast always gives the same looks."""
    cast = list(characters)
    said = [rgb for c in cast if (rgb := _said_top_colour(appearance_of(c)))]
    looks: dict[str, Look] = {}
    for index, character in enumerate(cast):
        avoid = [*said, *(look.clothing for look in looks.values())]
        best, best_gap = None, -1.0
        for variant in range(len(_BOTTOM_PALETTE)):
            look = Look.of(character, index, avoid, variant)
            gap = min((signature_distance(look, other) for other in looks.values()), default=DISTINCT)
            if gap > best_gap:
                best, best_gap = look, gap
            if gap >= DISTINCT:
                break
        assert best is not None
        looks[character.name] = best
    return looks


def _said_top_colour(looks: Appearance) -> RGB | None:
    top = next((g for g in looks.clothing if g.item in TOPS and g.item not in OVERLAYS), None)
    return _rgb(top.colour if top else None)


def _palette_colour(index: int, avoid: Iterable[RGB]) -> RGB:
    """The cast index's palette colour, or the next one far from every colour in `avoid`."""
    taken = list(avoid)
    for step in range(len(PALETTE)):
        colour = PALETTE[(index + step) % len(PALETTE)]
        if all(colour_distance(colour, other) >= 150 for other in taken):
            return colour
    return PALETTE[index % len(PALETTE)]


def _bottom(looks: Appearance, top: str, female: bool, age: str, index: int,
            suit_colour: str | None = None) -> tuple[str, RGB, str | None]:  # fmt: skip
    garment: Garment | None = next((g for g in looks.clothing if g.item in BOTTOMS), None)
    if top in LONG_TOPS and garment is None:
        return "", (0, 0, 0), None
    kind = garment.item if garment else ("skirt" if female and age in ("child", "teen") else "trousers")
    default = (60, 80, 130) if kind == "jeans" else _BOTTOM_PALETTE[index % len(_BOTTOM_PALETTE)]
    if top == "suit" and garment is None:  # a suit's trousers match its jacket
        default = _rgb(suit_colour) or default
    return kind, _rgb(garment.colour if garment else None) or default, garment.pattern if garment else None


def _rgb(colour: str | None) -> RGB | None:
    return COLOURS.get(colour) if colour else None


def _worn(looks: Appearance) -> tuple[tuple[str, RGB], ...]:
    """Accessories and overlays as drawn: (item, colour), the script's colour or the item's usual one."""
    worn = [(a.item, _rgb(a.colour) or ACCESSORY_COLOURS.get(a.item, (40, 40, 50))) for a in looks.accessories]
    worn += [(g.item, _rgb(g.colour) or ACCESSORY_COLOURS[g.item]) for g in looks.clothing if g.item in OVERLAYS]
    return tuple(dict.fromkeys(worn))


def _hair_style(hair: Hair, female: bool, age: str) -> str:
    if hair.style in DRAWN_HAIR:
        return hair.style  # bald among them: an Appearance that says bald says nothing else of the hair
    if hair.style == "dreadlocks" or hair.length == "long" or (hair.length == "medium" and female):
        return "long"
    if hair.style == "mohawk":
        return "buzz cut"
    if female and hair.length is None:
        return "bun" if age == "elder" else "long"
    return "short"
