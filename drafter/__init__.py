"""Follow-up Drafter: turn notes about a conversation into a follow-up worth sending.

    from drafter import Drafter, DraftRequest, Contact
    draft = Drafter().draft(DraftRequest(contact=Contact(name="Bob"), notes="...", sender="Priya"))
"""

from __future__ import annotations

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
from .models import (
    CHANNELS,
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

__version__ = "0.1.0"

__all__ = [
    "CHANNELS",
    "NEXT_STEP_TYPES",
    "BackendError",
    "BatchRow",
    "CheckResult",
    "ConfigError",
    "Contact",
    "Draft",
    "DraftRequest",
    "Drafter",
    "DrafterError",
    "InputError",
    "ModelError",
    "NextStep",
    "Passage",
    "Plan",
    "RetrievalError",
    "RowError",
    "Settings",
    "draft_follow_up",
]


def __getattr__(name: str) -> object:
    # The pipeline pulls in LangChain and Chroma: load it on first use, so that light
    # imports (settings, models) stay fast.
    if name in ("Drafter", "draft_follow_up"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'drafter' has no attribute {name!r}")
