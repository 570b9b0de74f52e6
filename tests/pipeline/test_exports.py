"""The comic exports read back: the webtoon's pixels and parts, the PDF's pages and panels, the 剪映 draft's JSON."""

from __future__ import annotations

import io
import json
import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, PdfParser

from pipeline.errors import RenderError
from pipeline.export import export_comic_pdf, export_jianying_draft, export_webtoon
from pipeline.export.captions import NARRATION_PAPER, SPEAKER_INK
from pipeline.export.jianying_format import DRAFT_PATH_PLACEHOLDER
from pipeline.models import TimedShot, Timeline, VoiceClip
from pipeline.subtitles import subtitle_cues

COLORS = [(220, 40, 40), (40, 160, 60), (40, 70, 200), (230, 200, 30), (150, 40, 170), (30, 170, 170), (240, 130, 20)]
LINES = [("dialogue", "小红", "昨天的话，我想了一整天。"), ("narration", None, "第二天晚上，两人约在了天台。"),
         ("action", None, ""), ("dialogue", "小明", "太好了! Let's go.")]  # fmt: skip


def _wav(path: Path, seconds: float, rate: int = 22050) -> str:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        tone = 8000 * np.sin(np.arange(int(seconds * rate)) * 2 * np.pi * 440 / rate)
        w.writeframes(tone.astype("<i2").tobytes())
    return str(path)


def _timeline(folder: Path, size: tuple[int, int] = (360, 640), count: int = 4) -> Timeline:
    """`count` solid-colour panels of `size`, the lines of LINES in turn (voiced when they have words)."""
    shots, start = [], 0.0
    for i in range(1, count + 1):
        kind, speaker, text = LINES[(i - 1) % len(LINES)]
        image = folder / f"panel{i}.png"
        Image.new("RGB", size, COLORS[i - 1]).save(image)
        voice = VoiceClip(_wav(folder / f"voice{i}.wav", 1.2), 1.2) if text else None
        duration = 2.0 if voice else 3.0
        shots.append(TimedShot(order=i, image_path=str(image), start=round(start, 3), duration=duration,
                               transition="cut", subtitle=text, speaker=speaker, voice=voice, voice_offset=0.35,
                               kind=kind))  # fmt: skip
        start += duration
    return Timeline(width=1080 if size[0] < size[1] else 1920, height=1920 if size[0] < size[1] else 1080, fps=25,
                    shots=tuple(shots))  # fmt: skip


def _near(pixel: np.ndarray, color: tuple[int, int, int], tolerance: int = 12) -> bool:
    return bool(np.abs(pixel.astype(int) - np.array(color)).max() <= tolerance)


def _color_runs(column: np.ndarray) -> list[tuple[int, int, int]]:
    """(panel number, first row, length) of every run of a panel colour down a column of pixels."""
    runs: list[tuple[int, int, int]] = []
    for y, pixel in enumerate(column):
        match = next((i + 1 for i, c in enumerate(COLORS) if _near(pixel, c)), None)
        if match is None:
            continue
        if runs and runs[-1][0] == match and runs[-1][1] + runs[-1][2] == y:
            runs[-1] = (match, runs[-1][1], runs[-1][2] + 1)
        else:
            runs.append((match, y, 1))
    return runs


# -- webtoon --------------------------------------------------------------------------------------------------


def test_webtoon_stacks_the_panels_at_width_with_their_lines(tmp_path) -> None:
    timeline = _timeline(tmp_path)
    paths = export_webtoon(timeline, str(tmp_path / "w.png"), title="天台的约定", width=800)
    assert paths == [str(tmp_path / "w.png")]
    page = np.asarray(Image.open(paths[0]).convert("RGB"))
    assert page.shape[1] == 800
    runs = _color_runs(page[:, 400])
    panel_height = round(640 * 800 / 360)
    assert [(n, length) for n, _, length in runs] == [(n, panel_height) for n in (1, 2, 3, 4)]
    assert (page[: runs[0][1], 200:600] < 60).all(axis=2).sum() > 500  # the title, set in dark ink above panel 1
    below = [page[y + length : runs[i + 1][1]] for i, (_, y, length) in enumerate(runs[:-1])]
    speaker = np.abs(below[0].astype(int) - SPEAKER_INK).max(axis=2) < 40
    assert speaker.sum() > 100  # "小红:" in red under the first panel
    assert (np.abs(below[1].astype(int) - NARRATION_PAPER).max(axis=2) < 4).mean() > 0.5  # the narration box
    # the action shot says nothing: only the white gutter before the next panel, narrower than a caption strip
    assert (below[2] > 245).all() and len(below[2]) < min(len(below[0]), len(below[1])) / 2


