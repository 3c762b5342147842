"""canonicalize, url_key, url_hash, host_of, is_http_url: tables and properties."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mimir.errors import InputError
from mimir.process.tracking import TRACKING_PARAMS, is_tracking_param
from mimir.process.urls import canonicalize, host_of, is_http_url, url_hash, url_key

CANONICAL = [
    # (input, base, expected)
    ("HTTP://Example.COM/a", None, "http://example.com/a"),
    ("https://example.com", None, "https://example.com/"),
    ("https://example.com:443/a", None, "https://example.com/a"),
    ("http://example.com:80/a", None, "http://example.com/a"),
    ("https://example.com:8443/a", None, "https://example.com:8443/a"),
    ("http://example.com:443/a", None, "http://example.com:443/a"),
    ("https://example.com/a#section-2", None, "https://example.com/a"),
    ("https://example.com/a/./b/../c", None, "https://example.com/a/c"),
    ("https://example.com/../../a", None, "https://example.com/a"),
    ("https://example.com/a/b/..", None, "https://example.com/a/"),
    ("https://example.com/a/.", None, "https://example.com/a/"),
    ("https://\u2603.net/", None, "https://xn--n3h.net/"),  # IDNA 2003 only
    ("https://\uff25xample.com/", None, "https://example.com/"),  # UTS 46 mapping
    ("https://example.com/a//b///c", None, "https://example.com/a/b/c"),
    ("https://example.com/%7Euser/a/%2e%2e/x", None, "https://example.com/~user/x"),
    ("https://example.com/%2fa%2F", None, "https://example.com/%2Fa%2F"),
    ("https://example.com/100%", None, "https://example.com/100%25"),
    ("https://example.com/a b", None, "https://example.com/a%20b"),
    ("https://example.com/caf\u00e9", None, "https://example.com/caf%C3%A9"),
    ("https://b\u00fccher.de/", None, "https://xn--bcher-kva.de/"),
    ("https://EXAMPLE.com./a", None, "https://example.com/a"),
    ("  https://example.com/a\n ", None, "https://example.com/a"),
    ("https://example.com/?b=2&a=1", None, "https://example.com/?a=1&b=2"),
    ("https://example.com/?a=2&a=1", None, "https://example.com/?a=1&a=2"),
    ("https://example.com/?q=a+b&r=a%20b", None, "https://example.com/?q=a+b&r=a%20b"),
    ("https://example.com/?x=%3d%26", None, "https://example.com/?x=%3D%26"),
    ("https://example.com/?&&a=1&", None, "https://example.com/?a=1"),
    ("https://example.com/?utm_source=rss", None, "https://example.com/"),
    (
        "https://example.com/story?id=42&utm_source=x&UTM_Medium=y&fbclid=abc&gclid=1",
        None,
        "https://example.com/story?id=42",
    ),
    (
        "https://www.bbc.co.uk/news/x?at_medium=RSS&at_campaign=KARANGA&ns_mchannel=rss",
        None,
        "https://www.bbc.co.uk/news/x",
    ),
    (  # heise's feed links (Webtrekk), CNET's click tag
        "http://www.heise.de/developer/meldung/WildFly-10-3088438.html?wt_mc=rss.developer.beitrag.atom",
        None,
        "http://www.heise.de/developer/meldung/WildFly-10-3088438.html",
    ),
    ("https://www.cnet.com/tech/x/?ftag=CAD590a51e", None, "https://www.cnet.com/tech/x/"),
    (  # CNN's home page tags every link with its position
        "https://edition.cnn.com/2014/07/23/travel/x/index.html?hpt=hp_bn6",
        None,
        "https://edition.cnn.com/2014/07/23/travel/x/index.html",
    ),
    (
        "https://www.nytimes.com/2026/x.html?smid=tw-share&smtyp=cur",
        None,
        "https://www.nytimes.com/2026/x.html",
    ),
    ("https://example.com/?p=123&ref=home", None, "https://example.com/?p=123&ref=home"),
    ("https://example.com/?article=7&page=2", None, "https://example.com/?article=7&page=2"),
    ("https://user:pw@example.com/a", None, "https://user:pw@example.com/a"),
    ("https://[2001:DB8::0001]:8080/a", None, "https://[2001:db8::1]:8080/a"),
    ("../c?x=1", "https://example.com/a/b/page", "https://example.com/a/c?x=1"),
    ("/x", "https://example.com/a/b", "https://example.com/x"),
    ("//cdn.example.com/x", "https://example.com/", "https://cdn.example.com/x"),
    ("https://other.org/x", "https://example.com/", "https://other.org/x"),
]


@pytest.mark.parametrize(("url", "base", "expected"), CANONICAL)
def test_canonicalize(url: str, base: str | None, expected: str) -> None:
    assert canonicalize(url, base) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "example.com/a",
        "/relative/path",
        "ftp://example.com/a",
        "mailto:someone@example.com",
        "javascript:alert(1)",
        "http:///no-host",
        "http://exa mple.com/",
        "http://example.com:99999/",
        "http://example.com:port/",
        "http://[::1/",
        "http://a..b/",
        "http://[1:2:3]/",
        "http://" + "\u00e4" * 70 + ".com/",
    ],
)
def test_canonicalize_rejects(url: str) -> None:
    with pytest.raises(InputError):
        canonicalize(url)
    assert not is_http_url(url)


KEYS = [
    ("https://example.com/a/", "example.com/a"),
    ("http://example.com/a", "example.com/a"),
    ("https://example.com/", "example.com/"),
    ("https://example.com", "example.com/"),
    ("https://www.example.com/a", "www.example.com/a"),
    ("https://example.com/a/index.html", "example.com/a/index.html"),
    ("https://user:pw@example.com:8080/a/?b=1&a=2#x", "example.com:8080/a?a=2&b=1"),
]


@pytest.mark.parametrize(("url", "key"), KEYS)
def test_url_key(url: str, key: str) -> None:
    assert url_key(url) == key


def test_url_hash_is_sha256_of_the_key() -> None:
    digest = url_hash("https://example.com/a/?utm_source=x")
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert digest == url_hash("http://EXAMPLE.com/a#frag")
    assert digest != url_hash("https://www.example.com/a")


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://Example.com/a", "example.com"),
        ("https://example.com:443/", "example.com"),
        ("http://example.com:8080/", "example.com:8080"),
        ("https://user@b\u00fccher.de/", "xn--bcher-kva.de"),
    ],
)
def test_host_of(url: str, host: str) -> None:
    assert host_of(url) == host


def test_is_http_url() -> None:
    assert is_http_url("https://example.com/feed")
    assert is_http_url("HTTP://example.com")
    assert not is_http_url("example.com")
    assert not is_http_url(None)  # type: ignore[arg-type]


def test_tracking_names_are_conservative() -> None:
    for name in ("id", "p", "article", "page", "ref", "source", "cid", "q", "s", "story"):
        assert not is_tracking_param(name)
    for name in ("utm_content", "UTM_SOURCE", "ns_campaign", "at_custom1", "WT.mc_id", "_ga"):
        assert is_tracking_param(name)
    for name in ("feedref", "feedType", "ito", "CMP", "INTCMP", "icid", "traffic_source"):
        assert is_tracking_param(name)  # feed and newswire click tags


# ---- properties -----------------------------------------------------------------------------

_SEGMENT = st.text(
    alphabet=st.sampled_from(list("abcXYZ019-._~%/!$&'()*+,;=:@ ?#[]|\\\u00e9\u4e2d")),
    max_size=12,
)
_HOST = st.from_regex(r"[a-zA-Z0-9]{1,10}(\.[a-zA-Z0-9]{1,8}){0,2}", fullmatch=True)
_KEY = st.one_of(
    st.sampled_from(sorted(TRACKING_PARAMS)),
    st.builds(lambda s: "utm_" + s, st.text(alphabet="abcdef", max_size=5)),
    st.text(alphabet=st.sampled_from(list("abcdefgXYZ_%2+")), min_size=1, max_size=6),
)
_VALUE = st.text(alphabet=st.sampled_from(list("abc123%+=/? \u00e9")), max_size=8)


@st.composite
def http_urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "hTTps"]))
    host = draw(_HOST)
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = "/".join(draw(st.lists(_SEGMENT, max_size=5)))
    params = draw(st.lists(st.tuples(_KEY, _VALUE), max_size=6))
    query = "&".join(f"{k}={v}" for k, v in params)
    fragment = draw(st.sampled_from(["", "#", "#frag"]))
    return f"{scheme}://{host}{port}/{path}{'?' + query if params else ''}{fragment}"


@settings(deadline=None)
@given(http_urls())
def test_canonicalize_is_idempotent(url: str) -> None:
    try:
        once = canonicalize(url)
    except InputError:
        return
    assert canonicalize(once) == once
    assert url_key(once) == url_key(url)


@settings(deadline=None)
@given(st.text(max_size=60))
def test_canonicalize_never_crashes_on_text(text: str) -> None:
    for candidate in (text, "https://example.com/" + text):
        try:
            once = canonicalize(candidate)
        except InputError:
            continue
        assert canonicalize(once) == once


@settings(deadline=None)
@given(http_urls())
def test_tracking_params_never_survive(url: str) -> None:
    try:
        query = urlsplit(canonicalize(url)).query
    except InputError:
        return
    for key, _ in parse_qsl(query, keep_blank_values=True):
        assert not is_tracking_param(key)


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="abcdefxyz", min_size=1, max_size=5),
            st.text(alphabet="abc123", max_size=4),
        ),
        min_size=1,
        max_size=6,
    ).flatmap(lambda pairs: st.tuples(st.just(pairs), st.permutations(pairs)))
)
def test_param_order_does_not_change_the_hash(
    pairs_and_shuffled: tuple[list[tuple[str, str]], list[tuple[str, str]]],
) -> None:
    pairs, shuffled = pairs_and_shuffled
    first = "https://example.com/a?" + "&".join(f"{k}={v}" for k, v in pairs)
    second = "https://example.com/a?" + "&".join(f"{k}={v}" for k, v in shuffled)
    assert url_hash(first + "&utm_source=x") == url_hash(second)


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_the_shortcut_for_plain_parts_changes_nothing(part: str) -> None:
    # _normalize_pct returns a part with nothing to do as it is: the same as its full loop
    from mimir.process import urls

    for safe in (urls._PATH_SAFE, urls._QUERY_SAFE, urls._USERINFO_SAFE):
        slow = urls._NEEDS_WORK.pop(safe)
        try:
            expected = urls._normalize_pct(part, safe)
        finally:
            urls._NEEDS_WORK[safe] = slow
        assert urls._normalize_pct(part, safe) == expected


def test_a_url_given_twice_is_canonicalized_alike_and_bad_input_still_fails() -> None:
    u = "HTTP://Example.COM:80/a/./b/../c?utm_source=x&z=1&a=%7e"
    assert canonicalize(u) == canonicalize(u) == "http://example.com/a/c?a=~&z=1"
    with pytest.raises(InputError):
        canonicalize(["not", "a", "string"])  # type: ignore[arg-type]
    with pytest.raises(InputError):
        canonicalize("/path", base=42)  # type: ignore[arg-type]
