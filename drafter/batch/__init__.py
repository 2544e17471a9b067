"""Batches: contacts in (paths, bytes or streams), one runner for the CLI, the app and the service.

    rows = read_contacts(upload_bytes, name="events.csv", default_sender="Sam")
    summary = run_batch(drafter, rows, MemoryJournal(), concurrency=1, progress=on_row)
    text = render_rows(summary.rows, "csv")        # formula-safe CSV, or "jsonl"

    batch_file("events.csv", "events-drafts.jsonl", drafter=drafter, resume=True)   # the CLI

A Journal keeps finished rows: MemoryJournal (the app), FileJournal (`drafter batch` files
and `--resume`), and the service's database journal (drafter/store/jobs.py), which also
claims rows so that several workers share one job.
"""

from __future__ import annotations

from .files import batch_file, default_output_path
from .journal import ClaimingJournal, FileJournal, Journal, MemoryJournal
from .output import MEDIA_TYPES, csv_safe, read_output, render_rows, row_cells, write_rows
from .rows import (
    COLUMNS,
    DEFAULT_MAX_ROWS,
    MAX_FIELD,
    MAX_NOTES,
    InputRow,
    Problem,
    build_row,
    format_problems,
    read_contacts,
    read_records,
    read_requests,
    read_rows,
    validation_message,
    validation_problems,
)
from .runner import (
    MAX_CONCURRENCY,
    BatchSummary,
    Progress,
    SupportsDraft,
    draft_row,
    order_rows,
    run_batch,
)
from .tables import CP1252_WARNING, MAX_BYTES, LimitError

__all__ = [
    "COLUMNS",
    "CP1252_WARNING",
    "DEFAULT_MAX_ROWS",
    "MAX_BYTES",
    "MAX_CONCURRENCY",
    "MAX_FIELD",
    "MAX_NOTES",
    "MEDIA_TYPES",
    "BatchSummary",
    "ClaimingJournal",
    "FileJournal",
    "InputRow",
    "LimitError",
    "Journal",
    "MemoryJournal",
    "Problem",
    "Progress",
    "SupportsDraft",
    "batch_file",
    "build_row",
    "csv_safe",
    "default_output_path",
    "draft_row",
    "format_problems",
    "order_rows",
    "read_contacts",
    "read_output",
    "read_records",
    "read_requests",
    "read_rows",
    "render_rows",
    "row_cells",
    "run_batch",
    "validation_message",
    "validation_problems",
    "write_rows",
]
