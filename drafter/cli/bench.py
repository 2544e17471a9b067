"""`drafter bench`: start-up, per-draft latency, tokens, batch throughput, retrieval latency,
peak memory, and draft time against the raw decode floor of the same model.

Figures are printed as a table and written as JSON. It is a measurement, not a test.
"""

from __future__ import annotations

import json
import logging
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from .. import llm
from ..config import Settings
from ..models import CHANNELS, NEXT_STEP_TYPES, DraftRequest
from . import settings as _settings

logger = logging.getLogger(__name__)

SCENARIOS = Path(__file__).resolve().parents[2] / "evals" / "scenarios.jsonl"


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def load_requests(path: Path, limit: int) -> list[DraftRequest]:
    """Requests from the evaluation scenarios (the same shape as the eval harness reads)."""
    from ..evaluation import load_scenarios

    return [s.request for s in load_scenarios(path)][:limit]


def measure_cold_start(settings: Settings) -> float:
    """Seconds from a new process's start to its first finished draft (model and index ready)."""
    code = (
        "import time; t=time.perf_counter()\n"
        "from drafter import Drafter, DraftRequest, Contact\n"
        "d=Drafter(); d.draft(DraftRequest(contact=Contact(name='Ana Ruiz'), sender='Sam',"
        " notes='Met at the climate meetup. We both love bike commuting. I said I would send her the"
        " bike map.'))\n"
        "print(time.perf_counter()-t)\n"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return time.perf_counter() - started


def run_bench(
    settings: Settings,
    *,
    drafts: int = 12,
    batch_rows: int = 36,
    concurrencies: tuple[int, ...] = (1, 2),
    scenarios: Path = SCENARIOS,
    cold: bool = True,
) -> dict[str, Any]:
    from ..batch import batch_file as run_batch
    from ..pipeline import Drafter
    from ..retrieval import get_index, situation_query

    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {_cores()} cores, {platform.python_version()}",
        "backend": llm.describe_backend(settings)[0],
        "settings": {"parallel": settings.parallel, "attempts": settings.attempts},
    }
    if cold:
        results["cold_start_to_first_draft_s"] = round(measure_cold_start(settings), 2)

    started = time.perf_counter()
    drafter = Drafter(settings)
    drafter.warm_up()
    results["warm_up_s"] = round(time.perf_counter() - started, 2)
    results["model"] = drafter.model_name

    # Retrieval latency, warm.
    index = get_index(settings)
    queries = [
        situation_query(kind, channel, setting, agenda)
        for kind in NEXT_STEP_TYPES
        for channel in CHANNELS
        for setting, agenda in (("conference", True), ("chance", False))
    ]
    index.search(queries[0], k=3)
    latencies = []
    for query in queries:
        t = time.perf_counter()
        index.search(query, k=3)
        latencies.append((time.perf_counter() - t) * 1000)
    results["retrieval_ms_p50"] = round(_percentile(latencies, 0.5), 1)
    results["retrieval_ms_p95"] = round(_percentile(latencies, 0.95), 1)

    # Sequential drafts, warm.
    requests = load_requests(scenarios, max(drafts, batch_rows))
    times, warnings = [], 0
    for request in requests[:drafts]:
        draft = drafter.draft(request)
        times.append(draft.seconds)
        warnings += bool(draft.warnings)
    stats = drafter.stats
    results["draft_s_p50"] = round(_percentile(times, 0.5), 2)
    results["draft_s_p95"] = round(_percentile(times, 0.95), 2)
    results["drafts_with_warnings"] = f"{warnings}/{len(times)}"
    results["model_calls_per_draft"] = round(stats.calls / max(len(times), 1), 2)
    results["input_tokens_per_draft"] = round(stats.input_tokens / max(len(times), 1))
    results["cached_input_tokens_per_draft"] = round(stats.cached_tokens / max(len(times), 1))
    results["output_tokens_per_draft"] = round(stats.output_tokens / max(len(times), 1))

    # The note reader's share of a warm draft: reading every request's notes again, alone.
    from ..reader import read_notes

    reads = []
    for request in requests[:drafts]:
        t = time.perf_counter()
        read_notes(request.notes, request.contact.name)
        reads.append((time.perf_counter() - t) * 1000)
    results["reader_ms_p50"] = round(_percentile(reads, 0.5), 1)
    share = statistics.mean(reads) / 1000 / max(statistics.mean(times), 1e-9)
    results["reader_share_of_draft"] = round(share, 3)

    raw = llm.decode_rate(settings, max(32, int(results["output_tokens_per_draft"])))
    results.update({k: round(v, 1) for k, v in raw.items()})
    floor = stats.output_tokens / max(len(times), 1) / max(raw["decode_tokens_per_s"], 1e-9)
    results["raw_decode_floor_s"] = round(floor, 2)
    results["draft_to_floor_ratio"] = round(statistics.mean(times) / floor, 2) if floor else None

    # Peak memory of drafting (the embedded server runs inside this process), before the batch
    # runs start servers with other slot counts.
    results["peak_rss_mib"] = round(_peak_rss_mib(), 0)

    # Batch throughput at each concurrency, each on a server with that many slots.
    provider = llm.provider_for(settings)
    batch: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "batch.jsonl"
        with source.open("w", encoding="utf-8") as out:
            for request in requests[:batch_rows]:
                out.write(
                    json.dumps(
                        {
                            "name": request.contact.name,
                            "notes": request.notes,
                            "channel": request.channel,
                            "where_met": request.contact.where_met,
                            "company": request.contact.company,
                            "next_step_hint": request.next_step_hint or "",
                            "sender_name": request.sender,
                        }
                    )
                    + "\n"
                )
        for concurrency in concurrencies:
            llm.release_all()
            run_drafter = Drafter(provider.for_concurrency(settings.with_(parallel=1), concurrency))
            run_drafter.warm_up()
            t = time.perf_counter()
            summary = run_batch(
                source,
                Path(tmp) / f"out-{concurrency}.jsonl",
                drafter=run_drafter,
                concurrency=concurrency,
            )
            elapsed = time.perf_counter() - t
            batch[str(concurrency)] = {
                "rows": summary.total,
                "ok": summary.ok,
                "seconds": round(elapsed, 1),
                "seconds_per_draft": round(elapsed / max(summary.total, 1), 2),
            }
    results["batch"] = batch

    # The service: drafts through the API against the library, and a batch job's pace.
    from ..service.bench import bench_service

    llm.release_all()
    try:
        results["service"] = bench_service(
            settings, requests, drafts=min(drafts, 6), batch_rows=batch_rows, stop_models=llm.release_all
        )
    except Exception as exc:  # a measurement: report what went wrong, keep the other figures
        results["service"] = {"error": " ".join(str(exc).split()) or type(exc).__name__}
    return results


