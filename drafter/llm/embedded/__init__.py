"""The embedded backend: a bundled GGUF model served by llama.cpp on 127.0.0.1 by this process."""

from __future__ import annotations

from typing import ClassVar

from ...config import Settings
from ..providers import Endpoint, Provider


class EmbeddedProvider(Provider):
    name: ClassVar[str] = "embedded"
    label: ClassVar[str] = "Embedded model (on this computer)"
    runs_locally: ClassVar[bool] = True

    def model_name(self, settings: Settings) -> str:
        from .weights import model_label

        return model_label(settings)

    def endpoint(self, settings: Settings, *, warm: str = "") -> Endpoint:
        from .server import ensure_prefix, get_server

        server = get_server(settings)
        if warm:
            ensure_prefix(server, settings, warm)
        return Endpoint(server.base_url, server.model_name, server.api_key)

    def prepare(self, settings: Settings) -> str:
        from .weights import prepare_model

        return str(prepare_model(settings))

    def for_concurrency(self, settings: Settings, concurrency: int) -> Settings:
        # Each concurrent call needs a slot of its own on the server, or it waits its turn and
        # can run into the timeout.
        return settings.with_(parallel=max(settings.parallel, concurrency))

    def release(self) -> None:
        from .server import stop_servers

        stop_servers()
