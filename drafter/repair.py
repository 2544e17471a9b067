"""Safe repairs to a draft's parts: edits that remove words, turn a sentence to speak to them,
or add the plan's own words.

- the greeting uses the plan's name and the message is signed by the sender;
- a sentence that says the writer's instructions before a colon keeps only what follows it;
- a recall sentence that copies the notes is cut short at a phrase boundary before the copying
  reaches the guard's length, or dropped when no such cut leaves a sentence; a step is cut so only
  when the cut leaves it more than a verb and its person ("I'd love to ask you.");
- a recall sentence that carries a word from a clause the writer was not shown, comes close to
  a private clause, restates the next step or says again an earlier message's step is dropped
  (the next attempt is asked to write it afresh if nothing is left), and so is one that repeats
  the writer's step instructions;
- a next step that names them after a verb addressed to them ("ask Henrike which strain")
  speaks to them ("ask you which strain"), and any sentence that talks about them in the third
  person ("Ben is restoring an Airstream", "ask her what it was") is turned to the second;
- the next step carries the plan's "when" (a delivery, which happens now, is left as written); an
  ask is its question, then the "when" in a sentence of its own; a step that the "when" said last
  makes a copy of the notes ("scan it and email it over the weekend") says it first; a time of
  the step's own past the follow-up's horizon ("together in May") stays, the "when" said after it,
  and a date that names a thing ("the December 3 session") is no time of the step's;
- a step sentence that asks ("Shall we ...") ends in a question mark;
- a short channel that runs over its length keeps one recall sentence: the one that names the
  most of the chosen details;
- a subject that fails the guard, says again an earlier message's step or breaks off, is
  replaced by one naming a shared topic, and one cut to length does not end on "and" or "with";
- a recall sentence that breaks off (a bracket never closed, "...the warehouses and.") is
  dropped, and a cut or a time phrase never leaves one.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from .channels import ASK_WHEN, CHANNEL, KEEP_IN_TOUCH, LATER_WHEN, SUBJECT_MAX
from .guard import Guard, instruction_echo
from .models import DraftParts, DraftRequest, Plan
from .render import render
from .text.dates import time_spans
from .text.overlap import distinctive, is_common, stem, words
from .text.person import own_act, sizes_up, to_second_person, without_address
from .text.sentences import sentences, upper_first
from .text.speech import as_question
from .text.whole import trim_dangling, unfinished

logger = logging.getLogger(__name__)

__all__ = ["ask_with_when", "clean_sentence", "repair", "uncopied", "when_first", "with_when", "without_when"]

_GREETING_RE = re.compile(r"^\s*(hi|hello|hey|dear)\b[^,!.\n]{0,40}[,!]\s*", re.IGNORECASE)
_SIGNOFF_RE = re.compile(
    r"\s*(?:(?:best|best regards|kind regards|warm regards|regards|cheers|thanks|thank you|warmly|sincerely)"
    r"\s*[,!.]?\s*|[-–—]\s*)[A-Z][\w.'-]*( [A-Z][\w.'-]*)?\s*$"
)
# The words that lead a time phrase ("in the", "by the end of"): they go with it when it is taken
# out or replaced.
_LEAD_WORDS = r"in|within|by|over|on|during|for|sometime|some time"
_LEAD_BEFORE = (
    rf"(?:\b(?:{_LEAD_WORDS})\s+)?(?:\bthe\s+)?"
    r"(?:(?:very\s+)?(?:end|start|beginning|middle)\s+of\s+(?:the\s+)?)?"
)
_WHEN_LEAD_RE = re.compile(rf"^(?:{_LEAD_WORDS})\s+(?:the\s+)?", re.IGNORECASE)


def clean_sentence(text: object) -> str:
    """A part as plain sentences: one line, no greeting or sign-off, capitalised, ending in punctuation."""
    value = " ".join(str(text or "").split())
    value = _SIGNOFF_RE.sub("", _GREETING_RE.sub("", value, count=1)).strip()
    if value and value[-1] not in ".!?":
        value += "."
    return upper_first(value)


# A vague time the writer may put in place of the plan's ("in the next few weeks", "in a few
# days", "soon").
_VAGUE_WHEN_RE = re.compile(
    r"\b(?:(?:in|within|over)\s+(?:the\s+(?:(?:next|coming)\s+(?:(?:few|couple(?:\s+of)?)\s+)?"
    r"|(?:few|couple(?:\s+of)?)\s+)|a\s+(?:few|couple(?:\s+of)?)\s+)(?:days|weeks|months)|soon)\b",
    re.I,
)


def with_when(sentence: str, when: str) -> str:
    """The step sentence with the plan's exact "when" phrase: a shortened form or another time is
    replaced, a missing one is added before the final punctuation. A replacement that would leave
    the sentence broken ("on the in the next few weeks") gives way to the phrase added at the end."""
    if not sentence or not when or when.lower() in sentence.lower():
        return sentence
    placed = _placed_when(sentence, when)
    if unfinished(placed) and not unfinished(sentence):
        return _when_at_end(sentence, when)
    return placed


def ask_with_when(step: str, when: str) -> str:
    """An ask as its question, then the plan's "when" in a sentence of its own: the question ends
    the ask (what follows it, such as a time said alone, "It's next week?", is dropped) and loses
    any time phrase of its own. An ask said as a wish, with no question ("I'd love to know which
    hive type you'd start with next week."), is the whole step, and loses its time phrase the same
    way: the time is when an answer would suit, not when the sender wants to know. A step with no
    question that says what the sender will do ("I'll ask you about it next week.") is not a wish:
    its time is when the sender acts, placed as in any step."""
    every = sentences(step)
    if not when or not every:
        return with_when(step, when)
    found = next((i for i, s in enumerate(every) if s.endswith("?")), None)
    if found is None:
        if own_act(every[-1]):
            return with_when(step, when)
        found = len(every) - 1
    question = without_when(_without_times(" ".join(every[: found + 1])), when)
    if len(words(question)) < 3 or unfinished(question):
        return with_when(step, when)
    return f"{question} {ASK_WHEN.format(when=when)}"


def _tidy(text: str) -> str:
    """A sentence after words were cut from it: single spaces, no space before its punctuation, no
    comma to open it, capitalised."""
    text = re.sub(r"\s+([?.!,])", r"\1", " ".join(text.split())).lstrip(" ,")
    return upper_first(text)


def without_when(sentence: str, when: str) -> str:
    """The sentence without a time phrase (and the "in", "by" or "the" that leads it), capitalised."""
    if not when.strip():
        return sentence
    return _tidy(re.sub(r",?\s*" + _LEAD_BEFORE + re.escape(when) + r"\b,?", "", sentence, flags=re.I))


def _without_times(sentence: str) -> str:
    """The sentence without any time phrase of its own, each with the words that go with it
    ("by early next week", "at the start of next month")."""
    for span in reversed(time_spans(sentence, dt.date.today())):
        sentence = sentence[: span.start].rstrip(" ,") + sentence[span.end :]
    return _tidy(sentence)


def when_first(sentence: str, when: str) -> str:
    """The sentence with its time phrase in front ("Over the weekend, I'll scan it and email it."):
    where the notes said the time right after the thing promised, said last it makes the copy."""
    if not when.strip():
        return sentence
    body = without_when(sentence, when)
    first = body.split()[0] if body.split() else ""
    if first != "I" and not first.startswith(("I'", "I’")) and is_common(first):
        body = body[:1].lower() + body[1:]
    return f"{upper_first(when)}, {body}" if body else sentence


def _when_at_end(sentence: str, when: str) -> str:
    body, end = (sentence[:-1], sentence[-1]) if sentence[-1] in ".!?" else (sentence, ".")
    return f"{body.rstrip(' ,')} {when}{end}"


def _placed_when(sentence: str, when: str) -> str:
    core = _WHEN_LEAD_RE.sub("", when).strip()
    if core and core.lower() != when.lower():
        found = re.search(_LEAD_BEFORE + r"\b" + re.escape(core) + r"\b", sentence, re.I)
        if found:
            return sentence[: found.start()] + when + sentence[found.end() :]
    vague = _VAGUE_WHEN_RE.search(sentence)
    if vague:
        return sentence[: vague.start()] + when + sentence[vague.end() :]
    spans = time_spans(sentence, dt.date.today())
    near = next((span for span in spans if span.day is not None), None)
    if near:  # another time said: the plan's replaces it and the words that go with it, never beside it
        return sentence[: near.start] + when + sentence[near.end :]
    if spans:  # a time of the step's own past the horizon ("in May"): kept, the plan's said after it
        end = "" if sentence.rstrip()[-1:] in (".", "!", "?") else "."
        return f"{sentence.rstrip()}{end} {LATER_WHEN.format(when=when)}"
    return _when_at_end(sentence, when)


def _subject_from(plan: Plan, guard: Guard) -> str:
    """A subject from the rare words of a detail, their names aside: the first detail whose
    subject the guard lets through (a detail's words can still sit close to a private clause)."""
    topics = plan.details or ([plan.follow_up.previous_topic] if plan.follow_up else [])
    for topic in topics:
        rare = [w for w in words(topic) if stem(w.lower()) in distinctive(topic) and w not in guard.names]
        subject = _fitted("Following up: " + " ".join(rare[:3])) if rare else ""
        if subject and not guard.unshown_words(subject) and not guard.close_to_private([subject]):
            return subject
    return "Great to meet you"


def _fitted(subject: str) -> str:
    """A subject within the channel's length, cut at a word and not after one that needs more."""
    if len(subject) <= SUBJECT_MAX:
        return subject
    cut = subject[: SUBJECT_MAX + 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else subject[:SUBJECT_MAX]
    return trim_dangling(cut) or cut


# Words a modifying phrase starts with: cut before one, the sentence still stands.
_PHRASE_STARTS = {
    "in", "at", "from", "with", "for", "on", "above", "near", "by", "and", "but", "during", "over",
    "through", "into", "across", "around", "while", "since", "because",
}  # fmt: skip
# A cut soon after one of these would leave its clause without a verb ("I loved how your talk").
_SUBORDINATORS = {"how", "that", "what", "why", "whether", "where", "when", "which", "who", "if"}
_MIN_WORDS = 5


def uncopied(sentence: str, guard: Guard) -> str:
    """A sentence that copies the notes, cut at the end of a phrase before the copying
    reaches the guard's length ("... your recordings from the cloud forest above Oaxaca" ->
    "... your recordings."); "" when no such cut leaves a whole sentence (one that closes its
    brackets and does not break off after "the" or "and")."""
    if not guard.copied(sentence):
        return sentence
    stripped = sentence.rstrip()
    mark = stripped[-1] if stripped.endswith(("?", "!")) else "."
    tokens = stripped.rstrip(".!?").split()
    for end in range(len(tokens) - 1, _MIN_WORDS - 1, -1):
        starts_phrase = (
            tokens[end].lower() in _PHRASE_STARTS
            or tokens[end].startswith(("(", "-", "–", "—"))
            or tokens[end - 1].endswith((",", ";"))
        )
        if not starts_phrase or {t.lower() for t in tokens[max(0, end - 4) : end]} & _SUBORDINATORS:
            continue
        prefix = " ".join(tokens[:end]).rstrip(",;:-–—")
        if not guard.copied(prefix) and not unfinished(prefix + mark):
            return prefix + mark
    return ""


# A step cut to end on an object pronoun has lost what it asks for or gives.
_OBJECT_LAST_RE = re.compile(r"\b(?:you|me|us|them|him|her|it)\W*$", re.IGNORECASE)


def _said_once(text: str) -> str:
    """The text without a sentence that repeats, word for word, one before it."""
    seen: set[tuple[str, ...]] = set()
    every = sentences(text)
    kept = []
    for sentence in every:
        key = tuple(w.lower() for w in words(sentence))
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(sentence)
    return " ".join(kept) if len(kept) < len(every) else text


def spoken_to(texts: list[str], pronouns: list[bool], guard: Guard) -> list[str]:
    """The message's sentences, in order, with their name spoken to, and "he" and "she" too where
    the sentence's source names no one else (`pronouns`). Elsewhere a "he" or "she" the message
    gives no one else to mean (nobody else named before it) is the contact, when the notes speak
    of them that way: those become "you"; the rest stay, for the voice check to weigh."""
    out: list[str] = []
    someone_else = False
    for text, all_of_them in zip(texts, pronouns, strict=True):
        text = to_second_person(text, guard.contact_names, pronouns=all_of_them)
        if not all_of_them and not someone_else and guard.contact_pronoun:
            cut = guard.first_other(text)
            head = to_second_person(text[:cut], (), pronouns=True, gender=guard.contact_pronoun)
            text = head + text[cut:]
        someone_else = someone_else or guard.first_other(text) < len(text)
        out.append(text)
    return out


def _without_told_lead(text: str) -> str:
    """The text without a lead-in that says the writer's instructions before a colon ("I'd love to
    ask you for the small thing from the notes, politely, as a question: Would you recommend ...?"
    -> "Would you recommend ...?"), when what follows the colon is a sentence of its own."""
    kept = []
    for sentence in sentences(text):
        head, colon, tail = sentence.partition(":")
        if colon and instruction_echo(head) and len(words(tail)) >= 3 and not instruction_echo(tail):
            tail = tail.strip()
            sentence = upper_first(tail)
        kept.append(sentence)
    return " ".join(kept) if kept else text


def _unsigned(sentence: str, guard: Guard) -> str:
    """A sentence without the sender's name it opens with as if signing or speaking to themselves
    ("Elin Berg, thank you for ..." -> "Thank you for ...")."""
    names = "|".join(re.escape(n) for n in sorted(guard.sender_names, key=len, reverse=True))
    found = re.match(rf"\s*(?:{names})\s*,\s*(?=(?!the\b|a\b|an\b|who\b)[a-z])", sentence) if names else None
    if not found:
        return sentence
    rest = sentence[found.end() :]
    return upper_first(rest)


def repair(parts: DraftParts, plan: Plan, request: DraftRequest, guard: Guard) -> DraftParts:
    spec = CHANNEL[request.channel]
    # Spoken to them: their name becomes "you"; so do "he" and "she" where no one else is named.
    step_pronouns = not guard.someone_else_in([plan.step_clause])
    recall_pronouns = not guard.someone_else_in(plan.shown)
    # The greeting names them once: a body sentence that opens by naming them again loses it.
    said = [
        _unsigned(without_address(_without_told_lead(clean_sentence(s)), guard.contact_names), guard)
        for s in parts.recall
        if str(s).strip()
    ]
    step = _unsigned(
        without_address(_without_told_lead(clean_sentence(parts.step)), guard.contact_names), guard
    )
    *recall, step = spoken_to([*said, step], [*(recall_pronouns for _ in said), step_pronouns], guard)
    # The promised thing in fewer of the notes' words, unless the cut takes the thing itself and
    # leaves the verb and its person ("I'd love to ask you."): then it stays whole, for the rewrite.
    short = uncopied(step, guard)
    if short and not _OBJECT_LAST_RE.search(short):
        step = short
    step = " ".join(as_question(one) for one in sentences(step)) or step  # a question asks
    if plan.asks_them:
        step = ask_with_when(step, plan.follow_up_when)
    elif not (plan.follow_up and plan.follow_up.kind == "deliver"):  # a delivery is now: no "today" added
        step = with_when(step, plan.follow_up_when)
        if guard.copied(step) and not guard.copied(first := when_first(step, plan.follow_up_when)):
            step = first
    # What the sender thinks of them ("You are a fascinating woman") is no recall of the talk.
    # Nor is one that speaks of the sender by name ("Sam Rivera shared that you were at ..."): the
    # message is the sender's own, in the first person.
    recall = [
        " ".join(one for one in sentences(s) if not sizes_up(one) and not guard.names_sender(one))
        for s in recall
    ]
    recall = [short for short in (uncopied(s, guard) for s in recall if s) if short]
    recall = list(dict.fromkeys(_said_once(s) for s in recall))  # nothing said twice
    bad = (
        set(guard.close_to_private(recall))
        | set(guard.restating(step, recall))
        | set(guard.repeating_before(recall))
        | set(guard.repeats(recall))
    )
    kept = [
        s
        for s in recall
        if s not in bad
        and not guard.copied(s)
        and not guard.unshown_words(s)
        and not guard.from_examples(s)
        and plan.follow_up_when.lower() not in s.lower()
        and not instruction_echo(s)
        and not unfinished(s)
    ]
    if len(kept) < len(parts.recall):
        logger.info("recall: %d of %d sentences kept", len(kept), len(parts.recall))
    subject = to_second_person(" ".join(parts.subject.split()), guard.contact_names, pronouns=False)
    if spec.subject:
        if (
            not subject
            or guard.copied(subject)
            or guard.unshown_words(subject)
            or guard.from_examples(subject)
            or guard.close_to_private([subject])
            or guard.repeating_before([subject])
            or instruction_echo(subject)
            or unfinished(subject)
        ):
            subject = _subject_from(plan, guard)
        subject = _fitted(subject)
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
            # The sentence that says most of the chosen details, not merely the first.
            rare = distinctive(" ".join(plan.details))
            best = max(kept, key=lambda k: len(rare & {stem(w.lower()) for w in words(k)}))
            fixed = fixed.model_copy(update={"recall": [best]})
    return fixed


def door_open(parts: DraftParts, plan: Plan, guard: Guard) -> DraftParts:
    """The plain keep-in-touch step with the plan's "when", in place of a keep-in-touch step the
    writer got wrong (a promise nobody made, the last message's step again); a recall sentence
    that says the same is dropped."""
    step = with_when(KEEP_IN_TOUCH, plan.follow_up_when)
    recall = [s for s in parts.recall if s not in guard.restating(step, parts.recall)]
    return parts.model_copy(update={"step": step, "recall": recall})
