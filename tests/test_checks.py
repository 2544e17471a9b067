"""The rubric: each check passes on a sound draft and fails, alone, on a draft with one fault.

Drafts are built here from DraftParts and a Plan (no model, no reader); the real encoder serves
the checks that compare meaning.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from drafter.channels import SUBJECT_MAX
from drafter.checks import CHECKS, LABELS, mentions, run_checks, warnings_from
from drafter.guard import Guard
from drafter.models import Contact, Draft, DraftParts, DraftRequest, FollowUpContext, Plan
from drafter.render import render
from drafter.repair import door_open, repair, uncopied, when_first, without_when

TODAY = dt.date.today()  # check_when measures the follow-up date from the real today

TOPIC = "her talk on wood-fired kilns was the highlight of the day"
STEP = "I promised to send her my glaze recipe by Friday"
AGENDA = "I'm hoping she'll hire me for her studio eventually"
CONFIDENCE = "her divorce is hard on her, she told me (keep that to myself)"
UNSHOWN = "she learned Zapotec weaving from her grandmother in Teotitlan"
NOTES = "\n".join(f"- {c}" for c in (TOPIC, STEP, AGENDA, CONFIDENCE, UNSHOWN))

GOOD_PARTS = DraftParts(
    subject="Your wood-fired kilns talk",
    greeting="Marta",
    recall=[
        "Thank you for the wonderful conversation after your talk at the Ceramics Biennale.",
        "I keep thinking about what you said on firing with wood-fired kilns.",
    ],
    step="As promised, I'll send you my glaze recipe by Friday.",
    sender="Sam Rivera",
)


def _request(**changes: Any) -> DraftRequest:
    values: dict[str, Any] = {
        "contact": Contact(name="Marta Klein", where_met="Ceramics Biennale"),
        "notes": NOTES,
        "sender": "Sam Rivera",
    }
    values.update(changes)
    return DraftRequest(**values)


def _plan(**changes: Any) -> Plan:
    values: dict[str, Any] = {
        "greeting_name": "Marta",
        "details": [TOPIC],
        "step_clause": STEP,
        "held_back": [AGENDA, CONFIDENCE],
        "unshown": [AGENDA, CONFIDENCE, UNSHOWN],
        "agenda_present": True,
        "next_step_type": "offer",
        "follow_up_when": "by Friday",
        "follow_up_date": TODAY + dt.timedelta(days=3),
    }
    values.update(changes)
    return Plan(**values)


def _run(
    parts: DraftParts = GOOD_PARTS,
    plan: Plan | None = None,
    request: DraftRequest | None = None,
    **draft_changes: Any,
) -> dict[str, Any]:
    plan = plan or _plan()
    request = request or _request()
    subject, body = render(parts, request.channel)
    values: dict[str, Any] = {
        "channel": request.channel,
        "subject": subject,
        "body": body,
        "greeting_name": plan.greeting_name,
        "next_step_type": plan.next_step_type,
        "next_step": parts.step,
        "follow_up_when": plan.follow_up_when,
        "follow_up_date": plan.follow_up_date,
        "guidance_ids": ["playbook#offer"],
        "parts": parts,
    }
    values.update(draft_changes)
    results = run_checks(Draft(**values), plan, request)
    return {r.name: r for r in results}


def _failed(results: dict[str, Any]) -> set[str]:
    return {name for name, r in results.items() if not r.passed}


def _with(**changes: Any) -> DraftParts:
    return GOOD_PARTS.model_copy(update=changes)


def test_a_sound_draft_passes_every_check_in_order() -> None:
    results = _run()
    assert list(results) == list(LABELS) == [c.__name__.removeprefix("check_") for c in CHECKS]
    assert _failed(results) == set(), {n: r.message for n, r in results.items() if not r.passed}
    assert all(r.message == "" and r.label == LABELS[n] for n, r in results.items())


def test_run_checks_needs_the_parts() -> None:
    draft = Draft(
        channel="email",
        body="Hi",
        next_step_type="offer",
        next_step="x",
        follow_up_when="soon",
        follow_up_date=TODAY,
    )
    with pytest.raises(ValueError, match="parts"):
        run_checks(draft, _plan(), _request())


def test_warnings_name_the_label_and_the_problem() -> None:
    results = list(_run(_with(greeting="Martha")).values())
    assert warnings_from(results) == [
        "Greets them by the right name: the greeting should use 'Marta', not 'Martha'"
    ]


# --- one fault, one failed check -------------------------------------------------------------


def test_greeting() -> None:
    results = _run(_with(greeting="Martha"))
    assert _failed(results) == {"greeting"}
    assert "'Marta'" in results["greeting"].message


def test_greeting_once() -> None:
    """A body sentence that opens by naming them again ("Marta, what a talk!") is a second
    greeting; naming them inside a sentence is not."""
    again = _with(recall=["Marta, what a wonderful talk on wood-fired kilns!", *GOOD_PARTS.recall[1:]])
    results = _run(again)
    assert _failed(results) == {"greeting"}
    assert "'Marta,'" in results["greeting"].message
    inside = _with(recall=["What a wonderful talk on wood-fired kilns, Marta!", *GOOD_PARTS.recall[1:]])
    assert not _failed(_run(inside))
    # repair takes the second greeting away, whichever form of the name it uses
    request = _request(contact=Contact(name="Marta Klein", where_met="Ceramics Biennale"))
    plan = _plan()
    fixed = repair(
        _with(recall=["Hi Marta Klein, what a wonderful talk on wood-fired kilns!", *GOOD_PARTS.recall[1:]]),
        plan,
        request,
        Guard(request, plan),
    )
    assert fixed.recall[0] == "What a wonderful talk on wood-fired kilns!"


def test_detail() -> None:
    generic = _with(
        recall=[GOOD_PARTS.recall[0], "I have been thinking about our whole conversation ever since."]
    )
    results = _run(generic)
    assert _failed(results) == {"detail"}
    assert "wood-fired kilns" in results["detail"].message
    # With no details in the plan, no recall is specific: the check says the notes lacked one.
    unsure = _run(generic, plan=_plan(details=[]))
    assert _failed(unsure) == {"detail"}
    assert "no shared detail was clear enough" in unsure["detail"].message


def test_detail_counts_what_a_second_touch_follows_up() -> None:
    follow = FollowUpContext(kind="nudge", previous_topic="the anagama kiln build")
    parts = _with(recall=["I hope the anagama build is going well."])
    assert _run(parts, plan=_plan(details=[], follow_up=follow))["detail"].passed
    assert not _run(_with(recall=["I hope you are well."]), plan=_plan(details=[], follow_up=follow))[
        "detail"
    ].passed


def test_a_plain_nudge_recalls_something_its_last_message_did_not_say() -> None:
    topic = "the anagama kiln build"
    fresh = "she fires with cedar offcuts from the sawmill next door"
    old = _with(recall=["I hope the anagama build is going well."])
    new = _with(recall=["I keep thinking of your cedar offcuts from the sawmill."])
    nudge = _plan(details=[topic, fresh], follow_up=FollowUpContext(kind="nudge", previous_topic=topic))
    assert not _run(old, plan=nudge)["detail"].passed
    assert "cedar offcuts" in _run(old, plan=nudge)["detail"].message
    assert _run(new, plan=nudge)["detail"].passed
    # a nudge asking after what they mentioned, or one with nothing new, may name the old topic
    asking = FollowUpContext(kind="nudge", previous_topic=topic, ask_after="the firing schedule")
    assert _run(old, plan=_plan(details=[topic, fresh], follow_up=asking))["detail"].passed
    only = _plan(details=[topic], follow_up=FollowUpContext(kind="nudge", previous_topic=topic))
    assert _run(old, plan=only)["detail"].passed


def test_an_ask_is_asked_not_announced() -> None:
    ask = "I'd love to know which clay body she throws her moon jars in"
    plan = _plan(step_clause=ask, next_step_type="ask", follow_up_when="next week")
    announced = _run(
        _with(step="I'll ask you which clay body you throw your moon jars in next week."), plan=plan
    )
    assert not announced["next_step"].passed
    assert "ask them now" in announced["next_step"].message
    asked = "Which clay body do you throw your moon jars in? Any time next week would be great."
    assert _run(_with(step=asked), plan=plan)["next_step"].passed
    # the sender's own act that is no question is the step of an offer
    assert _run(_with(step="I'll ask my uncle for his recipe and send it by Friday."))["next_step"].passed


def test_next_step_missing() -> None:
    results = _run(_with(step=""))
    assert not results["next_step"].passed
    assert results["next_step"].message == "the message states no next step"


def test_next_step_other_than_the_planned_one() -> None:
    results = _run(_with(step="Would you like to grab a coffee by Friday?"))
    assert _failed(results) == {"next_step"}
    assert STEP in results["next_step"].message


def test_next_step_said_twice() -> None:
    twice = _with(recall=[GOOD_PARTS.recall[1], "As promised, I'll send you my glaze recipe soon."])
    results = _run(twice)
    assert _failed(results) == {"next_step"}
    assert "stated twice" in results["next_step"].message


def test_keep_in_touch_step_must_keep_the_door_open() -> None:
    plan = _plan(step_clause="", next_step_type="keep_in_touch", follow_up_when="in the next few weeks")
    door = _with(step="I'd love to stay in touch: may I reach out in the next few weeks?")
    assert _run(door, plan=plan)["next_step"].passed
    other = _with(step="Please review my portfolio in the next few weeks.")
    assert not _run(other, plan=plan)["next_step"].passed


def test_when_missing_from_the_step() -> None:
    results = _run(_with(step="As promised, I'll send you my glaze recipe soon."))
    assert _failed(results) == {"when"}
    assert "'by Friday'" in results["when"].message


def test_when_too_far_ahead_or_past() -> None:
    for date in (TODAY + dt.timedelta(days=400), TODAY - dt.timedelta(days=1)):
        results = _run(follow_up_date=date)
        assert _failed(results) == {"when"}, date
        assert str(date) in results["when"].message


def test_when_a_delivery_is_due_now() -> None:
    plan = _plan(follow_up=FollowUpContext(kind="deliver", promise="my glaze recipe"))
    assert _run(_with(step="Here is my glaze recipe, as promised."), plan=plan)["when"].passed


@pytest.mark.parametrize(
    "parts",
    [
        _with(recall=[*GOOD_PARTS.recall, "Your grandmother's Zapotec weaving sounds wonderful."]),
        _with(recall=[*GOOD_PARTS.recall, "Would you consider hiring me for your studio?"]),
        _with(recall=[*GOOD_PARTS.recall, "I'm sorry to hear the divorce has been hard on you."]),
        _with(subject="Zapotec weaving and kilns"),
    ],
)
def test_no_leak(parts: DraftParts) -> None:
    results = _run(parts)
    assert not results["no_leak"].passed
    assert "did not mean to share" in results["no_leak"].message


def test_no_copy() -> None:
    copied = _with(
        recall=[GOOD_PARTS.recall[0], "Your talk on wood-fired kilns was the highlight of my day."]
    )
    results = _run(copied)
    assert _failed(results) == {"no_copy"}
    assert "wood-fired kilns was the highlight" in results["no_copy"].message
    assert not _run(_with(subject="her talk on wood-fired kilns was the highlight"))["no_copy"].passed


@pytest.mark.parametrize("hole", ["[Your Name]", "{company}", "<link>", "TBD"])
def test_placeholders(hole: str) -> None:
    parts = _with(recall=[*GOOD_PARTS.recall[:1], f"I keep thinking about wood-fired kilns at {hole}."])
    results = _run(parts)
    assert not results["ready"].passed
    assert hole in results["ready"].message


@pytest.mark.parametrize(
    ("part", "text", "problem"),
    [
        ("recall", "I also loved hearing about your kilns (the big one in the yard.", "'(' is not closed"),
        ("recall", "I keep thinking about your wood-fired kilns and.", "after 'and'"),
        ("step", "As promised, I'll send you my glaze recipe on the by Friday.", "'the by'"),
        ("subject", "Your wood-fired kilns and your", "after 'your'"),
    ],
)
def test_a_sentence_that_breaks_off_is_not_ready_to_send(part: str, text: str, problem: str) -> None:
    changes: dict[str, Any] = {part: [GOOD_PARTS.recall[0], text] if part == "recall" else text}
    results = _run(_with(**changes))
    assert _failed(results) == {"ready"}
    assert problem in results["ready"].message


def test_whole_sentences_ending_on_a_preposition_or_a_quotation_are_ready() -> None:
    recall = [
        "Your kilns are something I want to learn more about.",
        'I keep thinking about your "slow cooling" idea for wood-fired kilns.',
    ]
    assert _run(_with(recall=recall))["ready"].passed


def test_channel_fit_email_length_and_subject() -> None:
    short = _with(
        recall=["Loved your talk on wood-fired kilns."], step="I'll send my glaze recipe by Friday."
    )
    results = _run(short)
    assert not results["channel_fit"].passed and "35-180 words" in results["channel_fit"].message
    assert not _run(_with(subject=""))["channel_fit"].passed
    long_subject = _with(subject="Your talk on wood-fired kilns " + "and glazes " * 8)
    assert "characters (at most 80)" in _run(long_subject)["channel_fit"].message


def test_channel_fit_short_channels() -> None:
    request = _request(channel="linkedin")
    fits = _with(subject="", recall=["I keep thinking about your wood-fired kilns."])
    assert _run(fits, request=request)["channel_fit"].passed
    long = _with(subject="", recall=["I keep thinking about your wood-fired kilns and the whole day. " * 5])
    results = _run(long, request=request)
    assert not results["channel_fit"].passed and "at most 300 characters" in results["channel_fit"].message


@pytest.mark.parametrize(
    ("recall", "step", "why"),
    [
        (
            ["Thank you for the conversation about wood-fired kilns at the Ceramics Biennale."],
            "The glaze recipe will come to you by Friday.",
            "first person",
        ),
        (
            ["Thanks for reaching out about wood-fired kilns after the Ceramics Biennale."],
            "As promised, I'll send you my glaze recipe by Friday.",
            "their reply",
        ),
        (
            ["I keep thinking about how Marta fires wood-fired kilns, a real highlight for me."],
            "As promised, I'll send you my glaze recipe by Friday.",
            "not about them",
        ),
        (
            # a comma after the name does not make it an address when a word leads into it
            ["Thank you for the evening with Marta, the potter. I loved the wood-fired kilns."],
            "As promised, I'll send you my glaze recipe by Friday.",
            "not about them",
        ),
        (
            GOOD_PARTS.recall,
            "As promised, I'll send her my glaze recipe by Friday.",
            "'he' or 'she'",
        ),
        (
            ["I keep thinking about her wood-fired kilns and her talk; a real highlight for me."],
            "As promised, I'll send you my glaze recipe by Friday.",
            "'she' or 'he'",
        ),
        (
            GOOD_PARTS.recall,
            "Let's continue what we agreed or began together in the next couple of weeks.",
            "repeats the instructions",
        ),
        (
            GOOD_PARTS.recall,
            "Could I ask you for the small thing from the notes next week?",
            "repeats the instructions",
        ),
        (
            # the feedback of a failed attempt said back, about "them" or to "you"
            GOOD_PARTS.recall,
            "I'll ask them now, as a question next week.",
            "repeats the instructions",
        ),
        (
            GOOD_PARTS.recall,
            "The next step should be the one from your notes: the glaze recipe by Friday.",
            "repeats the instructions",
        ),
        (
            [GOOD_PARTS.recall[1], "You are a fascinating woman who fires with wood."],
            "As promised, I'll send you my glaze recipe by Friday.",
            "sizes them up",
        ),
        (
            ["Sam Rivera shared that your wood-fired kilns talk was the highlight."],
            "As promised, I'll send you my glaze recipe by Friday.",
            "speaks of you by name",
        ),
    ],
)
def test_voice(recall: list[str], step: str, why: str) -> None:
    results = _run(_with(recall=recall, step=step))
    assert not results["voice"].passed
    assert why in results["voice"].message


def test_voice_allows_the_instructions_ideas_in_other_words() -> None:
    step = "Shall we keep the door open and pick up the kiln talk again in a few weeks?"
    assert _run(_with(step=step))["voice"].passed


def test_voice_allows_the_name_in_address_and_others_in_the_third_person() -> None:
    assert _run(_with(recall=["Thanks, Marta, for your talk on wood-fired kilns."]))["voice"].passed
    assert _run(_with(recall=["Marta, your talk on wood-fired kilns stayed with me."]))["voice"].passed
    # with a title, the name is said to them after the whole greeting name
    plan = _plan(greeting_name="Judge Solberg")
    parts = _with(recall=["Thank you for the meeting, Judge Solberg, and for your wood-fired kilns talk."])
    assert _run(parts, plan=plan)["voice"].passed
    parts = _with(recall=["I met Judge Solberg at the wood-fired kilns talk."])
    assert not _run(parts, plan=plan)["voice"].passed
    assert _run(_with(recall=["Thank you Marta, your wood-fired kilns talk was a highlight."]))[
        "voice"
    ].passed
    # Another person is named in the shown details: 'she' may be them.
    plan = _plan(details=[TOPIC, "her apprentice Joaquin builds the kilns"])
    parts = _with(recall=["I loved hearing how Joaquin builds wood-fired kilns; she sounds talented."])
    assert _run(parts, plan=plan)["voice"].passed


def test_repair_drops_a_sentence_that_sizes_them_up() -> None:
    parts = _with(
        recall=["You're such a gifted potter. I loved your talk on wood-fired kilns.", GOOD_PARTS.recall[0]]
    )
    request, plan = _request(), _plan()
    fixed = repair(parts, plan, request, Guard(request, plan))
    assert fixed.recall == ["I loved your talk on wood-fired kilns.", GOOD_PARTS.recall[0]]


def test_repair_drops_a_sentence_about_the_sender_by_name_and_an_address_to_them() -> None:
    parts = _with(
        recall=[
            "Rivera mentioned the kiln shed. I loved your talk on wood-fired kilns.",
            f"Sam Rivera, {GOOD_PARTS.recall[0][0].lower()}{GOOD_PARTS.recall[0][1:]}",
        ]
    )
    request, plan = _request(), _plan()
    guard = Guard(request, plan)
    fixed = repair(parts, plan, request, guard)
    assert fixed.recall == ["I loved your talk on wood-fired kilns.", GOOD_PARTS.recall[0]]
    # a name of theirs that is a common word is no one at the start of a sentence
    will = DraftRequest(contact=Contact(name="Marta Klein"), notes=NOTES, sender="Will Grace")
    guard = Guard(will, plan)
    assert not guard.names_sender("Will you send me the glaze recipe?")
    assert guard.names_sender("I told Will about the kilns.")


def test_voice_fails_a_he_or_she_the_message_gives_no_one_else_to_mean() -> None:
    """Someone else is named in the notes, but not in the message before the "she": the reader of
    the message can only take it to mean them."""
    plan = _plan(details=[TOPIC, "her apprentice Joaquin builds the kilns"])
    joaquin = _request(notes=f"{NOTES}\n- her apprentice Joaquin builds the kilns")
    parts = _with(
        recall=[GOOD_PARTS.recall[0], "She is a natural with wood-fired kilns, and Joaquin builds them."]
    )
    results = _run(parts, plan=plan, request=joaquin)
    assert _failed(results) == {"voice"}
    assert "'She' before it names anyone else" in results["voice"].message
    # repair speaks to them there, when the notes call them "she", and leaves Joaquin's "he"
    notes = f"Met Marta. She gave a talk: {TOPIC}. Her apprentice Joaquin builds the kilns; he is quiet."
    request = _request(notes=notes)
    parts = _with(recall=["She fires her wood-fired kilns for days, and Joaquin says he builds them."])
    fixed = repair(parts, plan, request, Guard(request, plan))
    assert fixed.recall[0] == "You fire your wood-fired kilns for days, and Joaquin says he builds them."
    # when the notes call them "he", a "she" is not taken for them
    request = _request(notes=notes.replace("She gave", "He gave"))
    assert repair(parts, plan, request, Guard(request, plan)).recall[0] == parts.recall[0]


@pytest.mark.parametrize(
    ("sentence", "made_up"),
    [
        ("Congratulations on the 2019 award for your wood-fired kilns.", "2019"),
        ("I told Ottilie about your wood-fired kilns.", "Ottilie"),
        ("I keep thinking about your wood-fired kilns in Ljubljana.", "Ljubljana"),
        (
            "My notes on wood-fired kilns are at https://example.org/kilns for you.",
            "https://example.org/kilns",
        ),
        # a fact of the writer's worked examples, which these notes never mention
        ("I loved hearing about the bees on your roof and your wood-fired kilns.", "bees"),
    ],
)
def test_invented(sentence: str, made_up: str) -> None:
    results = _run(_with(recall=[GOOD_PARTS.recall[0], sentence]))
    assert not results["invented"].passed
    assert made_up in results["invented"].message


def test_invented_allows_what_the_notes_the_contact_and_the_follow_up_say() -> None:
    parts = _with(recall=[GOOD_PARTS.recall[0], "My Friday plans include the Teotitlan trip."])
    assert _run(parts)["invented"].passed  # in the notes (the leak check judges whether it was shown)
    follow = FollowUpContext(kind="deliver", promise="the Onggi glaze chart")
    plan = _plan(follow_up=follow)
    assert _run(_with(step="Here is the Onggi glaze chart I promised by Friday."), plan=plan)[
        "invented"
    ].passed


def test_grounded() -> None:
    results = _run(guidance_ids=[])
    assert _failed(results) == {"grounded"}
    assert "cite the guidance" in results["grounded"].message


@pytest.mark.parametrize(
    ("detail", "text", "expected"),
    [
        ("her talk on wood-fired kilns", "I loved hearing about your kilns.", True),  # a rare word
        ("she grows heirloom tomatoes", "Your tomatoes sound amazing.", True),  # most content words
        ("her talk on wood-fired kilns", "Thanks for a lovely talk.", False),
        ("she runs the data team at a startup", "Thanks for the chat.", False),
        # a part of a hyphenated word names it
        ("Meiji", "Thank you for the tour of the Meiji-era travel guides.", True),
        # a detail in common words only is named by most of them, and not by one
        ("LED strips", "The LED strips looked gorgeous from the back row.", True),
        ("milk per cow", "We could compare the milk per cow in March.", True),
        ("milk per cow", "I loved hearing about your cows.", False),
    ],
)
def test_mentions(detail: str, text: str, expected: bool) -> None:
    assert mentions(detail, text) is expected


def test_where_you_met_is_not_the_detail_but_names_a_detail_about_it() -> None:
    request = _request(contact=Contact(name="Isabel Ruiz", where_met="energy conference"))
    plan = _plan(
        greeting_name="Isabel", details=["Her talk on community solar co-ops at the energy conference."]
    )
    specific = _with(recall=["Thank you for your talk on community solar co-ops."])
    assert _run(specific, plan=plan, request=request)["detail"].passed
    setting = _with(recall=["It was good to meet you at the energy conference, a great event."])
    assert not _run(setting, plan=plan, request=request)["detail"].passed
    # A detail with nothing but the setting in it is named by the setting.
    only = _plan(greeting_name="Isabel", details=["The energy conference."])
    assert _run(setting, plan=only, request=request)["detail"].passed


def test_repair_drops_a_recall_that_repeats_the_instructions_and_speaks_to_them() -> None:
    plan, request = _plan(), _request()
    echo = "I'd love to continue what we agreed or began together."
    parts = _with(
        recall=[*GOOD_PARTS.recall, echo],
        step="As promised, I'll send Marta my glaze recipe by Friday.",
    )
    fixed = repair(parts, plan, request, Guard(request, plan))
    assert echo not in fixed.recall
    assert fixed.recall == GOOD_PARTS.recall
    assert fixed.step == "As promised, I'll send you my glaze recipe by Friday."
    assert _run(fixed)["voice"].passed


def test_repair_says_nothing_twice() -> None:
    plan, request = _plan(), _request()
    first, second = GOOD_PARTS.recall
    # the same sentence twice in one part, the same recall twice, and the same thing in other words
    parts = _with(
        recall=[
            f"{first} {first}",
            second,
            second,
            "I keep thinking about what you told me on firing with wood-fired kilns!",
        ]
    )
    fixed = repair(parts, plan, request, Guard(request, plan))
    assert fixed.recall == GOOD_PARTS.recall
    # two sentences about different things both stay
    apart = _with(recall=[first, "Your point about ash glazes on stoneware stayed with me."])
    assert repair(apart, plan, request, Guard(request, plan)).recall == apart.recall


def test_repair_replaces_a_subject_that_repeats_the_instructions() -> None:
    plan, request = _plan(), _request()
    echo = _with(subject="Offer one small, relevant thing")
    fixed = repair(echo, plan, request, Guard(request, plan))
    assert fixed.subject and "relevant thing" not in fixed.subject


def test_repair_turns_a_recall_about_them_to_speak_to_them() -> None:
    plan, request = _plan(), _request()
    about = _with(recall=["Marta's talk on wood-fired kilns was the highlight.", "Marta knows kilns."])
    assert not _run(about)["voice"].passed
    fixed = repair(about, plan, request, Guard(request, plan))
    assert fixed.recall == ["Your talk on wood-fired kilns was the highlight.", "You know kilns."]
    assert _run(fixed)["voice"].passed


def test_repair_cuts_a_copied_recall_at_a_phrase_boundary_or_drops_it() -> None:
    plan = _plan()
    tail = "Thanks for hearing me out: I learned Zapotec weaving from her grandmother in Teotitlan too."
    notes = NOTES + "\n- " + "I learned Zapotec weaving from her grandmother in Teotitlan too"
    request = _request(notes=notes)
    guard = Guard(request, plan)
    # the longest cut that copies fewer than 8 words in a row
    assert (
        uncopied(tail, guard) == "Thanks for hearing me out: I learned Zapotec weaving from her grandmother."
    )
    # a cut that would leave a clause without its verb is no cut: the sentence goes
    assert uncopied("I loved how your talk on wood-fired kilns was the highlight of the day.", guard) == ""
    assert uncopied(GOOD_PARTS.recall[1], guard) == GOOD_PARTS.recall[1]


def test_a_step_whose_time_makes_the_copy_says_its_time_first() -> None:
    said = "I said I'd scan the bowing chart and email it over the weekend"
    plan = _plan(step_clause=said, follow_up_when="over the weekend")
    request = _request(notes=NOTES + "\n- " + said)
    guard = Guard(request, plan)
    # the promise in the writer's words, the time where the notes put it: eight words in a row
    step = "I'll scan the bowing chart and email it over the weekend."
    assert guard.copied(step)
    fixed = repair(_with(step=step), plan, request, guard)
    assert fixed.step == "Over the weekend, I'll scan the bowing chart and email it."
    assert "no_copy" not in _failed(_run(fixed, plan, request))
    # a step that copies nothing keeps its time at the end
    assert repair(_with(step="Shall we play it through over the weekend?"), plan, request, guard).step == (
        "Shall we play it through over the weekend?"
    )


def test_the_instructions_said_before_a_colon_leave_the_step() -> None:
    plan = _plan(
        step_clause="ask her which clay body she fires", next_step_type="ask", follow_up_when="next week"
    )
    request = _request()
    guard = Guard(request, plan)
    told = "I'd love to ask you for the small thing from the notes, politely, as a question: "
    fixed = repair(_with(step=told + "Which clay body do you fire?"), plan, request, guard)
    assert fixed.step == "Which clay body do you fire? Any time next week would be great."
    assert "voice" not in _failed(_run(fixed, plan, request))
    # a colon after words of the sender's own stays
    said = "One question: which clay body do you fire?"
    assert repair(_with(step=said), plan, request, guard).step.startswith(said)


def test_a_copied_step_is_not_cut_short_of_what_it_is_about() -> None:
    said = "I want to ask her for the name of the supplier of the cobalt oxide she glazes with"
    plan = _plan(step_clause=said, next_step_type="ask", follow_up_when="next week")
    request = _request(notes=NOTES + "\n- " + said)
    guard = Guard(request, plan)
    step = "I'd love to ask you for the name of the supplier of the cobalt oxide you glaze with."
    assert guard.copied(step) and uncopied(step, guard) == "I'd love to ask you."
    # cut there, the ask would lose its object: the step stays whole for the rewrite to say afresh
    fixed = repair(_with(step=step), plan, request, guard)
    assert fixed.step.startswith(step.removesuffix(".")) and "no_copy" in _failed(_run(fixed, plan, request))
    # a cut that keeps what the step is about is kept
    plan = _plan(step_clause="I'll send her my glaze recipe", follow_up_when="by Friday")
    request = _request(
        notes=NOTES + "\n- " + "send my glaze recipe for the cobalt blue from the Oaxaca workshop"
    )
    guard = Guard(request, plan)
    step = "I'll send you my glaze recipe for the cobalt blue from the Oaxaca workshop."
    assert repair(_with(step=step), plan, request, guard).step == (
        "I'll send you my glaze recipe for the cobalt blue by Friday."
    )


def test_a_step_that_asks_ends_in_a_question_mark() -> None:
    plan = _plan(
        step_clause="we said we'd join the joint training camp", follow_up_when="in the next few weeks"
    )
    request = _request()
    guard = Guard(request, plan)
    step = "In the next few weeks, shall we join the joint training camp."
    assert repair(_with(step=step), plan, request, guard).step == (
        "In the next few weeks, shall we join the joint training camp?"
    )
    # a condition opened by "should" is no question
    said = "Should you want the plans, I'll send them in the next few weeks."
    assert repair(_with(step=said), plan, request, guard).step == said


def test_a_time_phrase_comes_out_of_a_sentence_with_what_leads_it() -> None:
    # nothing to take out: the sentence as it was, and no comma put in front of it
    assert without_when("Shall we meet in the new year?", "") == "Shall we meet in the new year?"
    assert when_first("Shall we meet in the new year?", " ") == "Shall we meet in the new year?"
    assert (
        without_when("I'll send you the map in the next few days.", "next few days")
        == "I'll send you the map."
    )
    assert without_when("Over the weekend, shall we try it?", "over the weekend") == "Shall we try it?"
    assert when_first("Shall we try the Kinlochleven stage together by Friday?", "by Friday") == (
        "By Friday, shall we try the Kinlochleven stage together?"
    )
    assert when_first("Kinlochleven is next, by Friday.", "by Friday") == "By Friday, Kinlochleven is next."


def test_a_cut_never_leaves_a_bracket_open_or_a_sentence_broken_off() -> None:
    plan = _plan()
    aside = "she learned Zapotec weaving from her grandmother in Teotitlan"
    request = _request(notes=NOTES + "\n- " + f"her daughter's school ({aside})")
    guard = Guard(request, plan)
    # the cut goes before the bracket, not inside it
    sentence = f"I enjoyed hearing about your daughter's school ({aside})."
    assert uncopied(sentence, guard) == "I enjoyed hearing about your daughter's school."


def test_repair_drops_a_recall_that_breaks_off_and_fits_a_long_subject_at_a_whole_phrase() -> None:
    plan, request = _plan(), _request()
    broken = _with(
        recall=[GOOD_PARTS.recall[0], "I keep thinking about your wood-fired kilns and."],
        subject="Your talk at the Ceramics Biennale about firing kilns with wood, and the slow cooling of",
    )
    fixed = repair(broken, plan, request, Guard(request, plan))
    assert fixed.recall == [GOOD_PARTS.recall[0]]
    assert len(fixed.subject) <= SUBJECT_MAX
    assert fixed.subject.split()[-1] not in {"of", "the", "and", "with"}
    assert _run(fixed)["ready"].passed
    unbroken = repair(_with(subject="Kilns" * 20), plan, request, Guard(request, plan))
    assert unbroken.subject == ("Kilns" * 20)[:SUBJECT_MAX]


def test_repair_cuts_a_step_that_names_the_promised_thing_in_the_notes_words() -> None:
    step = "the slides and the notes from my talk on glaze chemistry at the guild meeting in Leeds"
    notes = NOTES + "\n- " + f"I promised to send her {step}"
    plan = _plan(step_clause=f"I promised to send her {step}")
    request = _request(notes=notes)
    copied = _with(step=f"Could I send you {step} by Friday?")
    assert not _run(copied, plan=plan, request=request)["no_copy"].passed
    fixed = repair(copied, plan, request, Guard(request, plan))
    # cut before the phrase that made the run, the question kept a question, the when put back
    assert fixed.step == "Could I send you the slides and the notes by Friday?"
    results = _run(fixed, plan=plan, request=request)
    assert results["no_copy"].passed and results["next_step"].passed


def _nudge(previous_step: str, *, avoid_step: bool = False) -> tuple[DraftRequest, Plan]:
    """A light nudge about her kilns talk, after a message whose step was `previous_step`."""
    topic = "her talk on wood-fired kilns"
    follow = FollowUpContext(kind="nudge", previous_topic=topic, previous_step=previous_step)
    request = _request(avoid=[topic, *([previous_step] if avoid_step else [])], follow_up=follow)
    plan = _plan(
        details=[topic],
        step_clause="",
        next_step_type="keep_in_touch",
        follow_up_when="in the next few weeks",
        follow_up=follow,
    )
    return request, plan


def test_a_nudge_does_not_say_the_last_step_again_in_other_words() -> None:
    # the last message asked to sit in on a firing; this one is a light nudge about the same talk
    before = "Could I sit in on one of the studio's Saturday firing sessions this month?"
    request, plan = _nudge(before, avoid_step=True)
    guard = Guard(request, plan)
    again = "I would really love to join your Saturday firing next time, to learn more about kilns."
    assert guard.repeating_before([again, "Your talk on wood-fired kilns stayed with me."]) == [again]
    parts = _with(
        subject="Wood-fired kilns and Saturday firing sessions",
        recall=["Your talk on wood-fired kilns stayed with me.", again],
        step="I'd love to stay in touch: may I reach out in the next few weeks?",
    )
    fixed = repair(parts, plan, request, guard)
    assert fixed.recall == ["Your talk on wood-fired kilns stayed with me."]
    assert "Saturday" not in fixed.subject and "kilns" in fixed.subject
    results = _run(_with(step=again), plan=plan, request=request)
    assert "repeats the step of your last message" in results["next_step"].message


def test_a_fallback_subject_close_to_a_private_clause_names_another_detail() -> None:
    pitch = "I want to pitch our wake-word engine to the Alexa team at some point"
    first = "two people from the Alexa team asked about wake-word false alarms"
    request = _request(notes=f"{NOTES}\n- {first}\n- {pitch}")
    plan = _plan(details=[first, TOPIC], held_back=[AGENDA, CONFIDENCE, pitch])
    guard = Guard(request, plan)
    assert guard.close_to_private(["Following up: Alexa wake-word"])  # the first detail's subject
    leaky = _with(subject="Pitching our wake-word engine to the Alexa team")
    fixed = repair(leaky, plan, request, guard)
    assert fixed.subject == "Following up: kilns"
    assert _run(fixed, plan=plan, request=request)["no_leak"].passed


def test_repair_drops_a_recall_that_says_the_step_again() -> None:
    plan, request = _plan(), _request()
    twice = "I promised to send you my glaze recipe."
    fixed = repair(_with(recall=[*GOOD_PARTS.recall, twice]), plan, request, Guard(request, plan))
    assert fixed.recall == GOOD_PARTS.recall
    assert _run(fixed)["next_step"].passed


def test_a_step_that_repeats_the_last_message_fails_and_its_words_are_not_a_leak() -> None:
    before = "May I stay in touch as your kiln trials in Teotitlan progress?"
    request = _request(avoid=[before])
    plan = _plan(step_clause="", next_step_type="keep_in_touch", follow_up_when="in the next few weeks")
    again = _with(step="May I stay in touch as your kiln trials in Teotitlan progress in the next few weeks?")
    results = _run(again, plan=plan, request=request)
    assert "repeats the step of your last message" in results["next_step"].message
    assert results[
        "no_leak"
    ].passed  # "Teotitlan" is unshown in the notes, but they saw it in our last message
    fresh = _with(step="I'd love to stay in touch: may I reach out in the next few weeks?")
    assert _run(fresh, plan=plan, request=request)["next_step"].passed


def test_a_keep_in_touch_step_promises_nothing_the_notes_do_not() -> None:
    plan = _plan(step_clause="", next_step_type="keep_in_touch", follow_up_when="in the next few weeks")
    for made_up in (
        "I'll reach out to you in the next few weeks to send you a link to your talk.",
        "I'd love to stay in touch, and I'll send you my glaze recipe in the next few weeks.",
    ):
        result = _run(_with(step=made_up), plan=plan)["next_step"]
        assert not result.passed and "promises something your notes don't" in result.message
    for door in (
        "I'd love to stay in touch: may I reach out in the next few weeks?",
        "I'd love to stay in touch: may I write again in the next few weeks to hear how the firing went?",
    ):
        assert _run(_with(step=door), plan=plan)["next_step"].passed
    # a promise the notes made is the step of an offer, not a made-up one
    assert _run(GOOD_PARTS)["next_step"].passed


def test_a_nudge_that_promises_something_new_gets_the_plain_door_open_step() -> None:
    request, plan = _nudge("May I reach out again?")
    made_up = _with(step="I'll send you my notes on the kilns in the next few weeks.")
    assert not _run(made_up, plan=plan, request=request)["next_step"].passed
    # long and full of the topic, where the reader alone reads no promise
    long_one = _with(
        step="I'll send you my notes about the salt glazes and the way the kiln's back wall cracked"
        " in the heat of the last firing in the next few weeks."
    )
    assert (
        "promises something your notes don't"
        in _run(long_one, plan=plan, request=request)["next_step"].message
    )
    fixed = door_open(made_up, plan, Guard(request, plan))
    assert (
        fixed.step
        == "I'd love to stay in touch. Would you mind if I reach out to you again in the next few weeks?"
    )
    assert _run(fixed, plan=plan, request=request)["next_step"].passed


def test_a_nudge_step_that_asks_the_last_step_again_fails_however_it_is_worded() -> None:
    before = "If I come back to Oaxaca in March, could I watch one of your firings?"
    request, plan = _nudge(before, avoid_step=True)
    for again in (
        # the same ask, after a sentence that says the message was written before
        "I wrote to you about your kilns talk a few weeks ago. If I come back to Oaxaca in March,"
        " could I watch one of your firings in the next few weeks?",
        # the same ask in other words
        "Would you mind if I watched you fire the kiln when I'm in Oaxaca, in the next few weeks?",
    ):
        result = _run(_with(step=again), plan=plan, request=request)["next_step"]
        assert "repeats the step of your last message" in result.message, again
    for new in (
        "I'd love to stay in touch. Would you mind if I reach out to you again in the next few weeks?",
        "May I write again in the next few weeks to hear how your new glaze tests turn out?",
    ):
        assert _run(_with(step=new), plan=plan, request=request)["next_step"].passed, new
