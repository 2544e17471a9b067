"""What is due, second touches, and forgetting a person, on the command line.

    drafter due [--json] [--ics OUT] [--cadences OUT] [--digest-dir DIR]
    drafter followup (--item ID | --draft ID) [--notes TEXT] [--eml OUT]
    drafter forget NAME [--yes]

Results go to stdout, diagnostics to stderr.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .memory import DATE, _day, _dump, _memory, _print_draft, _text


@click.command()
@click.option("--json", "as_json", is_flag=True, help="The list as JSON.")
@click.option("--today", type=DATE, default=None, help="Count lateness from this day (default today).")
@click.option("--within", type=click.IntRange(0, 365), default=0, help="Also what falls due in N days.")
@click.option(
    "--nudge-after",
    type=click.IntRange(1, 365),
    default=7,
    show_default=True,
    help="Days without a reply before a nudge is due.",
)
@click.option(
    "--ics",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write one digest .ics event listing everything due.",
)
@click.option(
    "--cadences",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write keep-in-touch rhythms as recurring .ics events.",
)
@click.option(
    "--digest-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write today's digest as due-YYYY-MM-DD.txt and .ics in this folder (for a daily job).",
)
def due(
    as_json: bool,
    today: dt.datetime | None,
    within: int,
    nudge_after: int,
    ics: Path | None,
    cadences: Path | None,
    digest_dir: Path | None,
) -> None:
    """What is owed, to whom, and how late; who is past their keep-in-touch gap."""
    memory, day = _memory(), _day(today)
    entries = memory.due(day, horizon=within, nudge_after=nudge_after)
    if as_json:
        click.echo(_dump([e.model_dump(mode="json") for e in entries]))
    else:
        for e in entries:
            ref = f"item {e.item_id}" if e.item_id else f"draft {e.draft_id}" if e.draft_id else "-"
            click.echo(f"{e.level:<8} {e.kind:<9} {ref:<10} {e.line()}")
        if not entries:
            click.echo("Nothing is due.", err=True)
    if ics is not None:
        ics.write_bytes(memory.digest_ics(day, horizon=within, nudge_after=nudge_after))
    if cadences is not None:
        cadences.write_bytes(memory.cadence_ics(day))
    if digest_dir is not None:
        digest_dir.mkdir(parents=True, exist_ok=True)
        lines = [e.line() for e in entries] or ["Nothing is due."]
        (digest_dir / f"due-{day}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (digest_dir / f"due-{day}.ics").write_bytes(
            memory.digest_ics(day, horizon=within, nudge_after=nudge_after)
        )


@click.command()
@click.option(
    "--item", "item_id", type=int, default=None, help="A promise from `drafter due` (deliver or ask after)."
)
@click.option("--draft", "draft_id", type=int, default=None, help="A sent message with no reply (nudge).")
@click.option("--notes", default="", help="What to add: the link, what you are sending (- for stdin).")
@click.option("--from", "sender", default=None, envvar="DRAFTER_SENDER_NAME", help="Your name.")
@click.option("--from-email", "sender_email", default="", help="Your address, for the Message-ID.")
@click.option(
    "--eml",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write it as .eml, threaded to the first message.",
)
def followup(
    item_id: int | None,
    draft_id: int | None,
    notes: str,
    sender: str | None,
    sender_email: str,
    eml: Path | None,
) -> None:
    """Draft the second touch: deliver a promise, ask after theirs, or nudge after no reply."""
    from ..pipeline import Drafter

    memory = _memory()
    saved, draft = memory.draft_second_touch(
        Drafter(memory.settings),
        item_id=item_id,
        draft_id=draft_id,
        notes=_text(notes),
        sender=sender or "",
        sender_email=sender_email,
    )
    _print_draft(saved.id, draft)
    if eml is not None:
        eml.write_bytes(memory.eml(saved.id, sender=sender or "", sender_email=sender_email))


@click.command()
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def forget(name: str, yes: bool) -> None:
    """Delete a person with every conversation, draft, promise and touch of theirs."""
    memory = _memory()
    person = memory.person(name).person
    if not yes:
        click.confirm(f"Forget {person.name} and everything about them?", abort=True, err=True)
    counts = memory.forget(person.id)
    rows = sum(counts.values())
    click.echo(
        f"Forgot {person.name}: {rows} rows deleted "
        f"({', '.join(f'{n} {t}' for t, n in counts.items() if n)})."
    )
