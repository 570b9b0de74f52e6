"""Browser fixtures: the app as a subprocess (`python app.py`) on a free port with its own data folder, Debian's
Chromium driven by Playwright, and the places screenshots go (pytest's tmp dir and docs/screenshots/ for the README).

Without CI, a missing Chromium or playwright skips with the reason; under CI=true it fails (see `unavailable`).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, app_running, unavailable

CHROMIUM = os.environ.get("COMICREEL_CHROMIUM", "/usr/bin/chromium")
# Quiet and deterministic: no background downloads, updates or sync; no GPU on this machine.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip
DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"


@dataclass
class Studio:
    """The running app: its base URL and the REST calls the tests check the browser's work against."""

    url: str

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=30) as r:
            return json.load(r)["data"]

    def fetch(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=30) as r:
            return r.read()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as r:
            return json.load(r)["data"]

    def shots(self, project_id: str) -> list[dict[str, Any]]:
        return self.get(f"/api/v1/projects/{project_id}/storyboard")["shots"]


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Studio]:
    """`python app.py` with its own data folder (and Gradio's cache inside it), stopped with SIGTERM at the end."""
    root = tmp_path_factory.mktemp("studio")
    with app_running(root, GRADIO_TEMP_DIR=str(root / "gradio")) as url:
        yield Studio(url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright (never `playwright install`: the browser comes from apt)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        unavailable("playwright (pip install playwright)", exc)
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        unavailable("Chromium (apt-get install chromium)", f"no {CHROMIUM}")
    with sync_playwright() as p:
        try:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:  # noqa: BLE001 - any launch failure means "not available"
            unavailable("Chromium", exc)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """`save(page_or_locator, "name.png")`: into pytest's tmp dir (the run's artifacts) and, with
    COMICREEL_UPDATE_SCREENSHOTS=1, into docs/screenshots/ for the README (so a plain test run changes no file)."""
    folder = tmp_path_factory.mktemp("screenshots")
    update_docs = os.environ.get("COMICREEL_UPDATE_SCREENSHOTS") == "1"

    def save(target: Any, name: str, **options: Any) -> Path:
        settle(getattr(target, "page", target))  # a Locator knows its page
        path = folder / name
        target.screenshot(path=str(path), animations="disabled", **options)
        if update_docs:
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_SCREENSHOTS / name)
        return path

    yield save


def settle(page: Any) -> None:
    """Wait until no Gradio event is pending and every image (lazy ones too) has loaded: a screenshot of the result,
    not of a spinner."""
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach((img) => { img.loading = 'eager'; })")
    page.wait_for_function("""() =>
        [...document.querySelectorAll('[data-testid=status-tracker]')].every((s) => s.classList.contains('hide'))
        && [...document.images].every((img) => img.complete)""", timeout=60_000)  # 2 busy cores in CI
