"""The database writer: group commit, lingering article stores, results back to their loops."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event, text

from mimir.config import Settings
from mimir.db.database import Database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}"))
    database.sync_write(lambda c: c.execute(text("CREATE TABLE t (v INTEGER UNIQUE)")))
    yield database
    database.close()


def _commits(db: Database) -> list[int]:
    seen: list[int] = []
    event.listen(db.engine, "commit", lambda _conn: seen.append(1))
    return seen


def _insert(conn: Connection, v: int) -> int:
    conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": v})
    return v * 10


def _insert_many(conn: Connection, items: list[int]) -> list[int]:
    conn.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": v} for v in items])
    return [v * 10 for v in items]


def _values(db: Database) -> list[int]:
    return db.sync_read(lambda c: [r[0] for r in c.execute(text("SELECT v FROM t ORDER BY v"))])


def test_every_kind_of_write_gets_its_own_result(db: Database) -> None:
    async def go() -> list[int]:
        calls: list[Any] = []
        for i in range(30):
            kind = i % 3
            if kind == 0:
                calls.append(db.write(_insert, i))
            elif kind == 1:
                calls.append(db.write_soon(_insert, i))
            else:
                calls.append(db.write_many(_insert_many, i))
        return list(await asyncio.gather(*calls))

    assert asyncio.run(go()) == [i * 10 for i in range(30)]
    assert _values(db) == list(range(30))


def test_article_stores_linger_to_share_a_commit(db: Database) -> None:
    db.linger_seconds = 1.0  # far longer than the gaps below: the test does not race a clock
    commits = _commits(db)

    async def go() -> list[int]:
        tasks = []
        for i in range(6):
            tasks.append(asyncio.ensure_future(db.write_soon(_insert, i)))
            await asyncio.sleep(0.01)  # the writer has the first one before the next arrives
        return list(await asyncio.gather(*tasks))

    assert asyncio.run(go()) == [0, 10, 20, 30, 40, 50]
    assert len(commits) == 1  # without the linger: about one commit per write
    assert (db.writer_stats["commits"], db.writer_stats["writes"]) == (1, 6)


def test_a_plain_write_does_not_wait_for_company(db: Database) -> None:
    db.linger_seconds = 60.0

    async def go() -> int:
        return await asyncio.wait_for(db.write(_insert, 1), timeout=20)

    assert asyncio.run(go()) == 10


def test_a_plain_write_ends_the_linger_of_a_batch_it_joins(db: Database) -> None:
    db.linger_seconds = 60.0
    commits = _commits(db)

    async def go() -> list[int]:
        soon = asyncio.ensure_future(db.write_soon(_insert, 1))
        await asyncio.sleep(0.05)
        return list(await asyncio.wait_for(asyncio.gather(soon, db.write(_insert, 2)), 20))

    assert asyncio.run(go()) == [10, 20]
    assert len(commits) == 1


def test_a_failing_write_fails_alone(db: Database) -> None:
    db.sync_write(_insert, 7)  # 7 is taken: inserting it again breaks the unique index

    async def go() -> list[Any]:
        calls = [db.write_soon(_insert, v) for v in (1, 7, 2)]
        return list(await asyncio.gather(*calls, return_exceptions=True))

    ok1, failed, ok2 = asyncio.run(go())
    assert (ok1, ok2) == (10, 20)
    assert isinstance(failed, Exception) and "UNIQUE" in str(failed)
    assert _values(db) == [1, 2, 7]  # the batch was retried write by write: nothing lost


def test_results_reach_each_event_loop(db: Database) -> None:
    got: dict[str, list[int]] = {}

    def loop_thread(name: str, start: int) -> None:
        async def go() -> list[int]:
            calls = [db.write_soon(_insert, v) for v in range(start, start + 10)]
            return list(await asyncio.gather(*calls))

        got[name] = asyncio.run(go())

    threads = [
        threading.Thread(target=loop_thread, args=("a", 0)),
        threading.Thread(target=loop_thread, args=("b", 100)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert got == {"a": [v * 10 for v in range(10)], "b": [v * 10 for v in range(100, 110)]}


def test_a_write_whose_caller_gave_up_is_skipped(db: Database) -> None:
    db.linger_seconds = 5.0
    release = threading.Event()

    def blocker(conn: Connection) -> None:
        release.wait(10)

    async def go() -> None:
        first = asyncio.ensure_future(db.write(blocker))  # holds the writer
        await asyncio.sleep(0.05)
        doomed = asyncio.ensure_future(db.write_soon(_insert, 5))
        await asyncio.sleep(0.01)
        doomed.cancel()
        release.set()
        await first
        assert await db.write(_insert, 6) == 60

    asyncio.run(go())
    assert _values(db) == [6]
