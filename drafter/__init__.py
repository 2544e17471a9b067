"""Follow-up Drafter: turn notes about a conversation into a follow-up worth sending.

from drafter import Drafter, DraftRequest, Contact
draft = Drafter().draft(DraftRequest(contact=Contact(name="Bob"), notes="...", sender="Priya"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .config import Settings
from .errors import (
    BackendError,
    ConfigError,
    DrafterError,
    InputError,
    ModelError,
    RetrievalError,
    RowError,
)
from .llm import Provider, backends
from .models import (
    CHANNELS,
    NEXT_STEP_LABELS,
    NEXT_STEP_TYPES,
    BatchRow,
    CheckResult,
    Contact,
    Draft,
    DraftRequest,
    NextStep,
    Passage,
    Plan,
)

if TYPE_CHECKING:  # loaded on first use (see __getattr__), typed here
    from .batch import BatchSummary, InputRow, MemoryJournal, build_row, read_contacts, render_rows, run_batch
    from .export import eml_filename, eml_zip, mailto_link, message_text, to_eml, to_ics
    from .pipeline import Drafter, draft_follow_up

__version__ = "0.1.0"

# Public names whose modules pull in more (LangChain and Chroma, icalendar): loaded on first use.
_LAZY = {
    "Drafter": "pipeline",
    "draft_follow_up": "pipeline",
    "BatchSummary": "batch",
    "InputRow": "batch",
    "MemoryJournal": "batch",
    "build_row": "batch",
    "read_contacts": "batch",
    "render_rows": "batch",
    "run_batch": "batch",
    "eml_filename": "export",
    "eml_zip": "export",
    "mailto_link": "export",
    "message_text": "export",
    "to_eml": "export",
    "to_ics": "export",
}

__all__ = [
    "CHANNELS",
    "NEXT_STEP_LABELS",
    "NEXT_STEP_TYPES",
    "BackendError",
    "BatchRow",
    "BatchSummary",
    "CheckResult",
    "ConfigError",
    "Contact",
    "Draft",
    "DraftRequest",
    "Drafter",
    "DrafterError",
    "InputError",
    "InputRow",
    "MemoryJournal",
    "ModelError",
    "NextStep",
    "Passage",
    "Plan",
    "Provider",
    "RetrievalError",
    "RowError",
    "Settings",
    "backends",
    "build_row",
    "draft_follow_up",
    "eml_filename",
    "eml_zip",
    "mailto_link",
    "message_text",
    "read_contacts",
    "render_rows",
    "run_batch",
    "to_eml",
    "to_ics",
]


def __getattr__(name: str) -> object:
    # Light imports (settings, models) stay fast: heavier modules load when a name is used.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'drafter' has no attribute {name!r}")
