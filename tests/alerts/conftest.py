"""Fixtures for the notification tests: anyio on asyncio, a webhook receiver, an SMTP server."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest

from tests.alerts.receiver import Receiver, SMTPServer

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    with SMTPServer() as server:
        yield server
