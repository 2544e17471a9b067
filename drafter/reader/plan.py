"""Reading -> Plan: the few clauses the writer sees, what is held back, and the next step.

The writer never sees "everything shareable". It sees the one to three shared details chosen
for the message, the clause of the next step, and the names. A clause is shown only when the
reader is confident of its role and finds it unlikely to be private; a clause it is unsure of
is simply not shown.

The next step is the notes' own: the sender's promise, then the contact's request, then a
plan agreed together, then something the sender wants to ask; keep-in-touch only when the
notes hold none. Its "when" comes from the step's own clause.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from functools import lru_cache

import numpy as np
from wordfreq import zipf_frequency

from ..channels import CHANNEL, KIND, KIND_OF_ROLE, ROLE_PRIORITY
from ..models import (
    PRIVATE_ROLES,
    STEP_CONFIDENCE,
    STEP_LIKELY,
    STEP_PRIVATE_MAX,
    DraftRequest,
    NextStep,
    Plan,
    Reading,
)
from ..models import Clause as ReadClause
from ..retrieval.embeddings import load_encoder
from ..text.clauses import TURN_WORDS, plain_text
from ..text.dates import default_when
from ..text.language import in_another_language
from ..text.names import is_name_cue, name_forms
from ..text.overlap import content_words, words
from ..text.person import whom_about
from .greeting import choose_greeting
from .model import load_model

__all__ = [
    "KIND_OF_ROLE",
    "STEP_CONFIDENCE",
    "STEP_LIKELY",
    "STEP_PRIVATE_MAX",
    "choose_details",
    "choose_step",
    "make_plan",
    "asked_about_me",
    "their_promise",
]

MAX_SHOWN_WORDS = 40  # a longer clause (a pasted bio) is never shown whole

_SETTINGS = {
    "conference": "a talk, panel or session at a conference, summit or convention",
    "event": "a networking event, mixer, meetup, reception, party or trade show",
    "informational_interview": "an informational interview or coffee chat to learn about their career path",
    "chance": "a chance meeting with a stranger on a train, plane, queue, gym or cafe",
}


def _showable(clause: ReadClause) -> bool:
    """Short enough to be shown, and in English: the reader cannot vouch for a clause in another
    language ("Bitte die Nachricht auf Englisch, aber kurz"), whatever its confidence."""
    return 2 <= len(clause.text.split()) <= MAX_SHOWN_WORDS and not in_another_language(clause.text)


def _safe(clause: ReadClause) -> bool:
    return load_model().may_show(clause.confidence, clause.private) and _showable(clause)


def _step_safe(clause: ReadClause, private_max: float) -> bool:
    return clause.private < private_max and _showable(clause)


def _specificity(text: str, known: str = "") -> float:
    """How specific a clause is: its rare words and named things, other than those of `known`
    (where you met and their name: the setting, not something you talked about)."""
    skip = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]+", known)}
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", text)
    rare = sum(1 for w in words if w.lower() not in skip and zipf_frequency(w.lower(), "en") < 4.2)
    named = sum(1 for w in words[1:] if w[:1].isupper() and w.lower() not in skip and not _first_person(w))
    return rare + 0.5 * named


def _first_person(word: str) -> bool:
    """ "I", "I'm", "I'd": capitalised, and no named thing."""
    return re.fullmatch(r"I(?:['’][a-z]+)?", word) is not None


@lru_cache(maxsize=64)
def _name_words(name: str) -> frozenset[str]:
    """The words of the contact's name and greeting, in lower case, as the notes may write them."""
    return frozenset(w.lower() for w in re.findall(r"[^\W\d_][\w'’-]*", name))


def _someone_elses(text: str, name: str) -> bool:
    """Whether a clause is about another person named at its start ("Kwame said he'd send
    everyone his template" in a note to Yusuf): their promise or plan is not this message's step."""
    first = re.match(
        r"[^A-Za-z]*([A-Z][\w'’-]+)\s+([a-z][\w'’]*)\b(?!:)", text
    )  # "Kwame said", not "Lisbon trip:"
    if not first or not name:
        return False
    word = first.group(1).split("'")[0].split("’")[0]
    return (
        word.lower() not in _name_words(name)
        and not word.isupper()
        and zipf_frequency(word.lower(), "en") < 4.0
    )


