"""The FastAPI app: `create_app(settings)`; `drafter serve` runs it under uvicorn.

Endpoints (OpenAPI at /openapi.json, docs at /docs):
    POST   /v1/drafts                    one draft, synchronous
    POST   /v1/batches                   a CSV/JSONL upload or JSON rows -> 202 {"id": ...}
    GET    /v1/batches/{id}              status and progress
    GET    /v1/batches/{id}/events       progress as server-sent events
    GET    /v1/batches/{id}/results      rows so far, JSONL or CSV, in input order
    DELETE /v1/batches/{id}              cancel and delete
    GET    /v1/guidance/search?q=&k=     guidance passages
    GET    /healthz, /readyz             process up; model and index ready
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from .. import __version__
from ..config import Settings
from ..store.db import database_url, migrate
from ..store.jobs import JobStore
from . import batches, memory_routes, routes
from .errors import install_handlers
from .limits import AccessLog, BodyLimit
from .state import ServiceState
from .worker import JobWorker

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, drafter: Any = None) -> FastAPI:
    """The service app; the database is migrated, the model warmed and the worker started on startup."""
    from .. import Drafter

    settings = settings or Settings.from_env()
    url = database_url(settings)
    make: Any = Drafter  # the public API's lazily imported class
    service_drafter: Any = drafter if drafter is not None else make(settings)
    store = JobStore(url, lease=settings.job_lease)
    worker = JobWorker(store, service_drafter, concurrency=settings.parallel)
    state = ServiceState(settings=settings, drafter=service_drafter, store=store, worker=worker)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate(url)
        warm = threading.Thread(target=state.warm_up, name="warm-up", daemon=True)
        warm.start()
        logger.info(
            "service up: backend %s, model %s",
            getattr(service_drafter, "backend_name", ""),
            getattr(service_drafter, "model_name", ""),
        )
        yield
        worker.stop()

    app = FastAPI(
        title="Follow-up Drafter",
        version=__version__,
        description="Follow-ups grounded in guidance, one at a time or a whole event's contacts as a job.",
        lifespan=lifespan,
    )
    app.state.service = state
    install_handlers(app)
    app.include_router(routes.router)
    app.include_router(batches.router)
    app.include_router(memory_routes.router)
    app.add_middleware(BodyLimit)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(AccessLog)
    return app
