"""The contact memory on the command line: people, conversations, drafts and promises.

    drafter contacts import FILE                  LinkedIn Connections.csv or .vcf
    drafter contacts list [--json]                everyone (JSON objects with name, email, ...)
    drafter contacts export --vcard OUT           everyone as vCards (--version 3.0 or 4.0)
    drafter contacts add NAME [--email ...]       one person
    drafter contacts show NAME [--json]           conversations, drafts and the ledger
    drafter contacts log NAME --notes TEXT        a conversation; --draft drafts the follow-up
    drafter contacts promise NAME TEXT [--owner]  a ledger item by hand
    drafter contacts touch NAME [--kind call]     any touch (resets the rhythm)
    drafter contacts reply NAME                   they replied (no nudge)
    drafter contacts sent DRAFT_ID                you sent it: its next step becomes your promise
    drafter contacts item ITEM_ID --done|--drop|--defer-until DATE
    drafter contacts rhythm (NAME | --tag TAG) --ideal DAYS --max DAYS
    drafter contacts eml DRAFT_ID OUT             the draft as .eml, threaded

What is due, second touches and forgetting a person are in due.py.

Results go to stdout, diagnostics to stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from ..config import Settings
from ..memory import Memory, PersonCard
from ..models import CHANNELS, Draft

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _memory(read: bool = True) -> Memory:
    settings = Settings.from_env()
    return Memory(settings) if read else Memory(settings, reader=None)


def _day(value: dt.datetime | None) -> dt.date:
    return value.date() if value is not None else dt.date.today()


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def _text(value: str) -> str:
    return sys.stdin.read() if value == "-" else value


def _print_draft(draft_id: int, draft: Draft) -> None:
    if draft.subject:
        click.echo(f"Subject: {draft.subject}\n")
    click.echo(draft.body)
    click.echo(f"\nNext step ({draft.next_step_type}): {draft.next_step}", err=True)
    click.echo(
        f"Kept as draft {draft_id}: after sending it, run `drafter contacts sent {draft_id}`.", err=True
    )


@click.group()
def contacts() -> None:
    """The people you met: import, list, export, and what happened with them."""


@contacts.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(file: Path) -> None:
    """Import LinkedIn's Connections.csv or a .vcf (vCard 3.0 or 4.0)."""
    result = _memory().import_file(file)
    click.echo(
        f"Imported {result.added + result.updated} people from {file.name}: {result.added} new, "
        f"{result.updated} already known."
    )


@contacts.command("list")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of objects (name, email, company...).")
@click.option("--search", default="", help="Only people whose name, email or company holds this.")
@click.option("--tag", default="", help="Only people with this tag.")
def list_(as_json: bool, search: str, tag: str) -> None:
    """Everyone in the memory."""
    people = _memory().people(search, tag)
    if as_json:
        click.echo(_dump([p.model_dump(mode="json") for p in people]))
        return
    for p in people:
        last = f"  last touch {p.last_touch}" if p.last_touch else ""
        extra = f"  ({p.company})" if p.company else ""
        click.echo(
            f"{p.id:>4}  {p.name}  <{p.email}>{extra}{last}"
            if p.email
            else f"{p.id:>4}  {p.name}{extra}{last}"
        )


@contacts.command("export")
@click.option(
    "--vcard",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every person to this .vcf file (- for stdout).",
)
@click.option("--version", "version", type=click.Choice(["3.0", "4.0"]), default="3.0", show_default=True)
def export(out: Path, version: str) -> None:
    """Export everyone as vCards."""
    text = _memory().export_vcards(version)  # type: ignore[arg-type]
    if str(out) == "-":
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8", newline="")
    click.echo(f"Wrote {text.count('BEGIN:VCARD')} vCards to {out}", err=True)


@contacts.command("add")
@click.argument("name")
@click.option("--email", default="")
@click.option("--company", default="")
@click.option("--greet", default="", help="How to greet them (default: their first name).")
@click.option("--channel", type=click.Choice(CHANNELS), default=None)
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).")
def add(name: str, email: str, company: str, greet: str, channel: str | None, tags: tuple[str, ...]) -> None:
    """Add a person (or fill in blanks of the one with this email or name)."""
    card = PersonCard(name=name, email=email, company=company, greet=greet, tags=list(tags))
    person = _memory().add(card)
    if channel and channel != person.channel:
        click.echo("The channel follows the address: an email makes it email.", err=True)
    click.echo(f"{person.id}  {person.name}")


@contacts.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
def show(name: str, as_json: bool) -> None:
    """One person: conversations, drafts and the promise ledger."""
    detail = _memory().person(name)
    if as_json:
        click.echo(_dump(detail.model_dump(mode="json")))
        return
    p = detail.person
    click.echo(
        f"{p.name} <{p.email}>  greet as {p.greet or '-'}, via {p.channel}, tags {', '.join(p.tags) or '-'}"
    )
    for c in detail.conversations:
        click.echo(f"  conversation {c.id}  {c.happened_on}  {c.where}")
    for d in detail.drafts:
        click.echo(f"  draft {d.id}  {d.kind}  {d.status}  {d.subject or d.next_step}")
    for i in detail.items:
        click.echo(f"  item {i.id}  {i.owner:<4}  {i.status:<8}  due {i.due_on}  {i.text}")


