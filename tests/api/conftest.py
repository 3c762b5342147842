"""The HTTP side in-process: FastAPI's TestClient against real SQLite and PostgreSQL."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from starlette.exceptions import StarletteDeprecationWarning

from mimir.alerts import manage
from mimir.alerts.matching import SourceInfo, WatchSet
from mimir.api.access import CSRF_HEADER, SESSION_COOKIE
from mimir.api.app import create_app
from mimir.config import Settings
from mimir.db.database import Database
from mimir.model.users import Role
from mimir.model.watches import WatchSpec
from mimir.monitor.ingest import AfterStore, Stored, store_article
from mimir.storage import users as user_store
from mimir.storage import watches as watch_store
from mimir.storage.articles import ArticleValues
from mimir.storage.users import User
from tests.storage.test_articles import NOW, source
from tests.storage.test_stories_alerts import OTHER, RELEASE, article

with warnings.catch_warnings():
    # Starlette asks for httpx2 over httpx; the client behaves the same (tests treat
    # warnings as errors, and this one fires once, at import)
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

BRAZIL = """\
SAO PAULO, April 14, 2026 - Brazil's communications ministry chose the ATSC 3.0 standard, \
marketed as NextGen TV, for the country's next generation of free-to-air television, ending a \
two-year evaluation in which Japanese, European and Chinese systems were also tested.

Broadcasters Globo, SBT and Record will start transmissions in Sao Paulo and Rio de Janeiro in \
2027, the ministry said, with the rest of the state capitals following by 2030. Receivers that \
decode the new signal will have to be sold alongside current sets for at least five years.

The decision is a win for the consortium of American and Korean manufacturers that lobbied for \
the standard, which carries internet-style video streams over the air and lets stations send \
different advertising to different households, a feature commercial broadcasters had pressed for.
"""


@dataclass(frozen=True)
class Scenario:
    """A watch with alerts (two stories; the first has a copy on a second source), a disabled
    watch, and the articles they came from."""

    token: str
    disabled_token: str
    watch_id: int
    release_url: str
    copy_url: str
    brazil_url: str


def store(db: Database, values: ArticleValues, after: AfterStore, at: object = NOW) -> Stored:
    return db.sync_write(store_article, values, at, after)


@pytest.fixture
def scenario(db: Database) -> Scenario:
    return make_scenario(db)


def make_scenario(db: Database) -> Scenario:
    """Four sources, four articles (two stories alerted for a watch), a disabled watch."""
    wire, tvtech, press, globo = (source(db, n) for n in ("wire", "tvtech", "press", "globo"))

    def setup(conn: object) -> tuple[int, int]:
        manage.add_channel(conn, "desk", "json://hooks.example/mimir", NOW)  # type: ignore[arg-type]
        watch = manage.add_watch(
            conn,  # type: ignore[arg-type]
            WatchSpec(name="NextGen <TV> & co", query='"NextGen TV"', channels=("desk",)),
            NOW,
        )
        off = manage.add_watch(
            conn,  # type: ignore[arg-type]
            WatchSpec(name="Harmonic", query="harmonic", enabled=False),
            NOW,
        )
        return watch, off

    watch_id, off_id = db.sync_write(setup)
    after = AfterStore(db.sync_read(WatchSet.load), SourceInfo("Wire", "wire.example", "trade"))
    release = "https://wire.example/sinclair-harmonic"
    copy = "https://tvtech.example/harmonic-sinclair"
    brazil = "https://globo.example/brazil-atsc3"
    first = store(
        db, article(wire, release, "Sinclair picks Harmonic for NextGen TV", RELEASE), after
    )
    assert [m.watch_id for m in first.matched] == [watch_id]
    copy_text = "By Staff | TV Tech\n\n" + RELEASE.rsplit("\n\n", 2)[0]
    joined = store(
        db,
        article(tvtech, copy, "Harmonic lands Sinclair NextGen TV deal", copy_text),
        after,
        NOW + timedelta(hours=1),
    )
    assert joined.story_id == first.story_id and joined.matched == []  # no second alert
    store(db, article(press, "https://press.example/q1", "Harmonic results", OTHER), after)
    later = NOW + timedelta(hours=2)
    third = store(
        db,
        article(globo, brazil, "Brazil picks ATSC 3.0", BRAZIL, published_at=later),
        after,
        later,
    )
    assert [m.watch_id for m in third.matched] == [watch_id]
    watches = {w.id: w for w in db.sync_read(watch_store.list_watches)}
    return Scenario(
        watches[watch_id].feed_token, watches[off_id].feed_token, watch_id, release, copy, brazil
    )


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    """The app on the test's database (the caller owns it: the app must not close it)."""
    with TestClient(create_app(settings, db=db)) as c:
        yield c


# ---- signed-in clients ----------------------------------------------------------------------

PASSWORD = "correct horse battery staple"
#: a cheap argon2 hash of PASSWORD: the tests' users sign in without 60 ms of hashing each
FAST_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)


@dataclass(frozen=True)
class People:
    admin: User
    editor: User
    viewer: User


@pytest.fixture
def people(db: Database) -> People:
    """An admin, an editor and a viewer (password: PASSWORD)."""
    made = [
        db.sync_write(user_store.create_user, f"{role.value}@example.org", FAST_HASH, role, NOW)
        for role in (Role.ADMIN, Role.EDITOR, Role.VIEWER)
    ]
    return People(*made)


def signed_in(settings: Settings, db: Database, user: User) -> TestClient:
    """A client with a live session of ``user``: the cookie, and the CSRF header on every
    request (a test that checks CSRF removes it)."""
    token, csrf = db.sync_write(
        user_store.create_session, user.id, datetime.now(UTC), timedelta(hours=1)
    )
    c = TestClient(create_app(settings, db=db))
    c.cookies.set(SESSION_COOKIE, token)
    c.headers[CSRF_HEADER] = csrf
    return c


def with_key(settings: Settings, db: Database, user: User, *scopes: str) -> TestClient:
    """A client sending an API key of ``user`` with ``scopes``."""
    key, _ = db.sync_write(
        user_store.create_api_key, user.id, "test", list(scopes) or ["read"], datetime.now(UTC)
    )
    c = TestClient(create_app(settings, db=db))
    c.headers["Authorization"] = f"Bearer {key}"
    return c


@pytest.fixture
def as_admin(settings: Settings, db: Database, people: People) -> Iterator[TestClient]:
    with signed_in(settings, db, people.admin) as c:
        yield c


@pytest.fixture
def as_editor(settings: Settings, db: Database, people: People) -> Iterator[TestClient]:
    with signed_in(settings, db, people.editor) as c:
        yield c


@pytest.fixture
def as_viewer(settings: Settings, db: Database, people: People) -> Iterator[TestClient]:
    with signed_in(settings, db, people.viewer) as c:
        yield c
