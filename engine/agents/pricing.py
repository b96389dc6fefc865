"""The price table of model calls: cost from tokens, per model.

Prices are USD per million tokens, ``{"model": {"input": 2.5, "output": 10}}``; a key
ending in ``*`` matches a prefix (the longest wins), ``"*"`` alone is the default. The
table is ``AURA_AGENTS_PRICES`` (JSON) overlaid with the run-time setting
``agents.prices`` an admin can change (:mod:`engine.services.ledger`). A model with no
price costs 0 (its tokens are still counted).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from engine.agents.types import Usage
from engine.errors import ValidationError

__all__ = ["PriceTable", "parse_prices"]

Prices = dict[str, dict[str, float]]


def parse_prices(value: Any, *, where: str = "the price table") -> Prices:
    """A validated price table from JSON text or a mapping."""
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"{where} is not JSON: {exc.msg}.") from None
    if not isinstance(value, Mapping):
        raise ValidationError(f"{where} must be an object of model -> prices.")
    out: Prices = {}
    for model, p in value.items():
        if not isinstance(p, Mapping) or not set(p) <= {"input", "output"}:
            raise ValidationError(
                f'{where}: \'{model}\' needs {{"input": ..., "output": ...}} '
                "(USD per million tokens)."
            )
        try:
            out[str(model)] = {k: float(p.get(k, 0.0)) for k in ("input", "output")}
        except (TypeError, ValueError):
            raise ValidationError(f"{where}: the prices of '{model}' must be numbers.") from None
        if min(out[str(model)].values()) < 0:
            raise ValidationError(f"{where}: the prices of '{model}' cannot be negative.")
    return out


class PriceTable:
    """Looks up a model's prices and prices a call."""

    def __init__(self, prices: Prices) -> None:
        self.prices = prices

    def of(self, model: str) -> dict[str, float] | None:
        if model in self.prices:
            return self.prices[model]
        best = None
        for key in self.prices:
            fits = key.endswith("*") and model.startswith(key[:-1])
            if fits and (best is None or len(key) > len(best)):
                best = key
        return self.prices[best] if best is not None else None

    def cost(self, model: str, usage: Usage) -> float:
        p = self.of(model)
        if p is None:
            return 0.0
        return (usage.input_tokens * p["input"] + usage.output_tokens * p["output"]) / 1e6
