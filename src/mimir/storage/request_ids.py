"""The API request behind queued work, kept with the rows so the worker's log lines name it.

``POST /api/v1/sources/{id}/refresh`` (without ``wait``) marks the source due and records the
request's id on it; the worker that claims the source takes the id (clearing it) and binds it
into its log context with ``source_id``; the article jobs that check queues and the
notifications its articles raise carry it on (``article_jobs.request_id``,
``outbox.request_id``). One ``request_id`` follows an action from the API log line through
the worker's to the notification's (docs/operations.md, "Logs").
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select, update

from mimir.db.tables import article_jobs, outbox, sources


def mark_requested(conn: Connection, source_ids: Sequence[int], request_id: str | None) -> None:
    """Record the request that asked for these sources' refresh."""
    if request_id and source_ids:
        conn.execute(
            update(sources)
            .where(sources.c.id.in_(list(source_ids)))
            .values(refresh_request_id=request_id)
        )


def take_source_requests(conn: Connection, source_ids: Sequence[int]) -> dict[int, str]:
    """The request ids recorded on just-claimed sources, cleared: a check answers one request."""
    if not source_ids:
        return {}
    rows = conn.execute(
        select(sources.c.id, sources.c.refresh_request_id).where(
            sources.c.id.in_(list(source_ids)), sources.c.refresh_request_id.is_not(None)
        )
    ).all()
    if rows:
        conn.execute(
            update(sources)
            .where(sources.c.id.in_([r[0] for r in rows]))
            .values(refresh_request_id=None)
        )
    return {int(r[0]): str(r[1]) for r in rows}


def job_requests(conn: Connection, job_ids: Sequence[int]) -> dict[int, str]:
    """The request ids of just-claimed article jobs that have one."""
    if not job_ids:
        return {}
    rows = conn.execute(
        select(article_jobs.c.id, article_jobs.c.request_id).where(
            article_jobs.c.id.in_(list(job_ids)), article_jobs.c.request_id.is_not(None)
        )
    ).all()
    return {int(r[0]): str(r[1]) for r in rows}


def tag_outbox(conn: Connection, alert_ids: Sequence[int], request_id: str | None) -> None:
    """Record the request on the notifications just queued for these alerts."""
    if request_id and alert_ids:
        conn.execute(
            update(outbox)
            .where(outbox.c.alert_id.in_(list(alert_ids)), outbox.c.request_id.is_(None))
            .values(request_id=request_id)
        )


def outbox_request(conn: Connection, outbox_id: int) -> str | None:
    value = conn.execute(select(outbox.c.request_id).where(outbox.c.id == outbox_id)).scalar()
    return str(value) if value is not None else None
