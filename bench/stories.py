"""Near-duplicate stories: a labelled set built from realistic variants, and its evaluation.

The generator writes trade-press news about broadcast and media technology (the demo
newsroom's companies, people and places, ``mimir.demo``) as *stories*: one source text (a press
release or a wire report, 200 to 1,200 words) and its copies across sites:

- ``original``: the source text on its own site, with that site's boilerplate;
- ``syndicated``: the same text on another site (its own prefix and suffix lines, byline,
  date line, "Originally published at", a decorated headline);
- ``wire``: a new headline, the boilerplate "About" paragraphs dropped, paragraphs trimmed from
  the end, sometimes one dropped from the middle or two swapped, light edits;
- ``edited``: typo fixes, house spelling, a sentence cut or added;
- ``updated``: the full copy with an update paragraph added;
- ``trimmed``: only the first two to four paragraphs, often under a new headline;
- ``summary``: a feed entry only: title and the opening sentence(s), as feeds carry them;
- ``title_only``: a feed entry with a title and nothing else.

And the hard negatives, each its own story: a *sibling* (the same vendor's second launch that
week, a competitor's quarterly results, the same company's second appointment, the same
acquirer's next deal, the same supplier's next contract, another station's launch of the same
service) sharing the company, its "About" paragraph and the vocabulary; a *templated* reissue
(a contract or service-launch text reissued for another customer, station or market: the same
sentences with names and numbers replaced); and a *follow-up* the next day (reaction, shares,
regulators, first customer) that recycles one or two paragraphs of the original verbatim.
Follow-ups are separate stories: they say something new, and alerts should fire for them.

The sentence templates, vocabulary and site boilerplate are in
``tests/data/stories/phrases.toml``; ``[a|b]`` alternatives and synonyms are picked per story,
so two stories built from one template read like two writers.

Everything is a pure function of the seed. Thresholds are tuned on one seed and reported on
another (held out)::

    python -m bench.stories                  # sweep on seed 1, report seeds 1 and 2
    python -m bench.stories --smoke          # a few seconds: a small held-out set
    python -m bench.stories --stories 600 --tune-seed 3 --seed 4
    python -m bench.stories --show 3         # print the articles of three stories
"""

from __future__ import annotations

import argparse
import math
import random
import re
import statistics
import sys
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mimir.demo import phrases_en as demo_en
from mimir.demo import words as w
from mimir.process.neardup import (
    DEFAULT_SHAPE,
    DEFAULT_THRESHOLDS,
    DEFAULT_WINDOW,
    MAX_KEY_ARTICLES,
    Shape,
    Signature,
    StoryClusterer,
    Thresholds,
    band_keys,
    signature,
)

EPOCH = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # fixed: labels never depend on the clock
SPAN_DAYS = 21  # stories start over three weeks: the 72 h window matters
TUNE_SEED, HELD_OUT_SEED, SMOKE_SEED = 1, 2, 3
TARGET_PRECISION, TARGET_RECALL = 0.98, 0.90

# ---- the phrases (tests/data/stories/phrases.toml) ---------------------------------------------

PHRASES_PATH = Path(__file__).resolve().parents[1] / "tests" / "data" / "stories" / "phrases.toml"
_PHRASES: dict[str, Any] = tomllib.loads(PHRASES_PATH.read_text(encoding="utf-8"))
_VOCAB: dict[str, list[str]] = _PHRASES["vocabulary"]
PRODUCT_LINES: dict[str, list[str]] = _PHRASES["product_lines"]
FEATURES: dict[str, list[str]] = _PHRASES["features"]
KINDS: dict[str, dict[str, list[str]]] = {
    k: v for k, v in _PHRASES["kinds"].items() if k != "network"
}
NETWORK_DETAILS: list[str] = _PHRASES["kinds"]["network"]["detail"]
NETWORK_LEADS: dict[str, list[str]] = _PHRASES["kinds"]["network"]["lead"]
NETWORK_TOPICS = ("atsc3", "dvbi", "5gb", "fast", "streaming", "codec")  # mimir.demo's topics
FOLLOW_UPS: dict[str, dict[str, list[str]]] = _PHRASES["follow_ups"]
_SHARED: dict[str, Any] = _PHRASES["shared"]
SYNONYMS: dict[str, list[str]] = _PHRASES["synonyms"]
RESULTS_WORDS: dict[str, dict[str, str]] = _PHRASES["results"]
SPELLING: list[tuple[str, str]] = [(a, b) for a, b in _PHRASES["copies"]["spelling"]]
ORDINALS = ("second", "third", "fourth", "fifth")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
MONTHS = ("April", "May", "June", "July", "September", "October", "November")
QUARTER_LONG = {"Q1": "first quarter", "Q2": "second quarter", "Q3": "third quarter",
                "Q4": "fourth quarter"}  # fmt: skip
FEMALE = frozenset(("Amelia", "Ingrid", "Priya", "Helena", "Sofia", "Aiko", "Claire", "Nadia",
                    "Yasmin", "Beatriz", "Elena", "Margot"))  # fmt: skip
KIND_WEIGHTS = {"launch": 22, "contract": 18, "results": 15, "appointment": 13,
                "acquisition": 12, "network": 20}  # fmt: skip


# ---- sites and their boilerplate ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Site:
    """One publication: its name and the lines it wraps every article in."""

    name: str
    domain: str
    kind: str  # "press" (press-release wire), "trade" (trade press), "feed" (aggregator)
    title_style: str  # "plain", "suffix", "press", "upper"
    prefix: tuple[str, ...] = ()
    suffix: tuple[str, ...] = ()


SITES: tuple[Site, ...] = tuple(
    Site(s["name"], s["domain"], s["kind"], s["title_style"], tuple(s["prefix"]),
         tuple(s["suffix"]))
    for s in _PHRASES["sites"]
)  # fmt: skip

# ---- the generated articles ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelledArticle:
    """One article with the story it truly belongs to."""

    article_id: int
    story: int  #: the label
    title: str
    text: str
    published_at: datetime
    site: str
    variant: str  #: original, syndicated, wire, edited, updated, trimmed, summary, title_only
    relation: str  #: its story's relation to another: "", "sibling", "templated", "follow-up"

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(slots=True)
class _Story:
    label: int
    kind: str
    ctx: dict[str, str]
    headlines: tuple[str, ...]
    paragraphs: list[str]  # clean source text
    about: list[str]  # "About ..." and other boilerplate paragraphs (press releases)
    press: bool  # a press release (dateline, about) rather than a wire report
    start: datetime
    relation: str = ""
    topic: str = ""  # network stories: the mimir.demo topic
    typos: dict[str, str] = field(default_factory=dict)  # correct word -> misspelt


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random("/".join(["mimir-stories", str(seed), *map(str, parts)]))


def _short(name: str) -> str:
    """How copy refers to a company the second time: "Vectra" for Vectra Signal Systems."""
    first = name.split()[0]
    if len(name.split()) == 1 or len(first) <= 4 or first in ("Radiotelevisione", "Prairie"):
        return name
    return first


