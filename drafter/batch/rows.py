"""Rows in: the one place that turns a row's cells into a DraftRequest, or says what to fix.

Every face reads contacts through here: `drafter batch` (a path), the app (an upload's
bytes), the service (an upload stream, or a JSON list of rows) and `POST /v1/drafts` (one
row). Problems are (field, message) pairs; `format_problems` joins them into the one line a
batch row carries, and `validation_problems` turns pydantic errors into the same shape
without echoing the input values.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..errors import InputError, RowError
from ..models import CHANNELS, NEXT_STEP_TYPES, BatchRow, Contact, DraftRequest
from .tables import LimitError, RawRow, Source, normalize_key, parse_table, read_source, record_row

logger = logging.getLogger(__name__)

DEFAULT_MAX_ROWS = 1000
MAX_NOTES = 6000
MAX_FIELD = 500  # name, email, company, where_met, sender_name
COLUMNS = ("name", "notes", "email", "company", "where_met", "channel", "next_step_hint", "sender_name")


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field of a row ('' when it is the row as a whole)."""

    field: str
    message: str


@dataclass
class InputRow:
    """One checked input row: a request to draft, or the reason it cannot be drafted."""

    number: int  # 1-based, counting rows (not lines); blank rows are skipped
    request: DraftRequest | None
    error: str = ""
    warnings: list[str] = field(default_factory=list)
    digest: str = ""  # hash of the row's content: an edited row is drafted again on resume
    name: str = ""
    email: str = ""
    channel: str = ""
    problems: list[Problem] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)  # the row's values as read (for storage)

    @property
    def row(self) -> int:
        return self.number

    def error_row(self, message: str = "") -> BatchRow:
        return BatchRow(
            row=self.number,
            name=self.name,
            email=self.email,
            channel=self.channel,
            status="error",
            error=message or self.error,
            warnings=list(self.warnings),
        )


def format_problems(problems: Iterable[Problem]) -> str:
    return "; ".join(problem.message for problem in problems)


def validation_problems(errors: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """Pydantic (or FastAPI) errors as problems, naming the field, never echoing the value."""
    problems = []
    for error in errors:
        if error.get("type") == "json_invalid":
            detail = str((error.get("ctx") or {}).get("error", "")).strip()
            problems.append(Problem("", f"the body is not valid JSON ({detail}): send a JSON object"))
            continue
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        where = ".".join(loc)
        problems.append(Problem(where, f"{where}: {message}" if where else message))
    return problems or [Problem("", "invalid row")]


def validation_message(exc: ValidationError) -> str:
    """Pydantic errors as one line, without echoing the input values."""
    return format_problems(validation_problems(exc.errors()))


def build_row(
    number: int, values: Mapping[str, str], *, default_sender: str = "", read_error: str = ""
) -> InputRow:
    """Check one row's cells and build its DraftRequest (or the problems that prevent it)."""
    get = {column: str(values.get(column, "") or "").strip() for column in COLUMNS}
    sender = get["sender_name"] or default_sender.strip()
    content = {**get, "sender_name": sender, "error": read_error}
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:20]
    row = InputRow(number, None, digest=digest, name=get["name"], email=get["email"])
    row.cells = {column: value for column, value in get.items() if value}
    if sender and not get["sender_name"]:
        row.cells["sender_name"] = sender
    channel = get["channel"].lower() or "email"
    row.channel = channel if channel in CHANNELS else get["channel"]
    hint = normalize_key(get["next_step_hint"]) or None
    problems = [Problem("", read_error)] if read_error else []
    if not read_error:
        if not get["name"]:
            problems.append(Problem("name", "the name is empty: give the name of the person you met"))
        if not get["notes"]:
            problems.append(
                Problem("notes", "the notes are empty: write a few words about what you talked about")
            )
        elif len(get["notes"]) > MAX_NOTES:
            problems.append(
                Problem(
                    "notes",
                    f"the notes are {len(get['notes']):,} characters: "
                    f"shorten them to {MAX_NOTES:,} characters or fewer",
                )
            )
        for column in ("name", "email", "company", "where_met", "sender_name"):
            if len(get[column]) > MAX_FIELD:
                problems.append(
                    Problem(
                        column, f"the {column} is {len(get[column]):,} characters: shorten it to {MAX_FIELD}"
                    )
                )
        if channel not in CHANNELS:
            problems.append(
                Problem(
                    "channel",
                    f"unknown channel {get['channel']!r}: "
                    f"use one of {', '.join(CHANNELS)} (blank means email)",
                )
            )
        if hint is not None and hint not in NEXT_STEP_TYPES:
            problems.append(
                Problem(
                    "next_step_hint",
                    f"unknown next_step_hint {get['next_step_hint']!r}: "
                    f"use one of {', '.join(NEXT_STEP_TYPES)} (blank means choose automatically)",
                )
            )
    if not problems:
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
            problems = validation_problems(exc.errors())
    row.problems = problems
    row.error = format_problems(problems)
    return row


