"""The trained reader: a small ensemble of one-hidden-layer networks over clause features.

`drafter/data/reader/model.npz` holds the weights, the feature scaling and the thresholds that
were chosen on the dev split. It is written by `drafter eval reader --train` (see train.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..models import PRIVATE_ROLES, ROLES, STEP_ROLES

__all__ = ["SHOWN_PRIVATE_MAX", "ReaderModel", "load_model", "model_path", "read_weights"]

# A clause is shown to the writer only when the reader gives it less than this chance of being
# private: the loosest ceiling at which no private clause of the dev split reaches the writer.
SHOWN_PRIVATE_MAX = 0.1


def model_path() -> Path:
    return Path(__file__).resolve().parents[1] / "data" / "reader" / "model.npz"


@dataclass
class ReaderModel:
    hidden_w: np.ndarray  # (members, features, hidden)
    hidden_b: np.ndarray  # (members, hidden)
    out_w: np.ndarray  # (members, hidden, roles)
    out_b: np.ndarray  # (members, roles)
    mean: np.ndarray  # (features,)
    scale: np.ndarray  # (features,)
    classes: tuple[str, ...]
    private_threshold: float  # P(any private role) at or above which a clause is held back
    show_threshold: float  # confidence a clause needs to be shown to the writer
    embed_dim: int

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        if features.shape[0] == 0:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        x = ((features - self.mean) / self.scale).astype(np.float32)
        total = np.zeros((x.shape[0], len(self.classes)), dtype=np.float32)
        for m in range(self.hidden_w.shape[0]):
            hidden = np.maximum(x @ self.hidden_w[m].astype(np.float32) + self.hidden_b[m], 0.0)
            logits = hidden @ self.out_w[m].astype(np.float32) + self.out_b[m]
            logits -= logits.max(axis=1, keepdims=True)
            exp = np.exp(logits)
            total += exp / exp.sum(axis=1, keepdims=True)
        return np.asarray(total / self.hidden_w.shape[0])

    def private_mass(self, probs: np.ndarray) -> np.ndarray:
        cols = [i for i, c in enumerate(self.classes) if c in PRIVATE_ROLES]
        return probs[:, cols].sum(axis=1) if len(probs) else np.zeros(0)

    def step_mass(self, probs: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """How likely each clause is a next step of any kind, and its likeliest step role."""
        cols = [i for i, c in enumerate(self.classes) if c in STEP_ROLES]
        if not len(probs):
            return np.zeros(0), []
        best = [self.classes[cols[int(i)]] for i in np.argmax(probs[:, cols], axis=1)]
        return probs[:, cols].sum(axis=1), best

    def decide(self, probs: np.ndarray) -> list[tuple[str, float]]:
        """The role of each clause and its confidence; a likely secret is held back as one."""
        private = self.private_mass(probs)
        out = []
        for row, mass in zip(probs, private, strict=True):
            if mass >= self.private_threshold:
                cols = [i for i, c in enumerate(self.classes) if c in PRIVATE_ROLES]
                best = max(cols, key=lambda i: row[i])
                out.append((self.classes[best], float(mass)))
            else:
                best = int(np.argmax(row))
                out.append((self.classes[best], float(row[best])))
        return out

    def may_show(self, confidence: float, private: float) -> bool:
        """Whether a clause is sure enough of its role, and far enough from private, to be shown."""
        return confidence >= self.show_threshold and private < SHOWN_PRIVATE_MAX

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            hidden_w=self.hidden_w.astype(np.float16),
            hidden_b=self.hidden_b.astype(np.float32),
            out_w=self.out_w.astype(np.float32),
            out_b=self.out_b.astype(np.float32),
            mean=self.mean.astype(np.float32),
            scale=self.scale.astype(np.float32),
            classes=np.array(self.classes),
            thresholds=np.array([self.private_threshold, self.show_threshold], dtype=np.float32),
            embed_dim=np.array(self.embed_dim),
        )


_lock = threading.Lock()


def read_weights(path: Path, what: str, command: str) -> Any:
    """The arrays of a shipped model file, or an error that says how to get them back."""
    try:
        return np.load(path)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"{what} is missing or unreadable at {path}: reinstall the package, or train it with `{command}`."
        ) from exc


@lru_cache(maxsize=2)
def _load(path: Path) -> ReaderModel:
    data = read_weights(path, "The note reader's model", "drafter eval reader --train")
    classes = tuple(str(c) for c in data["classes"])
    if set(classes) - set(ROLES):
        raise ConfigError(f"The note reader's model at {path} has unknown roles: retrain it.")
    private_threshold, show_threshold = (float(x) for x in data["thresholds"])
    return ReaderModel(
        hidden_w=data["hidden_w"],
        hidden_b=data["hidden_b"],
        out_w=data["out_w"],
        out_b=data["out_b"],
        mean=data["mean"],
        scale=data["scale"],
        classes=classes,
        private_threshold=private_threshold,
        show_threshold=show_threshold,
        embed_dim=int(data["embed_dim"]),
    )


def load_model(path: Path | None = None) -> ReaderModel:
    with _lock:
        return _load(path or model_path())
