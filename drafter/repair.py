"""Safe repairs to a draft's parts: edits that only remove, or add the plan's own words.

- the greeting uses the plan's name and the message is signed by the sender;
- a recall sentence that copies the notes, carries a word from a clause the writer was not
  shown, comes close to a private clause, or restates the next step is dropped (the next
  attempt is asked to write it afresh if nothing is left), and so is one that repeats the
  writer's step instructions;
- a next step that names them after a verb addressed to them ("ask Henrike which strain")
  speaks to them ("ask you which strain");
- the next step carries the plan's "when" (a delivery, which happens now, is left as written);
- a short channel keeps its first recall sentence only when it runs over its length;
- a subject that fails the guard is replaced by one naming a shared topic.
"""

from __future__ import annotations

import datetime as dt
import re

from .channels import CHANNEL, SUBJECT_MAX
from .guard import Guard, instruction_echo
from .models import DraftParts, DraftRequest, Plan
from .render import render
from .text.dates import find_when
from .text.overlap import distinctive, stem, words

__all__ = ["clean_sentence", "repair", "to_them", "with_when"]

_GREETING_RE = re.compile(r"^\s*(hi|hello|hey|dear)\b[^,!.\n]{0,40}[,!]\s*", re.IGNORECASE)
_SIGNOFF_RE = re.compile(
    r"\s*(?:(?:best|best regards|kind regards|warm regards|regards|cheers|thanks|thank you|warmly|sincerely)"
    r"\s*[,!.]?\s*|[-–—]\s*)[A-Z][\w.'-]*( [A-Z][\w.'-]*)?\s*$"
)
_WHEN_LEAD_RE = re.compile(r"^(in|within|by|over|during|sometime|some time)\s+(the\s+)?", re.IGNORECASE)


def clean_sentence(text: object) -> str:
    """A part as plain sentences: one line, no greeting or sign-off, capitalised, ending in punctuation."""
    value = " ".join(str(text or "").split())
    value = _SIGNOFF_RE.sub("", _GREETING_RE.sub("", value, count=1)).strip()
    if value and value[-1] not in ".!?":
        value += "."
    return value[:1].upper() + value[1:]


# A vague time the writer may put in place of the plan's ("in the next few weeks", "soon").
_VAGUE_WHEN_RE = re.compile(
    r"\b(?:(?:in|within|over)\s+the\s+(?:next\s+)?(?:few|couple(?:\s+of)?)\s+(?:days|weeks|months)|soon)\b",
    re.I,
)


def with_when(sentence: str, when: str) -> str:
    """The step sentence with the plan's exact "when" phrase: a shortened form is replaced, a
    missing one is added before the final punctuation."""
    if not sentence or not when or when.lower() in sentence.lower():
        return sentence
    core = _WHEN_LEAD_RE.sub("", when).strip()
    if core and core.lower() != when.lower():
        found = re.search(r"(\b(in|within|by|over)\s+(the\s+)?)?\b" + re.escape(core) + r"\b", sentence, re.I)
        if found:
            return sentence[: found.start()] + when + sentence[found.end() :]
    vague = _VAGUE_WHEN_RE.search(sentence)
    if vague:
        return sentence[: vague.start()] + when + sentence[vague.end() :]
    other = find_when(sentence, dt.date.today())
    if other and other[0] in sentence:  # another time said: the plan's replaces it, never beside it
        at = sentence.index(other[0])
        lead = re.search(r"\b(in|within|by|over|on)\s+(the\s+)?$", sentence[:at], re.I)
        start = lead.start() if lead else at
        return sentence[:start] + when + sentence[at + len(other[0]) :]
    body, end = (sentence[:-1], sentence[-1]) if sentence[-1] in ".!?" else (sentence, ".")
    return f"{body.rstrip(' ,')} {when}{end}"


def _subject_from(plan: Plan) -> str:
    topic = plan.details[0] if plan.details else (plan.follow_up.previous_topic if plan.follow_up else "")
    rare = [w for w in words(topic) if stem(w.lower()) in distinctive(topic)]
    return ("Following up: " + " ".join(rare[:3]))[:SUBJECT_MAX] if rare else "Great to meet you"


_TO_THEM_VERBS = "ask|tell|send|show|thank|invite|introduce|remind|help|give|offer"


def to_them(step: str, greeting_name: str) -> str:
    """The step with "ask <their name> ..." as "ask you ...": the message speaks to them."""
    names = {greeting_name, *(w for w in greeting_name.split() if len(w) > 1 and not w.endswith("."))} - {""}
    for name in sorted(names, key=len, reverse=True):
        step = re.sub(rf"\b({_TO_THEM_VERBS}) {re.escape(name)}\b(?![,'’])", r"\1 you", step, flags=re.I)
    return step


def repair(parts: DraftParts, plan: Plan, request: DraftRequest, guard: Guard) -> DraftParts:
    spec = CHANNEL[request.channel]
    step = to_them(clean_sentence(parts.step), plan.greeting_name)
    if not (plan.follow_up and plan.follow_up.kind == "deliver"):  # a delivery is now: no "today" added
        step = with_when(step, plan.follow_up_when)
    recall = [clean_sentence(s) for s in parts.recall if str(s).strip()]
    bad = set(guard.close_to_private(recall))
    kept = [
        s
        for s in recall
        if s not in bad
        and not guard.copied(s)
        and not guard.unshown_words(s)
        and plan.follow_up_when.lower() not in s.lower()
        and not instruction_echo(s)
    ]
    subject = " ".join(parts.subject.split())
    if spec.subject:
        if (
            not subject
            or guard.copied(subject)
            or guard.unshown_words(subject)
            or guard.close_to_private([subject])
        ):
            subject = _subject_from(plan)
        if len(subject) > SUBJECT_MAX:
            subject = subject[:SUBJECT_MAX].rsplit(" ", 1)[0]
    else:
        subject = ""
    fixed = parts.model_copy(
        update={
            "greeting": plan.greeting_name,
            "recall": kept,
            "step": step,
            "subject": subject,
            "sender": request.sender.strip(),
        }
    )
    if spec.max_chars and len(kept) > 1:
        _, body = render(fixed, request.channel)
        if len(body) > spec.max_chars:
            fixed = fixed.model_copy(update={"recall": kept[:1]})
    return fixed
