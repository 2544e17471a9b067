"""The embedded model's server: llama.cpp (xllamacpp) on 127.0.0.1, started once per process.

The server starts lazily on a free loopback port with a random API key. A fixed system prompt
given by the caller is read once and its cache saved in the data directory, so later starts
restore it instead of reading it again.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ...config import Settings
from ...errors import ModelError
from .weights import model_label, prepare_model

logger = logging.getLogger(__name__)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalServer:
    """A running llama.cpp server on loopback."""

    base_url: str
    api_key: str
    model_name: str
    model_path: Path
    started_seconds: float
    _server: object | None = None
    prefix_ready: bool = False

    def stop(self) -> None:
        self._server = None  # xllamacpp stops the server when the object is released


_servers: dict[tuple[str, int, int, int], LocalServer] = {}
_lock = threading.Lock()


def _cache_dir(settings: Settings) -> Path:
    folder = settings.models_dir / "prompt-cache"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _slot_action(server: LocalServer, slot: int, action: str, filename: str) -> bool:
    """Ask the server to save or restore one slot's prompt cache; False when it could not."""
    import httpx

    try:
        response = httpx.post(
            f"{server.base_url.removesuffix('/v1')}/slots/{slot}?action={action}",
            json={"filename": filename},
            headers={"Authorization": f"Bearer {server.api_key}"},
            timeout=60,
        )
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def restore_prefix(server: LocalServer, filename: str, slots: int) -> bool:
    """Load a saved prompt prefix into every slot; False when there is none (or it fails)."""
    return all(_slot_action(server, slot, "restore", filename) for slot in range(slots))


def save_prefix(server: LocalServer, filename: str) -> bool:
    """Save slot 0's prompt cache (the prefix the last request read) under the cache folder."""
    return _slot_action(server, 0, "save", filename)


def ensure_prefix(server: LocalServer, settings: Settings, system: str) -> None:
    """Have the server's slots start with the fixed system prompt already read.

    The first time, the prompt is read once and the cache saved in the data directory; every
    later start restores it in a fraction of a second instead of reading ~700 tokens again.
    """
    if server.prefix_ready:
        return
    key = hashlib.sha256(f"{server.model_name}\n{settings.context}\n{system}".encode()).hexdigest()[:16]
    filename = f"system-{key}.bin"
    started = time.perf_counter()
    if (_cache_dir(settings) / filename).is_file() and restore_prefix(server, filename, settings.parallel):
        logger.info("system prompt cache restored in %.2f s", time.perf_counter() - started)
    else:
        import httpx

        try:
            httpx.post(
                f"{server.base_url}/chat/completions",
                headers={"Authorization": f"Bearer {server.api_key}"},
                json={
                    "model": server.model_name,
                    "max_tokens": 1,
                    "messages": [{"role": "system", "content": system}, {"role": "user", "content": "-"}],
                },
                timeout=settings.timeout,
            )
        except httpx.HTTPError:
            logger.info("could not prime the system prompt cache")
            return
        saved = save_prefix(server, filename)
        logger.info("system prompt read in %.1f s (cache saved: %s)", time.perf_counter() - started, saved)
    server.prefix_ready = True


def stop_servers() -> None:
    """Stop every embedded server this process started (the next draft starts one again)."""
    with _lock:
        servers = list(_servers.values())
        _servers.clear()
    for server in servers:
        server.stop()
    import gc

    gc.collect()


def _threads(settings: Settings) -> int:
    return settings.threads or max(1, os.cpu_count() or 1)


def _wait_ready(base_url: str, api_key: str, deadline: float) -> None:
    import httpx

    while time.monotonic() < deadline:
        try:
            response = httpx.get(
                f"{base_url}/models", headers={"Authorization": f"Bearer {api_key}"}, timeout=2
            )
            if response.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise ModelError("The embedded model server did not become ready: run `drafter model check`.")


def get_server(settings: Settings) -> LocalServer:
    """The process's embedded server for these settings, started on first use."""
    path = prepare_model(settings)
    key = (str(path), _threads(settings), settings.parallel, settings.context)
    with _lock:
        server = _servers.get(key)
        if server is not None:
            return server
        server = _start(settings, path)
        _servers[key] = server
        return server


def _start(settings: Settings, path: Path) -> LocalServer:
    try:
        import xllamacpp
    except ImportError as exc:  # pragma: no cover - guarded by the install
        raise ModelError("The llama.cpp runtime (xllamacpp) is not installed: run `make setup`.") from exc
    started = time.perf_counter()
    api_key = secrets.token_urlsafe(24)
    port = _free_port()
    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.api_keys = [api_key]
    params.n_parallel = settings.parallel
    params.n_ctx = settings.context * settings.parallel
    params.cpuparams.n_threads = _threads(settings)
    params.cpuparams_batch.n_threads = _threads(settings)
    params.cache_prompt = True
    params.cont_batching = True
    params.warmup = False
    params.offline = True
    params.endpoint_slots = True  # prompt-cache save and restore, on loopback with our key
    params.slot_save_path = str(_cache_dir(settings)) + os.sep  # the server appends the file name as is
    params.endpoint_metrics = False
    params.ui = False
    params.verbosity = -1
    params.model_alias = model_label(settings)
    try:
        handle = xllamacpp.Server(params)
    except Exception as exc:
        raise ModelError(
            f"The embedded model failed to start from {path} ({type(exc).__name__}): delete the file and "
            "run `make setup`, or set DRAFTER_MODEL_PATH to a valid GGUF file."
        ) from exc
    base_url = f"http://127.0.0.1:{port}/v1"
    _wait_ready(base_url, api_key, time.monotonic() + 120)
    elapsed = time.perf_counter() - started
    logger.info("embedded model %s ready on 127.0.0.1:%d in %.1f s", path.name, port, elapsed)
    server = LocalServer(base_url, api_key, model_label(settings), path, elapsed, handle)
    atexit.register(server.stop)
    return server
