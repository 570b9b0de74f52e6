"""The Gradio studio: one Blocks composed from one file per tab. Per-browser-session state lives in gr.State (the
cast and the storyboard being edited); opening a project (from the list, by id, or `/?project=<id>`) restores
everything. Every step has an api_name; the editing steps also have API-only endpoints (studio/ui/api.py)."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
import gradio as gr

from jobs.progress import TERMINAL
from studio import accounts, editor, projects, workspace
from studio.errors import NotFound
from studio.services import Services
from studio.task_events import task_changes
from studio.ui import api, projects_bar
from studio.ui.audio_tab import AudioTab
from studio.ui.characters_tab import CharactersTab
from studio.ui.common import require_project, ui_errors, user_of
from studio.ui.export_tab import ExportTab
from studio.ui.i18n import HEAD, I18N, Lang, say, step_label, t
from studio.ui.i18n import request_lang as lang_of
from studio.ui.login import account_html
from studio.ui.script_tab import ScriptTab
from studio.ui.storyboard_tab import StoryboardTab

# Phones (390 px): the grid keeps two columns and long captions wrap (the tabs wrap through `overflow_behavior`).
CSS = """
#storyboard-grid .caption-label { white-space: normal !important; overflow: visible !important; }
#storyboard-grid .grid-wrap, #shot-versions .grid-wrap { max-height: none !important; min-height: 0 !important; }
#shot-versions .grid-container { grid-template-columns: repeat(auto-fill, minmax(88px, 120px)) !important; }
@media (max-width: 640px) {
  #storyboard-grid .grid-container { grid-template-columns: repeat(2, minmax(0, 1fr)) !important; }
}
"""


def build_blocks(svc: Services) -> gr.Blocks:
    with gr.Blocks(title="ComicReel · 漫画视频工作室") as blocks:
        gr.Markdown("# ComicReel · 漫画视频工作室")
        if svc.settings.auth_enabled:  # who is logged in, and the way out
            account = gr.HTML(elem_id="account")
            blocks.load(_account(svc), None, account, api_visibility="private")
        gr.Markdown(t("tagline"))
        bar = projects_bar.build(svc, blocks)
        characters = gr.State([])  # this browser session's cast
        board = gr.State(None)  # this browser session's storyboard
        with gr.Tabs(overflow_behavior="wrap"):  # on a phone every tab stays in sight, none behind "⋯"
            with gr.Tab(t("tab_script"), id="script"):
                script = ScriptTab(svc, bar.project_id)
            with gr.Tab(t("tab_characters"), id="characters"):
                CharactersTab(svc, bar.project_id, characters, board)
            with gr.Tab(t("tab_storyboard"), id="storyboard"):
                storyboard = StoryboardTab(svc, bar.project_id, characters, board)
            with gr.Tab(t("tab_audio"), id="audio"):
                AudioTab(svc, bar.project_id, board)
            with gr.Tab(t("tab_export"), id="export"):
                export = ExportTab(svc, bar.project_id)
        api.register(svc)

        openings, opening = _Openings(), gr.State(None)  # this browser session's latest opening of a project
        outputs = [bar.project_id, bar.status, bar.name, bar.style, bar.aspect, bar.existing, characters, board,
                   *script.outputs, *storyboard.outputs, *export.outputs, opening]  # fmt: skip

        def show(snapshot: dict[str, Any], lang: Lang, user: uuid.UUID) -> list[Any]:
            project = snapshot["project"]
            return [project["id"], _with_task(_opened(project, lang), snapshot["task"], lang), project["name"],
                    project["style"], project["aspect_ratio"],
                    gr.update(choices=projects_bar.choices(svc, user), value=project["id"]), snapshot["characters"],
                    snapshot["storyboard"], *script.show(snapshot, lang), *storyboard.show(snapshot, lang),
                    *export.show(snapshot, lang)]  # fmt: skip

        @ui_errors
        def open_project(pid: str, request: gr.Request) -> list[Any]:
            lang, user = lang_of(request), user_of(svc, request)
            snapshot = workspace.open_project(svc, user_id=user, project_id=require_project(pid, lang))
            # numbered: the follower of what was open before stops, and this one's follows it
            return [*show(snapshot, lang, user), openings.mark(request.session_hash)]

        @ui_errors
        def open_from_url(request: gr.Request) -> list[Any]:
            pid = request.query_params.get("project", "") if request else ""
            if not pid:
                return [gr.skip()] * len(outputs)
            return open_project(pid, request)

        follow = _follower(svc, openings)
        for opened in (bar.open.click(open_project, bar.project_id, outputs, api_visibility="private"),
                       bar.created.then(open_project, bar.project_id, outputs, api_visibility="private"),
                       bar.imported.then(open_project, bar.project_id, outputs, api_visibility="private"),
                       bar.existing.select(open_project, bar.existing, outputs, api_visibility="private"),
                       blocks.load(open_from_url, None, outputs, api_visibility="private")):  # fmt: skip
            # pushed while the task runs: no queue slot held (an async generator), no spinner over the status line
            # "multiple": a follower still running must not keep the next opening's from starting
            opened.success(follow, [bar.project_id, opening], bar.status, api_visibility="private",
                           show_progress="hidden", concurrency_limit=None, trigger_mode="multiple")  # fmt: skip
        script.parse_event.then(_reload_cast(svc), bar.project_id, [characters, board], api_visibility="private")
    blocks.queue(default_concurrency_limit=4)
    return blocks


def _opened(project: dict[str, Any], lang: Lang) -> str:
    return say("msg_opened", lang, name=project["name"], status=say(f"status_{project['status']}", lang))


def _with_task(status: str, task: dict[str, Any] | None, lang: Lang) -> str:
    if not task:
        return status
    running = say("msg_running", lang, step=step_label(task["current_step"], lang), progress=task["progress"])
    return f"{status}\n\n… {running}" if status else f"… {running}"


FOLLOW_QUIET_S = 2.0  # how soon a follower with nothing to show notices that another project was opened


class _Openings:
    """Each browser session's latest opening of a project, numbered: a follower belongs to the opening that started
    it, and stops once another project (or the same one again) is opened in that session."""

    def __init__(self, limit: int = 10_000) -> None:
        self._latest: OrderedDict[str, int] = OrderedDict()
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._limit = limit

    def mark(self, session: str | None) -> int:
        with self._lock:
            number = self._latest[session or ""] = next(self._numbers)
            self._latest.move_to_end(session or "")
            while len(self._latest) > self._limit:
                self._latest.popitem(last=False)
            return number

    def latest(self, session: str | None) -> int | None:
        return self._latest.get(session or "")


def _follower(svc: Services, openings: _Openings):  # type: ignore[no-untyped-def]
    """The open project's running tasks (one started before the page was opened, or from elsewhere) followed live:
    each one's step and progress pushed to the status line as they change (studio/task_events.py, the source of the
    REST event stream too), then the project's state once none runs. Opening a project again in the same browser
    session stops the follower of the opening before."""

    def read(fn: Any, **kwargs: Any) -> Any:
        return anyio.to_thread.run_sync(lambda: fn(svc, **kwargs))

    @ui_errors
    async def follow_task(pid: str, mine: int | None, request: gr.Request) -> AsyncIterator[Any]:
        yield gr.skip()  # a generator that ends without a value would empty the status line
        if not (pid or "").strip() or mine is None:  # a page opened without a project
            return
        lang, session = lang_of(request), request.session_hash
        user = await anyio.to_thread.run_sync(user_of, svc, request)
        pid = require_project(pid, lang)
        try:
            project = await read(projects.get_project, user_id=user, project_id=pid)
            while (task := await read(workspace.running_task, user_id=user, project_id=pid)) is not None:
                async for change in task_changes(svc, user, uuid.UUID(task["task_id"]), quiet=FOLLOW_QUIET_S):
                    if openings.latest(session) != mine:  # another opening took over
                        yield gr.skip()  # Gradio shows a generator's last value again when it ends: not ours
                        return
                    if change is not None and change["status"] not in TERMINAL:
                        yield _with_task(_opened(project, lang), change, lang)
            project = await read(projects.get_project, user_id=user, project_id=pid)
        except NotFound:  # the project (and its tasks) deleted meanwhile, elsewhere
            return
        if openings.latest(session) == mine:
            yield _opened(project, lang)  # also over any line a follower before wrote as this project opened

    return follow_task


def _account(svc: Services):  # type: ignore[no-untyped-def]
    @ui_errors
    def account(request: gr.Request) -> str:
        return account_html(accounts.user_public(svc, user_of(svc, request))["username"])

    return account


def _reload_cast(svc: Services):  # type: ignore[no-untyped-def]
    @ui_errors
    def reload(pid: str, request: gr.Request) -> tuple:
        pid = require_project(pid)
        user = user_of(svc, request)
        cast = editor.list_characters(svc, user_id=user, project_id=pid)
        return cast, workspace.storyboard(svc, user_id=user, project_id=pid)

    return reload


__all__ = ["CSS", "HEAD", "I18N", "build_blocks"]
