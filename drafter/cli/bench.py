"""`drafter bench`: measured speed and memory figures."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import settings as _settings


@click.command()
@click.option(
    "--drafts", type=click.IntRange(1), default=12, show_default=True, help="Sequential warm drafts to time."
)
@click.option("--batch-rows", type=click.IntRange(1), default=36, show_default=True)
@click.option(
    "--concurrency",
    "concurrencies",
    type=click.IntRange(1, 8),
    multiple=True,
    help="Batch concurrency to try (repeat the option); default 1 and 2.",
)
@click.option("--no-cold", is_flag=True, help="Skip the cold-start measurement.")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="Write the figures as JSON.")
def bench(
    drafts: int, batch_rows: int, concurrencies: tuple[int, ...], no_cold: bool, output: Path | None
) -> None:
    """Measure start-up, draft latency, tokens, batch throughput, retrieval and memory."""
    from ..bench import format_table, run_bench

    results = run_bench(
        _settings(),
        drafts=drafts,
        batch_rows=batch_rows,
        concurrencies=concurrencies or (1, 2),
        cold=not no_cold,
    )
    click.echo(format_table(results))
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=2) + "\n")
        click.echo(f"figures written to {output}", err=True)
