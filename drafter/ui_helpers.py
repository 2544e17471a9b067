"""Pure helpers behind the Streamlit app: no widgets here, so every piece is testable alone.

The app keeps widgets and session state; this module turns form values into requests, batch
rows into review tables and exports, and settings into a cache key that never holds the key.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from .config import Settings
from .errors import DrafterError, InputError
from .export import eml_filename, eml_zip, mailto_link, to_eml, to_ics
from .models import NEXT_STEP_LABELS, BatchRow, Contact, Draft, DraftRequest

logger = logging.getLogger(__name__)

INTRO = (
    "At the event you listened and left your agenda at home. Now give the relationship a future: "
    "recall something you talked about, propose **one small next step** (an ask, an offer, "
    "continuing what you started, or simply keeping the door open) and say roughly **when** you "
    "will be in touch. *Based on Career Bites #12, “Interview People”.*"
)
BATCH_HELP = (
    "Upload a CSV or JSONL file with one contact per row. Required columns: **name** and **notes**; "
    "optional: email, company, where\\_met, channel, next\\_step\\_hint, sender\\_name. Start from "
    "the template if in doubt."
)
CHANNEL_LABELS = {"email": "Email", "linkedin": "LinkedIn", "text": "Text message"}
KIND_LABELS = {
    "ask": "Ask",
    "offer": "Offer",
    "joint_venture": "Joint venture",
    "keep_in_touch": "Keep in touch",
}
AUTO = "auto"
NEXT_STEP_CHOICES = (AUTO, *NEXT_STEP_LABELS)
BACKEND_LABELS = {"embedded": "Embedded model (on this computer)", "openai": "OpenAI-compatible server"}

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

_MD_INLINE = re.compile(r"([\\`*_\[\]<>|$~:!{}])")
_MD_LINE_START = re.compile(r"^(?:[#>+-]|\d+(?=[.)]))")


def next_step_label(choice: str) -> str:
    if choice == AUTO:
        return "Automatic"
    return NEXT_STEP_LABELS.get(choice, choice)


def md_escape(text: Any) -> str:
    """User text made inert for st.markdown, alerts and labels: one line, markdown escaped.

    Escapes links, emphasis, code, HTML, tables, LaTeX, colour and icon directives (the colon)
    and anything that would start a heading, quote or list.
    """
    escaped = _MD_INLINE.sub(r"\\\1", " ".join(str(text).split()))
    match = _MD_LINE_START.match(escaped)
    if match:
        end = match.end()
        escaped = "\\" + escaped if not escaped[0].isdigit() else escaped[:end] + "\\" + escaped[end:]
    return escaped


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def friendly_date(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


# --- settings -------------------------------------------------------------------------------


FORM_FIELDS = ("name", "email", "company", "where_met", "channel", "notes", "next_step", "sender")


def session_defaults() -> dict[str, Any]:
    """First values of the app's session state; settings come from the environment."""
    try:
        env = Settings.from_env()
    except DrafterError:
        env = Settings()
    return {
        "backend": env.backend,
        "base_url": env.base_url,
        "model_name": env.model if env.backend == "openai" else "",
        "api_key": "",
        "default_channel": "email",
        "sender_name": env.sender_name,
        "f_next_step": AUTO,
        "batch_items": [],
        "review_version": 0,
    }


def build_settings(backend: str, base_url: str = "", model: str = "", api_key: str = "") -> Settings:
    """Settings from the environment with the sidebar's choices on top (blank means: keep).

    The sender is not part of them: each request carries its own, so changing the name never
    makes a new drafter.
    """
    if backend == "openai":
        return Settings.from_env(
            backend="openai",
            base_url=base_url.strip() or None,
            model=model.strip() or None,
            api_key=api_key.strip() or None,
        )
    return Settings.from_env(backend=backend)


def settings_fingerprint(settings: Settings) -> str:
    """A cache key for one configuration. The API key enters only as a hash of a hash."""
    shown = sorted(settings.describe().items())
    key_digest = hashlib.sha256(settings.api_key.encode()).hexdigest() if settings.api_key else ""
    return hashlib.sha256(repr((shown, key_digest)).encode()).hexdigest()[:24]


