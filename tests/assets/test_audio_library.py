"""The built-in music and sound effects: the catalog, the files as decoded (lengths, loops, loudness, key), cue
matching in both languages, and music recommended from a script's moods."""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import tomllib

import numpy as np
import pytest

from assets_library import (
    AUDIO_DIR,
    MOODS,
    audio_catalog,
    audio_file,
    audio_item,
    library_path,
    match_effect,
    moods_from_script,
    recommend_music,
)
from pipeline.parse import parse_script
from tests.conftest import REPO
from tests.media import probe, stream

REQUIRED_EFFECTS = ("heartbeat", "wind", "rain", "thunder", "door-open-creak", "door-slam", "door-knock", "footsteps",
                    "phone-ring", "keyboard-typing", "gong", "whoosh", "punch", "sword-draw", "crowd-murmur", "bell",
                    "birds", "alarm", "radio-static", "glass-break", "applause", "clock-tick", "car-horn",
                    "water-splash", "fire-crackle", "magic-sparkle", "camera-shutter", "explosion",
                    "notification-ding", "boing", "dog-bark")  # fmt: skip


def decode(path, channels: int) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", str(channels), "-"],
                         capture_output=True, check=True).stdout  # fmt: skip
    return np.frombuffer(raw, dtype="<f4").reshape(-1, channels)


def seam_sharpness(samples: np.ndarray) -> float:
    """The second difference across the loop point (last sample -> first) over the 99th percentile of the track's
    own: a click stands far above 1."""
    loop = np.concatenate([samples[-8:], samples[:8]])
    across = np.abs(np.diff(loop, 2, axis=0))[5:10].max()
    return float(across / np.percentile(np.abs(np.diff(samples, 2, axis=0)).max(axis=1), 99))


def test_the_catalog_holds_every_mood_and_effect_with_names_tags_and_licence() -> None:
    catalog = audio_catalog()
    music, effects = catalog["music"], catalog["effects"]
    assert len(music) >= 16 and len(effects) >= 30
    assert all(sum(1 for m in music if m["category"] == mood) >= 2 for mood in MOODS)
    assert set(REQUIRED_EFFECTS) <= {e["id"] for e in effects}
    ids = [item["id"] for item in (*music, *effects)]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)
    for item in (*music, *effects):
        assert item["name"]["zh"] and re.search(r"[\u4e00-\u9fff]", item["name"]["zh"]) and item["name"]["en"], item
        assert item["tags"]["zh"] and item["tags"]["en"], item["id"]
        assert item["licence"] == {"id": "CC0-1.0", "source": "synthesised by scripts/make_audio_assets.py"}
        assert audio_file(item).is_file() and audio_item(item["id"]) is item
    for item in music:
        assert 40 <= item["duration"] <= 90 and item["loop"] and item["moods"][item["category"]] == 1.0
        assert item["tags"]["en"][0] == item["category"]
    total = sum(p.stat().st_size for p in AUDIO_DIR.rglob("*") if p.is_file())
    assert total <= 10_000_000, total
    on_disk = {str(p.relative_to(AUDIO_DIR)) for p in AUDIO_DIR.rglob("*.ogg")}
    assert on_disk == {item["file"] for item in (*music, *effects)}  # nothing stray, nothing missing


def test_the_files_are_packaged() -> None:
    globs = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["assets_library"]
    catalog = audio_catalog()
    for path in ["audio/catalog.json", *(f"audio/{item['file']}" for item in catalog["music"] + catalog["effects"])]:
        assert any(fnmatch.fnmatch(path, pattern) for pattern in globs), path


