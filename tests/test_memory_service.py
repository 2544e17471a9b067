"""/v1/contacts and /v1/due on a real uvicorn process on a loopback port, called with httpx."""

from __future__ import annotations

import email
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email import policy
from pathlib import Path

import httpx
import pytest
from icalendar import Calendar

FIXTURES = Path(__file__).parent / "fixtures" / "memory"
TOKEN = "memory-test-token-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def client(tmp_path: Path, clean_env: Path) -> Iterator[httpx.Client]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTER_")}
    env.update(DRAFTER_DATA_DIR=str(clean_env), DRAFTER_API_TOKENS=TOKEN, DRAFTER_SENDER_NAME="Sam")
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "drafter.service.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "the service did not start"
            time.sleep(0.2)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as http:
            yield http
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_contacts_need_the_token(client: httpx.Client) -> None:
    reply = httpx.get(str(client.base_url) + "/v1/contacts")
    assert reply.status_code == 401 and reply.json()["type"] == "unauthorized"
    wrong = httpx.get(str(client.base_url) + "/v1/due", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403 and "nope" not in wrong.text


def test_import_list_export_and_forget_over_http(client: httpx.Client) -> None:
    data = (FIXTURES / "Connections.csv").read_bytes()
    reply = client.post("/v1/contacts/import", files={"file": ("Connections.csv", data, "text/csv")})
    assert reply.status_code == 200, reply.text
    assert (reply.json()["added"], reply.json()["updated"]) == (4, 0)
    raw = client.post(
        "/v1/contacts/import",
        content=(FIXTURES / "contacts-4.0.vcf").read_bytes(),
        headers={"Content-Type": "text/vcard"},
    )
    assert (raw.json()["added"], raw.json()["updated"]) == (0, 1)  # Jan, known by name, gains his email
    people = client.get("/v1/contacts").json()
    assert {(p["name"], p["email"]) for p in people} >= {
        ("Jan van der Berg", "jan@home.example"),
        ("Zoë Ünal", "zoe@example.com"),
    }
    assert [p["name"] for p in client.get("/v1/contacts", params={"q": "ünal"}).json()] == ["Zoë Ünal"]
    vcf = client.get("/v1/contacts/export", params={"version": "4.0"})
    assert vcf.headers["content-type"].startswith("text/vcard") and vcf.text.count("BEGIN:VCARD") == 4
    wrong = client.post("/v1/contacts/import", content=b"x", headers={"Content-Type": "application/pdf"})
    assert wrong.status_code == 415 and wrong.json()["field"] == "Content-Type"
    bad = client.post("/v1/contacts/import", files={"file": ("people.csv", b"name\nJane\n", "text/csv")})
    assert bad.status_code == 422 and "LinkedIn" in bad.json()["message"]

    gone = client.delete("/v1/contacts/Zoë Ünal")
    assert gone.status_code == 200 and gone.json()["deleted"]["people"] == 1
    assert client.get("/v1/contacts/Zoë Ünal").status_code == 404
    missing = client.delete("/v1/contacts/Zoë Ünal")
    assert missing.status_code == 404 and missing.json()["type"] == "not_found"


def test_conversation_draft_sent_due_digest_and_threaded_eml(client: httpx.Client) -> None:
    assert (
        client.post("/v1/contacts", json={"name": "Ana Ruiz", "email": "ana@example.es"}).status_code == 201
    )
    conversation = client.post(
        "/v1/contacts/ana@example.es/conversations",
        json={"notes": "Talked about kilns.", "on": "2026-11-02", "where": "Expo"},
    )
    assert conversation.status_code == 201, conversation.text
    saved = client.post(
        "/v1/contacts/Ana Ruiz/drafts",
        json={
            "subject": "Kilns",
            "body": "Hi Ana, ...",
            "next_step_type": "offer",
            "next_step": "I'll send you the kiln schedule",
            "follow_up_date": "2026-11-06",
            "conversation_id": conversation.json()["conversation_id"],
            "sender_email": "sam@example.org",
        },
    )
    assert saved.status_code == 201, saved.text
    draft = saved.json()
    assert draft["status"] == "approved" and draft["message_id"].endswith("@example.org>")
    items = client.post(f"/v1/contacts/drafts/{draft['id']}/sent", json={"on": "2026-11-03"}).json()
    assert [(i["owner"], i["text"], i["due_on"]) for i in items] == [
        ("me", "I'll send you the kiln schedule", "2026-11-06")
    ]
    assert client.get("/v1/due", params={"today": "2026-11-05"}).json() == []
    (entry,) = client.get("/v1/due", params={"today": "2026-11-08"}).json()
    assert (entry["kind"], entry["person"], entry["days_late"]) == ("deliver", "Ana Ruiz", 2)
    digest = client.get("/v1/due/digest.ics", params={"today": "2026-11-08"})
    assert digest.headers["content-type"].startswith("text/calendar")
    (event,) = [c for c in Calendar.from_ical(digest.content).walk() if c.name == "VEVENT"]
    assert "Ana Ruiz: I'll send you the kiln schedule (2 days late)" in str(event["description"])
    eml = email.message_from_bytes(
        client.get(f"/v1/contacts/drafts/{draft['id']}/eml").content, policy=policy.default
    )
    assert eml["Message-ID"] == draft["message_id"] and eml["To"].addresses[0].addr_spec == "ana@example.es"
    done = client.post(f"/v1/contacts/items/{entry['item_id']}", json={"status": "done"})
    assert done.json()["status"] == "done"
    assert client.get("/v1/due", params={"today": "2026-11-08"}).json() == []
    assert client.post("/v1/contacts/drafts/999/sent", json={}).status_code == 404
    bad_rhythm = client.post("/v1/contacts/Ana Ruiz/rhythm", json={"ideal_days": 30, "max_days": 10})
    assert bad_rhythm.status_code == 422 and "maximum at least the ideal" in bad_rhythm.json()["message"]
    assert (
        client.post("/v1/contacts/Ana Ruiz/rhythm", json={"ideal_days": 7, "max_days": 14}).status_code == 204
    )
    cadence = client.get("/v1/due/cadences.ics", params={"today": "2026-11-08"})
    assert b"RRULE:FREQ=DAILY;INTERVAL=7" in cadence.content


def test_second_touch_needs_one_reference(client: httpx.Client) -> None:
    reply = client.post("/v1/due/second-touch", json={})
    assert reply.status_code == 422 and "Name one thing to follow up" in reply.json()["message"]
    assert client.post("/v1/due/second-touch", json={"item_id": 42}).status_code == 404


def test_a_whole_linkedin_export_is_not_too_large_to_import(client: httpx.Client) -> None:
    """A real network's export runs to hundreds of kilobytes: it has the upload limit, not the
    limit of a JSON request."""
    head = (FIXTURES / "Connections.csv").read_text(encoding="utf-8").split("First Name,")[0]
    rows = [
        f"Person{i},Example{i},https://www.linkedin.com/in/person{i},p{i}@example.com,Company {i},"
        f'"Engineer, team {i}",12 Mar 2024'
        for i in range(800)
    ]
    columns = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    data = (head + columns + "\n".join(rows)).encode()
    assert len(data) > 64 * 1024
    reply = client.post("/v1/contacts/import", files={"file": ("Connections.csv", data, "text/csv")})
    assert reply.status_code == 200, reply.text
    assert reply.json()["added"] == 800
