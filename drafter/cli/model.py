"""`drafter model prepare|check`: the configured backend's model."""

from __future__ import annotations

import click

from . import settings as _settings


@click.group()
def model() -> None:
    """The model: prepare and check it."""


@model.command("prepare")
def model_prepare() -> None:
    """Prepare the backend's model (the embedded one is assembled and verified; `make setup` does it)."""
    from .. import llm

    settings = _settings()
    click.echo(llm.provider_for(settings).prepare(settings))


@model.command("check")
def model_check() -> None:
    """Start the configured backend and ask it for one short reply."""
    from langchain_core.messages import HumanMessage

    from .. import llm
    from ..prompts import system_prompt

    settings = _settings()
    reply = llm.complete_json(
        # Drafts begin with this prompt: the embedded server reads it now and keeps its cache.
        llm.build_chat_model(settings, warm=system_prompt()),
        [HumanMessage('Reply with the JSON {"ok": true}.')],
        schema_name="check",
        schema={"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]},
        max_tokens=20,
    )
    backend, name = llm.describe_backend(settings)
    click.echo(f"{backend} model {name}: answered in {reply.seconds:.1f} s")
