"""A process pool driven by the event loop itself: no helper threads, one pipe per process.

``concurrent.futures.ProcessPoolExecutor`` moves every task through two threads of the calling
process (a feeder that pickles and writes, a manager that reads results and wakes the loop),
so each extracted page cost the worker's main process four thread hand-offs on top of the
work. On a 2-core machine that process shares the CPU with the extraction it feeds, so its
overhead is taken straight off the pipeline's rate (docs/benchmarks.md). Here the event loop
writes a task to an idle process's pipe and reads the answer when the pipe becomes readable
(``loop.add_reader``): one task per process at a time, so a write never waits on a busy one.

A process that dies (out of memory, a crash in a C parser) fails only the task it held, with
``ExtractorDied``, and a new process takes its place.

Processes come from multiprocessing's fork server, which imports ``preload`` once: each pool
process (and each replacement) starts with trafilatura, lxml and the rest already imported,
instead of spending about a second of CPU importing them itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any

import structlog

from mimir.errors import ExtractorDied

log = structlog.get_logger("mimir.pool")

_PROTOCOL = pickle.HIGHEST_PROTOCOL


def _serve(conn: Connection, initializer: Callable[[], None] | None) -> None:
    """A pool process: run each task it is sent, send back (ok, result or exception)."""
    if initializer is not None:
        initializer()
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return  # the pool closed our pipe
        try:
            fn, args = pickle.loads(data)  # noqa: S301 - from our own process, over its pipe
            answer: tuple[bool, Any] = (True, fn(*args))
        except BaseException as exc:  # the caller gets it, whatever it is
            answer = (False, exc)
        try:
            out = pickle.dumps(answer, _PROTOCOL)
        except Exception as exc:  # an answer that cannot travel becomes an error that can
            out = pickle.dumps((False, RuntimeError(f"result could not be sent: {exc!r}")))
        try:
            conn.send_bytes(out)
        except (BrokenPipeError, OSError):
            return


def _watch(
    loop: asyncio.AbstractEventLoop, proc: _Process, on_answer: Callable[[_Process], None]
) -> None:
    """Call ``on_answer(proc)`` whenever ``proc``'s pipe is readable.

    The pipe stays blocking: a task is written whole, in one call, to a process that is idle
    and reading it, and an answer is read whole once it has begun to arrive. uvloop (libuv)
    makes a watched descriptor non-blocking; a long task then failed to write at once
    (BlockingIOError), and the process was taken for dead and replaced, again and again."""
    fd = proc.conn.fileno()
    loop.add_reader(fd, on_answer, proc)
    os.set_blocking(fd, True)


class _Process:
    __slots__ = ("conn", "process", "task")

    def __init__(self, process: Any, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.task: asyncio.Future[Any] | None = None


class LoopPool:
    """``await pool.run(fn, *args)`` runs ``fn(*args)`` in one of ``processes`` processes.

    Used from one event loop at a time (the one that runs the worker or the API); ``fn`` and
    its arguments and result must pickle.
    """

    def __init__(
        self,
        processes: int,
        initializer: Callable[[], None] | None = None,
        preload: Sequence[str] = (),
    ) -> None:
        if processes < 1:
            raise ValueError("a pool has at least one process")
        self._mp = multiprocessing.get_context("forkserver")
        if preload:  # no effect once this process's fork server runs (it keeps its imports)
            self._mp.set_forkserver_preload(list(preload))
        self._initializer = initializer
        self._size = processes
        self._procs: list[_Process] = []
        self._idle: list[_Process] = []
        self._waiting: deque[tuple[bytes, asyncio.Future[Any]]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        for _ in range(processes):
            self._procs.append(self._start())
        self._idle = list(self._procs)

    def _start(self) -> _Process:
        parent, child = self._mp.Pipe(duplex=True)
        process = self._mp.Process(
            target=_serve, args=(child, self._initializer), daemon=True, name="mimir-extract"
        )
        process.start()
        child.close()
        proc = _Process(process, parent)
        if self._loop is not None:
            _watch(self._loop, proc, self._on_answer)
        return proc

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Watch the pipes from ``loop`` (the first one to use the pool, or a later one once
        nothing is in flight: tests and the CLI run several loops one after another)."""
        if self._loop is loop:
            return
        if self._loop is not None:
            if any(p.task is not None for p in self._procs) or self._waiting:
                raise RuntimeError("the pool is busy on another event loop")
            if not self._loop.is_closed():
                for p in self._procs:
                    self._loop.remove_reader(p.conn.fileno())
        self._loop = loop
        for p in self._procs:
            _watch(loop, p, self._on_answer)

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self._closed:
            raise RuntimeError("the pool is closed")
        loop = asyncio.get_running_loop()
        self._bind(loop)
        fut: asyncio.Future[Any] = loop.create_future()
        self._waiting.append((pickle.dumps((fn, args), _PROTOCOL), fut))
        self._dispatch()
        return await fut

    def _dispatch(self) -> None:
        while self._waiting and self._idle:
            payload, fut = self._waiting.popleft()
            if fut.done():  # its caller gave up while it waited
                continue
            proc = self._idle.pop()
            try:
                proc.conn.send_bytes(payload)
            except OSError:
                self._waiting.appendleft((payload, fut))
                self._replace(proc, None)
                continue
            proc.task = fut

    def _on_answer(self, proc: _Process) -> None:
        try:
            data = proc.conn.recv_bytes()
            ok, value = pickle.loads(data)  # noqa: S301 - from our own pool process
        except (EOFError, OSError):
            self._replace(proc, ExtractorDied())
            return
        except Exception as exc:  # an answer that does not unpickle fails its task alone
            ok, value = False, exc
        fut, proc.task = proc.task, None
        if fut is not None and not fut.done():
            if ok:
                fut.set_result(value)
            else:
                fut.set_exception(value)
        self._idle.append(proc)
        self._dispatch()

    def _replace(self, proc: _Process, error: BaseException | None) -> None:
        """``proc`` died: fail its task, put a new process in its place."""
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(Exception):
                self._loop.remove_reader(proc.conn.fileno())
        with contextlib.suppress(Exception):
            proc.conn.close()
        with contextlib.suppress(Exception):
            proc.process.join(timeout=1)
        fut, proc.task = proc.task, None
        if fut is not None and not fut.done():
            fut.set_exception(error or ExtractorDied())
        if proc in self._procs:
            self._procs.remove(proc)
        if proc in self._idle:
            self._idle.remove(proc)
        if self._closed:
            return
        log.warning("extract_process_died", exitcode=proc.process.exitcode)
        fresh = self._start()
        self._procs.append(fresh)
        self._idle.append(fresh)
        self._dispatch()

    def pids(self) -> list[int]:
        return [p.process.pid for p in self._procs]

    def close(self) -> None:
        """Stop the processes (each finishes its task first, within a few seconds)."""
        if self._closed:
            return
        self._closed = True
        for _payload, fut in self._waiting:
            if not fut.done() and not fut.get_loop().is_closed():
                fut.cancel()
        self._waiting.clear()
        for p in self._procs:
            if self._loop is not None and not self._loop.is_closed():
                with contextlib.suppress(Exception):
                    self._loop.remove_reader(p.conn.fileno())
            with contextlib.suppress(Exception):
                p.conn.close()  # the process reads EOF and returns
        for p in self._procs:
            p.process.join(timeout=5)
            if p.process.is_alive():
                p.process.terminate()
                p.process.join(timeout=5)
        self._procs.clear()
        self._idle.clear()