# A clause that opens with the contact doing something for the sender ("She said she'd send me the
# slides", "he'll intro me to Dana", "Yusuf promised to forward it"): a wish ("she'd love ...") or
# what they had done ("she'd moved") is not one.
_THEIR_PROMISE_RE = re.compile(
    r"^\W*(?:(?:and|so|but|then|also|plus)\s+)?(?P<who>she|he|they|[A-Z][\w'’-]*)"
    r"(?:\s+(?:also|even|kindly|then))?"
    r"(?:\s+(?:said|says|promised|mentioned)\s+(?:that\s+)?(?:she|he|they)(?:['’]d|['’]ll|\s+would|\s+will)"
    r"|['’]ll|['’]d|\s+will|\s+would|\s+promised\s+to|\s+(?:is|['’]s)\s+(?:going\s+to|gonna))"
    r"\s+(?:\w+ly\s+)?(?!(?:love|like|want|need|prefer|be|been|have|rather)\b)(?![a-z]+ed\b)[a-z]+\b",
    re.IGNORECASE,
)


def their_promise(text: str, name: str) -> bool:
    """Whether a clause says what the contact (a "she" or "he", or a word of their `name`) will
    do for the sender: not the sender's step to offer, but theirs, which the sender may take up."""
    found = _THEIR_PROMISE_RE.match(text)
    if not found:
        return False
    who = found.group("who").lower()
    return who in {"she", "he", "they"} or who in _name_words(name)


# A question they asked about the sender ("asked if I was one of the ghost-sign people", "asked
# where I grew up"): who the sender is, not a "could", a "would" or a "knew anyone": nothing to
# do for them.
_ASKED_ABOUT_ME_RE = re.compile(
    r"\basked(?:\s+me)?\s+(?:if|whether|where|what|how|why|who|when)\s+I"
    r"(?:\s+|['’])(?:was|were|am|m|came|come|lived|live|worked|work|grew)\b"
    r"(?!\s+(?:free|available|around|interested|keen|able|up\s+for|going)\b)",  # "was free": invited
    re.IGNORECASE,
)


def asked_about_me(text: str) -> bool:
    """Whether a clause's request is only a question they asked about the sender."""
    return bool(_ASKED_ABOUT_ME_RE.search(text))


def _as_step_role(clause: ReadClause, role: str, name: str) -> str:
    """The step role a clause stands for: the contact's own promise, read as a promise or a
    request, is the sender's ask (to take them up on it, "Could you send the slides when you have
    a moment?"), not an offer. A plan is left as it is: in "she'll do the policy bit, I do the
    data" each has a part of what they do together."""
    return "ask" if role in ("promise", "request") and their_promise(clause.text, name) else role


def choose_step(
    reading: Reading,
    hint: str | None = None,
    *,
    confidence: float = STEP_CONFIDENCE,
    likely: float = STEP_LIKELY,
    private_max: float = STEP_PRIVATE_MAX,
    name: str = "",
) -> tuple[str, ReadClause | None]:
    """The next-step kind and the clause that carries it (None for keep-in-touch): first among
    the clauses the reader labels a step with confidence, then among those it finds likely to be
    one; within each, by the order of ROLE_PRIORITY. Another person's promise is no step, and the
    contact's own promise is one to ask about (see `_as_step_role`)."""
    safe = [
        c
        for c in reading.clauses
        if _step_safe(c, private_max) and not _someone_elses(c.text, name) and not asked_about_me(c.text)
    ]
    sure = [
        (c, _as_step_role(c, c.role, name), c.confidence)
        for c in safe
        if c.role in KIND_OF_ROLE and c.confidence >= confidence
    ]
    unsure = [
        (c, _as_step_role(c, role, name), score)
        for c in safe
        for role, score in [c.as_step()]
        if role in KIND_OF_ROLE and score >= likely
    ]
    if hint:
        matching = [(c, score) for c, role, score in sure + unsure if KIND_OF_ROLE[role] == hint]
        return hint, (max(matching, key=lambda m: m[1])[0] if matching else None)
    for tier in (sure, unsure):
        for role in ROLE_PRIORITY:
            of_role = [(c, score) for c, r, score in tier if r == role]
            if of_role:
                chosen = max(of_role, key=lambda m: m[1])[0]
                return KIND_OF_ROLE[role], _with_antecedent(reading, chosen, private_max)
    return "keep_in_touch", None


