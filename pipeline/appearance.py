"""What a character looks like, read from the words a script uses for it: the one place that knows appearance words,
in Chinese and English. The parser files description items with `sort_description`; the panel renderer and the voice
casting read `appearance_of(character)`. A word this module does not know is kept in `Appearance.unknown`."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from pipeline.appearance_words import (  # noqa: F401  (the vocabulary's names are this module's too)
    ACCESSORY_WORDS,
    AGE_GROUPS,
    BUCKETS,
    BUILD_WORDS,
    COLOUR_WORDS,
    COLOURS,
    CONNECTORS,
    FACIAL_HAIR_WORDS,
    FEMALE_NAME,
    GARMENT_WORDS,
    GENDER_VALUES,
    HAIR_WORDS,
    PATTERN_WORDS,
    PERSON_WORDS,
    RGB,
    ROLE_WORDS,
    SIZE_WORDS,
    SKIN_WORDS,
    AgeGroup,
    Gender,
    HairLength,
)
from pipeline.models import Character

Fact = tuple[str, Any]
_MODIFIERS = ("colour", "pattern", "size")
_HEADS = ("garment", "accessory", "hair", "facial_hair")


@dataclass(frozen=True)
class Hair:
    colour: str | None = None  # a COLOURS name
    length: HairLength | None = None
    style: str | None = None  # bald, ponytail, twin tails, braid, braids, bun, curly, wavy, bob, buzz cut, straight, …

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("colour", self.colour), ("length", self.length), ("style", self.style)) if v}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Hair:
        return cls(colour=data.get("colour"), length=data.get("length"), style=data.get("style"))


@dataclass(frozen=True)
class Garment:
    item: str  # canonical English: shirt, t-shirt, sweater, coat, …
    colour: str | None = None
    pattern: str | None = None  # plaid, striped, floral, polka dot
    words: str = ""  # as the script wrote them: "格子衬衫", "keeper's coat"

    def to_dict(self) -> dict[str, str]:
        out = {"item": self.item, "colour": self.colour, "pattern": self.pattern, "words": self.words}
        return {k: v for k, v in out.items() if v}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Garment:
        return cls(data["item"], data.get("colour"), data.get("pattern"), data.get("words", ""))


@dataclass(frozen=True)
class Accessory:
    item: str  # canonical English: glasses, hat, scarf, backpack, …
    colour: str | None = None
    words: str = ""

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("item", self.item), ("colour", self.colour), ("words", self.words)) if v}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Accessory:
        return cls(data["item"], data.get("colour"), data.get("words", ""))


_PERSON_NOUN: dict[tuple[str | None, str | None], str] = {
    ("male", "child"): "boy", ("female", "child"): "girl", ("male", "teen"): "boy", ("female", "teen"): "girl",
    ("male", None): "man", ("female", None): "woman"}  # fmt: skip


@dataclass(frozen=True)
class Appearance:
    """A character's looks in canonical fields; `roles` and `unknown` keep the words that are not looks."""

    gender: Gender | None = None
    age_group: AgeGroup | None = None
    age: int | None = None
    build: str | None = None  # slim, average, heavy, muscular
    height: str | None = None  # tall, short
    hair: Hair = field(default_factory=Hair)
    facial_hair: str | None = None  # beard, moustache, stubble
    skin: str | None = None  # fair, pale, tan, dark, freckled
    clothing: tuple[Garment, ...] = ()
    accessories: tuple[Accessory, ...] = ()
    roles: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "gender": self.gender, "age_group": self.age_group, "age": self.age, "build": self.build,
            "height": self.height, "hair": self.hair.to_dict(), "facial_hair": self.facial_hair, "skin": self.skin,
            "clothing": [g.to_dict() for g in self.clothing], "accessories": [a.to_dict() for a in self.accessories],
            "roles": list(self.roles), "unknown": list(self.unknown),
        }  # fmt: skip
        return {k: v for k, v in out.items() if v not in (None, [], {})}

    def describe(self) -> list[str]:
        """The looks in plain English words, most telling first: 'teenage boy', 'short black hair', 'plaid shirt',
        'glasses', then the words nothing understood (for an image prompt, and to show a creator what was read)."""
        person = _PERSON_NOUN.get((self.gender, self.age_group if self.age_group in ("child", "teen") else None))
        age = {"teen": "teenage", "elder": "elderly"}.get(self.age_group or "")
        hair = self.hair
        bald = hair.length == "bald" or hair.style == "bald"
        hair_words = " ".join(w for w in (hair.length, hair.colour, hair.style) if w)
        parts = [
            " ".join(w for w in (self.height, self.build, age, person) if w),
            "bald" if bald else (f"{hair_words} hair" if hair_words else ""),
            self.facial_hair or "",
            *(" ".join(w for w in (g.colour, g.pattern, g.item) if w) for g in self.clothing),
            *(" ".join(w for w in (a.colour, a.item) if w) for a in self.accessories),
            *self.unknown,
        ]
        return [p for p in parts if p]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Appearance:
        return cls(
            gender=data.get("gender"), age_group=data.get("age_group"), age=data.get("age"), build=data.get("build"),
            height=data.get("height"), hair=Hair.from_dict(data.get("hair", {})), facial_hair=data.get("facial_hair"),
            skin=data.get("skin"), clothing=tuple(Garment.from_dict(g) for g in data.get("clothing", ())),
            accessories=tuple(Accessory.from_dict(a) for a in data.get("accessories", ())),
            roles=tuple(data.get("roles", ())), unknown=tuple(data.get("unknown", ())),
        )  # fmt: skip


