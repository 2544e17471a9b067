"""Notes -> Plan: what may be shared, what is held back, and which next step fits.

Deterministic code, no model call. The notes are split into items (lines, bullets, sentences,
parenthetical asides); each item is shareable, held back (the sender's agenda, a confidence,
a private aside) or suspicious (reads like an instruction to a model). Everything the writer
may see comes from the shareable items only.
"""

from __future__ import annotations

import datetime as dt
import html
import re

from . import lexicon as lx
from .models import DraftRequest, NextStep, Plan

MAX_DETAILS = 5
HORIZON_DAYS = 60

_BULLET_RE = re.compile(r"^\s*(?:[-*•·‣◦>+]+|\d{1,2}[.)]|[a-z][.)](?=\s))\s*")
_HEADER_HELD_RE = re.compile(
    r"^\s*(private|note to self|notes to self|my agenda|agenda|confidential|do not share|don'?t share|"
    r"not for (the )?(email|message)|off the record|for me|personal)\s*:?\s*$",
    re.IGNORECASE,
)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?;])\s+|\s+[–—]\s+|\s+-{1,2}\s+")
_PAREN_RE = re.compile(r"\(([^()]{2,200})\)|\[([^\[\]]{2,200})\]")
_CONTACT_INFO_RE = re.compile(r"(\S+@\S+\.\w+|https?://\S+|www\.\S+|\+?\d[\d ()./-]{7,}\d)")


# --- splitting --------------------------------------------------------------------------------


def _strip_html(text: str) -> tuple[str, list[str]]:
    """Plain text of notes that may contain pasted HTML; hidden script/comment text is returned apart."""
    hidden: list[str] = []

    def _hide(match: re.Match[str]) -> str:
        hidden.append(" ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split()))
        return "\n"

    text = re.sub(r"(?is)<(script|style)\b.*?(</\1\s*>|$)|<!--.*?(-->|$)", _hide, text)
    text = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h\d)>", "\n", text)
    text = re.sub(r"</?[A-Za-z][^<>]{0,300}>", " ", text)
    return html.unescape(text), hidden


def _split_sentences(line: str) -> list[str]:
    parts: list[str] = []
    buf = ""
    for piece in _SENTENCE_END_RE.split(line):
        if not piece:
            continue
        buf = f"{buf} {piece}".strip() if buf else piece.strip()
        last = buf.rstrip(".").rsplit(" ", 1)[-1].lower()
        if buf.endswith(".") and last in lx.ABBREVIATIONS:
            continue  # "Dr. Tanaka": not a sentence end
        if len(buf.rstrip(".!?;")) > 0:
            parts.append(buf.rstrip(";").strip())
        buf = ""
    if buf:
        parts.append(buf.strip())
    return [p for p in parts if lx.words(p)]


def split_items(notes: str) -> tuple[list[tuple[str, bool]], list[str]]:
    """Items of the notes as (text, under_private_header), plus hidden script/comment text."""
    text, hidden = _strip_html(notes.replace("\r\n", "\n").replace("\r", "\n"))
    items: list[tuple[str, bool]] = []
    held_section = False
    in_signature = False
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            held_section = False
            continue
        if lx.SIGNATURE_DELIMITER_RE.match(line):
            in_signature = True
            continue
        if in_signature and (len(lx.words(line)) <= 8 or _CONTACT_INFO_RE.search(line) or "|" in line):
            continue
        in_signature = False
        signature_like = line.count(" | ") >= 2 or (
            _CONTACT_INFO_RE.search(line) and len(lx.words(line)) <= 6
        )
        if lx.JUNK_RE.search(line) or signature_like:
            continue
        if _HEADER_HELD_RE.match(_BULLET_RE.sub("", line)):
            held_section = True
            items.append((line, True))
            continue
        header_only = line.endswith(":") and len(lx.words(line)) <= 4
        if header_only:
            held_section = False
        line = _BULLET_RE.sub("", line)
        for sentence in _split_sentences(line):
            asides = [a or b for a, b in _PAREN_RE.findall(sentence)]
            rest = _PAREN_RE.sub(" ", sentence)
            for aside in asides:
                if _is_held(aside) or lx.INJECTION_RE.search(aside):
                    items.append((aside.strip(), held_section))
                else:
                    rest = rest.rstrip() + f" ({aside})"
            rest = " ".join(rest.split())
            if lx.words(rest):
                items.append((rest, held_section))
    return items, hidden


