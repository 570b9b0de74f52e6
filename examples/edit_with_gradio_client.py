"""Edit a project from a program: open it, change one shot's line, redraw that panel, render again.

Run: .venv/bin/python examples/edit_with_gradio_client.py http://127.0.0.1:7860/ <project id> "新的台词"
"""

from __future__ import annotations

import sys

from gradio_client import Client


def main(url: str, project_id: str, new_line: str) -> None:
    client = Client(url, verbose=False)
    project = client.predict(project_id, api_name="/open_project")
    shot = project["storyboard"]["shots"][0]
    client.predict(project_id, shot["shot_id"], {"text": new_line}, api_name="/update_shot")
    redrawn = client.predict(project_id, shot["shot_id"], "", -1, api_name="/regenerate_shot")
    print("shot", redrawn["order"], "now says", redrawn["text"], "with seed", redrawn["seed"])
    summary, video, files, subtitles = client.predict(project_id, "1080p", api_name="/render_final")
    print(summary, video)


if __name__ == "__main__":
    main(*sys.argv[1:4])
