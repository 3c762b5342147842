"""Channels: where notifications go, written as Apprise URLs.

``mailto://``/``mailtos://`` (SMTP), ``slack://``, ``workflows://`` (Microsoft Teams),
``discord://``, ``tgram://``, ``ntfy://``, a service's own webhook address
(``https://hooks.slack.com/...``), and every other service Apprise knows. Generic webhooks
(``json://``/``jsons://``) are delivered by Mimir itself, signed with HMAC-SHA256
(:mod:`mimir.alerts.webhook`); Apprise's unsigned ``form://`` and ``xml://`` are refused.

A channel URL holds secrets (passwords, tokens, webhook keys). :class:`Channel` never shows
them: its ``repr`` leaves the URL out and ``display`` is the redacted form (Apprise's
``url(privacy=True)``), which is what logs, errors and the UI use. Channel URLs may not make
Apprise read local files (``template=/etc/...``, PGP key paths) or fetch templates from URLs.

A URL may name secrets kept outside the database as ``${NAME}`` placeholders (the legacy
import writes ``mailto://user:${SMTP_PASS}@host``). They are filled from a mapping the operator
provides, never from the whole environment: a user who may write channel URLs could otherwise
send ``${MIMIR_DATABASE_URL}`` to a server of their own.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from apprise import Apprise, AppriseAsset
from apprise.plugins.base import NotifyBase
from yarl import URL

from mimir.errors import InputError

WEBHOOK_SCHEMES = {"json": "http", "jsons": "https"}
REFUSED_SCHEMES = {
    "form": "form:// webhooks cannot be signed; use json:// (a signed JSON webhook)",
    "forms": "forms:// webhooks cannot be signed; use jsons:// (a signed JSON webhook)",
    "xml": "xml:// webhooks cannot be signed; use json:// (a signed JSON webhook)",
    "xmls": "xmls:// webhooks cannot be signed; use jsons:// (a signed JSON webhook)",
}
# query parameters through which Apprise reads a local file or fetches a URL itself
FILE_PARAMETERS = frozenset({"template", "keyfile", "pgppub", "pgpprv", "pgpkey"})
_LOCAL_REFERENCE = re.compile(r"^\s*(file:|/|~|\.{1,2}[/\\]|[a-z]:[\\/]|\\\\)", re.I)
_REMOTE_REFERENCE = re.compile(r"^\s*[a-z][a-z0-9+.-]*://", re.I)
_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.-]*)://", re.I)
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# hosts of these services are mail domains or ids, not addresses Mimir connects to
_HOST_IS_NOT_AN_ADDRESS = frozenset({"mailgun", "sparkpost", "sendpulse", "smtp2go", "wechat"})
_MIN_SECRET_CHARS = 4
_load_lock = threading.Lock()
_loaded = False


class InvalidChannel(InputError):
    """The channel URL cannot be used (the message says why, without its secrets)."""

    code = "invalid_channel"


class MissingPlaceholder(InvalidChannel):
    """The channel URL names a ``${NAME}`` secret that has no value (yet)."""


class ChannelKind(StrEnum):
    """Who delivers to the channel."""

    APPRISE = "apprise"
    WEBHOOK = "webhook"  # json:// and jsons://: delivered and signed by Mimir


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """Where a signed webhook goes: the http(s) URL, extra headers, Basic auth, TLS check."""

    url: str = field(repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    verify_tls: bool = True


@dataclass(frozen=True, slots=True)
class Channel:
    """A validated channel. ``url`` holds secrets: show ``display`` instead (also ``str()``).

    ``url`` is the URL as written (placeholders kept: store this one); ``send_url`` has the
    placeholders filled in and is what the notifier uses.
    """

    url: str = field(repr=False)
    kind: ChannelKind
    scheme: str  # the Apprise scheme, e.g. "mailtos", "slack", "jsons"
    service: str  # the service's name, e.g. "E-Mail", "Slack", "Signed webhook"
    display: str  # redacted: safe to log, store and show
    webhook: WebhookTarget | None = field(default=None, repr=False)
    send_url: str = field(default="", repr=False)

    def __str__(self) -> str:
        return self.display

    @property
    def target_url(self) -> str:
        return self.send_url or self.url


def expand_placeholders(url: str, values: Mapping[str, str] | None) -> str:
    """``url`` with each ``${NAME}`` replaced by ``values[NAME]`` (percent-encoded, so it is
    safe in any part of the URL); InvalidChannel names the placeholders that have no value."""
    names = PLACEHOLDER.findall(url)
    if not names:
        return url
    missing = sorted({n for n in names if n not in (values or {})})
    if missing:
        listed = ", ".join("${" + n + "}" for n in missing)
        raise MissingPlaceholder(f"no value for {listed}: not among the channel secrets configured")
    known = values or {}
    return PLACEHOLDER.sub(lambda m: quote(known[m.group(1)], safe=""), url)


def asset() -> AppriseAsset:
    """The Apprise asset Mimir sends with: English messages, no disk storage."""
    return AppriseAsset(
        app_id="Mimir",
        app_desc="Mimir news alerts",
        app_url="https://github.com/mimir-news/mimir",
        language="en",
        storage_mode="memory",
        secure_logging=True,
    )


def load_plugins() -> None:
    """Load Apprise's plugins once (one of them imports the deprecated ``imghdr``)."""
    global _loaded
    if _loaded:
        return
    with _load_lock:
        if _loaded:
            return
        from apprise.plugins import N_MGR

        manager: Any = N_MGR
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*imghdr.*", category=DeprecationWarning)
            manager.load_modules()
        _loaded = True


