"""Which name to greet them by: the name rules' answer, unless the notes make another name theirs.

The rules in `text.names` read the cues they know ("goes by Liz", "call me Sasha", a title in
the contact field, family name first). Notes say it in many more ways: "nobody calls her
Margarethe, it's Gretl", "'Klaus reicht'", "Deborah L. -> 'Deb' (her words)", "first names all
evening". A logistic model over every other name the message could use (`greeting_candidates`:
the words of their name, the names in the notes, a title with a family name) weighs what the
notes say about each (`GREETING_FEATURES`: a nickname of their given name, letters shared with
it, beside their name or after someone else's relation, in quotes, after a cue, how common a
word it is...). The likeliest candidate replaces the rules' answer only when the model gives it
at least the threshold chosen on the dev split.

It is trained on evals/names_train.jsonl and the train split of the labelled notes
(`drafter eval names --train`, with scikit-learn); C and the threshold are chosen on the dev
split (evals/names.jsonl, the dev notes and the dev scenarios' expected greetings); the held-out
split is never read there. The
weights are drafter/data/reader/greeting.npz: numpy only at run time.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import ConfigError, InputError
from ..text.names import GREETING_FEATURES, greeting_candidates, greeting_features
from .model import read_weights

logger = logging.getLogger(__name__)

__all__ = ["GreetingModel", "NameCase", "choose_greeting", "load_name_cases", "train_greeting"]

C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)  # inverse L2 strength
THRESHOLD_GRID = (0.5, 0.6, 0.7, 0.8, 0.9)  # the chance another name needs to replace the rules'


def model_path() -> Path:
    return Path(__file__).resolve().parents[1] / "data" / "reader" / "greeting.npz"


def default_cases_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "evals"


@dataclass
class GreetingModel:
    weights: np.ndarray  # (features,)
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    threshold: float

    def chances(self, features: np.ndarray) -> np.ndarray:
        if features.shape[0] == 0:
            return np.zeros(0)
        z = ((features - self.mean) / self.scale) @ self.weights + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            weights=self.weights.astype(np.float32),
            bias=np.array([self.bias], dtype=np.float32),
            mean=self.mean.astype(np.float32),
            scale=self.scale.astype(np.float32),
            threshold=np.array([self.threshold], dtype=np.float32),
            features=np.array(GREETING_FEATURES),
        )


_lock = threading.Lock()


@lru_cache(maxsize=2)
def _load(path: Path) -> GreetingModel:
    data = read_weights(path, "The greeting model", "drafter eval names --train")
    if tuple(str(f) for f in data["features"]) != GREETING_FEATURES:
        raise ConfigError(f"The greeting model at {path} reads other features: retrain it.")
    return GreetingModel(
        weights=data["weights"].astype(np.float64),
        bias=float(data["bias"][0]),
        mean=data["mean"].astype(np.float64),
        scale=data["scale"].astype(np.float64),
        threshold=float(data["threshold"][0]),
    )


def load_greeting_model(path: Path | None = None) -> GreetingModel:
    with _lock:
        return _load(path or model_path())


def choose_greeting(full_name: str, notes: str = "", model: GreetingModel | None = None) -> str:
    """The name to greet them by: the rules' answer, or the name the notes make theirs."""
    rule, candidates = greeting_candidates(full_name, notes)
    if not notes.strip() or not candidates:
        return rule
    model = model or load_greeting_model()
    chances = model.chances(greeting_features(full_name, notes, candidates, rule))
    best = int(np.argmax(chances))
    return candidates[best].name if chances[best] >= model.threshold else rule


@dataclass
class NameCase:
    id: str
    contact: str
    notes: str
    greet: str
    split: str
    source: str  # "names" (a greeting case) or "notes" (a labelled note of the reader's corpus)