@dataclass
class Engine:
    """One Drafter per configuration and server process, warmed up once."""

    drafter: Any
    ready: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def warm_up(self) -> None:
        with self._lock:
            if not self.ready:
                self.drafter.warm_up()
                self.ready = True


# --- one draft ------------------------------------------------------------------------------


def validation_messages(exc: ValidationError) -> list[str]:
    """Plain sentences from a pydantic error: 'Contact name: ...', without pydantic's noise."""
    names = {"name": "Contact name", "notes": "Notes", "email": "Email", "channel": "Channel"}
    messages = []
    for error in exc.errors():
        where = next((str(p) for p in reversed(error.get("loc", ())) if isinstance(p, str)), "")
        text = str(error.get("msg", "")).removeprefix("Value error, ")
        label = names.get(where, where.replace("_", " ").capitalize())
        messages.append(f"{label}: {text}" if label else text)
    return messages


def make_request(
    *,
    name: str,
    notes: str,
    email: str = "",
    company: str = "",
    where_met: str = "",
    channel: str = "email",
    next_step: str = AUTO,
    sender: str = "",
) -> DraftRequest | list[str]:
    """A DraftRequest from form values, or the plain messages saying what to fix."""
    missing = []
    if not name.strip():
        missing.append("Contact name: give the name of the person you met.")
    if not notes.strip():
        missing.append("Notes: write a few words about what you talked about.")
    if missing:
        return missing
    try:
        return DraftRequest(
            contact=Contact(name=name, email=email, company=company, where_met=where_met),
            notes=notes,
            channel=channel,  # type: ignore[arg-type]
            next_step_hint=None if next_step in ("", AUTO) else next_step,  # type: ignore[arg-type]
            sender=sender,
        )
    except ValidationError as exc:
        return validation_messages(exc)


def with_edits(draft: Draft, subject: str | None, body: str | None) -> Draft:
    """The draft with the person's edits to subject and body."""
    changes: dict[str, Any] = {}
    if subject is not None and draft.channel == "email":
        changes["subject"] = subject
    if body is not None:
        changes["body"] = body
    return draft.model_copy(update=changes) if changes else draft


def reminder(draft: Draft, contact: Contact) -> tuple[str, dt.date, str]:
    """(name, date, summary) for the .ics reminder of one draft."""
    via = CHANNEL_LABELS.get(draft.channel, draft.channel)
    parts = [f"Follow up with {contact.name}"]
    if contact.company:
        parts[0] += f" ({contact.company})"
    parts.append(f"Next step: {' '.join(draft.next_step.split())}")
    parts.append(f"You said you would be in touch {draft.follow_up_when}, by {via}.")
    if contact.email:
        parts.append(f"Email: {contact.email}")
    return contact.name, draft.follow_up_date, "\n".join(parts)


def describe_error(exc: BaseException) -> str:
    """One line for st.error: our errors already say what to do; others name their type."""
    if isinstance(exc, DrafterError):
        return str(exc)
    return (
        f"Something went wrong while drafting ({type(exc).__name__}). Try again; if it keeps "
        "happening, switch the backend in the sidebar."
    )


# --- batch ----------------------------------------------------------------------------------


@dataclass
class BatchItem:
    """One row of an event batch: the request (or why the row is unusable) and its draft."""

    row: int
    request: DraftRequest | None
    name: str = ""
    channel: str = ""
    error: str = ""
    draft: Draft | None = None
    approved: bool = False
    redo: bool = False
    notes: list[str] = field(default_factory=list)  # reading warnings, e.g. "same as row 2"

    @property
    def status(self) -> str:
        if self.error:
            return "error"
        if self.draft is None:
            return "pending"
        return "warnings" if self.draft.warnings else "ok"

    @property
    def runnable(self) -> bool:
        return self.request is not None


REGENERATE_FAILED = "regenerating failed, the earlier draft is kept"
STATUS_LABELS = {"pending": "pending", "ok": "ready", "warnings": "check", "error": "error"}
REVIEW_COLUMNS = (
    "approve",
    "redo",
    "status",
    "row",
    "name",
    "channel",
    "next_step_type",
    "subject",
    "body",
    "warnings",
)
EDITABLE_COLUMNS = ("approve", "redo", "subject", "body")