def _domain(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())[:18] + ".example"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


#: a writer's choices: each occurrence of a word under [synonyms] (outside ``{slots}``) may be
#: written another way, so two stories built from one template differ as two writers would
_SYNONYM_RE = re.compile(
    r"(?<![\w{])(" + "|".join(sorted(map(re.escape, SYNONYMS), key=len, reverse=True))
    + r")(?![\w}])", re.IGNORECASE,
)  # fmt: skip
_ALTERNATION_RE = re.compile(r"\[([^\[\]]*\|[^\[\]]*)\]")


def _render(rng: random.Random, template: str, ctx: Mapping[str, str],
            synonyms: bool = True) -> str:  # fmt: skip
    """Fill a template: ``[a|b|c]`` picks one, synonyms vary, then ``{slots}`` from ``ctx``."""

    def pick(match: re.Match[str]) -> str:
        return rng.choice(str(match.group(1)).split("|"))

    def vary(match: re.Match[str]) -> str:
        word = match.group(1)
        choice = rng.choice(SYNONYMS[word.lower()])
        return _cap(choice) if word[0].isupper() else choice

    text = _ALTERNATION_RE.sub(pick, template)
    if synonyms:
        text = _SYNONYM_RE.sub(vary, text)
    return text.format_map(ctx)


# ---- facts ---------------------------------------------------------------------------------------

def _person(rng: random.Random, avoid: Iterable[str] = ()) -> tuple[str, bool]:
    taken = set(avoid)
    while True:
        first, last = rng.choice(w.FIRST_NAMES), rng.choice(w.LAST_NAMES)
        name = f"{first} {last}"
        if name not in taken:
            return name, first in FEMALE


def _principals(rng: random.Random, kind: str, topic: str) -> tuple[str, str]:
    broadcasters = w.BROADCASTERS + w.EU_BROADCASTERS
    if kind in ("launch", "contract"):
        return rng.choice(w.VENDORS), rng.choice(broadcasters)
    if kind == "results":
        return rng.choice(w.VENDORS + w.BROADCASTERS + w.STREAMERS), rng.choice(w.VENDORS)
    if kind == "appointment":
        company, prev = rng.sample(w.VENDORS + broadcasters + w.STREAMERS, 2)
        return company, prev
    if kind == "acquisition":
        company, partner = rng.sample(w.VENDORS, 2)
        return company, partner
    if topic == "atsc3":
        return rng.choice(w.BROADCASTERS), rng.choice(w.VENDORS)
    if topic == "dvbi":
        return rng.choice(w.EU_BROADCASTERS), rng.choice(w.VENDORS)
    if topic == "5gb":
        return rng.choice(w.OPERATORS), rng.choice(w.EU_BROADCASTERS)
    if topic in ("fast", "streaming"):
        return rng.choice(w.STREAMERS), rng.choice(w.VENDORS if topic == "streaming"
                                                   else w.BROADCASTERS)  # fmt: skip
    return rng.choice(w.VENDORS), rng.choice(w.STREAMERS)  # codec


def _money(rng: random.Random, low: int, high: int) -> str:
    return f"{rng.randrange(low, high):,}"


def _facts(rng: random.Random, kind: str, topic: str, company: str | None = None,
           partner: str | None = None) -> dict[str, str]:  # fmt: skip
    """Every slot any template of ``kind`` may use, drawn once per story."""
    co_pick, partner_pick = _principals(rng, kind, topic)
    company = company or co_pick
    partner = partner or partner_pick
    if partner == company:
        partner = next(v for v in w.VENDORS + w.BROADCASTERS if v != company)
    product_kind = rng.choice(tuple(PRODUCT_LINES))
    codec = rng.choice(w.CODECS)
    features = [f.format(codec=codec) for f in rng.sample(FEATURES[product_kind], 4)]
    person, female = _person(rng)
    person2, _ = _person(rng, (person,))
    prev_person, prev_female = _person(rng, (person, person2))
    ceo, _ = _person(rng, (person, person2, prev_person))
    growth = rng.random() < 0.65
    genres = rng.sample(w.GENRES, 2)
    revenue = rng.randrange(40, 2400)
    body = rng.choice(w.STANDARDS_BODIES)
    vocab = _VOCAB
    ctx: dict[str, str] = {
        "company": company, "co": _short(company), "partner": partner, "pco": _short(partner),
        "product_kind": product_kind,
        "product": " ".join((_short(company), rng.choice(PRODUCT_LINES[product_kind]),
                             rng.choice(vocab["versions"]))),
        "feature1": features[0], "feature2": features[1], "feature3": features[2],
        "feature4": features[3], "market": rng.choice(vocab["markets"]),
        "goal": rng.choice(vocab["goals"]), "ask": rng.choice(vocab["asks"]),
        "want": rng.choice(vocab["wants"]), "show": rng.choice(vocab["shows"]),
        "person": person, "person2": person2, "prev_person": prev_person, "ceo": ceo,
        "role": rng.choice(w.ROLES), "role2": rng.choice(w.ROLES),
        "pronoun": "she" if female else "he", "pronoun_cap": "She" if female else "He",
        "possessive": "her" if female else "his", "pronoun_obj": "her" if female else "him",
        "prev_pronoun": "she" if prev_female else "he",
        "prev_company": partner if kind == "appointment" else rng.choice(w.BROADCASTERS),
        "city": rng.choice(w.US_MARKETS), "eu_city": rng.choice(w.EU_CITIES),
        "country": rng.choice(w.EU_COUNTRIES), "region": rng.choice(w.REGIONS),
        "region2": rng.choice(w.REGIONS), "hq": rng.choice(demo_en.HQ_CITIES),
        "hq2": rng.choice(w.EU_CITIES), "codec": codec, "codec_detail": w.CODEC_DETAILS[codec],
        "standard": rng.choice(w.STANDARDS), "body": body, "body_title": _cap(body),
        "platform": rng.choice(w.PLATFORM_NAMES), "sport": rng.choice(w.SPORTS_EVENTS),
        "research": rng.choice(demo_en.RESEARCH_FIRMS), "analyst": rng.choice(vocab["analysts"]),
        "month": rng.choice(MONTHS), "month2": rng.choice(MONTHS), "month3": rng.choice(MONTHS),
        "day": str(rng.randrange(1, 29)), "weekday": rng.choice(WEEKDAYS),
        "weekday2": rng.choice(WEEKDAYS), "half": rng.choice(("first half", "second half")),
        "year": "2026", "year2": "2027", "quarter": rng.choice(tuple(QUARTER_LONG)),
        "ordinal": rng.choice(ORDINALS),
        "years": str(rng.randrange(3, 22)), "years2": str(rng.randrange(2, 6)),
        "years3": str(rng.randrange(3, 8)), "weeks": str(rng.randrange(4, 20)),
        "weeks2": str(rng.randrange(2, 12)), "months": str(rng.randrange(3, 19)),
        "days": str(rng.randrange(2, 9)), "minutes": str(rng.randrange(12, 45)),
        "count": str(rng.randrange(3, 25)), "customers": _money(rng, 40, 900),
        "channels": str(rng.randrange(6, 140)), "channels2": str(rng.randrange(2, 9)),
        "stations": str(rng.randrange(3, 14)), "team": str(rng.randrange(20, 400)),
        "price": rng.choice(("$450", "$900", "€600", "€1,200", "$1,500", "£700")),
        "amount": f"{rng.choice(w.DEAL_AMOUNTS):,}", "credit": _money(rng, 100, 900),
        "savings": str(rng.randrange(8, 60)), "revenue": f"{revenue:,}",
        "consensus": f"{int(revenue * rng.uniform(0.93, 1.07)):,}",
        "profit": str(rng.randrange(3, 180)), "profit_prev": str(rng.randrange(3, 180)),
        "orders": _money(rng, 50, 2600), "backlog": _money(rng, 200, 5200),
        "cash": _money(rng, 30, 900), "rnd": str(rng.randrange(8, 300)),
        "rnd_pct": str(rng.randrange(8, 24)), "dividend": str(rng.randrange(5, 60)),
        "share": str(rng.randrange(35, 80)), "share_prev": str(rng.randrange(25, 70)),
        "share2": str(rng.randrange(40, 95)), "margin": str(rng.randrange(4, 28)),
        "gross": str(rng.randrange(38, 71)), "gross_prev": str(rng.randrange(38, 71)),
        "staff": _money(rng, 300, 9000), "staff2": str(rng.randrange(40, 600)),
        "countries": str(rng.randrange(15, 120)), "founded2": str(rng.randrange(1990, 2019)),
        "area": rng.choice(vocab["areas"]), "uni": rng.choice(vocab["universities"]),
        "remit": rng.choice(vocab["remits"]), "remit2": rng.choice(vocab["remits"]),
        "jobs": str(rng.randrange(40, 600)),
        "volume": str(rng.randrange(2, 6)), "target": str(rng.randrange(12, 140)),
        "homes": f"{rng.randrange(40, 900) * 1000:,}", "power": str(rng.randrange(200, 1000)),
        "distance": str(rng.randrange(35, 80)), "titles": f"{rng.randrange(2, 60) * 500:,}",
        "genre": genres[0], "genre2": genres[1],
        "n": str(rng.randrange(4, 40)),
    }  # fmt: skip
    for i in range(1, 9):
        ctx[f"pct{i if i > 1 else ''}"] = str(rng.randrange(2, 48))
    ctx["pct2"] = str(rng.randrange(1, 7))  # margins and energy move by a few points
    if kind == "results":
        ctx["pct"] = str(rng.randrange(2, 26))
    ctx["bank"], ctx["bank2"] = rng.sample(vocab["banks"], 2)
    ctx.update(RESULTS_WORDS["growth" if growth else "decline"])
    drivers = vocab["drivers_up" if growth else "drivers_down"]
    ctx["driver"] = rng.choice(drivers).format(region=ctx["region"])
    ctx["quarter_long"] = QUARTER_LONG[ctx["quarter"]]
    ctx["a_product_kind"] = ("an " if product_kind[0] in "AEIOU" else "a ") + product_kind
    ctx["dateline_city"] = ctx["hq"].upper()
    ctx["contact"] = _person(rng, (person, person2))[0]
    ctx["company_domain"] = _domain(company)
    return ctx


