"""The guidance commands through click's CliRunner: index, ingest, guidance list, search, eval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from drafter.cli.guidance import (
    EVAL_CASES,
    eval_retrieval_cmd,
    guidance_group,
    index_cmd,
    ingest_cmd,
    load_cases,
    search_cmd,
)
from drafter.errors import InputError

KEEP_DOOR = "I can't think of anything to ask or offer"


@pytest.fixture(scope="module")
def shared_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One data directory with the real index, built once by `drafter index` for the module."""
    env = {"DRAFTER_DATA_DIR": str(tmp_path_factory.mktemp("data"))}
    result = CliRunner().invoke(index_cmd, [], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Indexed 40 passages from 2 sources in ")
    return env


def test_index_is_left_alone_when_up_to_date_and_rebuilt_when_asked(shared_data: dict[str, str]) -> None:
    again = CliRunner().invoke(index_cmd, [], env=shared_data)
    assert again.exit_code == 0, again.output
    assert again.output == "The guidance index is up to date: 40 passages from 2 sources.\n"
    forced = CliRunner().invoke(index_cmd, ["--rebuild"], env=shared_data)
    assert forced.exit_code == 0, forced.output
    assert forced.output.startswith("Indexed 40 passages from 2 sources in ")


def test_search_prints_id_source_score_text(shared_data: dict[str, str]) -> None:
    result = CliRunner().invoke(search_cmd, [KEEP_DOOR, "-k", "2"], env=shared_data)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("1. playbook#keep-the-door-open  [playbook]  score 0.")
    assert lines[1] == "   Can't think of anything to ask or offer? Keep the door open"
    assert lines[2].startswith("   Sometimes you can't think of anything to ask or offer")
    assert sum(line.startswith(("1. ", "2. ")) for line in lines) == 2


def test_search_json(shared_data: dict[str, str]) -> None:
    result = CliRunner().invoke(
        search_cmd, ["LinkedIn", "note", "length", "--json", "-k", "3"], env=shared_data
    )
    assert result.exit_code == 0, result.output
    passages = json.loads(result.stdout)
    assert len(passages) == 3
    assert passages[0]["id"] == "playbook#linkedin-note"
    assert set(passages[0]) >= {"id", "source", "title", "section", "text", "score", "kinds"}
    assert 0 < passages[0]["score"] <= 1


def test_guidance_list(shared_data: dict[str, str]) -> None:
    result = CliRunner().invoke(guidance_group, ["list"], env=shared_data)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "career-bites-12-interview-people    7  built-in  Career Bites #12: Interview People",
        "playbook                           33  built-in  Follow-up Playbook",
    ]


def test_ingest_then_search_and_list(tmp_path: Path) -> None:
    env = {"DRAFTER_DATA_DIR": str(tmp_path / "data")}
    notes = tmp_path / "Our Team.md"
    notes.write_text(
        "# Our team's notes\n\n## Alumni dinners\n"
        "When you met someone at the alumni dinner, mention the college choir.\n"
    )
    runner = CliRunner()
    result = runner.invoke(ingest_cmd, [str(notes)], env=env)
    assert result.exit_code == 0, result.output
    assert result.output == "Added our-team: 1 passage\n"
    listed = runner.invoke(guidance_group, ["list"], env=env)
    assert "our-team                            1  added     Our team's notes" in listed.output.splitlines()
    found = runner.invoke(search_cmd, ["alumni dinner choir", "-k", "1", "--json"], env=env)
    assert json.loads(found.output)[0]["id"] == "our-team#alumni-dinners"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", "", "the file is empty"),
        ("slides.pptx", "x", "only .md and .txt"),
        ("absent.md", None, "no such file or folder"),
    ],
)
def test_ingest_errors_are_one_line_with_exit_code_2(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    env = {"DRAFTER_DATA_DIR": str(tmp_path / "data")}
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    result = CliRunner().invoke(ingest_cmd, [str(path)], env=env)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"Error: {path}: ")
    assert message in result.stderr
    assert not (tmp_path / "data" / "guidance").exists()


def test_search_empty_query_is_an_error(shared_data: dict[str, str]) -> None:
    result = CliRunner().invoke(search_cmd, ["  "], env=shared_data)
    assert result.exit_code == 2
    assert result.output == "Error: The search query is empty: say what guidance you are looking for.\n"


def test_eval_retrieval_meets_the_target(shared_data: dict[str, str]) -> None:
    result = CliRunner().invoke(eval_retrieval_cmd, ["--json", "--min-recall", "0.9"], env=shared_data)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["queries"] >= 40
    assert figures["recall@3"] >= 0.9
    assert figures["mrr"] >= 0.8
    assert set(figures["splits"]) == {"dev", "holdout"}


def test_eval_text_output_and_failing_threshold(shared_data: dict[str, str], tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        json.dumps({"query": KEEP_DOOR, "relevant": ["playbook#keep-the-door-open"]})
        + "\n"
        + json.dumps({"query": "LinkedIn note length", "relevant": ["playbook#email"]})
        + "\n"
    )
    result = CliRunner().invoke(
        eval_retrieval_cmd, ["--cases", str(cases), "--min-recall", "0.9"], env=shared_data
    )
    assert result.exit_code == 1
    assert "recall@3     0.500  (a relevant passage in the top 3)" in result.output
    assert "MRR          0.500" in result.output
    assert "miss: 'LinkedIn note length' -> playbook#linkedin-note" in result.output
    assert "recall@3 0.500 is below 0.9" in result.output


def test_labelled_set_shape() -> None:
    cases = load_cases(EVAL_CASES)
    assert len(cases) >= 40
    situations = [c for c in cases if c["query"].startswith(("Ask", "Offer", "A joint", "Nothing"))]
    assert len(situations) >= 8  # the planner's own queries are in the set


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"query": "x"}', "line 1: expected query"),
        ("not json", "line 1: expected query"),
        ('{"query": "x", "relevant": []}', "lists no passage ids"),
        ('{"situation": {"channel": "email"}, "relevant": ["a#b"]}', "line 1: expected query"),
    ],
)
def test_bad_labelled_set_names_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(InputError, match=message):
        load_cases(path)


def test_unknown_passage_ids_in_the_labelled_set(shared_data: dict[str, str], tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"query": "x", "relevant": ["playbook#nope"]}) + "\n")
    result = CliRunner().invoke(eval_retrieval_cmd, ["--cases", str(cases)], env=shared_data)
    assert result.exit_code == 2
    assert "playbook#nope" in result.output
