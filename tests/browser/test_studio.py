"""The studio in Chromium, as a creator uses it: one project made in the first test and carried through the ordered
steps (parse, draw, edit a shot, change a character, voice, render), then reopened in fresh browser sessions, in
both languages and at phone width. The REST API is the referee: what the page did must be what the server stored.
Screenshots of every tab go to pytest's tmp dir and docs/screenshots/."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import SAMPLES

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TABS = {"en": ["Script", "Characters", "Storyboard", "Audio", "Export"], "zh": ["剧本", "角色", "分镜", "音频", "导出"]}
SAMPLE = "confession.zh.txt"
SAMPLE_TEXT = (SAMPLES / SAMPLE).read_text(encoding="utf-8")
DRAFT = "旁白: 草稿。"
NEW_LINE = "新的台词"
HAIR = "金色短发"
WAIT = 60_000  # ms, for steps that run a task (parse, draw, voice, render)


@dataclass
class Flow:
    """What the ordered steps hand on: the project and its panels' bytes."""

    project_id: str = ""
    panels: dict[str, str] = field(default_factory=dict)  # shot id -> sha256 of its current panel
    done: set[str] = field(default_factory=set)

    def need(self, *steps: str) -> None:
        missing = [s for s in steps if s not in self.done]
        if missing:
            pytest.skip(f"needs the earlier step(s) {missing}, which failed")


@pytest.fixture(scope="module")
def flow() -> Flow:
    return Flow()


@pytest.fixture(scope="module")
def expect() -> Any:
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    return expect


@contextmanager
def session(browser: Any, *, locale: str = "en-US", viewport: dict[str, int] = DESKTOP, **options: Any) -> Iterator[Any]:
    """A fresh browser session (its own cookies and Gradio state) with one page."""
    context = browser.new_context(locale=locale, viewport=viewport, **options)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
    finally:
        context.close()


def open_by_url(page: Any, studio: Any, project_id: str, opened: str = "Opened") -> None:
    page.goto(f"{studio.url}/?project={project_id}")
    page.locator("#project-status").get_by_text(opened).wait_for()


def tab(page: Any, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()


def panels(studio: Any, project_id: str) -> dict[str, str]:
    """Each shot's current panel, as the REST API serves it (a signed /files URL), by its bytes' hash."""
    return {s["shot_id"]: hashlib.sha256(studio.fetch(s["image_url"])).hexdigest() for s in studio.shots(project_id)}


def assert_translated(page: Any) -> None:
    """No label left as Gradio's untranslated marker or a raw object."""
    text = page.locator("body").inner_text()
    assert "__i18n__" not in text and "[object Object]" not in text, text[:2000]


def thumbnails(page: Any, gallery: str) -> Any:
    return page.locator(f"#{gallery} button.thumbnail-item")


def test_create_parse_and_draw(browser, studio, flow, expect, screenshots) -> None:
    """Create a project, type a draft and save it, pick a sample, Save & parse (readable scenes, not JSON), draw."""
    with session(browser) as page:
        page.goto(studio.url + "/")
        page.get_by_label("Project name").fill("Confession")
        page.get_by_label("1:1").check()
        page.get_by_role("button", name="Create project").click()
        expect(page.locator("#project-status")).to_contain_text("Opened Confession")
        flow.project_id = page.get_by_label("Project ID").input_value()
        assert re.fullmatch(r"[0-9a-f-]{36}", flow.project_id)

        script = page.locator("#script-text textarea")
        script.fill(DRAFT)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("#script-summary")).to_contain_text("Saved v1")
        page.get_by_label("Samples").click()
        page.get_by_role("option", name=SAMPLE).click()
        expect(script).to_have_value(SAMPLE_TEXT)
        page.locator("#parse-button").click()
        expect(page.locator("#script-summary")).to_contain_text("Parsed: 2 scenes · 12 shots", timeout=WAIT)
        parsed = page.locator("#parsed-view")
        expect(parsed).to_contain_text("Scene 1: 现代都市街道 · 傍晚")
        expect(parsed).to_contain_text("小明 (紧张) 那个...我有话想对你说。")
        assert "{" not in parsed.inner_text()  # scenes and shots a person reads, not JSON
        assert_translated(page)
        screenshots(page, "script.png", full_page=True)

        tab(page, "Characters")
        headings = page.locator(".character-card h3")
        expect(headings).to_have_text(["小明", "小红"])
        assert_translated(page)

        tab(page, "Storyboard")
        page.locator("#generate-board").click()
        expect(page.locator("#board-summary")).to_contain_text("12 shots", timeout=WAIT)
        expect(thumbnails(page, "storyboard-grid").locator("img")).to_have_count(12)
        captions = page.locator("#storyboard-grid .caption-label")
        expect(captions.first).to_contain_text("#1 · establishing")
        assert_translated(page)
        screenshots(page, "storyboard.png", full_page=True)
    shots = studio.shots(flow.project_id)
    assert len(shots) == 12 and all(s["image_url"] and not s["image_stale"] for s in shots)
    flow.panels = panels(studio, flow.project_id)
    flow.done.add("drawn")


