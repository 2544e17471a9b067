"""Plan + guidance -> Draft: one model call writes the words, code assembles and checks them.

The model writes three short parts (subject, a sentence recalling the conversation, the next
step). Code adds the greeting and sign-off, composes the message for the channel, repairs what
can be repaired safely, and holds the result to the rubric. A draft that fails is written again
with the failed checks as feedback, up to `Settings.attempts` times; the best by the rubric is
kept, and whatever still fails stays in its warnings.
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

from . import checks, lexicon, llm, prompts, repair
from .models import NEXT_STEP_LABELS, Draft, DraftRequest, Passage, Plan

logger = logging.getLogger(__name__)

# Output budget per channel: short outputs are the biggest lever on speed.
MAX_TOKENS = {"email": 200, "linkedin": 120, "text": 120}
RECALL_LENGTH = {"email": "at most 2 sentences", "linkedin": "1 sentence", "text": "1 sentence"}
PASSAGE_CHARS = 240
EMAIL_MIN_MIDDLE_WORDS = 34  # with greeting and sign-off, at least the rubric's 35 words


@dataclass
class Attempt:
    draft: Draft
    failures: int


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


def _schema(refs: list[str]) -> dict[str, Any]:
    ids: dict[str, Any] = {"type": "string"}
    if refs:
        ids["enum"] = refs
    return {
        "type": "object",
        "properties": {
            "subject": {"type": "string"},
            "recall": {"type": "string"},
            "next_step": {"type": "string"},
            "guidance": {"type": "array", "items": ids},
        },
        "required": ["subject", "recall", "next_step", "guidance"],
        "additionalProperties": False,
    }


def _fence(text: str) -> str:
    """Keep note text inside its delimiters: no line can close or reopen the block."""
    return re.sub(r"</?\s*(notes|task)\s*>", "", text, flags=re.IGNORECASE)


def format_passages(passages: list[Passage]) -> str:
    lines = []
    for number, passage in enumerate(passages, 1):
        text = " ".join(passage.text.split())
        if len(text) > PASSAGE_CHARS:
            text = text[:PASSAGE_CHARS].rsplit(" ", 1)[0] + " ..."
        lines.append(f"[{ref(number)}] {text}")
    return "\n".join(lines) if lines else "(none)"


def build_messages(
    request: DraftRequest, plan: Plan, passages: list[Passage], feedback: list[str]
) -> list[SystemMessage | HumanMessage]:
    """The chat messages for one attempt. The held-back items never reach the model."""
    system = prompts.system_prompt()
    option = plan.options[0].text if plan.options else ""
    notes = "\n".join(f"- {_fence(line)}" for line in plan.shareable) or "- (no further notes)"
    feedback_text = ""
    if feedback:
        feedback_text = "Your previous reply had these problems; fix them:\n" + "\n".join(
            f"- {item}" for item in feedback
        )
    user = prompts.render(
        "draft_user",
        passages=format_passages(passages),
        channel=request.channel,
        recall_length=RECALL_LENGTH[request.channel],
        greeting_name=plan.greeting_name,
        sender=request.sender or "(not given)",
        details="; ".join(plan.details) or "(use what the notes say)",
        next_step_type=plan.next_step_type,
        next_step_topic=_fence(plan.next_step_topic) or NEXT_STEP_LABELS[plan.next_step_type].lower(),
        next_step_wording=_fence(option) or "(your own words)",
        when=plan.follow_up_when,
        notes=notes,
        feedback=feedback_text,
    )
    return [SystemMessage(system), HumanMessage(user)]


def _sentence(text: str) -> str:
    text = " ".join(str(text or "").split())
    if text and text[-1] not in ".!?":
        text += "."
    return text


_GREETING = re.compile(
    r"^\s*(hi|hello|hey|dear)\b(\s+(dr|mr|mrs|ms|mx|prof)\.)?[^,!.\n]{0,40}[,!]\s*", re.IGNORECASE
)
_SIGNOFF = re.compile(
    r"(?:(?<=[.!?])|^)\s*(?:(?i:best|best regards|kind regards|warm regards|regards|cheers|thanks"
    r"|thank you|warmly|sincerely)\s*[,!.]?\s*|[-–—]\s*)"
    r"[A-Z][\w.'-]*( [A-Z][\w.'-]*)?\s*$"
)
_WHEN_PREFIX = re.compile(r"^(in|within|by|over|during|sometime|some time)\s+(the\s+)?", re.IGNORECASE)


def clean_part(text: Any) -> str:
    """One of the model's parts as plain sentences: no greeting, no sign-off, one line."""
    text = " ".join(str(text or "").split())
    text = _GREETING.sub("", text, count=1)
    text = _SIGNOFF.sub("", text)
    return _sentence(text[:1].upper() + text[1:])


