"""What the memory shows: plain models for the CLI, the service and the app (no ORM objects leak out)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..store.memory import ConversationRow, DraftRow, LedgerItemRow, PersonRow

__all__ = ["ConversationOut", "DraftOut", "DueEntry", "ImportResult", "ItemOut", "PersonOut"]

DueKind = Literal["deliver", "ask_after", "nudge", "rhythm"]
DueLevel = Literal["upcoming", "late", "ideal", "maximum"]


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from the database row

    id: int
    name: str
    email: str = ""
    company: str = ""
    position: str = ""
    greet: str = ""
    channel: str = "email"
    tags: list[str] = Field(default_factory=list)
    phone: str = ""
    url: str = ""
    note: str = ""
    connected_on: dt.date | None = None
    source: str = "manual"
    last_touch: dt.date | None = None

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: object) -> object:
        return list(value or [])  # type: ignore[call-overload]

    @classmethod
    def from_row(cls, row: PersonRow, last_touch: dt.date | None = None) -> PersonOut:
        return cls.model_validate(row).model_copy(update={"last_touch": last_touch})


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from the database row

    id: int
    person_id: int
    happened_on: dt.date
    where: str = ""
    notes: str = ""

    @classmethod
    def from_row(cls, row: ConversationRow) -> ConversationOut:
        return cls.model_validate(row)


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from the database row

    id: int
    person_id: int
    owner: str
    role: str
    text: str
    due_on: dt.date | None = None
    status: str = "open"
    draft_id: int | None = None

    @classmethod
    def from_row(cls, row: LedgerItemRow) -> ItemOut:
        return cls.model_validate(row)


class DraftOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from the database row

    id: int
    person_id: int
    kind: str
    status: str
    channel: str
    subject: str = ""
    body: str = ""
    next_step_type: str = ""
    next_step: str = ""
    follow_up_when: str = ""
    follow_up_date: dt.date | None = None
    message_id: str = ""
    in_reply_to: str = ""
    parent_id: int | None = None
    sent_on: dt.date | None = None
    replied_on: dt.date | None = None

    @classmethod
    def from_row(cls, row: DraftRow) -> DraftOut:
        return cls.model_validate(row)


class DueEntry(BaseModel):
    """One line of the due list: what is owed, to or by whom, and how late.

    kind: "deliver" my promise (or a plan) falls due; "ask_after" their promise is late;
    "nudge" a sent message has had no reply; "rhythm" the person is past a keep-in-touch gap.
    level: "upcoming" (not yet due), "late"; for rhythms "ideal" or "maximum" (the gap passed).
    """

    kind: DueKind
    level: DueLevel
    person_id: int
    person: str
    email: str = ""
    channel: str = "email"
    owner: str = "me"
    text: str
    due_on: dt.date | None = None
    days_late: int = 0
    item_id: int | None = None
    draft_id: int | None = None
    last_touch: dt.date | None = None

    def line(self) -> str:
        """One line for a digest or a terminal: "Ana Ruiz: send the kiln schedule (3 days late)"."""
        if self.days_late > 0:
            late = f"{self.days_late} day{'s' if self.days_late != 1 else ''} late"
        elif self.days_late == 0:
            late = "due today"
        else:
            late = f"due in {-self.days_late} day{'s' if self.days_late != -1 else ''}"
        return f"{self.person}: {self.text} ({late})"


class ImportResult(BaseModel):
    added: int = 0
    updated: int = 0
    people: list[PersonOut] = Field(default_factory=list)
