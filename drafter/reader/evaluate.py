"""Measure the note reader on a split of the labelled notes: `drafter eval reader --split test`.

Figures:
- role macro-F1 on the hand-cut clauses (the model's reading given perfect cutting), and end
  to end on our own clauses with labels projected from the hand-cut ones;
- the next-step kind right, per note;
- private clauses shown to the writer (agenda, confidence, text to a model among the chosen
  details and step clause): the safety figure, which must be 0;
- harmless clauses held back as private (the cost of caution);
- the greeting right, and how many hand-cut clauses our splitter reproduces.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

from ..models import PRIVATE_ROLES, ROLES, Contact, DraftRequest, Reading
from ..retrieval.embeddings import load_encoder
from ..text.clauses import Span
from . import STEP_FLOOR, classify_spans, read_notes
from .corpus import Note, load_notes, our_clauses, probe_dir, project_labels
from .greeting import choose_greeting
from .model import load_model
from .plan import choose_step, make_plan
from .train import macro_f1

__all__ = ["BASELINE_FILE", "calibrate_step", "evaluate", "format_reader_report"]

BASELINE_FILE = "baseline_wordlist.json"
TODAY = dt.date(2026, 11, 2)


def _per_role(gold: list[str], predicted: list[str]) -> dict[str, dict[str, float]]:
    out = {}
    for role in ROLES:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == role)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p == role and g != role)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == role and p != role)
        out[role] = {
            "precision": round(tp / (tp + fp), 3) if tp + fp else 0.0,
            "recall": round(tp / (tp + fn), 3) if tp + fn else 0.0,
            "support": tp + fn,
        }
    return out


def _private_overlap(note: Note, start: int, end: int) -> bool:
    for gold in note.clauses:
        if gold.role not in PRIVATE_ROLES:
            continue
        overlap = min(end, gold.end) - max(start, gold.start)
        if overlap > 0 and max(overlap / max(gold.end - gold.start, 1), overlap / max(end - start, 1)) >= 0.3:
            return True
    return False


def _matched(note: Note, spans: list[Span]) -> int:
    found = 0
    for gold in note.clauses:
        for span in spans:
            inter = min(span.end, gold.end) - max(span.start, gold.start)
            union = max(span.end, gold.end) - min(span.start, gold.start)
            if inter > 0 and inter / union >= 0.8:
                found += 1
                break
    return found


def _request(note: Note) -> DraftRequest:
    return DraftRequest(contact=Contact(name=note.contact, where_met=note.where_met), notes=note.notes)


def evaluate(split: str = "test", folder: Path | None = None) -> dict[str, Any]:
    if split == "probe" and folder is None:
        folder = probe_dir()
    notes = load_notes(folder, splits=(split,))
    model, encoder = load_model(), load_encoder()
    gold_roles: list[str] = []
    gold_pred: list[str] = []
    e2e_gold: list[str] = []
    e2e_pred: list[str] = []
    kinds_right = greet_right = shown_private = shown_total = held_harmless = harmless = 0
    matched = gold_clauses = 0
    misses: list[dict[str, str]] = []
    for note in notes:
        gold_spans = [Span(c.text, c.start, c.end) for c in note.clauses]
        if gold_spans:
            emb = encoder.encode([s.text for s in gold_spans])
            decided, _ = classify_spans(gold_spans, note.text, model=model, embeddings=emb)
            gold_roles += [c.role for c in note.clauses]
            gold_pred += [r for r, _ in decided]
            for c, (r, _) in zip(note.clauses, decided, strict=True):
                if c.role not in PRIVATE_ROLES:
                    harmless += 1
                    held_harmless += r in PRIVATE_ROLES
        spans = our_clauses(note)
        reading = read_notes(note.notes, note.contact, TODAY, model=model)
        e2e_gold += project_labels(note, spans)
        e2e_pred += [c.role for c in reading.clauses]
        plan = make_plan(_request(note), reading, TODAY)
        kinds_right += plan.next_step_type == note.next_step
        if plan.next_step_type != note.next_step:
            misses.append({"id": note.id, "expected": note.next_step, "got": plan.next_step_type})
        shown = [c for c in reading.clauses if c.text in plan.shown]
        shown_total += len(shown)
        shown_private += sum(1 for c in shown if _private_overlap(note, c.start, c.end))
        greet_right += choose_greeting(note.contact, note.notes).lower() == note.greet.lower()
        matched += _matched(note, spans)
        gold_clauses += len(note.clauses)
    n = max(len(notes), 1)
    return {
        "split": split,
        "notes": len(notes),
        "clauses": len(gold_roles),
        "macro_f1": round(macro_f1(gold_roles, gold_pred), 3),
        "macro_f1_end_to_end": round(macro_f1(e2e_gold, e2e_pred), 3),
        "per_role": _per_role(gold_roles, gold_pred),
        "next_step_right": round(kinds_right / n, 3),
        "private_shown": shown_private,
        "clauses_shown": shown_total,
        "harmless_held_back": round(held_harmless / max(harmless, 1), 3),
        "greeting_right": round(greet_right / n, 3),
        "clauses_cut_as_labelled": round(matched / max(gold_clauses, 1), 3),
        "roles": dict(Counter(gold_roles)),
        "next_step_misses": misses,
    }


def load_baseline(folder: Path | None = None) -> dict[str, Any]:
    from .corpus import default_corpus_dir

    path = (folder or default_corpus_dir()) / BASELINE_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def format_reader_report(reports: list[dict[str, Any]], baseline: dict[str, Any]) -> str:
    rows = [
        ("notes", "notes", "{}"),
        ("clauses (hand-cut)", "clauses", "{}"),
        ("role macro-F1, hand-cut clauses", "macro_f1", "{:.3f}"),
        ("role macro-F1, end to end", "macro_f1_end_to_end", "{:.3f}"),
        ("next-step kind right", "next_step_right", "{:.1%}"),
        ("private clauses shown to the writer", "private_shown", "{}"),
        ("clauses shown to the writer", "clauses_shown", "{}"),
        ("harmless clauses held back", "harmless_held_back", "{:.1%}"),
        ("greeting right", "greeting_right", "{:.1%}"),
        ("clauses cut as labelled", "clauses_cut_as_labelled", "{:.1%}"),
    ]
    header = ["measure"] + [f"reader {r['split']}" for r in reports]
    header += [f"word lists {r['split']}" for r in reports if r["split"] in baseline]
    lines = [" | ".join(header), " | ".join("---" for _ in header)]
    for label, key, fmt in rows:
        cells = [label] + [fmt.format(r[key]) for r in reports]
        for r in reports:
            if r["split"] in baseline:
                value = baseline[r["split"]].get(key)
                cells.append(fmt.format(value) if value is not None else "-")
        lines.append(" | ".join(cells))
    lines.append("")
    for r in reports:
        per = r["per_role"]
        lines.append(
            f"{r['split']}: "
            + ", ".join(
                f"{role} P {v['precision']:.2f} R {v['recall']:.2f} (n={v['support']})"
                for role, v in per.items()
            )
        )
    return "\n".join(lines)


def calibrate_guard(
    split: str = "dev", folder: Path | None = None, trip_rate: float = 0.02
) -> dict[str, float]:
    """Thresholds for the guard's "close to a private clause" test, chosen on a split.

    A draft sentence paraphrases the clauses shown to the writer, so the similarity between a
    note's shared clauses and its private clauses shows how close an innocent sentence comes.
    The thresholds are the lowest pair at which at most `trip_rate` of those pairs would trip.
    """
    from ..text.overlap import content_words

    encoder = load_encoder()
    pairs: list[tuple[float, float]] = []
    for note in load_notes(folder, splits=(split,)):
        shared = [c.text for c in note.clauses if c.role == "topic"]
        private = [c.text for c in note.clauses if c.role in PRIVATE_ROLES]
        if not shared or not private:
            continue
        sims = encoder.encode(shared) @ encoder.encode(private).T
        for i, s in enumerate(shared):
            mine = set(content_words(s))
            for j, p in enumerate(private):
                overlap = len(mine & set(content_words(p))) / max(len(mine), 1)
                pairs.append((float(sims[i, j]), overlap))
    best = {"similarity": 1.0, "overlap": 1.0, "trip_rate": 0.0, "pairs": len(pairs)}
    for sim in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        for ov in (0.1, 0.15, 0.2, 0.25, 0.3, 0.4):
            rate = sum(1 for s, o in pairs if s >= sim and o >= ov) / max(len(pairs), 1)
            if rate <= trip_rate and sim + ov < best["similarity"] + best["overlap"]:
                best = {"similarity": sim, "overlap": ov, "trip_rate": round(rate, 4), "pairs": len(pairs)}
    return best


def _step_at(reading: Reading, bar: tuple[float, float, float], name: str) -> tuple[str, Any]:
    confidence, likely, private_max = bar
    return choose_step(
        reading, None, confidence=confidence, likely=likely, private_max=private_max, name=name
    )


def calibrate_step(
    split: str = "dev",
    folder: Path | None = None,
    scenarios: list[tuple[Reading, str, list[str], str]] | None = None,
) -> dict[str, float]:
    """The label confidence, the step likelihood and the private ceiling a step clause needs,
    chosen on the dev split: the most next-step kinds right over the labelled notes and any dev
    scenarios given as (reading, expected kind, strings that must not be shown, contact), among the
    settings that show no private clause as the step (within one of the most, the strictest)."""
    model = load_model()
    notes = load_notes(folder, splits=(split,))
    readings = [read_notes(n.notes, n.contact, TODAY, model=model) for n in notes]
    tried: list[tuple[int, float, float, float]] = []
    for private_max in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
        for confidence in (0.6, 0.55, 0.5):
            for likely in (0.6, 0.55, 0.5, 0.45, 0.4, 0.35, STEP_FLOOR):
                right = leaked = 0
                bar = (confidence, likely, private_max)
                for note, reading in zip(notes, readings, strict=True):
                    kind, clause = _step_at(reading, bar, note.contact)
                    right += kind == note.next_step
                    leaked += clause is not None and _private_overlap(note, clause.start, clause.end)
                for reading, expected, forbidden, name in scenarios or []:
                    kind, clause = _step_at(reading, bar, name)
                    right += kind == expected
                    leaked += clause is not None and any(f.lower() in clause.text.lower() for f in forbidden)
                if leaked == 0:
                    tried.append((right, private_max, confidence, likely))
    if not tried:
        return {}
    # One more kind right is within the noise of a dev split: the strictest setting within one of
    # the best is chosen (the lowest private ceiling, then the highest bars).
    most = max(t[0] for t in tried)
    right, private_max, confidence, likely = min(
        (t for t in tried if t[0] >= most - 1), key=lambda t: (t[1], -t[2], -t[3])
    )
    return {
        "confidence": confidence,
        "likely": likely,
        "private_max": private_max,
        "right": right,
        "best": most,
        "of": len(notes) + len(scenarios or []),
    }
