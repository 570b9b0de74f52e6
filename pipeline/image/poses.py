"""Poses read from what a shot says (the line, the action, the description) and how the character feels: where the
hands go, how the legs stand and how far the head hangs, in Chinese and English words. The panel's seed moves
them a little, so each variation of a panel is posed a little differently."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from functools import cache

from pipeline.emotions import Emotion

LEGS = ("stand", "walk", "run", "sit", "wide")


@dataclass(frozen=True)
class Arm:
    """Where one hand goes. `to` "reach": `dx`, `dy` are fractions of the arm's length from the shoulder; "head":
    head radii from the head's centre; "chest", "waist", "hip", "knee": `dx` in shoulder half-widths from the body's
    middle (the knee's own x for "knee"), `dy` in head radii. `dx` > 0 is outward, < 0 across the body; `dy` > 0
    is down."""

    to: str
    dx: float
    dy: float
    hand: str = "open"  # open, fist, point, wave
    elbow_out: bool = True  # else the upper arm hangs and the forearm comes toward us


@dataclass(frozen=True)
class Pose:
    """A figure's pose: `near` is the arm on the side of the other characters (the viewer's right when alone)."""

    name: str
    near: Arm
    far: Arm
    legs: str = "stand"  # one of LEGS
    head_down: float = 0.0  # 0 … 1: how far the head hangs (sad, tired, shy)
    tremble: bool = False  # shaking lines beside the figure (scared)


_HANG = Arm("reach", 0.18, 0.98)
ARMS: dict[str, tuple[Arm, Arm]] = {
    "standing": (_HANG, _HANG),
    "pointing": (Arm("reach", 1.0, -0.1, "point"), _HANG),
    "arms crossed": (Arm("chest", -0.75, 0.1, "fist", elbow_out=False), Arm("chest", -0.75, 0.45, "fist", False)),
    "hands on head": (Arm("head", 0.85, -0.45), Arm("head", 0.85, -0.45)),
    "waving": (Arm("reach", 0.55, -0.8, "wave"), _HANG),
    "hands up": (Arm("head", 0.55, 1.45, elbow_out=False), Arm("head", 0.55, 1.45, elbow_out=False)),  # scared: under the chin
    "hands raised": (Arm("reach", 0.8, -0.4), Arm("reach", 0.8, -0.4)),  # surprised
    "fists on hips": (Arm("hip", 0.85, 0.1, "fist"), Arm("hip", 0.85, 0.1, "fist")),
    "hand on hip": (Arm("hip", 0.85, 0.1, "fist"), _HANG),
    "hands clasped": (Arm("waist", 0.1, 0.6, elbow_out=False), Arm("waist", 0.1, 0.6, elbow_out=False)),
    "fist up": (Arm("chest", 0.35, -0.2, "fist", elbow_out=False), _HANG),  # determined
    "hand behind head": (Arm("head", 1.0, -0.1), _HANG),  # nervous: scratching the back of the head
    "open arms": (Arm("reach", 0.5, 0.82), Arm("reach", 0.45, 0.85)),  # happy
    "hanging": (Arm("reach", 0.06, 1.0), Arm("reach", 0.06, 1.0)),  # sad, tired
    "hands on knees": (Arm("knee", 0.0, -0.2, elbow_out=False), Arm("knee", 0.0, -0.2, elbow_out=False)),
}
# Pose words, first found wins: legs and arms are read apart ("坐着指着窗外": sitting and pointing).
LEG_WORDS: dict[str, tuple[str, ...]] = {
    "sit": ("坐", "sits", "sitting", "sat", "seated", "sit down", "sits down"),
    "run": ("跑", "奔", "冲向", "冲过", "runs", "running", "ran", "dashes", "rushes", "sprints", "races", "chases"),
    "walk": ("走", "散步", "漫步", "踱步", "迈步", "walks", "walking", "walked", "strolls", "steps", "paces",
             "wanders", "climbs", "approaches"),
}  # fmt: skip
ARM_WORDS: dict[str, tuple[str, ...]] = {
    "pointing": ("指着", "指向", "指了指", "一指", "伸手指", "points", "pointing", "pointed", "point at"),
    "arms crossed": ("抱臂", "抱着胳膊", "双臂交叉", "抱胸", "环抱双臂", "双手抱胸", "crosses arms", "crosses his arms",
                     "crosses her arms", "crossed arms", "arms crossed", "folds arms", "folds his arms",
                     "folds her arms", "arms folded", "folded arms"),
    "hands on head": ("抱头", "抱着头", "捂着头", "挠头", "挠挠头", "双手抱头", "hands on head", "hands on his head",
                      "hands on her head", "head in hands", "clutches head", "clutches his head", "clutches her head",
                      "scratches head", "scratches his head", "scratches her head", "holds head"),
    "waving": ("挥手", "招手", "摆手", "挥挥手", "挥着手", "waves", "waving", "waved"),
}  # fmt: skip
# What a feeling does to a figure when the words say nothing: (arms, legs, head down, trembling).
FEELINGS: dict[str, tuple[str, str, float, bool]] = {
    "neutral": ("standing", "stand", 0.0, False), "happy": ("open arms", "stand", 0.0, False),
    "sad": ("hanging", "stand", 0.6, False), "angry": ("fists on hips", "wide", 0.0, False),
    "nervous": ("hand behind head", "stand", 0.15, False), "shy": ("hands clasped", "stand", 0.35, False),
    "surprised": ("hands raised", "stand", 0.0, False), "scared": ("hands up", "stand", 0.0, True),
    "determined": ("fist up", "wide", 0.0, False), "tired": ("hanging", "stand", 0.45, False),
}  # fmt: skip
_RELAXED = ("standing", "standing", "hand on hip")  # a neutral figure's arms, by the seed
_CLAUSE = re.compile(r"[，。！？；、,.!?;:：\n（）()]+")
# Words that hold a pose word without meaning the pose: a corridor (走廊), a finger (手指), the sea's waves.
_NOT_POSES = re.compile(r"走廊|走道|坐标|手指|指南|指挥|指导|\b(?:the|sea|ocean|big|of)\s+waves\b|\bwaves\s+(?:crash|break|roll|lap)")


def choose_pose(words: str, emotion: Emotion, rng: random.Random) -> Pose:
    """The pose for what is said about a character (`words`) and how it feels; the seed (`rng`) varies the details.

    Words win over the feeling for the arms and legs; the feeling still hangs the head and makes a scared figure
    tremble ("坐", "sits": sitting; "指", "points": pointing; "抱臂": arms crossed; "抱头": hands on head)."""
    text = _NOT_POSES.sub(" ", words.lower())
    arms_by_feeling, legs, head_down, tremble = FEELINGS[emotion]
    legs = next((kind for kind, ws in LEG_WORDS.items() if _says(text, ws)), legs)
    arms = next((kind for kind, ws in ARM_WORDS.items() if _says(text, ws)), None)
    if arms is None:
        arms = arms_by_feeling if emotion != "neutral" else _RELAXED[rng.randrange(len(_RELAXED))]
        if legs == "sit" and arms in ("standing", "hanging", "open arms", "hand on hip", "fists on hips"):
            arms = "hands on knees"
    near, far = ARMS[arms]
    if arms in ("waving", "fist up", "hand behind head", "hand on hip") and rng.random() < 0.5:
        near, far = far, near  # one-handed poses: either hand
    return Pose(arms, _jitter(near, rng), _jitter(far, rng), legs, head_down, tremble)


def words_about(text: str, name: str, names: tuple[str, ...], subject: str | None) -> str:
    """The clauses of `text` that are about `name`: those naming it first, and those naming nobody when `name` is
    the `subject` (the speaker, or the first character of an action)."""
    about = []
    for clause in _CLAUSE.split(text):
        found = [(m.start(), n) for n in names if (m := _name_pattern(n).search(clause))]
        who = min(found)[1] if found else subject
        if who == name:
            about.append(clause)
    return " ".join(about)


def _says(text: str, words: tuple[str, ...]) -> bool:
    return any(_word_pattern(w).search(text) for w in words)


@cache
def _word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(word)}\b" if word.isascii() else re.escape(word))


@cache
def _name_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(name)}\b" if name.isascii() else re.escape(name), re.IGNORECASE)


def _jitter(arm: Arm, rng: random.Random) -> Arm:
    """The seed's small change to a hand's place: visible between variations, never another pose."""
    return replace(arm, dx=round(arm.dx + rng.uniform(-0.06, 0.06), 3), dy=round(arm.dy + rng.uniform(-0.06, 0.06), 3))
