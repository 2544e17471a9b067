"""Durable batch jobs through the real service, on SQLite and on a real PostgreSQL 15 server
that the tests start: a process killed with SIGKILL mid-batch and restarted loses no row and
drafts no finished row again; two processes on one PostgreSQL database share one job's rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from service_harness import (
    Pace,
    Service,
    model_stub,
    names_drafted,
    new_database,
    people_rows,
    postgres,  # noqa: F401 - a fixture
    service_env,
    shared_template,
    wait_finished,
    wait_for,
)

from drafter.store.db import dispose_all, migrate
from drafter.store.jobs import JobStore


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_template(tmp_path_factory)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for the service's database, and the URL the test reads it with."""
    if request.param == "sqlite":
        yield {"url": f"sqlite:///{tmp_path / 'data' / 'drafter.db'}", "env": ""}
    else:
        server = request.getfixturevalue("postgres")
        url = new_database(server)
        yield {"url": url.replace("postgresql://", "postgresql+psycopg://"), "env": url}
    dispose_all()


def env_for(database: dict[str, str]) -> dict[str, str]:
    return {"DRAFTER_DATABASE_URL": database["env"]} if database["env"] else {}


def claims(url: str, job_id: str) -> dict[int, int]:
    """How many times each row was claimed, read from the database."""
    from sqlalchemy import text

    from drafter.store.db import get_engine

    with get_engine(url).connect() as connection:
        found = connection.execute(
            text("SELECT number, claims FROM job_rows WHERE job_id = :job"), {"job": job_id}
        ).all()
    return {int(number): int(count) for number, count in found}


def first_name(row: dict[str, Any]) -> str:
    return str(row["name"]).split()[0]


def test_job_lifecycle(template_dir: Path, database: dict[str, str], tmp_path: Path) -> None:
    pace = Pace(0.2)
    with model_stub(pace) as stub:
        env = service_env(template_dir, tmp_path / "data", stub, **env_for(database))
        service = Service(env, tmp_path / "server.log").start()
        try:
            with service.client() as client:
                rows = people_rows(12)
                job = client.post("/v1/batches", json={"rows": rows}).json()
                wait_for(lambda: client.get(f"/v1/batches/{job['id']}").json()["done"] >= 3, 60)
                running = client.get(f"/v1/batches/{job['id']}").json()
                assert running["status"] == "running" and running["seconds_left"] > 0
                final = wait_finished(client, job["id"])
                assert (final["status"], final["ok"], final["total"]) == ("done", 12, 12)
                out = [
                    json.loads(line)
                    for line in client.get(f"/v1/batches/{job['id']}/results").text.splitlines()
                ]
                assert [r["row"] for r in out] == list(range(1, 13))
                assert [r["name"] for r in out] == [r["name"] for r in rows]
                drafted = names_drafted(stub)
                assert all(drafted[first_name(r)] == 1 for r in rows)
                second = client.post("/v1/batches", json={"rows": people_rows(12)}).json()
                wait_for(lambda: client.get(f"/v1/batches/{second['id']}").json()["done"] >= 1, 60)
                assert client.delete(f"/v1/batches/{second['id']}").status_code == 200
                assert client.get(f"/v1/batches/{second['id']}").status_code == 404
            assert claims(database["url"], second["id"]) == {}
            assert set(claims(database["url"], job["id"]).values()) == {1}
        finally:
            service.stop()


def test_killed_mid_batch_then_restarted(
    template_dir: Path, database: dict[str, str], tmp_path: Path
) -> None:
    pace = Pace(0.3)
    rows = people_rows(36)
    with model_stub(pace) as stub:
        env = service_env(template_dir, tmp_path / "data", stub, **env_for(database))
        first = Service(env, tmp_path / "first.log").start()
        try:
            with first.client() as client:
                job_id = client.post("/v1/batches", json={"rows": rows}).json()["id"]
                wait_for(lambda: client.get(f"/v1/batches/{job_id}").json()["done"] >= 6, 60)
        finally:
            first.kill()
        assert first.proc is not None and first.proc.returncode == -9
        before = JobStore(database["url"]).results(job_id) or []
        finished_before = {r.name.split()[0] for r in before}
        drafted_before = names_drafted(stub)
        assert 6 <= len(before) < 36

        second = Service(env, tmp_path / "second.log").start()
        try:
            with second.client() as client:
                final = wait_finished(client, job_id)
                out = [
                    json.loads(line) for line in client.get(f"/v1/batches/{job_id}/results").text.splitlines()
                ]
        finally:
            second.stop()
    assert (final["status"], final["ok"], final["failed"], final["total"]) == ("done", 36, 0, 36)
    assert [r["row"] for r in out] == list(range(1, 37))
    assert [r["name"] for r in out] == [r["name"] for r in rows]
    drafted = names_drafted(stub)
    # No finished row was drafted again; every row was drafted; only the row in flight at the kill twice.
    assert all(drafted[name] == drafted_before[name] == 1 for name in finished_before)
    assert all(drafted[first_name(r)] >= 1 for r in rows)
    assert sum(1 for r in rows if drafted[first_name(r)] > 1) <= 1
    counts = claims(database["url"], job_id)
    assert len(counts) == 36 and sum(1 for c in counts.values() if c > 1) <= 1


def test_two_processes_share_one_job(template_dir: Path, postgres: Any, tmp_path: Path) -> None:  # noqa: F811
    url = new_database(postgres)
    migrate(url.replace("postgresql://", "postgresql+psycopg://"))  # both processes then find it done
    rows = people_rows(36)
    with model_stub(Pace(0.3)) as stub_a, model_stub(Pace(0.3)) as stub_b:
        a = Service(
            service_env(template_dir, tmp_path / "a", stub_a, DRAFTER_DATABASE_URL=url), tmp_path / "a.log"
        )
        b = Service(
            service_env(template_dir, tmp_path / "b", stub_b, DRAFTER_DATABASE_URL=url), tmp_path / "b.log"
        )
        a.launch(), b.launch()
        try:
            a.wait_ready(), b.wait_ready()
            with a.client() as client_a, b.client() as client_b:
                job_id = client_a.post("/v1/batches", json={"rows": rows}).json()["id"]
                final = wait_finished(client_b, job_id)  # B sees A's job: one table
                out = [
                    json.loads(line)
                    for line in client_b.get(f"/v1/batches/{job_id}/results").text.splitlines()
                ]
        finally:
            a.stop()
            b.stop()
    assert (final["status"], final["ok"]) == ("done", 36)
    assert [r["row"] for r in out] == list(range(1, 37))
    by_a, by_b = names_drafted(stub_a), names_drafted(stub_b)
    assert by_a and by_b, "both processes drafted part of the job"
    assert not set(by_a) & set(by_b)
    assert all(by_a[first_name(r)] + by_b[first_name(r)] == 1 for r in rows)
    assert {r["backend"] for r in out} == {"openai"}
    dispose_all()