def _is_agenda(item: str) -> bool:
    return bool(lx.AGENDA_RE.search(item) or lx.AGENDA_ROLE_RE.search(item))


def _is_held(item: str) -> bool:
    return bool(_is_agenda(item) or lx.CONFIDENCE_RE.search(item) or lx.PRIVATE_RE.search(item))


# --- the contact's name -----------------------------------------------------------------------


def _tidy_name(name: str) -> str:
    name = name.strip(" \"'“”‘’.,")
    if name.islower() or name.isupper():
        name = " ".join(p[:1].upper() + p[1:].lower() for p in name.split())
    return name


def greeting_name(full_name: str, notes: str) -> str:
    """How to greet the contact: the notes' cue, else title + family name, else the given name."""
    for cue in lx.NAME_CUES:
        match = cue.search(notes)
        if match:
            candidate = _tidy_name(match.group(1))
            if candidate and candidate.lower() not in lx.STOPWORDS:
                return candidate
    name = full_name.strip()
    if "@" in name:
        name = re.split(r"[._+-]", name.split("@", 1)[0])[0]
    nick = re.search(r"(?:^|\s)[\"'“‘(]([^\"'”’()]+)[\"'”’)](?=\s|$)", name)
    if nick and nick.group(1).strip():
        return _tidy_name(nick.group(1).split()[0])
    name = name.split(",")[0]
    first_given = next((t for t in name.split() if t.lower().rstrip(".") not in lx.TITLES), "")
    if len(first_given) > 3 and not lx.FAMILY_FIRST_RE.search(notes):
        for short in re.findall(r"\b" + re.escape(first_given[:2]) + r"[\w'’-]*", notes):
            if 2 <= len(short) < len(first_given) and first_given.startswith(short) and short[0].isupper():
                return short  # the notes call Jennifer "Jen"
    given = [t for t in name.split() if t.lower().rstrip(".") not in lx.TITLES]
    if len(given) >= 3 and not lx.FAMILY_FIRST_RE.search(notes):
        for k in range(len(given) - 1, 1, -1):  # a compound given name the notes use ("María José")
            if re.search(r"(?<!\w)" + re.escape(" ".join(given[:k])) + r"(?!\w)", notes):
                return " ".join(given[:k])
    tokens = [
        t
        for t in name.split()
        if t.lower().strip(".") not in lx.NAME_SUFFIXES and t.lower() not in lx.NAME_SUFFIXES
    ]
    if not tokens:
        return _tidy_name(full_name)
    title = lx.TITLES.get(tokens[0].lower().rstrip("."))
    if title and len(tokens) >= 2:
        rest = tokens[1:]
        family = rest[0] if lx.FAMILY_FIRST_RE.search(notes) else rest[-1]
        return f"{title} {_tidy_name(family)}"
    if len(tokens) >= 2 and lx.FAMILY_FIRST_RE.search(notes):
        return _tidy_name(tokens[-1])
    return _tidy_name(tokens[0])


# --- details ----------------------------------------------------------------------------------


def _clean_phrase(phrase: str, keep_possessive: bool = False, limit: int = 7) -> str:
    phrase = lx.WHEN_RE.sub(" ", lx.FILLER_RE.sub(" ", phrase))
    tokens = phrase.strip(" '\"“”‘’-").split()
    drop = {"a", "an", "about", "then", "first", "also"} if keep_possessive else lx.LEAD_DROP
    while tokens and tokens[0].lower() in drop:
        tokens.pop(0)
    tokens = tokens[:limit]
    trail = lx.STEP_TRAIL if keep_possessive else lx.EXTEND_STOP
    while tokens and tokens[-1].lower().strip(".,!?") in trail:
        tokens.pop()
    return " ".join(tokens).strip(" .,;:!?'\"")


