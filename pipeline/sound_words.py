"""Sound cues lettered as onomatopoeia: a cue (心跳, 雷声, thunder, door) becomes the word a comic would print (怦怦,
轰隆隆!, BOOM!, SLAM!) in the script's language, drawn big, slanted and outlined where it covers no face and no
other text."""

from __future__ import annotations

import re

from PIL import Image

from pipeline.bubbles import Look
from pipeline.fonts import FontFace
from pipeline.framing import Box, Room, clamp
from pipeline.image.looks import stable_int
from pipeline.lettering import Ink

# (words a cue may contain, Chinese, English); the first entry with a word in the cue wins, so the narrower cues
# (敲门 before 门, 时钟 before 钟) come first. English words match at a word's start ("gears", "footsteps").
_SOUNDS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("心跳", "heartbeat", "heart"), "怦怦", "BA-DUMP"),
    (("敲门", "敲", "knock"), "咚咚咚", "KNOCK KNOCK"),
    (("雷", "thunder"), "轰隆隆!", "BOOM!"),
    (("爆炸", "explosion", "explode", "blast"), "轰!", "KABOOM!"),
    (("枪", "gunshot", "gun"), "砰!", "BANG!"),
    (("刹车", "brake", "screech", "tyre", "tire"), "吱——!", "SCREECH!"),
    (("开门", "吱呀", "creak", "hinge", "齿轮", "gear"), "嘎吱", "CREAK"),
    (("门铃", "电话", "铃", "doorbell", "phone", "ring"), "叮铃铃", "RING RING"),
    (("关门", "摔门", "门", "slam", "door"), "砰!", "SLAM!"),
    (("时钟", "滴答", "clock", "tick"), "滴答滴答", "TICK TOCK"),
    (("锣", "gong"), "哐!", "GONG!"),
    (("钟", "bell", "chime"), "当——", "DONG!"),
    (("手机", "震动", "buzz", "notification"), "嗡嗡", "BZZT"),
    (("脚步", "footstep", "steps"), "嗒、嗒", "TAP TAP"),
    (("玻璃", "碎", "glass", "shatter", "crash"), "哗啦!", "CRASH!"),
    (("拳", "耳光", "踢", "punch", "hit", "slap", "kick"), "啪!", "WHAM!"),
    (("龙吟", "吼", "咆哮", "roar", "growl"), "吼——!", "ROAR!"),
    (("狗", "犬", "bark", "dog"), "汪汪!", "WOOF!"),
    (("猫", "meow", "cat"), "喵～", "MEOW"),
    (("鸟", "bird", "chirp"), "啾啾", "TWEET"),
    (("掌声", "鼓掌", "applause", "clap"), "啪啪啪", "CLAP CLAP"),
    (("笑声", "laugh"), "哈哈哈", "HA HA HA"),
    (("哭", "sob", "cry"), "呜呜", "SOB"),
    (("烟花", "鞭炮", "firework", "firecracker"), "噼里啪啦", "POP POP!"),
    (("火", "fire", "crackl"), "噼啪", "CRACKLE"),
    (("风", "wind"), "呼——", "WHOOSH"),
    (("雨", "rain"), "哗啦啦", "PITTER-PATTER"),
    (("浪", "海", "wave", "sea", "surf"), "哗——", "SWASH"),
    (("水", "扑通", "splash", "water"), "扑通!", "SPLASH!"),
    (("车", "引擎", "engine", "car", "motor"), "轰——", "VROOM"),
    (("尖叫", "喊", "scream", "shout", "yell"), "啊——!", "AAAH!"),
    (("咳", "cough"), "咳咳", "COUGH"),
    (("音乐", "歌", "music", "song", "melody", "bgm"), "♪～", "♪"),
)  # fmt: skip
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def language_of(text: str) -> str | None:
    """The language of `text` as the script reader names it: zh when it has Hanzi, else en; None for no text."""
    return ("zh" if _CJK.search(text) else "en") if text.strip() else None