def _with_antecedent(reading: Reading, clause: ReadClause, private_max: float) -> ReadClause:
    """A step that says nothing by itself ("and I said I would.", "happy to!") answers the clause
    before it ("They asked if I could send the name of my framer"): the step is the two together,
    when that one may be shown."""
    index = next((i for i, c in enumerate(reading.clauses) if c is clause), 0)
    if index == 0 or len(content_words(clause.text)) >= 2:
        return clause
    before = reading.clauses[index - 1]
    text = f"{before.text.rstrip()} {clause.text.lstrip()}"
    if (
        before.role in PRIVATE_ROLES
        or before.private >= private_max
        or len(text.split()) > MAX_SHOWN_WORDS
        or not content_words(before.text)
    ):
        return clause
    return clause.model_copy(
        update={
            "text": text,
            "start": before.start,
            "private": max(before.private, clause.private),
            "when": clause.when or before.when,
            "due": clause.due or before.due,
        }
    )


def _within(clause: ReadClause, step: ReadClause | None) -> bool:
    return step is not None and step.start <= clause.start and clause.end <= step.end


def _answered(clause: ReadClause, step: ReadClause | None) -> bool:
    """Whether the clause is the one a step that says nothing by itself answers (see
    `_with_antecedent`): "We chatted about the new climbing gym." before "We both want to try it"
    is still what you talked about."""
    return step is not None and clause.start == step.start and clause.end < step.end


def _says_something(text: str, name: str = "") -> bool:
    """Whether a clause in common words still says something: a few words, not a lead-in to
    what follows ("From his website:"), a fragment ("nice chat.") or only who they are ("and
    Gwilym Prys-Jones, who's the one I'm writing to": a clause that names them needs two words of
    meaning besides their `name`)."""
    own = set(content_words(name))
    stems = content_words(text)
    meaning = [w for w in stems if w not in own]
    return (
        len(re.findall(r"[A-Za-z][A-Za-z'-]+", text)) >= 5
        and len(meaning) >= (2 if len(meaning) < len(stems) else 1)  # naming them says who they are
        and not text.rstrip().endswith(":")
    )


_TURN = re.compile(rf"\s*(?:{'|'.join(TURN_WORDS)})\b", re.IGNORECASE)


MARKER_WORDS = 2  # a private clause of this many content words or fewer says little by itself


def _qualified_by_a_secret(reading: Reading, text: str) -> set[int]:
    """Clauses that a private clause right after them qualifies: a turn held back as private in
    the same sentence ("He is working on a new project but it is secret until the festival": the
    project is the secret), any private clause the sentence goes on into ("his office works with
    the Bezirk, and I want my firm to get some of these jobs": the first half is the agenda's
    premise), or an agenda or confidence that only marks the clause before
    ("...sleeping on a friend's sofa rn 🤫 dont mention", "Her contract ends in June. Obviously
    private.")."""
    out = set()
    for clause, after in itertools.pairwise(reading.clauses):
        gap = text[clause.end : after.start]
        if after.role in PRIVATE_ROLES and not re.search(r"[.!?\n]", gap):
            # the same sentence: a turn ("but it is secret"), or any private clause that goes on
            # from it without a full stop ("he knows all the bookers, if I get on his good side...")
            if _TURN.match(after.text) or not re.search(r"[.!?]\W*$", clause.text):
                out.add(id(clause))
        if after.role in ("agenda", "confidence") and _a_marker(after.text):
            out.add(id(clause))
    return out


# A subject of its own: a person ("I", "she", "we") or a name before a verb ("Dayo thinks"); "it's"
# and "that's" point back at what came before ("It's private."), so they are no subject here.
_SUBJECT_RE = re.compile(
    r"\b(?i:i|i['’](?:d|m|ll|ve)|she|she['’]s|he|he['’]s|they|they['’]re|we|we['’]re|you)\b"
    r"|\b[A-Z][a-z]+\s+(?:is|was|has|had|said|says|told|thinks|wants)\b"
)


def _a_marker(text: str) -> bool:
    """Whether a private clause only marks another: a fragment of a few words with no subject
    of its own ("dont mention", "obviously private.", "not for repeating", "between us"), not a
    statement ("She told me she's pregnant")."""
    return len(content_words(text)) <= MARKER_WORDS and not _SUBJECT_RE.search(text)


# Meeting them ("Met Bob at the mixer", "met her at the Config after-party"): where, not what about.
_MEETING_RE = re.compile(r"(?i)\b(?:met|meet|meeting)\b")
_ABOUT_RE = re.compile(r"(?i)\babout\b")


