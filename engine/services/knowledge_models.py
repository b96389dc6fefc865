"""Which embedding model a knowledge base may use, and who may choose it.

The built-in offline model needs nothing. An OpenAI-compatible model
(``openai:<model>@<credential id>``, :mod:`engine.knowledge.embedders_openai`) uses an
``openai_compatible`` credential of the vault: whoever chooses it must be allowed to use
that credential (``credential:use``); afterwards the base uses it on its own (for its
readers' searches and its editors' ingests, like a workflow's node uses its credential).
This module registers that family of models with :mod:`engine.knowledge.embedders`.
"""

from __future__ import annotations

from engine.auth.types import Principal
from engine.errors import NotFoundError, ValidationError
from engine.knowledge.embedders import Embedder, get_embedder, register_family
from engine.knowledge.embedders_openai import PREFIX, OpenAIEmbedder, parse_model
from engine.services import access
from engine.services.auth import context

__all__ = ["check_model"]

CREDENTIAL_KIND = "openai_compatible"


def _credential(credential_id: str, model: str) -> dict[str, str]:
    from engine.services import credentials

    try:
        info = context().store.credentials.get(credential_id)
    except NotFoundError:
        raise ValidationError(
            f"The credential {credential_id} of embedding model {model!r} no longer exists: "
            "choose another model for this knowledge base (its chunks are re-embedded).",
            details={"credential_id": credential_id},
        ) from None
    if info.kind != CREDENTIAL_KIND:
        raise ValidationError(
            f"Credential {info.name!r} is a {info.kind} credential; an embedding model needs "
            "an 'OpenAI-compatible API' credential (base URL and key).",
            details={"credential_id": credential_id, "kind": info.kind},
        )
    data = credentials.resolve(credential_id)
    return {"base_url": str(data.get("base_url") or ""), "api_key": str(data.get("api_key") or "")}


def _openai_embedder(name: str) -> Embedder:
    """The model ``name`` with its credential as stored now."""
    model, credential_id = parse_model(name)
    data = _credential(credential_id, model)
    return OpenAIEmbedder(name, model, data["base_url"], data["api_key"])


def check_model(principal: Principal, model: str) -> Embedder:
    """The model ``model`` if ``principal`` may choose it for a base (an OpenAI-compatible
    one: if they may use its credential); the model answers once, so its dimension is
    known.

    Raises:
        ValidationError: no such model, a credential of the wrong kind, or a server that
            does not answer embeddings.
        NotFoundError: a credential the principal cannot see.
    """
    if model.startswith(PREFIX):
        _, credential_id = parse_model(model)
        access.resource(principal, "credential:use", "credential", credential_id)
    embedder = get_embedder(model)
    _ = embedder.dims  # an OpenAI-compatible model is asked here, before anything changes
    return embedder


register_family(PREFIX, _openai_embedder)
