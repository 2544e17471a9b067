"""Contacts in and out: LinkedIn's Connections.csv and vCard 3.0/4.0, on real-format files."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from drafter.errors import InputError
from drafter.memory.cards import PersonCard, read_cards, read_linkedin, read_vcards, write_vcards

FIXTURES = Path(__file__).parent / "fixtures" / "memory"


def test_linkedin_export_with_preamble_blank_lines_and_accents():
    people = read_linkedin(FIXTURES / "Connections.csv")
    assert [p.name for p in people] == ["María García López", "Jan van der Berg", "Zoë Ünal", "李 伟"]
    maria, jan, zoe, li = people
    assert (maria.given, maria.family) == ("María", "García López")
    assert maria.email == "maria.garcia@example.es"
    assert maria.company == "Universidad de Sevilla" and maria.position == "Profesora titular"
    assert maria.url == "https://www.linkedin.com/in/maria-garcia-lopez"
    assert maria.connected_on == dt.date(2024, 3, 12)
    assert jan.email == "" and jan.position == "Researcher, AI Lab"
    assert jan.connected_on == dt.date(2023, 1, 3)
    assert zoe.position == "Founder & CEO" and zoe.connected_on == dt.date(2025, 2, 1)
    assert li.connected_on == dt.date(2024, 11, 28)
    # no email: LinkedIn is the way to reach them
    assert [p.channel() for p in people] == ["email", "linkedin", "email", "linkedin"]
    assert maria.greeting() == "María"


def test_linkedin_with_a_byte_order_mark_and_the_older_columns():
    data = (
        "\ufeffFirst Name,Last Name,Email Address,Company,Position,Connected On\n"
        "Ada,Lovelace,ada@example.org,,,10 Dec 2020\n"
    )
    (ada,) = read_linkedin(data.encode("utf-8"))
    assert ada.name == "Ada Lovelace" and ada.email == "ada@example.org" and ada.url == ""
    assert ada.connected_on == dt.date(2020, 12, 10)


def test_a_csv_that_is_not_linkedins_names_the_problem():
    with pytest.raises(InputError, match="does not look like LinkedIn's Connections.csv"):
        read_linkedin(b"name,email\nJane,jane@example.com\n", name="people.csv")


def test_vcard_3_from_a_phone_with_groups_folding_and_preferred_address():
    maria, zoe = read_vcards(FIXTURES / "contacts-3.0.vcf")
    assert maria.name == "Dr. María García López"
    assert (maria.given, maria.family) == ("María", "García López")
    assert maria.email == "maria.garcia@example.es"  # the one marked pref, though grouped
    assert maria.phone == "+34 600 000 000"
    assert maria.company == "Universidad de Sevilla"
    assert maria.note == "Met at the PyCon ES keynote, talked about kilns and the physics of glaze crazing."
    assert maria.tags == ["conference", "research"]
    assert zoe.greeting() == "Zo"  # the nickname is how to greet her


def test_vcard_4_takes_the_pref_1_address():
    (jan,) = read_vcards(FIXTURES / "contacts-4.0.vcf")
    assert jan.name == "Jan van der Berg" and jan.family == "van der Berg"
    assert jan.email == "jan@home.example"
    assert jan.url == "https://www.linkedin.com/in/janvdberg"


def test_read_cards_tells_the_formats_apart_by_content():
    csv_bytes = (FIXTURES / "Connections.csv").read_bytes()
    vcf_bytes = (FIXTURES / "contacts-4.0.vcf").read_bytes()
    assert len(read_cards(io.BytesIO(csv_bytes), name="export.csv")) == 4
    assert [p.name for p in read_cards(vcf_bytes)] == ["Jan van der Berg"]
    with pytest.raises(InputError, match="neither LinkedIn's Connections.csv nor a .vcf"):
        read_cards(b"hello", name="notes.txt")


def test_a_file_without_vcards_names_the_problem():
    with pytest.raises(InputError, match="holds no vCard"):
        read_vcards(b"just text", name="x.vcf")


def comparable(people: list[PersonCard]) -> list[dict]:
    return [p.model_dump(exclude={"connected_on"}) for p in people]


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_linkedin_to_vcard_and_back_keeps_every_field_but_the_date(version):
    people = read_linkedin(FIXTURES / "Connections.csv")
    text = write_vcards(people, version=version)
    assert text.count(f"VERSION:{version}\r\n") == 4
    assert comparable(read_vcards(text.encode("utf-8"))) == comparable(people)


@pytest.mark.parametrize("source", ["contacts-3.0.vcf", "contacts-4.0.vcf"])
@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_vcard_round_trip_across_versions(source, version):
    people = read_vcards(FIXTURES / source)
    again = read_vcards(write_vcards(people, version=version).encode("utf-8"))
    assert comparable(again) == comparable(people)


def test_vcard_4_output_has_no_3_0_only_parameters():
    text = write_vcards([PersonCard(name="Zoë Ünal", email="zoe@example.com")], version="4.0")
    assert "EMAIL:zoe@example.com\r\n" in text and "INTERNET" not in text
    assert "N:Ünal;Zoë;;;\r\n" in text and "FN:Zoë Ünal\r\n" in text


def test_vcard_values_cannot_break_out_of_their_line():
    text = write_vcards([PersonCard(name="Eve\r\nEND:VCARD", company="A;B,C", note="x\nBEGIN:VCARD")])
    (eve,) = read_vcards(text.encode("utf-8"))
    assert eve.name == "Eve END:VCARD" and eve.company == "A;B,C" and eve.note == "x\nBEGIN:VCARD"
    lines = text.split("\r\n")
    assert lines.count("BEGIN:VCARD") == 1 and lines.count("END:VCARD") == 1


def test_unknown_vcard_version_is_refused():
    with pytest.raises(InputError, match="use 3.0 or 4.0"):
        write_vcards([], version="2.1")  # type: ignore[arg-type]


def test_utf16_vcard_as_some_address_books_export_it():
    text = (FIXTURES / "contacts-3.0.vcf").read_text(encoding="utf-8")
    people = read_vcards(text.encode("utf-16"))
    assert [p.name for p in people] == ["Dr. María García López", "Zoë Ünal"]
