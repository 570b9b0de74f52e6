"""LocalCausalLM: a transformers causal LM from a folder saved with `save_pretrained`, offline, greedy. torch and
transformers are imported only when the model is first used, so the default install does without them."""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

from pipeline.llm.base import LLMError, Message

_LOAD_LOCK = threading.Lock()  # two workers asking at once load the model once


class LocalCausalLM:
    """A chat model run in this process. The tokenizer's chat template shapes the prompt when it has one, else a
    plain "system: / user: / assistant:" transcript. `json_mode` cannot be enforced here: callers validate."""

    def __init__(self, model_path: str, *, device: str = "auto") -> None:
        if not model_path or not Path(model_path).is_dir():
            raise LLMError(f"The language-model folder {model_path or '(unset)'} does not exist: set "
                           "COMICREEL_LLM_MODEL_PATH to a folder saved with save_pretrained.")  # fmt: skip
        self.model_path = str(Path(model_path).resolve())
        self.device = device
        self.name = f"local:{Path(model_path).name}"

    def complete(
        self, messages: list[Message], *, max_tokens: int = 2048, temperature: float = 0.0, json_mode: bool = True
    ) -> str:
        tokenizer, model = _load(self.model_path, _resolve_device(self.device))
        try:
            import torch

            templated = getattr(tokenizer, "chat_template", None)
            prompt = (tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
                      if templated else plain_prompt(messages))  # fmt: skip
            # A chat template already holds the special tokens the model expects.
            inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=not templated).to(model.device)
            sampling: dict[str, Any] = {"do_sample": True, "temperature": temperature} if temperature > 0 else {
                "do_sample": False}  # fmt: skip
            pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
            with torch.inference_mode():
                output = model.generate(**inputs, max_new_tokens=max_tokens, pad_token_id=pad, **sampling)
            new_tokens = output[0, inputs["input_ids"].shape[1]:]
            return str(tokenizer.decode(new_tokens, skip_special_tokens=True))
        except Exception as exc:  # torch and transformers raise their own types (too long a prompt, out of memory)
            raise LLMError(f"The local language model {self.name} could not answer ({type(exc).__name__}).",
                           detail=repr(exc)) from exc  # fmt: skip


def plain_prompt(messages: list[Message]) -> str:
    """A transcript for a model without a chat template, ending where the assistant speaks next."""
    turns = [f"{m['role']}: {m['content'].strip()}" for m in messages]
    return "\n\n".join(turns) + "\n\nassistant:"


def _resolve_device(device: str) -> str:
    if device != "auto":
        return device
    try:
        import torch
    except ImportError:
        return "cpu"  # _load says what to install
    return "cuda" if torch.cuda.is_available() else "cpu"


def _load(path: str, device: str) -> tuple[Any, Any]:
    with _LOAD_LOCK:
        return _load_cached(path, device)


@functools.lru_cache(maxsize=2)
def _load_cached(path: str, device: str) -> tuple[Any, Any]:
    """The tokenizer and the model in `path` on `device`: fp16 on CUDA, fp32 on CPU; loaded once per process."""
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        raise LLMError("The local language model needs torch and transformers: pip install torch "
                       "transformers (bash scripts/install_coqui.sh installs both) or use the openai backend.",
                       detail=repr(exc)) from None  # fmt: skip
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        dtype = torch.float16 if device.startswith("cuda") else torch.float32
        model: Any = AutoModelForCausalLM.from_pretrained(path, local_files_only=True, dtype=dtype)
        model = model.to(device)
    except Exception as exc:  # a broken or partial folder, an unknown architecture, a missing CUDA device
        raise LLMError(f"The language model in {Path(path).name} could not be loaded on {device} "
                       f"({type(exc).__name__}): check COMICREEL_LLM_MODEL_PATH and COMICREEL_LLM_DEVICE.",
                       detail=repr(exc)) from exc  # fmt: skip
    model.eval()
    return tokenizer, model
