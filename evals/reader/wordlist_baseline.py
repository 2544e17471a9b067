"""Figures of the word-list planner that the note reader replaced, on the same labelled splits.

The planner lives on in the project's history (commit 0fef241). To measure it again:

    git worktree add /tmp/wordlist 0fef241
    .venv/bin/python evals/reader/wordlist_baseline.py --code /tmp/wordlist \
        > evals/reader/baseline_wordlist.json
    git worktree remove /tmp/wordlist

The planner showed the writer every line it judged shareable, so "clauses shown" counts those.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TODAY = dt.date(2026, 11, 2)
PRIVATE = {"agenda", "confidence", "to_model"}


def split_of(note_id: str, source: str) -> str:
    """The split of a note, as drafter.reader.corpus assigns it (that package is not importable
    beside the old checkout: both are named drafter)."""
    if "test" in source:
        return "test"
    return "dev" if int(hashlib.sha256(note_id.encode()).hexdigest()[:8], 16) % 5 == 0 else "train"


def _spans(text: str, items: list[str]) -> list[tuple[int, int]]:
    out = []
    for item in items:
        at = text.find(item)
        if at < 0 and len(item) > 20:
            at = text.find(item[:20])
        if at >= 0:
            out.append((at, at + len(item)))
    return out


def _overlaps(a: tuple[int, int], b: tuple[int, int], share: float) -> bool:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter > 0 and max(inter / max(a[1] - a[0], 1), inter / max(b[1] - b[0], 1)) >= share


def measure(code: Path, split: str) -> dict[str, float]:
    sys.path.insert(0, str(code))
    planning = importlib.import_module("drafter.planning")
    models = importlib.import_module("drafter.models")
    notes = [
        r
        for f in sorted(HERE.glob("notes_*.jsonl"))
        for r in (json.loads(line) for line in f.open() if line.strip())
        if split_of(r["id"], f.name) == split
    ]
    right = greet = shown_private = shown = held_harmless = harmless = 0
    for note in notes:
        request = models.DraftRequest(
            contact=models.Contact(name=note["contact"]["name"]), notes=note["notes"]
        )
        plan = planning.make_plan(request, today=TODAY)
        right += plan.next_step_type == note["next_step"]
        greet += plan.greeting_name.lower() == note.get("greet", "").lower()
        text = note["notes"]
        gold = [
            (c["role"], text.find(c["text"]), text.find(c["text"]) + len(c["text"])) for c in note["clauses"]
        ]
        gold = [g for g in gold if g[1] >= 0]
        share_spans = _spans(text, plan.shareable)
        held_spans = _spans(text, plan.held_back + plan.suspicious)
        shown += len(plan.shareable)
        for span in share_spans:
            shown_private += any(_overlaps(span, (s, e), 0.3) for role, s, e in gold if role in PRIVATE)
        for role, s, e in gold:
            if role not in PRIVATE:
                harmless += 1
                held_harmless += any(_overlaps((s, e), h, 0.5) for h in held_spans)
    n = max(len(notes), 1)
    return {
        "notes": len(notes),
        "next_step_right": round(right / n, 3),
        "private_shown": shown_private,
        "clauses_shown": shown,
        "harmless_held_back": round(held_harmless / max(harmless, 1), 3),
        "greeting_right": round(greet / n, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, required=True, help="a checkout of the word-list planner")
    args = parser.parse_args()
    print(json.dumps({split: measure(args.code, split) for split in ("dev", "test")}, indent=2))


if __name__ == "__main__":
    main()
