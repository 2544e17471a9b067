"""Words, sentences and overlap between a draft and the notes.

- `words`, `stem`, `content_words`: tokens for comparing texts loosely (case, plurals, -ing).
- `sentences`: sentence boundaries (text/sentences.py), re-exported here.
- `copied_runs`: runs of N or more consecutive words that a draft copies from a source.
- `distinctive`: the rare content words and named things of a text, by word frequency
  (wordfreq), so that "kiln" or "Fenwick" counts and "great" or "Monday" does not.
- `meaning_words`: the content words that carry a detail's meaning, for judging a recall.
- `phrases`: pairs of adjacent content words, for finding a phrase said again in other words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from wordfreq import zipf_frequency

from .sentences import sentences

__all__ = [
    "content_words",
    "copied_runs",
    "distinctive",
    "is_common",
    "meaning_words",
    "phrases",
    "sentences",
    "stem",
    "WORD_RE",
    "words",
]

WORD_RE = re.compile(r"[^\W_][\w'’-]*", re.UNICODE)  # a word and where it stands
RARE_ZIPF = 4.0  # below this a word is rare enough to identify what a text is about
FUNCTION_ZIPF = 5.6  # at or above this a word is a function word ("the", "about", "with")


def words(text: str) -> list[str]:
    return [w.strip("'’-") for w in WORD_RE.findall(text) if w.strip("'’-")]


def stem(word: str) -> str:
    """A light stem, enough to match plurals and verb forms: 'glazes' ~ 'glaze', 'running' ~ 'run'."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not w.endswith("ss"):
            w = w[: -len(suffix)] + keep
            break
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]  # running -> runn -> run
    return w


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    """How common a word is, as its most common form: an inflection of a common word ("chatted",
    "perfecting", "swears") is as common as the word itself, not rare."""
    base = stem(word)
    forms = {word, base, base + "e"} if base != word else {word}
    return max(float(zipf_frequency(f, "en")) for f in forms)


def is_common(word: str) -> bool:
    return _zipf(word.lower()) >= RARE_ZIPF


def content_words(text: str) -> list[str]:
    """Stems of the words that carry meaning (not function words)."""
    return [stem(w) for w in words(text) if _zipf(w.lower()) < FUNCTION_ZIPF and len(w) > 1]


def phrases(text: str) -> set[tuple[str, str]]:
    """Stems of the text's adjacent content words, in pairs: what a phrase of it is about
    ("ground school", "Sunday practice"), however the sentence around it is worded."""
    stems = [stem(w) if _zipf(w.lower()) < FUNCTION_ZIPF and len(w) > 1 else "" for w in words(text)]
    return {(a, b) for a, b in zip(stems, stems[1:], strict=False) if a and b and a != b}


def distinctive(text: str, skip: set[str] | None = None) -> set[str]:
    """Stems of the rare words and named things in a text (skipping the given lower-case words)."""
    skip = skip or set()
    found: set[str] = set()
    tokens = words(text)
    for i, word in enumerate(tokens):
        low = word.lower()
        if low in skip or len(word) < 3 or any(ch.isdigit() for ch in word):
            continue
        named = i > 0 and word[:1].isupper() and _zipf(low) < 5.0
        if _zipf(low) < RARE_ZIPF or named:
            found.add(stem(low))
    return found


def copied_runs(text: str, source: str, n: int = 8, ignore: set[str] | None = None) -> list[str]:
    """Runs of n or more consecutive words of `text` that also stand together in `source`.

    Words in `ignore` (names, titles) are left out of both before comparing, so a name does not
    make an otherwise fresh sentence a copy, nor split a copied run.
    """
    ignore = {w.lower() for w in (ignore or set())}

    def norm(t: str) -> list[str]:
        return [w.lower().replace("’", "'") for w in words(t) if w.lower() not in ignore]

    draft, src = norm(text), norm(source)
    grams = {tuple(src[i : i + n]) for i in range(len(src) - n + 1)}
    runs: list[str] = []
    i = 0
    while i <= len(draft) - n:
        if tuple(draft[i : i + n]) in grams:
            j = i + n
            while j < len(draft) and tuple(draft[j - n + 1 : j + 1]) in grams:
                j += 1
            runs.append(" ".join(draft[i:j]))
            i = j
        else:
            i += 1
    return runs


def meaning_words(text: str, skip: set[str] | None = None) -> list[str]:
    """Stems of the content words that carry a text's meaning: the uncommon ones and the long
    ones ("neoprene", "community"), not "nice" or "met"; stems in `skip` are left out."""
    skip = skip or set()
    return [w for w in content_words(text) if (not is_common(w) or len(w) > 5) and w not in skip]
