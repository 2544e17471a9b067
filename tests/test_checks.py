"""The rubric: each check passes a good draft and fails the faults it exists for."""

from __future__ import annotations

import datetime as dt

import pytest

from drafter.checks import LABELS, run_checks, warnings_from
from drafter.models import Contact, Draft, DraftRequest
from drafter.planning import make_plan

TODAY = dt.date(2026, 11, 25)
NOTES = (
    "Met Bob at the Brooklyn networking night. We talked for 10 minutes about perfecting the golf swing "
    "and Ethiopian food.\nI'd love to eventually ask about a job at his company, Acme.\n"
    "His wife is going through chemo, don't mention it."
)
GOOD = """Hi Bob,

It was great meeting you at the networking night. I'm still thinking about your golf swing advice, and \
I want to try that Ethiopian food you were so excited about.

I'd really love to stay in touch. Would you mind if I reach out in the next few weeks?

Best,
Sam Lee"""


def make(body: str = GOOD, **changes) -> tuple[Draft, object, DraftRequest]:
    request = DraftRequest(
        contact=Contact(name=changes.pop("contact_name", "Bob Smith"), where_met="networking night"),
        notes=changes.pop("notes", NOTES),
        channel=changes.get("channel", "email"),
        next_step_hint=changes.pop("hint", None),
        sender=changes.pop("sender", "Sam Lee"),
    )
    plan = make_plan(request, today=TODAY)
    fields = {
        "channel": "email",
        "subject": "Great meeting you",
        "body": body,
        "next_step_type": plan.next_step_type,
        "next_step": "stay in touch",
        "follow_up_when": plan.follow_up_when,
        "follow_up_date": plan.follow_up_date,
        "guidance_ids": ["career-bites-12#7"],
    }
    fields.update(changes)
    return Draft(**fields), plan, request


def result(name: str, body: str = GOOD, **changes):
    draft, plan, request = make(body, **changes)
    return {r.name: r for r in run_checks(draft, plan, request, today=TODAY)}[name]


def test_good_draft_passes_everything() -> None:
    draft, plan, request = make()
    results = run_checks(draft, plan, request, today=TODAY)
    assert [r.name for r in results] == list(LABELS)
    assert warnings_from(results) == [], warnings_from(results)


@pytest.mark.parametrize(
    ("body", "passed"),
    [
        (GOOD, True),
        (GOOD.replace("Hi Bob,", "Dear Bob,"), True),
        (GOOD.replace("Hi Bob,", "Hi Robert,"), False),
        (GOOD.replace("Hi Bob,\n\n", ""), False),
        (GOOD.replace("Hi Bob,", "Hi there,"), False),
    ],
)
def test_greeting(body: str, passed: bool) -> None:
    assert result("greeting", body).passed is passed


def test_greeting_with_title_and_nickname() -> None:
    body = GOOD.replace("Hi Bob,", "Dear Dr. Tanaka,")
    assert result("greeting", body, contact_name="Dr. Aiko Tanaka").passed
    assert not result("greeting", GOOD.replace("Hi Bob,", "Hi Aiko,"), contact_name="Dr. Aiko Tanaka").passed
    assert result(
        "greeting", GOOD.replace("Hi Bob,", "Hi Liz,"), contact_name="Elizabeth Bennet", notes="goes by Liz"
    ).passed


@pytest.mark.parametrize(
    ("body", "passed"),
    [
        (GOOD, True),
        (GOOD.replace("golf swing advice", "golf swings"), True),
        (GOOD.replace("golf swing advice, and ", "").replace(" Ethiopian food", " thing"), False),
        (
            "Hi Bob,\n\nGreat to meet you. I'd really love to stay in touch. "
            "Would you mind if I reach out in the next few weeks?\n\nBest,\nSam Lee",
            False,
        ),
    ],
)
def test_detail(body: str, passed: bool) -> None:
    assert result("detail", body).passed is passed


@pytest.mark.parametrize(
    ("body", "step_type", "hint", "passed"),
    [
        (GOOD, "keep_in_touch", None, True),
        (GOOD, "ask", None, False),  # the draft's type disagrees with the plan
        (GOOD, "offer", "offer", False),  # the type matches the hint but the body states no offer
        (
            GOOD.replace("Would you mind if I reach out", "I'll send you the golf article"),
            "offer",
            "offer",
            True,
        ),
        (
            GOOD.replace(
                "Would you mind if I reach out in the next few weeks?",
                "Could you send me the restaurant name? I'll send you the golf article next week.",
            ),
            "offer",
            "offer",
            False,
        ),
        (
            GOOD.replace(
                "I'd really love to stay in touch. Would you mind if I reach out",
                "Would you be up for continuing our conversation over coffee",
            ),
            "joint_venture",
            "joint_venture",
            True,
        ),
    ],
)
def test_next_step(body: str, step_type: str, hint, passed: bool) -> None:
    assert result("next_step", body, next_step_type=step_type, hint=hint).passed is passed


