"""Shared fixtures: the seed knowledge base (loaded once) on each store, Virtuoso servers,
the source articles, a CLI runner, a canary HTTP server that counts the requests it gets,
and Debian's Chromium."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

import evkg

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
# The articles live beside the checkout (../shared/articles); CI has them there too.
ARTICLES = ROOT.parent / "shared" / "articles"
REAL_RDF = ROOT.parent / "shared" / "real-rdf"


@pytest.fixture(scope="session")
def kb():
    return evkg.load()


@pytest.fixture(scope="session")
def oxigraph_kb(tmp_path_factory):
    """The seed knowledge base in a new Oxigraph store on disk (made once)."""
    return evkg.load(store=f"oxigraph:{tmp_path_factory.mktemp('stores') / 'seeds'}")


VIRTUOSO = Path("/usr/bin/virtuoso-t")
VIRTUOSO_INI = """\
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
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {db}
MaxClientConnections = 4
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """A Virtuoso server on 127.0.0.1 with a throw-away database: its SPARQL endpoint URL.

    The anonymous SPARQL user may update, as a local test server allows."""
    yield from _run_virtuoso(tmp_path_factory.mktemp("virtuoso"))


@pytest.fixture(scope="session")
def virtuoso_scratch(tmp_path_factory):
    """A second, empty Virtuoso server, for tests that fill a new store."""
    yield from _run_virtuoso(tmp_path_factory.mktemp("virtuoso-scratch"))


def _run_virtuoso(db: Path):
    import subprocess
    import time
    import urllib.request

    if not VIRTUOSO.exists():
        pytest.fail(f"the SPARQL store tests need Virtuoso at {VIRTUOSO}: run tests/install-deps.sh (as root).")
    isql, http = _free_port(), _free_port()
    (db / "virtuoso.ini").write_text(VIRTUOSO_INI.format(db=db, isql=isql, http=http))
    server = subprocess.Popen(
        [str(VIRTUOSO), "+configfile", str(db / "virtuoso.ini"), "+foreground"],
        cwd=db, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{http}/sparql"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"Virtuoso stopped at start-up; see {db / 'virtuoso.log'}")
                time.sleep(0.1)
        else:
            pytest.fail(f"Virtuoso did not answer on {url} within 15 s; see {db / 'virtuoso.log'}")
        subprocess.run(
            ["isql-vt", f"127.0.0.1:{isql}", "dba", "dba", "exec=GRANT SPARQL_UPDATE TO \"SPARQL\";"],
            check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=30,
        )
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def sparql_kb(virtuoso):
    """The seed knowledge base on the Virtuoso server (sent once)."""
    return evkg.load(store=f"sparql:{virtuoso}")


@pytest.fixture(params=["memory", "oxigraph", "sparql"])
def any_kb(request):
    """The seed knowledge base on each store: tests using it run once per store."""
    return request.getfixturevalue({"memory": "kb", "oxigraph": "oxigraph_kb", "sparql": "sparql_kb"}[request.param])


@pytest.fixture(scope="session")
def articles() -> dict[str, str]:
    """Article id -> text, read from ../shared/articles."""
    if not ARTICLES.is_dir():
        pytest.fail(f"the source articles are missing: expected them in {ARTICLES}")
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


class _Canary(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        type(self).hits.append(self.path)
        body = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
        if self.path.endswith(".jsonld"):
            body = b'{"@context": {"name": "http://schema.org/name"}}'
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture
def canary():
    """An HTTP server on 127.0.0.1 that counts the requests it gets: (base URL, hits)."""
    _Canary.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Canary.hits
    server.shutdown()
    server.server_close()


CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking switches Chromium phones home at start-up.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, driven by Playwright (its own browser download is not used)."""
    if not CHROMIUM.exists():
        pytest.fail(f"the browser tests need Debian's chromium at {CHROMIUM}: run tests/install-deps.sh (as root).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
