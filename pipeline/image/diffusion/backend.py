"""DiffusersImageBackend: panels from a diffusers Stable Diffusion (1.5 or XL) pipeline, loaded once on first draw
and reused, drawn in batches, with the characters kept alike by reference (IP-Adapter) or by consistent
self-attention, the shots of a scene optionally kept in one place (conditioned on the scene's reference picture
through a second copy of the IP-Adapter), and every panel's parameters recorded so that the same parameters give the
same PNG bytes."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.digests import file_digest
from pipeline.errors import DrawError
from pipeline.image.base import DrawnPanel, PanelRequest
from pipeline.image.diffusion.config import DiffusionConfig, setting
from pipeline.image.diffusion.ip_adapter import ReferenceAdapter, per_image_embeds, reference_for
from pipeline.image.diffusion.loading import (
    LoadedPipeline,
    load_pipeline,
    panel_size,
    prepare_pipeline,
    require_diffusers,
    switch_lora,
)
from pipeline.image.diffusion.prompts import build_prompt, token_counter

CONSISTENT_RATE = 0.5  # the share of the other images' tokens each image attends to (StoryDiffusion's default)


@dataclass(frozen=True)
class _Plan:
    """One request made concrete: what goes into the pipeline call, and how it is batched."""

    index: int
    request: PanelRequest
    prompt: str
    steps: int
    guidance: float
    width: int  # generated size (the saved PNG is the request's size)
    height: int
    method: str  # ip_adapter | consistent_self_attention | none
    reference: tuple[str, str] | None  # (character, picture) for ip_adapter
    subject: str | None  # the character a consistent batch shares
    note: str = ""  # why the asked-for lock was not used
    scene: str | None = None  # the scene's reference picture conditioning the shot
    scene_note: str = ""  # why the scene's reference picture was not used

    @property
    def batch_key(self) -> tuple[Any, ...]:
        """Requests with equal keys can share one pipeline call (the adapters loaded and their scales too)."""
        return (self.request.style, self.steps, self.guidance, self.width, self.height, self.method, self.subject,
                self.scene is not None)  # fmt: skip

    @property
    def adapters(self) -> bool:
        """Whether the shot is conditioned through the IP-Adapter (on a character's or the scene's picture)."""
        return self.method == "ip_adapter" or self.scene is not None


class DiffusersImageBackend:
    """Draws panels with a diffusers pipeline; satisfies pipeline.image.base.ImageBackend.

    Nothing is loaded until the first draw; then the pipeline is kept and reused, and one lock serialises the
    GPU work of every thread. `pipeline` (and `adapter`) hand in a ready pipeline (the tests' and the GPU bench's
    hook: random-weight models built from configs) instead of loading `config.model`.
    """

    name = "diffusers"

    def __init__(self, config: DiffusionConfig, *, pipeline: Any = None, adapter: ReferenceAdapter | None = None) -> None:
        self.config = config
        self._given = pipeline
        self._adapter = adapter
        self._loaded: LoadedPipeline | None = None
        self._lock = threading.RLock()

    # -- the contract ---------------------------------------------------------------------------------------------

    def draw(self, request: PanelRequest, out_path: str) -> DrawnPanel:
        """Draw one panel to `out_path` (PNG, the request's size). Raises DrawError."""
        return next(iter(self.draw_many([request], [out_path])))

    def draw_many(self, requests: Sequence[PanelRequest], out_paths: Sequence[str]) -> Iterator[DrawnPanel]:
        """Draw the panels in batches of `config.batch_size`, yielding one DrawnPanel per request in the caller's
        order. Requests that can share a pipeline call (same style, preset, size and lock) are batched together;
        with lock="consistent" a batch holds shots of one character (the speaker, else the first framed), whose
        self-attention is shared. Raises DrawError (before drawing anything, for a request that cannot be drawn)."""
        if len(requests) != len(out_paths):
            raise DrawError(f"{len(requests)} requests but {len(out_paths)} output paths: give one path per request.")
        if not requests:
            return
        loaded = self.loaded()
        plans = [self._plan(i, request, loaded) for i, request in enumerate(requests)]
        done: dict[int, DrawnPanel] = {}
        following = 0
        for batch in batch_plans(plans, self.config.batch_size):
            for plan, panel in zip(batch, self._draw_batch(batch, [out_paths[p.index] for p in batch]), strict=True):
                done[plan.index] = panel
            while following in done:
                yield done.pop(following)
                following += 1

    # -- loading --------------------------------------------------------------------------------------------------

    def loaded(self) -> LoadedPipeline:
        """The pipeline, loaded on first use (once, under the lock)."""
        with self._lock:
            if self._loaded is None:
                if self._given is not None:
                    require_diffusers()
                    self._loaded = prepare_pipeline(self._given, self.config, model_hash=None)
                else:
                    self._loaded = load_pipeline(self.config)
            return self._loaded

    def _reference_adapter(self, loaded: LoadedPipeline) -> ReferenceAdapter:
        if self._adapter is None:
            self._adapter = ReferenceAdapter.load(self.config, loaded.device, loaded.pipe.unet.dtype)
        return self._adapter

    # -- planning -------------------------------------------------------------------------------------------------

    def _plan(self, index: int, request: PanelRequest, loaded: LoadedPipeline) -> _Plan:
        if request.width < 64 or request.height < 64:
            raise DrawError(f"panel size {request.width}x{request.height} is too small: use at least 64x64.")
        final = request.quality == "final"
        steps = self.config.final_steps if final else self.config.preview_steps
        guidance = self.config.final_guidance if final else self.config.preview_guidance
        short = (self.config.final_size if final else self.config.preview_size) or loaded.native_size
        width, height = panel_size(request.width, request.height, short, loaded.size_multiple)
        prompt = build_prompt(request, token_counter(loaded.tokenizer))
        method, reference, subject, note = "none", None, None, ""
        if request.lock == "reference":
            if not self.config.ip_adapter and self._adapter is None:
                raise DrawError(f"Character locking by reference needs IP-Adapter weights: set "
                                f"{setting('ip_adapter')} to an ip-adapter .safetensors file, or lock by "
                                "consistent attention instead.")  # fmt: skip
            reference = reference_for(request)
            if reference is not None:
                method = "ip_adapter"
            elif request.shot.characters:
                note = "no reference picture for " + ", ".join(request.shot.characters)
        elif request.lock == "consistent":
            shot = request.shot
            subject = shot.speaker if shot.speaker in shot.characters else next(iter(shot.characters), None)
            if subject is not None:
                method = "consistent_self_attention"
        elif request.lock != "none":
            raise DrawError(f"unknown lock {request.lock!r}: use none, reference or consistent.")
        scene, scene_note = None, ""
        if request.scene_reference is not None:
            if not self.config.ip_adapter and self._adapter is None:
                scene_note = f"no IP-Adapter ({setting('ip_adapter')}) to condition on the scene's reference picture"
            elif not Path(request.scene_reference).is_file():
                raise DrawError("The scene's reference picture (the panel of its first shot) is missing; draw that "
                                "shot again.", detail=request.scene_reference)  # fmt: skip
            else:
                scene = request.scene_reference
        return _Plan(index, request, prompt, steps, guidance, width, height, method, reference, subject, note,
                     scene, scene_note)  # fmt: skip

    # -- drawing --------------------------------------------------------------------------------------------------

    def _draw_batch(self, batch: list[_Plan], out_paths: list[str]) -> list[DrawnPanel]:
        import torch
        from PIL import Image

        first = batch[0]
        with self._lock:
            loaded = self.loaded()
            pipe = loaded.pipe
            # 1. The style's LoRA, the adapter if this batch is conditioned on references, else none.
            lora = switch_lora(loaded, first.request.style, self.config.loras)
            conditioning: AbstractContextManager[dict[str, Any]] = nullcontext({})
            adapter = self._adapter
            if first.adapters:
                adapter = self._reference_adapter(loaded)
                adapter.attach(pipe, self._adapter_scales(first), self.config.attention_slicing)
                conditioning = per_image_embeds(pipe, self._reference_embeds(adapter, batch, first.guidance))
            elif adapter is not None:
                adapter.detach(pipe, self.config.attention_slicing)
            # 2. Each image its own generator, so an image does not depend on its place in the batch.
            generators = [torch.Generator(loaded.device).manual_seed(p.request.seed) for p in batch]
            shared_seed = _batch_seed(batch)
            sharing: AbstractContextManager[Any] = nullcontext()
            if first.method == "consistent_self_attention" and len(batch) > 1:
                from pipeline.image.diffusion.consistent_attention import consistent_self_attention

                sharing = consistent_self_attention(pipe.unet, len(batch), shared_seed, rate=CONSISTENT_RATE)
            # 3. Denoise the batch.
            with sharing, conditioning as extra, torch.inference_mode():
                images = pipe(
                    prompt=[p.prompt for p in batch], negative_prompt=[self.config.negative_prompt] * len(batch),
                    num_inference_steps=first.steps, guidance_scale=first.guidance, width=first.width,
                    height=first.height, generator=generators, output_type="pil", **extra,
                ).images  # fmt: skip
        # 4. Save each at the request's size, with everything needed to draw it again.
        common = self._common_params(loaded, first, lora, shared_seed, batch, adapter)
        panels = []
        digests: dict[str, str] = {}
        for position, (plan, image, path) in enumerate(zip(batch, images, out_paths, strict=True)):
            request = plan.request
            if image.size != (request.width, request.height):
                image = image.resize((request.width, request.height), Image.Resampling.LANCZOS)
            image.save(path, format="PNG", compress_level=1)
            params = {**common, "seed": request.seed, "prompt": plan.prompt, "batch_index": position,
                      "camera": request.shot.camera}  # fmt: skip
            if plan.reference is not None:
                name, picture = plan.reference
                params.update(reference_character=name, references={name: file_digest(picture)})
            if plan.note:
                params["lock_note"] = plan.note
            if plan.scene is not None:
                params.update(scene_reference=digests.setdefault(plan.scene, file_digest(plan.scene)),
                              scene_reference_scale=self.config.scene_reference_scale)  # fmt: skip
            if plan.scene_note:
                params["scene_reference_note"] = plan.scene_note
            panels.append(DrawnPanel(path=path, width=request.width, height=request.height, seed=request.seed,
                                     prompt=plan.prompt, params=params))  # fmt: skip
        return panels

    def _adapter_scales(self, plan: _Plan) -> list[float]:
        """One scale per loaded adapter: the character's alone; or the character's (0 without a character
        reference: diffusers then skips that adapter) and the scene's."""
        character = self.config.ip_adapter_scale if plan.method == "ip_adapter" else 0.0
        return [character] if plan.scene is None else [character, self.config.scene_reference_scale]

    def _reference_embeds(self, adapter: ReferenceAdapter, batch: list[_Plan], guidance: float) -> list[Any]:
        """The IP-Adapter image embeddings for a batch, one tensor per adapter (the character's, then the scene's
        when the batch has scene references; zeros for an adapter whose scale is 0): (2n, 1, d) with guidance
        (zeros for the unconditional half, as diffusers does), else (n, 1, d)."""
        import torch

        first = batch[0]
        scenes: Any = adapter.embed([p.scene for p in batch if p.scene is not None]) if first.scene else None
        if first.method == "ip_adapter":
            characters = adapter.embed([p.reference[1] for p in batch if p.reference is not None])
        else:
            characters = torch.zeros_like(scenes)
        embeds = [characters] if scenes is None else [characters, scenes]
        embeds = [e[:, None, :] for e in embeds]
        if self._uses_guidance(guidance):
            embeds = [torch.cat([torch.zeros_like(e), e]) for e in embeds]
        return embeds

    def _uses_guidance(self, guidance: float) -> bool:
        unet = self.loaded().pipe.unet
        return guidance > 1 and getattr(unet.config, "time_cond_proj_dim", None) is None

    def _common_params(self, loaded: LoadedPipeline, plan: _Plan, lora: Any, shared_seed: int, batch: list[_Plan],
                       adapter: ReferenceAdapter | None) -> dict[str, Any]:  # fmt: skip
        request = plan.request
        params: dict[str, Any] = {
            "backend": self.name, "model": loaded.model, "model_hash": loaded.model_hash,
            "revision": loaded.revision, "pipeline": type(loaded.pipe).__name__, "device": loaded.device,
            "dtype": loaded.dtype, "style": request.style, "quality": request.quality,
            "lora": {"path": lora.path, "scale": lora.scale} if lora is not None else None,
            "negative_prompt": self.config.negative_prompt, "steps": plan.steps, "guidance": plan.guidance,
            "scheduler": self.config.scheduler or type(loaded.pipe.scheduler).__name__,
            "width": plan.width, "height": plan.height, "lock": request.lock, "lock_method": plan.method,
            # bit-exact reproduction needs the same batch (matrix products round differently per batch size), and
            # with consistent attention the image depends on its companions' prompts and seeds
            "batch": [{"prompt": p.prompt, "seed": p.request.seed} for p in batch],
        }  # fmt: skip
        if plan.method == "ip_adapter" and adapter is not None:
            params.update(ip_adapter=adapter.label, ip_adapter_scale=self.config.ip_adapter_scale)
        elif plan.scene is not None and adapter is not None:
            params["ip_adapter"] = adapter.label
        if plan.method == "consistent_self_attention":
            params["consistent_attention"] = {"seed": shared_seed, "rate": CONSISTENT_RATE, "blocks": "up_blocks",
                                              "steps": "all", "shared_by": plan.subject}  # fmt: skip
        return params


def batch_plans(plans: list[_Plan], batch_size: int) -> list[list[_Plan]]:
    """Split the plans into pipeline calls of at most `batch_size`: plans with the same batch key together, in
    the order each key first appears, each batch in the caller's order."""
    groups: dict[tuple[Any, ...], list[_Plan]] = {}
    for plan in plans:
        groups.setdefault(plan.batch_key, []).append(plan)
    return [group[i:i + batch_size] for group in groups.values() for i in range(0, len(group), batch_size)]


def _batch_seed(batch: list[_Plan]) -> int:
    """A seed for the batch's shared randomness, from its images' seeds and prompts."""
    key = "|".join(f"{p.request.seed}:{p.prompt}" for p in batch)
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big")
