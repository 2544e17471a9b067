"""Faults: a backend that misbehaves over HTTP, and batches killed part-way then resumed."""

from __future__ import annotations

import json
import logging
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from stub_server import (
    StubServer,
    by_content,
    hang_up,
    malformed,
    ok,
    rate_limited,
    refused_url,
    slow,
    status,
    truncated,
)
from test_batch import (
    FIXTURES,
    PARTS,
    FakeDrafter,
    NoGuidance,
    make_draft,
    people,
    read_csv,
    read_jsonl,
    write_csv,
)

from drafter import llm
from drafter.batch import batch_file, read_output, write_rows
from drafter.batch import output as batch_output
from drafter.config import Settings
from drafter.errors import BackendError
from drafter.models import BatchRow, DraftRequest

TIMEOUT = 2.0
RETRIES = 2
# Every attempt may take the whole timeout; the SDK's backoff between attempts adds < 2 s.
TIME_LIMIT = (RETRIES + 1) * TIMEOUT + 3
REPLY = {"a": 1}
SCHEMA = {
    "type": "object",
    "properties": {"a": {"type": "integer"}},
    "required": ["a"],
    "additionalProperties": False,
}


@pytest.fixture
def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    # The target is our own stub on 127.0.0.1, not a real model.
    monkeypatch.setattr(llm, "ALLOW_MODEL_REQUESTS", True)


def call_stub(url: str) -> tuple[dict[str, Any] | Exception, float]:
    settings = Settings(
        backend="openai",
        base_url=url + "/v1",
        api_key="sk-test-planted",
        timeout=TIMEOUT,
        max_retries=RETRIES,
    )
    model = llm.build_chat_model(settings)
    started = time.perf_counter()
    try:
        reply = llm.complete_json(
            model, [HumanMessage("Reply in JSON.")], schema_name="reply", schema=SCHEMA, max_tokens=20
        )
        result: dict[str, Any] | Exception = reply.data
    except Exception as exc:  # noqa: BLE001 - the test inspects what came out
        result = exc
    return result, time.perf_counter() - started


# --- the stub server through the real chat model ----------------------------------------------


@pytest.mark.parametrize(
    ("script", "requests", "min_seconds"),
    [
        pytest.param([ok(REPLY)], 1, 0, id="plain"),
        pytest.param([rate_limited(1), ok(REPLY)], 2, 1.0, id="429-retry-after"),
        pytest.param([status(500), ok(REPLY)], 2, 0, id="500"),
        pytest.param([status(503), status(502), ok(REPLY)], 3, 0, id="503-502"),
        pytest.param([slow(TIMEOUT + 1), ok(REPLY)], 2, TIMEOUT, id="slow"),
        pytest.param([truncated(), ok(REPLY)], 2, 0, id="truncated-body"),
        pytest.param([hang_up(), ok(REPLY)], 2, 0, id="empty-reply"),
        pytest.param([status(400), ok(REPLY)], 2, 0, id="no-json-schema-support"),
    ],
)
def test_fault_then_success_after_retry(
    allow_loopback: None, script: list, requests: int, min_seconds: float
) -> None:
    with StubServer(script) as stub:
        result, seconds = call_stub(stub.url)
    assert result == REPLY
    assert len(stub.requests) == requests
    assert min_seconds <= seconds < TIME_LIMIT
    assert all(r["authorization"] == "Bearer sk-test-planted" for r in stub.requests)
    assert stub.requests[0]["path"] == "/v1/chat/completions"


