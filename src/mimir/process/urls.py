"""Canonical article URLs and the identity key derived from them.

``canonicalize`` returns a URL that still works in a browser: the scheme is kept as given;
host lower-cased and IDNA-encoded; default port, fragment, dot segments, duplicate slashes and
tracking parameters removed; percent-encoding normalised (unreserved characters decoded, hex
upper-cased, unsafe characters encoded); query parameters sorted (order carries no identity).

``url_key`` is the identity of an article: the canonical URL without scheme and user info
(``http`` and ``https`` are one article) and without a trailing slash on non-root paths.
``www.`` is kept: it is a different host that may serve different content, and
``index.html`` is kept: whether it equals ``/`` depends on the server. ``url_hash`` is the
SHA-256 of the key, 64 hex characters, for a unique index.

``anchored`` is the one place a fragment carries identity: feed items that share one page (a
press room's single news page with an anchor per release, a live blog's updates, a feed whose
every item links to the home page) are told apart by the fragment
(``mimir.monitor.entries``).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import re
from typing import NamedTuple
from urllib.parse import unquote, urljoin, urlsplit

import idna

from mimir.errors import InputError
from mimir.process.tracking import is_tracking_param

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = "!$&'()*+,;="
_PATH_SAFE = _UNRESERVED | frozenset(_SUB_DELIMS + ":@/")
_QUERY_SAFE = _UNRESERVED | frozenset("!$'()*+,;=:@/?")  # '&' separates, '#' cannot occur
_USERINFO_SAFE = _UNRESERVED | frozenset(_SUB_DELIMS + ":")
_FRAGMENT_SAFE = _PATH_SAFE | frozenset("?")
_HEX = frozenset("0123456789abcdefABCDEF")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_RE = re.compile(r"^[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?$")
_STRIP = "".join(chr(c) for c in range(33))  # C0 controls and space
_TAB_NEWLINE = str.maketrans("", "", "\t\n\r")
_SLASHES = re.compile(r"/{2,}")
#: per safe set, a character that needs _normalize_pct's loop (an escape, or an unsafe one):
#: most URLs have none, and a regular expression finds that at C speed
_NEEDS_WORK = {
    safe: re.compile("[^" + re.escape("".join(sorted(safe))) + "]")
    for safe in (_PATH_SAFE, _QUERY_SAFE, _USERINFO_SAFE, _FRAGMENT_SAFE)
}


class _Parts(NamedTuple):
    scheme: str
    userinfo: str
    host: str
    port: int | None
    path: str
    query: str

    @property
    def netloc(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"


def canonicalize(url: str, base: str | None = None) -> str:
    """The canonical form of an http(s) URL, resolved against ``base``; InputError if invalid."""
    p = _canonical_parts(url, base)
    userinfo = f"{p.userinfo}@" if p.userinfo else ""
    query = f"?{p.query}" if p.query else ""
    return f"{p.scheme}://{userinfo}{p.netloc}{p.path}{query}"


def url_key(url: str) -> str:
    """The identity of an article URL: canonical, scheme-less, no trailing slash."""
    p = _canonical_parts(url, None)
    path = p.path.rstrip("/") if p.path != "/" else p.path
    query = f"?{p.query}" if p.query else ""
    return f"{p.netloc}{path or '/'}{query}"


def url_hash(url: str) -> str:
    """Hex SHA-256 (64 characters) of ``url_key(url)``."""
    return hashlib.sha256(url_key(url).encode("utf-8")).hexdigest()


def anchored(url: str, fragment: str) -> tuple[str, str]:
    """An item on a shared page: its address (the canonical URL with ``#fragment``, which a
    browser opens at the item) and its identity hash (``url_key`` with the fragment)."""
    frag = _normalize_pct(fragment, _FRAGMENT_SAFE)
    key = f"{url_key(url)}#{frag}"
    return f"{canonicalize(url)}#{frag}", hashlib.sha256(key.encode("utf-8")).hexdigest()


def host_of(url: str) -> str:
    """Lower-case ``host`` or ``host:port`` (non-default port) of an http(s) URL."""
    return _canonical_parts(url, None).netloc


def is_http_url(url: str) -> bool:
    """Whether ``url`` is an absolute http(s) URL with a valid host."""
    try:
        _canonical_parts(url, None)
    except InputError:
        return False
    return True


# ---- the steps ------------------------------------------------------------------------------


def _canonical_parts(url: str, base: str | None) -> _Parts:
    if not isinstance(url, str) or not isinstance(base, str | None):
        raise InputError(f"not a URL: {url!r}")
    return _cached_parts(url, base)


@functools.lru_cache(maxsize=4096)
def _cached_parts(url: str, base: str | None) -> _Parts:
    """The work of ``_canonical_parts``, kept for the last few thousand URLs: one article's
    URL is canonicalized and hashed several times on its way (entry, page, canonical link)."""
    raw = url.strip(_STRIP).translate(_TAB_NEWLINE)
    if base:
        raw = urljoin(base.strip(_STRIP).translate(_TAB_NEWLINE), raw)
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise InputError(f"invalid URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InputError(f"not an absolute http(s) URL: {url!r}")
    userinfo, _, _ = parts.netloc.rpartition("@")
    host = _normalize_host(parts.hostname or "", url)
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    return _Parts(
        scheme=scheme,
        userinfo=_normalize_pct(userinfo, _USERINFO_SAFE),
        host=host,
        port=port,
        path=_normalize_path(parts.path),
        query=_normalize_query(parts.query),
    )


def _normalize_host(host: str, url: str) -> str:
    host = host.rstrip(".")
    if not host:
        raise InputError(f"URL has no host: {url!r}")
    if ":" in host:  # IPv6 literal (urlsplit removed the brackets)
        try:
            return f"[{ipaddress.IPv6Address(host.split('%')[0]).compressed}]"
        except ValueError:
            raise InputError(f"invalid IPv6 host in {url!r}") from None
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                raise InputError(f"invalid international host name in {url!r}") from None
    host = host.lower()
    if not _HOST_RE.match(host) or ".." in host:
        raise InputError(f"invalid host name in {url!r}")
    return host


def _normalize_path(path: str) -> str:
    path = _normalize_pct(path, _PATH_SAFE)
    path = _SLASHES.sub("/", path or "/")
    return _remove_dot_segments(path)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 on an absolute path."""
    out: list[str] = []
    segments = path.split("/")[1:]
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == "..":
            if out:
                out.pop()
            if last:
                out.append("")
        elif seg == ".":
            if last:
                out.append("")
        else:
            out.append(seg)
    return "/" + "/".join(out)


