"""Run the service under uvicorn (the body of `drafter serve`)."""

from __future__ import annotations

import logging

from ..config import Settings
from ..store.db import database_url, migrate
from .auth import check_bind

logger = logging.getLogger(__name__)


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info") -> None:
    """Check the set-up (tokens beyond loopback, the database), then serve until stopped."""
    import uvicorn

    from .app import create_app

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if logging.getLogger("drafter").getEffectiveLevel() > logging.INFO:
        logging.getLogger("drafter").setLevel(logging.INFO)  # requests, jobs, timings: never bodies
    check_bind(host, settings.api_tokens)
    migrate(database_url(settings))  # a bad DRAFTER_DATABASE_URL fails here with one clear line
    app = create_app(settings)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,  # uvicorn's access log carries query strings; ours does not
        timeout_graceful_shutdown=10,
        server_header=False,
    )
