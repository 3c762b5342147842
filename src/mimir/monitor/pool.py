"""A process pool driven by the event loop itself: no helper threads, one socket per process.

``concurrent.futures.ProcessPoolExecutor`` moves every task through two threads of the calling
process (a feeder that pickles and writes, a manager that reads results and wakes the loop),
so each extracted page cost the worker's main process four thread hand-offs on top of the
work. On a 2-core machine that process shares the CPU with the extraction it feeds, so its
overhead is taken straight off the pipeline's rate (docs/benchmarks.md). Here the event loop
writes tasks to a process's socket (non-blocking, the rest when it is writable) and reads the
answers when it becomes readable (``loop.add_reader``), with up to two tasks per process, so a
process never waits for the loop between one task and the next.

A process that dies (out of memory, a crash in a C parser) fails only the task it was running,
with ``ExtractorDied``; a task queued behind it goes to another process, and a new process
takes its place. With a ``timeout``, a process that has run one task for longer is killed the
same way and its task fails with ``ExtractionTimeout``: a pathological page costs one
deadline, never a process for good.

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
import socket
import struct
import time
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any

import structlog

from mimir.errors import ExtractionTimeout, ExtractorDied

log = structlog.get_logger("mimir.pool")

_PROTOCOL = pickle.HIGHEST_PROTOCOL
#: ``multiprocessing.Connection``'s frame: a 4-byte big-endian length (-1: an 8-byte one follows)
_LENGTH = struct.Struct("!i")
_LONG_LENGTH = struct.Struct("!Q")
#: each socket's send buffer (the kernel caps it at twice net.core.wmem_max): a bench page's
#: task (about 180 KB) fits whole while its process is busy with the one before
_SOCKET_BUFFER = 1 << 20
_READ_SIZE = 1 << 20


def _serve(conn: Connection, initializer: Callable[[], None] | None) -> None:
    """A pool process: say it is ready (an empty frame), then run each task it is sent and
    send back (ok, result or exception)."""
    if initializer is not None:
        initializer()
    try:
        conn.send_bytes(b"")  # started and warm: a deadline counts from here, not from fork
    except (BrokenPipeError, OSError):
        return
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


class _Process:
    """One pool process, seen from the event loop: its end of the socket pair (non-blocking),
    the tasks sent to it in order (it answers in that order), the bytes still to write to it
    and the bytes of answers read so far."""

    __slots__ = (
        "conn", "fd", "inbox", "outbox", "process", "ready", "since", "tasks", "writing",
    )  # fmt: skip

    def __init__(self, process: Any, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.fd = conn.fileno()
        self.tasks: deque[tuple[bytes, asyncio.Future[Any]]] = deque()
        self.outbox: deque[memoryview] = deque()
        self.inbox = bytearray()
        self.writing = False
        self.since = 0.0  # monotonic time the task at the head of ``tasks`` started
        self.ready = False  # it said it started (its first frame); before, nothing runs


def _frame(payload: bytes) -> list[memoryview]:
    """``payload`` framed as ``Connection.send_bytes`` frames it (the process reads it with
    ``recv_bytes``): a 4-byte big-endian length, or -1 and an 8-byte one."""
    n = len(payload)
    header = _LENGTH.pack(n) if n <= 0x7FFFFFFF else _LENGTH.pack(-1) + _LONG_LENGTH.pack(n)
    return [memoryview(header), memoryview(payload)]


def _answers(inbox: bytearray) -> list[bytes]:
    """The complete frames at the start of ``inbox``, taken out of it."""
    out: list[bytes] = []
    while len(inbox) >= _LENGTH.size:
        (n,) = _LENGTH.unpack_from(inbox)
        start = _LENGTH.size
        if n == -1:
            if len(inbox) < start + _LONG_LENGTH.size:
                break
            (n,) = _LONG_LENGTH.unpack_from(inbox, start)
            start += _LONG_LENGTH.size
        if len(inbox) < start + n:
            break
        out.append(bytes(inbox[start : start + n]))
        del inbox[: start + n]
    return out


class LoopPool:
    """``await pool.run(fn, *args)`` runs ``fn(*args)`` in one of ``processes`` processes.

    Used from one event loop at a time (the one that runs the worker or the API); ``fn`` and
    its arguments and result must pickle.

    Each process holds up to ``depth`` tasks: the one it runs and the next, already in its
    socket's buffer, so it starts the next the moment it has sent an answer, instead of
    waiting for the event loop to read the answer and write a new task (about 1 ms a task in
    a full worker, where the loop shares its process with the database writer: 5 % of each
    extraction process's time). The loop never blocks on a process: it writes what the
    socket takes and the rest when it becomes writable, and reads answers as they come.
    """

    def __init__(
        self,
        processes: int,
        initializer: Callable[[], None] | None = None,
        preload: Sequence[str] = (),
        *,
        depth: int = 2,
        timeout: float | None = None,
    ) -> None:
        if processes < 1:
            raise ValueError("a pool has at least one process")
        if depth < 1:
            raise ValueError("a process holds at least one task")
        self._mp = multiprocessing.get_context("forkserver")
        if preload:  # no effect once this process's fork server runs (it keeps its imports)
            self._mp.set_forkserver_preload(list(preload))
        self._initializer = initializer
        self._depth = depth
        self._timeout = timeout if timeout and timeout > 0 else None
        self._watch: asyncio.TimerHandle | None = None
        self._procs: list[_Process] = []
        self._waiting: deque[tuple[bytes, asyncio.Future[Any]]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        for _ in range(processes):
            self._procs.append(self._start())

    def _start(self) -> _Process:
        parent, child = self._mp.Pipe(duplex=True)  # a socket pair
        for end in (parent, child):  # room for a whole task (or answer) in flight
            with socket.socket(fileno=os.dup(end.fileno())) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _SOCKET_BUFFER)
        process = self._mp.Process(
            target=_serve, args=(child, self._initializer), daemon=True, name="mimir-extract"
        )
        process.start()
        child.close()
        os.set_blocking(parent.fileno(), False)  # this end only: the process's stays blocking
        proc = _Process(process, parent)
        if self._loop is not None:
            self._loop.add_reader(proc.fd, self._on_readable, proc)
        return proc

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Watch the sockets from ``loop`` (the first one to use the pool, or a later one once
        nothing is in flight: tests and the CLI run several loops one after another)."""
        if self._loop is loop:
            return
        if self._loop is not None:
            if any(p.tasks or p.outbox for p in self._procs) or self._waiting:
                raise RuntimeError("the pool is busy on another event loop")
            if self._watch is not None:
                self._watch.cancel()
                self._watch = None
            if not self._loop.is_closed():
                for p in self._procs:
                    self._loop.remove_reader(p.fd)
        self._loop = loop
        for p in self._procs:
            p.writing = False
            p.inbox.clear()
            loop.add_reader(p.fd, self._on_readable, p)

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
        """Hand waiting tasks to the processes holding the fewest, up to ``depth`` each."""
        while self._waiting and self._procs:
            proc = min(self._procs, key=lambda p: len(p.tasks))
            if len(proc.tasks) >= self._depth:
                return
            payload, fut = self._waiting.popleft()
            if fut.done():  # its caller gave up while it waited
                continue
            proc.tasks.append((payload, fut))
            if len(proc.tasks) == 1:  # an idle process starts it at once
                proc.since = time.monotonic()
                self._arm()
            proc.outbox.extend(_frame(payload))
            if not self._flush(proc):
                # the process is gone: this task never reached it, so it waits for another
                proc.tasks.pop()
                self._waiting.appendleft((payload, fut))
                self._replace(proc, None)
                return  # _replace dispatched again

    def _flush(self, proc: _Process) -> bool:
        """Write what the socket takes of ``proc``'s outbox, the rest when it is writable;
        False when the process is gone."""
        outbox = proc.outbox
        while outbox:
            try:
                sent = os.writev(proc.fd, list(outbox))  # at most 2 frames per task held
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                return False
            while sent:
                head = outbox[0]
                if len(head) <= sent:
                    sent -= len(head)
                    outbox.popleft()
                else:
                    outbox[0] = head[sent:]
                    sent = 0
        loop = self._loop
        if loop is not None and not loop.is_closed():
            if outbox and not proc.writing:
                loop.add_writer(proc.fd, self._on_writable, proc)
                proc.writing = True
            elif not outbox and proc.writing:
                loop.remove_writer(proc.fd)
                proc.writing = False
        return True

    def _on_writable(self, proc: _Process) -> None:
        if not self._flush(proc):
            self._replace(proc, None)

    def _on_readable(self, proc: _Process) -> None:
        gone = False
        try:
            while True:
                chunk = os.read(proc.fd, _READ_SIZE)
                if not chunk:
                    gone = True
                    break
                proc.inbox += chunk
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            gone = True
        for data in _answers(proc.inbox):
            if not proc.ready:  # its first frame: started, the task it holds begins now
                proc.ready = True
                proc.since = time.monotonic()
                continue
            if not proc.tasks:  # an answer nobody asked for: cannot happen with our _serve
                continue
            _payload, fut = proc.tasks.popleft()
            proc.since = time.monotonic()  # the next task it holds starts now
            try:
                ok, value = pickle.loads(data)  # noqa: S301 - from our own pool process
            except Exception as exc:  # an answer that does not unpickle fails its task alone
                ok, value = False, exc
            if not fut.done():
                if ok:
                    fut.set_result(value)
                else:
                    fut.set_exception(value)
        if gone:
            self._replace(proc, ExtractorDied())
        else:
            self._dispatch()

    def _arm(self) -> None:
        """Look for overrunning tasks again soon, while any process holds one."""
        if self._timeout is None or self._watch is not None or self._loop is None:
            return
        self._watch = self._loop.call_later(min(1.0, self._timeout / 2), self._check)

    def _check(self) -> None:
        """Kill each process whose current task has run past the deadline (it fails with
        ExtractionTimeout; the tasks queued behind it go to the others)."""
        self._watch = None
        if self._timeout is None or self._closed:
            return
        now = time.monotonic()
        for proc in list(self._procs):
            if proc.ready and proc.tasks and now - proc.since > self._timeout:
                log.warning("extract_timeout", seconds=self._timeout, pid=proc.process.pid)
                with contextlib.suppress(Exception):
                    proc.process.kill()
                message = f"took longer than {self._timeout:g} s; its process was stopped"
                self._replace(proc, ExtractionTimeout(message))
        if any(p.tasks for p in self._procs):
            self._arm()

    def _replace(self, proc: _Process, error: BaseException | None) -> None:
        """``proc`` died: fail the task it was running, give the ones queued behind it to the
        others, put a new process in its place."""
        if proc not in self._procs:
            return
        self._procs.remove(proc)
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(Exception):
                self._loop.remove_reader(proc.fd)
            if proc.writing:
                with contextlib.suppress(Exception):
                    self._loop.remove_writer(proc.fd)
        with contextlib.suppress(Exception):
            proc.conn.close()
        with contextlib.suppress(Exception):
            proc.process.join(timeout=1)
        tasks = list(proc.tasks)
        proc.tasks.clear()
        if tasks:
            _payload, fut = tasks[0]  # it answers in order: the first is the one it ran
            if not fut.done():
                fut.set_exception(error or ExtractorDied())
            self._waiting.extendleft(reversed(tasks[1:]))
        if self._closed:
            return
        log.warning("extract_process_died", exitcode=proc.process.exitcode)
        self._procs.append(self._start())
        self._dispatch()

    def pids(self) -> list[int]:
        return [p.process.pid for p in self._procs]

    def close(self) -> None:
        """Stop the processes (each finishes its task first, within a few seconds)."""
        if self._closed:
            return
        self._closed = True
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        pending = list(self._waiting)
        for p in self._procs:
            pending += p.tasks
            p.tasks.clear()
        for _payload, fut in pending:
            if not fut.done() and not fut.get_loop().is_closed():
                fut.cancel()
        self._waiting.clear()
        for p in self._procs:
            if self._loop is not None and not self._loop.is_closed():
                with contextlib.suppress(Exception):
                    self._loop.remove_reader(p.fd)
                if p.writing:
                    with contextlib.suppress(Exception):
                        self._loop.remove_writer(p.fd)
            with contextlib.suppress(Exception):
                p.conn.close()  # the process reads EOF and returns
        for p in self._procs:
            p.process.join(timeout=5)
            if p.process.is_alive():
                p.process.kill()  # SIGTERM may be ignored (Extractor's processes do)
                p.process.join(timeout=5)
        self._procs.clear()
