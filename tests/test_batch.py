"""The batch engine: reading and checking rows, output formats, errors per row, progress, order."""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import random
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from drafter import batch
from drafter.batch import batch_file, csv_safe, read_requests, read_rows, write_rows
from drafter.errors import BackendError, ConfigError, InputError, RowError
from drafter.models import OUTPUT_FIELDS, BatchRow, Draft, DraftRequest

FIXTURES = Path(__file__).parent / "fixtures" / "batch"


def make_draft(request: DraftRequest, **changes: Any) -> Draft:
    values: dict[str, Any] = dict(
        channel=request.channel,
        subject=f"Following up, {request.contact.name}",
        body=f"Hi {request.contact.name},\n\nGood to meet you.\n\n{request.sender or 'Me'}",
        next_step_type=request.next_step_hint or "keep_in_touch",
        next_step="Coffee next week?",
        follow_up_when="next week",
        follow_up_date=dt.date(2026, 12, 2),
        guidance_ids=["playbook-1", "playbook-2"],
        backend="fake",
        model="fake-model",
        seconds=0.25,
    )
    values.update(changes)
    return Draft(**values)


class FakeDrafter:
    """Duck-typed Drafter: drafts instantly; `actions` maps a contact name to an exception to
    raise or a callable(request) -> Draft."""

    backend_name = "fake"
    model_name = "fake-model"

    def __init__(self, actions: dict[str, Any] | None = None, delay: Any = None) -> None:
        self.actions = actions or {}
        self.delay = delay
        self.requests: list[DraftRequest] = []
        self._lock = threading.Lock()

    def draft(self, request: DraftRequest) -> Draft:
        with self._lock:
            self.requests.append(request)
        if self.delay:
            time.sleep(self.delay())
        action = self.actions.get(request.contact.name)
        if isinstance(action, BaseException):
            raise action
        if callable(action):
            return action(request)
        return make_draft(request)

    @property
    def names(self) -> list[str]:
        return [request.contact.name for request in self.requests]


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    header = header or list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def people(count: int) -> list[dict[str, str]]:
    return [
        {"name": f"Person {i}", "notes": f"Talked about topic {i} at the meetup."}
        for i in range(1, count + 1)
    ]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- whole-file problems: InputError and no output -------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "is empty"),
        ("blank.csv", b"  \n\n", "is empty"),
        ("header.csv", b"name,notes\n", "has a header but no rows"),
        ("padding.csv", b"name,notes\n,\n , \n", "has a header but no rows"),
        ("no-notes.csv", b"name,email\nAna,a@b.c\n", "no 'notes' column"),
        ("no-name.csv", b"Notes\nMet at PyCon\n", "no 'name' column"),
        ("binary.csv", b"PK\x03\x04\x14\x00\x00\x00\x08\x00name,notes", "binary file"),
        ("twice.csv", b"name,Name,notes\nA,B,C\n", "'name' twice"),
        ("notes.txt", b"name,notes\nA,B\n", "use a file ending in .csv or .jsonl"),
        ("no-notes.jsonl", b'{"name": "Ana", "email": "a@b.c"}\n', "no 'notes' column"),
        ("empty.jsonl", b"\n\n", "is empty"),
        ("bad-quote.csv", b'name,notes\nAna,"unterminated\n', "quote opened on line 2 is never closed"),
    ],
)
def test_whole_file_problems_raise_input_error_and_write_nothing(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=expected) as info:
        batch_file(path, tmp_path / "out.jsonl", drafter=FakeDrafter())
    assert "\n" not in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_csv_quote_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('name,notes\nAna,Met at PyCon\nBo,"Met in Porto\nCy,Met online\n', encoding="utf-8")
    with pytest.raises(InputError, match='the quote opened on line 3 is never closed: add the closing "'):
        read_rows(path)
    path.write_text('name,notes\nAna,"Met" at PyCon\n', encoding="utf-8")
    with pytest.raises(InputError, match="not valid CSV on line 2"):
        read_rows(path)
    path.write_text('name,notes\nAna,Her 27" screen\n', encoding="utf-8")  # a quote mid-cell is text
    assert read_rows(path)[0].request.notes == 'Her 27" screen'  # type: ignore[union-attr]


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="No such file"):
        batch_file(tmp_path / "nope.csv", drafter=FakeDrafter())
    folder = tmp_path / "dir.csv"
    folder.mkdir()
    with pytest.raises(InputError, match="is a folder"):
        batch_file(folder, tmp_path / "o.jsonl", drafter=FakeDrafter())


