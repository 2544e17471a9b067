"""The guidance index: the article, the playbook and the user's own notes, searchable by meaning.

Passages (see corpus.py) are embedded with our own embeddings, never Chroma's default function
(which downloads a model), and stored in Chroma: a PersistentClient under `Settings.index_dir`,
or a Chroma server when DRAFTER_CHROMA_URL is set. The collection is named after a hash of the
corpus, the chunker and the embedding model, so the index is rebuilt only when one of those
changes. This is the only module that imports chromadb and langchain_chroma.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from langchain_core.embeddings import Embeddings

from ..config import Settings
from ..errors import InputError, RetrievalError
from ..models import Passage
from .corpus import SUFFIXES, Corpus, builtin_sources, load_corpus, read_guidance_file
from .embeddings import build_embeddings, embeddings_id

logger = logging.getLogger(__name__)

COLLECTION_PREFIX = "guidance-"
POOL = 24  # passages fetched by meaning before keyword fusion
RRF_K = 60  # reciprocal-rank fusion constant


def _chroma_client(settings: Settings) -> Any:  # chromadb.ClientAPI
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not settings.chroma_url:
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)
    url = urlparse(settings.chroma_url if "://" in settings.chroma_url else f"http://{settings.chroma_url}")
    try:
        return chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    except Exception as exc:  # chromadb raises plain ValueError/ConnectionError here
        raise RetrievalError(
            f"Cannot reach the Chroma server at {settings.chroma_url} ({exc}): start it, or unset "
            "DRAFTER_CHROMA_URL to use the local index."
        ) from exc


class GuidanceIndex:
    """The guidance passages in Chroma, searchable with `search`; built on first use."""

    def __init__(self, settings: Settings, embeddings: Embeddings | None = None) -> None:
        self.settings = settings
        self.embeddings = embeddings if embeddings is not None else build_embeddings(settings)
        self._lock = threading.RLock()
        self._client: Any = None  # chromadb ClientAPI
        self._store: Any = None  # langchain_chroma.Chroma over the current collection
        self._corpus: Corpus | None = None

    def corpus(self, refresh: bool = False) -> Corpus:
        if self._corpus is None or refresh:
            self._corpus = load_corpus(self.settings, embeddings_id(self.embeddings))
        return self._corpus

    def _open(self, name: str) -> Any:
        from langchain_chroma import Chroma

        if self._client is None:
            self._client = _chroma_client(self.settings)
        # embedding_function is ours; langchain_chroma creates the collection with none attached,
        # so Chroma's default (downloading) embedding function is never used.
        return Chroma(
            client=self._client,
            collection_name=name,
            embedding_function=self.embeddings,
            collection_metadata={"hnsw:space": "cosine", "embeddings": embeddings_id(self.embeddings)},
        )

    def _collection_names(self) -> list[str]:
        return [c.name for c in self._client.list_collections() if c.name.startswith(COLLECTION_PREFIX)]

    def ensure_built(self) -> bool:
        """Open the index, rebuilding it if the corpus or the embedding model changed. True if rebuilt."""
        with self._lock:
            corpus = self.corpus(refresh=True)
            name = COLLECTION_PREFIX + corpus.hash[:24]
            try:
                if self._client is None:
                    self._client = _chroma_client(self.settings)
                if name in self._collection_names():
                    store = self._open(name)
                    if store._collection.count() == len(corpus.chunks):
                        self._store = store
                        return False
            except RetrievalError:
                raise
            except Exception as exc:
                raise RetrievalError(self._failure("opened", exc)) from exc
            self._build(corpus, name)
            return True

    def rebuild(self) -> int:
        """Build the index from scratch; returns the number of passages."""
        with self._lock:
            corpus = self.corpus(refresh=True)
            self._build(corpus, COLLECTION_PREFIX + corpus.hash[:24])
            return len(corpus.chunks)

    def _failure(self, verb: str, exc: Exception) -> str:
        where = self.settings.chroma_url or str(self.settings.index_dir)
        return (
            f"The guidance index at {where} could not be {verb} ({type(exc).__name__}: {exc}): "
            "run `drafter index` to rebuild it."
        )

    def _build(self, corpus: Corpus, name: str) -> None:
        started = time.perf_counter()
        try:
            if self._client is None:
                self._client = _chroma_client(self.settings)
            if name in self._collection_names():
                self._client.delete_collection(name)
            store = self._open(name)
            chunks = corpus.chunks
            store.add_texts(
                [c.document for c in chunks], [c.metadata() for c in chunks], [c.id for c in chunks]
            )
            for old in self._collection_names():
                if old != name:
                    self._client.delete_collection(old)
        except RetrievalError:
            raise
        except Exception as exc:
            raise RetrievalError(self._failure("built", exc)) from exc
        self._store = store
        logger.info(
            "Built guidance index %s: %d passages in %.2fs", name, len(chunks), time.perf_counter() - started
        )

    def search(self, query: str, k: int = 4) -> list[Passage]:
        """The k passages that best match `query`, best first.

        Chroma returns the nearest passages by meaning (a pool of at least 24); they are ranked by
        reciprocal-rank fusion of that order with BM25 keyword scores, which keeps exact wording
        (and negations the encoder blurs, like "can't think of anything to ask") from being lost.
        `score` is the cosine similarity, 1 - cosine distance, in [0, 1].
        """
        if not query or not query.strip():
            raise InputError("The search query is empty: say what guidance you are looking for.")
        if k < 1:
            raise InputError(f"k={k} asks for no passages: ask for at least 1.")
        return self._ranked(query.strip(), self.embeddings.embed_query(query.strip()), k)

    def search_situation(
        self, next_step_type: str, channel: str, setting: str, agenda_present: bool, k: int = 4
    ) -> list[Passage]:
        """Guidance for a draft's situation, one passage per aspect in this order: the next-step
        kind, the channel, the agenda (when present), the setting; then the best of the rest for
        the whole situation. For an aspect, passages tagged with it are preferred. At most k."""
        aspects = situation_aspects(next_step_type, channel, setting, agenda_present)
        aspects.append(("", situation_query(next_step_type, channel, setting, agenda_present)))
        vectors = self.embeddings.embed_documents([query for _tag, query in aspects])  # one batch
        chosen: dict[str, Passage] = {}
        for (tag, query), vector in zip(aspects, vectors, strict=True):
            ranked = [p for p in self._ranked(query, vector, k + len(chosen)) if p.id not in chosen]
            if tag:
                ranked = [next((p for p in ranked if tag in p.kinds), ranked[0])] if ranked else []
            for passage in ranked:
                if len(chosen) < k:
                    chosen[passage.id] = passage
        return list(chosen.values())

    def _ranked(self, query: str, vector: list[float], k: int) -> list[Passage]:
        with self._lock:
            if self._store is None:
                self.ensure_built()
            store, corpus = self._store, self.corpus()
        try:
            pool = store.similarity_search_by_vector_with_relevance_scores(vector, k=max(4 * k, POOL))
        except Exception:  # another process may have rebuilt the index since we opened it
            logger.info("Reopening the guidance index after a failed search", exc_info=True)
            with self._lock:
                self.ensure_built()
                store, corpus = self._store, self.corpus()
            try:
                pool = store.similarity_search_by_vector_with_relevance_scores(vector, k=max(4 * k, POOL))
            except Exception as exc:
                raise RetrievalError(self._failure("searched", exc)) from exc
        keywords = corpus.keyword_scores(query)
        by_keywords = sorted((d.id for d, _ in pool if keywords.get(d.id or "")), key=lambda i: -keywords[i])
        fused = {doc.id: 1 / (RRF_K + rank + 1) for rank, (doc, _) in enumerate(pool)}
        for rank, pid in enumerate(by_keywords):
            fused[pid] += 1 / (RRF_K + rank + 1)
        ranked = sorted(pool, key=lambda pair: -fused[pair[0].id])[:k]
        return [_passage(doc, distance) for doc, distance in ranked]

    def sources(self) -> list[tuple[str, int]]:
        """Each guidance source and its number of passages: built-in ones first, then the user's."""
        counts: dict[str, int] = {}
        for chunk in self.corpus(refresh=True).chunks:
            counts[chunk.source] = counts.get(chunk.source, 0) + 1
        return list(counts.items())

    def ingest(self, paths: list[Path]) -> list[tuple[str, int]]:
        """Add guidance files (or folders of .md/.txt files) and rebuild; all or nothing."""
        files = _expand(paths)
        builtin = set(builtin_sources())
        staged: dict[str, tuple[Path, str, int]] = {}
        for path in files:
            source, text, count = read_guidance_file(path, builtin)
            if source in staged:
                raise InputError(f"{path}: same name as {staged[source][0]}; rename one of them.")
            staged[source] = (path, text, count)
        with self._lock:
            folder = self.settings.user_guidance_dir
            backup = folder.with_name(folder.name + ".previous")
            shutil.rmtree(backup, ignore_errors=True)
            if folder.exists():
                shutil.copytree(folder, backup)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                for source, (path, text, _count) in staged.items():
                    for old in folder.glob(f"{source}.*"):
                        old.unlink()
                    (folder / f"{source}{path.suffix.lower()}").write_text(text, encoding="utf-8")
                self.ensure_built()
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                if backup.exists():
                    backup.rename(folder)
                self._corpus = self._store = None
                raise
            shutil.rmtree(backup, ignore_errors=True)
        return [(source, count) for source, (_p, _t, count) in staged.items()]


