"""One JSON error body for every failure: {"type", "message", "field"}; never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..batch import validation_problems
from ..errors import BackendError, ConfigError, DrafterError, InputError, ModelError, RetrievalError

logger = logging.getLogger(__name__)

RETRY_AFTER_BACKEND = 30  # seconds a client should wait after a 503 from the model backend
TYPES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_jobs",
    500: "internal_error",
    503: "backend_unavailable",
}


class ApiError(Exception):
    """An error reply: HTTP status, a type, a message that says what to do, and the field at fault."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        type: str | None = None,  # noqa: A002 - the body's key
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.type = type or TYPES.get(status, "error")
        self.headers = headers or {}


class BodyTooLarge(StarletteHTTPException):
    """Raised while a request body is read past its limit (FastAPI lets HTTP exceptions through)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is over {limit:,} bytes: send a smaller file or fewer rows.")


def error_response(
    status: int,
    message: str,
    *,
    field: str | None = None,
    type: str | None = None,  # noqa: A002
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"type": type or TYPES.get(status, "error"), "message": message, "field": field}
    return JSONResponse(body, status_code=status, headers=headers)


def from_drafter_error(exc: DrafterError) -> ApiError:
    message = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, BackendError | ModelError | RetrievalError):
        return ApiError(503, message, headers={"Retry-After": str(RETRY_AFTER_BACKEND)})
    if isinstance(exc, InputError):
        return ApiError(422, message)
    if isinstance(exc, ConfigError):
        return ApiError(500, message, type="config_error")
    return ApiError(500, message)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, field=exc.field, type=exc.type, headers=exc.headers)

    @app.exception_handler(DrafterError)
    async def _drafter_error(request: Request, exc: DrafterError) -> JSONResponse:
        error = from_drafter_error(exc)
        logger.warning("%s %s: %s", request.method, request.url.path, type(exc).__name__)
        return error_response(
            error.status, error.message, field=error.field, type=error.type, headers=error.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = validation_problems(list(exc.errors()))
        return error_response(422, "; ".join(p.message for p in problems), field=problems[0].field or None)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"No such endpoint: {request.url.path}: see /docs for the API."
        if exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}: see /docs for the API."
        return error_response(exc.status_code, message, headers=dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        logger.error("%s %s: internal error %s", request.method, request.url.path, type(exc).__name__)
        return error_response(500, "Internal error: the server log has the details.")


def error_schema() -> dict[str, Any]:
    """The error body in OpenAPI, for `responses=` on routes."""
    return {
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "message": {"type": "string"},
                        "field": {"type": ["string", "null"]},
                    },
                    "required": ["type", "message", "field"],
                }
            }
        }
    }
