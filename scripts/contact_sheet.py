"""A contact sheet of what the offline renderer draws: every panel of each sample script, one row per script, each
script in another style, the shot's number, camera and line under it.

    .venv/bin/python scripts/contact_sheet.py [--out docs/contact-sheet.png] [--width 216]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.fonts import find_cjk_font  # noqa: E402
from pipeline.image.sketch import SketchImageBackend  # noqa: E402
from pipeline.parse import parse_script  # noqa: E402
from pipeline.plan import PlanOptions, plan_storyboard  # noqa: E402
from pipeline.shot_requests import panel_request  # noqa: E402

SAMPLES = (("confession.zh.txt", "anime"), ("night-market.zh.md", "chinese"), ("lighthouse.en.fountain", "comic"))
CAPTION = 44  # px under each panel


def contact_sheet(width: int = 216, samples: tuple[tuple[str, str], ...] = SAMPLES) -> Image.Image:
    height = width * 16 // 9
    font_face = find_cjk_font(None)
    font = ImageFont.truetype(font_face.path, 13, index=font_face.index)
    title_font = ImageFont.truetype(font_face.path, 18, index=font_face.index)
    backend = SketchImageBackend()
    rows: list[tuple[str, list[tuple[Image.Image, str, str]]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, style in samples:
            parsed = parse_script((ROOT / "tests" / "samples" / name).read_text(encoding="utf-8"), filename=name)
            board = plan_storyboard(parsed, PlanOptions(style=style))
            cast = {c.name: c for c in parsed.characters}
            panels = []
            for shot in board.shots:
                request = replace(panel_request(board, shot, cast, seed=shot.order), width=width * 2,
                                  height=height * 2)  # as the studio asks (the scene's weather too), smaller
                drawn = backend.draw(request, f"{tmp}/{name}-{shot.order}.png")
                panel = Image.open(drawn.path).convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
                who = f"{shot.speaker}: " if shot.speaker else ""
                panels.append((panel, f"#{shot.order} · {shot.camera}", f"{who}{shot.text}"))
            rows.append((f"{name} · {style}", panels))
    columns = max(len(p) for _, p in rows)
    gap = 8
    sheet = Image.new("RGB", (gap + columns * (width + gap), sum(30 + height + CAPTION + gap for _ in rows) + gap),
                      (245, 243, 238))  # fmt: skip
    draw = ImageDraw.Draw(sheet)
    y = gap
    for title, panels in rows:
        draw.text((gap, y + 4), title, fill=(30, 30, 30), font=title_font)
        y += 30
        for n, (panel, label, line) in enumerate(panels):
            x = gap + n * (width + gap)
            sheet.paste(panel, (x, y))
            draw.text((x + 2, y + height + 3), label, fill=(60, 60, 60), font=font)
            draw.text((x + 2, y + height + 21), _fit(line, font, width - 4), fill=(90, 90, 90), font=font)
        y += height + CAPTION + gap
    return sheet


def _fit(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "contact-sheet.png"))
    parser.add_argument("--width", type=int, default=216)
    args = parser.parse_args()
    sheet = contact_sheet(args.width)
    sheet.save(args.out, optimize=True)
    print(f"{args.out}: {sheet.width}x{sheet.height}")


if __name__ == "__main__":
    main()
