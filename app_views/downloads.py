"""What a download button offers, and the files of one draft: an .eml and an .ics reminder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drafter import Contact, Draft, DraftRequest, eml_filename, mailto_link, to_eml, to_ics

from .text import CHANNEL_LABELS


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


def download(container: Any, item: Download) -> None:
    """One download button in `container` (st, a column or a horizontal container)."""
    container.download_button(
        item.label,
        item.data,
        file_name=item.file_name,
        mime=item.mime,
        on_click="ignore",
        icon=item.icon,
        key=item.key,
        disabled=item.disabled,
    )


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
