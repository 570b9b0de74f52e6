"""The language-model contract: one chat completion in, the reply's text out; the settings that choose a backend,
and the error every backend raises when it cannot answer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, get_args

from pipeline.errors import PipelineError

LLMBackend = Literal["none", "local", "openai"]
LLM_BACKENDS: tuple[str, ...] = get_args(LLMBackend)
Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


class LLMError(PipelineError):
    """The language model could not be loaded or reached, or its server answered with an error."""


class ChatModel(Protocol):
    """A chat model: a list of messages in, the assistant's reply out.

    `json_mode` asks the backend to constrain the reply to one JSON object where it can (an OpenAI-compatible
    server's `response_format`); callers still validate the reply, since not every backend can.
    Raises `LLMError` on transport, HTTP, timeout and loading failures, never on a reply that is merely wrong.
    """

    name: str

    def complete(
        self, messages: list[Message], *, max_tokens: int = 2048, temperature: float = 0.0, json_mode: bool = True
    ) -> str: ...


@dataclass(frozen=True)
class LLMConfig:
    """Which language model turns prose into a script: `backend` "none" (the rule-based parser only), "local"
    (a transformers causal LM in `model_path`) or "openai" (any OpenAI-compatible chat endpoint at `base_url`,
    like `http://127.0.0.1:11434/v1`, serving `model`)."""

    backend: LLMBackend = "none"
    model_path: str = ""
    base_url: str = ""
    model: str = ""
    api_key: str = ""
    timeout: float = 120
    max_tokens: int = 2048
    retries: int = 2
    device: str = "auto"  # "auto" (CUDA when present), "cpu", "cuda", "cuda:1"...

    def check(self) -> None:
        """Raises LLMError naming the setting to fix when the chosen backend lacks what it needs."""
        if self.backend not in LLM_BACKENDS:
            raise LLMError(f"Unknown language-model backend {self.backend!r}: set COMICREEL_LLM_BACKEND to one of "
                           f"{', '.join(LLM_BACKENDS)}.")  # fmt: skip
        if self.timeout <= 0:
            raise LLMError(f"The language-model timeout {self.timeout} must be above 0 seconds.")
        if not 1 <= self.max_tokens <= 32768:
            raise LLMError(f"max_tokens {self.max_tokens} must be between 1 and 32768.")
        if not 0 <= self.retries <= 5:
            raise LLMError(f"retries {self.retries} must be between 0 and 5.")
        if self.backend == "local":
            if not self.model_path.strip():
                raise LLMError("The local language model needs a model folder: set COMICREEL_LLM_MODEL_PATH to a "
                               "folder saved with save_pretrained (config.json, weights and tokenizer).")  # fmt: skip
            if not Path(self.model_path).is_dir():
                raise LLMError(f"The language-model folder {self.model_path} does not exist: set "
                               "COMICREEL_LLM_MODEL_PATH to a folder saved with save_pretrained.")  # fmt: skip
        if self.backend == "openai":
            if not self.base_url.strip():
                raise LLMError("The OpenAI-compatible backend needs a server: set COMICREEL_LLM_BASE_URL (for "
                               "example http://127.0.0.1:11434/v1).")  # fmt: skip
            if not self.base_url.startswith(("http://", "https://")):
                raise LLMError(f"COMICREEL_LLM_BASE_URL {self.base_url!r} must start with http:// or https://.")
            if not self.model.strip():
                raise LLMError("The OpenAI-compatible backend needs a model name: set COMICREEL_LLM_MODEL (the "
                               "name the server lists under /v1/models).")  # fmt: skip


def make_chat_model(config: LLMConfig) -> ChatModel | None:
    """The chat model the settings choose; None for backend "none". Nothing is loaded or contacted yet.

    Raises:
        LLMError: the backend is unknown or a setting it needs is missing (the message names the setting).
    """
    config.check()
    if config.backend == "local":
        from pipeline.llm.local import LocalCausalLM

        return LocalCausalLM(config.model_path, device=config.device)
    if config.backend == "openai":
        from pipeline.llm.openai_compat import OpenAICompatChat

        return OpenAICompatChat(config.base_url, config.model, config.api_key, timeout=config.timeout)
    return None
