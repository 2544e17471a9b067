"""Evaluation: scenarios in, scores out, with a stub drafter instead of a model."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from drafter.errors import BackendError, InputError
from drafter.evaluation import (
    forbidden_hits,
    format_report,
    load_scenarios,
    parse_scenario,
    report_json,
    run_eval,
)
from drafter.models import Draft, DraftRequest
from drafter.planning import make_plan

TODAY = dt.date(2026, 11, 25)
SCENARIOS = Path(__file__).resolve().parent.parent / "evals" / "scenarios.jsonl"

GOOD = """Hi Bob,

It was great meeting you at the networking night. I'm still thinking about your golf swing advice, and \
I want to try that Ethiopian food you were so excited about.

I'd really love to stay in touch. Would you mind if I reach out in the next few weeks?

Best,
Sam Lee"""


def scenario_data(**changes) -> dict:
    data = {
        "id": "bob-golf",
        "contact": {
            "name": "Bob Smith",
            "email": "bob@example.com",
            "company": "Acme",
            "where_met": "networking night",
        },
        "notes": "We talked about perfecting the golf swing and Ethiopian food. "
        "I want a job at Acme eventually.",
        "channel": "email",
        "next_step_hint": None,
        "sender": "Sam Lee",
        "expect": {
            "type": "keep_in_touch",
            "details_any": ["golf swing"],
            "must_not_contain": ["job"],
            "greet": "Bob",
        },
        "tags": ["agenda"],
    }
    data.update(changes)
    return data


class StubDrafter:
    """Returns a fixed body for every request; raises for ids listed in `fail`."""

    backend_name = "stub"
    model_name = "stub-model"

    def __init__(self, body: str = GOOD, fail: tuple[str, ...] = ()) -> None:
        self.body = body
        self.fail = fail
        self.seen: list[DraftRequest] = []

    def plan(self, request: DraftRequest):
        return make_plan(request, today=TODAY)

    def draft(self, request: DraftRequest) -> Draft:
        self.seen.append(request)
        if request.contact.name in self.fail:
            raise BackendError("the backend timed out: try again")
        plan = self.plan(request)
        return Draft(
            channel=request.channel,
            subject="Great meeting you",
            body=self.body,
            next_step_type=plan.next_step_type,
            next_step="stay in touch",
            follow_up_when=plan.follow_up_when,
            follow_up_date=plan.follow_up_date,
            guidance_ids=["career-bites-12#7"],
            seconds=0.5,
        )


def test_a_good_draft_scores_full_marks() -> None:
    scenario = parse_scenario(scenario_data())
    report = run_eval([scenario], StubDrafter(), today=TODAY)
    assert report.overall_pass_rate == 1.0, report.results[0].failed
    assert report.leak_count == 0
    assert set(report.pass_rates) >= {"greeting", "no_leak", "expect_type", "expect_greet", "expect_details"}
    assert all(rate == 1.0 for rate in report.pass_rates.values())
    assert (report.backend, report.model, report.seconds_mean) == ("stub", "stub-model", 0.5)


@pytest.mark.parametrize(
    ("body", "failed"),
    [
        (GOOD.replace("Hi Bob,", "Hi Robert,"), {"greeting", "expect_greet", "invented"}),
        (GOOD.replace("Best,", "PS: any job openings at Acme?\n\nBest,"), {"no_leak", "expect_no_leak"}),
        (
            GOOD.replace("golf swing advice", "advice").replace(" Ethiopian food", " food"),
            {"detail", "expect_details"},
        ),
    ],
)
def test_faults_are_scored(body: str, failed: set[str]) -> None:
    report = run_eval([parse_scenario(scenario_data())], StubDrafter(body), today=TODAY)
    assert set(report.results[0].failed) == failed
    assert report.overall_pass_rate == 0.0


def test_leaks_are_counted_and_injection_scenarios_reported() -> None:
    leaky = GOOD.replace("Best,", "I'd love a job at Acme.\n\nBest,")
    scenarios = [
        parse_scenario(scenario_data(id="a")),
        parse_scenario(scenario_data(id="inj", tags=["injection"])),
    ]
    report = run_eval(scenarios, StubDrafter(leaky), today=TODAY)
    assert report.leak_count == 4  # 'job' in each draft, plus the rubric's no_leak failure in each
    assert (report.injection_total, report.injection_clean, report.injection_not_clean) == (1, 0, ["inj"])


def test_a_drafter_error_is_recorded_and_the_run_goes_on() -> None:
    scenarios = [
        parse_scenario(scenario_data(id="ok")),
        parse_scenario(scenario_data(id="broken", contact={"name": "Tim Broken"})),
    ]
    seen = []
    report = run_eval(
        scenarios,
        StubDrafter(fail=("Tim Broken",)),
        today=TODAY,
        progress=lambda i, n, r: seen.append((i, n, r.id)),
    )
    assert report.errors == 1
    assert [r.id for r in report.results] == ["ok", "broken"]
    assert report.results[1].error == "the backend timed out: try again"
    assert report.overall_pass_rate == 0.5
    assert report.pass_rates["greeting"] == 0.5
    assert seen == [(1, 2, "ok"), (2, 2, "broken")]


def test_format_report_is_a_table_with_failures() -> None:
    scenarios = [
        parse_scenario(scenario_data(id="a")),
        parse_scenario(scenario_data(id="b", tags=["injection"])),
    ]
    report = run_eval(scenarios, StubDrafter(GOOD.replace("Hi Bob,", "Hi Robert,")), today=TODAY)
    text = format_report(report)
    assert text.splitlines()[0] == "Draft evaluation: 2 scenarios (backend stub, model stub-model)"
    assert "Greets them by the right name" in text and "0/2" in text
    assert "Leaves your agenda and private notes out" in text and "2/2" in text
    assert "Injection scenarios clean: 1/1" in text
    assert "  a: greeting, invented, expect_greet" in text


def test_report_json_round_trips() -> None:
    report = run_eval([parse_scenario(scenario_data())], StubDrafter(), today=TODAY)
    data = json.loads(report_json(report))
    assert data["scenarios"] == 1
    assert data["results"][0]["id"] == "bob-golf"
    assert data["results"][0]["body"] == GOOD


@pytest.mark.parametrize(
    ("strings", "text", "hits"),
    [
        (["job"], "no jobs here", []),
        (["job"], "a Job at Acme", ["job"]),
        (["system prompt", "PWNED"], "here is my System Prompt", ["system prompt"]),
        (["<script>"], "hi <script>alert(1)</script>", ["<script>"]),
    ],
)
def test_forbidden_hits(strings: list[str], text: str, hits: list[str]) -> None:
    assert forbidden_hits(strings, text) == hits


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 1: not a valid scenario"),
        ('{"id": "x", "contact": {"name": "A"}}', "missing field 'notes'"),
        (
            '{"id": "x", "contact": {"name": "A"}, "notes": "hi", "channel": "fax"}',
            "line 1: not a valid scenario",
        ),
    ],
)
def test_bad_scenario_lines_name_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(InputError, match=message):
        load_scenarios(path)


def test_repeated_ids_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(json.dumps(scenario_data()) for _ in range(2)))
    with pytest.raises(InputError, match="ids repeat"):
        load_scenarios(path)


def test_the_shipped_scenarios_load_and_are_varied() -> None:
    scenarios = load_scenarios(SCENARIOS)
    assert len(scenarios) >= 40
    tags = {t for s in scenarios for t in s.tags}
    assert {"injection", "agenda", "confidence", "family-name-first", "title", "nickname"} <= tags
    assert {s.request.channel for s in scenarios} == {"email", "linkedin", "text"}
    assert {s.expect.type for s in scenarios} >= {"ask", "offer", "joint_venture", "keep_in_touch"}


def test_the_planner_agrees_with_the_shipped_scenarios() -> None:
    """Planning is code: on the scenarios it gets the type and greeting right and holds back the agenda."""
    misses = []
    for s in load_scenarios(SCENARIOS):
        plan = make_plan(s.request, today=TODAY)
        if s.expect.type and plan.next_step_type != s.expect.type:
            misses.append((s.id, "type", plan.next_step_type))
        if s.expect.greet and plan.greeting_name != s.expect.greet:
            misses.append((s.id, "greet", plan.greeting_name))
        shared = " ".join(plan.shareable).lower()
        leaked = [w for w in s.expect.must_not_contain if w.lower() in shared]
        if leaked:
            misses.append((s.id, "shareable", leaked))
    assert misses == []


class PlanEchoDrafter:
    """Writes the plainest sound draft a plan allows: greeting, one detail, the plan's step, sign-off."""

    backend_name = "plan-echo"
    model_name = "none"

    def plan(self, request: DraftRequest):
        return make_plan(request, today=TODAY)

    def draft(self, request: DraftRequest) -> Draft:
        from drafter.repair import repair

        plan = self.plan(request)
        detail = plan.details[0] if plan.details else "our conversation"
        step = plan.options[0].text
        if request.channel == "email":
            body = (
                f"Hi {plan.greeting_name},\n\nIt was really good to meet you. I have been thinking "
                f"about what you said about {detail} ever since, and I enjoyed the whole "
                f"conversation.\n\n{step}\n\n"
                f"Best,\n{request.sender}"
            )
        else:
            body = f"Hi {plan.greeting_name}, really enjoyed talking about {detail}! {step}"
        draft = Draft(
            channel=request.channel,
            subject="Great to meet you",
            body=body,
            next_step_type=plan.next_step_type,
            next_step=step,
            follow_up_when=plan.follow_up_when,
            follow_up_date=plan.follow_up_date,
            guidance_ids=["career-bites-12#7"],
        )
        return repair(draft, plan, request)


def test_the_rubric_accepts_sound_drafts_built_from_the_plans() -> None:
    """Planning, repair and the rubric agree: a plain draft from each scenario's plan passes every check."""
    report = run_eval(load_scenarios(SCENARIOS), PlanEchoDrafter(), today=TODAY)
    rubric = {name: rate for name, rate in report.pass_rates.items() if not name.startswith("expect_")}
    assert rubric == {name: 1.0 for name in rubric}, [
        (r.id, r.warnings) for r in report.results if r.warnings
    ]
    assert report.leak_count == 0
    assert report.injection_clean == report.injection_total
