"""Every page of the web UI, walked from the route table: who may see it, what it weighs.

- the anonymous are sent to sign in (303 to /login?next=...), never shown a page;
- a viewer gets the 403 page on admin and editor pages, an editor on admin pages;
- every page a role may see answers 200 with HTML under the strict Content-Security-Policy;
- no page loads more than 200 KB of HTML and assets (issue 5's budget).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from mimir.api.access import Access
from mimir.api.app import create_app
from mimir.api.web.pages import PAGE_CSP
from mimir.config import Settings
from mimir.db.database import Database
from mimir.model.users import Role
from tests.api.conftest import People, TestClient, signed_in
from tests.api.test_route_table import requirements

ASSET_BUDGET = 200 * 1024
HTML = {"accept": "text/html"}


def page_routes(settings: Settings) -> list[tuple[str, Role]]:
    """(path, role) of every UI page a browser opens directly: GET, no path parameter."""
    app = create_app(settings)
    found = []
    for route in iter_route_contexts(app.routes):
        original = route.original_route
        if not isinstance(original, APIRoute) or original.include_in_schema:
            continue
        if "GET" not in route.methods or "{" in route.path or route.path.endswith("/events"):
            continue
        needs = [r for r in requirements(route.dependant) if isinstance(r, Access)]
        if needs:
            found.append((route.path, needs[0].role))
    return sorted(found)


@pytest.fixture
def sqlite_people(sqlite_settings: Settings) -> Iterator[tuple[Settings, Database, People]]:
    from tests.ui.conftest import make_people

    db = Database(sqlite_settings)
    try:
        yield sqlite_settings, db, make_people(db)
    finally:
        db.close()


def test_the_walk_covers_the_pages(sqlite_settings: Settings) -> None:
    paths = {path for path, _ in page_routes(sqlite_settings)}
    assert {"/", "/river", "/search", "/sources", "/watches", "/admin", "/me"} <= paths


def test_the_anonymous_are_sent_to_sign_in(
    sqlite_people: tuple[Settings, Database, People],
) -> None:
    settings, db, _ = sqlite_people
    with TestClient(create_app(settings, db=db)) as client:
        for path, _role in page_routes(settings):
            response = client.get(path, headers=HTML, follow_redirects=False)
            assert response.status_code == 303, path
            assert response.headers["location"] == f"/login?next={path}", path
            # htmx asks for a redirect header instead of following a 303
            response = client.get(path, headers={**HTML, "HX-Request": "true"})
            assert response.headers.get("hx-redirect", "").startswith("/login"), path


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR, Role.ADMIN])
def test_each_role_sees_its_pages_and_only_those(
    sqlite_people: tuple[Settings, Database, People], role: Role
) -> None:
    settings, db, people = sqlite_people
    user = {Role.VIEWER: people.viewer, Role.EDITOR: people.editor, Role.ADMIN: people.admin}[role]
    weights: dict[str, int] = {}
    with signed_in(settings, db, user) as client:
        for path, needed in page_routes(settings):
            response = client.get(path, headers=HTML, follow_redirects=False)
            if role.includes(needed):
                assert response.status_code == 200, (path, response.text[:300])
                assert response.headers["content-type"].startswith("text/html"), path
                assert response.headers["content-security-policy"] == PAGE_CSP, path
                assets = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', response.text))
                weight = len(response.content)
                for asset in assets:
                    got = client.get(asset.replace("&amp;", "&"))
                    assert got.status_code == 200, asset
                    weight += len(got.content)
                weights[path] = weight
            else:
                assert response.status_code == 403, (path, role)
                assert "Not allowed" in response.text, path
    heavy = {p: w for p, w in weights.items() if w > ASSET_BUDGET}
    assert not heavy, f"pages over {ASSET_BUDGET // 1024} KB with their assets: {heavy}"


def test_the_browser_zone_cookie_is_read_as_mimir_js_writes_it() -> None:
    from starlette.requests import Request

    from mimir.api.web.pages import zone_of

    def request(cookie: str) -> Request:
        return Request({"type": "http", "headers": [(b"cookie", cookie.encode())]})

    # mimir.js stores encodeURIComponent(zone): the slash arrives as %2F
    assert str(zone_of(request("mimir_tz=America%2FNew_York"), None)) == "America/New_York"
    assert str(zone_of(request("mimir_tz=Not%2FA_Zone"), None)) == "UTC"
    assert str(zone_of(request(""), None)) == "UTC"
