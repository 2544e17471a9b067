"""Running the real service for tests: a uvicorn process on a free loopback port, talking to the
OpenAI-compatible stub (tests/stub_server.py) as its model, on SQLite or a real PostgreSQL.

Nothing is faked inside the service: it runs with DRAFTER_BACKEND=openai and OPENAI_BASE_URL
pointing at the stub, exactly as it would at vLLM or a llama.cpp server.
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pg_server import PostgresServer, available, free_port
from stub_server import StubServer, by_content, ok, status
from test_batch import PARTS

ROOT = Path(__file__).resolve().parent.parent
# `drafter serve` once the command package is in place; until then the same server module.
SERVE = (
    [sys.executable, "-m", "drafter", "serve"]
    if (ROOT / "drafter" / "cli" / "__init__.py").exists()
    else [sys.executable, "-m", "drafter.service"]
)
TOKEN_KEY = "sk-test-planted-model-key"
# Distinct first names: each stub request names exactly one row's contact.
NAMES = (
    "Abelina Bertrand Cosima Dariusz Evander Fenella Gideon Hortensia Ignatius Jolanda Kasimir "
    "Leocadia Mortimer Nerissa Octavian Perpetua Quintus Rosalind Sebastiano Thaddeus Ursula "
    "Valentin Wilhelmina Xaviera Yolanda Zebulon Anselm Bathsheba Cornelius Desdemona Ezekiel "
    "Florentina Gwendolyn Horatio Isadora Jericho Konstantin Lavinia Maximilian Nikolai"
).split()


class Pace:
    """How long the stub model takes per reply (changeable while it runs)."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds


def model_stub(pace: Pace) -> StubServer:
    """A stub model: a 500 for notes about 'Failwell', else a normal reply after `pace` seconds."""

    def paced(handler: Any) -> None:
        handler.stub.stopping.wait(pace.seconds)
        ok(PARTS)(handler)

    return StubServer(default=by_content([("Failwell", status(500))], paced))


def names_drafted(stub: StubServer) -> collections.Counter[str]:
    """How many drafts the model wrote for each contact: its requests for a whole message that
    name them (a one-sentence rewrite of a draft's step or recall is part of the same draft)."""
    counts: collections.Counter[str] = collections.Counter()
    for request in list(stub.requests):
        schema = (request["body"].get("response_format") or {}).get("json_schema") or {}
        if schema.get("name", "follow_up") != "follow_up":
            continue
        text = str(request["body"].get("messages", ""))
        for name in NAMES:
            if re.search(rf"\b{name}\b", text):
                counts[name] += 1
    return counts


def people_rows(count: int, extra: dict[str, str] | None = None) -> list[dict[str, str]]:
    return [
        {
            "name": f"{NAMES[i]} Example",
            "notes": f"Talked with {NAMES[i]} about tide pools and kayaks.",
            **(extra or {}),
        }
        for i in range(count)
    ]


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def clean_environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("DRAFTER_", "OPENAI_"))}


def build_template(folder: Path) -> Path:
    """A data directory with the guidance index built once (copied for each service)."""
    env = {
        **clean_environ(),
        "DRAFTER_DATA_DIR": str(folder),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    subprocess.run(
        [sys.executable, "-m", "drafter", "index"], env=env, check=True, capture_output=True, timeout=300
    )
    return folder


def service_env(template: Path, data_dir: Path, stub: StubServer, **variables: str) -> dict[str, str]:
    if not data_dir.exists():
        shutil.copytree(template, data_dir)
    return {
        **clean_environ(),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "DRAFTER_DATA_DIR": str(data_dir),
        "DRAFTER_BACKEND": "openai",
        "DRAFTER_MODEL": "stub-model",
        "OPENAI_BASE_URL": stub.url + "/v1",
        "OPENAI_API_KEY": TOKEN_KEY,
        "DRAFTER_ATTEMPTS": "1",
        "DRAFTER_MAX_RETRIES": "0",
        "DRAFTER_TIMEOUT": "10",
        "DRAFTER_JOB_LEASE": "3",
        **variables,
    }


class Service:
    """One `drafter serve` process."""

    def __init__(self, env: dict[str, str], log: Path, *, args: tuple[str, ...] = ()) -> None:
        self.env = env
        self.log = log
        self.port = free_port()
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def launch(self) -> Service:
        """Start the process without waiting for it."""
        handle = self.log.open("ab")
        self.proc = subprocess.Popen(
            [*SERVE, "--port", str(self.port), *self.args],
            env=self.env,
            stdout=handle,
            stderr=handle,
            stdin=subprocess.DEVNULL,
        )
        handle.close()
        return self

    def wait_ready(self, *, ready: bool = True, timeout: float = 120) -> Service:
        assert self.proc is not None
        path = "/readyz" if ready else "/healthz"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the service exited ({self.proc.returncode}):\n{self.log_text()}")
            try:
                if httpx.get(self.url + path, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the service was not {path[1:]} in {timeout} s:\n{self.log_text()}")

    def start(self, *, ready: bool = True, timeout: float = 120) -> Service:
        return self.launch().wait_ready(ready=ready, timeout=timeout)

    def client(self, token: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)


def wait_for(check: Callable[[], Any], timeout: float = 60, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {check}")


def wait_finished(client: httpx.Client, job_id: str, timeout: float = 90) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        data: dict[str, Any] = client.get(f"/v1/batches/{job_id}").json()
        return data if data["status"] not in ("queued", "running") else None

    return wait_for(finished, timeout, 0.2)  # type: ignore[no-any-return]


# --- fixtures -----------------------------------------------------------------------------------


_template: list[Path] = []


def shared_template(factory: pytest.TempPathFactory) -> Path:
    """The template data directory, built once per test session."""
    if not _template:
        _template.append(build_template(factory.mktemp("template-data")))
    return _template[0]


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Any:
    reason = available()
    if reason:
        pytest.skip(reason)
    server = PostgresServer().start()
    yield server
    server.stop()


def new_database(server: PostgresServer) -> str:
    """A fresh database on the test server; its URL."""
    from sqlalchemy import create_engine, text

    name = "t_" + uuid.uuid4().hex[:12]
    engine = create_engine(
        server.url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server.url.rsplit("/", 1)[0] + "/" + name
