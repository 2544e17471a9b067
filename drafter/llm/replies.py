"""Structured replies: one JSON call to any OpenAI-compatible chat model, SDK errors wrapped.

`complete_json` asks for JSON-schema output, falls back to JSON mode where a server refuses
it, and returns a typed `Reply`; every SDK error leaves here as a BackendError saying what
to do next.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import BackendError, TruncatedReply

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import BaseMessage

logger = logging.getLogger(__name__)


@dataclass
class Reply:
    """A model reply: the parsed JSON (for structured calls), the raw text and token counts."""

    data: dict[str, Any]
    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    seconds: float = 0.0


def _wrap(exc: Exception) -> BackendError:
    """Turn an SDK error into one line a person can act on (never echoing keys)."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return BackendError("The model did not answer in time: try again, or raise DRAFTER_TIMEOUT.")
    if isinstance(exc, openai.APIConnectionError):
        return BackendError(
            "Could not reach the model server: check OPENAI_BASE_URL and that the server is running."
        )
    if isinstance(exc, openai.AuthenticationError):
        return BackendError("The model server refused the API key: check OPENAI_API_KEY.")
    if isinstance(exc, openai.RateLimitError):
        return BackendError("The model server is rate limiting requests: wait a minute and try again.")
    if isinstance(exc, openai.NotFoundError):
        return BackendError("The model server does not know that model: check DRAFTER_MODEL.")
    if isinstance(exc, openai.APIStatusError):
        return BackendError(f"The model server failed (HTTP {exc.status_code}): try again later.")
    return BackendError(f"The model call failed ({type(exc).__name__}): try again.")


_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


def parse_json_object(text: str) -> dict[str, Any]:
    """Parse a JSON object from a reply, tolerating code fences and text around it."""
    text = text.strip()
    candidates = [text]
    match = _JSON_OBJECT.search(text)
    if match:
        candidates.append(match.group(0))
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except (json.JSONDecodeError, ValueError):
            continue
        if isinstance(value, dict):
            return value
    raise BackendError("The model's reply was not the JSON that was asked for: try again.")


def _usage(message: Any) -> tuple[int, int, int]:
    usage = getattr(message, "usage_metadata", None) or {}
    cached = (usage.get("input_token_details") or {}).get("cache_read", 0) or 0
    return int(usage.get("input_tokens", 0) or 0), int(usage.get("output_tokens", 0) or 0), int(cached)


def complete_json(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    *,
    schema_name: str,
    schema: dict[str, Any],
    max_tokens: int,
) -> Reply:
    """One structured call: JSON-schema output where supported, else JSON mode and parse."""
    import openai

    started = time.perf_counter()
    formats: list[dict[str, Any]] = [
        {"type": "json_schema", "json_schema": {"name": schema_name, "schema": schema, "strict": True}},
        {"type": "json_object"},
    ]
    last_error: Exception | None = None
    for response_format in formats:
        try:
            message = model.bind(response_format=response_format, max_tokens=max_tokens).invoke(
                list(messages)
            )
        except openai.BadRequestError as exc:
            # A backend without JSON-schema support: fall back to JSON mode.
            last_error = exc
            logger.info("backend refused %s output; falling back", response_format["type"])
            continue
        except openai.LengthFinishReasonError as exc:
            raise TruncatedReply("The model's reply was cut at the token limit.") from exc
        except openai.OpenAIError as exc:
            raise _wrap(exc) from exc
        except ValueError as exc:
            # A 200 whose body is not JSON at all (the SDK's own decoding failed).
            raise BackendError(
                "The model server sent a reply that is not valid JSON: try again, or check the server."
            ) from exc
        text = str(message.content)
        if (getattr(message, "response_metadata", None) or {}).get("finish_reason") == "length":
            raise TruncatedReply("The model's reply was cut at the token limit.")
        data = parse_json_object(text)
        tokens_in, tokens_out, cached = _usage(message)
        return Reply(data, text, tokens_in, tokens_out, cached, time.perf_counter() - started)
    assert last_error is not None
    raise _wrap(last_error) from last_error
