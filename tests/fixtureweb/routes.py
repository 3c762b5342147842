"""Routes the fixture web serves, and the conditional-GET rules they follow."""

from __future__ import annotations

import gzip as gzip_module
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import NamedTuple


class LoggedRequest(NamedTuple):
    """One request as the fixture web saw it (``time`` is ``time.monotonic()``)."""

    time: float
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-cased names
    client: tuple[str, int]


@dataclass(frozen=True, slots=True)
class Route:
    """A canned response."""

    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    delay: float = 0.0

    def not_modified(self, request_headers: dict[str, str]) -> bool:
        """Whether If-None-Match / If-Modified-Since let us answer 304."""
        inm = request_headers.get("if-none-match")
        if inm is not None:
            if self.etag is None:
                return False
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return "*" in tags or self.etag.removeprefix("W/") in tags
        ims = request_headers.get("if-modified-since")
        if ims is None or self.last_modified is None:
            return False
        try:
            return parsedate_to_datetime(self.last_modified) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False

    def validators(self) -> dict[str, str]:
        out = {}
        if self.etag is not None:
            out["ETag"] = self.etag
        if self.last_modified is not None:
            out["Last-Modified"] = self.last_modified
        return out

    def encoded(self, accept_encoding: str) -> tuple[bytes, dict[str, str]]:
        """The body to send and the headers that describe it."""
        headers = {"Content-Type": self.content_type, **self.validators(), **self.headers}
        if self.gzip:
            headers["Vary"] = "Accept-Encoding"
            if "gzip" in accept_encoding.lower():
                headers["Content-Encoding"] = "gzip"
                return gzip_module.compress(self.body, mtime=0), headers
        return self.body, headers