@pytest.mark.parametrize(
    ("body", "date", "passed"),
    [
        (GOOD, None, True),
        (GOOD.replace(" in the next few weeks", ""), None, False),
        (GOOD.replace("in the next few weeks", "next week"), TODAY + dt.timedelta(days=7), True),
        (GOOD.replace("in the next few weeks", "next week"), TODAY + dt.timedelta(days=40), False),
        (GOOD.replace("in the next few weeks", "by Friday"), TODAY + dt.timedelta(days=2), True),
        (GOOD, TODAY + dt.timedelta(days=75), False),  # beyond 60 days
        (GOOD, TODAY - dt.timedelta(days=1), False),  # in the past
        (GOOD.replace(" in the next few weeks?", "?").replace("Sam Lee", "Talk soon,\nSam Lee"), None, False),
    ],
)
def test_when(body: str, date, passed: bool) -> None:
    changes = {"follow_up_date": date} if date else {}
    if date:
        changes["follow_up_when"] = "next week"
    assert result("when", body, **changes).passed is passed


@pytest.mark.parametrize(
    ("body", "passed"),
    [
        (GOOD, True),
        (GOOD.replace("Best,", "PS: is Acme hiring? I'd love a referral.\n\nBest,"), False),
        (GOOD.replace("Best,", "I hope your wife's chemo goes well.\n\nBest,"), False),
        (GOOD.replace("Best,", "Any openings on your team?\n\nBest,"), False),
        (GOOD.replace("Best,", "I'd love to pitch you on my startup.\n\nBest,"), False),
        (GOOD.replace("Best,", "How is your health?\n\nBest,"), False),
    ],
)
def test_no_leak(body: str, passed: bool) -> None:
    assert result("no_leak", body).passed is passed


def test_words_shared_openly_in_the_notes_are_not_leaks() -> None:
    notes = "We talked about her job as a hospital nurse and the Lisbon marathon"
    body = GOOD.replace("Ethiopian food", "Lisbon marathon").replace(
        "golf swing advice", "job as a hospital nurse"
    )
    assert result("no_leak", body, notes=notes).passed


@pytest.mark.parametrize(
    ("body", "subject", "passed"),
    [
        (GOOD, "Great meeting you", True),
        (GOOD.replace("Sam Lee", "[Your Name]"), "Great meeting you", False),
        (GOOD.replace("Bob,", "{name},"), "Great meeting you", False),
        (GOOD.replace("networking night", "<Event>"), "Great meeting you", False),
        (GOOD.replace("Best,", "TODO add link\n\nBest,"), "Great meeting you", False),
        (GOOD.replace("Best,", "See [...]\n\nBest,"), "Great meeting you", False),
        (GOOD, "Following up XXX", False),
    ],
)
def test_placeholders(body: str, subject: str, passed: bool) -> None:
    assert result("placeholders", body, subject=subject).passed is passed


LONG = GOOD.replace("Best,", "I keep thinking about it. " * 40 + "\n\nBest,")
SHORT_TEXT = "Hi Bob, loved our golf swing chat! Would you mind if I reach out in the next few weeks? – Sam"


@pytest.mark.parametrize(
    ("body", "channel", "subject", "passed"),
    [
        (GOOD, "email", "Great meeting you", True),
        (LONG, "email", "Great meeting you", False),
        ("Hi Bob,\n\nGolf! Reach out next week?\n\nBest,\nSam Lee", "email", "Hi", False),
        (GOOD, "email", "", False),
        (GOOD, "email", "x" * 81, False),
        (GOOD.replace("Sam Lee", "Sam"), "email", "Great meeting you", True),
        (GOOD.replace("Best,\nSam Lee", "Best,"), "email", "Great meeting you", False),
        (SHORT_TEXT, "text", "", True),
        (SHORT_TEXT, "linkedin", "", True),
        (SHORT_TEXT + " more" * 50, "linkedin", "", False),
        (SHORT_TEXT + " more" * 50, "text", "", False),
    ],
)
def test_channel_fit(body: str, channel: str, subject: str, passed: bool) -> None:
    assert result("channel_fit", body, channel=channel, subject=subject).passed is passed


@pytest.mark.parametrize(
    ("body", "passed"),
    [
        (GOOD, True),
        (GOOD.replace("Hi Bob,", "Hi Sam,"), False),  # addresses the sender
        (GOOD.replace("Sam Lee", "Bob"), False),  # signed with the contact's name
        (GOOD.replace("It was great", "Thanks for reaching out to me. It was great"), False),
        (
            GOOD.replace(
                "It was great meeting you", "Bob mentioned he likes golf, and it was great meeting him"
            ),
            False,
        ),
        (
            "Hi Bob,\n\nGreat meeting you at the networking night. "
            "Golf swing and Ethiopian food were fun topics. "
            "Reach out anytime in the next few weeks.\n\nBest,\nSam Lee",
            False,
        ),  # no first person
    ],
)
def test_voice(body: str, passed: bool) -> None:
    assert result("voice", body).passed is passed


