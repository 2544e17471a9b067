"""Features of a clause for the note reader.

Three signals, combined by a trained linear model (see `train.py`):
- what the clause is about: its MiniLM embedding, and the words of the clauses before and after
  it (a marker such as "Keep that to myself." or "Later." belongs to the clause before it);
- how it is said: cue features (who is the subject, a future or wishful verb, a negation, a
  question, "but", words addressed to a model, a detail the sender missed, contact details, a
  time phrase). These are features with learned weights, never rules: no cue decides a role
  by itself;
- where it stands: first or last, in a pasted block, an aside in parentheses, its length.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zlib
from collections.abc import Sequence

import numpy as np

from ..text.clauses import Span
from ..text.dates import find_when

__all__ = ["CUES", "cue_vector", "feature_matrix", "hashed_words"]

_I = re.compile(r"\b(I|I'll|I'd|I've|I'm|Ill|Id|me|my|myself)\b")
_CUES: dict[str, re.Pattern[str]] = {
    "i_subject": _I,
    "i_future": re.compile(
        r"(?i)\b(I'll|I will|I'd|I would|I can|I could|I'm going to|gonna|will)\b(?! not)"
    ),
    "said_would": re.compile(
        r"(?i)\b(said|told (her|him|them)|promised|offered|owe (her|him|them)|volunteered|"
        r"happy to|glad to|agreed to)\b"
    ),
    "arrow": re.compile(r"^\s*(->|→|=>|>)|(->|→|=>)\s*$"),
    "they_subject": re.compile(r"(?i)^\W*(she|he|they|her|his|their)\b"),
    "they_asked": re.compile(
        r"(?i)\b(she|he|they)\b.{0,25}\b(asked|wants|wanted|requested|needs|need|could use|was looking for|"
        r"would like|would love|is after|mentioned wanting)\b|\basked (me|if I|whether I|for my)\b"
    ),
    "we_plan": re.compile(
        r"(?i)\b(we|we'll|we'd|let's|let us|both|together|us)\b.{0,40}"
        r"\b(agreed|said|plan|planning|will|should|going to|set up|booked|pencilled|penciled|try|meet|"
        r"call|catch up|grab|continue|compare|pair)\b"
    ),
    "wish": re.compile(
        r"(?i)\b(hope|hoping|dream|would love|'d love|wish|someday|some day|one day|eventually|ideally|"
        r"secretly|fingers crossed|perfect timing|the real reason|only reason|angle|leverage)\b"
    ),
    "ask_verb": re.compile(
        r"(?i)\b(ask|could I|might ask|pick (her|his|their) brain|advice|feedback|recommend|"
        r"thoughts on|opinion|tips?|would she|would he|whether (she|he|they))\b"
    ),
    # The sender lacks a piece of knowledge the contact has ("didn't catch the name", "forgot what
    # it's called"): the clause after it is often a small ask said as a wish.
    "missing": re.compile(
        r"(?i)\b(didn'?t|did not|couldn'?t|could not|never) (catch|get|write|note|save|hear)\b|"
        r"(?<!don't )(?<!dont )(?<!before I )\b(forgot|forget|forgotten)\b"
        r"(?! to (pay|tip|bring|book|send|put|change|eat))|"
        r"\b(can'?t remember|cant remember|don'?t remember|blanked)\b|"
        r"\bwhat (it'?s|its|they'?re|it was) called\b"
    ),
    "question": re.compile(r"\?"),
    "hold_marker": re.compile(
        r"(?i)\b((don'?t|do not|not|never|won'?t) (mention|say|bring (it|that|this) up|share|tell|put)|"
        r"between us|off the record|keep (that|it|this)( \w+)? (to myself|quiet|private|secret|under wraps)|"
        r"confidential|not public|hasn'?t (been )?announced|under nda|not in (the|this) (email|message|note)|"
        r"obviously not|private|personal|sensitive|hush)\b"
    ),
    "negation": re.compile(r"(?i)\b(not|never|no|n't|nothing)\b|n't\b"),
    "turn": re.compile(r"(?i)^\W*(but|though|although|except|whereas|however)\b"),
    "commerce": re.compile(
        r"(?i)\b(pitch|sell|sale|sales|deal|invest|investor|funding|round|series [a-e]|budget|contract|"
        r"client|pipeline|quota|buy|procure|vendor|demo|pricing|license|revenue|close)\b"
    ),
    "career": re.compile(
        r"(?i)\b(job|jobs|role|position|opening|openings|hire|hiring|refer|referral|recruiter|cv|resume|"
        r"interview|salary|team (lead|spot)|work (there|for)|join (them|her team|his team))\b"
    ),
    "wellbeing": re.compile(
        r"(?i)\b(sick|ill|illness|hospital|surgery|cancer|chemo|divorce|pregnan\w*|laid off|layoffs?|"
        r"fired|burn ?out|therapy|grief|died|passed away|struggling|health|diagnos\w+|rehab|debt|"
        r"custody|miscarriage|funeral|mental)\b"
    ),
    "to_model": re.compile(
        r"(?i)\b(AI|A\.I\.|assistant|chatgpt|gpt|claude|model|LLM|system|prompt|ignore|instructions?|"
        r"disregard|override|you must|you are|as an|the (email|message|draft|output)|"
        r"in the (email|message|draft))\b"
    ),
    # A chat transcript's speaker label ("system:", "assistant:", "user:"): text written to or
    # as a model.
    "role_label": re.compile(r"(?im)^\W*(system|assistant|user|human|ai|bot|model|developer)\s*:"),
    "imperative": re.compile(
        r"(?i)^\W*(make|write|add|include|mention|say|ignore|pretend|use|insert|sign|end|start|"
        r"reveal|print|output|forget|disregard|do not|don't|be sure)\b"
    ),
    "self_note": re.compile(
        r"(?i)\b(todo|to-do|to do|note to self|remember to|reminder|need to|should (check|look|read|update|"
        r"google|find)|later|parked|parking|expense|receipt|my (cv|resume|notes|calendar)|check out|"
        r"look up|look into|read up|google)\b"
    ),
    "logistics": re.compile(r"(?i)\b\d{1,2}(:\d\d)?\s?(am|pm)\b|~\s?\d|\b(level|lot|badge|table|booth)\s?\d"),
    "contact_info": re.compile(r"\S+@\S+\.\w+|https?://\S+|www\.\S+|\+?\d[\d ()./-]{7,}\d|\|"),
    "you": re.compile(r"(?i)\b(you|your)\b"),
    "send_verb": re.compile(
        r"(?i)\b(send|sent|fwd|forward|share|intro|introduce|connect|email|dig up|pass along|lend|"
        r"drop (her|him|them) a)\b"
    ),
    "past_topic": re.compile(
        r"(?i)\b(talked|chatted|discussed|told me|showed|explained|spoke|joked|laughed)\b"
    ),
    "exclaim": re.compile(r"!"),
    "caps_word": re.compile(r"\b[A-Z]{3,}\b"),
    "emoji": re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]"),
}
CUES: tuple[str, ...] = tuple(_CUES)
_TODAY = dt.date(2026, 1, 5)  # a time phrase is a yes/no feature: any fixed day serves as "today"
_EXTRA = (
    "time_phrase",
    "log_words",
    "cap_ratio",
    "paren",
    "block",
    "first",
    "last",
    "position",
    "line_start",
)


HASH_BUCKETS = 4096  # the clause's own words and word pairs, hashed
NEIGHBOUR_BUCKETS = 512  # the words of the clauses before and after it
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[?!>→]|->")


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text.lower().replace("’", "'"))


def hashed_words(text: str, buckets: int, pairs: bool = True) -> np.ndarray:
    """Words and word pairs hashed into a fixed number of buckets (a learned, not listed, vocabulary)."""
    out = np.zeros(buckets, dtype=np.float32)
    tokens = ["<s>", *_tokens(text)]
    grams = tokens[1:] + ([f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)] if pairs else [])
    for gram in grams:
        out[zlib.crc32(gram.encode()) % buckets] = 1.0
    return out


def cue_vector(span: Span, index: int, total: int, notes_text: str) -> np.ndarray:
    text = span.text
    values = [1.0 if rx.search(text) else 0.0 for rx in _CUES.values()]
    words = text.split()
    caps = sum(1 for w in words[1:] if w[:1].isupper())
    line_start = (
        span.start == 0
        or notes_text[max(0, span.start - 1)] == "\n"
        or bool(
            re.match(
                r"\s*(?:[-*•·>]|\d[.)])\s*$",
                notes_text[notes_text.rfind("\n", 0, span.start) + 1 : span.start],
            )
        )
    )
    extra = [
        1.0 if find_when(text, _TODAY) else 0.0,
        math.log1p(len(words)) / 4.0,
        caps / max(len(words) - 1, 1),
        1.0 if text.startswith(("(", "[")) else 0.0,
        1.0 if span.block else 0.0,
        1.0 if index == 0 else 0.0,
        1.0 if index == total - 1 else 0.0,
        index / max(total - 1, 1),
        1.0 if line_start else 0.0,
    ]
    return np.asarray(values + extra, dtype=np.float32)


def feature_matrix(spans: Sequence[Span], embeddings: np.ndarray, notes_text: str) -> np.ndarray:
    """One row per clause: its embedding, cues and words, the cues of the clauses before and after
    it, and their words. (Their embeddings added nothing on the dev split: 0.853 with, 0.847
    without, and they let a neighbouring injection drown out a plain clause.)"""
    n = len(spans)
    cues = np.stack([cue_vector(s, i, n, notes_text) for i, s in enumerate(spans)]) if n else np.zeros((0, 0))
    zeros_c = np.zeros((1, cues.shape[1] if n else 0), dtype=np.float32)
    prev_c = np.vstack([zeros_c, cues[:-1]]) if n else cues
    next_c = np.vstack([cues[1:], zeros_c]) if n else cues
    own = np.stack([hashed_words(s.text, HASH_BUCKETS) for s in spans]) if n else np.zeros((0, HASH_BUCKETS))
    near = (
        np.stack(
            [
                hashed_words(
                    " ".join(x.text for x in [*spans[max(0, i - 1) : i], *spans[i + 1 : i + 2]]),
                    NEIGHBOUR_BUCKETS,
                    False,
                )
                for i in range(n)
            ]
        )
        if n
        else np.zeros((0, NEIGHBOUR_BUCKETS))
    )
    return np.hstack([embeddings, cues, prev_c, next_c, own, near]).astype(np.float32)
