"""A server in a process of its own, for the tests and benchmarks: started, ready when it
prints the line that says so (its output is read as it comes: no polling, no fixed wait),
stopped after. What it printed is kept, in memory and in a log file if asked.

Used for Virtuoso (``tests/virtuoso.py``), Oxigraph's server (``tests/oxigraph_server.py``)
and ``evkg serve`` itself (:func:`evkg_serve`)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Seconds a server may take to start, and an HTTP client to get an answer, on a machine
#: other processes keep busy (Virtuoso makes a new database in 7 s on an idle machine, in 30
#: on a loaded one).
START_SECONDS = 180
READ_SECONDS = 300


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now, for a server that must be told its port."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@dataclass
class ServerProcess:
    """A started server: its process, the match of its ready line, and every line it has
    printed (stdout and stderr, in order; the list grows while it runs)."""

    process: subprocess.Popen
    ready: re.Match
    lines: list[str]

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return "".join(self.lines)


@contextlib.contextmanager
def server_process(
    command: Sequence[str],
    ready: str,
    *,
    what: str,
    log: Path | None = None,
    cwd: Path | None = None,
    start_seconds: float = START_SECONDS,
    stop: signal.Signals = signal.SIGTERM,
    own_group: bool = False,
) -> Iterator[ServerProcess]:
    """Run ``command``; yield it once a line of its output matches ``ready`` (a regular
    expression); stop it with ``stop`` after (to its whole process group when ``own_group``),
    killing it if it has not stopped within a minute.

    Raises RuntimeError, with the end of its output, when it stops before it is ready or does
    not get there within ``start_seconds``.
    """
    pattern = re.compile(ready)
    process = subprocess.Popen(
        list(command), cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, errors="replace", start_new_session=own_group,
    )
    lines: list[str] = []
    found: list[re.Match] = []
    said = threading.Event()  # the ready line came, or the output ended

    def read() -> None:
        with open(log, "w", encoding="utf-8") if log else contextlib.nullcontext() as sink:
            for line in process.stdout:
                lines.append(line)
                if sink:
                    sink.write(line)
                    sink.flush()
                if not found and (match := pattern.search(line)):
                    found.append(match)
                    said.set()
        said.set()

    reader = threading.Thread(target=read, name=f"{what} output", daemon=True)
    reader.start()
    try:
        if not said.wait(start_seconds):
            raise RuntimeError(f"{what} did not say it was ready within {start_seconds:g} s{_tail(lines, log)}")
        if not found:
            code = process.wait(60)
            raise RuntimeError(f"{what} stopped at start-up (exit {code}){_tail(lines, log)}")
        yield ServerProcess(process, found[0], lines)
    finally:
        _stop(process, stop, own_group)
        reader.join(60)
        process.stdout.close()


def _stop(process: subprocess.Popen, stop: signal.Signals, own_group: bool) -> None:
    def send(signum: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum) if own_group else process.send_signal(signum)

    if process.poll() is None:
        send(stop)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        process.wait()


def _tail(lines: list[str], log: Path | None, count: int = 20) -> str:
    where = f"; see {log}" if log else ""
    return where + (":\n" + "".join(lines[-count:]) if lines else "")


# --------------------------------------------------------------------------- evkg serve

#: The last line of the banner `evkg serve` prints once its socket listens.
BANNER_END = r"^(?:Read-only|Updates allowed)"


@contextlib.contextmanager
def evkg_serve(*args: str, python: Sequence[str] = ("-m", "evkg"), start_seconds: float = START_SECONDS) -> Iterator[ServerProcess]:
    """Run ``evkg ARGS`` (``serve`` among them) in a process group of its own; yield it once it
    has printed its banner, stop it with Ctrl+C (SIGINT to the group) after.

    The socket listens before the banner is printed, so a request sent then waits in the
    kernel's queue until the server takes it: no need to poll. ``python`` replaces
    ``-m evkg`` (e.g. ``-c CODE`` that sets limits first)."""
    with server_process([sys.executable, *python, *args], BANNER_END, what="evkg serve", start_seconds=start_seconds,
                        stop=signal.SIGINT, own_group=True) as server:
        yield server


def base_url(server: ServerProcess) -> str:
    """The base URL (``http://127.0.0.1:PORT``) from the Explorer line of `evkg serve`'s banner."""
    return re.search(r"Explorer +(http://127\.0\.0\.1:\d+)/", server.output()).group(1)


# --------------------------------------------------------------------------- in-process states


def wait_until(condition: Callable[[], object], seconds: float = 60.0, what: str = "the condition") -> object:
    """Wait for ``condition()`` to come true (and return its value), looking every 10 ms.

    For states of this process that raise no event to wait on (the query pool's idle
    workers, the worker processes in /proc); bounded by ``seconds``, never a fixed wait."""
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out after {seconds:g} s waiting for {what}"
        time.sleep(0.01)
    return value