def items_from_rows(rows: Sequence[Any]) -> list[BatchItem]:
    """BatchItems from `drafter.batch.read_rows` (each a request, or why the row is unusable)."""
    items = []
    for row in rows:
        item = BatchItem(
            int(row.row),
            row.request,
            name=row.name,
            channel=row.request.channel if row.request is not None else row.channel,
            error="" if row.request is not None else (row.error or "this row cannot be read"),
            notes=list(row.warnings),
        )
        items.append(item)
    return items


def draft_item(drafter: Any, item: BatchItem) -> BatchItem:
    """Draft one row; an error stays with the row and never stops the others."""
    if item.request is None:
        return item
    try:
        draft = drafter.draft(item.request)
    except Exception as exc:  # one row's failure must not stop the batch
        if not isinstance(exc, DrafterError):
            logger.exception("row %d failed", item.row)
        if item.draft is None:
            item.error = describe_error(exc)
        else:  # regenerating failed: keep the draft the person already has, and say so
            item.notes = [n for n in item.notes if not n.startswith(REGENERATE_FAILED)]
            item.notes.append(f"{REGENERATE_FAILED}: {describe_error(exc)}")
        return item
    item.notes = [n for n in item.notes if not n.startswith(REGENERATE_FAILED)]
    item.error, item.draft, item.redo, item.approved = "", draft, False, False
    return item


def review_frame(items: Sequence[BatchItem]) -> Any:
    """The review table's data: one row per item, the editable columns first."""
    import pandas as pd

    records = []
    for item in items:
        draft = item.draft
        warnings = [*(draft.warnings if draft else []), *item.notes]
        if item.error:
            warnings = [item.error]
        records.append(
            {
                "approve": item.approved,
                "redo": item.redo,
                "status": STATUS_LABELS[item.status],
                "row": item.row,
                "name": item.name,
                "channel": CHANNEL_LABELS.get(item.channel, item.channel),
                "next_step_type": KIND_LABELS.get(draft.next_step_type, "") if draft else "",
                "subject": draft.subject if draft else "",
                "body": draft.body if draft else "",
                "warnings": "; ".join(warnings),
            }
        )
    return pd.DataFrame.from_records(records, columns=list(REVIEW_COLUMNS))


def apply_edits(items: Sequence[BatchItem], edited_rows: dict[Any, dict[str, Any]]) -> int:
    """Apply the review table's edit state ({position: {column: value}}); count the changes.

    Approvals and redo marks apply to drafted and runnable rows; subject and body edits to drafts.
    """
    changed = 0
    for position, changes in edited_rows.items():
        try:
            item = items[int(position)]
        except (ValueError, IndexError):
            continue
        if "approve" in changes:
            value = bool(changes["approve"]) and item.draft is not None
            changed += value != item.approved
            item.approved = value
        if "redo" in changes:
            value = bool(changes["redo"]) and item.runnable
            changed += value != item.redo
            item.redo = value
        if item.draft is not None and ("subject" in changes or "body" in changes):
            subject = _cell(changes["subject"]) if "subject" in changes else None
            body = _cell(changes["body"]) if "body" in changes else None
            edited = with_edits(item.draft, subject, body)
            if edited != item.draft:
                item.draft = edited
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
        if item.draft is not None and item.request is not None:
            rows.append(BatchRow.from_draft(item.row, item.request, item.draft))
        elif item.error:
            request = item.request
            rows.append(
                BatchRow(
                    row=item.row,
                    name=item.name,
                    email=request.contact.email if request else "",
                    channel=item.channel,
                    status="error",
                    error=item.error,
                )
            )
    return rows


def rows_text(rows: Sequence[BatchRow], fmt: str) -> bytes:
    """CSV or JSONL bytes in the exact `drafter batch` output contract."""
    import tempfile
    from pathlib import Path

    from .batch import write_rows

    with tempfile.TemporaryDirectory(prefix="drafter-export-") as folder:
        path = Path(folder) / f"follow-ups.{fmt}"
        write_rows(rows, path)
        return path.read_bytes()


def approved(items: Iterable[BatchItem]) -> list[BatchItem]:
    return [i for i in items if i.approved and i.draft is not None and i.request is not None]


