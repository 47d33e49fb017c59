"""Shared fixtures: the seed knowledge base (loaded once) on each store, Virtuoso and Oxigraph servers,
the source articles, a CLI runner, a canary HTTP server that counts the requests it gets,
and Debian's Chromium."""

from __future__ import annotations

import os
import tempfile
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
# Parsed files and built graphs are kept on disk between runs: the tests keep theirs apart
# from the user's (the environment reaches the evkg processes some tests start, too).
os.environ["EVKG_CACHE_DIR"] = tempfile.mkdtemp(prefix="evkg-test-cache-")


def record_calls(monkeypatch, owner, name: str) -> list:
    """Wrap ``owner.name`` so that each call's first argument is recorded; the list of them."""
    calls = []
    real = getattr(owner, name)

    def recording(first, *args, **options):
        calls.append(first)
        return real(first, *args, **options)

    monkeypatch.setattr(owner, name, recording)
    return calls


@pytest.fixture(scope="session")
def kb():
    return evkg.load()


@pytest.fixture(scope="session")
def oxigraph_kb(tmp_path_factory):
    """The seed knowledge base in a new Oxigraph store on disk (made once)."""
    return evkg.load(store=f"oxigraph:{tmp_path_factory.mktemp('stores') / 'seeds'}")


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory, virtuoso_database):
    """A Virtuoso server on 127.0.0.1 with a throw-away database: its SPARQL endpoint URL.

    The anonymous SPARQL user may update, as a local test server allows."""
    yield from _run_virtuoso(tmp_path_factory.mktemp("virtuoso"), virtuoso_database)


@pytest.fixture(scope="session")
def virtuoso_scratch(tmp_path_factory, virtuoso_database):
    """A second, empty Virtuoso server, for tests that fill a new store."""
    yield from _run_virtuoso(tmp_path_factory.mktemp("virtuoso-scratch"), virtuoso_database)


@pytest.fixture(scope="session")
def virtuoso_database(tmp_path_factory) -> Path:
    """A new Virtuoso database (SPARQL update granted), made once: each Virtuoso server of the
    tests starts on a copy of it, in seconds rather than the tens a new one takes."""
    from .virtuoso import new_database, virtuoso_missing

    missing = virtuoso_missing()
    if missing:
        pytest.fail(f"the SPARQL store tests need a Virtuoso server: {missing}.")
    return new_database(tmp_path_factory.mktemp("virtuoso-database") / "db")


def _run_virtuoso(folder: Path, database: Path):
    from .virtuoso import virtuoso_server

    with virtuoso_server(folder / "db", database=database) as (url, _):
        yield url


@pytest.fixture(scope="session")
def sparql_kb(virtuoso):
    """The seed knowledge base on the Virtuoso server (sent once)."""
    return evkg.load(store=f"sparql:{virtuoso}")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """An Oxigraph server (``oxigraph serve``) on 127.0.0.1 with a throw-away database: its
    :class:`tests.oxigraph_server.Endpoint` (queries at /query, updates at /update)."""
    yield from _run_oxigraph(tmp_path_factory.mktemp("oxigraph-server"))


@pytest.fixture(scope="session")
def oxigraph_server_scratch(tmp_path_factory):
    """A second, empty Oxigraph server, for tests that fill a new store."""
    yield from _run_oxigraph(tmp_path_factory.mktemp("oxigraph-server-scratch"))


def _run_oxigraph(folder: Path):
    from .oxigraph_server import oxigraph_missing, oxigraph_server

    missing = oxigraph_missing()
    if missing:
        pytest.fail(f"the SPARQL store tests need an Oxigraph server: {missing}.")
    with oxigraph_server(folder / "db") as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def oxigraph_server_kb(oxigraph_server):
    """The seed knowledge base on the Oxigraph server (sent once)."""
    from evkg.stores import open_store

    return evkg.load(store=open_store(oxigraph_server.spec, update_url=oxigraph_server.update))


#: The SPARQL servers the ``sparql:URL`` store is tested on: (session fixture of the seed
#: knowledge base, of an empty server), by test parameter.
SPARQL_SERVERS = {
    "sparql": ("sparql_kb", "virtuoso_scratch"),
    "sparql-oxigraph": ("oxigraph_server_kb", "oxigraph_server_scratch"),
}


@pytest.fixture(params=sorted(SPARQL_SERVERS))
def remote_kb(request):
    """The seed knowledge base on each SPARQL server (Virtuoso, Oxigraph's)."""
    return request.getfixturevalue(SPARQL_SERVERS[request.param][0])


@pytest.fixture(params=sorted(SPARQL_SERVERS))
def scratch_server(request):
    """An empty SPARQL server of each kind: its Endpoint (query URL, update URL, spec)."""
    from .oxigraph_server import Endpoint

    server = request.getfixturevalue(SPARQL_SERVERS[request.param][1])
    return Endpoint(server, server, 0) if isinstance(server, str) else server


@pytest.fixture(params=["memory", "oxigraph", *sorted(SPARQL_SERVERS)])
def any_kb(request):
    """The seed knowledge base on each store: tests using it run once per store."""
    named = {"memory": "kb", "oxigraph": "oxigraph_kb"}
    return request.getfixturevalue(named.get(request.param) or SPARQL_SERVERS[request.param][0])


#: The session fixtures that start each kind of SPARQL server (every fixture of the kind
#: needs one of them), and the names a test's parameter gives the kind by.
SERVER_FIXTURES = {
    "virtuoso": {"virtuoso_database"},
    "oxigraph-server": {"oxigraph_server", "oxigraph_server_scratch"},
}
SERVER_PARAMETERS = {
    "sparql": "virtuoso", "virtuoso_scratch": "virtuoso",
    "sparql-oxigraph": "oxigraph-server", "oxigraph_server_scratch": "oxigraph-server",
}


def server_kind(item: pytest.Item) -> str | None:
    """The kind of SPARQL server (of :data:`SERVER_FIXTURES`) the test ``item`` starts or
    uses, by the fixtures it asks for or the parameter that picks one; None for none."""
    for kind, fixtures in SERVER_FIXTURES.items():
        if fixtures & set(getattr(item, "fixturenames", ())):
            return kind
    callspec = getattr(item, "callspec", None)
    for value in (callspec.params.values() if callspec else ()):
        if isinstance(value, str) and value in SERVER_PARAMETERS:
            return SERVER_PARAMETERS[value]
    return None


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``--dist loadgroup``), the tests of one kind of SPARQL server run
    in one worker, so that each server starts once, not once a worker; the tests of a module
    run together, so that its module fixtures are made once."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        group = server_kind(item) or item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


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