def load_name_cases(files: list[Path] | None = None, with_notes: bool = True) -> list[NameCase]:
    """The labelled greetings: evals/names*.jsonl, and with `with_notes` the greetings the labelled
    notes and the scenarios expect."""
    cases: list[NameCase] = []
    for path in files if files is not None else sorted(default_cases_dir().glob("names*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                cases.append(
                    NameCase(
                        id=str(raw.get("id", number)),
                        contact=raw["contact"],
                        notes=raw.get("notes", ""),
                        greet=raw["greet"],
                        split=str(raw.get("split", "dev")),
                        source="names",
                    )
                )
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
                raise InputError(f"{path.name}, line {number}: not a name case ({exc}); fix it") from exc
    if with_notes:
        from .corpus import load_notes

        cases += [
            NameCase(n.id, n.contact, n.notes, n.greet, n.split, "notes") for n in load_notes() if n.greet
        ]
        scenarios = default_cases_dir() / "scenarios.jsonl"
        for line in scenarios.read_text(encoding="utf-8").splitlines() if scenarios.exists() else []:
            raw = json.loads(line) if line.strip() else None
            if raw and raw.get("expect", {}).get("greet"):
                contact = raw["contact"]["name"]
                cases.append(
                    NameCase(
                        raw["id"], contact, raw["notes"], raw["expect"]["greet"], raw["split"], "scenarios"
                    )
                )
    return cases


def _rows(cases: list[NameCase]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], list[str]]:
    """Features of every candidate other than the rules' answer, its label, its case, its name;
    and the rules' answer per case."""
    features, labels, groups, names, rules = [], [], [], [], []
    for i, case in enumerate(cases):
        rule, candidates = greeting_candidates(case.contact, case.notes)
        rules.append(rule)
        if not candidates or not case.notes.strip():
            continue
        features.append(greeting_features(case.contact, case.notes, candidates, rule))
        labels += [c.name.lower() == case.greet.lower() for c in candidates]
        groups += [i] * len(candidates)
        names += [c.name for c in candidates]
    x = np.vstack(features) if features else np.zeros((0, len(GREETING_FEATURES)))
    return x, np.array(labels, dtype=bool), np.array(groups, dtype=int), names, rules


def _right(model: GreetingModel, cases: list[NameCase], rows: tuple) -> int:  # type: ignore[type-arg]
    x, _, groups, names, rules = rows
    chances = model.chances(x)
    right = 0
    for i, case in enumerate(cases):
        mine = np.where(groups == i)[0]
        got = rules[i]
        if len(mine) and chances[mine].max() >= model.threshold:
            got = names[mine[int(np.argmax(chances[mine]))]]
        right += got.lower() == case.greet.lower()
    return right


def train_greeting(cases: list[NameCase] | None = None, out: Path | None = None) -> dict[str, float]:
    """Fit on the train split, choose C and the threshold on dev, save; returns the dev figures."""
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:
        raise ConfigError(
            "Training the greeting model needs scikit-learn: `pip install -e '.[dev]'`."
        ) from exc
    cases = cases if cases is not None else load_name_cases()
    train = [c for c in cases if c.split == "train"]
    dev = [c for c in cases if c.split == "dev"]
    if not train or not dev:
        raise ConfigError(
            "Training the greeting model needs labelled greetings in both the train and dev splits."
        )
    tr, dv = _rows(train), _rows(dev)
    if not tr[1].any() or tr[1].all():
        raise ConfigError(
            "The train split needs cases both where the rules' greeting is right and where it is not."
        )
    mean, scale = tr[0].mean(axis=0), tr[0].std(axis=0) + 1e-6
    best: tuple[int, float, GreetingModel] | None = None
    for c in C_GRID:
        fit = LogisticRegression(C=c, max_iter=5000).fit((tr[0] - mean) / scale, tr[1])
        for threshold in THRESHOLD_GRID:
            model = GreetingModel(fit.coef_[0].copy(), float(fit.intercept_[0]), mean, scale, threshold)
            right = _right(model, dev, dv)
            logger.info("C %s, threshold %s: %d of %d dev greetings right", c, threshold, right, len(dev))
            if best is None or right > best[0]:
                best = (right, c, model)
    assert best is not None
    right, c, model = best
    model.save(out or model_path())
    rules_right = sum(r.lower() == case.greet.lower() for r, case in zip(dv[4], dev, strict=True))
    return {
        "C": c,
        "threshold": model.threshold,
        "dev_right": right,
        "dev_rules_right": rules_right,
        "dev_cases": len(dev),
        "train_cases": len(train),
    }
