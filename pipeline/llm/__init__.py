"""Language models that turn prose into a script and enrich shot descriptions: the contract, the settings that
choose a backend (a local transformers model or an OpenAI-compatible endpoint), and what is asked of them."""

from pipeline.llm.base import LLM_BACKENDS, ChatModel, LLMConfig, LLMError, make_chat_model
from pipeline.llm.prose import ProseResult, ScriptDoc, enrich_shots, prose_to_script, script_text

__all__ = ["LLM_BACKENDS", "ChatModel", "LLMConfig", "LLMError", "ProseResult", "ScriptDoc", "enrich_shots",
           "make_chat_model", "prose_to_script", "script_text"]  # fmt: skip
