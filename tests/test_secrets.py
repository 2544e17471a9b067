"""A planted API key must appear in no artefact of a run: logs, outputs, errors, exports."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from stub_server import StubServer, ok, status

from drafter import llm
from drafter.cli import main

KEY = "sk-planted-7f3a9c1e5b2d4"

REPLY = {
    "subject": "The bike map",
    "recall": "Thanks for the chat at the climate meetup about bike commuting.",
    "next_step": "I'll send you the city's bike map next week.",
    "guidance": [],
}


def _every_file_under(folder: Path) -> str:
    texts = []
    for path in folder.rglob("*"):
        if path.is_file():
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


@pytest.mark.parametrize("failing", [False, True], ids=["ok", "server-error"])
def test_planted_key_appears_in_no_artefact(
    failing: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(llm, "ALLOW_MODEL_REQUESTS", True)  # the target is our own loopback stub
    caplog.set_level(logging.DEBUG)
    behaviour = status(401, message=f"bad key {KEY}") if failing else ok(REPLY)
    with StubServer(default=behaviour) as stub:
        monkeypatch.setenv("DRAFTER_BACKEND", "openai")
        monkeypatch.setenv("OPENAI_BASE_URL", stub.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("DRAFTER_MAX_RETRIES", "0")
        source = tmp_path / "event.csv"
        source.write_text(
            "name,notes\nAna Ruiz,Climate meetup: bike commuting. I'll send her the bike map.\n",
            encoding="utf-8",
        )
        runner = CliRunner()
        batch = runner.invoke(main, ["-vv", "batch", str(source), "--output", str(tmp_path / "out.csv")])
        one = runner.invoke(main, ["-vv", "draft", "--name", "Ana", "--json", "--notes", "bike commuting"])
        assert stub.requests, "the stub server was reached"
        sent = stub.requests[0]
    assert batch.exit_code == (1 if failing else 0), batch.output
    artefacts = "\n".join(
        [
            batch.output,
            batch.stderr,
            one.output,
            one.stderr,
            caplog.text,
            _every_file_under(tmp_path),
        ]
    )
    assert KEY not in artefacts
    # The key went where it belongs: the request's header, never its body.
    assert sent["authorization"] == f"Bearer {KEY}"
    assert KEY not in json.dumps(sent["body"])
