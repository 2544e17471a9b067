"""Second touches: the DraftRequest that delivers a promise or nudges after no reply, and the
request for a new conversation with someone the memory already knows.

Each request carries `follow_up` (what the earlier message said, and its Message-ID for
threading) and `avoid` (the topics and steps of earlier messages, so the new one does not repeat
them). The pipeline drafts it with the same rubric and guards as a first draft; `save_second_touch`
keeps the result linked to what it follows up, so that marking it sent closes the promise or
marks the message nudged.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputError
from ..models import Channel, Contact, Draft, DraftRequest, FollowUpContext, NextStepType
from ..store.memory import ConversationRow, DraftRow, LedgerItemRow, PersonRow
from .activity import get_draft, get_item, save_draft
from .ledger import promised_thing, same_item

__all__ = [
    "SecondTouch",
    "contact_of",
    "known_person_request",
    "save_second_touch",
    "second_touch",
    "thread_of",
]


class SecondTouch(BaseModel):
    """A second-touch request and what it follows up (ids in the memory)."""

    kind: Literal["deliver", "nudge"]
    person_id: int
    request: DraftRequest
    parent_id: int | None = None  # the sent message it threads to
    item_id: int | None = None  # the promise it delivers (or, for an ask-after, theirs)


def _sent(session: Session, person_id: int) -> list[DraftRow]:
    return list(
        session.scalars(
            select(DraftRow)
            .where(DraftRow.person_id == person_id, DraftRow.status == "sent")
            .order_by(DraftRow.sent_on, DraftRow.id)
        )
    )


def _avoid(sent: list[DraftRow], keep: str = "", parent: DraftRow | None = None) -> list[str]:
    """Topics and steps of earlier messages not to repeat. `keep` (the promise being delivered)
    stays allowed, and so does the topic of `parent`: the second touch refers back to it."""
    out: list[str] = []
    for draft in sent:
        for value in (draft.topic, draft.next_step):
            value = " ".join(value.split())
            if parent is not None and draft.id == parent.id and value == " ".join(parent.topic.split()):
                continue
            if value and value not in out and not (keep and same_item(value, keep)):
                out.append(value)
    return out


def _first_notes(session: Session, person: PersonRow, parent: DraftRow | None) -> str:
    """The notes of the conversation the first message came from, else of the person's latest
    one: what the reader reads again for a second touch."""
    conversation = None
    if parent is not None and parent.conversation_id is not None:
        conversation = session.get(ConversationRow, parent.conversation_id)
    if conversation is None:
        conversation = session.scalars(
            select(ConversationRow)
            .where(ConversationRow.person_id == person.id, ConversationRow.notes != "")
            .order_by(ConversationRow.happened_on.desc(), ConversationRow.id.desc())
        ).first()
    return conversation.notes.strip() if conversation is not None else ""


def contact_of(session: Session, person: PersonRow) -> Contact:
    where = session.scalars(
        select(ConversationRow.where)
        .where(ConversationRow.person_id == person.id, ConversationRow.where != "")
        .order_by(ConversationRow.happened_on.desc())
    ).first()
    return Contact(name=person.name, email=person.email, company=person.company, where_met=where or "")


def _channel(person: PersonRow, parent: DraftRow | None) -> Channel:
    value = parent.channel if parent is not None else person.channel
    return value if value in ("email", "linkedin", "text") else "email"  # type: ignore[return-value]


def _context(
    kind: Literal["deliver", "nudge"], parent: DraftRow | None, promise: str = ""
) -> FollowUpContext:
    return FollowUpContext(
        kind=kind,
        previous_subject=parent.subject if parent else "",
        previous_sent_on=parent.sent_on if parent else None,
        previous_topic=parent.topic if parent else "",
        previous_step=parent.next_step if parent else "",
        promise=promise,
        message_id=parent.message_id if parent else "",
    )


def _notes(first: str, instruction: str, extra: str) -> str:
    """What the reader reads: the first conversation's notes, else what the user adds now, else
    the instruction (the plan of a second touch comes from its follow-up context; what the user
    adds reaches the writer as the context's note)."""
    return first or extra or instruction


def second_touch(
    session: Session,
    *,
    item_id: int | None = None,
    draft_id: int | None = None,
    notes: str = "",
    sender: str = "",
) -> SecondTouch:
    """The request for a due-list entry: deliver my promise (item), ask after theirs (item owned
    by them), or nudge an unanswered message (draft). `notes` adds what to say or attach."""
    if (item_id is None) == (draft_id is None):
        raise InputError("Name one thing to follow up: a promise (item id) or a sent message (draft id).")
    extra = " ".join(notes.split())
    if item_id is not None:
        item = get_item(session, item_id)
        if item.status in ("done", "dropped"):
            raise InputError(f"Item {item.id} is already {item.status}: nothing to follow up.")
        person = session.get(PersonRow, item.person_id)
        assert person is not None
        sent = _sent(session, person.id)
        parent = get_draft(session, item.draft_id) if item.draft_id else (sent[-1] if sent else None)
        if item.owner == "them":
            context = _context("nudge", parent)
            context.previous_topic = context.previous_topic or item.text
            context.ask_after = item.text
            text = (
                f"{person.name} mentioned: {item.text}. Ask after it lightly, no pressure, "
                "and make it easy to say it is not ready yet."
            )
            kind: Literal["deliver", "nudge"] = "nudge"
            step_hint: NextStepType | None = "ask"
            avoid = _avoid(sent, parent=parent)
        else:
            thing = promised_thing(item.text)
            context = _context("deliver", parent, promise=thing)
            text = f"I promised {thing}; this message delivers it."
            kind, step_hint = "deliver", "offer"
            avoid = _avoid(sent, keep=item.text, parent=parent)
        request = DraftRequest(
            contact=contact_of(session, person),
            notes=_notes(_first_notes(session, person, parent), text, extra),
            channel=_channel(person, parent),
            next_step_hint=step_hint,
            sender=sender,
            follow_up=context.model_copy(update={"note": extra}),
            avoid=avoid,
        )
        return SecondTouch(
            kind=kind,
            person_id=person.id,
            request=request,
            parent_id=parent.id if parent else None,
            item_id=item.id,
        )
    parent = get_draft(session, int(draft_id or 0))
    if parent.status != "sent":
        raise InputError(f"Draft {parent.id} has not been sent: mark it sent before nudging.")
    person = session.get(PersonRow, parent.person_id)
    assert person is not None
    when = f" on {parent.sent_on:%d %B}" if parent.sent_on else ""
    text = f"No reply yet to my message{when}. A short, light nudge that refers to it; no guilt, no pressure."
    request = DraftRequest(
        contact=contact_of(session, person),
        notes=_notes(_first_notes(session, person, parent), text, extra),
        channel=_channel(person, parent),
        sender=sender,
        follow_up=_context("nudge", parent).model_copy(update={"note": extra}),
        avoid=_avoid(_sent(session, person.id), parent=parent),
    )
    return SecondTouch(kind="nudge", person_id=person.id, request=request, parent_id=parent.id)


def save_second_touch(session: Session, touch: SecondTouch, draft: Draft, sender_email: str = "") -> DraftRow:
    """Keep an approved second-touch draft, threaded to its parent and linked to its promise."""
    person = session.get(PersonRow, touch.person_id)
    if person is None:
        raise InputError("That person is no longer in the memory (forgotten?): nothing was saved.")
    parent = session.get(DraftRow, touch.parent_id) if touch.parent_id else None
    item = session.get(LedgerItemRow, touch.item_id) if touch.item_id else None
    delivers = item if touch.kind == "deliver" else None
    context = touch.request.follow_up
    topic = (context.promise if context and touch.kind == "deliver" else "") or draft.subject
    return save_draft(
        session,
        person,
        draft,
        kind=touch.kind,
        parent=parent,
        delivers=delivers,
        topic=topic,
        sender_email=sender_email,
    )


def thread_of(session: Session, draft: DraftRow) -> tuple[str, list[str]]:
    """(In-Reply-To, References) for a draft's .eml: its parent's Message-ID and the chain above it."""
    chain: list[str] = []
    parent = session.get(DraftRow, draft.parent_id) if draft.parent_id else None
    seen: set[int] = set()
    while parent is not None and parent.id not in seen:
        seen.add(parent.id)
        if parent.message_id:
            chain.insert(0, parent.message_id)
        parent = session.get(DraftRow, parent.parent_id) if parent.parent_id else None
    return (chain[-1] if chain else ""), chain


def known_person_request(
    session: Session,
    person: PersonRow,
    notes: str,
    *,
    channel: Channel | None = None,
    where_met: str = "",
    sender: str = "",
) -> DraftRequest:
    """A first draft after a new conversation with someone known: it avoids what earlier messages said."""
    contact = contact_of(session, person)
    if where_met:
        contact = contact.model_copy(update={"where_met": where_met})
    return DraftRequest(
        contact=contact,
        notes=notes,
        channel=channel or _channel(person, None),
        sender=sender,
        avoid=_avoid(_sent(session, person.id)),
    )
