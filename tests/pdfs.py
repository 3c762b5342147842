"""Small, valid PDF documents with a text layer, written by hand for the tests."""

from __future__ import annotations


def deflate_bomb(decompressed_mb: int) -> bytes:
    """A one-page PDF whose content stream inflates to ``decompressed_mb`` MB (built in 1 MB
    pieces, so the test itself holds no more than that)."""
    import zlib

    piece = (b"BT /F1 11 Tf 72 740 Td (" + b"A" * 100 + b") Tj ET\n") * 8000
    deflate = zlib.compressobj(9)
    data = b"".join(deflate.compress(piece) for _ in range(decompressed_mb)) + deflate.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


def _literal(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def make_pdf(pages: list[list[str]], info: dict[str, str] | None = None) -> bytes:
    """A PDF whose pages show the given lines in Helvetica, with an information dictionary."""
    objects: list[str] = []
    n_pages = len(pages)
    page_ids = [3 + 2 * i for i in range(n_pages)]
    font_id = 3 + 2 * n_pages
    info_id = font_id + 1
    objects.append("<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>")
    for i, lines in enumerate(pages):
        shown = " T* ".join(f"{_literal(line)} Tj" for line in lines)
        stream = f"BT /F1 11 Tf 14 TL 72 740 Td {shown} ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {page_ids[i] + 1} 0 R >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    entries = " ".join(f"/{k} {_literal(v)}" for k, v in (info or {}).items())
    objects.append(f"<< {entries} >>")
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {info_id} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return out


RELEASE_LINES = [
    "Arclight Broadcast Solutions ships DVB-NIP gateways",
    "",
    "Munich, 28 November 2026. Arclight Broadcast Solutions today announced that its first",
    "gateways for DVB-NIP, native IP delivery over satellite and terrestrial broadcast, are",
    "shipping to three European broadcasters after a year of trials with public and private",
    "networks.",
    "",
    "The gateways receive multicast streams and serve them to televisions, phones and set-top",
    "boxes on the home network, so that viewers without broadband can watch the same services",
    "as those with it. Deliveries start in December.",
]