def test_shot_editor_redraws_one_panel(browser, studio, flow, expect, screenshots) -> None:
    """Pick panel #2, change its line, Save shot, Regenerate: only its pixels change. The version strip lists both
    images; picking the old one makes it current again (and the new one back)."""
    flow.need("drawn")
    pid, before = flow.project_id, flow.panels
    second = studio.shots(pid)[1]
    with session(browser) as page:
        open_by_url(page, studio, pid)
        tab(page, "Storyboard")
        thumbnails(page, "storyboard-grid").nth(1).click()
        line = page.locator("#shot-text textarea")
        expect(line).to_have_value(second["text"])
        expect(page.locator("#shot-title")).to_contain_text("#2 · dialogue")
        line.fill(NEW_LINE)
        page.locator("#save-shot").click()
        expect(page.locator("#shot-title")).to_contain_text("Saved shot #2")
        saved = studio.shots(pid)[1]
        assert saved["text"] == NEW_LINE
        assert saved["prompt_override"] is None  # the planned prompt was shown, not pinned as the creator's own

        page.locator("#regenerate-shot").click()
        strip = thumbnails(page, "shot-versions")
        expect(strip).to_have_count(2, timeout=WAIT)
        after = panels(studio, pid)
        assert [k for k in before if before[k] != after[k]] == [second["shot_id"]]  # that panel, no other
        labels = page.locator("#shot-versions .caption-label")
        expect(labels.nth(0)).not_to_contain_text("✓")
        expect(labels.nth(1)).to_contain_text("✓ seed")
        box = strip.nth(0).bounding_box()
        assert box and box["width"] < 200, box  # a strip of thumbnails, not one image filling the editor
        screenshots(page.locator("#shot-editor").first, "shot-editor.png")

        strip.nth(0).click()  # the first drawing
        expect(labels.nth(0)).to_contain_text("✓ seed")
        assert panels(studio, pid)[second["shot_id"]] == before[second["shot_id"]]
        strip.nth(1).click()  # and the new one again: its bubble says the new line
        expect(labels.nth(1)).to_contain_text("✓ seed")
    flow.panels = panels(studio, pid)
    assert flow.panels[second["shot_id"]] == after[second["shot_id"]]
    assert not any(s["image_stale"] for s in studio.shots(pid))
    flow.done.add("edited")


def test_voices_play_in_the_audio_tab(browser, studio, flow, expect, screenshots) -> None:
    """Voice all lines: every spoken or narrated line gets a player whose file the browser can fetch."""
    flow.need("edited")
    pid = flow.project_id
    voiced = [s for s in studio.shots(pid) if s["dialogue"]]
    with session(browser) as page:
        open_by_url(page, studio, pid)
        tab(page, "Audio")
        page.locator("#voice-all").click()
        expect(page.get_by_text(f"Newly voiced: {len(voiced)} · {len(voiced)} lines")).to_be_visible(timeout=WAIT)
        players = page.locator(".voice-player audio")
        expect(players).to_have_count(len(voiced))
        src = players.first.get_attribute("src")
        response = page.request.get(studio.url + src)
        assert response.ok and response.headers["content-type"].startswith("audio/"), response.headers
        assert_translated(page)
        screenshots(page, "audio.png", full_page=True)
    flow.done.add("voiced")