def test_file_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.csv"
    write_csv(path, [{"name": "A", "notes": "x" * 5000}] * 1100)  # ~5.5 MB
    assert path.stat().st_size > 5 * 1024 * 1024
    with pytest.raises(InputError, match=r"big.csv is 5\.\d MB; the limit is 5 MB: split"):
        batch_file(path, drafter=FakeDrafter())
    assert not (tmp_path / "big-drafts.jsonl").exists()


def test_too_many_rows_names_count_and_limit(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "many.csv", people(12))
    with pytest.raises(InputError, match=r"has 12 rows; the limit is 10: .*--max-rows 12"):
        batch_file(path, drafter=FakeDrafter(), max_rows=10)
    assert not (tmp_path / "many-drafts.jsonl").exists()
    assert len(read_rows(path, max_rows=12)) == 12
    with pytest.raises(InputError, match="the limit is 1,000"):
        batch_file(write_csv(tmp_path / "more.csv", people(1001)), drafter=FakeDrafter())


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"concurrency": 0}, "--concurrency must be between 1 and 32"),
        ({"concurrency": 33}, "--concurrency must be between 1 and 32"),
        ({"max_rows": 0}, "--max-rows must be at least 1"),
        ({"output_path": "out.txt"}, "output format of out.txt"),
        ({"output_path": "missing/out.jsonl"}, "folder .*missing does not exist"),
        ({"output_path": "in.jsonl"}, "is the input file"),
    ],
)
def test_bad_invocation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kwargs: dict, expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.jsonl").write_text('{"name": "A", "notes": "B"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=expected):
        batch_file("in.jsonl", drafter=FakeDrafter(), **kwargs)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


# --- reading rows ------------------------------------------------------------------------------


def test_fixture_csv_with_quoted_newlines_commas_and_spaced_headers() -> None:
    requests = read_requests(FIXTURES / "events.csv", default_sender="Sam")
    assert all(isinstance(r, DraftRequest) for r in requests)
    ana, ben, chloe = requests
    assert isinstance(ana, DraftRequest) and isinstance(ben, DraftRequest) and isinstance(chloe, DraftRequest)
    assert ana.notes.startswith("Talked about incremental parsers, tree-sitter")
    assert "\nShe said she'd share the slides." in ana.notes
    assert (ana.contact.email, ana.contact.company, ana.contact.where_met) == (
        "ana@example.org",
        "Parsewell",
        "PyCon Lisbon",
    )
    assert (ana.channel, ana.next_step_hint, ana.sender) == ("email", "ask", "Sam")
    assert ben.contact.where_met == "Meetup, Porto" and ben.channel == "linkedin"
    assert ben.next_step_hint is None
    assert chloe.contact.name == "Chloé Martin" and chloe.next_step_hint == "keep_in_touch"