def _passage(doc: Any, distance: float) -> Passage:  # doc: a langchain Document
    meta = doc.metadata
    section = str(meta.get("section", ""))
    tags = [t for key in ("kinds", "situations") for t in str(meta.get(key, "")).split(";") if t]
    return Passage(
        id=doc.id or "",
        source=str(meta.get("source", "")),
        title=str(meta.get("title", "")),
        section=section,
        text=doc.page_content.removeprefix(f"{section}\n\n"),
        score=round(min(1.0, max(0.0, 1.0 - distance)), 4),
        kinds=tags,
    )


def _expand(paths: list[Path]) -> list[Path]:
    if not paths:
        raise InputError("No guidance files given: name one or more .md or .txt files or folders.")
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            if not found:
                raise InputError(f"{path}: the folder has no .md or .txt files.")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder.")
    return files


_indexes: dict[tuple[str, str, str, str], GuidanceIndex] = {}
_indexes_lock = threading.Lock()


def get_index(settings: Settings) -> GuidanceIndex:
    """The index for these settings, shared within the process (the encoder loads once)."""
    key = (str(settings.data_dir), settings.chroma_url, settings.embeddings, settings.base_url)
    with _indexes_lock:
        if key not in _indexes:
            _indexes[key] = GuidanceIndex(settings)
        return _indexes[key]


