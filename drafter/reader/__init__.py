"""The note reader: notes -> clauses with roles -> the plan of a draft.

    reading = read_notes("- her talk on kilns was great\\n- I said I'd send the glaze recipe", "Ana Ruiz")
    [(c.role, c.text) for c in reading.clauses]
    # [('topic', 'her talk on kilns was great'), ('promise', "I said I'd send the glaze recipe")]

Clauses come from `text.clauses.split_clauses`; each is labelled by a linear model over its
MiniLM embedding, its neighbours' embeddings and cue features (features.py), trained on the
labelled notes in evals/reader (train.py) and measured on a held-out split (evaluate.py).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..models import STEP_ROLES, Clause, Reading
from ..retrieval.embeddings import load_encoder
from ..text.clauses import Span, plain_text, split_clauses
from ..text.dates import find_when
from ..text.person import to_third_person
from .features import feature_matrix
from .model import ReaderModel, load_model

__all__ = ["STEP_FLOOR", "classify_spans", "promise_chance", "read_notes"]

# The least chance of being a next step at which a clause's time phrase is read: below the
# lowest step confidence the plan ever tries.
STEP_FLOOR = 0.3


def classify_spans(
    spans: list[Span], text: str, *, model: ReaderModel | None = None, embeddings: np.ndarray | None = None
) -> tuple[list[tuple[str, float]], np.ndarray]:
    """(role, confidence) for each clause, and the class probabilities behind them."""
    model = model or load_model()
    if embeddings is None:
        embeddings = (
            load_encoder().encode([s.text for s in spans]) if spans else np.zeros((0, model.embed_dim))
        )
    probs = model.probabilities(feature_matrix(spans, embeddings, text))
    return model.decide(probs), probs


def read_notes(
    notes: str, contact_name: str = "", today: dt.date | None = None, *, model: ReaderModel | None = None
) -> Reading:
    """What the notes say, clause by clause: each clause's role, confidence and any time phrase."""
    today = today or dt.date.today()
    model = model or load_model()
    text = plain_text(notes)
    spans = split_clauses(notes)
    decided, probs = classify_spans(spans, text, model=model)
    private = model.private_mass(probs)
    step, step_role = model.step_mass(probs)
    clauses = []
    for span, (role, confidence), mass, likely, likely_role in zip(
        spans, decided, private, step, step_role, strict=True
    ):
        found = find_when(span.text, today) if role in STEP_ROLES or likely >= STEP_FLOOR else None
        clauses.append(
            Clause(
                text=span.text,
                role=role,  # type: ignore[arg-type]
                confidence=round(confidence, 4),
                private=round(float(mass), 4),
                start=span.start,
                end=span.end,
                when=found[0] if found else "",
                due=found[1] if found else None,
                block=span.block,
                step=round(float(likely), 4),
                step_role=likely_role,
            )
        )
    return Reading(clauses=clauses)


def promise_chance(sentences: list[str], *, model: ReaderModel | None = None) -> list[float]:
    """For each sentence of a message, the reader's chance that one of its clauses is the
    sender's promise, read as if it were a line of notes (one encode for all): notes speak of the
    contact in the third person, so "I'll send you my notes" is read as "I'll send them my notes"."""
    model = model or load_model()
    sentences = [to_third_person(s) for s in sentences]
    split = [split_clauses(s) for s in sentences]
    spans = [span for found in split for span in found]
    if not spans:
        return [0.0 for _ in sentences]
    vectors = load_encoder().encode([s.text for s in spans])
    column = model.classes.index("promise")
    chances, at = [], 0
    for sentence, found in zip(sentences, split, strict=True):
        if not found:
            chances.append(0.0)
            continue
        rows = slice(at, at + len(found))
        probs = model.probabilities(feature_matrix(found, vectors[rows], plain_text(sentence)))
        chances.append(float(probs[:, column].max()))
        at += len(found)
    return chances
