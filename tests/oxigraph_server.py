"""A throw-away Oxigraph server on 127.0.0.1 (``oxigraph serve``, the CLI the ``oxigraph``
package on PyPI installs), for the tests of the ``sparql:URL`` store: a new database in a
folder, a free port, stopped and removed after. It runs with its defaults, as users start
it: no row limit, no query time limit, queries at ``/query``, updates at ``/update``, the
Graph Store at ``/store``."""

from __future__ import annotations

import shutil
import sys
import sysconfig
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .server_process import START_SECONDS, free_port, server_process

#: What ``oxigraph serve`` prints once its socket listens (it exits at once when the port is taken).
READY = r"Listening for requests at http://"


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


@contextmanager
def oxigraph_server(folder: Path, *, start_seconds: float = START_SECONDS) -> Iterator[Endpoint]:
    """Start ``oxigraph serve`` with a new database in ``folder``; yield its :class:`Endpoint`.

    Ready when it says it listens (read from its output, no polling). Raises RuntimeError
    when it cannot start.
    """
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError(oxigraph_missing())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    port = free_port()
    command = [str(binary), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"]
    log = folder.parent / f"{folder.name}.log"
    base = f"http://127.0.0.1:{port}"
    try:
        with server_process(command, READY, what="oxigraph serve", log=log, start_seconds=start_seconds) as server:
            yield Endpoint(f"{base}/query", f"{base}/update", server.pid)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
