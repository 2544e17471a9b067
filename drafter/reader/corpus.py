"""The labelled note corpus (evals/reader/*.jsonl): loading, splits, and labels for our clauses.

Each note carries its clauses, cut and labelled by hand. The reader's own splitter may cut a
note differently, so each of its clauses takes the label of the hand-cut clauses it covers;
where it touches a private clause (agenda, confidence, text to a model) at all substantially,
it takes that private label: a clause that carries part of a secret is private.

Splits are by note: the `notes_test_*.jsonl` files were written apart from the rest and are the
held-out split (170 of 920 notes), never used for training or tuning; the `notes_train_*.jsonl`
files were written for the reader's weak spots and only train it; the other files are cut into
train and dev by a hash of the note id (one note in five to dev).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..models import PRIVATE_ROLES, ROLES
from ..text.clauses import Span, plain_text, split_clauses

__all__ = [
    "GoldClause",
    "Note",
    "default_corpus_dir",
    "load_notes",
    "probe_dir",
    "project_labels",
    "split_of",
]

KINDS = ("offer", "ask", "joint_venture", "keep_in_touch")


@dataclass
class GoldClause:
    text: str
    role: str
    start: int = -1
    end: int = -1


@dataclass
class Note:
    id: str
    notes: str
    contact: str
    where_met: str
    greet: str
    people: list[str]
    clauses: list[GoldClause]
    next_step: str
    step: int | None
    style: str
    split: str = "train"
    text: str = field(default="")  # plain text, the offsets of clauses refer to it


def default_corpus_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "evals" / "reader"


def probe_dir() -> Path:
    """Labelled notes no split holds: an out-of-sample probe for a model trained without them."""
    return default_corpus_dir() / "probe"


def split_of(note_id: str, source: str) -> str:
    if source.startswith("notes_probe_"):
        return "probe"
    if "test" in source:
        return "test"
    if source.startswith("notes_train_"):
        return "train"
    digest = int(hashlib.sha256(note_id.encode()).hexdigest()[:8], 16)
    return "dev" if digest % 5 == 0 else "train"


def _locate(note: Note) -> None:
    """Offsets of each gold clause in the plain text (in order; a clause not found is dropped)."""
    cursor = 0
    kept = []
    for clause in note.clauses:
        at = note.text.find(clause.text, cursor)
        if at < 0:
            at = note.text.find(clause.text)
        if at < 0:
            continue
        clause.start, clause.end = at, at + len(clause.text)
        cursor = clause.end
        kept.append(clause)
    note.clauses = kept


def load_notes(folder: Path | None = None, splits: Iterable[str] | None = None) -> list[Note]:
    folder = folder or default_corpus_dir()
    wanted = set(splits) if splits else {"train", "dev", "test"}
    notes: list[Note] = []
    seen: dict[str, str] = {}  # note id -> where it was first read
    files = sorted(folder.glob("notes_*.jsonl"))
    if not files:
        raise InputError(f"no labelled notes in {folder}: expected files named notes_*.jsonl")
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                clauses = [GoldClause(c["text"], c["role"]) for c in raw["clauses"]]
                note = Note(
                    id=raw["id"],
                    notes=raw["notes"],
                    contact=raw["contact"]["name"],
                    where_met=raw["contact"].get("where_met", ""),
                    greet=raw.get("greet", ""),
                    people=list(raw.get("people") or []),
                    clauses=clauses,
                    next_step=raw["next_step"],
                    step=raw.get("step"),
                    style=raw.get("style", ""),
                )
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InputError(f"{path.name}, line {number}: not a labelled note ({exc}); fix it") from exc
            bad = [c.role for c in clauses if c.role not in ROLES]
            if bad or note.next_step not in KINDS:
                raise InputError(
                    f"{path.name}, line {number}: unknown role or next step {bad or note.next_step}"
                )
            where = f"{path.name}, line {number}"
            if note.id in seen:
                raise InputError(
                    f"{where}: note id {note.id!r} is already used at {seen[note.id]}; give one a new id"
                )
            seen[note.id] = where
            note.split = split_of(note.id, path.name)
            if note.split not in wanted:
                continue
            note.text = plain_text(note.notes)
            _locate(note)
            notes.append(note)
    return notes


def project_labels(note: Note, spans: list[Span]) -> list[str]:
    """A role for each of our clauses, from the hand-cut clauses it overlaps."""
    labels = []
    for span in spans:
        best_role, best = "self_note", 0
        private_role, private_share = "", 0.0
        for gold in note.clauses:
            overlap = min(span.end, gold.end) - max(span.start, gold.start)
            if overlap <= 0:
                continue
            if overlap > best:
                best_role, best = gold.role, overlap
            if gold.role in PRIVATE_ROLES:
                share = max(overlap / max(gold.end - gold.start, 1), overlap / max(span.end - span.start, 1))
                if share > private_share:
                    private_role, private_share = gold.role, share
        labels.append(private_role if private_share >= 0.3 else best_role)
    return labels


def our_clauses(note: Note) -> list[Span]:
    return split_clauses(note.notes)