def _about(seed: int, company: str) -> str:
    """The company's boilerplate: the same in every press release it issues."""
    rng = _rng(seed, "about", company)
    nouns = rng.sample(_VOCAB["product_nouns"], 3)
    media = company not in w.VENDORS
    descriptor = rng.choice(_VOCAB["descriptors_media" if media else "descriptors_vendor"])
    return (
        f"About {company}: {company} is a {descriptor} headquartered in "
        f"{rng.choice(demo_en.HQ_CITIES)}. Founded in {rng.randrange(1952, 2016)}, the company "
        f"employs about {rng.randrange(120, 9000):,} people and serves customers in more than "
        f"{rng.randrange(15, 120)} countries. Its portfolio includes {nouns[0]}, {nouns[1]} and "
        f"{nouns[2]}. More information is available at www.{_domain(company)}."
    )


# ---- composing a text ----------------------------------------------------------------------------


def _words(text: str) -> int:
    return len(text.split())


class _Pools:
    """Shuffled sentence pools of one story; every sentence is used at most once.

    The first template of a quote pool introduces the speaker with their role; it is used
    first, the others later refer to the speaker by name.
    """

    def __init__(self, rng: random.Random, ctx: Mapping[str, str],
                 groups: Mapping[str, Sequence[str]]) -> None:  # fmt: skip
        self.rng = rng
        self.ctx = ctx
        self.pools: dict[str, list[str]] = {}
        for name, items in groups.items():
            if name in ("quote", "partner_quote") and items:  # the first names the speaker
                self.pools[name] = [*rng.sample(list(items[1:]), len(items) - 1), items[0]]
            else:
                self.pools[name] = rng.sample(list(items), len(items))
        #: sentences from pools every story shares: a story has one or two background lines
        self.budget = {"context": rng.randint(0, 2), "analyst": rng.randint(0, 2),
                       "next": rng.randint(0, 1)}  # fmt: skip
        claims = rng.sample(_SHARED["context_claims"], len(_SHARED["context_claims"]))
        openers = rng.sample(_SHARED["context_openers"], len(_SHARED["context_openers"]))
        self.pools["context"] = [
            f"{openers.pop()} {c}" if openers and rng.random() < 0.6 else _cap(c) for c in claims
        ]

    def take(self, name: str) -> str | None:
        pool = self.pools.get(name)
        if not pool or self.budget.get(name, 1) <= 0:
            return None
        if name in self.budget:
            self.budget[name] -= 1
        return _cap(_render(self.rng, pool.pop(), self.ctx))

    def left(self, name: str) -> int:
        return len(self.pools.get(name, ()))


_PLAN_PRESS = ("detail", "quote", "detail", "partner_quote", "detail", "context", "detail",
               "analyst", "detail", "context", "next")  # fmt: skip
_PLAN_WIRE = ("detail", "quote", "context", "detail", "analyst", "partner_quote", "detail",
              "context", "detail", "next", "context")  # fmt: skip


