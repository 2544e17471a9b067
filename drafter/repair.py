"""Safe code repairs to a draft: only edits that cannot change what the message says.

Fix the greeting's name, sign with the sender's name, remove placeholders, drop a sentence that
leaks something held back, add the rough "when" to the next step, trim to the channel's length
at sentence boundaries, and shorten an email subject at a word boundary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import lexicon as lx
from .checks import (
    CHANNEL_MAX_CHARS,
    EMAIL_WORDS,
    SUBJECT_MAX,
    leaks,
    normalize_sentence,
    signed_by,
    step_kinds,
)
from .models import Draft, DraftRequest, Plan

_GREETING_RE = re.compile(r"^\s*(hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings)\b", re.I)


def _greeting_re(names: list[str]) -> re.Pattern[str]:
    """An opener, up to three name-like words (capitalised, placeholders, known names), then , ! or :."""
    known = "|".join([re.escape(n.strip(",.")) for n in names if n.strip(",.")] + ["there", "all", "friend"])
    word = r"(?:\[[^\]\n]*\]|\{[^}\n]*\}|<[^>\n]*>|[A-Z][\w.'’-]*" + f"|(?i:{known}))"
    return re.compile(
        r"^\s*(?i:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings)\b[ \t]*"
        r"(?:" + word + r"(?:[ \t]+" + word + r"){0,2})?[ \t]*[,!:]?"
    )


@dataclass
class _Message:
    """A draft body taken apart: greeting, sentences in paragraphs, sign-off lines."""

    greeting: str = ""
    greeting_own_line: bool = True
    paragraphs: list[list[str]] = field(default_factory=list)
    signoff: list[str] = field(default_factory=list)
    multiline: bool = True

    @classmethod
    def parse(cls, body: str, names: list[str]) -> _Message:
        msg = cls(multiline="\n" in body.strip())
        lines = [line.rstrip() for line in body.strip().splitlines()]
        while lines and (len(lx.words(lines[-1])) <= 4 or lx.SIGNOFF_RE.match(lines[-1].strip())):
            last = lines[-1].strip()
            if not last:
                lines.pop()
                continue
            is_name = not re.search(r"[.?!]$", last) or re.match(r"^[-–—~]", last)
            too_long = len(lx.words(last)) > 4  # "Thanks for the chat ..." is a sentence, not a sign-off
            if (
                too_long
                or not (is_name or lx.SIGNOFF_RE.match(last))
                or len(msg.signoff) >= 3
                or len(lines) == 1
            ):
                break
            msg.signoff.insert(0, last)
            lines.pop()
        text = "\n".join(lines).strip()
        match = _greeting_re(names).match(text)
        if match:
            msg.greeting, rest = match.group(0).strip(), text[match.end() :]
            msg.greeting_own_line = rest.startswith("\n") or not rest.strip()
            text = rest.strip()
        for para in re.split(r"\n\s*\n", text):
            sentences = lx.sentences(" ".join(para.split()))
            if sentences:
                msg.paragraphs.append(sentences)
        if msg.paragraphs and not msg.signoff and not msg.multiline:
            last = msg.paragraphs[-1][-1]
            if re.match(r"^[-–—~]\s*\S+(\s\S+)?$", last):
                msg.signoff = [msg.paragraphs[-1].pop()]
                msg.paragraphs = [p for p in msg.paragraphs if p]
        return msg

    def sentences(self) -> list[str]:
        return [s for p in self.paragraphs for s in p]

    def drop(self, sentence: str) -> None:
        self.paragraphs = [[s for s in p if s is not sentence] for p in self.paragraphs]
        self.paragraphs = [p for p in self.paragraphs if p]

    def replace(self, old: str, new: str) -> None:
        self.paragraphs = [[new if s is old else s for s in p] for p in self.paragraphs]

    def render(self) -> str:
        if not self.multiline:
            parts = [self.greeting] + self.sentences() + self.signoff
            return " ".join(p for p in parts if p).strip()
        body = "\n\n".join(" ".join(p) for p in self.paragraphs)
        if self.greeting:
            body = f"{self.greeting}\n\n{body}" if self.greeting_own_line else f"{self.greeting} {body}"
        if self.signoff:
            body = f"{body}\n\n" + "\n".join(self.signoff)
        return body.strip()


def _fix_greeting(msg: _Message, name: str) -> None:
    word = _GREETING_RE.match(msg.greeting) if msg.greeting else None
    opener = word.group(1) if word else "Hi"
    if msg.greeting and len(msg.greeting) > len(opener):
        punct = msg.greeting[-1] if msg.greeting[-1] in ",!:" else ","
    else:
        punct = ","
    msg.greeting = f"{opener[:1].upper()}{opener[1:]} {name}{punct}"
    if word is None:
        msg.greeting_own_line = msg.multiline


def _remove_placeholders(msg: _Message, next_step_kind: str) -> None:
    for sentence in msg.sentences():
        if not lx.PLACEHOLDER_RE.search(sentence):
            continue
        if next_step_kind in step_kinds(sentence):
            cleaned = " ".join(lx.PLACEHOLDER_RE.sub("", sentence).split())
            msg.replace(sentence, re.sub(r"\s+([,.!?])", r"\1", cleaned))
        else:
            msg.drop(sentence)
    msg.signoff = [line for line in (lx.PLACEHOLDER_RE.sub("", s).strip(" ,") for s in msg.signoff) if line]
    msg.signoff = [s + "," if lx.SIGNOFF_RE.fullmatch(s) and not s.endswith(",") else s for s in msg.signoff]


def _second_person_possessive(msg: _Message, name: str) -> None:
    """ "Olivia's Figma plugin" in a message to Olivia -> "your Figma plugin"."""
    short = name.split()[-1] if name else ""
    if not short:
        return
    rx = re.compile(r"(?<!\w)(?:" + re.escape(name) + "|" + re.escape(short) + r")['’]s\b")
    for sentence in msg.sentences():
        if rx.search(sentence):
            fixed = rx.sub("your", sentence)
            msg.replace(sentence, fixed[:1].upper() + fixed[1:] if rx.match(sentence) else fixed)


def _drop_repeats(msg: _Message) -> None:
    """The same sentence twice (a small model's slip): keep the first."""
    seen: set[str] = set()
    for sentence in msg.sentences():
        key = normalize_sentence(sentence)
        if key in seen:
            msg.drop(sentence)
        seen.add(key)


def _step_sentence(msg: _Message, kind: str) -> str | None:
    """The sentence stating the next step: a question of that kind first, else the last of that kind."""
    found = [s for s in msg.sentences() if kind in step_kinds(s)]
    questions = [s for s in found if s.endswith("?")]
    return (questions or found)[-1] if found else None


def _drop_leaks(msg: _Message, plan: Plan, request: DraftRequest, kind: str) -> None:
    dropped = [s for s in msg.sentences() if leaks(s, plan, request)]
    for sentence in dropped:
        msg.drop(sentence)
    if dropped and _step_sentence(msg, kind) is None and plan.options and plan.options[0].type == kind:
        if msg.paragraphs:
            msg.paragraphs[-1].append(plan.options[0].text)
        else:
            msg.paragraphs.append([plan.options[0].text])


def _ensure_when(msg: _Message, when: str, kind: str) -> None:
    if not when or any(lx.WHEN_RE.search(s) for s in msg.sentences()):
        return
    sentences = msg.sentences()
    target = _step_sentence(msg, kind) or (sentences[-1] if sentences else None)
    if target is None:
        return
    match = re.search(r"([.!?]*)$", target)
    end = match.group(1) if match else ""
    stem = target[: len(target) - len(end)].rstrip()
    msg.replace(target, f"{stem} {when}{end or '.'}")


def _ensure_signoff(msg: _Message, request: DraftRequest, plan: Plan, channel: str) -> None:
    sender = request.sender.strip()
    if not sender:
        return
    contact_names = {plan.greeting_name.lower(), request.contact.name.split()[0].lower()}
    msg.signoff = [s for s in msg.signoff if s.strip(" -–—~").lower() not in contact_names]
    if signed_by("\n".join(msg.signoff), sender):
        return
    if channel == "email":
        if msg.signoff and lx.SIGNOFF_RE.match(msg.signoff[-1]):
            msg.signoff.append(sender)
        else:
            msg.signoff = [*msg.signoff, "Best,", sender] if not msg.signoff else [*msg.signoff, sender]
        return
    short = f"– {sender.split()[0]}"
    if len(msg.render()) + len(short) + 1 <= CHANNEL_MAX_CHARS[channel]:
        msg.signoff = [short]


def _too_long(msg: _Message, channel: str) -> bool:
    if channel == "email":
        return len(lx.words(msg.render())) > EMAIL_WORDS[1]
    return len(msg.render()) > CHANNEL_MAX_CHARS[channel]


def _trim(msg: _Message, plan: Plan, kind: str, channel: str) -> None:
    def essential(sentence: str) -> bool:
        stems = {lx.stem(w) for w in lx.words(sentence)}
        has_detail = any(set(lx.content_words(d)) & stems for d in plan.details)
        return kind in step_kinds(sentence) or bool(lx.WHEN_RE.search(sentence)) or has_detail

    kept_detail = False
    for sentence in msg.sentences():  # first sentence with a detail is protected below
        if any(set(lx.content_words(d)) & {lx.stem(w) for w in lx.words(sentence)} for d in plan.details):
            kept_detail = True
            protected = sentence
            break
    for pass_essential in (False, True):
        for sentence in reversed(msg.sentences()):
            if not _too_long(msg, channel):
                return
            if kept_detail and sentence is protected:
                continue
            if kind in step_kinds(sentence) or lx.WHEN_RE.search(sentence):
                continue
            if essential(sentence) and not pass_essential:
                continue
            msg.drop(sentence)
    if _too_long(msg, channel) and channel != "email" and msg.signoff:
        msg.signoff = []


def _fix_subject(subject: str, plan: Plan) -> str:
    subject = " ".join(lx.PLACEHOLDER_RE.sub("", subject).split()).strip(" -:,")
    if not subject:
        topic = plan.details[0] if plan.details else ""
        subject = f"Following up on {topic}" if topic else "Great to meet you"
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX + 1].rsplit(" ", 1)[0].rstrip(" ,;:-–—")
        subject = subject[:SUBJECT_MAX]
    return subject


def repair(draft: Draft, plan: Plan, request: DraftRequest) -> Draft:
    """A copy of the draft with every safe repair applied; the original is left as it was."""
    kind = draft.next_step_type
    channel = draft.channel
    names = request.contact.name.split() + plan.greeting_name.split() + request.sender.split()
    msg = _Message.parse(draft.body, names)
    _remove_placeholders(msg, kind)
    _drop_repeats(msg)
    _fix_greeting(msg, plan.greeting_name)
    _drop_leaks(msg, plan, request, kind)
    _second_person_possessive(msg, plan.greeting_name)
    _ensure_when(msg, draft.follow_up_when or plan.follow_up_when, kind)
    _ensure_signoff(msg, request, plan, channel)
    _trim(msg, plan, kind, channel)
    update: dict[str, object] = {"body": msg.render(), "greeting_name": plan.greeting_name}
    if channel == "email":
        update["subject"] = _fix_subject(draft.subject, plan)
    return draft.model_copy(update=update)
