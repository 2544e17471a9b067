"""Where finished rows go while a batch runs, and where a resumed batch finds them.

A Journal answers `finished()` (rows already done, by number) and takes `record(row)` as each
row finishes. A journal may also `claim()` the next row number itself (the service's
database journal, shared by several workers); otherwise the runner walks the rows in order.

- MemoryJournal: a dict (the app; regenerate one row by running it again).
- FileJournal: `drafter batch` files. `OUTPUT.partial.jsonl` (and, for JSONL output, the
  output itself) gets one whole line per row, so a killed run can `--resume`; the final file
  is rewritten atomically in input order at `finish`; `OUTPUT.resume.json` keeps a hash of
  each input row so that `--resume` redoes only rows that failed or were edited.
- the service's JobJournal, in drafter/store/jobs.py.
"""

from __future__ import annotations

import glob
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Protocol, runtime_checkable

from ..models import BatchRow
from .output import atomic_write_text, json_line, read_journal_text, read_output, write_rows
from .tables import file_format

logger = logging.getLogger(__name__)


@runtime_checkable
class Journal(Protocol):
    def finished(self) -> dict[int, BatchRow]: ...

    def record(self, row: BatchRow) -> None: ...


@runtime_checkable
class ClaimingJournal(Journal, Protocol):
    def claim(self) -> int | None:
        """The number of the next row this worker alone drafts, or None when none is left."""
        ...


class MemoryJournal:
    """Finished rows in a dict."""

    def __init__(self, rows: Mapping[int, BatchRow] | None = None) -> None:
        self.rows: dict[int, BatchRow] = dict(rows or {})

    def finished(self) -> dict[int, BatchRow]:
        return dict(self.rows)

    def record(self, row: BatchRow) -> None:
        self.rows[row.row] = row

    def forget(self, number: int) -> None:
        """Draft this row again on the next run."""
        self.rows.pop(number, None)


class FileJournal:
    """The journal and resume bookkeeping of one `drafter batch` output file."""

    def __init__(self, output: Path, digests: Mapping[int, str], *, resume: bool = False) -> None:
        self.output = output
        self.format = file_format(output, "output")
        self.journal = output.with_name(output.name + ".partial.jsonl")
        self.manifest = output.with_name(output.name + ".resume.json")
        self._digests = dict(digests)
        self._files: list[IO[str]] = []
        if not resume and self.journal.exists():
            logger.warning("an earlier run into %s was cut short; starting over", output.name)
        self.kept = self._previous() if resume else {}
        self.done: dict[int, BatchRow] = dict(self.kept)
        self._start()

    def _previous(self) -> dict[int, BatchRow]:
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
        for number, wanted in self._digests.items():
            digest, found = earlier.get(number, ("", None))
            if found is not None and found.status == "ok" and digest == wanted:
                kept[number] = found
        logger.info("resume: keeping %d of %d rows", len(kept), len(self._digests))
        return kept

    def _start(self) -> None:
        # Temporary files of a run killed while writing: never read, safe to remove.
        for stale in self.output.parent.glob(glob.escape(f".{self.output.name}.") + "*.tmp"):
            stale.unlink(missing_ok=True)
        ordered = [self.kept[number] for number in sorted(self.kept)]
        atomic_write_text(self.journal, "".join(self._journal_line(row) for row in ordered))
        self.manifest.unlink(missing_ok=True)
        self._files.append(self.journal.open("a", encoding="utf-8", newline=""))
        if self.format == "jsonl":
            atomic_write_text(self.output, "".join(json_line(row) for row in ordered))
            self._files.append(self.output.open("a", encoding="utf-8", newline=""))

    def _journal_line(self, row: BatchRow) -> str:
        return json_line(row, hash=self._digests.get(row.row, ""))

    def finished(self) -> dict[int, BatchRow]:
        return dict(self.done)

    def record(self, row: BatchRow) -> None:
        self.done[row.row] = row
        lines = [self._journal_line(row), json_line(row)]
        for handle, line in zip(self._files, lines, strict=False):
            handle.write(line)  # one write per whole line, then flush
            handle.flush()

    def finish(self, rows: list[BatchRow]) -> None:
        """Write the final output in input order, the resume hashes, and drop the journal."""
        self.close()
        write_rows(rows, self.output)
        manifest = {"rows": {str(row.row): self._digests.get(row.row, "") for row in rows}}
        atomic_write_text(self.manifest, json.dumps(manifest, indent=0) + "\n")
        self.journal.unlink(missing_ok=True)

    def close(self) -> None:
        for handle in self._files:
            handle.close()
        self._files = []
