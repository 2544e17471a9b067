"""Retrieval: guidance files cut into passages, embedded offline, searched in Chroma.

    index = get_index(settings)          # one per data directory and embeddings, per process
    index.ensure_built()
    passages = index.search("offer something small after a conference", k=3)

corpus.py cuts the built-in and the user's guidance files into passages; embeddings.py is the
offline MiniLM encoder (also used by the note reader and the checks) and the choice of
embeddings; index.py keeps them in Chroma and ranks by meaning and keywords together.
"""

from __future__ import annotations

from .corpus import ARTICLE, SUFFIXES, Chunk, Corpus, builtin_sources, chunk_text, load_corpus
from .embeddings import LocalEmbeddings, MiniLMEncoder, build_embeddings, embeddings_id, load_encoder
from .index import COLLECTION_PREFIX, GuidanceIndex, get_index, situation_aspects, situation_query

__all__ = [
    "ARTICLE",
    "COLLECTION_PREFIX",
    "SUFFIXES",
    "Chunk",
    "Corpus",
    "GuidanceIndex",
    "LocalEmbeddings",
    "MiniLMEncoder",
    "build_embeddings",
    "builtin_sources",
    "chunk_text",
    "embeddings_id",
    "get_index",
    "load_corpus",
    "load_encoder",
    "situation_aspects",
    "situation_query",
]
