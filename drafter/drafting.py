"""Plan + guidance -> Draft: one model call writes the words, code assembles and checks them.

The writer sees only what the plan shows (the chosen details, the step's clause, the names) and
the guidance passages. It replies with typed parts (`WriterReply`, whose JSON schema is
generated from the model class). Code keeps the draft as `DraftParts` through repair and the
checks, and renders it to text once. A draft that fails a check is written again with the
failures as feedback, up to `Settings.attempts` times; the best attempt by the rubric is kept,
and what still fails stays in its warnings, except a step sentence copied from the notes, said
in the third person or broken off, which is written again on its own (a copied one shorter, with
its time put back by code), and a recall that names no detail (or an email too short to recall
the conversation), which gets one sentence about a shown detail it leaves out. A reply cut at
the token limit is asked again with twice the room, so no draft fails for length.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, ConfigDict

from . import checks, llm, prompts
from .channels import CHANNEL, FOLLOW_UP_INSTRUCTION, KIND
from .errors import TruncatedReply
from .guard import Guard, instruction_echo
from .models import CheckResult, Draft, DraftParts, DraftRequest, FollowUpContext, Passage, Plan
from .render import render
from .repair import clean_sentence, door_open, repair, without_when
from .text.overlap import distinctive, sentences, words
from .text.person import THIRD_PERSON
from .text.speech import without_interjection
from .text.whole import unfinished

logger = logging.getLogger(__name__)

PASSAGE_CHARS = 240
LENGTH_RETRIES = 2
REWRITE_TOKENS = 120  # one sentence
# With no detail sure enough to show, the recall only thanks them: anything more is made up.
NO_DETAILS = (
    "- (none: thank them for the conversation and say you enjoyed meeting them; say nothing about"
    " what it was about)"
)


class WriterReply(BaseModel):
    """What the writer returns; the reply's JSON schema is generated from this class."""

    model_config = ConfigDict(extra="forbid")

    subject: str
    recall: str
    next_step: str
    guidance: list[str]


@dataclass
class DraftStats:
    """Token and timing totals over a drafter's drafts, for the benchmark (safe across threads)."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    model_seconds: float = 0.0
    attempts: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, reply: llm.Reply) -> None:
        with self._lock:
            self.calls += 1
            self.input_tokens += reply.input_tokens
            self.output_tokens += reply.output_tokens
            self.cached_tokens += reply.cached_tokens
            self.model_seconds += reply.seconds


def ref(number: int) -> str:
    """The short label a passage has in the prompt (G1, G2, ...): a few tokens to cite, not twenty."""
    return f"G{number}"


def _schema(reply: type[BaseModel]) -> dict[str, Any]:
    """A reply class's JSON schema without pydantic's titles: tokens the model need not read."""
    schema = reply.model_json_schema()
    schema.pop("title", None)
    for prop in schema["properties"].values():
        prop.pop("title", None)
    return schema


def reply_schema(refs: list[str]) -> dict[str, Any]:
    schema = _schema(WriterReply)
    if refs:
        schema["properties"]["guidance"]["items"] = {"type": "string", "enum": refs}
    return schema


def _fence(text: str) -> str:
    """Keep note text inside its delimiters: no line can close or reopen the task block."""
    return re.sub(r"</?\s*(notes|task)\s*>", "", text, flags=re.IGNORECASE)


def format_passages(passages: list[Passage]) -> str:
    lines = []
    for number, passage in enumerate(passages, 1):
        text = " ".join(passage.text.split())
        if len(text) > PASSAGE_CHARS:
            text = text[:PASSAGE_CHARS].rsplit(" ", 1)[0] + " ..."
        lines.append(f"[{ref(number)}] {text}")
    return "\n".join(lines) if lines else "(none)"


def _note(follow: FollowUpContext) -> str:
    return f"\nInclude what you add now: {_fence(follow.note)}" if follow.note else ""


def _step_lines(plan: Plan) -> tuple[str, str]:
    """(what the step sentence does, its source) for the writer."""
    follow = plan.follow_up
    if follow and follow.kind == "deliver":
        return (
            FOLLOW_UP_INSTRUCTION["deliver"],
            f"You promised: {_fence(follow.promise or plan.step_clause)}" + _note(follow),
        )
    if follow and follow.kind == "nudge" and follow.ask_after:
        return (
            FOLLOW_UP_INSTRUCTION["ask_after"],
            f"They mentioned: {_fence(follow.ask_after)}" + _note(follow),
        )
    if follow and follow.kind == "nudge":
        sent = follow.previous_sent_on.strftime("%B %-d") if follow.previous_sent_on else "recently"
        return (
            FOLLOW_UP_INSTRUCTION["nudge"],
            f"Your message of {sent} was about: {_fence(follow.topic)}" + _note(follow),
        )
    kind = KIND[plan.next_step_type]
    if plan.step_clause:
        return kind.instruction, f"From your notes: {_fence(plan.step_clause)}"
    if plan.next_step_type == "keep_in_touch":
        return kind.instruction, "(none: keep the door open)"
    return kind.unsourced, "(nothing of this kind in your notes)"  # the sender chose the kind


def writer_details(plan: Plan) -> list[str]:
    """The details the writer recalls one of: a plain nudge's new ones when it has any."""
    return plan.fresh_details or plan.details