@pytest.mark.parametrize(
    ("script", "requests", "message"),
    [
        pytest.param([rate_limited(1)] * 3, 3, "rate limiting requests: wait a minute", id="429"),
        pytest.param([status(500)] * 3, 3, r"failed \(HTTP 500\): try again later", id="500"),
        pytest.param([slow(TIMEOUT + 2)] * 3, 3, "did not answer in time: .*DRAFTER_TIMEOUT", id="slow"),
        pytest.param([truncated()] * 3, 3, "Could not reach the model server", id="truncated-body"),
        pytest.param([hang_up()] * 3, 3, "Could not reach the model server", id="empty-reply"),
        pytest.param([ok("Sure! Here is your follow-up.")], 1, "not the JSON that was asked for", id="prose"),
        pytest.param([ok('{"a": 1')], 1, "not the JSON that was asked for", id="truncated-json"),
        pytest.param([ok("")], 1, "not the JSON that was asked for", id="empty-content"),
        pytest.param([status(401)], 1, "refused the API key: check OPENAI_API_KEY", id="401"),
    ],
)
def test_fault_ends_in_a_clear_backend_error_in_time(
    allow_loopback: None, caplog: pytest.LogCaptureFixture, script: list, requests: int, message: str
) -> None:
    caplog.set_level(logging.DEBUG)
    with StubServer(script) as stub:
        result, seconds = call_stub(stub.url)
    assert isinstance(result, BackendError), repr(result)
    assert re.search(message, str(result))
    assert len(stub.requests) == requests
    assert seconds < TIME_LIMIT
    assert "sk-test-planted" not in str(result) and "sk-test-planted" not in caplog.text


def test_malformed_http_body_is_a_backend_error(allow_loopback: None) -> None:
    with StubServer([malformed()] * 3) as stub:
        result, seconds = call_stub(stub.url)
    assert isinstance(result, BackendError), repr(result)
    assert seconds < TIME_LIMIT


def test_connection_refused(allow_loopback: None) -> None:
    result, seconds = call_stub(refused_url())
    assert isinstance(result, BackendError)
    assert str(result).startswith("Could not reach the model server: check OPENAI_BASE_URL")
    assert seconds < TIME_LIMIT


def test_a_batch_with_a_malformed_body_still_finishes(tmp_path: Path, allow_loopback: None) -> None:
    """Whatever escapes the model seam, the row fails on its own and the rest are written."""

    class StubDrafter(FakeDrafter):
        def __init__(self, url: str) -> None:
            super().__init__()
            self.model = llm.build_chat_model(
                Settings(backend="openai", base_url=url + "/v1", api_key="sk-test-planted", timeout=TIMEOUT)
            )

        def draft(self, request: DraftRequest) -> Any:
            llm.complete_json(self.model, [HumanMessage("x")], schema_name="r", schema=SCHEMA, max_tokens=9)
            return make_draft(request)

    with StubServer([ok(REPLY), malformed(), status(500), status(500), status(500)], ok(REPLY)) as stub:
        summary = batch_file(write_csv(tmp_path / "in.csv", people(4)), drafter=StubDrafter(stub.url))
    out = read_jsonl(tmp_path / "in-drafts.jsonl")
    assert [r["status"] for r in out] == ["ok", "error", "error", "ok"]
    # A body that is not JSON fails that row alone, with a message that says what happened.
    assert out[1]["error"] == (
        "The model server sent a reply that is not valid JSON: try again, or check the server."
    )
    assert out[2]["error"] == "The model server failed (HTTP 500): try again later."
    assert summary.exit_code == 1


def test_pipeline_batch_over_http(tmp_path: Path, allow_loopback: None) -> None:
    """The real Drafter, concurrently, against the stub: one row's server errors stay that row's."""
    from drafter import Drafter

    rules = [("Contact: Ben", status(500)), ("sourdough", slow(0.3, ok(PARTS)))]
    with StubServer(default=by_content(rules, ok(PARTS))) as stub:
        settings = Settings(
            backend="openai",
            base_url=stub.url + "/v1",
            api_key="sk-test-planted",
            model="stub-model",
            timeout=TIMEOUT,
            max_retries=1,
            sender_name="Sam",
        )
        drafter = Drafter(settings, index=NoGuidance())
        summary = batch_file(FIXTURES / "events.csv", tmp_path / "out.jsonl", drafter=drafter, concurrency=3)
    rows = read_jsonl(tmp_path / "out.jsonl")
    assert [r["status"] for r in rows] == ["ok", "error", "ok"]
    assert rows[1]["error"] == "The model server failed (HTTP 500): try again later."
    assert (rows[0]["backend"], rows[0]["model"]) == ("openai", "stub-model")
    assert "tree-sitter" in rows[0]["body"]
    assert summary.exit_code == 1
    assert {r["body"]["model"] for r in stub.requests} == {"stub-model"}


