"""Deterministic news articles about broadcasting and media technology.

Everything is a pure function of ``(seed, index)``: the same seed always writes the same
newsroom, so tests, benchmarks and screenshots are reproducible.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from mimir.demo import phrases_en as en
from mimir.demo import phrases_intl as intl
from mimir.demo import words as w

TOPICS: tuple[str, ...] = tuple(en.TOPICS)
FEMALE_NAMES = frozenset(
    {
        "Amelia",
        "Ingrid",
        "Priya",
        "Helena",
        "Sofia",
        "Aiko",
        "Claire",
        "Nadia",
        "Yasmin",
        "Beatriz",
        "Elena",
        "Margot",
    }
)
_MONTHS_EN = ("March", "April", "June", "September", "October", "November")
_INTL_UPDATES = {
    "de": "Aktualisierung ({stamp} UTC): {company} hat die Angaben inzwischen bestätigt und "
    "weitere Einzelheiten für die kommende Woche angekündigt.",
    "fr": "Mise à jour ({stamp} UTC) : {company} a confirmé ces informations et annonce des "
    "précisions pour la semaine prochaine.",
}


@dataclass(frozen=True, slots=True)
class Story:
    """The facts of one announcement; two outlets may write it up with different headlines."""

    index: int
    topic: str
    language: str
    context: Mapping[str, str] = field(compare=False, hash=False)
    paragraphs: tuple[str, ...]
    headline_choice: int


@dataclass(frozen=True, slots=True)
class Article:
    """One published article as an outlet shows it."""

    index: int
    outlet: str
    story: Story
    title: str
    summary: str
    author: str
    slug: str
    pickup: bool = False  # the same press release already ran elsewhere

    @property
    def language(self) -> str:
        return self.story.language

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return self.story.paragraphs

    @property
    def section(self) -> str:
        return w.SECTIONS[self.story.topic]

    @property
    def keywords(self) -> tuple[str, ...]:
        ctx = self.story.context
        return (*w.KEYWORDS[self.story.topic], ctx["company"])

    @property
    def word_count(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


def slugify(text: str, limit: int = 72) -> str:
    """An ASCII URL slug: ``"Télé Horizon starts DVB-I"`` -> ``"tele-horizon-starts-dvb-i"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "article"


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random("/".join(["mimir-demo", str(seed), *map(str, parts)]))


def _people(rng: random.Random) -> tuple[str, str, bool]:
    first, first2 = rng.sample(w.FIRST_NAMES, 2)
    last, last2 = rng.sample(w.LAST_NAMES, 2)
    return f"{first} {last}", f"{first2} {last2}", first in FEMALE_NAMES


def _principals(rng: random.Random, topic: str, language: str) -> tuple[str, str]:
    """The company a story is about and its partner, plausible for the topic."""
    if topic == "atsc3":
        return rng.choice(w.BROADCASTERS), rng.choice(w.VENDORS)
    if topic == "dvbi" or (topic == "people" and language != "en"):
        return rng.choice(w.EU_BROADCASTERS), rng.choice(w.VENDORS)
    if topic == "5gb":
        return rng.choice(w.OPERATORS), rng.choice(w.EU_BROADCASTERS)
    if topic in ("streaming", "fast"):
        partner = rng.choice(w.VENDORS if topic == "streaming" else w.BROADCASTERS)
        return rng.choice(w.STREAMERS), partner
    if topic == "codec":
        return rng.choice(w.VENDORS), rng.choice(w.STREAMERS)
    if topic == "merger":
        company, partner = rng.sample(w.VENDORS, 2)
        return company, partner
    if topic == "people":
        pool = w.BROADCASTERS + w.VENDORS + w.STREAMERS
        company, partner = rng.sample(pool, 2)
        return company, partner
    if topic == "standard":
        company, partner = rng.sample(w.VENDORS, 2)
        return company, partner
    return rng.choice(w.VENDORS + w.BROADCASTERS), rng.choice(w.VENDORS)


