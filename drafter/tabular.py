"""CSV and JSONL in and out for batches: decoding, parsing into raw rows, safe atomic writing,
and `OutputFiles`, the journal and resume bookkeeping of one batch output.

Reading never raises on one bad row: a row that cannot be read carries an `error`; only
whole-file problems (missing, too big, binary, not CSV) raise InputError.
"""

from __future__ import annotations

import csv
import glob
import io
import json
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from .errors import InputError
from .models import OUTPUT_FIELDS, BatchRow

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
FORMATS = {".csv": "csv", ".jsonl": "jsonl"}
CP1252_WARNING = "input was not UTF-8; read as Windows-1252"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The process umask, for files written via mkstemp (which makes them private); it can only be
# read by setting it, so it is read once, at import.
_UMASK = os.umask(0o022)
os.umask(_UMASK)
_LIST_SEPARATORS = {"guidance_ids": ";", "warnings": " | "}

# A long quoted notes cell must not trip the csv module's 128 KB field limit; the whole
# file is already capped at MAX_BYTES.
if csv.field_size_limit() < MAX_BYTES + 1:
    csv.field_size_limit(min(sys.maxsize, MAX_BYTES + 1))


@dataclass
class RawRow:
    """One input row before validation: normalised column -> text."""

    values: dict[str, str]
    error: str = ""  # the row itself could not be read (a JSONL line that is not an object...)
    warnings: list[str] = field(default_factory=list)


