"""Reading a package file (a zip) safely, in memory, with nothing written anywhere.

A package file comes from anyone, so every entry is checked before its bytes are read:
names must be relative UTF-8 paths without ``..``, drive letters, backslashes or
duplicates (also case-insensitive ones); only regular files (no symlinks, hard links,
devices); no encryption; a bounded number of entries; sizes and the compression ratio
bounded *while* decompressing (a zip's declared sizes are not trusted), so a
decompression bomb stops at the limit. The result is a dict of path -> bytes.
"""

from __future__ import annotations

import io
import stat
import zipfile
from dataclasses import dataclass

from engine.errors import PackageInstallError

__all__ = ["Limits", "read_archive"]

_UTF8_FLAG = 0x800
_ALLOWED_SUFFIXES = (".py", ".md", ".json", ".svg", ".png", ".txt")


@dataclass(frozen=True)
class Limits:
    """Bounds on one package file."""

    archive_bytes: int = 5 * 1024 * 1024
    entries: int = 200
    file_bytes: int = 1024 * 1024
    total_bytes: int = 8 * 1024 * 1024
    ratio: int = 100


def _refuse(message: str, entry: str | None = None) -> PackageInstallError:
    details = {"check": "archive"}
    if entry is not None:
        details["entry"] = entry
    return PackageInstallError(f"The package file is refused: {message}", details=details)


def _check_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & _UTF8_FLAG and not name.isascii():
        raise _refuse("an entry name is not UTF-8 (names must be UTF-8 encoded).", repr(name))
    if "\\" in name or "\x00" in name:
        raise _refuse(f"entry '{name}' contains a backslash or NUL.", name)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise _refuse(f"entry '{name}' is an absolute path.", name)
    parts = name.rstrip("/").split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise _refuse(
            f"entry '{name}' leaves the package folder ('..', '.' or an empty part).", name
        )
    if len(name) > 200:
        raise _refuse("an entry name is longer than 200 characters.", name[:60])
    return name


def _check_kind(info: zipfile.ZipInfo) -> None:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        what = "a symbolic link" if kind == stat.S_IFLNK else "not a regular file"
        raise _refuse(f"entry '{info.filename}' is {what}.", info.filename)
    if info.flag_bits & 0x1:
        raise _refuse(f"entry '{info.filename}' is encrypted.", info.filename)


def _read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, used: int) -> bytes:
    room = min(limits.file_bytes, limits.total_bytes - used)
    max_by_ratio = max(info.compress_size, 1) * limits.ratio + 4096
    out = bytearray()
    with zf.open(info) as f:
        while True:
            chunk = f.read(64 * 1024)
            if not chunk:
                break
            out += chunk
            if len(out) > room:
                raise _refuse(
                    f"entry '{info.filename}' unpacks to more than {room} bytes (size limit).",
                    info.filename,
                )
            if len(out) > max_by_ratio:
                raise _refuse(
                    f"entry '{info.filename}' is compressed more than "
                    f"{limits.ratio}:1 (a decompression bomb?).",
                    info.filename,
                )
    return bytes(out)


def read_archive(data: bytes, limits: Limits | None = None) -> dict[str, bytes]:
    """The files of a package zip by path (directories dropped).

    Raises:
        PackageInstallError: ``details["check"] == "archive"``, naming the entry and the
            rule it breaks.
    """
    limits = limits or Limits()
    if len(data) > limits.archive_bytes:
        raise _refuse(f"it is {len(data)} bytes; at most {limits.archive_bytes} are accepted.")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _refuse(f"it is not a zip archive ({exc}).") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.entries:
            raise _refuse(f"it has {len(infos)} entries; at most {limits.entries} are accepted.")
        seen: set[str] = set()
        for info in infos:
            name = _check_name(info)
            _check_kind(info)
            key = name.rstrip("/").lower()
            if key in seen:
                raise _refuse(f"entry '{name}' appears twice.", name)
            seen.add(key)
        files: dict[str, bytes] = {}
        used = 0
        for info in infos:
            if info.is_dir():
                continue
            if not info.filename.endswith(_ALLOWED_SUFFIXES):
                raise _refuse(
                    f"entry '{info.filename}' has a file type packages may not "
                    f"carry (allowed: {', '.join(_ALLOWED_SUFFIXES)}).",
                    info.filename,
                )
            try:
                body = _read_bounded(zf, info, limits, used)
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
                raise _refuse(
                    f"entry '{info.filename}' cannot be read ({exc}).", info.filename
                ) from None
            used += len(body)
            files[info.filename] = body
        return files
