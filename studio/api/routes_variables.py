"""``/api/v1/variables``: the ``$vars`` expressions read; global or per project.

Values are plain strings and not secret (use credentials for secrets)."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.responses import Response

from engine.errors import ConflictError, NotFoundError
from engine.services.store import get_store
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out
from studio.api.serialize import json_response

__all__ = ["router"]

router = Router("Variables")
_KEY = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"


class ScopeQuery(In):
    project_id: str | None = Field(None, max_length=64, description="The project's "
                                   "variables; default: the global ones.")


class VariableIn(In):
    key: str = Field(pattern=_KEY, description="Identifier, e.g. API_BASE_URL.")
    value: str = Field(max_length=65_536, description="The value (text).")
    project_id: str | None = Field(None, max_length=64, description="Project; default "
                                   "global.")


class VariableUpdate(In):
    value: str = Field(max_length=65_536, description="The new value.")


class VariableOut(Out):
    key: str
    value: str
    project_id: str | None = None


class VariableList(Out):
    items: list[VariableOut]


def _out(row: Any) -> dict[str, Any]:
    return {"key": row.key, "value": row.value, "project_id": row.project_id}


@router.get("/variables", action="variable:read", summary="List variables",
            query=ScopeQuery, response=VariableList, scope="handler")
def list_variables(call: Call) -> dict[str, Any]:
    """The variables of one scope, by key."""
    call.authorize(call.query.project_id)
    return {"items": [_out(v) for v in get_store().variables.list(
        project_id=call.query.project_id)]}


@router.post("/variables", action="variable:update", summary="Create a variable",
             body=VariableIn, response=VariableOut, status=201, errors=(409,),
             scope="handler", audit="variable.created")
def create_variable(call: Call) -> Response:
    """Creates a variable; 409 when the key exists in that scope (use PUT to change it)."""
    b: VariableIn = call.body
    call.authorize_in(b.project_id)
    store = get_store()
    try:
        store.variables.get(b.key, project_id=b.project_id)
    except NotFoundError:
        row = store.variables.set(b.key, b.value, project_id=b.project_id)
        call.target_id = b.key
        return json_response(_out(row), 201)
    raise ConflictError(f"Variable {b.key} already exists; change it with PUT "
                        f"/api/v1/variables/{b.key}.", details={"key": b.key})


@router.get("/variables/{key}", action="variable:read", summary="Get a variable",
            query=ScopeQuery, response=VariableOut, errors=(404,), scope="handler")
def get_variable(call: Call) -> dict[str, Any]:
    """One variable of the scope."""
    call.authorize(call.query.project_id)
    return _out(get_store().variables.get(call.path["key"], project_id=call.query.project_id))


@router.put("/variables/{key}", action="variable:update", summary="Set a variable",
            query=ScopeQuery, body=VariableUpdate, response=VariableOut, scope="handler",
            audit="variable.updated", resource_param="key")
def set_variable(call: Call) -> dict[str, Any]:
    """Creates or replaces the variable's value."""
    call.authorize_in(call.query.project_id)
    return _out(get_store().variables.set(call.path["key"], call.body.value,
                                          project_id=call.query.project_id))


@router.delete("/variables/{key}", action="variable:update", summary="Delete a variable",
               query=ScopeQuery, status=204, errors=(404,), scope="handler",
               audit="variable.deleted", resource_param="key")
def delete_variable(call: Call) -> None:
    """Deletes the variable of the scope."""
    call.authorize(call.query.project_id)
    get_store().variables.delete(call.path["key"], project_id=call.query.project_id)
