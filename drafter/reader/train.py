"""Train the note reader on the labelled notes: `drafter eval reader --train`.

An ensemble of small one-hidden-layer networks (scikit-learn's MLPClassifier, a development
dependency) over standardised clause features; the prediction is their mean probability. On the
dev split this beat multinomial logistic regression over the same features (macro-F1 0.85
against 0.84). The layer size, the regularisation and both thresholds are chosen on the dev
split; the held-out split is never read here. The model is fitted on the train split only, so
that its dev figures stay out-of-sample beside the held-out ones; it is written to
drafter/data/reader/model.npz.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..models import PRIVATE_ROLES, ROLES
from ..retrieval.embeddings import load_encoder
from .corpus import Note, load_notes, our_clauses, project_labels
from .features import feature_matrix
from .model import SHOWN_PRIVATE_MAX, ReaderModel, model_path

logger = logging.getLogger(__name__)

__all__ = ["Examples", "examples", "train"]

GRID = ((64, 1.0), (128, 1.0))  # (hidden units, L2 strength)
MEMBERS = 10  # with five, a retrain on the same notes moved which dev clauses were shown from seed to seed
BALANCE = 0.5  # how far rare roles are repeated towards the most common one (1 = fully)
PRIVATE_GRID = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
SHOW_GRID = (0.5, 0.6, 0.7, 0.8, 0.9)  # a clause the reader is less sure of is never shown
PRIVATE_RECALL_TARGET = 0.95
SHOWN_PRIVATE_RATE = 0.005  # private dev clauses tolerated among those sure enough to show (the
# output guard stands behind this: a sentence close to a private clause never reaches the user)


@dataclass
class Examples:
    features: np.ndarray
    labels: list[str]
    note_ids: list[str]


def examples(notes: list[Note]) -> Examples:
    """Our clauses of each note, with features and the labels projected from the hand-cut clauses."""
    encoder = load_encoder()
    rows, labels, ids = [], [], []
    for note in notes:
        spans = our_clauses(note)
        if not spans:
            continue
        embeddings = encoder.encode([s.text for s in spans])
        rows.append(feature_matrix(spans, embeddings, note.text))
        labels.extend(project_labels(note, spans))
        ids.extend([note.id] * len(spans))
    dim = rows[0].shape[1] if rows else 0
    return Examples(np.vstack(rows) if rows else np.zeros((0, dim)), labels, ids)


def _balanced(labels: list[str]) -> np.ndarray:
    """Row indices in which every role weighs about as much as the most common one (rare roles'
    rows repeated): the networks have no class weights, and the step roles are rarer than topics."""
    counts = {role: labels.count(role) for role in set(labels)}
    most = max(counts.values())
    rows = [i for i, role in enumerate(labels) for _ in range(max(1, round(BALANCE * most / counts[role])))]
    return np.array(sorted(rows))


def _fit(x: np.ndarray, y: list[str], setting: tuple[int, float], dim: int) -> ReaderModel:
    """An ensemble of MEMBERS networks with different seeds, as a ReaderModel."""
    try:
        from sklearn.neural_network import MLPClassifier
    except ImportError as exc:
        raise ConfigError(
            "Training the reader needs scikit-learn: `pip install -e '.[dev]'` (the drafter itself does not)."
        ) from exc
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    hidden, alpha = setting
    rows = _balanced(y)
    xs, ys = (x[rows] - mean) / scale, [y[i] for i in rows]
    members = []
    for seed in range(MEMBERS):
        clf = MLPClassifier(hidden_layer_sizes=(hidden,), alpha=alpha, max_iter=400, random_state=seed)
        clf.fit(xs, ys)
        members.append(clf)
    classes = tuple(str(c) for c in members[0].classes_)
    return ReaderModel(
        hidden_w=np.stack([m.coefs_[0] for m in members]).astype(np.float32),
        hidden_b=np.stack([m.intercepts_[0] for m in members]).astype(np.float32),
        out_w=np.stack([m.coefs_[1] for m in members]).astype(np.float32),
        out_b=np.stack([m.intercepts_[1] for m in members]).astype(np.float32),
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        classes=classes,
        private_threshold=0.5,
        show_threshold=0.5,
        embed_dim=dim,
    )


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    scores = []
    for role in ROLES:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == role)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p == role and g != role)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == role and p != role)
        if tp + fp + fn:
            scores.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores)) if scores else 0.0


def _thresholds(model: ReaderModel, dev: Examples) -> tuple[float, float]:
    """The highest private threshold that still holds back the target share of private dev clauses,
    then the lowest show threshold at which at most SHOWN_PRIVATE_RATE of the clauses it would
    show are private."""
    probs = model.probabilities(dev.features)
    mass = model.private_mass(probs)
    is_private = np.array([label in PRIVATE_ROLES for label in dev.labels])
    private_threshold = PRIVATE_GRID[0]
    for t in PRIVATE_GRID:
        if is_private.sum() and (mass[is_private] >= t).mean() >= PRIVATE_RECALL_TARGET:
            private_threshold = t
    top = probs.max(axis=1)
    show_threshold = SHOW_GRID[-1]
    for t in reversed(SHOW_GRID):
        shown = (top >= t) & (mass < SHOWN_PRIVATE_MAX)
        if (shown & is_private).sum() <= SHOWN_PRIVATE_RATE * shown.sum():
            show_threshold = t
    return private_threshold, show_threshold


def train(folder: Path | None = None, out: Path | None = None) -> dict[str, float]:
    """Fit on train, choose the layer size and thresholds on dev, save; returns the dev figures."""
    notes = load_notes(folder, splits=("train", "dev"))
    train_notes = [n for n in notes if n.split == "train"]
    dev_notes = [n for n in notes if n.split == "dev"]
    if not train_notes or not dev_notes:
        raise ConfigError("Training the reader needs labelled notes in both the train and dev splits.")
    tr, dv = examples(train_notes), examples(dev_notes)
    dim = load_encoder().dim
    best, best_f1, best_model = GRID[0], -1.0, None
    for setting in GRID:
        model = _fit(tr.features, tr.labels, setting, dim)
        predicted = [model.classes[i] for i in model.probabilities(dv.features).argmax(axis=1)]
        f1 = macro_f1(dv.labels, predicted)
        logger.info("hidden %d, alpha %s: dev macro-F1 %.3f", setting[0], setting[1], f1)
        if f1 > best_f1:
            best, best_f1, best_model = setting, f1, model
    assert best_model is not None
    private_threshold, show_threshold = _thresholds(best_model, dv)
    best_model.private_threshold, best_model.show_threshold = private_threshold, show_threshold
    dev_f1 = macro_f1(dv.labels, [r for r, _ in best_model.decide(best_model.probabilities(dv.features))])
    best_model.save(out or model_path())
    return {
        "hidden": best[0],
        "alpha": best[1],
        "dev_macro_f1": round(dev_f1, 4),
        "private_threshold": private_threshold,
        "show_threshold": show_threshold,
        "train_clauses": len(tr.labels),
        "dev_clauses": len(dv.labels),
    }
