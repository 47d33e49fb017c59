"""Query workers: separate processes that evaluate SPARQL, so that a query can be stopped.

rdflib can neither time out nor cancel a query, and a query evaluated in the server's
event loop would stall every other client. Each worker process gets its own handle on the
data once (a copy of the memory store, or the persistent store itself, opened by the
worker: see :mod:`evkg.server.stores`) and answers one
:class:`~evkg.server.evaluation.Job` at a time. When a query outlives the
timeout, its worker is killed and a fresh one started in the background; when a worker
dies (a crash, the out-of-memory killer), the query gets a 500 and the worker is
replaced the same way. The other workers keep answering meanwhile.

Workers evaluate in a thread with a large stack and a high recursion limit, so that
rdflib's recursive property paths (``ev:p+``) follow chains of many thousands of hops.
Each worker turns rdflib's loading of ``FROM``/``USING`` graphs off before it opens the
data, so that no request, its first included, can make it read a file or a URL.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..errors import EvkgError
from .evaluation import Job, Reply, forbid_graph_loading, run_job, text_reply
from .stores import SharedStore, Snapshot

__all__ = ["QueryPool", "WorkerTimeout", "WorkerDied"]

log = logging.getLogger("evkg.server")

# Deep enough for rdflib's recursive path evaluation over ~30,000 hops; the stack is
# virtual memory, committed only as far as it is used.
_RECURSION_LIMIT = 100_000
_STACK_BYTES = 512 * 1024 * 1024
_START_TIMEOUT = 120.0


class WorkerTimeout(Exception):
    """The worker did not answer within the time limit."""


class WorkerDied(Exception):
    """The worker process ended while it held a job."""


# --------------------------------------------------------------------------- the worker process


def _serve(conn, data: Snapshot | SharedStore) -> None:
    try:
        kb = data.open()
    except EvkgError as exc:
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", None))
    while True:
        try:
            message, payload = conn.recv()
        except (EOFError, OSError):
            return
        if message == "load":
            kb = payload.open()
            conn.send(("loaded", None))
        elif message == "job":
            conn.send(("reply", run_job(kb, payload)))
        else:
            return


def _worker_main(conn, data: Snapshot | SharedStore) -> None:
    """The entry point of a worker process: open the data, answer jobs until EOF."""
    # Ctrl+C reaches the whole process group; the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    forbid_graph_loading()
    sys.setrecursionlimit(_RECURSION_LIMIT)
    threading.stack_size(_STACK_BYTES)
    thread = threading.Thread(target=_serve, args=(conn, data), name="evkg-query")
    thread.start()
    thread.join()


# --------------------------------------------------------------------------- the server side


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: object
    generation: int

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def _await(self, deadline: float):
        remaining = max(0.0, deadline - time.monotonic())
        if not self.conn.poll(remaining):
            raise WorkerTimeout
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            self.process.join(2)  # reap it, so that its exit code is known
            raise WorkerDied from None

    def call(self, job: Job, timeout: float, data: tuple[int, Snapshot | SharedStore]) -> Reply:
        """Send ``job`` (after the newest data, if this worker has older) and wait."""
        deadline = time.monotonic() + timeout
        try:
            if self.generation != data[0]:
                self.conn.send(("load", data[1]))
                self._await(deadline)
                self.generation = data[0]
            self.conn.send(("job", job))
        except (BrokenPipeError, OSError):
            raise WorkerDied from None
        _, reply = self._await(deadline)
        return reply

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """A fixed number of worker processes, each with its own handle on the data.

    Parameters
    ----------
    data : Snapshot or SharedStore
        What each worker opens: a copy of the data as N-Quads, or a persistent store
        (:func:`~evkg.server.stores.worker_data` picks one for a knowledge base).
    workers : int
        How many queries are evaluated at once.
    timeout : float
        Seconds a job may take, and seconds a request may wait for a free worker.

    Use it from one event loop: ``await pool.start()``, ``await pool.run(job)``,
    ``await pool.close()``.
    """

    def __init__(self, data: Snapshot | SharedStore, *, workers: int = 2, timeout: float = 10.0, context: str = "spawn"):
        self._data = (0, data)
        self.size = workers
        self.timeout = timeout
        self._context = multiprocessing.get_context(context)
        self._idle: asyncio.Queue[_Worker] | None = None
        self._busy: set[_Worker] = set()
        self._live: set[_Worker] = set()
        self._starting = 0
        self._threads = ThreadPoolExecutor(max_workers=2 * workers + 2, thread_name_prefix="evkg-pool")
        self._tasks: set[asyncio.Task] = set()
        self._closed = False
        self.restarts = 0

    # ----------------------------------------------------------------- lifecycle

    def _spawn(self) -> _Worker:
        """Start one worker process and wait until it has opened the data (blocking)."""
        generation, data = self._data
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker_main, args=(child, data), name="evkg-query-worker", daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent, generation)
        try:
            kind, problem = worker._await(time.monotonic() + _START_TIMEOUT)
        except (WorkerTimeout, WorkerDied):
            worker.kill()
            raise RuntimeError(f"a query worker did not start (exit code {process.exitcode}).") from None
        if kind == "failed":
            worker.kill()
            raise RuntimeError(f"a query worker could not open the data: {problem}")
        if kind != "ready":
            worker.kill()
            raise RuntimeError("a query worker did not start.")
        self._live.add(worker)
        return worker

    async def start(self) -> None:
        """Start every worker; return when all have opened the data."""
        loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        workers = await asyncio.gather(*(loop.run_in_executor(self._threads, self._spawn) for _ in range(self.size)))
        for worker in workers:
            self._idle.put_nowait(worker)

    async def close(self) -> None:
        """Stop every worker, busy ones included."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        workers = list(self._live)
        for worker in workers:
            try:
                worker.conn.send(("stop", None))
            except OSError:
                pass
        for worker in workers:
            worker.process.join(2)
            worker.kill()
        self._threads.shutdown(wait=False, cancel_futures=True)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start a fresh one in the background."""
        self._busy.discard(worker)
        self._live.discard(worker)
        self.restarts += 1
        loop = asyncio.get_running_loop()
        self._starting += 1

        async def replace() -> None:
            try:
                await loop.run_in_executor(self._threads, worker.kill)
                fresh = await loop.run_in_executor(self._threads, self._spawn)
            except Exception as exc:  # a worker that cannot start is logged, not fatal
                log.error("could not replace a query worker: %s", exc)
                return
            finally:
                self._starting -= 1
            if self._closed:
                fresh.kill()
            else:
                self._idle.put_nowait(fresh)

        task = asyncio.ensure_future(replace())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ----------------------------------------------------------------- state

    @property
    def generation(self) -> int:
        return self._data[0]

    def set_snapshot(self, snapshot: str, worker_pid: int | None = None) -> None:
        """Hand new data, as N-Quads, to the workers (each loads it before its next job);
        the worker ``worker_pid``, which produced it, already has it."""
        generation = self._data[0] + 1
        self._data = (generation, Snapshot(snapshot))
        for worker in self._live:
            if worker.pid == worker_pid:
                worker.generation = generation

    def pids(self) -> dict[str, list[int]]:
        """The process ids of the idle and busy workers (for tests and monitoring)."""
        busy = sorted(w.pid for w in self._busy)
        return {"idle": sorted(w.pid for w in self._live - self._busy), "busy": busy}

    async def _acquire(self) -> _Worker | None:
        """An idle worker, or None when none came free within the timeout."""
        getter = asyncio.ensure_future(self._idle.get())
        try:
            await asyncio.wait({getter}, timeout=self.timeout)
        except asyncio.CancelledError:
            if getter.done() and not getter.cancelled():
                self._idle.put_nowait(getter.result())
            else:
                getter.cancel()
            raise
        if not getter.done():
            getter.cancel()
            try:
                return await getter
            except asyncio.CancelledError:
                return None
        return getter.result()

    async def run(self, job: Job) -> tuple[Reply, int | None]:
        """Evaluate ``job`` in a worker; return the reply and the worker's process id.

        A job that outlives the timeout gets 503, a worker that dies 500; either way
        the worker is replaced and the pool goes on.
        """
        if self._idle is None or self._closed:
            return text_reply(503, "The query workers are not running."), None
        if not self._live and not self._starting:
            return text_reply(503, "No query worker is running; see the server log."), None
        worker = await self._acquire()
        if worker is None:
            return text_reply(
                503,
                f"All {self.size} query workers stayed busy for {self.timeout:g} s; try again shortly.",
                {"Retry-After": "5"},
            ), None
        self._busy.add(worker)
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        try:
            reply = await loop.run_in_executor(self._threads, worker.call, job, self.timeout, self._data)
        except WorkerTimeout:
            self._replace(worker)
            return text_reply(
                503,
                f"The query was stopped after {time.monotonic() - started:.1f} s: this endpoint "
                f"gives each query at most {self.timeout:g} s (evkg serve --timeout). "
                "Narrow it down, or add a LIMIT.",
            ), worker.pid
        except WorkerDied:
            code = worker.process.exitcode
            self._replace(worker)
            how = f"killed by {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
            return text_reply(
                500,
                f"The query worker stopped while evaluating this query ({how}); "
                "a fresh worker is starting and the next query will work. If this query keeps "
                "failing, it may need more memory than the server has.",
            ), worker.pid
        except asyncio.CancelledError:
            # The client went away: the worker may still be busy, so it cannot be reused.
            self._replace(worker)
            raise
        self._busy.discard(worker)
        self._idle.put_nowait(worker)
        return reply, worker.pid
