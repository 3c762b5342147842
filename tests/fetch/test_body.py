"""Bounded decoding of bodies, on hand-built byte streams."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import AsyncIterator

import pytest

from mimir.errors import BodyTooLarge, FetchError
from mimir.fetch.body import read_body

pytestmark = pytest.mark.anyio
TEXT = b"<item>news</item>" * 2000


async def chunks(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def raw_deflate(data: bytes) -> bytes:
    comp = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return comp.compress(data) + comp.flush()


@pytest.mark.parametrize(
    ("encoding", "wire"),
    [
        ("", TEXT),
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT)),
        ("x-gzip", gzip.compress(TEXT)),
        ("GZIP", gzip.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)),
        ("deflate", raw_deflate(TEXT)),
    ],
)
async def test_decodes(encoding: str, wire: bytes) -> None:
    assert await read_body(chunks(wire), encoding, len(TEXT), "u") == TEXT


async def test_gzip_members_and_trailing_garbage() -> None:
    wire = gzip.compress(b"one ") + gzip.compress(b"two") + b"\0\0junk"
    assert await read_body(chunks(wire, 7), "gzip", 100, "u") == b"one two"


async def test_cap_counts_decoded_bytes() -> None:
    wire = gzip.compress(TEXT)
    assert len(wire) < 1000
    with pytest.raises(BodyTooLarge):
        await read_body(chunks(wire), "gzip", len(TEXT) - 1, "u")


async def test_bomb_in_one_chunk_is_bounded() -> None:
    wire = gzip.compress(bytes(50 * 1024 * 1024))
    with pytest.raises(BodyTooLarge):
        await read_body(chunks(wire, len(wire)), "gzip", 100_000, "u")


async def test_corrupt_or_unknown_encoding() -> None:
    with pytest.raises(FetchError, match="decode"):
        await read_body(chunks(b"\x1f\x8bnot really gzip"), "gzip", 100, "u")
    with pytest.raises(FetchError, match="Content-Encoding"):
        await read_body(chunks(b"x"), "br", 100, "u")


def test_inflates_with_zlib_ng() -> None:
    """The documented choice (README's dependency table): zlib-ng, 2x zlib's inflate speed."""
    from mimir.fetch import body

    assert body.zlib.__name__ == "zlib_ng.zlib_ng"
