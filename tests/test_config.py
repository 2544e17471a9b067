from pathlib import Path

import pytest

from drafter.config import Settings
from drafter.errors import ConfigError


def test_defaults_use_embedded_backend_and_data_dir_from_env(clean_env: Path) -> None:
    settings = Settings.from_env()
    assert settings.backend == "embedded"
    assert settings.data_dir == clean_env
    assert settings.models_dir == clean_env / "models"


@pytest.mark.parametrize(
    ("env", "field", "value"),
    [
        ({"DRAFTER_BACKEND": "openai"}, "backend", "openai"),
        ({"DRAFTER_MODEL": "llama3.1"}, "model", "llama3.1"),
        ({"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"}, "base_url", "http://127.0.0.1:11434/v1"),
        ({"DRAFTER_TIMEOUT": "7.5"}, "timeout", 7.5),
        ({"DRAFTER_PARALLEL": "2"}, "parallel", 2),
        ({"DRAFTER_SENDER_NAME": " Priya "}, "sender_name", "Priya"),
        ({"DRAFTER_EMBEDDED_MODEL": "qwen2.5-0.5b"}, "embedded_model", "qwen2.5-0.5b"),
    ],
)
def test_env_variables_set_options(env: dict[str, str], field: str, value: object) -> None:
    assert getattr(Settings.from_env(env), field) == value


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DRAFTER_TIMEOUT": "soon"}, "DRAFTER_TIMEOUT"),
        ({"DRAFTER_PARALLEL": "0"}, "DRAFTER_PARALLEL"),
        ({"DRAFTER_EMBEDDINGS": "bert"}, "DRAFTER_EMBEDDINGS"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_api_key_is_never_shown() -> None:
    settings = Settings.from_env({"OPENAI_API_KEY": "sk-planted-secret-123"})
    assert settings.api_key == "sk-planted-secret-123"
    assert "sk-planted" not in repr(settings)
    assert "sk-planted" not in str(settings.describe())


def test_overrides_win_over_environment() -> None:
    settings = Settings.from_env({"DRAFTER_BACKEND": "openai"}, backend="embedded", model=None)
    assert settings.backend == "embedded"
