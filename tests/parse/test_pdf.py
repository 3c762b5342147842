"""PDF documents as articles (mimir.parse.pdf)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mimir.errors import ExtractionError
from mimir.parse.pdf import extract_pdf, is_pdf, pdf_date
from tests.pdfs import RELEASE_LINES, deflate_bomb, make_pdf

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
URL = "https://press.example.com/releases/dvb-nip.pdf"


def test_a_press_release_pdf() -> None:
    body = make_pdf(
        [RELEASE_LINES, ["About Arclight: Arclight builds broadcast and IP delivery systems."]],
        {
            "Title": "Arclight ships DVB-NIP gateways",
            "Author": "Arclight Press Office",
            "CreationDate": "D:20261128100000+01'00'",
        },
    )
    doc = extract_pdf(body, URL, now=NOW)
    assert doc.title == "Arclight ships DVB-NIP gateways"
    assert doc.authors == ("Arclight Press Office",)
    assert doc.published_at == datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    assert doc.language == "en"
    assert "viewers without broadband can watch" in doc.text
    assert "About Arclight" in doc.text  # the second page too
    # lines of one paragraph are joined; paragraphs are kept apart
    assert "announced that its first gateways for DVB-NIP" in doc.text
    assert doc.html is not None and doc.html.count("<p>") >= 3


def test_a_file_name_is_no_title() -> None:
    body = make_pdf([RELEASE_LINES], {"Title": "Microsoft Word - PR_2026_11_28_final.docx"})
    doc = extract_pdf(body, URL, now=NOW)
    assert doc.title == "Arclight Broadcast Solutions ships DVB-NIP gateways"  # its first line
    assert doc.published_at is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (make_pdf([[]]), "no text in the PDF"),  # a scan: no text layer
        (b"%PDF-1.4\n1 0 obj garbage", "unreadable PDF"),
        (b"%PDF-", "unreadable PDF"),
    ],
)
def test_unusable_pdfs_are_a_clear_error(body: bytes, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        extract_pdf(body, URL, now=NOW)


def test_a_decompression_bomb_is_refused() -> None:
    """1.5 MB on the wire, 400 MB inflated: pypdf's limit stops it, a clear error."""
    bomb = deflate_bomb(400)
    assert len(bomb) < 2_000_000
    with pytest.raises(ExtractionError, match="unreadable PDF: LimitReachedError"):
        extract_pdf(bomb, URL, now=NOW)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("D:20261128100000+01'00'", datetime(2026, 11, 28, 9, 0, tzinfo=UTC)),
        ("D:20261128100000Z", datetime(2026, 11, 28, 10, 0, tzinfo=UTC)),
        ("D:20261128", datetime(2026, 11, 28, tzinfo=UTC)),
        ("20261128100000-05'30", datetime(2026, 11, 28, 15, 30, tzinfo=UTC)),
        ("D:20261340", None),
        ("yesterday", None),
        (None, None),
    ],
)
def test_pdf_dates(value: str | None, expected: datetime | None) -> None:
    assert pdf_date(value) == expected


def test_is_pdf() -> None:
    assert is_pdf("application/pdf; qs=0.5", b"")
    assert is_pdf("application/octet-stream", b"%PDF-1.7\n")
    assert not is_pdf("text/html", b"<html>")