def _context(rng: random.Random, topic: str, language: str) -> dict[str, str]:
    company, partner = _principals(rng, topic, language)
    person, person2, female = _people(rng)
    codec = rng.choice(w.CODECS)
    genre, genre2 = rng.sample(w.GENRES, 2)
    role_index = rng.randrange(len(intl.ROLES["de"]))
    role_de = intl.ROLES["de"][role_index] + ("in" if female and role_index != 2 else "")
    if female and role_index == 2:
        role_de = "Leiterin der Distribution"
    role_fr = intl.ROLES["fr"][role_index]
    if female:
        role_fr = role_fr.replace("directeur", "directrice")
    ctx = {
        "company": company,
        "partner": partner,
        "person": person,
        "person2": person2,
        "role": rng.choice(w.ROLES),
        "role2": rng.choice(w.ROLES),
        "role_de": role_de,
        "role_fr": role_fr,
        "pronoun": "she" if female else "he",
        "possessive": "her" if female else "his",
        "pronoun_de": "sie" if female else "er",
        "pronoun_fr": "elle" if female else "il",
        "city": rng.choice(w.US_MARKETS),
        "country": rng.choice(w.EU_COUNTRIES),
        "eu_city": rng.choice(w.EU_CITIES),
        "region": rng.choice(w.REGIONS),
        "region_de": rng.choice(intl.REGIONS_DE),
        "codec": codec,
        "codec_detail": w.CODEC_DETAILS[codec],
        "standard": rng.choice(w.STANDARDS),
        "platform": rng.choice(w.PLATFORM_NAMES),
        "genre": genre,
        "genre2": genre2,
        "sport": rng.choice(w.SPORTS_EVENTS),
        "amount": f"{rng.choice(w.DEAL_AMOUNTS):,}",
        "revenue": f"{rng.randrange(40, 900):,}",
        "pct": str(rng.randrange(6, 48)),
        "pct2": str(rng.randrange(2, 7)),
        "quarter": f"Q{rng.randrange(1, 5)}",
        "year": str(rng.choice((2026, 2027))),
        "half": rng.choice(("first half", "second half")),
        "n": str(rng.randrange(4, 40)),
        "homes": f"{rng.randrange(40, 900) * 1000:,}",
        "stations": str(rng.randrange(3, 14)),
        "weeks": str(rng.randrange(6, 26)),
        "years": str(rng.randrange(3, 15)),
        "titles": f"{rng.randrange(2, 60) * 500:,}",
        "price": rng.choice(("$4.99", "$5.99", "€4.99", "€6.99", "£5.99")),
        "power": str(rng.randrange(200, 1000)),
        "distance": str(rng.randrange(35, 80)),
        "staff": f"{rng.randrange(120, 4800):,}",
        "countries": str(rng.randrange(12, 90)),
        "month": rng.choice(_MONTHS_EN),
        "month_de": rng.choice(intl.MONTHS["de"]),
        "month_fr": rng.choice(intl.MONTHS["fr"]),
        "research": rng.choice(en.RESEARCH_FIRMS),
        "hq": rng.choice(en.HQ_CITIES),
        "founded": str(rng.randrange(1952, 2016)),
        "founded2": str(rng.randrange(1985, 2020)),
    }
    if language != "en":
        separator = "." if language == "de" else "\u202f"
        for key in ("homes", "staff", "titles"):
            ctx[key] = ctx[key].replace(",", separator)
    body = rng.choice(w.STANDARDS_BODIES)
    ctx["body"] = body
    ctx["body_title"] = body[0].upper() + body[1:]
    return ctx


def _words(sentences: list[str]) -> int:
    return sum(len(s.split()) for s in sentences)


