"""Batch jobs: submit (202 at once), status, progress as server-sent events, results, cancel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import ValidationError
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from ..batch import (
    MAX_BYTES,
    MEDIA_TYPES,
    InputRow,
    LimitError,
    order_rows,
    read_contacts,
    read_records,
    render_rows,
    validation_problems,
)
from ..errors import InputError
from ..store.jobs import JobStatus, NewRow
from .auth import Caller, require_token
from .errors import ApiError, error_schema
from .schemas import BatchIn, JobOut, job_out
from .state import ServiceState, get_state

logger = logging.getLogger(__name__)

router = APIRouter(tags=["batches"])
EVENT_POLL = 0.5  # seconds between looks at a job's progress for the event stream
RETRY_AFTER_JOBS = 30
RAW_TYPES = {
    "text/csv": "upload.csv",
    "application/csv": "upload.csv",
    "application/x-ndjson": "upload.jsonl",
    "application/jsonl": "upload.jsonl",
    "application/x-jsonlines": "upload.jsonl",
}
ERRORS: dict[int | str, dict[str, Any]] = {
    status: error_schema() for status in (401, 403, 404, 413, 415, 422, 429)
}
UPLOAD_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "CSV or JSONL"},
                        "sender_name": {"type": "string"},
                        "name": {"type": "string"},
                    },
                    "required": ["file"],
                }
            },
            "application/json": {"schema": BatchIn.model_json_schema()},
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


def job_for(
    job_id: str,
    caller: Annotated[Caller, Depends(require_token)],
    state: Annotated[ServiceState, Depends(get_state)],
) -> JobStatus:
    """The caller's job, or 404 (another token's job is as unknown as a missing one)."""
    status = state.store.status(job_id, owner=caller.owner if state.settings.api_tokens else None)
    if status is None:
        raise ApiError(
            404,
            f"No batch {job_id}: it never existed, or was cancelled and deleted.",
            field="id",
            type="not_found",
        )
    return status


def _owner(state: ServiceState, caller: Caller) -> str | None:
    return caller.owner if state.settings.api_tokens else None


@router.post(
    "/v1/batches", status_code=202, response_model=JobOut, responses=ERRORS, openapi_extra=UPLOAD_DOC
)
async def create_batch(
    request: Request,
    caller: Annotated[Caller, Depends(require_token)],
    state: Annotated[ServiceState, Depends(get_state)],
) -> JSONResponse:
    """Queue a batch: a CSV or JSONL upload (form field `file`, or the raw body), or JSON rows.

    Replies 202 with the job at once; rows are drafted in the background.
    """
    active = await run_in_threadpool(state.store.active_jobs, caller.owner)
    if active >= state.settings.max_jobs_per_token:
        raise ApiError(
            429,
            f"{active} batches are already queued or running for this token (the limit is "
            f"{state.settings.max_jobs_per_token}): wait for one to finish, or cancel one.",
            headers={"Retry-After": str(RETRY_AFTER_JOBS)},
        )
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    sender, label = state.settings.sender_name, ""
    if kind == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(
                422, "Send the contacts as a form field named 'file' (a CSV or JSONL file).", field="file"
            )
        data, name = await upload.read(), upload.filename or ""
        sender = str(form.get("sender_name") or "") or sender
        label = str(form.get("name") or "") or name
        source: bytes | list[Any] = data
    elif kind == "application/json":
        try:
            body = BatchIn.model_validate_json(await request.body())
        except ValidationError as exc:
            problems = validation_problems(list(exc.errors()))
            message = "; ".join(p.message for p in problems)
            raise ApiError(422, message, field=problems[0].field or None) from None
        source, name = body.rows, ""
        sender, label = body.sender_name or sender, body.name
    elif kind in RAW_TYPES:
        source, name = await request.body(), RAW_TYPES[kind]
    else:
        raise ApiError(
            415,
            f"Cannot read a body of type {kind or 'none'!r}: upload a file as multipart/form-data "
            "(field 'file'), send text/csv or application/x-ndjson, or JSON {\"rows\": [...]}.",
            field="Content-Type",
        )
    field = "rows" if isinstance(source, list) else "file"
    try:
        job_id, rows = await run_in_threadpool(_create_job, state, caller, source, name, sender, label)
    except LimitError as exc:
        raise ApiError(413, str(exc), field=field) from None
    except InputError as exc:
        raise ApiError(422, str(exc), field=field) from None
    state.worker.wake()
    status = state.store.status(job_id)
    assert status is not None
    # Rows of one situation are drafted together (the model reuses the prompt it has read);
    # working that out reads every row's notes, so it happens after the reply.
    return JSONResponse(
        status.to_dict(),
        status_code=202,
        headers={"Location": f"/v1/batches/{job_id}"},
        background=BackgroundTask(_order_job, state, job_id, rows),
    )


def _create_job(
    state: ServiceState, caller: Caller, source: bytes | list[Any], name: str, sender: str, label: str
) -> tuple[str, list[InputRow]]:
    if isinstance(source, list):
        rows = read_records(source, default_sender=sender)
    else:
        if len(source) > MAX_BYTES:
            raise LimitError(
                f"{name or 'The upload'} is over {MAX_BYTES // 1024 // 1024} MB: split it into smaller files."
            )
        rows = read_contacts(source, name=name, default_sender=sender)
    new_rows = [
        NewRow(
            number=row.number,
            position=row.number,
            cells=row.cells,
            digest=row.digest,
            refused=None if row.request is not None else row.error_row(),
            warnings=tuple(row.warnings),
        )
        for row in rows
    ]
    return state.store.create(new_rows, owner=caller.owner, name=label), rows


def _order_job(state: ServiceState, job_id: str, rows: list[InputRow]) -> None:
    drafted = [row for row in rows if row.request is not None]
    try:
        order = order_rows(state.drafter, drafted)
        state.store.reorder(job_id, [row.number for row in order])
    except Exception as exc:  # an optimisation only: input order is always fine
        logger.warning("job %s: rows left in input order (%s)", job_id, type(exc).__name__)


@router.get("/v1/batches/{job_id}", response_model=JobOut, responses=ERRORS)
def get_batch(job: Annotated[JobStatus, Depends(job_for)]) -> JobOut:
    """Status and progress: done, failed, total and the estimated seconds left."""
    return job_out(job.to_dict())


@router.get("/v1/batches/{job_id}/events", response_class=EventSourceResponse, responses=ERRORS)
async def batch_events(
    request: Request,
    job: Annotated[JobStatus, Depends(job_for)],
    caller: Annotated[Caller, Depends(require_token)],
    state: Annotated[ServiceState, Depends(get_state)],
) -> AsyncIterator[ServerSentEvent]:
    """Progress as server-sent events: a `status` event on every change, then `end`."""
    owner = _owner(state, caller)
    status: JobStatus | None = job
    last: dict[str, Any] | None = None
    while True:
        data = status.to_dict() if status else {"id": job.id, "status": "cancelled"}
        progress = {key: value for key, value in data.items() if key != "seconds_left"}
        if progress != last:
            last = progress
            yield ServerSentEvent(event="status", data=data, id=str(data.get("done", "")))
        if status is None or status.finished:
            yield ServerSentEvent(event="end", data=data)
            return
        if await request.is_disconnected():
            return
        await asyncio.sleep(EVENT_POLL)
        status = await run_in_threadpool(state.store.status, job.id, owner)


@router.get(
    "/v1/batches/{job_id}/results",
    responses={**ERRORS, 200: {"content": {"application/x-ndjson": {}, "text/csv": {}}}},
)
def batch_results(
    request: Request,
    job: Annotated[JobStatus, Depends(job_for)],
    caller: Annotated[Caller, Depends(require_token)],
    state: Annotated[ServiceState, Depends(get_state)],
    format: Annotated[str | None, Query(description="jsonl or csv (default: by Accept, else jsonl)")] = None,  # noqa: A002
) -> Response:
    """The finished rows in input order (so far, while the job runs), as JSONL or CSV."""
    fmt = (format or "").lower()
    if not fmt:
        accept = request.headers.get("accept", "")
        fmt = "csv" if "text/csv" in accept else "jsonl"
    if fmt not in MEDIA_TYPES:
        raise ApiError(422, f"Unknown format {format!r}: use jsonl or csv.", field="format")
    rows = state.store.results(job.id, owner=_owner(state, caller)) or []
    headers = {
        "Content-Disposition": f'attachment; filename="batch-{job.id}-drafts.{fmt}"',
        "X-Batch-Status": job.status,
    }
    return Response(render_rows(rows, fmt), media_type=MEDIA_TYPES[fmt], headers=headers)


@router.delete("/v1/batches/{job_id}", responses=ERRORS)
def cancel_batch(
    job: Annotated[JobStatus, Depends(job_for)],
    caller: Annotated[Caller, Depends(require_token)],
    state: Annotated[ServiceState, Depends(get_state)],
) -> dict[str, str]:
    """Cancel the job and delete it with its rows and results."""
    if not state.store.delete(job.id, owner=_owner(state, caller)):
        raise ApiError(404, f"No batch {job.id}: it was already cancelled.", field="id")
    return {"id": job.id, "status": "cancelled"}
