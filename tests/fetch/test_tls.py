"""TLS failures: a named error with OpenSSL's reason, never taken for a network outage."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from mimir.config import Settings
from mimir.errors import TLSError
from mimir.fetch import Fetcher
from mimir.metrics import fetch_outcome

pytestmark = pytest.mark.anyio

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
async def self_signed() -> AsyncIterator[str]:
    """An HTTPS server on 127.0.0.1 whose certificate no authority signed (a test-only pair
    in tests/data, valid for localhost and 127.0.0.1 until 2126)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(DATA / "selfsigned-cert.pem", DATA / "selfsigned-key.pem")
    async def feed(_: web.Request) -> web.Response:
        return web.Response(text="<rss/>")

    app = web.Application()
    app.router.add_get("/feed.xml", feed)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"https://127.0.0.1:{port}/feed.xml"
    finally:
        await runner.cleanup()


async def test_untrusted_certificate_is_a_tls_error(self_signed: str, settings: Settings) -> None:
    async with Fetcher(settings) as fetcher:
        for _ in range(5):  # repeated: a TLS failure is no sign that the network is down
            with pytest.raises(TLSError) as caught:
                await fetcher.fetch(self_signed)
    error = caught.value
    assert error.code == "tls_error" and error.counts_against_source
    assert "self-signed certificate" in error.message
    assert "trusted by no authority" in error.message
    assert fetch_outcome(error) == "tls"
