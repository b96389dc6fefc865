"""``/api/v1/credentials``: stored secrets (encrypted at rest), always shown masked.

Uses ``engine.services.credentials`` when installed; until then the store and the vault
cipher directly. Secret fields come back as ``"********"``; sending that mask back in an
update keeps the stored value, so an edit form never needs to see a secret.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.responses import Response

from engine.errors import CredentialError, ValidationError
from engine.sdk import get_catalog
from engine.services.store import get_store
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out
from studio.api.serialize import json_response

__all__ = ["KINDS", "MASK", "router"]

router = Router("Credentials")
MASK = "********"

# kind -> (fields: name -> (description, secret, required))
KINDS: dict[str, dict[str, tuple[str, bool, bool]]] = {
    "header_auth": {"name": ("Header name, e.g. X-API-Key.", False, True),
                    "value": ("Header value.", True, True)},
    "basic_auth": {"user": ("User name.", False, True), "password": ("Password.", True, True)},
    "digest_auth": {"user": ("User name.", False, True),
                    "password": ("Password.", True, True)},
    "bearer": {"token": ("The bearer token.", True, True)},
    "api_key": {"key": ("The API key.", True, True),
                "name": ("Header or query parameter name (default X-API-Key).", False, False),
                "in": ("'header' (default) or 'query'.", False, False),
                "prefix": ("Text before the key, e.g. 'Token'.", False, False)},
    "oauth2": {"access_token": ("Access token.", True, True),
               "refresh_token": ("Refresh token.", True, False),
               "token_type": ("Token type (default Bearer).", False, False)},
    "hmac_secret": {"secret": ("The shared signing secret.", True, True)},
    "private_key": {"private_key": ("PEM private key.", True, True),
                    "passphrase": ("Passphrase of the key.", True, False)},
}


class CredentialIn(In):
    name: str = Field(min_length=1, max_length=200, description="Display name.")
    kind: str = Field(min_length=1, max_length=200, description="Kind, e.g. 'header_auth' "
                      "(see GET /credential-kinds).")
    data: dict[str, Any] = Field(description="The secret fields (JSON object).")
    project_id: str | None = Field(None, max_length=64, description="Owning project.")


class CredentialUpdate(In):
    name: str | None = Field(None, min_length=1, max_length=200)
    data: dict[str, Any] | None = Field(None, description="Fields to set; a value equal to "
                                        "the mask keeps the stored one.")


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
    schema_: dict[str, Any] = Field(alias="schema")
    used_by: list[str]


class KindList(Out):
    items: list[KindOut]


class TestOut(Out):
    ok: bool
    message: str


def _cipher() -> Any:
    from engine.config import settings
    from engine.vault import AesGcmCipher, load_keyring

    s = settings()
    return AesGcmCipher(load_keyring(s.data_dir, s.security.encryption_key))


def _masked(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    fields = KINDS.get(kind)
    return {k: v if fields and k in fields and not fields[k][1] else MASK
            for k, v in data.items()}


def _info(info: Any, data: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": info.id, "name": info.name, "kind": info.kind,
            "project_id": info.project_id, "created_at": info.created_at.isoformat(),
            "updated_at": info.updated_at.isoformat(),
            "data": _masked(info.kind, data) if data is not None else None}


def _check_kind(kind: str, data: dict[str, Any]) -> None:
    fields = KINDS.get(kind)
    if fields is None:
        return
    missing = [k for k, (_, _, req) in fields.items() if req and not data.get(k)]
    if missing:
        raise ValidationError(f"A {kind} credential needs {', '.join(missing)}; fill "
                              f"{'it' if len(missing) == 1 else 'them'} in.",
                              details={"missing": missing})


@router.get("/credential-kinds", action="credential:read", summary="Credential kinds",
            response=KindList)
def list_kinds(call: Call) -> dict[str, Any]:
    """Every kind a node can use, with the JSON Schema of its fields."""
    used: dict[str, set[str]] = {k: set() for k in KINDS}
    for spec in get_catalog().latest():
        for slot in spec.credentials:
            for kind in slot.kinds:
                used.setdefault(kind, set()).add(spec.type)
    items = []
    for kind in sorted(used):
        fields = KINDS.get(kind, {})
        schema = {"type": "object", "properties": {
            k: {"type": "string", "description": d, "writeOnly": secret}
            for k, (d, secret, _) in fields.items()},
            "required": [k for k, (_, _, req) in fields.items() if req],
            "additionalProperties": True}
        items.append({"kind": kind, "schema": schema, "used_by": sorted(used[kind])})
    return {"items": items}


@router.get("/credentials", action="credential:read", summary="List credentials",
            response=CredentialList)
def list_credentials(call: Call) -> dict[str, Any]:
    """Credentials by name (no data)."""
    return {"items": [_info(c) for c in call.visible("credential",
                                                     get_store().credentials.list())]}


@router.post("/credentials", action="credential:create", summary="Create a credential",
             body=CredentialIn, response=CredentialOut, status=201, scope="handler",
             audit="credential.created")
def create_credential(call: Call) -> Response:
    """Encrypts and stores the credential (in the given project, by default the
    caller's personal one); answers with the secrets masked."""
    b: CredentialIn = call.body
    project_id = b.project_id or call.default_project()
    call.authorize_in(project_id)
    _check_kind(b.kind, b.data)
    info = get_store().credentials.create(b.name, b.kind, b.data, _cipher(),
                                          project_id=project_id)
    call.target_id = info.id
    return json_response(_info(info, b.data), 201)


@router.get("/credentials/{id}", action="credential:read", summary="Get a credential",
            response=CredentialOut, errors=(404,), resource="credential")
def get_credential(call: Call) -> dict[str, Any]:
    """The credential with its fields, secrets masked."""
    store = get_store()
    info = store.credentials.get(call.path["id"])
    return _info(info, store.credentials.get_data(info.id, _cipher()))


@router.patch("/credentials/{id}", action="credential:update",
              summary="Update a credential", body=CredentialUpdate, response=CredentialOut,
              errors=(404,), resource="credential", audit="credential.updated")
def update_credential(call: Call) -> dict[str, Any]:
    """Renames and/or changes fields; masked values keep what is stored."""
    store = get_store()
    cid = call.path["id"]
    info = store.credentials.get(cid)
    cipher = _cipher()
    data = store.credentials.get_data(cid, cipher)
    if call.body.data is not None:
        data = {**data, **{k: v for k, v in call.body.data.items() if v != MASK}}
        _check_kind(info.kind, data)
        info = store.credentials.update(cid, name=call.body.name, data=data, cipher=cipher)
    elif call.body.name is not None:
        info = store.credentials.update(cid, name=call.body.name)
    return _info(info, data)


@router.delete("/credentials/{id}", action="credential:delete",
               summary="Delete a credential", status=204, errors=(404,),
               resource="credential", audit="credential.deleted")
def delete_credential(call: Call) -> None:
    """Deletes the credential (workflows using it fail until given another)."""
    get_store().credentials.delete(call.path["id"])


@router.post("/credentials/{id}/test", action="credential:read",
             summary="Test a credential", response=TestOut, errors=(404,),
             resource="credential")
def test_credential(call: Call) -> dict[str, Any]:
    """Checks that the credential decrypts and has every field its kind needs."""
    store = get_store()
    info = store.credentials.get(call.path["id"])
    try:
        _check_kind(info.kind, store.credentials.get_data(info.id, _cipher()))
    except (ValidationError, CredentialError) as exc:
        return {"ok": False, "message": exc.message}
    return {"ok": True, "message": f"The {info.kind} credential decrypts and is complete."}
