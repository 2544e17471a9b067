"""The contact memory on a real database (SQLite, and PostgreSQL started by the test):
people met, drafts sent, promises falling due, second touches, rhythms, and forget."""

from __future__ import annotations

import datetime as dt
import email
import itertools
import sqlite3
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from pg_server import PostgresServer, available
from sqlalchemy import func, inspect, select, text

from drafter.errors import InputError
from drafter.export import to_eml
from drafter.memory import (
    PersonCard,
    add_person,
    approve_rows,
    due_list,
    find_person,
    forget,
    log_conversation,
    log_touch,
    mark_sent,
    open_memory,
    record_reply,
    save_draft,
    save_second_touch,
    second_touch,
    set_item_status,
    set_rhythm,
    thread_of,
)
from drafter.models import Clause, Contact, Draft, Reading
from drafter.store import db
from drafter.store.memory import ConversationRow, DraftRow, LedgerItemRow, PersonRow, RhythmRow, TouchRow

MET = dt.date(2026, 11, 2)  # a Monday
MEMORY_TABLES = ("people", "conversations", "drafts", "ledger_items", "rhythms", "touches")
_counter = itertools.count()


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    why = available()
    if why:
        pytest.skip(why)
    with PostgresServer() as server:  # under /tmp: the server user cannot enter pytest's folders
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        value = f"sqlite:///{tmp_path / 'memory.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        name = f"memory_{next(_counter)}"
        admin = db.get_engine(db._normalise(server.url)).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        value = db._normalise(server.url.rsplit("/", 1)[0] + "/" + name)
    yield value
    db.dispose_all()


def reading() -> Reading:
    """What the note reader gives for Ana's notes (its contract, built by hand here)."""
    return Reading(
        clauses=[
            Clause(text="She runs a ceramics studio in Valencia", role="topic", confidence=0.9),
            Clause(
                text="I'll send her the kiln schedule by Friday",
                role="promise",
                confidence=0.9,
                when="by Friday",
                due=dt.date(2026, 11, 6),
            ),
            Clause(text="She'll send me the paper on glaze crazing", role="topic", confidence=0.8),
            Clause(text="We agreed to a video call in November", role="plan", confidence=0.8),
            Clause(text="Hoping she might hire me one day", role="agenda", confidence=0.9),
        ]
    )


NOTES = (
    "Met Ana at the Ceramics Expo. She runs a ceramics studio in Valencia. I'll send her the kiln "
    "schedule by Friday. She'll send me the paper on glaze crazing. We agreed to a video call in "
    "November. Hoping she might hire me one day."
)


def first_draft() -> Draft:
    return Draft(
        channel="email",
        subject="Your studio in Valencia",
        body="Hi Ana,\n\nLovely to hear about your studio in Valencia. I'll send you the kiln schedule "
        "by Friday.\n\nBest,\nSam",
        next_step_type="offer",
        next_step="I'll send you the kiln schedule by Friday",
        follow_up_when="by Friday",
        follow_up_date=dt.date(2026, 11, 6),
    )


def meet_ana(session) -> tuple[PersonRow, DraftRow]:
    ana, created = add_person(session, PersonCard(name="Ana Ruiz", email="ana@example.es", company="Barro"))
    assert created
    conversation = log_conversation(session, ana, MET, NOTES, where="Ceramics Expo", reading=reading())
    draft = save_draft(
        session,
        ana,
        first_draft(),
        conversation=conversation,
        topic="her ceramics studio in Valencia",
        sender_email="sam@example.org",
    )
    return ana, draft


def items(session, person: PersonRow) -> list[LedgerItemRow]:
    return list(
        session.scalars(
            select(LedgerItemRow).where(LedgerItemRow.person_id == person.id).order_by(LedgerItemRow.id)
        )
    )


