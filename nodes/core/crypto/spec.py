"""Crypto: hash, HMAC, sign values or files; generate random strings and UUIDs."""

from __future__ import annotations

from typing import Any, Literal

from engine.sdk import CredentialSlot, Field, NodeSpec, Params, load_docs, ui

HashAlgorithm = Literal[
    "md5",
    "sha1",
    "sha224",
    "sha256",
    "sha384",
    "sha512",
    "sha3_256",
    "sha3_384",
    "sha3_512",
    "blake2b",
    "blake2s",
]


class CryptoParams(Params):
    """Parameters of the Crypto node."""

    operation: Literal["hash", "hmac", "sign", "generate"] = Field(
        "hash",
        description="hash a value, compute an HMAC with a secret, sign with a "
        "private key, or generate a random string/UUID.",
        json_schema_extra=ui(
            labels={
                "hash": "Hash",
                "hmac": "HMAC",
                "sign": "Sign",
                "generate": "Generate a random string",
            }
        ),
    )
    input_type: Literal["value", "binary"] = Field(
        "value",
        description="hash/hmac/sign: work on 'Value', or on the content of the "
        "item's binary property 'Binary property' (files).",
        json_schema_extra=ui(
            show={"operation": ["hash", "hmac", "sign"]},
            labels={"value": "A value", "binary": "A file (binary property)"},
        ),
    )
    value: Any = Field(
        "",
        description="The value to hash, HMAC or sign, usually an expression such as "
        "'{{ $json.email }}'. Objects and lists are used as compact JSON text.",
        json_schema_extra=ui(show={"operation": ["hash", "hmac", "sign"], "input_type": ["value"]}),
    )
    binary_property: str = Field(
        "data",
        description="Input type 'binary': the item's binary property to read.",
        json_schema_extra=ui(
            show={"operation": ["hash", "hmac", "sign"], "input_type": ["binary"]}
        ),
    )
    algorithm: HashAlgorithm = Field(
        "sha256",
        description="hash/hmac: the hash function (md5 and sha1 are weak; use "
        "them only for compatibility).",
        json_schema_extra=ui(show={"operation": ["hash", "hmac"]}),
    )
    encoding: Literal["hex", "base64", "base64url"] = Field(
        "hex",
        description="How the digest or signature is written.",
        json_schema_extra=ui(show={"operation": ["hash", "hmac", "sign"]}),
    )
    secret: str = Field(
        "",
        description="hmac: the secret key. Leave empty to use the credential in the "
        "'hmac_secret' slot (recommended: credentials are encrypted).",
        json_schema_extra=ui("password", sensitive=True, show={"operation": ["hmac"]}),
    )
    sign_algorithm: Literal[
        "rsa_sha256",
        "rsa_sha384",
        "rsa_sha512",
        "rsa_pss_sha256",
        "ecdsa_sha256",
        "ecdsa_sha384",
        "ed25519",
    ] = Field(
        "rsa_sha256",
        description="sign: the signature scheme; it must match the key type.",
        json_schema_extra=ui(show={"operation": ["sign"]}),
    )
    private_key: str = Field(
        "",
        description="sign: PEM private key. Leave empty to use the credential in the "
        "'private_key' slot (recommended).",
        json_schema_extra=ui("password", sensitive=True, show={"operation": ["sign"]}),
    )
    generate_type: Literal[
        "uuid", "hex", "base64", "base64url", "alphanumeric", "ascii", "numeric"
    ] = Field(
        "uuid",
        description="generate: a UUID v4, or random text of 'Length' characters "
        "(hex, base64, base64url, letters and digits, printable ASCII, or digits).",
        json_schema_extra=ui(show={"operation": ["generate"]}),
    )
    length: int = Field(
        32,
        description="generate: length of the random string (ignored for UUIDs).",
        ge=1,
        le=4096,
        json_schema_extra=ui(show={"operation": ["generate"]}, hide={"generate_type": ["uuid"]}),
    )
    output_field: str = Field(
        "data",
        description="Field that receives the result.",
        json_schema_extra=ui(expression=False),
    )


SPEC = NodeSpec(
    type="core.crypto",
    version=1,
    title="Crypto",
    description="Hash, HMAC or sign values and files; generate random strings and UUIDs.",
    category="Utility",
    icon="key-round",
    params=CryptoParams,
    run="nodes.core.crypto.run:execute",
    credentials=(
        CredentialSlot(
            "hmac_secret",
            ("hmac_secret",),
            description="Secret for the hmac operation (field 'secret').",
        ),
        CredentialSlot(
            "private_key",
            ("private_key",),
            description="PEM private key for "
            "the sign operation (fields 'private_key', optional 'passphrase').",
        ),
    ),
    permissions=frozenset({"credentials"}),
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.crypto",),
    tool=True,
)