def test_character_change_marks_only_its_panels_stale(browser, studio, flow, expect, screenshots) -> None:
    """New hair for 小明 on his card: exactly the panels he is in go stale (REST and the grid's marks); Update stale
    redraws those and only those (a look does not change a voice)."""
    flow.need("voiced")
    pid, before = flow.project_id, flow.panels
    with session(browser) as page:
        open_by_url(page, studio, pid)
        tab(page, "Characters")
        card = page.locator(".character-card").filter(has=page.get_by_role("heading", name="小明")).last
        hair = card.get_by_label("Hair")
        expect(hair).to_have_value("黑色短发")
        expect(hair).to_be_editable()  # a card's filled-in fields are editable
        hair.fill(HAIR)
        card.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text("Saved 小明")).to_be_visible()

        shots = studio.shots(pid)
        his = {s["shot_id"] for s in shots if "小明" in s["characters"]}
        assert his and len(his) < len(shots)
        assert {s["shot_id"] for s in shots if s["image_stale"]} == his
        assert not any(s["voice_stale"] for s in shots)
        expect(page.locator(".character-card h3").first).to_have_text(f"小明 · ！{len(his)} stale")
        assert_translated(page)
        screenshots(page, "characters.png", full_page=True)

        tab(page, "Storyboard")
        expect(page.locator("#board-summary")).to_contain_text(f"Stale: {len(his)} panels")
        captions = page.locator("#storyboard-grid .caption-label").all_inner_texts()
        assert [("！stale" in c) for c in captions] == [s["shot_id"] in his for s in shots], captions
        page.locator("#update-stale").click()
        expect(page.locator("#board-summary")).not_to_contain_text("Stale", timeout=WAIT)
        expect(page.locator("#storyboard-grid .caption-label", has_text="！stale")).to_have_count(0)
    assert not any(s["image_stale"] for s in studio.shots(pid))
    after = panels(studio, pid)
    assert {k for k in before if before[k] != after[k]} == his  # redrawn: his panels, and only them
    flow.panels = after
    flow.done.add("restyled")


def test_render_plays_and_shows_progress_elsewhere(browser, studio, flow, expect, screenshots) -> None:
    """Render at 1:1: a second browser session that opens the project meanwhile shows the running task's progress;
    then the video element plays (currentTime advances)."""
    flow.need("restyled")
    pid = flow.project_id
    with session(browser) as page, session(browser) as watcher:
        open_by_url(page, studio, pid)
        tab(page, "Export")
        page.get_by_label("720p").check()
        page.locator("#render-video").click()
        joins: list[str] = []  # every Gradio event the watcher's page sends
        watcher.on("request", lambda r: joins.append(r.url) if r.url.endswith("/queue/join") else None)
        open_by_url(watcher, studio, pid)
        status = watcher.locator("#project-status")
        expect(status).to_contain_text("Running:", timeout=WAIT)
        sent, shown, deadline = len(joins), [], time.monotonic() + WAIT * 2 / 1000
        while time.monotonic() < deadline and (not shown or "Running:" in shown[-1]):
            text = status.inner_text()
            if not shown or text != shown[-1]:
                shown.append(text)
            time.sleep(0.1)
        # pushed by the server as the task goes (studio/task_events.py), not polled: the page sent nothing more
        assert len([t for t in shown if "Running:" in t]) >= 2 and "Running:" not in shown[-1], shown
        assert len(joins) == sent, joins[sent:]

        expect(page.locator("#export-summary")).to_contain_text("Done: 720x720", timeout=WAIT * 2)
        video = page.locator("#export-video video")
        expect(video).to_have_attribute("src", re.compile(r"\.mp4$"))
        downloads = page.locator("#export-files a[download]")  # Gradio splits the file names in the DOM
        expect(downloads).to_have_count(4)  # the video, its SRT and ASS, and the cover
        assert [re.search(r"\.(mp4|srt|ass|jpg)$", d.get_attribute("download") or "") is not None
                for d in downloads.all()] == [True] * 4, downloads.evaluate_all("(a) => a.map((x) => x.outerHTML)")
        page.get_by_text("Subtitle track (edit text and times)").click()
        expect(page.locator("#subtitle-track")).to_contain_text("auto")  # the track the render timed
        played = video.evaluate("""async (v) => {
            v.muted = true;
            await v.play();
            const start = v.currentTime;
            await new Promise((resolve) => setTimeout(resolve, 1500));
            return [start, v.currentTime, v.duration];
        }""")
        assert played[1] > played[0] and played[2] > 10, played
        video.evaluate("(v) => { v.pause(); v.currentTime = 0.5; }")
        assert_translated(page)
        screenshots(page, "export.png", full_page=True)
    flow.done.add("rendered")


