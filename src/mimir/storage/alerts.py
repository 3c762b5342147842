"""Alerts (one per watch and story), the outbox, and the record of every delivery attempt.

Delivery is at least once on the wire and exactly once for the receiver: a row is leased
before it is sent and marked sent right after, each in its own short transaction; a sender
killed between the two leaves a row whose lease expires and is sent again with the same
idempotency key (the outbox id: ``Idempotency-Key`` on webhooks, ``X-Mimir-Delivery-Id`` on
mails), which receivers use to drop the repeat.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from mimir.db.dialect import insert_returning_id
from mimir.db.tables import alerts, delivery_attempts, outbox

OUTBOX_PENDING = "pending"
OUTBOX_SENT = "sent"
OUTBOX_DEAD = "dead"  # gave up after the last attempt, or a permanent failure


def record_alert(
    conn: Connection,
    *,
    watch_id: int,
    story_id: int,
    article_id: int,
    terms: Sequence[str],
    now: datetime,
) -> int | None:
    """A new alert, or None when this watch already alerted for this story."""
    return insert_returning_id(
        conn,
        alerts,
        {
            "watch_id": watch_id,
            "story_id": story_id,
            "article_id": article_id,
            "matched_terms": list(terms),
            "created_at": now,
        },
        ["watch_id", "story_id"],
    )


@dataclass(frozen=True, slots=True)
class AlertRow:
    id: int
    watch_id: int
    story_id: int
    article_id: int
    matched_terms: tuple[str, ...]
    created_at: datetime
    digested_at: datetime | None


def _alert(r: Any) -> AlertRow:
    return AlertRow(
        r.id,
        r.watch_id,
        r.story_id,
        r.article_id,
        tuple(r.matched_terms or ()),
        r.created_at,
        r.digested_at,
    )


def alerts_by_id(conn: Connection, ids: Sequence[int]) -> list[AlertRow]:
    if not ids:
        return []
    rows = conn.execute(select(alerts).where(alerts.c.id.in_(list(ids))).order_by(alerts.c.id))
    return [_alert(r) for r in rows]


def list_alerts(
    conn: Connection,
    *,
    watch_id: int | None = None,
    limit: int = 100,
    before_id: int | None = None,
    since: datetime | None = None,
) -> list[AlertRow]:
    """Alerts newest first (by id, the order they were made in): of one watch, with an id
    below ``before_id`` (the keyset of the next page), made at or after ``since``."""
    stmt = select(alerts).order_by(alerts.c.id.desc()).limit(limit)
    if watch_id is not None:
        stmt = stmt.where(alerts.c.watch_id == watch_id)
    if before_id is not None:
        stmt = stmt.where(alerts.c.id < before_id)
    if since is not None:
        stmt = stmt.where(alerts.c.created_at >= since)
    return [_alert(r) for r in conn.execute(stmt)]


def undigested(conn: Connection, watch_id: int, before: datetime) -> list[AlertRow]:
    """Alerts of a digest watch not yet carried by a digest, made before ``before``."""
    rows = conn.execute(
        select(alerts)
        .where(
            alerts.c.watch_id == watch_id,
            alerts.c.digested_at.is_(None),
            alerts.c.created_at < before,
        )
        .order_by(alerts.c.created_at, alerts.c.id)
    )
    return [_alert(r) for r in rows]


def mark_digested(conn: Connection, alert_ids: Sequence[int], now: datetime) -> None:
    if alert_ids:
        conn.execute(update(alerts).where(alerts.c.id.in_(list(alert_ids))).values(digested_at=now))


# ---- the outbox ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    channel_id: int
    watch_id: int | None
    alert_id: int | None
    kind: str  # alert | digest | test
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


def enqueue(conn: Connection, rows: Iterable[dict[str, Any]], now: datetime) -> int:
    """Add outbox rows: ``channel_id``, ``kind``, ``payload``, ``watch_id``/``alert_id``."""
    values = [
        {
            "channel_id": r["channel_id"],
            "watch_id": r.get("watch_id"),
            "alert_id": r.get("alert_id"),
            "kind": r["kind"],
            "payload": r.get("payload") or {},
            "state": OUTBOX_PENDING,
            "attempts": 0,
            "due_at": r.get("due_at") or now,
            "created_at": now,
        }
        for r in rows
    ]
    if values:
        conn.execute(insert(outbox), values)
    return len(values)


def _free(now: datetime) -> Any:
    return or_(outbox.c.lease_expires_at.is_(None), outbox.c.lease_expires_at < now)


def claim(
    conn: Connection,
    *,
    worker: str,
    now: datetime,
    limit: int,
    lease_seconds: int,
    skip_channels: Sequence[int] = (),
    per_channel: int | None = None,
    busy_channels: dict[int, int] | None = None,
) -> tuple[list[OutboxRow], int]:
    """Lease up to ``limit`` due rows (oldest first), at most ``per_channel`` per channel
    counting the ``busy_channels`` this sender already has in flight, none of
    ``skip_channels``. Returns (rows, takeovers of expired leases). PostgreSQL: SKIP LOCKED,
    so several senders share the outbox."""
    cond = and_(outbox.c.state == OUTBOX_PENDING, outbox.c.due_at <= now, _free(now))
    if skip_channels:
        cond = and_(cond, outbox.c.channel_id.not_in(list(skip_channels)))
    pick = (
        select(outbox.c.id, outbox.c.lease_owner, outbox.c.channel_id)
        .where(cond)
        .order_by(outbox.c.due_at, outbox.c.id)
        .limit(limit * 4 if per_channel else limit)
    )
    if conn.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    chosen: dict[int, str | None] = {}
    taken = dict(busy_channels or {})
    for r in conn.execute(pick):
        if per_channel is not None and taken.get(r.channel_id, 0) >= per_channel:
            continue
        taken[r.channel_id] = taken.get(r.channel_id, 0) + 1
        chosen[r.id] = r.lease_owner
        if len(chosen) >= limit:
            break
    if not chosen:
        return [], 0
    rows = conn.execute(
        update(outbox)
        .where(outbox.c.id.in_(list(chosen)), cond)
        .values(lease_owner=worker, lease_expires_at=now + timedelta(seconds=lease_seconds))
        .returning(*outbox.c)
    ).all()
    out = [
        OutboxRow(
            r.id,
            r.channel_id,
            r.watch_id,
            r.alert_id,
            r.kind,
            dict(r.payload or {}),
            r.attempts,
            r.created_at,
        )
        for r in sorted(rows, key=lambda r: r.id)
    ]
    return out, sum(1 for r in rows if chosen.get(r.id))


def record_attempt(
    conn: Connection,
    outbox_id: int,
    *,
    at: datetime,
    ok: bool,
    duration_ms: int,
    status_code: int | None,
    error_class: str | None,
    error_message: str | None,
    worker: str,
) -> None:
    conn.execute(
        insert(delivery_attempts),
        {
            "outbox_id": outbox_id,
            "attempted_at": at,
            "ok": ok,
            "duration_ms": duration_ms,
            "status_code": status_code,
            "error_class": error_class,
            "error_message": (error_message or "")[:2000] or None,
            "worker": worker,
        },
    )


def mark_sent(conn: Connection, outbox_id: int, worker: str, now: datetime) -> bool:
    """Sent. False when this worker no longer held the lease (another sender took it over)."""
    result = conn.execute(
        update(outbox)
        .where(outbox.c.id == outbox_id, outbox.c.lease_owner == worker)
        .values(
            state=OUTBOX_SENT,
            sent_at=now,
            attempts=outbox.c.attempts + 1,
            lease_owner=None,
            lease_expires_at=None,
            last_error=None,
        )
    )
    return bool(result.rowcount)


def mark_failed(
    conn: Connection, outbox_id: int, worker: str, error: str, *, retry_at: datetime | None
) -> None:
    """A failed attempt: due again at ``retry_at``, or dead (None)."""
    values: dict[str, Any] = {
        "attempts": outbox.c.attempts + 1,
        "last_error": error[:2000],
        "lease_owner": None,
        "lease_expires_at": None,
    }
    if retry_at is None:
        values["state"] = OUTBOX_DEAD
    else:
        values["due_at"] = retry_at
    conn.execute(
        update(outbox)
        .where(outbox.c.id == outbox_id, outbox.c.lease_owner == worker)
        .values(**values)
    )


def release(conn: Connection, worker: str) -> int:
    """Give back this worker's leases (graceful shutdown)."""
    return (
        conn.execute(
            update(outbox)
            .where(outbox.c.lease_owner == worker, outbox.c.state == OUTBOX_PENDING)
            .values(lease_owner=None, lease_expires_at=None)
        ).rowcount
        or 0
    )


