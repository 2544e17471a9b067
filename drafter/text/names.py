"""The contact's name: how to greet them, and how the notes may refer to them.

Parsing is nameparser's (titles, particles such as "van der", suffixes, "Last, First"). What
the notes say about the name wins: "goes by Liz", "call me Sasha", "family name first",
"surname Nagy", "'Becca, please'", a sign-off under their own details. A name they allow counts
when it is a form of their own or a known nickname of their given name (the `nicknames`
dataset: "Bobbie" for Roberta), or when it stands right after their name ("Tomasz W. (Tomek is
fine)").

`greeting_candidates` and `greeting_features` are the input of the greeting model
(`reader.greeting`): every other name the message could use, and what the notes say of each.
"""

from __future__ import annotations

import importlib.resources
import math
import re
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from anyascii import anyascii
from nameparser import HumanName
from nicknames import NickNamer
from wordfreq import zipf_frequency

from .overlap import content_words, stem, words
from .sentences import sentence_spans

__all__ = [
    "GREETING_FEATURES",
    "TITLE_PATTERN",
    "GreetingCandidate",
    "greeting_candidates",
    "greeting_features",
    "greeting_name",
    "is_name_cue",
    "name_forms",
]

# A cue in the notes for the name the contact uses (the cue in any case, the name capitalised):
# group 1 is the cue, group 2 the name, with a title or a second word if one follows ("prefers
# Dr. Haddad", "call me Mama Juma").
_NAME = r"[A-Z][\w'’-]{1,20}"
_CUE_RE = re.compile(
    r"\b((?i:goes by|go by|prefers?(?: to be (?:called|addressed as))?|"
    r"(?:asked|likes?|wants?|would like) to be (?:called|addressed as)|"
    r"call(?:s)? (?:her|him|them|me)|known as|nickname(?: is)?|"
    r"(?:everyone|everybody) (?:calls?|says?)(?: (?:her|him|them))?|"
    r"introduced (?:herself|himself|themselves)(?: to me)? as|"
    r"(?:to )?address (?:her|him|them|me) as|addressed as))\s+[\"'“‘]?"
    rf"({_NAME}\.?(?: {_NAME})?)"
)
# A nickname in quotes right after their name: "Theodoros Papadakis, 'Teddy'", "Robert 'Bobby' Chen".
_QUOTED = rf"[\"'“‘]({_NAME})[\"'”’]"
COMMON_WORD = 4.5  # a word this frequent ("Dear", "Tuesday") is no name the notes give them
_NEGATED_RE = re.compile(r"(?i)\b(nobody|no one|never|not|don't|doesn't|didn't)\s*$")
_ONE_NAME_RE = re.compile(r"(?i)\b(?:uses|has|goes by) (?:only |just )?(?:one|a single) name\b")
_FAMILY_FIRST_RE = re.compile(r"(?i)\b(family|sur)[ -]?name (comes )?first\b")
# Which of their names is which ("family name Park", "first name is Ji-woo"): how their name works.
_WHICH_NAME_RE = re.compile(rf"\b(?i:family|sur|last|first|given)[ -]?(?i:name)(?: is)?\s+{_NAME}")
# Titles a person typed into the contact's name to be greeted by: title + family name.
_FORMAL = {
    "dr",
    "prof",
    "professor",
    "doctor",
    "rev",
    "reverend",
    "judge",
    "sen",
    "senator",
    "rep",
    "mr",
    "mrs",
    "ms",
    "mx",
    "miss",
    "cllr",
    "councillor",
    "president",
    "dean",
    "commander",
    "captain",
    "colonel",
    "major",
    "general",
    "admiral",
    "lieutenant",
    "rabbi",
    "imam",
    "pastor",
    "father",
    "bishop",
}
_DOTTED = {"dr", "prof", "mr", "mrs", "ms", "mx", "rev", "sen", "rep"}
# Titles written out, and the Spanish and Portuguese feminine forms, as they are greeted in English.
_SAME_AS = {"professor": "Prof.", "doctor": "Dr.", "reverend": "Rev.", "dra": "Dr.", "profa": "Prof."}
# Courtesy titles: the notes' "Mr. Sato" is a form of address, their "Ms. Beatriz Salgado" is not.
_COURTESY = {"mr", "mrs", "ms", "mx", "miss"}
# Styles written before a name that no one is greeted by ("the Hon. Margarethe Solberg" is
# greeted as Judge Solberg): read as a title, never used as one.
_STYLES = {"hon", "honourable", "honorable", "rt"}
# Any of those titles as the notes write one before a name ("Dr.", "Prof", "Dra.", "Rabbi").
TITLE_PATTERN = (
    "(?:"
    + "|".join(sorted((t.capitalize() for t in _FORMAL | set(_SAME_AS) | _STYLES), key=len, reverse=True))
    + ")"
)
# A sign-off at the start of a line or after a sentence: "Best,", "Cheers", "Kind regards,".
_SIGN_OFF = (
    r"(?:^|[\n>|.!]\s*)"
    r"(?:best|regards|cheers|thanks|thank you|warmly|best wishes|kind regards|warm regards),?"
)
_SIGN_OFF_RE = re.compile(rf"(?i){_SIGN_OFF}\s*$")
# They told you, or signed with, the name to use: "he said just Kwame is fine", "'please, Ngozi'",
# "Best, Selin" at the end of their own message.
_PERMIT_RE = re.compile(
    rf"(?i:\bsaid,? (?:just|only)|\bplease,?|\bjust call (?:her|him|them|me)|{_SIGN_OFF})"
    rf"\s*[\"'“‘]?({_NAME})(?![\w'’-])"
)
# The same, with the name first: "'Becca, please'", "'Seun is fine'", "Kasia works".
_PERMIT_AFTER_RE = re.compile(
    rf"(?<![\w’-])(?<!\w')({_NAME})"
    r"(?:,\s*(?i:please)\b|\s+(?i:is fine|is good|is ok|is okay|works|will do)\b)"
)
# The notes say which word is the family name: "surname Nagy, so Zsófia", "Tan's the surname",
# "(Korean, family name Park)".
_STATED_FAMILY_RE = re.compile(
    rf"(?i:\b(?:family name|surname|last name)(?: is)?:?)\s+({_NAME})"
    rf"|(?<![\w'’-])({_NAME})(?:'s|’s| is) (?i:the|his|her|their) (?i:family name|surname|last name)"
)


