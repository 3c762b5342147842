"""A page's language: its declaration, unless its text is plainly in another; else detected."""

from __future__ import annotations

import pytest

from mimir.parse import extract_article
from mimir.parse.language import checked_language, detect_language, language_code
from tests.parse.conftest import NOW

GERMAN = (
    "Die Europäische Zentralbank ist das Nachfolgeinstitut des Europäischen Währungsinstitutes "
    "und wurde 1998 in Frankfurt am Main gegründet. Sie ist für die Geldpolitik der Länder "
    "zuständig, die den Euro als Währung haben, und sie entscheidet über die Leitzinsen. Die "
    "Wirkung dieser Instrumente kann jedoch nicht verlässlich eingeschätzt werden, sagen die "
    "Ökonomen, und die Zinsen bleiben auf dem niedrigen Stand des Vorjahres. "
)
ENGLISH = (
    "Ten years have passed since I set up a small WordPress website with the name of the blog "
    "in the autumn of that year. It was meant to be a place for the debates of the field, and "
    "it has become one of the largest of its kind, with readers from all over the world who "
    "come for the analysis of the courts and the constitutions. This is the story of how it "
    "grew, and of what we have learned from the many authors who wrote for it. "
)
RUSSIAN = (
    "Роснефть является ответственным пользователем недр и строго соблюдает все условия "
    "лицензионных соглашений. Компания ведёт геологоразведку на шельфе и на суше, и в этом "
    "году она открыла новое месторождение в Карском море, крупнейшее за последние годы. "
)


@pytest.mark.parametrize(
    ("declared", "text", "expected"),
    [
        # a theme's default over a German text (exporo.de), a German site's English post
        # (Verfassungsblog), Rosneft's English page declared "ru", a German text declared "ru"
        ("en", GERMAN, "de"),
        ("de", ENGLISH, "en"),
        ("ru", ENGLISH, "en"),
        ("en", RUSSIAN, "ru"),
        # the declaration stands where the text agrees, where it is too short to judge, and
        # for a language the first glance does not know
        ("de", GERMAN, "de"),
        ("en", ENGLISH, "en"),
        ("ru", RUSSIAN, "ru"),
        ("en", "Die Zentralbank entscheidet über die Leitzinsen.", "en"),
        ("pl", ENGLISH, "pl"),
        (None, ENGLISH, None),
    ],
)
def test_a_declared_language_yields_only_to_a_plainly_other_text(
    declared: str | None, text: str, expected: str | None
) -> None:
    assert checked_language(declared, text * 2) == expected


def test_a_few_foreign_words_leave_the_declaration() -> None:
    """An English article quoting a German sentence stays English."""
    quote = "The minister said: „Die Wirkung kann nicht eingeschätzt werden.“ "
    quoting = ENGLISH + quote + ENGLISH
    assert checked_language("en", quoting) == "en"


def test_codes_and_detection() -> None:
    assert language_code("de_DE") == "de" and language_code("eng") == "en"
    assert language_code("x") is None
    assert detect_language(GERMAN) == "de"
    assert detect_language("Kurz.") is None


def test_an_articles_language_is_its_texts_where_the_page_declares_another() -> None:
    paragraphs = "".join(f"<p>{GERMAN}</p>" for _ in range(3))
    page = (
        '<html lang="en-US"><head><title>Europäische Zentralbank</title></head><body><article>'
        f"<h1>Europäische Zentralbank</h1>{paragraphs}</article></body></html>"
    ).encode()
    article = extract_article(page, "https://bank.example/ezb", now=NOW)
    assert article.language == "de"