def _check_rows(
    raw_rows: list[RawRow],
    columns: set[str],
    file_warnings: list[str],
    *,
    label: str,
    default_sender: str,
    max_rows: int,
) -> list[InputRow]:
    for required in ("name", "notes"):
        if required not in columns:
            found = ", ".join(sorted(columns)) or "none"
            raise InputError(
                f"{label} has no {required!r} column (found: {found}): add a column named {required}."
            )
    if len(raw_rows) > max_rows:
        raise LimitError(
            f"{label} has {len(raw_rows):,} rows; the limit is {max_rows:,}: split the file, "
            f"or raise the limit with --max-rows {len(raw_rows)}."
        )
    unknown = columns - set(COLUMNS)
    if unknown:
        logger.info("ignoring columns: %s", ", ".join(sorted(unknown)))
    rows = []
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(raw_rows, start=1):
        row = build_row(number, raw.values, default_sender=default_sender, read_error=raw.error)
        row.warnings = [*file_warnings, *raw.warnings]
        if row.digest in first_seen:
            row.warnings.append(f"same as row {first_seen[row.digest]}")
        else:
            first_seen[row.digest] = number
        rows.append(row)
    return rows


def read_contacts(
    source: Source, *, name: str = "", default_sender: str = "", max_rows: int = DEFAULT_MAX_ROWS
) -> list[InputRow]:
    """Read and check every row of a CSV or JSONL path, bytes or binary stream.

    The format comes from the name's extension (a path's own name by default; for bytes
    without a name, from the content). Whole-file problems raise InputError.
    """
    data, label = read_source(source, name)
    raw_rows, columns, warnings = parse_table(data, label)
    return _check_rows(
        raw_rows,
        columns,
        warnings,
        label=label or "the upload",
        default_sender=default_sender,
        max_rows=max_rows,
    )


def read_records(
    records: Sequence[Any], *, default_sender: str = "", max_rows: int = DEFAULT_MAX_ROWS, label: str = "rows"
) -> list[InputRow]:
    """Check a list of JSON objects (an API request's rows) the way JSONL lines are checked."""
    if not records:
        raise InputError(f"{label} is empty: give one object per person you met.")
    raw_rows = [record_row(value, f"item {index}") for index, value in enumerate(records, start=1)]
    columns = {column for row in raw_rows for column in row.values}
    return _check_rows(raw_rows, columns, [], label=label, default_sender=default_sender, max_rows=max_rows)


def read_rows(path: Any, default_sender: str = "", *, max_rows: int = DEFAULT_MAX_ROWS) -> list[InputRow]:
    """`read_contacts` for a path (the CLI's spelling)."""
    return read_contacts(path, default_sender=default_sender, max_rows=max_rows)


def read_requests(
    path: Any, default_sender: str = "", *, max_rows: int = DEFAULT_MAX_ROWS
) -> list[DraftRequest | RowError]:
    """One entry per row, in order: a request, or a RowError ('row 3: ...') saying what to fix."""
    results: list[DraftRequest | RowError] = []
    for row in read_rows(path, default_sender, max_rows=max_rows):
        if row.request is not None:
            results.append(row.request)
        else:
            error = RowError(f"row {row.number}: {row.error}")
            error.row = row.number  # type: ignore[attr-defined]
            results.append(error)
    return results
