"""The `comicreel` command: render or parse a script without the server, serve the studio, run a worker."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from pipeline.errors import PipelineError


def _read_script(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SystemExit(f"comicreel: cannot read {path}: {exc.strerror}") from None


def cmd_render(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from pipeline.image.sketch import SketchImageBackend
    from pipeline.plan import PlanOptions
    from pipeline.render import RenderOptions
    from pipeline.run import render_script
    from pipeline.tts.espeak import EspeakTTSBackend

    text = _read_script(args.script)
    out = str(Path(args.output).resolve())
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with tqdm(
        total=100, unit="%", bar_format="{l_bar}{bar}| {n:.0f}% [{elapsed}<{remaining}]", disable=args.quiet
    ) as bar:

        def on_progress(fraction: float, step: str) -> None:
            bar.set_description(step)
            bar.update(max(0.0, fraction * 100 - bar.n))

        done = render_script(
            text, out, image_backend=SketchImageBackend(font_path=args.font), tts_backend=EspeakTTSBackend(),
            plan=PlanOptions(aspect_ratio=args.aspect, style=args.style), render=RenderOptions(font_path=args.font),
            fmt=args.format, filename=args.script, on_progress=on_progress,
        )  # fmt: skip
    r = done.result
    if args.json:
        shots = [
            {"order": s.order, "duration": d, "text": s.text}
            for s, d in zip(done.storyboard.shots, done.shot_durations, strict=True)
        ]
        summary = {"path": r.path, "width": r.width, "height": r.height, "duration": round(r.duration, 3),
                   "file_size": r.file_size, "subtitles": r.subtitles_path, "shots": shots}  # fmt: skip
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"{r.path}: {r.width}x{r.height}, {r.duration:.2f}s, {len(done.storyboard.shots)} shots, "
              f"{r.file_size / 1e6:.1f} MB (subtitles: {r.subtitles_path})")  # fmt: skip
    return 0


def cmd_parse(args: argparse.Namespace) -> int:
    from pipeline.parse import parse_script

    parsed = parse_script(_read_script(args.script), fmt=args.format, filename=args.script)
    if args.json:
        print(json.dumps(parsed.to_dict(), ensure_ascii=False, indent=2))
    else:
        for scene in parsed.scenes:
            print(f"Scene {scene.id}: {scene.location} / {scene.time} — {', '.join(scene.characters)}")
            for shot in scene.shots:
                who = f"{shot.character}({shot.emotion or ''}): " if shot.character else ""
                print(f"  [{shot.type:9}] {who}{shot.text}  ({shot.duration}s)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import app

    app.main()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """A separate worker process (production): the same tasks, consumed from the configured queue."""
    from huey.consumer import Consumer

    from jobs.huey_app import POLL_MAX_DELAY
    from studio.config import Settings
    from studio.services import build_services

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    svc = build_services(Settings())
    Consumer(svc.huey, workers=args.workers, worker_type="thread", periodic=True, max_delay=POLL_MAX_DELAY).run()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="comicreel", description="Turn a script (剧本) into a comic-style video.")
    sub = parser.add_subparsers(dest="command", required=True)
    formats = ["text", "markdown", "fountain"]

    render = sub.add_parser("render", help="render a script to MP4 (no server needed)")
    render.add_argument("script", help="script file (.txt seed format, .md, .fountain) or - for stdin")
    render.add_argument("-o", "--output", required=True, help="output .mp4 path (an .srt is written beside it)")
    render.add_argument("--aspect", choices=["9:16", "16:9", "1:1"], default="9:16")
    render.add_argument("--style", choices=["comic", "anime", "chinese", "chibi"], default="comic")
    render.add_argument("--format", choices=formats, default=None, help="script format (detected when omitted)")
    render.add_argument("--font", default=None, help="a CJK .ttf/.ttc font (default: Noto Sans CJK)")
    render.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    render.add_argument("--json", action="store_true", help="print a JSON summary (size, duration, each shot's length)")
    render.set_defaults(func=cmd_render)

    parse = sub.add_parser("parse", help="parse a script and print its scenes and shots")
    parse.add_argument("script")
    parse.add_argument("--json", action="store_true", help="print the seed's GET /script/parsed shape as JSON")
    parse.add_argument("--format", choices=formats, default=None)
    parse.set_defaults(func=cmd_parse)

    serve = sub.add_parser("serve", help="serve the studio and API (same as python app.py)")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run a job worker for the configured queue")
    worker.add_argument("--workers", type=int, default=2)
    worker.set_defaults(func=cmd_worker)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except PipelineError as exc:
        print(f"comicreel: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
