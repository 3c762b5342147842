"""The earlier product's relevance filter and keyword alerts, as watches and a channel.

``ImportReport.keyword_rules`` (see :mod:`mimir.importers.legacy_config`) becomes:

- ``relevance`` (``filters.keywords``): one watch "Relevant (imported filter)" whose query is
  ``(must_have_one...) -exclude...``, as a daily digest, and, when ``boost`` words exist, a
  second watch "Relevant and boosted (imported filter)" that also requires one boost word,
  sent at once: the old product ranked those first, Mimir tells about them first.
- ``alerts`` (``keywords_monitoring``): one instant watch per keyword (a word or a phrase:
  the old substring match, where "AI" matched "said", is not kept), enabled only when the old
  monitoring was.
- ``notification_email`` (config.json): a ``mailto://`` channel every imported watch uses; the
  password stays a ``${ENV_VAR}`` reference, resolved when a mail is sent.
- ``announcement_types`` cannot be expressed as a query (they were a classifier's labels):
  reported, not imported.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

from mimir.model.watches import ChannelSpec, WatchImport, WatchMode, WatchSpec

_BARE = re.compile(r"[^\W_]+", re.UNICODE)
_OPERATORS = frozenset({"and", "or", "not", "near"})
EMAIL_CHANNEL = "E-mail (imported)"


def query_term(word: str) -> str:
    """A user's word or phrase as one term of the query language (quoted unless plain)."""
    word = " ".join(word.split())
    if _BARE.fullmatch(word) and word.lower() not in _OPERATORS:
        return word
    return '"' + " ".join(word.replace("\\", " ").replace('"', " ").split()) + '"'


def any_of(words: list[str]) -> str:
    terms = [query_term(w) for w in words if w.strip()]
    if not terms:
        return ""
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


def email_channel_url(settings: dict[str, Any]) -> str | None:
    """``notification_email`` as an Apprise ``mailto://`` URL, or None when unusable."""
    server = settings.get("smtp_server")
    recipient = settings.get("recipient_email")
    if not server or not recipient:
        return None
    user = str(settings.get("smtp_user") or "")
    password = str(settings.get("smtp_password") or "")
    auth = ""
    if user:
        auth = quote(user, safe="${}")
        if password:
            auth += ":" + quote(password, safe="${}")
        auth += "@"
    port = settings.get("smtp_port")
    host = str(server) + (f":{port}" if port else "")
    params = {"to": str(recipient)}
    if user and "@" in user:
        params["from"] = user
    return f"mailto://{auth}{host}?{urlencode(params, safe='@${}')}"


def watches_from_rules(
    keyword_rules: dict[str, Any], file_settings: dict[str, Any] | None = None
) -> WatchImport:
    """Turn a legacy import's keyword rules (and e-mail settings) into watch specs."""
    out = WatchImport()
    channels: tuple[str, ...] = ()
    email = (file_settings or {}).get("notification_email")
    if isinstance(email, dict):
        url = email_channel_url(email)
        if url is None:
            out.notes.append("notification_email: no smtp_server or recipient_email, no channel")
        else:
            out.channels.append(ChannelSpec(EMAIL_CHANNEL, url))
            channels = (EMAIL_CHANNEL,)
            if email.get("send_email") is False:
                out.notes.append(
                    "notification_email: send_email was false; the channel is "
                    "created but the imported watches start disabled"
                )
    muted = isinstance(email, dict) and email.get("send_email") is False

    relevance = keyword_rules.get("relevance") or {}
    required = any_of(list(relevance.get("must_have_one") or []))
    excluded = " ".join("-" + query_term(w) for w in relevance.get("exclude") or [] if w.strip())
    if required or excluded:
        base = " ".join(p for p in (required, excluded) if p)
        if not required:
            out.notes.append("filters.keywords: no must_have_one words, the watch excludes only")
        out.watches.append(
            WatchSpec(
                "Relevant (imported filter)",
                base,
                WatchMode.DAILY,
                channels=channels,
                enabled=not muted,
                note="from filters.keywords (must_have_one, exclude)",
            )
        )
        boost = any_of(list(relevance.get("boost") or []))
        if boost:
            out.watches.append(
                WatchSpec(
                    "Relevant and boosted (imported filter)",
                    f"{base} {boost}",
                    WatchMode.INSTANT,
                    channels=channels,
                    enabled=not muted,
                    note="from filters.keywords (boost): these ranked first in the old product",
                )
            )
    alerts = keyword_rules.get("alerts") or {}
    enabled = bool(alerts.get("enabled")) and bool(alerts.get("alert_on_match", True))
    for word in alerts.get("keywords") or []:
        if not word.strip():
            continue
        out.watches.append(
            WatchSpec(
                f"Keyword: {' '.join(word.split())}",
                query_term(word),
                WatchMode.INSTANT,
                channels=channels,
                enabled=enabled and not muted,
                note="from keywords_monitoring (whole words and phrases, not substrings)",
            )
        )
    if alerts.get("keywords") and not enabled:
        out.notes.append("keywords_monitoring was disabled: its watches are created disabled")
    types = keyword_rules.get("announcement_types")
    if types:
        out.notes.append(
            "filters.announcement_types not imported (classifier labels, not a query): "
            + ", ".join(map(str, types))
        )
    return out
