"""StoryDiffusion's consistent self-attention as a diffusers attention processor: the images of one batch that show
the same character look at each other while they are denoised, so the character comes out alike in all of them.

In each self-attention (attn1) layer of the UNet's decoder (`up_blocks`, where StoryDiffusion puts it), image i's
queries attend to its own tokens plus a random sample (`rate` of them, 0.5 by default) of the other images' tokens,
keys and values alike; on every denoising step. With classifier-free guidance the batch is two halves
(unconditional, conditional): each half shares only within itself. The samples come from one seeded generator per
batch, drawn in the UNet's fixed call order, so a batch reproduces exactly. Works for SD 1.5 and SDXL UNets.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

DEFAULT_RATE = 0.5
DEFAULT_BLOCKS: tuple[str, ...] = ("up_blocks",)


@dataclass
class SharedTokens:
    """What the processors of one batch share: how many images share (per guidance half), how much of the others
    each image sees, and the generator the samples come from."""

    group_size: int
    rate: float
    seed: int
    calls: int = 0  # processor calls so far (a check that it ran)
    generator: torch.Generator | None = None  # made on the device of the first call: no host-to-GPU copies

    def sample(self, tokens: int, device: torch.device) -> torch.Tensor:
        """For each image i, the indices (into the group's tokens laid end to end) it attends to: its own `tokens`
        first, then a sorted random `rate` share of the others'. Shape (group_size, tokens + sampled)."""
        if self.generator is None:
            self.generator = torch.Generator(device).manual_seed(self.seed)
        n = self.group_size
        others = (n - 1) * tokens
        take = round(self.rate * others)
        rows = []
        for i in range(n):
            own = torch.arange(i * tokens, (i + 1) * tokens, device=device)
            picked = torch.randperm(others, generator=self.generator, device=device)[:take].sort().values
            picked = picked + (picked >= i * tokens) * tokens  # skip over image i's own block
            rows.append(torch.cat([own, picked]))
        return torch.stack(rows)


class ConsistentSelfAttnProcessor:
    """A self-attention processor (scaled dot-product, like diffusers' AttnProcessor2_0) whose keys and values are
    shared across the images of a batch as `SharedTokens` says."""

    def __init__(self, shared: SharedTokens) -> None:
        self.shared = shared

    def __call__(self, attn: Any, hidden_states: torch.Tensor, encoder_hidden_states: torch.Tensor | None = None,
                 attention_mask: torch.Tensor | None = None, temb: torch.Tensor | None = None, *args: Any,
                 **kwargs: Any) -> torch.Tensor:  # fmt: skip
        residual = hidden_states
        if attn.spatial_norm is not None:
            hidden_states = attn.spatial_norm(hidden_states, temb)
        input_ndim = hidden_states.ndim
        if input_ndim == 4:
            batch, channel, height, width = hidden_states.shape
            hidden_states = hidden_states.view(batch, channel, height * width).transpose(1, 2)
        if attn.group_norm is not None:
            hidden_states = attn.group_norm(hidden_states.transpose(1, 2)).transpose(1, 2)
        batch, tokens, _ = hidden_states.shape
        n = self.shared.group_size
        query = attn.to_q(hidden_states)
        key = attn.to_k(hidden_states)
        value = attn.to_v(hidden_states)
        if encoder_hidden_states is None and attention_mask is None and n > 1 and batch % n == 0:
            # 1. Lay each group's tokens end to end and give every image its own plus a sample of the others'.
            index = self.shared.sample(tokens, key.device)  # (n, tokens + sampled)
            groups = batch // n
            key = key.view(groups, n * tokens, -1)[:, index].reshape(batch, index.shape[1], -1)
            value = value.view(groups, n * tokens, -1)[:, index].reshape(batch, index.shape[1], -1)
            self.shared.calls += 1
        elif encoder_hidden_states is not None:
            raise ValueError("ConsistentSelfAttnProcessor is for self-attention (attn1) layers only")
        # 2. Attention as AttnProcessor2_0 does it.
        head_dim = key.shape[-1] // attn.heads
        query = query.view(batch, -1, attn.heads, head_dim).transpose(1, 2)
        key = key.view(batch, -1, attn.heads, head_dim).transpose(1, 2)
        value = value.view(batch, -1, attn.heads, head_dim).transpose(1, 2)
        if attn.norm_q is not None:
            query = attn.norm_q(query)
        if attn.norm_k is not None:
            key = attn.norm_k(key)
        mask = None
        if attention_mask is not None:
            mask = attn.prepare_attention_mask(attention_mask, tokens, batch)
            mask = mask.view(batch, attn.heads, -1, mask.shape[-1])
        hidden_states = F.scaled_dot_product_attention(query, key, value, attn_mask=mask, dropout_p=0.0)
        hidden_states = hidden_states.transpose(1, 2).reshape(batch, -1, attn.heads * head_dim).to(query.dtype)
        hidden_states = attn.to_out[1](attn.to_out[0](hidden_states))
        if input_ndim == 4:
            hidden_states = hidden_states.transpose(-1, -2).reshape(batch, channel, height, width)
        if attn.residual_connection:
            hidden_states = hidden_states + residual
        return hidden_states / attn.rescale_output_factor


@contextmanager
def consistent_self_attention(unet: Any, group_size: int, seed: int, *, rate: float = DEFAULT_RATE,
                              blocks: tuple[str, ...] = DEFAULT_BLOCKS) -> Iterator[SharedTokens]:  # fmt: skip
    """Install consistent self-attention on `unet`'s attn1 layers under `blocks` for a batch of `group_size`
    images (per guidance half), and put the UNet's own processors back afterwards, whatever happens.

    Args:
        unet: a diffusers UNet2DConditionModel (SD 1.5 or SDXL).
        group_size: the number of images in the batch (prompts × images per prompt).
        seed: seeds the token sampling; the same seed and batch give the same images.
        rate: the share of the other images' tokens each image attends to (0 … 1).
        blocks: the UNet blocks (name prefixes) whose self-attention is shared.
    """
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must be within 0 … 1, not {rate}")
    original = dict(unet.attn_processors)
    shared = SharedTokens(group_size, rate, seed)
    installed = {name: ConsistentSelfAttnProcessor(shared)
                 if name.endswith("attn1.processor") and name.startswith(blocks) else processor
                 for name, processor in original.items()}  # fmt: skip
    unet.set_attn_processor(installed)
    try:
        yield shared
    finally:
        unet.set_attn_processor(dict(original))
