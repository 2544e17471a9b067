"""The job worker of one service process: drafts rows of unfinished jobs with the batch runner.

A dispatcher thread takes the oldest job with a row to claim and runs `run_batch` on it with
the job's database journal (rows are claimed one at a time, so any number of processes on one
PostgreSQL database share a job). A heartbeat thread renews this process's claims and gives
back the claims of processes on this host that have died, so a restarted service resumes at
once. On a clean stop the claims still held are given back.
"""

from __future__ import annotations

import logging
import threading

from ..batch import InputRow, SupportsDraft, build_row, run_batch
from ..store.jobs import JobStore

logger = logging.getLogger(__name__)

IDLE_POLL = 1.0  # seconds between looks for work when idle (a new job wakes the worker at once)


def rows_of(store: JobStore, job_id: str) -> list[InputRow]:
    """A stored job's rows, checked again exactly as they were on arrival."""
    rows = []
    for stored in store.rows(job_id):
        row = build_row(stored.number, stored.cells)
        row.warnings = list(stored.warnings)
        rows.append(row)
    return rows


class JobWorker:
    def __init__(self, store: JobStore, drafter: SupportsDraft, *, concurrency: int = 1) -> None:
        self.store = store
        self.drafter = drafter
        self.concurrency = concurrency
        self.stopping = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        if self._threads:
            return
        try:
            self.store.release_dead()
        except Exception as exc:  # the database may be briefly away: the heartbeat retries
            logger.warning("could not release stale claims: %s", type(exc).__name__)
        for target, name in ((self._dispatch, "jobs"), (self._heartbeat, "jobs-heartbeat")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        logger.info("job worker %s started (concurrency %d)", self.store.worker_id, self.concurrency)

    def wake(self) -> None:
        """A job arrived: look for work now."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        try:
            released = self.store.release_mine()
        except Exception as exc:
            logger.warning("could not give back claims on stop: %s", type(exc).__name__)
            released = 0
        logger.info("job worker stopped; %d claimed rows given back", released)

    def _dispatch(self) -> None:
        while not self.stopping.is_set():
            try:
                job_id = self.store.next_job()
                if job_id is None:
                    self._wake.wait(IDLE_POLL)
                    self._wake.clear()
                    continue
                logger.info("job %s: drafting", job_id)
                summary = run_batch(
                    self.drafter,
                    rows_of(self.store, job_id),
                    self.store.journal(job_id),
                    concurrency=self.concurrency,
                    stop=self.stopping,
                )
                logger.info(
                    "job %s: this worker finished its part (%d of %d rows done)",
                    job_id,
                    len(summary.rows),
                    summary.total,
                )
            except Exception as exc:
                logger.error("job worker: %s; retrying shortly", type(exc).__name__)
                self.stopping.wait(IDLE_POLL * 3)

    def _heartbeat(self) -> None:
        interval = max(0.2, self.store.lease / 3)
        while not self.stopping.wait(interval):
            try:
                self.store.heartbeat()
                self.store.release_dead()
            except Exception as exc:
                logger.warning("job heartbeat: %s", type(exc).__name__)