def instantiate(url: str) -> NotifyBase:
    """The Apprise plugin for ``url`` (a fresh object: plugins keep per-send state)."""
    load_plugins()
    plugin = Apprise.instantiate(url, asset=asset(), suppress_exceptions=False)
    if not isinstance(plugin, NotifyBase):
        raise InvalidChannel(f"{_scheme_of(url) or 'this'} URL could not be parsed")
    return plugin


def parse_channel(url: str, *, placeholders: Mapping[str, str] | None = None) -> Channel:
    """Validate a channel URL; InvalidChannel names what is wrong without echoing secrets.

    ``placeholders``: the values of the ``${NAME}`` secrets a URL may use.
    """
    if not isinstance(url, str) or not url.strip():
        raise InvalidChannel("a channel is an Apprise URL such as mailtos://user:pass@host")
    written = url.strip()
    url = expand_placeholders(written, placeholders)
    channel = _parse(url)
    if url == written:
        return channel
    return replace(channel, url=written, send_url=url)


def _parse(url: str) -> Channel:
    scheme = _scheme_of(url)
    if scheme is None:
        raise InvalidChannel(
            "a channel is an Apprise URL with a scheme, such as mailtos://, slack://, "
            "ntfys:// or jsons:// (see docs/alerts.md)"
        )
    if scheme in REFUSED_SCHEMES:
        raise InvalidChannel(REFUSED_SCHEMES[scheme])
    _check_parameters(url)
    load_plugins()
    from apprise.plugins import N_MGR

    if scheme not in N_MGR and scheme not in ("http", "https"):
        raise InvalidChannel(f"unknown channel type {scheme}:// (see docs/alerts.md)")
    if scheme in N_MGR and not N_MGR[scheme].enabled:
        raise InvalidChannel(f"{scheme}:// channels are not available on this system")
    try:
        plugin = Apprise.instantiate(url, asset=asset(), suppress_exceptions=False)
    except Exception as exc:  # Apprise plugins raise TypeError, ValueError and their own
        raise InvalidChannel(f"invalid {scheme}:// URL: {redact(str(exc), url)}") from None
    if not isinstance(plugin, NotifyBase):
        if scheme in ("http", "https"):
            raise InvalidChannel(
                f"{scheme}:// is not a service's own webhook address that Apprise knows; "
                "for a generic webhook write jsons://host/path (Mimir signs it)"
            )
        raise InvalidChannel(f"this {scheme}:// URL could not be parsed (see docs/alerts.md)")
    if scheme in WEBHOOK_SCHEMES:
        return _webhook_channel(url, scheme, plugin)
    display = _display(privacy_url(plugin), url)
    schema = _scheme_of(display) or scheme
    return Channel(url, ChannelKind.APPRISE, schema, str(plugin.service_name), display)


def network_host(plugin: NotifyBase) -> str | None:
    """The host Apprise will connect to for this channel when the user chose it (a mail server,
    a self-hosted ntfy, Gotify, Matrix ...), None for fixed cloud endpoints."""
    smtp_host = getattr(plugin, "smtp_host", None)
    if isinstance(smtp_host, str) and smtp_host:
        return smtp_host
    schema = _scheme_of(privacy_url(plugin)) or ""
    if schema.rstrip("s") in _HOST_IS_NOT_AN_ADDRESS or schema in _HOST_IS_NOT_AN_ADDRESS:
        return None
    if schema in ("ntfy", "ntfys") and getattr(plugin, "mode", None) != "private":
        return None
    if "host" not in getattr(type(plugin), "template_tokens", {}):
        return None
    host = getattr(plugin, "host", None)
    return host.strip("[]") if isinstance(host, str) and host else None


def privacy_url(plugin: Any) -> str:
    """Apprise's own redacted form of a plugin's URL."""
    return str(plugin.url(privacy=True))


def redact(message: str, url: str, keep: Iterable[str] = ()) -> str:
    """``message`` with every part of ``url`` that may be secret replaced by ``****``.

    ``keep`` lists parts known to be harmless (those Apprise shows in its privacy URL).
    """
    kept = set(keep)
    for token in sorted(_url_tokens(url) - kept, key=len, reverse=True):
        message = message.replace(token, "****")
    return message