def _capitalized_phrases(item: str, skip: set[str]) -> list[str]:
    tokens = item.split()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i].strip(' ,.;:!?"“”()')
        low = tok.lower().replace("’", "'")
        is_cap = tok[:1].isupper() or (tok[:1].isdigit() and i > 0 and tokens[i - 1][:1].isupper())
        if (
            not is_cap
            or low in lx.COMMON_CAPITALIZED
            or lx.stem(low) in skip
            or low in lx.WEEKDAYS
            or low in lx.MONTHS
            or (i == 0 and (low in lx.STOPWORDS or low in lx.SENTENCE_STARTERS))
        ):
            i += 1
            continue
        phrase = [tok]
        j = i + 1
        while j < len(tokens) and not re.search(r"[,.;:!?)]$", tokens[j - 1]):
            nxt = tokens[j].strip(' ,.;:!?"“”()')
            nlow = nxt.lower()
            if nxt[:1].isupper() and nlow not in lx.COMMON_CAPITALIZED and lx.stem(nlow) not in skip:
                phrase.append(nxt)
            elif nlow in lx.NAME_CONNECTORS and j + 1 < len(tokens) and tokens[j + 1][:1].isupper():
                phrase.append(nxt)  # "Queen of Sheba", "Paco de Lucía"
            elif (
                nxt[:1].islower()
                and nlow not in lx.EXTEND_STOP
                and nxt.isalpha()
                and not nlow.endswith("ly")
                and len(phrase) < 4
                and not nlow.endswith("ed")
            ):
                phrase.append(nxt)
            else:
                break
            j += 1
        if i > 0 and tokens[i - 1].lower() == "the":
            phrase.insert(0, "the")
        out.append(" ".join(phrase))
        i = j
    return out


def extract_details(
    items: list[str], skip_names: set[str], extra: tuple[str, ...] | list[str] = ()
) -> list[str]:
    """The 1-5 most specific topics, places and things the shareable items mention."""
    scored: list[tuple[float, int, str]] = []
    pos = 0

    def add(phrase: str, score: float) -> None:
        nonlocal pos
        phrase = _clean_phrase(phrase)
        cw = lx.content_words(phrase)
        if (
            not cw
            or all(w in skip_names or w in lx.GENERIC_TOPICS for w in cw)
            or lx.WHEN_RE.fullmatch(phrase)
        ):
            return
        if _is_held(phrase) or all(w in lx.WEEKDAYS or w in lx.MONTHS or w in lx.PLAN_VERBS for w in cw):
            return
        if len(cw) >= 2 or phrase[:1].isupper() or phrase.lower().startswith("the "):
            score += 0.5
        pos += 1
        scored.append((score, pos, phrase))

    for item in items:
        if any(cue.search(item) for cue in lx.NAME_CUES) or lx.FAMILY_FIRST_RE.search(item):
            continue
        for quoted in re.findall(r"[\"“]([^\"”]{3,80})[\"”]|(?<!\w)'([^']{3,60})'(?!\w)", item):
            add(quoted[0] or quoted[1], 3.0)
        for match in lx.TOPIC_CUE_RE.finditer(item):
            raw = match.group("x") or match.group("y") or match.group("z") or ""
            for n, part in enumerate(re.split(r"\s*(?:,|(?<!-)\band\b(?!-)|&|\+|\bplus\b|/)\s*", raw)[:3]):
                head = (part.split() or [""])[0].lower()
                if n and (head in lx.SENTENCE_STARTERS or head.endswith(("s", "ed", "ing"))):
                    inner = lx.TOPIC_CUE_RE.match(part)  # "... and uses a buddy system": a new clause
                    if inner:
                        add(lx.PHRASE_CUT_RE.split(next(g for g in inner.groups() if g), maxsplit=1)[0], 3.0)
                    break
                add(lx.PHRASE_CUT_RE.split(part, maxsplit=1)[0], 3.0)
        for phrase in _capitalized_phrases(item, skip_names):
            add(phrase, 2.0 if " " in phrase else 1.5)
        bare = _BULLET_RE.sub("", item).strip(" .")
        first = (lx.words(bare) or [""])[0].lower()
        plain = (
            first not in lx.SENTENCE_STARTERS
            and first not in lx.STOPWORDS
            and lx.stem(first) not in skip_names
        )
        if 1 <= len(lx.words(bare)) <= 4 and plain:
            add(bare, 2.0)
    venue = {w for p in extra for w in lx.content_words(p)} - lx.GENERIC_TOPICS
    scored = [
        (sc - 2.0 if venue and set(lx.content_words(ph)) & venue else sc, ps, ph) for sc, ps, ph in scored
    ]
    for phrase in extra:
        add(phrase, 0.5)
    best: list[str] = []
    for _score, _pos, phrase in sorted(scored, key=lambda s: (-s[0], s[1])):
        cw = set(lx.content_words(phrase))
        if any(cw <= set(lx.content_words(b)) for b in best):
            continue
        best = [b for b in best if not set(lx.content_words(b)) <= cw]
        best.append(phrase)
        if len(best) >= MAX_DETAILS:
            break
    return best


