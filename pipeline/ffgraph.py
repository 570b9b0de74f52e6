"""An ffmpeg filter graph being built (labelled chains, inputs, overlays of still layers), raw frames written to
ffmpeg through pipes, and the colour tags every encoded file carries."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator

import numpy as np

OVERLAY_FORMAT = "scale=out_color_matrix=bt709:out_range=tv,format=yuva420p"
BT709 = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"]
# A zoom's frames pass through a pipe of this size (Linux's most for anyone; 64 KiB by default): a 3 MB frame then
# takes 3 writes instead of 48, and both sides spend a third of the system time they did (measured).
_PIPE_BYTES = 1 << 20


def picture_file(path: str) -> list[str]:
    """ffmpeg's input arguments for one picture file, read as named (a % in a folder's name is no frame number)."""
    return ["-f", "image2", "-pattern_type", "none", "-i", path]


def filter_path(path: str) -> str:
    """Escape a path for use inside an ffmpeg filter argument."""
    return path.replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'").replace(",", "\\,")


class Feed:
    """Raw frames written to ffmpeg through a pipe, from a thread of their own (ffmpeg reads its inputs in
    threads too, so two feeds of one segment never wait on each other)."""

    def __init__(self, frames: Iterator[list[np.ndarray]]) -> None:
        self.read, self._write = os.pipe()
        resize = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux's
        if resize is not None:
            with contextlib.suppress(OSError):  # a system allowing less keeps the default
                fcntl.fcntl(self._write, resize, _PIPE_BYTES)
        self.frames = frames
        self.error: BaseException | None = None  # what stopped the frames, raised again by the encoding thread

    def write(self) -> None:
        try:
            with open(self._write, "wb") as pipe:
                self._write = -1  # the file closes it
                for frame in self.frames:
                    for plane in frame:
                        pipe.write(plane.data)
        except BrokenPipeError:
            pass  # ffmpeg stopped reading: it failed or was stopped, as its exit code says
        except Exception as exc:  # noqa: BLE001 - handed to the encoding thread, which raises it
            self.error = exc

    def start(self, name: str) -> threading.Thread:
        """Write the frames from a thread of their own, ffmpeg holding the pipe's other end (it has started)."""
        self.close_read()  # ffmpeg has its own copy: a pipe it stops reading breaks
        writer = threading.Thread(target=self.write, name=name, daemon=True)
        writer.start()
        return writer

    def close_read(self) -> None:
        if self.read >= 0:
            os.close(self.read)
            self.read = -1

    def close(self) -> None:
        self.close_read()
        if self._write >= 0:
            os.close(self._write)
            self._write = -1


class Graph:
    """A filter graph being built: ffmpeg input arguments, labelled chains, the label of the picture so far, and
    the frames piped in."""

    def __init__(self) -> None:
        self.inputs: list[str] = []
        self.parts: list[str] = []
        self.current = ""
        self.feeds: list[Feed] = []

    def input(self, args: list[str]) -> int:
        self.inputs.extend(args)
        return self.inputs.count("-i") - 1

    def feed(self, frames: Iterator[list[np.ndarray]], size: tuple[int, int], fps: int) -> int:
        """An input of yuv420p frames of `size` at `fps`, each given as its planes by `frames`."""
        self.feeds.append(Feed(frames))
        return self.input(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-video_size", "{}x{}".format(*size),
                           "-framerate", str(fps), "-i", f"pipe:{self.feeds[-1].read}"])  # fmt: skip

    def close(self) -> None:
        for feed in self.feeds:
            feed.close()

    def split(self, source: str) -> tuple[str, str]:
        """Two labels for the picture `source`, each to be used once."""
        first, second = f"[v{len(self.parts)}a]", f"[v{len(self.parts)}b]"
        self.parts.append(f"{source}split{first}{second}")
        return first, second

    def chain(self, filters: str) -> str:
        """Add `filters` (starting with their input labels) with a new output label, which is returned."""
        label = f"[v{len(self.parts)}]"
        self.parts.append(filters + label)
        return label

    def overlay(self, layer: tuple[str | None, int, int], options: str = "",
                looped: tuple[int, float] | None = None) -> None:  # fmt: skip
        """Put a still RGBA layer (path, x, y) over the picture; `looped` (fps, seconds) makes it a short clip whose
        alpha fades out over its last 0.6 s (the title)."""
        path, x, y = layer
        if not path:
            return
        if looped:
            fps, seconds = looped
            index = self.input(["-loop", "1", "-framerate", str(fps), "-t", f"{seconds:.3f}", *picture_file(path)])
            fade = f",fade=t=out:st={max(0.0, seconds - 0.6):.3f}:d=0.6:alpha=1"
        else:
            index, fade = self.input(picture_file(path)), ""
        art = self.chain(f"[{index}:v]{OVERLAY_FORMAT}{fade}")
        self.current = self.chain(f"{self.current}{art}overlay=x={x}:y={y}" + (f":{options}" if options else ""))

    def script(self) -> str:
        return ";".join([*self.parts, f"{self.current}null[vout]"])
