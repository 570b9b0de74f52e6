"""One segment of a render encoded: its filter graph (the panels moving, the transition into the next shot, the
bubble, title, watermark and subtitles over them), its plates and zoom frames made in Python, and the ffmpeg that
encodes it, which `stop()` kills."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from pipeline.errors import RenderError
from pipeline.ffgraph import BT709, OVERLAY_FORMAT, Graph, filter_path, picture_file
from pipeline.fonts import FontFace
from pipeline.frame_plan import ComicShot, FramePlan, Segment, cue_frames
from pipeline.models import Timeline
from pipeline.motion import fit_panel
from pipeline.motion_comic import enable_expression
from pipeline.overlays import shot_layer, title_layer
from pipeline.presets import Output
from pipeline.subprocesses import dying_with_parent
from pipeline.subtitles import Cue, write_ass
from pipeline.yuv import overlaid, quantized, to_planes, zoomed

TITLE_SECONDS = 2.6
_XFADE = {"dissolve": "fade", "wipe": "wipeleft", "slide": "slideleft"}


class SegmentEncoder:
    """Builds one segment's filter graph and runs ffmpeg on it; stop() kills whatever still runs."""

    def __init__(self, exe: str, timeline: Timeline, plan: FramePlan, output: Output, cues: list[Cue],
                 font: FontFace, work: Path, mark: Image.Image | None, comic: dict[int, ComicShot],
                 threads: int) -> None:  # fmt: skip
        self.exe, self.timeline, self.plan, self.output, self.cues, self.font = exe, timeline, plan, output, cues, font
        self.work, self.comic, self.threads = work, comic, threads
        self.warnings: list[str] = []  # what the lettering could not show (collected from the encoding threads)
        self.mark = self._layer("watermark", mark) if mark is not None else (None, 0, 0)
        self.fonts = _font_folder(work, font)
        self._captions: dict[int, list[tuple[str, int, int, int, int]]] = {}  # segment -> (path, x, y, first, last)
        self.lettering: Future[None] | None = None  # letter_subtitles, running beside the first segments
        self._procs: set[subprocess.Popen[Any]] = set()
        self._lock = threading.Lock()
        self._stopped = False
        self._plates: dict[int, threading.Lock] = {}  # one lock per shot: its plates are made once
        self._made: set[int] = set()  # by this render (a work folder may hold an older render's)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            procs = list(self._procs)
        for proc in procs:
            if proc.poll() is None:
                proc.kill()

    def _check_stopped(self) -> None:
        if self._stopped:
            raise RenderError("the render was stopped.")

    def encode(self, seg: Segment) -> None:
        i, fps = seg.index, self.output.fps
        seg.path = str(self.work / f"segment_{i:04d}_{seg.digest[:12]}.mp4")
        graph = Graph()
        writers: list[threading.Thread] = []
        try:
            self._graph(seg, graph)
            graph_path = self.work / f"segment_{i:04d}.graph"
            graph_path.write_text(graph.script(), encoding="utf-8")
            out = self.output
            cmd = [self.exe, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1", "-nostats",
                   "-filter_complex_threads", str(self.threads), *graph.inputs, "-filter_complex_script",
                   str(graph_path), "-map", "[vout]", "-frames:v", str(seg.frames), "-threads", str(self.threads),
                   "-c:v", "libx264", "-preset", out.x264_preset, "-crf", str(out.crf), "-pix_fmt", "yuv420p",
                   *_maxrate(out), *(["-x264-params", out.x264_params] if out.x264_params else []), *BT709,
                   "-r", str(fps), "-an", "-f", "mp4", seg.path + ".part"]  # fmt: skip
            with self._process(cmd, text=True, pass_fds=[feed.read for feed in graph.feeds]) as proc:
                writers = [feed.start(f"feed-{i}") for feed in graph.feeds]
                assert proc.stdout is not None
                for line in proc.stdout:
                    if m := re.match(r"frame=(\d+)", line):
                        seg.done = min(seg.frames, int(m.group(1)))
                stderr = proc.stderr.read() if proc.stderr else ""
                code = proc.wait()
        finally:
            for writer in writers:  # ffmpeg has ended or been killed: a writer's pipe is read or broken
                writer.join()
            graph.close()
        failed = next((feed.error for feed in graph.feeds if feed.error), None)
        if code != 0 or failed:
            Path(seg.path + ".part").unlink(missing_ok=True)
            self._check_stopped()
            if failed:
                raise failed
            raise RenderError(f"ffmpeg could not render shot {self.timeline.shots[i].order} (exit code {code}).",
                              detail=stderr.strip()[-2000:])  # fmt: skip
        os.replace(seg.path + ".part", seg.path)
        seg.done = seg.frames

    @contextlib.contextmanager
    def _process(self, cmd: list[str], **popen: Any) -> Iterator[subprocess.Popen[Any]]:
        """ffmpeg running `cmd` (unless the render was stopped), its output piped; killed by stop(), or when the
        block leaves it running."""
        with self._lock:
            self._check_stopped()
            proc = subprocess.Popen(dying_with_parent(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)
            self._procs.add(proc)
        try:
            yield proc
        finally:
            with self._lock:
                self._procs.discard(proc)
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    # -- the filter graph ----------------------------------------------------------------------------------------

    def _graph(self, seg: Segment, graph: Graph) -> None:
        """Build the filter graph of segment i and its inputs: the picture (its move, and the transition into the
        next shot), then the layers over it: the bubble, the title, the watermark, the subtitles."""
        i, order = seg.index, self.timeline.shots[seg.index].order
        self._picture(graph, i, seg.frames)
        settings = self.output.settings
        # The line as a bubble, a thought or a caption, and the sound cues as lettering (a creator's own captions
        # stay subtitles); nothing in subtitles mode.
        line = next((c for c in self.cues if c.shot_order == order and c.kind != "caption"), None)
        lettered = shot_layer(self.timeline.shots[i], line, width=self.output.width, height=self.output.height,
                              safe=self.output.safe, text_mode=settings.text_mode, style=settings.subtitle_style,
                              font_path=self.font.path)  # fmt: skip
        self.warnings.extend(lettered.warnings)
        whole = max(0, seg.frames - self.plan.transition_out(i) - 1)  # while the panel is whole
        graph.overlay(self._layer(f"bubble_{i}", lettered.image), f"enable='between(n,0,{whole})'")
        if seg.spec["title"]:
            seconds = min(TITLE_SECONDS, seg.frames / self.output.fps)
            layer = title_layer(settings.title, width=self.output.width, height=self.output.height,
                                safe=self.output.safe, font_path=self.font.path)  # fmt: skip
            graph.overlay(self._layer("title", layer), "eof_action=pass", looped=(self.output.fps, seconds))
        graph.overlay(self.mark)
        self._subtitles(graph, i)

    def _picture(self, graph: Graph, i: int, n: int) -> None:
        """Shot i's panel moving for its n frames; the last ones blend into shot i+1 (entering with its move)."""
        fps, plan = self.output.fps, self.plan
        f_out = plan.transition_out(i)

        def moving(shot: int, frames: int, first: int, *, talking: bool) -> str:
            move, comic = plan.moves[shot], self.comic.get(shot)
            if move.motion.startswith("zoom-"):  # warped here frame by frame (its sprites first), piped to ffmpeg
                size = (move.width, move.height)
                return f"[{graph.feed(self._zoom_frames(shot, frames, first, talking), size, fps)}:v]"
            index = graph.input(self._plate_input(shot))
            still = f"[{index}:v]loop=loop={frames - 1}:size=1:start=0,setpts=N/({fps}*TB)"
            if comic and move.is_pan:
                picture = graph.chain(f"{still},{comic.background.filter(first)}")
                return self._foreground(graph, picture, shot, frames, first, talking=talking)
            if comic:  # no move: the sprites on the panel
                picture = graph.chain(still)
                for path, x, y, runs in self._sprites(shot, frames, talking):
                    art = graph.chain(f"[{graph.input(picture_file(path))}:v]{OVERLAY_FORMAT}")
                    picture = graph.chain(f"{picture}{art}overlay=x={x}:y={y}:enable='{enable_expression(runs)}'")
                return graph.chain(f"{picture}{move.filter(first)}")
            return graph.chain(f"{still},{move.filter(first)}")

        a = moving(i, n, plan.fade_in[i], talking=True)
        if not f_out:
            graph.current = a
            return
        b = moving(i + 1, f_out, 0, talking=False)  # it enters before its line starts: no mouth moves yet
        kind = self.timeline.shots[i].transition
        if kind == "fade":  # through black: the panel darkens to one black frame, the next panel brightens
            h = f_out - f_out // 2
            a1 = graph.chain(f"{a}fade=t=out:start_frame={n - f_out - 1}:nb_frames={h},trim=end_frame={n - f_out + h}")
            b1 = graph.chain(f"{b}fade=t=in:start_frame={h - 1}:nb_frames={f_out - h + 1},trim=start_frame={h},"
                             "setpts=PTS-STARTPTS")  # fmt: skip
            graph.current = graph.chain(f"{a1}{b1}concat=n=2:v=1:a=0")
        else:  # xfade over the transition's frames alone: it costs as much for each frame it lets through
            whole, ending = graph.split(a)
            head = graph.chain(f"{whole}trim=end_frame={n - f_out}")
            tail = graph.chain(f"{ending}trim=start_frame={n - f_out},setpts=PTS-STARTPTS")
            mixed = graph.chain(f"{tail}{b}xfade=transition={_XFADE.get(kind, 'fade')}:duration={f_out / fps:.6f}:"
                                "offset=0")  # fmt: skip
            graph.current = graph.chain(f"{head}{mixed}concat=n=2:v=1:a=0")

    def letter_subtitles(self, segments: list[Segment]) -> None:
        """Draw the subtitles the segments show with libass, in one ffmpeg run: one picture for each stretch of a
        segment's frames where the same cues are on screen, laid over those frames by `_subtitles` (libass
        blending its glyphs into every frame costs several times as much as laying one picture over it)."""
        fps, w, h = self.output.fps, self.output.width, self.output.height
        stretches: list[tuple[int, int, int]] = []  # segment, first frame, last frame
        events: list[Cue] = []  # stretch k is drawn at second k; a cue lasts over its stretches, as libass expects
        for seg in segments:
            start, n = self.plan.bounds[seg.index], seg.frames
            spans = [(*cue_frames(c, start, n, fps), c) for c in self._shown_cues(seg.index, n)]
            cuts = sorted({0, n, *(a for a, _, _ in spans), *(b for _, b, _ in spans)})
            first_stretch = len(stretches)
            for a, b in itertools.pairwise(cuts):
                if any(first <= a < end for first, end, _ in spans):
                    stretches.append((seg.index, a, b - 1))
            for first, end, cue in spans:  # one event a cue: libass keeps a cue where it is while it shows
                on = [k for k in range(first_stretch, len(stretches)) if first <= stretches[k][1] < end]
                if on:
                    events.append(replace(cue, start=on[0], end=on[-1] + 1))
        if not stretches:
            return
        ass = self.work / "subtitles.ass"
        write_ass(events, str(ass), width=w, height=h, font_family=self.font.family,
                  style=self.output.settings.subtitle_style, safe=self.output.safe, font_path=self.font.path)  # fmt: skip
        cmd = [self.exe, "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
               f"color=c=black@0:s={w}x{h}:r=1,format=rgba", "-vf",
               f"subtitles=filename='{filter_path(str(ass))}':fontsdir='{filter_path(self.fonts)}':alpha=1",
               "-frames:v", str(len(stretches)), "-f", "rawvideo", "-pix_fmt", "rgba", "-"]  # fmt: skip
        with self._process(cmd) as proc:
            assert proc.stdout is not None
            for k, (i, first, last) in enumerate(stretches):
                frame = proc.stdout.read(w * h * 4)
                if len(frame) < w * h * 4:
                    break
                # libass blends over transparent black: the colours come premultiplied by their coverage.
                path, x, y = self._layer(f"subtitle_{i:04d}_{k}", Image.frombytes("RGBa", (w, h), frame).convert("RGBA"))
                if path:
                    self._captions.setdefault(i, []).append((path, x, y, first, last))
            else:
                k = len(stretches)
            stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            code = proc.wait()
        if code != 0 or k < len(stretches):
            self._check_stopped()
            raise RenderError(f"ffmpeg could not draw the subtitles (exit code {code}, {k} of {len(stretches)} "
                              "pictures).", detail=stderr.strip()[-2000:])  # fmt: skip

    def _shown_cues(self, i: int, n: int) -> list[Cue]:
        """The cues segment i shows: its shot's line (unless it is in a bubble), and the creator's captions tied to
        the shot or falling in its time."""
        fps, start, order = self.output.fps, self.plan.bounds[i], self.timeline.shots[i].order
        return [c for c in self.cues if (c.shot_order == order or
                (c.shot_order is None and c.start * fps < start + n and c.end * fps > start))
                and (self.output.settings.text_mode != "bubbles" or c.kind == "caption")]  # fmt: skip

    def _subtitles(self, graph: Graph, i: int) -> None:
        """The segment's subtitles, as `letter_subtitles` drew them (waiting for it to end)."""
        if self.lettering is not None:
            self.lettering.result()
        for path, x, y, first, last in self._captions.get(i, []):
            graph.overlay((path, x, y), f"enable='between(n,{first},{last})'")

    def _foreground(self, graph: Graph, picture: str, i: int, frames: int, first: int, *, talking: bool) -> str:
        """A panning motion comic: over shot i's moving background, its characters and effects moving faster
        (parallax), and on the frames the tracks pick a mouth half or wide open and closed eyes, following the
        crop to the nearest pixel."""
        fps, move = self.output.fps, self.comic[i].move
        index = graph.input(self._plate_input(i, foreground=True))
        fg = graph.chain(f"[{index}:v]loop=loop={frames - 1}:size=1:start=0,setpts=N/({fps}*TB),"
                         f"{move.filter(first)}")  # fmt: skip
        x0, y0 = move.view_origin(first)
        for path, x, y, runs in self._sprites(i, frames, talking):
            art = graph.chain(f"[{graph.input(picture_file(path))}:v]{OVERLAY_FORMAT}")
            fg = graph.chain(f"{fg}{art}overlay=x='{x}-({x0})':y='{y}-({y0})':eval=frame:"
                             f"enable='{enable_expression(runs)}'")  # fmt: skip
        return graph.chain(f"{picture}{fg}overlay=0:0:format=yuv420")

    def _sprites(self, i: int, frames: int, talking: bool) -> list[tuple[str, int, int, list[tuple[int, int]]]]:
        """Shot i's sprites and the frames they show on, once its plates are made (none before its line starts)."""
        if not talking:
            return []
        return self.comic[i].overlays(frames, self.plan.moves[i].plate_size(), self.work, i)

    def _plate_input(self, i: int, *, foreground: bool = False) -> list[str]:
        """The raw plate of shot i in YUV (made once per render, shared by the two segments that show it): the
        panel, or for a panning motion comic its background, or its foreground (with alpha, moving with the faster
        move)."""
        comic = self.comic.get(i) if self.plan.moves[i].is_pan else None  # a zoom moves the panel whole
        with self._lock:
            made = self._plates.setdefault(i, threading.Lock())
        with made:
            if i not in self._made:
                if comic:  # both layers at once: they are made together
                    plates = comic.plates(self.plan.moves[i].plate_size(), self.work, i)
                    self._write_plate(i, "yuv420p", comic.background.plate(plates.background))
                    self._write_plate(i, "yuva420p", comic.move.plate(plates.foreground))
                else:
                    self._write_plate(i, "yuv420p", self.plan.moves[i].plate(self._fitted(i)))
                self._made.add(i)
        move = (comic.move if foreground else comic.background) if comic else self.plan.moves[i]
        pix_fmt = "yuva420p" if foreground else "yuv420p"
        return ["-f", "rawvideo", "-pix_fmt", pix_fmt, "-video_size", "{}x{}".format(*move.stacked_size()),
                "-framerate", str(self.output.fps), "-i", str(self.work / f"plate_{i:04d}.{pix_fmt}")]  # fmt: skip

    def _write_plate(self, i: int, pix_fmt: str, planes: list[np.ndarray]) -> None:
        self._check_stopped()
        path = self.work / f"plate_{i:04d}.{pix_fmt}"
        try:
            with open(f"{path}.part", "wb") as fh:
                for plane in planes:
                    fh.write(plane.data)
        except BaseException:
            Path(f"{path}.part").unlink(missing_ok=True)
            raise
        os.replace(f"{path}.part", path)

    def _fitted(self, i: int) -> Image.Image:
        """Shot i's panel fitted to its plate (RGB)."""
        with Image.open(self.timeline.shots[i].image_path) as panel:
            move = self.plan.moves[i]
            return fit_panel(panel, *move.plate_size(), move.resample)

    def _zoom_frames(self, i: int, frames: int, first: int, talking: bool) -> Iterator[list[np.ndarray]]:
        """Frames `first` ... `first + frames - 1` of shot i's zoom as yuv420p: the panel, with the sprites that
        show on each frame when it is talking (one picture per set of sprites, made when first shown)."""
        move = self.plan.moves[i]
        sprites = self._sprites(i, frames, talking) if i in self.comic else []
        panel = self._fitted(i)
        bare = quantized(to_planes(panel))
        arts: dict[str, Image.Image] = {}
        pictures: dict[tuple[int, ...], list[np.ndarray]] = {(): bare}
        frame: list[np.ndarray] = []
        for n in range(frames):
            shown = tuple(k for k, (_, _, _, runs) in enumerate(sprites) if any(a <= n <= b for a, b in runs))
            if shown not in pictures:
                if len(pictures) > 4:  # a mouth and a blink make a few sets at a time: drop the oldest
                    del pictures[next(k for k in pictures if k)]
                for k in shown:
                    if sprites[k][0] not in arts:
                        with Image.open(sprites[k][0]) as art:
                            arts[sprites[k][0]] = art.convert("RGBA")
                pictures[shown] = overlaid(panel, bare, [(arts[sprites[k][0]], *sprites[k][1:3]) for k in shown])
            self._check_stopped()
            frame = frame or [np.empty_like(plane) for plane in bare]  # one buffer, written in turn
            zoomed(pictures[shown], move.scale(first + n), move.focus, frame)
            yield frame

    def _layer(self, name: str, layer: Image.Image) -> tuple[str | None, int, int]:
        """An RGBA overlay cropped to what it shows: its PNG path and where it goes (None when it is empty)."""
        box = layer.getbbox()
        if box is None:
            return None, 0, 0
        box = (box[0] // 2 * 2, box[1] // 2 * 2, min(layer.width, (box[2] + 1) // 2 * 2),
               min(layer.height, (box[3] + 1) // 2 * 2))  # fmt: skip
        path = str(self.work / f"{name}.png")
        layer.crop(box).save(path, compress_level=1)
        return path, box[0], box[1]


def _font_folder(work: Path, font: FontFace) -> str:
    """A folder holding the subtitles' font alone: libass reads every font of the folder it is given when a
    segment starts (the system's CJK folder is 90 MB, a tenth of a second per segment)."""
    folder = work / "fonts"
    folder.mkdir(exist_ok=True)
    link = folder / Path(font.path).name
    for old in folder.iterdir():
        if old != link or old.resolve() != Path(font.path).resolve():
            old.unlink()
    if not link.exists():
        link.symlink_to(Path(font.path).resolve())
    return str(folder)


def _maxrate(out: Output) -> list[str]:
    if not out.maxrate_kbps:
        return []
    return ["-maxrate", f"{out.maxrate_kbps}k", "-bufsize", f"{2 * out.maxrate_kbps}k"]