def file_format(path: Path, what: str = "input") -> str:
    """'csv' or 'jsonl' from the file's extension, else InputError."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"Cannot tell the {what} format of {path.name}: use a file ending in .csv or .jsonl."
        )
    return fmt


def normalize_key(key: str) -> str:
    """Column names are case-insensitive; spaces and hyphens count as underscores."""
    return re.sub(r"[\s\-]+", "_", key.strip().lower())


def read_table(path: Path) -> tuple[list[RawRow], set[str], list[str]]:
    """Rows, the column names seen, and file-wide warnings (such as the encoding fallback)."""
    fmt = file_format(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError(f"{path} is a folder: give the path of a .csv or .jsonl file.")
        if size > MAX_BYTES:
            raise InputError(
                f"{path.name} is {size / 1024 / 1024:.1f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB: "
                "split it into smaller files."
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"No such file: {path}: check the path.") from None
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    text, warnings = _decode(data, path.name)
    if not text.strip():
        raise InputError(f"{path.name} is empty: add a header line and one row per person.")
    rows, columns = _parse_csv(text, path.name) if fmt == "csv" else _parse_jsonl(text)
    if not rows:
        raise InputError(f"{path.name} has a header but no rows: add one row per person you met.")
    return rows, columns, warnings


def _decode(data: bytes, name: str) -> tuple[str, list[str]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            raise InputError(f"{name} is not readable UTF-16 text: save it as 'CSV UTF-8'.") from None
    if b"\x00" in data:
        raise InputError(
            f"{name} is a binary file, not text (an Excel workbook?): save it as 'CSV UTF-8' or JSONL."
        )
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), [CP1252_WARNING]


def _parse_csv(text: str, name: str) -> tuple[list[RawRow], set[str]]:
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:  # a spreadsheet in a locale that separates with ; or tabs
        delimiter = next((d for d in (";", "\t") if d in first_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    started = 1  # the line the current record starts on
    try:
        header = [normalize_key(cell) for cell in next(reader)]
        seen: set[str] = set()
        for column in header:
            if column and column in seen:
                raise InputError(f"{name} has the column {column!r} twice: keep one of them.")
            seen.add(column)
        rows = []
        started = reader.line_num + 1
        for cells in reader:
            started_here, started = started, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue  # blank lines and rows of empty cells (spreadsheet padding) are not rows
            pairs = zip(header, cells, strict=False)
            values = {col: cell.replace("\r\n", "\n") for col, cell in pairs if col}
            row = RawRow(values)
            extra = [cell for cell in cells[len(header) :] if cell.strip()]
            if extra:
                row.warnings.append(
                    f"this row (line {started_here}) has {len(header) + len(extra)} cells but the header "
                    f"has {len(header)} columns: the extra cells were ignored (put quotes around text "
                    "that contains commas)"
                )
            rows.append(row)
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise InputError(
                f"{name} is not valid CSV: the quote opened on line {started} is never closed: "
                'add the closing " or remove the stray one.'
            ) from None
        raise InputError(
            f"{name} is not valid CSV on line {reader.line_num} ({exc}): check the quotes on that line."
        ) from None
    except StopIteration:
        raise InputError(f"{name} is empty: add a header line and one row per person.") from None
    return rows, {column for column in header if column}


def _parse_jsonl(text: str) -> tuple[list[RawRow], set[str]]:
    rows: list[RawRow] = []
    columns: set[str] = set()
    for line_no, line in enumerate(text.split("\n"), start=1):
        line = line.strip().rstrip("\r")
        if not line:
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            rows.append(RawRow({}, f"line {line_no} is not valid JSON ({msg}): fix or remove it"))
            continue
        if not isinstance(value, dict):
            kinds: dict[type, str] = {list: "a list", str: "a string"}
            kind = kinds.get(type(value), "not an object")
            rows.append(
                RawRow({}, f'line {line_no} is {kind}, not an object: write {{"name": ..., "notes": ...}}')
            )
            continue
        rows.append(_jsonl_row(value, line_no))
        columns.update(rows[-1].values)
    return rows, columns


def _jsonl_row(value: dict[str, Any], line_no: int) -> RawRow:
    values: dict[str, str] = {}
    problems: list[str] = []
    for key, item in value.items():
        column = normalize_key(str(key))
        if column in values:
            problems.append(f"the key {column!r} appears twice")
        if item is None:
            item = ""
        elif isinstance(item, bool):
            item = "true" if item else "false"
        elif isinstance(item, int | float):
            item = str(item)
        elif not isinstance(item, str):
            kind = "a list" if isinstance(item, list) else "an object"
            problems.append(f"{column!r} must be text, not {kind}")
            item = ""
        values[column] = item
    return RawRow(values, f"line {line_no}: " + "; ".join(problems) if problems else "")


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


def render_rows(rows: Iterable[BatchRow], fmt: str) -> str:
    if fmt == "jsonl":
        return "".join(json_line(row) for row in rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(OUTPUT_FIELDS)
    writer.writerows(row_cells(row) for row in rows)
    return buffer.getvalue()


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


class OutputFiles:
    """Where rows go: the journal (and JSONL output) during the run, the final file at the end."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.format = file_format(output, "output")
        self.journal = output.with_name(output.name + ".partial.jsonl")
        self.manifest = output.with_name(output.name + ".resume.json")
        self.done: dict[int, BatchRow] = {}
        self._digests: dict[int, str] = {}
        self._files: list[IO[str]] = []

    def previous(self, digests: dict[int, str]) -> dict[int, BatchRow]:
        """Rows of an earlier run still valid: ok, same row number and same input content."""
        earlier: dict[int, tuple[str, BatchRow]] = {}
        try:
            hashes = json.loads(self.manifest.read_text(encoding="utf-8")).get("rows", {})
        except (OSError, ValueError, AttributeError):
            hashes = {}
        if self.output.is_file() and isinstance(hashes, dict):
            for number, row in read_output(self.output).items():
                if str(number) in hashes:
                    earlier[number] = (str(hashes[str(number)]), row)
        if self.journal.is_file():
            text = self.journal.read_text(encoding="utf-8", errors="replace")
            for digest, row in read_journal_text(text):
                earlier[row.row] = (digest, row)
        kept = {}
        for number, wanted in digests.items():
            digest, found = earlier.get(number, ("", None))
            if found is not None and found.status == "ok" and digest == wanted:
                kept[number] = found
        logger.info("resume: keeping %d of %d rows", len(kept), len(digests))
        return kept

    def start(self, kept: dict[int, BatchRow], digests: dict[int, str]) -> None:
        self._digests = dict(digests)
        self.done = dict(kept)
        # Temporary files of a run killed while writing: never read, safe to remove.
        for stale in self.output.parent.glob(glob.escape(f".{self.output.name}.") + "*.tmp"):
            stale.unlink(missing_ok=True)
        ordered = [kept[number] for number in sorted(kept)]
        atomic_write_text(self.journal, "".join(self._journal_line(row) for row in ordered))
        self.manifest.unlink(missing_ok=True)
        self._files.append(self.journal.open("a", encoding="utf-8", newline=""))
        if self.format == "jsonl":
            atomic_write_text(self.output, "".join(json_line(row) for row in ordered))
            self._files.append(self.output.open("a", encoding="utf-8", newline=""))

    def _journal_line(self, row: BatchRow) -> str:
        return json_line(row, hash=self._digests.get(row.row, ""))

    def add(self, row: BatchRow) -> None:
        self.done[row.row] = row
        lines = [self._journal_line(row), json_line(row)]
        for handle, line in zip(self._files, lines, strict=False):
            handle.write(line)  # one write per whole line, then flush
            handle.flush()

    def finish(self, rows: list[BatchRow]) -> None:
        self.close()
        write_rows(rows, self.output)
        manifest = {"rows": {str(row.row): self._digests.get(row.row, "") for row in rows}}
        atomic_write_text(self.manifest, json.dumps(manifest, indent=0) + "\n")
        self.journal.unlink(missing_ok=True)

    def close(self) -> None:
        for handle in self._files:
            handle.close()
        self._files = []