def visible_parts(display: str) -> set[str]:
    """The parts of a redacted URL left readable (never secrets)."""
    return {t for t in _url_tokens(display) if "..." not in t and "*" not in t}


# ---- helpers ------------------------------------------------------------------------------------


def _scheme_of(url: str) -> str | None:
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else None


def _check_parameters(url: str) -> None:
    query = url.split("?", 1)[1] if "?" in url else ""
    for key, value in parse_qsl(query, keep_blank_values=True):
        name = key.lower().lstrip("+-:")
        if _LOCAL_REFERENCE.match(value):
            raise InvalidChannel(f"parameter {name}= points at a local file; not allowed")
        if name in FILE_PARAMETERS and (
            _REMOTE_REFERENCE.match(value) or any(c in value for c in "/\\") or value[:1] == "."
        ):
            raise InvalidChannel(
                f"parameter {name}= would make Mimir read a file or fetch a URL; not allowed"
            )


def _url_tokens(url: str) -> set[str]:
    """Every part of ``url`` (user, password, host, path segments, query values), raw and
    unquoted, at least a few characters long."""
    raw: list[str] = []
    try:
        parts = urlsplit(url.strip())
        raw += [parts.username or "", parts.password or "", parts.hostname or ""]
    except ValueError:  # a malformed port or IPv6 address: the plain splitting below still works
        pass
    rest = url.split("://", 1)[-1]
    netloc, _, tail = rest.partition("/")
    raw += re.split(r"[:@]", netloc)
    path, _, query = tail.partition("?")
    raw += path.split("/")
    for key, value in parse_qsl(query.split("#", 1)[0], keep_blank_values=True):
        raw.append(value)
        raw.append(key.lstrip("+-:") + "=" + value)
    tokens: set[str] = set()
    for item in raw:
        for form in (item, unquote(item)):
            if len(form) >= _MIN_SECRET_CHARS:
                tokens.add(form)
    return tokens


def _display(privacy_url: str, original: str) -> str:
    """Apprise's privacy URL, keeping only the query parameters the user wrote (not the
    defaults Apprise lists)."""
    base, _, query = privacy_url.partition("?")
    if not query:
        return base
    wanted = {
        k.lower().lstrip("+-:")
        for k, _ in parse_qsl(original.split("?", 1)[1] if "?" in original else "")
    }
    kept = [
        f"{k}={v}"
        for k, v in (pair.split("=", 1) if "=" in pair else (pair, "") for pair in query.split("&"))
        if unquote(k).lower().lstrip("+-:") in wanted and k.lower() not in ("to", "from")
    ]
    return f"{base}?{'&'.join(kept)}" if kept else base


def _mask(segment: str) -> str:
    """A path segment that looks like a key (long, or letters mixed with digits) as ``a...z``."""
    looks_secret = len(segment) >= 24 or (
        len(segment) >= 8
        and any(c.isdigit() for c in segment)
        and any(c.isalpha() for c in segment)
    )
    return f"{segment[0]}...{segment[-1]}" if looks_secret else segment


def _webhook_channel(url: str, scheme: str, plugin: Any) -> Channel:
    if str(plugin.method).upper() != "POST":
        raise InvalidChannel(f"{scheme}:// webhooks are sent with POST; drop method=")
    if plugin.payload_extras:
        raise InvalidChannel(
            f"{scheme}:// payload mapping (:key=value) is not supported: Mimir sends its own "
            "signed JSON (see docs/alerts.md)"
        )
    host = str(plugin.host)
    port = f":{plugin.port}" if plugin.port else ""
    path = str(plugin.fullpath or "/")
    if not path.startswith("/"):
        path = "/" + path
    target = URL(f"{WEBHOOK_SCHEMES[scheme]}://{host}{port}{path}", encoded=True)
    if plugin.params:
        target = target.update_query({str(k): str(v) for k, v in plugin.params.items()})
    headers = {str(k): str(v) for k, v in plugin.headers.items()}
    user = f"{plugin.user}:****@" if plugin.user and plugin.password else ""
    if plugin.user and not plugin.password:
        user = f"{plugin.user}@"
    shown = "/".join(_mask(unquote(s)) for s in path.split("/"))
    extras = [f"+{k}=****" for k in headers] + [f"-{k}=****" for k in plugin.params]
    display = f"{scheme}://{user}{host}{port}{shown}" + (f"?{'&'.join(extras)}" if extras else "")
    return Channel(
        url,
        ChannelKind.WEBHOOK,
        scheme,
        "Signed webhook",
        display,
        WebhookTarget(
            url=str(target),
            headers=headers,
            username=str(plugin.user) if plugin.user else None,
            password=str(plugin.password) if plugin.password else None,
            verify_tls=bool(plugin.verify_certificate),
        ),
    )


__all__ = [
    "Channel",
    "ChannelKind",
    "InvalidChannel",
    "MissingPlaceholder",
    "WebhookTarget",
    "expand_placeholders",
    "instantiate",
    "network_host",
    "parse_channel",
    "redact",
]
