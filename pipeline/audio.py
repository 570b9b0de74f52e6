"""Audio measurement with ffmpeg: integrated loudness and true peak (EBU R128 / ITU-R BS.1770), read from the
`ebur128` filter, and the true peak alone from `astats` at the rate `ebur128` upsamples to; and the one way the audio
steps run ffmpeg."""

from __future__ import annotations

import math
import re
import subprocess
from dataclasses import dataclass

from pipeline.errors import RenderError
from pipeline.subprocesses import dying_with_parent

SILENCE_LUFS = -70.0  # the absolute gate of BS.1770: anything quieter counts as silence

_INTEGRATED = re.compile(r"I:\s*(\S+) LUFS")
_PEAK = re.compile(r"Peak:\s*(\S+) dBFS")
_TRUE_PEAK = re.compile(r"Peak level dB:\s*(\S+)")
TRUE_PEAK_RATE = 192000  # four times 48 kHz, as ebur128=peak=true measures


@dataclass(frozen=True)
class Loudness:
    """What a loudness meter reads on a whole programme. `integrated` and `true_peak` are None for silence (nothing
    above the -70 LUFS gate), never NaN or infinite."""

    integrated: float | None  # LUFS
    true_peak: float | None  # dBTP (the samples' peak when the meter was asked for that)


def run_ffmpeg(cmd: list[str], what: str) -> str:
    """Run an ffmpeg command line; returns its stderr (where the meters print).

    Raises:
        RenderError: ffmpeg failed; its output in `detail`.
    """
    proc = subprocess.run(dying_with_parent(cmd), capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        raise RenderError(f"ffmpeg could not {what} (exit code {proc.returncode}).", detail=proc.stderr[-3000:])
    return proc.stderr


def measure_true_peak(path: str, *, ffmpeg: str = "ffmpeg", stream: str = "a:0") -> float | None:
    """The true peak (dBTP) of the audio in `path`: the peak of its samples at 192 kHz, the rate `ebur128` upsamples
    to for it, without the loudness measurement (which costs twice as much). None when it is digital silence.

    Raises:
        RenderError: ffmpeg could not read the file.
    """
    cmd = [ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-i", path, "-map", f"0:{stream}", "-af",
           f"aresample={TRUE_PEAK_RATE},astats=measure_perchannel=none:measure_overall=Peak_level", "-f", "null", "-"]  # fmt: skip
    stderr = run_ffmpeg(cmd, f"measure the peak of {path}")
    found = _TRUE_PEAK.findall(stderr)
    if not found:
        raise RenderError(f"ffmpeg printed no peak level for {path}: does it hold sound?", detail=stderr[-2000:])
    return _finite(found[-1])


def parse_ebur128(stderr: str) -> Loudness:
    """The summary the last `ebur128` filter printed to `stderr`.

    Raises:
        RenderError: there is no summary in it.
    """
    start = stderr.rfind("Summary:")
    summary = stderr[start:] if start >= 0 else ""
    integrated, peak = _INTEGRATED.search(summary), _PEAK.search(summary)
    if integrated is None:
        raise RenderError("ffmpeg printed no loudness summary.", detail=stderr[-2000:])
    value = _finite(integrated.group(1))
    if value is None or value <= SILENCE_LUFS:
        return Loudness(None, None)
    return Loudness(value, _finite(peak.group(1)) if peak else None)


def _finite(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
