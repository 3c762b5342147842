"""Signing in and out, sessions, CSRF, API keys, throttling and the first admin's set-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mimir.api.access import CSRF_HEADER, SESSION_COOKIE
from mimir.api.app import create_app
from mimir.config import Settings
from mimir.db.database import Database
from mimir.model.users import Role
from mimir.storage import users as user_store
from tests.api.conftest import PASSWORD, People, TestClient, signed_in, with_key


def login(c: TestClient, email: str, password: str = PASSWORD) -> dict[str, object]:
    r = c.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_login_sets_a_safe_cookie_and_the_session_works(client: TestClient, people: People) -> None:
    body = login(client, "Editor@Example.org ")
    cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie and body["user"]["role"] == "editor"  # type: ignore[index]
    r = client.post(
        "/api/v1/auth/login", json={"email": "editor@example.org", "password": PASSWORD}
    )
    header = r.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header and "path=/" in header
    assert "secure" not in header  # plain http on a test server; see the next test
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["email"] == "editor@example.org"
    assert me.json()["via"] == "session" and "admin" not in me.json()["scopes"]


def test_cookie_is_secure_behind_tls(settings: Settings, db: Database, people: People) -> None:
    app = create_app(settings.model_copy(update={"public_url": "https://mimir.example.org"}), db=db)
    with TestClient(app, base_url="https://mimir.example.org") as c:
        r = c.post("/api/v1/auth/login", json={"email": "viewer@example.org", "password": PASSWORD})
        assert r.status_code == 200
        assert "secure" in r.headers["set-cookie"].lower()
        assert r.headers["strict-transport-security"].startswith("max-age=")


def test_wrong_password_and_unknown_account_look_the_same(
    client: TestClient, people: People
) -> None:
    a = client.post(
        "/api/v1/auth/login", json={"email": "viewer@example.org", "password": "x" * 12}
    )
    b = client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.org", "password": "x" * 12}
    )
    assert a.status_code == b.status_code == 401
    assert a.json()["detail"] == b.json()["detail"]
    assert a.headers["content-type"] == "application/problem+json"
    assert SESSION_COOKIE not in client.cookies


def test_login_is_throttled_per_account_with_retry_after(
    settings: Settings, client: TestClient, people: People
) -> None:
    for _ in range(settings.login_max_failures):
        r = client.post(
            "/api/v1/auth/login", json={"email": "viewer@example.org", "password": "nope" * 3}
        )
        assert r.status_code == 401
    r = client.post(
        "/api/v1/auth/login", json={"email": "viewer@example.org", "password": PASSWORD}
    )
    assert r.status_code == 429  # even the right password waits: guessing gets no signal
    assert 0 < int(r.headers["retry-after"]) <= settings.login_window_minutes * 60 + 1
    # another account from the same address is not locked (the per-address limit is higher)
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": "editor@example.org", "password": PASSWORD}
        ).status_code
        == 200
    )


def test_login_is_throttled_per_address(settings: Settings, db: Database, people: People) -> None:
    tight = settings.model_copy(update={"login_max_failures_per_address": 3})
    with TestClient(create_app(tight, db=db)) as c:
        for i in range(3):
            r = c.post(
                "/api/v1/auth/login", json={"email": f"u{i}@example.org", "password": "x" * 12}
            )
            assert r.status_code == 401
        r = c.post("/api/v1/auth/login", json={"email": "admin@example.org", "password": PASSWORD})
        assert r.status_code == 429 and "address" in r.json()["detail"]


def test_a_session_change_needs_the_csrf_token_and_our_origin(
    settings: Settings, db: Database, people: People
) -> None:
    with signed_in(settings, db, people.admin) as c:
        csrf = c.headers.pop(CSRF_HEADER)
        new = {"email": "new@example.org", "password": PASSWORD, "role": "viewer"}
        r = c.post("/api/v1/users", json=new)
        assert r.status_code == 403 and CSRF_HEADER in r.json()["detail"]
        r = c.post("/api/v1/users", json=new, headers={CSRF_HEADER: "forged"})
        assert r.status_code == 403
        r = c.post(
            "/api/v1/users", json=new, headers={CSRF_HEADER: csrf, "Origin": "https://evil.example"}
        )
        assert r.status_code == 403 and "Origin" in r.json()["detail"]
        assert c.get("/api/v1/users").status_code == 200  # reading needs no token
        r = c.post("/api/v1/users", json=new, headers={CSRF_HEADER: csrf})
        assert r.status_code == 201, r.text
        assert r.headers["location"].endswith(f"/api/v1/users/{r.json()['id']}")


def test_logout_and_logout_everywhere(settings: Settings, db: Database, people: People) -> None:
    one, two = signed_in(settings, db, people.viewer), signed_in(settings, db, people.viewer)
    with one, two:
        assert one.post("/api/v1/auth/logout").status_code == 204
        assert one.get("/api/v1/me").status_code == 401
        assert two.get("/api/v1/me").status_code == 200  # the other device is still in
        three = signed_in(settings, db, people.viewer)
        with three:
            r = three.post("/api/v1/auth/logout-everywhere")
            assert r.status_code == 200 and r.json()["sessions_ended"] == 2
            assert two.get("/api/v1/me").status_code == 401
            assert three.get("/api/v1/me").status_code == 401


def test_sessions_expire_and_idle_out(settings: Settings, db: Database, people: People) -> None:
    then = datetime.now(UTC) - timedelta(hours=settings.session_idle_hours + 1)
    token, _ = db.sync_write(user_store.create_session, people.viewer.id, then, timedelta(days=30))
    with TestClient(create_app(settings, db=db)) as c:
        c.cookies.set(SESSION_COOKIE, token)
        r = c.get("/api/v1/me")
        assert r.status_code == 401 and "sign in again" in r.json()["detail"]
    token, _ = db.sync_write(
        user_store.create_session, people.viewer.id, datetime.now(UTC), timedelta(seconds=-1)
    )
    with TestClient(create_app(settings, db=db)) as c:
        c.cookies.set(SESSION_COOKIE, token)
        assert c.get("/api/v1/me").status_code == 401


def test_changing_a_role_or_disabling_ends_sessions(
    settings: Settings, as_admin: TestClient, db: Database, people: People
) -> None:
    with signed_in(settings, db, people.editor) as editor:
        assert editor.get("/api/v1/me").json()["role"] == "editor"
        r = as_admin.patch(f"/api/v1/users/{people.editor.id}", json={"role": "viewer"})
        assert r.status_code == 200 and r.json()["role"] == "viewer"
        assert editor.get("/api/v1/me").status_code == 401
    with signed_in(settings, db, people.viewer) as viewer:
        as_admin.patch(f"/api/v1/users/{people.viewer.id}", json={"disabled": True})
        assert viewer.get("/api/v1/me").status_code == 401
    r = as_admin.post(
        "/api/v1/auth/login", json={"email": "viewer@example.org", "password": PASSWORD}
    )
    assert r.status_code == 401


def test_the_last_admin_cannot_be_demoted_disabled_or_deleted(
    as_admin: TestClient, people: People
) -> None:
    me = people.admin.id
    for change in ({"role": "editor"}, {"disabled": True}):
        r = as_admin.patch(f"/api/v1/users/{me}", json=change)
        assert r.status_code == 409 and "last active admin" in r.json()["detail"]
    assert as_admin.delete(f"/api/v1/users/{me}").status_code == 409
    assert as_admin.delete(f"/api/v1/users/{people.viewer.id}").status_code == 204
    assert as_admin.get(f"/api/v1/users/{people.viewer.id}").status_code == 404


def test_changing_your_password_keeps_this_session_and_ends_the_others(
    settings: Settings, db: Database, people: People
) -> None:
    with (
        signed_in(settings, db, people.editor) as here,
        signed_in(settings, db, people.editor) as there,
    ):
        r = here.patch("/api/v1/me", json={"password": "a brand new passphrase"})
        assert r.status_code == 400 and "current_password" in r.json()["detail"]
        r = here.patch(
            "/api/v1/me",
            json={"password": "a brand new passphrase", "current_password": "wrong one!!"},
        )
        assert r.status_code == 400
        r = here.patch(
            "/api/v1/me",
            json={"password": "a brand new passphrase", "current_password": PASSWORD, "name": "Ed"},
        )
        assert r.status_code == 200 and r.json()["name"] == "Ed"
        assert here.get("/api/v1/me").status_code == 200
        assert there.get("/api/v1/me").status_code == 401
    with TestClient(create_app(settings, db=db)) as c:
        login(c, "editor@example.org", "a brand new passphrase")


def test_api_keys_are_shown_once_hashed_scoped_and_revocable(
    settings: Settings, db: Database, as_admin: TestClient, people: People
) -> None:
    r = as_admin.post(
        "/api/v1/api-keys",
        json={"name": "BI dashboard", "user_id": people.editor.id, "scopes": ["read"]},
    )
    assert r.status_code == 201, r.text
    created = r.json()
    key, prefix = created["key"], created["prefix"]
    assert key.startswith(prefix + "_") and prefix.startswith("mimir_")
    listed = as_admin.get("/api/v1/api-keys").json()
    assert [k["prefix"] for k in listed] == [prefix] and "key" not in listed[0]
    stored = db.sync_read(lambda conn: conn.exec_driver_sql("SELECT key_hash FROM api_keys").all())
    assert key not in str(stored) and stored[0][0] == user_store.digest(key)

    fast = settings.model_copy(update={"api_key_cache_seconds": 0})
    with TestClient(create_app(fast, db=db)) as c:
        c.headers["Authorization"] = f"Bearer {key}"
        me = c.get("/api/v1/me")
        assert me.status_code == 200 and me.json()["via"] == "key"
        assert me.json()["email"] == "editor@example.org" and me.json()["scopes"] == ["read"]
        r = c.patch("/api/v1/me", json={"name": "bot"})
        assert r.status_code == 403 and "write scope" in r.json()["detail"]
        assert c.get("/api/v1/api-keys/1").status_code == 403  # the editor is no admin
        assert as_admin.get("/api/v1/api-keys").json()[0]["last_used_at"] is not None
        assert as_admin.delete(f"/api/v1/api-keys/{created['id']}").json()["revoked_at"]
        r = c.get("/api/v1/me")
        assert r.status_code == 401 and "revoked" in r.json()["detail"]
        c.headers["Authorization"] = f"Bearer {key[:-3]}abc"
        assert c.get("/api/v1/me").status_code == 401
        c.headers["Authorization"] = "Basic dXNlcjpwdw=="
        assert c.get("/api/v1/me").status_code == 401


def test_key_scopes_stay_within_the_owner_role(as_admin: TestClient, people: People) -> None:
    r = as_admin.post(
        "/api/v1/api-keys",
        json={"name": "x", "user_id": people.editor.id, "scopes": ["read", "admin"]},
    )
    assert r.status_code == 400 and "scopes" in r.json()["detail"]
    r = as_admin.post("/api/v1/api-keys", json={"name": "x", "scopes": ["root"]})
    assert r.status_code == 422 and "scopes" in r.json()["detail"]
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    r = as_admin.post("/api/v1/api-keys", json={"name": "x", "expires_at": past})
    assert r.status_code == 400 and "expires_at" in r.json()["detail"]
    # a time without a zone is UTC (it was a 500: naive and aware times compared)
    r = as_admin.post("/api/v1/api-keys", json={"name": "x", "expires_at": "2030-01-02T03:04:05"})
    assert r.status_code == 201, r.text
    assert r.json()["expires_at"].startswith("2030-01-02T03:04:05") and (
        r.json()["expires_at"].endswith(("Z", "+00:00"))
    )


def test_a_key_sees_a_role_change_at_once_in_this_process(
    settings: Settings, db: Database, as_admin: TestClient, people: People
) -> None:
    with with_key(settings, db, people.editor, "read", "write") as bot:
        assert bot.get("/api/v1/me").json()["role"] == "editor"
        as_admin.patch(f"/api/v1/users/{people.editor.id}", json={"disabled": True})
        # another app instance (another replica) caches for MIMIR_API_KEY_CACHE_SECONDS; a
        # fresh one sees the change
        with TestClient(create_app(settings, db=db)) as fresh:
            fresh.headers["Authorization"] = bot.headers["Authorization"]
            r = fresh.get("/api/v1/me")
            assert r.status_code == 401 and "disabled" in r.json()["detail"]


def test_first_admin_through_the_one_time_setup_token(
    settings: Settings, db: Database, client: TestClient
) -> None:
    assert client.get("/api/v1/auth/setup").json() == {"needed": True}
    token = db.sync_write(user_store.create_setup_token, datetime.now(UTC), timedelta(hours=1))
    body = {"token": token, "email": "first@example.org", "password": PASSWORD}
    r = client.post("/api/v1/auth/setup", json={**body, "token": "x" * 43})
    assert r.status_code == 403
    r = client.post("/api/v1/auth/setup", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["role"] == "admin" and client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/auth/setup").json() == {"needed": False}
    r = client.post("/api/v1/auth/setup", json={**body, "email": "second@example.org"})
    assert r.status_code == 403  # used, and an admin exists anyway
    r = client.post("/api/v1/auth/setup", json={**body, "email": "third@example.org"})
    assert r.status_code == 403
    assert db.sync_read(user_store.count_users) == 1


def test_an_expired_setup_token_is_refused(db: Database, client: TestClient) -> None:
    token = db.sync_write(
        user_store.create_setup_token, datetime.now(UTC) - timedelta(hours=2), timedelta(hours=1)
    )
    r = client.post(
        "/api/v1/auth/setup", json={"token": token, "email": "a@example.org", "password": PASSWORD}
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-address", "password": PASSWORD}, "email"),
        ({"email": "a@example.org", "password": "short"}, "password"),
        ({"email": "a@example.org", "password": PASSWORD, "role": "root"}, "role"),
        ({"email": "a@example.org", "password": PASSWORD, "timezone": "Mars/Base"}, "timezone"),
        ({"email": "a@example.org", "password": PASSWORD, "admin": True}, "admin"),
        ({"email": "admin@example.org", "password": PASSWORD}, "email"),
    ],
)
def test_bad_user_input_names_the_field(
    as_admin: TestClient, body: dict[str, object], field: str
) -> None:
    r = as_admin.post("/api/v1/users", json=body)
    assert 400 <= r.status_code < 500 and field in r.json()["detail"], r.text


def test_create_admin_from_the_cli(db_url: str, db: Database) -> None:
    import subprocess
    import sys

    env = {"MIMIR_DATABASE_URL": db_url, "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-m", "mimir.cli.main", "users", "create-admin", "boss@example.org"]
    r = subprocess.run(cmd, input=PASSWORD + "\n", capture_output=True, text=True, env=env)
    assert r.returncode != 0 and "Repeat for confirmation" in r.stderr  # it is asked twice
    assert db.sync_read(user_store.count_users) == 0
    r = subprocess.run(
        [*cmd, "--password-stdin"], input=PASSWORD + "\n", capture_output=True, text=True, env=env
    )
    assert r.returncode == 0, r.stderr
    user = db.sync_read(user_store.find_user, "boss@example.org")
    assert user is not None and user.role is Role.ADMIN
    r = subprocess.run(
        [*cmd, "--password-stdin"], input="short\n", capture_output=True, text=True, env=env
    )
    assert r.returncode == 2 and "password" in r.stderr


def test_cors_is_off_unless_configured(settings: Settings, db: Database) -> None:
    preflight = {
        "Origin": "https://bi.example.com",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Authorization",
    }
    with TestClient(create_app(settings, db=db)) as c:
        r = c.options("/api/v1/me", headers=preflight)
        assert "access-control-allow-origin" not in r.headers
    on = settings.model_copy(update={"cors_origins": "https://bi.example.com"})
    with TestClient(create_app(on, db=db)) as c:
        r = c.options("/api/v1/me", headers=preflight)
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == "https://bi.example.com"
        assert "access-control-allow-credentials" not in r.headers
        r = c.options("/api/v1/me", headers={**preflight, "Origin": "https://evil.example"})
        assert r.headers.get("access-control-allow-origin") != "https://evil.example"
