"""Length-prefixed frames over pipes, shared by the host, the zygote and the run process.

A frame is a 4-byte big-endian length followed by that many bytes (JSON text, UTF-8).
These helpers are blocking and used inside the sandbox processes; the host side adds
deadlines (see :mod:`engine.sandbox.pool`).
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

__all__ = ["HEADER", "decode", "encode", "frame", "read_exact", "read_frame", "write_all"]

HEADER = struct.Struct(">I")


def frame(data: bytes) -> bytes:
    """``data`` with its length prefix."""
    return HEADER.pack(len(data)) + data


def encode(obj: Any) -> bytes:
    """JSON-encodes a protocol message (ASCII only, no NaN)."""
    return json.dumps(obj, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode()


def decode(data: bytes) -> Any:
    """Parses a protocol message."""
    return json.loads(data)


def write_all(fd: int, data: bytes) -> None:
    """Writes every byte of ``data`` to a blocking ``fd``."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def read_exact(fd: int, n: int) -> bytes:
    """Reads exactly ``n`` bytes from a blocking ``fd``; raises EOFError if it closes first."""
    chunks: list[bytes] = []
    while n > 0:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError("pipe closed")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, max_size: int) -> bytes:
    """Reads one frame from a blocking ``fd``.

    Raises:
        EOFError: the pipe closed.
        ValueError: the announced length is larger than ``max_size``.
    """
    (size,) = HEADER.unpack(read_exact(fd, HEADER.size))
    if size > max_size:
        raise ValueError(f"frame of {size} bytes exceeds {max_size}")
    return read_exact(fd, size)