def _tidy(name: str) -> str:
    name = name.strip(" \"'“”‘’.,")
    if name.islower() or name.isupper():
        name = " ".join(part[:1].upper() + part[1:].lower() for part in name.split())
    return name


def _title_word(word: str) -> str:
    """The title one word is on its own ("dr" -> "Dr.", "Prof" -> "Prof."), or ''."""
    return _title(HumanName(f"{word} X"))


def _title(parsed: HumanName) -> str:
    first = parsed.title.split()[0] if parsed.title else ""
    key = first.lower().rstrip(".")
    if key in _SAME_AS:
        return _SAME_AS[key]
    if key not in _FORMAL:
        return ""
    return first.rstrip(".") + "." if key in _DOTTED else first.rstrip(".")


def _in_notes(phrase: str, notes: str) -> bool:
    return bool(phrase) and re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", notes) is not None


def _cued_name(full_name: str, notes: str) -> str:
    """The name the notes say the contact goes by, or "" when they say none."""
    own = _own_words(full_name)
    parsed = HumanName(full_name)
    for cue in _CUE_RE.finditer(notes):
        if _NEGATED_RE.search(notes[max(0, cue.start() - 12) : cue.start()]):
            continue  # "nobody calls her Teodora"
        if _about_someone_else(notes, cue.start(), own):
            continue  # "her CTO Peter goes by Pete"
        words = cue.group(2).split()
        title = _title_word(words[0]) if len(words) == 2 else ""
        if title:  # "prefers Dr. Haddad"
            return f"{title} {_tidy(words[1])}"
        if words[0].endswith("."):  # "goes by Billie. Asked me...": the sentence ended
            words = words[:1]
        if len(words) == 2 and words[1].lower() in own and words[0].lower() not in own:
            return " ".join(_tidy(w) for w in words)  # "call me Mama Juma": a form of address
        pair = [_tidy(w) for w in words]
        if (
            len(pair) == 2
            and all(w.lower() in own for w in pair)
            and pair != [parsed.first, parsed.last]  # "call me Sasha Ivanova": their whole name
            and _in_notes(" ".join(pair), full_name)
        ):
            return " ".join(pair)  # "just call her Mei Lin": a given name of two words
        name = words[0].rstrip(".")
        if zipf_frequency(name.lower(), "en") >= COMMON_WORD and not _is_form_of(name, full_name):
            continue  # "address her as Dear Director": a word, not what they are called
        # A bare "prefers" also takes things ("prefers Zoom", "prefers Mondays"): there, only a
        # form of the contact's own name counts ("prefers Kate" for Katherine).
        low = name.lower()
        if cue.group(1).lower() in ("prefer", "prefers") and not any(
            low in part or (len(part) >= 3 and part in low) for part in own if len(name) >= 3
        ):
            continue  # "prefers Sato-san" counts; "prefers Zoom" does not
        return _tidy(name)
    permits = sorted(
        [*_PERMIT_RE.finditer(notes), *_PERMIT_AFTER_RE.finditer(notes)], key=lambda m: m.start()
    )
    for permit in permits:
        name = _tidy(permit.group(1))
        titled = re.search(rf"(?<![\w.])({TITLE_PATTERN})\.?\s+$", notes[: permit.start(1)])
        title = _title_word(titled.group(1)) if titled else ""
        if title and name.lower() in _own_words(full_name):
            name = f"{title} {name}"  # "'Dr. Haddad, please.'"
        if _is_form_of(name, full_name) or _signed_beside(permit, full_name, notes):
            return name
        if permit.re is _PERMIT_AFTER_RE and _right_after_name(permit, full_name, notes):
            return name
    return _nickname(full_name, notes)


