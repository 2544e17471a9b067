"""The contact memory's tables: people, conversations, drafts, the promise ledger, rhythms, touches.

Every row below a person references it with ON DELETE CASCADE, so deleting the person (forget)
deletes everything the memory holds about them, in the database itself and not only through
the ORM. Dates a person chooses (when we met, when a promise is due) are `Date`; moments the
program records are timezone-aware `DateTime` in UTC. Migration: versions/0002_memory.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base

__all__ = [
    "DRAFT_STATUSES",
    "ITEM_OWNERS",
    "ITEM_STATUSES",
    "ConversationRow",
    "DraftRow",
    "LedgerItemRow",
    "PersonRow",
    "RhythmRow",
    "TouchRow",
    "utcnow",
]

DRAFT_STATUSES = ("approved", "sent", "discarded")
ITEM_OWNERS = ("me", "them", "both")
ITEM_STATUSES = ("open", "done", "deferred", "dropped")
DRAFT_KINDS = ("first", "deliver", "nudge")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _person_fk() -> Any:
    return ForeignKey("people.id", ondelete="CASCADE")


class PersonRow(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255))
    given: Mapped[str] = mapped_column(String(255), default="")
    family: Mapped[str] = mapped_column(String(255), default="")
    greet: Mapped[str] = mapped_column(String(255), default="")  # how to greet them
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    company: Mapped[str] = mapped_column(String(255), default="")
    position: Mapped[str] = mapped_column(String(255), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    channel: Mapped[str] = mapped_column(String(16), default="email")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    connected_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(String(32), default="manual")  # manual | linkedin | vcard | batch
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    conversations: Mapped[list[ConversationRow]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )
    drafts: Mapped[list[DraftRow]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )
    items: Mapped[list[LedgerItemRow]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )
    touches: Mapped[list[TouchRow]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )
    rhythm: Mapped[RhythmRow | None] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (Index("ix_people_email", "email"), Index("ix_people_name", "name"))


class ConversationRow(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(_person_fk(), index=True)
    happened_on: Mapped[dt.date] = mapped_column(Date)
    where: Mapped[str] = mapped_column(String(255), default="")
    notes: Mapped[str] = mapped_column(Text, default="")  # stored locally, never logged
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    person: Mapped[PersonRow] = relationship(back_populates="conversations")


class DraftRow(Base):
    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(_person_fk(), index=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), nullable=True
    )
    parent_id: Mapped[int | None] = mapped_column(  # the message a second touch follows up
        ForeignKey("drafts.id", ondelete="SET NULL"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="first")  # first | deliver | nudge
    status: Mapped[str] = mapped_column(String(16), default="approved")  # approved | sent | discarded
    channel: Mapped[str] = mapped_column(String(16), default="email")
    subject: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(Text, default="")  # what the message referenced
    next_step_type: Mapped[str] = mapped_column(String(32), default="keep_in_touch")
    next_step: Mapped[str] = mapped_column(Text, default="")
    follow_up_when: Mapped[str] = mapped_column(String(120), default="")
    follow_up_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    message_id: Mapped[str] = mapped_column(String(255), default="")
    in_reply_to: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    replied_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    nudged_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    person: Mapped[PersonRow] = relationship(back_populates="drafts")

    __table_args__ = (
        CheckConstraint("status IN ('approved', 'sent', 'discarded')", name="ck_drafts_status"),
        CheckConstraint("kind IN ('first', 'deliver', 'nudge')", name="ck_drafts_kind"),
        Index("ix_drafts_status_sent", "status", "sent_on"),
    )


class LedgerItemRow(Base):
    __tablename__ = "ledger_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(_person_fk(), index=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), nullable=True
    )
    draft_id: Mapped[int | None] = mapped_column(  # the sent message that stated it
        ForeignKey("drafts.id", ondelete="SET NULL"), nullable=True
    )
    delivery_draft_id: Mapped[int | None] = mapped_column(  # the second touch that keeps it
        ForeignKey("drafts.id", ondelete="SET NULL"), nullable=True
    )
    owner: Mapped[str] = mapped_column(String(8))  # me | them | both
    role: Mapped[str] = mapped_column(String(16), default="promise")  # promise | request | plan | step
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | done | deferred | dropped
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    person: Mapped[PersonRow] = relationship(back_populates="items")

    __table_args__ = (
        CheckConstraint("owner IN ('me', 'them', 'both')", name="ck_ledger_items_owner"),
        CheckConstraint("status IN ('open', 'done', 'deferred', 'dropped')", name="ck_ledger_items_status"),
        Index("ix_ledger_items_status_due", "status", "due_on"),
    )


class RhythmRow(Base):
    """A keep-in-touch rhythm for one person or for everyone with a tag (exactly one of the two)."""

    __tablename__ = "rhythms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int | None] = mapped_column(_person_fk(), nullable=True, unique=True)
    tag: Mapped[str | None] = mapped_column(String(120), nullable=True, unique=True)
    ideal_days: Mapped[int] = mapped_column(Integer)
    max_days: Mapped[int] = mapped_column(Integer)

    person: Mapped[PersonRow | None] = relationship(back_populates="rhythm")

    __table_args__ = (
        CheckConstraint("(person_id IS NULL) <> (tag IS NULL)", name="ck_rhythms_person_or_tag"),
        CheckConstraint("ideal_days >= 1 AND max_days >= ideal_days", name="ck_rhythms_gaps"),
    )


class TouchRow(Base):
    """Any contact with a person: a conversation, a message sent, a reply, a call. Resets the rhythm."""

    __tablename__ = "touches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(_person_fk())
    happened_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16), default="note")  # conversation | sent | reply | call | note
    summary: Mapped[str] = mapped_column(Text, default="")
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    person: Mapped[PersonRow] = relationship(back_populates="touches")

    __table_args__ = (Index("ix_touches_person_day", "person_id", "happened_on"),)
