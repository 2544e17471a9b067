"""OpenAI-compatible servers: OpenAI itself, or Ollama, vLLM and llama.cpp servers by base URL.

`DRAFTER_BACKEND=openai` with `OPENAI_BASE_URL` reaches any of them; the named presets only
supply the usual local address, so `DRAFTER_BACKEND=ollama DRAFTER_MODEL=llama3.2` is enough.
"""

from __future__ import annotations

import logging
from typing import ClassVar

from ..config import Settings
from ..errors import ConfigError
from .providers import Endpoint, Provider

logger = logging.getLogger(__name__)


class OpenAICompatibleProvider(Provider):
    name: ClassVar[str] = "openai"
    label: ClassVar[str] = "OpenAI-compatible server"
    server_options: ClassVar[bool] = True
    default_model: ClassVar[str] = "gpt-4o-mini"
    needs_key: ClassVar[bool] = True  # unless a base URL points elsewhere

    def model_name(self, settings: Settings) -> str:
        return settings.model or self.default_model

    def endpoint(self, settings: Settings, *, warm: str = "") -> Endpoint:
        base_url = settings.base_url or self.default_base_url
        if self.needs_key and not settings.api_key and not base_url:
            raise ConfigError(
                f"No API key for backend {self.name!r}: set OPENAI_API_KEY (and OPENAI_BASE_URL for another "
                "OpenAI-compatible server), or use the embedded model (DRAFTER_BACKEND=embedded)."
            )
        model = self.model_name(settings)
        if not model:
            raise ConfigError(
                f"Backend {self.name!r} needs a model name: set DRAFTER_MODEL to a model the server has."
            )
        logger.info("backend %s, model %s, custom base url: %s", self.name, model, bool(base_url))
        # Local servers (Ollama, vLLM, llama.cpp) accept any key; the client insists on one.
        return Endpoint(base_url, model, settings.api_key or "not-needed")


class LocalServerPreset(OpenAICompatibleProvider):
    """A server someone runs on this computer, at its usual address unless OPENAI_BASE_URL says."""

    needs_key: ClassVar[bool] = False
    default_model: ClassVar[str] = ""


class OllamaProvider(LocalServerPreset):
    name: ClassVar[str] = "ollama"
    label: ClassVar[str] = "Ollama server"
    default_base_url: ClassVar[str] = "http://127.0.0.1:11434/v1"


class VLLMProvider(LocalServerPreset):
    name: ClassVar[str] = "vllm"
    label: ClassVar[str] = "vLLM server"
    default_base_url: ClassVar[str] = "http://127.0.0.1:8000/v1"


class LlamaCppProvider(LocalServerPreset):
    name: ClassVar[str] = "llamacpp"
    label: ClassVar[str] = "llama.cpp server"
    default_base_url: ClassVar[str] = "http://127.0.0.1:8080/v1"
