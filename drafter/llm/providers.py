"""What a backend is: a provider that knows how to reach one OpenAI-compatible chat endpoint.

Every backend is reached the same way (an OpenAI-compatible chat model); a provider only
says where that endpoint is, which model it serves, what must be done once before it can
answer, and how it is shown to people. Add a backend by writing a Provider and registering
it in `drafter/llm/__init__.py`; nothing outside this package looks at backend names.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from ..config import Settings


@dataclass(frozen=True)
class Endpoint:
    """Where a chat model answers: an OpenAI-compatible base URL ('' = OpenAI's own), key, model."""

    base_url: str
    model: str
    api_key: str = field(default="", repr=False)


class Provider(ABC):
    """One backend. Subclasses set the class attributes and implement `model_name`, `endpoint`."""

    name: ClassVar[str]
    label: ClassVar[str]  # shown in the app's backend choice
    runs_locally: ClassVar[bool] = False  # started by this process: the first draft waits for it
    server_options: ClassVar[bool] = False  # takes a base URL, model name and API key from the person
    default_base_url: ClassVar[str] = ""
    default_model: ClassVar[str] = ""

    @abstractmethod
    def model_name(self, settings: Settings) -> str:
        """The model as shown to people and written to outputs (may be '' when not yet chosen)."""

    @abstractmethod
    def endpoint(self, settings: Settings, *, warm: str = "") -> Endpoint:
        """The endpoint to call, started or checked as needed.

        `warm` is a fixed system prompt every call begins with; a provider that can keep it
        read ahead (the embedded server's prompt cache) does so. ConfigError when the settings
        are not enough to reach the backend.
        """

    def prepare(self, settings: Settings) -> str:
        """One-time set-up before the first call (e.g. assembling model weights); what was done."""
        return f"backend {self.name}: nothing to prepare"

    def for_concurrency(self, settings: Settings, concurrency: int) -> Settings:
        """Settings under which `concurrency` calls can run at once without queueing."""
        return settings

    def release(self) -> None:
        """Stop whatever this process started for the backend (the next call starts it again)."""
        return None
