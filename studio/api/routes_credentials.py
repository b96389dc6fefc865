"""``/api/v1/credentials``: stored secrets (encrypted at rest), always shown masked,
through ``engine.services.credentials`` (which authorizes every call in the credential's
project, validates data against its kind, and audits each change).

Secret fields come back as the mask (``"********"``-like, see
``engine.credentials.MASK``); sending the mask back in an update keeps the stored value,
so an edit form never needs to see a secret.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.responses import Response

from engine.services import credentials as creds
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out
from studio.api.serialize import json_response

__all__ = ["router"]

router = Router("Credentials")


class CredentialQuery(In):
    kind: str | None = Field(None, max_length=200, description="Only this kind.")
    project_id: str | None = Field(None, max_length=64, description="Only this project.")


class CredentialIn(In):
    name: str = Field(min_length=1, max_length=200, description="Display name.")
    kind: str = Field(min_length=1, max_length=200, description="Kind, e.g. 'header_auth' "
                      "(see GET /credential-kinds).")
    data: dict[str, Any] = Field(description="The fields of the kind (JSON object).")
    project_id: str | None = Field(None, max_length=64, description="Owning project; "
                                   "default: your personal project.")


class CredentialUpdate(In):
    name: str | None = Field(None, min_length=1, max_length=200)
    data: dict[str, Any] | None = Field(None, description="Fields to set; a secret sent "
                                        "as the mask (or left out) keeps the stored one.")


class CredentialTestIn(In):
    kind: str = Field(min_length=1, max_length=200)
    data: dict[str, Any]
    credential_id: str | None = Field(None, max_length=64, description="Take masked "
                                      "fields from this stored credential.")


class CredentialOut(Out):
    id: str
    name: str
    kind: str
    project_id: str | None = None
    created_at: str
    updated_at: str
    data: dict[str, Any] | None = Field(None, description="Fields, secrets masked.")


class CredentialList(Out):
    items: list[CredentialOut]


class KindOut(Out):
    kind: str
    title: str
    description: str
    schema_: dict[str, Any] = Field(alias="schema")
    secret_fields: list[str]


class KindList(Out):
    items: list[KindOut]


class TestOut(Out):
    ok: bool
    message: str
    details: dict[str, Any] = {}


@router.get("/credential-kinds", action="credential:read", summary="Credential kinds",
            response=KindList)
def list_kinds(call: Call) -> dict[str, Any]:
    """Every installed kind with the JSON Schema of its form and its secret fields."""
    return {"items": creds.kinds()}


@router.get("/credentials", action="credential:read", summary="List credentials",
            query=CredentialQuery, response=CredentialList, scope="service")
def list_credentials(call: Call) -> dict[str, Any]:
    """The credentials the caller may read, by name (without data)."""
    q = call.query
    return {"items": [v.to_dict() for v in creds.list_credentials(
        call.principal, kind=q.kind, project_id=q.project_id)]}


@router.post("/credentials", action="credential:create", summary="Create a credential",
             body=CredentialIn, response=CredentialOut, status=201, scope="service",
             errors=(404,))
def create_credential(call: Call) -> Response:
    """Validates, encrypts and stores the credential; answers with secrets masked."""
    b: CredentialIn = call.body
    call.authorize_in(b.project_id)
    view = creds.create_credential(call.principal, b.name, b.kind, b.data, b.project_id)
    return json_response(view.to_dict(), 201)


@router.post("/credentials/test", action="credential:create",
             summary="Test credential data before saving", body=CredentialTestIn,
             response=TestOut, scope="service", errors=(404,))
def test_credential_data(call: Call) -> dict[str, Any]:
    """Runs the kind's test (a connection, a token fetch...) with unsaved form data."""
    b: CredentialTestIn = call.body
    return creds.test_credential_data(call.principal, b.kind, b.data,
                                      credential_id=b.credential_id).to_dict()


@router.get("/credentials/{id}", action="credential:read", summary="Get a credential",
            response=CredentialOut, errors=(404,), scope="service")
def get_credential(call: Call) -> dict[str, Any]:
    """The credential with its fields, secrets masked."""
    return creds.get_credential(call.principal, call.path["id"]).to_dict()


@router.patch("/credentials/{id}", action="credential:update",
              summary="Update a credential", body=CredentialUpdate, response=CredentialOut,
              errors=(404,), scope="service")
def update_credential(call: Call) -> dict[str, Any]:
    """Renames and/or changes fields; masked secrets keep what is stored."""
    return creds.update_credential(call.principal, call.path["id"], name=call.body.name,
                                   data=call.body.data).to_dict()


@router.delete("/credentials/{id}", action="credential:delete",
               summary="Delete a credential", status=204, errors=(404,), scope="service")
def delete_credential(call: Call) -> None:
    """Deletes the credential (workflows using it fail until given another)."""
    creds.delete_credential(call.principal, call.path["id"])


@router.post("/credentials/{id}/test", action="credential:use",
             summary="Test a credential", response=TestOut, errors=(404,), scope="service")
def test_credential(call: Call) -> dict[str, Any]:
    """Runs the kind's test against its service with the stored data."""
    return creds.test_credential(call.principal, call.path["id"]).to_dict()