def test_reopen_brings_everything_back(browser, studio, flow, expect) -> None:
    """A new session, by URL and from the Open-project list: name, style, aspect, script and its versions, cast,
    storyboard, voices and the last video all come back."""
    flow.need("rendered")
    pid = flow.project_id
    with session(browser) as page:
        open_by_url(page, studio, pid)
        expect(page.get_by_label("Project name")).to_have_value("Confession")
        expect(page.get_by_label("1:1")).to_be_checked()
        expect(page.locator("input[aria-label='Style']")).to_have_value("comic")
        expect(page.locator("#script-text textarea")).to_have_value(SAMPLE_TEXT)
        expect(page.locator("#parsed-view")).to_contain_text("Scene 2: 学校天台 · 夜晚")
        page.get_by_role("button", name="Versions").click()
        page.get_by_label("Versions", exact=True).click()
        options = page.get_by_role("option")
        expect(options).to_have_count(2)
        expect(options.nth(0)).to_contain_text("v2")
        options.nth(1).click()
        page.get_by_role("button", name="View", exact=True).click()
        expect(page.get_by_label("The selected version")).to_have_value(DRAFT)

        tab(page, "Characters")
        expect(page.locator(".character-card h3")).to_have_text(["小明", "小红"])
        expect(page.get_by_label("Hair").first).to_have_value(HAIR)
        tab(page, "Storyboard")
        expect(thumbnails(page, "storyboard-grid")).to_have_count(12)
        expect(page.locator("#storyboard-grid .caption-label").nth(1)).to_contain_text(NEW_LINE)
        loaded = page.locator("#storyboard-grid img").evaluate_all("(imgs) => imgs.map((i) => i.complete)")
        assert len(loaded) == 12
        tab(page, "Audio")
        voiced = sum(1 for s in studio.shots(pid) if s["dialogue"])
        expect(page.locator(".voice-player audio")).to_have_count(voiced)
        tab(page, "Export")
        expect(page.locator("#export-summary")).to_contain_text("Done: 720x720")
        expect(page.locator("#export-video video")).to_have_attribute("src", re.compile(r"\.mp4$"))

    with session(browser) as page:  # from the list, no id typed
        page.goto(studio.url + "/")
        page.get_by_label("Open project").click()
        page.get_by_role("option", name=re.compile("^Confession · 1:1")).click()
        expect(page.locator("#project-status")).to_contain_text("Opened Confession")
        expect(page.get_by_label("Project ID")).to_have_value(pid)
        tab(page, "Storyboard")
        expect(thumbnails(page, "storyboard-grid")).to_have_count(12)


def test_two_sessions_keep_their_own_project(browser, studio, flow, expect) -> None:
    """Two browser sessions with different projects open: neither sees the other's project, script or board."""
    flow.need("drawn")
    pid = flow.project_id
    with session(browser) as first, session(browser) as second:
        open_by_url(first, studio, pid)
        second.goto(studio.url + "/")
        second.get_by_label("Project name").fill("Second")
        second.get_by_role("button", name="Create project").click()
        expect(second.locator("#project-status")).to_contain_text("Opened Second")
        other = second.get_by_label("Project ID").input_value()
        assert other and other != pid
        second.locator("#script-text textarea").fill("旁白: 另一个故事。")
        second.locator("#parse-button").click()
        expect(second.locator("#script-summary")).to_contain_text("1 shots", timeout=WAIT)

        expect(first.get_by_label("Project ID")).to_have_value(pid)
        expect(first.get_by_label("Project name")).to_have_value("Confession")
        expect(first.locator("#script-text textarea")).to_have_value(re.compile("小明"))
        tab(first, "Storyboard")
        first.get_by_role("button", name="Refresh").click()
        expect(first.locator("#board-summary")).to_contain_text("12 shots")
        tab(first, "Characters")
        expect(first.locator(".character-card h3")).to_have_text(["小明", "小红"])
        expect(second.locator("#parsed-view")).not_to_contain_text("小明")
        expect(second.get_by_label("Project name")).to_have_value("Second")


