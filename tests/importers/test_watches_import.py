"""Legacy relevance filters and keyword alerts become watches and a channel."""

from __future__ import annotations

import json

import pytest

from mimir.importers.legacy import parse_legacy
from mimir.importers.watches import email_channel_url, query_term, watches_from_rules
from mimir.model.watches import WatchMode


@pytest.mark.parametrize(
    ("word", "term"),
    [
        ("broadcast", "broadcast"),
        ("OTT", "OTT"),
        ("ATSC 3.0", '"ATSC 3.0"'),
        ("  ATSC   3.0 ", '"ATSC 3.0"'),
        ("5G", "5G"),
        ("e-mail", '"e-mail"'),
        ("or", '"or"'),  # an operator word is searched as a word
        ('say "hi"', '"say hi"'),
        ("Müller", "Müller"),
    ],
)
def test_query_term(word: str, term: str) -> None:
    assert query_term(word) == term


def _report(sources: dict[str, object], config: dict[str, object] | None = None) -> tuple:
    r = parse_legacy(json.dumps(sources).encode(), "sources.json")
    settings = dict(r.file_settings)
    if config is not None:
        c = parse_legacy(json.dumps(config).encode(), "config.json", env={"SMTP_PASS": "s3cret"})
        r.keyword_rules.update(c.keyword_rules)
        settings.update(c.file_settings)
    return r.keyword_rules, settings


def test_relevance_filter_and_keywords_become_watches() -> None:
    rules, settings = _report(
        {
            "sources": [],
            "filters": {
                "keywords": {
                    "must_have_one": ["broadcast", "streaming", "OTT", "ATSC 3.0", "DVB"],
                    "exclude": ["celebrity", "recipe"],
                    "boost": ["merger", "acquisition"],
                },
                "announcement_types": ["platform_launch", "merger_acquisition"],
            },
        },
        {
            "keywords_monitoring": {
                "enabled": True,
                "keywords": ["AI", "NextGen TV"],
                "alert_on_match": True,
            },
            "notification_email": {
                "send_email": True,
                "smtp_server": "smtp.example.org",
                "smtp_port": 587,
                "smtp_user": "alerts@example.org",
                "smtp_password": "${SMTP_PASS}",
                "recipient_email": "team@example.org",
            },
        },
    )
    out = watches_from_rules(rules, settings)
    by_name = {w.name: w for w in out.watches}
    relevant = by_name["Relevant (imported filter)"]
    assert (
        relevant.query == '(broadcast OR streaming OR OTT OR "ATSC 3.0" OR DVB) -celebrity -recipe'
    )
    assert relevant.mode is WatchMode.DAILY and relevant.enabled
    boosted = by_name["Relevant and boosted (imported filter)"]
    assert boosted.query == relevant.query + " (merger OR acquisition)"
    assert boosted.mode is WatchMode.INSTANT
    assert by_name["Keyword: AI"].query == "AI"
    assert by_name["Keyword: NextGen TV"].query == '"NextGen TV"'
    assert all(w.channels == ("E-mail (imported)",) for w in out.watches)
    [channel] = out.channels
    # the secret stays a reference: resolved when a mail is sent, never stored in clear
    assert "s3cret" not in channel.url and "${SMTP_PASS}" in channel.url
    assert channel.url.startswith("mailto://alerts%40example.org:${SMTP_PASS}@smtp.example.org:587")
    assert "to=team@example.org" in channel.url
    assert any("announcement_types" in n and "platform_launch" in n for n in out.notes)


def test_disabled_monitoring_and_muted_mail_create_disabled_watches() -> None:
    rules, settings = _report(
        {"sources": []},
        {
            "keywords_monitoring": {"enabled": False, "keywords": ["DVB-I"]},
            "notification_email": {
                "send_email": False,
                "smtp_server": "mx",
                "recipient_email": "a@b",
            },
        },
    )
    out = watches_from_rules(rules, settings)
    [watch] = out.watches
    assert watch.query == '"DVB-I"' and not watch.enabled
    assert any("disabled" in n for n in out.notes)


def test_nothing_to_import() -> None:
    out = watches_from_rules({}, {})
    assert out.watches == [] and out.channels == [] and out.notes == []


def test_email_channel_needs_server_and_recipient() -> None:
    assert email_channel_url({"smtp_server": "mx"}) is None
    assert (
        email_channel_url({"smtp_server": "mx", "recipient_email": "a@b"}) == "mailto://mx?to=a@b"
    )
