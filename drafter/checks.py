"""The rubric: plain functions over a Draft, its Plan and the request it answers.

Each check returns a CheckResult (name, a label in plain words, passed, a message saying what
is wrong). `run_checks` runs them all; `warnings_from` turns the failures into readable lines.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable

from . import lexicon as lx
from .models import CheckResult, Draft, DraftRequest, Plan
from .planning import HORIZON_DAYS, find_when

LABELS: dict[str, str] = {
    "greeting": "Greets them by the right name",
    "detail": "Mentions something specific you talked about",
    "next_step": "One clear next step of the right kind",
    "when": "Says roughly when you'll follow up",
    "no_leak": "Leaves your agenda and private notes out",
    "placeholders": "No placeholders left",
    "channel_fit": "Fits the channel",
    "voice": "Written by you, to them",
    "invented": "Nothing made up",
    "grounded": "Grounded in the guidance",
}
EMAIL_WORDS = (35, 180)
SUBJECT_MAX = 80
CHANNEL_MAX_CHARS = {"linkedin": 300, "text": 320}


def _result(name: str, passed: bool, message: str = "") -> CheckResult:
    return CheckResult(name=name, label=LABELS[name], passed=passed, message="" if passed else message)


def _stems(text: str) -> set[str]:
    return {lx.stem(w) for w in lx.words(text)}


def _name_re(name: str) -> re.Pattern[str]:
    parts = [re.escape(p.rstrip(".")) for p in name.split()]
    return re.compile(r"(?<!\w)" + r"\.?\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


def opening(body: str) -> str:
    """The greeting line: the first line, or the first sentence when the draft has no line breaks."""
    first = body.strip().split("\n", 1)[0]
    return (lx.sentences(first) or [first])[0][:80] if len(first) > 80 else first


def closing_lines(body: str) -> list[str]:
    """The short lines a message may end with (sign-off and name); the last sentence of a one-liner."""
    lines = [line.strip() for line in body.strip().splitlines() if line.strip()]
    if len(lines) <= 1:
        lines = lx.sentences(body)[-1:]
    return [line for line in lines[-3:] if len(lx.words(lx.SIGNOFF_RE.sub("", line))) <= 4]


def signed_by(body: str, name: str, last_only: bool = False) -> bool:
    """Whether the message ends with the name (full or first) as a sign-off."""
    if not name.strip():
        return False
    first = name.split()[0]
    for line in closing_lines(body)[-1:] if last_only else closing_lines(body):
        tail = lx.SIGNOFF_RE.sub("", re.sub(r"^[-–—~\s]+", "", line)).strip(" ,.!")
        if _name_re(name).search(tail) or re.match(re.escape(first) + r"\b", tail, re.I):
            return True
    return False


# --- the checks ---------------------------------------------------------------------------------


def check_greeting(draft: Draft, plan: Plan, request: DraftRequest) -> CheckResult:
    line = opening(draft.body)
    if _name_re(plan.greeting_name).search(line):
        return _result("greeting", True)
    return _result("greeting", False, f"the greeting should use '{plan.greeting_name}' (found '{line[:40]}')")


def mentions(detail: str, text: str) -> bool:
    """Whether a text mentions a detail, loosely: any case, plurals, most of its specific words."""
    stems = [w for w in lx.content_words(detail) if w not in lx.GENERIC_TOPICS]
    if not stems:
        return False
    have = _stems(text)
    return sum(1 for w in stems if w in have) >= max(1, math.ceil(len(stems) * 0.6))


def check_detail(draft: Draft, plan: Plan, request: DraftRequest) -> CheckResult:
    body_stems = _stems(draft.body)
    if any(mentions(d, draft.body) for d in plan.details):
        return _result("detail", True)
    if not plan.details:
        names = _stems(f"{request.contact.name} {request.sender} {plan.greeting_name}")
        shared = {w for w in lx.content_words(" ".join(plan.shareable)) if len(w) >= 4}
        if (shared - names - lx.GENERIC_TOPICS) & body_stems:
            return _result("detail", True)
    wanted = ", ".join(plan.details[:3]) or "a topic from your notes"
    return _result("detail", False, f"mention something specific you talked about (e.g. {wanted})")


def normalize_sentence(sentence: str) -> str:
    """A sentence reduced for comparison: lower case, contractions joined, no punctuation."""
    low = sentence.lower().replace("’", "'")
    for full, short in (("i would", "i'd"), ("i will", "i'll"), ("i am", "i'm"), ("do not", "don't")):
        low = low.replace(full, short)
    return " ".join(lx.words(low))


def step_kinds(text: str) -> set[str]:
    """Kinds of next step a text states (ask, offer, joint_venture, keep_in_touch)."""
    return {kind for kind, rx in lx.STEP_RES.items() if rx.search(text)}


def check_next_step(draft: Draft, plan: Plan, request: DraftRequest) -> CheckResult:
    expected = request.next_step_hint or plan.next_step_type
    if draft.next_step_type != expected:
        return _result(
            "next_step", False, f"the next step should be '{expected}', not '{draft.next_step_type}'"
        )
    if not draft.next_step.strip():
        return _result("next_step", False, "the draft names no next step")
    sentences = lx.sentences(draft.body)
    normal = [normalize_sentence(s) for s in sentences if step_kinds(s)]
    if len(normal) != len(set(normal)):
        return _result("next_step", False, "the next step is stated twice: keep one")
    per_sentence = [step_kinds(s) for s in sentences]
    if not any(expected in kinds for kinds in per_sentence):
        return _result("next_step", False, f"the message does not state the '{expected}' next step")
    # Other kinds stated in sentences of their own are a second request ("Could you send ...? I'll send ...").
    others = set().union(*(kinds for kinds in per_sentence if expected not in kinds))
    extra = others - {expected, "keep_in_touch"} if expected != "keep_in_touch" else others - {expected}
    if extra:
        found = ", ".join(sorted(extra | {expected}))
        return _result("next_step", False, f"more than one next step ({found}): keep one")
    return _result("next_step", True)


def when_window(phrase: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The dates a rough time phrase can reasonably mean, or None when it cannot be placed."""
    low = phrase.lower()
    vague = [
        (r"few days|couple of days|this week|end of the week|tomorrow", 1, 8),
        (r"next week|in a week|within a week", 3, 14),
        (r"couple of weeks|two weeks|2 weeks|fortnight", 7, 24),
        (r"few weeks|several weeks|three weeks|3 weeks|coming weeks", 7, 45),
        (r"next month|in a month|four weeks|a month", 14, 50),
        (r"this month", 1, 35),
    ]
    for pattern, lo, hi in vague:
        if re.search(pattern, low):
            return today + dt.timedelta(days=lo), today + dt.timedelta(days=hi)
    found = find_when([phrase], today)
    if found:
        return found[1] - dt.timedelta(days=10), found[1] + dt.timedelta(days=10)
    return None


