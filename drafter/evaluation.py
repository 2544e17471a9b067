"""Draft evaluation: run scenarios through a drafter and score the rubric and each scenario's own
expectations (next-step type, greeting, details, strings that must not appear).

    scenarios = load_scenarios(Path("evals/scenarios.jsonl"))
    report = run_eval(scenarios, Drafter())
    print(format_report(report))

The drafter is anything with `.draft(DraftRequest) -> Draft` (and, if it has them, `.plan`,
`backend_name`, `model_name`).
"""

from __future__ import annotations

import json
import logging
import re
import statistics
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, Field, ValidationError

from .checks import LABELS, mentions, run_checks
from .errors import DrafterError, InputError
from .models import Draft, DraftRequest, NextStepType, Plan

logger = logging.getLogger(__name__)

EXPECTATIONS: dict[str, str] = {
    "expect_type": "Next step of the kind the scenario expects",
    "expect_greet": "Greeting the scenario expects",
    "expect_details": "One of the scenario's details",
    "expect_no_leak": "None of the scenario's forbidden strings",
}


class SupportsDraft(Protocol):
    def draft(self, request: DraftRequest) -> Draft: ...

    def plan(self, request: DraftRequest) -> Plan: ...


class Expectation(BaseModel):
    type: NextStepType | None = None
    details_any: list[str] = Field(default_factory=list)
    must_not_contain: list[str] = Field(default_factory=list)
    greet: str = ""


class Scenario(BaseModel):
    id: str
    split: str = "dev"
    request: DraftRequest
    expect: Expectation = Field(default_factory=Expectation)
    tags: list[str] = Field(default_factory=list)


class ScenarioResult(BaseModel):
    id: str
    tags: list[str] = Field(default_factory=list)
    passed: bool
    checks: dict[str, bool] = Field(default_factory=dict)
    failed: list[str] = Field(default_factory=list)
    leaks: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    subject: str = ""
    body: str = ""


class EvalReport(BaseModel):
    backend: str = ""
    model: str = ""
    seed: int | None = None  # the sampling seed the drafts were made with; None: unseeded
    scenarios: int
    pass_rates: dict[str, float] = Field(default_factory=dict)  # check name -> share passed
    labels: dict[str, str] = Field(default_factory=dict)
    overall_pass_rate: float = 0.0
    checks_passed: int = 0
    checks_total: int = 0
    check_rate: float = 0.0
    next_step_right: float = 0.0
    leak_count: int = 0
    injection_total: int = 0
    injection_clean: int = 0
    injection_not_clean: list[str] = Field(default_factory=list)
    errors: int = 0
    seconds_mean: float = 0.0
    seconds_p50: float = 0.0
    seconds_max: float = 0.0
    results: list[ScenarioResult] = Field(default_factory=list)


def parse_scenario(data: dict[str, Any]) -> Scenario:
    """One scenario from its JSON object (the evals/scenarios.jsonl shape).

    A second-touch scenario also has `follow_up` (what the first message said: kind "deliver" or
    "nudge", its subject, date, topic, step, the promise, its Message-ID) and `avoid` (the earlier
    messages' topics and steps); it is tagged "second_touch" and its kind."""
    request = DraftRequest(
        contact=data["contact"],
        notes=data["notes"],
        channel=data.get("channel") or "email",
        next_step_hint=data.get("next_step_hint"),
        sender=data.get("sender") or "",
        follow_up=data.get("follow_up"),
        avoid=data.get("avoid") or [],
    )
    tags = list(data.get("tags") or [])
    if request.follow_up is not None:
        tags += [t for t in ("second_touch", request.follow_up.kind) if t not in tags]
    return Scenario(
        id=data["id"],
        split=data.get("split") or "dev",
        request=request,
        expect=Expectation.model_validate(data.get("expect") or {}),
        tags=tags,
    )


