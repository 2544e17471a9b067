"""The job store on SQLite and a real PostgreSQL: migrations, exclusive claims, leases, cancel,
and the batch runner drafting a job through its database journal."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from service_harness import new_database, postgres  # noqa: F401 - a fixture
from test_batch import FakeDrafter

from drafter.batch import build_row, run_batch
from drafter.config import Settings
from drafter.errors import ConfigError
from drafter.models import BatchRow
from drafter.store.db import database_url, dispose_all, get_engine, migrate
from drafter.store.jobs import JobStore, NewRow


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        found = database_url(Settings(data_dir=tmp_path / "data"))
    else:
        found = database_url(Settings(database_url=new_database(request.getfixturevalue("postgres"))))
    migrate(found)
    yield found
    dispose_all()


def new_rows(count: int) -> list[NewRow]:
    return [
        NewRow(i, count - i, {"name": f"P{i}", "notes": f"note {i}"}, digest=f"d{i}")
        for i in range(1, count + 1)
    ]


def test_database_url(tmp_path: Path) -> None:
    assert database_url(Settings(data_dir=tmp_path)) == f"sqlite:///{tmp_path / 'drafter.db'}"
    pg = database_url(Settings(database_url="postgresql://u:secret@db.internal:5432/drafter"))
    assert pg == "postgresql+psycopg://u:secret@db.internal:5432/drafter"
    with pytest.raises(ConfigError, match="Unsupported database 'mysql'"):
        database_url(Settings(database_url="mysql://u@h/d"))
    with pytest.raises(ConfigError, match="not a database URL"):
        database_url(Settings(database_url="::nonsense::"))
    assert "secret" not in repr(Settings(database_url="postgresql://u:secret@h/d"))
    assert "database_url" not in Settings(database_url="postgresql://u:secret@h/d").describe()


def test_an_unreachable_database_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="Cannot open the database .*check DRAFTER_DATABASE_URL"):
        migrate("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_sqlite_pragmas(url: str) -> None:
    if not url.startswith("sqlite"):
        pytest.skip("SQLite only")
    with get_engine(url).connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_from_several_processes_at_once(url: str) -> None:
    code = "import sys; from drafter.store.db import migrate; migrate(sys.argv[1])"
    procs = [subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE) for _ in range(3)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    with get_engine(url).connect() as connection:
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() is not None


def test_claims_are_exclusive_across_workers(url: str) -> None:
    stores = [JobStore(url) for _ in range(4)]
    job = stores[0].create(new_rows(120), owner="o", name="n")
    taken: dict[str, list[int]] = collections.defaultdict(list)

    def work(store: JobStore) -> None:
        while (number := store.claim(job)) is not None:
            taken[store.worker_id].append(number)
            assert store.record(job, BatchRow(row=number, status="ok"))

    threads = [threading.Thread(target=work, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = [n for found in taken.values() for n in found]
    assert sorted(numbers) == list(range(1, 121))
    status = stores[0].status(job)
    assert status is not None and (status.status, status.done, status.failed) == ("done", 120, 0)
    assert [r.row for r in stores[0].results(job) or []] == list(range(1, 121))


def test_claim_order_lease_expiry_and_lost_claims(url: str) -> None:
    a, b = JobStore(url, lease=0.5), JobStore(url, lease=0.5)
    job = a.create(new_rows(3))
    assert a.claim(job) == 3  # by position: rows of one situation together
    assert b.claim(job) == 2
    time.sleep(0.7)  # a's lease ran out without a heartbeat: the row may be claimed again
    assert b.claim(job) == 3
    assert not a.record(job, BatchRow(row=3, status="ok"))  # a lost its claim: its result is dropped
    assert b.record(job, BatchRow(row=3, status="ok", body="b"))
    assert b.heartbeat() == 1  # row 2 still b's
    assert b.claim(job) == 1
    assert a.claim(job) is None


def test_cancel_drops_results_of_rows_in_flight(url: str) -> None:
    store = JobStore(url)
    job = store.create(new_rows(3), owner="alice")
    number = store.claim(job)
    assert number is not None
    assert not store.delete(job, owner="bob") and store.status(job, owner="bob") is None
    assert store.delete(job, owner="alice")
    assert not store.record(job, BatchRow(row=number, status="ok"))
    assert store.status(job) is None and store.results(job) is None and store.claim(job) is None


def test_claims_of_a_dead_process_on_this_host_are_given_back(url: str) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    import socket

    ghost = JobStore(url, worker_id=f"{socket.gethostname()}:{int(dead.stdout)}:feedbeef", lease=600)
    alive = JobStore(url, worker_id=f"{socket.gethostname()}:{os.getppid()}:cafe0001", lease=600)
    elsewhere = JobStore(url, worker_id="another-host:1:00000000", lease=600)
    job = ghost.create(new_rows(3))
    assert {ghost.claim(job), alive.claim(job), elsewhere.claim(job)} == {1, 2, 3}
    me = JobStore(url)
    assert me.claim(job) is None
    assert me.release_dead() == 1
    assert me.claim(job) is not None and me.claim(job) is None


def test_the_runner_drafts_a_job_through_its_journal(url: str) -> None:
    store = JobStore(url)
    job = store.create(
        [*new_rows(6), NewRow(7, 0, {"name": "X"}, refused=BatchRow(row=7, status="error", error="no notes"))]
    )
    rows = [build_row(stored.number, stored.cells) for stored in store.rows(job)]
    drafter = FakeDrafter(delay=lambda: 0.01)
    stop = threading.Event()
    summary = run_batch(drafter, rows, store.journal(job), concurrency=3, stop=stop)
    assert sorted(drafter.names) == [f"P{i}" for i in range(1, 7)]
    assert (summary.ok, summary.failed, summary.total) == (6, 1, 7)
    assert [r.row for r in summary.rows] == list(range(1, 8))
    again = FakeDrafter()
    run_batch(again, rows, store.journal(job))
    assert again.names == []  # finished rows are never drafted again
    status: Any = store.status(job)
    assert status.status == "done"


def test_reorder_changes_the_claim_order_of_pending_rows(url: str) -> None:
    store = JobStore(url)
    job = store.create([NewRow(i, i, {"name": f"P{i}", "notes": "n"}) for i in range(1, 5)])
    assert store.claim(job) == 1
    store.reorder(job, [4, 2, 1, 3])  # row 1 is claimed already: it keeps its place
    assert [store.claim(job), store.claim(job), store.claim(job)] == [4, 2, 3]
