"""The deployment files agree with the code and the README: they parse, set only real settings with valid values,
run one image with the commands the README's Production section documents (which the CLI accepts), probe /healthz
and /readyz, and migrate with a command that works."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO

DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


def _manifests() -> list[dict[str, Any]]:
    return [doc for path in sorted(K8S.glob("*.yaml")) if path.name != "kustomization.yaml" for doc in _documents(path)]


def _compose() -> dict[str, Any]:
    return _documents(DEPLOY / "compose.yaml")[0]


def _setting_names() -> set[str]:
    from studio.config import Settings

    prefix = Settings.model_config.get("env_prefix", "")
    assert prefix == "COMICREEL_"
    return {f"{prefix}{name.upper()}" for name in Settings.model_fields}


def _documented_commands() -> list[list[str]]:
    """The commands in the first code block of the README's Production section."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Production\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the Production section has no ```sh block of commands"
    return [shlex.split(line) for line in block.group(1).splitlines() if line.strip()]


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc.get("spec", {}).get("template", {}).get("spec", {})
    return list(spec.get("containers", [])) + list(spec.get("initContainers", []))


def _comicreel_services() -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in _compose()["services"].items() if "comicreel" in str(svc.get("image", ""))}


def _interpolated(value: object) -> str:
    """A compose value with `${VAR:-default}` replaced by its default (what an empty environment gives)."""
    return re.sub(r"\$\{[A-Z0-9_]+(?::?-([^}]*))?\}", lambda m: m.group(1) or "", str(value))


# -- everything parses -------------------------------------------------------------------------------------------


def test_every_deployment_file_parses() -> None:
    files = [DEPLOY / "compose.yaml", *sorted(K8S.glob("*.yaml"))]
    assert len(files) >= 8
    for path in files:
        docs = _documents(path)
        assert docs, f"{path} is empty"
        if path.parent == K8S and path.name != "kustomization.yaml":
            assert all({"apiVersion", "kind", "metadata"} <= set(doc) for doc in docs), path
    listed = set(_documents(K8S / "kustomization.yaml")[0]["resources"])
    optional = {"kustomization.yaml", "keda-scaledobject.yaml", "podmonitor.yaml"}  # each needs its operator
    assert listed == {p.name for p in K8S.glob("*.yaml")} - optional


def test_docker_compose_accepts_the_file_where_it_is_installed() -> None:
    """The parse and consistency checks here run everywhere; Docker's own validation where `docker compose` exists
    (this project's test machine has the docker CLI without its compose plugin)."""
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        assert _compose()["services"], "no services"
        return
    result = subprocess.run([docker, "compose", "-f", str(DEPLOY / "compose.yaml"), "config", "--quiet"],
                            capture_output=True, text=True, cwd=DEPLOY)  # fmt: skip
    assert result.returncode == 0, result.stderr


# -- settings ----------------------------------------------------------------------------------------------------


def _compose_environments() -> dict[str, dict[str, str]]:
    return {name: {k: _interpolated(v) for k, v in (svc.get("environment") or {}).items()}
            for name, svc in _compose()["services"].items()}  # fmt: skip


def _k8s_environment() -> dict[str, str]:
    """Every COMICREEL_* variable the manifests set: ConfigMap and Secret data, containers' own env."""
    env: dict[str, str] = {}
    for doc in _manifests():
        if doc["kind"] in ("ConfigMap", "Secret"):
            env.update({k: str(v) for k, v in {**doc.get("data", {}), **doc.get("stringData", {})}.items()})
        for container in _containers(doc):
            env.update({e["name"]: str(e.get("value", "")) for e in container.get("env", [])})
    return env


def test_every_variable_the_files_set_is_a_real_setting() -> None:
    names = _setting_names()
    compose = {k for env in _compose_environments().values() for k in env if k.startswith("COMICREEL_")}
    k8s = {k for k in _k8s_environment() if k.startswith("COMICREEL_")}
    assert compose and k8s
    assert compose - names == set(), "compose sets unknown settings"
    assert k8s - names == set(), "the manifests set unknown settings"
    for doc in _manifests():  # ConfigMap and Secret hold settings only
        if doc["kind"] in ("ConfigMap", "Secret"):
            assert set({**doc.get("data", {}), **doc.get("stringData", {})}) <= names, doc["metadata"]["name"]


def test_their_values_are_valid_settings(monkeypatch) -> None:
    """The app and the workers start with these values (placeholders and pod addresses swapped for real ones)."""
    from studio.config import Settings

    environments = [*_compose_environments().values(), _k8s_environment()]
    for env in environments:
        values = {k: v.replace("$(POD_IP)", "10.0.0.5") for k, v in env.items() if k.startswith("COMICREEL_")}
        for key in [k for k in os.environ if k.startswith("COMICREEL_")]:
            monkeypatch.delenv(key)
        for key, value in values.items():
            monkeypatch.setenv(key, value)
        settings = Settings(_env_file=None)
        if "COMICREEL_EMBEDDED_WORKERS" in values:  # a production service: no jobs in the app, migrations apart
            assert settings.embedded_workers == 0 and settings.auto_migrate is False
        if "COMICREEL_STORAGE_BACKEND" in values:
            assert settings.storage_backend == "s3"


# -- one image, the documented commands --------------------------------------------------------------------------


