"""The `comicreel` console script: parse --json in the seed's shape, and render without a server."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

from tests.conftest import REPO, SAMPLES
from tests.media import assert_video


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "studio.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=600
    )


def test_parse_json_prints_the_parsed_script() -> None:
    out = _cli("parse", str(SAMPLES / "confession.zh.txt"), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"scenes", "characters"} <= data.keys()
    assert data["scenes"][0]["shots"][1]["character"] == "小明"


def test_render_a_script_to_mp4(tmp_path) -> None:
    script = tmp_path / "s.txt"
    script.write_text("场景:公园,白天\n角色:阿福(男)\n旁白: 阳光很好。\n阿福(开心): 走吧!\n", encoding="utf-8")
    out = tmp_path / "out" / "video.mp4"
    result = _cli("render", str(script), "-o", str(out), "--aspect", "1:1", "--json")
    assert result.returncode == 0, result.stderr
    assert "rendering_video" in result.stderr  # the progress bar
    summary = json.loads(result.stdout)
    assert (summary["width"], summary["height"], len(summary["shots"])) == (1080, 1080, 2)
    srt = (tmp_path / "out" / "video.srt").read_text(encoding="utf-8")
    assert "走吧" in srt
    assert_video(
        str(out), width=1080, height=1080, shot_durations=[s["duration"] for s in summary["shots"]], tolerance=0.02
    )


def test_bad_input_is_a_one_line_error_with_exit_code_2(tmp_path) -> None:
    cases = {
        "empty.txt": (b"   ", "empty"),
        "binary.png": (bytes(range(256)) * 40, "not text"),
        "nul.txt": ("旁白: 好\x00的".encode(), "control character"),
        "bad-utf8.txt": (b"\x81\x30\xff" * 10, "not text"),
        "huge.txt": (b"a" * 900_001, "at most"),
    }
    for name, (data, _) in cases.items():
        (tmp_path / name).write_bytes(data)
    cases["folder"] = (b"", "directory")
    (tmp_path / "folder").mkdir()
    cases["missing.txt"] = (b"", "cannot read")
    for name, (_, reason) in cases.items():
        for command in ("parse", "render"):
            args = [command, str(tmp_path / name)] + (["-o", str(tmp_path / "x.mp4")] if command == "render" else [])
            result = _cli(*args)
            lines = result.stderr.strip().splitlines()
            assert result.returncode == 2, (name, command, result.stderr[-2000:])
            assert len(lines) == 1 and reason in lines[0] and lines[0].startswith("comicreel: "), (name, lines)
    assert not (tmp_path / "x.mp4").exists()
    out_dir = _cli("render", str(SAMPLES / "confession.zh.txt"), "-o", str(tmp_path))
    assert out_dir.returncode == 2 and "directory" in out_dir.stderr


def test_a_gbk_script_is_read(tmp_path) -> None:
    script = tmp_path / "gbk.txt"
    script.write_bytes("场景:公园,白天\n角色:阿福(男)\n阿福(开心): 走吧!\n".encode("gbk"))
    result = _cli("parse", str(script), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["scenes"][0]["shots"][0]["text"] == "走吧!"


def test_admin_promotes_an_account_and_revoke_demotes_it(tmp_path, monkeypatch) -> None:
    from studio import accounts
    from studio.config import Settings
    from studio.services import build_services

    monkeypatch.setenv("COMICREEL_DATA_DIR", str(tmp_path / "data"))
    svc = build_services(Settings(_env_file=None, data_dir=tmp_path / "data", embedded_workers=0))
    user_id = accounts.register(svc, email="ops@example.com", password="long enough pass", username="ops")["user_id"]

    def role() -> str:
        return accounts.user_public(svc, uuid.UUID(user_id))["role"]

    assert role() == "user"
    out = _cli("admin", "ops@example.com")
    assert out.returncode == 0 and "is an admin now" in out.stdout, out.stderr
    assert role() == "admin"
    assert _cli("admin", "ops@example.com", "--revoke").returncode == 0 and role() == "user"
    missing = _cli("admin", "nobody@example.com")
    assert missing.returncode == 2 and "register it first" in missing.stderr
    svc.stop()