def _normalize_query(query: str) -> str:
    pairs: list[tuple[str, str, str]] = []
    for piece in query.split("&"):
        if not piece:
            continue
        key, sep, value = piece.partition("=")
        key = _normalize_pct(key, _QUERY_SAFE)
        if is_tracking_param(unquote(key.replace("+", " "))):
            continue
        pairs.append((key, sep, _normalize_pct(value, _QUERY_SAFE)))
    pairs.sort()
    return "&".join(f"{k}{sep}{v}" for k, sep, v in pairs)


def _normalize_pct(text: str, safe: frozenset[str]) -> str:
    """Decode escaped unreserved characters, upper-case other escapes, encode the unsafe."""
    plain = _NEEDS_WORK.get(safe)
    if plain is not None and plain.search(text) is None:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "%" and _is_hex2(text, i):
            ch = chr(int(text[i + 1 : i + 3], 16))
            out.append(ch if ch in _UNRESERVED else "%" + text[i + 1 : i + 3].upper())
            i += 3
            continue
        if c in safe:
            out.append(c)
        else:
            out.extend(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass"))
        i += 1
    return "".join(out)


def _is_hex2(text: str, i: int) -> bool:
    pair = text[i + 1 : i + 3]
    return len(pair) == 2 and pair[0] in _HEX and pair[1] in _HEX
