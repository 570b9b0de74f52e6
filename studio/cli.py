"""The `comicreel` command: render or parse a script without the server, serve the studio, run a worker."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from pipeline.errors import PipelineError
from storage.base import StorageError
from studio.errors import AppError


class CliError(Exception):
    """A one-line error for the user; the command exits with status 2."""


def _read_script(path: str) -> str:
    """The script's text, checked the way every door checks it: a file (or - for stdin) of readable text."""
    from pipeline.parse import MAX_SCRIPT_BYTES, decode_script

    if path == "-":
        data = sys.stdin.buffer.read(MAX_SCRIPT_BYTES + 1)
    else:
        file = Path(path)
        try:
            if file.is_dir():
                raise CliError(f"{path} is a directory: give a script file (.txt, .md or .fountain)")
            if file.exists() and not file.is_file():
                raise CliError(f"{path} is not a regular file: give a script file (.txt, .md or .fountain)")
            with file.open("rb") as fh:  # at most one byte over the limit, whatever stat() says
                data = fh.read(MAX_SCRIPT_BYTES + 1)
        except OSError as exc:
            raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None
    return decode_script(data)


def cmd_render(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from pipeline.parse import detect_format
    from studio.config import Settings
    from studio.offline import render_offline

    text = _read_script(args.script)
    out = str(Path(args.output).resolve())
    if Path(out).is_dir():
        raise CliError(f"{args.output} is a directory: give the path of the .mp4 to write")
    settings = Settings()
    if args.font:
        settings = settings.model_copy(update={"font_path": args.font})
    if args.watermark_image and not Path(args.watermark_image).is_file():
        raise CliError(f"{args.watermark_image}: no such image file (--watermark-image)")
    render = {
        "kind": "preview" if args.preview else "final", "platform": args.platform, "resolution": args.resolution,
        "format": "mov" if out.lower().endswith(".mov") else "mp4", "text_mode": args.text_mode,
        "subtitle_style": args.subtitle_style, "title": args.title or "", "motion_comic": not args.plain_panels,
        "watermark": {"text": args.watermark or "", "image_path": args.watermark_image,
                      "position": args.watermark_position, "opacity": args.watermark_opacity},
    }  # fmt: skip
    with tqdm(
        total=100, unit="%", bar_format="{l_bar}{bar}| {n:.0f}% [{elapsed}<{remaining}]", disable=args.quiet
    ) as bar:

        def on_progress(fraction: float, step: str) -> None:
            bar.set_description(step)
            bar.update(max(0.0, fraction * 100 - bar.n))

        done = render_offline(
            text, out, settings=settings, style=args.style, aspect_ratio=args.aspect,
            fmt=args.format or detect_format(text, None if args.script == "-" else args.script),
            render=render, name=Path(args.script).stem, on_progress=on_progress,
        )  # fmt: skip
    if args.json:
        summary = {"path": done.video_path, "width": done.width, "height": done.height, "duration": done.duration,
                   "file_size": done.file_size, "subtitles": done.subtitles_path, "shots": done.shots}  # fmt: skip
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"{done.video_path}: {done.width}x{done.height}, {done.duration:.2f}s, {len(done.shots)} shots, "
              f"{done.file_size / 1e6:.1f} MB (subtitles: {done.subtitles_path})")  # fmt: skip
    return 0


