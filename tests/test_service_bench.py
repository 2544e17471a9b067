"""The service's bench figures, measured against the stub model (fast, and nothing faked)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from service_harness import Pace, model_stub, shared_template

from drafter import llm
from drafter.config import Settings
from drafter.models import Contact, DraftRequest
from drafter.service.bench import bench_service, format_rows


def test_bench_service_compares_the_api_with_the_library(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    shutil.copytree(shared_template(tmp_path_factory), data)
    monkeypatch.setattr(llm, "ALLOW_MODEL_REQUESTS", True)  # our own stub on 127.0.0.1
    requests = [
        DraftRequest(
            contact=Contact(name=f"{name} Example"), notes=f"Talked with {name} about kayaks.", sender="Sam"
        )
        for name in ("Abelina", "Bertrand", "Cosima")
    ]
    with model_stub(Pace(0.05)) as stub:
        for key, value in {
            "DRAFTER_DATA_DIR": str(data),
            "DRAFTER_BACKEND": "openai",
            "DRAFTER_MODEL": "stub-model",
            "OPENAI_BASE_URL": stub.url + "/v1",
            "OPENAI_API_KEY": "sk-test",
            "DRAFTER_ATTEMPTS": "1",
        }.items():
            monkeypatch.setenv(key, value)
        figures = bench_service(Settings.from_env(), requests, drafts=2, batch_rows=5)
    assert figures["drafts_compared"] == 2 and figures["job_rows"] == 5 and figures["job_ok"] == 5
    assert figures["api_draft_mean_s"] >= 0.05 and figures["library_draft_mean_s"] >= 0.05
    assert figures["api_over_library"] == pytest.approx(
        figures["api_draft_mean_s"] / figures["library_draft_mean_s"],
        abs=0.2,  # of rounded means
    )
    assert 0 < figures["job_seconds_per_row"] < 5
    lines = dict(format_rows(figures))
    assert "x (2 drafts each)" in lines["service: draft through the API / library directly"]
    assert lines["service: batch job of 5 rows"].endswith("(5 ok, " + str(figures["job_seconds"]) + " s)")
    assert not list(data.glob("*.db")), "the bench keeps its jobs out of the data directory"
