"""Typed credential kinds: declared once as pydantic models, with secrets marked.

:mod:`~engine.credentials.registry` finds the kinds (built-ins and the
``aura.credentials`` entry points), :mod:`~engine.credentials.masking` keeps secrets
out of the API, and each kind's ``test()`` checks it against its service. The
credentials *service* (store, vault, authorization) is :mod:`engine.services.credentials`.
"""

from __future__ import annotations

from engine.credentials.base import SECRET_MARK, CredentialKind, TestResult, secret
from engine.credentials.masking import MASK, UNCHANGED, mask, merge_update, secret_values
from engine.credentials.registry import describe, get_kind, kind_names, register

__all__ = ["MASK", "SECRET_MARK", "UNCHANGED", "CredentialKind", "TestResult", "describe",
           "get_kind", "kind_names", "mask", "merge_update", "register", "secret",
           "secret_values"]