def test_the_reading_fills_the_ledger_with_owners_and_due_dates(url: str) -> None:
    with open_memory(url=url) as session:
        ana, _ = meet_ana(session)
        got = [(i.owner, i.role, i.text, i.due_on, i.status) for i in items(session, ana)]
    assert got == [
        ("me", "promise", "I'll send her the kiln schedule by Friday", dt.date(2026, 11, 6), "open"),
        ("them", "promise", "She'll send me the paper on glaze crazing", MET + dt.timedelta(days=14), "open"),
        ("both", "plan", "We agreed to a video call in November", MET + dt.timedelta(days=14), "open"),
    ]


def test_promise_falls_due_the_second_touch_delivers_it_and_the_ledger_closes(url: str) -> None:
    with open_memory(url=url) as session:
        ana, first = meet_ana(session)
        assert first.status == "approved" and first.message_id.endswith("@example.org>")
        mark_sent(session, first, MET + dt.timedelta(days=1))
        kiln = items(session, ana)[0]
        assert (
            kiln.draft_id == first.id
        )  # the draft's step is the promise the notes held: linked, not doubled
        assert len(items(session, ana)) == 3
        assert due_list(session, MET + dt.timedelta(days=3)) == []  # nothing due yet, no nudge while I owe

    with open_memory(url=url) as session:
        (entry,) = due_list(session, dt.date(2026, 11, 7))
        assert (entry.kind, entry.person, entry.owner, entry.days_late) == ("deliver", "Ana Ruiz", "me", 1)
        assert entry.line() == "Ana Ruiz: I'll send her the kiln schedule by Friday (1 day late)"
        touch = second_touch(session, item_id=entry.item_id, notes="Link: https://example.es/kiln.pdf")
        request = touch.request
        assert request.follow_up is not None and request.follow_up.kind == "deliver"
        assert request.follow_up.promise == "the kiln schedule"
        assert request.follow_up.message_id == first.message_id
        assert request.follow_up.previous_subject == "Your studio in Valencia"
        assert request.follow_up.previous_sent_on == MET + dt.timedelta(days=1)
        assert request.follow_up.previous_topic == "her ceramics studio in Valencia"
        assert request.contact == Contact(
            name="Ana Ruiz", email="ana@example.es", company="Barro", where_met="Ceramics Expo"
        )
        # The first message's topic is what a second touch refers back to, and the promise is what it
        # delivers: neither is avoided.
        assert request.avoid == []
        # What the user adds now reaches the writer as the follow-up's note; the reader reads the
        # first conversation again.
        assert request.follow_up.note == "Link: https://example.es/kiln.pdf"
        assert request.next_step_hint == "offer"
        assert request.notes.startswith("Met Ana at the Ceramics Expo.")

        delivered = Draft(
            channel="email",
            subject="Re: Your studio in Valencia",
            body="Hi Ana,\n\nHere is the kiln schedule I promised: https://example.es/kiln.pdf\n\nBest,\nSam",
            next_step_type="keep_in_touch",
            next_step="Talk on our call in November",
            follow_up_when="in November",
            follow_up_date=dt.date(2026, 11, 30),
        )
        second = save_second_touch(session, touch, delivered, sender_email="sam@example.org")
        assert (second.kind, second.parent_id, second.in_reply_to) == ("deliver", first.id, first.message_id)
        in_reply_to, references = thread_of(session, second)
        eml = email.message_from_bytes(
            to_eml(
                delivered,
                request.contact,
                "Sam",
                "sam@example.org",
                message_id=second.message_id,
                in_reply_to=in_reply_to,
                references=references,
            ),
            policy=policy.default,
        )
        assert eml["In-Reply-To"] == first.message_id and eml["References"] == first.message_id
        assert eml["Message-ID"] == second.message_id

        changed = mark_sent(session, second, dt.date(2026, 11, 7))
        kiln = session.get(LedgerItemRow, entry.item_id)
        assert kiln is not None and (kiln.status, kiln.closed_on) == ("done", dt.date(2026, 11, 7))
        assert changed == [kiln]  # a keep-in-touch step of a second touch opens no new promise
        assert due_list(session, dt.date(2026, 11, 7)) == []


