"""Batch drafting: a CSV or JSONL of conversations in, one follow-up per row out.

Rows are checked first (a bad row becomes an error row; the rest still run), drafted
through one Drafter (optionally on several threads), and written as each finishes: a
progress journal `OUTPUT.partial.jsonl` (and, for JSONL output, the output itself) gets
one whole line per row, so a killed run can `--resume`. The final file is rewritten
atomically in input order, each row exactly once. `OUTPUT.resume.json` keeps a hash of
each input row so that `--resume` redoes only rows that failed or were edited.

Decisions: text that is not UTF-8 is read as Windows-1252 with a warning on every row;
notes over 6,000 characters make that row an error (never silently cut); blank rows are
skipped and rows are numbered without them; without `--resume` an existing output is
overwritten; after a ConfigError or ModelError, or five backend failures in a row, the
remaining rows are not drafted but written as errors, so `--resume` can finish them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from .errors import BackendError, ConfigError, DrafterError, InputError, ModelError, RowError
from .models import CHANNELS, NEXT_STEP_TYPES, BatchRow, Contact, Draft, DraftRequest
from .tabular import (
    CP1252_WARNING,
    MAX_BYTES,
    OutputFiles,
    csv_safe,
    file_format,
    normalize_key,
    read_table,
    write_rows,
)

__all__ = [
    "CP1252_WARNING",
    "DEFAULT_MAX_ROWS",
    "MAX_BYTES",
    "MAX_NOTES",
    "BatchSummary",
    "InputRow",
    "csv_safe",
    "default_output_path",
    "read_requests",
    "read_rows",
    "run_batch",
    "write_rows",
]

logger = logging.getLogger(__name__)

DEFAULT_MAX_ROWS = 1000
MAX_NOTES = 6000
MAX_FIELD = 500  # name, email, company, where_met, sender_name
MAX_CONCURRENCY = 32
BREAKER_FAILURES = 5  # backend failures in a row before the remaining rows are skipped
COLUMNS = ("name", "notes", "email", "company", "where_met", "channel", "next_step_hint", "sender_name")


class SupportsDraft(Protocol):
    def draft(self, request: DraftRequest) -> Draft: ...


Progress = Callable[[int, int, BatchRow], object]


@dataclass
class InputRow:
    """One checked input row: a request to draft, or the reason it cannot be drafted."""

    row: int  # 1-based, counting rows (not lines); blank rows are skipped
    request: DraftRequest | None
    error: str = ""
    warnings: list[str] = field(default_factory=list)
    digest: str = ""  # hash of the row's content, for --resume
    name: str = ""
    email: str = ""
    channel: str = ""

    def error_row(self, message: str = "") -> BatchRow:
        return BatchRow(
            row=self.row,
            name=self.name,
            email=self.email,
            channel=self.channel,
            status="error",
            error=message or self.error,
            warnings=list(self.warnings),
        )


@dataclass(frozen=True)
class BatchSummary:
    """How a run went; `exit_code` is what `drafter batch` exits with."""

    ok: int
    failed: int
    total: int
    seconds_per_draft: float  # mean over the rows drafted in this run
    output: Path
    resumed: int = 0  # ok rows kept from an earlier run
    seconds: float = 0.0  # wall-clock time of the whole run

    @property
    def exit_code(self) -> int:
        return 0 if self.failed == 0 else 1


def default_output_path(input_path: Path | str) -> Path:
    """events.csv -> events-drafts.jsonl beside it."""
    path = Path(input_path)
    return path.with_name(f"{path.stem}-drafts.jsonl")


# --- reading ---------------------------------------------------------------------------------


def read_rows(
    path: Path | str, default_sender: str = "", *, max_rows: int = DEFAULT_MAX_ROWS
) -> list[InputRow]:
    """Read and check every row; whole-file problems raise InputError."""
    path = Path(path)
    raw_rows, columns, file_warnings = read_table(path)
    for required in ("name", "notes"):
        if required not in columns:
            found = ", ".join(sorted(columns)) or "none"
            raise InputError(
                f"{path.name} has no {required!r} column (found: {found}): add a column named {required}."
            )
    if len(raw_rows) > max_rows:
        raise InputError(
            f"{path.name} has {len(raw_rows):,} rows; the limit is {max_rows:,}: split the file, "
            f"or raise the limit with --max-rows {len(raw_rows)}."
        )
    unknown = columns - set(COLUMNS)
    if unknown:
        logger.info("ignoring columns: %s", ", ".join(sorted(unknown)))
    rows = []
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(raw_rows, start=1):
        row = _check_row(number, raw.values, raw.error, default_sender)
        row.warnings = [*file_warnings, *raw.warnings]
        if row.digest in first_seen:
            row.warnings.append(f"same as row {first_seen[row.digest]}")
        else:
            first_seen[row.digest] = number
        rows.append(row)
    return rows


def read_requests(
    path: Path | str, default_sender: str = "", *, max_rows: int = DEFAULT_MAX_ROWS
) -> list[DraftRequest | RowError]:
    """One entry per row, in order: a request, or a RowError ('row 3: ...') saying what to fix."""
    results: list[DraftRequest | RowError] = []
    for row in read_rows(path, default_sender, max_rows=max_rows):
        if row.request is not None:
            results.append(row.request)
        else:
            error = RowError(f"row {row.row}: {row.error}")
            error.row = row.row  # type: ignore[attr-defined]
            results.append(error)
    return results


def _check_row(number: int, values: dict[str, str], read_error: str, default_sender: str) -> InputRow:
    get = {column: values.get(column, "").strip() for column in COLUMNS}
    sender = get["sender_name"] or default_sender.strip()
    content = {**get, "sender_name": sender, "error": read_error}
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:20]
    row = InputRow(number, None, digest=digest, name=get["name"], email=get["email"])
    channel = get["channel"].lower() or "email"
    row.channel = channel if channel in CHANNELS else get["channel"]
    hint = normalize_key(get["next_step_hint"]) or None
    problems = [read_error] if read_error else []
    if not read_error:
        if not get["name"]:
            problems.append("the name is empty: give the name of the person you met")
        if not get["notes"]:
            problems.append("the notes are empty: write a few words about what you talked about")
        elif len(get["notes"]) > MAX_NOTES:
            problems.append(
                f"the notes are {len(get['notes']):,} characters: shorten them to {MAX_NOTES:,} "
                "characters or fewer"
            )
        for column in ("name", "email", "company", "where_met", "sender_name"):
            if len(get[column]) > MAX_FIELD:
                problems.append(f"the {column} is {len(get[column]):,} characters: shorten it to {MAX_FIELD}")
        if channel not in CHANNELS:
            problems.append(
                f"unknown channel {get['channel']!r}: use one of {', '.join(CHANNELS)} (blank means email)"
            )
        if hint is not None and hint not in NEXT_STEP_TYPES:
            problems.append(
                f"unknown next_step_hint {get['next_step_hint']!r}: use one of {', '.join(NEXT_STEP_TYPES)} "
                "(blank means choose automatically)"
            )
    if problems:
        row.error = "; ".join(problems)
        return row
    try:
        row.request = DraftRequest(
            contact=Contact(
                name=get["name"], email=get["email"], company=get["company"], where_met=get["where_met"]
            ),
            notes=get["notes"].replace("\r\n", "\n"),
            channel=channel,  # type: ignore[arg-type]
            next_step_hint=hint,  # type: ignore[arg-type]
            sender=sender,
        )
    except ValidationError as exc:
        row.error = validation_message(exc)
    return row


def validation_message(exc: ValidationError) -> str:
    """Pydantic errors as one line, without echoing the input values."""
    parts = []
    for error in exc.errors():
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        where = ".".join(str(part) for part in error.get("loc", ()))
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts) or "invalid row"


# --- running ---------------------------------------------------------------------------------


def run_batch(
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
    """Draft every row of INPUT into OUTPUT; see the module docstring for the guarantees.

    Raises InputError (before any output is written) for a bad invocation or unreadable input.
    Without `resume` an existing OUTPUT is overwritten.
    """
    started = time.perf_counter()
    input_path = Path(input_path)
    output = Path(output_path) if output_path else default_output_path(input_path)
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InputError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}, not {concurrency}.")
    if max_rows < 1:
        raise InputError(f"--max-rows must be at least 1, not {max_rows}.")
    _check_output(input_path, output)
    settings = getattr(drafter, "settings", None)
    default_sender = sender or getattr(settings, "sender_name", "") or ""
    rows = read_rows(input_path, default_sender, max_rows=max_rows)

    sink = OutputFiles(output)
    if not resume and sink.journal.exists():
        logger.warning("an earlier run into %s was cut short; starting over", output.name)
    digests = {item.row: item.digest for item in rows}
    kept = sink.previous(digests) if resume else {}
    sink.start(kept, digests)
    backend, model = _describe(drafter)
    breaker = _Breaker()
    drafted_seconds: list[float] = []
    done = len(kept)

    def finished(row: BatchRow) -> None:
        nonlocal done
        sink.add(row)
        done += 1
        if row.status == "ok":
            drafted_seconds.append(row.seconds)
        if progress is not None:
            progress(done, len(rows), row)

    def draft(item: InputRow) -> tuple[BatchRow, BaseException | None]:
        if breaker.reason:
            return item.error_row(f"not drafted: {breaker.reason}"), None
        return _draft_one(drafter, item, backend, model)

    try:
        todo = [item for item in rows if item.row not in kept]
        for item in todo:
            if item.request is None:
                logger.info("row %d: not drafted (input problem)", item.row)
                finished(item.error_row())
        todo = [item for item in todo if item.request is not None]
        # Rows in the same situation share their guidance, so drafting them one after another
        # lets the model server reuse the prompt it has already read. Output stays in input order.
        situation = getattr(drafter, "situation_key", None)
        if callable(situation):
            todo.sort(key=lambda item: situation(item.request))
        if concurrency == 1 or len(todo) <= 1:
            for item in todo:
                row, exc = draft(item)
                breaker.record(exc)
                finished(row)
        else:
            pool = ThreadPoolExecutor(max_workers=min(concurrency, len(todo)), thread_name_prefix="batch")
            try:
                futures = [pool.submit(draft, item) for item in todo]
                for future in as_completed(futures):
                    row, exc = future.result()
                    breaker.record(exc)
                    finished(row)
            except BaseException:
                breaker.reason = "the batch was stopped"
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown()
        final = [sink.done[item.row] for item in rows]
        sink.finish(final)
    finally:
        sink.close()

    ok = sum(1 for row in final if row.status == "ok")
    mean = sum(drafted_seconds) / len(drafted_seconds) if drafted_seconds else 0.0
    summary = BatchSummary(
        ok=ok,
        failed=len(final) - ok,
        total=len(final),
        seconds_per_draft=round(mean, 2),
        output=output,
        resumed=len(kept),
        seconds=round(time.perf_counter() - started, 2),
    )
    logger.info(
        "batch done: %d ok, %d failed of %d (%d kept), %.1f s per draft",
        summary.ok,
        summary.failed,
        summary.total,
        summary.resumed,
        summary.seconds_per_draft,
    )
    return summary


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


def _describe(drafter: SupportsDraft) -> tuple[str, str]:
    try:
        return str(getattr(drafter, "backend_name", "") or ""), str(getattr(drafter, "model_name", "") or "")
    except Exception:  # a property that cannot answer yet: the draft will say what is wrong
        return "", ""


def _draft_one(
    drafter: SupportsDraft, item: InputRow, backend: str, model: str
) -> tuple[BatchRow, BaseException | None]:
    assert item.request is not None
    started = time.perf_counter()
    try:
        draft = drafter.draft(item.request)
        row = BatchRow.from_draft(item.row, item.request, draft)
    except DrafterError as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        logger.warning("row %d: %s after %.1f s", item.row, type(exc).__name__, time.perf_counter() - started)
        return _failed(item, message, backend, model, started), exc
    except ValidationError as exc:
        logger.warning("row %d: invalid draft (%d errors)", item.row, exc.error_count())
        return _failed(item, validation_message(exc), backend, model, started), exc
    except Exception as exc:
        logger.error("row %d: internal error %s", item.row, type(exc).__name__)
        logger.debug("row %d traceback:\n%s", item.row, "".join(traceback.format_tb(exc.__traceback__)))
        return _failed(item, f"internal error: {type(exc).__name__}", backend, model, started), exc
    seconds = draft.seconds or (time.perf_counter() - started)
    logger.info("row %d: ok in %.1f s", item.row, seconds)
    return row.model_copy(
        update={"seconds": round(seconds, 2), "warnings": [*item.warnings, *row.warnings]}
    ), None


def _failed(item: InputRow, message: str, backend: str, model: str, started: float) -> BatchRow:
    seconds = round(time.perf_counter() - started, 2)
    return item.error_row(message).model_copy(update={"backend": backend, "model": model, "seconds": seconds})


class _Breaker:
    """Stops drafting when the backend is plainly down or misconfigured."""

    def __init__(self) -> None:
        self.reason = ""
        self._failures = 0

    def record(self, exc: BaseException | None) -> None:
        if isinstance(exc, ConfigError | ModelError):
            self.reason = " ".join(str(exc).split())
        elif isinstance(exc, BackendError):
            self._failures += 1
            if self._failures >= BREAKER_FAILURES and not self.reason:
                self.reason = f"{BREAKER_FAILURES} rows in a row failed: {' '.join(str(exc).split())}"
        else:
            self._failures = 0