_SUBJECTS = {"she", "he", "they", "i", "we"}
_WORD = r"[^\W\d_][\w'’-]*"  # a word of the notes that starts with a letter


def _about_someone_else(notes: str, at: int, own: set[str]) -> bool:
    """Whether the name cue at `at` is about another person: a name just before it, as its
    subject, is not one of the contact's ("Peter goes by Pete", "Thompson very much goes by
    Rich"); "she" or "he", or their own name, keeps it theirs, and a possessive ("Aoife's mum,
    who insists...") or an acronym says nothing of whom."""
    sentence = re.split(r"[.!?\n,;:]\s*", notes[max(0, at - 80) : at])[-1]
    for word in reversed(re.findall(_WORD, sentence)[-3:]):
        if re.search(r"['’]s$", word) or word.isupper():
            continue  # "Aoife's mum" is not Aoife; "NB" is no one
        if word.lower() in own or word.lower() in _SUBJECTS:
            return False
        if (
            word[:1].isupper()
            and not re.fullmatch(TITLE_PATTERN, word)
            and (zipf_frequency(word.lower(), "en") < COMMON_WORD or _nicknames().nicknames_of(word))
        ):
            return True  # a name: a rare word, or a given name however common ("Peter")
    return False


@cache
def _nicknames() -> NickNamer:
    return NickNamer()


def _is_form_of(name: str, full_name: str) -> bool:
    """Whether a name is a word of theirs, part of one or one part of it ("Seun" for Oluwaseun,
    "Becca" for Rebecca), or a known nickname of their given name ("Bobbie" for Roberta, by the
    `nicknames` dataset)."""
    low = name.lower()
    own = _own_words(full_name)
    if low in own:
        return True
    if len(low) >= 3 and any(len(part) >= 3 and (low in part or part in low) for part in own):
        return True
    first = HumanName(full_name).first
    return bool(first) and low in _nicknames().nicknames_of(first)


def _right_after_name(permit: re.Match[str], full_name: str, notes: str) -> bool:
    """A name allowed just after their own ("Tomasz W. (Tomek is fine)"), that is no common word
    ("Tuesday is fine" is no name)."""
    if zipf_frequency(permit.group(1).lower(), "en") >= COMMON_WORD:
        return False
    before = notes[max(0, permit.start() - 40) : permit.start()]
    return any(
        len(w) >= 3 and re.search(rf"(?<!\w){re.escape(w)}(?!\w)", before, re.I)
        for w in _own_words(full_name)
    )


def _signed_beside(permit: re.Match[str], full_name: str, notes: str) -> bool:
    """A sign-off ("Cheers, Bram") within a few lines of their full name: their own signature."""
    if not _SIGN_OFF_RE.search(notes[max(0, permit.start() - 40) : permit.start(1)]):
        return False
    last = HumanName(full_name).last
    around = notes[max(0, permit.start() - 200) : permit.end() + 200]
    return len(last) >= 3 and _in_notes(last, around)


def _own_words(full_name: str) -> set[str]:
    parsed = HumanName(full_name)
    parts = (parsed.first, parsed.middle, parsed.last, parsed.nickname)
    return {w.lower() for part in parts for w in part.split()}


def _name_words(parsed: HumanName) -> list[str]:
    """The words of the name without its title, initials left out ("Jan van der Berg")."""
    return [w for w in f"{parsed.first} {parsed.middle} {parsed.last}".split() if len(w) > 1]