@pytest.mark.parametrize("item", audio_catalog()["music"], ids=lambda i: i["id"])
def test_music_decodes_at_its_length_loops_without_a_click_and_sounds_like_music(item) -> None:
    info = probe(str(audio_file(item)))
    audio = stream(info, "audio")
    assert (audio["codec_name"], audio["channels"], int(audio["sample_rate"])) == ("vorbis", 2, 44100)
    assert 80_000 <= int(audio["bit_rate"]) <= 112_000  # 96 kbps nominal
    samples = decode(audio_file(item), 2)
    assert abs(samples.shape[0] / 44100 - item["duration"]) < 0.01
    assert seam_sharpness(samples) < 1.0, item["id"]
    mono = samples.mean(axis=1)
    rms_db = 20 * np.log10(np.sqrt((mono**2).mean()))
    assert -20 < rms_db < -14 and np.abs(samples).max() <= 0.95  # mastered: steady level, limited peaks
    # Heard at the seam, the loop keeps its level: neither end fades to silence.
    edge = 44100 // 2
    assert min(np.sqrt((mono[:edge] ** 2).mean()), np.sqrt((mono[-edge:] ** 2).mean())) > 10 ** (-32 / 20)
    # In a key: seven pitch classes hold most of the tonal energy (noise spreads it over all twelve, ~58 %).
    spectrum = np.abs(np.fft.rfft(mono)) ** 2
    freqs = np.fft.rfftfreq(mono.size, 1 / 44100)
    tonal = (freqs > 60) & (freqs < 2000)
    pitch_class = np.round(12 * np.log2(freqs[tonal] / 440) + 69).astype(int) % 12
    chroma = np.bincount(pitch_class, weights=spectrum[tonal], minlength=12)
    assert np.sort(chroma)[-7:].sum() / chroma.sum() > 0.78, item["id"]
    # Chords change: the pitch content of the first and second chord of the progression differ.
    per_chord, lead = item["chord_seconds"], item["downbeat"]
    spans = [mono[int((lead + k * per_chord + 0.2) * 44100): int((lead + (k + 1) * per_chord - 0.1) * 44100)]
             for k in range(len(item["chords"]))]  # fmt: skip
    profiles = [_chroma(span) for span in spans]
    assert max(np.abs(a - b).sum() for a in profiles for b in profiles) > 0.2, item["id"]


def _chroma(samples: np.ndarray) -> np.ndarray:
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(samples.size, 1 / 44100)
    tonal = (freqs > 60) & (freqs < 2000)
    pitch_class = np.round(12 * np.log2(freqs[tonal] / 440) + 69).astype(int) % 12
    chroma = np.bincount(pitch_class, weights=spectrum[tonal], minlength=12)
    return chroma / chroma.sum()


@pytest.mark.parametrize("item", audio_catalog()["effects"], ids=lambda i: i["id"])
def test_effects_decode_at_their_length_mono_and_are_not_silent(item) -> None:
    audio = stream(probe(str(audio_file(item))), "audio")
    assert (audio["codec_name"], audio["channels"]) == ("vorbis", 1)
    samples = decode(audio_file(item), 1)[:, 0]
    assert abs(samples.size / 44100 - item["duration"]) < 0.01
    assert np.abs(samples).max() > 0.5
    window = 4410  # the loudest 100 ms is clearly heard
    energy = np.convolve(samples**2, np.ones(window) / window, mode="valid")
    assert 10 * np.log10(energy.max()) > -30, item["id"]
    assert np.abs(samples[:20]).max() < 0.2 and np.abs(samples[-20:]).max() < 0.05  # no click in or out


@pytest.mark.parametrize(("cue", "effect"), [
    ("[音效: 心跳]", "heartbeat"), ("[[SFX: door slam]]", "door-slam"), ("敲门声", "door-knock"),
    ("thunder rumbles", "thunder"), ("风声", "wind"), ("【音效：雷声大作】", "thunder"), ("龙吟", "dragon-roar"),
    ("creaking gears", "creaking-gears"), ("a dog barks in the distance", "dog-bark"), ("Phone rings", "phone-ring"),
    ("glass shatters", "glass-break"), ("掌声雷动", "applause"), ("锣声", "gong"), ("knocking on the door", "door-knock"),
    ("拔剑出鞘", "sword-draw"), ("Footsteps approaching", "footsteps"), ("关门声", "door-slam"), ("laugh", "boing"),
    ("雨的声音", "rain"), ("heavy rain", "rain"), ("Door creaks open", "door-open-creak"), ("一阵风", "wind"),
])  # fmt: skip
def test_cues_match_effects_in_both_languages(cue: str, effect: str) -> None:
    found = match_effect(cue)
    assert found is not None and found["id"] == effect, (cue, found and found["id"])