def approved_eml_zip(items: Iterable[BatchItem], sender: str = "") -> bytes:
    """A zip of .eml drafts for the approved email rows."""
    files = []
    for item in approved(items):
        assert item.draft is not None and item.request is not None
        if item.draft.channel != "email":
            continue
        sign = item.request.sender or sender
        files.append((eml_filename(item.row, item.name), to_eml(item.draft, item.request.contact, sign)))
    return eml_zip(files)


def approved_ics(items: Iterable[BatchItem]) -> bytes:
    """One calendar with a reminder per approved row."""
    reminders = []
    for item in approved(items):
        assert item.draft is not None and item.request is not None
        reminders.append(reminder(item.draft, item.request.contact))
    return to_ics(reminders)


def template_csv() -> bytes:
    """A CSV template with the input columns and two example rows."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(TEMPLATE_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(TEMPLATE_ROWS)
    return buffer.getvalue().encode("utf-8")


# --- downloads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """What one download button offers; `data` may be a callable, built only when clicked."""

    key: str
    label: str
    data: bytes | Callable[[], bytes]
    file_name: str
    mime: str
    icon: str = ":material/download:"
    disabled: bool = False


def draft_downloads(draft: Draft, request: DraftRequest, sender: str = "") -> list[Download]:
    """The .eml (email channel only) and the .ics reminder for one draft."""
    slug = eml_filename(0, request.contact.name).removeprefix("00-").removesuffix(".eml")
    files = []
    if draft.channel == "email":
        eml = to_eml(draft, request.contact, request.sender or sender)
        files.append(
            Download(
                "dl_eml", "Download .eml", eml, f"follow-up-{slug}.eml", "message/rfc822", ":material/mail:"
            )
        )
    ics = to_ics([reminder(draft, request.contact)])
    files.append(
        Download(
            "dl_ics", "Reminder (.ics)", ics, f"follow-up-{slug}.ics", "text/calendar", ":material/event:"
        )
    )
    return files


def mail_link(draft: Draft, request: DraftRequest) -> str | None:
    return mailto_link(draft, request.contact) if draft.channel == "email" else None


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


# --- uploads and the review table ---------------------------------------------------------------


def read_upload(name: str, data: bytes, sender: str = "") -> list[BatchItem]:
    """Batch items from an uploaded file; a whole-file problem raises InputError naming the file."""
    import tempfile
    from pathlib import Path

    from .batch import read_rows

    safe_name = re.sub(r"[^\w.\- ]+", "_", Path(name).name).strip() or "upload.csv"
    with tempfile.TemporaryDirectory(prefix="drafter-upload-") as folder:
        path = Path(folder) / safe_name
        path.write_bytes(data)
        try:
            return items_from_rows(read_rows(path, default_sender=sender))
        except InputError as exc:
            message = str(exc)
            if safe_name in message:
                raise InputError(message.replace(safe_name, name)) from None
            raise InputError(f"{name}: {message}") from None
        except (OSError, ValueError) as exc:
            raise InputError(
                f"{name} could not be read ({type(exc).__name__}): upload a CSV or JSONL file."
            ) from exc


# column -> (label, kind, width in pixels, help); the app turns these into st.column_config entries
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


def review_column_config(cc: Any) -> dict[str, Any]:
    """The review table's column config, built with `st.column_config` (passed in as `cc`)."""
    kinds = {"checkbox": cc.CheckboxColumn, "text": cc.TextColumn, "number": cc.NumberColumn}
    return {
        column: kinds[kind](label, width=width, help=help or None)
        for column, (label, kind, width, help) in REVIEW_COLUMN_SPEC.items()
    }


def batch_summary(chosen: Sequence[BatchItem]) -> str:
    """One line after a run: how many were drafted, how many need a look, how many failed."""
    done = [i for i in chosen if i.draft is not None]
    to_check = sum(1 for i in done if i.draft is not None and i.draft.warnings)
    return f"Finished: {len(done)} drafted ({to_check} to check), {len(chosen) - len(done)} failed."


def row_label(item: BatchItem) -> str:
    return f"Row {item.row}: {item.name or '(no name)'} ({STATUS_LABELS[item.status]})"
