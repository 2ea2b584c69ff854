"""Sentence embeddings from WordLlama, whose weights and tokenizer ship inside its PyPI package (ADR 0008).

Nothing is downloaded: the model is read from the installed package's own files, once per
process. When the package is missing, `model()` returns None and search runs on full text alone.
"""
import functools
import logging
from pathlib import Path

import numpy as np
import threadpoolctl

logger = logging.getLogger(__name__)

#: The files inside the wordllama package: a 32 000 x 256 token-embedding table and its tokenizer.
WEIGHTS = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
DIMENSIONS = 256


class MissingModel(RuntimeError):
    """The embedding model is not installed."""


@functools.cache
def model():
    """Return the loaded model, or None when its package is not installed (full-text search still works)."""
    try:
        return _load()
    except MissingModel as exc:
        logger.warning("semantic search is off: %s", exc)
        return None


def _load():
    try:
        import wordllama
        from safetensors import safe_open
        from tokenizers import Tokenizer
        from wordllama.inference import WordLlamaInference
    except ImportError as exc:
        raise MissingModel(f"the package {exc.name} is not installed (pip install wordllama)") from exc
    root = Path(wordllama.__file__).parent
    weights, tokenizer = root / WEIGHTS, root / TOKENIZER
    for path in (weights, tokenizer):
        if not path.is_file():
            raise MissingModel(f"{path.name} is not in the installed wordllama package")
    # Loaded from the package's files: WordLlama.load() would look on a model hub for the tokenizer.
    with safe_open(str(weights), framework="np") as f:
        table = f.get_tensor("embedding.weight")
    # A search multiplies one vector by the article matrix: BLAS threads would only fight the server's
    # request threads for the cores (three to four times slower on a busy machine), so BLAS runs on one.
    threadpoolctl.threadpool_limits(limits=1, user_api="blas")
    return WordLlamaInference(table, Tokenizer.from_file(str(tokenizer)))


def status() -> str:
    """Say whether semantic matching is available, for `parley check`; raises MissingModel when it is not."""
    _load()
    return f"semantic search model loaded from the wordllama package ({DIMENSIONS} dimensions)"


def embed(texts: list[str]) -> np.ndarray | None:
    """Return one unit-length float32 row per text, or None without a model."""
    loaded = model()
    if loaded is None or not texts:
        return None
    return np.asarray(loaded.embed(texts, norm=True), dtype=np.float32)


def to_bytes(vector: np.ndarray) -> bytes:
    return vector.astype(np.float16).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float16).astype(np.float32)
