"""Request and reply bodies, as the OpenAPI document shows them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..models import BatchRow, CheckResult


class DraftIn(BaseModel):
    """One conversation: the `drafter batch` row fields."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Ana Costa",
                    "notes": "Talked about incremental parsers at PyCon Lisbon; she offered her slides.",
                    "email": "ana@example.org",
                    "where_met": "PyCon Lisbon",
                    "channel": "email",
                    "next_step_hint": "ask",
                    "sender_name": "Sam",
                }
            ]
        },
    )

    name: str = Field(description="The contact's name.")
    notes: str = Field(description="Your notes about the conversation (up to 6,000 characters).")
    email: str = ""
    company: str = ""
    where_met: str = ""
    channel: str = Field("email", description="email, linkedin or text.")
    next_step_hint: str = Field("", description="ask, offer, joint_venture, keep_in_touch, or blank.")
    sender_name: str = Field("", description="Your name, to sign with (default DRAFTER_SENDER_NAME).")


class DraftOut(BatchRow):
    """The `drafter batch` output row, with the rubric checks."""

    checks: list[CheckResult] = Field(default_factory=list)


class BatchIn(BaseModel):
    """A batch as JSON: the rows are objects with the `drafter batch` columns."""

    model_config = ConfigDict(extra="forbid")

    rows: list[Any] = Field(description="One object per person: name and notes required.")
    sender_name: str = Field("", description="Your name, for rows without sender_name.")
    name: str = Field("", description="A label for the job (for example the event).")


class JobOut(BaseModel):
    id: str
    status: str = Field(description="queued, running, done, failed or cancelled.")
    name: str = ""
    total: int
    done: int = Field(description="Finished rows, ok or not.")
    ok: int
    failed: int
    pending: int
    created_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    seconds_left: float | None = Field(None, description="Estimated from the pace so far.")


class PassageOut(BaseModel):
    id: str
    source: str
    title: str = ""
    section: str = ""
    text: str
    score: float = 0.0


class Health(BaseModel):
    status: str
    backend: str = ""
    model: str = ""
    message: str = ""


def job_out(data: dict[str, Any]) -> JobOut:
    return JobOut.model_validate(data)