def _noted_title(full_name: str, notes: str) -> str:
    """The title the notes put before the contact's name, with the family name: their own form of
    address ("Mr. Sato from Kansai" -> "Mr. Sato", "Dr. Yasmin Abdelrahman leads the team" ->
    "Dr. Abdelrahman", "Prof. Dr. Jürgen Albers" -> "Prof. Albers", "Dr. García López" ->
    "Dr. García López"). The given name is left out when a family name follows it; a courtesy
    title counts only with the family name alone."""
    parsed = HumanName(full_name)
    words = sorted(set(_name_words(parsed)), key=len)
    if not words:
        return ""
    given = [parsed.first]
    if parsed.middle and _two_given(f"{parsed.first} {parsed.middle.split()[0]}", parsed.last, notes):
        given.append(parsed.middle.split()[0])  # a compound given name: "María José"
    name_word = "|".join(re.escape(w) for w in reversed(words))
    pattern = rf"(?<![\w.])({TITLE_PATTERN})\.?(?:\s+{TITLE_PATTERN}\.?)*((?:\s+(?:{name_word})(?![\w'’-]))+)"
    for found in re.finditer(pattern, notes):
        run = found.group(2).split()
        with_given = len(run) > 1 and run[0] == given[0]
        if with_given and found.group(1).lower() in _COURTESY:
            continue
        while len(run) > 1 and run[0] in given:
            run = run[1:]
        title = _title_word(found.group(1))
        if title:
            return f"{title} {' '.join(run)}"
    return ""


def _nickname(full_name: str, notes: str) -> str:
    """A nickname the notes give right beside their name: quoted ("Theodoros Papadakis, 'Teddy'"),
    or set off by commas or in brackets and starting as the given name does ("Teodora, Teo, ...",
    "Beatriz (Bia, she insisted)")."""
    parsed = HumanName(full_name)
    first, last = parsed.first, parsed.last
    if not first:
        return ""
    around = rf"{re.escape(first)}(?:\s+{re.escape(last)})?"
    quoted = re.search(around + r",?\s*" + _QUOTED, notes)
    if quoted:
        return _tidy(quoted.group(1))
    short = re.search(around + rf"(?:,\s*|\s*\()({_NAME})[,)]", notes)
    if short and short.group(1)[0].lower() == first[0].lower() and short.group(1) not in (first, last):
        nick = short.group(1)
        # a short form of the given name ("Teo"), or at least not a common word ("Partner, Ansah & Co")
        if nick[:2].lower() == first[:2].lower() or zipf_frequency(nick.lower(), "en") < 4:
            return _tidy(nick)
    return _short_form_beside(parsed, notes)


def _with_other_family_name(token: str, own: set[str], notes: str) -> bool:
    """Whether the notes anywhere follow the name with a family name not theirs ("Jenny Park")."""
    for after in re.finditer(rf"(?<![\w'’-])(?i:{re.escape(token)})\s+([A-Z][a-z][\w'’-]*)", notes):
        if after.group(1).lower() not in own:
            return True
    return False


# Someone of theirs or yours, named after who they are: "his teenage son Danny", "her CTO Peter".
_RELATION_BEFORE_RE = re.compile(
    r"(?i)\b(?:his|her|their|my|our)\s+(?:[\w-]+\s+){0,1}(?!(?:said|says|wrote|signs|signed)\s)[\w-]+\s+$"
)
# A negation a few words before ("don't call her Becky", "NOT Josie"), or an article just before
# ("the Alexa team").
_NOT_BEFORE_RE = re.compile(
    r"(?i)(?:\b(?:not|never|don't|nobody|no one)\W+(?:\w+\W+){0,3}|\b(?:the|a|an)\W*)$"
)


def _short_form_beside(parsed: HumanName, notes: str) -> str:
    """A short form of their given name ("Bobby" for Robert, by the `nicknames` dataset, or part
    of it: "Deb" for Deborah) said in a sentence that also names them: "Jonathan, he's like,
    'it's Jon, no h'", "Tom Brennan? He signs his emails just 'Tom'". Not counted: a form said with
    another family name anywhere ("Jenny Park"), after who someone is ("his teenage son Danny"),
    or after a negation or an article ("NOT Josie", "the Alexa team")."""
    first = parsed.first
    if len(first) < 3:
        return ""
    own = {w.lower() for w in _name_words(parsed)}
    forms = _nicknames().nicknames_of(first) | {first.lower()}
    for line in notes.splitlines():
        for a, b in sentence_spans(line):
            sentence = line[a:b]
            if not own & {w.lower() for w in re.findall(_WORD, sentence)}:
                continue
            for found in re.finditer(_WORD, sentence):
                token = found.group(0)
                low = token.lower()
                if low in own or not token[:1].isupper() or len(low) < 2:
                    continue
                short = low in forms or (len(low) >= 3 and low in first.lower())
                before = sentence[: found.start()]
                if not short or _NOT_BEFORE_RE.search(before) or _RELATION_BEFORE_RE.search(before):
                    continue
                if _with_other_family_name(token, own, notes):
                    continue  # "Jenny Park": someone else
                return _tidy(token)
    return ""


