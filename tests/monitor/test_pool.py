"""The extraction pool: tasks run in its processes, errors come back, a dead process is replaced."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest

from mimir.errors import ExtractionTimeout, ExtractorDied
from mimir.monitor.pool import LoopPool


def _square(x: int) -> int:
    return x * x


def _fail(x: int) -> int:
    raise ValueError(f"bad input {x}")


def _die(code: int) -> int:
    os._exit(code)


def _pid() -> int:
    return os.getpid()


def _hang(seconds: float) -> int:
    import time

    time.sleep(seconds)
    return 0


@pytest.fixture(scope="module")
def pool() -> Iterator[LoopPool]:
    p = LoopPool(2)
    yield p
    p.close()


def test_tasks_run_in_the_pool_processes_and_answer_in_order(pool: LoopPool) -> None:
    async def go() -> tuple[list[int], set[int]]:
        squares = await asyncio.gather(*[pool.run(_square, i) for i in range(40)])
        pids = set(await asyncio.gather(*[pool.run(_pid) for _ in range(20)]))
        return list(squares), pids

    squares, pids = asyncio.run(go())
    assert squares == [i * i for i in range(40)]
    assert pids <= set(pool.pids()) and os.getpid() not in pids


def test_an_error_reaches_its_caller_and_the_pool_goes_on(pool: LoopPool) -> None:
    async def go() -> list[object]:
        return list(
            await asyncio.gather(
                pool.run(_square, 3),
                pool.run(_fail, 7),
                pool.run(_square, 4),
                return_exceptions=True,
            )
        )

    ok, failed, ok2 = asyncio.run(go())  # a new event loop: the pool follows it
    assert (ok, ok2) == (9, 16)
    assert isinstance(failed, ValueError) and "bad input 7" in str(failed)


def test_a_dead_process_fails_its_task_alone_and_is_replaced(pool: LoopPool) -> None:
    before = set(pool.pids())

    async def go() -> list[object]:
        return list(
            await asyncio.gather(
                pool.run(_die, 3),
                *[pool.run(_square, i) for i in range(6)],
                return_exceptions=True,
            )
        )

    died, *rest = asyncio.run(go())
    assert isinstance(died, ExtractorDied)
    assert rest == [i * i for i in range(6)]
    after = set(pool.pids())
    assert len(after) == 2 and after != before  # one process is new
    assert asyncio.run(pool.run(_square, 5)) == 25


def test_a_task_queued_behind_a_dying_one_runs_on_the_replacement() -> None:
    """One process holds two tasks (the one it runs, the next in its socket): when the first
    kills it, the second was never run, so it goes to the new process instead of failing."""
    p = LoopPool(1)
    try:
        (before,) = p.pids()

        async def go() -> list[object]:
            both = asyncio.gather(p.run(_die, 3), p.run(_pid), return_exceptions=True)
            await asyncio.sleep(0)  # both handed out: the process holds them, in order
            held.extend(len(proc.tasks) for proc in p._procs)
            return list(await both)

        held: list[int] = []

        died, ran_on = asyncio.run(go())
        assert isinstance(died, ExtractorDied)
        assert held == [2]
        assert ran_on == p.pids()[0] != before
    finally:
        p.close()


def test_a_task_past_the_deadline_costs_its_process_and_nothing_else() -> None:
    """A document that hangs its process (a pathological page): after the deadline the process
    is killed and replaced, the task fails with ExtractionTimeout, the task queued behind it
    and the other process's work run, and a pool on a new event loop keeps its deadline. (The
    deadline leaves the quick tasks time on a loaded machine: at 0.5 s, three of them timed
    out while CI shared the machine's two cores with another test run.)"""
    p = LoopPool(2, timeout=2.0)
    try:
        before = set(p.pids())

        async def go() -> tuple[list[object], float]:
            loop = asyncio.get_running_loop()
            started = loop.time()
            results = await asyncio.gather(
                p.run(_hang, 30), *[p.run(_square, i) for i in range(6)], return_exceptions=True
            )
            return list(results), loop.time() - started

        results, took = asyncio.run(go())
        assert isinstance(results[0], ExtractionTimeout)
        assert "took longer than 2 s" in str(results[0])
        assert results[1:] == [i * i for i in range(6)]
        assert 2.0 < took < 20
        after = set(p.pids())
        assert len(after) == 2 and len(after - before) == 1  # one replaced, one kept
        (gone,) = before - after
        with pytest.raises(OSError):
            os.kill(gone, 0)
        # a second event loop (as the CLI runs them): the deadline still holds
        with pytest.raises(ExtractionTimeout):
            asyncio.run(p.run(_hang, 30))
    finally:
        p.close()


def test_a_closed_pool_refuses_work_and_its_processes_are_gone() -> None:
    p = LoopPool(1)
    (pid,) = p.pids()
    assert asyncio.run(p.run(_square, 2)) == 4
    p.close()
    with pytest.raises(RuntimeError):
        asyncio.run(p.run(_square, 2))
    with pytest.raises(OSError):
        os.kill(pid, 0)  # joined: not even a zombie is left


def _collector_state() -> tuple[int, int]:
    import gc

    return gc.get_freeze_count(), len(gc.get_objects())


def test_extraction_processes_start_warm_with_their_startup_heap_frozen() -> None:
    """The Extractor's processes run ``warm_up``: one extraction done, then everything that
    exists frozen, so the collector's full passes scan only what pages allocate."""
    from mimir.monitor.extract import Extractor

    extractor = Extractor(1)
    try:
        assert extractor._pool is not None
        frozen, tracked = asyncio.run(extractor._pool.run(_collector_state))
    finally:
        extractor.close()
    # the imports alone leave well over 10,000 objects; frozen, they are out of the scans
    assert frozen > 10_000
    assert tracked < frozen / 5


def test_settle_heap_freezes_what_a_started_process_holds() -> None:
    """``settle_heap`` (``mimir worker`` and ``mimir run`` call it once started), in a process
    of its own: a freeze here would keep this test process's garbage for good."""
    import subprocess
    import sys

    code = (
        "import gc; import mimir.jobs.runtime as r; before = gc.get_freeze_count(); "
        "r.settle_heap(); print(before, gc.get_freeze_count(), len(gc.get_objects()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    before, after, tracked = map(int, out)
    assert before == 0 and after > 10_000 and tracked < after / 5


def _size(data: bytes) -> int:
    return len(data)


@pytest.mark.timeout(60)  # before the fix: replacing processes forever, never an answer
def test_the_pool_runs_under_uvloop_with_tasks_larger_than_a_pipe_buffer() -> None:
    """uvloop makes a watched descriptor non-blocking; the pool keeps its pipes blocking, so a
    task larger than the pipe's buffer (64 KiB) is still written whole to an idle process
    instead of failing as if the process had died (and being retried on a new one forever)."""
    import uvloop  # installed with uvicorn[standard]

    p = LoopPool(1)
    try:
        (pid,) = p.pids()
        big = b"x" * (4 << 20)

        async def go() -> list[int]:
            return list(await asyncio.gather(*[p.run(_size, big) for _ in range(3)]))

        assert uvloop.run(go()) == [len(big)] * 3
        assert p.pids() == [pid]  # the same process all along: none was taken for dead
    finally:
        p.close()
