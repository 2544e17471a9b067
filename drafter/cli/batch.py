"""`drafter batch`: a follow-up for every row of a CSV or JSONL file (results to OUTPUT, progress
to stderr). Exit 0 when every row is ok, 1 when some failed, 2 for a bad invocation or input."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .. import llm
from ..config import Settings
from ..models import BatchRow


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "--output",
    "output_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Output file (.jsonl or .csv). Default: INPUT-drafts.jsonl.",
)
@click.option("--from", "sender", default=None, help="Your name, for rows without sender_name.")
@click.option("--resume", is_flag=True, help="Keep rows already ok in OUTPUT; draft the rest.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 16),
    default=None,
    help="Rows drafted at once (default: DRAFTER_PARALLEL).",
)
@click.option("--max-rows", type=click.IntRange(1), default=1000, show_default=True)
def batch(
    input_path: Path,
    output_path: Path | None,
    sender: str | None,
    resume: bool,
    concurrency: int | None,
    max_rows: int,
) -> None:
    """Draft a follow-up for every row of a CSV or JSONL file."""
    from .. import Drafter
    from ..batch import batch_file

    settings = Settings.from_env()
    concurrency = concurrency or settings.parallel
    settings = llm.provider_for(settings).for_concurrency(settings, concurrency)
    make: Any = Drafter  # the public API's lazily imported class
    progress = Progress()
    try:
        summary = batch_file(
            input_path,
            output_path,
            drafter=make(settings),
            sender=sender or settings.sender_name,
            resume=resume,
            concurrency=concurrency,
            max_rows=max_rows,
            progress=progress,
        )
    except KeyboardInterrupt:
        progress.close()
        click.echo(
            "Interrupted: finished rows are kept; run again with --resume to draft the rest.", err=True
        )
        sys.exit(130)
    progress.close()
    click.echo(
        f"{summary.ok} ok, {summary.failed} failed of {summary.total} rows; "
        f"{summary.seconds_per_draft:.1f} s per draft; output: {summary.output}",
        err=True,
    )
    sys.exit(summary.exit_code)


class Progress:
    """A progress bar on a terminal, plain lines otherwise (on stderr)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int, row: BatchRow) -> None:
        if self.tty:
            width = 30
            filled = int(width * done / max(total, 1))
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\r[{bar}] {done}/{total} rows")
            sys.stderr.flush()
        else:
            click.echo(f"row {row.row}: {row.status} ({done}/{total})", err=True)

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\n")
