"""Random-weight Stable Diffusion parts built from configs, with no download: tiny SD 1.5- and SDXL-shaped pipelines,
a CLIP vision encoder, IP-Adapter-shaped weights and a LoRA for the tests, and full-size SDXL for the GPU bench.
Their pictures are noise; their code paths and compute are the real ones. Imports torch/diffusers when called."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# The SDXL base 1.0 configs (stabilityai/stable-diffusion-xl-base-1.0), written out so nothing is downloaded.
SDXL_UNET: dict[str, Any] = {
    "act_fn": "silu", "addition_embed_type": "text_time", "addition_embed_type_num_heads": 64,
    "addition_time_embed_dim": 256, "attention_head_dim": [5, 10, 20], "block_out_channels": [320, 640, 1280],
    "center_input_sample": False, "cross_attention_dim": 2048,
    "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"], "downsample_padding": 1,
    "flip_sin_to_cos": True, "freq_shift": 0, "in_channels": 4, "layers_per_block": 2,
    "mid_block_scale_factor": 1, "norm_eps": 1e-5, "norm_num_groups": 32, "out_channels": 4,
    "projection_class_embeddings_input_dim": 2816, "sample_size": 128, "transformer_layers_per_block": [1, 2, 10],
    "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"], "use_linear_projection": True,
}  # fmt: skip
SDXL_VAE: dict[str, Any] = {
    "act_fn": "silu", "block_out_channels": [128, 256, 512, 512], "down_block_types": ["DownEncoderBlock2D"] * 4,
    "in_channels": 3, "latent_channels": 4, "layers_per_block": 2, "norm_num_groups": 32, "out_channels": 3,
    "sample_size": 1024, "scaling_factor": 0.13025, "up_block_types": ["UpDecoderBlock2D"] * 4,
    "force_upcast": False,  # as with the fp16-fixed SDXL VAE most installs use
}  # fmt: skip
CLIP_L_TEXT: dict[str, Any] = {
    "hidden_size": 768, "intermediate_size": 3072, "num_attention_heads": 12, "num_hidden_layers": 12,
    "projection_dim": 768, "hidden_act": "quick_gelu", "max_position_embeddings": 77, "vocab_size": 49408,
}  # fmt: skip
OPENCLIP_BIGG_TEXT: dict[str, Any] = {
    "hidden_size": 1280, "intermediate_size": 5120, "num_attention_heads": 20, "num_hidden_layers": 32,
    "projection_dim": 1280, "hidden_act": "gelu", "max_position_embeddings": 77, "vocab_size": 49408,
}  # fmt: skip
# The image encoder of IP-Adapter SDXL (OpenCLIP ViT-bigG/14 vision tower).
BIGG_VISION: dict[str, Any] = {
    "hidden_size": 1664, "intermediate_size": 8192, "num_attention_heads": 16, "num_hidden_layers": 48,
    "projection_dim": 1280, "image_size": 224, "patch_size": 14, "hidden_act": "gelu",
}  # fmt: skip

TINY_SD_UNET: dict[str, Any] = {
    "block_out_channels": [32, 64], "layers_per_block": 1, "sample_size": 32, "in_channels": 4, "out_channels": 4,
    "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D"], "up_block_types": ["CrossAttnUpBlock2D", "UpBlock2D"],
    "cross_attention_dim": 32, "attention_head_dim": 8, "norm_num_groups": 16,
}  # fmt: skip
TINY_SDXL_UNET: dict[str, Any] = {
    "block_out_channels": [32, 64], "layers_per_block": 1, "sample_size": 32, "in_channels": 4, "out_channels": 4,
    "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D"], "up_block_types": ["CrossAttnUpBlock2D", "UpBlock2D"],
    "attention_head_dim": [2, 4], "use_linear_projection": True, "addition_embed_type": "text_time",
    "addition_time_embed_dim": 8, "transformer_layers_per_block": [1, 2], "projection_class_embeddings_input_dim": 80,
    "cross_attention_dim": 64, "norm_num_groups": 16,
}  # fmt: skip
TINY_VAE: dict[str, Any] = {
    "block_out_channels": [16, 32], "in_channels": 3, "out_channels": 3, "latent_channels": 4,
    "down_block_types": ["DownEncoderBlock2D"] * 2, "up_block_types": ["UpDecoderBlock2D"] * 2, "norm_num_groups": 16,
    "layers_per_block": 1, "sample_size": 64,
}  # fmt: skip
TINY_TEXT: dict[str, Any] = {
    "hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 4, "num_hidden_layers": 2, "projection_dim": 32,
    "hidden_act": "gelu", "max_position_embeddings": 77,
}  # fmt: skip
TINY_VISION: dict[str, Any] = {
    "hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 4, "num_hidden_layers": 2, "projection_dim": 32,
    "image_size": 32, "patch_size": 4,
}  # fmt: skip
# Words the tiny tokenizer knows whole (any other word is spelt out in bytes, as CLIP does with rare words).
TOKENIZER_WORDS = (
    "a an the of in on at and with style comic anime manga panel shot close up medium wide long establishing "
    "over shoulder low high angle girl boy man woman teenage elderly short long black brown blonde red white blue "
    "green hair shirt coat dress plaid glasses school classroom street night day dusk dawn rain snow fog wind "
    "happy sad angry smiling people person solo two three lowres text watermark"
).split()


def clip_tokenizer(words: tuple[str, ...] | list[str] = TOKENIZER_WORDS) -> Any:
    """A byte-level BPE CLIPTokenizer whose vocabulary is every byte plus `words` (merges built for them).

    transformers 5 ignores `vocab_file=`/`merges_file=` for CLIPTokenizer: pass `vocab=` and `merges=` in memory.
    """
    from transformers import CLIPTokenizer
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    vocab: dict[str, int] = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for char in bytes_to_unicode().values():
        vocab.setdefault(char, len(vocab))
        vocab.setdefault(char + "</w>", len(vocab))
    merges: list[tuple[str, str]] = []
    for word in dict.fromkeys(words):
        pieces = [*word[:-1], word[-1] + "</w>"]
        while len(pieces) > 1:  # merge left to right: "cat</w>" ← ("c", "a"), ("ca", "t</w>")
            pair = (pieces[0], pieces[1])
            if pair not in merges:
                merges.append(pair)
            pieces = [pieces[0] + pieces[1], *pieces[2:]]
            vocab.setdefault(pieces[0], len(vocab))
    # the tokenizers BPE takes merges as pairs (transformers annotates them as strings)
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=77)  # type: ignore[arg-type]


def _text_config(base: dict[str, Any], tokenizer: Any) -> Any:
    from transformers import CLIPTextConfig

    vocab = max(len(tokenizer), base.get("vocab_size", 0))
    return CLIPTextConfig(**{**base, "vocab_size": vocab}, bos_token_id=tokenizer.bos_token_id,
                          eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)  # fmt: skip


def _euler() -> Any:
    from diffusers import EulerDiscreteScheduler

    return EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                  steps_offset=1, timestep_spacing="leading")  # fmt: skip


def sd_pipeline(*, xl: bool = False, full_size: bool = False, seed: int = 0, dtype: Any = None,
                device: str = "cpu") -> Any:  # fmt: skip
    """A StableDiffusion(XL)Pipeline with random weights: tiny (native 64 px) or, with `full_size`, SDXL base 1.0's
    shapes (native 1024 px). Weights are drawn on `device` in `dtype` (float32 when None) from `seed`."""
    import torch
    from diffusers import AutoencoderKL, StableDiffusionPipeline, StableDiffusionXLPipeline, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTextModelWithProjection

    if full_size and not xl:
        raise ValueError("full_size is only written for SDXL")
    tokenizer = clip_tokenizer()
    torch.manual_seed(seed)
    if device != "cpu":
        torch.cuda.manual_seed_all(seed)
    with torch.device(device):
        unet = UNet2DConditionModel(**(SDXL_UNET if full_size else TINY_SDXL_UNET if xl else TINY_SD_UNET))
        vae = AutoencoderKL(**(SDXL_VAE if full_size else TINY_VAE))
        text_encoder = CLIPTextModel(_text_config(CLIP_L_TEXT if full_size else TINY_TEXT, tokenizer))
        text_encoder_2 = (CLIPTextModelWithProjection(_text_config(OPENCLIP_BIGG_TEXT if full_size else TINY_TEXT,
                                                                   tokenizer)) if xl else None)  # fmt: skip
    if not full_size:
        _sharpen_self_attention(unet, 4.0)
    parts: list[Any] = [unet, vae, text_encoder] + ([text_encoder_2] if text_encoder_2 is not None else [])
    for part in parts:
        part.to(dtype=dtype or torch.float32).eval()
    if xl:
        return StableDiffusionXLPipeline(vae=vae, text_encoder=text_encoder, text_encoder_2=text_encoder_2,
                                         tokenizer=tokenizer, tokenizer_2=tokenizer, unet=unet, scheduler=_euler())
    return StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                   scheduler=_euler(), safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)  # fmt: skip


def _sharpen_self_attention(unet: Any, factor: float) -> None:
    """Scale the self-attention query and key projections: a tiny random UNet attends almost uniformly (its logits
    are near 0), so what attention does (consistent self-attention) would hardly show; trained models attend
    sharply."""
    import torch

    with torch.no_grad():
        for name, module in unet.named_modules():
            if name.endswith("attn1"):
                module.to_q.weight.mul_(factor)
                module.to_k.weight.mul_(factor)


def vision_encoder(*, full_size: bool = False, seed: int = 0, dtype: Any = None, device: str = "cpu") -> Any:
    """A random CLIPVisionModelWithProjection (tiny, or ViT-bigG as IP-Adapter SDXL uses) and its processor."""
    import torch
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    config = BIGG_VISION if full_size else TINY_VISION
    torch.manual_seed(seed)
    with torch.device(device):
        model: Any = CLIPVisionModelWithProjection(CLIPVisionConfig(**config))
    model.to(dtype=dtype or torch.float32).eval()
    size = config["image_size"]
    return model, CLIPImageProcessor(size={"shortest_edge": size}, crop_size={"height": size, "width": size})


def ip_adapter_state(unet: Any, image_embed_dim: int, *, seed: int = 0, std: float = 0.2) -> dict[str, Any]:
    """IP-Adapter-shaped random weights for `unet` (the original IP-Adapter: 4 image tokens), laid out as the
    published `ip-adapter_*.safetensors` files are: `image_proj.*` and `ip_adapter.<n>.to_{k,v}_ip.weight` with n the
    odd numbers over the UNet's attention layers in order (what diffusers' `load_ip_adapter` reads)."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    cross = unet.config.cross_attention_dim
    dtype = unet.dtype

    def rand(*shape: int) -> torch.Tensor:
        return (torch.randn(*shape, generator=generator) * std).to(dtype)

    state: dict[str, Any] = {
        "image_proj.proj.weight": rand(4 * cross, image_embed_dim), "image_proj.proj.bias": rand(4 * cross),
        "image_proj.norm.weight": torch.ones(cross, dtype=dtype), "image_proj.norm.bias": torch.zeros(cross, dtype=dtype),
    }  # fmt: skip
    channels = list(unet.config.block_out_channels)
    key_id = 1
    for name in unet.attn_processors:
        if name.endswith("attn1.processor"):
            continue  # numbered by diffusers only on cross-attention layers, 1, 3, 5, …
        if name.startswith("mid_block"):
            hidden = channels[-1]
        elif name.startswith("up_blocks"):
            hidden = list(reversed(channels))[int(name.split(".")[1])]
        else:
            hidden = channels[int(name.split(".")[1])]
        state[f"ip_adapter.{key_id}.to_k_ip.weight"] = rand(hidden, cross)
        state[f"ip_adapter.{key_id}.to_v_ip.weight"] = rand(hidden, cross)
        key_id += 2
    return state