@pytest.mark.parametrize(
    ("body", "passed"),
    [
        (GOOD, True),
        (GOOD.replace("networking night", "networking night in Brooklyn"), True),  # in the notes
        (GOOD.replace("networking night", "Google networking night"), False),
        (GOOD.replace("networking night", "networking night last Tuesday at 7pm"), False),
        (GOOD.replace("networking night", "networking night with Maria Lopez"), False),
        (GOOD.replace("Best,", "My calendar: https://cal.example.com/sam\n\nBest,"), False),
        (
            GOOD.replace("10", "10").replace(
                "networking night", "networking night (we talked for 10 minutes)"
            ),
            True,
        ),
        (GOOD.replace("in the next few weeks", "in December"), True),
    ],
)
def test_invented(body: str, passed: bool) -> None:
    assert result("invented", body).passed is passed


@pytest.mark.parametrize(("ids", "passed"), [(["career-bites-12#3"], True), ([], False)])
def test_grounded(ids: list[str], passed: bool) -> None:
    assert result("grounded", guidance_ids=ids).passed is passed


def test_warnings_are_readable_lines() -> None:
    draft, plan, request = make(GOOD.replace("Hi Bob,", "Hi there,"), guidance_ids=[])
    warnings = warnings_from(run_checks(draft, plan, request, today=TODAY))
    assert warnings == [
        "Greets them by the right name: the greeting should use 'Bob' (found 'Hi there,')",
        "Grounded in the guidance: no guidance passage was used",
    ]


def test_when_uses_the_phrase_that_fits_when_there_are_several() -> None:
    body = GOOD.replace("It was great meeting you", "It was great meeting you this week")
    assert result("when", body).passed


@pytest.mark.parametrize(
    ("sentence", "passed"),
    [
        ("How is your team settling into the new company office?", True),  # two common words from a held line
        ("Say hi to everyone at Initech for me.", False),  # a name only the held line mentions
        ("Good luck leaving the company for a startup team!", False),
    ],
)
def test_held_back_lines_leak_by_their_distinctive_words(sentence: str, passed: bool) -> None:
    notes = NOTES + "\nNote to self: she's thinking of leaving the company for a startup team at Initech."
    body = GOOD.replace("Best,", f"{sentence}\n\nBest,")
    assert result("no_leak", body, notes=notes).passed is passed


@pytest.mark.parametrize(
    ("step", "kind", "passed"),
    [
        ("Could you meet for coffee next week to keep talking about golf?", "joint_venture", True),
        ("Would you be open to grabbing coffee next week?", "joint_venture", True),
        ("Would you be happy to share the name of that place next week?", "ask", True),
        ("Could you share the name of that place? Also, would you be up for coffee next week?", "ask", False),
    ],
)
def test_one_next_step_is_judged_by_sentence(step: str, kind: str, passed: bool) -> None:
    body = GOOD.replace(
        "I'd really love to stay in touch. Would you mind if I reach out in the next few weeks?", step
    )
    assert result("next_step", body, next_step_type=kind, hint=kind).passed is passed


def test_voice_flags_the_contacts_name_in_the_possessive() -> None:
    assert not result("voice", GOOD.replace("your golf swing advice", "Bob's golf swing advice")).passed


@pytest.mark.parametrize(
    ("sentence", "passed"),
    [
        ("I met Bob at the networking night and he plays golf.", False),
        ("Thanks again, Bob!", True),
        ("Bob, thanks for the tips.", True),
        ("It was great meeting you, Bob.", True),
    ],
)
def test_voice_allows_the_name_only_to_address_them(sentence: str, passed: bool) -> None:
    body = GOOD.replace("Best,", f"{sentence}\n\nBest,")
    assert result("voice", body).passed is passed


@pytest.mark.parametrize(
    ("sentence", "passed"),
    [
        ("She recommended a trainer for leash pulling.", False),
        ("My friend Priya runs the kiln. She would love to meet you.", True),
        ("He's right about the swing.", False),
    ],
)
def test_voice_flags_she_or_he_for_the_contact(sentence: str, passed: bool) -> None:
    body = GOOD.replace("Best,", f"{sentence}\n\nBest,")
    assert result("voice", body, notes=NOTES + "\nMy friend Priya runs the kiln.").passed is passed


def test_a_next_step_stated_twice_fails() -> None:
    body = GOOD.replace("next few weeks?", "next few weeks? I would really love to stay in touch.")
    assert not result("next_step", body).passed
