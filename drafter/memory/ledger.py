"""The promise ledger, read from notes: who owes what to whom, and by when.

The note reader gives each clause a role. The ledger keeps three of them, and finds a fourth:

    promise   the sender's promise ("I'll send her the kiln schedule")   owner "me"
    request   the contact asked the sender for something                owner "me"
    plan      agreed together ("video call in November")                 owner "both"
    them      the contact's own promise ("she'll send me the paper")     owner "them"

The reader files the contact's promises under "topic" (or, by mistake, "promise"). The ledger
calls such a clause theirs when its subject is the contact: a third-person pronoun or a form of
the contact's name, followed by a promise verb phrase ("she'll", "Ana will", "he promised to",
"they offered to", "said she'd"). A clause whose subject is "I" or "we" is never theirs. A
"them" item is never put in a draft as the sender's promise; once it is late it may be asked
after gently.

Items without a date get one: a week for the sender's own promises, two for the rest, so the
due list never holds a promise that can never fall due.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from dateparser.search import search_dates
from nameparser import HumanName
from pydantic import BaseModel

from ..models import STEP_LIKELY, STEP_ROLES, Clause, Reading

__all__ = [
    "LedgerEntry",
    "MY_DAYS",
    "OTHER_DAYS",
    "entries_from_reading",
    "owner_of",
    "promised_thing",
    "same_item",
]

Owner = Literal["me", "them", "both"]

MY_DAYS = 7  # the sender's promise without a date falls due in a week
OTHER_DAYS = 14  # plans and the contact's promises: two weeks


class LedgerEntry(BaseModel):
    """One item for the ledger, before it is stored."""

    owner: Owner
    role: str  # promise | request | plan | step
    text: str
    due_on: dt.date | None = None


_FIRST_PERSON = re.compile(r"(?i)^\W*(?:(?:and|so|then|also)\s+)?(?:i|we)(?:\b|'|’)")
_FUTURE = r"(?:'ll|’ll|'d|’d|\s+will|\s+shall|\s+is\s+going\s+to|\s+are\s+going\s+to)\b"
_PROMISED = r"\s+(?:promised|offered|agreed)\s+to\b"
_SAID = r"\bsaid\s+(?:she|he|they)(?:'d|’d|'ll|’ll|\s+would|\s+will)\b"


def _name_words(contact_name: str) -> list[str]:
    parsed = HumanName(contact_name)
    words = [w for w in (parsed.first, parsed.last, parsed.nickname) if w and len(w) > 1]
    return [re.escape(w) for w in words]


def _theirs(text: str, contact_name: str) -> bool:
    """The clause's subject is the contact and it states something they will do.

    "she promised to", "Ana offered to", "said he'd" count wherever they stand; "she'll",
    "Ana will", "they're going to" count unless the clause opens with "I" or "we" (then the
    sender is the subject: "I'll tell her she'll love it").
    """
    subjects = rf"\b(?:{'|'.join(['she', 'he', 'they', *_name_words(contact_name)])})"
    if re.search(rf"(?i){subjects}{_PROMISED}|{_SAID}", text):
        return True
    if _FIRST_PERSON.match(text):
        return False
    return re.search(rf"(?i){subjects}{_FUTURE}", text) is not None


def owner_of(clause: Clause, contact_name: str) -> tuple[Owner, str] | None:
    """(owner, role) for a clause that belongs in the ledger, or None."""
    role: str = clause.role
    step_role, likely = clause.as_step()
    if role not in STEP_ROLES and likely >= STEP_LIKELY:  # a step as the plan takes one
        role = step_role
    if role in ("topic", "promise") and _theirs(clause.text, contact_name):
        return "them", "promise"
    if role in ("promise", "request"):
        return "me", role
    if role == "plan":
        return "both", "plan"
    return None


def _default_due(owner: Owner, today: dt.date) -> dt.date:
    return today + dt.timedelta(days=MY_DAYS if owner == "me" else OTHER_DAYS)


def entries_from_reading(reading: Reading, contact_name: str, today: dt.date) -> list[LedgerEntry]:
    """Every promise, request and plan in the reading (and the contact's own promises), in order."""
    entries: list[LedgerEntry] = []
    for clause in reading.clauses:
        found = owner_of(clause, contact_name)
        text = " ".join(clause.text.split()).strip(" .;,-–—")
        if found is None or not text:
            continue
        owner, role = found
        if any(same_item(text, e.text) and e.owner == owner for e in entries):
            continue
        entries.append(
            LedgerEntry(owner=owner, role=role, text=text, due_on=clause.due or _default_due(owner, today))
        )
    return entries


_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP = frozenset(
    "i i'll ill will you your her him his them they she he we a an the to and or of for my me it this that "
    "with on in at by be is are was next week send share ll re ve".split()
)


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1}


def same_item(a: str, b: str) -> bool:
    """Two wordings of one item: most content words of the shorter are in the longer."""
    wa, wb = _content_words(a), _content_words(b)
    if not wa or not wb:
        return a.strip().lower() == b.strip().lower()
    shorter, longer = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return len(shorter & longer) / len(shorter) >= 0.6


_LEAD = re.compile(
    r"(?i)^\W*(?:(?:and|so|then|also)\s+)?(?:i\s*(?:'ll|’ll|\s+will|\s+shall|\s+am\s+going\s+to|'m\s+going\s+to|"
    r"’m\s+going\s+to|\s+promised\s+to|\s+offered\s+to|\s+said\s+i'?d|\s+said\s+i\s+would|\s+can|\s+could|"
    r"\s+should|\s+need\s+to|\s+have\s+to)?\s+)?(?:happy\s+to\s+|to\s+)?"
    r"(?:send|share|forward|email|mail|dig\s+up(?:\s+and\s+send)?|find|get|make|write\s+up|put\s+together|"
    r"pass\s+along|pass\s+on|introduce|intro|look\s+up|scan(?:\s+and\s+send)?)\s+"
    r"(?:(?:her|him|them|you|over|along)\s+)*"
)


def _without_time(text: str, when: str) -> str:
    """The clause without a time phrase at its end ("... by Friday", "... next week"), found by dateparser."""
    if when:
        text = re.sub(re.escape(when), "", text, flags=re.IGNORECASE)
    text = text.strip(" .;,-–—")
    found = search_dates(text, languages=["en"], settings={"PREFER_DATES_FROM": "future"}) or []
    for phrase, _ in reversed(found):
        if text.lower().endswith(phrase.lower()) and len(phrase) < len(text):
            text = text[: -len(phrase)].strip(" .;,-–—")
            break
    return text


def promised_thing(text: str, when: str = "") -> str:
    """The promised thing, as a draft delivering it names it: "I'll send her the kiln schedule
    this week" -> "the kiln schedule". Falls back to the whole clause."""
    thing = _without_time(text, when)
    intro = re.search(r"(?i)\b(?:intro|introduce)\s+(?:her|him|them|you)\s+to\s+(.+)", thing)
    if intro:
        return f"the introduction to {intro.group(1).strip(' .;,-–—')}"
    stripped = _LEAD.sub("", thing, count=1)
    stripped = re.sub(r"(?i)\s+and\s+(?:send|share|forward|email|pass)\b.*$", "", stripped).strip(" .;,-–—")
    return stripped or " ".join(text.split())
