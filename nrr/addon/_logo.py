"""The add-on's logo, drawn here as a PNG so ``nrr serve`` has it without shipping a binary file:
three rising bars (retention that grows) on nrr's blue, 96 x 96 pixels."""

from __future__ import annotations

import functools
import struct
import zlib

SIZE = 96
BACKGROUND = (29, 53, 87)
BARS = (42, 157, 143)
# (left, right, top) of each bar in pixels; the bars stand on a baseline at y = 76
_BARS = ((18, 34, 52), (40, 56, 36), (62, 78, 20))
_BASE = 76


def _pixel(x: int, y: int) -> tuple[int, int, int]:
    for left, right, top in _BARS:
        if left <= x < right and top <= y < _BASE:
            return BARS
    return BACKGROUND


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@functools.cache
def logo_png() -> bytes:
    """The logo as PNG bytes (8-bit RGB, no interlace)."""
    rows = b"".join(b"\x00" + bytes(c for x in range(SIZE) for c in _pixel(x, y)) for y in range(SIZE))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9))
            + _chunk(b"IEND", b""))
