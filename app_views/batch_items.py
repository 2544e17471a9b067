"""An event batch in the app: rows read from an upload, drafted by drafter's batch runner,
reviewed, edited, approved and exported. No widgets here, so every piece is testable alone.

Each BatchItem keeps its checked input row (drafter.InputRow) and the runner's output row
(drafter.BatchRow, the same contract `drafter batch` writes); a failed regeneration keeps the
earlier draft and says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from drafter import (
    BatchRow,
    Draft,
    InputError,
    InputRow,
    MemoryJournal,
    eml_filename,
    eml_zip,
    read_contacts,
    render_rows,
    run_batch,
    to_eml,
    to_ics,
)

from .downloads import Download, reminder
from .text import CHANNEL_LABELS, KIND_LABELS

logger = logging.getLogger("drafter.app")

BATCH_HELP = (
    "Upload a CSV or JSONL file with one contact per row. Required columns: **name** and **notes**; "
    "optional: email, company, where\\_met, channel, next\\_step\\_hint, sender\\_name. Start from "
    "the template if in doubt."
)
TEMPLATE_COLUMNS = ("name", "email", "company", "where_met", "channel", "notes", "next_step_hint")
TEMPLATE_ROWS = (
    {
        "name": "Jane Doe",
        "email": "jane@example.com",
        "company": "Acme Robotics",
        "where_met": "PyCon reception",
        "channel": "email",
        "notes": "Talked about trail running near Portland. I said I'd send her the trail map.",
        "next_step_hint": "",
    },
    {
        "name": "Li Wei",
        "email": "",
        "company": "Northwind",
        "where_met": "Data meetup",
        "channel": "linkedin",
        "notes": "He is starting a reading group on causal inference; I would like to join.",
        "next_step_hint": "joint_venture",
    },
)
REGENERATE_FAILED = "regenerating failed, the earlier draft is kept"
STATUS_LABELS = {"pending": "pending", "ok": "ready", "warnings": "check", "error": "error"}
# column -> (label, kind, width in pixels, help); the view turns these into st.column_config entries
REVIEW_COLUMN_SPEC: dict[str, tuple[str, str, int, str]] = {
    "approve": ("Approve", "checkbox", 80, "Approved rows go into the .eml zip and the reminders"),
    "redo": ("Redo", "checkbox", 60, "Tick, then press 'Regenerate checked rows'"),
    "status": ("Status", "text", 70, "ready, check (has warnings), error or pending"),
    "row": ("Row", "number", 50, "Row number in the uploaded file"),
    "name": ("Name", "text", 130, ""),
    "channel": ("Channel", "text", 80, ""),
    "next_step_type": ("Next step", "text", 110, ""),
    "subject": ("Subject", "text", 200, "Double-click to edit"),
    "body": ("Body", "text", 380, "Double-click to edit; read it in full below the table"),
    "warnings": ("Warnings", "text", 260, ""),
}
REVIEW_COLUMNS = tuple(REVIEW_COLUMN_SPEC)
EDITABLE_COLUMNS = ("approve", "redo", "subject", "body")


@dataclass
class BatchItem:
    """One row of an event batch: its checked input, its output row once drafted, the review marks."""

    source: InputRow
    result: BatchRow | None = None
    approved: bool = False
    redo: bool = False
    notes: list[str] = field(default_factory=list)  # e.g. a failed regeneration

    @property
    def row(self) -> int:
        return self.source.number

    @property
    def request(self) -> Any:  # DraftRequest | None
        return self.source.request

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def channel(self) -> str:
        return self.request.channel if self.request is not None else self.source.channel

    @property
    def runnable(self) -> bool:
        return self.request is not None

    @property
    def drafted(self) -> bool:
        return self.result is not None and self.result.status == "ok"

    @property
    def error(self) -> str:
        if self.source.error:
            return self.source.error
        return self.result.error if self.result is not None and not self.drafted else ""

    @property
    def draft(self) -> Draft | None:
        """The drafted row as a Draft (what the .eml and .ics exports take)."""
        row = self.result
        if row is None or row.status != "ok":
            return None
        return Draft(
            channel=row.channel,  # type: ignore[arg-type]
            subject=row.subject,
            body=row.body,
            next_step_type=row.next_step_type,  # type: ignore[arg-type]
            next_step=row.next_step,
            follow_up_when=row.follow_up_when,
            follow_up_date=dt.date.fromisoformat(row.follow_up_date),
            guidance_ids=row.guidance_ids,
            warnings=row.warnings,
            backend=row.backend,
            model=row.model,
            seconds=row.seconds,
        )

    @property
    def warnings(self) -> list[str]:
        if self.error:
            return [self.error]
        found = self.result.warnings if self.result is not None else self.source.warnings
        return [*found, *self.notes]

    @property
    def status(self) -> str:
        if self.error:
            return "error"
        if self.result is None:
            return "pending"
        return "warnings" if self.result.warnings else "ok"


def read_upload(name: str, data: bytes, sender: str = "") -> list[BatchItem]:
    """Batch items from an uploaded file's bytes; a whole-file problem raises InputError naming it."""
    try:
        rows = read_contacts(data, name=name, default_sender=sender)
    except InputError:
        raise
    except ValueError as exc:
        raise InputError(
            f"{name} could not be read ({type(exc).__name__}): upload a CSV or JSONL file."
        ) from exc
    return [BatchItem(row) for row in rows]


