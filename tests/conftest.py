"""Shared fixtures: a clean environment, a private data directory, and the fake model seam."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drafter import llm
from drafter.config import Settings
from drafter.testing import FakeChatModel

# Where `make setup` put the assembled model and index; captured before the environment is
# cleaned so real-model tests can still find them.
REAL_DATA_DIR = Settings.from_env().data_dir


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """Clear DRAFTER_* and OPENAI_* variables and point the data directory at tmp_path."""
    for name in list(os.environ):
        if name.startswith(("DRAFTER_", "OPENAI_")):
            monkeypatch.delenv(name, raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("DRAFTER_DATA_DIR", str(data_dir))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    if request.node.get_closest_marker("real_model") is None:
        # A test that would reach a real model fails loudly unless it asks for one.
        monkeypatch.setattr(llm, "ALLOW_MODEL_REQUESTS", False)
    return data_dir


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> FakeChatModel:
    """Install a FakeChatModel at the model seam; queue replies on it."""
    model = FakeChatModel()
    monkeypatch.setattr(llm, "build_chat_model", lambda settings, **options: model)
    return model


@pytest.fixture
def real_data_dir(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Use the data directory that `make setup` prepared (model and index)."""
    monkeypatch.setenv("DRAFTER_DATA_DIR", str(REAL_DATA_DIR))
    return REAL_DATA_DIR
