"""Pages that stand in front of an article: the consent walls a news site redirects to, the
challenge and block pages of bot-protection services, and pages that send the browser on with a
meta refresh (below).

Many European publishers send a client without the site's consent cookie to a consent page
first (Yahoo's ``consent.yahoo.com`` and ``guce.yahoo.com``, Google's ``consent.google.com``,
DPG Media's ``myprivacy.dpgmedia.nl``, a site's own ``/cookie-wall``...). Extracted, that page
gives the same title and text for every article of the site; the content fingerprint would
then take every later article for a copy of the first. An article page that was redirected to
such a page is not extracted: the feed's own values are stored, as when a page cannot be had.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

_WALL_HOST = re.compile(r"^(?:consent|guce|cmp|myprivacy|privacy-gate|cookiewall)\.", re.I)
_WALL_PATH = re.compile(
    r"consent|cookie[-_]?(?:wall|gate|check)|privacy[-_]?(?:gate|wall)|gdpr", re.I
)


def consent_wall(requested: str, final: str) -> bool:
    """Whether a fetch of ``requested`` was redirected to a consent page (``final``)."""
    if not final or final == requested:
        return False
    try:
        parts = urlsplit(final)
    except ValueError:
        return False
    host = parts.hostname or ""
    return bool(_WALL_HOST.match(host) or _WALL_PATH.search(parts.path))


# ---- bot protection ------------------------------------------------------------------------
#
# Many news sites sit behind a bot-protection service that answers an automated client with a
# challenge page meant for a browser (a script to run, a CAPTCHA), or a block page. Mimir does
# not solve challenges; it says which service refused it, so the operator knows that retrying
# will not help and what to ask the site for. Signals are the services' own: response headers
# on an error status, and markers in a challenge page's body (which some services send with
# 200). A normal page of a protected site carries some of the same scripts, so the body
# markers are ones found only on the challenge or block pages themselves.

#: (service, marker) pairs looked for in a challenge or block page's body
_BODY_MARKERS: tuple[tuple[str, bytes], ...] = (
    ("Cloudflare", b"_cf_chl_opt"),  # the managed and JavaScript challenges' settings
    ("Cloudflare", b"<title>Attention Required! | Cloudflare</title>"),  # a WAF block
    ("Cloudflare", b"used Cloudflare to restrict access"),  # error 1020, access denied
    ("DataDome", b"captcha-delivery.com"),
    ("PerimeterX (HUMAN)", b"px-captcha"),
    ("Sucuri", b"sucuri_cloudproxy_js"),
    ("Sucuri", b"Sucuri WebSite Firewall - Access Denied"),
    ("Imperva (Incapsula)", b"Incapsula incident ID"),
    ("AWS WAF", b"awsWafCookieDomainList"),
)
#: a challenge page is small (Cloudflare's about 7 KB, DataDome's, Sucuri's and Imperva's 1 to
#: 3 KB); larger bodies are not searched (searching 30 KB takes about 0.06 ms)
CHALLENGE_MAX_BYTES = 32 * 1024


def bot_wall(status: int, headers: Mapping[str, str], body: bytes) -> str | None:
    """The bot-protection service that answered with a challenge or a block page instead of
    the resource (``headers`` with lower-case names), or None."""
    get = headers.get
    if (get("cf-mitigated") or "").lower() == "challenge":
        return "Cloudflare"
    if (get("x-amzn-waf-action") or "").lower() in ("challenge", "captcha", "block"):
        return "AWS WAF"
    if status == 403:  # these services mark every response; a refusal is their 403
        server = (get("server") or "").lower()
        if "x-datadome" in headers or "datadome" in server:
            return "DataDome"
        if "x-sucuri-block" in headers or "sucuri" in server:
            return "Sucuri"
        if "x-iinfo" in headers:
            return "Imperva (Incapsula)"
        if server == "akamaighost":
            return "Akamai"
    if not body or len(body) > CHALLENGE_MAX_BYTES:
        return None
    for service, marker in _BODY_MARKERS:
        if marker in body:
            return service
    return None


def bot_wall_message(service: str, status: int) -> str:
    """What the operator reads when ``service`` refused a fetch."""
    return (
        f"HTTP {status}: refused by {service} bot protection (a challenge or block page for "
        "browsers, which Mimir does not solve); retrying will not help until the site allows "
        "Mimir's User-Agent or address, or another feed of the site is used"
    )


# ---- meta refresh ----------------------------------------------------------------------------
#
# A page can send the browser on with ``<meta http-equiv="refresh" content="0; url=...">`` (or
# the same in a ``Refresh`` header) instead of an HTTP redirect: static sites that moved a feed
# or a post (Jekyll's jekyll-redirect-from and Hugo's aliases write such pages, as GitHub Pages
# and other static hosts cannot answer 301), link wrappers and old CMS moves. A browser leaves
# such a page at once; Mimir follows it like a redirect, counted with them. A refresh that
# waits longer is a page that reloads itself (a live page, a home page) and is not followed,
# nor is one inside <noscript> (what a browser with scripts ignores: often a "please enable
# JavaScript" page).

#: a refresh that waits at most this long sends the reader on; a longer one reloads a page
META_REFRESH_MAX_DELAY_SECONDS = 5.0
#: the refresh stands in the page's head, and a page a browser leaves at once is small: only
#: this much of the body is searched (both spellings in about 50 us; an article page's CPU
#: costs about 23 ms all told)
META_REFRESH_SEARCH_BYTES = 32 * 1024
_META_TAG = re.compile(rb"<meta\b[^>]*>", re.I)
_HTTP_EQUIV_REFRESH = re.compile(rb"""http-equiv\s*=\s*["']?\s*refresh\b""", re.I)
_CONTENT_ATTR = re.compile(rb"""\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_NOSCRIPT = re.compile(rb"<noscript\b.*?(?:</noscript\s*>|$)", re.I | re.S)
_REFRESH_VALUE = re.compile(
    r"""^\s*(\d*(?:\.\d*)?)[\d.]*\s*(?:[;,]\s*)?(?:url\s*=\s*)?(?:"([^"]*)"?|'([^']*)'?|(.*))""",
    re.I | re.S,
)


