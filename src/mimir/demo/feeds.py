"""Render the demo's machine-readable documents: RSS 2.0, Atom 1.0, JSON Feed 1.1, news sitemap.

All text goes through ``xml.sax.saxutils`` (or ``json``) so any headline is safe.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from mimir.demo.timeline import Outlet, Revision

TRACKING = "utm_source=rss&utm_medium=feed"
LANGUAGE_TAGS = {"en": "en-US", "de": "de-DE", "fr": "fr-FR"}


def iso(moment: datetime) -> str:
    """RFC 3339 / ISO 8601 in UTC, whole seconds: ``2026-03-01T12:00:00+00:00``."""
    return moment.replace(microsecond=0).isoformat()


def rfc822(moment: datetime) -> str:
    return format_datetime(moment.replace(microsecond=0), usegmt=True)


def article_url(base: str, rev: Revision) -> str:
    """The canonical URL: ``/<outlet>/<yyyy>/<mm>/<slug>/``."""
    article = rev.article
    return f"{base}/{article.outlet}/{rev.published:%Y/%m}/{article.slug}/"


def feed_link(base: str, rev: Revision) -> str:
    """The link a feed gives: sometimes with tracking parameters, as many CMS plug-ins add."""
    url = article_url(base, rev)
    return f"{url}?{TRACKING}" if rev.article.index % 3 == 0 else url


def image_url(base: str, rev: Revision) -> str:
    return f"{base}/media/{rev.article.index}.svg"


def last_modified(revisions: Sequence[Revision]) -> datetime | None:
    return max((r.modified for r in revisions), default=None)


def _x(text: str) -> str:
    return escape(text)


def render_rss(base: str, outlet: Outlet, revisions: Sequence[Revision]) -> str:
    """A WordPress-like RSS 2.0 feed: excerpt only, dc:creator, categories, sy: hints, ttl."""
    home = f"{base}/{outlet.key}/"
    built = last_modified(revisions)
    items = []
    for rev in revisions:
        article = rev.article
        cats = "".join(
            f"\n      <category>{_x(c)}</category>" for c in (article.section, *article.keywords)
        )
        items.append(
            f"""    <item>
      <title>{_x(article.title)}</title>
      <link>{_x(feed_link(base, rev))}</link>
      <dc:creator>{_x(article.author)}</dc:creator>
      <pubDate>{rfc822(rev.published)}</pubDate>{cats}
      <guid isPermaLink="false">{_x(f"{base}/?p={article.index}")}</guid>
      <description>{_x(article.summary)}</description>
    </item>"""
        )
    body = "\n".join(items)
    build_line = f"\n    <lastBuildDate>{rfc822(built)}</lastBuildDate>" if built else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
  <channel>
    <title>{_x(outlet.name)}</title>
    <atom:link href={quoteattr(f"{base}/{outlet.key}/feed.rss")} rel="self" \
type="application/rss+xml" />
    <link>{_x(home)}</link>
    <description>News about broadcasting, streaming and media technology</description>\
{build_line}
    <language>en-US</language>
    <sy:updatePeriod>hourly</sy:updatePeriod>
    <sy:updateFrequency>1</sy:updateFrequency>
    <generator>https://wordpress.org/?v=6.5.2</generator>
    <ttl>5</ttl>
{body}
  </channel>
</rss>
"""


def render_atom(base: str, outlet: Outlet, revisions: Sequence[Revision], start: datetime) -> str:
    """An Atom 1.0 feed with summaries, categories and per-entry updated times."""
    updated = last_modified(revisions) or start
    entries = []
    for rev in revisions:
        article = rev.article
        url = article_url(base, rev)
        cats = "".join(
            f"\n    <category term={quoteattr(c)} />" for c in (article.section, *article.keywords)
        )
        entries.append(
            f"""  <entry xml:lang="{article.language}">
    <id>tag:demo.mimir.invalid,2026:{outlet.key}/{article.index}</id>
    <title type="text">{_x(article.title)}</title>
    <link rel="alternate" type="text/html" href={quoteattr(url)} />
    <published>{iso(rev.published)}</published>
    <updated>{iso(rev.modified)}</updated>
    <author><name>{_x(article.author)}</name></author>{cats}
    <summary type="text">{_x(article.summary)}</summary>
  </entry>"""
        )
    body = "\n".join(entries)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <id>tag:demo.mimir.invalid,2026:{outlet.key}</id>
  <title>{_x(outlet.name)}</title>
  <subtitle>Engineering news for television and streaming professionals</subtitle>
  <updated>{iso(updated)}</updated>
  <link rel="self" type="application/atom+xml" href={quoteattr(f"{base}/{outlet.key}/atom.xml")} />
  <link rel="alternate" type="text/html" href={quoteattr(f"{base}/{outlet.key}/")} />
  <generator>Demo CMS</generator>
{body}
</feed>
"""


def render_json_feed(base: str, outlet: Outlet, revisions: Sequence[Revision]) -> str:
    """A JSON Feed 1.1 document carrying the full article HTML."""
    items = []
    for rev in revisions:
        article = rev.article
        html = "".join(f"<p>{_x(p)}</p>" for p in rev.paragraphs)
        items.append(
            {
                "id": f"{outlet.key}-{article.index}",
                "url": feed_link(base, rev),
                "title": article.title,
                "summary": article.summary,
                "content_html": html,
                "image": image_url(base, rev),
                "date_published": iso(rev.published),
                "date_modified": iso(rev.modified),
                "authors": [{"name": article.author}],
                "tags": [article.section, *article.keywords],
                "language": article.language,
            }
        )
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": outlet.name,
        "home_page_url": f"{base}/{outlet.key}/",
        "feed_url": f"{base}/{outlet.key}/feed.json",
        "description": "Streaming launches, FAST channels and platform news",
        "language": "en",
        "authors": [{"name": outlet.name}],
        "items": items,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def render_news_sitemap(base: str, outlet: Outlet, revisions: Sequence[Revision]) -> str:
    """A Google news sitemap (urlset with news:news per URL)."""
    urls = []
    for rev in revisions:
        article = rev.article
        urls.append(
            f"""  <url>
    <loc>{_x(article_url(base, rev))}</loc>
    <lastmod>{iso(rev.modified)}</lastmod>
    <news:news>
      <news:publication>
        <news:name>{_x(outlet.name)}</news:name>
        <news:language>{article.language}</news:language>
      </news:publication>
      <news:publication_date>{iso(rev.published)}</news:publication_date>
      <news:title>{_x(article.title)}</news:title>
    </news:news>
  </url>"""
        )
    body = "\n".join(urls)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{body}
</urlset>
"""
