"""The HTTP service end to end: a real uvicorn process on loopback, called with httpx, drafting
through the OpenAI-compatible stub model. Every endpoint and error code, auth, limits, CORS."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from service_harness import (
    SERVE,
    TOKEN_KEY,
    Pace,
    Service,
    csv_bytes,
    model_stub,
    names_drafted,
    people_rows,
    service_env,
    shared_template,
    wait_finished,
    wait_for,
)
from stub_server import StubServer

from drafter.models import OUTPUT_FIELDS

TOKENS = ("tok-alpha-5b1f", "tok-beta-77c2")


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_template(tmp_path_factory)


@pytest.fixture(scope="module")
def pace() -> Pace:
    return Pace(0.0)


@pytest.fixture(scope="module")
def stub(pace: Pace) -> Iterator[StubServer]:
    with model_stub(pace) as server:
        yield server


@pytest.fixture(scope="module")
def service(
    template_dir: Path, stub: StubServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("service")
    server = Service(service_env(template_dir, folder / "data", stub), folder / "server.log").start()
    yield server
    server.stop()


@pytest.fixture
def client(service: Service, pace: Pace) -> Iterator[httpx.Client]:
    pace.seconds = 0.0
    with service.client() as http:
        yield http


@pytest.fixture(scope="module")
def secured(
    template_dir: Path, stub: StubServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("secured")
    env = service_env(
        template_dir,
        folder / "data",
        stub,
        DRAFTER_API_TOKENS=",".join(TOKENS),
        DRAFTER_CORS_ORIGINS="https://crm.example",
        DRAFTER_MAX_JOBS_PER_TOKEN="1",
    )
    server = Service(env, folder / "server.log").start()
    yield server
    server.stop()


def error_of(response: httpx.Response, code: int, field: str | None = None) -> str:
    assert response.status_code == code, response.text
    body = response.json()
    assert set(body) == {"type", "message", "field"}
    assert body["field"] == field
    assert "Traceback" not in response.text
    return str(body["message"])


# --- health, docs ---------------------------------------------------------------------------------


def test_health_ready_and_openapi(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "backend": "", "model": "", "message": ""}
    ready = client.get("/readyz").json()
    assert (ready["status"], ready["backend"], ready["model"]) == ("ready", "openai", "stub-model")
    spec = client.get("/openapi.json").json()
    assert {
        "/v1/drafts",
        "/v1/batches",
        "/v1/batches/{job_id}",
        "/v1/batches/{job_id}/events",
        "/v1/batches/{job_id}/results",
        "/v1/guidance/search",
        "/healthz",
        "/readyz",
    } <= set(spec["paths"])
    assert set(spec["paths"]["/v1/batches/{job_id}"]) == {"get", "delete"}
    assert "multipart/form-data" in spec["paths"]["/v1/batches"]["post"]["requestBody"]["content"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


# --- one draft ------------------------------------------------------------------------------------


def test_one_draft(client: httpx.Client, stub: StubServer) -> None:
    before = len(stub.requests)
    reply = client.post(
        "/v1/drafts",
        json={
            "name": "Abelina Costa",
            "notes": "Talked with Abelina about tide pools and kayaks at the harbour fair.",
            "email": "abelina@example.org",
            "channel": "email",
            "next_step_hint": "ask",
            "sender_name": "Sam",
        },
    )
    assert reply.status_code == 200, reply.text
    row = reply.json()
    assert list(row)[: len(OUTPUT_FIELDS)] == list(OUTPUT_FIELDS) and "checks" in row
    assert (row["row"], row["status"], row["name"], row["email"]) == (
        1,
        "ok",
        "Abelina Costa",
        "abelina@example.org",
    )
    assert row["body"] and row["next_step_type"] == "ask" and row["follow_up_date"]
    assert (row["backend"], row["model"]) == ("openai", "stub-model")
    assert all({"name", "passed"} <= set(check) for check in row["checks"])
    sent = stub.requests[before:]
    assert sent and all(r["authorization"] == f"Bearer {TOKEN_KEY}" for r in sent)
    assert names_drafted(stub)["Abelina"] >= 1


@pytest.mark.parametrize(
    ("body", "field", "expected"),
    [
        ({"name": "Ana", "notes": ""}, "notes", "the notes are empty"),
        ({"name": "Ana", "notes": "x" * 6001}, "notes", "the notes are 6,001 characters"),
        ({"name": "", "notes": "kites"}, "name", "the name is empty"),
        ({"name": "Ana", "notes": "kites", "channel": "fax"}, "channel", "unknown channel 'fax'"),
        (
            {"name": "Ana", "notes": "kites", "next_step_hint": "marry"},
            "next_step_hint",
            "unknown next_step_hint",
        ),
        ({"notes": "kites"}, "name", "name: Field required"),
        ({"name": "Ana", "notes": ["a"]}, "notes", "notes: Input should be a valid string"),
        (
            {"name": "Ana", "notes": "kites", "colour": "red"},
            "colour",
            "colour: Extra inputs are not permitted",
        ),
    ],
)
def test_draft_validation_errors_name_the_field(
    client: httpx.Client, body: dict[str, Any], field: str, expected: str
) -> None:
    message = error_of(client.post("/v1/drafts", json=body), 422, field)
    assert expected in message
    assert "x" * 50 not in message  # values are never echoed


def test_draft_body_that_is_not_json(client: httpx.Client) -> None:
    reply = client.post("/v1/drafts", content=b"{name", headers={"content-type": "application/json"})
    assert "the body is not valid JSON" in error_of(reply, 422)


def test_unreachable_model_is_503_with_retry_after(client: httpx.Client) -> None:
    reply = client.post(
        "/v1/drafts", json={"name": "Bertrand Failwell", "notes": "Talked about Failwell kites."}
    )
    assert "The model server failed (HTTP 500)" in error_of(reply, 503)
    assert reply.json()["type"] == "backend_unavailable" and reply.headers["retry-after"] == "30"


def test_guidance_search(client: httpx.Client) -> None:
    passages = client.get("/v1/guidance/search", params={"q": "ask for something small", "k": 2}).json()
    assert len(passages) == 2 and all(p["id"] and p["text"] for p in passages)
    assert passages[0]["score"] >= passages[1]["score"]
    assert error_of(client.get("/v1/guidance/search", params={"q": "x", "k": 0}), 422, "k")
    assert error_of(client.get("/v1/guidance/search"), 422, "q")


def test_unknown_routes_and_methods(client: httpx.Client) -> None:
    assert "No such endpoint" in error_of(client.get("/v2/everything"), 404)
    assert error_of(client.put("/v1/drafts", json={}), 405)
    job = "0" * 32
    for method, path in [
        ("GET", f"/v1/batches/{job}"),
        ("GET", f"/v1/batches/{job}/results"),
        ("GET", f"/v1/batches/{job}/events"),
        ("DELETE", f"/v1/batches/{job}"),
    ]:
        assert f"No batch {job}" in error_of(client.request(method, path), 404, "id")


# --- batches: submission forms, results, events -------------------------------------------------


def test_batch_as_json_csv_upload_and_raw_jsonl(client: httpx.Client) -> None:
    rows = people_rows(3)
    rows[1]["name"] = '=HYPERLINK("x") Cosima'
    submitted = [
        client.post("/v1/batches", json={"rows": rows, "name": "harbour fair"}),
        client.post("/v1/batches", files={"file": ("fair.csv", csv_bytes(rows), "text/csv")}),
        client.post(
            "/v1/batches",
            content="".join(json.dumps(r) + "\n" for r in rows).encode(),
            headers={"content-type": "application/x-ndjson"},
        ),
    ]
    for reply in submitted:
        assert reply.status_code == 202, reply.text
        job = reply.json()
        assert job["status"] in ("queued", "running") and job["total"] == 3
        assert reply.headers["location"] == f"/v1/batches/{job['id']}"
    names = [client.get(f"/v1/batches/{r.json()['id']}").json()["name"] for r in submitted]
    assert names == ["harbour fair", "fair.csv", ""]
    for reply in submitted:
        job_id = reply.json()["id"]
        final = wait_finished(client, job_id)
        assert (final["status"], final["done"], final["ok"], final["failed"]) == ("done", 3, 3, 0)
        assert final["seconds_left"] == 0.0 and final["finished_at"]
        lines = client.get(f"/v1/batches/{job_id}/results").text.splitlines()
        out = [json.loads(line) for line in lines]
        assert [tuple(r) for r in out] == [OUTPUT_FIELDS] * 3
        assert [r["row"] for r in out] == [1, 2, 3] and out[1]["name"] == rows[1]["name"]
        csv_reply = client.get(f"/v1/batches/{job_id}/results", headers={"accept": "text/csv"})
        assert csv_reply.headers["content-type"].startswith("text/csv")
        assert csv_reply.text.splitlines()[0] == ",".join(OUTPUT_FIELDS)
        assert "'=HYPERLINK" in csv_reply.text  # formula-safe, as the CLI writes it
        assert client.get(f"/v1/batches/{job_id}/results?format=csv").text == csv_reply.text
        assert "attachment" in csv_reply.headers["content-disposition"]
    assert error_of(client.get(f"/v1/batches/{submitted[0].json()['id']}/results?format=xml"), 422, "format")


def test_rows_with_problems_are_error_rows_and_the_rest_draft(client: httpx.Client) -> None:
    rows = [
        *people_rows(2),
        {"name": "Dariusz", "notes": ""},
        {"name": "Evander", "notes": "kites", "channel": "fax"},
    ]
    job = client.post("/v1/batches", json={"rows": [*rows, ["not", "an", "object"]]}).json()
    final = wait_finished(client, job["id"])
    assert (final["status"], final["ok"], final["failed"]) == ("done", 2, 3)
    out = [json.loads(line) for line in client.get(f"/v1/batches/{job['id']}/results").text.splitlines()]
    assert [r["status"] for r in out] == ["ok", "ok", "error", "error", "error"]
    assert "the notes are empty" in out[2]["error"] and "unknown channel 'fax'" in out[3]["error"]
    assert "item 5 is a list, not an object" in out[4]["error"]


@pytest.mark.parametrize(
    ("kwargs", "code", "field", "expected"),
    [
        ({"json": {"rows": []}}, 422, "rows", "rows is empty"),
        ({"json": {"rows": "Ana"}}, 422, "rows", "rows: Input should be a valid array"),
        ({"json": {"people": []}}, 422, "rows", "rows: Field required"),
        ({"json": {"rows": [{"name": "A", "email": "a@b.c"}]}}, 422, "rows", "no 'notes' column"),
        ({"files": {"file": ("e.csv", b"", "text/csv")}}, 422, "file", "e.csv is empty"),
        (
            {"files": {"file": ("e.csv", b"name,email\nAna,a@b.c\n", "text/csv")}},
            422,
            "file",
            "no 'notes' column",
        ),
        (
            {"files": {"file": ("e.xlsx", b"PK\x03\x04", "application/zip")}},
            422,
            "file",
            "use a file ending in .csv",
        ),
        (
            {"files": {"other": ("e.csv", b"name,notes\nA,B\n", "text/csv")}},
            422,
            "file",
            "form field named 'file'",
        ),
        (
            {"content": b"name,notes\n", "headers": {"content-type": "application/xml"}},
            415,
            "Content-Type",
            "Cannot read a body of type 'application/xml'",
        ),
    ],
)
def test_batch_input_problems(
    client: httpx.Client, kwargs: dict[str, Any], code: int, field: str, expected: str
) -> None:
    assert expected in error_of(client.post("/v1/batches", **kwargs), code, field)


def test_progress_as_server_sent_events(client: httpx.Client, pace: Pace) -> None:
    pace.seconds = 0.15
    job = client.post("/v1/batches", json={"rows": people_rows(6)}).json()
    events: list[tuple[str, dict[str, Any]]] = []
    with client.stream("GET", f"/v1/batches/{job['id']}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        kind = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                events.append((kind, json.loads(line[6:])))
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "end" and set(kinds[:-1]) == {"status"}
    done = [data["done"] for kind, data in events if kind == "status"]
    assert done == sorted(done) and len(set(done)) >= 3 and done[-1] == 6
    assert events[-1][1]["status"] == "done"


# --- limits ----------------------------------------------------------------------------------------


def test_size_limits(client: httpx.Client) -> None:
    big = b"name,notes\n" + b"Ana,kites\n" * 600_000  # about 6 MB
    assert "over" in error_of(client.post("/v1/batches", files={"file": ("big.csv", big, "text/csv")}), 413)

    # A body sent in chunks, without a length: cut off as it streams past the limit.
    def chunks() -> Iterator[bytes]:
        yield b"name,notes\n"
        for _ in range(700):
            yield b"Ana,kites\n" * 1000

    reply = client.post("/v1/batches", content=chunks(), headers={"content-type": "text/csv"})
    assert reply.status_code == 413 and reply.json()["type"] == "too_large"
    assert error_of(client.post("/v1/drafts", json={"name": "Ana", "notes": "x" * 70_000}), 413)
    many = {"rows": [{"name": f"P{i}", "notes": "kites"} for i in range(1001)]}
    assert "1,001 rows; the limit is 1,000" in error_of(client.post("/v1/batches", json=many), 413, "rows")


# --- auth, CORS, the per-token job limit -------------------------------------------------------------


def test_tokens(secured: Service) -> None:
    with secured.client() as anonymous:
        assert anonymous.get("/healthz").status_code == 200
        reply = anonymous.post("/v1/drafts", json={"name": "Ana", "notes": "kites"})
        assert "Authorization: Bearer TOKEN" in error_of(reply, 401, "Authorization")
        assert reply.headers["www-authenticate"] == "Bearer"
        assert error_of(anonymous.get("/v1/guidance/search?q=x"), 401, "Authorization")
    with secured.client("tok-wrong-9d3e") as wrong:
        reply = wrong.get("/v1/guidance/search", params={"q": "coffee"})
        error_of(reply, 403, "Authorization")
        assert "tok-wrong-9d3e" not in reply.text and TOKENS[0] not in reply.text
    with secured.client(TOKENS[0]) as alpha, secured.client(TOKENS[1]) as beta:
        assert alpha.get("/v1/guidance/search", params={"q": "coffee", "k": 1}).status_code == 200
        job = alpha.post("/v1/batches", json={"rows": people_rows(1)}).json()
        assert alpha.get(f"/v1/batches/{job['id']}").status_code == 200
        # Another token's job is as unknown as a missing one, and cannot be cancelled.
        error_of(beta.get(f"/v1/batches/{job['id']}"), 404, "id")
        error_of(beta.delete(f"/v1/batches/{job['id']}"), 404, "id")
        wait_finished(alpha, job["id"])
    log = secured.log_text()
    assert all(token not in log for token in (*TOKENS, "tok-wrong-9d3e", TOKEN_KEY))
    assert "tide pools" not in log and "kites" not in log


def test_cors_only_for_configured_origins(secured: Service, service: Service) -> None:
    preflight = {
        "Origin": "https://crm.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    allowed = httpx.options(secured.url + "/v1/drafts", headers=preflight)
    assert allowed.headers.get("access-control-allow-origin") == "https://crm.example"
    other = httpx.options(secured.url + "/v1/drafts", headers={**preflight, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    off = httpx.get(service.url + "/healthz", headers={"Origin": "https://crm.example"})
    assert "access-control-allow-origin" not in off.headers


def test_concurrent_jobs_per_token_are_limited(secured: Service, pace: Pace) -> None:
    pace.seconds = 0.5
    with secured.client(TOKENS[1]) as beta, secured.client(TOKENS[0]) as alpha:
        first = beta.post("/v1/batches", json={"rows": people_rows(8)})
        assert first.status_code == 202
        second = beta.post("/v1/batches", json={"rows": people_rows(1)})
        assert "the limit is 1" in error_of(second, 429)
        assert second.json()["type"] == "too_many_jobs" and second.headers["retry-after"] == "30"
        assert alpha.post("/v1/batches", json={"rows": people_rows(1)}).status_code == 202  # per token
        assert beta.delete(f"/v1/batches/{first.json()['id']}").json()["status"] == "cancelled"
        assert beta.post("/v1/batches", json={"rows": people_rows(1)}).status_code == 202
    pace.seconds = 0.0


def test_refuses_to_serve_beyond_loopback_without_tokens(
    template_dir: Path, stub: StubServer, tmp_path: Path
) -> None:
    env = service_env(template_dir, tmp_path / "data", stub)
    result = subprocess.run(
        [*SERVE, "--host", "0.0.0.0", "--port", "1"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "Refusing to serve on 0.0.0.0 without tokens: set DRAFTER_API_TOKENS" in result.stderr


def test_cancel_stops_the_job_and_deletes_its_rows(
    service: Service, client: httpx.Client, stub: StubServer, pace: Pace
) -> None:
    pace.seconds = 0.3
    rows = people_rows(20)
    job = client.post("/v1/batches", json={"rows": rows}).json()
    wait_for(lambda: client.get(f"/v1/batches/{job['id']}").json()["done"] >= 2, 60)
    partial = client.get(f"/v1/batches/{job['id']}/results")
    assert partial.headers["x-batch-status"] == "running"
    so_far = [json.loads(line)["row"] for line in partial.text.splitlines()]
    assert 2 <= len(so_far) < 20 and so_far == sorted(so_far)
    assert client.delete(f"/v1/batches/{job['id']}").json() == {"id": job["id"], "status": "cancelled"}
    error_of(client.get(f"/v1/batches/{job['id']}"), 404, "id")
    error_of(client.get(f"/v1/batches/{job['id']}/results"), 404, "id")
    drafted = sum(names_drafted(stub)[row["name"].split()[0]] for row in rows)
    import time

    time.sleep(1.5)  # the row in flight finishes; nothing more is drafted for the job
    assert sum(names_drafted(stub)[row["name"].split()[0]] for row in rows) <= drafted + 1
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{Path(service.env['DRAFTER_DATA_DIR']) / 'drafter.db'}")
    with engine.connect() as connection:
        left = connection.execute(text("SELECT count(*) FROM job_rows WHERE job_id = :j"), {"j": job["id"]})
        assert left.scalar() == 0
    engine.dispose()
    pace.seconds = 0.0
