"""Loading a diffusers text-to-image pipeline from a DiffusionConfig (a directory, a single checkpoint file or a cached
model id; SD 1.5 or SDXL), setting it up (device, precision, scheduler, memory savers), switching LoRAs per comic
style, and sizing panels for the model. torch and diffusers are imported inside the functions."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import DrawError
from pipeline.image.diffusion.config import SCHEDULERS, DiffusionConfig, LoraSpec, is_model_id, setting

INSTALL_HINT = "install the GPU extra: pip install -e '.[gpu]' (install CUDA or CPU torch first)"
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".ckpt", ".pt")


def require_diffusers() -> None:
    """Raise DrawError saying how to install diffusers when it (or torch, transformers) cannot be imported."""
    try:
        import diffusers  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        raise DrawError(f"The diffusers image backend is not installed: {INSTALL_HINT}.", detail=str(exc)) from exc


@dataclass
class LoadedPipeline:
    """A pipeline ready to draw, with what a panel's parameters record about it. `lora_style` is mutable state: the
    style whose LoRA is active (None: none)."""

    pipe: Any
    xl: bool
    device: str  # where the generators live: the pipeline's execution device
    dtype: str
    model: str
    model_hash: str | None
    revision: str | None
    native_size: int  # the model's native short side in pixels
    size_multiple: int  # generated sizes are multiples of this (8 latent pixels)
    lora_style: str | None = None
    loaded_loras: set[str] = field(default_factory=set)

    @property
    def tokenizer(self) -> Any:
        return self.pipe.tokenizer


def resolve_device(config: DiffusionConfig) -> str:
    """`auto`: cuda when torch sees a GPU, else cpu."""
    import torch

    if config.device != "auto":
        if config.device.startswith("cuda") and not torch.cuda.is_available():
            raise DrawError(f"{setting('device')}={config.device}: torch sees no CUDA GPU; set it to cpu or auto, or "
                            "install a CUDA build of torch.")  # fmt: skip
        return config.device
    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_dtype(config: DiffusionConfig, device: str) -> Any:
    """`auto`: float16 on CUDA, float32 elsewhere (half precision on a CPU is slow and lossy)."""
    import torch

    if config.dtype == "auto":
        return torch.float16 if device.startswith("cuda") else torch.float32
    return getattr(torch, config.dtype)


def load_pipeline(config: DiffusionConfig) -> LoadedPipeline:
    """Load the configured model and set it up to draw.

    Raises:
        DrawError: diffusers missing, the model not found (naming COMICREEL_DIFFUSERS_MODEL), or not loadable.
    """
    require_diffusers()
    config.check()
    device = resolve_device(config)
    dtype = resolve_dtype(config, device)
    # 1. Find the model: a directory, a single checkpoint file, or a model id in the local Hugging Face cache.
    source, revision = _locate(config)
    # 2. Load it.
    try:
        if os.path.isfile(source):
            pipe = _load_single_file(source, config, dtype)
        else:
            pipe = _load_directory(source, config, dtype)
    except DrawError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError, TypeError) as exc:
        raise DrawError(f"{setting('model')}={config.model}: the model could not be loaded as a Stable Diffusion "
                        "(1.5 or XL) pipeline; check that it is a diffusers model directory or a single "
                        ".safetensors checkpoint.", detail=repr(exc)) from exc  # fmt: skip
    # 3. Put it on its device with the memory savers asked for.
    return prepare_pipeline(pipe, config, device=device, model_hash=model_fingerprint(source), revision=revision)


def prepare_pipeline(pipe: Any, config: DiffusionConfig, *, device: str | None = None, model_hash: str | None = None,
                     revision: str | None = None) -> LoadedPipeline:  # fmt: skip
    """Set up a loaded (or given: the tests' and the bench's hook) pipeline: scheduler, safety checker off, progress
    bars off, attention slicing, VAE tiling, CPU offload or its device."""
    from diffusers import StableDiffusionXLPipeline

    if config.scheduler is not None:
        set_scheduler(pipe, config.scheduler)
    if getattr(pipe, "safety_checker", None) is not None:
        pipe.safety_checker = None
    pipe.set_progress_bar_config(disable=True)
    if config.attention_slicing:
        pipe.enable_attention_slicing()
    if config.vae_tiling:
        pipe.vae.enable_tiling()
    if device is not None:
        if config.cpu_offload:
            if not device.startswith("cuda"):
                raise DrawError(f"{setting('cpu_offload')}=true needs a CUDA device ({setting('device')} is "
                                f"{config.device}): turn it off or use a GPU.")  # fmt: skip
            pipe.enable_model_cpu_offload(device=device)
        else:
            pipe.to(device)
    vae_scale = int(getattr(pipe, "vae_scale_factor", 8))
    native = int(pipe.unet.config.sample_size) * vae_scale
    return LoadedPipeline(
        pipe=pipe, xl=isinstance(pipe, StableDiffusionXLPipeline), device=str(pipe._execution_device),
        dtype=str(pipe.unet.dtype).removeprefix("torch."), model=config.model, model_hash=model_hash,
        revision=revision, native_size=native, size_multiple=8 * vae_scale,
    )  # fmt: skip


def set_scheduler(pipe: Any, name: str) -> None:
    """Swap the pipeline's scheduler for a SCHEDULERS one, built from the model's own scheduler config."""
    import diffusers

    if name not in SCHEDULERS:
        raise DrawError(f"{setting('scheduler')}={name}: unknown scheduler; use one of {', '.join(SCHEDULERS)}.")
    class_name, overrides = SCHEDULERS[name]
    pipe.scheduler = getattr(diffusers, class_name).from_config(pipe.scheduler.config, **overrides)


def panel_size(width: int, height: int, short_side: int, multiple: int) -> tuple[int, int]:
    """The size to generate a `width`×`height` panel at: the same aspect, the short side `short_side`, both sides
    rounded to a multiple of `multiple` (at least one multiple)."""
    scale = short_side / min(width, height)
    return (max(multiple, round(width * scale / multiple) * multiple),
            max(multiple, round(height * scale / multiple) * multiple))  # fmt: skip


def model_fingerprint(path: str) -> str | None:
    """A cheap identity of a local model: sha256 over each weight file's relative path, size, and first and last
    MiB (not the whole file: a checkpoint is gigabytes). None for a path that is not on disk."""
    root = Path(path)
    if not root.exists():
        return None
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file() and
                                                 (p.suffix in _WEIGHT_SUFFIXES or p.name.endswith(".json")))  # fmt: skip
    digest = hashlib.sha256()
    for file in files:
        size = file.stat().st_size
        digest.update(f"{file.relative_to(root) if root.is_dir() else file.name}|{size}|".encode())
        with open(file, "rb") as handle:
            digest.update(handle.read(1 << 20))
            if size > 2 << 20:
                handle.seek(-(1 << 20), os.SEEK_END)
                digest.update(handle.read(1 << 20))
    return digest.hexdigest()


def switch_lora(loaded: LoadedPipeline, style: str, loras: dict[str, LoraSpec]) -> LoraSpec | None:
    """Make the style's LoRA (if any) the only active one; returns it. LoRAs stay loaded, unfused, one adapter per
    style: switching is `set_adapters`, and a style without one disables them, so the base weights are never
    rewritten (fusing and unfusing would not give back bit-identical weights, and panels must reproduce)."""
    spec = loras.get(style)
    if spec is None:
        if loaded.lora_style is not None:
            loaded.pipe.disable_lora()
            loaded.lora_style = None
        return None
    if style not in loaded.loaded_loras:
        path = Path(spec.path)
        try:
            if path.is_dir():
                loaded.pipe.load_lora_weights(str(path), adapter_name=style)
            else:
                loaded.pipe.load_lora_weights(str(path.parent), weight_name=path.name, adapter_name=style)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise DrawError(f"{setting('loras')}: the {style} LoRA could not be loaded into this model (a LoRA for "
                            "another base model?); fix or remove it.", detail=f"{spec.path}: {exc!r}") from exc
        loaded.loaded_loras.add(style)
    if loaded.lora_style is None:
        loaded.pipe.enable_lora()
    loaded.pipe.set_adapters([style], adapter_weights=[spec.scale])
    loaded.lora_style = style
    return spec


def _locate(config: DiffusionConfig) -> tuple[str, str | None]:
    """The local path to load and the hub revision (a cached model id's snapshot), or DrawError."""
    if os.path.exists(config.model):
        return config.model, None
    missing = DrawError(f"{setting('model')}={config.model}: no such directory or cached model; set it to a local "
                        "diffusers model directory (SD 1.5 or SDXL layout), a single .safetensors checkpoint, or a "
                        "model id already in the Hugging Face cache.")  # fmt: skip
    if not is_model_id(config.model):
        raise missing
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        snapshot = snapshot_download(config.model, local_files_only=True)
    except (LocalEntryNotFoundError, OSError, ValueError) as exc:
        if config.local_files_only:
            raise missing from exc
        return config.model, None  # the operator allowed downloads: from_pretrained fetches it
    return snapshot, Path(snapshot).name


def _dtype_kwarg(dtype: Any) -> dict[str, Any]:
    """diffusers renamed `torch_dtype` to `dtype` (0.36+); pass whichever this version reads."""
    try:
        from diffusers.utils.deprecation_utils import _resolve_dtype  # noqa: F401  (present where `dtype` is read)
    except ImportError:
        return {"torch_dtype": dtype}
    return {"dtype": dtype}


def _load_directory(source: str, config: DiffusionConfig, dtype: Any) -> Any:
    import torch
    from diffusers import AutoPipelineForText2Image

    kwargs: dict[str, Any] = {**_dtype_kwarg(dtype), "local_files_only": config.local_files_only}
    index = Path(source, "model_index.json")
    if index.is_file():
        if "safety_checker" in json.loads(index.read_text()):
            kwargs.update(safety_checker=None, requires_safety_checker=False)
        fp16 = list(Path(source).rglob("*.fp16.safetensors"))
        full = [p for p in Path(source).rglob("*.safetensors") if ".fp16." not in p.name]
        if fp16 and (dtype == torch.float16 or not full):
            kwargs["variant"] = "fp16"
    elif os.path.isdir(source):
        raise DrawError(f"{setting('model')}={config.model}: the directory has no model_index.json; set it to a "
                        "diffusers model directory (save_pretrained layout) or a single .safetensors file.")
    return AutoPipelineForText2Image.from_pretrained(source, **kwargs)


def _load_single_file(source: str, config: DiffusionConfig, dtype: Any) -> Any:
    from diffusers import StableDiffusionPipeline, StableDiffusionXLPipeline

    xl = _single_file_is_xl(source)
    cls = StableDiffusionXLPipeline if xl else StableDiffusionPipeline
    kwargs: dict[str, Any] = {**_dtype_kwarg(dtype), "local_files_only": config.local_files_only}
    if not xl:
        kwargs.update(safety_checker=None, requires_safety_checker=False)
    try:
        return cls.from_single_file(source, **kwargs)
    except (OSError, ValueError) as exc:
        raise DrawError(f"{setting('model')}={config.model}: a single checkpoint file needs its base model's "
                        "configs, which are not in the local Hugging Face cache; convert it to a diffusers "
                        "directory, or allow a one-time download with "
                        f"{setting('local_files_only')}=false.", detail=repr(exc)) from exc  # fmt: skip


def _single_file_is_xl(path: str) -> bool:
    """SDXL checkpoints carry a second text encoder (`conditioner.embedders.1`)."""
    if path.endswith(".safetensors"):
        from safetensors import safe_open

        with safe_open(path, framework="pt") as handle:
            return any(k.startswith("conditioner.embedders.1") for k in handle.keys())  # noqa: SIM118
    return "xl" in Path(path).name.lower()
