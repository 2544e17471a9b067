"""Whether a sentence is whole: the grammar of a sentence that was cut or spliced, not its meaning.

A sentence shortened by a cut, or given a time phrase in the wrong place, can break off in ways
no reader would send: a bracket opened and never closed ("I met Dev (his daughter's."), a last
word that needs another after it ("...the old warehouses and."), or a determiner followed by a
word no noun phrase starts with ("your research on the in the next few weeks"). These are
closed classes of English function words, so a short list says them all; a preposition may end a
sentence ("the team you work with"), so it is not counted, except at the end of a subject line,
where it only ever means the line was cut.
"""

from __future__ import annotations

import re

__all__ = ["trim_dangling", "unfinished"]

# Words that always take a noun after them.
_DETERMINERS = {"a", "an", "the", "my", "your", "our", "their", "its", "every"}
# Words that cannot end a sentence: a determiner, a conjunction, "of".
_NOT_LAST = _DETERMINERS | {"and", "or", "but", "nor", "of", "than", "whose"}
_PREPOSITIONS = {"of", "in", "on", "at", "by", "to", "for", "with", "from", "into", "about"}
_BE = {"is", "are", "was", "were"}
# Words that start no noun phrase, so none follows a determiner.
_NOT_AFTER_DETERMINER = _DETERMINERS | _PREPOSITIONS | _BE | {"and", "or", "but", "nor", "than"}
# At the end of a line cut to length: a preposition or a word that opens a clause means the cut
# came too early.
_NOT_LAST_IN_LINE = _NOT_LAST | _PREPOSITIONS | _BE | {
    "over", "after", "before", "during", "through", "between", "like", "as", "how", "what", "that",
    "which", "who", "when", "where", "while", "&",
}  # fmt: skip
_PAIRS = (("(", ")"), ("[", "]"), ("{", "}"), ("“", "”"))
_TOKEN_RE = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?|\d[\w]*|[.,;:!?&]", re.UNICODE)


def _tokens(text: str) -> list[str]:
    return [t.lower().replace("’", "'") for t in _TOKEN_RE.findall(text)]


def unfinished(sentence: str) -> str:
    """What makes a sentence break off, or "" when it is whole."""
    for opening, closing in _PAIRS:
        if sentence.count(opening) != sentence.count(closing):
            return f"a '{opening}' is not closed"
    if sentence.count('"') % 2:
        return "a quotation is not closed"
    tokens = _tokens(sentence)
    named = [t for t in tokens if t[0].isalnum()]
    if named and named[-1] in _NOT_LAST:
        return f"it breaks off after '{named[-1]}'"
    for word, following in zip(tokens, tokens[1:], strict=False):
        if word in _DETERMINERS and (following in _NOT_AFTER_DETERMINER or not following[0].isalnum()):
            return f"'{word} {following}' is missing a word"
    return ""


def trim_dangling(line: str) -> str:
    """A line cut to length without the words that would need more after them ("...bacteria
    that seal cracks with" -> "...bacteria that seal cracks")."""
    kept = line.rstrip(" ,;:-–—")
    while True:
        match = re.search(r"\s+(\S+)$", kept)
        if not match or match.group(1).lower().strip(",;:") not in _NOT_LAST_IN_LINE:
            return kept
        kept = kept[: match.start()].rstrip(" ,;:-–—")
