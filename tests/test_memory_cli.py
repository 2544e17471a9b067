"""The memory's commands through click's runner on a real SQLite database in the data directory:
contacts import/list/export, the ledger, due (with the digest .ics), follow-up, forget."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from drafter.cli import main
from drafter.config import Settings
from drafter.memory import Memory, PersonCard
from drafter.models import Draft
from drafter.store import db

FIXTURES = Path(__file__).parent / "fixtures" / "memory"
MET = dt.date(2026, 11, 2)


@pytest.fixture
def runner() -> CliRunner:
    yield CliRunner()
    db.dispose_all()


def run(runner: CliRunner, *args: str, input: str | None = None) -> str:
    result = runner.invoke(main, list(args), input=input)
    assert result.exit_code == 0, (result.output, result.stderr)
    return result.stdout


def test_contacts_import_list_and_vcard_export_round_trip(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["contacts", "import", str(FIXTURES / "Connections.csv")])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Imported 4 people from Connections.csv: 4 new, 0 already known.\n"
    people = json.loads(run(runner, "contacts", "list", "--json"))
    assert [(p["name"], p["email"]) for p in people] == [
        ("Jan van der Berg", ""),
        ("María García López", "maria.garcia@example.es"),
        ("Zoë Ünal", "zoe@example.com"),
        ("李 伟", ""),
    ]
    assert people[1]["company"] == "Universidad de Sevilla" and people[1]["connected_on"] == "2024-03-12"
    out = tmp_path / "out.vcf"
    run(runner, "contacts", "export", "--vcard", str(out), "--version", "4.0")
    text = out.read_text(encoding="utf-8")
    assert text.count("BEGIN:VCARD") == 4 and "VERSION:4.0" in text and "FN:Zoë Ünal" in text
    again = runner.invoke(main, ["contacts", "import", str(out)])
    assert again.stdout == "Imported 4 people from out.vcf: 0 new, 4 already known.\n"
    assert len(json.loads(run(runner, "contacts", "list", "--json"))) == 4


def test_importing_a_file_that_is_neither_names_the_problem(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "people.csv"
    bad.write_text("name,email\nJane,jane@example.com\n", encoding="utf-8")
    result = runner.invoke(main, ["contacts", "import", str(bad)])
    assert result.exit_code == 2
    assert "does not look like LinkedIn's Connections.csv" in result.stderr


def seed_sent_draft() -> int:
    """A person met and a first draft approved, through the library API the app uses."""
    memory = Memory(Settings.from_env(), reader=None)
    memory.log_conversation(
        PersonCard(name="Ana Ruiz", email="ana@example.es"),
        "Talked about her studio in Valencia.",
        on=MET,
        where="Ceramics Expo",
    )
    draft = Draft(
        channel="email",
        subject="Your studio in Valencia",
        body="Hi Ana, ...",
        next_step_type="offer",
        next_step="I'll send you the kiln schedule by Friday",
        follow_up_when="by Friday",
        follow_up_date=dt.date(2026, 11, 6),
    )
    return memory.save_draft("Ana Ruiz", draft, sender_email="sam@example.org").id


def test_sent_draft_falls_due_and_shows_in_due_json_text_and_digest(
    runner: CliRunner, tmp_path: Path
) -> None:
    draft_id = seed_sent_draft()
    out = run(runner, "contacts", "sent", str(draft_id), "--on", "2026-11-03")
    assert "me    open      due 2026-11-06  I'll send you the kiln schedule by Friday" in out
    assert json.loads(run(runner, "due", "--json", "--today", "2026-11-05")) == []
    (entry,) = json.loads(run(runner, "due", "--json", "--today", "2026-11-09"))
    assert (entry["kind"], entry["person"], entry["days_late"], entry["owner"]) == (
        "deliver",
        "Ana Ruiz",
        3,
        "me",
    )
    text = run(runner, "due", "--today", "2026-11-09")
    assert text == (
        f"late     deliver   item {entry['item_id']:<5} "
        "Ana Ruiz: I'll send you the kiln schedule by Friday (3 days late)\n"
    )
    ics, folder = tmp_path / "due.ics", tmp_path / "digests"
    run(runner, "due", "--today", "2026-11-09", "--ics", str(ics), "--digest-dir", str(folder))
    (event,) = [c for c in Calendar.from_ical(ics.read_bytes()).walk() if c.name == "VEVENT"]
    assert str(event["summary"]) == "Follow-ups due (1)"
    assert "Ana Ruiz: I'll send you the kiln schedule by Friday (3 days late)" in str(event["description"])
    assert (folder / "due-2026-11-09.txt").read_text(encoding="utf-8").startswith("Ana Ruiz: I'll send")
    assert (folder / "due-2026-11-09.ics").exists()
    run(runner, "contacts", "item", str(entry["item_id"]), "--done")
    assert json.loads(run(runner, "due", "--json", "--today", "2026-11-09")) == []


def test_their_promise_by_hand_a_touch_and_a_rhythm_with_cadence_ics(
    runner: CliRunner, tmp_path: Path
) -> None:
    run(runner, "contacts", "add", "Bo Chen", "--email", "bo@example.com", "--tag", "mentor")
    run(
        runner,
        "contacts",
        "promise",
        "Bo Chen",
        "She'll send me the paper",
        "--owner",
        "them",
        "--due",
        "2026-11-10",
    )
    run(runner, "contacts", "rhythm", "--tag", "mentor", "--ideal", "30", "--max", "60")
    run(runner, "contacts", "touch", "bo@example.com", "--kind", "call", "--on", "2026-11-01")
    kinds = [
        (e["kind"], e["level"]) for e in json.loads(run(runner, "due", "--json", "--today", "2026-12-01"))
    ]
    assert kinds == [("ask_after", "late"), ("rhythm", "ideal")]
    run(runner, "contacts", "touch", "Bo Chen", "--on", "2026-12-01")
    kinds = [e["kind"] for e in json.loads(run(runner, "due", "--json", "--today", "2026-12-01"))]
    assert kinds == ["ask_after"]
    cadences = tmp_path / "rhythm.ics"
    run(runner, "due", "--today", "2026-12-01", "--cadences", str(cadences))
    assert b"RRULE:FREQ=DAILY;INTERVAL=30" in cadences.read_bytes()


def test_forget_deletes_every_row_checked_in_the_database(runner: CliRunner, clean_env: Path) -> None:
    draft_id = seed_sent_draft()
    run(runner, "contacts", "sent", str(draft_id), "--on", "2026-11-03")
    refused = runner.invoke(main, ["forget", "Ana Ruiz"], input="n\n")
    assert refused.exit_code == 1 and "Aborted" in refused.output
    out = run(runner, "forget", "Ana Ruiz", "--yes")
    assert out.startswith("Forgot Ana Ruiz: ")
    db.dispose_all()
    with sqlite3.connect(clean_env / "drafter.db") as raw:
        for table in ("people", "conversations", "drafts", "ledger_items", "rhythms", "touches"):
            assert raw.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    missing = runner.invoke(main, ["forget", "Ana Ruiz", "--yes"])
    assert missing.exit_code == 2 and "No one called 'Ana Ruiz'" in missing.stderr


def test_eml_of_a_kept_draft_carries_its_message_id(runner: CliRunner, tmp_path: Path) -> None:
    draft_id = seed_sent_draft()
    out = tmp_path / "first.eml"
    run(
        runner, "contacts", "eml", str(draft_id), str(out), "--from", "Sam", "--from-email", "sam@example.org"
    )
    data = out.read_bytes()
    assert b"Message-ID: <" in data and b"@example.org>" in data and b"In-Reply-To" not in data
