"""How a sentence is said, apart from what it says: a question ends in a question mark, and a
sentence asked of the model is the sentence, not the model's answer around it.

A question in English opens with an auxiliary verb and its subject ("Shall we walk ...", "Could
you tell me ...", "In the next few weeks, shall we ..."); the small model sometimes writes one
and ends it on a full stop. An auxiliary
that opens a condition instead ("Should you need anything, I'm here.") is followed by the main
clause after a comma, so such a sentence is left as it is. Asked for one sentence, the model
sometimes answers the request first ("Yes, let's ...", "Sure! I'll ..."): the interjection is
its reply to us, not part of the message. Both are closed classes of function words.
"""

from __future__ import annotations

import re

from .sentences import upper_first

__all__ = ["as_question", "without_interjection"]

_AUXILIARIES = (
    "shall|should|could|would|can|may|might|will|do|does|did|is|are|was|were|have|has|had|"
    "shan't|shouldn't|couldn't|wouldn't|can't|won't|don't|doesn't|isn't|aren't"
)
_SUBJECTS = "i|we|you|it|they|there|that|this|he|she"
# A question may follow a phrase set off by a comma ("In the next few weeks, shall we ...").
_QUESTION_RE = re.compile(
    rf"^\s*(?:[^,.?!]{{1,60}},\s*)?(?:{_AUXILIARIES})\s+(?:{_SUBJECTS})\b", re.IGNORECASE
)
# Auxiliaries that can open a condition ("Should you ..., I'll ...", "Were it ..., we'd ...").
_CONDITION_RE = re.compile(r"^\s*(?:should|were|had)\b[^,]*,\s*\S", re.IGNORECASE)
_INTERJECTION_RE = re.compile(
    r"^\s*(?:yes|yeah|sure|of course|absolutely|certainly|okay|ok|alright|all right|got it)\s*[,!.:;–—-]+\s+",
    re.IGNORECASE,
)
_MIN_LEFT = 3  # words a sentence keeps after its interjection is taken off


def as_question(sentence: str) -> str:
    """A sentence that asks (auxiliary, then its subject) ending in a question mark, not a full stop."""
    text = sentence.rstrip()
    if (
        text.endswith(".")
        and not text.endswith("..")
        and _QUESTION_RE.match(text)
        and not _CONDITION_RE.match(text)
    ):
        return text[:-1] + "?"
    return sentence


def without_interjection(sentence: str) -> str:
    """The sentence without the "Yes," or "Sure!" that opens a reply, capitalised."""
    found = _INTERJECTION_RE.match(sentence)
    if not found or len(sentence[found.end() :].split()) < _MIN_LEFT:
        return sentence
    rest = sentence[found.end() :]
    return upper_first(rest)
