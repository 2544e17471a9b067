"""Wording shared by the app's views: labels, escaping user text, dates and error lines."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from drafter import NEXT_STEP_LABELS, DrafterError

INTRO = (
    "At the event you listened and left your agenda at home. Now give the relationship a future: "
    "recall something you talked about, propose **one small next step** (an ask, an offer, "
    "continuing what you started, or simply keeping the door open) and say roughly **when** you "
    "will be in touch. *Based on Career Bites #12, “Interview People”.*"
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


def describe_error(exc: BaseException) -> str:
    """One line for st.error: our errors already say what to do; others name their type."""
    if isinstance(exc, DrafterError):
        return str(exc)
    return (
        f"Something went wrong while drafting ({type(exc).__name__}). Try again; if it keeps "
        "happening, switch the backend in the sidebar."
    )
