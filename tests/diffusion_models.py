"""Tiny random diffusion models on disk for the tests that run the app with COMICREEL_IMAGE_BACKEND=diffusers: a
Stable Diffusion 1.5-shaped pipeline (native 64 px), IP-Adapter-shaped weights with their CLIP vision encoder beside
them (which also serves as the consistency model). Built once per test process from configs with fixed seeds."""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import unavailable


@dataclass(frozen=True)
class TinyDiffusion:
    model: str  # a diffusers directory
    ip_adapter: str  # IP-Adapter weights with image_encoder/ beside them
    image_encoder: str  # a CLIPVisionModelWithProjection directory (with its preprocessor config)


def require_gpu_extra() -> None:
    for module in ("torch", "diffusers", "transformers", "peft", "accelerate"):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            unavailable("the gpu extra (pip install -e '.[gpu]')", exc)


@contextlib.contextmanager
def one_torch_thread() -> Iterator[None]:
    """Tiny models run faster on one thread (nothing to split, and the 2 cores are shared)."""
    try:
        import torch
    except ImportError:
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@functools.cache
def tiny_diffusion() -> TinyDiffusion:
    """The tiny models (skips, or fails with CI=true, without the gpu extra)."""
    require_gpu_extra()
    from pipeline.image.diffusion import random_models

    root = Path(tempfile.mkdtemp(prefix="comicreel-tiny-diffusion-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    sd = random_models.sd_pipeline(seed=0)
    sd.save_pretrained(root / "sd")
    encoder, processor = random_models.vision_encoder(seed=2)
    encoder.save_pretrained(root / "ip" / "image_encoder")
    processor.save_pretrained(root / "ip" / "image_encoder")
    weights = root / "ip" / "ip-adapter_tiny.safetensors"
    random_models.save_ip_adapter(random_models.ip_adapter_state(sd.unet, encoder.config.projection_dim, seed=3),
                                  weights)  # fmt: skip
    return TinyDiffusion(str(root / "sd"), str(weights), str(root / "ip" / "image_encoder"))


def diffusion_settings(models: TinyDiffusion, **overrides: Any) -> dict[str, Any]:
    """Settings that draw every panel with the tiny model: 2 steps, batches of 2, on the CPU, no consistency model
    unless `overrides` name one."""
    return {"image_backend": "diffusers", "diffusers_model": models.model, "diffusers_device": "cpu",
            "diffusers_final_steps": 2, "diffusers_preview_steps": 1, "diffusers_batch_size": 2,
            "diffusers_ip_adapter": models.ip_adapter, **overrides}  # fmt: skip
