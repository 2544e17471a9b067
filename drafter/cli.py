"""The `drafter` command line: results to stdout, progress and diagnostics to stderr."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .config import Settings
from .errors import DrafterError
from .models import CHANNELS, NEXT_STEP_TYPES, BatchRow, Contact, DraftRequest

logger = logging.getLogger("drafter")


class DrafterGroup(click.Group):
    """Turns a DrafterError into one clear line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DrafterError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=DrafterGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="drafter")
@click.option("-v", "--verbose", count=True, help="More diagnostics on stderr (-vv for debug).")
def main(verbose: int) -> None:
    """Follow-up Drafter: turn notes about a conversation into a follow-up worth sending."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "openai", "chromadb"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def _settings(**overrides: Any) -> Settings:
    return Settings.from_env(**overrides)


@main.command()
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
    from .pipeline import Drafter

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


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--output", "output_path", type=click.Path(path_type=Path), default=None,
              help="Output file (.jsonl or .csv). Default: INPUT-drafts.jsonl.")
@click.option("--from", "sender", default=None, help="Your name, for rows without sender_name.")
@click.option("--resume", is_flag=True, help="Keep rows already ok in OUTPUT; draft the rest.")
@click.option("--concurrency", type=click.IntRange(1, 16), default=None,
              help="Rows drafted at once (default: DRAFTER_PARALLEL).")
@click.option("--max-rows", type=click.IntRange(1), default=1000, show_default=True)
def batch(
    input_path: Path,
    output_path: Path | None,
    sender: str | None,
    resume: bool,
    concurrency: int | None,
    max_rows: int,
) -> None:
    """Draft a follow-up for every row of a CSV or JSONL file."""
    from .batch import batch_file as run_batch
    from .pipeline import Drafter

    settings = _settings()
    concurrency = concurrency or settings.parallel
    if settings.backend == "embedded" and concurrency > settings.parallel:
        # Each concurrent row needs a slot of its own on the embedded server, or it waits its turn
        # and can run into the timeout.
        settings = settings.with_(parallel=concurrency)
    drafter = Drafter(settings)
    progress = _Progress()
    try:
        summary = run_batch(
            input_path,
            output_path,
            drafter=drafter,
            sender=sender or settings.sender_name,
            resume=resume,
            concurrency=concurrency,
            max_rows=max_rows,
            progress=progress,
        )
    except KeyboardInterrupt:
        progress.close()
        click.echo("Interrupted: finished rows are kept; run again with --resume to draft the rest.",
                   err=True)
        sys.exit(130)
    progress.close()
    click.echo(
        f"{summary.ok} ok, {summary.failed} failed of {summary.total} rows; "
        f"{summary.seconds_per_draft:.1f} s per draft; output: {summary.output}",
        err=True,
    )
    sys.exit(summary.exit_code)


class _Progress:
    """A progress bar on a terminal, plain lines otherwise (on stderr)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int, row: BatchRow) -> None:
        if self.tty:
            width = 30
            filled = int(width * done / max(total, 1))
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\r[{bar}] {done}/{total} rows")
            sys.stderr.flush()
        else:
            click.echo(f"row {row.row}: {row.status} ({done}/{total})", err=True)

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\n")


@main.group()
def model() -> None:
    """The embedded model: prepare and check it."""


@model.command("prepare")
def model_prepare() -> None:
    """Assemble and verify the embedded model (done once by `make setup`)."""
    from .local_model import prepare_model

    path = prepare_model(_settings())
    click.echo(str(path))


@model.command("check")
def model_check() -> None:
    """Start the configured backend and ask it for one short reply."""
    from langchain_core.messages import HumanMessage

    from . import llm

    settings = _settings()
    reply = llm.complete_json(
        llm.build_chat_model(settings),
        [HumanMessage('Reply with the JSON {"ok": true}.')],
        schema_name="check",
        schema={"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]},
        max_tokens=20,
    )
    backend, name = llm.describe_backend(settings)
    click.echo(f"{backend} model {name}: answered in {reply.seconds:.1f} s")


@main.group("eval")
def eval_group() -> None:
    """Measure retrieval and draft quality."""


@main.command()
@click.option(
    "--drafts", type=click.IntRange(1), default=12, show_default=True, help="Sequential warm drafts to time."
)
@click.option("--batch-rows", type=click.IntRange(1), default=36, show_default=True)
@click.option(
    "--concurrency",
    "concurrencies",
    type=click.IntRange(1, 8),
    multiple=True,
    help="Batch concurrency to try (repeat the option); default 1 and 2.",
)
@click.option("--no-cold", is_flag=True, help="Skip the cold-start measurement.")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="Write the figures as JSON.")
def bench(
    drafts: int, batch_rows: int, concurrencies: tuple[int, ...], no_cold: bool, output: Path | None
) -> None:
    """Measure start-up, draft latency, tokens, batch throughput, retrieval and memory."""
    from .bench import format_table, run_bench

    results = run_bench(
        _settings(),
        drafts=drafts,
        batch_rows=batch_rows,
        concurrencies=concurrencies or (1, 2),
        cold=not no_cold,
    )
    click.echo(format_table(results))
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=2) + "\n")
        click.echo(f"figures written to {output}", err=True)


DEFAULT_SCENARIOS = Path(__file__).resolve().parent.parent / "evals" / "scenarios.jsonl"


@eval_group.command("drafts")
@click.option("--scenarios", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=DEFAULT_SCENARIOS, show_default="evals/scenarios.jsonl")
@click.option("--backend", type=click.Choice(("embedded", "openai")), default=None,
              help="Backend to evaluate (default: DRAFTER_BACKEND).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N scenarios.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def eval_drafts(scenarios: Path, backend: str | None, limit: int | None, as_json: bool) -> None:
    """Run the scenarios through the real pipeline and score every draft."""
    from .evaluation import format_report, load_scenarios, run_eval
    from .pipeline import Drafter

    items = load_scenarios(scenarios)[:limit]
    drafter = Drafter(_settings(backend=backend))

    def progress(done: int, total: int, result: Any) -> None:
        click.echo(f"{done}/{total} {result.id}: {'pass' if result.passed else 'fail'}", err=True)

    report = run_eval(items, drafter, progress=progress)
    click.echo(report.model_dump_json(indent=2) if as_json else format_report(report))


def _register() -> None:
    from . import cli_guidance

    main.add_command(cli_guidance.index_cmd, "index")
    main.add_command(cli_guidance.ingest_cmd, "ingest")
    main.add_command(cli_guidance.guidance_group, "guidance")
    main.add_command(cli_guidance.search_cmd, "search")
    eval_group.add_command(cli_guidance.eval_retrieval_cmd, "retrieval")


_register()