def depth(conn: Connection, now: datetime) -> dict[str, int]:
    """Rows per state, and how many pending rows are due now (metrics, status)."""
    counts = {
        state: int(n)
        for state, n in conn.execute(select(outbox.c.state, func.count()).group_by(outbox.c.state))
    }
    due = conn.execute(
        select(func.count()).where(outbox.c.state == OUTBOX_PENDING, outbox.c.due_at <= now)
    ).scalar_one()
    counts["due"] = int(due)
    return counts


def attempts_of(conn: Connection, outbox_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(delivery_attempts)
        .where(delivery_attempts.c.outbox_id == outbox_id)
        .order_by(delivery_attempts.c.id)
    )
    return [dict(r._mapping) for r in rows]


def outbox_rows(
    conn: Connection, *, state: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    stmt = select(outbox).order_by(outbox.c.id.desc()).limit(limit)
    if state is not None:
        stmt = stmt.where(outbox.c.state == state)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def prune_sent(conn: Connection, older_than: datetime) -> int:
    """Forget sent rows (and their attempts) older than ``older_than``."""
    result = conn.execute(
        outbox.delete().where(outbox.c.state == OUTBOX_SENT, outbox.c.sent_at < older_than)
    )
    return result.rowcount or 0


def article_cards(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """What a message shows of each article: title, URL, source name, date, a snippet."""
    from mimir.db.tables import articles, sources

    if not ids:
        return {}
    rows = conn.execute(
        select(
            articles.c.id,
            articles.c.title,
            articles.c.canonical_url,
            articles.c.published_at,
            articles.c.discovered_at,
            articles.c.summary,
            func.substr(articles.c.text, 1, 600).label("lead"),
            articles.c.story_id,
            sources.c.name.label("source"),
        )
        .select_from(articles.outerjoin(sources, sources.c.id == articles.c.source_id))
        .where(articles.c.id.in_(list(ids)))
    )
    return {r.id: dict(r._mapping) for r in rows}


def story_member_ids(
    conn: Connection, story_ids: Sequence[int], limit: int = 20
) -> dict[int, list[int]]:
    """Up to ``limit`` member article ids per story, oldest first."""
    from mimir.db.tables import articles

    if not story_ids:
        return {}
    rows = conn.execute(
        select(articles.c.story_id, articles.c.id)
        .where(articles.c.story_id.in_(list(story_ids)), articles.c.deleted_at.is_(None))
        .order_by(articles.c.story_id, articles.c.id)
    )
    out: dict[int, list[int]] = {}
    for sid, aid in rows:
        members = out.setdefault(sid, [])
        if len(members) < limit:
            members.append(aid)
    return out
