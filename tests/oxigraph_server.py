"""A throw-away Oxigraph server on 127.0.0.1 (``oxigraph serve``, the CLI the ``oxigraph``
package on PyPI installs), for the tests of the ``sparql:URL`` store: a new database in a
folder, a free port, stopped and removed after. It runs with its defaults, as users start
it: no row limit, no query time limit, queries at ``/query``, updates at ``/update``, the
Graph Store at ``/store``."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Endpoint:
    """Where a SPARQL server answers: its query and update URLs."""

    query: str
    update: str
    pid: int

    @property
    def spec(self) -> str:
        """The ``--store`` spec of the server."""
        return f"sparql:{self.query}"


def oxigraph_binary() -> Path | None:
    """The ``oxigraph`` CLI: beside this Python's scripts first, then on PATH."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / "oxigraph"
        if candidate.is_file():
            return candidate
    found = shutil.which("oxigraph")
    return Path(found) if found else None


def oxigraph_missing() -> str | None:
    """Why an Oxigraph server cannot be started here, or None when it can."""
    if oxigraph_binary() is None:
        return "no oxigraph command (the PyPI package oxigraph; tests/install-deps.sh installs it with .[test])"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=5) as response:
            return response.status == 200
    except OSError:  # refused, reset, or an HTTP error (urllib's are OSErrors)
        return False


@contextmanager
def oxigraph_server(folder: Path, *, start_seconds: int = 60) -> Iterator[Endpoint]:
    """Start ``oxigraph serve`` with a new database in ``folder``; yield its :class:`Endpoint`.

    Ready when it answers ``ASK {}`` on ``/query`` (polled, no fixed wait). Raises
    RuntimeError when it cannot start.
    """
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError(oxigraph_missing())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    port = _free_port()
    log = (folder.parent / f"{folder.name}.log").open("wb")
    server = subprocess.Popen(
        [str(binary), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_seconds
        while not _answers(f"{base}/query"):
            if server.poll() is not None:
                raise RuntimeError(f"oxigraph serve stopped at start-up (exit {server.returncode}); see {log.name}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"oxigraph serve did not answer on {base}/query within {start_seconds} s; see {log.name}")
            time.sleep(0.05)
        yield Endpoint(f"{base}/query", f"{base}/update", server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)
