"""Settings from the sidebar, one warmed-up Drafter per configuration, and the status box.

The sidebar offers every backend drafter knows (`drafter.backends()`); a backend that takes
server options shows a base URL, a model name and an API key. The key lives only in this
browser session: it is never saved, logged or shown, and enters the cache key as a hash.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import streamlit as st

from drafter import CHANNELS, ConfigError, DrafterError, Provider, Settings, backends

from .text import AUTO, CHANNEL_LABELS, describe_error, md_escape

if TYPE_CHECKING:
    from drafter import Drafter

logger = logging.getLogger("drafter.app")
ss = st.session_state

BACKENDS: dict[str, Provider] = {provider.name: provider for provider in backends()}
DEFAULT_BASE_URL = "https://api.openai.com/v1"


def session_defaults() -> dict[str, Any]:
    """First values of the app's session state; settings come from the environment."""
    try:
        env = Settings.from_env()
    except DrafterError:
        env = Settings()
    provider = BACKENDS.get(env.backend) or next(iter(BACKENDS.values()))
    return {
        "backend": provider.name,
        "base_url": env.base_url,
        "model_name": env.model if provider.server_options else "",
        "api_key": "",
        "default_channel": "email",
        "sender_name": env.sender_name,
        "f_next_step": AUTO,
        "batch_items": [],
        "review_version": 0,
    }


def build_settings(backend: str, base_url: str = "", model: str = "", api_key: str = "") -> Settings:
    """Settings from the environment with the sidebar's choices on top (blank means: keep).

    The sender is not part of them: each request carries its own, so changing the name never
    makes a new drafter.
    """
    if BACKENDS[backend].server_options:
        return Settings.from_env(
            backend=backend,
            base_url=base_url.strip() or None,
            model=model.strip() or None,
            api_key=api_key.strip() or None,
        )
    return Settings.from_env(backend=backend)


def settings_fingerprint(settings: Settings) -> str:
    """A cache key for one configuration. The API key enters only as a hash of a hash."""
    shown = sorted(settings.describe().items())
    key_digest = hashlib.sha256(settings.api_key.encode()).hexdigest() if settings.api_key else ""
    return hashlib.sha256(repr((shown, key_digest)).encode()).hexdigest()[:24]


@dataclass
class Engine:
    """One Drafter per configuration and server process, warmed up once."""

    drafter: Drafter
    runs_locally: bool = False  # the first draft waits for a model this process starts
    ready: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def warm_up(self) -> None:
        with self._lock:
            if not self.ready:
                self.drafter.warm_up()
                self.ready = True


@st.cache_resource(show_spinner=False, max_entries=4)
def _engine(fingerprint: str, _settings: Settings) -> Engine:
    from drafter import Drafter  # LangChain and Chroma load with the first engine, not the first page

    return Engine(Drafter(_settings), runs_locally=BACKENDS[_settings.backend].runs_locally)


def get_engine(settings: Settings) -> Engine | None:
    try:
        return _engine(settings_fingerprint(settings), settings)
    except Exception as exc:
        st.error(md_escape(describe_error(exc)))
        return None


def run_drafts(engine: Engine, label: str, work: Callable[[], object]) -> bool:
    """Warm the model up (saying so the first time), then run `work` under a status box.

    A failure closes the box and shows one st.error below it, never a traceback.
    """
    error: Exception | None = None
    started = time.perf_counter()
    with st.status(label, expanded=False) as status:
        try:
            if not engine.ready:
                loading = "Loading the guidance (first run only)…"
                if engine.runs_locally:
                    loading = "Loading the model (first run only: about 20 seconds)…"
                status.update(label=loading)
                engine.warm_up()
                status.update(label=label)
            started = time.perf_counter()
            work()
        except Exception as exc:
            if not isinstance(exc, DrafterError):
                logger.exception("drafting failed")
            error = exc
            status.update(label="Drafting failed", state="error")
        else:
            status.update(label=f"Done in {time.perf_counter() - started:.0f} s", state="complete")
    if error is not None:
        st.error(md_escape(describe_error(error)))
        return False
    return True


def _sender_changed() -> None:
    ss.f_sender = ss.sender_name


def _channel_changed() -> None:
    ss.f_channel = ss.default_channel


def init_state() -> None:
    for key, value in session_defaults().items():
        ss.setdefault(key, value)
    ss.setdefault("f_sender", ss.sender_name)
    ss.setdefault("f_channel", ss.default_channel)


def sidebar() -> Settings | None:
    """The settings the sidebar chooses, or None (with the reason shown) when they cannot work."""
    with st.sidebar:
        st.header("Settings")
        st.radio("Backend", list(BACKENDS), format_func=lambda name: BACKENDS[name].label, key="backend")
        provider = BACKENDS[ss.backend]
        if provider.server_options:
            st.text_input(
                "Base URL", key="base_url", placeholder=provider.default_base_url or DEFAULT_BASE_URL
            )
            st.text_input(
                "Model", key="model_name", placeholder=provider.default_model or "the server's model"
            )
            st.text_input(
                "API key",
                key="api_key",
                type="password",
                help="Kept for this browser session only: never saved, never logged.",
            )
        st.selectbox(
            "Default channel",
            list(CHANNELS),
            format_func=CHANNEL_LABELS.__getitem__,
            key="default_channel",
            on_change=_channel_changed,
        )
        st.text_input("Your name", key="sender_name", on_change=_sender_changed, help="Signs every message.")
        try:
            return build_settings(ss.backend, ss.base_url, ss.model_name, ss.api_key)
        except ConfigError as exc:
            st.error(md_escape(exc))
            return None


def model_caption(settings: Settings | None) -> None:
    """At the end of the run, so it shows the state after any drafting in this run."""
    with st.sidebar:
        engine = get_engine(settings) if settings is not None else None
        if engine is not None:
            state = "ready" if engine.ready else "loads on the first draft"
            st.caption(
                md_escape(f"Model: {engine.drafter.backend_name} · {engine.drafter.model_name} ({state})")
            )