@contacts.command("log")
@click.argument("name")
@click.option("--notes", required=True, help="Your notes about the conversation, or - to read stdin.")
@click.option("--on", type=DATE, default=None, help="When you talked (YYYY-MM-DD, default today).")
@click.option("--where", default="", help="Where you talked.")
@click.option("--email", default="", help="Their email, for someone new.")
@click.option("--new", "is_new", is_flag=True, help="Add the person if they are not in the memory yet.")
@click.option(
    "--draft", "make_draft", is_flag=True, help="Also draft the follow-up (it avoids earlier messages)."
)
@click.option("--from", "sender", default=None, envvar="DRAFTER_SENDER_NAME", help="Your name.")
@click.option("--from-email", "sender_email", default="", help="Your address, for the Message-ID.")
def log(
    name: str,
    notes: str,
    on: dt.datetime | None,
    where: str,
    email: str,
    is_new: bool,
    no_read: bool,
    make_draft: bool,
    sender: str | None,
    sender_email: str,
) -> None:
    """Log a conversation: its promises, requests and plans enter the ledger."""
    memory, notes = _memory(read=not no_read), _text(notes)
    key: str | PersonCard = PersonCard(name=name, email=email) if is_new else name
    conversation, items = memory.log_conversation(key, notes, on=_day(on), where=where)
    click.echo(f"Logged conversation {conversation.id} with {len(items)} ledger items.", err=True)
    for item in items:
        click.echo(f"  item {item.id}  {item.owner:<4}  due {item.due_on}  {item.text}", err=True)
    if make_draft:
        from ..pipeline import Drafter

        request = memory.known_request(conversation.person_id, notes, where_met=where, sender=sender or "")
        draft = Drafter(memory.settings).draft(request)
        saved = memory.save_draft(
            conversation.person_id, draft, conversation_id=conversation.id, sender_email=sender_email
        )
        _print_draft(saved.id, draft)


@contacts.command("promise")
@click.argument("name")
@click.argument("text")
@click.option(
    "--owner",
    type=click.Choice(["me", "them", "both"]),
    default="me",
    show_default=True,
    help="Who owes it: me, them (their promise), or both (a plan).",
)
@click.option(
    "--due", "due_on", type=DATE, default=None, help="When it is due (default: a week for me, two otherwise)."
)
def promise(name: str, text: str, owner: str, due_on: dt.datetime | None) -> None:
    """Add a promise, request or plan to the ledger by hand."""
    item = _memory().add_item(name, owner, text, due_on=due_on.date() if due_on else None)
    click.echo(f"item {item.id}  {item.owner:<4}  due {item.due_on}  {item.text}")


@contacts.command("touch")
@click.argument("name")
@click.option(
    "--kind", type=click.Choice(["call", "meeting", "message", "note", "conversation"]), default="note"
)
@click.option("--on", type=DATE, default=None)
@click.option("--summary", default="")
def touch(name: str, kind: str, on: dt.datetime | None, summary: str) -> None:
    """Log any touch (a call, a chance meeting...): it resets the keep-in-touch clock."""
    _memory().log_touch(name, on=_day(on), kind=kind, summary=summary)
    click.echo(f"Logged a {kind} with {name}.", err=True)


@contacts.command("reply")
@click.argument("name")
@click.option("--on", type=DATE, default=None)
def reply(name: str, on: dt.datetime | None) -> None:
    """They replied: a touch, and no nudge for what you sent before."""
    _memory().reply(name, on=_day(on))
    click.echo(f"Noted {name}'s reply.", err=True)


@contacts.command("sent")
@click.argument("draft_id", type=int)
@click.option("--on", type=DATE, default=None)
@click.option("--message-id", default="", help="The Message-ID your mail client gave it, if it changed it.")
def sent(draft_id: int, on: dt.datetime | None, message_id: str) -> None:
    """You sent the draft: its next step becomes your open promise (a delivery closes its promise)."""
    for item in _memory().mark_sent(draft_id, on=_day(on), message_id=message_id):
        click.echo(f"item {item.id}  {item.owner:<4}  {item.status:<8}  due {item.due_on}  {item.text}")


@contacts.command("item")
@click.argument("item_id", type=int)
@click.option("--done", "status", flag_value="done")
@click.option("--drop", "status", flag_value="dropped")
@click.option("--reopen", "status", flag_value="open")
@click.option("--defer-until", type=DATE, default=None, help="Put it off until this day.")
def item(item_id: int, status: str | None, defer_until: dt.datetime | None) -> None:
    """Close, drop, reopen or defer a ledger item."""
    if defer_until is not None:
        status = "deferred"
    if status is None:
        raise click.UsageError("Say what to do: --done, --drop, --reopen or --defer-until DATE.")
    out = _memory().set_item(
        item_id, status, on=dt.date.today(), until=_day(defer_until) if defer_until else None
    )
    click.echo(f"item {out.id}  {out.status}  due {out.due_on}  {out.text}")


@contacts.command("rhythm")
@click.argument("name", required=False)
@click.option("--tag", default="", help="A rhythm for everyone with this tag instead.")
@click.option("--ideal", type=int, required=True, help="Ideal gap between touches, in days.")
@click.option("--max", "maximum", type=int, required=True, help="Longest acceptable gap, in days.")
def rhythm(name: str | None, tag: str, ideal: int, maximum: int) -> None:
    """Keep in touch with a person (or a tag) every IDEAL days, at most MAX."""
    _memory().set_rhythm(ideal, maximum, key=name, tag=tag)
    click.echo(f"Keep in touch with {name or 'tag ' + tag}: every {ideal} days, at most {maximum}.", err=True)


@contacts.command("eml")
@click.argument("draft_id", type=int)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "sender", default="", envvar="DRAFTER_SENDER_NAME")
@click.option("--from-email", "sender_email", default="")
def eml(draft_id: int, out: Path, sender: str, sender_email: str) -> None:
    """Write a kept draft as .eml (with its Message-ID; a second touch is threaded to the first)."""
    out.write_bytes(_memory().eml(draft_id, sender=sender, sender_email=sender_email))
    click.echo(f"Wrote {out}", err=True)
