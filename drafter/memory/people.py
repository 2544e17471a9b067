"""People in the memory: open it, add and import them, find them, set their rhythm, forget them."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterable, Iterator

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..config import Settings
from ..errors import InputError
from ..store.db import database_url, migrate, session_factory
from ..store.memory import (
    ConversationRow,
    DraftRow,
    LedgerItemRow,
    PersonRow,
    RhythmRow,
    TouchRow,
)
from .cards import PersonCard
from .views import ImportResult, PersonOut

__all__ = [
    "NotFound",
    "add_person",
    "find_person",
    "forget",
    "import_cards",
    "last_touches",
    "list_people",
    "open_memory",
    "person_card",
    "set_rhythm",
]

logger = logging.getLogger(__name__)


class NotFound(InputError):
    """The person, draft or ledger item named is not in the memory."""


CHANNELS = ("email", "linkedin", "text")


@contextlib.contextmanager
def open_memory(settings: Settings | None = None, *, url: str = "") -> Iterator[Session]:
    """A session on the memory's database (migrated first); commits on success, rolls back on error."""
    url = url or database_url(settings or Settings.from_env())
    migrate(url)
    with session_factory(url)() as session, session.begin():
        yield session


def _key(text_value: str) -> str:
    return " ".join(text_value.split()).casefold()


def _match(session: Session, card: PersonCard) -> PersonRow | None:
    if card.email:
        found = session.scalars(
            select(PersonRow).where(func.lower(PersonRow.email) == card.email.lower())
        ).first()
        if found is not None:
            return found
    for row in session.scalars(select(PersonRow).where(func.lower(PersonRow.name) == card.name.lower())):
        if not card.email or not row.email:
            return row
    return None


def add_person(session: Session, card: PersonCard, source: str = "manual") -> tuple[PersonRow, bool]:
    """The person for this card: matched by email, else by name; new fields fill blanks only.

    Returns (row, created). What the user set (greeting, channel, notes) is never overwritten.
    """
    row = _match(session, card)
    channel = card.channel()
    if row is None:
        row = PersonRow(
            name=" ".join(card.name.split()),
            given=card.given,
            family=card.family,
            greet=card.greeting(),
            email=card.email,
            phone=card.phone,
            company=card.company,
            position=card.position,
            url=card.url,
            channel=channel if channel in CHANNELS else "email",
            tags=list(dict.fromkeys(card.tags)),
            note=card.note,
            connected_on=card.connected_on,
            source=source,
        )
        session.add(row)
        session.flush()
        return row, True
    for field in ("given", "family", "email", "phone", "company", "position", "url", "note"):
        if not getattr(row, field) and getattr(card, field):
            setattr(row, field, getattr(card, field))
    if card.greet and not row.greet:
        row.greet = card.greet
    if row.connected_on is None and card.connected_on is not None:
        row.connected_on = card.connected_on
    row.tags = list(dict.fromkeys([*(row.tags or []), *card.tags]))
    session.flush()
    return row, False


def import_cards(session: Session, cards: Iterable[PersonCard], source: str) -> ImportResult:
    result = ImportResult()
    for card in cards:
        row, created = add_person(session, card, source)
        if created:
            result.added += 1
        else:
            result.updated += 1
        result.people.append(PersonOut.from_row(row))
    logger.info("imported %d people (%d new) from %s", result.added + result.updated, result.added, source)
    return result