def _called_by(parsed: HumanName, notes: str) -> str:
    """The one word of their name the notes call them by alone, when it is not the first word
    of the name: "team with Min-jun, he draws" for Kim Min-jun, "xiaomei taught the class" for
    Lin Xiaomei (family-name-first names put the given name last). Not counted: the word beside
    another of their names ("Gareth Hutchings", "rafa moreno"), after a title ("Mr. Kim"), in
    an address ("bjorn.halvorsen@"), in a longer proper name ("Thorvaldsen & Krogh", "Deshpande
    Castings") or a correction ("wait, Trevino")."""
    words = _name_words(parsed)
    if len(words) < 2:
        return ""
    own = {w.lower() for w in f"{parsed.first} {parsed.middle} {parsed.last}".split()}
    first = parsed.first.lower()
    alone: list[str] = []
    for word in words:
        # a quote before the word opens a quotation ("'Henrik Dahlgren builds..."); after a
        # letter it is part of the name ("O'Brien")
        pattern = rf"(?<![\w’.@/_-])(?<!\w'){re.escape(word)}(?![\w’.@/_-]|'(?!s\b))"
        for m in re.finditer(pattern, notes, re.IGNORECASE):
            before = [
                w.strip("'’")
                for w in re.findall(r"[\w'’.-]+|[&|,;:]", notes[max(0, m.start() - 40) : m.start()])
            ]
            after = [w.strip("'’") for w in re.findall(r"[\w'’-]+|[&|,;:]", notes[m.end() : m.end() + 40])]
            spoken = [w for w in before if w not in {",", ";", ":", "|"}]
            prev = spoken[-1].lower().strip(".") if spoken else ""
            near = [w.lower() for w in before[-2:] + after[:2] if w not in {",", ";", ":"}]
            nxt = after[0] if after else ""
            if any(w in own or (len(w) >= 3 and first.startswith(w)) for w in near):
                continue  # beside another of their names
            if re.fullmatch(TITLE_PATTERN, prev.capitalize()) or prev in _CORRECTING:
                continue
            if nxt == "&" or (nxt[:1].isupper() and nxt.lower() not in _AFTER_NAME):
                continue
            alone.append(word)
            break
    if len(alone) != 1 or alone[0].lower() == first:
        return ""
    return _tidy(alone[0])


_CORRECTING = {"wait", "no", "sorry", "or", "not", "spelled", "spell"}
_AFTER_NAME = {"i", "and", "but", "said", "says", "told", "asked", "showed", "was", "is"}


def _stated_given(full_name: str, notes: str) -> str:
    """Their given name when the notes say which word of the name is the family name ("surname
    Nagy, so Zsófia" for Nagy Zsófia, "Tan's the surname" for Tan Mei Lin): the other words,
    or title + family name when they have a title."""
    parsed = HumanName(full_name)
    words = _name_words(parsed)
    for found in _STATED_FAMILY_RE.finditer(notes):
        family = _tidy(found.group(1) or found.group(2))
        if family not in words or len(words) < 2:
            continue
        title = _title(parsed)
        if title:
            return f"{title} {family}"
        return " ".join(w for w in words if w != family)
    return ""


def greeting_name(full_name: str, notes: str = "") -> str:
    """How to greet the contact: a name the notes say they use, else title + family name, else
    given name; spelled as the notes spell it ("bjorn.halvorsen@..." with "Bjørn" in the notes)."""
    return _as_the_notes_spell(_greeting(full_name, notes), notes)


def _as_the_notes_spell(name: str, notes: str) -> str:
    """Each word of a name as the notes write it, where they write it with letters an address
    or a keyboard left out (the same word once transliterated: "Bjorn" -> "Bjørn", "Lukasz" ->
    "Łukasz"); a word the notes spell the same or not at all stays."""
    spelled: dict[str, str] = {}
    for word in re.findall(_WORD, notes):
        if not word.isascii():
            spelled.setdefault(anyascii(word).lower(), word)
    out = []
    for part in name.split(" "):
        found = spelled.get(anyascii(part).lower()) if part[:1].isupper() else None
        out.append(found if found and found[:1].isupper() else part)
    return " ".join(out)


