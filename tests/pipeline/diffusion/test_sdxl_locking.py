"""Both ways of keeping characters alike on SDXL, through the real backend on the tiny SDXL pipeline: IP-Adapter
weights shaped for the SDXL UNet (with a CLIP vision encoder beside them whose projection fits them), loaded by
diffusers' own loader; and consistent self-attention on the SDXL UNet's decoder. Each writes its panels, records
its lock, changes the picture, and reproduces the same bytes from a fresh backend."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.digests import file_digest
from pipeline.image.diffusion import DiffusersImageBackend, DiffusionConfig
from tests.pipeline.diffusion.conftest import TinyModels, pixels, request, shot


@pytest.fixture(scope="module")
def sdxl_ip_adapter(tiny: TinyModels, tmp_path_factory: pytest.TempPathFactory) -> str:
    """IP-Adapter weights for the tiny SDXL UNet (cross-attention 64 wide), image_encoder/ beside them."""
    from diffusers import UNet2DConditionModel

    from pipeline.image.diffusion import random_models

    root = tmp_path_factory.mktemp("sdxl_ip")
    encoder, processor = random_models.vision_encoder(seed=8)
    encoder.save_pretrained(root / "image_encoder")
    processor.save_pretrained(root / "image_encoder")
    unet = UNet2DConditionModel.from_pretrained(tiny.sdxl, subfolder="unet")
    state = random_models.ip_adapter_state(unet, encoder.config.projection_dim, seed=9)
    weights = root / "ip-adapter_tiny_sdxl.safetensors"
    random_models.save_ip_adapter(state, weights)
    return str(weights)


def config(tiny: TinyModels, ip_adapter: str) -> DiffusionConfig:
    return DiffusionConfig(model=tiny.sdxl, preview_steps=2, final_steps=2, ip_adapter=ip_adapter, batch_size=2)


def digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_sdxl_locks_by_reference_and_reproduces(tiny, sdxl_ip_adapter, tmp_path) -> None:
    backend = DiffusersImageBackend(config(tiny, sdxl_ip_adapter))
    refs = {"Mia": tiny.reference}
    plain = backend.draw(request(3), str(tmp_path / "plain.png"))
    locked = backend.draw(request(3, lock="reference", references=refs), str(tmp_path / "locked.png"))
    with Image.open(locked.path) as image:
        assert image.size == (64, 64) and image.format == "PNG"
    params = locked.params
    assert params["pipeline"] == "StableDiffusionXLPipeline"
    assert params["lock"] == "reference" and params["lock_method"] == "ip_adapter"
    assert params["ip_adapter"] == sdxl_ip_adapter and params["reference_character"] == "Mia"
    assert params["references"] == {"Mia": file_digest(tiny.reference)}
    assert np.abs(pixels(locked.path) - pixels(plain.path)).mean() > 1  # the adapter reached the SDXL UNet
    fresh = DiffusersImageBackend(config(tiny, sdxl_ip_adapter))
    again = fresh.draw(request(3, lock="reference", references=refs), str(tmp_path / "again.png"))
    assert digest(again.path) == digest(locked.path) and again.params == params
    after = backend.draw(request(3), str(tmp_path / "after.png"))  # detached: no trace on an unlocked panel
    assert digest(after.path) == digest(plain.path)


def test_sdxl_locks_by_consistent_attention_and_reproduces(tiny, sdxl_ip_adapter, tmp_path) -> None:
    backend = DiffusersImageBackend(config(tiny, sdxl_ip_adapter))
    requests = [request(30 + i, shot=shot(i + 1), lock="consistent") for i in range(2)]
    paths = [str(tmp_path / f"c{i}.png") for i in range(2)]
    shared = list(backend.draw_many(requests, paths))
    assert [p.path for p in shared] == paths and all(Path(p).is_file() for p in paths)
    unlocked = list(backend.draw_many([request(30 + i, shot=shot(i + 1)) for i in range(2)],
                                      [str(tmp_path / f"n{i}.png") for i in range(2)]))  # fmt: skip
    for a, b in zip(shared, unlocked, strict=True):
        assert np.abs(pixels(a.path) - pixels(b.path)).mean() > 1  # the batch shared its self-attention
    for panel in shared:
        params = panel.params
        assert params["pipeline"] == "StableDiffusionXLPipeline"
        assert params["lock"] == "consistent" and params["lock_method"] == "consistent_self_attention"
        assert params["consistent_attention"]["shared_by"] == "Mia"
        assert [c["seed"] for c in params["batch"]] == [30, 31]
    again = list(DiffusersImageBackend(config(tiny, sdxl_ip_adapter)).draw_many(requests, [p + ".again.png"
                                                                                          for p in paths]))  # fmt: skip
    assert [digest(p.path) for p in again] == [digest(p.path) for p in shared]
