"""Building a package file from a source folder, and signing it.

The zip is deterministic (sorted entries, fixed timestamps, regular-file modes), so the
same folder always gives the same bytes and the same SHA-256: a catalogue can be rebuilt
and checked. The signature is Ed25519 (or RSA/ECDSA, see :mod:`engine.vault.signing`)
over the text ``aura-package:<name>@<version>:<sha256>``, kept beside the file as
``<file>.sig`` (JSON: publisher, sha256, base64 signature).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from engine.errors import PackageInstallError
from engine.marketplace.manifest import MANIFEST_NAME, parse_manifest
from engine.marketplace.package import Package, load_package

__all__ = ["build_package", "package_filename", "sign_package", "signed_message"]

_EPOCH = (2020, 1, 1, 0, 0, 0)
_SKIP_DIRS = {"__pycache__", ".git", ".pytest_cache"}


def signed_message(name: str, version: str, sha256: str) -> bytes:
    """What a publisher signs for one package file."""
    return f"aura-package:{name}@{version}:{sha256}".encode()


def package_filename(name: str, version: str) -> str:
    return f"{name.replace('/', '--')}-{version}.aurapkg"


def _files(folder: Path) -> list[Path]:
    out = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part in _SKIP_DIRS or part.startswith(".") for part in rel.parts):
            continue
        if path.is_symlink():
            raise PackageInstallError(
                f"'{rel}' is a symbolic link; packages hold plain files.",
                details={"check": "archive", "entry": str(rel)},
            )
        if path.is_file() and not path.name.endswith(".sig"):
            out.append(path)
    return out


def build_package(folder: str | Path) -> tuple[bytes, Package]:
    """The package file built from ``folder`` (which holds ``aura-package.json``) and the
    checked package (the same checks as an install).

    Raises:
        PackageInstallError: the folder is not a valid package.
    """
    root = Path(folder)
    if not (root / MANIFEST_NAME).is_file():
        raise PackageInstallError(
            f"{root} has no {MANIFEST_NAME}; run 'aura packages new' to start a package.",
            details={"check": "manifest"},
        )
    parse_manifest((root / MANIFEST_NAME).read_bytes())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in _files(root):
            info = zipfile.ZipInfo(path.relative_to(root).as_posix(), _EPOCH)
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    data = buf.getvalue()
    return data, load_package(data)


def sign_package(
    data: bytes, private_pem: bytes | str, publisher: str | None = None
) -> dict[str, Any]:
    """The signature record of a package file (what goes into ``<file>.sig`` and the
    catalogue index)."""
    from engine.vault.signing import sign

    pkg = load_package(data)
    sha = hashlib.sha256(data).hexdigest()
    sig = sign(private_pem, signed_message(pkg.name, pkg.version, sha))
    return {
        "publisher": publisher or pkg.manifest.publisher,
        "sha256": sha,
        "signature": base64.b64encode(sig).decode(),
    }


def write_signature(path: Path, record: dict[str, Any]) -> Path:
    sig_path = path.with_name(path.name + ".sig")
    sig_path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return sig_path