@pytest.mark.parametrize(("locale", "lang"), [("zh-CN", "zh"), ("en-US", "en")])
def test_labels_and_errors_follow_the_browser_language(browser, studio, flow, expect, screenshots, locale,
                                                       lang) -> None:  # fmt: skip
    """gr.I18n picks the labels from the browser's locale; the server's messages (errors included) follow the
    request's Accept-Language."""
    words = {"zh": ("新建项目", "打开", "先创建或选择一个项目。", "已打开"),
             "en": ("Create project", "Open", "Create or pick a project first.", "Opened")}[lang]  # fmt: skip
    with session(browser, locale=locale) as page:
        page.goto(studio.url + "/")
        expect(page.get_by_role("tab")).to_have_text(TABS[lang])
        expect(page.get_by_role("button", name=words[0])).to_be_visible()
        page.get_by_role("button", name=words[1], exact=True).click()  # no project picked yet
        expect(page.get_by_text(words[2]).first).to_be_visible()
        if flow.project_id and lang == "zh":
            open_by_url(page, studio, flow.project_id, opened=words[3])
            tab(page, TABS["zh"][2])
            expect(page.locator("#board-summary")).to_contain_text("个镜头")
            assert_translated(page)
            screenshots(page, "storyboard-zh.png", full_page=True)


def test_language_switches_in_gradio_settings(browser, studio, expect) -> None:
    """Gradio's footer Settings switch the labels at run time. (Gradio relabels an unvisited tab's button only once
    it is shown; the selected tab and every mounted label switch at once.)"""
    with session(browser) as page:
        page.goto(studio.url + "/")
        expect(page.get_by_role("button", name="Create project")).to_be_visible()
        page.get_by_role("button", name="Settings").click()
        page.get_by_label("Language").click()
        page.get_by_role("option", name="简体中文").click()
        page.locator("[role=dialog] .backdrop").click(position={"x": 5, "y": 5})
        expect(page.get_by_role("button", name="新建项目")).to_be_visible()
        expect(page.get_by_role("tab", selected=True)).to_have_text("剧本")
        expect(page.get_by_label("剧本 (剧本格式 / Markdown / Fountain)")).to_be_visible()
        tab(page, "Storyboard")
        expect(page.get_by_role("tab", selected=True)).to_have_text("分镜")
        expect(page.get_by_role("button", name="生成分镜与画面")).to_be_visible()


def test_phone_layout(browser, studio, flow, expect, screenshots) -> None:
    """390x844: every tab in sight (none behind Gradio's "⋯"), the grid in one or two columns, no sideways
    scrolling on any tab."""
    flow.need("drawn")
    with session(browser, viewport=PHONE, is_mobile=True, has_touch=True) as page:
        open_by_url(page, studio, flow.project_id)
        assert page.get_by_role("button", name="More tabs").count() == 0 or not page.get_by_role(
            "button", name="More tabs").is_visible()  # fmt: skip
        for name in TABS["en"]:
            button = page.get_by_role("tab", name=name, exact=True)
            expect(button).to_be_visible()
            box = button.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (name, box)
            button.tap()
            expect(button).to_have_attribute("aria-selected", "true")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"] + 1, (name, width)
            if name == "Storyboard":
                cells = thumbnails(page, "storyboard-grid")
                expect(cells).to_have_count(12)
                columns = {round(cells.nth(i).bounding_box()["x"]) for i in range(12)}
                assert len(columns) in (1, 2), columns
                screenshots(page, "phone.png", full_page=True)


