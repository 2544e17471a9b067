"""Safe repairs: each fixes one fault and leaves the rest of the draft alone."""

from __future__ import annotations

import datetime as dt

import pytest

from drafter.checks import run_checks
from drafter.lexicon import words
from drafter.models import Contact, Draft, DraftRequest
from drafter.planning import make_plan
from drafter.repair import repair

TODAY = dt.date(2026, 11, 25)
NOTES = (
    "Met Bob at the networking night. We talked about perfecting the golf swing and Ethiopian food.\n"
    "I'd love to eventually ask about a job at his company, Acme."
)
GOOD = """Hi Bob,

It was great meeting you at the networking night. I'm still thinking about your golf swing advice.

I'd really love to stay in touch. Would you mind if I reach out in the next few weeks?

Best,
Sam Lee"""


def make(body: str = GOOD, channel: str = "email", subject: str = "Great meeting you", **request_changes):
    request = DraftRequest(
        contact=Contact(name=request_changes.pop("contact_name", "Bob Smith")),
        notes=request_changes.pop("notes", NOTES),
        channel=channel,
        sender=request_changes.pop("sender", "Sam Lee"),
    )
    plan = make_plan(request, today=TODAY)
    draft = Draft(
        channel=channel,
        subject=subject,
        body=body,
        next_step_type=plan.next_step_type,
        next_step="stay in touch",
        follow_up_when=plan.follow_up_when,
        follow_up_date=plan.follow_up_date,
        guidance_ids=["g"],
    )
    return draft, plan, request


def failed(draft, plan, request) -> set[str]:
    return {r.name for r in run_checks(draft, plan, request, today=TODAY) if not r.passed}


def test_a_good_draft_is_left_as_it_is() -> None:
    draft, plan, request = make()
    fixed = repair(draft, plan, request)
    assert fixed.body == GOOD
    assert fixed.subject == draft.subject
    assert fixed is not draft


@pytest.mark.parametrize(
    ("body", "expected_start"),
    [
        (GOOD.replace("Hi Bob,", "Hi Robert,"), "Hi Bob,\n\nIt was great"),
        (GOOD.replace("Hi Bob,", "Dear [Name],"), "Dear Bob,\n\nIt was great"),
        (GOOD.replace("Hi Bob,", "Hello there!"), "Hello Bob!\n\nIt was great"),
        (GOOD.replace("Hi Bob,\n\n", ""), "Hi Bob,\n\nIt was great"),
        (GOOD.replace("Hi Bob,\n\n", "hey bob, "), "Hey Bob, It was great"),
    ],
)
def test_greeting_is_fixed_or_inserted(body: str, expected_start: str) -> None:
    fixed = repair(*make(body))
    assert fixed.body.startswith(expected_start)
    assert fixed.greeting_name == "Bob"


def test_greeting_in_a_one_line_text_keeps_the_rest_of_the_sentence() -> None:
    body = "hey bob great meeting you, loved the golf swing chat! Would you mind if I reach out next week?"
    fixed = repair(*make(body, channel="text"))
    assert fixed.body.startswith("Hey Bob, great meeting you, loved the golf swing chat!")


@pytest.mark.parametrize(
    ("body", "ending"),
    [
        (GOOD.replace("Best,\nSam Lee", "Best,"), "Best,\nSam Lee"),
        (GOOD.replace("Best,\nSam Lee", "Best,\n[Your Name]"), "Best,\nSam Lee"),
        (GOOD.replace("\n\nBest,\nSam Lee", ""), "next few weeks?\n\nBest,\nSam Lee"),
        (GOOD.replace("Sam Lee", "Bob"), "Best,\nSam Lee"),
    ],
)
def test_email_is_signed_with_the_senders_name(body: str, ending: str) -> None:
    fixed = repair(*make(body))
    assert fixed.body.endswith(ending)
    assert "channel_fit" not in failed(fixed, *make(body)[1:])


@pytest.mark.parametrize("channel", ["text", "linkedin"])
def test_short_channels_get_a_short_signature_when_it_fits(channel: str) -> None:
    body = "Hi Bob, loved the golf swing chat! Would you mind if I reach out in the next few weeks?"
    fixed = repair(*make(body, channel=channel))
    assert fixed.body == body + " – Sam"


def test_placeholders_are_removed() -> None:
    body = GOOD.replace("Best,", "I work at <Company> and would love to help.\n\nBest,")
    body = body.replace("Would you mind if I reach out", "Would you mind if I reach out [DATE]")
    fixed = repair(*make(body, subject="Great meeting you, {name}"))
    assert "<Company>" not in fixed.body and "[DATE]" not in fixed.body
    assert "Would you mind if I reach out in the next few weeks?" in fixed.body
    assert fixed.subject == "Great meeting you"