def test_webtoon_without_a_title_starts_with_the_first_panel(tmp_path) -> None:
    page = np.asarray(Image.open(export_webtoon(_timeline(tmp_path, count=1), str(tmp_path / "w.png"))[0]))
    first = _color_runs(page[:, 400])[0]
    assert first[0] == 1 and first[1] < 60  # only the top gutter above it


def test_a_tall_webtoon_is_split_between_panels_into_numbered_parts(tmp_path) -> None:
    timeline = _timeline(tmp_path, count=7)
    paths = export_webtoon(timeline, str(tmp_path / "long.png"), width=600, max_height=3000)
    assert paths == [str(tmp_path / f"long_{i:02d}.png") for i in range(1, len(paths) + 1)] and len(paths) >= 3
    assert not (tmp_path / "long.png").exists()
    seen = []
    for path in paths:
        part = np.asarray(Image.open(path).convert("RGB"))
        assert part.shape[0] <= 3000 and part.shape[1] == 600
        seen += [(n, length) for n, _, length in _color_runs(part[:, 300])]
    assert seen == [(n, round(640 * 600 / 360)) for n in range(1, 8)]  # every panel once, whole, in order


def test_webtoon_refuses_what_it_cannot_draw(tmp_path) -> None:
    timeline = _timeline(tmp_path, size=(100, 2000), count=1)
    with pytest.raises(RenderError, match="smaller width"):
        export_webtoon(timeline, str(tmp_path / "w.png"), width=800, max_height=10_000)  # one panel: 16000 px
    with pytest.raises(RenderError, match="width 100"):
        export_webtoon(timeline, str(tmp_path / "w.png"), width=100)
    with pytest.raises(RenderError, match=r"\.png"):
        export_webtoon(timeline, str(tmp_path / "w.jpg"))
    Path(timeline.shots[0].image_path).unlink()
    with pytest.raises(RenderError, match=r"shots \[1\] have no panel image"):
        export_webtoon(timeline, str(tmp_path / "w.png"))


# -- comic PDF ------------------------------------------------------------------------------------------------


def _pdf_pages(path: str) -> list[tuple[list[float], Image.Image]]:
    """Each page's MediaBox (points) and its picture, read back with Pillow's PDF parser."""
    return _read_pdf(path)[1]


def _read_pdf(path: str) -> tuple[str | None, list[tuple[list[float], Image.Image]]]:
    pdf = PdfParser.PdfParser(path)
    try:
        pages = []
        for ref in pdf.pages:
            page = pdf.read_indirect(ref)
            (xobject,) = page[b"Resources"][b"XObject"].values()
            stream = pdf.read_indirect(xobject)
            pages.append(
                ([float(v) for v in page[b"MediaBox"]], Image.open(io.BytesIO(bytes(stream.buf))).convert("RGB"))
            )
        return (pdf.info.Title if b"Title" in pdf.info else None), pages
    finally:
        pdf.close()


def _panel_centres(picture: Image.Image) -> list[int]:
    """Panel numbers in reading order (top to bottom, left to right), found by their colours."""
    pixels = np.asarray(picture)
    found: dict[int, tuple[int, int]] = {}
    for y in range(0, pixels.shape[0], 8):
        for x in range(0, pixels.shape[1], 8):
            for i, color in enumerate(COLORS, start=1):
                if i not in found and _near(pixels[y, x], color, 20):
                    found[i] = (y, x)
    return sorted(found, key=lambda n: found[n])


