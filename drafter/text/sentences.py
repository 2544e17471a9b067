"""Sentence boundaries: pysbd's, with one correction.

pysbd keeps a sentence going after a word it knows as an abbreviation ("man" for Manitoba, "May"
the month), so "Poor man. I want to ask him..." and "...together in May. I could ask..." came
back as one sentence, and a note's promise or ask was merged with the topic before it. After a
full stop that follows a lowercase word of three letters or more, a common word of two ("not
with me. I said..."), or a month or day name, a capital letter starts a new sentence; initials,
titles ("Dr. López", "dr. lópez") and a few lowercase abbreviations ("approx. Fifty", "vs.
Ruby") do not end one. A lone capital letter after a lowercase word,
followed by a common word, ends one too: "...something with F. In reality..." is two sentences,
"...met with J. Smith" is one. Where pysbd itself ends a sentence on a title in quotes or
brackets ("he prefers 'Prof. Arancibia', use that"), the two parts are joined again.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd
from wordfreq import zipf_frequency

__all__ = ["sentence_spans", "sentences", "upper_first"]

_CALENDAR = (
    "Jan|Feb|Mar|Apr|May|Jun|June|Jul|July|Aug|Sep|Sept|Oct|Nov|Dec|"
    "Mon|Monday|Tue|Tues|Tuesday|Wed|Wednesday|Thu|Thur|Thurs|Thursday|Fri|Friday|Sat|Saturday|Sun|Sunday"
)
_TITLES = (
    "mr", "mrs", "ms", "mx", "dr", "prof", "rev", "fr", "st", "mt", "jr", "sr",
    "gen", "col", "capt", "lt", "sgt", "gov", "sen", "rep", "hon",
)  # fmt: skip
_STILL_GOING = {
    "approx", "incl", "esp", "resp", "viz", "nos", "vol", "vols", "fig", "figs", "dept",
    *_TITLES,  # typed in lower case
}  # fmt: skip
# A title, quoted or bracketed ("prefers 'Prof. Arancibia'"), where pysbd ends a sentence.
_TITLE_END = re.compile(rf"(?i)(?<![\w.])[\"'“‘(]?(?:{'|'.join(_TITLES)})\.\s*$")
_MISSED_END = re.compile(rf"(?<![\w.])((?:[a-z][a-z'’-]{{1,}})|(?:{_CALENDAR}))\.\s+(?=[A-Z\"“‘'(])")
_COMMON_SHORT = 5.5  # a two-letter word this frequent ("me", "us", "it", "am") is a word, not an abbreviation
_LETTER_END = re.compile(r"\b[a-z][a-z'’-]* ([A-Z])\.\s+(?=([A-Z][a-z]*)\b)")
_COMMON_START = 5.6  # a word this frequent ("In", "He", "The") after "F." starts a sentence


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def _segments(line: str) -> list[tuple[int, int]]:
    """pysbd's sentences, joined again where one ends on a title ("'Prof." + "Arancibia'...")."""
    out: list[tuple[int, int]] = []
    for sentence in _segmenter().segment(line):
        if (
            out
            and _TITLE_END.search(line[out[-1][0] : out[-1][1]])
            and line[sentence.start : sentence.end][:1].isupper()
        ):
            out[-1] = (out[-1][0], sentence.end)
        else:
            out.append((sentence.start, sentence.end))
    return out


def sentence_spans(line: str) -> list[tuple[int, int]]:
    """Offsets of the sentences of one line."""
    out: list[tuple[int, int]] = []
    for begin, end in _segments(line):
        start = begin
        ends = [
            (m.end(1) + 1, m.end())
            for m in _MISSED_END.finditer(line, begin, end)
            if m.group(1).lower() not in _STILL_GOING
            and (len(m.group(1)) > 2 or zipf_frequency(m.group(1).lower(), "en") >= _COMMON_SHORT)
        ]
        ends += [
            (m.end(1) + 1, m.end())
            for m in _LETTER_END.finditer(line, begin, end)
            if zipf_frequency(m.group(2).lower(), "en") >= _COMMON_START
        ]
        for stop, following in sorted(ends):
            out.append((start, stop))
            start = following
        out.append((start, end))
    return out


def sentences(text: str) -> list[str]:
    """The sentences of a text, line by line, stripped."""
    out: list[str] = []
    for line in text.split("\n"):
        out += [s for a, b in sentence_spans(line) if (s := line[a:b].strip())]
    return out


def upper_first(text: str) -> str:
    """The text with its first letter a capital and the rest as written."""
    return text[:1].upper() + text[1:]
