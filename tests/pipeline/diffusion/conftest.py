"""Tiny random SD 1.5- and SDXL-shaped pipelines saved to disk (so the backend loads them as it loads a real model),
a tiny CLIP vision encoder, IP-Adapter-shaped weights and a LoRA, built once per session from configs with fixed
seeds. Without diffusers the tests that need it skip (CI=true: they fail)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from pipeline.image.base import PanelRequest
from pipeline.models import Character, StoryboardShot
from tests.diffusion_models import one_torch_thread, require_gpu_extra

CAST = {
    "Mia": Character("Mia", {"gender": "female", "age": "16"}, {"hair": "short black hair", "clothing": "red coat"}),
    "Joe": Character("Joe", {"gender": "male"}, {"clothing": "plaid shirt", "features": ["glasses"]}),
}


@dataclass(frozen=True)
class TinyModels:
    sd: str  # diffusers directory of a tiny SD 1.5-shaped pipeline (native 64 px)
    sdxl: str  # the same for SDXL
    ip_adapter: str  # IP-Adapter weights for the SD UNet, with image_encoder/ beside them
    image_encoder: str
    lora: str  # a LoRA file for the SD UNet
    lora_2: str
    reference: str  # a reference picture (PNG)
    reference_2: str


@pytest.fixture(scope="module", autouse=True)
def _one_thread() -> Iterator[None]:
    with one_torch_thread():
        yield


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> TinyModels:
    require_gpu_extra()
    import numpy as np
    from PIL import Image

    from pipeline.image.diffusion import random_models

    root = tmp_path_factory.mktemp("diffusion")
    sd = random_models.sd_pipeline(seed=0)
    sd.save_pretrained(root / "sd")
    random_models.sd_pipeline(xl=True, seed=1).save_pretrained(root / "sdxl")
    encoder, processor = random_models.vision_encoder(seed=2)
    encoder.save_pretrained(root / "ip" / "image_encoder")
    processor.save_pretrained(root / "ip" / "image_encoder")
    weights = root / "ip" / "ip-adapter_tiny.safetensors"
    random_models.save_ip_adapter(random_models.ip_adapter_state(sd.unet, encoder.config.projection_dim, seed=3),
                                  weights)  # fmt: skip
    lora = random_models.save_lora(sd, root / "lora", seed=4)
    lora_2 = random_models.save_lora(sd, root / "lora_2", seed=5)
    rng = np.random.default_rng(6)
    pictures = []
    for i in range(2):
        path = root / f"reference_{i}.png"
        Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(path)
        pictures.append(str(path))
    return TinyModels(str(root / "sd"), str(root / "sdxl"), str(weights), str(root / "ip" / "image_encoder"),
                      str(lora), str(lora_2), *pictures)  # fmt: skip


def shot(order: int = 1, characters: tuple[str, ...] = ("Mia",), *, speaker: str | None = "Mia",
         camera: str = "medium", kind: str = "dialogue", text: str = "Hello there.") -> StoryboardShot:  # fmt: skip
    return StoryboardShot(order=order, scene_id=1, kind=kind, camera=camera, scene_description="",  # type: ignore[arg-type]
                          location="school classroom", time="night", interior=True, characters=characters,
                          text=text, duration=2.0, transition="cut", speaker=speaker, emotion="happy")  # fmt: skip


def request(seed: int = 1, *, width: int = 64, height: int = 64, style: str = "anime", **fields) -> PanelRequest:
    """A panel request; `fields` go to PanelRequest (lock, references, quality) or, for shot=…, replace the shot."""
    the_shot = fields.pop("shot", None) or shot()
    return PanelRequest(shot=the_shot, characters=CAST, width=width, height=height, style=style, seed=seed, **fields)


def pixels(path: str) -> Any:
    import numpy as np
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB")).astype(int)