# -- reading ------------------------------------------------------------------------------------------------------


def _key(word: str) -> str:
    return re.sub(r"[\s\-]+", "", word.lower())


def _pattern(word: str) -> str:
    if not word.isascii():
        return re.escape(word)  # Chinese has no spaces between words: a word is found anywhere
    body = r"[\s-]?".join(re.escape(part) for part in re.split(r"[\s-]+", word))
    return rf"(?<![a-z0-9]){body}(?:e?s)?(?![a-z])"  # whole English words, plural too: "hat" is not in "that"


@cache
def _lexicon() -> tuple[re.Pattern[str], dict[str, tuple[Fact, ...]]]:
    """One pattern for every known word (the longest first, so 双马尾 is not read as 马尾), and each word's facts."""
    facts: dict[str, list[Fact]] = {}
    sources: list[tuple[Mapping[str, Any], Any]] = [
        (COLOUR_WORDS, lambda v: [("colour", v)]), (PATTERN_WORDS, lambda v: [("pattern", v)]),
        (SIZE_WORDS, lambda v: [("size", v)]), (GARMENT_WORDS, lambda v: [("garment", v)]),
        (ACCESSORY_WORDS, lambda v: [("accessory", v)]), (FACIAL_HAIR_WORDS, lambda v: [("facial_hair", v)]),
        (HAIR_WORDS, lambda v: [("hair", v)]), (SKIN_WORDS, lambda v: [("skin", v)]),
        (BUILD_WORDS, lambda v: [(f, x) for f, x in zip(("build", "height"), v, strict=True) if x]),
        (PERSON_WORDS, lambda v: [(f, x) for f, x in zip(("gender", "age_group"), v, strict=True) if x]),
        ({w: "" for w in ROLE_WORDS}, lambda v: [("role", v)]),
    ]  # fmt: skip
    words: set[str] = set()
    for table, facts_of in sources:
        for word, value in table.items():
            facts.setdefault(_key(word), []).extend(facts_of(value))
            words.add(word)
    facts[_key("白大褂")].insert(0, ("colour", "white"))  # a look whose name says its colour
    pattern = "|".join(_pattern(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    return re.compile(pattern, re.IGNORECASE), {k: tuple(dict.fromkeys(v)) for k, v in facts.items()}


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    facts: tuple[Fact, ...]

    @property
    def head(self) -> Fact | None:
        return next((f for f in self.facts if f[0] in _HEADS), None)


def _tokens(text: str) -> list[_Token]:
    pattern, facts = _lexicon()
    found = []
    for m in pattern.finditer(text):
        key = _key(m.group())
        said = facts.get(key) or facts.get(key[:-1]) or facts.get(key[:-2]) or ()
        said = tuple(("role", m.group()) if f == "role" else (f, v) for f, v in said)
        found.append(_Token(m.start(), m.end(), said))
    return found


_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_AGE_PATTERNS = (
    re.compile(r"(?<![\d.])(\d{1,3})\s*(?:多|来|几)?\s*(?:周岁|岁|歲)"),
    re.compile(r"(?<![\d.])(\d{1,3})(?:'?s)\b"),  # 40s, 70's
    re.compile(r"(?<![\d.])(\d{1,3})\s*-?\s*(?:years?[\s-]*old|yo|y/o)\b", re.IGNORECASE),
    re.compile(r"\bage[ds]?\s+(\d{1,3})\b", re.IGNORECASE),
    re.compile(r"^\s*(\d{1,3})\s*$"),  # an item that is only a number is an age: "MAYA (8, ...)"
    re.compile(r"([零〇一二两三四五六七八九十百]+)\s*(?:多|来|几)?\s*(?:周岁|岁|歲)"),
    re.compile(r"([一二三四五六七八九])旬"),  # 七旬老人: in the seventies
)


def _chinese_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for ch in text:
        if ch in ("十", "百"):
            total += (digit or 1) * (10 if ch == "十" else 100)
            digit = 0
        else:
            digit = _DIGITS[ch]
    return total + digit


def _ages_in(text: str) -> tuple[str, list[int]]:
    """The ages an item states, and the item with them blanked (so "12-year-old" is not read as "old")."""
    ages = []
    for number, pattern in enumerate(_AGE_PATTERNS):
        for m in pattern.finditer(text):
            ages.append(_chinese_number(m.group(1)) * (10 if number == len(_AGE_PATTERNS) - 1 else 1))
            text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    return text, ages


def _age_group_of(years: int) -> AgeGroup:
    return "child" if years < 13 else "teen" if years < 20 else "elder" if years >= 60 else "adult"


@dataclass
class _Reading:
    """What the items said, in the order they said it; `_settle` turns it into an Appearance."""

    facts: list[Fact] = field(default_factory=list)
    clothing: list[Garment] = field(default_factory=list)
    accessories: list[Accessory] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def first(self, name: str) -> Any:
        return next((v for f, v in self.facts if f == name), None)

    def all(self, name: str) -> list[Any]:
        return [v for f, v in self.facts if f == name]


def _read_item(text: str, into: _Reading, hint: str = "") -> bool:
    """Every fact of one description item into `into`; False when it says nothing this module knows.

    A colour, pattern or size describes the next look in the item ("pink backpack", "黑色短发"), else the last one
    ("围巾是红色的"), else what the item's field (`hint`) is about: a bare "grey" under hair is grey hair."""
    blanked, ages = _ages_in(text)
    into.facts.extend(("age", a) for a in ages)
    found = bool(ages)
    pending: list[Fact] = []
    heads: list[tuple[Fact, list[Fact], str]] = []
    boundary, look_start = 0, -1  # where the words of the next look may start; where its first modifier is
    for token in _tokens(blanked):
        for fact in token.facts:
            if fact[0] in _MODIFIERS:
                pending.append(fact)
                look_start = token.start if look_start < 0 else look_start
            elif fact[0] == "role":
                into.roles.append(fact[1])
                found = True
            elif fact[0] not in _HEADS:
                into.facts.append(fact)
                found = True
        if token.head:
            begin = token.start if look_start < 0 else look_start
            words = CONNECTORS.sub("", text[boundary:begin]) + text[begin : token.end]
            heads.append((token.head, pending, words.strip()))
            pending, look_start = [], -1
        if token.head or any(f[0] not in _MODIFIERS and f[0] != "role" for f in token.facts):
            boundary = token.end
    if pending and heads:
        heads[-1][1].extend(pending)
    elif pending:
        found = _read_bare(text, dict(reversed(pending)), into, hint) or found
    for head, modifiers, words in heads:
        _read_look(head, dict(reversed(modifiers)), words, into)
    if not found and not heads:
        into.unknown.append(text.strip())
    return found or bool(heads)


def _read_look(head: Fact, modifiers: dict[str, str], words: str, into: _Reading) -> None:
    kind, value = head
    colour = modifiers.get("colour")
    if kind == "garment":
        into.clothing.append(Garment(value, colour, modifiers.get("pattern"), words))
    elif kind == "accessory":
        into.accessories.append(Accessory(value, colour, words))
    elif kind == "facial_hair":
        into.facts.append(("facial_hair", value))
    else:
        length, style = value
        if colour:
            into.facts.append(("hair_colour", {"gold": "blond", "yellow": "blond"}.get(colour, colour)))
        if length or modifiers.get("size"):
            into.facts.append(("hair_length", length or modifiers["size"]))
        if style:
            into.facts.append(("hair_style", style))


def _read_bare(text: str, modifiers: dict[str, str], into: _Reading, hint: str) -> bool:
    """Modifiers with no look to describe: the item's field says what they are about."""
    colour, size = modifiers.get("colour"), modifiers.get("size")
    if hint == "hair" and (colour or size):
        _read_look(("hair", (None, None)), modifiers, text.strip(), into)
        return True
    if hint == "clothing" and colour:
        into.clothing.append(Garment("clothes", colour, modifiers.get("pattern"), text.strip()))
        return True
    if size == "short":  # "short" on its own is a height
        into.facts.append(("height", "short"))
        return True
    return False


def _gender_of(said: Iterable[Gender]) -> Gender | None:
    votes = Counter(said).most_common()
    if not votes or (len(votes) > 1 and votes[0][1] == votes[1][1]):
        return None  # nothing said, or as much of each: the voice and the drawing use their default
    return votes[0][0]


def _age_group_said(said: list[str]) -> AgeGroup | None:
    return next((g for g in ("child", "teen", "elder", "adult") if g in said), None)


def _name_hints(name: str) -> tuple[Gender | None, AgeGroup | None]:
    """What a name says: 小芳, Mom, Aunt May (female), 李爷爷 (male, elder), 宝宝 (child). 老王 is only a name."""
    reading = _Reading()
    for token in _tokens(name):
        reading.facts.extend(f for f in token.facts if f[0] in ("gender", "age_group"))
    gender = "female" if FEMALE_NAME.search(name) else _gender_of(reading.all("gender"))
    return gender, _age_group_said(reading.all("age_group"))


def _settle(reading: _Reading, name: str, gender: Gender | None = None, age: int | None = None,
            age_group: AgeGroup | None = None) -> Appearance:  # fmt: skip
    """The Appearance: what is given explicitly first, then the words, then the name's hints; a stated age before
    any age word."""
    name_gender, name_age = _name_hints(name)
    age = age if age is not None else reading.first("age")
    group = age_group or (_age_group_of(age) if age is not None else None)
    styles = reading.all("hair_style")
    return Appearance(
        gender=gender or name_gender or _gender_of(reading.all("gender")),
        age_group=group or _age_group_said(reading.all("age_group")) or name_age,
        age=age,
        build=reading.first("build"),
        height=reading.first("height"),
        hair=Hair(
            colour=reading.first("hair_colour"),
            length="bald" if "bald" in styles else reading.first("hair_length"),
            style="bald" if "bald" in styles else next(iter(styles), None),
        ),
        facial_hair=reading.first("facial_hair"),
        skin=reading.first("skin"),
        clothing=tuple(reading.clothing),
        accessories=tuple(reading.accessories),
        roles=tuple(dict.fromkeys(reading.roles)),
        unknown=tuple(dict.fromkeys(reading.unknown)),
    )


def split_items(description: str) -> list[str]:
    """A description's items: split on , ， 、 ; ； outside parentheses, blanks left out."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in description:
        depth += 1 if ch in "(（[【" else -1 if ch in ")）]】" and depth else 0
        if ch in ",，、;；" and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    items.append("".join(current).strip())
    return [item for item in items if item]


def read_appearance(items: Iterable[str], *, name: str = "") -> Appearance:
    """Read description items as written ("黑色短发", "格子衬衫", "twin tails", "40s", "a tall man in a grey coat");
    one item may say several things. An item that says nothing known is kept in `unknown`; roles in `roles`."""
    reading = _Reading()
    for item in items:
        if item.strip():
            _read_item(item, reading)
    return _settle(reading, name)


def sort_description(description: str) -> dict[str, list[str]]:
    """File each item of a comma list under one of BUCKETS, by what it says: looks first (hair, clothing,
    accessories, build), then gender, age and role; `features` holds the rest. Every item lands in one bucket."""
    buckets: dict[str, list[str]] = {b: [] for b in BUCKETS}
    for item in split_items(description):
        reading = _Reading()
        _read_item(item, reading)
        said = {f for f, _ in reading.facts}
        if said & {"hair_colour", "hair_length", "hair_style", "facial_hair"}:
            bucket = "hair"
        elif reading.clothing:
            bucket = "clothing"
        elif reading.accessories:
            bucket = "accessories"
        elif said & {"build", "height"}:
            bucket = "build"
        elif "gender" in said:
            bucket = "gender"
        elif said & {"age", "age_group"}:
            bucket = "age"
        elif reading.roles:
            bucket = "role"
        else:
            bucket = "features"  # unknown words, and looks with no field of their own (skin)
        buckets[bucket].append(item)
    return buckets


def appearance_of(character: Character) -> Appearance:
    """A character's Appearance from its attributes (gender, age and role; an explicit gender or age wins over
    words), every text of its `appearance` (strings, comma lists or lists) and its name's hints."""
    key = json.dumps([character.name, character.attributes, character.appearance], sort_keys=True, default=str)
    return _appearance_cached(key)


@lru_cache(maxsize=256)
def _appearance_cached(key: str) -> Appearance:
    name, attributes, appearance = json.loads(key)
    reading = _Reading()
    gender = GENDER_VALUES.get(str(attributes.get("gender", "")).strip().lower())
    age, age_group = None, None
    for field_name, value in attributes.items():
        text = str(value).strip()
        if not text or (field_name == "gender" and gender):
            continue
        if field_name == "age":  # stated on its own, so it wins over any age the words give
            before = len(reading.facts)
            _read_item(text, reading, field_name)
            stated = _Reading(reading.facts[before:])
            age = stated.first("age")
            age_group = _age_group_of(age) if age is not None else _age_group_said(stated.all("age_group"))
            continue
        if not _read_item(text, reading, field_name) and field_name == "role":
            reading.unknown.pop()  # the parser filed it as the role: it is one, if not a word we know
            reading.roles.append(text)
    for field_name, value in appearance.items():
        texts = value if isinstance(value, list) else [value]
        for item in (i for text in texts for i in split_items(str(text))):
            _read_item(item, reading, field_name)
    return _settle(reading, name, gender, age, age_group)