def _compose(pools: _Pools, lead: list[str], plan: Sequence[str], target: int) -> list[str]:
    """Paragraphs: the lead, then the plan's kinds of sentences until ``target`` words."""
    rng = pools.rng
    paragraphs = [" ".join(lead)]
    total = _words(paragraphs[0])
    for kind in (*plan, *plan):
        if total >= target:
            break
        size = 1 if kind in ("quote", "partner_quote", "next") else rng.randint(2, 3)
        sentences: list[str] = []
        for _ in range(size):
            sentence = pools.take(kind) or pools.take("context") or pools.take("detail")
            if sentence is None:
                break
            sentences.append(sentence)
        if kind == "quote" and rng.random() < 0.5 and (extra := pools.take("quote")):
            sentences.append(extra)
        if sentences:
            paragraphs.append(" ".join(sentences))
            total += sum(_words(s) for s in sentences)
    return paragraphs


def _target_words(rng: random.Random) -> int:
    band = rng.random()
    if band < 0.25:
        return rng.randrange(180, 400)
    if band < 0.8:
        return rng.randrange(400, 800)
    return rng.randrange(800, 1150)


def _groups(rng: random.Random, kind: str, topic: str) -> dict[str, Sequence[str]]:
    if kind == "network":
        demo = demo_en.TOPICS[topic]
        quotes = demo_en.QUOTES
        return {
            "headlines": demo["headlines"],
            "lead": NETWORK_LEADS[topic],
            "lead2": demo["lead"][1:],
            "detail": (*demo["detail"], *NETWORK_DETAILS),
            "quote": (rng.choice(demo_en.QUOTES_INTRO), quotes[0], quotes[3], quotes[4]),
            "partner_quote": (quotes[1], quotes[2]),
            "analyst": _SHARED["analyst"],
            "next": _SHARED["next_steps"],
        }
    templates = KINDS[kind]
    return {**templates, "analyst": _SHARED["analyst"], "next": _SHARED["next_steps"]}


def _make_story(seed: int, label: int, kind: str, topic: str, start: datetime,
                company: str | None = None, partner: str | None = None,
                ctx_over: Mapping[str, str] | None = None) -> _Story:  # fmt: skip
    rng = _rng(seed, "story", label)
    ctx = _facts(rng, kind, topic, company, partner)
    ctx.update(ctx_over or {})
    groups = _groups(rng, kind, topic)
    pools = _Pools(rng, ctx, groups)
    press = kind != "network" and rng.random() < 0.6
    lead = [pools.take("lead") or ""]
    if pools.left("lead2") and rng.random() < 0.8:
        lead.append(pools.take("lead2") or "")
    if press and kind in ("launch", "contract") and rng.random() < 0.5:
        lead[0] = lead[0].replace(" has launched ", " today launched ").replace(
            " has signed ", " today signed ")
    plan = _PLAN_PRESS if press else _PLAN_WIRE
    paragraphs = _compose(pools, lead, plan, _target_words(rng))
    about: list[str] = []
    if press:
        about.append(_about(seed, ctx["company"]))
        if kind in ("launch", "contract", "acquisition") and rng.random() < 0.6:
            about.append(_about(seed, ctx["partner"]))
        if kind == "results":
            about.append(_render(rng, _SHARED["forward_looking"], ctx))
    headlines = [_cap(_render(rng, h, ctx, synonyms=False)) for h in groups["headlines"]]
    rng.shuffle(headlines)
    return _Story(label, kind, ctx, tuple(headlines), paragraphs, about, press, start,
                  topic=topic)


def _follow_up(seed: int, label: int, base: _Story, start: datetime) -> _Story:
    rng = _rng(seed, "follow-up", label)
    kind = base.kind
    ctx = dict(base.ctx)
    ctx["weekday2"] = WEEKDAYS[(WEEKDAYS.index(ctx["weekday"]) + 1) % len(WEEKDAYS)]
    ctx.update(pct8=str(rng.randrange(2, 15)), month3=rng.choice(MONTHS),
               weeks2=str(rng.randrange(2, 12)), channels2=str(rng.randrange(2, 9)),
               minutes=str(rng.randrange(12, 45)), jobs=str(rng.randrange(40, 600)))
    groups = FOLLOW_UPS[kind]
    pools = _Pools(rng, ctx, {"detail": groups["detail"], "quote": _SHARED["follow_up_quotes"],
                              "analyst": _SHARED["analyst"], "next": _SHARED["next_steps"],
                              "recap": _SHARED["recaps"]})
    lead = [_cap(_render(rng, rng.choice(groups["lead"]), ctx))]
    if rng.random() < 0.6:
        lead.append(pools.take("recap") or "")
    plan = ("detail", "quote", "context", "detail", "analyst", "quote", "context", "next")
    paragraphs = _compose(pools, lead, plan, rng.randrange(220, 650))
    # the same newsroom recycles background from the day before, verbatim
    recycled = [p for p in base.paragraphs[1:] if _words(p) >= 25]
    if recycled and rng.random() < 0.8:
        for p in rng.sample(recycled, min(len(recycled), rng.randint(1, 2))):
            paragraphs.insert(rng.randint(1, len(paragraphs)), p)
    headline = _cap(rng.choice(groups["headlines"]).format_map(ctx))
    others = tuple(_cap(h.format_map(ctx)) for h in groups["headlines"] if
                   _cap(h.format_map(ctx)) != headline)  # fmt: skip
    return _Story(label, kind, ctx, (headline, *others), paragraphs, [], False, start,
                  relation="follow-up")


#: kinds whose releases are reissued from a template for another customer, station or
#: market (a product launch reissued with another quote is still the same launch), and the
#: facts that change
TEMPLATED_KINDS = ("contract", "network")
TEMPLATED_SLOTS = ("partner", "pco", "person2", "role2", "channels", "city", "eu_city",
                   "country", "region", "amount", "month", "weeks", "count", "stations",
                   "homes", "pct", "pct3", "months", "price", "days", "platform", "sport", "n",
                   "genre", "genre2", "titles", "power", "distance")  # fmt: skip


def _templated(seed: int, label: int, base: _Story, start: datetime) -> _Story:
    """The base story's text reissued for another customer: the same sentences, with the
    customer, people, places and numbers replaced (a hard negative with a high Jaccard)."""
    rng = _rng(seed, "templated", label)
    fresh = _facts(rng, base.kind, base.topic, base.ctx["company"])
    while fresh["partner"] == base.ctx["partner"]:  # another customer, station or partner
        fresh = _facts(rng, base.kind, base.topic, base.ctx["company"])
    ctx = dict(base.ctx)
    swaps: dict[str, str] = {}
    for slot in TEMPLATED_SLOTS:
        old, new = base.ctx[slot], fresh[slot]
        if old != new and len(old) > 1 and old not in swaps:
            swaps[old] = new
            ctx[slot] = new
    alternatives = "|".join(map(re.escape, sorted(swaps, key=len, reverse=True)))
    pattern = re.compile(r"(?<![\w$€£])(" + alternatives + r")(?!\w)")

    def swap(text: str) -> str:
        return pattern.sub(lambda m: swaps[m.group(1)], text) if swaps else text

    return _Story(label, base.kind, ctx, tuple(swap(h) for h in base.headlines),
                  [swap(p) for p in base.paragraphs], [swap(p) for p in base.about], base.press,
                  start, relation="templated", topic=base.topic)  # fmt: skip


