"""PDF documents as articles: a press release, a regulator's notice or a results statement
published as PDF.

pypdf (pure Python, well kept, with its own limits on decompressed stream sizes) reads the
text of the first ``MAX_PAGES`` pages and the document's information dictionary (title,
author, creation and modification dates). The body is already capped by the fetcher
(``MIMIR_MAX_BODY_BYTES``), and the work runs in an extraction process under the pool's
deadline (``MIMIR_EXTRACT_TIMEOUT_SECONDS``), so a hostile file costs bounded time and memory.
A scanned PDF (images, no text layer) gives no text: ``ExtractionError``, and the entry is
stored from the feed.
"""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from mimir.errors import ExtractionError
from mimir.model import ExtractedArticle
from mimir.parse.dates import sane
from mimir.parse.language import detect_language

MAX_PAGES = 50
MAX_TEXT_CHARS = 200_000
MIN_TEXT_CHARS = 200
_PDF_DATE = re.compile(
    r"^D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(?:([Zz+-])(\d{2})?'?(\d{2})?'?)?"
)
#: titles that name the file or the program rather than the document
_JUNK_TITLE = re.compile(
    r"^(?:untitled|microsoft (?:word|powerpoint) - |document\d*$|.*\.(?:docx?|pptx?|indd|pdf)$)",
    re.I,
)
_SPACES = re.compile(r"[ \t\u00a0]+")


def is_pdf(content_type: str | None, body: bytes) -> bool:
    """Whether a response is a PDF document (by its type, or its magic bytes)."""
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/pdf" or body[:5] == b"%PDF-"


def extract_pdf(body: bytes, url: str, *, now: datetime) -> ExtractedArticle:
    """Text and metadata of a PDF; ExtractionError when it is unreadable or has no text."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("the PDF is encrypted with a password")
        pages: list[str] = []
        size = 0
        for page in reader.pages[:MAX_PAGES]:
            pages.append(page.extract_text() or "")
            size += len(pages[-1])
            if size > MAX_TEXT_CHARS:
                break
        info = _info(reader)
    except ExtractionError:
        raise
    except Exception as exc:  # pypdf's errors on broken files are many and varied
        raise ExtractionError(f"unreadable PDF: {type(exc).__name__}: {exc}"[:300]) from None
    paragraphs = _paragraphs(pages)
    text = "\n\n".join(paragraphs)[:MAX_TEXT_CHARS]
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError(
            f"no text in the PDF: {len(text)} characters (a scanned image without a text layer?)"
        )
    title = info.get("title")
    if not title or _JUNK_TITLE.match(title):  # the first line that reads like a headline
        lines = (_SPACES.sub(" ", line).strip() for page in pages for line in page.splitlines())
        title = next((line for line in lines if 10 <= len(line) <= 200), None)
    author = info.get("author")
    return ExtractedArticle(
        text=text,
        html="".join(f"<p>{html.escape(p)}</p>" for p in paragraphs) or None,
        title=title,
        authors=(author,) if author else (),
        published_at=sane(pdf_date(info.get("created")), now),
        updated_at=sane(pdf_date(info.get("modified")), now),
        language=detect_language(text),
    )


def _info(reader: Any) -> dict[str, str]:
    """The information dictionary's title, author and dates, as text (pypdf resolves
    indirect objects; a value that cannot be read is left out)."""
    meta = reader.metadata
    out: dict[str, str] = {}
    if meta is None:
        return out
    for key, attribute in (
        ("title", "title"),
        ("author", "author"),
        ("created", "creation_date_raw"),
        ("modified", "modification_date_raw"),
    ):
        try:
            value = getattr(meta, attribute)
        except Exception:  # noqa: S112 - one unreadable entry loses that entry only
            continue
        text = " ".join(str(value).split())[:500] if value is not None else ""
        if text:
            out[key] = text
    return out


def _paragraphs(pages: list[str]) -> list[str]:
    """The pages' lines joined into paragraphs: a line that ends a sentence, or is followed by
    an empty one, ends its paragraph; a word hyphenated across lines is joined."""
    out: list[str] = []
    for page in pages:
        current = ""
        for raw in page.splitlines():
            line = _SPACES.sub(" ", raw).strip()
            if not line:
                if current:
                    out.append(current)
                current = ""
                continue
            if current.endswith("-") and line[:1].islower():
                current = current[:-1] + line
            else:
                current = f"{current} {line}" if current else line
            if line.endswith((".", "!", "?", ":", '"', "\u201d")) and len(line) < 60:
                out.append(current)
                current = ""
        if current:
            out.append(current)
    return out


def pdf_date(value: str | None) -> datetime | None:
    """A PDF date string (``D:20260301120000+01'00'``) as aware UTC; None when unreadable."""
    if not value:
        return None
    m = _PDF_DATE.match(value.strip())
    if m is None:
        return None
    year, month, day, hour, minute, second, sign, tz_h, tz_m = m.groups()
    try:
        moment = datetime(
            int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
            int(second or 0),
        )  # fmt: skip
    except ValueError:
        return None
    zone: timezone = UTC
    if sign in ("+", "-") and tz_h:
        offset = timedelta(hours=int(tz_h), minutes=int(tz_m or 0))
        zone = timezone(offset if sign == "+" else -offset)
    return moment.replace(tzinfo=zone).astimezone(UTC)
