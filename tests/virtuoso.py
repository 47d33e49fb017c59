"""A throw-away Virtuoso server on 127.0.0.1, for the tests of the ``sparql:URL`` store and
for ``benchmarks/scale_bench.py``: a new database in a folder (or a copy of one made
earlier, see :func:`new_database`), free ports, SPARQL update granted to the anonymous user
(as a local test server allows), stopped and removed after.

The server runs with the configuration Debian ships (``/etc/virtuoso-opensource-7/
virtuoso.ini``), as users run it: only its ports and the paths of the database files
change, unless a caller asks for other buffers, row limit or query time."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .server_process import START_SECONDS, free_port, server_process

VIRTUOSO = Path("/usr/bin/virtuoso-t")
ISQL = "isql-vt"
#: The configuration the Debian package installs.
SHIPPED_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
#: What Virtuoso prints (in the foreground) once it takes SQL and HTTP connections; the HTTP
#: server comes online just before.
READY = r"Server online at 127\.0\.0\.1:\d+"
#: The files of a database (the rest of a server's folder is its configuration and log).
DATABASE_FILES = ("virtuoso.db", "virtuoso.trx", "virtuoso.pxa")
#: The anonymous SPARQL user may update, as a local test server allows.
GRANT = 'GRANT SPARQL_UPDATE TO "SPARQL";'


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
    start_seconds: float = START_SECONDS,
    database: Path | None = None,
) -> Iterator[tuple[str, int]]:
    """Start Virtuoso with a new database in ``folder``; yield (SPARQL endpoint URL, pid).

    The configuration is Debian's ``virtuoso.ini`` with the ports and the database paths
    changed. ``buffers`` (Virtuoso's page cache, in 8 KB pages: 10,000 as shipped, a
    million triples want about 170,000), ``max_rows`` (``ResultSetMaxRows``, 10,000 as
    shipped) and ``query_seconds`` (``MaxQueryExecutionTime``, 60 as shipped) change
    those settings too, when given. ``database``, a folder :func:`new_database` filled,
    is copied instead of making a new database (which takes Virtuoso seconds to tens of
    seconds: it installs its Conductor). Raises RuntimeError when it cannot start.
    """
    try:
        with _running(folder, buffers=buffers, max_rows=max_rows, query_seconds=query_seconds,
                      start_seconds=start_seconds, database=database, sql=None if database else GRANT) as started:
            yield started
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def new_database(folder: Path, *, start_seconds: float = START_SECONDS) -> Path:
    """A new Virtuoso database in ``folder``, SPARQL update granted, its server stopped:
    for :func:`virtuoso_server` ``(database=folder)``, which copies it. The checkpoint
    leaves nothing in the transaction log for the copies to replay."""
    with _running(folder, start_seconds=start_seconds, sql=f"{GRANT} checkpoint;"):
        pass
    return folder


@contextmanager
def _running(
    folder: Path,
    *,
    buffers: int | None = None,
    max_rows: int | None = None,
    query_seconds: int | None = None,
    start_seconds: float,
    database: Path | None = None,
    sql: str | None = None,
) -> Iterator[tuple[str, int]]:
    """Virtuoso on ``folder`` (a new database, or a copy of ``database``), ``sql`` run in
    it by isql once it is online; the folder is left as the server left it."""
    missing = virtuoso_missing()
    if missing:
        raise RuntimeError(missing)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if database is not None:
        for name in DATABASE_FILES:
            shutil.copyfile(database / name, folder / name)
    isql, http = free_port(), free_port()
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
    command = [str(VIRTUOSO), "+configfile", str(folder / "virtuoso.ini"), "+foreground"]
    # Virtuoso writes its log file itself; what it prints in the foreground is the same.
    with server_process(command, READY, what="Virtuoso", cwd=folder, start_seconds=start_seconds) as server:
        if sql:
            subprocess.run(
                [ISQL, f"127.0.0.1:{isql}", "dba", "dba", f"exec={sql}"],
                check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=start_seconds,
            )
        yield f"http://127.0.0.1:{http}/sparql", server.pid