def with_when(sentence: str, when: str) -> str:
    """Make the next-step sentence carry the exact "when" phrase where it has a shortened one."""
    if not sentence or not when or when.lower() in sentence.lower():
        return sentence
    core = _WHEN_PREFIX.sub("", when).strip()
    if core and core.lower() != when.lower():
        found = re.search(
            r"(\b(in|within|by|over)\s+(the\s+)?)?\b" + re.escape(core) + r"\b", sentence, re.IGNORECASE
        )
        if found:
            return sentence[: found.start()] + when + sentence[found.end() :]
    return sentence


_WORD = re.compile(r"[a-z']+")
_SMALL = frozenset(
    "a an and the to of in on at for with about our your my we you i it is be would love like "
    "could up over this that".split()
)


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _SMALL}


def without_step(recall: str, next_step: str, when: str) -> str:
    """The recall without sentences that already state the next step (it is said once, after)."""
    step = _content_words(next_step)
    kept = []
    for sentence in re.split(r"(?<=[.!?;])\s+", recall):
        words = _content_words(sentence)
        overlap = len(words & step) / max(len(step), 1)  # how much of the step it already says
        if (when and when.lower() in sentence.lower()) or (step and overlap >= 0.6):
            continue
        kept.append(_sentence(sentence.rstrip(";,")))
    return " ".join(kept) if kept else recall


_SUBJECT_FORMS = {"is": "are", "was": "were", "has": "have", "does": "do", "'s": "'re"}


def _plain_verb(verb: str) -> str:
    """The form of a verb after "you": loves -> love, has -> have, is -> are; others unchanged."""
    irregular = {"is": "are", "was": "were", "has": "have", "does": "do", "goes": "go"}
    if verb in irregular:
        return irregular[verb]
    if verb.endswith("ies") and len(verb) > 4:
        return verb[:-3] + "y"
    if verb.endswith(("ches", "shes", "sses", "xes")):
        return verb[:-2]
    if verb.endswith("s") and not verb.endswith("ss"):
        return verb[:-1]
    return verb


def to_second_person(text: str, plan: Plan) -> str:
    """Turn phrases copied from the notes that speak of the contact ("her team's move") into words
    to them ("your team's move"). Only when the notes speak of nobody else, so "she" is the contact."""
    notes = " ".join(plan.shareable).lower()
    # "Luis just showed me ..." at the start of a sentence: the contact named in the third person.
    name = plan.greeting_name.split()[-1] if plan.greeting_name else ""
    if name:
        text = re.sub(
            r"(^|(?<=[.!?]\s))" + re.escape(name) + r"\s+((?:just|really|also|still)\s+)?([a-z]+)\b",
            lambda m: f"{m.group(1)}You {m.group(2) or ''}{_plain_verb(m.group(3))}",
            text,
        )

    if lexicon.THIRD_PARTIES & set(_WORD.findall(notes)):
        return text

    def possessive(match: re.Match[str]) -> str:
        if f"{match.group(1).lower()} {match.group(2).lower()}" not in notes:
            return match.group(0)
        word = "Your" if match.group(1)[0].isupper() else "your"
        return f"{word} {match.group(2)}"

    # "her" before an article or preposition is the object ("send her the map"), not a possessive.
    text = re.sub(r"\b(her|his)\s+(?!(?:the|a|an|my|our|this|that|to|about|for|at|in|on|with)\b)"
                  r"([a-z][\w'-]*)", possessive, text, flags=re.IGNORECASE)

    def subject(match: re.Match[str]) -> str:
        verb = match.group(2) or match.group(3)
        form = _SUBJECT_FORMS.get(verb.lower().strip(), verb)
        word = "You" if match.group(1)[0].isupper() else "you"
        return f"{word}{'' if verb.startswith(chr(39)) else ' '}{form.strip()}"

    # "send him my track" copied from the notes -> "send you my track".
    def objective(match: re.Match[str]) -> str:
        if f"{match.group(1).lower()} {match.group(2).lower()}" not in notes:
            return match.group(0)
        return f"{match.group(1)} you"

    text = re.sub(
        r"\b([a-z]+)\s+(him\b|her(?=\s+(?:the|a|an|my|our|this|that|to|about|for|at|in|on|with)\b|[.,!?]|$))",
        objective, text, flags=re.IGNORECASE,
    )

    if re.search(r"\b(she|he)\b", notes):
        text = re.sub(
            r"\b(she|he)(?:\s+(is|was|has|does|[a-z]+ed)\b|('s))",
            lambda m: subject(m) if m.group(2) or m.group(3) else m.group(0),
            text,
            flags=re.IGNORECASE,
        )
    return text


