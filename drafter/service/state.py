"""What one service process holds: settings, the Drafter, the job store and worker, readiness."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from ..config import Settings
from ..store.jobs import JobStore
from .worker import JobWorker

logger = logging.getLogger(__name__)

WARM_UP_RETRY = 30.0  # seconds between attempts to start a model or index that failed


@dataclass
class ServiceState:
    settings: Settings
    drafter: Any  # drafter.Drafter
    store: JobStore
    worker: JobWorker
    ready: threading.Event = field(default_factory=threading.Event)
    not_ready_reason: str = "warming up: loading the guidance index and the model"

    def warm_up(self) -> None:
        """Load the index and start the model, then start the job worker; retry on failure."""
        while not self.worker.stopping.is_set():
            try:
                self.drafter.warm_up()
            except Exception as exc:
                self.not_ready_reason = " ".join(str(exc).split()) or type(exc).__name__
                logger.error("warm-up failed (%s); retrying in %.0f s", type(exc).__name__, WARM_UP_RETRY)
                self.worker.stopping.wait(WARM_UP_RETRY)
                continue
            self.ready.set()
            self.not_ready_reason = ""
            self.worker.start()
            return


def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state
