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
