"""Embeddings from an OpenAI-compatible API (OpenAI, Ollama, vLLM, hosted gateways):
``POST {base_url}/embeddings`` through the ``openai`` SDK, sent through AURA's
SSRF-guarded HTTP client (private addresses refused unless ``AURA_HTTP_ALLOW`` lets
them).

A knowledge base names such a model ``openai:<model>@<credential id>``: the model and an
``openai_compatible`` credential of AURA's vault (base URL and key), resolved when the
model is used (:mod:`engine.services.knowledge` registers the family), so the key lives
in the vault only. The key never appears in a message or a log line: a failure says what
the server answered, with the key masked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.errors import AuraError, ValidationError
from engine.knowledge.embedders import Embedder

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "PREFIX",
    "EmbeddingError",
    "EmbeddingUnavailable",
    "OpenAIEmbedder",
    "model_name",
    "parse_model",
]

PREFIX = "openai:"
_NAME = re.compile(r"^openai:(?P<model>[^@\s]{1,150})@(?P<credential>[0-9a-f]{32})$")


class EmbeddingError(AuraError):
    """The embeddings API refused a call (a wrong key, model or address: fix the
    credential or the model)."""

    code = "embedding_error"
    http_status = 422


class EmbeddingUnavailable(EmbeddingError):
    """The embeddings API failed or could not be reached (after the SDK's retries)."""

    code = "embedding_unavailable"
    http_status = 502


def model_name(model: str, credential_id: str) -> str:
    """The knowledge base model name of ``model`` on the credential ``credential_id``."""
    return f"{PREFIX}{model}@{credential_id}"


def parse_model(name: str) -> tuple[str, str]:
    """``(model, credential id)`` of an ``openai:<model>@<credential id>`` name.

    Raises:
        ValidationError: not such a name.
    """
    m = _NAME.match(name or "")
    if m is None:
        raise ValidationError(
            f"{name!r} is not an OpenAI-compatible embedding model: write "
            "'openai:<model>@<credential id>', e.g. openai:nomic-embed-text@<id of an "
            "OpenAI-compatible API credential>.",
            details={"model": name},
        )
    return m["model"], m["credential"]


class OpenAIEmbedder(Embedder):
    """One embedding model behind an OpenAI-compatible ``/embeddings`` endpoint. Its
    dimension is what the server answers (asked once, on first use of :attr:`dims`)."""

    def __init__(
        self, name: str, model: str, base_url: str, api_key: str, *, timeout_s: float = 60.0
    ) -> None:
        self.name = name
        self.model = model
        self._base_url = base_url.rstrip("/")
        self._key = api_key
        self._timeout = timeout_s
        self._dims: int | None = None

    @property
    def dims(self) -> int:
        if self._dims is None:
            self._dims = int(self.embed(["dimension probe"]).shape[1])
        return self._dims

    @dims.setter
    def dims(self, value: int) -> None:
        self._dims = int(value)

    def _masked(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np
        import openai

        from engine.net.bridge import guarded_client
        from engine.net.client import safe_client

        if not texts:
            return np.zeros((0, self._dims or 0), dtype=np.float32)
        where = f"the embeddings API at {self._base_url}"
        try:
            with safe_client(timeout=self._timeout) as http:
                client = openai.OpenAI(
                    api_key=self._key or "none",
                    base_url=self._base_url,
                    http_client=guarded_client(http, self._timeout),
                    max_retries=2,
                )
                resp = client.embeddings.create(
                    model=self.model, input=list(texts), encoding_format="float"
                )
        except openai.APIStatusError as exc:
            error = EmbeddingError if exc.status_code < 500 else EmbeddingUnavailable
            raise error(
                self._masked(
                    f"{where} answered HTTP {exc.status_code} for model {self.model!r}: "
                    f"{exc.message}. Check the credential's base URL and key, and the model."
                ),
                details={"status": exc.status_code, "model": self.model},
            ) from None
        except openai.APIError as exc:
            cause = exc.__cause__ or exc
            if isinstance(cause, AuraError):  # the outbound guard refused the address
                raise cause from None
            raise EmbeddingUnavailable(
                self._masked(f"Could not reach {where}: {cause}. Check the base URL."),
                details={"model": self.model},
            ) from None
        rows = sorted(resp.data, key=lambda d: d.index)
        out = np.asarray([r.embedding for r in rows], dtype=np.float32)
        if out.ndim != 2 or out.shape[0] != len(texts):
            raise EmbeddingError(
                f"{where} answered {out.shape[0] if out.ndim else 0} embeddings for "
                f"{len(texts)} texts; is it an embeddings model?",
                details={"model": self.model},
            )
        if self._dims is not None and out.shape[1] != self._dims:
            raise EmbeddingError(
                f"{where} answered {out.shape[1]}-dimensional vectors, not {self._dims}: "
                "the model behind the credential changed. Choose the model again to "
                "re-embed the knowledge base.",
                details={"model": self.model, "dims": int(out.shape[1])},
            )
        self._dims = int(out.shape[1])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.ascontiguousarray(out / np.where(norms == 0, 1, norms), dtype=np.float32)