def find_person(session: Session, key: str | int) -> PersonRow:
    """The one person a key names: an id, an email, a full name, or a unique part of a name."""
    if isinstance(key, int) or str(key).strip().isdigit():
        row = session.get(PersonRow, int(key))
        if row is None:
            raise NotFound(f"No person with id {key} in the memory: see `drafter contacts list`.")
        return row
    wanted = _key(str(key))
    if not wanted:
        raise InputError("No name given: name the person, or give their email or id.")
    people = list(session.scalars(select(PersonRow).order_by(PersonRow.id)))
    for test in (
        lambda p: p.email.casefold() == wanted,
        lambda p: _key(p.name) == wanted,
        lambda p: wanted in _key(p.name),
    ):
        found = [p for p in people if test(p)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(
                f"{p.name} <{p.email}> (id {p.id})" if p.email else f"{p.name} (id {p.id})" for p in found[:5]
            )
            raise InputError(f"{key!r} matches several people: {names}. Give the email or the id.")
    raise NotFound(f"No one called {key!r} in the memory: see `drafter contacts list`.")


def last_touches(session: Session) -> dict[int, dt.date]:
    """Each person's latest touch (conversation, message sent, reply, call...)."""
    rows = session.execute(
        select(TouchRow.person_id, func.max(TouchRow.happened_on)).group_by(TouchRow.person_id)
    )
    return {person_id: day for person_id, day in rows if day is not None}


def list_people(session: Session, query: str = "", tag: str = "") -> list[PersonOut]:
    touches = last_touches(session)
    wanted = _key(query)
    out = []
    for row in session.scalars(select(PersonRow).order_by(func.lower(PersonRow.name), PersonRow.id)):
        if wanted and wanted not in _key(f"{row.name} {row.email} {row.company}"):
            continue
        if tag and tag.casefold() not in {t.casefold() for t in row.tags or []}:
            continue
        out.append(PersonOut.from_row(row, touches.get(row.id)))
    return out


def person_card(row: PersonRow | PersonOut) -> PersonCard:
    given = getattr(row, "given", "")
    return PersonCard(
        name=row.name,
        given=given,
        family=getattr(row, "family", ""),
        email=row.email,
        phone=row.phone,
        company=row.company,
        position=row.position,
        url=row.url,
        note=row.note,
        tags=list(row.tags or []),
        connected_on=row.connected_on,
        greet=row.greet if row.greet and row.greet != given else "",
    )


def set_rhythm(
    session: Session, ideal_days: int, max_days: int, *, person: PersonRow | None = None, tag: str = ""
) -> RhythmRow:
    """Keep in touch with a person (or everyone tagged `tag`) every `ideal_days`, at most `max_days`."""
    if (person is None) == (not tag):
        raise InputError("Give a rhythm either a person or a tag, not both and not neither.")
    if ideal_days < 1 or max_days < ideal_days:
        raise InputError(
            f"A rhythm of {ideal_days} days ideally and {max_days} at most does not work: the ideal gap "
            "must be 1 day or more and the maximum at least the ideal."
        )
    if person is not None:
        row = session.scalars(select(RhythmRow).where(RhythmRow.person_id == person.id)).first()
    else:
        row = session.scalars(select(RhythmRow).where(RhythmRow.tag == tag.strip())).first()
    if row is None:
        row = RhythmRow(
            person_id=person.id if person else None,
            tag=None if person else tag.strip(),
            ideal_days=ideal_days,
            max_days=max_days,
        )
        session.add(row)
    else:
        row.ideal_days, row.max_days = ideal_days, max_days
    session.flush()
    return row


_TABLES = (ConversationRow, DraftRow, LedgerItemRow, TouchRow, RhythmRow)


def forget(session: Session, person: PersonRow) -> dict[str, int]:
    """Delete the person and every conversation, draft, promise, touch and rhythm of theirs.

    The database's ON DELETE CASCADE does the deleting; on SQLite, secure_delete overwrites the
    freed pages so the notes do not linger in the file. Returns the rows deleted per table.
    """
    counts = {"people": 1}
    for table in _TABLES:
        column = table.person_id
        counts[str(table.__tablename__)] = int(
            session.scalar(select(func.count()).select_from(table).where(column == person.id)) or 0
        )
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete = ON"))
    person_id = person.id
    session.delete(person)
    session.flush()
    session.expunge_all()
    logger.info("forgot person %d (%s)", person_id, ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts
