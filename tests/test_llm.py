import httpx
import openai
import pytest
from langchain_core.messages import HumanMessage

from drafter import llm
from drafter.config import Settings
from drafter.errors import BackendError, ConfigError
from drafter.testing import FakeChatModel

SCHEMA = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('```json\n{"a": 2}\n```', {"a": 2}),
        ('Sure! Here it is: {"a": 3} Hope it helps.', {"a": 3}),
    ],
)
def test_parse_json_object_tolerates_wrapping(text: str, expected: dict) -> None:
    assert llm.parse_json_object(text) == expected


@pytest.mark.parametrize("text", ["", "not json", '["a", 1]', '{"a": 1'])
def test_parse_json_object_rejects_non_objects(text: str) -> None:
    with pytest.raises(BackendError, match="JSON"):
        llm.parse_json_object(text)


def test_openai_backend_without_key_or_url_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llm, "ALLOW_MODEL_REQUESTS", True)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        llm.build_chat_model(Settings.from_env(backend="openai"))


def test_openai_compatible_server_needs_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llm, "ALLOW_MODEL_REQUESTS", True)
    model = llm.build_chat_model(
        Settings.from_env(backend="openai", base_url="http://127.0.0.1:11434/v1", model="llama3.2", timeout=9)
    )
    assert model.model_name == "llama3.2"
    assert model.request_timeout == 9


def test_real_model_requests_fail_loudly_in_tests() -> None:
    with pytest.raises(RuntimeError, match="fake_model"):
        llm.build_chat_model(Settings.from_env())


def test_structured_call_asks_for_json_schema() -> None:
    model = FakeChatModel([{"a": 5}])
    reply = llm.complete_json(model, [HumanMessage("hi")], schema_name="s", schema=SCHEMA, max_tokens=10)
    assert reply.data == {"a": 5}
    kwargs = model.calls[0]["kwargs"]
    assert kwargs["response_format"]["type"] == "json_schema"
    assert kwargs["max_tokens"] == 10


def test_falls_back_to_json_mode_when_schema_output_is_refused() -> None:
    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    refused = openai.BadRequestError(
        "response_format json_schema not supported", response=httpx.Response(400, request=request), body=None
    )
    model = FakeChatModel([refused, '{"a": 7}'])
    reply = llm.complete_json(model, [HumanMessage("hi")], schema_name="s", schema=SCHEMA, max_tokens=10)
    assert reply.data == {"a": 7}
    assert [c["kwargs"]["response_format"]["type"] for c in model.calls] == ["json_schema", "json_object"]


def test_sdk_errors_become_backend_errors_that_say_what_to_do() -> None:
    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    model = FakeChatModel([openai.APIConnectionError(request=request)])
    with pytest.raises(BackendError, match="Could not reach the model server"):
        llm.complete_json(model, [HumanMessage("hi")], schema_name="s", schema=SCHEMA, max_tokens=10)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DRAFTER_BACKEND": "claude"}, "DRAFTER_BACKEND"),
        ({"DRAFTER_EMBEDDED_MODEL": "gpt2"}, "DRAFTER_EMBEDDED_MODEL"),
    ],
)
def test_unknown_backends_and_models_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        llm.describe_backend(Settings.from_env(env))


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ("embedded", "qwen2.5-coder-1.5b-instruct-q4_k_m")),
        ({"DRAFTER_EMBEDDED_MODEL": "qwen2.5-0.5b"}, ("embedded", "qwen2.5-coder-0.5b-instruct-q4_k_m")),
        ({"DRAFTER_MODEL_PATH": "/models/mine.gguf"}, ("embedded", "mine.gguf")),
        ({"DRAFTER_BACKEND": "openai"}, ("openai", "gpt-4o-mini")),
        ({"DRAFTER_BACKEND": "ollama", "DRAFTER_MODEL": "llama3.2"}, ("ollama", "llama3.2")),
    ],
)
def test_describe_backend_names_backend_and_model(env: dict[str, str], expected: tuple[str, str]) -> None:
    assert llm.describe_backend(Settings.from_env(env)) == expected


@pytest.mark.parametrize(
    ("backend", "base_url"),
    [
        ("ollama", "http://127.0.0.1:11434/v1"),
        ("vllm", "http://127.0.0.1:8000/v1"),
        ("llamacpp", "http://127.0.0.1:8080/v1"),
    ],
)
def test_local_server_presets_need_no_key_and_use_their_usual_address(
    monkeypatch: pytest.MonkeyPatch, backend: str, base_url: str
) -> None:
    monkeypatch.setattr(llm, "ALLOW_MODEL_REQUESTS", True)
    model = llm.build_chat_model(Settings.from_env(backend=backend, model="m"))
    assert str(model.openai_api_base) == base_url and model.model_name == "m"
    moved = llm.build_chat_model(
        Settings.from_env(backend=backend, model="m", base_url="http://10.0.0.2:1/v1")
    )
    assert moved.openai_api_base == "http://10.0.0.2:1/v1"


def test_a_local_server_preset_without_a_model_says_to_set_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llm, "ALLOW_MODEL_REQUESTS", True)
    with pytest.raises(ConfigError, match="DRAFTER_MODEL"):
        llm.build_chat_model(Settings.from_env(backend="vllm"))


def test_concurrency_asks_the_embedded_server_for_slots_and_leaves_remote_servers_alone() -> None:
    embedded = Settings.from_env(parallel=1)
    assert llm.provider_for(embedded).for_concurrency(embedded, 3).parallel == 3
    assert llm.provider_for(embedded).for_concurrency(embedded.with_(parallel=4), 2).parallel == 4
    remote = Settings.from_env(backend="openai", parallel=1)
    assert llm.provider_for(remote).for_concurrency(remote, 3) == remote


def test_every_backend_is_offered_with_a_label_once() -> None:
    names = [provider.name for provider in llm.backends()]
    assert names == list(llm.backend_names()) and len(set(names)) == len(names)
    assert names[0] == "embedded" and "openai" in names
    assert all(provider.label for provider in llm.backends())
    assert [p.name for p in llm.backends() if p.runs_locally] == ["embedded"]


def test_the_seam_loads_no_sdk_until_a_model_is_built() -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom drafter import llm\nfrom drafter.config import Settings\n"
        "llm.describe_backend(Settings())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openai', 'langchain_openai', 'httpx')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_seam_does_not_import_the_drafting_prompts() -> None:
    import ast
    from pathlib import Path

    folder = Path(llm.__file__).parent
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert "prompts" not in (node.module or ""), path


def test_a_seed_from_the_environment_reaches_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llm, "ALLOW_MODEL_REQUESTS", True)
    server = {"backend": "openai", "base_url": "http://127.0.0.1:11434/v1", "model": "m"}
    seeded = llm.build_chat_model(Settings.from_env({"DRAFTER_SEED": "7"}, **server))
    assert seeded.seed == 7  # type: ignore[attr-defined]
    assert llm.build_chat_model(Settings.from_env({}, **server)).seed is None  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match="DRAFTER_SEED='x' is not a whole number"):
        Settings.from_env({"DRAFTER_SEED": "x"})
