"""A throw-away Virtuoso server on 127.0.0.1, for the tests of the ``sparql:URL`` store and
for ``benchmarks/scale_bench.py``: a new database in a folder, free ports, SPARQL update
granted to the anonymous user (as a local test server allows), stopped and removed after.

The server runs with the configuration Debian ships (``/etc/virtuoso-opensource-7/
virtuoso.ini``), as users run it: only its ports and the paths of the database files
change, unless a caller asks for other buffers, row limit or query time."""

from __future__ import annotations

import re
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
#: The configuration the Debian package installs.
SHIPPED_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


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
    if not SHIPPED_INI.is_file():
        return f"no {SHIPPED_INI}, the configuration the Debian package virtuoso-opensource ships"
    return None


def configured(shipped: str, changes: dict[tuple[str, str], str]) -> str:
    """``shipped`` (the text of a virtuoso.ini) with the values of the (section, key) pairs in
    ``changes`` replaced, every other line kept as it is (comments, order, spacing).

    >>> configured("[A]\\nPort = 1 ; note\\nX = 2\\n[B]\\nPort = 3\\n", {("A", "Port"): "9"})
    '[A]\\nPort = 9\\nX = 2\\n[B]\\nPort = 3\\n'
    """
    section, done, lines = None, set(), []
    for line in shipped.splitlines(keepends=True):
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            section = header.group(1).strip()
        setting = re.match(r"(\s*)([A-Za-z0-9_]+)(\s*=\s*)", line)
        if setting and (section, setting.group(2)) in changes:
            key = (section, setting.group(2))
            line = f"{setting.group(1)}{setting.group(2)}{setting.group(3)}{changes[key]}\n"
            done.add(key)
        lines.append(line)
    missing = set(changes) - done
    if missing:
        raise RuntimeError(f"the shipped virtuoso.ini has no {', '.join(f'[{s}] {k}' for s, k in sorted(missing))}")
    return "".join(lines)


@contextmanager
def virtuoso_server(
    folder: Path,
    *,
    buffers: int | None = None,
    max_rows: int | None = None,
    query_seconds: int | None = None,
    start_seconds: int = 60,
) -> Iterator[tuple[str, int]]:
    """Start Virtuoso with a new database in ``folder``; yield (SPARQL endpoint URL, pid).

    The configuration is Debian's ``virtuoso.ini`` with the ports and the database paths
    changed. ``buffers`` (Virtuoso's page cache, in 8 KB pages: 10,000 as shipped, a
    million triples want about 170,000), ``max_rows`` (``ResultSetMaxRows``, 10,000 as
    shipped) and ``query_seconds`` (``MaxQueryExecutionTime``, 60 as shipped) change
    those settings too, when given. Raises RuntimeError when it cannot start.
    """
    missing = virtuoso_missing()
    if missing:
        raise RuntimeError(missing)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    isql, http = _free_port(), _free_port()
    changes = {
        ("Database", "DatabaseFile"): f"{folder}/virtuoso.db",
        ("Database", "ErrorLogFile"): f"{folder}/virtuoso.log",
        ("Database", "LockFile"): f"{folder}/virtuoso.lck",
        ("Database", "TransactionFile"): f"{folder}/virtuoso.trx",
        ("Database", "xa_persistent_file"): f"{folder}/virtuoso.pxa",
        ("TempDatabase", "DatabaseFile"): f"{folder}/virtuoso-temp.db",
        ("TempDatabase", "TransactionFile"): f"{folder}/virtuoso-temp.trx",
        ("Parameters", "ServerPort"): f"127.0.0.1:{isql}",
        ("HTTPServer", "ServerPort"): f"127.0.0.1:{http}",
        ("URIQA", "DefaultHost"): f"localhost:{http}",
    }
    if buffers is not None:
        changes[("Parameters", "NumberOfBuffers")] = str(buffers)
        changes[("Parameters", "MaxDirtyBuffers")] = str(buffers * 3 // 4)
    if max_rows is not None:
        changes[("SPARQL", "ResultSetMaxRows")] = str(max_rows)
    if query_seconds is not None:
        changes[("SPARQL", "MaxQueryExecutionTime")] = str(query_seconds)
    # DirsAllowed keeps its shipped "." (the folder the server runs in: the database's).
    (folder / "virtuoso.ini").write_text(configured(SHIPPED_INI.read_text(), changes))
    server = subprocess.Popen(
        [str(VIRTUOSO), "+configfile", str(folder / "virtuoso.ini"), "+foreground"],
        cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{http}/sparql"
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=5).read()
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(f"Virtuoso stopped at start-up; see {folder / 'virtuoso.log'}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"Virtuoso did not answer on {url} within {start_seconds} s; see {folder / 'virtuoso.log'}"
                    ) from None
                time.sleep(0.1)
        subprocess.run(
            [ISQL, f"127.0.0.1:{isql}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
            check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=60,
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
