"""Evaluating ``{{ expressions }}`` outside a run, for the editor's live previews (the
service API of :mod:`engine.expressions`)."""

from __future__ import annotations

from engine.expressions import ExpressionContext, evaluate

__all__ = ["ExpressionContext", "evaluate"]