def _the_setting(clause: ReadClause, place: int) -> bool:
    """Whether a clause only sets the scene: how you met ("Met at the board game cafe."), or the
    heading a note opens with, a fragment with no one doing anything ("Dental practice managers'
    network evening, Birmingham.", "ACL Vienna, poster sess."). A clause that says what you talked
    about is never only the setting ("Conference hallway chat about OpenTelemetry sampling")."""
    if place > 1 or _ABOUT_RE.search(clause.text):
        return False
    return bool(_MEETING_RE.search(clause.text)) or (place == 0 and not _SUBJECT_RE.search(clause.text))


def choose_details(
    reading: Reading,
    limit: int,
    exclude: ReadClause | None = None,
    known: str = "",
    name: str = "",
    text: str = "",
    others: set[int] | None = None,
) -> list[ReadClause]:
    """The shared details for the message: the most specific topics the reader is sure of. A
    clause that says nothing beyond the setting ("Met Bob at the mixer") or in common words
    ("Talked about chaos engineering.") fills a place only after the specific ones. A clause that
    only says what they are called is never a detail, and nor is a pasted block (a signature, a
    bio): it is what they wrote about themselves, not something the two of you talked about. A
    clause that a private turn qualifies (see `_qualified_by_a_secret`; `text` is the plain text
    of the notes) is never a detail. In a note about several people, a clause about someone else
    (`others`: "Rhian runs the farm shop", to Gwilym) is a detail only when nothing else is. The
    step's own clause (`exclude`) is no detail; a topic it answers is."""
    qualified = _qualified_by_a_secret(reading, text) if text else set()
    eligible = [
        c
        for c in reading.clauses
        if c.role == "topic"
        and not (_within(c, exclude) and not _answered(c, exclude))
        and not c.block
        and _safe(c)
        and not (name and is_name_cue(c.text, name))
        and id(c) not in qualified
    ]
    topics = [c for c in eligible if id(c) not in (others or set())] or eligible
    place = {id(c): i for i, c in enumerate(c for c in reading.clauses if not c.block)}
    scored = []
    for c in topics:
        spec = _specificity(c.text, known)
        if spec > 0 or _says_something(c.text, name):
            scene = _the_setting(c, place[id(c)])
            scored.append((not scene, spec > 0, c.confidence * (1 + spec), c))
    chosen = [c for *_, c in sorted(scored, key=lambda x: x[:3], reverse=True)[:limit]]
    return sorted(chosen, key=lambda c: c.start)  # in the order of the notes


@lru_cache(maxsize=1)
def _setting_vectors() -> tuple[list[str], np.ndarray]:
    names = list(_SETTINGS)
    return names, load_encoder().encode([_SETTINGS[n] for n in names])


def detect_setting(where_met: str, first_clause: str) -> str:
    text = where_met or first_clause
    if not text.strip():
        return "other"
    names, vectors = _setting_vectors()
    scores = vectors @ load_encoder().encode([text])[0]
    best = int(np.argmax(scores))
    return names[best] if scores[best] >= 0.2 else "other"


def about_others(reading: Reading, request: DraftRequest, greeting: str) -> set[int]:
    """The clauses of the reading about someone other than the contact (see `whom_about`)."""
    contact = {w for form in name_forms(request.contact.name, request.notes) for w in words(form)}
    contact |= set(words(f"{request.contact.name} {greeting}"))
    known = set(words(f"{request.contact.where_met} {request.contact.company} {request.sender}"))
    # a pasted card or bio names no one the notes go on to speak of
    about = whom_about(["" if c.block else c.text for c in reading.clauses], contact, known)
    return {id(c) for c, whom in zip(reading.clauses, about, strict=True) if whom == "other"}


def _option_text(kind: str, clause: ReadClause | None) -> str:
    if clause is None:
        return "Keep the door open: ask if you may reach out in the next few weeks."
    return f"{KIND[kind].label}: {clause.text.strip(' .')}"


FRESH_WORDS = 3  # words of meaning a nudge's fresh detail adds to what was said before


