"""JSON responses: one serializer for every body the API sends (odd values such as
datetimes or bytes become strings instead of failing the request)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from engine.services.store import dumps

__all__ = ["error_body", "json_response"]


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None
                  ) -> Response:
    """A JSON response of ``data`` (UTF-8, compact)."""
    return Response(dumps(data).encode("utf-8"), status_code=status,
                    headers=dict(headers or {}), media_type="application/json")


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The error shape of every non-2xx answer: ``{error, message, details}``."""
    return {"error": code, "message": message, "details": json.loads(dumps(details))}
