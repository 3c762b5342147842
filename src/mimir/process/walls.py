"""Pages that stand in front of an article: the consent walls a news site redirects to.

Many European publishers send a client without the site's consent cookie to a consent page
first (Yahoo's ``consent.yahoo.com`` and ``guce.yahoo.com``, Google's ``consent.google.com``,
DPG Media's ``myprivacy.dpgmedia.nl``, a site's own ``/cookie-wall``...). Extracted, that page
gives the same title and text for every article of the site; the content fingerprint would
then take every later article for a copy of the first. An article page that was redirected to
such a page is not extracted: the feed's own values are stored, as when a page cannot be had.
"""

from __future__ import annotations

import re
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