def check_when(draft: Draft, plan: Plan, request: DraftRequest, today: dt.date | None = None) -> CheckResult:
    today = today or dt.date.today()
    if not today < draft.follow_up_date <= today + dt.timedelta(days=HORIZON_DAYS):
        return _result(
            "when", False, f"the follow-up date {draft.follow_up_date} is not within {HORIZON_DAYS} days"
        )
    text = re.sub(r"(?im)^\s*(talk|speak) soon\W*$", "", draft.body)
    phrases = [m.group(0) for m in lx.WHEN_RE.finditer(text)]
    if not phrases:
        return _result("when", False, f"no rough time found; add one such as '{plan.follow_up_when}'")
    if draft.follow_up_when and draft.follow_up_when.lower() in text.lower():
        phrases = [draft.follow_up_when]
    for phrase in phrases:  # "great to meet you this week ... next month": one must fit the date
        window = when_window(phrase, today)
        if window is None or window[0] <= draft.follow_up_date <= window[1]:
            return _result("when", True)
    return _result("when", False, f"'{phrases[0]}' does not match the follow-up date {draft.follow_up_date}")


def leaks(text: str, plan: Plan, request: DraftRequest) -> list[str]:
    """Held-back words (agenda, confidences, private asides) that appear in a text."""
    shared = _stems(" ".join(plan.shareable) + f" {request.contact.where_met} {request.contact.company}")
    names = _stems(f"{request.contact.name} {request.sender} {plan.greeting_name}")
    found: list[str] = []
    for sentence in lx.sentences(text):
        stems = _stems(sentence)
        for rx in (lx.AGENDA_RE, lx.AGENDA_ROLE_RE, lx.CONFIDENCE_RE, lx.PRIVATE_RE):
            for match in rx.finditer(sentence):
                if not _stems(match.group(0)) <= shared:
                    found.append(match.group(0))
        sensitive = (lx.AGENDA_WORDS | lx.CONFIDENCE_WORDS) - shared
        found += sorted(w for w in stems & sensitive)
        for item in plan.held_back:
            distinct = set(lx.content_words(item)) - shared - names - lx.GENERIC_TOPICS
            proper = {lx.stem(w) for w in lx.words(item)[1:] if w[:1].isupper()} & distinct
            hits = distinct & stems
            if len(hits) >= 3 or hits & proper:
                found += sorted(hits)
    return sorted({f.lower() for f in found})


