"""Catalogues: signed indexes of packages, read from a folder or any static HTTP server.

A catalogue is a folder (copy it to an air-gapped machine and install from there) or
the same folder served over HTTP::

    index.json        {"format": 1, "name", "signer", "generated_at", "packages": [...]}
    index.json.sig    {"signer": "<publisher>", "signature": "<base64>"}
    packages/<publisher>--<name>-<version>.aurapkg

Each package entry carries name, version, file, sha256, size, publisher, signature (the
publisher's, over the package hash), title, description, categories, downloads (when
known), permissions and node types. Reading an index checks its signature against the
trust store; fetching a package checks its size and SHA-256 against the index before
anything else looks at it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from engine.errors import NotFoundError, PackageInstallError, ValidationError
from engine.marketplace.build import package_filename
from engine.marketplace.package import load_package
from engine.marketplace.trust import verify_index

__all__ = [
    "INDEX",
    "Progress",
    "fetch_package",
    "fetch_url",
    "find_entry",
    "publish",
    "read_index",
    "sign_index",
]

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: ``download`` counts bytes; the install's later stages
(:data:`engine.marketplace.install.STAGES`) count 0 then 1 of 1."""
INDEX = "index.json"
CHUNK = 16 * 1024
MAX_INDEX_BYTES = 4 * 1024 * 1024
MAX_PACKAGE_BYTES = 5 * 1024 * 1024


def _is_url(location: str) -> bool:
    return urlsplit(location).scheme in ("http", "https")


def _download(url: str, limit: int, progress: Progress | None = None) -> bytes:
    """The body of ``url`` through the SSRF-safe client (at most ``limit`` bytes),
    reporting ``progress("download", bytes so far, Content-Length or 0)`` per chunk."""
    from engine.net import safe_client

    host = urlsplit(url).hostname or ""
    try:
        with safe_client(allow=[host], timeout=30) as client, client.stream("GET", url) as resp:
            if resp.status_code != 200:
                raise PackageInstallError(
                    f"{url} answered HTTP {resp.status_code}.",
                    details={"check": "source", "url": url, "status": resp.status_code},
                )
            try:
                total = int(resp.headers.get("content-length") or 0)
            except ValueError:
                total = 0
            body = bytearray()
            for chunk in resp.iter_bytes(CHUNK):
                body += chunk
                if len(body) > limit:
                    raise PackageInstallError(
                        f"{url} is larger than {limit} bytes.", details={"check": "source"}
                    )
                if progress is not None:
                    progress("download", len(body), max(total, len(body)))
            return bytes(body)
    except PackageInstallError:
        raise
    except Exception as exc:
        raise PackageInstallError(
            f"Cannot read the catalogue at {url}: {exc}. Check the "
            "address, or use a catalogue folder (offline).",
            details={"check": "source", "url": url},
        ) from None


def fetch_url(url: str, progress: Progress | None = None) -> tuple[bytes, dict[str, Any] | None]:
    """A package file at ``url`` and the signature record at ``url + ".sig"`` (None when
    there is none)."""
    data = _download(url, MAX_PACKAGE_BYTES, progress)
    try:
        sig = json.loads(_download(url + ".sig", 64 * 1024))
    except PackageInstallError as exc:
        if (exc.details or {}).get("status") != 404:
            raise
        sig = None
    except ValueError:
        raise PackageInstallError(
            f"{url}.sig is not a JSON signature record.", details={"check": "signature"}
        ) from None
    return data, sig if isinstance(sig, dict) else None


def _get(location: str, rel: str, limit: int, progress: Progress | None = None) -> bytes:
    """Bytes of ``rel`` inside the catalogue at ``location`` (folder or URL)."""
    if _is_url(location):
        return _download(urljoin(location.rstrip("/") + "/", rel), limit, progress)
    root = Path(location).resolve()
    path = (root / rel).resolve()
    if not path.is_relative_to(root):
        raise PackageInstallError(
            f"'{rel}' is outside the catalogue folder.", details={"check": "source"}
        )
    try:
        if path.stat().st_size > limit:
            raise PackageInstallError(
                f"{path} is larger than {limit} bytes.", details={"check": "source"}
            )
        data = path.read_bytes()
    except OSError as exc:
        raise PackageInstallError(
            f"Cannot read {path}: {exc.strerror}. Is {location} a "
            "catalogue folder (with index.json)?",
            details={"check": "source"},
        ) from None
    if progress is not None:
        progress("download", len(data), len(data))
    return data


