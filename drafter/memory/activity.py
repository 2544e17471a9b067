"""What happens with a person: conversations, drafts approved, sent or discarded, replies, touches,
and the promise ledger they feed.

Rules the memory keeps:
- Every logged conversation, sent message, reply or call is a touch, and a touch resets the
  keep-in-touch clock.
- Marking a draft sent records its next step as my open promise, due on the draft's follow-up
  date; a joint plan is owned by both. An ask is not a promise: what follows an unanswered ask
  is a nudge, which the due list offers after the nudge gap. When an open item of mine from
  the same person already says the same thing, the draft is linked to it instead.
  A second touch records only an offer or a plan as a new promise, so keep-in-touch lines do not
  pile up (the rhythm looks after keeping in touch).
- Marking a deliver draft sent closes the promise it delivers; marking a nudge sent marks the
  message it nudged so it is never nudged twice. A reply cancels any nudge.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputError
from ..export import new_message_id
from ..models import BatchRow, Draft, DraftRequest, Reading
from ..store.memory import (
    ITEM_OWNERS,
    ITEM_STATUSES,
    ConversationRow,
    DraftRow,
    LedgerItemRow,
    PersonRow,
    TouchRow,
)
from .cards import PersonCard
from .ledger import MY_DAYS, OTHER_DAYS, entries_from_reading, same_item
from .people import NotFound, add_person

__all__ = [
    "add_item",
    "approve_rows",
    "discard_draft",
    "get_draft",
    "get_item",
    "log_conversation",
    "log_touch",
    "mark_sent",
    "record_reply",
    "save_draft",
    "set_item_status",
]

logger = logging.getLogger(__name__)

TOUCH_KINDS = ("conversation", "sent", "reply", "call", "meeting", "message", "note")
_STEP_OWNER = {"offer": "me", "joint_venture": "both", "keep_in_touch": "me"}


def log_touch(
    session: Session,
    person: PersonRow,
    happened_on: dt.date,
    kind: str = "note",
    summary: str = "",
    draft_id: int | None = None,
) -> TouchRow:
    """Any contact with the person; it resets the rhythm clock."""
    if kind not in TOUCH_KINDS:
        raise InputError(f"Unknown kind of touch {kind!r}: use one of {', '.join(TOUCH_KINDS)}.")
    touch = TouchRow(
        person_id=person.id, happened_on=happened_on, kind=kind, summary=summary, draft_id=draft_id
    )
    session.add(touch)
    session.flush()
    return touch


def log_conversation(
    session: Session,
    person: PersonRow,
    happened_on: dt.date,
    notes: str,
    where: str = "",
    reading: Reading | None = None,
    today: dt.date | None = None,
) -> ConversationRow:
    """A conversation with its notes (kept locally), a touch, and the ledger items its reading holds."""
    conversation = ConversationRow(
        person_id=person.id, happened_on=happened_on, where=where.strip(), notes=notes
    )
    session.add(conversation)
    session.flush()
    log_touch(session, person, happened_on, "conversation")
    if reading is not None:
        for entry in entries_from_reading(reading, person.name, today or happened_on):
            session.add(
                LedgerItemRow(
                    person_id=person.id,
                    conversation_id=conversation.id,
                    owner=entry.owner,
                    role=entry.role,
                    text=entry.text,
                    due_on=entry.due_on,
                )
            )
        session.flush()
    return conversation


def _draft_fields(draft: Draft | BatchRow) -> dict[str, object]:
    follow_up: dt.date | None
    if isinstance(draft, Draft):
        follow_up = draft.follow_up_date
    else:
        follow_up = dt.date.fromisoformat(draft.follow_up_date) if draft.follow_up_date else None
    return {
        "channel": draft.channel or "email",
        "subject": draft.subject,
        "body": draft.body,
        "next_step_type": draft.next_step_type or "keep_in_touch",
        "next_step": " ".join(draft.next_step.split()),
        "follow_up_when": draft.follow_up_when,
        "follow_up_date": follow_up,
    }


def save_draft(
    session: Session,
    person: PersonRow,
    draft: Draft | BatchRow,
    *,
    kind: str = "first",
    conversation: ConversationRow | None = None,
    parent: DraftRow | None = None,
    delivers: LedgerItemRow | None = None,
    topic: str = "",
    sender_email: str = "",
) -> DraftRow:
    """An approved draft, kept with a Message-ID (email) so a later reply can be threaded to it."""
    fields = _draft_fields(draft)
    row = DraftRow(
        person_id=person.id,
        kind=kind,
        status="approved",
        conversation_id=conversation.id if conversation else None,
        parent_id=parent.id if parent else None,
        topic=topic or str(fields["subject"]) or str(fields["next_step"]),
        **fields,
    )
    if row.channel == "email":
        row.message_id = new_message_id(sender_email)
        row.in_reply_to = parent.message_id if parent is not None else ""
    session.add(row)
    session.flush()
    if delivers is not None:
        delivers.delivery_draft_id = row.id
    session.flush()
    return row


def get_draft(session: Session, draft_id: int) -> DraftRow:
    row = session.get(DraftRow, draft_id)
    if row is None:
        raise NotFound(f"No draft with id {draft_id} in the memory: see `drafter contacts show NAME`.")
    return row


def get_item(session: Session, item_id: int) -> LedgerItemRow:
    row = session.get(LedgerItemRow, item_id)
    if row is None:
        raise NotFound(f"No ledger item with id {item_id}: see `drafter due`.")
    return row


def _step_item(session: Session, draft: DraftRow, sent_on: dt.date) -> LedgerItemRow | None:
    step = draft.next_step.strip()
    if not step or draft.next_step_type not in _STEP_OWNER:
        return None
    if draft.kind == "deliver":  # its step is the delivery itself, done by sending it
        return None
    if draft.kind != "first" and draft.next_step_type not in ("offer", "joint_venture"):
        return None
    owner = _STEP_OWNER[draft.next_step_type]
    due = draft.follow_up_date or sent_on + dt.timedelta(days=7)
    open_items = session.scalars(
        select(LedgerItemRow).where(
            LedgerItemRow.person_id == draft.person_id,
            LedgerItemRow.status.in_(("open", "deferred")),
            LedgerItemRow.owner.in_(("me", "both")),
        )
    )
    for item in open_items:
        if same_item(item.text, step):
            item.draft_id = draft.id
            if item.due_on is None or item.due_on > due:
                item.due_on = due
            return item
    item = LedgerItemRow(
        person_id=draft.person_id,
        conversation_id=draft.conversation_id,
        draft_id=draft.id,
        owner=owner,
        role="step",
        text=step,
        due_on=due,
    )
    session.add(item)
    return item


def mark_sent(
    session: Session, draft: DraftRow, sent_on: dt.date, message_id: str = ""
) -> list[LedgerItemRow]:
    """The user sent this draft. Returns the ledger items it opened or closed."""
    if draft.status == "discarded":
        raise InputError(f"Draft {draft.id} was discarded: approve a new draft instead of sending this one.")
    changed: list[LedgerItemRow] = []
    if draft.status == "sent":
        return changed
    draft.status, draft.sent_on = "sent", sent_on
    if message_id.strip():
        draft.message_id = message_id.strip()
    person = session.get(PersonRow, draft.person_id)
    assert person is not None
    log_touch(session, person, sent_on, "sent", draft_id=draft.id)
    for item in session.scalars(select(LedgerItemRow).where(LedgerItemRow.delivery_draft_id == draft.id)):
        item.status, item.closed_on = "done", sent_on
        changed.append(item)
    if draft.parent_id is not None:
        parent = session.get(DraftRow, draft.parent_id)
        if parent is not None and draft.kind == "nudge":
            parent.nudged_on = sent_on
    step = _step_item(session, draft, sent_on)
    if step is not None:
        changed.append(step)
    session.flush()
    logger.info("draft %d marked sent", draft.id)
    return changed


def discard_draft(session: Session, draft: DraftRow) -> None:
    if draft.status == "sent":
        raise InputError(f"Draft {draft.id} was already sent: it cannot be discarded.")
    draft.status = "discarded"
    for item in session.scalars(select(LedgerItemRow).where(LedgerItemRow.delivery_draft_id == draft.id)):
        item.delivery_draft_id = None
    session.flush()


def record_reply(session: Session, person: PersonRow, on: dt.date, summary: str = "") -> TouchRow:
    """They replied: a touch, and no nudge for any message sent to them before the reply."""
    for draft in session.scalars(
        select(DraftRow).where(
            DraftRow.person_id == person.id, DraftRow.status == "sent", DraftRow.replied_on.is_(None)
        )
    ):
        if draft.sent_on is None or draft.sent_on <= on:
            draft.replied_on = on
    return log_touch(session, person, on, "reply", summary)


def add_item(
    session: Session, person: PersonRow, owner: str, text: str, due_on: dt.date | None, on: dt.date
) -> LedgerItemRow:
    """A ledger item written by hand (what the notes did not say, or a reader could not find)."""
    if owner not in ITEM_OWNERS:
        raise InputError(f"Unknown owner {owner!r}: use me, them or both.")
    if not text.strip():
        raise InputError("The item is empty: say what is owed.")
    days = MY_DAYS if owner == "me" else OTHER_DAYS
    item = LedgerItemRow(
        person_id=person.id,
        owner=owner,
        role="promise" if owner != "both" else "plan",
        text=" ".join(text.split()),
        due_on=due_on or on + dt.timedelta(days=days),
    )
    session.add(item)
    session.flush()
    return item


def set_item_status(
    session: Session, item: LedgerItemRow, status: str, on: dt.date, until: dt.date | None = None
) -> LedgerItemRow:
    """done, dropped, open again, or deferred until a date (it comes back on the due list then)."""
    if status not in ITEM_STATUSES:
        raise InputError(f"Unknown status {status!r}: use one of {', '.join(ITEM_STATUSES)}.")
    if status == "deferred":
        if until is None or until <= on:
            raise InputError("Deferring needs a later date: give the day it should come back (--until).")
        item.due_on = until
    item.status = status
    item.closed_on = on if status in ("done", "dropped") else None
    session.flush()
    return item


def approve_rows(
    session: Session,
    rows: Sequence[tuple[DraftRequest, BatchRow]],
    happened_on: dt.date,
    where: str = "",
    readings: Sequence[Reading | None] | None = None,
) -> list[DraftRow]:
    """Approved rows of an event batch become people, conversations and approved drafts."""
    saved: list[DraftRow] = []
    for index, (request, row) in enumerate(rows):
        if row.status != "ok":
            raise InputError(
                f"Row {row.row} has no draft ({row.error or 'it failed'}): fix it before approving."
            )
        contact = request.contact
        person, _ = add_person(
            session,
            PersonCard(name=contact.name, email=contact.email, company=contact.company),
            source="batch",
        )
        if request.channel != "email" and not person.email:
            person.channel = request.channel
        reading = readings[index] if readings is not None and index < len(readings) else None
        conversation = log_conversation(
            session, person, happened_on, request.notes, where=contact.where_met or where, reading=reading
        )
        saved.append(save_draft(session, person, row, conversation=conversation))
    return saved