def test_bom_crlf_and_case_insensitive_columns(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    header = "\ufeff NAME ,Notes,CHANNEL,next-step hint\r\n"
    path.write_bytes((header + 'Åsa,"Line one\r\nline two",LinkedIn,Joint Venture\r\n').encode())
    [row] = read_rows(path)
    assert row.request is not None and row.warnings == []
    assert row.request.contact.name == "Åsa"
    assert row.request.notes == "Line one\nline two"
    assert (row.request.channel, row.request.next_step_hint) == ("linkedin", "joint_venture")


def test_windows_1252_is_read_with_a_warning_on_every_row(tmp_path: Path) -> None:
    rows = read_rows(FIXTURES / "windows-1252.csv")  # also separated by semicolons
    [row] = rows
    assert row.request is not None
    assert row.request.contact.name == "Zoé Müller"
    assert row.request.notes == "Café chat about naïve Bayes – she wants the notebook"
    assert row.warnings == ["input was not UTF-8; read as Windows-1252"]
    summary = batch_file(FIXTURES / "windows-1252.csv", tmp_path / "o.jsonl", drafter=FakeDrafter())
    assert summary.ok == 1
    assert read_jsonl(tmp_path / "o.jsonl")[0]["warnings"] == ["input was not UTF-8; read as Windows-1252"]


def test_utf16_from_excel_unicode_text(tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes("name\tnotes\nJosé\tTalked about maps\n".encode("utf-16"))
    [request] = read_requests(path)
    assert isinstance(request, DraftRequest) and request.contact.name == "José"


def test_jsonl_rows_that_are_not_objects_become_row_errors() -> None:
    rows = read_rows(FIXTURES / "mixed.jsonl")
    assert [r.row for r in rows] == [1, 2, 3, 4]
    assert rows[0].request is not None
    assert rows[1].request is None and "line 2 is a list, not an object" in rows[1].error
    assert rows[2].request is None and "line 3 is not valid JSON" in rows[2].error
    dee = rows[3].request
    assert dee is not None and dee.contact.name == "Dee" and dee.next_step_hint == "offer"
    assert dee.contact.email == ""
    errors = read_requests(FIXTURES / "mixed.jsonl")
    assert isinstance(errors[1], RowError) and str(errors[1]).startswith("row 2: line 2 is a list")
    assert errors[1].row == 2  # type: ignore[attr-defined]


def test_jsonl_values_that_are_not_text(tmp_path: Path) -> None:
    path = tmp_path / "types.jsonl"
    path.write_text(
        '{"name": "Ana", "notes": ["a", "b"]}\n{"name": 42, "notes": "Met at 3pm", "email": false}\n',
        encoding="utf-8",
    )
    first, second = read_rows(path)
    assert first.request is None and "'notes' must be text, not a list" in first.error
    assert second.request is not None and second.request.contact.name == "42"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"name": "Ana", "notes": ""}, "the notes are empty"),
        ({"name": "Ana", "notes": "   "}, "the notes are empty"),
        ({"name": "", "notes": "Met at PyCon"}, "the name is empty"),
        ({"name": "Ana", "notes": "x" * 6001}, "the notes are 6,001 characters: shorten them to 6,000"),
        ({"name": "A" * 501, "notes": "hi"}, "the name is 501 characters"),
        (
            {"name": "Ana", "notes": "hi", "channel": "sms"},
            "unknown channel 'sms': use one of email, linkedin, text",
        ),
        (
            {"name": "Ana", "notes": "hi", "next_step_hint": "marry"},
            "unknown next_step_hint 'marry': use one of ask, offer, joint_venture, keep_in_touch",
        ),
    ],
)
def test_row_problems_become_row_errors_and_the_rest_run(
    tmp_path: Path, row: dict[str, str], expected: str
) -> None:
    header = ["name", "notes", "channel", "next_step_hint"]
    good = {"name": "Bo", "notes": "Talked about kites", "channel": "", "next_step_hint": ""}
    path = write_csv(tmp_path / "in.csv", [good, {**dict.fromkeys(header, ""), **row}, good], header)
    drafter = FakeDrafter()
    summary = batch_file(path, drafter=drafter)
    out = read_jsonl(tmp_path / "in-drafts.jsonl")
    assert [r["status"] for r in out] == ["ok", "error", "ok"]
    assert expected in out[1]["error"]
    assert out[1]["body"] == "" and out[1]["name"] == row["name"]
    assert drafter.names == ["Bo", "Bo"]
    assert (summary.ok, summary.failed, summary.total, summary.exit_code) == (2, 1, 3, 1)


