"""Contacts in and out: LinkedIn's Connections.csv, and vCard 3.0 and 4.0 (read and written by vobject).

Everything here is pure: files (paths, bytes, text or streams) become `PersonCard`s and cards
become vCard text. Nothing is stored; the memory decides what to keep.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, Literal

import dateparser
import vobject
from nameparser import HumanName
from pydantic import BaseModel, ConfigDict, Field

from ..errors import InputError

__all__ = ["LINKEDIN_COLUMNS", "PersonCard", "read_cards", "read_linkedin", "read_vcards", "write_vcards"]

logger = logging.getLogger(__name__)

Source = Path | str | bytes | BinaryIO
VCardVersion = Literal["3.0", "4.0"]

LINKEDIN_COLUMNS: tuple[str, ...] = (
    "First Name",
    "Last Name",
    "URL",
    "Email Address",
    "Company",
    "Position",
    "Connected On",
)
_LINKEDIN_REQUIRED = ("First Name", "Last Name")
_MAX_BYTES = 20 * 1024 * 1024  # a LinkedIn export of 30,000 connections is about 3 MB


class PersonCard(BaseModel):
    """One person as an address book or LinkedIn knows them."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str
    given: str = ""
    family: str = ""
    email: str = ""
    phone: str = ""
    company: str = ""
    position: str = ""
    url: str = ""
    note: str = ""
    tags: list[str] = Field(default_factory=list)
    connected_on: dt.date | None = None
    greet: str = ""  # how to greet them; the given name unless the user says otherwise

    def greeting(self) -> str:
        if self.greet:
            return self.greet
        return self.given or HumanName(self.name).first or self.name.split()[0]

    def channel(self) -> str:
        """The channel to reach them on, from what the card holds."""
        if self.email:
            return "email"
        if "linkedin.com/" in self.url:
            return "linkedin"
        return "text" if self.phone else "email"


def _read_bytes(source: Source, name: str) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, Path | str):
        path = Path(source)
        name = name or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"Cannot read {path}: {exc.strerror or exc}. Check the path.") from exc
    else:
        data = source.read()
        name = name or str(getattr(source, "name", ""))
    if len(data) > _MAX_BYTES:
        raise InputError(
            f"{name or 'The file'} is over {_MAX_BYTES // (1024 * 1024)} MB: split it and import the parts."
        )
    return data, name or "the file"