_KIND_PHRASES = {
    "ask": "ask for something small, simple and relevant to what we discussed",
    "offer": "offer something simple and relevant to what we discussed",
    "joint_venture": "a joint venture: continue the conversation we already began",
    "keep_in_touch": "nothing to ask or offer, so keep the door open and stay in touch",
}
_CHANNEL_PHRASES = {
    "email": "by email",
    "linkedin": "as a LinkedIn note of at most 300 characters",
    "text": "as a text message",
}
_SETTING_PHRASES = {
    "event": "after meeting at a networking event",
    "conference": "after meeting at a conference",
    "informational_interview": "after an informational interview",
    "chance": "after a chance meeting",
}


def situation_query(next_step_type: str, channel: str, setting: str, agenda_present: bool) -> str:
    """One search query for a draft's situation; the next-step kind leads."""
    kind = _KIND_PHRASES.get(next_step_type, _KIND_PHRASES["ask"])
    parts = [_SETTING_PHRASES.get(setting, ""), _CHANNEL_PHRASES.get(channel, "")]
    query = f"{kind[0].upper()}{kind[1:]}. Follow up " + " ".join(p for p in parts if p) + "."
    if agenda_present:
        query += " My own agenda waits for a later conversation."
    return query


def situation_aspects(
    next_step_type: str, channel: str, setting: str, agenda_present: bool
) -> list[tuple[str, str]]:
    """(tag, query) for each aspect of the situation: kind, channel, agenda if present, setting if known."""
    aspects = [
        (next_step_type, "Next step: " + _KIND_PHRASES.get(next_step_type, _KIND_PHRASES["ask"])),
        (channel, "How to write the follow-up " + _CHANNEL_PHRASES.get(channel, "by email")),
    ]
    if agenda_present:
        aspects.append(("agenda", "I have an agenda of my own: when can I bring it up?"))
    if setting in _SETTING_PHRASES:
        aspects.append((setting, "Follow up " + _SETTING_PHRASES[setting]))
    return aspects
