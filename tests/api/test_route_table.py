"""Every route declares who may call it: an Access (role, scope) or PUBLIC, exactly one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from mimir.api.access import Access, Public
from mimir.api.app import create_app
from mimir.config import load_settings


def requirements(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if isinstance(sub.call, Access | Public):
            yield sub.call
        yield from requirements(sub)


def routes() -> list[Any]:
    """Every API route of the app, as mounted (paths with their prefixes, the routers'
    dependencies included)."""
    app = create_app(load_settings(database_url="sqlite://"))
    return [r for r in iter_route_contexts(app.routes) if isinstance(r.original_route, APIRoute)]


def test_every_route_declares_one_requirement() -> None:
    missing, several = [], []
    for route in routes():
        found = {repr(r) for r in requirements(route.dependant)}
        name = f"{sorted(route.methods)} {route.path}"
        if not found:
            missing.append(name)
        elif len(found) > 1:
            several.append(f"{name}: {sorted(found)}")
    assert not missing, f"routes without a declared role or PUBLIC: {missing}"
    assert not several, f"routes with conflicting requirements: {several}"


def test_public_routes_are_the_few_we_mean() -> None:
    public = {
        (m, r.path)
        for r in routes()
        for m in r.methods
        if any(isinstance(q, Public) for q in requirements(r.dependant))
    }
    assert public == {
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/metrics"),  # scraped inside the cluster; not routed by the Ingress
        ("GET", "/feeds/{token}.atom"),
        ("GET", "/feeds/{token}.rss"),
        ("GET", "/feeds/{token}.json"),
        ("HEAD", "/feeds/{token}.atom"),
        ("HEAD", "/feeds/{token}.rss"),
        ("HEAD", "/feeds/{token}.json"),
        ("GET", "/api/v1/docs"),
        ("POST", "/api/v1/auth/login"),
        ("GET", "/api/v1/auth/setup"),
        ("POST", "/api/v1/auth/setup"),
        ("GET", "/login"),  # the web UI's sign-in and set-up pages
        ("GET", "/setup"),
    }


def test_admin_routes_are_exactly_users_and_keys() -> None:
    admin = {
        r.path
        for r in routes()
        for q in requirements(r.dependant)
        if isinstance(q, Access) and q.role == "admin"
    }
    assert admin and all(
        p.startswith(("/api/v1/users", "/api/v1/api-keys", "/admin")) for p in admin
    )