def _english_body(rng: random.Random, topic: str, ctx: Mapping[str, str]) -> list[str]:
    groups = en.TOPICS[topic]
    pools: dict[str, list[str]] = {
        "lead": list(groups["lead"]),
        "detail": rng.sample(groups["detail"], len(groups["detail"])),
        "quote": [rng.choice(en.QUOTES_INTRO), *rng.sample(en.QUOTES, len(en.QUOTES))],
        "context": rng.sample(en.CONTEXT, len(en.CONTEXT)),
        "analyst": rng.sample(en.ANALYST, len(en.ANALYST)),
        "next": rng.sample(en.NEXT_STEPS, len(en.NEXT_STEPS)),
        "about": list(en.ABOUT),
    }
    plan = ["lead", "detail", "quote", "context", "analyst", "detail", "next", "context"]
    count = rng.randint(4, 9)
    kinds = [*plan[: count - 1], "about"]
    target = rng.randint(max(430, 80 * count), min(1120, 125 * count))
    per_paragraph = target / count
    paragraphs: list[list[str]] = []
    total = 0
    for kind in kinds:
        sentences: list[str] = []
        size = 0
        limit = per_paragraph if kind != "about" else per_paragraph * 0.6
        for source in (kind, "context", "detail"):
            while pools[source] and size < limit:
                if source == "quote" and len(sentences) == 2:
                    break
                sentence = pools[source].pop(0).format_map(ctx)
                sentences.append(sentence)
                size += len(sentence.split())
            if kind in ("lead", "quote", "about") or size >= limit * 0.7:
                break
        paragraphs.append(sentences)
        total += size
    spare = pools["context"] + pools["analyst"] + pools["next"]
    while total < 410 and spare:  # short so far: add paragraphs of background before "about"
        extra = [s.format_map(ctx) for s in spare[:4]]
        del spare[:4]
        if len(paragraphs) < 9:
            paragraphs.insert(len(paragraphs) - 1, extra)
        else:
            min(paragraphs[1:-1], key=_words).extend(extra)
        total += _words(extra)
    return [" ".join(p) for p in paragraphs if p]


def _intl_body(rng: random.Random, topic: str, language: str, ctx: Mapping[str, str]) -> list[str]:
    lead = [s.format_map(ctx) for s in intl.LEAD[language][topic]]
    rest = [s.format_map(ctx) for s in rng.sample(intl.BODY[language], len(intl.BODY[language]))]
    count = rng.randint(4, 7)
    target = rng.randint(420, 520)
    sentences = lead[:]
    size = _words(sentences)
    while rest and size < target:
        sentences.append(rest.pop(0))
        size += len(sentences[-1].split())
    size = max(1, -(-len(sentences) // count))
    return [" ".join(sentences[i : i + size]) for i in range(0, len(sentences), size)]


def generate_story(seed: int, index: int) -> Story:
    """The announcement behind article ``index``: topic, language, names and paragraphs."""
    rng = _rng(seed, "story", index)
    foreign = rng.random() < 0.11
    language = rng.choice(("de", "fr")) if foreign else "en"
    topic = rng.choice(intl.INTL_TOPICS if foreign else TOPICS)
    ctx = _context(rng, topic, language)
    if language == "en":
        paragraphs = _english_body(rng, topic, ctx)
    else:
        paragraphs = _intl_body(rng, topic, language, ctx)
    return Story(index, topic, language, ctx, tuple(paragraphs), rng.randrange(1000))


def headlines(story: Story) -> tuple[str, ...]:
    """Every headline the story can run under, in the order outlets pick them."""
    if story.language == "en":
        templates = en.TOPICS[story.topic]["headlines"]
    else:
        templates = intl.HEADLINES[story.language][story.topic]
    first = story.headline_choice % len(templates)
    ordered = templates[first:] + templates[:first]
    return tuple(t.format_map(story.context) for t in ordered)


def summary_of(paragraphs: tuple[str, ...], limit: int = 240) -> str:
    """The feed excerpt: the opening sentence(s), cut on a word boundary."""
    text = paragraphs[0]
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + " […]"


def generate_article(seed: int, index: int, outlet: str, story: Story | None = None) -> Article:
    """Article ``index`` on ``outlet``; with ``story`` it is a second write-up of that story."""
    pickup = story is not None and story.index != index
    base = story if story is not None else generate_story(seed, index)
    title = headlines(base)[1 if pickup else 0]
    rng = _rng(seed, "byline", index)
    return Article(
        index=index,
        outlet=outlet,
        story=base,
        title=title,
        summary=summary_of(base.paragraphs),
        author=rng.choice(w.JOURNALISTS),
        slug=f"{slugify(title)}-{index}",
        pickup=pickup,
    )


def update_paragraph(article: Article, number: int, when: datetime) -> str:
    """The paragraph revision ``number`` of ``article`` adds at time ``when``."""
    stamp = when.strftime("%H:%M")
    ctx = {**article.story.context, "stamp": stamp}
    if article.language != "en":
        return _INTL_UPDATES[article.language].format_map(ctx)
    template = en.UPDATES[(article.index + number) % len(en.UPDATES)]
    return template.format_map(ctx)