def test_compose_services_run_one_image_with_the_documented_commands() -> None:
    documented = _documented_commands()
    services = _comicreel_services()
    assert {"app", "worker-cpu", "worker-gpu", "migrate"} <= set(services)
    assert len({svc["image"] for svc in services.values()}) == 1
    assert [name for name, svc in services.items() if "build" in svc] == ["app"]  # built once, used by all
    assert services["app"]["build"]["dockerfile"] == "deploy/Dockerfile"
    for name, svc in services.items():
        assert list(svc["command"]) in documented, f"{name} runs a command the README does not document"
    infrastructure = set(_compose()["services"]) - set(services)
    assert {"postgres", "redis", "minio"} <= infrastructure


def test_the_gpu_worker_reserves_an_nvidia_gpu_and_draws_panels() -> None:
    gpu = _compose()["services"]["worker-gpu"]
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]
    assert gpu["command"][gpu["command"].index("--queues") + 1] == "image_generation"
    cpu = _compose()["services"]["worker-cpu"]
    assert "image_generation" not in cpu["command"][cpu["command"].index("--queues") + 1]


def test_kubernetes_runs_the_same_image_and_documented_commands() -> None:
    documented = _documented_commands()
    kinds: dict[str, list[str]] = {}
    images = set()
    for doc in _manifests():
        kinds.setdefault(doc["kind"], []).append(doc["metadata"]["name"])
        for container in _containers(doc):
            images.add(container["image"])
            assert list(container["command"]) in documented, f"{doc['metadata']['name']} runs an undocumented command"
            refs = {next(iter(ref.values()))["name"] for ref in container.get("envFrom", [])}
            assert refs == {"comicreel-config", "comicreel-secrets"}, doc["metadata"]["name"]
    assert len(images) == 1
    assert {"comicreel-app", "comicreel-worker-cpu", "comicreel-worker-gpu"} <= set(kinds["Deployment"])
    assert kinds["Job"] == ["comicreel-migrate"] and kinds["HorizontalPodAutoscaler"] == ["comicreel-app"]
    assert "comicreel-app" in kinds["Service"] and kinds["ConfigMap"] and kinds["Secret"]
    for scaled in kinds["ScaledObject"]:
        assert scaled in kinds["Deployment"]  # KEDA and the HPA scale Deployments that exist


def test_the_cli_accepts_every_documented_command() -> None:
    from jobs.huey_app import queue_names
    from studio.cli import build_parser

    commands = [c for c in _documented_commands() if c[0] == "comicreel"]
    assert {c[1] for c in commands} == {"migrate", "serve", "worker"}
    taken: set[str] = set()
    for command in commands:
        args = build_parser().parse_args(command[1:])
        if command[1] == "worker":
            taken |= set(queue_names(args.queues))
            assert args.concurrency >= 1
    assert taken == set(queue_names(None)), "some queue has no worker"


def test_the_app_is_probed_on_healthz_and_readyz() -> None:
    app = next(d for d in _manifests() if d["kind"] == "Deployment" and d["metadata"]["name"] == "comicreel-app")
    (container,) = _containers(app)
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    port = next(p for p in container["ports"] if p["name"] == container["readinessProbe"]["httpGet"]["port"])
    assert str(port["containerPort"]) == _k8s_environment()["COMICREEL_PORT"]
    # The kubelet probes by pod address: /readyz is behind the Host allow-list, so the pod's IP is on it.
    assert "$(POD_IP)" in _k8s_environment()["COMICREEL_ALLOWED_HOSTS"]
    healthcheck = " ".join(_compose()["services"]["app"]["healthcheck"]["test"])
    assert "/readyz" in healthcheck


# -- migration ---------------------------------------------------------------------------------------------------


def test_migrations_run_once_with_the_documented_command_and_it_works(tmp_path) -> None:
    migrate = _documented_commands()[0]
    assert _comicreel_services()["migrate"]["command"] == migrate
    job = next(d for d in _manifests() if d["kind"] == "Job")
    assert _containers(job)[0]["command"] == migrate
    db = tmp_path / "migrated.db"
    env = {**os.environ, "COMICREEL_DATABASE_URL": f"sqlite:///{db}", "PYTHONPATH": str(REPO)}
    assert migrate == ["comicreel", "migrate"]
    subprocess.run([sys.executable, "-m", "studio.cli", "migrate"], check=True, cwd=tmp_path, env=env, timeout=120)
    from sqlalchemy import create_engine, inspect

    engine = create_engine(f"sqlite:///{db}")
    try:
        assert {"alembic_version", "projects", "tasks", "users"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


# -- the image ---------------------------------------------------------------------------------------------------


def test_the_image_has_the_tools_every_package_and_no_root() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.M)
    for package in ("ffmpeg", "espeak-ng", "fonts-noto-cjk"):
        assert re.search(rf"apt-get install[^\n]*\b{package}\b", text), package
    assert re.search(r'^RUN pip install "\.', text, re.M)
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1] not in ("root", "0")
    import tomllib

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = set(re.findall(r"^COPY (\S+) \./", text, re.M))
    assert packages <= copied, "pip install . in the image would miss a package"
    assert {f"{m}.py" for m in pyproject["tool"]["setuptools"]["py-modules"]} <= set(" ".join(
        re.findall(r"^COPY (.+) \./$", text, re.M)).split())  # fmt: skip
