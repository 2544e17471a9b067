"""`Memory`: what the CLI, the service and the app do with the contact memory, one call per action.

Each call opens its own transaction on the configured database (migrated on first use) and
returns plain models, so the faces share every rule and hold no session.

    memory = Memory(settings)
    memory.import_file(Path("Connections.csv"))
    memory.log_conversation("Ana Ruiz", notes, on=today, where="PyCon")
    saved = memory.save_draft("Ana Ruiz", draft)
    memory.mark_sent(saved.id, on=today)
    for entry in memory.due(today): ...
    draft_out, draft = memory.draft_second_touch(drafter, item_id=entry.item_id)
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import Settings
from ..export import to_eml
from ..models import BatchRow, Channel, Draft, DraftRequest, Reading
from ..store.db import database_url
from ..store.memory import ConversationRow, DraftRow, LedgerItemRow, PersonRow
from . import activity
from . import people as _people
from .cards import PersonCard, VCardVersion, read_cards, write_vcards
from .due import NUDGE_AFTER_DAYS, cadence_calendar, digest_calendar, due_list
from .second_touch import (
    SecondTouch,
    contact_of,
    known_person_request,
    save_second_touch,
    thread_of,
)
from .second_touch import second_touch as build_second_touch
from .views import ConversationOut, DraftOut, DueEntry, ImportResult, ItemOut, PersonOut

__all__ = ["Memory", "PersonDetail", "Reader"]

logger = logging.getLogger(__name__)

Reader = Callable[[str, str, dt.date], Reading]


class _Drafts(Protocol):
    def draft(self, request: DraftRequest) -> Draft: ...


class PersonDetail(BaseModel):
    person: PersonOut
    conversations: list[ConversationOut] = Field(default_factory=list)
    drafts: list[DraftOut] = Field(default_factory=list)
    items: list[ItemOut] = Field(default_factory=list)


def default_reader(notes: str, contact_name: str, today: dt.date) -> Reading:
    from ..reader import read_notes  # the note reader loads its model on first use

    return read_notes(notes, contact_name, today)


class Memory:
    def __init__(self, settings: Settings | None = None, *, reader: Reader | None = default_reader) -> None:
        self.settings = settings or Settings.from_env()
        self.url = database_url(self.settings)
        self.reader = reader

    def _session(self) -> AbstractContextManager[Session]:
        return _people.open_memory(url=self.url)

    def read(self, notes: str, contact_name: str, today: dt.date) -> Reading | None:
        """The reading of the notes for the ledger, or None (and a log line) when no reader can run."""
        if self.reader is None:
            return None
        try:
            return self.reader(notes, contact_name, today)
        except Exception as exc:  # the conversation is kept even when the reader cannot run
            logger.warning("notes not read for the promise ledger: %s", type(exc).__name__)
            return None

    # --- people ---------------------------------------------------------------------------------

    def import_file(self, source: Path | bytes | BinaryIO, name: str = "") -> ImportResult:
        cards = read_cards(source, name=name)
        kind = "vcard" if (name or str(source)).lower().endswith((".vcf", ".vcard")) else "linkedin"
        if isinstance(source, bytes) and source.lstrip()[:11].upper() == b"BEGIN:VCARD":
            kind = "vcard"
        with self._session() as session:
            return _people.import_cards(session, cards, kind)

    def add(self, card: PersonCard, source: str = "manual") -> PersonOut:
        with self._session() as session:
            row, _ = _people.add_person(session, card, source)
            return PersonOut.from_row(row)

    def people(self, query: str = "", tag: str = "") -> list[PersonOut]:
        with self._session() as session:
            return _people.list_people(session, query, tag)

    def person(self, key: str | int) -> PersonDetail:
        with self._session() as session:
            row = _people.find_person(session, key)
            touches = _people.last_touches(session)

            def rows(table: type[ConversationRow] | type[DraftRow] | type[LedgerItemRow]) -> list[Any]:
                return list(
                    session.scalars(select(table).where(table.person_id == row.id).order_by(table.id))
                )

            return PersonDetail(
                person=PersonOut.from_row(row, touches.get(row.id)),
                conversations=[ConversationOut.from_row(c) for c in rows(ConversationRow)],
                drafts=[DraftOut.from_row(d) for d in rows(DraftRow)],
                items=[ItemOut.from_row(i) for i in rows(LedgerItemRow)],
            )

    def export_vcards(self, version: VCardVersion = "3.0") -> str:
        with self._session() as session:
            rows = session.scalars(select(PersonRow).order_by(PersonRow.name, PersonRow.id))
            return write_vcards([_people.person_card(r) for r in rows], version=version)

    def set_rhythm(
        self, ideal_days: int, max_days: int, *, key: str | int | None = None, tag: str = ""
    ) -> None:
        with self._session() as session:
            person = _people.find_person(session, key) if key not in (None, "") else None
            _people.set_rhythm(session, ideal_days, max_days, person=person, tag=tag)

    def forget(self, key: str | int) -> dict[str, int]:
        with self._session() as session:
            return _people.forget(session, _people.find_person(session, key))

    # --- what happens ---------------------------------------------------------------------------

    def _person_or_new(self, session: Session, key: str | int | PersonCard) -> PersonRow:
        if isinstance(key, PersonCard):
            return _people.add_person(session, key)[0]
        return _people.find_person(session, key)

    def log_conversation(
        self,
        key: str | int | PersonCard,
        notes: str,
        *,
        on: dt.date,
        where: str = "",
        today: dt.date | None = None,
    ) -> tuple[ConversationOut, list[ItemOut]]:
        """A conversation and the promises, requests and plans its notes hold."""
        with self._session() as session:
            person = self._person_or_new(session, key)
            reading = self.read(notes, person.name, today or on)
            conversation = activity.log_conversation(
                session, person, on, notes, where=where, reading=reading, today=today
            )
            items = session.scalars(
                select(LedgerItemRow).where(LedgerItemRow.conversation_id == conversation.id)
            )
            return ConversationOut.from_row(conversation), [ItemOut.from_row(i) for i in items]

    def log_touch(self, key: str | int, *, on: dt.date, kind: str = "note", summary: str = "") -> None:
        with self._session() as session:
            activity.log_touch(session, _people.find_person(session, key), on, kind, summary)

    def reply(self, key: str | int, *, on: dt.date, summary: str = "") -> None:
        with self._session() as session:
            activity.record_reply(session, _people.find_person(session, key), on, summary)

    def save_draft(
        self,
        key: str | int | PersonCard,
        draft: Draft | BatchRow,
        *,
        conversation_id: int | None = None,
        sender_email: str = "",
        topic: str = "",
    ) -> DraftOut:
        with self._session() as session:
            person = self._person_or_new(session, key)
            conversation = session.get(ConversationRow, conversation_id) if conversation_id else None
            row = activity.save_draft(
                session, person, draft, conversation=conversation, topic=topic, sender_email=sender_email
            )
            return DraftOut.from_row(row)

    def mark_sent(self, draft_id: int, *, on: dt.date, message_id: str = "") -> list[ItemOut]:
        with self._session() as session:
            changed = activity.mark_sent(session, activity.get_draft(session, draft_id), on, message_id)
            return [ItemOut.from_row(i) for i in changed]

    def discard(self, draft_id: int) -> None:
        with self._session() as session:
            activity.discard_draft(session, activity.get_draft(session, draft_id))

    def add_item(
        self,
        key: str | int,
        owner: str,
        text: str,
        *,
        due_on: dt.date | None = None,
        on: dt.date | None = None,
    ) -> ItemOut:
        with self._session() as session:
            person = _people.find_person(session, key)
            return ItemOut.from_row(
                activity.add_item(session, person, owner, text, due_on, on or dt.date.today())
            )

    def set_item(self, item_id: int, status: str, *, on: dt.date, until: dt.date | None = None) -> ItemOut:
        with self._session() as session:
            item = activity.set_item_status(session, activity.get_item(session, item_id), status, on, until)
            return ItemOut.from_row(item)

    def approve_rows(
        self, rows: Sequence[tuple[DraftRequest, BatchRow]], *, on: dt.date, where: str = ""
    ) -> list[DraftOut]:
        """Approved rows of an event batch become people, conversations and approved drafts."""
        readings = [self.read(r.notes, r.contact.name, on) for r, _ in rows]
        with self._session() as session:
            saved = activity.approve_rows(session, rows, on, where, readings)
            return [DraftOut.from_row(d) for d in saved]

    # --- what is due, and second touches --------------------------------------------------------

    def due(self, today: dt.date, *, nudge_after: int = NUDGE_AFTER_DAYS, horizon: int = 0) -> list[DueEntry]:
        with self._session() as session:
            return due_list(session, today, nudge_after=nudge_after, horizon=horizon)

    def digest_ics(self, today: dt.date, *, nudge_after: int = NUDGE_AFTER_DAYS, horizon: int = 0) -> bytes:
        return digest_calendar(self.due(today, nudge_after=nudge_after, horizon=horizon), today)

    def cadence_ics(self, today: dt.date) -> bytes:
        with self._session() as session:
            return cadence_calendar(session, today)

    def second_touch(
        self, *, item_id: int | None = None, draft_id: int | None = None, notes: str = "", sender: str = ""
    ) -> SecondTouch:
        with self._session() as session:
            return build_second_touch(session, item_id=item_id, draft_id=draft_id, notes=notes, sender=sender)

    def known_request(
        self,
        key: str | int,
        notes: str,
        *,
        channel: Channel | None = None,
        where_met: str = "",
        sender: str = "",
    ) -> DraftRequest:
        """A first draft's request for someone known: it avoids what earlier messages said."""
        with self._session() as session:
            return known_person_request(
                session,
                _people.find_person(session, key),
                notes,
                channel=channel,
                where_met=where_met,
                sender=sender,
            )

    def draft_second_touch(
        self,
        drafter: _Drafts,
        *,
        item_id: int | None = None,
        draft_id: int | None = None,
        notes: str = "",
        sender: str = "",
        sender_email: str = "",
    ) -> tuple[DraftOut, Draft]:
        """Draft the second touch (same rubric and guards as a first draft) and keep it, approved."""
        touch = self.second_touch(item_id=item_id, draft_id=draft_id, notes=notes, sender=sender)
        draft = drafter.draft(touch.request)
        with self._session() as session:
            row = save_second_touch(session, touch, draft, sender_email=sender_email)
            return DraftOut.from_row(row), draft

    def eml(self, draft_id: int, *, sender: str = "", sender_email: str = "") -> bytes:
        """The draft as an .eml with its Message-ID, threaded to the message it follows up."""
        with self._session() as session:
            row = activity.get_draft(session, draft_id)
            person = session.get(PersonRow, row.person_id)
            assert person is not None
            in_reply_to, references = thread_of(session, row)
            draft = Draft.model_validate(
                {
                    "channel": row.channel,
                    "subject": row.subject,
                    "body": row.body,
                    "next_step_type": row.next_step_type,
                    "next_step": row.next_step,
                    "follow_up_when": row.follow_up_when,
                    "follow_up_date": row.follow_up_date or dt.date.today(),
                }
            )
            contact = contact_of(session, person)
            return to_eml(
                draft,
                contact,
                sender,
                sender_email,
                message_id=row.message_id,
                in_reply_to=in_reply_to,
                references=references,
            )