def compose(request: DraftRequest, plan: Plan, parts: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, body, next_step sentence) for the channel, from the model's parts."""
    next_step = with_when(clean_part(parts.get("next_step", "")), plan.follow_up_when)
    recall = without_step(clean_part(parts.get("recall", "")), next_step, plan.follow_up_when)
    recall, next_step = to_second_person(recall, plan), to_second_person(next_step, plan)
    name = plan.greeting_name
    sender = request.sender.strip()
    if request.channel == "email":
        subject = " ".join(str(parts.get("subject", "")).split())
        middle = f"{recall} {next_step}".strip()
        if len(middle.split()) < EMAIL_MIN_MIDDLE_WORDS:
            # An email much shorter than a paragraph reads as curt; a plain courtesy adds no facts.
            courtesy = (
                "I really enjoyed our conversation." if "meet" in recall.lower()
                else "It was a real pleasure to meet you."
            )
            middle = f"{recall} {courtesy} {next_step}".strip()
        body = f"Hi {name},\n\n{middle}\n\nBest,\n{sender}"
        return subject, body.rstrip(), next_step
    body = f"Hi {name}, {recall} {next_step}".rstrip()
    if sender:
        body += f" - {sender}"
    return "", body, next_step


def stated_step(body: str, intended: str) -> str:
    """The sentence of the final body that states the next step (repairs may have changed it)."""
    want = set(re.findall(r"[a-z']+", intended.lower()))
    best, score = intended, 0.0
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(body.split())):
        words = set(re.findall(r"[a-z']+", sentence.lower()))
        overlap = len(want & words) / max(len(want), 1)
        if overlap > score:
            best, score = sentence, overlap
    return best if score >= 0.5 else intended


def attempt_draft(
    model: BaseChatModel,
    request: DraftRequest,
    plan: Plan,
    passages: list[Passage],
    feedback: list[str],
) -> tuple[Draft, llm.Reply]:
    refs = {ref(n): p for n, p in enumerate(passages, 1)}
    reply = llm.complete_json(
        model,
        build_messages(request, plan, passages, feedback),
        schema_name="follow_up",
        schema=_schema(list(refs)),
        max_tokens=MAX_TOKENS[request.channel],
    )
    subject, body, next_step = compose(request, plan, reply.data)
    named = reply.data.get("guidance", []) or []
    cited = [refs[r] for r in dict.fromkeys(named) if isinstance(r, str) and r in refs]
    used = cited or passages  # the passages it followed; all it was given if it names none
    draft = Draft(
        channel=request.channel,
        subject=subject,
        body=body,
        greeting_name=plan.greeting_name,
        next_step_type=plan.next_step_type,
        next_step=next_step,
        follow_up_when=plan.follow_up_when,
        follow_up_date=plan.follow_up_date,
        guidance_ids=[p.id for p in used],
        passages=list(used),
        options=list(plan.options),
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
    best: Attempt | None = None
    feedback: list[str] = []
    for number in range(1, attempts + 1):
        started = time.perf_counter()
        draft, reply = attempt_draft(model, request, plan, passages, feedback)
        draft = repair.repair(draft, plan, request)
        draft = draft.model_copy(update={"next_step": stated_step(draft.body, draft.next_step)})
        results = checks.run_checks(draft, plan, request)
        warnings = checks.warnings_from(results)
        draft = draft.model_copy(update={"checks": results, "warnings": warnings, "attempts": number})
        failures = sum(1 for r in results if not r.passed)
        if stats is not None:
            stats.record(reply)
        logger.info(
            "attempt %d: %d failed checks, %d+%d tokens (%d cached), %.1f s",
            number, failures, reply.input_tokens, reply.output_tokens, reply.cached_tokens,
            time.perf_counter() - started,
        )
        if best is None or failures < best.failures:
            best = Attempt(draft, failures)
        if failures == 0:
            break
        feedback = warnings
    assert best is not None
    if stats is not None:
        stats.attempts.append(best.draft.attempts)
    return best.draft
