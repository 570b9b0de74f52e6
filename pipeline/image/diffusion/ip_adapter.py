"""Reference locking through IP-Adapter: the weights (loaded into the pipeline with diffusers' own
`load_ip_adapter`), the CLIP vision encoder that turns a character's reference picture into the image embedding
the adapter reads, and attaching or detaching the adapter as batches need it.

One character reference per shot: the speaker's, else the first framed character's that has one (averaging two
faces' embeddings would draw a blend of both); and optionally the scene's reference picture, through a second copy
of the same adapter with its own scale. Detaching restores the UNet's plain processors, so a panel drawn without a
reference is the same whether or not the adapter was used before it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import DrawError
from pipeline.image.base import PanelRequest
from pipeline.image.diffusion.config import DiffusionConfig, setting
from pipeline.image.diffusion.consistency import image_processor

_WEIGHTS = (".safetensors", ".bin")


def reference_for(request: PanelRequest) -> tuple[str, str] | None:
    """The (character, picture path) conditioning the shot: the speaker's reference, else the first framed
    character's that has one; None when no framed character has one."""
    shot = request.shot
    order = ([shot.speaker] if shot.speaker in shot.characters else []) + list(shot.characters)
    for name in order:
        if name and request.references.get(name):
            path = request.references[name]
            if not Path(path).is_file():
                raise DrawError(f"The reference picture of {name} is missing; draw or upload the character's "
                                "sheet again.", detail=path)  # fmt: skip
            return name, path
    return None


def weights_location(path: str) -> tuple[str, str]:
    """(directory, weight file name) of an IP-Adapter setting: the file itself, or the one weights file in a
    directory."""
    target = Path(path)
    if target.is_file():
        return str(target.parent), target.name
    found = sorted(p.name for p in target.glob("*") if p.suffix in _WEIGHTS) if target.is_dir() else []
    if len(found) != 1:
        raise DrawError(f"{setting('ip_adapter')}={path}: expected an IP-Adapter weights file (.safetensors or .bin) "
                        f"or a directory with exactly one; found {len(found)}.")  # fmt: skip
    return str(target), found[0]


def encoder_location(config: DiffusionConfig, weights_dir: str) -> str:
    """The CLIP vision encoder directory: the setting, else `image_encoder/` beside the weights or one level up."""
    if config.image_encoder:
        return config.image_encoder
    for candidate in (Path(weights_dir, "image_encoder"), Path(weights_dir).parent / "image_encoder"):
        if Path(candidate, "config.json").is_file():
            return str(candidate)
    raise DrawError(f"{setting('ip_adapter')} is set but its CLIP vision encoder was not found beside it; set "
                    f"{setting('image_encoder')} to the encoder's directory (config.json and weights).")