@pytest.mark.parametrize("cue", ["量子引擎", "quantum engine hum", "", "[音效:]", "   ", "car engine", "火车",
                                 "water dripping", "kettle whistle", "distant engine noise"])
def test_a_cue_nothing_fits_matches_nothing(cue: str) -> None:
    assert match_effect(cue) is None


def test_music_for_a_romantic_script_is_romantic(samples) -> None:
    parsed = parse_script(samples["confession.zh.txt"])
    texts = [s.text for s in parsed.shots] + [cue for s in parsed.shots for cue in s.sound_effects]
    moods = moods_from_script([s.emotion for s in parsed.shots], texts)
    assert max(moods, key=moods.__getitem__) == "romantic" and abs(sum(moods.values()) - 1) < 1e-3
    best, score = recommend_music(moods, parsed_duration(parsed))[0]
    assert best["category"] == "romantic" and "romantic" in best["tags"]["en"] and "浪漫" in best["tags"]["zh"]
    assert 0 < score <= 1
    tense = moods_from_script(["害怕", "紧张", "afraid"], ["快跑!危险!"])
    assert recommend_music(tense, 30)[0][0]["category"] == "tense"
    assert recommend_music(moods_from_script(["calm"]), 30)[0][0]["category"] == "calm"  # a mood's own name counts


def parsed_duration(parsed) -> float:
    return sum(s.duration for s in parsed.shots)


def test_recommendation_scores_length_and_refuses_nonsense() -> None:
    short = dict((i["id"], s) for i, s in recommend_music({"epic": 1.0}, 30))
    long = dict((i["id"], s) for i, s in recommend_music({"epic": 1.0}, 600))
    assert all(long[k] < short[k] for k in short)  # a track that must loop many times fits less
    scores = [s for _, s in recommend_music({"sad": 0.7, "calm": 0.3}, 60)]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    for moods, seconds, word in (({"angry": 1.0}, 30, "angry"), ({"sad": -1.0}, 30, "zero or more"),
                                 ({"sad": 1.0}, 0, "duration")):  # fmt: skip
        with pytest.raises(ValueError, match=word):
            recommend_music(moods, seconds)


def test_only_catalog_files_resolve() -> None:
    assert library_path("library:music/calm-morning-tea.ogg") == AUDIO_DIR / "music" / "calm-morning-tea.ogg"
    for bad in ("library:../__init__.py", "library:music/../catalog.json", "library:catalog.json", "music/x.ogg",
                "library:/etc/passwd", "library:sfx/gong.ogg/.."):  # fmt: skip
        with pytest.raises(KeyError):
            library_path(bad)
    with pytest.raises(KeyError):
        audio_file({"id": "gong", "file": "../__init__.py"})
    with pytest.raises(KeyError, match="catalog"):
        audio_item("no-such-effect")


def test_the_catalog_is_what_the_script_writes() -> None:
    """The generator is deterministic: the catalog's entries are the script's tracks and effects, with the lengths
    their synthesis gives (effects re-synthesised here; music only counted, being slower)."""
    import sys

    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import make_audio_assets as script
    finally:
        sys.path.remove(str(REPO / "scripts"))
    catalog = json.loads((AUDIO_DIR / "catalog.json").read_text(encoding="utf-8"))
    assert [t.id for t in script.TRACKS] == [m["id"] for m in catalog["music"]]
    assert [round(t.duration, 1) for t in script.TRACKS] == [round(m["duration"], 1) for m in catalog["music"]]
    assert [e.id for e in script.EFFECTS] == [e["id"] for e in catalog["effects"]]
    for effect in script.EFFECTS[:5]:
        first, again = script.effect_samples(effect), script.effect_samples(effect)
        assert np.array_equal(first, again)
        assert round(first.size / script.SR, 3) == audio_item(effect.id)["duration"]
