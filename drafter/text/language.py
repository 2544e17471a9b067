"""Whether a clause is written in another language: the reader reads English, so it cannot vouch
for a clause in German or Spanish ("Bitte die Nachricht auf Englisch, aber kurz"), and such a
clause is never shown to the writer.

A word counts as foreign when it is clearly more frequent in one of the common Latin-script
languages than in English (wordfreq's lists); a clause is foreign when most of its words are. Names
(capitalised words after the first) are left out, so an English sentence about Teotitlán or Passo
Fundo stays English. The other languages' lists are read only for a clause that already looks
weak in English, so a note in English costs nothing.
"""

from __future__ import annotations

import re

from wordfreq import zipf_frequency

__all__ = ["in_another_language"]

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_OTHERS = ("de", "es", "fr", "it", "pt", "nl")
_WEAK_IN_ENGLISH = 4.0  # a word rarer than this in English may belong to another language
_MARGIN = 1.5  # how much more frequent elsewhere a word must be to count as foreign
_COMMON_ELSEWHERE = 4.0  # and how common there
_MOSTLY = 0.6  # the share of foreign words that makes a clause foreign
_MIN_WORDS = 4


def _words(text: str) -> list[str]:
    words = [m.group(0) for m in _WORD.finditer(text)]
    return [w.lower() for i, w in enumerate(words) if i == 0 or not w[:1].isupper()]


def _foreign(word: str) -> bool:
    english = zipf_frequency(word, "en")
    elsewhere = max(zipf_frequency(word, lang) for lang in _OTHERS)
    return elsewhere >= _COMMON_ELSEWHERE and elsewhere >= english + _MARGIN


def in_another_language(text: str) -> bool:
    """Whether most of the words of `text` are of another language than English."""
    words = _words(text)
    if len(words) < _MIN_WORDS:
        return False
    weak = sum(zipf_frequency(w, "en") < _WEAK_IN_ENGLISH for w in words)
    if weak < _MOSTLY * len(words) / 2:  # too English to be mostly foreign: skip the other lists
        return False
    return sum(_foreign(w) for w in words) >= _MOSTLY * len(words)
