"""Contacts files in: a path, bytes or a stream, decoded and parsed into raw rows.

Reading never raises on one bad row: a row that cannot be read carries an `error`; only
whole-file problems (missing, too big, binary, not CSV) raise InputError.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import InputError

MAX_BYTES = 5 * 1024 * 1024
FORMATS = {".csv": "csv", ".jsonl": "jsonl"}
CP1252_WARNING = "input was not UTF-8; read as Windows-1252"

Source = Path | str | bytes | IO[bytes]

# A long quoted notes cell must not trip the csv module's 128 KB field limit; the whole
# file is already capped at MAX_BYTES.
if csv.field_size_limit() < MAX_BYTES + 1:
    csv.field_size_limit(min(sys.maxsize, MAX_BYTES + 1))


class LimitError(InputError):
    """The input is over a size or row-count limit (the service answers 413)."""


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


def read_source(source: Source, name: str = "") -> tuple[bytes, str]:
    """The bytes of a path, bytes or binary stream, and the name to call it by."""
    if isinstance(source, str | Path):
        path = Path(source)
        file_format(path)
        try:
            if path.is_dir():
                raise InputError(f"{path} is a folder: give the path of a .csv or .jsonl file.")
            size = path.stat().st_size
            _check_size(size, name or path.name)
            return path.read_bytes(), name or path.name
        except FileNotFoundError:
            raise InputError(f"No such file: {path}: check the path.") from None
        except OSError as exc:
            raise InputError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        name = name or Path(str(getattr(source, "name", "") or "")).name
        data = source.read(MAX_BYTES + 1)
    _check_size(len(data), name or "the upload")
    return data, name


def _check_size(size: int, name: str) -> None:
    if size > MAX_BYTES:
        shown = f"{size / 1024 / 1024:.1f} MB" if size != MAX_BYTES + 1 else "over 5 MB"
        raise LimitError(
            f"{name} is {shown}; the limit is {MAX_BYTES // 1024 // 1024} MB: split it into smaller files."
        )


def sniff_format(data: bytes, name: str) -> str:
    """The format from the name's extension, or from the content when the name has none."""
    if Path(name).suffix:
        return file_format(Path(name))
    return "jsonl" if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "csv"


def parse_table(data: bytes, name: str) -> tuple[list[RawRow], set[str], list[str]]:
    """Rows, the column names seen, and file-wide warnings (such as the encoding fallback)."""
    fmt = sniff_format(data, name)
    label = name or "the upload"
    text, warnings = _decode(data, label)
    if not text.strip():
        raise InputError(f"{label} is empty: add a header line and one row per person.")
    rows, columns = _parse_csv(text, label) if fmt == "csv" else _parse_jsonl(text)
    if not rows:
        raise InputError(f"{label} has a header but no rows: add one row per person you met.")
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
        rows.append(record_row(value, f"line {line_no}"))
    return rows, {column for row in rows for column in row.values}


def record_row(value: Any, where: str) -> RawRow:
    """One JSON record (a JSONL line, or an item of an API request's rows) as a raw row."""
    if not isinstance(value, Mapping):
        kinds: dict[type, str] = {list: "a list", str: "a string"}
        kind = kinds.get(type(value), "not an object")
        return RawRow({}, f'{where} is {kind}, not an object: write {{"name": ..., "notes": ...}}')
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
    return RawRow(values, f"{where}: " + "; ".join(problems) if problems else "")
