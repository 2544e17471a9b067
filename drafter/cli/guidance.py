"""Guidance commands: `drafter index`, `ingest`, `guidance list`, `search` and `eval retrieval`.

The package attaches these to the `drafter` group. Each command turns a DrafterError into one line
on stderr and exit code 2, so they behave the same when run on their own.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..config import Settings
from ..errors import DrafterError, InputError

F = TypeVar("F", bound=Callable[..., Any])

EVAL_CASES = Path(__file__).resolve().parents[2] / "evals" / "retrieval.jsonl"


class _Failed(click.ClickException):
    exit_code = 2


def _friendly(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DrafterError as exc:
            raise _Failed(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def _index(settings: Settings | None = None) -> Any:
    from ..retrieval import get_index

    return get_index(settings or Settings.from_env())


@click.command("index")
@click.option("--rebuild", is_flag=True, help="Build it again even when it is up to date.")
@_friendly
def index_cmd(rebuild: bool) -> None:
    """Prepare the guidance index from the built-in and your added guidance.

    It is built when it is missing or the guidance or the embedding model changed, and left as it
    is when it is up to date, so running it again (as `make setup` does) never pulls an index from
    under an app or a batch that is reading it. --rebuild builds it again regardless."""
    index = _index()
    started = time.perf_counter()
    if rebuild:
        count, built = index.rebuild(), True
    else:
        built = index.ensure_built()
        count = len(index.corpus().chunks)
    sources = len(index.sources())
    if built:
        click.echo(
            f"Indexed {count} passages from {sources} sources in {time.perf_counter() - started:.1f} s."
        )
    else:
        click.echo(f"The guidance index is up to date: {count} passages from {sources} sources.")


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_friendly
def ingest_cmd(paths: tuple[Path, ...]) -> None:
    """Add your own guidance: .md or .txt files, or folders of them. Used from then on."""
    added = _index().ingest(list(paths))
    for source, count in added:
        click.echo(f"Added {source}: {count} passage{'s' if count != 1 else ''}")


@click.group("guidance")
def guidance_group() -> None:
    """The guidance the drafter grounds its drafts in."""


@guidance_group.command("list")
@_friendly
def list_cmd() -> None:
    """Show each guidance source, its passage count and title."""
    from ..retrieval import builtin_sources

    index = _index()
    titles = index.corpus().titles
    builtin = set(builtin_sources())
    rows = index.sources()
    width = max(len(source) for source, _ in rows)
    for source, count in rows:
        origin = "built-in" if source in builtin else "added"
        click.echo(f"{source:<{width}}  {count:>3}  {origin:<8}  {titles.get(source, '')}")


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("-k", "k", type=click.IntRange(1, 50), default=4, show_default=True, help="Passages to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the passages as JSON.")
@_friendly
def search_cmd(query: tuple[str, ...], k: int, as_json: bool) -> None:
    """Show the guidance passages that best match QUERY, best first."""
    passages = _index().search(" ".join(query), k=k)
    if as_json:
        click.echo(json.dumps([p.model_dump() for p in passages], indent=2, ensure_ascii=False))
        return
    for n, passage in enumerate(passages, 1):
        if n > 1:
            click.echo("")
        click.echo(f"{n}. {passage.id}  [{passage.source}]  score {passage.score:.3f}")
        click.echo(f"   {passage.section}")
        for line in passage.text.splitlines():
            click.echo(f"   {line}" if line.strip() else "")


def load_cases(path: Path) -> list[dict[str, Any]]:
    """Read the labelled queries: one JSON object a line with `query` or `situation`, and `relevant`."""
    from ..retrieval import situation_query

    if not path.is_file():
        raise InputError(f"No labelled queries at {path}: pass --cases with a .jsonl file.")
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
            query = case.get("query") or situation_query(**case["situation"])
            relevant = list(case["relevant"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(
                f"{path} line {number}: expected query (or situation) and relevant ({exc})."
            ) from None
        if not relevant:
            raise InputError(f"{path} line {number}: `relevant` lists no passage ids.")
        cases.append({"query": query, "relevant": relevant, "split": case.get("split", "dev")})
    if not cases:
        raise InputError(f"{path} has no labelled queries.")
    return cases


def evaluate(index: Any, cases: list[dict[str, Any]], k: int = 3, depth: int = 10) -> dict[str, Any]:
    """recall@k: share of queries with a relevant passage in the top k; MRR over the top `depth`.

    Also reports passage recall@k (the share of each query's relevant ids found in the top k,
    out of at most k), per split, and the queries that missed.
    """
    known = {chunk.id for chunk in index.corpus().chunks}
    unknown = sorted({r for case in cases for r in case["relevant"]} - known)
    if unknown:
        raise InputError(f"The labelled set names passages that do not exist: {', '.join(unknown)}.")
    rows = []
    for case in cases:
        ids = [p.id for p in index.search(case["query"], k=depth)]
        relevant = set(case["relevant"])
        top = ids[:k]
        rank = next((n for n, pid in enumerate(ids, 1) if pid in relevant), None)
        rows.append(
            {
                "split": case["split"],
                "query": case["query"],
                "hit": bool(relevant & set(top)),
                "passage_recall": len(relevant & set(top)) / min(len(relevant), k),
                "rr": 1 / rank if rank else 0.0,
                "top": top,
            }
        )

    def summary(selected: list[dict[str, Any]]) -> dict[str, Any]:
        n = len(selected)
        return {
            "queries": n,
            f"recall@{k}": round(sum(r["hit"] for r in selected) / n, 3),
            f"passage_recall@{k}": round(sum(r["passage_recall"] for r in selected) / n, 3),
            "mrr": round(sum(r["rr"] for r in selected) / n, 3),
        }

    splits = sorted({r["split"] for r in rows})
    return {
        "k": k,
        **summary(rows),
        "splits": {s: summary([r for r in rows if r["split"] == s]) for s in splits},
        "misses": [{"query": r["query"], "top": r["top"]} for r in rows if not r["hit"]],
    }


@click.command("retrieval")
@click.option(
    "--cases",
    type=click.Path(path_type=Path),
    default=None,
    help="Labelled queries (.jsonl); default: evals/retrieval.jsonl in the repository.",
)
@click.option("-k", "k", type=click.IntRange(1, 10), default=3, show_default=True)
@click.option("--min-recall", type=float, default=None, help="Exit with code 1 if recall@k is lower.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@_friendly
def eval_retrieval_cmd(cases: Path | None, k: int, min_recall: float | None, as_json: bool) -> None:
    """Measure retrieval on the labelled queries: recall@k and MRR."""
    path = cases or EVAL_CASES
    index = _index()
    result = evaluate(index, load_cases(path), k=k)
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(f"queries      {result['queries']}  ({path.name})")
        click.echo(f"recall@{k}     {result[f'recall@{k}']:.3f}  (a relevant passage in the top {k})")
        click.echo(f"MRR          {result['mrr']:.3f}")
        share = result[f"passage_recall@{k}"]
        click.echo(f"passages@{k}   {share:.3f}  (share of relevant ids in the top {k})")
        for split, figures in result["splits"].items():
            click.echo(
                f"  {split:<8} {figures['queries']:>3} queries  recall@{k} {figures[f'recall@{k}']:.3f}  "
                f"MRR {figures['mrr']:.3f}"
            )
        for miss in result["misses"]:
            click.echo(f"miss: {miss['query']!r} -> {', '.join(miss['top'])}", err=True)
    if min_recall is not None and result[f"recall@{k}"] < min_recall:
        raise click.ClickException(f"recall@{k} {result[f'recall@{k}']:.3f} is below {min_recall}.")