def build_messages(
    request: DraftRequest, plan: Plan, passages: list[Passage], feedback: list[str]
) -> list[SystemMessage | HumanMessage]:
    """The chat messages for one attempt: only what the plan shows reaches the model."""
    spec = CHANNEL[request.channel]
    instruction, source = _step_lines(plan)
    details = "\n".join(f"- {_fence(d)}" for d in writer_details(plan)) or NO_DETAILS
    avoid = "; ".join(_fence(a) for a in request.avoid) or "(nothing)"
    feedback_text = ""
    if feedback:
        feedback_text = "Your previous reply had these problems; fix them:\n" + "\n".join(
            f"- {f}" for f in feedback
        )
    user = prompts.render(
        "draft_user",
        passages=format_passages(passages),
        channel=request.channel,
        recall_length=spec.recall,
        greeting_name=plan.greeting_name,
        sender=request.sender or "(not given)",
        details=details,
        next_step_type=plan.next_step_type,
        step_instruction=instruction,
        step_source=source,
        when=plan.follow_up_when,
        avoid=avoid,
        feedback=feedback_text,
    )
    return [SystemMessage(prompts.system_prompt()), HumanMessage(user)]


def _call(model: BaseChatModel, messages: list[Any], refs: list[str], channel: str) -> llm.Reply:
    tokens = CHANNEL[channel].max_tokens
    for retry in range(LENGTH_RETRIES + 1):
        try:
            return llm.complete_json(
                model, messages, schema_name="follow_up", schema=reply_schema(refs), max_tokens=tokens
            )
        except TruncatedReply:
            if retry == LENGTH_RETRIES:
                raise
            tokens *= 2
            logger.info("reply cut at the token limit; asking again with %d tokens", tokens)
    raise AssertionError("unreachable")


def parts_from(reply: dict[str, Any], plan: Plan, request: DraftRequest) -> DraftParts:
    # Sentence boundaries as the notes get them (text/sentences.py): "Dr. López" is not two.
    recall = sentences(clean_sentence(reply.get("recall", "")))
    return DraftParts(
        subject=" ".join(str(reply.get("subject", "")).split()),
        greeting=plan.greeting_name,
        recall=recall[: CHANNEL[request.channel].recall_sentences + 1],
        step=clean_sentence(reply.get("next_step", "")),
        sender=request.sender.strip(),
    )


