"""One orchestration: the CLI and the API run the same step functions with the same seeds and settings, so the same
script gives byte-identical panels and the same shot timing through either door."""

from __future__ import annotations

import hashlib
import json

from tests.api.conftest import ok, wait
from tests.conftest import SAMPLES
from tests.test_cli import _cli


def test_cli_and_api_give_identical_panels_and_durations(client, tmp_path) -> None:
    script = SAMPLES / "night-market.zh.md"
    result = _cli("render", str(script), "-o", str(tmp_path / "cli.mp4"), "--aspect", "16:9", "--style", "anime",
                  "--resolution", "720p", "--json", "-q")  # fmt: skip
    assert result.returncode == 0, result.stderr
    cli_shots = json.loads(result.stdout)["shots"]

    pid = ok(client.post("/api/v1/projects", json={"name": "n", "aspect_ratio": "16:9", "style": "anime"}), 201)[
        "project_id"
    ]
    ok(client.post(f"/api/v1/projects/{pid}/script", json={"content": script.read_text(encoding="utf-8")}))
    for url, body in ((f"/api/v1/projects/{pid}/script/parse", None), (f"/api/v1/projects/{pid}/storyboard/generate", {}),
                      (f"/api/v1/projects/{pid}/render/final", {"resolution": "720p"})):  # fmt: skip
        data = ok(client.post(url, json=body), 202)
        assert wait(client, data.get("task_id") or data["render_task_id"])["status"] == "completed"
    board = ok(client.get(f"/api/v1/projects/{pid}/storyboard"))
    storage = client.app.state.services.storage
    api_shots = [{"order": s["order"], "duration": s["duration"], "text": s["text"],
                  "panel_sha256": hashlib.sha256(storage.get_bytes(s["image_key"])).hexdigest()}
                 for s in board["shots"]]  # fmt: skip
    assert len(api_shots) > 5 and api_shots == cli_shots
