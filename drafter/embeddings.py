"""Moved to drafter/retrieval/embeddings.py; this name stays until every import uses the new one."""

from __future__ import annotations

from .retrieval.embeddings import load_encoder

__all__ = ["load_encoder"]
