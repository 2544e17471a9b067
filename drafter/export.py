"""Exports a person can send or keep: .eml drafts, mailto: links, .ics reminders, zips of .eml files.

Everything here is pure: it takes drafts and contacts and returns bytes or strings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from urllib.parse import quote

from .models import Contact, Draft

__all__ = [
    "DEFAULT_SUBJECT",
    "eml_filename",
    "eml_zip",
    "mailto_link",
    "message_text",
    "to_eml",
    "to_ics",
]

DEFAULT_SUBJECT = "Following up"
PRODID = "-//Follow-up Drafter//EN"
REMINDER_HOUR = 9  # the reminder pops up at 09:00 on the follow-up day

Reminder = tuple[str, dt.date, str]  # (contact name, follow-up date, summary)


def _one_line(text: str) -> str:
    """Collapse whitespace (including newlines) so a value is safe in a header."""
    return " ".join(str(text).split())


def _subject(draft: Draft) -> str:
    return _one_line(draft.subject) or DEFAULT_SUBJECT


def message_text(draft: Draft) -> str:
    """The message as a person would paste it: subject line first for email, then the body."""
    if draft.channel == "email":
        return f"Subject: {_subject(draft)}\n\n{draft.body}"
    return draft.body


_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def _address(name: str, email: str) -> Address | None:
    """The address, or None when it is not one a mail client can use (the person fills it in)."""
    email = _one_line(email)
    if not _EMAIL.fullmatch(email):
        return None
    user, domain = email.rsplit("@", 1)
    return Address(display_name=_one_line(name), username=user, domain=domain)


def to_eml(draft: Draft, contact: Contact, sender: str, sender_email: str = "") -> bytes:
    """An unsent email (X-Unsent: 1) that mail clients open as a draft ready to send."""
    msg = EmailMessage(policy=policy.SMTP)
    to = _address(contact.name, contact.email)
    if to is not None:
        msg["To"] = to
    sender_address = _address(sender, sender_email)
    if sender_address is not None:
        msg["From"] = sender_address
    msg["Subject"] = _subject(draft)
    msg["X-Unsent"] = "1"
    body = draft.body.replace("\r\n", "\n").replace("\r", "\n")
    if not body.endswith("\n"):
        body += "\n"
    msg.set_content(body, subtype="plain", charset="utf-8")
    return msg.as_bytes()


def mailto_link(draft: Draft, contact: Contact) -> str:
    """A mailto: link that opens the mail client with the draft filled in (RFC 6068)."""
    email = _one_line(contact.email)
    to = quote(email, safe="@") if _address(contact.name, email) is not None else ""
    body = draft.body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    return f"mailto:{to}?subject={quote(_subject(draft), safe='')}&body={quote(body, safe='')}"


def _slug(text: str, limit: int = 40) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", ascii_text).strip("-").lower()
    return slug[:limit].strip("-") or "contact"


def eml_filename(index: int, name: str) -> str:
    """A safe, sortable file name such as '03-jane-doe.eml'."""
    return f"{index:02d}-{_slug(name)}.eml"


def eml_zip(items: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of (file name, .eml bytes); names are made safe and unique."""
    buffer = io.BytesIO()
    seen: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for raw_name, data in items:
            stem = _slug(raw_name.removesuffix(".eml"), limit=60)
            name, n = f"{stem}.eml", 2
            while name in seen:
                name, n = f"{stem}-{n}.eml", n + 1
            seen.add(name)
            archive.writestr(name, data)
    return buffer.getvalue()


# --- iCalendar (RFC 5545) -------------------------------------------------------------------


def _ics_escape(text: str) -> str:
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with a space
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _uid(index: int, name: str, day: dt.date, summary: str) -> str:
    digest = hashlib.sha256(f"{index}\x00{name}\x00{day.isoformat()}\x00{summary}".encode()).hexdigest()
    return f"{day:%Y%m%d}-{digest[:16]}@follow-up-drafter"


def to_ics(reminders: Sequence[Reminder], now: dt.datetime | None = None) -> bytes:
    """One VCALENDAR with an all-day VEVENT and a VALARM (09:00 that day) per reminder."""
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for index, (name, day, summary) in enumerate(reminders):
        title = f"Follow up with {_one_line(name)}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_uid(index, name, day, summary)}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_ics_escape(title)}",
            f"DESCRIPTION:{_ics_escape(summary)}",
            "TRANSP:TRANSPARENT",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{_ics_escape(title)}",
            f"TRIGGER;RELATED=START:PT{REMINDER_HOUR}H",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")
