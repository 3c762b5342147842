"""The verification snippet in docs/alerts.md works on a real signed delivery."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mimir.alerts.digest import render_test
from mimir.alerts.notify import Notifier
from mimir.alerts.signing import mint_webhook_secret, signature_header
from tests.alerts.conftest import LOOPBACK
from tests.alerts.receiver import Receiver

pytestmark = pytest.mark.anyio

DOC = Path(__file__).resolve().parents[2] / "docs" / "alerts.md"


def snippet() -> Callable[..., bool]:
    text = DOC.read_text()
    after = text.split("<!-- verify-snippet", 1)[1]
    code = re.search(r"```python\n(.*?)```", after, re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), str(DOC), "exec"), namespace)
    verify: Callable[..., bool] = namespace["verify_mimir_signature"]
    return verify


async def test_the_documented_snippet_verifies_a_real_delivery(receiver: Receiver) -> None:
    verify = snippet()
    secret = mint_webhook_secret()
    async with Notifier(allowed_networks=LOOPBACK) as notifier:
        result = await notifier.deliver(
            receiver.url("/mimir", scheme="json"), render_test(), secret=secret
        )
    assert result.ok
    request = receiver.requests[-1]
    header = request.headers["x-mimir-signature"]
    assert verify(secret, header, request.body)
    assert not verify(secret, header, request.body + b" ")
    assert not verify(mint_webhook_secret(), header, request.body)
    stale = signature_header(secret, int(request.headers["x-mimir-timestamp"]) - 3600, request.body)
    assert not verify(secret, stale, request.body)
    assert not verify(secret, "v1=abc", request.body)
