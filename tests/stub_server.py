"""A stub OpenAI-compatible server on 127.0.0.1 for fault tests.

Each POST /v1/chat/completions takes the next scripted behaviour (or `default`):

    with StubServer([rate_limited(1), ok('{"a": 1}')]) as stub:
        settings = Settings(backend="openai", base_url=stub.url + "/v1", ...)

`refused_url()` gives the address of a port nobody listens on.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Behaviour = Callable[["_Handler"], None]


def completion(content: str, model: str = "stub-model") -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 8, "total_tokens": 20},
    }


def ok(content: str | dict[str, Any] | Callable[[dict[str, Any]], str]) -> Behaviour:
    """A normal reply; content may be a dict (sent as JSON) or a function of the request body."""

    def run(handler: _Handler) -> None:
        text = content(handler.body) if callable(content) else content
        if isinstance(text, dict):
            text = json.dumps(text)
        handler.send_json(200, completion(text))

    return run


def slow(seconds: float, then: Behaviour | None = None) -> Behaviour:
    """Wait (past the client's timeout), then answer normally."""

    def run(handler: _Handler) -> None:
        handler.stub.stopping.wait(seconds)
        (then or ok("{}"))(handler)

    return run


def status(code: int, headers: dict[str, str] | None = None, message: str = "stub failure") -> Behaviour:
    def run(handler: _Handler) -> None:
        handler.send_json(code, {"error": {"message": message, "type": "server_error"}}, headers)

    return run


def rate_limited(retry_after: int = 1) -> Behaviour:
    return status(429, {"Retry-After": str(retry_after)}, "rate limited")


def malformed() -> Behaviour:
    """HTTP 200 whose body is not JSON at all."""

    def run(handler: _Handler) -> None:
        handler.send_raw(200, b'{"id": "chatcmpl-stub", "choices": [{"mess')

    return run


def truncated() -> Behaviour:
    """Promise a longer body than is sent, then hang up."""

    def run(handler: _Handler) -> None:
        body = json.dumps(completion('{"a": 1}')).encode()
        handler.send_raw(200, body[: len(body) // 2], length=len(body))
        handler.close_connection = True

    return run


def hang_up() -> Behaviour:
    """Close the connection without any reply (an empty reply)."""

    def run(handler: _Handler) -> None:
        handler.close_connection = True
        handler.connection.shutdown(socket.SHUT_RDWR)

    return run


def by_content(rules: list[tuple[str, Behaviour]], otherwise: Behaviour) -> Behaviour:
    """The first rule whose text appears in the request's messages, else `otherwise`."""

    def run(handler: _Handler) -> None:
        text = json.dumps(handler.body.get("messages", []), ensure_ascii=False)
        for needle, behaviour in rules:
            if needle in text:
                return behaviour(handler)
        return otherwise(handler)

    return run


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    body: dict[str, Any]

    @property
    def stub(self) -> StubServer:
        return self.server.stub

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            self.body = json.loads(raw or b"{}")
        except ValueError:
            self.body = {}
        behaviour = self.stub.record(self)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self.send_json(404, {"error": {"message": f"no route {self.path}"}})
            return
        try:
            behaviour(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout): nothing to do

    def send_json(self, code: int, data: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self.send_raw(code, json.dumps(data).encode(), headers=headers)

    def send_raw(
        self, code: int, body: bytes, *, length: int | None = None, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stub: StubServer


class StubServer:
    """A threaded stub on a free loopback port; a context manager."""

    def __init__(self, script: list[Behaviour] | None = None, default: Behaviour | None = None) -> None:
        self.script: deque[Behaviour] = deque(script or [])
        self.default = default
        self.requests: list[dict[str, Any]] = []  # {'path', 'authorization', 'body'}
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.stub = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def record(self, handler: _Handler) -> Behaviour:
        with self._lock:
            self.requests.append(
                {
                    "path": handler.path,
                    "authorization": handler.headers.get("Authorization", ""),
                    "body": handler.body,
                }
            )
            if self.script:
                return self.script.popleft()
            if self.default is not None:
                return self.default
        return status(500, message="stub: no behaviour scripted for this request")

    def start(self) -> StubServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def refused_url() -> str:
    """The address of a loopback port with nothing listening: connections are refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
