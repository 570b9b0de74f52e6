"""Casting: every character of a script sounds apart from every other and from the narrator, measured on the voiced
lines (median F0 by autocorrelation), in Chinese (espeak-ng) and English (Piper, the default there); children higher
and elders lower and slower than adults; emotion moves the melody's range and the pace, not only the speed."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from pipeline.models import Character, StoryboardShot
from pipeline.parse import parse_script
from pipeline.plan import PlanOptions, plan_storyboard
from pipeline.shot_requests import voice_inputs_hash, voice_request
from pipeline.tts.base import VoiceProfile, VoiceRequest, semitones_apart
from pipeline.tts.casting import NARRATOR_KEY, cast_voices, voice_for, voice_traits
from pipeline.tts.espeak import EspeakTTSBackend
from pipeline.tts.failover import FailoverTTSBackend
from pipeline.tts.piper import PiperTTSBackend
from tests.voices import duration, f0_frames, f0_spread, median_f0, rms, semitones

ZH = """场景:家,晚上
角色:妈妈(女,40岁),爷爷(男,老人),小明(男,小学生),小红(女,孩子),老王(男,40s),大刘(男,30s)
妈妈: 饭做好了，快来吃吧。
爷爷: 我年轻的时候，可没有这么好的日子。
小明: 妈妈，我还想再玩一会儿。
小红: 我也要吃鸡腿，还要喝汤！
老王: 今天的活儿总算干完了。
大刘: 明天我们早点出发，别迟到。
旁白: 一家人围坐在桌边，窗外下起了小雨。
妈妈: 小明，先去洗手。
爷爷: 慢点吃，别噎着。
小明: 我马上就去！
小红: 哥哥等等我。
老王: 这汤真香啊。
大刘: 再给我来一碗米饭。
旁白: 雨越下越大。
"""
EN = """INT. KITCHEN - NIGHT

MOM (40s, tired) sets the table. GRANDPA (70s) reads. TOM (8, boy) and LILY (7, girl) run in. JACK (30s) and MIKE (40s) carry boxes.

MOM
Dinner is ready, everyone come and sit down.

GRANDPA
When I was young, we never had a table this full.

TOM
Can I play for five more minutes, please?

LILY
I want the biggest piece of chicken!

JACK
Finally, the last box is in the truck.

MIKE
We leave at six tomorrow morning, so sleep early.

MOM
Tom, wash your hands first.

GRANDPA
Slow down, there is plenty for everyone.

TOM
I am going, I am going!

LILY
Wait for me, Tom!

JACK
This soup smells wonderful.

MIKE
Pass me the bread, would you?