def draft_items(
    drafter: Any, items: Sequence[BatchItem], on_row: Callable[[int, int, BatchItem], object] | None = None
) -> None:
    """Draft the runnable items with drafter's batch runner; results land on the items as they finish.

    A row that fails keeps an earlier draft it had (with a note saying so), so a failed
    regeneration never loses work; a row without one shows the error and can be tried again.
    """
    by_number = {item.row: item for item in items}

    def progress(done: int, total: int, row: BatchRow) -> None:
        item = by_number[row.row]
        item.notes = [n for n in item.notes if not n.startswith(REGENERATE_FAILED)]
        if row.status == "ok":
            item.result, item.redo, item.approved = row, False, False
        elif item.drafted:
            item.notes.append(f"{REGENERATE_FAILED}: {row.error}")
        else:
            item.result = row
        if on_row is not None:
            on_row(done, total, item)

    run_batch(drafter, [item.source for item in items if item.runnable], MemoryJournal(), progress=progress)


def review_frame(items: Sequence[BatchItem]) -> Any:
    """The review table's data: one row per item, the editable columns first."""
    import pandas as pd

    records = []
    for item in items:
        row = item.result if item.drafted else None
        records.append(
            {
                "approve": item.approved,
                "redo": item.redo,
                "status": STATUS_LABELS[item.status],
                "row": item.row,
                "name": item.name,
                "channel": CHANNEL_LABELS.get(item.channel, item.channel),
                "next_step_type": KIND_LABELS.get(row.next_step_type, "") if row else "",
                "subject": row.subject if row else "",
                "body": row.body if row else "",
                "warnings": "; ".join(item.warnings),
            }
        )
    return pd.DataFrame.from_records(records, columns=list(REVIEW_COLUMNS))


def apply_edits(items: Sequence[BatchItem], edited_rows: dict[Any, dict[str, Any]]) -> int:
    """Apply the review table's edit state ({position: {column: value}}); count the changes.

    Approvals apply to drafted rows and redo marks to runnable ones; subject (email only) and
    body edits to drafts.
    """
    changed = 0
    for position, changes in edited_rows.items():
        try:
            item = items[int(position)]
        except (ValueError, IndexError):
            continue
        if "approve" in changes:
            value = bool(changes["approve"]) and item.drafted
            changed += value != item.approved
            item.approved = value
        if "redo" in changes:
            value = bool(changes["redo"]) and item.runnable
            changed += value != item.redo
            item.redo = value
        if item.result is not None and item.drafted:
            update = {}
            if "subject" in changes and item.channel == "email":
                update["subject"] = _cell(changes["subject"])
            if "body" in changes:
                update["body"] = _cell(changes["body"])
            edited = item.result.model_copy(update=update)
            if edited != item.result:
                item.result = edited
                changed += 1
    return changed


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):  # an emptied cell
        return ""
    return str(value)