def test_their_late_promise_is_asked_after_gently_never_before(url: str) -> None:
    with open_memory(url=url) as session:
        ana, first = meet_ana(session)
        mark_sent(session, first, MET)
        set_item_status(session, items(session, ana)[0], "done", MET + dt.timedelta(days=3))
        # the plan is due and the message unanswered; their promise is due but not late yet
        assert sorted(e.kind for e in due_list(session, MET + dt.timedelta(days=14))) == ["deliver", "nudge"]
        kinds = {e.kind: e for e in due_list(session, MET + dt.timedelta(days=15))}
        assert set(kinds) == {"ask_after", "deliver", "nudge"}
        ask = kinds["ask_after"]
        assert (ask.owner, ask.text, ask.days_late) == (
            "them",
            "She'll send me the paper on glaze crazing",
            1,
        )
        touch = second_touch(session, item_id=ask.item_id)
        assert touch.request.follow_up is not None and touch.request.follow_up.kind == "nudge"
        assert touch.request.follow_up.message_id == first.message_id
        assert touch.request.follow_up.promise == ""  # their promise is never put as mine
        assert touch.request.follow_up.ask_after == "She'll send me the paper on glaze crazing"
        # The reader reads the first conversation again; the writer is told what to ask after.
        assert touch.request.notes.startswith("Met Ana at the Ceramics Expo.")


def test_a_nudge_after_no_reply_is_threaded_to_the_first_message(url: str) -> None:
    with open_memory(url=url) as session:
        li, _ = add_person(session, PersonCard(name="Li Wei", email="li@example.cn"))
        log_conversation(session, li, MET, "Talked about the robotics meetup.", where="PyCon")
        ask = Draft(
            channel="email",
            subject="The robotics meetup",
            body="Hi Li, ...",
            next_step_type="ask",
            next_step="Would you have 20 minutes next week?",
            follow_up_when="next week",
            follow_up_date=MET + dt.timedelta(days=7),
        )
        first = save_draft(session, li, ask, sender_email="sam@example.org")
        changed = mark_sent(session, first, MET)
        assert changed == []  # an ask is not a promise: a nudge follows it instead
        assert due_list(session, MET + dt.timedelta(days=6)) == []
        (entry,) = due_list(session, MET + dt.timedelta(days=7))
        assert (entry.kind, entry.draft_id, entry.days_late) == ("nudge", first.id, 0)
        assert entry.text == "no reply yet to \u201cThe robotics meetup\u201d"
        assert [e.kind for e in due_list(session, MET + dt.timedelta(days=3), nudge_after=3)] == ["nudge"]

        touch = second_touch(session, draft_id=first.id)
        context = touch.request.follow_up
        assert context is not None and context.kind == "nudge"
        assert (context.message_id, context.previous_step) == (
            first.message_id,
            "Would you have 20 minutes next week?",
        )
        assert touch.request.notes == "Talked about the robotics meetup."  # the first conversation
        # The first message's topic is what the nudge refers back to; its ask is not repeated.
        assert touch.request.avoid == ["Would you have 20 minutes next week?"]
        nudge = save_second_touch(
            session,
            touch,
            Draft(
                channel="email",
                subject="Re: The robotics meetup",
                body="Hi Li, just floating this back up.",
                next_step_type="ask",
                next_step="20 minutes some time?",
                follow_up_when="",
                follow_up_date=MET + dt.timedelta(days=14),
            ),
        )
        assert (nudge.kind, nudge.in_reply_to) == ("nudge", first.message_id)
        mark_sent(session, nudge, MET + dt.timedelta(days=8))
        assert session.get(DraftRow, first.id).nudged_on == MET + dt.timedelta(days=8)  # type: ignore[union-attr]
        assert due_list(session, MET + dt.timedelta(days=30)) == []  # never nudged twice


