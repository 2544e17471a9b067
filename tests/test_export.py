"""Exports: .eml drafts parse back, mailto: links decode, .ics files are well formed."""

from __future__ import annotations

import datetime as dt
import email
import io
import re
import zipfile
from email import policy
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from icalendar import Calendar

from drafter.errors import InputError
from drafter.export import (
    Cadence,
    cadence_ics,
    digest_ics,
    eml_filename,
    eml_message_id,
    eml_zip,
    mailto_link,
    message_text,
    reply_subject,
    to_eml,
    to_ics,
)
from drafter.models import Contact, Draft

BODY = "Hi Jäne,\n\nGreat to talk about trail running; I'll send the map, as promised.\n\nBest,\nSam"


def make_draft(**changes) -> Draft:
    values = dict(
        channel="email",
        subject="Great to meet you at PyCon",
        body=BODY,
        next_step_type="offer",
        next_step="send the trail map",
        follow_up_when="next week",
        follow_up_date=dt.date(2026, 12, 2),
    )
    values.update(changes)
    return Draft(**values)


JANE = Contact(name="Jäne O'Brien", email="jane@example.com", company="Acme")


def parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def test_eml_parses_back_with_recipient_subject_body_and_unsent_flag():
    msg = parse(to_eml(make_draft(), JANE, "Sam Lee", "sam@example.org"))
    assert msg["To"].addresses[0].addr_spec == "jane@example.com"
    assert msg["To"].addresses[0].display_name == "Jäne O'Brien"
    assert msg["From"].addresses[0].addr_spec == "sam@example.org"
    assert msg["Subject"] == "Great to meet you at PyCon"
    assert msg["X-Unsent"] == "1"
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content().replace("\r\n", "\n").rstrip("\n") == BODY


def test_eml_uses_crlf_line_endings():
    data = to_eml(make_draft(), JANE, "Sam")
    assert b"\r\n" in data
    assert re.search(rb"[^\r]\n", data) is None


@pytest.mark.parametrize(
    ("contact_email", "sender_email", "has_to", "has_from"),
    [
        ("", "", False, False),
        ("not an address", "sam@example.org", False, True),
        ("jane@example.com", "", True, False),
    ],
)
def test_eml_leaves_out_addresses_it_cannot_use(contact_email, sender_email, has_to, has_from):
    contact = Contact(name="Jane", email=contact_email)
    msg = parse(to_eml(make_draft(), contact, "Sam", sender_email))
    assert ("To" in msg) is has_to
    assert ("From" in msg) is has_from
    assert msg["X-Unsent"] == "1"


def test_eml_subject_cannot_inject_headers():
    draft = make_draft(subject="Hello\nBcc: everyone@example.com")
    msg = parse(to_eml(draft, JANE, "Sam"))
    assert msg["Bcc"] is None
    assert msg["Subject"] == "Hello Bcc: everyone@example.com"


def test_eml_without_subject_gets_a_plain_default():
    msg = parse(to_eml(make_draft(subject="  "), JANE, "Sam"))
    assert msg["Subject"] == "Following up"


def test_mailto_link_round_trips_subject_and_body():
    link = mailto_link(make_draft(), JANE)
    parts = urlsplit(link)
    assert parts.scheme == "mailto"
    assert unquote(parts.path) == "jane@example.com"
    query = parse_qs(parts.query)
    assert query["subject"] == ["Great to meet you at PyCon"]
    assert query["body"] == [BODY.replace("\n", "\r\n")]
    assert " " not in link and "\n" not in link


def test_mailto_link_leaves_recipient_empty_for_a_bad_address():
    link = mailto_link(make_draft(), Contact(name="Jane", email="jane at example"))
    assert link.startswith("mailto:?subject=")


def test_mailto_escapes_ampersands_and_question_marks():
    link = mailto_link(make_draft(subject="Q&A? yes", body="a&b=c?d"), JANE)
    query = parse_qs(urlsplit(link).query)
    assert query["subject"] == ["Q&A? yes"]
    assert query["body"] == ["a&b=c?d"]


def test_message_text_for_email_and_other_channels():
    assert message_text(make_draft()).startswith("Subject: Great to meet you at PyCon\n\nHi Jäne")
    assert message_text(make_draft(channel="linkedin", subject="")) == BODY


