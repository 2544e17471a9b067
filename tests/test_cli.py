"""The `drafter` command line, through click's runner, with the fake model at the seam."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drafter import __version__
from drafter.cli import main
from drafter.models import OUTPUT_FIELDS
from drafter.testing import FakeChatModel

REPLY = {
    "subject": "Bike map from the climate meetup",
    "recall": "Thanks for the lovely chat at the climate meetup; I keep thinking about what you said "
    "about bike commuting in the rain.",
    "next_step": "I'll send you the bike map I mentioned next week.",
    "guidance": ["G1"],
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_version_and_help(runner: CliRunner) -> None:
    assert runner.invoke(main, ["--version"]).output.strip() == f"drafter, version {__version__}"
    result = runner.invoke(main, ["-h"])
    assert result.exit_code == 0
    for command in ("draft", "batch", "index", "ingest", "search", "eval", "bench", "model"):
        assert command in result.output


def test_draft_json_prints_the_batch_fields(runner: CliRunner, fake_model: FakeChatModel) -> None:
    fake_model.queue(REPLY)
    result = runner.invoke(
        main,
        [
            "draft",
            "--name",
            "Ana Ruiz",
            "--from",
            "Sam",
            "--where-met",
            "climate meetup",
            "--json",
            "--notes",
            "Met at the climate meetup. We both love bike commuting. I said I'd send her the bike map.",
        ],
    )
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    assert tuple(row) == OUTPUT_FIELDS
    assert row["status"] == "ok" and row["name"] == "Ana Ruiz" and row["channel"] == "email"
    assert row["body"].startswith("Hi Ana,")
    assert row["next_step_type"] == "offer"
    assert row["guidance_ids"], "every draft cites its guidance"


def test_draft_reads_notes_from_stdin(runner: CliRunner, fake_model: FakeChatModel) -> None:
    fake_model.queue(dict(REPLY, subject=""))
    result = runner.invoke(
        main,
        ["draft", "--name", "Ana", "--notes", "-", "--channel", "text", "--from", "Sam"],
        input="Met at the climate meetup; we both love bike commuting. I'll send her the bike map.\n",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Hi Ana,")
    assert "Next step (offer)" in result.stdout
    assert "bike commuting" in fake_model.prompt_text()


def test_draft_with_empty_notes_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["draft", "--name", "Ana", "--notes", "  "])
    assert result.exit_code == 2
    assert "notes are empty" in result.output


def test_unknown_channel_names_the_allowed_ones(runner: CliRunner) -> None:
    result = runner.invoke(main, ["draft", "--name", "Ana", "--notes", "x", "--channel", "fax"])
    assert result.exit_code == 2
    assert "email" in result.output and "linkedin" in result.output


def test_batch_writes_one_row_per_input_and_exits_1_when_a_row_fails(
    runner: CliRunner, fake_model: FakeChatModel, tmp_path: Path
) -> None:
    fake_model.default = REPLY
    source = tmp_path / "event.csv"
    source.write_text(
        "Name,Notes,Channel\n"
        "Ana Ruiz,Climate meetup: bike commuting. I'll send her the bike map.,email\n"
        "Tom,,text\n"
        "Mei,Coffee line chat about container security.,linkedin\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["batch", str(source), "--from", "Sam"])
    assert result.exit_code == 1, result.output
    output = tmp_path / "event-drafts.jsonl"
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert [r["row"] for r in rows] == [1, 2, 3]
    assert [r["status"] for r in rows] == ["ok", "error", "ok"]
    assert "notes" in rows[1]["error"]
    assert "2 ok, 1 failed of 3 rows" in result.stderr


def test_batch_with_unreadable_input_exits_2_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "event.csv"
    source.write_text("name,email\nAna,ana@example.com\n", encoding="utf-8")
    result = runner.invoke(main, ["batch", str(source)])
    assert result.exit_code == 2
    assert "notes" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "event-drafts.jsonl").exists()


def test_backend_errors_are_one_line(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTER_BACKEND", "openai")
    monkeypatch.setattr("drafter.llm.ALLOW_MODEL_REQUESTS", True)
    result = runner.invoke(main, ["model", "check"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Error: No API key for backend 'openai': set OPENAI_API_KEY (and OPENAI_BASE_URL for another "
        "OpenAI-compatible server), or use the embedded model (DRAFTER_BACKEND=embedded)."
    )


def test_model_check_has_the_backend_keep_the_system_prompt_read(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drafter import llm
    from drafter.prompts import system_prompt

    seen: list[str] = []

    def build(settings: object, *, warm: str = "") -> FakeChatModel:
        seen.append(warm)
        return FakeChatModel([{"ok": True}])

    monkeypatch.setattr(llm, "build_chat_model", build)
    result = runner.invoke(main, ["model", "check"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("embedded model qwen2.5-coder-1.5b-instruct-q4_k_m: answered in ")
    assert seen == [system_prompt()]


def test_model_prepare_says_there_is_nothing_to_prepare_for_a_server(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRAFTER_BACKEND", "ollama")
    result = runner.invoke(main, ["model", "prepare"])
    assert (result.exit_code, result.stdout) == (0, "backend ollama: nothing to prepare\n")


def test_eval_offers_every_backend(runner: CliRunner) -> None:
    from drafter import llm

    result = runner.invoke(main, ["eval", "drafts", "-h"])
    assert "[" + "|".join(llm.backend_names()) + "]" in " ".join(result.output.split())


def test_eval_drafts_seeds_the_model_and_says_so_in_the_report(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drafter import evaluation

    seeds: list[int | None] = []

    def run_eval(items: list, drafter: Any, progress: Any = None) -> evaluation.EvalReport:
        seeds.append(drafter.settings.seed)
        return evaluation.summarize([], backend="embedded", model="m")

    monkeypatch.setattr(evaluation, "run_eval", run_eval)
    plain = runner.invoke(main, ["eval", "drafts", "--limit", "1"])
    chosen = runner.invoke(main, ["eval", "drafts", "--limit", "1", "--seed", "5", "--json"])
    assert plain.exit_code == chosen.exit_code == 0, plain.output + chosen.output
    assert seeds == [1, 5]
    assert plain.stdout.startswith("Draft evaluation: 0 scenarios (backend embedded, model m), seed 1")
    assert json.loads(chosen.stdout)["seed"] == 5


def test_eval_names_scores_each_case_and_lists_only_the_dev_misses(runner: CliRunner, tmp_path: Path) -> None:
    cases = tmp_path / "names.jsonl"
    rows = [
        {"id": "a", "contact": "Dr. María García López", "notes": "", "greet": "Dr. García López"},
        {"id": "b", "contact": "Elizabeth Moran", "notes": "Elizabeth goes by Liz", "greet": "Liz"},
        {"id": "c", "contact": "Robert Kaminski", "notes": "Met Robert at the fair.", "greet": "Bobo"},
    ]
    held_out = tmp_path / "names_test.jsonl"
    others = [
        {"id": "t", "split": "test", "contact": "Ann Lee", "notes": "Ann's sister Jo came", "greet": "Ann"},
        {"id": "u", "split": "test", "contact": "Ann Lee", "notes": "", "greet": "Annie"},
    ]
    cases.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    held_out.write_text("\n".join(json.dumps(r) for r in others) + "\n", encoding="utf-8")
    result = runner.invoke(main, ["eval", "names", "--cases", str(cases), "--cases", str(held_out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["splits"]
    assert report["dev"]["cases"] == 3 and report["dev"]["right"] == 2 and report["dev"]["rules_right"] == 2
    assert report["dev"]["misses"] == [{"id": "c", "expected": "Bobo", "got": "Robert"}]
    # a held-out miss is counted, never listed: nothing is tuned on it
    assert report["test"] == {"cases": 2, "right": 1, "rules_right": 1, "misses": []}
    text = runner.invoke(main, ["eval", "names", "--cases", str(cases), "--cases", str(held_out)]).output
    assert "dev: greeting right for 2 of 3 (66.7%); the name rules alone 2 (66.7%)" in text
    assert "held out: greeting right for 1 of 2" in text and "Annie" not in text


def test_eval_promises_counts_flags_on_steps_that_promise_and_on_steps_that_do_not(
    runner: CliRunner, tmp_path: Path
) -> None:
    cases = tmp_path / "steps.jsonl"
    rows = [
        {"text": "I'll send you the glaze recipe next week.", "promise": True, "split": "dev"},
        {"text": "Would you mind if I reach out again in a few weeks?", "promise": False, "split": "dev"},
        {"text": "I'll be at the fair too.", "promise": False, "split": "dev"},
        {"text": "Let me put you in touch with Dana.", "promise": True, "split": "test"},
    ]
    cases.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = runner.invoke(main, ["eval", "promises", "--cases", str(cases), "--json"])
    assert result.exit_code == 0, result.output
    splits = json.loads(result.stdout)["splits"]
    assert splits["dev"]["promises"] == 1 and splits["dev"]["flagged"] == 1
    assert splits["dev"]["honest"] == 2 and splits["dev"]["false_flags"] == 0
    assert splits["test"]["promises"] == 1 and splits["test"]["flagged"] == 1
    text = runner.invoke(main, ["eval", "promises", "--cases", str(cases)]).output
    assert "dev: flags 1 of 1 steps that promise something and 0 of 2 that do not" in text
    assert "held out: flags 1 of 1" in text
    for second in ('{"promise": false}', '{"text": "I will.", "promise": "no"}'):
        cases.write_text('{"text": "I will send it.", "promise": true}\n' + second + "\n", encoding="utf-8")
        bad = runner.invoke(main, ["eval", "promises", "--cases", str(cases)])
        assert bad.exit_code != 0 and "steps.jsonl, line 2" in bad.output, second


def test_eval_names_says_which_line_is_not_a_case(runner: CliRunner, tmp_path: Path) -> None:
    cases = tmp_path / "names.jsonl"
    cases.write_text('{"id": "a", "contact": "Ann Lee", "greet": "Ann"}\n{"id": "b"}\n', encoding="utf-8")
    result = runner.invoke(main, ["eval", "names", "--cases", str(cases)])
    assert result.exit_code != 0 and "names.jsonl, line 2" in result.output
