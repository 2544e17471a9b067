"""The job tables: a batch job and its rows, and a job's status as the service reports it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..models import BatchRow
from .db import Base

JOB_STATUSES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE = ("queued", "running")
FINISHED_ROW = ("ok", "error")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every database (SQLite hands back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> dt.datetime | None:
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value  # type: ignore[no-any-return]


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(255), default="")
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class JobRow(Base):
    __tablename__ = "job_rows"
    __table_args__ = (UniqueConstraint("job_id", "number", name="uq_job_rows_job_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(32), ForeignKey("jobs.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    cells: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(32), default="")
    claimed_by: Mapped[str | None] = mapped_column(String(160), nullable=True)
    lease_until: Mapped[float | None] = mapped_column(Float, nullable=True)
    claims: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


@dataclass(frozen=True)
class NewRow:
    """A row to store: its cells as read, and its output row if it was refused on reading."""

    number: int
    position: int  # claim order (rows of one situation next to each other)
    cells: dict[str, str]
    digest: str = ""
    refused: BatchRow | None = None
    warnings: tuple[str, ...] = ()  # warnings from reading, carried into the output row


@dataclass(frozen=True)
class StoredRow:
    """A stored row as the worker reads it back."""

    number: int
    cells: dict[str, str]
    warnings: tuple[str, ...]
    digest: str


@dataclass(frozen=True)
class JobStatus:
    id: str
    status: str
    name: str
    total: int
    done: int  # finished rows, ok or not
    failed: int  # finished rows with an error
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    seconds_left: float | None  # estimated, from the pace so far

    @property
    def finished(self) -> bool:
        return self.status not in ACTIVE

    def to_dict(self) -> dict[str, Any]:
        def iso(value: dt.datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": self.id,
            "status": self.status,
            "name": self.name,
            "total": self.total,
            "done": self.done,
            "ok": self.done - self.failed,
            "failed": self.failed,
            "pending": self.total - self.done,
            "created_at": iso(self.created_at),
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at),
            "seconds_left": None if self.seconds_left is None else round(self.seconds_left, 1),
        }
