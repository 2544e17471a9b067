"""Repairs to the step sentence: the plan's "when" said once (speaking to them: see the person shift)."""

from __future__ import annotations

import pytest

from drafter.repair import ask_with_when, with_when


@pytest.mark.parametrize(
    ("sentence", "when", "repaired"),
    [
        # another time phrase the writer chose is replaced, never left beside the plan's
        (
            "I will send you the link to my notes next week.",
            "in the next few days",
            "I will send you the link to my notes in the next few days.",
        ),
        ("Would you have 20 minutes in two weeks?", "next week", "Would you have 20 minutes next week?"),
        (
            "May I reach out again soon?",
            "in the next few weeks",
            "May I reach out again in the next few weeks?",
        ),
        (
            "Could we talk in the next few weeks?",
            "in the next few days",
            "Could we talk in the next few days?",
        ),
        # the plan's phrase already there: unchanged; none at all: added before the punctuation
        ("I will send it by Friday.", "by Friday", "I will send it by Friday."),
        ("Shall we meet?", "next month", "Shall we meet next month?"),
        # "in the coming weeks" is a vague time like "in the next few weeks": replaced, not doubled
        (
            "I'll send it in the coming weeks.",
            "in the next few days",
            "I'll send it in the next few days.",
        ),
        # "in a few days", "within a couple of weeks" are vague times too
        (
            "I'll send you a summary in a few days.",
            "in the next few weeks",
            "I'll send you a summary in the next few weeks.",
        ),
        ("May I reach out within a couple of weeks?", "next week", "May I reach out next week?"),
        # the writer's own words around the plan's time go with it
        (
            "I'll send it over during the next few weeks.",
            "in the next few weeks",
            "I'll send it over in the next few weeks.",
        ),
        # the words that lead or qualify the writer's time, or name the part of its day, go with it
        (
            "I will send you our audit methodology by the end of next week.",
            "in the next few days",
            "I will send you our audit methodology in the next few days.",
        ),
        ("I'll send it by early next week.", "in the next few days", "I'll send it in the next few days."),
        (
            "I'll send the notes by the end of the next few days.",
            "in the next few days",
            "I'll send the notes in the next few days.",
        ),
        (
            "I'll send it at the start of next month.",
            "in the next few weeks",
            "I'll send it in the next few weeks.",
        ),
        ("I'll send it over tomorrow morning.", "this week", "I'll send it over this week."),
        # a time of the step's own past the follow-up's horizon stays; the plan's follows it
        (
            "Shall we walk the Kinlochleven stage together in the spring?",
            "in the next couple of weeks",
            "Shall we walk the Kinlochleven stage together in the spring? "
            "I'll be in touch in the next couple of weeks about it.",
        ),
        (
            "I'll send you the audit by the end of the year.",
            "in the next few days",
            "I'll send you the audit by the end of the year. I'll be in touch in the next few days about it.",
        ),
        # a season that names a thing is no time
        (
            "I'll send you the summer school details.",
            "in the next few days",
            "I'll send you the summer school details in the next few days.",
        ),
        # a replacement that would leave "the" without its noun gives way to the phrase at the end
        (
            "I'll share the recording of the December 3 session.",
            "by Friday",
            "I'll share the recording of the December 3 session by Friday.",
        ),
    ],
)
def test_the_step_says_the_plans_when_once(sentence: str, when: str, repaired: str) -> None:
    assert with_when(sentence, when) == repaired


@pytest.mark.parametrize(
    ("step", "repaired"),
    [
        # the time tacked onto the question leaves it; the "when" follows in a sentence of its own
        (
            "Could you please tell me the name of the agronomist next week?",
            "Could you please tell me the name of the agronomist? Any time next week would be great.",
        ),
        # a time said alone after the question is dropped
        (
            "Would you mind sharing your game day runbook template? It's next week?",
            "Would you mind sharing your game day runbook template? Any time next week would be great.",
        ),
        # a time at the front goes too, and another time is not left beside the plan's
        (
            "Next week, could you tell me which butcher you buy the rabbit from?",
            "Could you tell me which butcher you buy the rabbit from? Any time next week would be great.",
        ),
        (
            "Could you send me the template by early next week?",
            "Could you send me the template? Any time next week would be great.",
        ),
        (
            "Could you send me the template by Friday?",
            "Could you send me the template? Any time next week would be great.",
        ),
        # a sentence before the question stays
        (
            "I'd love to know which pickup you use. Could you tell me?",
            "I'd love to know which pickup you use. Could you tell me? Any time next week would be great.",
        ),
        # an ask said as a wish, with no question, is the whole step; its own time goes the same way
        (
            "I'd love to hear which butcher you use.",
            "I'd love to hear which butcher you use. Any time next week would be great.",
        ),
        (
            "I'd love to know which hive type you'd start with next week.",
            "I'd love to know which hive type you'd start with. Any time next week would be great.",
        ),
        # the sender's own act to come is not a wish: its time is placed as in any step
        (
            "I'll ask you who you buy hemp-lime from.",
            "I'll ask you who you buy hemp-lime from next week.",
        ),
        (
            "I'm going to ask about the trial in the coming weeks.",
            "I'm going to ask about the trial next week.",
        ),
        # nothing of a question would be left: the "when" is placed as in any step
        ("It's next week?", "It's next week?"),
    ],
)
def test_an_ask_is_its_question_then_the_when(step: str, repaired: str) -> None:
    assert ask_with_when(step, "next week") == repaired
