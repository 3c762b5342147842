"""Digest windows in the owner's zone (across DST changes) and the rendered messages."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from mimir.alerts.digest import digest_window, next_digest_at, render_alert, render_digest
from mimir.model.alerts import AlertArticle, DigestItem, WatchRef
from mimir.model.watches import WatchMode

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# ---- windows ------------------------------------------------------------------------------------


def test_daily_window_is_the_24_local_hours_before_the_send_time() -> None:
    start, end = digest_window(WatchMode.DAILY, BERLIN, utc(2026, 3, 14, 12))
    assert (start, end) == (utc(2026, 3, 13, 6), utc(2026, 3, 14, 6))  # 07:00 CET
    # before today's send time the latest complete window ended yesterday
    assert digest_window("daily", "Europe/Berlin", utc(2026, 3, 14, 5, 59)) == (
        utc(2026, 3, 12, 6),
        utc(2026, 3, 13, 6),
    )
    assert digest_window("daily", BERLIN, utc(2026, 3, 14, 6)) == (start, end)  # end exclusive


def test_daily_windows_across_dst_are_23_and_25_hours() -> None:
    spring = digest_window(WatchMode.DAILY, BERLIN, utc(2026, 3, 29, 12))
    assert spring == (utc(2026, 3, 28, 6), utc(2026, 3, 29, 5))  # 07:00 CET -> 07:00 CEST
    assert spring[1] - spring[0] == timedelta(hours=23)
    autumn = digest_window(WatchMode.DAILY, BERLIN, utc(2026, 10, 25, 12))
    assert autumn == (utc(2026, 10, 24, 5), utc(2026, 10, 25, 6))
    assert autumn[1] - autumn[0] == timedelta(hours=25)
    # the digest still goes out at 07:00 on the owner's clock
    assert next_digest_at("daily", BERLIN, utc(2026, 3, 28, 7)) == utc(2026, 3, 29, 5)
    assert next_digest_at("daily", BERLIN, utc(2026, 3, 29, 5)).astimezone(BERLIN).hour == 7


def test_a_send_time_in_the_spring_gap_moves_forward_and_an_ambiguous_one_is_the_first() -> None:
    at = time(2, 30)
    # 02:30 does not exist in Berlin on 29 March 2026: it is sent at 03:30 CEST
    gap = next_digest_at("daily", BERLIN, utc(2026, 3, 29, 0), daily_at=at)
    assert gap == utc(2026, 3, 29, 1, 30)
    assert gap.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"
    # 02:30 happens twice on 25 October 2026: the first one (CEST)
    twice = next_digest_at("daily", BERLIN, utc(2026, 10, 24, 23), daily_at=at)
    assert twice == utc(2026, 10, 25, 0, 30)


def test_hourly_windows_across_the_spring_change() -> None:
    now = utc(2026, 3, 29, 1, 30)  # 03:30 CEST, just after 02:00 CET became 03:00 CEST
    assert digest_window("hourly", BERLIN, now) == (utc(2026, 3, 29, 0), utc(2026, 3, 29, 1))
    assert next_digest_at("hourly", BERLIN, now) == utc(2026, 3, 29, 2)


def test_hourly_windows_in_the_repeated_autumn_hour() -> None:
    first = utc(2026, 10, 25, 0, 30)  # 02:30 CEST
    second = utc(2026, 10, 25, 1, 30)  # 02:30 CET
    assert digest_window("hourly", BERLIN, first) == (utc(2026, 10, 24, 23), utc(2026, 10, 25, 0))
    assert digest_window("hourly", BERLIN, second) == (utc(2026, 10, 25, 0), utc(2026, 10, 25, 1))
    assert next_digest_at("hourly", BERLIN, first) == utc(2026, 10, 25, 1)


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]
)
@pytest.mark.parametrize("mode", [WatchMode.HOURLY, WatchMode.DAILY])
def test_windows_tile_time_without_gaps_or_overlaps(zone: str, mode: WatchMode) -> None:
    """Sending at each next_digest_at covers every instant exactly once, DST or not."""
    step_count = 24 * 40 if mode is WatchMode.HOURLY else 400
    start = utc(2026, 3, 1) if mode is WatchMode.HOURLY else utc(2026, 1, 1)
    if zone == "Australia/Lord_Howe":
        start = utc(2026, 3, 20) if mode is WatchMode.HOURLY else start
    send = next_digest_at(mode, zone, start)
    previous_end = digest_window(mode, zone, send)[1]
    assert previous_end == send
    for _ in range(step_count):
        following = next_digest_at(mode, zone, send)
        window = digest_window(mode, zone, following)
        assert window == (send, following), (zone, mode, send)
        assert following > send
        send = following


def test_instant_mode_and_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="instant"):
        digest_window("instant", BERLIN, utc(2026, 1, 1))
    with pytest.raises(ValueError, match="instant"):
        next_digest_at(WatchMode.INSTANT, BERLIN, utc(2026, 1, 1))
    with pytest.raises(ValueError, match="naive"):
        digest_window("daily", BERLIN, datetime(2026, 1, 1))


# ---- rendering ----------------------------------------------------------------------------------

HOSTILE = AlertArticle(
    1,
    '"><script>alert(1)</script><img src=x onerror=alert(2)> Merger talks',
    "javascript:alert(3)",
    '<iframe src="https://evil.example">Evil</iframe>',
    datetime(2026, 3, 14, 9, 0, tzinfo=UTC),
    "Snippet with <style>body{display:none}</style> & a \"merger\" 'quote'",
)
ITEM = DigestItem(
    HOSTILE,
    matched_terms=("merger", "<script>"),
    story_id=1,
    also=(
        AlertArticle(2, "copy", "https://ok.example/copy", "Good Source"),
        AlertArticle(3, "copy", 'https://x.example/"onmouseover="alert(4)', "Odd Source"),
        AlertArticle(4, "copy", "data:text/html,<script>alert(5)</script>", "Data Source"),
    ),
)
WATCH = WatchRef(9, "<b>M&A</b> watch")


def assert_inert(html: str) -> None:
    document = lxml.html.document_fromstring(html)
    assert document.xpath("//script|//iframe|//style|//img|//object|//embed") == []
    for element in document.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (name, value)
            if name in ("href", "src"):
                assert value.startswith(("https://", "http://")), value


def test_hostile_titles_snippets_and_urls_are_inert_in_html() -> None:
    window = (utc(2026, 3, 13, 6), utc(2026, 3, 14, 6))
    for notification in (
        render_alert(WATCH, ITEM, watch_url="javascript:alert(6)"),
        render_digest(
            WATCH, [ITEM, ITEM], mode="daily", window=window, watch_url="https://m.example/w/9"
        ),
    ):
        assert_inert(notification.html)
        # the title stays text (the matched term "<script>" highlights the word "script")
        assert (
            "&#34;&gt;&lt;<mark><strong>script</strong></mark>&gt;alert(1)"
            "&lt;/<mark><strong>script</strong></mark>&gt;&lt;img src=x onerror=alert(2)&gt;"
        ) in notification.html
        assert "<mark><strong>Merger</strong></mark>" in notification.html
        assert "javascript:" not in notification.html
        assert "data:text/html" not in notification.html
        assert "&lt;b&gt;M&amp;A&lt;/b&gt; watch" in notification.html


def test_text_messages_keep_the_words_and_mark_the_terms() -> None:
    notification = render_alert(WATCH, ITEM, tz="Europe/Berlin")
    text = notification.text
    title = '"><**script**>alert(1)</**script**><img src=x onerror=alert(2)> **Merger** talks'
    assert title in text
    assert "14 Mar 2026, 10:00 CET" in text
    assert "Also in 3 other sources: Good Source, Odd Source, Data Source" in text
    assert "Matched: merger, <script>" in text
    assert "javascript:" not in text  # an unusable link is left out, not printed


def test_subjects_are_one_line_and_bounded() -> None:
    title = "Line one\r\nBcc: victim@example.org\tx" + "y" * 300
    item = DigestItem(AlertArticle(1, title, "https://a.example"))
    subject = render_alert(WatchRef(1, "W\n1"), item).subject
    assert "\n" not in subject and "\r" not in subject
    assert subject.startswith("[W 1] Line one Bcc: victim@example.org x")
    assert len(subject) <= 160 and subject.endswith("…")


def test_hourly_digest_subject_and_empty_digest() -> None:
    window = digest_window("hourly", BERLIN, utc(2026, 3, 14, 9, 10))
    notification = render_digest(WatchRef(2, "Energy"), [], mode="hourly", window=window, tz=BERLIN)
    assert notification.subject == (
        "[Energy] Hourly digest: 0 stories (09:00\N{EN DASH}10:00 CET, 14 Mar)"
    )
    assert "No new stories matched in this period." in notification.text
    assert notification.event["event"] == "digest" and notification.event["items"] == []
    assert notification.event["window"] == {
        "start": "2026-03-14T08:00:00Z",
        "end": "2026-03-14T09:00:00Z",
    }
    with pytest.raises(ValueError, match="instant"):
        render_digest(WatchRef(2, "E"), [], mode="instant", window=window)


def test_digest_keeps_the_callers_order_and_numbers_stories() -> None:
    first = DigestItem(AlertArticle(1, "First story", "https://a.example/1", "A"))
    second = DigestItem(AlertArticle(2, "Second story", "https://a.example/2", "B"))
    window = (utc(2026, 3, 13, 6), utc(2026, 3, 14, 6))
    text = render_digest(WatchRef(1, "W"), [first, second], mode="daily", window=window).text
    assert text.index("1. First story") < text.index("2. Second story")
    assert "(2 stories)" in text
