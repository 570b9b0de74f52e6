"""What the diffusers image backend is told: the model, its device and precision, the preview and final presets,
LoRAs per comic style and the IP-Adapter for reference locking (of characters, and of scenes). Plain values, checked by `check()`; the studio
fills them from `COMICREEL_DIFFUSERS_<FIELD>` settings, so every error names the setting to change."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import DrawError
from pipeline.models import STYLES

ENV_PREFIX = "COMICREEL_DIFFUSERS_"

# Scheduler names an operator may choose → (diffusers class, keyword overrides of the model's scheduler config).
SCHEDULERS: dict[str, tuple[str, dict[str, Any]]] = {
    "euler": ("EulerDiscreteScheduler", {}),
    "euler_a": ("EulerAncestralDiscreteScheduler", {}),
    "dpmpp_2m": ("DPMSolverMultistepScheduler", {}),
    "dpmpp_2m_karras": ("DPMSolverMultistepScheduler", {"use_karras_sigmas": True}),
    "ddim": ("DDIMScheduler", {}),
    "pndm": ("PNDMScheduler", {}),
    "unipc": ("UniPCMultistepScheduler", {}),
    "heun": ("HeunDiscreteScheduler", {}),
    "lms": ("LMSDiscreteScheduler", {}),
    "lcm": ("LCMScheduler", {}),
}
DTYPES: tuple[str, ...] = ("auto", "float16", "bfloat16", "float32")
DEFAULT_NEGATIVE_PROMPT = (
    "lowres, worst quality, low quality, blurry, jpeg artifacts, bad anatomy, bad hands, extra fingers, "
    "missing fingers, deformed, disfigured, cropped, text, letters, speech bubble, caption, watermark, signature, "
    "logo, username"
)
_DEVICE = re.compile(r"^(auto|cpu|cuda(:\d+)?|mps)$")
_MODEL_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")  # a hub id: owner/name


def setting(name: str) -> str:
    """The environment name of a config field: `setting("model")` → "COMICREEL_DIFFUSERS_MODEL"."""
    return ENV_PREFIX + name.upper()


def is_model_id(model: str) -> bool:
    """Whether `model` reads as a hub id (owner/name) rather than a local path."""
    return bool(_MODEL_ID.match(model)) and not os.path.exists(model)


@dataclass(frozen=True)
class LoraSpec:
    """A LoRA file (or a directory holding one `*.safetensors`) applied at `scale` while its style is drawn."""

    path: str
    scale: float = 0.8


@dataclass(frozen=True)
class DiffusionConfig:
    """Everything the diffusers backend needs; see `check()` for what each value may be.

    `ip_adapter` is an IP-Adapter weights file (`ip-adapter_sd15.safetensors`, `.bin`), or a directory holding exactly
    one such file. Its CLIP vision encoder is `image_encoder` when set, else an `image_encoder/` directory beside
    the weights file or one level up (the layout of h94/IP-Adapter: `models/ip-adapter_sd15.safetensors` with
    `models/image_encoder/`).
    """

    model: str  # a local directory (diffusers layout), a single .safetensors/.ckpt file, or a hub model id
    device: str = "auto"  # auto | cpu | cuda | cuda:N | mps
    dtype: str = "auto"  # auto: float16 on CUDA, float32 elsewhere
    scheduler: str | None = None  # None: the model's own; else a SCHEDULERS name
    negative_prompt: str = DEFAULT_NEGATIVE_PROMPT
    preview_steps: int = 15
    final_steps: int = 30
    preview_guidance: float = 5.0
    final_guidance: float = 7.0
    preview_size: int | None = None  # the short side of preview panels (None: the model's native size)
    final_size: int | None = None
    loras: dict[str, LoraSpec] = field(default_factory=dict)  # by comic style (pipeline.models.STYLES)
    attention_slicing: bool = False
    vae_tiling: bool = False
    cpu_offload: bool = False
    batch_size: int = 4
    ip_adapter: str | None = None
    image_encoder: str | None = None
    ip_adapter_scale: float = 0.6
    scene_reference_scale: float = 0.3  # how strongly a scene's establishing panel steers its other shots
    local_files_only: bool = True

    def check(self) -> None:
        """Raise DrawError naming the first bad value and the setting to change. Touches only the local disk."""
        if not self.model.strip():
            raise DrawError(f"{setting('model')} is empty: set it to a local diffusers model directory, a single "
                            ".safetensors checkpoint, or a model id already in the Hugging Face cache.")  # fmt: skip
        if not os.path.exists(self.model) and not _MODEL_ID.match(self.model):
            raise DrawError(f"{setting('model')}={self.model}: no such directory or cached model; set it to a local "
                            "diffusers model directory, a single .safetensors checkpoint, or a model id "
                            "(owner/name) already in the Hugging Face cache.")  # fmt: skip
        if not _DEVICE.match(self.device):
            raise DrawError(f"{setting('device')}={self.device}: use auto, cpu, cuda, cuda:N or mps.")
        if self.dtype not in DTYPES:
            raise DrawError(f"{setting('dtype')}={self.dtype}: use one of {', '.join(DTYPES)}.")
        if self.scheduler is not None and self.scheduler not in SCHEDULERS:
            raise DrawError(f"{setting('scheduler')}={self.scheduler}: unknown scheduler; use one of "
                            f"{', '.join(SCHEDULERS)} (or leave it unset for the model's own).")  # fmt: skip
        for name in ("preview_steps", "final_steps", "batch_size"):
            if getattr(self, name) < 1:
                raise DrawError(f"{setting(name)}={getattr(self, name)}: use a whole number of 1 or more.")
        for name in ("preview_guidance", "final_guidance"):
            if not 0 <= getattr(self, name) <= 30:
                raise DrawError(f"{setting(name)}={getattr(self, name)}: use a guidance scale from 0 to 30 "
                                "(0 or 1 turns classifier-free guidance off, as Turbo models want).")  # fmt: skip
        for name in ("preview_size", "final_size"):
            size = getattr(self, name)
            if size is not None and not 64 <= size <= 4096:
                raise DrawError(f"{setting(name)}={size}: use a short side from 64 to 4096 pixels, or leave it "
                                "unset for the model's native size.")  # fmt: skip
        if not 0 <= self.ip_adapter_scale <= 2:
            raise DrawError(f"{setting('ip_adapter_scale')}={self.ip_adapter_scale}: use a scale from 0 to 2.")
        if not 0 <= self.scene_reference_scale <= 2:
            raise DrawError(f"{setting('scene_reference_scale')}={self.scene_reference_scale}: use a scale from 0 to 2 "
                            "(0: a scene's reference picture does not steer its shots).")  # fmt: skip
        for style, lora in self.loras.items():
            if style not in STYLES:
                raise DrawError(f"{setting('loras')}: unknown style {style!r}; use one of {', '.join(STYLES)}.")
            if not os.path.exists(lora.path):
                raise DrawError(f"{setting('loras')}: the {style} LoRA file does not exist; set a local "
                                ".safetensors file or directory.", detail=lora.path)  # fmt: skip
        for name in ("ip_adapter", "image_encoder"):
            path = getattr(self, name)
            if path is not None and not os.path.exists(path):
                raise DrawError(f"{setting(name)}={path}: no such file or directory; set it to a local path.")