def sound_word(cue: str, language: str | None = None) -> str:
    """The onomatopoeia for a sound cue in `language` ("zh" or "en"; by default the cue's own): 心跳 → 怦怦,
    thunder → BOOM!, 雷声 in an English script → BOOM!. A cue not in the table is lettered as it is (in capitals
    when it is English)."""
    text = cue.strip()
    lower = text.lower()
    chinese = (language or language_of(text)) == "zh"
    for words, zh, en in _SOUNDS:
        if any(re.search(rf"\b{w}", lower) if w.isascii() else w in text for w in words):
            return zh if chinese else en
    return text if _CJK.search(text) else text.upper()


def draw_sound_word(
    layer: Image.Image, word: str, face: FontFace, look: Look, room: Room, *, size: float
) -> Box | None:
    """`word` big, slanted and outlined in the room where it covers nothing to avoid, as far from faces and text as
    the room allows; smaller (down to half) when it fits nowhere. Returns the box it takes, None when it fits
    nowhere at all (then nothing is drawn)."""
    if not word.strip():
        return None
    turn = stable_int("sound", word)
    side = (0.25, 0.75)[turn % 2]  # which side of the frame it favours, the same for the same word
    slant = 0.22 if turn % 3 else -0.18
    angle = (turn % 13 - 6) * 1.0  # degrees
    x0, y0, x1, y1 = room.box
    favourite = (x0 + (x1 - x0) * side, y0 + (y1 - y0) * 0.72)
    for scale in (1.0, 0.8, 0.64, 0.5):
        sprite = _sprite(word, face, look, size * scale, slant, angle)
        if sprite.width > x1 - x0:
            continue
        w, h = sprite.size
        spots = [clamp(w, h, *c, room.box) for c in room.grid(w, h, favourite)]
        free = [box for box in spots if not room.overlap(box)]
        if free:
            box = max(free, key=lambda b: (min(_clearance(b, room), 0.08 * room.unit), -_distance(b, favourite)))
            layer.alpha_composite(sprite, (round(box[0]), round(box[1])))
            return (round(box[0]), round(box[1]), round(box[0]) + w, round(box[1]) + h)
    return None


def _sprite(word: str, face: FontFace, look: Look, size: float, slant: float, angle: float) -> Image.Image:
    """The word in the style's sound colour with a thick outline and a drop shadow, slanted and turned a little."""
    ink = Ink(face, size)
    stroke = max(2, round(ink.size * 0.1))
    depth = max(1, round(ink.size * 0.06))
    ascent, descent = ink.font.getmetrics()
    w, h = round(ink.length(word) + 2 * stroke + depth + 2), ascent + descent + 2 * stroke + depth
    flat = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    centre = ((w - depth) / 2, (h - depth) / 2)
    shadow = look.shadow or look.ink
    ink.draw(flat, (centre[0] + depth, centre[1] + depth), word, shadow, stroke=stroke, stroke_fill=shadow)
    ink.draw(flat, centre, word, look.sound, stroke=stroke, stroke_fill=look.ink[:3] + (255,))
    lean = abs(slant) * h
    sheared = flat.transform((round(w + lean), h), Image.Transform.AFFINE,
                             (1, slant, -lean if slant > 0 else 0, 0, 1, 0), Image.Resampling.BICUBIC)  # fmt: skip
    turned = sheared.rotate(angle, Image.Resampling.BICUBIC, expand=True)
    box = turned.getbbox()
    return turned.crop(box) if box else turned


def _clearance(box: Box, room: Room) -> float:
    """How far `box` is from the nearest thing to avoid."""
    gaps = [max(other[0] - box[2], box[0] - other[2], other[1] - box[3], box[1] - other[3]) for other in room.avoid]
    return min(gaps, default=float("inf"))


def _distance(box: Box, point: tuple[float, float]) -> float:
    return abs((box[0] + box[2]) / 2 - point[0]) + abs((box[1] + box[3]) / 2 - point[1])