@dataclass
class ReferenceAdapter:
    """IP-Adapter weights (a path, or a state dict {"image_proj": …, "ip_adapter": …} for the bench) with their
    image encoder and processor, attached to a pipeline only while a batch uses it."""

    weights: str | dict[str, Any]
    encoder: Any  # transformers CLIPVisionModelWithProjection, on the pipeline's device and dtype
    processor: Any
    label: str  # what a panel records as its adapter (the weights path)
    attached_to: dict[int, int] = field(default_factory=dict)  # id() of the pipelines it is in → times loaded

    @classmethod
    def load(cls, config: DiffusionConfig, device: str, dtype: Any) -> ReferenceAdapter:
        """From the IP_ADAPTER / IMAGE_ENCODER settings; raises DrawError naming the setting when unset or wrong."""
        if not config.ip_adapter:
            raise DrawError(f"Character locking by reference needs IP-Adapter weights: set {setting('ip_adapter')} to "
                            "an ip-adapter .safetensors file (e.g. ip-adapter_sd15.safetensors), or lock by "
                            "consistent attention instead.")  # fmt: skip
        directory, name = weights_location(config.ip_adapter)
        encoder_dir = encoder_location(config, directory)
        from transformers import CLIPVisionModelWithProjection

        encoder: Any
        try:
            encoder = CLIPVisionModelWithProjection.from_pretrained(encoder_dir, dtype=dtype)
        except (OSError, ValueError) as exc:
            raise DrawError(f"{setting('image_encoder')}: no CLIP vision encoder could be loaded; set it to a "
                            "CLIPVisionModelWithProjection directory.", detail=f"{encoder_dir}: {exc!r}") from exc
        encoder = encoder.to(device).eval()
        return cls(str(Path(directory, name)), encoder, image_processor(encoder_dir, encoder.config.image_size),
                   label=config.ip_adapter)  # fmt: skip

    def embed(self, paths: list[str]) -> Any:
        """The image embeddings (n, d) of the pictures, on the encoder's device and dtype."""
        import torch
        from PIL import Image

        images = []
        for path in paths:
            with Image.open(path) as image:
                images.append(image.convert("RGB"))
        param = next(self.encoder.parameters())
        pixels = self.processor(images=images, return_tensors="pt")["pixel_values"].to(param.device, param.dtype)
        with torch.no_grad():
            return self.encoder(pixel_values=pixels).image_embeds

    def attach(self, pipe: Any, scales: list[float], attention_slicing: bool) -> None:
        """Load the adapter into the pipeline's UNet (diffusers' `load_ip_adapter`) once per scale, unless it is
        there that many times already: one for the character reference; two (the same weights loaded twice,
        diffusers' multi-adapter support, one image per adapter) for a character and a scene reference. A scale of 0
        switches its adapter off (diffusers skips it)."""
        if self.attached_to.get(id(pipe)) != len(scales):
            self.detach(pipe, attention_slicing=False)
            if attention_slicing:  # sliced processors cannot carry the adapter
                pipe.disable_attention_slicing()
            from diffusers.utils import logging as diffusers_logging

            verbosity = diffusers_logging.get_verbosity()
            diffusers_logging.set_verbosity_error()  # it warns that it loads no encoder: this class has its own
            try:
                if isinstance(self.weights, dict):
                    pipe.load_ip_adapter(self.weights, subfolder="", weight_name=[""] * len(scales),
                                         image_encoder_folder=None)  # fmt: skip
                else:
                    pipe.load_ip_adapter(str(Path(self.weights).parent), subfolder="",
                                         weight_name=[Path(self.weights).name] * len(scales),
                                         image_encoder_folder=None, local_files_only=True)  # fmt: skip
            except (OSError, ValueError, KeyError, RuntimeError) as exc:
                raise DrawError(f"{setting('ip_adapter')}={self.label}: these IP-Adapter weights do not fit this "
                                "model (an SD 1.5 adapter on SDXL, or the reverse?); set the matching weights.",
                                detail=repr(exc)) from exc  # fmt: skip
            finally:
                diffusers_logging.set_verbosity(verbosity)
            self.attached_to[id(pipe)] = len(scales)
        pipe.set_ip_adapter_scale(scales if len(scales) > 1 else scales[0])

    def detach(self, pipe: Any, attention_slicing: bool) -> None:
        """Unload the adapter (the UNet's processors go back to plain attention)."""
        if id(pipe) in self.attached_to:
            pipe.unload_ip_adapter()
            del self.attached_to[id(pipe)]
            if attention_slicing:
                pipe.enable_attention_slicing()


@contextmanager
def per_image_embeds(pipe: Any, embeds: list[Any]) -> Iterator[dict[str, Any]]:
    """Have the next pipeline call condition each image of its batch on its own row of each adapter's embeddings
    (one tensor per loaded adapter, each (2n, 1, d) with guidance: unconditional half first; else (n, 1, d));
    yields the call's keyword arguments.

    diffusers' `prepare_ip_adapter_image_embeds` repeats the given embeddings once per prompt (one reference for
    the whole batch): n different references would reach every image together. For the call, the pipeline
    instance's method is shadowed by one that hands the rows over as they are."""
    pipe.prepare_ip_adapter_image_embeds = lambda *args, **kwargs: list(embeds)
    try:
        yield {"ip_adapter_image_embeds": list(embeds)}
    finally:
        del pipe.prepare_ip_adapter_image_embeds