The rain taps on the window while the family eats.
"""
NARRATION = {"zh": "", "en": "The rain taps on the window while the family eats."}  # Fountain has no narrator cue
ADULTS = {"zh": ("妈妈", "老王", "大刘"), "en": ("Mom", "Jack", "Mike")}
CHILDREN = {"zh": ("小明", "小红"), "en": ("Tom", "Lily")}
ELDER = {"zh": ("爷爷", ("老王", "大刘")), "en": ("Grandpa", ("Jack", "Mike"))}  # and the adults of the same gender


def _engines() -> FailoverTTSBackend:
    espeak = EspeakTTSBackend()
    return FailoverTTSBackend({"espeak": espeak, "piper": PiperTTSBackend()}, fallback=espeak)


@pytest.mark.parametrize("language, script, engine", [("zh", ZH, "espeak"), ("en", EN, "piper")])
def test_every_voice_of_a_script_is_apart_from_the_others(tmp_path, language, script, engine) -> None:
    parsed = parse_script(script)
    board = plan_storyboard(parsed, PlanOptions(aspect_ratio="16:9", style="comic"))
    cast = {c.name: c for c in parsed.characters}
    assert board.language == language and len(cast) == 6, cast
    heard: dict[str, list[float]] = {}
    backend = _engines()
    lines = [s for s in board.shots if s.voiced]
    if NARRATION[language]:
        lines.append(replace(lines[0], order=99, kind="narration", speaker=None, text=NARRATION[language]))
    for shot in lines:
        path = str(tmp_path / f"line_{shot.order}.wav")
        clip = backend.synthesize(voice_request(shot, cast, board.language), path)
        assert (clip.engine, clip.fallback) == (engine, "") and rms(path) > 300
        heard.setdefault(shot.speaker or "narrator", []).extend(f0_frames(path))
    f0 = {who: float(np.median(frames)) for who, frames in heard.items()}  # over all of a character's lines
    assert len(f0) == 7, f0  # six characters and the narrator
    for a, b in itertools.combinations(f0, 2):
        assert semitones(f0[a], f0[b]) >= 2.0, (a, b, f0)
    assert min(f0[c] for c in CHILDREN[language]) > max(f0[a] for a in ADULTS[language]), f0
    elder, peers = ELDER[language]
    assert f0[elder] < min(f0[p] for p in peers), f0


def test_elders_speak_slower_and_children_faster(tmp_path) -> None:
    cast = {"爷爷": Character("爷爷", {"gender": "男", "role": "老人"}), "大刘": Character("大刘", {"gender": "男"}),
            "小明": Character("小明", {"gender": "男", "role": "小学生"})}  # fmt: skip
    voices = cast_voices(cast)
    lengths = {}
    for name, voice in voices.items():
        path = str(tmp_path / "v.wav")
        EspeakTTSBackend().synthesize(VoiceRequest("明天我们早点出发，别迟到。", "zh", voice), path)
        lengths[name] = duration(path)
    assert lengths["爷爷"] > lengths["大刘"] * 1.1 and lengths["小明"] < lengths["大刘"], lengths


@pytest.mark.parametrize("backend, language, text", [
    (EspeakTTSBackend(), "zh", "我们明天一起去看海，好不好？"),
    (EspeakTTSBackend(), "en", "We are going to the sea tomorrow, all of us together."),
    (PiperTTSBackend(), "en", "We are going to the sea tomorrow, all of us together."),
])  # fmt: skip
def test_emotion_changes_the_melody_range_and_the_pace(tmp_path, backend, language, text) -> None:
    voice = VoiceProfile(gender="female", variant=2, pitch=66)
    said = {}
    runs = 3 if backend.name == "piper" else 1  # Piper's voice varies from one take to the next: take the mean
    for emotion in (None, "开心", "伤心"):
        takes = []
        for take in range(runs):
            path = str(tmp_path / f"{emotion}_{take}.wav")
            backend.synthesize(VoiceRequest(text, language, voice, emotion=emotion), path)
            takes.append((f0_spread(path), duration(path), median_f0(path)))
        said[emotion] = tuple(float(np.mean(values)) for values in zip(*takes, strict=True))
    (flat, calm, mid), (wide, quick, high), (narrow, slow, low) = said[None], said["开心"], said["伤心"]
    assert wide > narrow * 1.6 and slow > quick * 1.08, said  # happy rises and falls more than sad, and is quicker
    # Happy higher, sad lower: 4 semitones apart as set (+2, -2); Piper's takes wander about a semitone around it.
    assert high > mid > low and semitones(high, low) > (3 if runs == 1 else 2.5), said
    if runs == 1:  # one take is the take: neutral sits between them in range and pace too (Piper's own takes
        # vary as much as that, so there only happy and sad are compared)
        assert narrow < flat * 0.8 and wide > flat * 1.15 and quick < calm < slow, said


@pytest.mark.parametrize("character, traits", [
    (Character("小红", {"gender": "女"}), ("female", "adult")),
    (Character("小明", {"gender": "男", "role": "高中生"}), ("male", "teen")),
    (Character("小明", {"gender": "男", "role": "小学生"}), ("male", "child")),
    (Character("阿宝", {"role": "孩子"}), ("male", "child")),
    (Character("王奶奶", {}), ("female", "elder")),
    (Character("李爷爷", {}), ("male", "elder")),
    (Character("老陈", {"gender": "男", "role": "老人"}), ("male", "elder")),
    (Character("老王", {"gender": "男", "age": "40s"}), ("male", "adult")),  # 老王 is a name, not an age
    (Character("Mom", {"age": "40s", "role": "tired"}), ("female", "adult")),
    (Character("Tom", {"age": "8", "gender": "男"}), ("male", "child")),
    (Character("Grandpa", {"age": "70s"}), ("male", "elder")),
    (Character("Sam", {"role": "teen"}, {"features": ["her braid"]}), ("female", "teen")),
    (Character("Ada", {"role": "pilot"}, {"features": ["a 12-year-old girl"]}), ("female", "child")),
    (Character("Rex", {"role": "veteran"}, {"hair": "grey", "features": ["3 scars"]}), ("male", "adult")),
    (Character("Old Pete", {"role": "elderly fisherman"}), ("male", "elder")),
])  # fmt: skip
def test_gender_and_age_come_from_the_script(character, traits) -> None:
    assert voice_traits(character) == traits


def test_a_cast_is_placed_apart_and_adding_a_character_moves_nobody_before_it() -> None:
    names = ["妈妈", "爷爷", "小明", "小红", "老王", "大刘"]
    cast = {c.name: c for c in parse_script(ZH).characters}
    voices = cast_voices(cast)
    assert list(voices) == [NARRATOR_KEY, *names]
    for a, b in itertools.combinations(voices.values(), 2):
        assert semitones_apart(a.pitch, b.pitch) >= 2.5 or a.variant != b.variant, (a, b)
    grown = cast_voices({**cast, "阿姨": Character("阿姨", {"gender": "女"})})
    assert all(grown[n] == voices[n] for n in voices)
    far = semitones_apart(grown["阿姨"].pitch, grown["妈妈"].pitch)
    assert far >= 2.5 or grown["阿姨"].variant != grown["妈妈"].variant


def test_the_creators_settings_win() -> None:
    cast = {c.name: c for c in parse_script(ZH).characters}
    narrator = cast_voices(cast)[NARRATOR_KEY]
    pinned = {**cast, "大刘": replace(cast["大刘"], voice={"pitch": narrator.pitch, "variant": 1, "engine": "espeak"})}
    voices = cast_voices(pinned)
    assert (voices["大刘"].pitch, voices["大刘"].variant, voices["大刘"].engine) == (narrator.pitch, 1, "espeak")
    assert semitones_apart(voices[NARRATOR_KEY].pitch, narrator.pitch) >= 2.5  # the narrator moved, not 大刘
    assert voices["大刘"] == voice_for(pinned["大刘"])


def test_a_large_cast_shares_pitches_only_across_variants() -> None:
    cast = [Character(f"男{i}", {"gender": "男"}) for i in range(10)]
    voices = list(cast_voices(cast).values())
    assert len({(v.pitch, v.variant, v.gender) for v in voices}) == len(voices)


def test_the_voice_hash_follows_the_cast_and_the_engine() -> None:
    cast = {c.name: c for c in parse_script(ZH).characters}
    shot = StoryboardShot(order=1, scene_id=1, kind="dialogue", camera="medium", scene_description="", location="",
                          time="", interior=None, characters=("大刘",), text="走吧。", duration=2.0,
                          transition="cut", speaker="大刘")  # fmt: skip
    base = voice_inputs_hash(shot, cast, "zh")
    assert voice_inputs_hash(shot, {**cast, "大刘": replace(cast["大刘"], voice={"engine": "piper"})}, "zh") != base
    assert voice_inputs_hash(shot, {**cast, "阿姨": Character("阿姨", {"gender": "女"})}, "zh") == base  # added after
    assert voice_request(shot, cast, "zh").voice == cast_voices(cast)["大刘"]
    unknown = replace(shot, speaker="路人")  # a speaker the cast does not list yet is cast after the others
    assert voice_request(unknown, cast, "zh").voice == cast_voices({**cast, "路人": Character("路人")})["路人"]


def test_a_boy_or_a_girl_in_an_english_cast_is_voiced_as_a_child() -> None:
    from pipeline.parse import parse_script
    from pipeline.tts.casting import voice_traits

    parsed = parse_script("Scene: Park, Day\nCharacters: Tommy(boy), Lily(girl), Joe(male)\nTommy: Hi.\n")
    traits = {c.name: voice_traits(c) for c in parsed.characters}
    assert traits == {"Tommy": ("male", "child"), "Lily": ("female", "child"), "Joe": ("male", "adult")}
