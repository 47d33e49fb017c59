"""Query workers: separate processes that evaluate SPARQL, so that a query can be stopped.

rdflib can neither time out nor cancel a query, and a query evaluated in the server's
event loop would stall every other client. Each worker process gets its own handle on the
data once (a copy of the memory store, or the persistent store itself, opened by the
worker: see :mod:`evkg.server.stores`) and answers one
:class:`~evkg.server.evaluation.Job` at a time. When a query outlives the
timeout, its worker is killed and a fresh one started in the background; when a worker
dies (a crash, the out-of-memory killer) or runs out of the memory it may take, the query
gets a 503 and the worker is replaced the same way. The other workers keep answering
meanwhile.

No client takes every worker: requests are grouped by client (its address), and one
client has at most ``per_client`` queries in the workers at once (one fewer than there
are workers, unless set); its further queries wait for one of its own to end, and past
``client_queue`` waiting ones get 503 at once, with ``Retry-After``. Another client's
query finds a free worker meanwhile.

Each worker may take ``memory_mb`` of memory beyond what the data took to open: its
address space is capped (``RLIMIT_AS``, on systems that report it), so a query that
builds a huge string or result fails with ``MemoryError`` in the worker, which answers
503 and is replaced, instead of driving the machine into swap.

Workers evaluate in a thread with a large stack and a high recursion limit, so that
rdflib's recursive property paths (``ev:p+``) follow chains of many thousands of hops.
Each worker turns rdflib's loading of ``FROM``/``USING`` graphs off before it opens the
data, so that no request, its first included, can make it read a file or a URL.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..errors import EvkgError
from .evaluation import Job, Reply, forbid_graph_loading, run_job, text_reply
from .stores import SharedStore, Snapshot

__all__ = ["QueryPool", "WorkerTimeout", "WorkerDied", "WorkerExhausted", "RETRY_AFTER"]

log = logging.getLogger("evkg.server")

# Deep enough for rdflib's recursive path evaluation over ~30,000 hops; the stack is
# virtual memory, committed only as far as it is used.
_RECURSION_LIMIT = 100_000
_STACK_BYTES = 512 * 1024 * 1024
_START_TIMEOUT = 120.0
#: Seconds a client told 503 is asked to wait (``Retry-After``).
RETRY_AFTER = "5"


def _address_space() -> int | None:
    """This process's address space in bytes (Linux), None where the system does not say."""
    try:
        with open(f"/proc/{os.getpid()}/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _cap_memory(memory_mb: int | None) -> None:
    """Let this process's address space grow by ``memory_mb`` from its size now."""
    if not memory_mb:
        return
    try:
        import resource
    except ImportError:  # not on this system
        return
    size = _address_space()
    if size is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = size + memory_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _out_of_memory(memory_mb: int | None) -> Reply:
    limit = f" beyond the data, {memory_mb:,} MB (evkg serve --worker-memory)" if memory_mb else ""
    return text_reply(
        503,
        f"The query needed more memory than a query worker may take{limit}, and was stopped; "
        "a fresh worker is starting. Narrow the query down: a smaller result, or fewer "
        "nested string functions such as REPLACE or CONCAT.",
        {"Retry-After": RETRY_AFTER},
    )


class WorkerTimeout(Exception):
    """The worker did not answer within the time limit."""


class WorkerDied(Exception):
    """The worker process ended while it held a job."""


class WorkerExhausted(Exception):
    """The worker ran out of memory; it answered (``reply``) and ended."""

    def __init__(self, reply: Reply):
        super().__init__(reply.text)
        self.reply = reply


# --------------------------------------------------------------------------- the worker process


def _serve(conn, data: Snapshot | SharedStore, memory_mb: int | None) -> None:
    try:
        kb = data.open()
    except EvkgError as exc:
        conn.send(("failed", str(exc)))
        return
    _cap_memory(memory_mb)
    conn.send(("ready", None))
    while True:
        try:
            message, payload = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if message == "load":
                kb = None
                _uncap_memory()  # the cap counts from the size of the data
                kb = payload.open()
                _cap_memory(memory_mb)
                conn.send(("loaded", None))
            elif message == "job":
                conn.send(("reply", run_job(kb, payload)))
            else:
                return
        except MemoryError:
            # What the query built is garbage now; a fresh process starts clean.
            kb = None
            conn.send(("exhausted", _out_of_memory(memory_mb)))
            return


def _uncap_memory() -> None:
    """Lift the cap :func:`_cap_memory` set, up to the hard limit (to open new data)."""
    try:
        import resource
    except ImportError:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def _worker_main(conn, data: Snapshot | SharedStore, memory_mb: int | None = None) -> None:
    """The entry point of a worker process: open the data, answer jobs until EOF."""
    # Ctrl+C reaches the whole process group; the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # rdflib logs a traceback for each literal it cannot convert ("V"^^xsd:integer);
    # such a literal is data, kept as it is, and not the server operator's concern.
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    forbid_graph_loading()
    sys.setrecursionlimit(_RECURSION_LIMIT)
    threading.stack_size(_STACK_BYTES)
    thread = threading.Thread(target=_serve, args=(conn, data, memory_mb), name="evkg-query")
    thread.start()
    thread.join()


# --------------------------------------------------------------------------- the server side


@dataclass(eq=False)
class _Client:
    """One client's share of the pool: its turns, and how many jobs hold or wait for one."""

    slots: asyncio.Semaphore
    running: int = 0
    waiting: int = 0


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
        kind, reply = self._await(deadline)
        if kind == "exhausted":
            self.process.join(5)
            raise WorkerExhausted(reply)
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
    per_client : int, optional
        Most jobs of one client (see :meth:`run`) in the workers at once; one fewer than
        ``workers`` by default (at least 1), so that another client finds a free worker.
    client_queue : int
        Most jobs of one client waiting for its turn; more get 503 at once.
    memory_mb : int, optional
        Megabytes of address space each worker may take beyond the opened data; None
        for no cap.

    Use it from one event loop: ``await pool.start()``, ``await pool.run(job)``,
    ``await pool.close()``.
    """

    def __init__(self, data: Snapshot | SharedStore, *, workers: int = 2, timeout: float = 10.0,
                 per_client: int | None = None, client_queue: int = 32, memory_mb: int | None = None,
                 context: str = "spawn"):
        self._data = (0, data)
        self.size = workers
        self.timeout = timeout
        self.per_client = per_client if per_client is not None else max(1, workers - 1)
        self.client_queue = client_queue
        self.memory_mb = memory_mb
        self._clients: dict[str, _Client] = {}
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
        process = self._context.Process(
            target=_worker_main, args=(child, data, self.memory_mb), name="evkg-query-worker", daemon=True
        )
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

    async def _acquire(self, timeout: float) -> _Worker | None:
        """An idle worker, or None when none came free within ``timeout`` seconds."""
        getter = asyncio.ensure_future(self._idle.get())
        try:
            await asyncio.wait({getter}, timeout=max(0.0, timeout))
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

    def clients(self) -> dict[str, tuple[int, int]]:
        """Each client with jobs: (jobs in the workers, jobs waiting for their turn)."""
        return {name: (c.running, c.waiting) for name, c in self._clients.items()}

    async def run(self, job: Job, client: str | None = None) -> tuple[Reply, int | None]:
        """Evaluate ``job`` in a worker; return the reply and the worker's process id.

        ``client`` (the client's address) puts the job under that client's limits:
        at most ``per_client`` of its jobs in the workers, ``client_queue`` waiting.
        A job that waits longer than the timeout, or finds its client's queue full,
        gets 503 with ``Retry-After``; so does a job that outlives the timeout, or whose
        worker dies or runs out of memory (and that worker is replaced).
        """
        if self._idle is None or self._closed:
            return text_reply(503, "The query workers are not running."), None
        if not self._live and not self._starting:
            return text_reply(503, "No query worker is running; see the server log."), None
        if client is None:
            return await self._run(job, self.timeout)
        account = self._clients.setdefault(client, _Client(asyncio.Semaphore(self.per_client)))
        if account.slots.locked() and account.waiting >= self.client_queue:
            self._forget(client, account)
            return text_reply(
                503,
                f"Too many queries from {client} at once: {account.running} running and "
                f"{account.waiting} waiting, the most this server takes from one client "
                f"(evkg serve --client-queries). Wait for your answers, then try again.",
                {"Retry-After": RETRY_AFTER},
            ), None
        started = time.monotonic()
        try:
            if not account.slots.locked():
                await account.slots.acquire()  # a free turn: taken at once
            else:
                account.waiting += 1
                try:
                    await asyncio.wait_for(account.slots.acquire(), self.timeout)
                except asyncio.TimeoutError:
                    return text_reply(
                        503,
                        f"Your other queries kept this client's {self.per_client} "
                        f"quer{'y' if self.per_client == 1 else 'ies'} at a time busy for "
                        f"{self.timeout:g} s (evkg serve --client-queries); try again shortly.",
                        {"Retry-After": RETRY_AFTER},
                    ), None
                finally:
                    account.waiting -= 1
            account.running += 1
            try:
                return await self._run(job, self.timeout - (time.monotonic() - started))
            finally:
                account.running -= 1
                account.slots.release()
        finally:
            self._forget(client, account)

    def _forget(self, client: str, account: _Client) -> None:
        if not account.running and not account.waiting and self._clients.get(client) is account:
            del self._clients[client]

    async def _run(self, job: Job, wait: float) -> tuple[Reply, int | None]:
        worker = await self._acquire(wait)
        if worker is None:
            return text_reply(
                503,
                f"All {self.size} query workers stayed busy for {self.timeout:g} s; try again shortly.",
                {"Retry-After": RETRY_AFTER},
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
        except WorkerExhausted as exc:
            self._replace(worker)
            log.warning("a query worker ran out of memory and is replaced")
            return exc.reply, worker.pid
        except WorkerDied:
            code = worker.process.exitcode
            self._replace(worker)
            how = f"killed by {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
            return text_reply(
                503,
                f"The query worker stopped while evaluating this query ({how}); "
                "a fresh worker is starting and the next query will work. If this query keeps "
                "failing, it may need more memory than the server has.",
                {"Retry-After": RETRY_AFTER},
            ), worker.pid
        except asyncio.CancelledError:
            # The client went away: the worker may still be busy, so it cannot be reused.
            self._replace(worker)
            raise
        self._busy.discard(worker)
        self._idle.put_nowait(worker)
        return reply, worker.pid