def load_scenarios(path: Path, split: str | None = None) -> list[Scenario]:
    """Scenarios from a JSONL file, one per line; blank lines and lines starting with # are skipped.

    `split` keeps one split ("dev" or "test"); the held-out "test" split is for measuring only."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read scenarios from {path}: {exc.strerror}; check the path") from exc
    scenarios: list[Scenario] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            scenarios.append(parse_scenario(json.loads(line)))
        except (json.JSONDecodeError, KeyError, TypeError, ValidationError) as exc:
            reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc).splitlines()[0]
            raise InputError(
                f"{path}, line {number}: not a valid scenario ({reason}); fix or remove it"
            ) from exc
    ids = [s.id for s in scenarios]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InputError(f"{path}: scenario ids repeat ({', '.join(duplicates)}); give each a unique id")
    if split:
        scenarios = [s for s in scenarios if s.split == split]
    return scenarios


def forbidden_hits(strings: Iterable[str], text: str) -> list[str]:
    """The forbidden strings that appear in a text (case-insensitive, whole words at the edges)."""
    hits = []
    for s in strings:
        pattern = (r"\b" if s[:1].isalnum() else "") + re.escape(s) + (r"\b" if s[-1:].isalnum() else "")
        if s.strip() and re.search(pattern, text, re.IGNORECASE):
            hits.append(s)
    return hits


def score(scenario: Scenario, draft: Draft, plan: Plan) -> ScenarioResult:
    """Score one draft: the rubric (as the drafter checked it), then the scenario's own expectations."""
    request, expect = scenario.request, scenario.expect
    results = draft.checks or run_checks(draft, plan, request)
    passed = {r.name: r.passed for r in results}
    text = f"{draft.subject}\n{draft.body}"
    if expect.type:
        passed["expect_type"] = draft.next_step_type == expect.type
    if expect.greet:
        passed["expect_greet"] = expect.greet.lower() in draft.body.strip().split("\n", 1)[0][:80].lower()
    if expect.details_any:
        passed["expect_details"] = any(mentions(d, draft.body) for d in expect.details_any)
    leaks = forbidden_hits(expect.must_not_contain, text)
    if expect.must_not_contain:
        passed["expect_no_leak"] = not leaks
    return ScenarioResult(
        id=scenario.id,
        tags=scenario.tags,
        passed=all(passed.values()),
        checks=passed,
        failed=[name for name, ok in passed.items() if not ok],
        leaks=leaks,
        warnings=[f"{r.label}: {r.message}" for r in results if not r.passed],
        seconds=round(draft.seconds, 3),
        subject=draft.subject,
        body=draft.body,
    )


def run_eval(
    scenarios: list[Scenario],
    drafter: SupportsDraft,
    *,
    progress: Callable[[int, int, ScenarioResult], None] | None = None,
) -> EvalReport:
    """Draft every scenario with the drafter and score it; a failing draft is an error, not a crash."""
    results: list[ScenarioResult] = []
    for index, scenario in enumerate(scenarios, start=1):
        started = time.perf_counter()
        try:
            draft = drafter.draft(scenario.request)
            elapsed = time.perf_counter() - started
            plan = drafter.plan(scenario.request)
            result = score(scenario, draft, plan)
            result.seconds = round(draft.seconds or elapsed, 3)
        except DrafterError as exc:
            result = ScenarioResult(
                id=scenario.id,
                tags=scenario.tags,
                passed=False,
                error=str(exc),
                seconds=round(time.perf_counter() - started, 3),
            )
        logger.info(
            "scenario %s: %s in %.2f s", scenario.id, "pass" if result.passed else "fail", result.seconds
        )
        results.append(result)
        if progress:
            progress(index, len(scenarios), result)
    return summarize(results, backend=_attr(drafter, "backend_name"), model=_attr(drafter, "model_name"))


def _attr(obj: object, name: str) -> str:
    value = getattr(obj, name, "")
    return str(value() if callable(value) else value or "")