def save_ip_adapter(state: dict[str, Any], path: str | Path) -> None:
    """Write IP-Adapter weights as a .safetensors file."""
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in state.items()}, str(path))


def save_lora(pipe: Any, directory: str | Path, *, seed: int = 0, rank: int = 4, weight_name: str = "lora.safetensors",
              std: float = 0.3) -> Path:  # fmt: skip
    """A random LoRA on a copy of `pipe`'s UNet attention projections (peft), saved with the pipeline class's
    `save_lora_weights` as a diffusers LoRA file; returns its path. `pipe` itself is left untouched."""
    import copy

    import torch
    from diffusers.utils import convert_state_dict_to_diffusers
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    unet = copy.deepcopy(pipe.unet)
    unet.add_adapter(LoraConfig(r=rank, lora_alpha=rank, init_lora_weights=False,
                                target_modules=["to_q", "to_k", "to_v", "to_out.0"]))  # fmt: skip
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in unet.named_parameters():
            if "lora_" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * std)
    layers = convert_state_dict_to_diffusers(get_peft_model_state_dict(unet))
    Path(directory).mkdir(parents=True, exist_ok=True)
    type(pipe).save_lora_weights(str(directory), unet_lora_layers=layers, weight_name=weight_name)
    return Path(directory) / weight_name