@cache
def _census() -> tuple[dict[str, int], dict[str, int]]:
    """How common each word is as a given name and as a family name, by rank (1 the most common):
    the US census lists the `names` package carries (given names of both sexes, family names)."""
    root = importlib.resources.files("names")

    def ranks(file: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for line in (root / file).read_text(encoding="utf-8").splitlines():
            fields = line.split()
            if len(fields) == 4:
                out.setdefault(fields[0].lower(), int(fields[3]))
        return out

    given = ranks("dist.male.first")
    for word, rank in ranks("dist.female.first").items():
        given[word] = min(rank, given.get(word, rank))
    return given, ranks("dist.all.last")


def _more_a_family_name(word: str) -> bool:
    """Whether a word is known as a family name and is more common as one than as a given name
    ("Jiménez", "Pereira"; not "José", "Lucía" or "Na"); an unknown word is not."""
    key = anyascii(word).lower()
    given, family = _census()
    return key in family and family[key] < given.get(key, len(given) + len(family))


def _two_given(given_two: str, family: str, notes: str) -> bool:
    """Whether the first two words of their name are both given names, as the notes use them:
    the two without the family name after them ("María José said"), or the whole name written out
    ("Li Na Zhou", "María José Ferreira") unless the second word is more often a family name
    ("Carlos Jiménez Ruiz", "Joana Pereira dos Santos": the first of two family names)."""
    if not _in_notes(given_two, notes):
        return False
    after = r"(?!\s+" + re.escape(family) + r"(?!\w))" if family else ""
    if re.search(r"(?<!\w)" + re.escape(given_two) + r"(?!\w)" + after, notes):
        return True
    return not _more_a_family_name(given_two.split()[-1])


def _greeting(full_name: str, notes: str) -> str:
    cued = _cued_name(full_name, notes) or _noted_title(full_name, notes) or _stated_given(full_name, notes)
    if cued:
        return cued
    name = full_name.strip()
    if "@" in name:
        name = re.split(r"[._+-]", name.split("@", 1)[0])[0]
    parsed = HumanName(name)
    if parsed.nickname:
        return _tidy(parsed.nickname.split()[0])
    tokens = [t for t in (parsed.first, parsed.middle, parsed.last) if t]
    family_first = bool(_FAMILY_FIRST_RE.search(notes))
    # A compound given name the notes use ("María José", "Li Na") keeps its second part.
    given_two = f"{parsed.first} {parsed.middle.split()[0]}" if parsed.middle else ""
    compound = not family_first and _two_given(given_two, parsed.last, notes)
    title = _title(parsed)
    if title:
        if family_first and parsed.first:
            return f"{title} {_tidy(parsed.first)}"
        # A title goes with the whole family name: "Dr. García López", "Prof. van der Berg".
        middle = parsed.middle if len(parsed.middle.rstrip(".")) > 1 and not compound else ""
        family = " ".join(t for t in (middle, parsed.last) if t)
        if family:
            return f"{title} {family}"
    if not tokens:
        return _tidy(full_name)
    if family_first and parsed.last:
        return _tidy(parsed.last)
    called = _called_by(parsed, notes)
    if called:
        return called
    if compound:
        return _tidy(given_two)
    return _tidy(parsed.first or tokens[0])


def name_forms(full_name: str, notes: str = "") -> set[str]:
    """Every word of the contact's name and greeting: words a draft may use without the notes."""
    parsed = HumanName(full_name)
    words = {w for part in (parsed.first, parsed.middle, parsed.last, parsed.nickname) for w in part.split()}
    words |= set(greeting_name(full_name, notes).replace(".", "").split())
    return {w.strip(".,") for w in words if w.strip(".,")}


# Words about how a name works, besides the names themselves ("Vietnamese order, Nguyen is the
# family name"): a clause of these says what they are called, not what you talked about.
_NAMING_WORDS = "name names order family surname called"


def is_name_cue(text: str, full_name: str) -> bool:
    """Whether a clause only says what the contact is called ("She goes by Liz.", "Prefers
    Dr. Okafor.", "Chatted to Priyanka Nair (call her Priya)", "Vietnamese order, Nguyen is the
    family name, everyone calls her Mai"): it serves the greeting, and is nothing the two of you
    talked about. Besides its cues, their own names and words about naming, such a clause says at
    most one word of meaning ("Korean", "adamant")."""
    cues = [
        *_FAMILY_FIRST_RE.finditer(text),  # how their name works ("Korean name, family name first.")
        *_ONE_NAME_RE.finditer(text),  # "She uses one name."
        *_WHICH_NAME_RE.finditer(text),  # "(Korean, family name Park)"
    ]
    if not cues:
        cues = list(_CUE_RE.finditer(text))
        if not cues or not _cued_name(full_name, text):
            return False
    rest = text
    for cue in sorted(cues, key=lambda c: c.start(), reverse=True):
        rest = rest[: cue.start()] + " " + rest[cue.end() :]
    own = {
        stem(w.lower()) for w in words(f"{full_name} {' '.join(c.group(0) for c in cues)} {_NAMING_WORDS}")
    }
    return sum(1 for w in content_words(rest) if w not in own) <= 1


# --- Candidates for the greeting, with what the notes say about each (the learned chooser's input) ---

# A word of the notes that may be a name: it starts with a capital, and no letter or apostrophe
# joins it to the word before ("O'Brien" is one word, "'Deb'" is Deb).
_NAME_TOKEN_RE = re.compile(r"(?<![\w’@.-])(?<!\w')([^\W\d_][\w'’-]{1,20})")
_TITLED_RE = re.compile(rf"(?<![\w.])({TITLE_PATTERN})\.?\s+([^\W\d_][\w'’-]+(?:\s+[^\W\d_][\w'’-]+)?)")

GREETING_FEATURES: tuple[str, ...] = (
    "rule_default",  # what the rules give with no notes
    "given",
    "middle",
    "family",
    "notes_only",  # a word of the notes, none of theirs
    "titled_in_notes",  # "Dr. Haddad" as the notes write it
    "has_title",
    "several_words",
    "nickname_of_given",  # by the `nicknames` dataset
    "nickname_of_middle",
    "shares_start",  # the first three letters of a given or middle name
    "part_of_given",  # "Seun" in Oluwaseun
    "shared_run",  # the longest run of letters shared with a given or middle name, by its length
    "own_word",
    "given_rank",  # how common as a given name (census), 1.2 when unknown
    "family_rank",
    "english_frequency",
    "times_in_notes",
    "quoted",
    "after_cue",  # "goes by", "call me", "'X is fine'"
    "after_negated_cue",  # "nobody calls her X"
    "distance_to_their_name",
    "in_a_sentence_with_their_name",
    "after_who_someone_is",  # "his son Danny"
    "after_not_or_article",  # "NOT Josie", "the Alexa team"
    "starts_a_sentence",
    "first_position",
    "contact_is_address",
    "contact_in_lower_case",
    "contact_has_title",
    "one_or_two_letters",
    # what the rules' own answer rests on, the same for every candidate of a note
    "rules_read_the_notes",  # the notes changed the rules' answer ("goes by Liz")
    "rules_gave_a_title",
    "rules_answer_negated",  # "nobody calls her Margarethe"
)


@dataclass
class GreetingCandidate:
    """A name the message could greet them by, and the features the chooser reads."""

    name: str
    sources: set[str] = field(default_factory=set)


def _contact_parsed(full_name: str) -> HumanName:
    name = full_name.strip()
    if "@" in name:
        name = " ".join(re.split(r"[._+-]", name.split("@", 1)[0]))
    return HumanName(name)


def greeting_candidates(full_name: str, notes: str) -> tuple[str, list[GreetingCandidate]]:
    """The rules' greeting, and every other name the message could greet them by: the words of
    their name, the notes' words that may be names, and a title with a family name as the notes
    write it."""
    rule = greeting_name(full_name, notes)
    found: dict[str, GreetingCandidate] = {}

    def add(name: str, source: str) -> None:
        name = name.strip()
        if name and name.lower() != rule.lower():
            found.setdefault(name.lower(), GreetingCandidate(name)).sources.add(source)

    add(greeting_name(full_name, ""), "rule_default")
    parsed = _contact_parsed(full_name)
    for source, part in (("given", parsed.first), ("middle", parsed.middle), ("family", parsed.last)):
        for word in part.split():
            if len(word.rstrip(".")) > 1:
                add(_as_the_notes_spell(_tidy(word), notes), source)
    for m in _NAME_TOKEN_RE.finditer(notes):
        token = m.group(1).strip("'’-")
        if len(token) >= 2 and token[0].isupper() and not re.fullmatch(TITLE_PATTERN, token.capitalize()):
            add(_tidy(token) if token.isupper() and len(token) > 3 else token, "notes")
    for m in _TITLED_RE.finditer(notes):
        title = _title_word(m.group(1))
        names = [w for w in m.group(2).split() if w[0].isupper()]
        if title and names:
            add(f"{title} {names[0]}", "titled_in_notes")
            if len(names) == 2:
                add(f"{title} {' '.join(names)}", "titled_in_notes")
    return rule, list(found.values())


def _shared_run(a: str, b: str) -> int:
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] not in b:
                break
            best = j - i
    return best


