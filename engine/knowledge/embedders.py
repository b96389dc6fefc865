"""Embedding models behind one small interface: :class:`Embedder`.

A knowledge base records its model's name and dimension; :func:`get_embedder` gives the
model for a name (families of names, such as ``openai:<model>@<credential>`` of
:mod:`engine.knowledge.embedders_openai`, are built on each use). Built in:
``wordllama/l2_supercat_256`` — WordLlama's static token
embeddings (256 dimensions) whose weights and tokenizer ship inside the ``wordllama``
wheel, so it runs on CPU, offline, without torch or a model hub. Add models with
:func:`register_embedder`.
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

from engine.errors import ValidationError

__all__ = [
    "DEFAULT_MODEL",
    "Embedder",
    "WordLlamaEmbedder",
    "embedder_names",
    "get_embedder",
    "register_embedder",
    "register_family",
]

DEFAULT_MODEL = "wordllama/l2_supercat_256"


class Embedder(abc.ABC):
    """Turns texts into unit-length float32 vectors of :attr:`dims` dimensions."""

    name: str
    dims: int

    @abc.abstractmethod
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """A ``(len(texts), dims)`` float32 array, each row of length 1 (cosine ready)."""


class WordLlamaEmbedder(Embedder):
    """WordLlama loaded from the files packaged in its wheel (never a download)."""

    def __init__(self, config: str = "l2_supercat", dims: int = 256) -> None:
        import wordllama
        from safetensors import safe_open
        from tokenizers import Tokenizer
        from wordllama.inference import WordLlamaInference

        root = Path(wordllama.__file__).parent
        weights = root / "weights" / f"{config}_{dims}.safetensors"
        tokenizer = root / "tokenizers" / f"{config}_tokenizer_config.json"
        if not weights.is_file() or not tokenizer.is_file():
            raise ValidationError(
                f"The wordllama package has no packaged model {config!r} with {dims} "
                f"dimensions; use {DEFAULT_MODEL!r}."
            )
        with safe_open(str(weights), framework="np", device="cpu") as f:
            table = f.get_tensor("embedding.weight")
        self._model = WordLlamaInference(table, Tokenizer.from_file(str(tokenizer)), binary=False)
        self.name = f"wordllama/{config}_{dims}"
        self.dims = int(table.shape[1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np  # here: a process that never embeds never loads numpy

        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        out = self._model.embed(list(texts), norm=True, return_np=True)
        return np.ascontiguousarray(out, dtype=np.float32)


_FACTORIES: dict[str, Callable[[], Embedder]] = {DEFAULT_MODEL: WordLlamaEmbedder}
_LOADED: dict[str, Embedder] = {}
_LOCK = threading.Lock()


_FAMILIES: dict[str, Callable[[str], Embedder]] = {}


def register_family(prefix: str, factory: Callable[[str], Embedder]) -> None:
    """Makes every model named ``<prefix>...`` available: ``factory(name)`` builds it on
    each use (not kept: it may read a credential that changes)."""
    with _LOCK:
        _FAMILIES[prefix] = factory


def register_embedder(name: str, factory: Callable[[], Embedder]) -> None:
    """Makes model ``name`` available to knowledge bases (loaded on first use)."""
    with _LOCK:
        _FACTORIES[name] = factory
        _LOADED.pop(name, None)


def embedder_names() -> list[str]:
    """The names of the models knowledge bases can use."""
    return sorted(_FACTORIES)


def get_embedder(name: str = DEFAULT_MODEL) -> Embedder:
    """The model ``name``, loaded once per process.

    Raises:
        ValidationError: no such model.
    """
    with _LOCK:
        loaded = _LOADED.get(name)
        if loaded is not None:
            return loaded
        family = next((f for p, f in _FAMILIES.items() if name.startswith(p)), None)
    if family is not None:
        return family(name)
    with _LOCK:
        factory: Any = _FACTORIES.get(name)
        if factory is None:
            raise ValidationError(
                f"Unknown embedding model {name!r}; use one of {', '.join(sorted(_FACTORIES))}.",
                details={"model": name, "models": sorted(_FACTORIES)},
            )
        model: Embedder = factory()
        _LOADED[name] = model
        return model