# --- promises, next steps ---------------------------------------------------------------------


def second_person(text: str, third_party: bool = False) -> str:
    """Rewrite a note about the contact ("send her his slides") as words to them ("send you your slides")."""
    tokens = text.split()
    out = []
    for i, tok in enumerate(tokens):
        core = tok.strip(".,;:!?").lower().replace("’", "'")
        tail = tok[len(tok.rstrip(".,;:!?")) :]
        third_party = third_party or lx.stem(core) in lx.THIRD_PARTIES or core in lx.THIRD_PARTIES
        if third_party and core in ("his", "her", "their", "he", "she", "they", "he's", "she's"):
            out.append(tok)  # "a swim coach ... his contact": not the contact's
            continue
        if core == "her":
            nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
            new = "you" if not nxt or nxt in lx.HER_AS_OBJECT or tail else "your"
        elif core in lx.OBJECT_FORMS:
            new = lx.OBJECT_FORMS[core]
        else:
            out.append(tok)
            continue
        if core in ("she", "he", "they") and i + 1 < len(tokens) and tokens[i + 1].lower() in ("is", "was"):
            tokens[i + 1] = "are" if tokens[i + 1].lower() == "is" else "were"
        out.append((new.capitalize() if tok[:1].isupper() and i == 0 else new) + tail)
    return " ".join(out)


def _gerund_first(phrase: str) -> str:
    """ "start a repair café" -> "starting a repair café", for a plan verb at the front."""
    head, _, rest = phrase.partition(" ")
    if head.lower() not in lx.PLAN_VERBS:
        return phrase
    low = head.lower()
    if low.endswith("e") and not low.endswith("ee"):
        low = low[:-1]
    elif len(low) <= 4 and re.fullmatch(r".*[^aeiou][aeiou][bdgmnprt]", low):
        low += low[-1]
    return f"{low}ing {rest}".strip()


def _first(res: tuple[tuple[re.Pattern[str], str], ...], items: list[str]) -> tuple[bool, str]:
    for item in items:
        for rx, template in res:
            match = rx.search(item)
            if match:
                topic = lx.STEP_CUT_RE.split(match.group("x") or "", maxsplit=1)[0]
                topic = _gerund_first(_clean_phrase(topic, keep_possessive=True, limit=10))
                if not [w for w in lx.content_words(topic) if w not in ("it", "that", "this", "one")]:
                    topic = ""
                return True, template.format(x=topic) if topic else ""
    return False, ""


def find_promises(items: list[str]) -> list[str]:
    """What the sender said they would do, in their own voice ("send you the podcast link")."""
    found: list[str] = []
    for item in items:
        for rx, template in lx.PROMISE_RES:
            match = rx.search(item)
            if match:
                before = {lx.stem(w.lower()) for w in lx.words(item[: match.start("x")])}
                text = template.format(x=" ".join(match.group("x").split()).strip(" ,."))
                found.append(second_person(text, third_party=bool(before & lx.THIRD_PARTIES)))
                break
    return found


def _promise_text(promise: str) -> str:
    return _clean_phrase(
        lx.PHRASE_CUT_RE.split(promise, maxsplit=1)[0] if len(promise.split()) > 12 else promise,
        keep_possessive=True,
        limit=14,
    )


def _promise_topic(promise: str) -> str:
    words = promise.split()
    if words:
        words = words[1:]  # the verb
    while words and words[0].lower() in ("you", "over", "along", "on", "up", "back", "out", "me"):
        words.pop(0)
    return " ".join(words[:10]) or promise


# --- when -------------------------------------------------------------------------------------

