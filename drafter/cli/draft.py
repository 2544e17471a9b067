"""`drafter draft`: one follow-up, printed (or as JSON with the batch fields)."""

from __future__ import annotations

import json
import sys

import click

from ..models import CHANNELS, NEXT_STEP_TYPES, BatchRow, Contact, DraftRequest
from . import settings as _settings


@click.command()
@click.option("--name", required=True, help="The contact's name.")
@click.option("--notes", required=True, help="Your notes about the conversation, or - to read stdin.")
@click.option("--email", default="", help="The contact's email address.")
@click.option("--company", default="", help="The contact's company.")
@click.option("--where-met", default="", help="Where you met (event, place).")
@click.option("--channel", type=click.Choice(CHANNELS), default="email", show_default=True)
@click.option("--next-step", type=click.Choice(NEXT_STEP_TYPES), default=None, help="Next-step kind.")
@click.option("--from", "sender", default=None, envvar="DRAFTER_SENDER_NAME", help="Your name.")
@click.option("--json", "as_json", is_flag=True, help="Print the draft as JSON (the batch fields).")
def draft(
    name: str,
    notes: str,
    email: str,
    company: str,
    where_met: str,
    channel: str,
    next_step: str | None,
    sender: str | None,
    as_json: bool,
) -> None:
    """Draft one follow-up."""
    from ..pipeline import Drafter

    if notes == "-":
        notes = sys.stdin.read()
    try:
        request = DraftRequest(
            contact=Contact(name=name, email=email, company=company, where_met=where_met),
            notes=notes,
            channel=channel,  # type: ignore[arg-type]
            next_step_hint=next_step,  # type: ignore[arg-type]
            sender=sender or "",
        )
    except ValueError as exc:
        raise click.UsageError(_first_error(exc)) from None
    result = Drafter(_settings()).draft(request)
    row = BatchRow.from_draft(1, request, result)
    if as_json:
        click.echo(json.dumps(row.model_dump(), ensure_ascii=False, indent=2))
        return
    if result.subject:
        click.echo(f"Subject: {result.subject}\n")
    click.echo(result.body)
    click.echo("")
    click.echo(f"Next step ({result.next_step_type}): {row.next_step}")
    click.echo(f"Follow up: {result.follow_up_when} ({result.follow_up_date.isoformat()})")
    click.echo(f"Guidance: {', '.join(result.guidance_ids)}")
    for warning in result.warnings:
        click.echo(f"Warning: {warning}")


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return str(first.get("msg", exc)).removeprefix("Value error, ")
    return str(exc)
