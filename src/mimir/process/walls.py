"""Pages that stand in front of an article: the consent walls a news site redirects to, and
the challenge and block pages of bot-protection services (below).

Many European publishers send a client without the site's consent cookie to a consent page
first (Yahoo's ``consent.yahoo.com`` and ``guce.yahoo.com``, Google's ``consent.google.com``,
DPG Media's ``myprivacy.dpgmedia.nl``, a site's own ``/cookie-wall``...). Extracted, that page
gives the same title and text for every article of the site; the content fingerprint would
then take every later article for a copy of the first. An article page that was redirected to
such a page is not extracted: the feed's own values are stored, as when a page cannot be had.
"""

from __future__ import annotations

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
