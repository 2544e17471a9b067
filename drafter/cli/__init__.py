"""The `drafter` command line: results to stdout, progress and diagnostics to stderr.

One group, `main`; each face's commands live in a module of this package and are registered
below with one line each.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from .. import __version__
from ..config import Settings
from ..errors import DrafterError

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


def settings(**overrides: Any) -> Settings:
    """Settings from DRAFTER_* variables, with the command's options on top."""
    return Settings.from_env(**overrides)


def _register() -> None:
    # Imported here, after `main` and `settings` exist: the command modules use them.
    from .batch import batch
    from .bench import bench
    from .draft import draft
    from .due import due, followup, forget
    from .evaluation import eval_group
    from .guidance import guidance_group, index_cmd, ingest_cmd, search_cmd
    from .memory import contacts
    from .model import model
    from .serve import serve

    main.add_command(draft)
    main.add_command(batch)
    main.add_command(model)
    main.add_command(bench)
    main.add_command(eval_group)
    main.add_command(index_cmd)
    main.add_command(ingest_cmd)
    main.add_command(guidance_group)
    main.add_command(search_cmd)
    main.add_command(serve)
    main.add_command(contacts)
    main.add_command(due)
    main.add_command(followup)
    main.add_command(forget)


_register()