def test_a_reply_cancels_the_nudge(url: str) -> None:
    with open_memory(url=url) as session:
        li, _ = add_person(session, PersonCard(name="Li Wei"))
        first = save_draft(
            session,
            li,
            Draft(
                channel="linkedin",
                body="Hi Li",
                next_step_type="ask",
                next_step="Coffee?",
                follow_up_when="",
                follow_up_date=MET,
            ),
        )
        assert first.message_id == ""  # only email carries a Message-ID
        mark_sent(session, first, MET)
        assert [e.kind for e in due_list(session, MET + dt.timedelta(days=10))] == ["nudge"]
        record_reply(session, li, MET + dt.timedelta(days=2))
        assert due_list(session, MET + dt.timedelta(days=10)) == []


def test_any_logged_touch_resets_the_rhythm(url: str) -> None:
    with open_memory(url=url) as session:
        bo, _ = add_person(session, PersonCard(name="Bo Chen", tags=["mentor"]))
        cy, _ = add_person(session, PersonCard(name="Cy Diaz", tags=["mentor"]))
        set_rhythm(session, 30, 60, tag="mentor")
        set_rhythm(session, 7, 14, person=cy)  # a person's own rhythm wins over the tag's
        log_touch(session, bo, MET, "call")
        log_touch(session, cy, MET, "call")

        def levels(day: dt.date) -> dict[str, str]:
            return {e.person: e.level for e in due_list(session, day) if e.kind == "rhythm"}

        assert levels(MET + dt.timedelta(days=6)) == {}
        assert levels(MET + dt.timedelta(days=7)) == {"Cy Diaz": "ideal"}
        assert levels(MET + dt.timedelta(days=30)) == {"Cy Diaz": "maximum", "Bo Chen": "ideal"}
        assert levels(MET + dt.timedelta(days=61)) == {"Cy Diaz": "maximum", "Bo Chen": "maximum"}
        log_touch(session, bo, MET + dt.timedelta(days=61), "note", "bumped into him at the market")
        assert levels(MET + dt.timedelta(days=61)) == {"Cy Diaz": "maximum"}
        upcoming = due_list(session, MET + dt.timedelta(days=61), horizon=30)
        assert [(e.person, e.level) for e in upcoming if e.kind == "rhythm"] == [
            ("Cy Diaz", "maximum"),
            ("Bo Chen", "upcoming"),
        ]
        with pytest.raises(InputError, match="maximum at least the ideal"):
            set_rhythm(session, 30, 10, person=bo)


def test_find_person_by_email_name_or_part_and_ambiguity(url: str) -> None:
    with open_memory(url=url) as session:
        add_person(session, PersonCard(name="Ana Ruiz", email="ana@example.es"))
        add_person(session, PersonCard(name="Ana Torres"))
        assert find_person(session, "ANA@example.es").name == "Ana Ruiz"
        assert find_person(session, "ana torres").name == "Ana Torres"
        assert find_person(session, "Ruiz").name == "Ana Ruiz"
        with pytest.raises(InputError, match="matches several people"):
            find_person(session, "Ana")
        with pytest.raises(InputError, match="No one called 'Zed'"):
            find_person(session, "Zed")
        again, created = add_person(session, PersonCard(name="Ana R.", email="ana@example.es", phone="+34 1"))
        assert not created and again.name == "Ana Ruiz" and again.phone == "+34 1"