def test_notes_of_exactly_the_limit_are_drafted(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [{"name": "Ana", "notes": "x" * 6000}])
    assert batch_file(path, drafter=FakeDrafter()).exit_code == 0


def test_blank_rows_are_skipped_and_extra_cells_warned(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("name,notes\n\nAna,Met at PyCon\n,\nBo,Met in Porto, by the river\n", encoding="utf-8")
    rows = read_rows(path)
    assert [(r.row, r.name) for r in rows] == [(1, "Ana"), (2, "Bo")]
    assert rows[1].request is not None and rows[1].request.notes == "Met in Porto"
    assert "extra cells were ignored" in rows[1].warnings[0]


def test_sender_comes_from_the_row_then_from_then_settings(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        [
            {"name": "A", "notes": "n", "sender_name": "Row Sender"},
            {"name": "B", "notes": "n", "sender_name": ""},
        ],
    )
    drafter = FakeDrafter()
    drafter.settings = type("S", (), {"sender_name": "Env Sender"})()  # type: ignore[attr-defined]
    batch_file(path, drafter=drafter, sender="From Flag")
    batch_file(path, drafter=drafter)
    assert [r.sender for r in drafter.requests] == ["Row Sender", "From Flag", "Row Sender", "Env Sender"]


def test_duplicate_rows_are_each_drafted_once_with_a_warning(tmp_path: Path) -> None:
    rows = [people(1)[0], people(2)[1], people(1)[0], people(1)[0]]
    path = write_csv(tmp_path / "in.csv", rows)
    drafter = FakeDrafter()
    batch_file(path, drafter=drafter)
    out = read_jsonl(tmp_path / "in-drafts.jsonl")
    assert [r["row"] for r in out] == [1, 2, 3, 4]
    assert sorted(drafter.names) == ["Person 1", "Person 1", "Person 1", "Person 2"]
    assert [r["warnings"] for r in out] == [[], [], ["same as row 1"], ["same as row 1"]]


# --- output ------------------------------------------------------------------------------------


def test_jsonl_output_has_exactly_the_contract_fields(tmp_path: Path) -> None:
    summary = batch_file(FIXTURES / "events.csv", tmp_path / "out.jsonl", drafter=FakeDrafter(), sender="Sam")
    out = read_jsonl(tmp_path / "out.jsonl")
    assert [tuple(r) for r in out] == [OUTPUT_FIELDS] * 3
    ana, ben, chloe = out
    assert ana["subject"] == "Following up, Ana Costa" and ben["subject"] == "" and chloe["subject"] == ""
    assert ana["guidance_ids"] == ["playbook-1", "playbook-2"] and ana["warnings"] == []
    assert (ana["row"], ana["status"], ana["email"], ana["channel"]) == (1, "ok", "ana@example.org", "email")
    assert (ana["backend"], ana["model"], ana["seconds"]) == ("fake", "fake-model", 0.25)
    assert ana["follow_up_date"] == "2026-12-02" and ana["next_step_type"] == "ask"
    assert summary.output == tmp_path / "out.jsonl" and summary.seconds_per_draft == 0.25
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "out.jsonl.resume.json"]


def test_csv_output_joins_lists_and_neutralises_formulas(tmp_path: Path) -> None:
    def formula(request: DraftRequest) -> Draft:
        return make_draft(
            request,
            body='=HYPERLINK("http://x")',
            next_step="+1 555",
            subject="@you",
            warnings=["first", "second"],
            guidance_ids=["a", "b"],
        )

    path = write_csv(
        tmp_path / "in.csv", [{"name": "-Mallory", "notes": "hi"}, {"name": "Ana", "notes": "hi"}]
    )
    batch_file(path, tmp_path / "out.csv", drafter=FakeDrafter({"-Mallory": formula}))
    text = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert not text.startswith("\ufeff")
    rows = read_csv(tmp_path / "out.csv")
    assert list(rows[0]) == list(OUTPUT_FIELDS)
    bad = rows[0]
    assert bad["name"] == "'-Mallory" and bad["subject"] == "'@you"
    assert bad["body"] == '\'=HYPERLINK("http://x")' and bad["next_step"] == "'+1 555"
    assert bad["guidance_ids"] == "a;b" and bad["warnings"] == "first | second"
    assert rows[1]["body"].startswith("Hi Ana,\n\nGood to meet you.")
    assert not (tmp_path / "out.csv.partial.jsonl").exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\rx", "'\rx"),
        ("Hello = hi", "Hello = hi"),
        ("'=quoted", "''=quoted"),
        ("'plain", "'plain"),
        ("", ""),
        (3.5, 3.5),
        (7, 7),
    ],
)
def test_csv_safe(value: Any, expected: Any) -> None:
    assert csv_safe(value) == expected


