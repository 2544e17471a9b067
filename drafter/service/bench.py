"""The service's figures for `drafter bench`: drafts through the API against the library
directly (the HTTP overhead as a ratio), and a batch job's time per row.

The service runs as its own process (`python -m drafter.service`) on a free loopback port, with
the same settings (from the environment) and a temporary job database; it is stopped after.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from ..config import Settings
from ..models import DraftRequest

logger = logging.getLogger(__name__)

READY_TIMEOUT = 600.0  # the embedded model may take a while to start


def row_of(request: DraftRequest) -> dict[str, str]:
    """A request as `drafter batch` row fields (the API's body)."""
    return {
        "name": request.contact.name,
        "notes": request.notes,
        "email": request.contact.email,
        "company": request.contact.company,
        "where_met": request.contact.where_met,
        "channel": request.channel,
        "next_step_hint": request.next_step_hint or "",
        "sender_name": request.sender,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _timed(draft: Callable[[DraftRequest], object], requests: list[DraftRequest]) -> list[float]:
    seconds = []
    for request in requests:
        started = time.perf_counter()
        draft(request)
        seconds.append(time.perf_counter() - started)
    return seconds


def bench_service(
    settings: Settings,
    requests: list[DraftRequest],
    *,
    drafts: int = 6,
    batch_rows: int = 36,
    stop_models: Callable[[], object] | None = None,
) -> dict[str, Any]:
    """API vs library seconds per draft (after one warm-up draft each), and a batch job's pace.

    `stop_models` stops model servers this process started, so that the service and the
    library never share the CPU (the bench's own `stop_servers`).
    """
    if not requests:
        raise ValueError("bench_service needs at least one request")
    picked = [requests[i % len(requests)] for i in range(drafts + 1)]
    batch = [requests[i % len(requests)] for i in range(batch_rows)]
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="drafter-bench-service-") as tmp:
        port = _free_port()
        env = {**os.environ, "DRAFTER_DATABASE_URL": f"sqlite:///{Path(tmp) / 'jobs.db'}"}
        log = (Path(tmp) / "service.log").open("wb")
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "drafter.service", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=settings.timeout * 4) as client:
                _wait_ready(client, proc)
                results["service_start_to_ready_s"] = round(time.perf_counter() - started, 1)
                api = _timed(lambda r: _post_draft(client, r), picked)[1:]
                results.update(_job_pace(client, batch))
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
    if stop_models is not None:
        stop_models()
    from .. import Drafter

    make: Any = Drafter
    drafter = make(settings)
    library = _timed(drafter.draft, picked)[1:]
    api_mean, library_mean = statistics.mean(api), statistics.mean(library)
    results.update(
        {
            "api_draft_mean_s": round(api_mean, 2),
            "library_draft_mean_s": round(library_mean, 2),
            "api_over_library": round(api_mean / library_mean, 3) if library_mean else None,
            "drafts_compared": len(api),
        }
    )
    return results


def _wait_ready(client: httpx.Client, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the service exited with code {proc.returncode} before it was ready")
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the service was not ready in time")


def _post_draft(client: httpx.Client, request: DraftRequest) -> None:
    reply = client.post("/v1/drafts", json=row_of(request))
    if reply.status_code != 200:
        raise RuntimeError(f"POST /v1/drafts answered {reply.status_code}: {reply.json().get('message')}")


def _job_pace(client: httpx.Client, batch: list[DraftRequest]) -> dict[str, Any]:
    started = time.perf_counter()
    reply = client.post("/v1/batches", json={"rows": [row_of(r) for r in batch], "name": "bench"})
    if reply.status_code != 202:
        raise RuntimeError(f"POST /v1/batches answered {reply.status_code}: {reply.json().get('message')}")
    job_id = reply.json()["id"]
    while True:
        status = client.get(f"/v1/batches/{job_id}").json()
        if status["status"] not in ("queued", "running"):
            break
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    client.delete(f"/v1/batches/{job_id}")
    return {
        "job_rows": status["total"],
        "job_ok": status["ok"],
        "job_seconds": round(elapsed, 1),
        "job_seconds_per_row": round(elapsed / max(status["total"], 1), 2),
    }


def format_rows(figures: dict[str, Any]) -> list[tuple[str, str]]:
    """The service's lines for the bench table."""
    if not figures:
        return []
    if "error" in figures:
        return [("service", f"not measured: {figures['error']}")]
    return [
        (
            "service: draft through the API / library directly",
            f"{figures['api_draft_mean_s']} s / {figures['library_draft_mean_s']} s = "
            f"{figures['api_over_library']}x ({figures['drafts_compared']} drafts each)",
        ),
        (
            f"service: batch job of {figures['job_rows']} rows",
            f"{figures['job_seconds_per_row']} s per row "
            f"({figures['job_ok']} ok, {figures['job_seconds']} s)",
        ),
        ("service: process start to ready", f"{figures['service_start_to_ready_s']} s"),
    ]