def attempt_draft(
    model: BaseChatModel,
    request: DraftRequest,
    plan: Plan,
    passages: list[Passage],
    feedback: list[str],
    guard: Guard,
) -> tuple[Draft, llm.Reply]:
    refs = {ref(n): p for n, p in enumerate(passages, 1)}
    reply = _call(model, build_messages(request, plan, passages, feedback), list(refs), request.channel)
    parts = repair(parts_from(reply.data, plan, request), plan, request, guard)
    subject, body = render(parts, request.channel)
    named = reply.data.get("guidance", []) or []
    cited = [refs[r] for r in dict.fromkeys(named) if isinstance(r, str) and r in refs]
    draft = Draft(
        channel=request.channel,
        subject=subject,
        body=body,
        greeting_name=plan.greeting_name,
        next_step_type=plan.next_step_type,
        next_step=parts.step,
        follow_up_when=plan.follow_up_when,
        follow_up_date=plan.follow_up_date,
        guidance_ids=[p.id for p in cited],
        passages=cited or list(passages),
        options=list(plan.options),
        parts=parts,
    )
    return draft, reply


def write_draft(
    model: BaseChatModel,
    request: DraftRequest,
    plan: Plan,
    passages: list[Passage],
    *,
    attempts: int,
    stats: DraftStats | None = None,
) -> Draft:
    """Write, repair and check; retry with feedback; keep the best attempt by the rubric."""
    guard = Guard(request, plan)
    best: tuple[Draft, int] | None = None
    feedback: list[str] = []
    for number in range(1, attempts + 1):
        started = time.perf_counter()
        draft, reply = attempt_draft(model, request, plan, passages, feedback, guard)
        results = checks.run_checks(draft, plan, request, guard)
        warnings = checks.warnings_from(results)
        draft = draft.model_copy(update={"checks": results, "warnings": warnings, "attempts": number})
        failures = sum(1 for r in results if not r.passed)
        if stats is not None:
            stats.record(reply)
        logger.info(
            "attempt %d: %d failed checks, %d+%d tokens (%d cached), %.1f s",
            number,
            failures,
            reply.input_tokens,
            reply.output_tokens,
            reply.cached_tokens,
            time.perf_counter() - started,
        )
        if best is None or failures < best[1]:
            best = (draft, failures)
        if failures == 0:
            break
        feedback = writer_feedback(results, plan)
    assert best is not None
    draft, failures = best
    if (
        plan.next_step_type == "keep_in_touch"
        and draft.parts
        and (
            not _passed(draft, "next_step")
            or (not plan.step_clause and _off_script(draft.parts, plan, request, guard))
        )
    ):
        # Keeping the door open is one plain sentence: when the writer did not say it (or said its
        # instructions, or an example's step, instead), it is said.
        parts = door_open(draft.parts, plan, guard)
        subject, body = render(parts, request.channel)
        plain = draft.model_copy(
            update={"subject": subject, "body": body, "next_step": parts.step, "parts": parts}
        )
        results = checks.run_checks(plain, plan, request, guard)
        if sum(1 for r in results if not r.passed) < failures:
            draft = plain.model_copy(update={"checks": results, "warnings": checks.warnings_from(results)})
    if draft.parts and not all(r.passed for r in draft.checks):
        draft = rewrite_step(model, draft, plan, request, guard, stats)
    if draft.parts and not all(r.passed for r in draft.checks):
        draft = add_recall(model, draft, plan, request, guard, stats)
    if stats is not None:
        stats.attempts.append(draft.attempts)
    return draft


def writer_feedback(results: list[CheckResult], plan: Plan) -> list[str]:
    """The failures the writer can fix, for the next attempt. With no detail shown, "add what you
    talked about" is for the sender: asked of the writer, it makes a topic up."""
    return checks.warnings_from([r for r in results if plan.topics or r.name != "detail"])


class RewrittenStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sentence: str