def unfold(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    return text.replace("\r\n ", "").split("\r\n")[:-1]


NOW = dt.datetime(2026, 11, 25, 17, 0, tzinfo=dt.UTC)


def test_ics_has_one_all_day_event_and_alarm_per_reminder():
    reminders = [
        ("Jane Doe", dt.date(2026, 12, 2), "Send the trail map"),
        ("Li Wei", dt.date(2026, 12, 31), "Ask about the meetup"),
    ]
    lines = unfold(to_ics(reminders, now=NOW))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 2
    assert lines.count("BEGIN:VALARM") == lines.count("END:VALARM") == 2
    assert "DTSTART;VALUE=DATE:20261202" in lines and "DTEND;VALUE=DATE:20261203" in lines
    assert "DTSTART;VALUE=DATE:20261231" in lines and "DTEND;VALUE=DATE:20270101" in lines
    assert lines.count("DTSTAMP:20261125T170000Z") == 2
    assert "SUMMARY:Follow up with Jane Doe" in lines
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(set(uids)) == 2
    assert lines.count("TRIGGER;RELATED=START:PT9H") == 2
    assert lines.count("ACTION:DISPLAY") == 2


def test_ics_uids_differ_for_identical_reminders():
    reminder = ("Jane", dt.date(2026, 12, 2), "Same")
    lines = unfold(to_ics([reminder, reminder], now=NOW))
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(uids) == 2 and uids[0] != uids[1]


def test_ics_escapes_commas_semicolons_backslashes_and_newlines():
    lines = unfold(to_ics([("Doe, Jane; PhD", dt.date(2026, 12, 2), "a\\b, c; d\nnext line")], now=NOW))
    assert "SUMMARY:Follow up with Doe\\, Jane\\; PhD" in lines
    assert "DESCRIPTION:a\\\\b\\, c\\; d\\nnext line" in lines


def test_ics_folds_long_lines_at_75_octets_without_splitting_characters():
    data = to_ics([("Jane", dt.date(2026, 12, 2), "é" * 200)], now=NOW)
    for raw in data.split(b"\r\n"):
        assert len(raw) <= 75
        raw.decode("utf-8")  # every physical line is valid UTF-8 on its own
    assert "DESCRIPTION:" + "é" * 200 in unfold(data)


def test_ics_with_no_reminders_is_an_empty_calendar():
    assert unfold(to_ics([], now=NOW))[-1] == "END:VCALENDAR"


def test_eml_zip_holds_safe_unique_names():
    data = eml_zip(
        [
            (eml_filename(1, "Jäne Doe"), b"one"),
            (eml_filename(1, "Jäne Doe"), b"two"),
            ("../../etc/passwd", b"three"),
        ]
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == ["01-jane-doe.eml", "01-jane-doe-2.eml", "etc-passwd.eml"]
        assert archive.read("01-jane-doe-2.eml") == b"two"


def test_eml_filename_falls_back_for_names_without_letters():
    assert eml_filename(3, "李伟") == "03-contact.eml"


# --- Message-ID and threaded replies -----------------------------------------------------------


def test_eml_always_carries_a_unique_message_id_on_the_senders_domain():
    first = parse(to_eml(make_draft(), JANE, "Sam", "sam@example.org"))
    second = parse(to_eml(make_draft(), JANE, "Sam", "sam@example.org"))
    assert re.fullmatch(r"<[^<>@\s]+@example\.org>", first["Message-ID"])
    assert first["Message-ID"] != second["Message-ID"]
    assert first["In-Reply-To"] is None and first["References"] is None


def test_eml_without_sender_address_uses_a_neutral_domain_not_the_host_name():
    msg = parse(to_eml(make_draft(), JANE, "Sam"))
    assert msg["Message-ID"].endswith("@follow-up-drafter.local>")


def test_eml_keeps_a_given_message_id_and_reads_it_back():
    data = to_eml(make_draft(), JANE, "Sam", message_id="<first.1@example.org>")
    assert parse(data)["Message-ID"] == "<first.1@example.org>"
    assert eml_message_id(data) == "<first.1@example.org>"


def test_threaded_reply_has_in_reply_to_and_references_in_order():
    draft = make_draft(subject=reply_subject("Great to meet you at PyCon"))
    data = to_eml(
        draft,
        JANE,
        "Sam",
        "sam@example.org",
        in_reply_to="<first.1@example.org>",
        references=["<root.0@example.org>", "<first.1@example.org>"],
    )
    msg = parse(data)
    assert msg["In-Reply-To"] == "<first.1@example.org>"
    assert msg["References"].split() == ["<root.0@example.org>", "<first.1@example.org>"]
    assert msg["Subject"] == "Re: Great to meet you at PyCon"
    assert msg["Message-ID"] not in ("<first.1@example.org>", "<root.0@example.org>")


@pytest.mark.parametrize("bad", ["", "not-an-id", "<no-at-sign>", "first@example.org\nBcc: x@y.z"])
def test_threading_ignores_malformed_ids(bad):
    msg = parse(to_eml(make_draft(), JANE, "Sam", in_reply_to=bad))
    assert msg["In-Reply-To"] is None and msg["References"] is None and msg["Bcc"] is None


@pytest.mark.parametrize(
    ("subject", "expected"),
    [("Hello", "Re: Hello"), ("Re: Hello", "Re: Hello"), ("RE:Hello", "RE:Hello"), ("", "Re: Following up")],
)
def test_reply_subject(subject, expected):
    assert reply_subject(subject) == expected


# --- Calendars parse back with icalendar -------------------------------------------------------


def components(data: bytes, name: str) -> list:
    return [c for c in Calendar.from_ical(data).walk() if c.name == name]


def test_reminders_parse_back_with_an_alarm_at_nine():
    data = to_ics([("Jäne O'Brien", dt.date(2026, 12, 2), "Send the trail map")], now=NOW)
    (event,) = components(data, "VEVENT")
    assert event.decoded("dtstart") == dt.date(2026, 12, 2)
    assert str(event["summary"]) == "Follow up with Jäne O'Brien"
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("trigger") == dt.timedelta(hours=9)


def test_digest_is_one_event_listing_every_line():
    lines = ["Jane Doe: send the trail map (3 days late)", "Li Wei: keep in touch (past the ideal gap)"]
    data = digest_ics(dt.date(2026, 12, 5), lines, now=NOW)
    (event,) = components(data, "VEVENT")
    assert str(event["summary"]) == "Follow-ups due (2)"
    assert event.decoded("dtstart") == dt.date(2026, 12, 5)
    description = str(event["description"])
    assert description.splitlines() == [f"- {line}" for line in lines]
    assert len(event.walk("VALARM")) == 1


def test_empty_digest_says_nothing_is_due():
    (event,) = components(digest_ics(dt.date(2026, 12, 5), [], now=NOW), "VEVENT")
    assert str(event["summary"]) == "Follow-ups due"
    assert str(event["description"]) == "Nothing is due."


def test_cadence_reminders_repeat_with_rrule_and_alarm():
    data = cadence_ics(
        [
            Cadence("Jane Doe", dt.date(2027, 1, 10), 30),
            Cadence("Li Wei", dt.date(2027, 2, 1), 90, "Quarterly"),
        ],
        now=NOW,
    )
    assert b"RRULE:FREQ=DAILY;INTERVAL=30\r\n" in data
    events = components(data, "VEVENT")
    assert [str(e["summary"]) for e in events] == ["Keep in touch with Jane Doe", "Keep in touch with Li Wei"]
    assert [e.decoded("dtstart") for e in events] == [dt.date(2027, 1, 10), dt.date(2027, 2, 1)]
    assert [dict(e["rrule"]) for e in events] == [
        {"FREQ": ["DAILY"], "INTERVAL": [30]},
        {"FREQ": ["DAILY"], "INTERVAL": [90]},
    ]
    assert all(len(e.walk("VALARM")) == 1 for e in events)
    assert str(events[1]["description"]) == "Quarterly"


def test_cadence_refuses_a_gap_below_one_day():
    with pytest.raises(InputError, match="whole number of days"):
        cadence_ics([Cadence("Jane", dt.date(2027, 1, 1), 0)])
