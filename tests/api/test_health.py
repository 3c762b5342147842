"""/healthz (alive) and /readyz (database reachable and migrated)."""

from __future__ import annotations

import re
from pathlib import Path

from mimir.api.app import create_app
from tests.api.conftest import TestClient
from tests.api.test_feeds import PROBLEM, assert_secured
from tests.conftest import make_settings


def test_alive_and_ready_on_a_migrated_database(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert r.headers["cache-control"] == "no-store"
    assert_secured(r)
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert_secured(r)


def test_not_ready_until_migrated(tmp_path: Path) -> None:
    """A fresh SQLite file (no `mimir init`): alive, not ready; the app opens and closes its
    own database."""
    settings = make_settings(f"sqlite:///{tmp_path / 'fresh.db'}")
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        r = client.get("/readyz")
        assert r.status_code == 503
        assert r.headers["content-type"] == PROBLEM
        body = r.json()
        assert body["status"] == 503 and "mimir migrate" in body["detail"]
        assert set(body) == {"type", "title", "status", "detail"}
        assert_secured(r)
        # a feed on that database: unavailable, not a crash
        r = client.get("/feeds/" + "x" * 43 + ".atom")
        assert r.status_code == 503 and r.headers["content-type"] == PROBLEM


def test_not_ready_when_the_database_is_unreachable(tmp_path: Path) -> None:
    # a SQLite path that cannot be a file: a directory stands where the database should be
    target = tmp_path / "db-is-a-directory"
    target.mkdir()
    with TestClient(create_app(make_settings(f"sqlite:///{target}"))) as client:
        r = client.get("/readyz")
        assert r.status_code == 503
        assert r.json()["detail"] == "The database is unreachable."
        assert str(target) not in r.text


def test_the_openapi_document_lists_the_routes(client: TestClient) -> None:
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) >= {
        "/healthz",
        "/readyz",
        "/feeds/{token}.atom",
        "/feeds/{token}.rss",
        "/feeds/{token}.json",
    }
    assert set(doc["paths"]["/feeds/{token}.rss"]) == {"get"}  # HEAD is answered, not listed
    assert (
        "application/rss+xml"
        in doc["paths"]["/feeds/{token}.rss"]["get"]["responses"]["200"]["content"]
    )


def test_interactive_docs_are_served_by_mimir_itself(client: TestClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp
    assets = re.findall(r'(?:src|href)="(/api/v1/docs/assets/[^"]+)"', page.text)
    assert len(assets) == 4 and not re.search(r"https?://", page.text)  # no CDN
    for asset in assets:
        r = client.get(asset)
        assert r.status_code == 200 and len(r.content) > 100, asset
    init = client.get("/api/v1/docs/assets/init.js").text
    assert "/api/v1/openapi.json" in init
