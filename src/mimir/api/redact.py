"""What the HTTP side may log of a request: its path with any feed token cut to a prefix.

A feed token is the feed's only credential, so logs (ours and the server's) never carry one in
full: ``/feeds/Zk3q9P***.atom``. A prefix is enough to tell feeds apart when reading logs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from starlette.requests import HTTPConnection

TOKEN_PREFIX = 6
_FEED = re.compile(r"^(/feeds/)([^/]*?)(\.[A-Za-z]+)?$")


def token_prefix(token: str) -> str:
    """The part of a token that may be logged: a few characters (fewer for short tokens)."""
    return token[: min(TOKEN_PREFIX, len(token) // 4)] + "***"


def redact(path: str) -> str:
    """``path`` with a feed token shortened to its prefix (other paths unchanged)."""
    found = _FEED.match(path)
    if found is None:
        return path
    return f"{found.group(1)}{token_prefix(found.group(2))}{found.group(3) or ''}"


def scrub(text: str, path: str) -> str:
    """``text`` (a traceback, an error message) with the feed token of ``path`` shortened."""
    found = _FEED.match(path)
    token = found.group(2) if found else ""
    return text.replace(token, token_prefix(token)) if len(token) >= 4 else text


def redact_path(conn: HTTPConnection | Mapping[str, Any]) -> str:
    """The redacted path of a request (or of an ASGI scope)."""
    scope = conn.scope if isinstance(conn, HTTPConnection) else conn
    return redact(str(scope.get("path", "")))
