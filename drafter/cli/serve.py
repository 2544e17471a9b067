"""`drafter serve`: the HTTP API (FastAPI under uvicorn), docs at http://HOST:PORT/docs."""

from __future__ import annotations

import click

from ..config import Settings


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    envvar="DRAFTER_HOST",
    help="Address to bind; beyond loopback DRAFTER_API_TOKENS is required.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, envvar="DRAFTER_PORT")
def serve(host: str, port: int) -> None:
    """Serve the API: drafts, batch jobs, guidance search (see /docs)."""
    from ..service.server import serve as run

    run(Settings.from_env(), host=host, port=port)