_DEFAULT_WHEN = {
    "offer": ("in the next few days", 3),
    "ask": ("next week", 7),
    "joint_venture": ("in the next couple of weeks", 14),
    "keep_in_touch": ("in the next few weeks", 21),
}


def _month_date(today: dt.date, month: int, day: int) -> dt.date | None:
    for year in (today.year, today.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            candidate = dt.date(year, month, 28)
        if candidate > today:
            return candidate
    return None


def _next_month_day(today: dt.date, day: int) -> dt.date:
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return dt.date(year, month, min(day, 28))


def find_when(items: list[str], today: dt.date) -> tuple[str, dt.date] | None:
    """A rough time the notes give for the next step, with a date within the horizon, if any."""
    horizon = today + dt.timedelta(days=HORIZON_DAYS)
    for item in items:
        low = item.lower()
        found: list[tuple[str, dt.date | None]] = []
        m = lx.NTH_DAY_RE.search(low)
        if m:
            day = int(m.group(2))
            date = (
                dt.date(today.year, today.month, min(day, 28))
                if day > today.day
                else _next_month_day(today, day)
            )
            found.append((m.group(0), date + dt.timedelta(days=1 if m.group(1) == "after" else 0)))
        m = lx.WEEKDAY_WHEN_RE.search(low)
        if m:
            ahead = (lx.WEEKDAYS.index(m.group(2)) - today.weekday()) % 7 or 7
            found.append((f"{m.group(1)} {m.group(2).capitalize()}", today + dt.timedelta(days=ahead)))
        for rx, prefix in lx.MONTH_WHEN_RES:
            m = rx.search(low)
            if not m:
                continue
            groups = m.groupdict()
            month = lx.MONTH_ABBR[groups["m"][:3]]
            prefix = prefix or groups.get("p") or ""
            day = int(groups["d"]) if groups.get("d") else lx.MONTH_PART_DAY.get(prefix, 1)
            month_date = _month_date(today, month, day)
            phrase = second_person(m.group(0)).replace(groups["m"], lx.MONTHS[month - 1].capitalize())
            if (
                month_date
                and (month_date.year, month_date.month) == (today.year, today.month)
                and prefix == "in"
            ):
                phrase, month_date = "later this month", max(month_date, today + dt.timedelta(days=5))
            found.append((phrase, month_date))
            break
        rel = [
            (r"\btomorrow\b", "tomorrow", 1),
            (r"\bthis week\b", "this week", 3),
            (r"\bend of (the|this) week\b", "by the end of the week", max(1, 4 - today.weekday())),
            (r"\bend of next week\b", "by the end of next week", 11 - today.weekday()),
            (r"\bnext week\b", "next week", 7),
            (r"\b(this|over the) (weekend|wknd)\b", "this weekend", (5 - today.weekday()) % 7 or 7),
            (r"\bin a week\b", "in a week", 7),
            (r"\b(early )?next month\b", "early next month", (_next_month_day(today, 5) - today).days),
            (r"\b(later this month|end of (the|this) month)\b", "later this month", 7),
            (r"\bin a month\b", "in a month", 30),
        ]
        for pattern, phrase, days in rel:
            if re.search(pattern, low):
                found.append((phrase, today + dt.timedelta(days=max(1, days))))
        m = lx.IN_N_RE.search(low)
        if m:
            n = int(m.group(1)) if m.group(1).isdigit() else lx.COUNT_WORDS.get(m.group(1), 2)
            found.append((m.group(0), today + dt.timedelta(days=n * (7 if m.group(2) == "weeks" else 1))))
        for phrase, when_date in found:
            if when_date is not None and today < when_date <= horizon:
                return phrase, when_date
    return None


# --- setting ----------------------------------------------------------------------------------


def detect_setting(where_met: str, notes: str) -> str:
    """event | conference | informational_interview | chance | other, from where they met, then the notes."""
    for text in (where_met, notes):
        for name, rx in lx.SETTING_RES:
            if text and rx.search(text):
                return name
    return "other"


# --- the plan ---------------------------------------------------------------------------------

_WHY = {
    "offer": "You said you would; following through is the simplest, most relevant next step.",
    "ask": "A small favour tied to what you talked about.",
    "joint_venture": "You both want to keep this conversation going.",
    "keep_in_touch": "No natural ask or offer yet: keep the door open.",
}


def _step_text(kind: str, topic: str, when: str) -> str:
    if kind == "offer":
        return f"I'll {topic} {when}." if topic else f"I'll follow up with what I promised {when}."
    if kind == "ask":
        if topic.startswith("an introduction to "):
            return f"Would you still be happy to introduce me to {topic[19:]}? I'll check back {when}."
        return (
            f"Would you mind sharing {topic}? I'll check back {when}."
            if topic
            else (f"Could I ask your advice on something small {when}?")
        )
    if kind == "joint_venture":
        about = f" about {topic}" if topic else ""
        return f"Would you be up for continuing our conversation{about} over coffee {when}?"
    return f"I'd really love to stay in touch. Would you mind if I reach out {when}?"


def make_plan(request: DraftRequest, today: dt.date | None = None) -> Plan:
    """Read the notes: what may be shared, what is held back, and the next step that fits."""
    today = today or dt.date.today()
    contact = request.contact
    raw_items, hidden = split_items(request.notes)
    shareable: list[str] = []
    held: list[str] = []
    suspicious = [h for h in hidden if lx.INJECTION_RE.search(h)]
    agenda = False
    for item, under_held_header in raw_items:
        if lx.INJECTION_RE.search(item):
            suspicious.append(item)
        elif under_held_header or _is_held(item) or _HEADER_HELD_RE.match(_BULLET_RE.sub("", item)):
            held.append(item)
            agenda = agenda or _is_agenda(item) or bool(re.search(r"(?i)\bagenda\b", item))
        else:
            shareable.append(item)

    skip = {lx.stem(w.lower()) for w in lx.words(f"{contact.name} {request.sender}")}
    greeting = greeting_name(contact.name, "\n".join(shareable + held))
    skip |= {lx.stem(w.lower()) for w in lx.words(greeting)}
    extra = [contact.where_met] if contact.where_met and not _is_held(contact.where_met) else []
    details = extract_details(shareable, skip, extra)

    promised = find_promises(shareable)
    ask_found, ask_topic = _first(lx.ASK_RES, shareable)
    jv_found, jv_topic = _first(lx.JOINT_RES, shareable)
    ask_topic, jv_topic = second_person(ask_topic), second_person(jv_topic)
    lead = details[0] if details else ""
    topics = {
        "offer": _promise_topic(promised[0]) if promised else "",
        "ask": ask_topic or (f"any tips on {lead}" if lead else ""),
        "joint_venture": jv_topic or lead,
        "keep_in_touch": lead,
    }
    fits = {"offer": bool(promised), "ask": ask_found, "joint_venture": jv_found}
    wording = dict(topics)
    wording["offer"] = (
        _promise_text(promised[0])
        if promised
        else (f"share anything useful I come across on {lead}" if lead else "")
    )
    if request.next_step_hint:
        kind = request.next_step_hint
    else:
        kind = next((k for k in ("offer", "ask", "joint_venture") if fits[k]), "keep_in_touch")

    explicit = find_when(shareable, today)
    when, date = explicit or (_DEFAULT_WHEN[kind][0], today + dt.timedelta(days=_DEFAULT_WHEN[kind][1]))

    order = [kind] + [k for k in ("offer", "ask", "joint_venture") if fits[k] and k != kind]
    if "keep_in_touch" not in order:
        order.append("keep_in_touch")
    if "joint_venture" not in order and (len(order) < 2 or (len(order) < 3 and lead)):
        order.insert(1, "joint_venture")
    options = []
    for k in order[:3]:
        step_when = when if k == kind or explicit else _DEFAULT_WHEN[k][0]
        options.append(NextStep(type=k, text=_step_text(k, wording[k], step_when), why=_WHY[k]))

    return Plan(
        greeting_name=greeting,
        details=details,
        shareable=shareable,
        held_back=held,
        promised=promised,
        agenda_present=agenda,
        setting=detect_setting(contact.where_met, "\n".join(shareable)),
        next_step_type=kind,
        next_step_topic=topics[kind],
        options=options,
        follow_up_when=when,
        follow_up_date=date,
        suspicious=suspicious,
    )
