"""OpenAICompatChat: any server that speaks OpenAI's `POST /v1/chat/completions` (OpenAI, vLLM, llama.cpp's
server, Ollama, LM Studio, DeepSeek, Qwen's DashScope compatible mode...)."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from pipeline.llm.base import LLMError, Message

logger = logging.getLogger(__name__)


class OpenAICompatChat:
    """A chat model behind an OpenAI-compatible endpoint; `base_url` ends before `/chat/completions`
    (`http://host:port/v1`). The key is sent as a bearer token when set and never appears in an error."""

    def __init__(self, base_url: str, model: str, api_key: str = "", *, timeout: float = 120) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.name = f"openai:{model}"
        self._api_key = api_key
        self._timeout = timeout

    @property
    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def complete(
        self, messages: list[Message], *, max_tokens: int = 2048, temperature: float = 0.0, json_mode: bool = True
    ) -> str:
        body: dict[str, Any] = {"model": self.model, "messages": messages, "max_tokens": max_tokens,
                                "temperature": temperature, "stream": False}  # fmt: skip
        if json_mode:
            body["response_format"] = {"type": "json_object"}
        response = self._post(body)
        if json_mode and response.status_code in (400, 422):
            # Some servers (LM Studio, older llama.cpp) refuse the "json_object" format: ask once more without it;
            # the caller validates the reply either way.
            logger.info("%s refused response_format json_object (HTTP %s): asking without it", self.url,
                        response.status_code)  # fmt: skip
            del body["response_format"]
            response = self._post(body)
        if response.status_code >= 400:
            raise LLMError(f"The language model at {self.url} answered HTTP {response.status_code}.",
                           detail=response.text[:2000])  # fmt: skip
        return _reply_text(response, self.url)

    def _post(self, body: dict[str, Any]) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        try:
            return httpx.post(self.url, json=body, headers=headers, timeout=self._timeout)
        except httpx.TimeoutException as exc:
            raise LLMError(f"The language model at {self.url} did not answer within {self._timeout:g} s: raise "
                           "COMICREEL_LLM_TIMEOUT or use a smaller model.", detail=repr(exc)) from exc  # fmt: skip
        except httpx.HTTPError as exc:
            raise LLMError(f"The language model at {self.url} could not be reached ({type(exc).__name__}): is the "
                           "server running, and is COMICREEL_LLM_BASE_URL right?",
                           detail=repr(exc)) from exc  # fmt: skip


def _reply_text(response: httpx.Response, url: str) -> str:
    """`choices[0].message.content` of a chat-completion answer ("" when the model said nothing)."""
    try:
        content = response.json()["choices"][0]["message"].get("content")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise LLMError(f"The server at {url} did not answer like an OpenAI-compatible chat endpoint (no "
                       "choices[0].message).", detail=response.text[:2000]) from exc  # fmt: skip
    return content if isinstance(content, str) else ""