# --- killed runs and --resume -----------------------------------------------------------------


def stop_at(name: str, exc: BaseException) -> FakeDrafter:
    return FakeDrafter({name: exc})


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
@pytest.mark.parametrize("interrupt", [KeyboardInterrupt(), SystemExit(3)], ids=["ctrl-c", "exit"])
def test_interrupted_run_resumes_without_redoing_rows(
    tmp_path: Path, suffix: str, interrupt: BaseException
) -> None:
    path = write_csv(tmp_path / "in.csv", people(10))
    output = tmp_path / f"out{suffix}"
    journal = tmp_path / f"out{suffix}.partial.jsonl"
    with pytest.raises(type(interrupt)):
        batch_file(path, output, drafter=stop_at("Person 6", interrupt))
    # What a killed run leaves: a journal of whole lines, and for JSONL the rows so far.
    assert [json.loads(line)["row"] for line in journal.read_text().splitlines()] == [1, 2, 3, 4, 5]
    if suffix == ".jsonl":
        assert [r["row"] for r in read_jsonl(output)] == [1, 2, 3, 4, 5]
    else:
        assert not output.exists()

    drafter = FakeDrafter()
    calls: list[int] = []
    summary = batch_file(path, output, drafter=drafter, resume=True, progress=lambda d, t, r: calls.append(d))
    assert drafter.names == [f"Person {i}" for i in range(6, 11)]
    assert calls == [6, 7, 8, 9, 10]
    rows = read_jsonl(output) if suffix == ".jsonl" else read_csv(output)
    assert [int(r["row"]) for r in rows] == list(range(1, 11))
    assert (summary.ok, summary.resumed, summary.total) == (10, 5, 10)
    assert not journal.exists()


