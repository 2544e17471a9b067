"""Request size limits and a log line per request (method, route, status, time; never bodies,
query strings or headers, so notes and tokens stay out of the log)."""

from __future__ import annotations

import json
import logging
import time
import traceback

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..batch import MAX_BYTES
from .errors import BodyTooLarge

logger = logging.getLogger("drafter.service.access")

UPLOAD_LIMIT = MAX_BYTES + 256 * 1024  # a file: the file limit plus form overhead
REQUEST_LIMIT = 64 * 1024  # anything else (one draft's notes are at most 6,000 characters)
UPLOADS = ("/v1/batches", "/v1/contacts/import")  # a batch of rows; a LinkedIn or vCard export


def limit_for(scope: Scope) -> int:
    if scope.get("method") == "POST" and scope.get("path", "").rstrip("/") in UPLOADS:
        return UPLOAD_LIMIT
    return REQUEST_LIMIT


class BodyLimit:
    """413 for a declared Content-Length over the limit, or a body that streams past it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        received = 0
        started = False

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracking)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(send, limit)


async def _too_large(send: Send, limit: int) -> None:
    message = f"The request body is over {limit:,} bytes: send a smaller file or fewer rows."
    await _send_error(send, 413, "too_large", message)


async def _send_error(send: Send, code: int, kind: str, message: str) -> None:
    body = json.dumps({"type": kind, "message": message, "field": None}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def tracking(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            # A bug: one line in the log (the traceback only at debug level, since exception
            # messages may quote user text), and a 500 with the usual body if nothing was sent.
            method, path = scope.get("method"), scope.get("path")
            logger.error("%s %s: internal error %s", method, path, type(exc).__name__)
            logger.debug("traceback:\n%s", "".join(traceback.format_tb(exc.__traceback__)))
            if status:
                raise
            status = 500
            await _send_error(send, 500, "internal_error", "Internal error: the server log has the details.")
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or scope.get("path", "")
            logger.info(
                "%s %s %d %.0f ms", scope.get("method"), path, status, (time.perf_counter() - started) * 1000
            )
