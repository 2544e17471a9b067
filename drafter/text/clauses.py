"""Cut notes into clauses: the units the note reader labels.

Sentences come from pysbd, corrected where it takes a word for an abbreviation
(`text/sentences.py`). Inside a sentence, a clause ends where the notes change direction
("... but honestly I'm hoping he'll refer me"), at an arrow or a spaced dash, and at a
semicolon. A parenthetical aside stays with its clause ("her mum is in hospital (don't
mention)" is one private clause): cut apart, asides such as "(library)" or "(our k8s lead)"
lost the clause they belong to, and hand-cut notes agreed less with the cutting (78.7% of
hand-cut clauses reproduced without the cut, 76.8% with it); a long one, ten words or more, is
a thought of its own and a clause of its own. A bracketed sentence of five words
or more after a sentence end ("...sketch a simple rig. (make it sound like I'm not selling
anything)") is a clause of its own: joined to the sentence before, it was shown with it; a short
one ("invest?? (don't say)") still marks the clause before. Pasted blocks (a signature after
"--", a quoted bio, contact details) stay whole: they are read as one clause. Pasted HTML is
reduced to its text; hidden script and comment text becomes a clause of its own, so the reader
can see it for what it is.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .sentences import sentence_spans

__all__ = ["TURN_WORDS", "Span", "plain_text", "split_clauses"]


@dataclass(frozen=True)
class Span:
    """A clause: its text and character offsets in the plain text of the notes."""

    text: str
    start: int
    end: int
    block: bool = False  # a pasted block (signature, bio, quoted text) kept whole
    line: int = 0  # which line of the notes it starts on


# The words with which the notes turn ("... but it is secret"): a clause ends before them.
TURN_WORDS = ("but", "though", "although", "except", "whereas")
_BULLET_RE = re.compile(r"\s*(?:[-*•·‣◦>+]+|\d{1,2}[.)]|[a-z][.)](?=\s))\s+")
_CONTACT_RE = re.compile(r"\S+@\S+\.\w+|https?://\S+|www\.\S+|\+?\d[\d ()./-]{7,}\d")
_SIGNATURE_START_RE = re.compile(r"^\s*(--+|__+|sent from my\b.*|best regards,?|kind regards,?)\s*$", re.I)
# Where a clause ends inside a sentence; the separator itself is left between clauses.
_CUT_RE = re.compile(
    r"\s*(?:->|→|=>|—|–)\s*"  # arrows and dashes
    r"|\s+-{1,2}\s+"  # a spaced hyphen
    r"|;\s+"
    rf"|,?\s+(?=(?:{'|'.join(TURN_WORDS)})\s)"  # a turn: the word stays with what follows
    r"|,\s+(?=(?:and|so)\s+(?:I|I'll|I'd|we|we'll|she|he|they|she'll|he'll)\b)"
    r"|\s+(?=(?:and|so)\s+(?:I|I'll|I'd|I've|we|we'll|we've)\s+(?:said|promised|offered|agreed|told|"
    r"mentioned|will|would|could|should|owe|might|want|need)\b)",
    re.IGNORECASE,
)
# Run-on notes (voice memos, chat) go on without punctuation: there a clause also ends after an
# emoji or a chat aside ("lol", "haha"), and before someone reporting what was said or agreed
# ("... two kids at the school we said we'd split the book fair", "... + my offline maps Wen said
# the family office is winding down"), or turning to an honest aside
# ("... if he's still buying direct and honestly if the co-op goes with us").
_EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d"
_RUN_ON_RE = re.compile(
    rf"(?<=[{_EMOJI}])\s+(?=[^\s{_EMOJI}])"
    r"|(?:(?<=\blol)|(?<=\blmao)|(?<=\bhaha))\s+(?=\w)"
    r"|(?<=\w)\s+(?=(?:(?:we|I|she|he|they)\s+(?:said|promised|offered|agreed|told|asked)"
    r"|(?:she|he|they)\s+mentioned|(?:and\s+)?(?:honestly|tbh|ngl)\s)\b)",
    re.IGNORECASE,
)
# Someone named reporting, run on after a word in lower case: "... my offline maps Wen said the ...".
_NAMED_REPORT_RE = re.compile(r"(?<=[a-z])\s+(?=[A-Z][a-z]+\s+(?:said|says|told|mentioned|asked)\b)")
# A sentence run on without its full stop: a capitalised pronoun after a word in lower case
# followed by one in lower case ("... if that's not too cheeky He'd be a good ...", "... with her
# comms team She's moving ..."; not the title in "we watched It Follows").
_PRONOUN_START_RE = re.compile(r"(?<=[a-z])\s+(?=(?:He|She|They|We|It|You)(?:['’](?:s|d|ll|re|ve))?\s+[a-z])")
# Words after which a report is part of the clause, not a new one ("she mentioned that he said").
_BINDS_NEXT = {
    "that", "because", "when", "if", "and", "but", "so", "as", "what", "how", "why", "where",
    "think", "guess", "reckon", "mean", "believe", "which", "who", "whom", "than",
}  # fmt: skip
# A verb of saying with whom it was said to, or "said" alone, takes what follows as its object:
# "tell her we agreed to a tasting", "I told him we'd split it", "she said we" are one clause ("dont
# mention | we said we'd try..." is two: the first is a marker for the clause before it).
# A clause opened by a subordinator is not whole until its main clause: "When Inés went to get the
# car | Horacio said ..." cuts a time off what happened then. The first cut with no punctuation
# after such an opening is not made ("After the panel she said ..." stays one clause), unless an
# emoji or a chat aside ended the thought there, or the sender turns to what they said or think
# ("when we met she was on crutches | we said we'd try the loop").
_SUBORDINATORS = {
    "when", "whenever", "while", "whilst", "after", "before", "since", "once", "until", "till",
    "because", "although", "though", "if", "unless", "as",
}  # fmt: skip
_AFTER_ASIDE_RE = re.compile(rf"(?:[{_EMOJI}]|\b(?:lol|lmao|haha))$", re.IGNORECASE)  # the thought ended
_OWN_TURN_RE = re.compile(r"(?:and\s+)?(?:I|we|honestly|tbh|ngl)\b", re.IGNORECASE)  # "| we said we'd ..."
_SAYS = {"tell", "told", "telling", "say", "said", "saying", "mention", "mentioned", "remind", "reminded"}
_SAID_TO = {"her", "him", "them", "me", "us", "you"}
_PAREN_RE = re.compile(r"\([^()]{2,300}\)|\[[^\[\]]{2,300}\]")
_HIDDEN_RE = re.compile(r"(?is)<(script|style)\b.*?(?:</\1\s*>|$)|<!--.*?(?:-->|$)")
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
# An aside of this many words within a sentence is a thought of its own ("wanna know the mill name
# (secretly... she's hiring a weekend baker and i'd kill for that job but NOT yet)"): joined to the
# clause before, it held that clause back with it, and the ask in it was lost. On the train
# notes, 10 reproduced 6 more hand-cut clauses of 4,101 than keeping every aside joined (8 the
# same, 6 none); shorter asides ("(don't mention)", "(honestly I mostly went to meet her boss)")
# still mark the clause before, and one right after a name ("Rhian (Dafydd's daughter, runs the
# farm shop in Tregaron, keen on local cheese)") says who that is, so it stays with the name.
_OWN_ASIDE_WORDS = 10
_OWN_WORDS = 5  # a bracketed sentence this long says something of its own; a shorter one marks


def plain_text(notes: str) -> str:
    """The notes as plain text: newlines normalised, pasted HTML reduced to its text.

    Text hidden in scripts and comments is kept on a line of its own, so it can be read as what
    it is (often an instruction aimed at a model), not lost and not mixed into a sentence.
    """
    text = notes.replace("\r\n", "\n").replace("\r", "\n")
    if not re.search(r"</?[A-Za-z][^<>]{0,300}>|<!--", text):
        return text

    def hidden(match: re.Match[str]) -> str:
        inner = re.sub(r"<[^>]+>|<!--|-->", " ", match.group(0))
        return "\n" + " ".join(inner.split()) + "\n"

    text = _HIDDEN_RE.sub(hidden, text)
    text = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h\d)>", "\n", text)
    text = re.sub(r"</?[A-Za-z][^<>]{0,300}>", " ", text)
    return html.unescape(text)


def _has_words(text: str) -> bool:
    return bool(_WORD_RE.search(text))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets without surrounding whitespace and trailing separators."""
    while start < end and (text[start].isspace() or text[start] in ",;"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;"):
        end -= 1
    return start, end


def _is_contact_line(line: str) -> bool:
    words = len(_WORD_RE.findall(line))
    return bool(_CONTACT_RE.search(line)) and words <= 12 or line.count("|") >= 2


def _card_line(line: str) -> bool:
    """A line of a card or signature: a few words, mostly capitalised (a name, a title, an
    office), not a sentence and not a bullet of the notes."""
    stripped = line.strip()
    found = _WORD_RE.findall(stripped)
    capitalised = sum(1 for w in found if w[:1].isupper())
    return (
        0 < len(found) <= 8
        and capitalised * 2 >= len(found)
        and not stripped.endswith((".", "!", "?", ":"))
        and not _BULLET_RE.match(line)
    )


def _follows(lines: list[tuple[int, str]], j: int) -> bool:
    """Whether line `j` comes straight after line `j - 1`, with no blank line between."""
    return lines[j - 1][0] + len(lines[j - 1][1]) + 1 == lines[j][0]


_FIELD_SEPARATOR_RE = re.compile(r"\s[·|•]\s")  # "Gothenburg, Sweden · 500+ connections", "Lead | Studio"


def _card_run(lines: list[tuple[int, str]], i: int) -> int:
    """The line after a run of card lines that starts at `i`, when the run is a pasted card: two
    lines or more, adjacent, one of them with fields set apart by "·" or "|" (a profile's header,
    "Name · 2nd / Title / City · 500+ connections"); `i` otherwise."""
    j = i
    while j < len(lines) and _card_line(lines[j][1]) and (j == i or _follows(lines, j)):
        j += 1
    if j - i >= 2 and any(_FIELD_SEPARATOR_RE.search(lines[k][1]) for k in range(i, j)):
        return j
    return i


def _quoted(line: str) -> bool:
    """A long line in quotation marks: pasted text (a bio, a post), not the notes' own words. A
    line opened with a single quote must close with one too ("'Henrik builds guitars...'")."""
    if len(line) <= 60:
        return False
    if line.startswith(('"', "“", "«", ">")):
        return True
    return line.startswith(("'", "‘")) and line.rstrip(".!? ").endswith(("'", "’"))


def _blocks(lines: list[tuple[int, str]]) -> list[tuple[int, int, bool, int]]:
    """(start, end, is_block, line number) for each line or pasted block of lines."""
    out: list[tuple[int, int, bool, int]] = []
    i = 0
    while i < len(lines):
        offset, line = lines[i]
        stripped = line.strip()
        quoted = _quoted(stripped)
        if _SIGNATURE_START_RE.match(stripped) or _is_contact_line(stripped):
            j = i + 1
            while (
                j < len(lines)
                and _follows(lines, j)
                and not _BULLET_RE.match(lines[j][1])
                and (_is_contact_line(lines[j][1].strip()) or len(_WORD_RE.findall(lines[j][1])) <= 8)
            ):
                j += 1
            end = lines[j - 1][0] + len(lines[j - 1][1])
            # The lines just above a contact line (a name, a title, an office) are its card too.
            first = i
            while (
                not _SIGNATURE_START_RE.match(stripped)
                and out
                and not out[-1][2]
                and out[-1][3] == first - 1
                and _follows(lines, first)
                and _card_line(lines[first - 1][1])
            ):
                out.pop()
                first -= 1
            out.append((lines[first][0], end, True, first))
            i = j
            continue
        if quoted:
            out.append((offset, offset + len(line), True, i))
            i += 1
            continue
        card = _card_run(lines, i)
        if card > i + 1:  # a pasted profile or business card: its lines are one block
            out.append((offset, lines[card - 1][0] + len(lines[card - 1][1]), True, i))
            i = card
            continue
        out.append((offset, offset + len(line), False, i))
        i += 1
    return out


def _cuts(text: str, start: int, end: int) -> list[re.Match[str]]:
    """Where clauses end between `start` and `end`, in order: turns and arrows, and run-on ends."""
    found = {m.start(): m for m in _RUN_ON_RE.finditer(text, start, end)}
    for m in _NAMED_REPORT_RE.finditer(text, start, end):
        before = _WORD_RE.findall(text[start : m.start()])
        if before and before[-1].islower():  # "the maps Wen said", not "the Lisbon Summit said"
            found[m.start()] = m
    found.update({m.start(): m for m in _PRONOUN_START_RE.finditer(text, start, end)})
    found.update({m.start(): m for m in _CUT_RE.finditer(text, start, end)})
    ordered, last = [], -1
    for at in sorted(found):
        if at >= last:
            ordered.append(found[at])
            last = found[at].end()
    return ordered


def _binds_next(left: list[str]) -> bool:
    """Whether the words before a cut with no punctuation take what follows as their object."""
    last = left[-1].lower()
    return last in _BINDS_NEXT or last in ("said", "says") or (last in _SAID_TO and left[-2].lower() in _SAYS)


def _opens_subordinate(text: str, start: int, end: int) -> bool:
    """Whether the clause at `start` opens with a subordinator (after "and", "but" or "so")."""
    words = [w.lower() for w in _WORD_RE.findall(text[start:end])[:2]]
    if words and words[0] in ("and", "but", "so"):
        words = words[1:]
    return bool(words) and words[0] in _SUBORDINATORS


def _cut_sentence(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clause offsets inside one sentence: asides apart, then cuts at turns and arrows."""
    pieces: list[tuple[int, int]] = []
    cursor = start
    for match in _PAREN_RE.finditer(text, start, end):
        pieces.append((cursor, match.start()))
        pieces.append((match.start(), match.end()))
        cursor = match.end()
    pieces.append((cursor, end))
    out: list[tuple[int, int]] = []
    for a, b in pieces:
        if text[a:b].startswith(("(", "[")):
            out.append((a, b))
            continue
        cursor = a
        opened = _opens_subordinate(text, cursor, b)
        for cut in _cuts(text, a, b):
            left = _WORD_RE.findall(text[cursor : cut.start()])
            bare = cut.group(0).strip() == ""
            if (
                bare
                and opened
                and not _AFTER_ASIDE_RE.search(text, cursor, cut.start())
                and "," not in text[cursor : cut.start()]
                and not _OWN_TURN_RE.match(text, cut.end())
            ):
                opened = False  # the main clause follows
                continue
            if len(left) >= 2 and not (bare and _binds_next(left)):
                out.append((cursor, cut.start()))
                cursor = cut.end()
                opened = _opens_subordinate(text, cursor, b)
        out.append((cursor, b))
    return out


def _marks_clause_before(text: str, sentence_start: int, a: int, b: int) -> bool:
    """Whether the aside at a:b belongs to the clause before it in its sentence. "...a simple rig.
    (make it sound like I'm not selling anything)" opens a sentence of its own, and a long aside
    not right after a name is a thought of its own; "invest?? (don't say)", "(maybe)" and "Rhian
    (Dafydd's daughter, ...)" only mark or say who the one before is."""
    size = len(_WORD_RE.findall(text[a:b]))
    before = _WORD_RE.findall(text[sentence_start:a])
    if not before:
        return size < _OWN_WORDS
    return size < _OWN_ASIDE_WORDS or before[-1][:1].isupper()


def split_clauses(notes: str) -> list[Span]:
    """The clauses of the notes, in order, as spans of `plain_text(notes)`."""
    text = plain_text(notes)
    lines: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            lines.append((offset, line))
        offset += len(line) + 1
    spans: list[Span] = []
    for start, end, is_block, line_no in _blocks(lines):
        if is_block:
            s, e = _trimmed(text, start, end)
            spans.append(Span(text[s:e], s, e, True, line_no))
            continue
        bullet = _BULLET_RE.match(text, start, end)
        body_start = bullet.end() if bullet else start
        line_text = text[body_start:end]
        for sent_start, sent_end in sentence_spans(line_text):
            s_start, s_end = body_start + sent_start, body_start + sent_end
            for a, b in _cut_sentence(text, s_start, s_end):
                a, b = _trimmed(text, a, b)
                if not (b > a and _has_words(text[a:b])):
                    continue
                aside = text[a] in "([" and text[b - 1] in ")]"
                if (
                    aside
                    and _marks_clause_before(text, s_start, a, b)
                    and spans
                    and spans[-1].line == line_no
                    and not spans[-1].block
                ):
                    last = spans.pop()  # an aside within a sentence belongs to the clause before it
                    a = last.start
                spans.append(Span(text[a:b], a, b, False, line_no))
    return spans
