"""One draft, guidance search, and health: the synchronous endpoints."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ..batch import build_row
from ..models import BatchRow
from .auth import Caller, require_token
from .errors import ApiError, error_response, error_schema
from .schemas import DraftIn, DraftOut, Health, PassageOut
from .state import ServiceState, get_state

logger = logging.getLogger(__name__)

router = APIRouter()
ERRORS: dict[int | str, dict[str, Any]] = {status: error_schema() for status in (401, 403, 413, 422, 503)}


@router.post("/v1/drafts", response_model=DraftOut, tags=["drafts"], responses=ERRORS)
def create_draft(
    body: DraftIn,
    caller: Annotated[Caller, Depends(require_token)],
    state: Annotated[ServiceState, Depends(get_state)],
) -> DraftOut:
    """Draft one follow-up now: the reply is the `drafter batch` output row and the checks."""
    row = build_row(1, body.model_dump(), default_sender=state.settings.sender_name)
    if row.request is None:
        first = row.problems[0] if row.problems else None
        raise ApiError(422, row.error, field=(first.field or None) if first else None)
    draft = state.drafter.draft(row.request)  # a DrafterError becomes 503/422/500 in errors.py
    out = BatchRow.from_draft(1, row.request, draft)
    logger.info("draft: ok in %.1f s", draft.seconds)
    return DraftOut(**out.model_dump(), checks=list(draft.checks))


@router.get("/v1/guidance/search", response_model=list[PassageOut], tags=["guidance"], responses=ERRORS)
async def search_guidance(
    caller: Annotated[Caller, Depends(require_token)],
    state: Annotated[ServiceState, Depends(get_state)],
    q: Annotated[str, Query(min_length=1, max_length=500, description="What to look for.")],
    k: Annotated[int, Query(ge=1, le=20, description="How many passages.")] = 4,
) -> list[PassageOut]:
    """Guidance passages for a query, best first (as `drafter search` does)."""
    passages = await run_in_threadpool(lambda: state.drafter.index.search(q, k=k))
    return [PassageOut.model_validate(p.model_dump()) for p in passages]


@router.get("/healthz", response_model=Health, tags=["health"])
def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, tags=["health"], responses={503: error_schema()})
def readyz(state: Annotated[ServiceState, Depends(get_state)]) -> Health | JSONResponse:
    """The model and the guidance index are loaded: drafts can be served."""
    if not state.ready.is_set():
        return error_response(
            503, f"Not ready: {state.not_ready_reason}.", type="not_ready", headers={"Retry-After": "5"}
        )
    return Health(status="ready", backend=state.drafter.backend_name, model=state.drafter.model_name)
