"""The schema (SQLAlchemy Core). Alembic migrations must match it (a test checks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from mimir.db.types import BigId, Json, UTCDateTime

if TYPE_CHECKING:
    from alembic.runtime.environment import NameFilterParentNames, NameFilterType

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

sources = Table(
    "sources",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(300), nullable=False),
    Column("url", Text, nullable=False),
    Column("url_hash", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("host", String(300), nullable=False),
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    Column("category", String(100)),
    Column("note", Text),
    Column("settings", Json, nullable=False),
    Column("status", String(32), nullable=False, server_default="new"),
    Column("title", Text),
    Column("site_url", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_full_fetch_at", UTCDateTime),
    Column("next_check_at", UTCDateTime),
    Column("interval_seconds", Integer),
    Column("consecutive_errors", Integer, nullable=False, server_default="0"),
    Column("last_error_class", String(64)),
    Column("last_error_message", Text),
    Column("last_checked_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("last_new_item_at", UTCDateTime),
    Column("publish_interval_seconds", Float),
    Column("lease_owner", String(100)),
    Column("lease_expires_at", UTCDateTime),
    Column("refresh_request_id", String(128)),  # the API request that asked for a check (logs)
    Column("total_checks", Integer, nullable=False, server_default="0"),
    Column("total_errors", Integer, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("url_hash"),
    UniqueConstraint("name"),
    Index("ix_sources_due", "enabled", "next_check_at"),
)

articles = Table(
    "articles",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source_id", BigId, ForeignKey("sources.id", ondelete="SET NULL"), index=True),
    Column("url", Text, nullable=False),
    Column("canonical_url", Text, nullable=False),
    Column("url_hash", String(64), nullable=False),
    Column("guid", Text),
    Column("guid_hash", String(64)),
    Column("fingerprint", String(64)),
    Column("entry_hash", String(64)),
    Column("title", Text),
    Column("summary", Text),
    Column("text", Text, nullable=False, server_default=""),
    Column("html", Text),
    Column("authors", Json, nullable=False),
    Column("published_at", UTCDateTime, index=True),
    Column("updated_at", UTCDateTime),
    Column("language", String(16)),
    Column("image_url", Text),
    Column("section", Text),
    Column("tags", Json, nullable=False),
    Column("fetch_meta", Json, nullable=False),
    Column("extraction", String(16), nullable=False, server_default="page"),
    Column("revision", Integer, nullable=False, server_default="1"),
    Column("discovered_at", UTCDateTime, nullable=False, index=True),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("deleted_at", UTCDateTime),
    # the story this article belongs to (stories.id; kept by the code, see `stories`) and the
    # MinHash signature that placed it (mimir.process.neardup.Signature.to_bytes())
    Column("story_id", BigId, index=True),
    Column("signature", LargeBinary),
    UniqueConstraint("url_hash"),
    Index("ix_articles_source_guid", "source_id", "guid_hash"),
    Index("ix_articles_source_fingerprint", "source_id", "fingerprint"),
)

article_revisions = Table(
    "article_revisions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("article_id", BigId, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("html", Text),
    Column("fingerprint", String(64)),
    Column("updated_at", UTCDateTime),
    Column("fetched_at", UTCDateTime, nullable=False),
    UniqueConstraint("article_id", "revision"),
)

#: every URL hash an article is known by (entry link, canonical URL): the identity ladder's index
article_urls = Table(
    "article_urls",
    metadata,
    Column("url_hash", String(64), primary_key=True),
    Column(
        "article_id",
        BigId,
        ForeignKey("articles.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
)

#: the article-page queue: due fetches with leases (pending or failed; done rows are deleted)
article_jobs = Table(
    "article_jobs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source_id", BigId, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("url", Text, nullable=False),
    Column("url_hash", String(64), nullable=False),
    Column("host", String(300), nullable=False),
    Column("article_id", BigId, ForeignKey("articles.id", ondelete="CASCADE")),
    Column("entry", Json, nullable=False),
    Column("state", String(16), nullable=False, server_default="pending"),
    Column("due_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("lease_owner", String(100)),
    Column("lease_expires_at", UTCDateTime),
    Column("request_id", String(128)),  # the API request that caused it (logs)
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("url_hash"),
    Index("ix_article_jobs_due", "state", "due_at"),
    Index("ix_article_jobs_host", "state", "host", "due_at", "id"),  # claims: rows per host
)

fetch_log = Table(
    "fetch_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source_id", BigId, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("status_code", Integer),
    Column("error_class", String(64)),
    Column("message", Text),
    Column("entries", Integer, nullable=False, server_default="0"),
    Column("new_entries", Integer, nullable=False, server_default="0"),
    Column("bytes", Integer, nullable=False, server_default="0"),
    Column("worker", String(100)),
    Index("ix_fetch_log_source_started", "source_id", "started_at"),
)

#: near-duplicate articles across sources, as one story (docs/stories.md). No foreign keys
#: between stories and articles (each points at the other): the code keeps them consistent.
stories = Table(
    "stories",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("lead_article_id", BigId, nullable=False),
    Column("title", Text),
    Column("article_count", Integer, nullable=False, server_default="1"),
    Column("source_count", Integer, nullable=False, server_default="1"),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False, index=True),
)

#: LSH band keys of recent articles: the candidate lookup of story placement. Rows older than
#: the clustering window are pruned; signatures stay on `articles`.
story_bands = Table(
    "story_bands",
    metadata,
    Column("band_key", BigInteger, nullable=False),
    Column("article_id", BigId, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("published_at", UTCDateTime, nullable=False),
    # the article id in the index: the candidate lookup reads the index alone (0009)
    Index("ix_story_bands_key", "band_key", "published_at", "article_id"),
    Index("ix_story_bands_article", "article_id"),
)

#: notification channels: Apprise URLs; `${NAME}` placeholders are filled at send time from
#: the environment variables the operator allowed (MIMIR_CHANNEL_SECRETS)
channels = Table(
    "channels",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("url", Text, nullable=False),
    Column("kind", String(16), nullable=False),  # apprise | webhook
    Column("webhook_secret", Text),  # HMAC key of signed webhooks
    Column("owner_id", BigId),
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("name"),
)

#: saved searches that alert: a query, a mode (instant | hourly | daily), an owner's zone
watches = Table(
    "watches",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("query", Text, nullable=False),
    Column("mode", String(16), nullable=False, server_default="instant"),
    Column("timezone", String(64), nullable=False, server_default="UTC"),
    Column("owner_id", BigId),
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    Column("feed_token", String(64), nullable=False),
    Column("note", Text),
    Column("next_digest_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("name"),
    UniqueConstraint("feed_token"),
)

watch_channels = Table(
    "watch_channels",
    metadata,
    Column("watch_id", BigId, ForeignKey("watches.id", ondelete="CASCADE"), primary_key=True),
    Column("channel_id", BigId, ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True),
)

#: one alert per (watch, story): a second copy of a story never alerts again
alerts = Table(
    "alerts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("watch_id", BigId, ForeignKey("watches.id", ondelete="CASCADE"), nullable=False),
    Column("story_id", BigId, nullable=False),
    Column("article_id", BigId, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("matched_terms", Json, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("digested_at", UTCDateTime),  # when a digest carried it (digest modes)
    UniqueConstraint("watch_id", "story_id"),
    Index("ix_alerts_watch_created", "watch_id", "created_at"),
    Index("ix_alerts_watch_id", "watch_id", "id"),  # a watch's alert history, newest first
    Index("ix_alerts_story", "story_id"),  # the watches that matched a story (UI)
)

#: what is to be sent, written in the transaction that made it (the alert, the digest); a
#: sender claims rows with a lease, delivers, and records every attempt
outbox = Table(
    "outbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("channel_id", BigId, ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
    Column("watch_id", BigId, ForeignKey("watches.id", ondelete="CASCADE")),
    Column("alert_id", BigId, ForeignKey("alerts.id", ondelete="CASCADE")),
    Column("kind", String(16), nullable=False),  # alert | digest | test
    Column("payload", Json, nullable=False),
    Column("state", String(16), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("due_at", UTCDateTime, nullable=False),
    Column("lease_owner", String(100)),
    Column("lease_expires_at", UTCDateTime),
    Column("request_id", String(128)),  # the API request that caused it (logs)
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Index("ix_outbox_due", "state", "due_at"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("outbox_id", BigId, ForeignKey("outbox.id", ondelete="CASCADE"), nullable=False),
    Column("attempted_at", UTCDateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("status_code", Integer),
    Column("error_class", String(64)),
    Column("error_message", Text),
    Column("worker", String(100)),
    Index("ix_delivery_attempts_outbox", "outbox_id"),
)

#: people who sign in: a role (admin | editor | viewer), an argon2 password hash, a time zone;
#: `sessions_valid_after` ends every session made before it ("log out everywhere")
users = Table(
    "users",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False),  # stored lower-cased
    Column("name", String(200), nullable=False, server_default=""),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text),  # None: cannot sign in with a password
    Column("timezone", String(64), nullable=False, server_default="UTC"),
    Column("disabled", Boolean, nullable=False, server_default=text("false")),
    Column("sessions_valid_after", UTCDateTime),
    Column("last_login_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("email"),
)

#: browser sessions: the cookie's SHA-256 (never the cookie), its CSRF token, two expiries
sessions = Table(
    "sessions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False),
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("address", String(64)),
    Column("user_agent", String(300)),
    UniqueConstraint("token_hash"),
    Index("ix_sessions_user_id", "user_id"),
)

#: machine credentials: shown once; kept as a visible prefix and the SHA-256 of the whole key
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("prefix", String(32), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("scopes", Json, nullable=False),  # e.g. ["read"] or ["read", "write"]
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    Column("last_used_at", UTCDateTime),
    UniqueConstraint("prefix"),
)

#: failed sign-ins, by account (`account:<email>`) and by address (`address:<ip>`): throttling
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("key", String(400), nullable=False),
    Column("failed_at", UTCDateTime, nullable=False),
    Index("ix_login_failures_key_failed_at", "key", "failed_at"),
)

#: one-time links: the first admin's set-up link (printed at start-up on a fresh install)
setup_tokens = Table(
    "setup_tokens",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
    UniqueConstraint("token_hash"),
)

#: what search filters and sorts on, one row per live (not deleted) article, kept by triggers on
#: `articles` (migration 0002): the date (published, never later than discovered), the source
#: and the language's primary subtag. The words themselves are in dialect-specific structures
#: the migration creates (see SEARCH_OBJECTS).
article_search = Table(
    "article_search",
    metadata,
    Column(
        "article_id",
        BigId,
        ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("source_id", BigId),
    Column("language", String(16), nullable=False, server_default=""),
    Column("sort_at", UTCDateTime, nullable=False),
    Index("ix_article_search_sort", "sort_at", "article_id"),
    Index("ix_article_search_source_sort", "source_id", "sort_at"),
)

#: search structures only the migrations manage because they exist on one dialect: the FTS5
#: table (and its shadow tables) on SQLite; the tsvector columns and their GIN indexes of
#: `article_search` on PostgreSQL. The schema drift check leaves them out (`include_name`).
SEARCH_OBJECTS: dict[str, frozenset[str]] = {
    "table": frozenset(
        {
            "article_fts",
            "article_fts_config",
            "article_fts_data",
            "article_fts_docsize",
            "article_fts_idx",
        }
    ),
    "column": frozenset({"terms", "meta", "rank_terms", "rank_config"}),
    "index": frozenset({"ix_article_search_terms", "ix_article_search_meta"}),
}


def include_name(
    name: str | None, type_: NameFilterType, parent_names: NameFilterParentNames
) -> bool:
    """Alembic's `include_name` hook: compare everything but the dialect-specific search
    structures (SEARCH_OBJECTS), which are not described here."""
    if type_ in ("column", "index") and parent_names.get("table_name") != "article_search":
        return True
    return name not in SEARCH_OBJECTS.get(type_, frozenset())
