"""Rows out: CSV (formula-safe) and JSONL, written atomically, and read back for resume."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..models import OUTPUT_FIELDS, BatchRow
from .tables import file_format

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The process umask, for files written via mkstemp (which makes them private); it can only be
# read by setting it, so it is read once, at import.
_UMASK = os.umask(0o022)
os.umask(_UMASK)
_LIST_SEPARATORS = {"guidance_ids": ";", "warnings": " | "}
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


def csv_safe(value: Any) -> Any:
    """Neutralise a spreadsheet formula: text starting with = + - @ tab or CR gets a leading quote.

    Text that already starts with quotes before such a character gets one more, so that reading
    our own CSV back (dropping one quote) gives the original text.
    """
    if isinstance(value, str) and value.lstrip("'").startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_unsafe(value: str) -> str:
    """Undo csv_safe when reading our own CSV back."""
    if value.startswith("'") and value.lstrip("'").startswith(_FORMULA_START):
        return value[1:]
    return value


def row_cells(row: BatchRow) -> list[Any]:
    """A BatchRow as CSV cells: lists joined, formulas neutralised."""
    data = row.model_dump()
    cells = []
    for name in OUTPUT_FIELDS:
        value = data[name]
        if name in _LIST_SEPARATORS:
            value = _LIST_SEPARATORS[name].join(value)
        cells.append(csv_safe(value))
    return cells


def json_line(row: BatchRow, **extra: Any) -> str:
    return json.dumps({**extra, **row.model_dump()}, ensure_ascii=False) + "\n"


def csv_header() -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(OUTPUT_FIELDS)
    return buffer.getvalue()


def csv_line(row: BatchRow) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(row_cells(row))
    return buffer.getvalue()


def render_rows(rows: Iterable[BatchRow], fmt: str) -> str:
    """Rows as the text of a .jsonl or .csv file (`fmt` is 'jsonl' or 'csv')."""
    if fmt == "jsonl":
        return "".join(json_line(row) for row in rows)
    return csv_header() + "".join(csv_line(row) for row in rows)


def write_rows(rows: Iterable[BatchRow], path: Path | str) -> Path:
    """Write rows as CSV or JSONL (by extension), atomically: a reader never sees a torn file."""
    path = Path(path)
    atomic_write_text(path, render_rows(rows, file_format(path, "output")))
    return path


def atomic_write_text(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, then os.replace it over `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private; give it the mode a plainly created file would get.
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_UMASK)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_output(path: Path) -> dict[int, BatchRow]:
    """Rows from an earlier output (ours), by row number; unreadable lines are skipped."""
    rows: dict[int, BatchRow] = {}
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return rows
    if file_format(path, "output") == "jsonl":
        for _, row in read_journal_text(text):
            rows[row.row] = row
        return rows
    try:
        for record in csv.DictReader(io.StringIO(text, newline="")):
            data: dict[str, Any] = {k: _csv_unsafe(v or "") for k, v in record.items() if k in OUTPUT_FIELDS}
            for name, sep in _LIST_SEPARATORS.items():
                data[name] = [part for part in data.get(name, "").split(sep) if part]
            try:
                row = BatchRow.model_validate(data)
            except ValidationError:
                continue
            rows[row.row] = row
    except csv.Error:
        pass
    return rows


def read_journal_text(text: str) -> list[tuple[str, BatchRow]]:
    """(hash, row) from JSONL lines; a torn or foreign line is skipped."""
    entries = []
    for line in text.split("\n"):
        try:
            data = json.loads(line)
            row = BatchRow.model_validate(data)
        except (ValueError, ValidationError):
            continue
        entries.append((str(data.get("hash", "")), row))
    return entries