def _off_script(parts: DraftParts, plan: Plan, request: DraftRequest, guard: Guard) -> bool:
    """Whether the step sentence says the writer's instructions, or names what nothing it was given
    says (the worked example's step borrowed whole: "I'll send you my starter feeding schedule")."""
    return bool(instruction_echo(parts.step) or checks.made_up([parts.step], plan, request, guard))


def step_problem(parts: DraftParts, plan: Plan, request: DraftRequest, guard: Guard) -> str:
    """What is wrong with the step sentence itself, if a rewrite of that one sentence can fix it."""
    if found := checks.made_up([parts.step], plan, request, guard):
        return f"it names what the notes never say ({', '.join(found)}): leave that out"
    if guard.copied(parts.step):
        return COPIED_PROBLEM
    if instruction_echo(parts.step):
        return "it repeats the instructions the writer was given instead of saying the step"
    if THIRD_PERSON.search(parts.step):  # the voice check allows no "he" or "she" in the step
        return 'it speaks about them as "he" or "she" instead of to them as "you"'
    if unfinished(parts.step):
        return "it breaks off before the sentence is finished"
    if checks.announces_ask(parts.step, plan):
        return "it says you will ask them later instead of asking them now"
    return ""


# The problem of a step sentence that copies the notes: asked for again shorter and without its
# time, which code puts back (the small model given the whole sentence and "in new words" gives
# it back unchanged).
COPIED_PROBLEM = "it copies the notes word for word"


def rewrite_messages(step: str, problem: str, plan: Plan, request: DraftRequest) -> list[HumanMessage]:
    """The one message asking for the step sentence again: the sentence and its problem only."""
    sender = request.sender.strip() or "the sender"
    shape = 'as a question "I" ask "you"' if plan.asks_them else 'as "I" speaking to "you"'
    if problem == COPIED_PROBLEM:
        sentence = without_when(step, plan.follow_up_when)
        task = prompts.render(
            "rewrite_copied",
            sender=sender,
            contact=plan.greeting_name,
            shape=shape,
            sentence=_fence(sentence),
        )
        return [HumanMessage(task)]
    task = prompts.render(
        "rewrite_step",
        sender=sender,
        contact=plan.greeting_name,
        problem=problem,
        shape=shape,
        sentence=_fence(step),
        when=plan.follow_up_when,
    )
    return [HumanMessage(task)]


# The problem named when a step is written again from a source of ours, not from the writer's sentence.
_JOTTING = "it is a jotting from the notes, not a sentence of the message"


def rewrite_step(
    model: BaseChatModel,
    draft: Draft,
    plan: Plan,
    request: DraftRequest,
    guard: Guard,
    stats: DraftStats | None = None,
) -> Draft:
    """A step sentence the attempts left copied from the notes, in the third person or broken off
    ("...and the by Friday."), written again on its own (a short call); one that echoes the
    instructions, names what the notes never say or states another step than the notes' is written
    from the notes' step clause.
    The rewrite is kept only when the checks then fail less."""
    assert draft.parts is not None
    sentence, problem = draft.parts.step, step_problem(draft.parts, plan, request, guard)
    if plan.step_clause and (
        _off_script(draft.parts, plan, request, guard) or not _passed(draft, "next_step")
    ):
        # The sentence says the instructions, an example's step or another step: nothing in it to
        # keep. The step is written from the notes' own clause, which the rewrite must put in new
        # words.
        sentence, problem = plan.step_clause, _JOTTING
    elif _sender_chose_kind(plan) and instruction_echo(draft.parts.step):
        # The kind the sender chose, with no clause of it in the notes, said as its instruction:
        # written again from the instruction about the first detail the writer was shown.
        sentence = KIND[plan.next_step_type].unsourced_about(writer_details(plan)[0])
        problem = _JOTTING
    if not problem:
        return draft
    sentence = _one_sentence(model, rewrite_messages(sentence, problem, plan, request), "step", stats)
    if not sentence:
        return draft
    parts = draft.parts.model_copy(update={"step": sentence})
    return _if_better(draft, parts, plan, request, guard, "step sentence rewritten")


