"""Every /api/v1 route called as every role: generated from the route table and the OpenAPI
document, so a new route is checked the day it is added.

For each route and each caller (anonymous, viewer, editor, admin, each with a browser session):
anonymous gets 401; a role below the route's requirement gets 403; a role at or above it
succeeds (2xx or 3xx) on a valid request: path ids of real objects (the caller's own watch and
channel), the body the route's OpenAPI document gives as its example, required query parameters
from their examples. Each case runs on its own copy of one prepared SQLite store.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mimir.alerts import manage
from mimir.api.access import CSRF_HEADER, SESSION_COOKIE, Access
from mimir.api.app import create_app
from mimir.db.database import Database
from mimir.db.migrate import upgrade
from mimir.model.users import Role
from mimir.model.watches import WatchSpec
from mimir.storage import users as user_store
from tests.api.conftest import FAST_HASH, NOW, TestClient, make_scenario
from tests.api.test_route_table import requirements, routes
from tests.conftest import make_settings

CALLERS = ("anonymous", "viewer", "editor", "admin")
#: routes whose success needs the network (discovery, fetching, sending): here they must get
#: past access control (neither 401 nor 403); their own tests run them against local servers
NETWORK = {
    ("POST", "/api/v1/sources"),
    ("POST", "/api/v1/sources/{source_id}/test"),
    ("POST", "/api/v1/sources/{source_id}/refresh"),
    ("POST", "/api/v1/channels/{channel_id}/test"),
}


#: routes that take a file rather than JSON: a small valid one
RAW_BODIES = {
    "/api/v1/sources/import": (
        b'<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
        b'<outline type="rss" text="Matrix" xmlUrl="https://matrix.example.org/feed.xml"/>'
        b"</body></opml>"
    ),
}


@dataclass(frozen=True)
class Store:
    path: Path
    ids: dict[str, dict[str, int]]  # path parameter -> caller -> id


def _guarded() -> list[tuple[str, str, Access]]:
    out = []
    for route in routes():
        found = [r for r in requirements(route.dependant) if isinstance(r, Access)]
        if not found or not route.path.startswith("/api/v1/"):
            continue
        for method in sorted(route.methods - {"HEAD"}):
            out.append((method, route.path, found[0]))
    return out


GUARDED = _guarded()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("matrix") / "template.db"
    settings = make_settings(f"sqlite:///{path}")
    with Database(settings) as db:
        upgrade(db.engine)
        scenario = make_scenario(db)
        people = {
            role.value: db.sync_write(
                user_store.create_user, f"{role.value}@example.org", FAST_HASH, role, NOW
            )
            for role in (Role.ADMIN, Role.EDITOR, Role.VIEWER)
        }
        spare = db.sync_write(
            user_store.create_user, "spare@example.org", FAST_HASH, Role.VIEWER, NOW
        )
        _, key = db.sync_write(user_store.create_api_key, spare.id, "spare", ["read"], NOW)

        def owned(conn: Any) -> dict[str, dict[str, int]]:
            ids: dict[str, dict[str, int]] = {"watch_id": {}, "channel_id": {}}
            for name, user in people.items():
                channel = manage.add_channel(
                    conn, f"{name}'s", "json://hooks.example.org/x", NOW, owner_id=user.id
                )
                spec = WatchSpec(name=f"{name}'s", query="harmonic")
                watch = manage.add_watch(
                    conn, spec, NOW, owner_id=user.id, channel_ids=(channel.id,)
                )
                ids["watch_id"][name] = watch
                ids["channel_id"][name] = channel.id
            return ids

        ids = db.sync_write(owned)
        first = db.sync_read(
            lambda conn: conn.exec_driver_sql(
                "SELECT id, story_id, source_id FROM articles ORDER BY id LIMIT 1"
            ).one()
        )
        alert = db.sync_read(
            lambda conn: conn.exec_driver_sql("SELECT min(id) FROM alerts").scalar_one()
        )
    for name, value in (
        ("article_id", first.id),
        ("story_id", first.story_id),
        ("source_id", first.source_id),
        ("user_id", spare.id),
        ("key_id", key.id),
        ("alert_id", alert),
    ):
        ids[name] = {caller: int(value) for caller in CALLERS}
    for param in ("watch_id", "channel_id"):
        ids[param]["anonymous"] = ids[param]["viewer"]
    del scenario
    return Store(path, ids)


DOCUMENT = create_app(make_settings("sqlite://")).openapi()


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return _resolve(DOCUMENT["components"]["schemas"][ref.rsplit("/", 1)[1]])
    return schema


def request_for(method: str, path: str) -> tuple[dict[str, Any], Any]:
    """The query and the JSON body of a valid request to ``method path`` (from the document)."""
    op = DOCUMENT["paths"][path][method.lower()]
    query: dict[str, Any] = {}
    for param in op.get("parameters", []):
        if param["in"] == "query" and param.get("required"):
            schema = param.get("schema", {})
            examples = param.get("examples") or schema.get("examples")
            if "example" in param:
                query[param["name"]] = param["example"]
            elif examples:
                first = examples[0] if isinstance(examples, list) else next(iter(examples.values()))
                query[param["name"]] = (
                    first.get("value", first) if isinstance(first, dict) else first
                )
            else:
                raise AssertionError(f"{method} {path}: give {param['name']} an example")
    body = None
    content = op.get("requestBody", {}).get("content", {})
    if path in RAW_BODIES:
        assert "application/octet-stream" in content, f"{method} {path} takes no raw body"
        body = RAW_BODIES[path]
    elif "application/json" in content:
        schema = _resolve(content["application/json"]["schema"])
        examples = schema.get("examples")
        if not examples:
            raise AssertionError(f"{method} {path}: its body model needs an example")
        body = examples[0]
    return query, body


def send(c: TestClient, method: str, url: str, query: dict[str, Any], body: Any) -> Any:
    if isinstance(body, bytes):
        headers = {"Content-Type": "application/octet-stream"}
        return c.request(method, url, params=query, content=body, headers=headers)
    return c.request(method, url, params=query, json=body)


def _client(settings: Any, db: Database, caller: str) -> TestClient:
    c = TestClient(create_app(settings, db=db))
    if caller != "anonymous":
        user = db.sync_read(user_store.find_user, f"{caller}@example.org")
        assert user is not None
        token, csrf = db.sync_write(
            user_store.create_session, user.id, datetime.now(UTC), timedelta(hours=1)
        )
        c.cookies.set(SESSION_COOKIE, token)
        c.headers[CSRF_HEADER] = csrf
    return c


@pytest.fixture
def copy(store: Store, tmp_path: Path) -> Iterator[tuple[Any, Database]]:
    path = tmp_path / "case.db"
    shutil.copy(store.path, path)
    settings = make_settings(f"sqlite:///{path}")
    with Database(settings) as db:
        yield settings, db


def _expected(requirement: Access, caller: str) -> str:
    if caller == "anonymous":
        return "401"
    return "allowed" if Role(caller).includes(requirement.role) else "403"


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    ("method", "path", "requirement"), GUARDED, ids=[f"{m} {p}" for m, p, _ in GUARDED]
)
def test_route_by_role(
    store: Store,
    copy: tuple[Any, Database],
    method: str,
    path: str,
    requirement: Access,
    caller: str,
) -> None:
    settings, db = copy
    url = path
    for name, by_caller in store.ids.items():
        url = url.replace("{" + name + "}", str(by_caller[caller]))
    assert "{" not in url, f"no fixture for a path parameter of {path}"
    query, body = request_for(method, path)
    with _client(settings, db, caller) as c:
        r = send(c, method, url, query, body)
    expected = _expected(requirement, caller)
    what = f"{method} {url} as {caller}: {r.status_code} {r.text[:300]}"
    if expected == "401":
        assert r.status_code == 401, what
    elif expected == "403":
        assert r.status_code == 403, what
    elif (method, path) in NETWORK:
        assert r.status_code not in (401, 403) and r.status_code < 500, what
    else:
        assert 200 <= r.status_code < 400, what


@pytest.mark.parametrize(
    ("method", "path", "requirement"),
    [g for g in GUARDED if g[0] != "GET"],
    ids=[f"{m} {p}" for m, p, _ in GUARDED if m != "GET"],
)
def test_a_read_only_key_changes_nothing(
    store: Store, copy: tuple[Any, Database], method: str, path: str, requirement: Access
) -> None:
    settings, db = copy
    admin = db.sync_read(user_store.find_user, "admin@example.org")
    assert admin is not None
    key, _ = db.sync_write(user_store.create_api_key, admin.id, "ro", ["read"], datetime.now(UTC))
    url = path
    for name, by_caller in store.ids.items():
        url = url.replace("{" + name + "}", str(by_caller["admin"]))
    query, body = request_for(method, path)
    with TestClient(create_app(settings, db=db)) as c:
        c.headers["Authorization"] = f"Bearer {key}"
        r = send(c, method, url, query, body)
    assert r.status_code == 403, f"{method} {url}: {r.status_code} {r.text[:200]}"
