"""`drafter batch`: a CSV or JSONL file in, one follow-up per row out, safe to interrupt and resume.

Decisions: text that is not UTF-8 is read as Windows-1252 with a warning on every row;
notes over 6,000 characters make that row an error (never silently cut); blank rows are
skipped and rows are numbered without them; without `resume` an existing output is
overwritten.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from ..errors import InputError
from .journal import FileJournal
from .rows import DEFAULT_MAX_ROWS, read_contacts
from .runner import MAX_CONCURRENCY, BatchSummary, Progress, SupportsDraft, run_batch
from .tables import file_format


def default_output_path(input_path: Path | str) -> Path:
    """events.csv -> events-drafts.jsonl beside it."""
    path = Path(input_path)
    return path.with_name(f"{path.stem}-drafts.jsonl")


def batch_file(
    input_path: Path | str,
    output_path: Path | str | None = None,
    *,
    drafter: SupportsDraft,
    sender: str = "",
    resume: bool = False,
    concurrency: int = 1,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Progress | None = None,
) -> BatchSummary:
    """Draft every row of INPUT into OUTPUT (default INPUT-drafts.jsonl).

    Raises InputError (before any output is written) for a bad invocation or unreadable input.
    Without `resume` an existing OUTPUT is overwritten.
    """
    input_path = Path(input_path)
    output = Path(output_path) if output_path else default_output_path(input_path)
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InputError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}, not {concurrency}.")
    if max_rows < 1:
        raise InputError(f"--max-rows must be at least 1, not {max_rows}.")
    _check_output(input_path, output)
    settings = getattr(drafter, "settings", None)
    default_sender = sender or getattr(settings, "sender_name", "") or ""
    rows = read_contacts(input_path, default_sender=default_sender, max_rows=max_rows)
    journal = FileJournal(output, {item.number: item.digest for item in rows}, resume=resume)
    try:
        summary = run_batch(drafter, rows, journal, concurrency=concurrency, progress=progress)
        journal.finish(list(summary.rows))
    finally:
        journal.close()
    return dataclasses.replace(summary, output=output)


def _check_output(input_path: Path, output: Path) -> None:
    file_format(output, "output")
    if output.exists() and input_path.exists() and output.resolve() == input_path.resolve():
        raise InputError(f"The output {output.name} is the input file: choose another --output.")
    if output.is_dir():
        raise InputError(f"The output {output} is a folder: give a file name ending in .jsonl or .csv.")
    folder = output.parent
    if not folder.is_dir():
        raise InputError(f"The output folder {folder} does not exist: create it or choose another --output.")
    if not os.access(folder, os.W_OK):
        raise InputError(f"Cannot write to the folder {folder}: choose another --output.")