def _sender_chose_kind(plan: Plan) -> bool:
    """A first touch whose step kind the sender chose and the notes hold no clause of."""
    return (
        not plan.step_clause
        and plan.follow_up is None
        and plan.next_step_type != "keep_in_touch"
        and bool(writer_details(plan))
    )


def _one_sentence(
    model: BaseChatModel, messages: list[HumanMessage], schema_name: str, stats: DraftStats | None
) -> str:
    """One sentence asked for in a short call, cleaned; "" when the reply is cut or empty."""
    try:
        reply = llm.complete_json(
            model, messages, schema_name=schema_name, schema=_schema(RewrittenStep), max_tokens=REWRITE_TOKENS
        )
    except TruncatedReply:
        return ""
    if stats is not None:
        stats.record(reply)
    return without_interjection(clean_sentence(reply.data.get("sentence", "")))  # not "Yes, let's ..."


def _if_better(
    draft: Draft, parts: DraftParts, plan: Plan, request: DraftRequest, guard: Guard, what: str
) -> Draft:
    """The draft with these parts, repaired, when the checks then fail less; else as it was."""
    parts = repair(parts, plan, request, guard)
    subject, body = render(parts, request.channel)
    again = draft.model_copy(
        update={"subject": subject, "body": body, "next_step": parts.step, "parts": parts}
    )
    results = checks.run_checks(again, plan, request, guard)
    failures = sum(1 for r in results if not r.passed)
    before = sum(1 for r in draft.checks if not r.passed)
    logger.info("%s: %d failed checks (was %d)", what, failures, before)
    if failures >= before:
        return draft
    return again.model_copy(update={"checks": results, "warnings": checks.warnings_from(results)})


def unrecalled_detail(draft: Draft, plan: Plan, guard: Guard) -> str:
    """The shown detail a one-sentence recall of it could add, or "": when the draft names no
    detail, or is an email too short to recall the conversation, the most specific detail the
    recall does not mention yet. There is none to add when every detail is mentioned: a draft is
    never padded to reach a word count."""
    assert draft.parts is not None
    spec = CHANNEL[draft.channel]
    short = spec.words is not None and len(words(draft.body)) < spec.words[0]
    if _passed(draft, "detail") and not short:
        return ""
    recall = " ".join(draft.parts.recall)
    missing = [d for d in writer_details(plan) if not checks.mentions(d, recall, guard.known_stems)]
    if not missing:
        return ""
    return max(missing, key=lambda d: len(distinctive(d) - guard.known_stems))


def recall_messages(detail: str, plan: Plan, request: DraftRequest) -> list[HumanMessage]:
    """The one message asking for a sentence recalling a detail: the detail and the names only."""
    task = prompts.render(
        "recall_detail",
        sender=request.sender.strip() or "the sender",
        contact=plan.greeting_name,
        detail=_fence(detail),
    )
    return [HumanMessage(task)]


def add_recall(
    model: BaseChatModel,
    draft: Draft,
    plan: Plan,
    request: DraftRequest,
    guard: Guard,
    stats: DraftStats | None = None,
) -> Draft:
    """A draft that names no detail of the conversation, or an email too short to recall it,
    gets one sentence more about a shown detail its recall leaves out (a short call). The
    sentence goes through the same repair; it is kept only when the checks then fail less."""
    assert draft.parts is not None
    detail = unrecalled_detail(draft, plan, guard)
    if not detail:
        return draft
    sentence = _one_sentence(model, recall_messages(detail, plan, request), "recall", stats)
    if not sentence:
        return draft
    parts = draft.parts.model_copy(update={"recall": [*draft.parts.recall, sentence]})
    return _if_better(draft, parts, plan, request, guard, "recall sentence added")


def _passed(draft: Draft, check: str) -> bool:
    return all(r.passed for r in draft.checks if r.name == check)