def test_interrupt_with_concurrency_then_resume(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", people(30))
    output = tmp_path / "out.jsonl"
    first = FakeDrafter({"Person 12": KeyboardInterrupt()}, delay=lambda: 0.01)
    with pytest.raises(KeyboardInterrupt):
        batch_file(path, output, drafter=first, concurrency=4)
    done_before = {r["row"] for r in read_jsonl(output)}
    assert done_before and 12 not in done_before and len(done_before) < 30
    second = FakeDrafter()
    batch_file(path, output, drafter=second, concurrency=4, resume=True)
    redone = {int(name.split()[1]) for name in second.names}
    assert redone == set(range(1, 31)) - done_before
    assert [r["row"] for r in read_jsonl(output)] == list(range(1, 31))


def test_resume_redoes_failed_and_edited_rows_only(tmp_path: Path) -> None:
    rows = people(5)
    path = write_csv(tmp_path / "in.csv", rows)
    output = tmp_path / "in-drafts.csv"
    batch_file(path, output, drafter=FakeDrafter({"Person 2": BackendError("down")}))
    rows[3]["notes"] = "Edited: we talked about kites."
    rows.append({"name": "Person 6", "notes": "New row."})
    write_csv(path, rows)
    drafter = FakeDrafter()
    summary = batch_file(path, output, drafter=drafter, resume=True)
    assert drafter.names == ["Person 2", "Person 4", "Person 6"]
    assert [r["status"] for r in read_csv(output)] == ["ok"] * 6
    assert (summary.resumed, summary.exit_code) == (3, 0)
    # A third resume has nothing left to do.
    again = FakeDrafter()
    batch_file(path, output, drafter=again, resume=True)
    assert again.names == []


def test_resume_with_another_sender_redoes_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", people(2))
    batch_file(path, drafter=FakeDrafter(), sender="Sam")
    drafter = FakeDrafter()
    batch_file(path, drafter=drafter, sender="Alex", resume=True)
    assert len(drafter.names) == 2


def test_resume_without_the_hash_file_redoes_everything(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", people(3))
    batch_file(path, drafter=FakeDrafter())
    (tmp_path / "in-drafts.jsonl.resume.json").unlink()
    drafter = FakeDrafter()
    batch_file(path, drafter=drafter, resume=True)
    assert len(drafter.names) == 3


def test_resume_tolerates_a_torn_last_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", people(4))
    output = tmp_path / "out.jsonl"
    with pytest.raises(KeyboardInterrupt):
        batch_file(path, output, drafter=stop_at("Person 4", KeyboardInterrupt()))
    journal = tmp_path / "out.jsonl.partial.jsonl"
    lines = journal.read_text().splitlines(keepends=True)
    journal.write_text("".join(lines[:2]) + lines[2][:40])  # row 3 torn mid-write
    drafter = FakeDrafter()
    batch_file(path, output, drafter=drafter, resume=True)
    assert drafter.names == ["Person 3", "Person 4"]
    assert [r["row"] for r in read_jsonl(output)] == [1, 2, 3, 4]


def test_a_failed_final_write_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "in.csv", people(3))
    output = tmp_path / "out.csv"
    batch_file(path, output, drafter=FakeDrafter())
    before = output.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(batch_output.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        batch_file(path, output, drafter=FakeDrafter())
    assert output.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


KILLED_RUN = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, sys.argv[3])
    from drafter.batch import batch_file
    from test_batch import FakeDrafter
    batch_file(sys.argv[1], sys.argv[2], drafter=FakeDrafter(delay=lambda: 0.15), concurrency=2)
    """
)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_kill_9_mid_run_then_resume(tmp_path: Path, suffix: str) -> None:
    path = write_csv(tmp_path / "in.csv", people(40))
    output = tmp_path / f"out{suffix}"
    journal = tmp_path / f"out{suffix}.partial.jsonl"
    tests_dir = str(Path(__file__).resolve().parent)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN, str(path), str(output), tests_dir],
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if journal.exists() and len(journal.read_text().splitlines()) >= 6:
                break
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.02)
        else:
            pytest.fail("the batch never got going")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    (tmp_path / f".out{suffix}.abc123.tmp").write_text("half a file")  # as if killed mid-replace
    for file in [journal, output] if suffix == ".jsonl" else [journal]:
        lines = file.read_text().splitlines()
        whole = [line for line in lines if line.endswith("}")]
        assert all(json.loads(line) for line in whole)
        assert len(lines) - len(whole) <= 1  # at most the line being written when killed
    kept = {json.loads(line)["row"] for line in journal.read_text().splitlines() if line.endswith("}")}
    assert 6 <= len(kept) < 40

    drafter = FakeDrafter()
    summary = batch_file(path, output, drafter=drafter, resume=True)
    assert sorted(int(n.split()[1]) for n in drafter.names) == sorted(set(range(1, 41)) - kept)
    rows = read_jsonl(output) if suffix == ".jsonl" else read_csv(output)
    assert [int(r["row"]) for r in rows] == list(range(1, 41))
    assert summary.ok == 40 and not journal.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["in.csv", f"out{suffix}", f"out{suffix}.resume.json"]
    )


def test_batch_rows_round_trip_through_csv(tmp_path: Path) -> None:
    rows = [
        BatchRow(
            row=1, name="=Eve", status="ok", body="-dash\nline", warnings=["a", "b"], guidance_ids=["x"]
        ),
        BatchRow(row=2, name="'=Quoted", status="error", error="x, y", seconds=1.5),
    ]
    path = write_rows(rows, tmp_path / "rows.csv")
    assert list(read_output(path).values()) == rows


def test_a_fresh_run_over_a_cut_short_one_starts_over_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_csv(tmp_path / "in.csv", people(3))
    with pytest.raises(KeyboardInterrupt):
        batch_file(path, drafter=stop_at("Person 3", KeyboardInterrupt()))
    drafter = FakeDrafter({"Person 2": BackendError("down")}, delay=lambda: 0.05)
    batch_file(path, drafter=drafter)
    assert len(drafter.names) == 3
    assert "an earlier run into in-drafts.jsonl was cut short; starting over" in caplog.text
    failed = read_jsonl(tmp_path / "in-drafts.jsonl")[1]
    assert failed["status"] == "error" and failed["seconds"] >= 0.05
