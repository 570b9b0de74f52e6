"""The COMICREEL_DIFFUSERS_* settings: one for every field of the diffusers backend's config, named as its errors
name them, LoRAs per style as JSON, checked at start without touching the model (it loads on the first draw)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest
from pydantic import ValidationError

from pipeline.image.diffusion import DiffusionConfig, LoraSpec
from pipeline.image.diffusion.config import setting
from studio.config import Settings
from studio.services import build_consistency_check, build_image_backend
from tests.conftest import REPO


def test_every_config_field_is_a_setting_of_the_name_its_errors_use(monkeypatch) -> None:
    fields = [f.name for f in dataclasses.fields(DiffusionConfig)]
    assert {f"diffusers_{name}" for name in fields} == {n for n in Settings.model_fields if n.startswith("diffusers_")}
    values = {"model": "/models/sd", "device": "cuda:1", "dtype": "float16", "scheduler": "dpmpp_2m_karras",
              "negative_prompt": "blurry", "preview_steps": "4", "final_steps": "8", "preview_guidance": "0",
              "final_guidance": "1.5", "preview_size": "512", "final_size": "1024", "attention_slicing": "true",
              "vae_tiling": "true", "cpu_offload": "true", "batch_size": "6", "ip_adapter": "/ip/a.safetensors",
              "image_encoder": "/ip/encoder", "ip_adapter_scale": "0.3", "local_files_only": "false",
              "scene_reference_scale": "0.4",
              "loras": '{"anime": {"path": "/l/anime.safetensors", "scale": 0.5}, "noir": "/l/noir"}'}  # fmt: skip
    assert set(values) == set(fields)
    for name, value in values.items():
        monkeypatch.setenv(setting(name), value)
    config = Settings(_env_file=None).diffusion
    assert config == DiffusionConfig(
        model="/models/sd", device="cuda:1", dtype="float16", scheduler="dpmpp_2m_karras", negative_prompt="blurry",
        preview_steps=4, final_steps=8, preview_guidance=0.0, final_guidance=1.5, preview_size=512, final_size=1024,
        loras={"anime": LoraSpec("/l/anime.safetensors", 0.5), "noir": LoraSpec("/l/noir", 0.8)},
        attention_slicing=True, vae_tiling=True, cpu_offload=True, batch_size=6, ip_adapter="/ip/a.safetensors",
        image_encoder="/ip/encoder", ip_adapter_scale=0.3, local_files_only=False, scene_reference_scale=0.4,
    )  # fmt: skip


@pytest.mark.parametrize(("name", "value", "says"), [
    ("COMICREEL_DIFFUSERS_LORAS", '{"manga": "/l/x"}', "unknown style 'manga'"),
    ("COMICREEL_DIFFUSERS_SCHEDULER", "dpm++", "COMICREEL_DIFFUSERS_SCHEDULER=dpm++"),
    ("COMICREEL_DIFFUSERS_FINAL_STEPS", "0", "greater than or equal to 1"),
    ("COMICREEL_DIFFUSERS_DEVICE", "gpu", "diffusers_device"),
    ("COMICREEL_CONSISTENCY_THRESHOLD", "2", "less than or equal to 1.01"),
])  # fmt: skip
def test_bad_settings_are_refused_at_start(monkeypatch, name: str, value: str, says: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=says.replace("+", r"\+")):
        Settings(_env_file=None)


def test_the_backend_is_built_without_loading_anything(tmp_path) -> None:
    """Building the app's backends imports no torch or diffusers: a process that never draws (the web process in
    production) never loads them; empty settings are unset."""
    code = ("import sys; from studio.config import Settings; from studio.services import build_image_backend, "
            "build_consistency_check; s = Settings(_env_file=None, image_backend='diffusers', diffusers_model='/m', "
            "consistency_model='/c', diffusers_final_size=''); b = build_image_backend(s); "
            "c = build_consistency_check(s); assert b.name == 'diffusers' and c is not None, b; "
            "assert s.diffusion.final_size is None; "
            "print(sorted(m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    sketch = Settings(_env_file=None, data_dir=tmp_path)
    assert build_image_backend(sketch).name == "sketch" and build_consistency_check(sketch) is None


@pytest.mark.parametrize(("backend", "queues", "draws"), [
    ("diffusers", "tts,video_render,nlp", False),  # a CPU render worker beside GPU image workers
    ("diffusers", "video_render", False),
    ("diffusers", "image_generation", True),  # a GPU worker
    ("diffusers", " nlp , image_generation ", True),  # as an operator may write it
    ("diffusers", None, True),  # the embedded default: every queue
    ("sketch", "tts,video_render,nlp", True),  # the sketch renderer loads no model: any worker may draw
])  # fmt: skip
def test_only_workers_of_the_image_queue_draw_panels(tmp_path, backend: str, queues: str | None, draws: bool) -> None:
    from studio.services import build_services

    # a `comicreel worker` (no embedded workers) given its queues, else the embedded app's defaults
    fields = {} if queues is None else {"worker_queues": queues, "embedded_workers": 0}
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", image_backend=backend, diffusers_model="/models/sd",
                        **fields)  # fmt: skip
    svc = build_services(settings, immediate=True)
    try:
        assert svc.ctx.draws_panels is draws
    finally:
        svc.stop()


def test_an_embedded_app_draws_panels_whatever_its_worker_queues(tmp_path) -> None:
    """An embedded app consumes every queue itself, so COMICREEL_WORKER_QUEUES (meant for `comicreel worker`) does
    not stop it drawing the panels its renders need."""
    from studio.services import build_services

    settings = Settings(_env_file=None, data_dir=tmp_path / "data", image_backend="diffusers",
                        diffusers_model="/models/sd", worker_queues="tts,video_render,nlp", embedded_workers=2)  # fmt: skip
    svc = build_services(settings, immediate=True)
    try:
        assert svc.ctx.draws_panels is True
    finally:
        svc.stop()
