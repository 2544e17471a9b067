"""The People and Due tab through AppTest on a real SQLite memory, with the fake model at the seam."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from icalendar import Calendar
from streamlit.testing.v1 import AppTest

from drafter.config import Settings
from drafter.memory import Memory, PersonCard
from drafter.models import Draft
from drafter.store import db

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TIMEOUT = 180  # a second touch builds the guidance index with real embeddings
TODAY = dt.date.today()


def seed() -> int:
    """Ana met last week; the first draft approved, its promise due yesterday."""
    memory = Memory(Settings.from_env(), reader=None)
    conversation, _ = memory.log_conversation(
        PersonCard(name="Ana Ruiz", email="ana@example.es"),
        "Talked about her studio in Valencia; I'll send her the kiln schedule.",
        on=TODAY - dt.timedelta(days=7),
        where="Ceramics Expo",
    )
    draft = Draft(
        channel="email",
        subject="Your studio in Valencia",
        body="Hi Ana,\n\nLovely to meet you.",
        next_step_type="offer",
        next_step="I'll send you the kiln schedule",
        follow_up_when="in a few days",
        follow_up_date=TODAY - dt.timedelta(days=1),
    )
    return memory.save_draft(conversation.person_id, draft, conversation_id=conversation.id).id


@pytest.fixture
def app(fake_model) -> AppTest:
    fake_model.default = {
        "subject": "Re: Your studio in Valencia",
        "recall": "Here is the kiln schedule I promised after our talk about your studio",
        "next_step": "Happy to talk through it on a call if useful",
        "guidance": [],
    }
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    yield at
    db.dispose_all()


def shown(at: AppTest) -> str:
    return "\n".join(
        [m.value for m in at.markdown] + [a.value for a in at.info] + [s.value for s in at.success]
    )


def test_mark_sent_see_it_due_and_download_the_digest(app: AppTest) -> None:
    draft_id = seed()
    app.run()
    assert not app.exception
    assert "Nothing is due." in shown(app)
    app.button(key=f"sent-{draft_id}").click().run()
    assert not app.exception
    text = shown(app)
    assert ":orange-badge[late] **Deliver my promise**" in text
    assert "Ana Ruiz\\: I'll send you the kiln schedule (1 day late)" in text  # user text escaped
    assert "Draft 1 · first · **sent**" in text
    digest = next(b for b in app.get("download_button") if b.proto.label == "Digest .ics")
    assert digest is not None


def test_digest_download_lists_the_due_entry() -> None:
    seed_id = seed()
    Memory(Settings.from_env(), reader=None).mark_sent(seed_id, on=TODAY)
    data = Memory(Settings.from_env(), reader=None).digest_ics(TODAY)
    (event,) = [c for c in Calendar.from_ical(data).walk() if c.name == "VEVENT"]
    assert str(event["summary"]) == "Follow-ups due (1)"
    db.dispose_all()


def test_draft_the_second_touch_from_the_due_list(app: AppTest) -> None:
    draft_id = seed()
    Memory(Settings.from_env(), reader=None).mark_sent(draft_id, on=TODAY - dt.timedelta(days=6))
    app.run()
    (entry,) = Memory(Settings.from_env(), reader=None).due(TODAY)
    key = f"deliver-{entry.item_id}-{entry.draft_id}-{entry.person_id}"
    app.text_input(key=f"notes-{key}").input("https://example.es/kiln.pdf")
    app.button(key=f"second-{key}").click().run()
    assert not app.exception
    assert not app.error, [e.value for e in app.error]
    assert any("kiln schedule" in c.value for c in app.code)
    app.button(key="second-sent").click().run()
    assert Memory(Settings.from_env(), reader=None).due(TODAY) == []  # delivered: the ledger closed