def test_pdf_puts_tall_panels_three_by_two_with_borders_captions_and_page_numbers(tmp_path) -> None:
    timeline = _timeline(tmp_path, count=7)  # 9:16
    out = export_comic_pdf(timeline, str(tmp_path / "c.pdf"), title="天台的约定", dpi=100)
    title, pages = _read_pdf(out)
    assert len(pages) == 2 and title == "天台的约定"  # six panels a page
    for box, picture in pages:
        assert box == pytest.approx([0, 0, 595.3, 841.9], abs=1.5)  # A4 in points
        assert picture.size == (round(210 / 25.4 * 100), round(297 / 25.4 * 100))
    first = np.asarray(pages[0][1])
    assert _panel_centres(pages[0][1]) == [1, 2, 3, 4, 5, 6] and _panel_centres(pages[1][1]) == [7]
    # panel 1: a dark border just outside it, its line (the speaker in red) under it, the title above it
    ys, xs = np.where(np.abs(first.astype(int) - COLORS[0]).max(axis=2) < 20)
    top, bottom, left, right = ys.min(), ys.max(), xs.min(), xs.max()
    above, beside = (
        first[top - 4 : top, left:right].mean(axis=(1, 2)),
        first[top:bottom, left - 4 : left].mean(axis=(0, 2)),
    )
    assert above.min() < 60 and beside.min() < 60  # a dark line (blurred a little by the PDF's JPEG)
    caption = first[bottom + 2 : bottom + 60, left - 40 : right + 40]
    assert (np.abs(caption.astype(int) - SPEAKER_INK).max(axis=2) < 50).sum() > 30
    assert (first[: top - 10] < 80).all(axis=2).sum() > 300  # the title
    footer = np.asarray(pages[1][1])[-120:]
    assert (footer < 80).all(axis=2).sum() > 30  # "2 / 2"
    second = np.asarray(pages[1][1])
    top7 = np.where(np.abs(second.astype(int) - COLORS[6]).max(axis=2) < 20)[0].min()
    assert top7 < top - 30 and (second[: top7 - 6] > 200).all()  # no title after the first page: panels move up


@pytest.mark.parametrize(("size", "per_page"), [((640, 360), 3), ((500, 500), 4)])
def test_pdf_grid_follows_the_panels_aspect(tmp_path, size, per_page) -> None:
    timeline = _timeline(tmp_path, size=size, count=per_page + 1)
    if size[0] == size[1]:
        timeline = Timeline(width=1080, height=1080, fps=25, shots=timeline.shots)
    pages = _pdf_pages(export_comic_pdf(timeline, str(tmp_path / "c.pdf"), page="A5", dpi=72))
    assert len(pages) == 2 and _panel_centres(pages[0][1]) == list(range(1, per_page + 1))


def test_pdf_refuses_unknown_paper_and_dpi(tmp_path) -> None:
    timeline = _timeline(tmp_path, count=1)
    with pytest.raises(RenderError, match="'B4' is not a known paper size"):
        export_comic_pdf(timeline, str(tmp_path / "c.pdf"), page="B4")
    with pytest.raises(RenderError, match="dpi 2000"):
        export_comic_pdf(timeline, str(tmp_path / "c.pdf"), dpi=2000)


# -- 剪映 draft ------------------------------------------------------------------------------------------------


def _file_in(folder: Path, path: str) -> Path:
    assert path.startswith(DRAFT_PATH_PLACEHOLDER + "/"), path
    return folder / path.removeprefix(DRAFT_PATH_PLACEHOLDER + "/")