# ---- copies ------------------------------------------------------------------------------------

VARIANT_WEIGHTS = {
    "trade": {"syndicated": 20, "wire": 30, "edited": 14, "updated": 5, "trimmed": 11,
              "summary": 12, "title_only": 8},
    "feed": {"summary": 55, "title_only": 25, "syndicated": 20},
}  # fmt: skip


def _sentences(paragraph: str) -> list[str]:
    out: list[str] = []
    current: list[str] = []
    for token in paragraph.split(" "):
        current.append(token)
        if token.endswith((".", ".”", "?", "!")) and len(current) > 3:
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _with_typos(rng: random.Random, paragraphs: list[str]) -> dict[str, str]:
    candidates = sorted({t for p in paragraphs for t in p.split() if t.isalpha() and len(t) > 6})
    return {t: _typo(rng, t) for t in rng.sample(candidates, min(len(candidates),
                                                                 rng.randint(1, 3)))}  # fmt: skip


def _apply_typos(paragraphs: list[str], typos: Mapping[str, str]) -> list[str]:
    out = []
    for p in paragraphs:
        for right, wrong in typos.items():
            p = p.replace(f" {right} ", f" {wrong} ", 1)
        out.append(p)
    return out


def _light_edits(rng: random.Random, paragraphs: list[str], ctx: Mapping[str, str]) -> list[str]:
    """House style and small cuts: spelling, a sentence dropped, an editorial line added."""
    out = list(paragraphs)
    for old, new in rng.sample(SPELLING, rng.randint(1, 4)):
        out = [p.replace(old, new) for p in out]
    if len(out) > 2 and rng.random() < 0.6:
        i = rng.randrange(1, len(out))
        sentences = _sentences(out[i])
        if len(sentences) > 1:
            del sentences[rng.randrange(len(sentences))]
            out[i] = " ".join(sentences)
    if rng.random() < 0.4:
        out.insert(rng.randint(1, len(out)), rng.choice(_SHARED["editorial"]).format_map(ctx))
    if rng.random() < 0.3:
        out = [p.replace(" said ", " says ", 1) for p in out]
    return out


def _decorate_title(site: Site, title: str) -> str:
    if site.title_style == "suffix":
        return f"{title} | {site.name}"
    if site.title_style == "upper":
        return " ".join(t[:1].upper() + t[1:] if len(t) > 3 else t for t in title.split())
    return title


def _summary(rng: random.Random, paragraphs: list[str]) -> str:
    """A feed entry's excerpt: the opening sentence(s) or the first 240 characters."""
    first = paragraphs[0] if paragraphs else ""
    roll = rng.random()
    if roll < 0.4 and len(first) > 240:
        return first[:240].rsplit(" ", 1)[0].rstrip(",;:") + " […]"
    sentences = _sentences(first)
    if roll < 0.75:
        return " ".join(sentences[:2])
    return first


def _boilerplate(rng: random.Random, site: Site, story: _Story, title: str, when: datetime,
                 lines: tuple[str, ...]) -> list[str]:  # fmt: skip
    values = dict(story.ctx)
    values.update(
        author=rng.choice(w.JOURNALISTS), date_long=f"{when:%B} {when.day}, {when:%Y}",
        date_short=f"{when:%Y-%m-%d}", minutes=str(rng.randrange(2, 9)), domain=site.domain,
        slug="-".join(title.lower().split()[:8]).replace(",", "").replace(":", ""),
        related=f"{rng.choice(w.VENDORS + w.BROADCASTERS)} {rng.choice(_VOCAB['related'])}",
        section=rng.choice(("Business", "Technology", "Distribution", "People", "Streaming")),
        tags=", ".join(rng.sample(("broadcast", "streaming", "IP", "cloud", "5G", "M&A"), 3)),
        title=title, site_origin=rng.choice(SITES).name,
    )  # fmt: skip
    return [line.format_map(values) for line in lines]


def _copy(rng: random.Random, story: _Story, variant: str, site: Site,
          when: datetime) -> tuple[str, str]:  # fmt: skip
    """(title, text) of one copy of ``story`` on ``site``."""
    body = list(story.paragraphs)
    about = list(story.about)
    headline = story.headlines[0]
    title = headline
    if variant in ("original", "syndicated"):
        if story.typos and (variant == "original" or rng.random() < 0.7):
            body = _apply_typos(body, story.typos)
        body += about
    elif variant == "wire":
        title = rng.choice(story.headlines[1:] or story.headlines)
        keep = max(2, round(len(body) * rng.uniform(0.55, 1.0)))
        body = body[:keep]
        if len(body) > 3 and rng.random() < 0.3:
            del body[rng.randrange(1, len(body) - 1)]
        if len(body) > 3 and rng.random() < 0.4:
            i = rng.randrange(1, len(body) - 1)
            body[i], body[i + 1] = body[i + 1], body[i]
        if rng.random() < 0.6:
            body = _light_edits(rng, body, story.ctx)
    elif variant == "edited":
        if rng.random() < 0.3:  # a sub-editor's touch
            title = title.replace(" to ", " will ", 1)
        body = _light_edits(rng, body, story.ctx) + about[:1]
    elif variant == "updated":
        stamp = f"{(when + timedelta(hours=rng.randrange(1, 6))):%H:%M}"
        update = rng.choice(_SHARED["updates"]).format_map({**story.ctx, "stamp": stamp})
        body = [update, *body] if rng.random() < 0.5 else [*body, update]
    elif variant == "trimmed":
        if rng.random() < 0.5:
            title = rng.choice(story.headlines[1:] or story.headlines)
        body = body[: rng.randint(2, 4)]
    elif variant == "summary":
        if rng.random() < 0.4:
            title = rng.choice(story.headlines[1:] or story.headlines)
        body = [_summary(rng, body)]
    elif variant == "title_only":  # a feed entry: often the headline of another write-up
        if rng.random() < 0.25:
            title = rng.choice(story.headlines[1:] or story.headlines)
        body = []
    title = _decorate_title(site, title)
    if variant == "title_only":
        return title, ""
    prefix = () if variant == "summary" else site.prefix
    lines_before = _boilerplate(rng, site, story, title, when, prefix)
    lines_after = _boilerplate(rng, site, story, title, when, site.suffix)
    if variant == "summary" and site.kind != "feed":
        lines_after = []
    return title, "\n\n".join([*lines_before, *body, *lines_after])


def _copies(rng: random.Random, small: bool) -> int:
    roll = rng.random()
    if roll < 0.2:
        return 0
    if roll < 0.55 or small:
        return rng.randint(1, 3)
    if roll < 0.85:
        return rng.randint(4, 7)
    return rng.randint(8, 13)