def summarize(results: list[ScenarioResult], *, backend: str = "", model: str = "") -> EvalReport:
    """Pass rates per check, overall, leaks, injection scenarios and timing."""
    names = list(LABELS) + [n for n in EXPECTATIONS if any(n in r.checks for r in results)]
    rates = {}
    for name in names:
        scored = [r.checks.get(name, False) for r in results if name in r.checks or r.error]
        rates[name] = round(sum(scored) / len(scored), 4) if scored else 0.0
    injection = [r for r in results if "injection" in r.tags]
    dirty = [r.id for r in injection if r.error or r.leaks or not r.checks.get("no_leak", False)]
    seconds = [r.seconds for r in results if not r.error]
    per_check = [ok for r in results for ok in r.checks.values()]
    failed_rows = sum(len(names) for r in results if r.error)  # a failed row fails every check
    total = len(per_check) + failed_rows
    typed = [r for r in results if "expect_type" in r.checks or r.error]
    return EvalReport(
        backend=backend,
        model=model,
        scenarios=len(results),
        pass_rates=rates,
        labels={n: LABELS.get(n) or EXPECTATIONS[n] for n in names},
        overall_pass_rate=round(sum(r.passed for r in results) / len(results), 4) if results else 0.0,
        checks_passed=sum(per_check),
        checks_total=total,
        check_rate=round(sum(per_check) / total, 4) if total else 0.0,
        next_step_right=round(sum(r.checks.get("expect_type", False) for r in typed) / len(typed), 4)
        if typed
        else 0.0,
        leak_count=sum(len(r.leaks) for r in results)
        + sum(not r.checks.get("no_leak", True) for r in results),
        injection_total=len(injection),
        injection_clean=len(injection) - len(dirty),
        injection_not_clean=dirty,
        errors=sum(bool(r.error) for r in results),
        seconds_mean=round(statistics.fmean(seconds), 3) if seconds else 0.0,
        seconds_p50=round(statistics.median(seconds), 3) if seconds else 0.0,
        seconds_max=round(max(seconds), 3) if seconds else 0.0,
        results=results,
    )


def format_report(report: EvalReport) -> str:
    """The report as a plain-text table, failures listed by scenario."""
    n = report.scenarios
    head = f"Draft evaluation: {n} scenarios"
    if report.backend or report.model:
        head += f" (backend {report.backend or '?'}, model {report.model or '?'})"
    head += f", seed {report.seed}" if report.seed is not None else ", unseeded"
    width = max([len(label) for label in report.labels.values()] + [30])
    lines = [head, "", f"{'check':<{width}}  {'passed':>9}  {'rate':>5}", "-" * (width + 19)]
    for name, rate in report.pass_rates.items():
        scored = sum(1 for r in report.results if name in r.checks or r.error)
        lines.append(f"{report.labels[name]:<{width}}  {round(rate * scored):>4}/{scored:<4}  {rate:>5.0%}")
    lines.append("-" * (width + 19))
    passed = sum(r.passed for r in report.results)
    lines.append(f"{'Every check passed':<{width}}  {passed:>4}/{n:<4}  {report.overall_pass_rate:>5.0%}")
    lines += [
        "",
        f"Rubric checks passed: {report.checks_passed}/{report.checks_total} ({report.check_rate:.1%})",
        f"Next-step kind right: {report.next_step_right:.1%}",
        f"Leaks: {report.leak_count}",
        f"Injection scenarios clean: {report.injection_clean}/{report.injection_total}"
        + (f" (not clean: {', '.join(report.injection_not_clean)})" if report.injection_not_clean else ""),
        f"Errors: {report.errors}",
        f"Seconds per draft: mean {report.seconds_mean:.2f}, median {report.seconds_p50:.2f}, "
        f"max {report.seconds_max:.2f}",
    ]
    failures = [r for r in report.results if not r.passed]
    if failures:
        lines += ["", "Failures:"]
        for r in failures:
            why = r.error or ", ".join(r.failed + [f"leaked '{s}'" for s in r.leaks])
            lines.append(f"  {r.id}: {why}")
    return "\n".join(lines)


def report_json(report: EvalReport) -> str:
    """The report as indented JSON (scores, timings and every draft)."""
    return report.model_dump_json(indent=2)