def test_jianying_draft_keeps_the_timeline_exactly(tmp_path) -> None:
    timeline = _timeline(tmp_path)
    cues = subtitle_cues(timeline)
    music = _wav(tmp_path / "bgm.wav", 3.5)
    folder = Path(export_jianying_draft(timeline, cues, str(tmp_path), name="天台 第1集", music_path=music))
    assert folder == tmp_path / "天台 第1集"
    content = json.loads((folder / "draft_content.json").read_text(encoding="utf-8"))
    meta = json.loads((folder / "draft_meta_info.json").read_text(encoding="utf-8"))
    total = round(timeline.duration * 1e6)
    assert (meta["draft_name"], meta["draft_id"], meta["tm_duration"]) == ("天台 第1集", content["id"], total)
    assert (content["canvas_config"]["width"], content["canvas_config"]["height"], content["fps"]) == (1080, 1920, 25)
    assert content["duration"] == total

    # every segment's material is listed, and its file is in the folder
    materials = {
        m["id"]: m for kind in content["materials"].values() for m in kind if isinstance(m, dict) and "id" in m
    }
    for track in content["tracks"]:
        for segment in track["segments"]:
            material = materials[segment["material_id"]]
            assert all(ref in materials for ref in segment["extra_material_refs"])
            if track["type"] != "text":
                assert _file_in(folder, material["path"]).is_file()
        ranges = [(s["target_timerange"]["start"], s["target_timerange"]["duration"]) for s in track["segments"]]
        assert all(a + d <= b for (a, d), (b, _) in zip(ranges, ranges[1:], strict=False)), track["name"]
    by_name = {t["name"]: t for t in content["tracks"]}
    assert [(t["type"], t["name"]) for t in content["tracks"]] == [
        ("video", "panels"), ("audio", "voices"), ("audio", "music"), ("text", "subtitles")]  # fmt: skip

    def target(segment) -> tuple[int, int]:
        return segment["target_timerange"]["start"], segment["target_timerange"]["duration"]

    assert [target(s) for s in by_name["panels"]["segments"]] == [
        (round(s.start * 1e6), round(s.duration * 1e6)) for s in timeline.shots]  # fmt: skip
    panels = [_file_in(folder, materials[s["material_id"]]["path"]) for s in by_name["panels"]["segments"]]
    assert [p.read_bytes() for p in panels] == [Path(s.image_path).read_bytes() for s in timeline.shots]
    voiced = [s for s in timeline.shots if s.voice]
    assert [target(s) for s in by_name["voices"]["segments"]] == [
        (round((s.start + s.voice_offset) * 1e6), round(s.voice.duration * 1e6)) for s in voiced if s.voice]  # fmt: skip
    music_segments = by_name["music"]["segments"]
    assert [target(s) for s in music_segments] == [
        (0, 3_500_000),
        (3_500_000, 3_500_000),
        (7_000_000, total - 7_000_000),
    ]
    assert {s["volume"] for s in music_segments} == {0.3}
    texts = [json.loads(materials[s["material_id"]]["content"])["text"] for s in by_name["subtitles"]["segments"]]
    assert texts == [c.text for c in cues] and len(texts) == 3
    assert [target(s) for s in by_name["subtitles"]["segments"]] == [
        (round(c.start * 1e6), round(c.end * 1e6) - round(c.start * 1e6)) for c in cues]  # fmt: skip


def test_jianying_draft_refuses_bad_names_and_cues(tmp_path) -> None:
    timeline = _timeline(tmp_path, count=1)
    for name in ("a/b", "", " x", "con:"):
        with pytest.raises(RenderError, match="cannot be a folder name"):
            export_jianying_draft(timeline, [], str(tmp_path), name=name)
    export_jianying_draft(timeline, [], str(tmp_path), name="one")
    with pytest.raises(RenderError, match="already exists"):
        export_jianying_draft(timeline, [], str(tmp_path), name="one")
    Path(timeline.shots[0].voice.path).write_bytes(b"not a wave file")  # found only while writing: nothing is left
    with pytest.raises(RenderError, match="voice1.wav is not a readable WAV"):
        export_jianying_draft(timeline, [], str(tmp_path), name="broken")
    assert not (tmp_path / "broken").exists()
    bad = subtitle_cues(timeline)[0]
    with pytest.raises(RenderError, match="must end after it starts"):
        export_jianying_draft(timeline, [type(bad)(start=2.0, end=1.0, text="x")], str(tmp_path), name="two")