def check_no_leak(draft: Draft, plan: Plan, request: DraftRequest) -> CheckResult:
    found = leaks(f"{draft.subject}\n{draft.body}", plan, request)
    if found:
        return _result("no_leak", False, f"held-back material shows up: {', '.join(found[:6])}")
    return _result("no_leak", True)


def check_placeholders(draft: Draft, plan: Plan, request: DraftRequest) -> CheckResult:
    found = [m.group(0) for m in lx.PLACEHOLDER_RE.finditer(f"{draft.subject}\n{draft.body}")]
    if found:
        return _result("placeholders", False, f"fill in or remove: {', '.join(found[:4])}")
    return _result("placeholders", True)


def check_channel_fit(draft: Draft, plan: Plan, request: DraftRequest) -> CheckResult:
    problems = []
    if draft.channel == "email":
        count = len(lx.words(draft.body))
        if not EMAIL_WORDS[0] <= count <= EMAIL_WORDS[1]:
            problems.append(
                f"an email should be {EMAIL_WORDS[0]}-{EMAIL_WORDS[1]} words (this one is {count})"
            )
        if not draft.subject.strip():
            problems.append("the subject is empty")
        elif len(draft.subject) > SUBJECT_MAX:
            problems.append(f"the subject is {len(draft.subject)} characters (at most {SUBJECT_MAX})")
        if request.sender and not signed_by(draft.body, request.sender):
            problems.append(f"sign it with your name ({request.sender})")
    else:
        limit = CHANNEL_MAX_CHARS[draft.channel]
        if len(draft.body) > limit:
            problems.append(
                f"a {draft.channel} message should be at most {limit} characters ({len(draft.body)})"
            )
    return _result("channel_fit", not problems, "; ".join(problems))


def check_voice(draft: Draft, plan: Plan, request: DraftRequest) -> CheckResult:
    body = draft.body
    contact_first = plan.greeting_name.split()[-1] if plan.greeting_name else ""
    sender_first = request.sender.split()[0] if request.sender.strip() else ""
    same = sender_first.lower() in {p.lower() for p in request.contact.name.split() + [contact_first]}
    if not re.search(r"\b(I|I'm|I'll|I'd|I've|me|my|we|our)\b", body):
        return _result("voice", False, "write in the first person, as yourself")
    if sender_first and not same and _name_re(sender_first).search(opening(body)):
        return _result("voice", False, f"the greeting addresses you ({sender_first}), not them")
    if contact_first and not same and signed_by(body, plan.greeting_name, last_only=True):
        return _result("voice", False, f"the message is signed with their name ({contact_first})")
    if re.search(
        r"thanks? (you )?for (reaching out|your (interest|application|message))|nice to meet you too",
        body,
        re.I,
    ):
        return _result("voice", False, "it reads as their reply to you; write it from you to them")
    third = re.compile(
        _name_re(contact_first).pattern
        + r"(['’]s\b|\s+(said|mentioned|told|is|was|likes|loves|wants|thinks)\b)",
        re.I,
    )
    rest = body.strip().split("\n", 1)[1] if "\n" in body.strip() else body[len(opening(body)) :]
    if contact_first and (third.search(rest) or _named_in_third_person(rest, contact_first)):
        return _result("voice", False, f"talk to {contact_first}, not about them")
    if _pronoun_for_them(rest, request):
        return _result("voice", False, "it says 'she' or 'he' where it should say 'you'")
    return _result("voice", True)


def _pronoun_for_them(text: str, request: DraftRequest) -> bool:
    """A sentence opening with 'she'/'he' and nobody else just before: the contact in the third person."""
    names = _stems(f"{request.contact.name} {request.sender}")
    sentences = lx.sentences(text)
    for i, sentence in enumerate(sentences):
        if not re.match(r"(she|he)('s|'d|'ll)?\b", sentence, re.I):
            continue
        context = " ".join(sentences[max(0, i - 2) : i])
        role = {lx.stem(w.lower()) for w in lx.words(context)} & lx.THIRD_PARTIES
        heads = [lx.words(s)[0] for s in sentences[max(0, i - 2) : i] if lx.words(s)]
        named = [
            w
            for w in heads
            if w[:1].isupper()
            and w.lower() not in lx.COMMON_CAPITALIZED | lx.SENTENCE_STARTERS
            and lx.stem(w.lower()) not in names
        ]
        if not role and not named:
            return True
    return False


