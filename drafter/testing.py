"""A fake chat model for tests: returns queued replies and records what it was sent.

It stands in at the one model seam (`drafter.llm.build_chat_model`), so every step above it
runs for real.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

Reply = str | dict[str, Any] | Exception | Callable[[list[BaseMessage]], Any]


class FakeChatModel(BaseChatModel):
    """Replies from a queue (strings, dicts sent as JSON, exceptions raised, or callables).

    When the queue is empty, `default` (if set) answers every further call.
    """

    model_name: str = "fake-model"
    default: Any = None
    _queue: list[Any] = PrivateAttr(default_factory=list)
    _calls: list[dict[str, Any]] = PrivateAttr(default_factory=list)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def __init__(self, replies: list[Reply] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._queue = list(replies or [])

    @property
    def _llm_type(self) -> str:
        return "fake-chat-model"

    @property
    def calls(self) -> list[dict[str, Any]]:
        """Each call: {'messages': [...], 'kwargs': {...}}."""
        return self._calls

    def queue(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def prompt_text(self, call: int = -1) -> str:
        """All message contents of one call, joined: what the model was shown."""
        return "\n".join(str(m.content) for m in self._calls[call]["messages"])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with self._lock:
            self._calls.append({"messages": list(messages), "kwargs": dict(kwargs)})
            if self._queue:
                reply = self._queue.pop(0)
            elif self.default is not None:
                reply = self.default
            else:
                raise AssertionError("FakeChatModel: no reply queued for this call")
        if callable(reply) and not isinstance(reply, Exception):
            reply = reply(messages)
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, dict):
            reply = json.dumps(reply)
        message = AIMessage(
            content=str(reply),
            usage_metadata={"input_tokens": 100, "output_tokens": 50, "total_tokens": 150},
        )
        return ChatResult(generations=[ChatGeneration(message=message)])
