"""Built-in creative assets: style presets (palettes the sketch renderer and prompts use) and their catalog; the music
and sound-effect library (audio/), matched to script cues and recommended from a script's moods."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

LIBRARY_DIR = Path(__file__).parent


@cache
def catalog() -> dict[str, Any]:
    """The catalog of every built-in asset, with its licence."""
    return json.loads((LIBRARY_DIR / "catalog.json").read_text(encoding="utf-8"))


def style_preset(name: str) -> dict[str, Any]:
    """A style preset by name; raises KeyError naming the known styles."""
    styles = catalog()["styles"]
    if name not in styles:
        raise KeyError(f"unknown style {name!r}; known: {sorted(styles)}")
    return styles[name]


# -- music and sound effects (made by scripts/make_audio_assets.py) ------------------------------------------------

AUDIO_DIR = LIBRARY_DIR / "audio"
MOODS = ("happy", "sad", "tense", "romantic", "epic", "calm", "comedic", "mysterious")
LIBRARY_SCHEME = "library:"  # `file_url` of a built-in item: library:<its path under assets_library/audio>


@cache
def audio_catalog() -> dict[str, Any]:
    """The built-in music and sound effects: `{"music": [...], "effects": [...]}`; each item has id (a stable slug),
    kind, name {zh, en}, category, duration (s), tags {zh: [...], en: [...]}, licence and file (under AUDIO_DIR);
    music also has moods {mood: fit 0-1}, bpm, key and chords."""
    return json.loads((AUDIO_DIR / "catalog.json").read_text(encoding="utf-8"))


@cache
def _audio_items() -> dict[str, dict[str, Any]]:
    catalog = audio_catalog()
    return {item["id"]: item for item in (*catalog["music"], *catalog["effects"])}


@cache
def _audio_files() -> dict[str, dict[str, Any]]:
    return {item["file"]: item for item in _audio_items().values()}


def audio_item(item_id: str) -> dict[str, Any]:
    """A catalog item by id; raises KeyError naming where to look."""
    items = _audio_items()
    if item_id not in items:
        raise KeyError(f"no built-in music or sound effect {item_id!r}; see assets_library/audio/catalog.json")
    return items[item_id]


def audio_file(item: Mapping[str, Any] | str) -> Path:
    """The file of a catalog item (or of an item id). Only catalog files are ever returned: KeyError otherwise."""
    entry = audio_item(item) if isinstance(item, str) else item
    known = _audio_files().get(str(entry.get("file", "")))
    if known is None or known["id"] != entry.get("id"):
        raise KeyError(f"{entry.get('id')!r} is not a built-in audio item; see assets_library/audio/catalog.json")
    return AUDIO_DIR / known["file"]


def library_url(item: Mapping[str, Any]) -> str:
    """The `file_url` stored for a built-in item: `library:<file>`."""
    return LIBRARY_SCHEME + str(item["file"])


def library_item(file_url_or_file: str) -> dict[str, Any] | None:
    """The catalog item behind `library:<file>` (or a bare `<file>`); None for anything that is not one exactly."""
    name = file_url_or_file.removeprefix(LIBRARY_SCHEME)
    return _audio_files().get(name)


def library_path(file_url: str) -> Path:
    """The file behind a `library:<file>` URL; KeyError for anything that is not exactly a catalog file."""
    item = library_item(file_url) if file_url.startswith(LIBRARY_SCHEME) else None
    if item is None:
        raise KeyError(f"{file_url[:120]!r} is not a built-in audio file (library:<file> from the catalog)")
    return AUDIO_DIR / item["file"]


# -- matching a script's cue to an effect ----------------------------------------------------------------------------

_HANZI = re.compile(r"[\u3400-\u9fff]")
_BRACKETS = "[]【】()（）{}<>《》「」 \t\"'“”"
_CUE_PREFIX = re.compile(r"^(?:音效|声效|sfx|sound(?:\s*effect)?|fx)\s*[:：]\s*", re.IGNORECASE)
_ZH_SUFFIXES = ("的声音", "声音", "声响", "音效", "声")
# Words that say how or where a sound is, not what it is: "heavy rain" is rain, "a dog barks in the distance" a dog.
_STOPWORDS = {"a", "an", "the", "of", "on", "in", "at", "to", "and", "with", "from", "sound", "sfx", "effect", "some",
              "loud", "loudly", "soft", "softly", "distant", "distance", "far", "off", "away", "nearby", "suddenly",
              "slowly", "again", "is", "are", "it", "its", "into", "out", "up", "down", "by", "very", "heavy", "light",
              "big", "small", "huge", "little", "quiet", "gentle", "faint", "sharp", "sudden", "long", "short", "low",
              "high", "deep", "many", "several", "someone", "something", "there", "then", "he", "she", "they", "we",
              "you", "his", "her", "their", "our"}  # fmt: skip
MATCH_THRESHOLD = 0.55


def _cue_text(cue: str) -> str:
    text = cue.strip().strip(_BRACKETS)
    text = _CUE_PREFIX.sub("", text).strip(_BRACKETS)
    return text.lower()


def _stem(word: str) -> str:
    """A rough English stem, the same on both sides of a comparison: creaking/creaks -> creak, rumbles -> rumbl."""
    if len(word) > 4:
        for suffix in ("ing", "ed", "es", "s"):
            if word.endswith(suffix) and not word.endswith("ss"):
                word = word[: -len(suffix)]
                if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                    word = word[:-1]  # slamming -> slam
                break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def _tokens(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOPWORDS]


def _zh_core(text: str) -> str:
    core = "".join(_HANZI.findall(text))
    for suffix in _ZH_SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix):
            return core[: -len(suffix)]
    return core


def _zh_score(cue: str, terms: list[str]) -> float:
    whole, core = "".join(_HANZI.findall(cue)), _zh_core(cue)
    best = 0.0
    for term in terms:
        if not term:
            continue
        if term in (whole, core):
            return 1.0
        if len(term) > 1 and term in whole:  # 敲门声 contains 敲门
            best = max(best, 0.6 + 0.35 * len(term) / len(whole))
        elif len(term) == 1 and core.endswith(term):  # 一阵风 is wind, but 火车 (a train) is no fire: the head comes last
            best = max(best, 0.6)
        elif len(core) > 1 and core in term:  # the cue is part of a longer tag: 开场 in 开场锣
            best = max(best, 0.55 + 0.35 * len(core) / len(term))
    return best


def _en_score(cue_tokens: list[str], terms: list[str]) -> float:
    if not cue_tokens:
        return 0.0
    wanted = set(cue_tokens)
    covered: set[str] = set()
    best_term = 0.0
    for term in terms:
        term_tokens = set(_tokens(term))
        if not term_tokens:
            continue
        if term_tokens == wanted:
            return 1.0
        hit = term_tokens & wanted
        if hit:
            covered |= hit
            best_term = max(best_term, len(hit) / len(term_tokens))
    # Every word of the cue must be accounted for: "car engine" is not a car horn, though both say "car".
    return len(covered) / len(wanted) * (0.5 + 0.5 * best_term)


def effect_match_score(cue: str, item: Mapping[str, Any]) -> float:
    """How well a script cue names an effect (0-1), by its names and tags in Chinese and English."""
    text = _cue_text(cue)
    names = item["name"]
    zh_terms = [names["zh"], *item["tags"]["zh"]]
    en_terms = [names["en"].lower(), *(t.lower() for t in item["tags"]["en"])]
    score = _en_score(_tokens(text), en_terms)
    if _HANZI.search(text):
        score = max(score, _zh_score(text, zh_terms))
    return score


def match_effect(cue: str) -> dict[str, Any] | None:
    """The built-in effect a script cue asks for (`[音效: 心跳]`, `[[SFX: door slam]]`, "敲门声", "thunder rumbles"):
    the best match by name and tag in either language, or None when none fits well enough."""
    if not _cue_text(cue):
        return None
    best, best_score = None, MATCH_THRESHOLD
    for item in audio_catalog()["effects"]:
        score = effect_match_score(cue, item)
        if score > best_score:
            best, best_score = item, score
    return best


# -- recommending music ------------------------------------------------------------------------------------------------

# Emotions as scripts write them (the parser keeps them verbatim) -> the moods they suggest.
EMOTION_MOODS: dict[str, dict[str, float]] = {
    **dict.fromkeys(("开心", "高兴", "快乐", "欢快", "满足", "大笑", "笑", "得意", "happy", "joyful", "cheerful", "glad",
                     "delighted", "laughing"), {"happy": 1.0}),
    **dict.fromkeys(("微笑", "smiling", "smile"), {"happy": 0.6, "romantic": 0.4}),
    **dict.fromkeys(("激动", "兴奋", "excited"), {"happy": 0.6, "epic": 0.4}),
    **dict.fromkeys(("伤心", "难过", "悲伤", "哭", "哭泣", "失落", "遗憾", "沮丧", "绝望", "心碎", "思念", "sad", "crying",
                     "tearful", "heartbroken", "lonely", "grief", "sorrowful", "depressed"), {"sad": 1.0}),
    **dict.fromkeys(("感动", "moved", "touched"), {"romantic": 0.5, "sad": 0.5}),
    **dict.fromkeys(("紧张", "nervous", "tense"), {"tense": 0.7, "romantic": 0.15, "mysterious": 0.15}),
    **dict.fromkeys(("害怕", "恐惧", "惊恐", "焦急", "着急", "慌张", "担心", "不安", "afraid", "scared", "fearful",
                     "anxious", "worried", "panicked", "urgent"), {"tense": 1.0}),
    **dict.fromkeys(("愤怒", "生气", "怒", "angry", "furious"), {"tense": 0.6, "epic": 0.4}),
    **dict.fromkeys(("害羞", "心动", "温柔", "深情", "甜蜜", "脸红", "爱慕", "暧昧", "羞涩", "shy", "tender", "loving",
                     "flirty", "blushing", "affectionate", "romantic", "in love"), {"romantic": 1.0}),
    **dict.fromkeys(("坚定", "决然", "勇敢", "热血", "豪迈", "怒吼", "决心", "determined", "brave", "heroic", "fierce",
                     "resolute", "proud", "triumphant"), {"epic": 1.0}),
    **dict.fromkeys(("平静", "淡定", "慈祥", "温和", "放松", "安详", "悠闲", "calm", "peaceful", "relaxed", "gentle",
                     "serene", "kind"), {"calm": 1.0}),
    **dict.fromkeys(("调皮", "搞笑", "滑稽", "尴尬", "无语", "傻笑", "吐槽", "playful", "silly", "embarrassed", "sarcastic",
                     "mischievous", "goofy", "awkward"), {"comedic": 1.0}),
    **dict.fromkeys(("疑惑", "好奇", "神秘", "诡异", "困惑", "怀疑", "阴沉", "puzzled", "curious", "mysterious",
                     "suspicious", "confused", "eerie"), {"mysterious": 1.0}),
    **dict.fromkeys(("惊讶", "震惊", "surprised", "shocked"), {"mysterious": 0.4, "tense": 0.3, "happy": 0.3}),
}  # fmt: skip
# Words in the lines (and cues) that colour a scene: each occurrence adds half a vote.
TEXT_MOODS: dict[str, tuple[str, ...]] = {
    "romantic": ("喜欢", "爱你", "告白", "表白", "约会", "心跳", "一起", "牵手", "拥抱", "吻", "love", "kiss", "date",
                 "together", "heart", "hug"),
    "sad": ("眼泪", "离开", "再见", "失去", "tears", "goodbye", "lost", "miss you"),
    "tense": ("快跑", "危险", "小心", "救命", "追", "run", "danger", "careful", "help", "chase", "hurry"),
    "epic": ("战斗", "决战", "守护", "战", "battle", "fight", "protect", "sword"),
    "mysterious": ("秘密", "奇怪", "影子", "月光", "secret", "strange", "shadow", "mystery", "ghost", "magic"),
    "comedic": ("哈哈", "笨蛋", "haha", "silly", "funny"),
    "happy": ("太好了", "耶", "great", "yay", "wonderful"),
    "calm": ("喝茶", "午后", "安静", "quiet", "tea"),
}  # fmt: skip


def moods_from_script(emotions: Iterable[str | None], texts: Iterable[str] = ()) -> dict[str, float]:
    """Mood weights (summing to 1, or {} when nothing is said) from a script's emotions and words. A mood's own
    name or tag counts as that mood ("romantic", "浪漫")."""
    votes = dict.fromkeys(MOODS, 0.0)
    for emotion in emotions:
        for mood, weight in _emotion_moods(emotion or "").items():
            votes[mood] += weight
    for text in texts:
        lowered = text.lower()
        for mood, words in TEXT_MOODS.items():
            votes[mood] += 0.5 * sum(lowered.count(w) for w in words)
    total = sum(votes.values())
    return {m: round(v / total, 4) for m, v in votes.items() if v > 0} if total else {}


def _emotion_moods(emotion: str) -> dict[str, float]:
    word = emotion.strip().strip(_BRACKETS).lower()
    if not word:
        return {}
    if word in MOODS:
        return {word: 1.0}
    if word in EMOTION_MOODS:
        return EMOTION_MOODS[word]
    for item in audio_catalog()["music"]:  # a mood's words as the music is tagged: 浪漫, suspense...
        if word in item["tags"]["zh"][:6] or word in item["tags"]["en"][:6]:
            return {item["category"]: 1.0}
    return next((moods for key, moods in EMOTION_MOODS.items() if len(key) > 1 and key in word), {})


def recommend_music(moods: Mapping[str, float], duration: float) -> list[tuple[dict[str, Any], float]]:
    """Every built-in track with a score (0-1, best first): mostly how well its moods fit `moods` (weights per mood,
    the dominant one counting most), partly how well its length fits `duration` seconds (a track as long as the
    video or longer fits; one that must loop many times fits less).

    Raises:
        ValueError: an unknown mood, a negative weight, or a duration that is not positive; the message names it.
    """
    unknown = sorted(set(moods) - set(MOODS))
    if unknown:
        raise ValueError(f"unknown mood {unknown[0]!r}; moods are {', '.join(MOODS)}")
    if any(w < 0 for w in moods.values()):
        raise ValueError("mood weights must be zero or more")
    if not duration > 0:
        raise ValueError(f"duration must be more than 0 seconds, got {duration}")
    weights = {m: w**2 for m, w in moods.items() if w > 0}  # squared: the script's main mood leads
    total = sum(weights.values())
    scored = []
    for item in audio_catalog()["music"]:
        fit = sum(w * item["moods"].get(m, 0.0) for m, w in weights.items()) / total if total else 0.5
        loops = duration / item["duration"]
        length_fit = 1.0 if loops <= 1 else 1 / (1 + 0.1 * (loops - 1))
        scored.append((item, round(0.85 * fit + 0.15 * length_fit, 3)))
    return sorted(scored, key=lambda pair: (-pair[1], pair[0]["id"]))