def _named_in_third_person(text: str, name: str) -> bool:
    """The contact's name used other than to address them ("I met Bobby at ..." vs "Thanks, Bobby!")."""
    for match in _name_re(name).finditer(text):
        before = text[max(0, match.start() - 12) : match.start()].lower()
        after = text[match.end() : match.end() + 2]
        vocative = re.search(r"(,|thanks|thank you|hi|hey|hello|dear|^|\n)\s*$", before) or re.match(
            r"\s*[,!?]", after
        )
        if not vocative and not re.match(r"^[-–—~\s]*$", before):
            return True
    return False


def _allowed_vocabulary(draft: Draft, plan: Plan, request: DraftRequest) -> set[str]:
    contact = request.contact
    inputs = [
        request.notes,
        contact.name,
        contact.email,
        contact.company,
        contact.where_met,
        request.sender,
        plan.greeting_name,
        plan.follow_up_when,
        draft.follow_up_when,
        plan.next_step_topic,
        " ".join(plan.details),
        " ".join(o.text for o in plan.options),
        " ".join(plan.promised),
    ]
    allowed = {w.lower() for w in lx.words(" ".join(inputs))}
    allowed |= {lx.stem(w) for w in allowed}
    if draft.follow_up_date:
        allowed |= {str(draft.follow_up_date.day), draft.follow_up_date.strftime("%B").lower()}
    return allowed


def invented_facts(draft: Draft, plan: Plan, request: DraftRequest) -> list[str]:
    """Names, numbers, places and links in the draft that none of the inputs mention."""
    allowed = _allowed_vocabulary(draft, plan, request)
    common = lx.COMMON_CAPITALIZED | set(lx.WEEKDAYS) | set(lx.MONTHS) | set(lx.SENTENCE_STARTERS)
    found: list[str] = []
    for link in re.findall(r"https?://\S+|www\.\S+|\S+@\S+\.\w+", draft.body):
        if link.lower().rstrip(".,)") not in request.notes.lower():
            found.append(link)
    for sentence in lx.sentences(f"{draft.subject}\n{draft.body}"):
        tokens = lx.words(re.sub(r"https?://\S+|www\.\S+|\S+@\S+\.\w+", " ", sentence))
        for i, tok in enumerate(tokens):
            low = tok.lower().replace("’", "'")
            if len(tok) < 2 or low in allowed or lx.stem(low) in allowed or low in common:
                continue
            if any(ch.isdigit() for ch in tok):
                if not re.fullmatch(r"\d+(st|nd|rd|th)?", low) or low.rstrip("stndrh") not in allowed:
                    found.append(tok)
            elif tok[:1].isupper() and (i > 0 or (len(tokens) > 1 and tokens[1][:1].isupper())):
                if low not in lx.STOPWORDS:
                    found.append(tok)
    return list(dict.fromkeys(found))


def check_invented(draft: Draft, plan: Plan, request: DraftRequest) -> CheckResult:
    found = invented_facts(draft, plan, request)
    if found:
        return _result("invented", False, f"not in your notes: {', '.join(found[:6])}")
    return _result("invented", True)


def check_grounded(draft: Draft, plan: Plan, request: DraftRequest) -> CheckResult:
    if draft.guidance_ids:
        return _result("grounded", True)
    return _result("grounded", False, "no guidance passage was used")


CHECKS: tuple[Callable[[Draft, Plan, DraftRequest], CheckResult], ...] = (
    check_greeting,
    check_detail,
    check_next_step,
    check_when,
    check_no_leak,
    check_placeholders,
    check_channel_fit,
    check_voice,
    check_invented,
    check_grounded,
)


def run_checks(
    draft: Draft, plan: Plan, request: DraftRequest, today: dt.date | None = None
) -> list[CheckResult]:
    """Run every rubric check, in a fixed order."""
    results = []
    for check in CHECKS:
        if check is check_when:
            results.append(check_when(draft, plan, request, today=today))
        else:
            results.append(check(draft, plan, request))
    return results


def warnings_from(results: list[CheckResult]) -> list[str]:
    """One readable line per failed check."""
    return [f"{r.label}: {r.message}" if r.message else r.label for r in results if not r.passed]