def cmd_parse(args: argparse.Namespace) -> int:
    from pipeline.parse import parse_result, parse_script_with_warnings
    from studio.config import Settings

    parsed, warnings = parse_script_with_warnings(_read_script(args.script), fmt=args.format,
                                                  filename=None if args.script == "-" else args.script,
                                                  pace=Settings().pacing)  # fmt: skip
    if args.json:
        print(json.dumps(parse_result(parsed, warnings), ensure_ascii=False, indent=2))
    else:
        for scene in parsed.scenes:
            print(f"Scene {scene.id}: {scene.location} / {scene.time} — {', '.join(scene.characters)}")
            for shot in scene.shots:
                who = f"{shot.character}({shot.emotion or ''}): " if shot.character else ""
                print(f"  [{shot.type:9}] {who}{shot.text}  ({shot.duration}s)")
        print(f"{len(parsed.scenes)} scenes, {len(parsed.shots)} shots, about {parsed.duration:.0f} s")
        for w in warnings:
            print(f"line {w.line}: {w.message}", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from studio.config import Settings
    from studio.observability import configure_logging, uvicorn_log_config

    settings = Settings()
    settings.refuse_open_without_auth()
    configure_logging(settings)  # text, or JSON lines with request and task ids (COMICREEL_LOG_FORMAT)
    # By name, so the web edge (studio) never imports the entry point (app) that composes it.
    uvicorn.run("app:create_app", factory=True, host=settings.host, port=settings.port, timeout_graceful_shutdown=10,
                log_config=uvicorn_log_config(settings))  # fmt: skip
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """A separate worker process (production): consumers for the chosen queues, `--concurrency` threads each, and
    the sweeper that requeues the tasks of dead workers and clears what they left. SIGTERM or Ctrl-C stops it: running
    jobs stop (their ffmpeg killed) and go back to the queue for another worker."""
    import signal
    import threading

    from jobs.huey_app import queue_names, run_consumers
    from studio.config import Settings
    from studio.observability import configure_logging, observe_worker
    from studio.services import build_services

    settings = Settings()
    configure_logging(settings)
    try:
        queues = queue_names(args.queues if args.queues is not None else settings.worker_queues)
    except ValueError as exc:
        raise CliError(f"--queues: {exc}") from None
    concurrency = settings.worker_concurrency if args.concurrency is None else args.concurrency
    if concurrency < 1:
        raise CliError(f"--concurrency must be at least 1 (got {concurrency})")
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        logging.getLogger(__name__).info("signal %s: stopping the worker", signum)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    # a worker process: only its queues, no embedded consumers of its own
    svc = build_services(settings.model_copy(update={"worker_queues": ",".join(queues), "embedded_workers": 0}))
    observe_worker(settings, svc.queues)  # /metrics on COMICREEL_WORKER_METRICS_PORT, tracing when configured
    svc.run_workers(queues, concurrency, shutdown_timeout=30)
    logging.getLogger(__name__).info("worker consuming %s with %d threads each", ", ".join(queues), concurrency)
    try:
        run_consumers(svc.consumers, stop)
    finally:
        svc.stop()
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Bring the configured database to the current schema (once per release, before app and workers start)."""
    from db.migrate import upgrade
    from studio.config import Settings

    settings = Settings()
    upgrade(settings.resolved_database_url)
    print("the database is at the current schema")
    return 0


def cmd_admin(args: argparse.Namespace) -> int:
    """Make an account an admin (or, with --revoke, a user again): how an operator gets the first admin."""
    from studio import accounts
    from studio.config import Settings
    from studio.errors import AppError
    from studio.services import build_services

    svc = build_services(Settings())
    try:
        accounts.set_role(svc, email=args.email, role="user" if args.revoke else "admin")
    except AppError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    finally:
        svc.stop()
    print(f"{args.email} is {'a user' if args.revoke else 'an admin'} now")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="comicreel", description="Turn a script (剧本) into a comic-style video.")
    sub = parser.add_subparsers(dest="command", required=True)
    from pipeline.models import ASPECT_SIZES, STYLES
    from pipeline.parse import FORMATS
    from pipeline.presets import CORNERS, PLATFORMS, RENDER_RESOLUTIONS, SUBTITLE_STYLES, TEXT_MODES

    formats = list(FORMATS)

    render = sub.add_parser("render", help="render a script to MP4 (no server needed)")
    render.add_argument("script", help="script file (.txt seed format, .md, .fountain) or - for stdin")
    render.add_argument("-o", "--output", required=True,
                        help="output .mp4 or .mov path (an .srt is written beside it)")
    render.add_argument("--aspect", choices=list(ASPECT_SIZES), default="9:16")
    render.add_argument("--style", choices=list(STYLES), default="comic")
    render.add_argument("--format", choices=formats, default=None, help="script format (detected when omitted)")
    render.add_argument("--resolution", choices=list(RENDER_RESOLUTIONS), default="1080p",
                        help="the short side of the frame")
    render.add_argument("--platform", choices=list(PLATFORMS), default="custom",
                        help="size, frame rate, bitrate cap and safe zone of a platform (custom: the --aspect)")
    render.add_argument("--preview", action="store_true", help="a fast 720p draft instead of the final quality")
    render.add_argument("--text-mode", choices=list(TEXT_MODES), default="subtitles",
                        help="where dialogue shows: subtitles, speech bubbles, or both")
    render.add_argument("--subtitle-style", choices=list(SUBTITLE_STYLES), default="simple")
    render.add_argument("--plain-panels", action="store_true",
                        help="no motion comic: each panel moves as one picture (no parallax, talking mouths or blinks)")
    render.add_argument("--title", default=None, help="a title over the opening seconds and on the cover")
    render.add_argument("--watermark", default=None, help="watermark text")
    render.add_argument("--watermark-image", default=None, help="watermark image (PNG with transparency)")
    render.add_argument("--watermark-position", choices=list(CORNERS), default="bottom-right")
    render.add_argument("--watermark-opacity", type=float, default=0.7)
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

    worker = sub.add_parser("worker", help="run job workers for some or all queues (production)")
    worker.add_argument("--queues", default=None, help="comma-separated queues to consume: image_generation, tts, "
                        "video_render, nlp (default: COMICREEL_WORKER_QUEUES, all of them)")
    worker.add_argument("--concurrency", "--workers", type=int, default=None, dest="concurrency",
                        help="worker threads per queue (default: COMICREEL_WORKER_CONCURRENCY, 2)")
    worker.set_defaults(func=cmd_worker)

    migrate = sub.add_parser("migrate", help="migrate the configured database to the current schema (production)")
    migrate.set_defaults(func=cmd_migrate)

    admin = sub.add_parser("admin", help="make an account an admin (accounts: COMICREEL_AUTH_ENABLED)")
    admin.add_argument("email", help="the account's email (register it first)")
    admin.add_argument("--revoke", action="store_true", help="make it a plain user again")
    admin.set_defaults(func=cmd_admin)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (CliError, PipelineError, AppError, StorageError) as exc:
        print(f"comicreel: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("comicreel: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
