"""Imports point one way: the model seam and retrieval sit on the base and reach nothing above it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DRAFTER = Path(__file__).resolve().parents[1] / "drafter"
BASE = {"drafter.config", "drafter.errors", "drafter.models"}


def drafter_imports(path: Path) -> set[str]:
    """The drafter modules a file imports, as absolute names."""
    package = path.relative_to(DRAFTER.parent).with_suffix("").parts[:-1]  # the containing package
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found |= {module} if node.module else {f"{module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {m for m in found if m == "drafter" or m.startswith("drafter.")}


@pytest.mark.parametrize("layer", ["llm", "retrieval"])
def test_a_lower_layer_imports_only_the_base_and_itself(layer: str) -> None:
    for path in sorted((DRAFTER / layer).rglob("*.py")):
        for module in drafter_imports(path):
            assert module in BASE or module.startswith(f"drafter.{layer}"), f"{path.name} imports {module}"


def test_nothing_outside_the_seam_starts_the_embedded_server() -> None:
    for path in sorted(DRAFTER.rglob("*.py")):
        if "llm" in path.relative_to(DRAFTER).parts:
            continue
        assert not any("llm.embedded" in m for m in drafter_imports(path)), path
