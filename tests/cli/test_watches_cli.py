"""`mimir watches | channels | alerts`: validated input, clear errors, JSON for scripts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mimir.alerts.signing import verify
from tests.alerts.receiver import Receiver, Reply
from tests.cli.conftest import Mimir
from tests.e2e.newsite import NewsSite
from tests.fixtureweb.server import FixtureWeb


def test_watch_and_channel_lifecycle(mimir: Mimir) -> None:
    with Receiver() as hooks:
        mimir.env["MIMIR_NOTIFY_ALLOWED_NETWORKS"] = "127.0.0.0/8"
        made = mimir.json("channels", "add", "hooks", f"json://127.0.0.1:{hooks.port}/in")
        assert made["kind"] == "webhook" and made["webhook_secret"]
        secret = made["webhook_secret"]
        # the secret is shown once: never listed again
        assert "webhook_secret" not in mimir.json("channels", "list")[0]

        out = mimir.ok("channels", "test", "hooks").stdout
        assert out.startswith("Sent a test message to hooks")
        [request] = hooks.requests
        assert verify(
            [secret], request.headers["x-mimir-signature"], request.body, now=int(
                datetime.now(UTC).timestamp())
        )  # fmt: skip

        hooks.reply(Reply(status=404))
        failed = mimir.fails(1, "channels", "test", "hooks")
        assert "http_404" in failed.output

        watch = mimir.json(
            "watches", "add", "NextGen", '"ATSC 3.0" OR "NextGen TV"', "--channel", "hooks",
            "--mode", "daily", "--timezone", "Europe/Berlin",
        )  # fmt: skip
        assert watch["mode"] == "daily" and watch["channels"] == ["hooks"]
        assert len(watch["feed_token"]) >= 32
        next_at = datetime.fromisoformat(watch["next_digest_at"])
        assert timedelta(0) < next_at - datetime.now(UTC) <= timedelta(days=1)
        assert [w["name"] for w in mimir.json("watches", "list")] == ["NextGen"]
        mimir.ok("watches", "disable", "NextGen")
        assert mimir.json("watches", "list")[0]["enabled"] is False
        assert mimir.json("watches", "test", "NextGen")["matches"] == []
        assert mimir.json("alerts", "list") == [] and mimir.json("alerts", "outbox") == []
        mimir.ok("watches", "remove", "NextGen")
        mimir.ok("channels", "remove", "hooks")
        assert mimir.json("watches", "list") == [] and mimir.json("channels", "list") == []


def test_bad_input_is_a_clear_error(mimir: Mimir) -> None:
    bad_query = mimir.fails(2, "watches", "add", "x", '"ATSC 3.0')
    assert "position" in bad_query.output.lower() or "^" in bad_query.output
    assert (
        "unknown time zone"
        in mimir.fails(2, "watches", "add", "x", "atsc", "--timezone", "Mars/Olympus").output
    )
    assert "no channel" in mimir.fails(2, "watches", "add", "x", "atsc", "--channel", "nope").output
    assert mimir.fails(2, "channels", "add", "c", "notascheme://x").output
    mimir.ok("watches", "add", "x", "atsc")
    assert "exists already" in mimir.fails(2, "watches", "add", "x", "dvb").output
    assert "no watch" in mimir.fails(2, "watches", "remove", "nope").output


def test_a_new_sources_archive_alerts_nobody(mimir: Mimir, web: FixtureWeb) -> None:
    """A source added today brings months of articles: those published (or last changed)
    more than MIMIR_ALERT_MAX_AGE_HOURS (168) before they are found are stored and searchable
    and alert no watch; today's news does."""
    site = NewsSite(web, start=datetime.now(UTC) - timedelta(days=30))
    old = site.publish(2)
    fresh = site.publish(2)
    for item in fresh:
        item.published = item.updated = datetime.now(UTC) - timedelta(hours=1)
    site.render()
    mimir.json("watches", "add", "Operators", "operators")
    mimir.ok("sources", "add", site.feed_url(), "--kind", "feed", "--name", "News")
    assert mimir.json("refresh", "News")["new_articles"] == 4
    alerted = {a["title"] for a in mimir.json("alerts", "list")}
    assert alerted == {item.title for item in fresh}
    found = {h["title"] for h in mimir.json("search", "operators")["hits"]}
    assert found >= {item.title for item in old}

    mimir.env["MIMIR_ALERT_MAX_AGE_HOURS"] = "0"  # no limit: old news alerts too
    [late] = site.publish(1)
    assert late.published < datetime.now(UTC) - timedelta(days=29)
    assert mimir.json("refresh", "News")["new_articles"] == 1
    alerted = {a["title"] for a in mimir.json("alerts", "list")}
    assert alerted == {item.title for item in [*fresh, late]}