def _decode(data: bytes, name: str) -> str:
    """Text with \\n line ends: UTF-8 (with or without a BOM), UTF-16 with a BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            continue
    raise InputError(f"{name} is not text in UTF-8: save it as UTF-8 and import it again.")


# --- LinkedIn -----------------------------------------------------------------------------------


def _linkedin_date(value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%d %b %Y").date()  # "12 Mar 2024", LinkedIn's form
    except ValueError:
        parsed = dateparser.parse(value, languages=["en"], settings={"DATE_ORDER": "DMY"})
        return parsed.date() if parsed is not None else None


def read_linkedin(source: Source, *, name: str = "") -> list[PersonCard]:
    """People from LinkedIn's Connections.csv (Settings > Data privacy > Get a copy of your data).

    The export starts with a "Notes:" preamble; the header row is the first line holding
    "First Name" and "Last Name", wherever it is. Blank lines and rows without a name are skipped.
    """
    data, label = _read_bytes(source, name)
    lines = _decode(data, label).split("\n")
    start = None
    for index, line in enumerate(lines):
        cells = [cell.strip().strip('"').strip() for cell in next(csv.reader([line]), [])]
        if all(column in cells for column in _LINKEDIN_REQUIRED):
            start = index
            break
    if start is None:
        raise InputError(
            f"{label} does not look like LinkedIn's Connections.csv: no header row with "
            f"{', '.join(LINKEDIN_COLUMNS)}. Export it again from LinkedIn (Settings > Data privacy > "
            "Get a copy of your data > Connections)."
        )
    reader = csv.DictReader(io.StringIO("\n".join(lines[start:])))
    people: list[PersonCard] = []
    for row in reader:
        cell = {str(key).strip(): (value or "").strip() for key, value in row.items() if key is not None}
        given, family = cell.get("First Name", ""), cell.get("Last Name", "")
        full = " ".join(part for part in (given, family) if part)
        if not full:
            continue
        people.append(
            PersonCard(
                name=full,
                given=given,
                family=family,
                email=cell.get("Email Address", ""),
                company=cell.get("Company", ""),
                position=cell.get("Position", ""),
                url=cell.get("URL", ""),
                connected_on=_linkedin_date(cell.get("Connected On", "")),
            )
        )
    logger.info("read %d LinkedIn connections", len(people))
    return people


# --- vCard --------------------------------------------------------------------------------------


def _values(card: vobject.base.Component, key: str) -> list[vobject.base.ContentLine]:
    return list(card.contents.get(key, []))


def _first(card: vobject.base.Component, key: str) -> str:
    for line in _values(card, key):
        value = line.value
        if isinstance(value, list):
            value = " ".join(str(v) for v in value if v)
        if str(value).strip():
            return str(value).strip()
    return ""


def _preferred(card: vobject.base.Component, key: str) -> str:
    """The value marked preferred (TYPE=PREF in 3.0, PREF=1 in 4.0), else the first."""
    lines = [line for line in _values(card, key) if str(line.value).strip()]
    for line in lines:
        types = [t.lower() for t in line.params.get("TYPE", [])]
        if "pref" in types or line.params.get("PREF"):
            return str(line.value).strip()
    return str(lines[0].value).strip() if lines else ""


def _card_to_person(card: vobject.base.Component) -> PersonCard | None:
    given = family = ""
    if "n" in card.contents:
        parts = card.n.value
        given, family = str(parts.given or "").strip(), str(parts.family or "").strip()
        if isinstance(parts.given, list):
            given = " ".join(parts.given).strip()
        if isinstance(parts.family, list):
            family = " ".join(parts.family).strip()
    full = _first(card, "fn") or " ".join(p for p in (given, family) if p)
    if not full:
        return None
    org = ""
    for line in _values(card, "org"):
        value = line.value
        org = (value[0] if isinstance(value, list) and value else str(value)).strip()
        if org:
            break
    tags: list[str] = []
    for line in _values(card, "categories"):
        value = line.value if isinstance(line.value, list) else str(line.value).split(",")
        tags += [str(v).strip() for v in value if str(v).strip() and str(v).strip() not in tags]
    return PersonCard(
        name=full,
        given=given,
        family=family,
        email=_preferred(card, "email"),
        phone=_preferred(card, "tel"),
        company=org,
        position=_first(card, "title"),
        url=_first(card, "url"),
        note=_first(card, "note"),
        tags=tags,
        greet=_first(card, "nickname") if _first(card, "nickname") else "",
    )


def read_vcards(source: Source, *, name: str = "") -> list[PersonCard]:
    """People from a .vcf file of one or more vCards, version 3.0 or 4.0."""
    data, label = _read_bytes(source, name)
    text = _decode(data, label)
    if "BEGIN:VCARD" not in text.upper():
        raise InputError(
            f"{label} holds no vCard (no BEGIN:VCARD line): export contacts as .vcf and try again."
        )
    people: list[PersonCard] = []
    try:
        for component in vobject.readComponents(text, ignoreUnreadable=True):
            if component.name != "VCARD":
                continue
            person = _card_to_person(component)
            if person is not None:
                people.append(person)
    except (vobject.base.ParseError, ValueError) as exc:
        raise InputError(
            f"{label} is not a well-formed vCard file ({exc}): export it again and retry."
        ) from exc
    logger.info("read %d vCards", len(people))
    return people


def read_cards(source: Source, *, name: str = "") -> list[PersonCard]:
    """People from LinkedIn's Connections.csv or a .vcf file, told apart by the content."""
    data, label = _read_bytes(source, name)
    head = _decode(data[:4096], label).lstrip().upper()
    if head.startswith("BEGIN:VCARD") or label.lower().endswith((".vcf", ".vcard")):
        return read_vcards(data, name=label)
    if label.lower().endswith(".csv") or "FIRST NAME" in head:
        return read_linkedin(data, name=label)
    raise InputError(f"{label} is neither LinkedIn's Connections.csv nor a .vcf file: import one of those.")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def write_vcards(people: Iterable[PersonCard], version: VCardVersion = "3.0") -> str:
    """A .vcf text with one vCard per person (CRLF line endings, folded by vobject)."""
    if version not in ("3.0", "4.0"):
        raise InputError(f"vCard version {version} is not supported: use 3.0 or 4.0.")
    out: list[str] = []
    for person in people:
        card = vobject.vCard()
        card.add("version").value = version
        card.add("fn").value = _one_line(person.name)
        parsed = HumanName(person.name)
        given = person.given or parsed.first
        family = person.family or " ".join(p for p in (parsed.middle, parsed.last) if p)
        card.add("n").value = vobject.vcard.Name(family=_one_line(family), given=_one_line(given))
        if person.greet and person.greet != given:
            card.add("nickname").value = _one_line(person.greet)
        if person.email:
            line = card.add("email")
            line.value = _one_line(person.email)
            if version == "3.0":
                line.type_param = "INTERNET"
        if person.phone:
            card.add("tel").value = _one_line(person.phone)
        if person.company:
            card.add("org").value = [_one_line(person.company)]
        if person.position:
            card.add("title").value = _one_line(person.position)
        if person.url:
            card.add("url").value = _one_line(person.url)
        if person.note:
            card.add("note").value = person.note
        if person.tags:
            card.add("categories").value = [_one_line(tag) for tag in person.tags]
        out.append(card.serialize())
    return "".join(out)
