"""A throw-away Virtuoso server on 127.0.0.1, for the tests of the ``sparql:URL`` store and
for ``benchmarks/scale_bench.py``: a new database in a folder, free ports, SPARQL update
granted to the anonymous user (as a local test server allows), stopped and removed after."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

VIRTUOSO = Path("/usr/bin/virtuoso-t")
ISQL = "isql-vt"
_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{isql}
DirsAllowed = {db}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {db}
MaxClientConnections = 4
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {query_seconds}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def virtuoso_missing() -> str | None:
    """Why a Virtuoso server cannot be started here, or None when it can."""
    if not VIRTUOSO.exists():
        return f"no Virtuoso at {VIRTUOSO} (Debian package virtuoso-opensource; run tests/install-deps.sh as root)"
    if shutil.which(ISQL) is None:
        return f"no {ISQL} to grant SPARQL update (Debian package virtuoso-opensource)"
    return None


@contextmanager
def virtuoso_server(
    folder: Path,
    *,
    buffers: int = 10_000,
    max_rows: int = 1_000_000,
    query_seconds: int = 60,
    start_seconds: int = 30,
) -> Iterator[tuple[str, int]]:
    """Start Virtuoso with a new database in ``folder``; yield (SPARQL endpoint URL, pid).

    ``buffers`` is Virtuoso's page cache (8 KB pages): the default suits the seeds, a
    million triples want about 170,000. Raises RuntimeError when it cannot start.
    """
    missing = virtuoso_missing()
    if missing:
        raise RuntimeError(missing)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    isql, http = _free_port(), _free_port()
    (folder / "virtuoso.ini").write_text(
        _INI.format(db=folder, isql=isql, http=http, buffers=buffers, dirty=buffers * 3 // 4,
                    max_rows=max_rows, query_seconds=query_seconds)
    )
    server = subprocess.Popen(
        [str(VIRTUOSO), "+configfile", str(folder / "virtuoso.ini"), "+foreground"],
        cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{http}/sparql"
    try:
        for _ in range(start_seconds * 10):
            try:
                urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(f"Virtuoso stopped at start-up; see {folder / 'virtuoso.log'}") from None
                time.sleep(0.1)
        else:
            raise RuntimeError(f"Virtuoso did not answer on {url} within {start_seconds} s; see {folder / 'virtuoso.log'}")
        subprocess.run(
            [ISQL, f"127.0.0.1:{isql}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
            check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=30,
        )
        yield url, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(folder, ignore_errors=True)