def batch_rows(items: Iterable[BatchItem]) -> list[BatchRow]:
    """The `drafter batch` output rows for every drafted or failed item (pending ones left out)."""
    rows = []
    for item in items:
        if item.result is not None:
            rows.append(item.result)
        elif item.error:
            rows.append(item.source.error_row())
    return rows


def rows_text(rows: Sequence[BatchRow], fmt: str) -> bytes:
    """CSV or JSONL bytes in the exact `drafter batch` output contract."""
    return render_rows(rows, fmt).encode("utf-8")


def approved(items: Iterable[BatchItem]) -> list[BatchItem]:
    return [i for i in items if i.approved and i.drafted and i.request is not None]


def approved_eml_zip(items: Iterable[BatchItem], sender: str = "") -> bytes:
    """A zip of .eml drafts for the approved email rows."""
    files = []
    for item in approved(items):
        draft = item.draft
        if draft is None or draft.channel != "email":
            continue
        sign = item.request.sender or sender
        files.append((eml_filename(item.row, item.name), to_eml(draft, item.request.contact, sign)))
    return eml_zip(files)


def approved_ics(items: Iterable[BatchItem]) -> bytes:
    """One calendar with a reminder per approved row."""
    reminders = []
    for item in approved(items):
        draft = item.draft
        if draft is not None:
            reminders.append(reminder(draft, item.request.contact))
    return to_ics(reminders)


def template_csv() -> bytes:
    """A CSV template with the input columns and two example rows."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(TEMPLATE_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(TEMPLATE_ROWS)
    return buffer.getvalue().encode("utf-8")


def batch_downloads(items: Sequence[BatchItem], sender: str = "") -> tuple[list[Download], str]:
    """The four batch exports and a caption saying what each holds."""
    rows = batch_rows(items)
    chosen = approved(items)
    emails = [i for i in chosen if i.channel == "email"]
    files = [
        Download(
            "dl_csv", "CSV", lambda: rows_text(rows, "csv"), "follow-ups.csv", "text/csv", disabled=not rows
        ),
        Download(
            "dl_jsonl",
            "JSONL",
            lambda: rows_text(rows, "jsonl"),
            "follow-ups.jsonl",
            "application/jsonl",
            disabled=not rows,
        ),
        Download(
            "dl_zip",
            f".eml zip ({len(emails)})",
            lambda: approved_eml_zip(chosen, sender),
            "follow-ups.zip",
            "application/zip",
            disabled=not emails,
        ),
        Download(
            "dl_batch_ics",
            f"Reminders .ics ({len(chosen)})",
            lambda: approved_ics(chosen),
            "follow-ups.ics",
            "text/calendar",
            disabled=not chosen,
        ),
    ]
    caption = (
        f"CSV and JSONL hold every drafted row ({len(rows)}). The zip holds an .eml draft per approved "
        f"email row ({len(emails)}); the calendar a reminder per approved row ({len(chosen)})."
    )
    return files, caption


def review_column_config(cc: Any) -> dict[str, Any]:
    """The review table's column config, built with `st.column_config` (passed in as `cc`)."""
    kinds = {"checkbox": cc.CheckboxColumn, "text": cc.TextColumn, "number": cc.NumberColumn}
    return {
        column: kinds[kind](label, width=width, help=help or None)
        for column, (label, kind, width, help) in REVIEW_COLUMN_SPEC.items()
    }


def batch_summary(chosen: Sequence[BatchItem]) -> str:
    """One line after a run: how many were drafted, how many need a look, how many failed."""
    done = [i for i in chosen if i.drafted]
    to_check = sum(1 for i in done if i.result is not None and i.result.warnings)
    return f"Finished: {len(done)} drafted ({to_check} to check), {len(chosen) - len(done)} failed."


def row_label(item: BatchItem) -> str:
    return f"Row {item.row}: {item.name or '(no name)'} ({STATUS_LABELS[item.status]})"
