"""Settings: the only module that reads os.environ.

Every option has a `DRAFTER_*` variable; OpenAI-compatible backends also read the usual
`OPENAI_API_KEY` and `OPENAI_BASE_URL`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "follow-up-drafter"


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number: set it to a number such as 2") from None


def _float(name: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number: set it to a number such as 60") from None


@dataclass(frozen=True)
class Settings:
    """Configuration for one drafter: backend, model, paths and limits."""

    backend: str = "embedded"  # a provider in drafter/llm/, which checks the name
    model: str = ""  # model name for the backend; empty means the backend's default
    api_key: str = field(default="", repr=False)
    base_url: str = ""
    data_dir: Path = field(default_factory=_default_data_dir)
    embedded_model: str = "qwen2.5-1.5b"
    model_path: str = ""  # any GGUF file; overrides embedded_model
    threads: int = 0  # 0: all cores
    parallel: int = 1  # embedded server slots
    context: int = 4096  # tokens per slot
    timeout: float = 120.0  # seconds per model call
    max_retries: int = 2
    attempts: int = 2  # drafting attempts before a draft keeps its warnings
    sender_name: str = ""
    chroma_url: str = ""
    embeddings: str = "local"  # local | openai
    temperature: float = 0.3
    seed: int | None = None  # a fixed sampling seed: the same prompt gets the same draft (evals set one)
    # The service (drafter serve): database, tokens, CORS, per-token job limit, row claim lease.
    database_url: str = field(default="", repr=False)  # may hold a password
    api_tokens: tuple[str, ...] = field(default=(), repr=False)
    cors_origins: tuple[str, ...] = ()
    max_jobs_per_token: int = 4
    job_lease: float = 60.0  # seconds a claimed batch row stays claimed without a heartbeat

    def __post_init__(self) -> None:
        if self.embeddings not in ("local", "openai"):
            raise ConfigError(
                f"Unknown embeddings {self.embeddings!r}: set DRAFTER_EMBEDDINGS to 'local' or 'openai'."
            )
        if self.timeout <= 0 or self.attempts < 1 or self.parallel < 1:
            raise ConfigError("DRAFTER_TIMEOUT, DRAFTER_ATTEMPTS and DRAFTER_PARALLEL must be positive.")
        if self.max_jobs_per_token < 1 or self.job_lease <= 0:
            raise ConfigError("DRAFTER_MAX_JOBS_PER_TOKEN and DRAFTER_JOB_LEASE must be positive.")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from `DRAFTER_*` variables (and OPENAI_*), then apply overrides."""
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        text = {
            "backend": "DRAFTER_BACKEND",
            "model": "DRAFTER_MODEL",
            "embedded_model": "DRAFTER_EMBEDDED_MODEL",
            "model_path": "DRAFTER_MODEL_PATH",
            "sender_name": "DRAFTER_SENDER_NAME",
            "chroma_url": "DRAFTER_CHROMA_URL",
            "embeddings": "DRAFTER_EMBEDDINGS",
            "database_url": "DRAFTER_DATABASE_URL",
        }
        for key, var in text.items():
            if env.get(var, "").strip():
                values[key] = env[var].strip()
        for key, var in {
            "threads": "DRAFTER_THREADS",
            "parallel": "DRAFTER_PARALLEL",
            "context": "DRAFTER_CONTEXT",
            "max_retries": "DRAFTER_MAX_RETRIES",
            "attempts": "DRAFTER_ATTEMPTS",
            "max_jobs_per_token": "DRAFTER_MAX_JOBS_PER_TOKEN",
            "seed": "DRAFTER_SEED",
        }.items():
            if env.get(var, "").strip():
                values[key] = _int(var, env[var].strip())
        for key, var in {
            "timeout": "DRAFTER_TIMEOUT",
            "temperature": "DRAFTER_TEMPERATURE",
            "job_lease": "DRAFTER_JOB_LEASE",
        }.items():
            if env.get(var, "").strip():
                values[key] = _float(var, env[var].strip())
        for key, var in {"api_tokens": "DRAFTER_API_TOKENS", "cors_origins": "DRAFTER_CORS_ORIGINS"}.items():
            items = tuple(item.strip() for item in env.get(var, "").split(",") if item.strip())
            if items:
                values[key] = items
        if env.get("DRAFTER_DATA_DIR", "").strip():
            values["data_dir"] = Path(env["DRAFTER_DATA_DIR"].strip()).expanduser()
        if env.get("OPENAI_API_KEY", "").strip():
            values["api_key"] = env["OPENAI_API_KEY"].strip()
        if env.get("OPENAI_BASE_URL", "").strip():
            values["base_url"] = env["OPENAI_BASE_URL"].strip()
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def user_guidance_dir(self) -> Path:
        return self.data_dir / "guidance"

    def describe(self) -> dict[str, Any]:
        """Settings safe to show or log: the API key is never included."""
        secret = ("api_key", "api_tokens", "database_url")
        return {f.name: str(getattr(self, f.name)) for f in fields(self) if f.name not in secret}
