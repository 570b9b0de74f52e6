"""The architecture's rules: the layout, the import direction, and settings documented in .env.example."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

OURS = {"app", "studio", "jobs", "pipeline", "db", "storage", "assets_library"}
# DESIGN.md: studio -> jobs -> pipeline; studio, jobs -> db, storage; pipeline imports none of the edges; db holds the
# row <-> dataclass mapping (so it reads pipeline's dataclasses); nothing imports the entry point `app`.
ALLOWED = {
    "app": {"studio"},
    "studio": {"jobs", "pipeline", "db", "storage", "assets_library"},
    "jobs": {"pipeline", "db", "storage", "assets_library"},
    "db": {"pipeline"},
    "storage": set(),
    "pipeline": {"assets_library"},
    "assets_library": set(),
}
FORBIDDEN_LIBRARIES = {
    "pipeline": {"gradio", "fastapi", "starlette", "sqlalchemy", "huey", "minio", "uvicorn"},
    "jobs": {"gradio", "fastapi", "starlette", "uvicorn"},
    "db": {"gradio", "fastapi", "starlette", "huey", "minio", "uvicorn"},
    "storage": {"gradio", "fastapi", "starlette", "sqlalchemy", "huey", "uvicorn"},
    "assets_library": {"gradio", "fastapi", "starlette", "sqlalchemy", "huey", "minio", "uvicorn"},
}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_layout_matches_design() -> None:
    for name in ("app.py", "studio", "pipeline", "jobs", "storage", "db", "assets_library", "tests", "bench",
                 "pyproject.toml", "README.md", ".ci/run", ".env.example"):  # fmt: skip
        assert (REPO / name).exists(), name
    assert not (REPO / "queue").exists(), "a top-level `queue` package would shadow the standard library"


def _package_files(package: str) -> list[Path]:
    return [REPO / "app.py"] if package == "app" else sorted((REPO / package).rglob("*.py"))


def test_every_package_imports_only_what_the_design_allows() -> None:
    assert set(ALLOWED) == OURS
    offenders = {}
    for package, allowed in ALLOWED.items():
        for path in _package_files(package):
            roots = _imported_roots(path)
            bad = (roots & OURS) - allowed - {package} | (roots & FORBIDDEN_LIBRARIES.get(package, set()))
            if bad:
                offenders[str(path.relative_to(REPO))] = sorted(bad)
    assert offenders == {}


def test_the_import_rule_test_sees_lazy_imports(tmp_path) -> None:
    """Imports inside functions count too (the CLI imported `app` lazily once)."""
    module = tmp_path / "m.py"
    module.write_text("def serve():\n    import app\n    from db.models import Task\n", encoding="utf-8")
    assert {"app", "db"} <= _imported_roots(module)


def test_env_example_lists_every_setting_with_its_default() -> None:
    from studio.config import Settings

    text = (REPO / ".env.example").read_text(encoding="utf-8")
    names = {line.split("=", 1)[0] for line in text.splitlines() if line.startswith("COMICREEL_")}
    assert names == {f"COMICREEL_{n.upper()}" for n in Settings.model_fields}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("COMICREEL_"):
            assert lines[i - 1].startswith("# "), f"{line} has no comment"
    assert Settings(_env_file=REPO / ".env.example") == Settings(_env_file=None)


def test_importing_the_app_starts_nothing(tmp_path, monkeypatch) -> None:
    import subprocess
    import sys

    monkeypatch.chdir(tmp_path)
    code = "import app, studio.ui, jobs.tasks, studio.cli; import pathlib; assert not pathlib.Path('data').exists()"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path, env={"PYTHONPATH": str(REPO), "PATH": ""})


def _tool(name: str) -> str:
    import shutil
    import sys

    return shutil.which(name) or str(Path(sys.executable).parent / name)


def test_ruff_is_clean() -> None:
    import subprocess

    result = subprocess.run([_tool("ruff"), "check", str(REPO)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_mypy_is_clean() -> None:
    import subprocess

    packages = ["pipeline", "storage", "db", "jobs", "studio", "assets_library", "app.py"]
    result = subprocess.run([_tool("mypy"), *packages], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout[-3000:]


def test_settings_refuse_values_that_would_break_the_app() -> None:
    import pytest
    from pydantic import ValidationError

    from studio.config import Settings

    for bad in ({"task_heartbeat_interval": 30, "task_stale_after": 60}, {"signed_url_ttl": 0},
                {"signed_url_ttl": 8 * 86_400}, {"max_request_bytes": -1}, {"storage_connect_timeout": 0}):  # fmt: skip
        with pytest.raises(ValidationError):
            Settings(_env_file=None, **bad)
