"""`drafter eval drafts|reader|retrieval|names|promises`: measure the drafts, the note reader,
retrieval, the greeting and the made-up-promise check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .. import llm
from . import settings as _settings
from .guidance import eval_retrieval_cmd


@click.group("eval")
def eval_group() -> None:
    """Measure retrieval, the note reader and draft quality."""


eval_group.add_command(eval_retrieval_cmd, "retrieval")

DEFAULT_SCENARIOS = Path(__file__).resolve().parents[2] / "evals" / "scenarios.jsonl"
DEFAULT_PROMISES = Path(__file__).resolve().parents[2] / "evals" / "promise_steps.jsonl"
EVAL_SEED = 1
DEFAULT_NAMES = tuple(
    Path(__file__).resolve().parents[2] / "evals" / f for f in ("names.jsonl", "names_test.jsonl")
)


@eval_group.command("drafts")
@click.option(
    "--scenarios",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=DEFAULT_SCENARIOS,
    show_default="evals/scenarios.jsonl",
)
@click.option(
    "--backend",
    type=click.Choice(llm.backend_names()),
    default=None,
    help="Backend to evaluate (default: DRAFTER_BACKEND).",
)
@click.option(
    "--split",
    type=click.Choice(("dev", "test", "all")),
    default="dev",
    show_default=True,
    help="Which scenarios: dev (for tuning), test (held out: measure only), or all.",
)
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N scenarios.")
@click.option(
    "--seed",
    type=int,
    default=EVAL_SEED,
    show_default=True,
    help="Sampling seed: a second run of the same code on the same scenarios gives the same drafts, "
    "so a change in the figures is the code's. Try another seed to see how much chance moves them.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def eval_drafts(
    scenarios: Path, backend: str | None, split: str, limit: int | None, seed: int, as_json: bool
) -> None:
    """Run the scenarios through the real pipeline and score every draft."""
    from ..evaluation import format_report, load_scenarios, run_eval
    from ..pipeline import Drafter

    items = load_scenarios(scenarios, split=None if split == "all" else split)[:limit]
    drafter = Drafter(_settings(backend=backend, seed=seed))

    def progress(done: int, total: int, result: Any) -> None:
        click.echo(f"{done}/{total} {result.id}: {'pass' if result.passed else 'fail'}", err=True)

    report = run_eval(items, drafter, progress=progress)
    report.seed = seed
    click.echo(report.model_dump_json(indent=2) if as_json else format_report(report))


@eval_group.command("names")
@click.option(
    "--cases",
    "case_files",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    multiple=True,
    help="A file of labelled greetings (repeat for more); each case's 'split' is train, dev or test.",
    show_default="evals/names*.jsonl",
)
@click.option(
    "--train", is_flag=True, help="Train the greeting model on the train split first (needs scikit-learn)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def eval_names(case_files: tuple[Path, ...], train: bool, as_json: bool) -> None:
    """Greet by the right name: the contact field and the notes against the labelled greeting,
    dev and held out side by side, the name rules alone beside the rules with the model."""
    from ..reader.greeting import choose_greeting, load_name_cases, train_greeting
    from ..text.names import greeting_name

    out: dict[str, Any] = {}
    if train:
        out["training"] = train_greeting()
        click.echo(f"trained: {out['training']}", err=True)
    cases = load_name_cases(list(case_files or DEFAULT_NAMES), with_notes=False)
    splits: dict[str, dict[str, Any]] = {}
    for case in cases:
        if case.split == "train":
            continue
        got = choose_greeting(case.contact, case.notes)
        tally = splits.setdefault(case.split, {"cases": 0, "right": 0, "rules_right": 0, "misses": []})
        tally["cases"] += 1
        tally["rules_right"] += greeting_name(case.contact, case.notes).lower() == case.greet.lower()
        if got.lower() == case.greet.lower():
            tally["right"] += 1
        elif case.split != "test":  # held-out misses are counted, never listed: nothing is tuned on them
            tally["misses"].append({"id": case.id, "expected": case.greet, "got": got})
    out["splits"] = splits
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return
    for split, tally in sorted(splits.items()):
        total, right, rules = max(tally["cases"], 1), tally["right"], tally["rules_right"]
        label = "held out" if split == "test" else split
        click.echo(
            f"{label}: greeting right for {right} of {tally['cases']} ({right / total:.1%}); "
            f"the name rules alone {rules} ({rules / total:.1%})"
        )
    for miss in splits.get("dev", {}).get("misses", []):
        click.echo(f"  dev {miss['id']}: expected {miss['expected']!r}, got {miss['got']!r}")


_PROMISE_TALLY = ("promises", "honest", "flagged", "false_flags", "reader_flagged", "reader_false_flags")


@eval_group.command("promises")
@click.option(
    "--cases",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=DEFAULT_PROMISES,
    show_default="evals/promise_steps.jsonl",
    help="Labelled step sentences: text, promise (true/false), split (dev or test).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def eval_promises(cases: Path, as_json: bool) -> None:
    """The made-up-promise check of keep-in-touch steps against labelled step sentences: how many
    that promise something it flags, and how many that only keep the door open, dev and held out
    side by side, beside the reader's promise chance alone."""
    from ..checks import PROMISE_CHANCE, promises
    from ..errors import InputError
    from ..reader import promise_chance

    rows: list[tuple[str, bool, str]] = []
    for number, line in enumerate(cases.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if not isinstance(raw["promise"], bool):
                raise TypeError("'promise' must be true or false")
            rows.append((str(raw["text"]), raw["promise"], str(raw.get("split", "dev"))))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(f"{cases.name}, line {number}: not a step case ({exc}); fix it") from exc
    chances = promise_chance([text for text, _, _ in rows])
    splits: dict[str, dict[str, int]] = {}
    for (text, promise, split), chance in zip(rows, chances, strict=True):
        tally = splits.setdefault(split, dict.fromkeys(_PROMISE_TALLY, 0))
        flagged, by_reader = promises(text, chance), chance >= PROMISE_CHANCE
        tally["promises" if promise else "honest"] += 1
        tally["flagged" if promise else "false_flags"] += flagged
        tally["reader_flagged" if promise else "reader_false_flags"] += by_reader
    if as_json:
        click.echo(json.dumps({"splits": splits}, indent=2))
        return
    for split, t in sorted(splits.items()):
        click.echo(
            f"{'held out' if split == 'test' else split}: flags {t['flagged']} of {t['promises']} steps that "
            f"promise something and {t['false_flags']} of {t['honest']} that do not; the reader's chance "
            f"alone {t['reader_flagged']} and {t['reader_false_flags']}"
        )


def _dev_scenario_steps() -> list[tuple[Any, str, list[str], str]]:
    """The dev scenarios' readings, expected next-step kinds and forbidden strings (first touches
    with no hint: the step is the reader's choice there)."""
    from ..evaluation import load_scenarios
    from ..reader import read_notes

    out: list[tuple[Any, str, list[str], str]] = []
    for s in load_scenarios(DEFAULT_SCENARIOS, "dev"):
        if s.request.follow_up is None and s.request.next_step_hint is None and s.expect.type:
            reading = read_notes(s.request.notes, s.request.contact.name)
            out.append((reading, s.expect.type, list(s.expect.must_not_contain), s.request.contact.name))
    return out


@eval_group.command("reader")
@click.option(
    "--split",
    "splits",
    type=click.Choice(("dev", "test", "probe")),
    multiple=True,
    help="Splits to measure (repeatable); default dev and test side by side. probe: the labelled "
    "notes in evals/reader/probe/, which no split holds.",
)
@click.option("--train", is_flag=True, help="Train the reader on the train split first (needs scikit-learn).")
@click.option(
    "--calibrate",
    is_flag=True,
    help="Also choose the guard's and the step clause's thresholds on the dev split.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def eval_reader(splits: tuple[str, ...], train: bool, calibrate: bool, as_json: bool) -> None:
    """Measure the note reader on the labelled notes, beside the old word-list planner."""
    from ..reader.evaluate import (
        calibrate_guard,
        calibrate_step,
        evaluate,
        format_reader_report,
        load_baseline,
    )

    out: dict[str, Any] = {}
    if train:
        from ..reader.train import train as fit

        out["training"] = fit()
        click.echo(f"trained: {out['training']}", err=True)
    reports = [evaluate(split) for split in (splits or ("dev", "test"))]
    out["reports"] = reports
    if calibrate:
        out["guard"] = calibrate_guard("dev")
        out["step"] = calibrate_step("dev", scenarios=_dev_scenario_steps())
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return
    click.echo(format_reader_report(reports, load_baseline()))
    if calibrate:
        click.echo(f"\nguard thresholds (dev): {out['guard']}")
        click.echo(f"step clause thresholds (dev): {out['step']}")