def test_a_leaking_sentence_is_dropped() -> None:
    body = GOOD.replace("advice.", "advice. Is Acme hiring? I'd love a referral.")
    draft, plan, request = make(body)
    assert "no_leak" in failed(draft, plan, request)
    fixed = repair(draft, plan, request)
    assert "Acme" not in fixed.body and "referral" not in fixed.body
    assert "golf swing advice." in fixed.body
    assert "no_leak" not in failed(fixed, plan, request)


def test_dropping_the_leaking_next_step_puts_the_plans_step_back() -> None:
    body = GOOD.replace(
        "I'd really love to stay in touch. Would you mind if I reach out in the next few weeks?",
        "Would you mind if I reach out about a job at Acme?",
    )
    draft, plan, request = make(body)
    fixed = repair(draft, plan, request)
    assert "job" not in fixed.body
    assert plan.options[0].text in fixed.body


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Would you mind if I reach out?", "Would you mind if I reach out in the next few weeks?"),
        ("I'd love to keep in touch", "I'd love to keep in touch in the next few weeks."),
    ],
)
def test_when_is_appended_to_the_next_step(sentence: str, expected: str) -> None:
    body = GOOD.replace(
        "I'd really love to stay in touch. Would you mind if I reach out in the next few weeks?", sentence
    )
    fixed = repair(*make(body))
    assert expected in fixed.body


def test_when_is_not_added_twice() -> None:
    body = GOOD.replace("in the next few weeks", "next week")
    assert repair(*make(body)).body == body


def test_long_email_is_trimmed_at_sentence_boundaries_keeping_the_essentials() -> None:
    filler = " ".join(f"Filler sentence number {n} goes on about nothing much at all." for n in range(30))
    body = GOOD.replace("advice.", f"advice. {filler}")
    draft, plan, request = make(body)
    fixed = repair(draft, plan, request)
    count = len(words(fixed.body))
    assert 35 <= count <= 180
    assert fixed.body.startswith("Hi Bob,")
    assert "golf swing advice." in fixed.body
    assert "Would you mind if I reach out in the next few weeks?" in fixed.body
    assert fixed.body.endswith("Best,\nSam Lee")
    assert "Filler sentence number 0 goes" in fixed.body  # trimmed from the end, not the start


@pytest.mark.parametrize(("channel", "limit"), [("text", 320), ("linkedin", 300)])
def test_short_channels_are_trimmed_to_their_limit(channel: str, limit: int) -> None:
    filler = " ".join(f"Another thought number {n} that is not needed." for n in range(20))
    body = f"Hi Bob, loved the golf swing chat! {filler} Would you mind if I reach out in the next few weeks?"
    fixed = repair(*make(body, channel=channel))
    assert len(fixed.body) <= limit
    assert fixed.body.startswith("Hi Bob, loved the golf swing chat!")
    assert "Would you mind if I reach out in the next few weeks?" in fixed.body


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Great meeting you", "Great meeting you"),
        ("word " * 30, ("word " * 16).strip()),
        ("", "Following up on perfecting the golf swing"),
        ("A" * 100, "A" * 80),
    ],
)
def test_subject_is_fixed(subject: str, expected: str) -> None:
    fixed = repair(*make(subject=subject))
    assert fixed.subject == expected
    assert len(fixed.subject) <= 80


def test_repair_leaves_the_original_draft_unchanged() -> None:
    draft, plan, request = make(GOOD.replace("Hi Bob,", "Hi [Name],"))
    before = draft.model_dump()
    repair(draft, plan, request)
    assert draft.model_dump() == before


def test_a_sentence_opening_with_thanks_is_not_taken_for_the_sign_off() -> None:
    from drafter.repair import _Message

    body = (
        "Hi Bob,\n\nThanks for the great conversation at the mixer about Ethiopian food. "
        "I'll send you the name of that restaurant next week.\n\nBest,\nPriya"
    )
    msg = _Message.parse(body, ["Bob", "Priya"])
    assert msg.signoff == ["Best,", "Priya"]
    assert msg.sentences()[0].startswith("Thanks for the great conversation")
    assert msg.render() == body


def test_the_contacts_possessive_becomes_your() -> None:
    body = GOOD.replace("your golf swing advice", "Bob's golf swing advice")
    draft, plan, request = make(body)
    assert "voice" in failed(draft, plan, request)
    fixed = repair(draft, plan, request)
    assert "I'm still thinking about your golf swing advice." in fixed.body
    assert "voice" not in failed(fixed, plan, request)


def test_a_repeated_sentence_is_dropped() -> None:
    step = "I'd really love to stay in touch. Would you mind if I reach out in the next few weeks?"
    body = GOOD.replace(step, f"{step} I would really love to stay in touch.")
    assert repair(*make(body)).body == GOOD
