"""Render the demo's HTML: home page, section and press-room listings, article pages.

Pages carry the clutter of real news sites (cookie banner, navigation, related links, footer,
inline scripts) so extraction has something to ignore. All text goes through ``html.escape``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from html import escape

from mimir.demo.content import slugify
from mimir.demo.feeds import LANGUAGE_TAGS, article_url, image_url, iso
from mimir.demo.timeline import OUTLETS, Outlet, Revision

FEED_PATHS: dict[str, tuple[str, str]] = {  # outlet -> (path, media type)
    "wire": ("/wire/feed.rss", "application/rss+xml"),
    "techdaily": ("/techdaily/atom.xml", "application/atom+xml"),
    "streamwatch": ("/streamwatch/feed.json", "application/feed+json"),
}

_STYLE = """body{font-family:Georgia,serif;margin:0;color:#1a1a1a}
.site-header{background:#0b2545;color:#fff;padding:1rem 2rem}.site-header a{color:#fff}
.main-nav ul{list-style:none;display:flex;gap:1.2rem;padding:0}
main{max-width:46rem;margin:2rem auto;padding:0 1rem}.byline{color:#555;font-size:.9rem}
.cookie-banner{position:fixed;bottom:0;left:0;right:0;background:#eee;padding:1rem}
.site-footer{background:#13315c;color:#ddd;padding:2rem;font-size:.85rem}"""

_SCRIPT = """window.dataLayer = window.dataLayer || [];
function gtag(){dataLayer.push(arguments);}
gtag('js', new Date());
document.addEventListener('DOMContentLoaded', function () {
  var banner = document.getElementById('cookie-banner');
  var accepted = document.cookie.indexOf('consent=1') >= 0;
  if (accepted && banner) { banner.style.display = 'none'; }
  document.querySelectorAll('[data-accept]').forEach(function (b) {
    b.addEventListener('click', function () {
      document.cookie = 'consent=1; path=/; max-age=31536000';
      banner.style.display = 'none';
    });
  });
});"""

_COOKIE_TEXT = {
    "en": "We use cookies to improve your experience and to measure our audience.",
    "de": "Wir verwenden Cookies, um Ihr Nutzungserlebnis zu verbessern.",
    "fr": "Nous utilisons des cookies pour améliorer votre expérience.",
}


def _e(text: str) -> str:
    return escape(text, quote=True)


def human_date(moment: datetime) -> str:
    return f"{moment:%d %B %Y, %H:%M} UTC"


def _head(title: str, charset: str, extra: str = "") -> str:
    return f"""<head>
<meta charset="{charset}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
{extra}<style>{_STYLE}</style>
</head>"""


def _header(outlet_name: str) -> str:
    links = "".join(f'<li><a href="/{o.key}/">{_e(o.name)}</a></li>' for o in OUTLETS)
    return f"""<header class="site-header">
<a class="logo" href="/">{_e(outlet_name)}</a>
<nav class="main-nav" aria-label="Main"><ul><li><a href="/">Home</a></li>{links}</ul></nav>
<form class="search" action="/search" role="search"><input name="q" placeholder="Search">\
</form>
</header>"""


def _cookie_banner(language: str) -> str:
    return f"""<div id="cookie-banner" class="cookie-banner" role="dialog">
<p>{_e(_COOKIE_TEXT.get(language, _COOKIE_TEXT["en"]))} <a href="/privacy/">Privacy policy</a>
</p><button type="button" data-accept>Accept all</button> <button type="button">Settings</button>
</div>"""


_FOOTER = """<footer class="site-footer">
<nav aria-label="Footer"><a href="/about/">About us</a> | <a href="/contact/">Contact</a> |
<a href="/advertise/">Advertise</a> | <a href="/privacy/">Privacy</a> | <a href="/terms/">Terms</a>
</nav>
<p>&copy; 2026 Demo Media Group. All rights reserved. This is a demonstration site bundled with
Mimir; every company and person named here is fictional.</p>
</footer>"""


def render_home(base: str, latest: Sequence[Revision]) -> str:
    """The group's home page: feed discovery links and the latest headlines."""
    alternates = "".join(
        f'<link rel="alternate" type="{kind}" title="{_e(o.name)}" href="{base}{path}">\n'
        for o in OUTLETS
        if o.key in FEED_PATHS
        for path, kind in (FEED_PATHS[o.key],)
    )
    rows = "".join(
        f'<li><a href="{_e(article_url(base, r))}">{_e(r.article.title)}</a> '
        f'<time datetime="{iso(r.published)}">{human_date(r.published)}</time></li>\n'
        for r in latest
    )
    feeds = "".join(
        f'<li><a href="{path}">{_e(o.name)}</a></li>'
        for o in OUTLETS
        for path in (FEED_PATHS.get(o.key, (None, None))[0],)
        if path
    )
    return f"""<!DOCTYPE html>
<html lang="en">
{_head("Demo Media Group: broadcast and streaming technology news", "utf-8", alternates)}
<body>
{_header("Demo Media Group")}
<main>
<h1>Latest news</h1>
<ul class="latest">
{rows}</ul>
<h2>Feeds</h2>
<ul class="feeds">{feeds}<li><a href="/standards/news-sitemap.xml">News sitemap</a></li>
<li><a href="/pressroom/">Press room</a></li></ul>
</main>
{_FOOTER}
</body>
</html>
"""


def render_listing(
    base: str,
    outlet: Outlet,
    revisions: Sequence[Revision],
    page: int,
    has_next: bool,
    item_class: str,
) -> str:
    """A listing page (press room or section front) with ``a.next`` pagination."""
    items = "".join(
        f"""<article class="{item_class}">
<h2><a href="{_e(article_url(base, r))}">{_e(r.article.title)}</a></h2>
<time datetime="{iso(r.published)}">{human_date(r.published)}</time>
<p class="teaser">{_e(r.article.summary)}</p>
</article>
"""
        for r in revisions
    )
    pager = ""
    if page > 1:
        previous = f"/{outlet.key}/" if page == 2 else f"/{outlet.key}/?page={page - 1}"
        pager += f'<a class="prev" href="{previous}">Newer</a> '
    if has_next:
        pager += f'<a class="next" href="/{outlet.key}/?page={page + 1}">Older releases</a>'
    title = outlet.name if page == 1 else f"{outlet.name}, page {page}"
    return f"""<!DOCTYPE html>
<html lang="en">
{_head(title, outlet.charset)}
<body>
{_cookie_banner("en")}
{_header(outlet.name)}
<main>
<h1>{_e(title)}</h1>
<section class="listing">
{items}</section>
<nav class="pagination">{pager}</nav>
</main>
{_FOOTER}
</body>
</html>
"""


def _json_ld(base: str, outlet: Outlet, rev: Revision) -> str:
    article = rev.article
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": article_url(base, rev)},
        "headline": article.title,
        "description": article.summary,
        "image": [image_url(base, rev)],
        "datePublished": iso(rev.published),
        "dateModified": iso(rev.modified),
        "author": [{"@type": "Person", "name": article.author}],
        "publisher": {
            "@type": "Organization",
            "name": outlet.name,
            "logo": {"@type": "ImageObject", "url": f"{base}/media/logo.svg"},
        },
        "articleSection": article.section,
        "keywords": ", ".join(article.keywords),
        "inLanguage": article.language,
        "wordCount": sum(len(p.split()) for p in rev.paragraphs),
    }
    # "</" must not close the script element early
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")


def render_article(base: str, outlet: Outlet, rev: Revision, related: Sequence[Revision]) -> str:
    """A full article page: metadata in JSON-LD, OpenGraph and meta tags, body paragraphs."""
    article = rev.article
    url = article_url(base, rev)
    meta = f"""<meta name="description" content="{_e(article.summary)}">
<meta name="author" content="{_e(article.author)}">
<link rel="canonical" href="{_e(url)}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="{_e(outlet.name)}">
<meta property="og:title" content="{_e(article.title)}">
<meta property="og:description" content="{_e(article.summary)}">
<meta property="og:url" content="{_e(url)}">
<meta property="og:image" content="{_e(image_url(base, rev))}">
<meta property="og:locale" content="{LANGUAGE_TAGS[article.language].replace("-", "_")}">
<meta property="article:published_time" content="{iso(rev.published)}">
<meta property="article:modified_time" content="{iso(rev.modified)}">
<meta property="article:section" content="{_e(article.section)}">
<meta name="twitter:card" content="summary_large_image">
<script type="application/ld+json">
{_json_ld(base, outlet, rev)}
</script>
"""
    paragraphs = "\n".join(f"<p>{_e(p)}</p>" for p in rev.paragraphs)
    tags = "".join(
        f'<li><a href="/tag/{_e(slugify(k))}/">{_e(k)}</a></li>' for k in article.keywords
    )
    links = "".join(
        f'<li><a href="{_e(article_url(base, r))}">{_e(r.article.title)}</a></li>' for r in related
    )
    updated = ""
    if rev.modified > rev.published:
        updated = (
            f' · Updated <time class="updated" datetime="{iso(rev.modified)}">'
            f"{human_date(rev.modified)}</time>"
        )
    return f"""<!DOCTYPE html>
<html lang="{article.language}">
{_head(f"{article.title} | {outlet.name}", outlet.charset, meta)}
<body class="single-post section-{article.section.lower()}">
{_cookie_banner(article.language)}
{_header(outlet.name)}
<main>
<nav class="breadcrumbs"><a href="/">Home</a> &rsaquo;
<a href="/{outlet.key}/">{_e(outlet.name)}</a> &rsaquo; <span>{_e(article.section)}</span></nav>
<article class="post">
<h1 class="entry-title">{_e(article.title)}</h1>
<div class="byline">By <span class="author">{_e(article.author)}</span> ·
<time class="published" datetime="{iso(rev.published)}">{human_date(rev.published)}</time>\
{updated}</div>
<figure class="lead-image"><img src="{_e(image_url(base, rev))}" alt="" width="1200" \
height="675"><figcaption>Illustration: Demo Media Group</figcaption></figure>
<div class="article-body">
{paragraphs}
</div>
<div class="share">Share: <a href="#" data-share="mail">E-mail</a> \
<a href="#" data-share="link">Copy link</a></div>
<ul class="tags">{tags}</ul>
</article>
<aside class="related"><h3>Related stories</h3><ul>{links}</ul></aside>
<section class="newsletter"><h3>Newsletter</h3><p>The week in broadcast technology, every
Friday. <a href="/newsletter/">Subscribe</a></p></section>
</main>
{_FOOTER}
<script>
{_SCRIPT}
</script>
</body>
</html>
"""


def render_robots(base: str) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {base}/standards/news-sitemap.xml\n"


def render_image(label: str) -> str:
    """A small SVG placeholder standing in for a lead photo."""
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675" \
viewBox="0 0 1200 675"><rect width="1200" height="675" fill="#13315c"/>\
<text x="60" y="620" font-size="48" fill="#fff">{_e(label)}</text></svg>
"""