def _delay(rng: random.Random, variant: str) -> timedelta:
    if rng.random() < 0.04:  # clocks and embargoes: a copy that claims to be earlier
        return -timedelta(minutes=rng.randrange(5, 60))
    median = 45.0 if variant in ("summary", "title_only") else 240.0
    minutes = min(rng.lognormvariate(math.log(median), 1.0), 60 * 60.0)
    return timedelta(minutes=minutes)


def _articles_of(seed: int, story: _Story, small: bool) -> list[LabelledArticle]:
    rng = _rng(seed, "copies", story.label)
    press_sites = [s for s in SITES if s.kind == "press"]
    other_sites = [s for s in SITES if s.kind != "press"]
    if story.press and rng.random() < 0.8:
        home = rng.choice(press_sites)
    else:
        home = rng.choice([s for s in other_sites if s.kind == "trade"])
    if rng.random() < 0.35:
        story.typos = _with_typos(rng, story.paragraphs)
    out: list[tuple[Site, str, datetime]] = [(home, "original", story.start)]
    sites = [s for s in SITES if s is not home]
    rng.shuffle(sites)
    for site in sites[: _copies(rng, small)]:
        if site.kind == "press":
            if not story.press:
                continue
            variant = "syndicated"
        else:
            weights = VARIANT_WEIGHTS[site.kind]
            variant = rng.choices(list(weights), weights=list(weights.values()))[0]
        out.append((site, variant, story.start + _delay(rng, variant)))
    articles = []
    for site, variant, when in out:
        title, text = _copy(rng, story, variant, site, when)
        articles.append(LabelledArticle(0, story.label, title, text, when, site.name, variant,
                                        story.relation))
    return articles


def generate(seed: int, stories: int = 300) -> list[LabelledArticle]:
    """``stories`` base stories plus their siblings and follow-ups, all their copies.

    Articles come in ingest order (publication time, a few minutes of feed-polling jitter) with
    ids 1, 2, 3...; ``story`` is the label.
    """
    rng = _rng(seed, "plan")
    made: list[tuple[_Story, bool]] = []
    label = 0
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    for _ in range(stories):
        kind = rng.choices(kinds, weights=weights)[0]
        topic = rng.choice(NETWORK_TOPICS)
        start = EPOCH + timedelta(minutes=rng.randrange(SPAN_DAYS * 24 * 60))
        label += 1
        base = _make_story(seed, label, kind, topic, start)
        made.append((base, False))
        if rng.random() < 0.4:  # a hard negative: same company or same subject, days apart
            label += 1
            when = start + timedelta(minutes=rng.randrange(-2 * 24 * 60, 4 * 24 * 60))
            company: str | None = None  # a competitor, another station: other names
            over = {"quarter": base.ctx["quarter"]}
            if kind not in ("results", "network"):  # the same company, same spokesperson
                company = base.ctx["company"]
                over = {} if kind == "appointment" else {"person": base.ctx["person"]}
            sibling = _make_story(seed, label, kind, topic, when, company, None, over)
            sibling.relation = "sibling"
            made.append((sibling, True))
        if kind in TEMPLATED_KINDS and rng.random() < 0.15:  # the same release, other customer
            label += 1
            when = start + timedelta(minutes=rng.randrange(-3 * 24 * 60, 3 * 24 * 60))
            made.append((_templated(seed, label, base, when), True))
        if rng.random() < 0.25:  # tomorrow's follow-up
            label += 1
            when = start + timedelta(minutes=rng.randrange(10 * 60, 40 * 60))
            made.append((_follow_up(seed, label, base, when), True))
    articles: list[tuple[datetime, LabelledArticle]] = []
    for story, small in made:
        for article in _articles_of(seed, story, small):
            jitter = timedelta(minutes=rng.randrange(0, 20))
            articles.append((article.published_at + jitter, article))
    articles.sort(key=lambda pair: (pair[0], pair[1].story, pair[1].site))
    return [replace(a, article_id=i) for i, (_, a) in enumerate(articles, 1)]


# ---- evaluation --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scores:
    """Clustering quality against the labels."""

    precision: float  #: pairwise: of the pairs put together, the share that belong together
    recall: float  #: pairwise: of the pairs that belong together, the share put together
    bcubed_precision: float
    bcubed_recall: float
    articles: int
    stories: int  #: true stories
    predicted: int  #: stories found

    def meets_targets(self) -> bool:
        return self.precision >= TARGET_PRECISION and self.recall >= TARGET_RECALL


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def score(labels: Sequence[int], predicted: Sequence[int]) -> Scores:
    """Pairwise and B-cubed precision and recall of ``predicted`` against ``labels``."""
    if len(labels) != len(predicted):
        raise ValueError("labels and predictions differ in length")
    cells = Counter(zip(labels, predicted, strict=True))
    by_label = Counter(labels)
    by_cluster = Counter(predicted)
    together = sum(_pairs(n) for n in cells.values())
    placed = sum(_pairs(n) for n in by_cluster.values())
    true = sum(_pairs(n) for n in by_label.values())
    count = len(labels) or 1
    bp = sum(n * n / by_cluster[c] for (_, c), n in cells.items()) / count
    br = sum(n * n / by_label[label] for (label, _), n in cells.items()) / count
    return Scores(
        precision=together / placed if placed else 1.0,
        recall=together / true if true else 1.0,
        bcubed_precision=bp,
        bcubed_recall=br,
        articles=len(labels),
        stories=len(by_label),
        predicted=len(by_cluster),
    )


def signatures(articles: Sequence[LabelledArticle],
               shape: Shape = DEFAULT_SHAPE) -> list[Signature]:  # fmt: skip
    return [signature(a.title, a.text, shape) for a in articles]


def cluster(
    articles: Sequence[LabelledArticle],
    sigs: Sequence[Signature],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    window: timedelta = DEFAULT_WINDOW,
    shape: Shape = DEFAULT_SHAPE,
) -> list[int]:
    """The story id ``StoryClusterer`` gives each article, from precomputed signatures."""
    clusterer = StoryClusterer(window=window, thresholds=thresholds, shape=shape)
    return [clusterer.add_signature(a.article_id, sig, a.published_at)
            for a, sig in zip(articles, sigs, strict=True)]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Cost:
    """Per-article cost of ``StoryClusterer.add`` (signature, band keys, lookup, decision)."""

    mean_ms: float
    p50_ms: float
    p95_ms: float
    typical_mean_ms: float  #: articles of 3 to 8 KB of text
    typical_count: int
    signature_ms: float  #: of which signature + band keys (mean)
    candidates: float  #: candidates looked at per article (mean)