def refresh_target(value: str) -> str | None:
    """The address a refresh value (``0; url=/next``) sends the reader to, when it does so at
    once (within META_REFRESH_MAX_DELAY_SECONDS); None for a reload or a malformed value. The
    address may be relative."""
    match = _REFRESH_VALUE.match(value)
    if match is None or match.group(1) in ("", "."):
        return None
    if float(match.group(1)) > META_REFRESH_MAX_DELAY_SECONDS:
        return None
    target = next((g for g in match.group(2, 3, 4) if g is not None), "").strip()
    return target or None  # no address: the page reloads itself


def meta_refresh(headers: Mapping[str, str], body: bytes) -> str | None:
    """The address an HTML page sends the reader on to at once, by a ``Refresh`` header
    (``headers`` with lower-case names) or a ``<meta http-equiv="refresh">`` in the first
    META_REFRESH_SEARCH_BYTES of ``body``; None when it does not. May be relative."""
    header = headers.get("refresh")
    if header:
        target = refresh_target(header)
        if target:
            return target
    end = META_REFRESH_SEARCH_BYTES
    if body.find(b"efresh", 0, end) < 0 and body.find(b"EFRESH", 0, end) < 0:
        return None  # the common case
    head = _NOSCRIPT.sub(b"", body[:end])
    for tag in _META_TAG.finditer(head):
        if not _HTTP_EQUIV_REFRESH.search(tag.group()):
            continue
        content = _CONTENT_ATTR.search(tag.group())
        if content is None:
            continue
        raw = next(g for g in content.groups() if g is not None)
        target = refresh_target(html.unescape(raw.decode("utf-8", "replace")))
        if target:
            return target
    return None
