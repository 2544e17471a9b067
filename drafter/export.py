"""Exports a person can send or keep: .eml drafts, mailto: links, .ics reminders, zips of .eml files.

Everything here is pure: it takes drafts and contacts and returns bytes or strings. Email is
built with the standard library's email package and calendars with icalendar (RFC 5545).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from typing import NamedTuple
from urllib.parse import quote

from icalendar import Alarm, Calendar, Event

from .errors import InputError
from .models import Contact, Draft

__all__ = [
    "DEFAULT_SUBJECT",
    "Cadence",
    "cadence_ics",
    "digest_ics",
    "eml_filename",
    "eml_message_id",
    "eml_zip",
    "mailto_link",
    "message_text",
    "new_message_id",
    "reply_subject",
    "to_eml",
    "to_ics",
]

DEFAULT_SUBJECT = "Following up"
PRODID = "-//Follow-up Drafter//EN"
REMINDER_HOUR = 9  # the reminder pops up at 09:00 on the follow-up day
MESSAGE_ID_DOMAIN = "follow-up-drafter.local"  # when the sender's address is unknown

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


def new_message_id(sender_email: str = "") -> str:
    """A fresh, globally unique Message-ID such as '<1795...@example.org>' (RFC 5322).

    The domain is the sender's own when known; the machine's host name is never used.
    """
    address = _address("", sender_email)
    return make_msgid(domain=address.domain if address is not None else MESSAGE_ID_DOMAIN)


_MSG_ID = re.compile(r"<[^<>\s@]+@[^<>\s@]+>")


def _message_ids(values: Iterable[str]) -> list[str]:
    """Well-formed '<left@right>' ids from the values, in order, without repeats."""
    found: list[str] = []
    for value in values:
        for match in _MSG_ID.findall(str(value)):
            if match not in found:
                found.append(match)
    return found


def reply_subject(subject: str) -> str:
    """'Re: ' before a subject, once ('Re: Re: x' never happens)."""
    subject = _one_line(subject) or DEFAULT_SUBJECT
    return subject if re.match(r"(?i)re\s*:", subject) else f"Re: {subject}"


def to_eml(
    draft: Draft,
    contact: Contact,
    sender: str,
    sender_email: str = "",
    *,
    message_id: str = "",
    in_reply_to: str = "",
    references: Sequence[str] = (),
) -> bytes:
    """An unsent email (X-Unsent: 1) that mail clients open as a draft ready to send.

    It always carries a Message-ID (`message_id`, or a new one) so that a later reply can be
    threaded to it. `in_reply_to` makes it a threaded reply: In-Reply-To names that message
    and References lists `references` followed by it (RFC 5322 section 3.6.4).
    """
    msg = EmailMessage(policy=policy.SMTP)
    to = _address(contact.name, contact.email)
    if to is not None:
        msg["To"] = to
    sender_address = _address(sender, sender_email)
    if sender_address is not None:
        msg["From"] = sender_address
    msg["Subject"] = _subject(draft)
    ids = _message_ids([message_id])
    msg["Message-ID"] = ids[0] if ids else new_message_id(sender_email)
    parent = _message_ids([in_reply_to])
    if parent:
        msg["In-Reply-To"] = parent[0]
        chain = [ref for ref in _message_ids(references) if ref != parent[0]] + parent
        msg["References"] = " ".join(chain)
    msg["X-Unsent"] = "1"
    body = draft.body.replace("\r\n", "\n").replace("\r", "\n")
    if not body.endswith("\n"):
        body += "\n"
    msg.set_content(body, subtype="plain", charset="utf-8")
    return msg.as_bytes()


def eml_message_id(data: bytes) -> str:
    """The Message-ID of an .eml file ('' when it has none)."""
    found = _message_ids([message_from_bytes(data, policy=policy.default).get("Message-ID", "")])
    return found[0] if found else ""


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


# --- iCalendar (RFC 5545, written by icalendar) ----------------------------------------------


class Cadence(NamedTuple):
    """A keep-in-touch rhythm: from `start`, every `every_days` days, for `name`."""

    name: str
    start: dt.date
    every_days: int
    summary: str = ""


def _uid(index: int, name: str, day: dt.date, summary: str) -> str:
    digest = hashlib.sha256(f"{index}\x00{name}\x00{day.isoformat()}\x00{summary}".encode()).hexdigest()
    return f"{day:%Y%m%d}-{digest[:16]}@follow-up-drafter"


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    return calendar


def _all_day_event(uid: str, day: dt.date, title: str, description: str, stamp: dt.datetime) -> Event:
    """An all-day event with a display alarm at REMINDER_HOUR that day."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", _one_line(title))
    event.add("description", str(description).replace("\r\n", "\n").replace("\r", "\n"))
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _one_line(title))
    alarm.add("trigger", dt.timedelta(hours=REMINDER_HOUR), parameters={"RELATED": "START"})
    event.add_component(alarm)
    return event


def _stamp(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)


def to_ics(reminders: Sequence[Reminder], now: dt.datetime | None = None) -> bytes:
    """One VCALENDAR with an all-day VEVENT and a VALARM (09:00 that day) per reminder."""
    stamp = _stamp(now)
    calendar = _calendar()
    for index, (name, day, summary) in enumerate(reminders):
        title = f"Follow up with {_one_line(name)}"
        calendar.add_component(_all_day_event(_uid(index, name, day, summary), day, title, summary, stamp))
    return bytes(calendar.to_ical())


def digest_ics(
    day: dt.date, lines: Sequence[str], now: dt.datetime | None = None, title: str = "Follow-ups due"
) -> bytes:
    """One all-day event on `day` listing every line (one per person or promise), instead of N reminders."""
    stamp = _stamp(now)
    calendar = _calendar()
    count = len(lines)
    summary = f"{title} ({count})" if count else title
    description = "\n".join(f"- {_one_line(line)}" for line in lines) or "Nothing is due."
    uid = _uid(0, "digest", day, description)
    calendar.add_component(_all_day_event(uid, day, summary, description, stamp))
    return bytes(calendar.to_ical())


def cadence_ics(cadences: Sequence[Cadence], now: dt.datetime | None = None) -> bytes:
    """Recurring keep-in-touch reminders: an all-day event per person from its start date,
    repeating every `every_days` days (RRULE FREQ=DAILY;INTERVAL=n) with a VALARM each time."""
    stamp = _stamp(now)
    calendar = _calendar()
    for index, cadence in enumerate(cadences):
        if cadence.every_days < 1:
            raise InputError(
                f"The keep-in-touch gap for {cadence.name} is {cadence.every_days} days: use a whole "
                "number of days, 1 or more."
            )
        title = f"Keep in touch with {_one_line(cadence.name)}"
        summary = cadence.summary or f"Every {cadence.every_days} days."
        event = _all_day_event(
            _uid(index, cadence.name, cadence.start, summary), cadence.start, title, summary, stamp
        )
        event.add("rrule", {"freq": "daily", "interval": cadence.every_days})
        calendar.add_component(event)
    return bytes(calendar.to_ical())
