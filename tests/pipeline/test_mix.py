"""The broadcast mix as a listener's meter reads it: loudness and true peak on the delivered file, music ducked under
speech, effects heard at their cues, every voice starting with its subtitle, no dead air under music, and silence
that stays silence."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from PIL import Image

from pipeline.audio import measure_true_peak
from pipeline.errors import RenderError
from pipeline.mix import AudioPlan, EffectHit, MixResult, MusicBed, mix_audio
from pipeline.models import ShotKind, TimedShot, Timeline, VoiceClip
from pipeline.presets import RenderSettings
from pipeline.render import DirectoryCache, default_output, render_video
from pipeline.timeline import Pacing
from tests.audio import (
    EFFECT_BAND,
    MUSIC_BAND,
    RATE,
    band_db,
    decode,
    longest_silence,
    loudness,
    onsets,
    srt_starts,
    synthetic_effect,
    synthetic_music,
    synthetic_voice,
)
from tests.media import probe, stream

LEAD = Pacing().lead
# (kind, seconds of voice or of the shot, f0, clip rate, silence the clip opens with): lines at different rates, one
# that opens with silence, an action shot between them.
LINES: list[tuple[ShotKind, float, float, int, float]] = [
    ("dialogue", 1.6, 120.0, 22050, 0.0), ("action", 2.6, 0.0, 0, 0.0), ("dialogue", 2.0, 180.0, 24000, 0.0),
    ("narration", 1.3, 150.0, 22050, 0.08),
]  # fmt: skip


def voiced_timeline(tmp_path, width: int = 320, height: int = 180) -> Timeline:
    panel = tmp_path / "panel.png"
    Image.new("RGB", (width, height), (200, 120, 60)).save(panel)
    shots, start = [], 0.0
    for i, (kind, seconds, f0, rate, silent_start) in enumerate(LINES):
        voice = None
        if f0:
            clip = synthetic_voice(tmp_path / f"voice_{i}.wav", seconds, f0, rate, silent_start=silent_start)
            voice = VoiceClip(clip, seconds + silent_start)
        duration = round(LEAD + voice.duration + Pacing().tail if voice else seconds, 3)
        shots.append(TimedShot(order=i + 1, image_path=str(panel), start=round(start, 3), duration=duration,
                               transition="cut", subtitle=f"line {i + 1}" if voice else "", speaker=None, voice=voice,
                               voice_offset=LEAD, kind=kind, motion="none"))  # fmt: skip
        start += duration
    return Timeline(width, height, 25, tuple(shots))


def speech_windows(timeline: Timeline) -> list[tuple[float, float]]:
    """The middle of every line: after the ducking has set in, before the voice ends."""
    return [(s.start + s.voice_offset + 0.3, s.start + s.voice_offset + s.voice.duration - 0.1)
            for s in timeline.shots if s.voice]  # fmt: skip


def voice_starts(timeline: Timeline) -> list[float]:
    return [s.start + s.voice_offset for s in timeline.shots if s.voice]


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mix")
    timeline = voiced_timeline(tmp)
    action = timeline.shots[1]
    music = MusicBed(synthetic_music(tmp / "music.wav", 2.5), volume=0.5, fade_in=0.6, fade_out=0.8)
    effects = (EffectHit(synthetic_effect(tmp / "hit.wav"), at=round(action.start + 1.2, 3), volume=1.0),
               EffectHit(synthetic_effect(tmp / "hit2.wav", seed=3), at=round(timeline.shots[2].start + 1.0, 3),
                         volume=0.8))  # fmt: skip
    return tmp, timeline, AudioPlan(music, effects)


def test_voices_alone_are_placed_at_their_times_and_normalised(media) -> None:
    tmp, timeline, _ = media
    result = mix_audio(timeline, AudioPlan(), str(tmp / "voices.wav"), str(tmp / "work_voices"))
    audio = stream(probe(result.path), "audio")
    assert (int(audio["sample_rate"]), int(audio["channels"])) == (RATE, 2)
    assert int(audio["duration_ts"]) == round(timeline.duration * RATE)  # exactly the timeline's length
    integrated, peak = loudness(result.path)
    assert abs(integrated + 14) <= 1.0 and peak <= -1.0, (integrated, peak)
    # what the mix reports (from its last measurement and the gain after it) is what a meter reads on the file
    assert result.integrated_lufs is not None and abs(result.integrated_lufs - integrated) < 0.05
    assert result.true_peak is not None and abs(result.true_peak - peak) < 0.05, (result.true_peak, peak)
    found = onsets(decode(result.path))
    assert len(found) == len(voice_starts(timeline))
    assert np.abs(np.array(found) - voice_starts(timeline)).max() <= 0.04, (found, voice_starts(timeline))


def test_the_last_gain_brings_the_mix_to_its_target_and_is_reported_as_the_file_reads(media, monkeypatch) -> None:
    import pipeline.mix as mix

    tmp, timeline, _ = media
    real = mix._level
    monkeypatch.setattr(mix, "MAX_LEVELLING_PASSES", 1)  # one levelling pass, which falls 2 dB short
    monkeypatch.setattr(mix, "_level", lambda premix, gain, *args: real(premix, gain - 2.0, *args))
    result = mix_audio(timeline, AudioPlan(), str(tmp / "short.wav"), str(tmp / "work_short"))
    integrated, peak = loudness(result.path)
    assert abs(integrated + 14) <= 0.2, integrated
    assert result.integrated_lufs is not None and abs(result.integrated_lufs - integrated) < 0.05
    assert result.true_peak is not None and abs(result.true_peak - peak) < 0.05, (result.true_peak, peak)

def test_music_is_ducked_under_speech_looped_and_faded(media) -> None:
    tmp, timeline, plan = media
    result = mix_audio(timeline, replace(plan, effects=()), str(tmp / "music.wav"), str(tmp / "work_music"))
    x = decode(result.path)
    action = timeline.shots[1]
    # Between lines: the action shot, once the music has come back up. It lies past the 2.5 s the track lasts,
    # so the music there is looped.
    assert action.start + 0.9 > 2.5
    between = band_db(x, action.start + 0.9, action.start + action.duration - 0.1, MUSIC_BAND)
    for t0, t1 in speech_windows(timeline):
        during = band_db(x, t0, t1, MUSIC_BAND)
        assert between - during >= 6.0, (t0, between, during)
    assert band_db(x, 0.0, 0.1, MUSIC_BAND) < between - 6  # fading in
    assert band_db(x, timeline.duration - 0.1, timeline.duration, MUSIC_BAND) < between - 6  # fading out
    assert longest_silence(x) < 1.0
    integrated, peak = loudness(result.path)
    assert abs(integrated + 14) <= 1.0 and peak <= -1.0, (integrated, peak)


def test_each_effect_is_heard_at_its_time(media) -> None:
    tmp, timeline, plan = media
    result = mix_audio(timeline, plan, str(tmp / "effects.wav"), str(tmp / "work_effects"))
    x = decode(result.path)
    for hit in plan.effects:
        before = band_db(x, hit.at - 0.3, hit.at - 0.02, EFFECT_BAND)
        after = band_db(x, hit.at + 0.01, hit.at + 0.2, EFFECT_BAND)
        assert after - before >= 15.0, (hit.at, before, after)


def test_silence_stays_silence_and_music_alone_is_normalised(media) -> None:
    tmp, timeline, plan = media
    quiet = replace(timeline, shots=tuple(replace(s, voice=None, subtitle="") for s in timeline.shots))
    result = mix_audio(quiet, AudioPlan(), str(tmp / "silent.wav"), str(tmp / "work_silent"))
    assert (result.integrated_lufs, result.true_peak) == (None, None)
    x = decode(result.path)
    assert x.size == round(quiet.duration * RATE) and not np.abs(x).any()
    assert measure_true_peak(result.path) is None
    alone = mix_audio(quiet, replace(plan, effects=()), str(tmp / "alone.wav"), str(tmp / "work_alone"))
    integrated, peak = loudness(alone.path)
    assert abs(integrated + 14) <= 1.0 and peak <= -1.0, (integrated, peak)
    found = measure_true_peak(alone.path)  # the delivered sound's check: ebur128's true peak, without the loudness
    assert found is not None and abs(found - peak) <= 0.1, (found, peak)


def test_music_coming_in_late_and_effects_past_the_end(media) -> None:
    tmp, timeline, plan = media
    late = replace(plan, music=replace(plan.music, start=timeline.shots[2].start, fade_in=0.0),
                   effects=(EffectHit(plan.effects[0].path, at=timeline.duration + 1.0),))  # fmt: skip
    x = decode(mix_audio(timeline, late, str(tmp / "late.wav"), str(tmp / "work_late")).path)
    action = timeline.shots[1]
    assert band_db(x, action.start + 0.5, action.start + 2.0, MUSIC_BAND) < -80  # not in yet
    assert band_db(x, timeline.shots[2].start + 0.05, timeline.shots[2].start + 0.15, MUSIC_BAND) > -50


@pytest.mark.parametrize(
    ("change", "words"),
    [({"target_lufs": -2.0}, "target loudness -2.0"), ({"true_peak": 1.0}, "true-peak ceiling 1.0"),
     ({"plan": AudioPlan(effects=(EffectHit("/nonexistent/hit.wav", at=1.0),))}, "add the effect again"),
     ({"music": {"volume": 5.0}}, "music volume 5.0"), ({"music": {"fade_out": -1.0}}, "music fade_out -1.0"),
     ({"effect": {"at": -0.5}}, "starts at -0.5 s"), ({"effect": {"volume": 9.0}}, "volume 9.0"),
     ({"oversample": 0}, "oversample 0")],
)  # fmt: skip
def test_bad_inputs_are_refused_with_the_value_and_the_fix(media, change, words) -> None:
    tmp, timeline, plan = media
    options = {k: v for k, v in change.items() if k in ("target_lufs", "true_peak", "oversample")}
    if "music" in change:
        plan = replace(plan, music=replace(plan.music, **change["music"]))
    if "effect" in change:
        plan = replace(plan, effects=(replace(plan.effects[0], **change["effect"]),))
    plan = change.get("plan", plan)
    with pytest.raises(RenderError, match=words):
        mix_audio(timeline, plan, str(tmp / "bad.wav"), str(tmp / "work_bad"), **options)


def test_the_delivered_video_is_at_the_target_loudness_and_in_sync_with_its_subtitles(media) -> None:
    tmp, timeline, plan = media
    result = render_video(timeline, str(tmp / "out.mp4"), str(tmp / "render"), audio=plan)
    info = probe(result.path)
    audio = stream(info, "audio")
    assert (audio["codec_name"], int(audio["sample_rate"]), int(audio["channels"])) == ("aac", RATE, 2)
    integrated, peak = loudness(result.path)
    assert abs(integrated + 14) <= 1.0 and peak <= -1.0, (integrated, peak)
    x = decode(result.path)
    starts = srt_starts(result.subtitles_path)
    found = onsets(x)
    assert len(found) == len(starts) == 3
    assert np.abs(np.array(found) - starts).max() <= 0.04, (found, starts)
    for hit in plan.effects:
        assert band_db(x, hit.at + 0.01, hit.at + 0.2, EFFECT_BAND) - band_db(x, hit.at - 0.3, hit.at - 0.02,
                                                                              EFFECT_BAND) >= 15  # fmt: skip
    assert longest_silence(x) < 1.0


def test_a_preview_has_a_draft_sound_as_loud_which_a_final_does_not_reuse(media) -> None:
    tmp, timeline, plan = media
    cache = DirectoryCache(str(tmp / "cache_draft"))
    preview = render_video(timeline, str(tmp / "draft.mp4"), str(tmp / "draft"), audio=plan, cache=cache,
                           output=default_output(timeline, RenderSettings(kind="preview")))  # fmt: skip
    integrated, peak = loudness(preview.path)
    assert abs(integrated + 14) <= 1.0 and peak <= -0.5, (integrated, peak)  # its peaks are held on the samples
    final = render_video(timeline, str(tmp / "final.mp4"), str(tmp / "final"), audio=plan, cache=cache)
    assert final.sound != preview.sound


def test_a_delivered_peak_over_the_ceiling_is_mixed_again_lower(media, monkeypatch) -> None:
    import pipeline.render as render

    tmp, timeline, plan = media
    ceilings: list[float] = []
    real_mix, real_measure = render.mix_audio, render.measure_true_peak

    def mix(*args: Any, **kwargs: Any) -> MixResult:
        ceilings.append(kwargs["true_peak"])
        return real_mix(*args, **kwargs)

    def measure(path: str, **kwargs: Any) -> float | None:
        found = real_measure(path, **kwargs)  # the first encode reads as if the AAC overshot to -0.2 dBTP
        return -0.2 if len(ceilings) == 1 else found

    monkeypatch.setattr(render, "mix_audio", mix)
    monkeypatch.setattr(render, "measure_true_peak", measure)
    result = render_video(timeline, str(tmp / "again.mp4"), str(tmp / "render_again"), audio=plan)
    assert ceilings == [pytest.approx(-1.5), pytest.approx(-2.5)]
    integrated, peak = loudness(result.path)
    assert peak <= -2.2 and abs(integrated + 14) <= 1.0, (integrated, peak)
