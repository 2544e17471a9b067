"""Data models shared by every step: requests, plans, passages, drafts and batch rows."""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

Channel = Literal["email", "linkedin", "text"]
NextStepType = Literal["ask", "offer", "joint_venture", "keep_in_touch"]

CHANNELS: tuple[str, ...] = get_args(Channel)
NEXT_STEP_TYPES: tuple[str, ...] = get_args(NextStepType)

NEXT_STEP_LABELS: dict[str, str] = {
    "ask": "Ask for something small",
    "offer": "Offer something",
    "joint_venture": "Continue the conversation (joint venture)",
    "keep_in_touch": "Keep the door open",
}


class Contact(BaseModel):
    """The person the follow-up goes to."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str
    email: str = ""
    company: str = ""
    where_met: str = ""

    @field_validator("name")
    @classmethod
    def _name_present(cls, value: str) -> str:
        if not value:
            raise ValueError("the contact's name is empty: give the name of the person you met")
        return value


class DraftRequest(BaseModel):
    """Everything the user supplies for one follow-up."""

    model_config = ConfigDict(str_strip_whitespace=True)

    contact: Contact
    notes: str
    channel: Channel = "email"
    next_step_hint: NextStepType | None = None
    sender: str = ""

    @field_validator("notes")
    @classmethod
    def _notes_present(cls, value: str) -> str:
        if not value:
            raise ValueError("the notes are empty: write a few words about what you talked about")
        return value


class NextStep(BaseModel):
    """One suggested next step: its kind, a one-line wording and why it fits."""

    type: NextStepType
    text: str
    why: str = ""
    guidance_id: str = ""


class Plan(BaseModel):
    """What the notes allow: what may be shared, what is held back, and the next step."""

    greeting_name: str
    details: list[str] = Field(default_factory=list)  # specific topics, places, things mentioned
    shareable: list[str] = Field(default_factory=list)  # note lines the writer may see
    held_back: list[str] = Field(default_factory=list)  # agenda, confidences, private asides
    promised: list[str] = Field(default_factory=list)  # what the sender said they would do
    agenda_present: bool = False
    setting: str = "event"  # event | conference | informational_interview | chance | other
    next_step_type: NextStepType = "keep_in_touch"
    next_step_topic: str = ""
    options: list[NextStep] = Field(default_factory=list)
    follow_up_when: str = "in the next few weeks"
    follow_up_date: dt.date
    suspicious: list[str] = Field(default_factory=list)  # lines that looked like instructions


class Passage(BaseModel):
    """A guidance passage from the index."""

    id: str
    source: str
    title: str = ""
    section: str = ""
    text: str
    score: float = 0.0
    kinds: list[str] = Field(default_factory=list)


class CheckResult(BaseModel):
    """One rubric check over a draft."""

    name: str
    label: str
    passed: bool
    message: str = ""


class Draft(BaseModel):
    """A finished follow-up with everything needed to review, send and remember it."""

    channel: Channel
    subject: str = ""
    body: str
    greeting_name: str = ""
    next_step_type: NextStepType
    next_step: str
    follow_up_when: str
    follow_up_date: dt.date
    guidance_ids: list[str] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    options: list[NextStep] = Field(default_factory=list)
    checks: list[CheckResult] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    backend: str = ""
    model: str = ""
    seconds: float = 0.0
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return not self.warnings


OUTPUT_FIELDS: tuple[str, ...] = (
    "row",
    "name",
    "email",
    "channel",
    "status",
    "error",
    "subject",
    "body",
    "next_step_type",
    "next_step",
    "follow_up_when",
    "follow_up_date",
    "guidance_ids",
    "warnings",
    "backend",
    "model",
    "seconds",
)


class BatchRow(BaseModel):
    """One row of batch output, in the exact `drafter batch` contract."""

    row: int
    name: str = ""
    email: str = ""
    channel: str = ""
    status: Literal["ok", "error"]
    error: str = ""
    subject: str = ""
    body: str = ""
    next_step_type: str = ""
    next_step: str = ""
    follow_up_when: str = ""
    follow_up_date: str = ""
    guidance_ids: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    backend: str = ""
    model: str = ""
    seconds: float = 0.0

    @classmethod
    def from_draft(cls, row: int, request: DraftRequest, draft: Draft) -> BatchRow:
        return cls(
            row=row,
            name=request.contact.name,
            email=request.contact.email,
            channel=draft.channel,
            status="ok",
            subject=draft.subject if draft.channel == "email" else "",
            body=draft.body,
            next_step_type=draft.next_step_type,
            next_step=" ".join(draft.next_step.split()),
            follow_up_when=draft.follow_up_when,
            follow_up_date=draft.follow_up_date.isoformat(),
            guidance_ids=list(draft.guidance_ids),
            warnings=list(draft.warnings),
            backend=draft.backend,
            model=draft.model,
            seconds=round(draft.seconds, 2),
        )
