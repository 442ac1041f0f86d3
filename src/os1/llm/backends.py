"""Built-in backends, registered through the plugin hooks, and model construction from config."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from os1.config import ModelConfig
from os1.errors import ConfigError
from os1.hookspecs import hookimpl
from os1.llm.base import ChatModel


def _llamacpp(config: ModelConfig) -> ChatModel:
    from os1.llm.llamacpp import LlamaCppModel

    return LlamaCppModel(config.path, context_tokens=config.context_tokens, threads=config.threads)


def _openai(config: ModelConfig) -> ChatModel:
    from os1.llm.openai_compat import OpenAICompatModel

    assert config.base_url is not None  # checked by ModelConfig
    key = config.api_key.get_secret_value() if config.api_key else None
    return OpenAICompatModel(config.base_url, config.model, api_key=key, timeout_s=config.timeout_s)


@hookimpl
def register_chat_backends(register: Callable[[str, Callable[..., Any]], None]) -> None:
    register("llamacpp", _llamacpp)
    register("openai", _openai)


def build_model(config: ModelConfig) -> ChatModel:
    """A chat model for one configured entry, through whichever plugin registered its kind."""
    from os1.plugins import chat_backends

    factories = chat_backends()
    if config.kind not in factories:
        raise ConfigError(f"no backend for model kind {config.kind!r} (have {sorted(factories)})")
    model: ChatModel = factories[config.kind](config)
    return model