def read_index(store: Any, location: str) -> dict[str, Any]:
    """The verified index of the catalogue at ``location`` (``signer`` added).

    Raises:
        PackageInstallError: unreadable, unsigned, untrusted or tampered index.
    """
    body = _get(location, INDEX, MAX_INDEX_BYTES)
    try:
        sig = json.loads(_get(location, INDEX + ".sig", 64 * 1024))
    except PackageInstallError:
        sig = None
    except ValueError:
        sig = None
    signer = verify_index(store, body, sig if isinstance(sig, dict) else None)
    try:
        index = json.loads(body)
    except ValueError as exc:
        raise PackageInstallError(
            f"The catalogue index is not JSON: {exc}.", details={"check": "index"}
        ) from None
    if not isinstance(index, dict) or not isinstance(index.get("packages"), list):
        raise PackageInstallError(
            "The catalogue index has no 'packages' list.", details={"check": "index"}
        )
    index["signer"] = signer
    return index


def find_entry(index: dict[str, Any], name: str, version: str | None = None) -> dict[str, Any]:
    """The index entry for ``name`` (newest version unless ``version`` is given)."""
    from packaging.version import Version

    entries = [e for e in index["packages"] if e.get("name") == name]
    if version:
        entries = [e for e in entries if e.get("version") == version]
    if not entries:
        raise NotFoundError(
            f"The catalogue has no package {name}"
            f"{' ' + version if version else ''}; 'aura packages search' "
            "lists what it has.",
            details={"name": name, "version": version},
        )
    return max(entries, key=lambda e: Version(str(e.get("version"))))


def fetch_package(
    location: str, entry: dict[str, Any], progress: Progress | None = None
) -> tuple[bytes, dict[str, Any]]:
    """A package file from the catalogue, its hash checked; and its signature record."""
    rel = str(entry.get("file") or "")
    if not rel or rel.startswith("/") or ".." in rel.split("/"):
        raise PackageInstallError(
            f"The index names an invalid file '{rel}'.", details={"check": "index"}
        )
    data = _get(location, rel, MAX_PACKAGE_BYTES, progress)
    sha = hashlib.sha256(data).hexdigest()
    if sha != entry.get("sha256"):
        raise PackageInstallError(
            f"{entry.get('name')} {entry.get('version')}: the file's SHA-256 ({sha[:12]}…) "
            f"differs from the catalogue's ({str(entry.get('sha256'))[:12]}…): the file was "
            "changed or corrupted. Nothing was installed.",
            details={"check": "hash", "expected": entry.get("sha256"), "actual": sha},
        )
    sig = {
        "publisher": entry.get("publisher"),
        "sha256": entry.get("sha256"),
        "signature": entry.get("signature"),
    }
    return data, sig


def sign_index(folder: str | Path, private_pem: bytes | str, signer: str) -> None:
    """(Re)writes ``index.json.sig`` for the folder's ``index.json``."""
    from engine.vault.signing import sign

    path = Path(folder) / INDEX
    sig = sign(private_pem, path.read_bytes())
    (Path(folder) / (INDEX + ".sig")).write_text(
        json.dumps({"signer": signer, "signature": base64.b64encode(sig).decode()}, indent=2)
        + "\n",
        encoding="utf-8",
    )


def publish(
    folder: str | Path,
    data: bytes,
    sig: dict[str, Any],
    *,
    name: str = "",
    downloads: int | None = None,
) -> dict[str, Any]:
    """Adds a package file (with its signature record) to the catalogue folder and its
    index (replacing the same version). Sign the index afterwards (:func:`sign_index`)."""
    pkg = load_package(data)
    if sig.get("sha256") != pkg.sha256:
        raise ValidationError("The signature record is for another file.")
    root = Path(folder)
    (root / "packages").mkdir(parents=True, exist_ok=True)
    rel = f"packages/{package_filename(pkg.name, pkg.version)}"
    (root / rel).write_bytes(data)
    index_path = root / INDEX
    index: dict[str, Any] = (
        json.loads(index_path.read_text(encoding="utf-8"))
        if index_path.is_file()
        else {"format": 1, "name": name or "AURA catalogue", "packages": []}
    )
    m = pkg.manifest
    entry = {
        "name": m.name,
        "version": m.version,
        "file": rel,
        "sha256": pkg.sha256,
        "size": len(data),
        "publisher": sig.get("publisher"),
        "signature": sig.get("signature"),
        "title": m.title,
        "description": m.description,
        "categories": list(m.categories),
        "downloads": downloads,
        "aura": m.aura,
        "permissions": m.permissions.model_dump(mode="json"),
        "nodes": [{"type": n.type, "version": n.version, "title": n.title} for n in m.nodes],
    }
    kept: list[dict[str, Any]] = [
        e for e in index["packages"] if (e.get("name"), e.get("version")) != (m.name, m.version)
    ]
    index["packages"] = sorted([*kept, entry], key=lambda e: (e["name"], e["version"]))
    index["generated_at"] = datetime.now(UTC).isoformat()
    if name:
        index["name"] = name
    index_path.write_text(json.dumps(index, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return entry
