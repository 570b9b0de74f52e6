"""The broadcast mix of a timeline: voices at their shot times, a music bed (looped or trimmed, faded, ducked under
speech by a compressor keyed by the voices) and sound effects at their cues, as one stereo 48 kHz track exactly the
timeline's length, brought to a loudness target under a true-peak ceiling: a limiter holds the peaks, a meter
(`ebur128`, true peak at four times the rate) reads the result, and one gain brings it to the target."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

from pipeline.audio import Loudness, parse_ebur128, run_ffmpeg
from pipeline.errors import RenderError
from pipeline.models import Timeline

MIX_RATE = 48000
# The voices are brought to this loudness before anything is mixed with them, so that a music volume of 1.0 means
# "as loud as the voices" whatever engine spoke them, and the ducking below always sees speech at the same level.
VOICE_LUFS = -20.0
# Ducking: the key is the voice track with its quiet syllables lifted (speechnorm), so that soft and loud speakers
# alike pull the music down by about 15 dB (never less than 6) while they speak; the release rides over the gaps
# between words and brings the music back up between lines.
DUCKING_KEY = "speechnorm=e=12.5:r=0.0001:l=1"
DUCKING = "threshold=0.04:ratio=6:attack=20:release=600:knee=2.5:link=maximum:detection=rms"
LIMIT_MARGIN = 0.5  # dB the limiter stays under the ceiling: it sees the samples, not the peaks between them
MAX_LEVELLING_PASSES = 4
_STEREO = f"aresample={MIX_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"
# A clip's leading silence (espeak-ng opens some words with 40 ms of it) would start the voice after its subtitle.
_TRIM_LEADING_SILENCE = "silenceremove=start_periods=1:start_threshold=-60dB:detection=peak:window=0"
_FFMPEG_ARGS = ["-hide_banner", "-nostdin", "-nostats", "-y"]
_METER = "ebur128=framelog=verbose"  # integrated loudness only, its summary without a line every 100 ms


@dataclass(frozen=True)
class MusicBed:
    """A music track under the whole video, from `start` (seconds into the video) to the end, looped when shorter.

    `volume` is relative to the voices: 1.0 is as loud as they are (before ducking), 0.5 six decibels under them."""

    path: str
    volume: float = 0.5
    start: float = 0.0
    fade_in: float = 0.0
    fade_out: float = 0.0


@dataclass(frozen=True)
class EffectHit:
    """A sound effect played once from `at` seconds into the video, at `volume` times its level as recorded."""

    path: str
    at: float
    volume: float = 1.0


@dataclass(frozen=True)
class AudioPlan:
    """Everything heard besides the voices."""

    music: MusicBed | None = None
    effects: tuple[EffectHit, ...] = ()


@dataclass(frozen=True)
class MixResult:
    """The mixed track, its integrated loudness and its true peak (the samples' peak for a draft); both None when the
    track is silent. They are the meter's reading before the last gain plus that gain, which moves both exactly."""

    path: str
    integrated_lufs: float | None
    true_peak: float | None


def check_inputs(timeline: Timeline, plan: AudioPlan, target_lufs: float, true_peak: float, oversample: int = 4) -> None:
    """Raises RenderError naming the first bad value and how to fix it (file paths go to `detail`)."""
    if not 1 <= oversample <= 8:
        raise RenderError(f"oversample {oversample} must be between 1 and 8 times the sample rate (4 sees true peaks).")
    if not -36.0 <= target_lufs <= -5.0:
        raise RenderError(f"target loudness {target_lufs} LUFS must be between -36 and -5 (streaming uses -14).")
    if not -9.0 <= true_peak <= 0.0:
        raise RenderError(f"true-peak ceiling {true_peak} dBTP must be between -9 and 0 (-1 is usual).")
    if timeline.duration <= 0:
        raise RenderError("The timeline lasts no time: plan a storyboard with at least one shot first.")
    for shot in timeline.shots:
        if shot.voice is not None and not Path(shot.voice.path).is_file():
            raise RenderError(f"shot {shot.order}: its voice clip is missing: voice the line again.",
                              detail=shot.voice.path)  # fmt: skip
    music = plan.music
    if music is not None:
        if not Path(music.path).is_file():
            raise RenderError("The project's music file is missing: choose the music again.", detail=music.path)
        if not 0.0 <= music.volume <= 4.0:
            raise RenderError(f"music volume {music.volume} must be between 0 and 4 (1.0 = as loud as the voices).")
        for name, value in (("start", music.start), ("fade_in", music.fade_in), ("fade_out", music.fade_out)):
            if not 0.0 <= value <= 3600.0:
                raise RenderError(f"music {name} {value} must be between 0 and 3600 seconds.")
    for hit in plan.effects:
        if not Path(hit.path).is_file():
            raise RenderError(f"The sound effect at {hit.at:.2f} s has no file: add the effect again.",
                              detail=hit.path)  # fmt: skip
        if hit.at < 0:
            raise RenderError(f"A sound effect starts at {hit.at} s: effects start at 0 s or later.")
        if not 0.0 <= hit.volume <= 4.0:
            raise RenderError(f"sound effect volume {hit.volume} (at {hit.at:.2f} s) must be between 0 and 4.")


def mix_audio(
    timeline: Timeline,
    plan: AudioPlan,
    out_path: str,
    workdir: str,
    *,
    target_lufs: float = -14.0,
    true_peak: float = -1.0,
    ffmpeg: str = "ffmpeg",
    oversample: int = 4,
) -> MixResult:
    """Mix the timeline's voices with the plan's music and effects into `out_path` (stereo 48 kHz 24-bit WAV).

    Each voice starts at its shot's start plus `voice_offset`. The music is ducked under speech, effects play at
    their times, and the whole is normalised: integrated loudness `target_lufs`, true peak at most `true_peak`
    (a limiter holds the peaks; when it would have to squash the track, the loudness stays under the target instead).
    Voices only, or nothing at all, is a valid mix; silence is written as silence.

    Args:
        workdir: a scratch directory for the intermediate tracks.
        oversample: how many times the sample rate the limiter runs at, to see the peaks between samples (1: a
            draft's: it holds the samples alone, and the meter reads the samples' peak, not the true peak).

    Returns:
        The path and the loudness of the written file (measured before its last gain, which moves it exactly).

    Raises:
        RenderError: a bad target, volume or time, a missing file, or ffmpeg failed (its output in `detail`).
    """
    check_inputs(timeline, plan, target_lufs, true_peak, oversample)
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    samples = max(1, round(timeline.duration * MIX_RATE))

    # 1. The voices on a track of their own, each at its shot time, measured.
    voices = str(work / "voices.wav")
    voice_level = _voice_track(timeline, samples, voices, work, ffmpeg)
    voice_gain = VOICE_LUFS - voice_level.integrated if voice_level.integrated is not None else 0.0

    # 2. Music and effects around them; the music is measured first so that its volume is relative to the voices.
    #    With neither, the voices are the premix (the gain below covers theirs).
    music = plan.music
    music_gain = None
    if music is not None and music.volume > 0 and round(music.start * MIX_RATE) < samples:
        music_gain = _music_gain(music, ffmpeg)
    effects = [hit for hit in plan.effects if hit.volume > 0 and round(hit.at * MIX_RATE) < samples]
    premix, level = voices, voice_level
    if music_gain is not None or effects:
        premix = str(work / "premix.wav")
        level = _premix(voices, voice_gain, music, music_gain, effects, samples, premix, work, ffmpeg)
    if level.integrated is None:
        run_ffmpeg([ffmpeg, *_FFMPEG_ARGS, "-i", premix, "-c:a", "pcm_s24le", out_path], "write the silent mix")
        return MixResult(out_path, None, None)

    # 3. Gain to the target with the peaks held under the ceiling, again while the limiter costs loudness; then one
    #    gain for the rest of the way, lowered as far as the ceiling needs. A gain moves the loudness and the true
    #    peak by itself exactly: the result is not measured again.
    gain, leveled = target_lufs - level.integrated, str(work / "leveled.wav")
    for passes in itertools.count(1):
        measured = _level(premix, gain, true_peak, samples, leveled, ffmpeg, oversample)
        assert measured.integrated is not None and measured.true_peak is not None  # louder than the premix
        loudness, peak = measured.integrated, measured.true_peak
        shortfall = target_lufs - loudness
        if peak + shortfall <= true_peak or abs(shortfall) < 0.05 or passes == MAX_LEVELLING_PASSES:
            break
        gain += shortfall
    last = min(shortfall, true_peak - peak)
    run_ffmpeg([ffmpeg, *_FFMPEG_ARGS, "-i", leveled, "-af", f"volume={last:.3f}dB", "-c:a", "pcm_s24le", out_path],
               "normalise the mix")  # fmt: skip
    return MixResult(out_path, loudness + last, peak + last)


def _voice_track(timeline: Timeline, samples: int, out_path: str, work: Path, ffmpeg: str) -> Loudness:
    """Every voice clip delayed to its start, summed, exactly `samples` long; returns its loudness."""
    clips = [(s.voice.path, round((s.start + s.voice_offset) * MIX_RATE)) for s in timeline.shots if s.voice]
    clips = [(path, start) for path, start in clips if start < samples]
    inputs: list[str] = []
    parts: list[str] = []
    for k, (path, start) in enumerate(clips):
        inputs += ["-i", _file(path)]
        parts.append(f"[{k}:a]{_STEREO},{_TRIM_LEADING_SILENCE},adelay=delays={start}S:all=1[v{k}]")
    if clips:
        labels = "".join(f"[v{k}]" for k in range(len(clips)))
        parts.append(f"{labels}amix=inputs={len(clips)}:normalize=0:duration=longest,"
                     f"apad,atrim=end_sample={samples},{_METER}[out]")  # fmt: skip
    else:
        parts.append(f"anullsrc=r={MIX_RATE}:cl=stereo,atrim=end_sample={samples},{_METER}[out]")
    stderr = _run_graph(ffmpeg, inputs, parts, out_path, work / "voices.graph", "mix the voices", codec="pcm_f32le")
    return parse_ebur128(stderr)


def _music_gain(music: MusicBed, ffmpeg: str) -> float | None:
    """Decibels that bring the track to the voices' loudness times its volume; None for a silent track."""
    cmd = [ffmpeg, *_FFMPEG_ARGS, "-t", "600", "-i", _file(music.path), "-map", "0:a:0",
           "-af", f"{_STEREO},{_METER}", "-f", "null", "-"]  # fmt: skip
    level = parse_ebur128(run_ffmpeg(cmd, "read the music"))
    if level.integrated is None:
        return None
    return VOICE_LUFS - level.integrated + 20 * math.log10(music.volume)


def _premix(
    voices: str, voice_gain: float, music: MusicBed | None, music_gain: float | None, effects: list[EffectHit],
    samples: int, out_path: str, work: Path, ffmpeg: str,
) -> Loudness:  # fmt: skip
    """Voices, ducked music and effects (those that play) summed, not yet normalised; returns the sum's loudness.
    There is music or an effect: voices alone are their own premix."""
    inputs = ["-i", voices]
    parts = [f"[0:a]volume={voice_gain:.3f}dB,asplit=2[voice][key]"]
    mixed = ["[voice]"]
    if music is not None and music_gain is not None:
        inputs += ["-stream_loop", "-1", "-i", _file(music.path)]
        start = round(music.start * MIX_RATE)
        length = samples - start
        fade_in, fade_out = round(music.fade_in * MIX_RATE), round(music.fade_out * MIX_RATE)
        if fade_in + fade_out > length:  # fades longer than the music: shrink both, keeping their proportion
            fade_in, fade_out = fade_in * length // (fade_in + fade_out), fade_out * length // (fade_in + fade_out)
        fades = f",afade=t=in:ns={fade_in}:curve=tri" if fade_in else ""
        fades += f",afade=t=out:ss={length - fade_out}:ns={fade_out}:curve=tri" if fade_out else ""
        parts.append(f"[1:a]{_STEREO},atrim=end_sample={length},asetpts=N/SR/TB,volume={music_gain:.3f}dB{fades},"
                     f"adelay=delays={start}S:all=1,apad,atrim=end_sample={samples}[bed]")  # fmt: skip
        parts.append(f"[key]{DUCKING_KEY}[lifted];[bed][lifted]sidechaincompress={DUCKING}[music]")
        mixed.append("[music]")
    else:
        parts.append("[key]anullsink")
    for k, hit in enumerate(effects):
        index = len(mixed)  # inputs so far: the voices, the music when it plays, the effects before this one
        inputs += ["-i", _file(hit.path)]
        parts.append(f"[{index}:a]{_STEREO},volume={hit.volume:.4f},"
                     f"adelay=delays={round(hit.at * MIX_RATE)}S:all=1[fx{k}]")  # fmt: skip
        mixed.append(f"[fx{k}]")
    parts.append(f"{''.join(mixed)}amix=inputs={len(mixed)}:normalize=0:duration=longest,apad,atrim=end_sample={samples},"
                 f"{_METER}[out]")  # fmt: skip
    stderr = _run_graph(ffmpeg, inputs, parts, out_path, work / "premix.graph", "mix the music and effects",
                        codec="pcm_f32le")  # fmt: skip
    return parse_ebur128(stderr)


def _level(premix: str, gain: float, ceiling: float, samples: int, out_path: str, ffmpeg: str,
           oversample: int) -> Loudness:  # fmt: skip
    """`gain` dB on the premix, peaks held LIMIT_MARGIN under `ceiling` by a limiter running at `oversample` times
    the rate (at four it sees most of what lies between samples); returns the result's loudness and true peak (its
    samples' peak without oversampling, which a draft does not pay for)."""
    limit = 10 ** ((ceiling - LIMIT_MARGIN) / 20)
    peak = "true" if oversample > 1 else "sample"
    graph = (f"[0:a]volume={gain:.3f}dB,aresample={oversample * MIX_RATE},"
             f"alimiter=limit={limit:.5f}:attack=5:release=80:level=false:latency=true,aresample={MIX_RATE},"
             f"apad,atrim=end_sample={samples},asplit=2[out][m];[m]ebur128=peak={peak}:framelog=verbose,anullsink")  # fmt: skip
    cmd = [ffmpeg, *_FFMPEG_ARGS, "-i", premix, "-filter_complex", graph, "-map", "[out]", "-c:a", "pcm_f32le",
           out_path]  # fmt: skip
    return parse_ebur128(run_ffmpeg(cmd, "level the mix"))


def _run_graph(ffmpeg: str, inputs: list[str], parts: list[str], out_path: str, script: Path, what: str, *,
               codec: str) -> str:  # fmt: skip
    """Run a filter graph written to a file (a graph with a clip per line outgrows a command line)."""
    script.write_text(";\n".join(parts), encoding="utf-8")
    cmd = [ffmpeg, *_FFMPEG_ARGS, *inputs, "-filter_complex_script", str(script), "-map", "[out]", "-c:a", codec,
           out_path]  # fmt: skip
    return run_ffmpeg(cmd, what)


def _file(path: str) -> str:
    """An input path ffmpeg will not mistake for a protocol or an option."""
    return "file:" + str(Path(path).resolve())
