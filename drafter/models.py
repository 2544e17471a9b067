"""Data models shared by every step: requests, plans, passages, drafts and batch rows."""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

Channel = Literal["email", "linkedin", "text"]
NextStepType = Literal["ask", "offer", "joint_venture", "keep_in_touch"]
Role = Literal["topic", "promise", "request", "ask", "plan", "agenda", "confidence", "self_note", "to_model"]

CHANNELS: tuple[str, ...] = get_args(Channel)
ROLES: tuple[str, ...] = get_args(Role)
PRIVATE_ROLES: frozenset[str] = frozenset({"agenda", "confidence", "to_model"})
STEP_ROLES: tuple[str, ...] = ("promise", "request", "plan", "ask")  # in order of priority

# The next step's bars, used by the plan (reader/plan.py) and the ledger. The clause of the next
# step is judged apart from the details: keep-in-touch in place of the notes' own promise or plan
# is the commonest way a draft goes wrong. A clause the reader labels a step with this confidence
# carries it; when none does, a clause it finds this likely to be a step of any kind (a promise, a
# request, a plan or an ask, together) carries it, even if it is unsure which kind or calls it a
# topic. Either way it must be this far from private. Chosen on the dev split of the labelled
# notes and the dev scenarios (`drafter eval reader --calibrate`): the most next-step kinds right
# with no private clause shown (within one of the most, the strictest). The private ceiling is tried
# up to 0.5: a grid that stopped at 0.25 chose its own edge. 219 -> 223 of 239 right on dev.
STEP_CONFIDENCE = 0.6
STEP_LIKELY = 0.35
STEP_PRIVATE_MAX = 0.3

ROLE_LABELS: dict[str, str] = {
    "topic": "shared topic or fact about the contact",
    "promise": "the sender's promise",
    "request": "the contact's request of the sender",
    "ask": "what the sender wants to ask",
    "plan": "a plan agreed or begun together",
    "agenda": "the sender's agenda (held back)",
    "confidence": "a confidence (held back)",
    "self_note": "a self-note or logistics (dropped)",
    "to_model": "text addressed to a model (dropped)",
}
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


class FollowUpContext(BaseModel):
    """What a second-touch draft follows up on: a promise falling due, or a message with no reply."""

    kind: Literal["deliver", "nudge"]
    previous_subject: str = ""
    previous_sent_on: dt.date | None = None
    previous_topic: str = ""  # what the first message referenced
    previous_step: str = ""  # the next step it stated
    promise: str = ""  # deliver: the promised thing ("the kiln schedule")
    ask_after: str = ""  # nudge: what they said they would send, asked after lightly
    note: str = ""  # what the sender adds now: a link, what is attached, a line to include
    message_id: str = ""  # Message-ID of the first message, for threading

    @property
    def topic(self) -> str:
        """What the first message was about: its topic, or its subject when no topic was given."""
        return self.previous_topic or self.previous_subject


class DraftRequest(BaseModel):
    """Everything the user supplies for one follow-up."""

    model_config = ConfigDict(str_strip_whitespace=True)

    contact: Contact
    notes: str
    channel: Channel = "email"
    next_step_hint: NextStepType | None = None
    sender: str = ""
    follow_up: FollowUpContext | None = None
    avoid: list[str] = Field(default_factory=list)  # topics and steps of earlier messages not to repeat

    @field_validator("notes")
    @classmethod
    def _notes_present(cls, value: str) -> str:
        if not value:
            raise ValueError("the notes are empty: write a few words about what you talked about")
        return value


class Clause(BaseModel):
    """One clause of the notes with the role the reader gave it."""

    text: str
    role: Role
    confidence: float = 1.0
    start: int = 0  # character offsets in the notes
    end: int = 0
    private: float = 0.0  # the reader's probability that the clause is private
    when: str = ""  # a time phrase in this clause ("by the 30th")
    due: dt.date | None = None
    block: bool = False  # a pasted block kept whole: a signature, a bio, contact details
    step: float = 0.0  # the reader's probability that the clause is a next step of any kind
    step_role: str = ""  # the step role it most likely has, whatever its own role

    def as_step(self) -> tuple[str, float]:
        """The step role this clause most likely has, and how likely it is a next step at all.
        A clause the reader is unsure of ("topic" at 0.3) can still be far more likely a step
        (a promise or a plan) than anything else."""
        if self.role in STEP_ROLES:
            return self.role, max(self.step, self.confidence)
        return self.step_role, self.step


class Reading(BaseModel):
    """What the notes say, clause by clause."""

    clauses: list[Clause] = Field(default_factory=list)

    def of(self, *roles: str) -> list[Clause]:
        return [c for c in self.clauses if c.role in roles]


class NextStep(BaseModel):
    """One suggested next step: its kind, a one-line wording and why it fits."""

    type: NextStepType
    text: str
    why: str = ""
    guidance_id: str = ""


class Plan(BaseModel):
    """What the draft may say: the few clauses shown to the writer, what is held back, the next step."""

    greeting_name: str
    details: list[str] = Field(default_factory=list)  # the one to three shared clauses shown to the writer
    step_clause: str = ""  # the clause of the notes that carries the next step, shown to the writer
    held_back: list[str] = Field(default_factory=list)  # agenda and confidences: never shown
    unshown: list[str] = Field(default_factory=list)  # every other clause the writer does not see
    agenda_present: bool = False
    setting: str = "event"  # event | conference | informational_interview | chance | other
    next_step_type: NextStepType = "keep_in_touch"
    options: list[NextStep] = Field(default_factory=list)
    follow_up_when: str = "in the next few weeks"
    follow_up_date: dt.date
    suspicious: list[str] = Field(default_factory=list)  # text addressed to a model
    follow_up: FollowUpContext | None = None

    @property
    def shown(self) -> list[str]:
        """Everything from the notes that the writer sees."""
        return [*self.details, *([self.step_clause] if self.step_clause else [])]

    @property
    def fresh_details(self) -> list[str]:
        """The details a plain nudge's recall brings: not what the last message was about, which
        its step line already says. Empty when the plan is no plain nudge or has nothing else."""
        follow = self.follow_up
        if follow is None or follow.kind != "nudge" or follow.ask_after:
            return []
        return [d for d in self.details if d != follow.topic]

    @property
    def topics(self) -> list[str]:
        """What the recall must name one of: the shown details, and on a second touch the first
        message's topic; a plain nudge with another detail names one of the others."""
        if fresh := self.fresh_details:
            return fresh
        previous = self.follow_up.previous_topic if self.follow_up else ""
        return [*self.details, *([previous] if previous and previous not in self.details else [])]

    @property
    def asks_them(self) -> bool:
        """Whether the step is a first touch's ask: a question to them, its "when" said after it."""
        return self.next_step_type == "ask" and not self.follow_up


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


class DraftParts(BaseModel):
    """A message in parts, kept apart through repair and checks and rendered to text once."""

    subject: str = ""
    greeting: str  # the name the greeting uses
    recall: list[str] = Field(default_factory=list)  # sentences recalling the conversation
    step: str = ""  # the one sentence with the next step and its "when"
    sender: str = ""

    @property
    def sentences(self) -> list[str]:
        return [*self.recall, *([self.step] if self.step else [])]


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
    parts: DraftParts | None = None

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
