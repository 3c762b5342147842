"""`mimir watches | channels | alerts`: validated input, clear errors, JSON for scripts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mimir.alerts.signing import verify
from tests.alerts.receiver import Receiver, Reply
from tests.cli.conftest import Mimir


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