def _cores() -> int:
    import os

    return os.cpu_count() or 1


def _peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux; the embedded server runs inside this process.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def format_table(results: dict[str, Any]) -> str:
    from ..service.bench import format_rows

    skip = ("batch", "settings", "service")
    rows = [(key, value) for key, value in results.items() if key not in skip]
    for concurrency, figures in results.get("batch", {}).items():
        rows.append(
            (
                f"batch of {figures['rows']} at concurrency {concurrency}",
                f"{figures['seconds_per_draft']} s per draft ({figures['ok']} ok, {figures['seconds']} s)",
            )
        )
    rows += format_rows(results.get("service", {}))
    width = max(len(k) for k, _ in rows)
    lines = [f"| {'measure'.ljust(width)} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {k.ljust(width)} | {v} |" for k, v in rows]
    return "\n".join(lines)


@click.command()
@click.option(
    "--drafts", type=click.IntRange(1), default=12, show_default=True, help="Sequential warm drafts to time."
)
@click.option("--batch-rows", type=click.IntRange(1), default=36, show_default=True)
@click.option(
    "--concurrency",
    "concurrencies",
    type=click.IntRange(1, 8),
    multiple=True,
    help="Batch concurrency to try (repeat the option); default 1 and 2.",
)
@click.option("--no-cold", is_flag=True, help="Skip the cold-start measurement.")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="Write the figures as JSON.")
def bench(
    drafts: int, batch_rows: int, concurrencies: tuple[int, ...], no_cold: bool, output: Path | None
) -> None:
    """Measure start-up, draft latency, tokens, batch throughput, retrieval and memory."""
    results = run_bench(
        _settings(),
        drafts=drafts,
        batch_rows=batch_rows,
        concurrencies=concurrencies or (1, 2),
        cold=not no_cold,
    )
    click.echo(format_table(results))
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=2) + "\n")
        click.echo(f"figures written to {output}", err=True)