def greeting_features(
    full_name: str, notes: str, candidates: list[GreetingCandidate], rule: str = ""
) -> np.ndarray:
    """One row of GREETING_FEATURES per candidate; `rule` is the rules' answer."""
    parsed = _contact_parsed(full_name)
    given = anyascii(parsed.first).lower()
    middle = [anyascii(w).lower() for w in parsed.middle.split()]
    own = [given, *middle, *(anyascii(w).lower() for w in parsed.last.split())]
    folded = anyascii(notes).lower()
    own_at = [
        m.start() for o in own if len(o) >= 2 for m in re.finditer(rf"(?<!\w){re.escape(o)}(?!\w)", folded)
    ]
    sentences = [(start + a, start + b) for start, line in _lines(notes) for a, b in sentence_spans(line)]
    cues: list[tuple[str, bool]] = []
    for pattern in (_CUE_RE, _PERMIT_RE, _PERMIT_AFTER_RE):
        for m in pattern.finditer(notes):
            said = m.group(2) if pattern is _CUE_RE else m.group(1)
            negated = bool(_NEGATED_RE.search(notes[max(0, m.start() - 12) : m.start()]))
            cues.append((said.split()[0].strip(".").lower(), negated))
    given_ranks, family_ranks = _census()
    nick = _nicknames()
    rule = rule or greeting_name(full_name, notes)
    rule_words = rule.split()
    rule_titled = len(rule_words) > 1 and bool(_title_word(rule_words[0]))
    rule_core = rule_words[-1] if rule_titled else (rule_words[0] if rule_words else "")
    rule_negated = any(said == rule_core.lower() and negated for said, negated in cues) or any(
        _NOT_BEFORE_RE.search(notes[max(0, m.start() - 40) : m.start()])
        for m in re.finditer(rf"(?<![\w’-])(?<!\w'){re.escape(rule_core)}(?![\w’-])", notes)
    )
    # The notes changed the rules' answer exactly when the no-notes answer is a candidate.
    read_the_notes = any("rule_default" in c.sources for c in candidates)
    about_rules = [read_the_notes, rule_titled, rule_negated]
    rows = []
    for candidate in candidates:
        words = candidate.name.split()
        titled = len(words) > 1 and bool(_title_word(words[0]))
        core = words[-1] if titled else words[0]
        low = anyascii(core).lower()
        theirs = low in own
        first_names = [g for g in (given, *middle) if g]
        occurs = rf"(?<![\w’-])(?<!\w'){re.escape(core)}(?![\w’-]|'\w)"
        at = [m.start() for m in re.finditer(occurs, notes, re.IGNORECASE)]
        distance, with_them, relation, negation, starts = 1.0, 0.0, 0.0, 0.0, 0.0
        for start in at:
            if own_at and not theirs:
                distance = min(distance, min(abs(start - o) for o in own_at) / 200)
            sentence = next(((a, b) for a, b in sentences if a <= start < b), None)
            if sentence is None:
                continue
            before = notes[sentence[0] : start]
            with_them = max(
                with_them, float(not theirs and any(sentence[0] <= o < sentence[1] for o in own_at))
            )
            relation = max(relation, float(bool(_RELATION_BEFORE_RE.search(before))))
            negation = max(negation, float(bool(_NOT_BEFORE_RE.search(before))))
            starts = max(starts, float(not before.strip(" -*•\t")))
        given_rank, family_rank = given_ranks.get(low), family_ranks.get(low)
        src = candidate.sources
        rows.append(
            [
                "rule_default" in src,
                "given" in src,
                "middle" in src,
                "family" in src,
                src == {"notes"},
                "titled_in_notes" in src,
                titled,
                len(words) > (2 if titled else 1),
                bool(given) and (low in nick.nicknames_of(given) or given in nick.canonicals_of(low)),
                any(low in nick.nicknames_of(m) for m in middle),
                not theirs and any(len(g) >= 3 and low[:3] == g[:3] for g in first_names),
                not theirs
                and len(low) >= 3
                and any(len(g) >= 3 and (low in g or g in low) for g in first_names),
                0.0
                if theirs
                else max((_shared_run(low, g) / max(len(low), 1) for g in first_names), default=0.0),
                theirs,
                math.log(given_rank) / 9 if given_rank else 1.2,
                math.log(family_rank) / 12 if family_rank else 1.2,
                zipf_frequency(low, "en") / 7,
                math.log1p(len(at)),
                any(start > 0 and notes[start - 1] in "\"'“‘" for start in at),
                any(said == core.lower() for said, _ in cues),
                any(said == core.lower() and negated for said, negated in cues),
                distance,
                with_them,
                relation,
                negation,
                starts,
                at[0] / max(len(notes), 1) if at else 1.0,
                "@" in full_name,
                full_name.islower(),
                bool(parsed.title),
                len(core) <= 2,
                *about_rules,
            ]
        )
    return np.array(rows, dtype=np.float64).reshape(len(candidates), len(GREETING_FEATURES))


def _lines(notes: str) -> list[tuple[int, str]]:
    out, start = [], 0
    for line in notes.split("\n"):
        out.append((start, line))
        start += len(line) + 1
    return out