def _second_touch(request: DraftRequest, plan: Plan, today: dt.date) -> Plan:
    """A second touch: deliver the promise now, or nudge lightly after no reply."""
    follow = request.follow_up
    assert follow is not None
    topic = follow.topic
    details = [topic] if topic else plan.details[:1]
    # What the first touch would have shown is not shown now: only the topic and the promise are
    # (and, in a nudge, one fresh detail).
    unshown = [*plan.unshown, *(d for d in plan.details if d not in details), plan.step_clause]
    unshown = [u for u in unshown if u]
    if follow.kind == "deliver":
        return plan.model_copy(
            update={
                "next_step_type": "offer",
                "step_clause": follow.promise or follow.previous_step,
                "details": details,
                "unshown": unshown,
                "follow_up_when": "today",
                "follow_up_date": today,
                "options": [NextStep(type="offer", text=f"Deliver: {follow.promise}", why=KIND["offer"].why)],
            }
        )
    # A nudge refers back to the earlier message and brings one thing it did not say: a detail of
    # the first conversation with words of meaning that neither that message nor who they are and
    # where you met already say, and that does not name them: a line that does is mostly about
    # meeting them ("Host: Mr. Kenji Morimoto", "Yesterday I meet Ignacio at ...").
    said = set(content_words(f"{topic} {follow.previous_step}"))
    name = set(content_words(request.contact.name))
    known = name | set(content_words(f"{request.contact.where_met} {request.contact.company}"))
    scored: list[tuple[int, str]] = []
    for detail in plan.details:
        mine = set(content_words(detail))
        new = mine - said - known
        if (
            detail not in details
            and len(new) >= FRESH_WORDS
            and not mine & name
            and len(mine & said) * 3 < len(mine)
        ):
            scored.append((len(new), detail))
    fresh = [max(scored)[1]] if scored else []
    unshown = [u for u in unshown if u not in fresh]
    when, date = default_when("keep_in_touch", today)
    return plan.model_copy(
        update={
            "next_step_type": "keep_in_touch",
            "step_clause": "",
            "details": [*details, *fresh],
            "unshown": unshown,
            "follow_up_when": when,
            "follow_up_date": date,
            "options": [NextStep(type="keep_in_touch", text="A light nudge", why=KIND["keep_in_touch"].why)],
        }
    )


def make_plan(request: DraftRequest, reading: Reading, today: dt.date | None = None) -> Plan:
    today = today or dt.date.today()
    greeting = choose_greeting(request.contact.name, request.notes)
    kind, step = choose_step(reading, request.next_step_hint, name=f"{request.contact.name} {greeting}")
    # Where you met and what they are called are the setting, not something you talked about.
    known = f"{request.contact.where_met} {request.contact.name} {greeting} {request.contact.company}"
    details = choose_details(
        reading,
        CHANNEL[request.channel].max_details,
        exclude=step,
        known=known,
        name=request.contact.name,
        text=plain_text(request.notes),
        others=about_others(reading, request, greeting),
    )
    when, date = (step.when, step.due) if step and step.when and step.due else default_when(kind, today)
    shown = {id(c) for c in details} | {id(c) for c in reading.clauses if _within(c, step)}
    options = [NextStep(type=kind, text=_option_text(kind, step), why=KIND[kind].why)]  # type: ignore[arg-type]
    for role in ROLE_PRIORITY:
        other = KIND_OF_ROLE[role]
        if other in {o.type for o in options}:
            continue
        found = [c for c in reading.of(role) if _safe(c)]
        if found:
            options.append(NextStep(type=other, text=_option_text(other, found[0]), why=KIND[other].why))  # type: ignore[arg-type]
    if "keep_in_touch" not in {o.type for o in options}:
        options.append(
            NextStep(
                type="keep_in_touch", text=_option_text("keep_in_touch", None), why=KIND["keep_in_touch"].why
            )
        )
    plan = Plan(
        greeting_name=greeting,
        details=[c.text for c in details],
        step_clause=step.text if step else "",
        held_back=[c.text for c in reading.of("agenda", "confidence")],
        unshown=[c.text for c in reading.clauses if id(c) not in shown],
        agenda_present=bool(reading.of("agenda")),
        setting=detect_setting(request.contact.where_met, reading.clauses[0].text if reading.clauses else ""),
        next_step_type=kind,  # type: ignore[arg-type]
        options=options[:3],
        follow_up_when=when,
        follow_up_date=date,
        suspicious=[c.text for c in reading.of("to_model")],
        follow_up=request.follow_up,
    )
    return _second_touch(request, plan, today) if request.follow_up else plan