def test_an_earlier_reference_picture_is_made_current_again(browser, studio, expect, screenshots, tmp_path) -> None:
    """Two uploads on a new character's card: its versions strip shows both, newest first with the current one
    marked; picking the older one and "Use this picture" makes it current (the card's picture and the API agree).
    A drawn character sheet joins as the current one with its seed. Its own project, so the ordered steps' cast is
    left alone; at phone width (in Chinese) the strip fits."""
    from PIL import Image

    pictures = []
    for n, color in enumerate(("crimson", "teal")):
        pictures.append(tmp_path / f"reference-{n}.png")
        Image.new("RGB", (96, 128), color).save(pictures[-1])
    with session(browser) as page:
        page.goto(studio.url + "/")
        page.get_by_label("Project name").fill("Versions")
        page.get_by_role("button", name="Create project").click()
        expect(page.locator("#project-status")).to_contain_text("Opened Versions")
        pid = page.get_by_label("Project ID").input_value()
        tab(page, "Characters")
        page.get_by_label("New character's name").fill("阿强")
        page.get_by_role("button", name="Add character").click()
        card = page.locator(".character-card").filter(has=page.get_by_role("heading", name="阿强")).last
        shown = card.locator(".character-reference img")
        strip = card.locator(".reference-versions button.thumbnail-item")
        card.locator("input[type=file]").set_input_files(pictures[0])
        expect(shown).to_have_count(1)
        expect(strip).to_have_count(0)  # one picture: nothing to choose from
        card.locator("input[type=file]").set_input_files(pictures[1])
        expect(strip).to_have_count(2)

        (character,) = studio.get(f"/api/v1/projects/{pid}/characters")["characters"]
        older, newer = (v["key"].rsplit("/", 1)[-1] for v in character["reference_versions"])
        assert character["reference_image_key"].endswith(newer)
        expect(shown).to_have_attribute("src", re.compile(re.escape(newer)))
        labels = card.locator(".reference-versions .caption-label")
        expect(labels).to_have_text(["✓ uploaded", "uploaded"])  # newest first, the current one marked
        use = card.get_by_role("button", name="Use this picture")
        expect(use).to_be_disabled()  # until an earlier one is picked
        expect(strip.nth(0)).to_have_class(re.compile(r"\bselected\b"))  # the current one, to start with
        screenshots(card, "character-reference-versions.png")

        strip.nth(1).click()
        expect(use).to_be_enabled()
        use.click()
        expect(shown).to_have_attribute("src", re.compile(re.escape(older)))
        expect(labels).to_have_text(["uploaded", "✓ uploaded"])  # the strip stays; the mark moves
        expect(strip.nth(1)).to_have_class(re.compile(r"\bselected\b"))
        expect(use).to_be_disabled()
        (character,) = studio.get(f"/api/v1/projects/{pid}/characters")["characters"]
        assert character["reference_image_key"].endswith(older)
        assert [v["is_current"] for v in character["reference_versions"]] == [False, True]
        assert_translated(page)
        screenshots(card, "character-reference-chosen.png")

        card.get_by_role("button", name="Generate reference image").click()  # a drawn one joins, current
        expect(strip).to_have_count(3, timeout=WAIT)
        expect(labels.first).to_have_text(re.compile(r"^✓ drawn · seed \d+$"))
        expect(labels).to_have_text([re.compile("drawn"), "uploaded", "uploaded"])
        expect(strip.nth(0)).to_have_class(re.compile(r"\bselected\b"))  # the ring follows the current one
        expect(strip.nth(1)).not_to_have_class(re.compile(r"\bselected\b"))
        screenshots(card, "character-reference-drawn.png")

    with session(browser, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True) as page:  # on a phone
        open_by_url(page, studio, pid, opened="已打开")
        tab(page, TABS["zh"][1])
        strip = page.locator(".reference-versions button.thumbnail-item")
        expect(strip).to_have_count(3)
        expect(page.locator(".reference-versions .caption-label")).to_have_text(
            [re.compile(r"^✓ 绘制 · 种子 \d+$"), "上传", "上传"])  # fmt: skip
        expect(page.get_by_role("button", name="用这张图")).to_be_disabled()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
        box = strip.nth(0).bounding_box()
        assert box and box["width"] < PHONE["width"] / 2, box
        screenshots(page.locator(".character-card").last, "character-reference-phone.png")


def test_opening_another_project_stops_following_the_first(browser, studio, flow, expect) -> None:
    """A session follows the open project's running task; opening another one in the same session stops that
    follower (its lines never show over the other project), and opening the first again follows its task anew."""
    flow.need("rendered")
    pid = flow.project_id
    other = studio.post("/api/v1/projects", {"name": "另一个项目", "aspect_ratio": "1:1"})["project_id"]
    studio.post(f"/api/v1/projects/{pid}/render/final", {"resolution": "1080p"})  # a while at 1080x1080
    with session(browser) as page:
        open_by_url(page, studio, pid)
        status = page.locator("#project-status")
        expect(status).to_contain_text("Running:", timeout=WAIT)
        for project, running in ((other, False), (pid, True)):
            page.get_by_label("Project ID").fill(project)
            page.get_by_role("button", name="Open", exact=True).click()
            if running:
                expect(status).to_contain_text("Running:", timeout=WAIT)
                continue
            # a line the first follower sent as this opened may flash; the new one's last word settles it
            expect(status).to_contain_text("另一个项目")
            expect(status).not_to_contain_text("Running:")
            seen = []
            for _ in range(30):  # 3 s: longer than a quiet follower takes to notice (FOLLOW_QUIET_S)
                seen.append(status.inner_text())
                time.sleep(0.1)
            changes = [t for i, t in enumerate(seen) if i == 0 or t != seen[i - 1]]
            assert all("另一个项目" in t and "Running:" not in t for t in seen), changes
        expect(status).not_to_contain_text("Running:", timeout=WAIT * 2)  # the render ends; its follower shows it
