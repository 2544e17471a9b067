"""The one model seam: every backend is an OpenAI-compatible chat model.

    model = llm.build_chat_model(settings, warm=system_prompt)   # the seam tests replace
    reply = llm.complete_json(model, messages, schema_name=..., schema=..., max_tokens=...)

A backend is a Provider (drafter/llm/providers.py) chosen by `settings.backend`: the embedded
model (a llama.cpp server on 127.0.0.1 that this process starts), or an OpenAI-compatible
server (OpenAI, Ollama, vLLM, a llama.cpp server). Nothing outside this package compares
backend names: ask `provider_for(settings)` or `backends()` instead.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ..config import Settings
from ..errors import BackendError, ConfigError, TruncatedReply
from .embedded import EmbeddedProvider
from .openai_compatible import LlamaCppProvider, OllamaProvider, OpenAICompatibleProvider, VLLMProvider
from .providers import Endpoint, Provider
from .replies import Reply, complete_json, parse_json_object

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

__all__ = [
    "ALLOW_MODEL_REQUESTS",
    "PROVIDERS",
    "BackendError",
    "Endpoint",
    "Provider",
    "Reply",
    "TruncatedReply",
    "backend_names",
    "backends",
    "build_chat_model",
    "complete_json",
    "decode_rate",
    "describe_backend",
    "parse_json_object",
    "provider_for",
    "release_all",
]

logger = logging.getLogger(__name__)

# Tests set this to False so that reaching a real model fails loudly.
ALLOW_MODEL_REQUESTS = True

# Room for one reply unless a call asks for another limit (complete_json binds its own).
DEFAULT_MAX_TOKENS = 400

PROVIDERS: dict[str, Provider] = {
    provider.name: provider
    for provider in (
        EmbeddedProvider(),
        OpenAICompatibleProvider(),
        OllamaProvider(),
        VLLMProvider(),
        LlamaCppProvider(),
    )
}


def backends() -> list[Provider]:
    """Every backend, in the order to offer them."""
    return list(PROVIDERS.values())


def backend_names() -> tuple[str, ...]:
    return tuple(PROVIDERS)


def provider_for(settings: Settings) -> Provider:
    """The provider `settings.backend` names; ConfigError naming DRAFTER_BACKEND otherwise."""
    try:
        return PROVIDERS[settings.backend]
    except KeyError:
        raise ConfigError(
            f"Unknown backend {settings.backend!r}: set DRAFTER_BACKEND to one of {', '.join(PROVIDERS)}."
        ) from None


def describe_backend(settings: Settings) -> tuple[str, str]:
    """(backend, model name) as shown to users and written to outputs."""
    provider = provider_for(settings)
    return provider.name, provider.model_name(settings)


def _check_allowed() -> None:
    if not ALLOW_MODEL_REQUESTS:
        raise RuntimeError(
            "A test tried to reach a real model: use the fake_model fixture or mark it real_model."
        )


def build_chat_model(settings: Settings, *, warm: str = "") -> BaseChatModel:
    """The chat model for the configured backend (the seam tests replace).

    `warm` is the fixed system prompt the caller's requests begin with: a backend that can
    keep it read ahead does so now, so the first draft does not pay for it.
    """
    _check_allowed()
    from langchain_openai import ChatOpenAI

    endpoint = provider_for(settings).endpoint(settings, warm=warm)
    return ChatOpenAI(
        base_url=endpoint.base_url or None,
        api_key=endpoint.api_key,  # type: ignore[arg-type]
        model=endpoint.model,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        temperature=settings.temperature,
        seed=settings.seed,
        max_tokens=DEFAULT_MAX_TOKENS,  # type: ignore[call-arg]
    )


def decode_rate(settings: Settings, tokens: int) -> dict[str, float]:
    """The server's own prompt and decode speed, where it reports them (llama.cpp does); else 0."""
    _check_allowed()
    import httpx

    endpoint = provider_for(settings).endpoint(settings)
    base_url = endpoint.base_url or "https://api.openai.com/v1"
    try:
        response = httpx.post(
            f"{base_url}/chat/completions",
            headers={"Authorization": f"Bearer {endpoint.api_key}"},
            json={
                "model": endpoint.model,
                "messages": [{"role": "user", "content": "Count from 1 to 1000, separated by spaces."}],
                "max_tokens": tokens,
                "temperature": 0,
            },
            timeout=settings.timeout,
        )
        body: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise BackendError(
            f"The model server did not answer the speed probe ({type(exc).__name__}): try again."
        ) from exc
    timings = body.get("timings") or {}
    return {
        "decode_tokens_per_s": float(timings.get("predicted_per_second", 0.0)),
        "prompt_tokens_per_s": float(timings.get("prompt_per_second", 0.0)),
    }


def release_all() -> None:
    """Stop every model server this process started (the next call starts one again)."""
    for provider in PROVIDERS.values():
        provider.release()
