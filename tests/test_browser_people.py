"""Real browser (Debian's chromium via Playwright) on the People and due tab, with the embedded
model: mark a draft sent, see its promise due, draft the second touch, download the digest .ics.

The memory lives in its own SQLite file (DRAFTER_DATABASE_URL) so the real data directory only
lends the model and the guidance index.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from icalendar import Calendar
from test_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DRAFT_TIMEOUT_MS,
    HEIGHT,
    ROOT,
    WIDTH,
    free_port,
    screenshot,
    wait_healthy,
)

from drafter.config import Settings
from drafter.memory import Memory, PersonCard
from drafter.models import Draft
from drafter.store import db

pytestmark = [pytest.mark.browser, pytest.mark.real_model]

TODAY = dt.date.today()


@pytest.fixture
def artifacts() -> Path:
    folder = ARTIFACTS / "people-and-due"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def people_app(real_data_dir: Path, artifacts: Path, tmp_path: Path) -> Iterator[tuple[str, int]]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing (/usr/bin/chromium): run `make setup` to install it.")
    url = f"sqlite:///{tmp_path / 'memory.db'}"
    memory = Memory(Settings.from_env(database_url=url), reader=None)
    conversation, _ = memory.log_conversation(
        PersonCard(name="Ana Ruiz", email="ana@example.es"),
        "Met Ana at the Ceramics Expo; she runs a studio in Valencia. I'll send her the kiln schedule.",
        on=TODAY - dt.timedelta(days=7),
        where="Ceramics Expo",
    )
    first = Draft(
        channel="email",
        subject="Your studio in Valencia",
        body="Hi Ana,\n\nLovely to hear about your studio in Valencia. I'll send you the kiln "
        "schedule in a few days.\n\nBest,\nSam",
        next_step_type="offer",
        next_step="I'll send you the kiln schedule",
        follow_up_when="in a few days",
        follow_up_date=TODAY - dt.timedelta(days=1),
    )
    draft_id = memory.save_draft(
        conversation.person_id, first, conversation_id=conversation.id, sender_email="sam@example.org"
    ).id
    db.dispose_all()
    port = free_port()
    env = {**os.environ, "DRAFTER_DATA_DIR": str(real_data_dir), "DRAFTER_DATABASE_URL": url}
    log = artifacts / "streamlit.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("streamlit")),
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, log)
        yield f"http://127.0.0.1:{port}", draft_id
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_mark_sent_see_it_due_draft_the_second_touch_and_download_the_digest(people_app, artifacts):
    from playwright.sync_api import expect, sync_playwright

    url, draft_id = people_app
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, accept_downloads=True)
        page = context.new_page()
        try:
            page.goto(url)
            page.get_by_role("heading", name="Follow-up Drafter").wait_for(timeout=60_000)
            page.get_by_role("tab", name="People and due").click()
            page.get_by_text("Nothing is due.").wait_for(timeout=30_000)
            page.locator(f".st-key-sent-{draft_id}").get_by_role("button", name="Mark sent").click()

            page.get_by_text("Deliver my promise").wait_for(timeout=30_000)
            page.get_by_text("I'll send you the kiln schedule (1 day late)").wait_for(timeout=30_000)
            screenshot(page, artifacts / "due.png")
            with page.expect_download() as download:
                page.get_by_role("button", name="Digest .ics").click()
            digest = artifacts / "digest.ics"
            download.value.save_as(digest)
            (event,) = [c for c in Calendar.from_ical(digest.read_bytes()).walk() if c.name == "VEVENT"]
            assert str(event["summary"]) == "Follow-ups due (1)"
            assert "Ana Ruiz: I'll send you the kiln schedule (1 day late)" in str(event["description"])

            page.get_by_role("textbox", name="What to add").fill("https://example.es/kiln-schedule.pdf")
            page.get_by_role("button", name="Draft the second touch").click()
            page.get_by_role("heading", name="Second touch").wait_for(timeout=DRAFT_TIMEOUT_MS)
            # the heading can show a moment before the message under it: wait for its text
            expect(page.locator(".st-key-second-touch code")).to_contain_text("Ana", timeout=30_000)
            screenshot(page, artifacts / "second-touch.png")
            body = page.locator(".st-key-second-touch code").inner_text()
            assert "Ana" in body and "kiln" in body.lower()
            with page.expect_download() as eml_download:
                page.get_by_role("button", name="Download .eml (threaded)").click()
            eml = artifacts / "second-touch.eml"
            eml_download.value.save_as(eml)
            assert b"In-Reply-To: <" in eml.read_bytes()
            page.locator(".st-key-second-sent").get_by_role("button", name="Mark sent").click()
            page.get_by_text("Nothing is due.").wait_for(timeout=30_000)  # delivered: the promise closed
        finally:
            screenshot(page, artifacts / "last.png")
            context.close()
            browser.close()
