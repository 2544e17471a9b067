"""Sentence boundaries: pysbd's, with one correction.

pysbd keeps a sentence going after a word it knows as an abbreviation ("man" for Manitoba, "May"
the month), so "Poor man. I want to ask him..." and "...together in May. I could ask..." came
back as one sentence, and a note's promise or ask was merged with the topic before it. After a
full stop that follows a lowercase word of three letters or more, or a month or day name, a
capital letter starts a new sentence; initials, titles ("Dr. López") and a few lowercase
abbreviations ("approx. Fifty") do not end one.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

__all__ = ["sentence_spans", "sentences"]

_CALENDAR = (
    "Jan|Feb|Mar|Apr|May|Jun|June|Jul|July|Aug|Sep|Sept|Oct|Nov|Dec|"
    "Mon|Monday|Tue|Tues|Tuesday|Wed|Wednesday|Thu|Thur|Thurs|Thursday|Fri|Friday|Sat|Saturday|Sun|Sunday"
)
_STILL_GOING = {"approx", "incl", "esp", "resp", "viz", "nos", "vol", "vols", "fig", "figs", "dept"}
_MISSED_END = re.compile(rf"(?<![\w.])((?:[a-z][a-z'’-]{{2,}})|(?:{_CALENDAR}))\.\s+(?=[A-Z\"“‘'(])")


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def sentence_spans(line: str) -> list[tuple[int, int]]:
    """Offsets of the sentences of one line."""
    out: list[tuple[int, int]] = []
    for sentence in _segmenter().segment(line):
        start = sentence.start
        for end in _MISSED_END.finditer(line, sentence.start, sentence.end):
            if end.group(1).lower() in _STILL_GOING:
                continue
            out.append((start, end.end(1) + 1))
            start = end.end()
        out.append((start, sentence.end))
    return out


def sentences(text: str) -> list[str]:
    """The sentences of a text, line by line, stripped."""
    out: list[str] = []
    for line in text.split("\n"):
        out += [s for a, b in sentence_spans(line) if (s := line[a:b].strip())]
    return out