def test_write_rows_for_the_app(tmp_path: Path) -> None:
    rows = [
        BatchRow(row=1, name="=A", status="ok", warnings=["w"]),
        BatchRow(row=2, status="error", error="x"),
    ]
    write_rows(rows, tmp_path / "a.jsonl")
    write_rows(rows, tmp_path / "a.csv")
    assert read_jsonl(tmp_path / "a.jsonl")[0]["name"] == "=A"  # JSONL is data, not a spreadsheet
    assert read_csv(tmp_path / "a.csv")[0]["name"] == "'=A"
    with pytest.raises(InputError, match="output format"):
        write_rows(rows, tmp_path / "a.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.jsonl"]


def test_default_output_is_beside_the_input() -> None:
    assert batch.default_output_path(Path("/x/events.csv")) == Path("/x/events-drafts.jsonl")


def test_without_resume_an_existing_output_is_overwritten(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", people(2))
    out = tmp_path / "in-drafts.jsonl"
    out.write_text("not ours\n", encoding="utf-8")
    drafter = FakeDrafter()
    batch_file(path, drafter=drafter)
    batch_file(path, drafter=drafter)
    assert len(drafter.requests) == 4
    assert [r["row"] for r in read_jsonl(out)] == [1, 2]


# --- drafter errors ----------------------------------------------------------------------------


class Strict(BaseModel):
    count: int


def test_drafter_errors_become_row_errors(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    try:
        Strict.model_validate({"count": "many"})
    except Exception as exc:  # noqa: BLE001 - a real ValidationError to raise later
        invalid = exc
    actions = {
        "Person 2": BackendError("The model did not answer in time: try again, or raise DRAFTER_TIMEOUT."),
        "Person 3": invalid,
        "Person 4": ZeroDivisionError("secret notes about Person 4"),
    }
    path = write_csv(tmp_path / "in.csv", [{**p, "email": "p@x.org"} for p in people(5)])
    caplog.set_level(logging.DEBUG, logger="drafter")
    summary = batch_file(path, drafter=FakeDrafter(actions))
    out = read_jsonl(tmp_path / "in-drafts.jsonl")
    assert [r["status"] for r in out] == ["ok", "error", "error", "error", "ok"]
    assert out[1]["error"] == "The model did not answer in time: try again, or raise DRAFTER_TIMEOUT."
    assert out[2]["error"].startswith("count: Input should be a valid integer")
    assert out[3]["error"] == "internal error: ZeroDivisionError"
    assert (out[3]["name"], out[3]["email"], out[3]["backend"], out[3]["model"]) == (
        "Person 4",
        "p@x.org",
        "fake",
        "fake-model",
    )
    assert summary.exit_code == 1 and summary.failed == 3
    assert "row 4: internal error ZeroDivisionError" in caplog.text
    assert (
        "secret" not in caplog.text
        and "Talked about" not in caplog.text
        and "Good to meet" not in caplog.text
    )


def test_a_misconfigured_backend_stops_the_batch_early(tmp_path: Path) -> None:
    error = ConfigError("No API key for backend 'openai': set OPENAI_API_KEY.")
    drafter = FakeDrafter({f"Person {i}": error for i in range(1, 11)})
    summary = batch_file(write_csv(tmp_path / "in.csv", people(10)), drafter=drafter)
    out = read_jsonl(tmp_path / "in-drafts.jsonl")
    assert len(drafter.requests) == 1
    assert out[0]["error"] == "No API key for backend 'openai': set OPENAI_API_KEY."
    assert all(r["error"] == "not drafted: " + out[0]["error"] for r in out[1:])
    assert summary.failed == 10


def test_five_backend_failures_in_a_row_skip_the_rest(tmp_path: Path) -> None:
    down = BackendError("Could not reach the model server.")
    actions = {"Person 1": down, **{f"Person {i}": down for i in range(3, 20)}}
    drafter = FakeDrafter(actions)
    batch_file(write_csv(tmp_path / "in.csv", people(20)), drafter=drafter)
    out = read_jsonl(tmp_path / "in-drafts.jsonl")
    assert len(drafter.requests) == 7  # 1 fails, 2 succeeds, 3..7 fail: five in a row
    assert out[1]["status"] == "ok"
    assert out[7]["error"].startswith("not drafted: 5 rows in a row failed: Could not reach")


# --- progress, concurrency, order ---------------------------------------------------------------


def test_progress_reports_every_row(tmp_path: Path) -> None:
    calls: list[tuple[int, int, int, str]] = []
    path = write_csv(tmp_path / "in.csv", [*people(3), {"name": "X", "notes": ""}])
    batch_file(path, drafter=FakeDrafter(), progress=lambda d, t, r: calls.append((d, t, r.row, r.status)))
    assert [c[:2] for c in calls] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert sorted(c[2] for c in calls) == [1, 2, 3, 4]
    assert (4, "error") in [(c[2], c[3]) for c in calls]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_concurrency_keeps_order_and_every_row_once(tmp_path: Path, suffix: str) -> None:
    rng = random.Random(7)
    output = tmp_path / f"out{suffix}"
    journal = tmp_path / f"out{suffix}.partial.jsonl"
    seen_during_run: list[int] = []

    def progress(done: int, total: int, row: BatchRow) -> None:
        # Mid-run, every line on disk is whole and parses; rows may be out of order.
        for path in [journal, output] if suffix == ".jsonl" else [journal]:
            lines = path.read_text(encoding="utf-8").splitlines()
            assert [json.loads(line)["row"] for line in lines]
        seen_during_run.append(len(journal.read_text(encoding="utf-8").splitlines()))

    drafter = FakeDrafter(delay=lambda: rng.uniform(0, 0.02))
    path = write_csv(tmp_path / "in.csv", people(40))
    summary = batch_file(path, output, drafter=drafter, concurrency=4, progress=progress)
    rows = read_jsonl(output) if suffix == ".jsonl" else read_csv(output)
    assert [int(r["row"]) for r in rows] == list(range(1, 41))
    assert [r["name"] for r in rows] == [f"Person {i}" for i in range(1, 41)]
    assert sorted(drafter.names) == sorted(f"Person {i}" for i in range(1, 41))
    assert seen_during_run == list(range(1, 41))
    assert summary.ok == 40 and not journal.exists()


def test_concurrency_runs_rows_in_parallel(tmp_path: Path) -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    def slow(request: DraftRequest) -> Draft:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.05)
        with lock:
            active -= 1
        return make_draft(request)

    drafter = FakeDrafter({f"Person {i}": slow for i in range(1, 9)})
    batch_file(write_csv(tmp_path / "in.csv", people(8)), drafter=drafter, concurrency=4)
    assert peak == 4


# --- through the real pipeline, with the fake model at the seam ----------------------------------


PARTS = {
    "subject": "Incremental parsers and tree-sitter",
    "recall": "I enjoyed our talk about incremental parsers and tree-sitter at PyCon Lisbon",
    "next_step": "Would you send me the slides from your talk when you have a minute",
    "guidance": [],
}


class NoGuidance:
    def search(self, query: str, k: int = 4) -> list:
        return []

    def search_situation(self, *situation: object, k: int = 4) -> list:
        return []

    def ensure_built(self) -> bool:
        return False


def test_pipeline_batch_with_the_fake_model(tmp_path: Path, fake_model: Any) -> None:
    from drafter import Drafter, Settings

    def reply(messages: list) -> Any:
        text = "\n".join(str(m.content) for m in messages)
        if "Contact: Ben" in text:  # the writer sees names and the chosen details, never all notes
            return BackendError("The model server failed (HTTP 500): try again later.")
        if "tree-sitter" in text:
            return PARTS
        return {**PARTS, "recall": "Good to meet you", "subject": "Good to meet you"}

    fake_model.default = reply
    drafter = Drafter(Settings.from_env(sender_name="Sam"), index=NoGuidance())
    output = tmp_path / "out.csv"
    summary = batch_file(FIXTURES / "events.csv", output, drafter=drafter, concurrency=2)
    rows = read_csv(output)
    assert [r["status"] for r in rows] == ["ok", "error", "ok"]
    ana = rows[0]
    assert ana["body"].startswith("Hi Ana,") and ana["body"].rstrip().endswith("Sam")
    assert ana["subject"] == "Incremental parsers and tree-sitter" and rows[2]["subject"] == ""
    assert ana["backend"] == drafter.backend_name and ana["model"] == drafter.model_name
    assert float(ana["seconds"]) > 0 and ana["follow_up_date"]
    assert rows[1]["error"] == "The model server failed (HTTP 500): try again later."
    assert (summary.ok, summary.failed, summary.exit_code) == (2, 1, 1)
    # The notes reached the model; no row's notes (or draft) reached another row's prompt.
    prompts = [fake_model.prompt_text(i) for i in range(len(fake_model.calls))]
    assert any("tree-sitter" in p for p in prompts)
    assert any("move to Rust" in p for p in prompts)
    assert not any("tree-sitter" in p and "move to Rust" in p for p in prompts)


# --- the `drafter batch` command over this engine ---------------------------------------------


@pytest.fixture
def cli_env(fake_model: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from drafter import retrieval

    monkeypatch.setattr(retrieval, "get_index", lambda settings: NoGuidance())
    fake_model.default = PARTS
    return fake_model


@pytest.mark.parametrize(
    ("content", "code", "outputs"),
    [
        ("name,notes\nAna,Met at PyCon\n", 0, ["in-drafts.jsonl", "in-drafts.jsonl.resume.json"]),
        ("name,notes\nAna,Met at PyCon\nBo,\n", 1, ["in-drafts.jsonl", "in-drafts.jsonl.resume.json"]),
        ("name,email\nAna,a@b.c\n", 2, []),
        ("name,notes\n", 2, []),
    ],
)
def test_cli_exit_codes(
    tmp_path: Path, cli_env: Any, monkeypatch: pytest.MonkeyPatch, content: str, code: int, outputs: list
) -> None:
    from click.testing import CliRunner

    from drafter.cli import main

    monkeypatch.chdir(tmp_path)
    Path("in.csv").write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", "in.csv", "--from", "Sam"])
    assert result.exit_code == code, result.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "in.csv" and p.name != "data") == outputs
    if code == 2:
        assert len(result.output.strip().splitlines()) == 1


class SituationDrafter(FakeDrafter):
    def situation_key(self, request: DraftRequest) -> tuple[str, ...]:
        return (request.channel,)


def test_rows_in_the_same_situation_are_drafted_together_in_input_order(tmp_path: Path) -> None:
    channels = ["email", "text", "email", "linkedin", "text", "email"]
    rows = [
        {"name": f"Person {i}", "notes": f"talked about topic {i}", "channel": c}
        for i, c in enumerate(channels, 1)
    ]
    source = write_csv(tmp_path / "in.csv", rows)
    drafter = SituationDrafter()
    batch_file(source, tmp_path / "out.jsonl", drafter=drafter)
    assert [r.channel for r in drafter.requests] == sorted(channels)
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["name"] for r in out] == [f"Person {i}" for i in range(1, 7)]
