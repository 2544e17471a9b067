"""The one batch runner: checked rows in, one output row per input row into a Journal.

Rows with an input problem become error rows; the rest are drafted through one Drafter,
on one thread or several, rows of the same situation one after another (the model server
reuses the prompt it has read). Each finished row goes to the journal at once, under a
lock, and `progress(done, total, row)` is called after it. After a ConfigError or
ModelError, or five backend failures in a row, the remaining rows are not drafted but
recorded as errors ("not drafted: ..."), so a resumed run can finish them. `stop` (an Event)
ends the run after the rows being drafted; Ctrl-C ends it at once, dropping rows still in
flight.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from ..errors import BackendError, ConfigError, DrafterError, InputError, ModelError
from ..models import BatchRow, Draft, DraftRequest
from .journal import ClaimingJournal, Journal
from .rows import InputRow, validation_message

logger = logging.getLogger(__name__)

MAX_CONCURRENCY = 32
BREAKER_FAILURES = 5  # backend failures in a row before the remaining rows are skipped

Progress = Callable[[int, int, BatchRow], object]


class SupportsDraft(Protocol):
    def draft(self, request: DraftRequest) -> Draft: ...


@dataclass(frozen=True)
class BatchSummary:
    """How a run went; `exit_code` is what `drafter batch` exits with."""

    ok: int
    failed: int
    total: int
    seconds_per_draft: float  # mean over the rows drafted in this run
    output: Path | None = None
    resumed: int = 0  # ok rows kept from an earlier run
    seconds: float = 0.0  # wall-clock time of the whole run
    rows: tuple[BatchRow, ...] = ()  # every finished row, in input order
    stopped: bool = False  # `stop` was set before every row was finished

    @property
    def exit_code(self) -> int:
        return 0 if self.failed == 0 else 1


def order_rows(drafter: object, rows: Sequence[InputRow]) -> list[InputRow]:
    """Rows in drafting order: those of one situation (shared guidance) next to each other."""
    situation = getattr(drafter, "situation_key", None)
    if not callable(situation):
        return list(rows)
    return sorted(rows, key=lambda item: situation(item.request) if item.request is not None else ())


def run_batch(
    drafter: SupportsDraft,
    rows: list[InputRow],
    journal: Journal,
    *,
    concurrency: int = 1,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> BatchSummary:
    """Draft every row not yet in the journal; see the module docstring for the guarantees."""
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InputError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}, not {concurrency}.")
    started = time.perf_counter()
    run = _Run(drafter, rows, journal, progress, stop or threading.Event())
    workers = concurrency if run.claiming else max(1, min(concurrency, len(run.queue)))
    if workers == 1:
        run.work()
    else:
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="batch")
        futures = [pool.submit(run.work) for _ in range(workers)]
        try:
            for future in as_completed(futures):
                future.result()
        except BaseException:
            run.halt()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
    return run.summary(time.perf_counter() - started)


class _Run:
    def __init__(
        self,
        drafter: SupportsDraft,
        rows: list[InputRow],
        journal: Journal,
        progress: Progress | None,
        stop: threading.Event,
    ) -> None:
        self.drafter = drafter
        self.rows = rows
        self.by_number = {item.number: item for item in rows}
        self.journal = journal
        self.progress = progress
        self.stop = stop
        self.claiming = isinstance(journal, ClaimingJournal)
        self.lock = threading.Lock()
        self.halted = False
        self.breaker = _Breaker()
        self.backend, self.model = _describe(drafter)
        self.kept = {n: row for n, row in journal.finished().items() if n in self.by_number}
        self.done = len(self.kept)
        self.drafted_seconds: list[float] = []
        todo = [item for item in rows if item.number not in self.kept]
        self.queue: deque[InputRow] = deque()
        if not self.claiming:
            for item in todo:
                if item.request is None:
                    logger.info("row %d: not drafted (input problem)", item.number)
                    self.finish(item.error_row(), None)
            self.queue.extend(order_rows(drafter, [item for item in todo if item.request is not None]))

    def next_item(self) -> InputRow | None:
        if self.stop.is_set() or self.halted:
            return None
        if not self.claiming:
            with self.lock:
                return self.queue.popleft() if self.queue else None
        while True:
            number = self.journal.claim()  # type: ignore[attr-defined]
            if number is None:
                return None
            item = self.by_number.get(number)
            if item is not None:
                return item
            logger.warning("claimed row %d is not in this batch's rows", number)

    def work(self) -> None:
        while (item := self.next_item()) is not None:
            if item.request is None:
                self.finish(item.error_row(), None)
                continue
            if self.breaker.reason:
                self.finish(item.error_row(f"not drafted: {self.breaker.reason}"), None)
                continue
            row, exc = _draft_one(self.drafter, item, self.backend, self.model)
            self.finish(row, exc, drafted=True)

    def finish(self, row: BatchRow, exc: BaseException | None, *, drafted: bool = False) -> None:
        with self.lock:
            if self.halted:
                return  # the run was interrupted: this row is drafted again on resume
            if drafted:
                self.breaker.record(exc)
            self.journal.record(row)
            self.done += 1
            if drafted and row.status == "ok":
                self.drafted_seconds.append(row.seconds)
            if self.progress is not None:
                self.progress(self.done, len(self.rows), row)

    def halt(self) -> None:
        with self.lock:
            self.halted = True
            self.breaker.reason = self.breaker.reason or "the batch was stopped"

    def summary(self, seconds: float) -> BatchSummary:
        finished = self.journal.finished()
        final = tuple(finished[item.number] for item in self.rows if item.number in finished)
        ok = sum(1 for row in final if row.status == "ok")
        mean = sum(self.drafted_seconds) / len(self.drafted_seconds) if self.drafted_seconds else 0.0
        summary = BatchSummary(
            ok=ok,
            failed=len(final) - ok,
            total=len(self.rows),
            seconds_per_draft=round(mean, 2),
            resumed=len(self.kept),
            seconds=round(seconds, 2),
            rows=final,
            stopped=len(final) < len(self.rows),
        )
        logger.info(
            "batch done: %d ok, %d failed of %d (%d kept), %.1f s per draft",
            summary.ok,
            summary.failed,
            summary.total,
            summary.resumed,
            summary.seconds_per_draft,
        )
        return summary


def _describe(drafter: object) -> tuple[str, str]:
    try:
        return str(getattr(drafter, "backend_name", "") or ""), str(getattr(drafter, "model_name", "") or "")
    except Exception:  # a property that cannot answer yet: the draft will say what is wrong
        return "", ""


def draft_row(drafter: SupportsDraft, item: InputRow) -> BatchRow:
    """Draft one checked row into its output row (errors become an error row, never raise)."""
    if item.request is None:
        return item.error_row()
    backend, model = _describe(drafter)
    return _draft_one(drafter, item, backend, model)[0]


def _draft_one(
    drafter: SupportsDraft, item: InputRow, backend: str, model: str
) -> tuple[BatchRow, BaseException | None]:
    assert item.request is not None
    started = time.perf_counter()
    try:
        draft = drafter.draft(item.request)
        row = BatchRow.from_draft(item.number, item.request, draft)
    except DrafterError as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        seconds = time.perf_counter() - started
        logger.warning("row %d: %s after %.1f s", item.number, type(exc).__name__, seconds)
        return _failed(item, message, backend, model, started), exc
    except ValidationError as exc:
        logger.warning("row %d: invalid draft (%d errors)", item.number, exc.error_count())
        return _failed(item, validation_message(exc), backend, model, started), exc
    except Exception as exc:
        logger.error("row %d: internal error %s", item.number, type(exc).__name__)
        logger.debug("row %d traceback:\n%s", item.number, "".join(traceback.format_tb(exc.__traceback__)))
        return _failed(item, f"internal error: {type(exc).__name__}", backend, model, started), exc
    seconds = draft.seconds or (time.perf_counter() - started)
    logger.info("row %d: ok in %.1f s", item.number, seconds)
    return row.model_copy(
        update={"seconds": round(seconds, 2), "warnings": [*item.warnings, *row.warnings]}
    ), None


def _failed(item: InputRow, message: str, backend: str, model: str, started: float) -> BatchRow:
    seconds = round(time.perf_counter() - started, 2)
    return item.error_row(message).model_copy(update={"backend": backend, "model": model, "seconds": seconds})


class _Breaker:
    """Stops drafting when the backend is plainly down or misconfigured."""

    def __init__(self) -> None:
        self.reason = ""
        self._failures = 0

    def record(self, exc: BaseException | None) -> None:
        if isinstance(exc, ConfigError | ModelError):
            self.reason = " ".join(str(exc).split())
        elif isinstance(exc, BackendError):
            self._failures += 1
            if self._failures >= BREAKER_FAILURES and not self.reason:
                self.reason = f"{BREAKER_FAILURES} rows in a row failed: {' '.join(str(exc).split())}"
        else:
            self._failures = 0
