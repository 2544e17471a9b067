"""Durable batch jobs: a job and its rows in the database, claimed row by row by workers.

A row is `pending`, `claimed` (by one worker, with a lease), or finished (`ok` or `error`,
with its output row as JSON). Workers claim with one UPDATE whose subquery takes the next row
`FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite runs the single statement atomically), so two
workers never hold the same row. A result is written only while the writer still holds the
claim, and finished rows are never claimed again, so a finished row is never drafted twice.

A claim stays while its worker renews the lease (`heartbeat`); the claims of a worker that
died (killed, or its host gone) become claimable again when the lease runs out, or at once
when the worker ran on this host and its process is gone (`release_dead`). Worker ids are
`HOST:PID:RANDOM`; hosts sharing a database need distinct host names.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from ..models import BatchRow
from .db import session_factory
from .job_tables import (
    ACTIVE,
    FINISHED_ROW,
    JOB_STATUSES,
    Job,
    JobRow,
    JobStatus,
    NewRow,
    StoredRow,
    utcnow,
)

__all__ = ["JOB_STATUSES", "JobJournal", "JobStatus", "JobStore", "NewRow", "StoredRow", "new_worker_id"]

logger = logging.getLogger(__name__)

CLAIM_RETRIES = 5


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class JobStore:
    """Jobs in one database, seen by one worker (this process)."""

    def __init__(self, url: str, *, worker_id: str | None = None, lease: float = 60.0) -> None:
        self.url = url
        self.worker_id = worker_id or new_worker_id()
        self.lease = lease
        self._sessions = session_factory(url)

    def session(self) -> Session:
        return self._sessions()

    # --- jobs ---------------------------------------------------------------------------------

    def create(self, rows: list[NewRow], *, owner: str = "", name: str = "") -> str:
        job_id = uuid.uuid4().hex
        now = utcnow()
        with self.session() as session, session.begin():
            session.add(
                Job(id=job_id, status="queued", owner=owner, name=name[:255], total=len(rows), created_at=now)
            )
            session.flush()
            session.add_all(
                JobRow(
                    job_id=job_id,
                    number=row.number,
                    position=row.position,
                    status="pending" if row.refused is None else row.refused.status,
                    cells=json.dumps({"cells": row.cells, "warnings": list(row.warnings)}),
                    digest=row.digest,
                    claims=0,
                    result=None if row.refused is None else row.refused.model_dump_json(),
                    finished_at=None if row.refused is None else now,
                )
                for row in rows
            )
        self.finish_if_complete(job_id)
        logger.info("job %s created: %d rows", job_id, len(rows))
        return job_id

    def _job(self, session: Session, job_id: str, owner: str | None) -> Job | None:
        job = session.get(Job, job_id)
        if job is None or (owner is not None and job.owner != owner):
            return None
        return job

    def status(self, job_id: str, owner: str | None = None) -> JobStatus | None:
        with self.session() as session:
            job = self._job(session, job_id, owner)
            if job is None:
                return None
            counts = dict(
                session.execute(
                    select(JobRow.status, func.count()).where(JobRow.job_id == job_id).group_by(JobRow.status)
                ).all()
            )
            drafted = (
                session.scalar(
                    select(func.count()).where(
                        JobRow.job_id == job_id, JobRow.status.in_(FINISHED_ROW), JobRow.claims > 0
                    )
                )
                or 0
            )
        done = counts.get("ok", 0) + counts.get("error", 0)
        left: float | None = None
        if job.status in ACTIVE and job.started_at is not None and drafted:
            pace = (utcnow() - job.started_at).total_seconds() / drafted
            left = pace * (job.total - done)
        elif job.status not in ACTIVE:
            left = 0.0
        return JobStatus(
            job.id,
            job.status,
            job.name,
            job.total,
            done,
            counts.get("error", 0),
            job.created_at,
            job.started_at,
            job.finished_at,
            left,
        )

    def results(self, job_id: str, owner: str | None = None) -> list[BatchRow] | None:
        """Finished rows in input order (a running job's so far), or None for an unknown job."""
        with self.session() as session:
            if self._job(session, job_id, owner) is None:
                return None
            texts = session.scalars(
                select(JobRow.result)
                .where(JobRow.job_id == job_id, JobRow.status.in_(FINISHED_ROW))
                .order_by(JobRow.number)
            ).all()
        return [BatchRow.model_validate_json(text) for text in texts if text]

    def delete(self, job_id: str, owner: str | None = None) -> bool:
        """Cancel a job and delete it with its rows; a row being drafted is dropped when done."""
        with self.session() as session, session.begin():
            if self._job(session, job_id, owner) is None:
                return False
            session.execute(delete(JobRow).where(JobRow.job_id == job_id))
            session.execute(delete(Job).where(Job.id == job_id))
        logger.info("job %s cancelled and deleted", job_id)
        return True

    def active_jobs(self, owner: str) -> int:
        with self.session() as session:
            return (
                session.scalar(
                    select(func.count()).select_from(Job).where(Job.owner == owner, Job.status.in_(ACTIVE))
                )
                or 0
            )

    def next_job(self) -> str | None:
        """The oldest unfinished job with a row to claim."""
        now = time.time()
        with self.session() as session:
            return session.scalar(
                select(Job.id)
                .where(Job.status.in_(ACTIVE))
                .where(select(JobRow.id).where(JobRow.job_id == Job.id, self._claimable(now)).exists())
                .order_by(Job.created_at, Job.id)
                .limit(1)
            )

    def rows(self, job_id: str) -> list[StoredRow]:
        """Every row of the job, in input order."""
        with self.session() as session:
            found = session.execute(
                select(JobRow.number, JobRow.cells, JobRow.digest)
                .where(JobRow.job_id == job_id)
                .order_by(JobRow.number)
            ).all()
        rows = []
        for number, text, digest in found:
            data = json.loads(text)
            rows.append(StoredRow(number, data.get("cells", {}), tuple(data.get("warnings", ())), digest))
        return rows

    def reorder(self, job_id: str, numbers: list[int]) -> None:
        """Claim the rows in this order from now on (rows already claimed or finished keep theirs)."""
        with self.session() as session, session.begin():
            for position, number in enumerate(numbers):
                session.execute(
                    update(JobRow)
                    .where(JobRow.job_id == job_id, JobRow.number == number, JobRow.status == "pending")
                    .values(position=position)
                )

    def finish_if_complete(self, job_id: str) -> str | None:
        """Mark the job done (or failed, when no row is ok) once every row is finished."""
        with self.session() as session, session.begin():
            counts = dict(
                session.execute(
                    select(JobRow.status, func.count()).where(JobRow.job_id == job_id).group_by(JobRow.status)
                ).all()
            )
            if not counts or counts.get("pending", 0) or counts.get("claimed", 0):
                return None
            status = "done" if counts.get("ok", 0) else "failed"
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status.in_(ACTIVE))
                .values(status=status, finished_at=utcnow())
            )
        return status

    # --- rows -----------------------------------------------------------------------------------

    @staticmethod
    def _claimable(now: float) -> Any:
        return or_(
            JobRow.status == "pending",
            (JobRow.status == "claimed") & (JobRow.lease_until < now),
        )

    def claim(self, job_id: str) -> int | None:
        """Claim the job's next row for this worker: its number, or None when none is left."""
        for _ in range(CLAIM_RETRIES):
            now = time.time()
            candidate = (
                select(JobRow.id)
                .where(JobRow.job_id == job_id, self._claimable(now))
                .order_by(JobRow.position, JobRow.number)
                .limit(1)
                .with_for_update(skip_locked=True)
                .scalar_subquery()
            )
            with self.session() as session, session.begin():
                number = session.scalar(
                    update(JobRow)
                    .where(JobRow.id == candidate)
                    .values(
                        status="claimed",
                        claimed_by=self.worker_id,
                        lease_until=now + self.lease,
                        claims=JobRow.claims + 1,
                    )
                    .returning(JobRow.number)
                )
                if number is not None:
                    session.execute(
                        update(Job)
                        .where(Job.id == job_id, Job.status == "queued")
                        .values(status="running", started_at=utcnow())
                    )
                    return int(number)
                # Nothing claimed: another worker may hold the last rows' locks for an instant.
                left = session.scalar(
                    select(func.count()).where(JobRow.job_id == job_id, self._claimable(time.time()))
                )
            if not left:
                return None
            time.sleep(0.05)
        return None

    def record(self, job_id: str, row: BatchRow) -> bool:
        """Store a finished row if this worker still holds its claim (False: cancelled or lost)."""
        with self.session() as session, session.begin():
            changed = _count(
                session.execute(
                    update(JobRow)
                    .where(
                        JobRow.job_id == job_id,
                        JobRow.number == row.row,
                        JobRow.status == "claimed",
                        JobRow.claimed_by == self.worker_id,
                    )
                    .values(
                        status=row.status,
                        result=row.model_dump_json(),
                        claimed_by=None,
                        lease_until=None,
                        finished_at=utcnow(),
                    )
                )
            )
        if not changed:
            logger.info("job %s row %d: result dropped (job cancelled or claim lost)", job_id, row.row)
            return False
        self.finish_if_complete(job_id)
        return True

    def finished(self, job_id: str) -> dict[int, BatchRow]:
        with self.session() as session:
            found = session.execute(
                select(JobRow.number, JobRow.result).where(
                    JobRow.job_id == job_id, JobRow.status.in_(FINISHED_ROW)
                )
            ).all()
        return {number: BatchRow.model_validate_json(text) for number, text in found if text}

    def heartbeat(self) -> int:
        """Renew the lease of every row this worker holds."""
        with self.session() as session, session.begin():
            return _count(
                session.execute(
                    update(JobRow)
                    .where(JobRow.status == "claimed", JobRow.claimed_by == self.worker_id)
                    .values(lease_until=time.time() + self.lease)
                )
            )

    def release_mine(self) -> int:
        """Give back this worker's claims (a clean shutdown): another worker drafts them."""
        return self._release([self.worker_id])

    def release_dead(self) -> int:
        """Give back the claims of workers on this host whose process is gone."""
        host = socket.gethostname()
        with self.session() as session:
            holders = session.scalars(
                select(JobRow.claimed_by).where(JobRow.status == "claimed").distinct()
            ).all()
        dead = [holder for holder in holders if holder and _dead_here(holder, host, self.worker_id)]
        released = self._release(dead) if dead else 0
        if released:
            logger.warning("released %d rows claimed by stopped workers", released)
        return released

    def _release(self, holders: list[str]) -> int:
        with self.session() as session, session.begin():
            return _count(
                session.execute(
                    update(JobRow)
                    .where(JobRow.status == "claimed", JobRow.claimed_by.in_(holders))
                    .values(status="pending", claimed_by=None, lease_until=None)
                )
            )

    def journal(self, job_id: str) -> JobJournal:
        return JobJournal(self, job_id)


def _count(result: Any) -> int:
    """Rows an UPDATE changed."""
    return int(getattr(result, "rowcount", 0) or 0)


def _dead_here(holder: str, host: str, me: str) -> bool:
    parts = holder.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != host or holder == me:
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    if pid == os.getpid():
        return True  # an earlier process of this host that had our pid (a restarted container)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class JobJournal:
    """The batch Journal of one job: rows are claimed one at a time, results go to the database."""

    def __init__(self, store: JobStore, job_id: str) -> None:
        self.store = store
        self.job_id = job_id

    def finished(self) -> dict[int, BatchRow]:
        return self.store.finished(self.job_id)

    def claim(self) -> int | None:
        return self.store.claim(self.job_id)

    def record(self, row: BatchRow) -> None:
        self.store.record(self.job_id, row)