def measure_cost(articles: Sequence[LabelledArticle],
                 thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Cost:  # fmt: skip
    """Time ``StoryClusterer.add`` over the articles in ingest order (single thread)."""
    clusterer = StoryClusterer(thresholds=thresholds)
    times: list[float] = []
    typical: list[float] = []
    candidates = 0
    for a in articles[:50]:  # warm-up: word-hash cache, numpy, permutations
        signature(a.title, a.text)
    for a in articles:
        start = time.perf_counter()
        clusterer.add(a.article_id, a.title, a.text, a.published_at)
        elapsed = (time.perf_counter() - start) * 1000
        times.append(elapsed)
        if 3000 <= len(a.text.encode()) <= 8000:
            typical.append(elapsed)
    start = time.perf_counter()
    for a in articles:
        band_keys(signature(a.title, a.text))
    sig_ms = (time.perf_counter() - start) * 1000 / len(articles)
    probe = StoryClusterer(thresholds=thresholds)
    for a in articles:
        sig = signature(a.title, a.text)
        candidates += len(probe.candidates(band_keys(sig), a.published_at))
        probe.add_signature(a.article_id, sig, a.published_at)
    ordered = sorted(times)
    return Cost(
        mean_ms=statistics.fmean(times),
        p50_ms=ordered[len(ordered) // 2],
        p95_ms=ordered[int(len(ordered) * 0.95)],
        typical_mean_ms=statistics.fmean(typical) if typical else float("nan"),
        typical_count=len(typical),
        signature_ms=sig_ms,
        candidates=candidates / len(articles),
    )


def breakdown(articles: Sequence[LabelledArticle], predicted: Sequence[int]) -> dict[str, str]:
    """Where the errors are: copies missed, by variant; stories merged, by relation."""
    original_cluster = {a.story: p for a, p in zip(articles, predicted, strict=True)
                        if a.variant == "original"}  # fmt: skip
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a, p in zip(articles, predicted, strict=True):
        if a.variant != "original":
            found[a.variant][0] += p == original_cluster[a.story]
            found[a.variant][1] += 1
    members: dict[int, set[int]] = defaultdict(set)
    for a, p in zip(articles, predicted, strict=True):
        members[p].add(a.story)
    relation = {a.story: a.relation for a in articles}
    merged: Counter[str] = Counter()
    for stories in members.values():
        if len(stories) > 1:
            for story in stories:
                merged[relation[story] or "base"] += 1
    out = {f"joined its original: {v}": f"{ok}/{n} ({ok / n:.1%})"
           for v, (ok, n) in sorted(found.items())}  # fmt: skip
    out["stories wrongly merged (by relation)"] = (
        ", ".join(f"{k} {n}" for k, n in sorted(merged.items())) or "none"
    )
    return out


# ---- the sweep and the report ------------------------------------------------------------------

SWEEP: dict[str, tuple[float, ...]] = {
    "text": (0.3, 0.4, 0.5, 0.6, 0.7),
    "containment": (0.6, 0.7, 0.8, 0.9, 1.01),
    "title": (0.3, 0.4, 0.5, 0.7, 1.01),
    "lead": (0.3, 0.4, 0.5, 0.6, 0.7, 0.8),
    "lead_with_title": (0.2, 0.3, 0.4, 0.5, 1.01),
    "terms": (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
    "body_terms": (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8),
    "min_text_shingles": (40, 80, 150, 250, 400),
    "text_joins_via_title": (0, 1),
}
SHINGLE_SWEEP = (2, 3, 4, 5, 6, 8)
BAND_SWEEP = ((16, 8), (21, 6), (32, 4), (42, 3))
#: candidates read per band key (None: all within the window)
KEY_ARTICLES_SWEEP = (2, 4, 8, 16, None)


def _line(label: str, s: Scores, extra: str = "") -> str:
    return (
        f"  {label:<28} P {s.precision:.4f}  R {s.recall:.4f}  B3-P {s.bcubed_precision:.4f}  "
        f"B3-R {s.bcubed_recall:.4f}  stories {s.predicted:>4}/{s.stories}{extra}"
    )


def sweep(articles: Sequence[LabelledArticle], out: Callable[[str], None]) -> None:
    """Precision and recall around the chosen parameters, one parameter at a time."""
    labels = [a.story for a in articles]
    sigs = signatures(articles)
    out(f"  {'(chosen)':<28}" + _line("", score(labels, cluster(articles, sigs)))[30:])
    for name, values in SWEEP.items():
        for value in values:
            kind: type = type(getattr(DEFAULT_THRESHOLDS, name))
            override: dict[str, Any] = {name: kind(value)}
            th = replace(DEFAULT_THRESHOLDS, **override)
            mark = " *" if getattr(DEFAULT_THRESHOLDS, name) == kind(value) else ""
            shown = "off" if value > 1 and kind is float else str(kind(value))
            out(_line(f"{name} = {shown}{mark}", score(labels, cluster(articles, sigs, th))))
    for k in SHINGLE_SWEEP:
        shape = replace(DEFAULT_SHAPE, shingle_words=k)
        s = score(labels, cluster(articles, signatures(articles, shape), shape=shape))
        out(_line(f"shingle_words = {k}{' *' if k == DEFAULT_SHAPE.shingle_words else ''}", s))
    for bands, rows in BAND_SWEEP:
        shape = replace(DEFAULT_SHAPE, text_bands=bands, text_rows=rows)
        band_sigs = signatures(articles, shape)
        probe = StoryClusterer(shape=shape)
        seen = 0
        for a, sig in zip(articles, band_sigs, strict=True):
            seen += len(probe.candidates(band_keys(sig), a.published_at))
            probe.add_signature(a.article_id, sig, a.published_at)
        chosen = (bands, rows) == (DEFAULT_SHAPE.text_bands, DEFAULT_SHAPE.text_rows)
        s = score(labels, cluster(articles, band_sigs, shape=shape))
        out(_line(f"text bands x rows = {bands}x{rows}{' *' if chosen else ''}", s,
                  f"  candidates/article {seen / len(articles):.1f}"))
    for per_key in KEY_ARTICLES_SWEEP:
        capped = StoryClusterer(max_key_articles=per_key)
        seen, predicted = 0, []
        for a, sig in zip(articles, sigs, strict=True):
            seen += len(capped.candidates(band_keys(sig), a.published_at))
            predicted.append(capped.add_signature(a.article_id, sig, a.published_at))
        mark = " *" if per_key == MAX_KEY_ARTICLES else ""
        out(_line(f"articles per key = {per_key or 'all'}{mark}", score(labels, predicted),
                  f"  candidates/article {seen / len(articles):.1f}"))  # fmt: skip


def report(seed: int, stories: int, out: Callable[[str], None], cost: bool = True) -> Scores:
    """Generate, cluster with the chosen parameters, print the scores; return them."""
    articles = generate(seed, stories)
    labels = [a.story for a in articles]
    started = time.perf_counter()
    predicted = cluster(articles, signatures(articles))
    elapsed = time.perf_counter() - started
    s = score(labels, predicted)
    variants = Counter(a.variant for a in articles)
    relations = Counter(a.relation or "base" for a in articles if a.variant == "original")
    out(f"seed {seed}: {len(articles)} articles, {s.stories} stories "
        f"({', '.join(f'{k} {n}' for k, n in sorted(relations.items()))}); "
        f"{', '.join(f'{k} {n}' for k, n in variants.most_common())}")  # fmt: skip
    out(_line("pairwise / B-cubed", s))
    for key, value in breakdown(articles, predicted).items():
        out(f"    {key}: {value}")
    if cost:
        c = measure_cost(articles)
        out(f"  cost per article: mean {c.mean_ms:.3f} ms, p50 {c.p50_ms:.3f} ms, "
            f"p95 {c.p95_ms:.3f} ms; 3-8 KB texts ({c.typical_count}) mean "
            f"{c.typical_mean_ms:.3f} ms; signature + band keys {c.signature_ms:.3f} ms; "
            f"{c.candidates:.1f} candidates per article")  # fmt: skip
    else:
        out(f"  clustered in {elapsed:.2f} s")
    return s


def store_cost(before: int, count: int = 500, items: int = 50) -> dict[str, float]:
    """Milliseconds per article of ``store_article`` and of its ``place`` (story placement) for
    ``count`` of the ingest benchmark's demo articles stored after ``before`` others, on a fresh
    SQLite database, one transaction each (the text as the page extraction gives it)."""
    import tempfile

    from sqlalchemy import create_engine

    from bench.corpus import Corpus
    from mimir.alerts.matching import WatchSet
    from mimir.config import Settings
    from mimir.db.database import Database
    from mimir.db.migrate import upgrade
    from mimir.model import SourceSpec
    from mimir.monitor import ingest
    from mimir.process.fingerprint import text_fingerprint
    from mimir.process.urls import url_hash
    from mimir.storage import sources as source_store
    from mimir.storage import stories as story_store
    from mimir.storage.articles import ArticleValues

    feeds = (before + count) // items + 1
    corpus = Corpus(feeds, items, 250, 1, 8000)
    # the order the worker meets them: the newest item of every feed first
    order = sorted(range(feeds * items), key=lambda i: (i % items, i // items))[: before + count]
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/stories.db"
        engine = create_engine(url)
        upgrade(engine)
        engine.dispose()
        db = Database(Settings(database_url=url))
        sources = {
            f: db.sync_write(source_store.add_source,
                             SourceSpec(name=f"feed{f}", url=f"https://f{f}.example/rss"), now).id
            for f in sorted({i // items for i in order})
        }  # fmt: skip
        values = []
        for i in order:
            rev = corpus.revision(i)
            body = "\n\n".join(rev.paragraphs)
            sig = signature(rev.article.title, body)
            link = corpus.article_url(i)
            values.append(ArticleValues(
                source_id=sources[i // items], url=link, canonical_url=link,
                url_hash=url_hash(link), alias_hashes=(), guid=None, guid_hash=None,
                fingerprint=text_fingerprint(body), entry_hash=None, title=rev.article.title,
                summary=rev.article.summary, text=body,
                html="".join(f"<p>{para}</p>" for para in rev.paragraphs),
                authors=[rev.article.author], published_at=rev.published, updated_at=None,
                language="en", image_url=None, section=None, tags=[], fetch_meta={},
                extraction="page", signature=sig.to_bytes(), band_keys=tuple(band_keys(sig)),
            ))  # fmt: skip
        after = ingest.AfterStore(WatchSet.empty())
        for v in values[:before]:
            db.sync_write(ingest.store_article, v, now, after)
        placing: list[float] = []
        storing: list[float] = []
        place = story_store.place

        def timed_place(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return place(*args, **kwargs)
            finally:
                placing.append(time.perf_counter() - start)

        def timed_store(conn: Any, v: ArticleValues) -> None:
            start = time.perf_counter()
            ingest.store_article(conn, v, now, after)
            storing.append(time.perf_counter() - start)

        story_store.place = timed_place
        try:
            for v in values[before:]:
                db.sync_write(timed_store, v)
        finally:
            story_store.place = place
            db.close()
    return {"store_article_ms": statistics.fmean(storing) * 1000,
            "place_ms": statistics.fmean(placing) * 1000}  # fmt: skip


def _parameters(out: Callable[[str], None]) -> None:
    sh, th = DEFAULT_SHAPE, DEFAULT_THRESHOLDS
    out(f"shape: {sh.shingle_words}-word shingles; body MinHash {sh.text_perm} permutations, "
        f"{sh.text_bands} bands x {sh.text_rows} rows; lead = first {sh.lead_words} words, "
        f"{sh.lead_perm} permutations, {sh.lead_bands} bands x {sh.lead_rows} rows; "
        f"window {DEFAULT_WINDOW}")  # fmt: skip
    out("thresholds: " + ", ".join(f"{k}={getattr(th, k)}" for k in th.__dataclass_fields__))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=360, help="base stories per seed")
    parser.add_argument("--tune-seed", type=int, default=TUNE_SEED)
    parser.add_argument("--seed", type=int, default=HELD_OUT_SEED, help="the held-out seed")
    parser.add_argument("--smoke", action="store_true", help="a small held-out run, no sweep")
    parser.add_argument("--no-sweep", action="store_true")
    parser.add_argument("--store", type=int, nargs="*", metavar="N",
                        help="time store_article on SQLite after N demo articles (600 3000)"
                        " and exit")  # fmt: skip
    parser.add_argument("--show", type=int, default=0, metavar="N",
                        help="print the articles of the first N stories and exit")  # fmt: skip
    args = parser.parse_args(argv)

    def out(line: str) -> None:
        print(line, flush=True)

    if args.store is not None:
        for before in args.store or [600, 3000]:
            cost = store_cost(before)
            out(f"after {before} articles: store_article {cost['store_article_ms']:.2f} ms, "
                f"of which place {cost['place_ms']:.2f} ms (mean of 500)")  # fmt: skip
        return 0
    if args.show:
        for a in generate(args.seed, max(args.show, 2)):
            if a.story <= args.show:
                relation = f" ({a.relation})" if a.relation else ""
                out(f"--- story {a.story}{relation} | {a.variant} | {a.site} | "
                    f"{a.published_at:%Y-%m-%d %H:%M} | {a.words} words\n# {a.title}\n{a.text}\n")
        return 0
    _parameters(out)
    if args.smoke:
        s = report(SMOKE_SEED, 60, out, cost=False)
        ok = s.meets_targets()
        out(f"targets P >= {TARGET_PRECISION}, R >= {TARGET_RECALL}: {'met' if ok else 'MISSED'}")
        return 0 if ok else 1
    out(f"\n== tuning seed {args.tune_seed}")
    tuned = report(args.tune_seed, args.stories, out, cost=False)
    if not args.no_sweep:
        out(f"\n== sweep on the tuning seed {args.tune_seed} (one parameter at a time; * chosen)")
        sweep(generate(args.tune_seed, args.stories), out)
    out(f"\n== held-out seed {args.seed}")
    held = report(args.seed, args.stories, out)
    ok = tuned.meets_targets() and held.meets_targets()
    out(f"\ntargets P >= {TARGET_PRECISION}, R >= {TARGET_RECALL}: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