def test_forget_leaves_no_row_behind_checked_in_the_database(url: str, tmp_path: Path) -> None:
    marker = "Zanzibar-kiln-7731"
    with open_memory(url=url) as session:
        ana, first = meet_ana(session)
        log_conversation(session, ana, MET, f"Second chat: {marker}", where="Valencia")
        mark_sent(session, first, MET)
        set_rhythm(session, 30, 60, person=ana)
        record_reply(session, ana, MET + dt.timedelta(days=1), summary=marker)
        other, _ = add_person(session, PersonCard(name="Li Wei"))
        log_touch(session, other, MET, "call")
        ana_id, other_id = ana.id, other.id
    with open_memory(url=url) as session:
        counts = forget(session, find_person(session, "Ana Ruiz"))
    assert counts == {
        "people": 1,
        "conversations": 2,
        "drafts": 1,
        "ledger_items": 3,
        "touches": 4,
        "rhythms": 1,
    }

    engine = db.get_engine(url)
    with engine.connect() as connection:
        for table in MEMORY_TABLES:
            column = "id" if table == "people" else "person_id"
            left = connection.execute(
                text(f"SELECT count(*) FROM {table} WHERE {column} = :id"), {"id": ana_id}
            )
            assert left.scalar() == 0, table
        assert connection.execute(text("SELECT count(*) FROM people")).scalar() == 1
        assert (
            connection.execute(
                text("SELECT count(*) FROM touches WHERE person_id = :id"), {"id": other_id}
            ).scalar()
            == 1
        )
        for table in MEMORY_TABLES:  # no stray copy of the notes anywhere
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                assert marker not in repr(tuple(row)) and "Ana" not in repr(tuple(row)), table
    if url.startswith("sqlite"):
        db.dispose_all()
        path = Path(url.removeprefix("sqlite:///"))
        with sqlite3.connect(path) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = path.read_bytes() + (
            path.with_name(path.name + "-wal").read_bytes()
            if path.with_name(path.name + "-wal").exists()
            else b""
        )
        assert marker.encode() not in data, "secure_delete overwrites the forgotten notes in the file"


def test_the_migration_matches_the_tables_and_downgrades_cleanly(url: str) -> None:
    db.migrate(url)
    engine = db.get_engine(url)
    with engine.connect() as connection:
        assert set(MEMORY_TABLES) <= set(inspect(connection).get_table_names())
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == "0002_memory"
        mine = set(MEMORY_TABLES)
        diffs = [d for d in compare_metadata(context, db.Base.metadata) if _table_of(d) in mine]
        assert diffs == []
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS))
    config.set_main_option("path_separator", "os")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001_jobs")
    with engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
        assert not (set(MEMORY_TABLES) & names) and "jobs" in names


def _table_of(diff: Any) -> str:
    """The table an alembic autogenerate difference is about."""
    item = diff[0] if isinstance(diff, list) else diff  # modify_* differences come in lists
    target = item[1]
    if hasattr(target, "table"):  # an index, a constraint or a column
        return str(target.table.name)
    if item[0].endswith("_table"):
        return str(target.name)
    return str(item[2])  # ("add_column", schema, table, column), ("modify_*", schema, table, ...)


def test_rows_keep_their_person_through_the_orm(url: str) -> None:
    with open_memory(url=url) as session:
        ana, first = meet_ana(session)
        assert session.scalar(select(func.count()).select_from(ConversationRow)) == 1
        assert session.scalar(select(func.count()).select_from(TouchRow)) == 1
        assert session.scalar(select(func.count()).select_from(RhythmRow)) == 0
        assert [d.id for d in ana.drafts] == [first.id]


def test_approved_batch_rows_become_people_conversations_and_drafts(url: str) -> None:
    from drafter.models import BatchRow, DraftRequest

    request = DraftRequest(
        contact=Contact(name="Li Wei", email="li@example.cn", where_met="PyCon"),
        notes="Talked about the robotics meetup.",
        channel="email",
    )
    row = BatchRow(
        row=1,
        name="Li Wei",
        email="li@example.cn",
        channel="email",
        status="ok",
        subject="The robotics meetup",
        body="Hi Li, ...",
        next_step_type="ask",
        next_step="Would you have 20 minutes?",
        follow_up_date="2026-11-09",
    )
    failed = BatchRow(row=2, name="Bo", status="error", error="notes are empty")
    with open_memory(url=url) as session:
        (saved,) = approve_rows(session, [(request, row)], MET, where="Expo")
        li = find_person(session, "li@example.cn")
        assert (li.name, li.source) == ("Li Wei", "batch")
        (conversation,) = li.conversations
        assert (conversation.where, conversation.notes) == ("PyCon", "Talked about the robotics meetup.")
        assert (saved.status, saved.follow_up_date, saved.conversation_id) == (
            "approved",
            dt.date(2026, 11, 9),
            conversation.id,
        )
        with pytest.raises(InputError, match="Row 2 has no draft"):
            approve_rows(session, [(request, failed)], MET)
