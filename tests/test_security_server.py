"""What `evkg serve` refuses to do for a request: read a file or a URL through an update
(USING, USING NAMED or WITH of a graph it does not hold, LOAD), on every query worker
from its first request, a worker started after a timeout included; and let a page from
another web site read its answers (no CORS unless --cors names the site's origin).

The private data is a canary file with a secret string: the secret must never come back.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import rdflib.plugins.sparql
from starlette.testclient import TestClient

import evkg
from evkg.cli import cli
from evkg.errors import InputError
from evkg.server import ServerSettings, make_app
from evkg.server.evaluation import Job, run_job, snapshot_of
from evkg.server.runner import running_server

from .server_process import READ_SECONDS, wait_until

SECRET = "canary-secret-5e1f9a"
PUBLIC_GRAPH = "urn:test:public"
EVERY_QUAD = "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
# Three independent patterns over ~800 triples: ~5e8 rows, far beyond the timeout.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ATTACKER = "http://attacker.example"
YASGUI = "https://yasgui.example"


@pytest.fixture
def canary(tmp_path):
    """A private RDF file, as someone's --data might be, holding the secret."""
    path = tmp_path / "private.ttl"
    path.write_text(f'<urn:private:s> <urn:private:p> "{SECRET}" .\n')
    return path


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    """The served data: one named graph with one triple."""
    path = tmp_path_factory.mktemp("public") / "public.trig"
    path.write_text(f'<{PUBLIC_GRAPH}> {{ <urn:test:a> <urn:test:says> "public words" . }}\n')
    return path


def writable_app(data, **options):
    return make_app(evkg.load([data], seeds=False), allowed_hosts=("testserver",), allow_update=True, workers=1, **options)


def file_updates(path) -> list[tuple[str, str]]:
    """Updates that would read ``path`` (or /etc/passwd), each with the start of its refusal."""
    iri = path.as_uri()
    return [
        (f"INSERT {{ GRAPH <urn:leak> {{ ?s ?p ?o }} }} USING <{iri}> WHERE {{ ?s ?p ?o }}",
         f"Refused: USING <{iri}> is not a graph of this endpoint"),
        (f"INSERT {{ GRAPH <urn:leak> {{ ?s ?p ?o }} }} USING NAMED <{iri}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
         f"Refused: USING NAMED <{iri}> is not a graph of this endpoint"),
        (f"DELETE {{ GRAPH <urn:nothing> {{ ?s ?p ?o }} }} INSERT {{ GRAPH <urn:leak> {{ ?s ?p ?o }} }} USING <{iri}> WHERE {{ ?s ?p ?o }}",
         f"Refused: USING <{iri}> is not a graph of this endpoint"),
        ("DELETE { ?s ?p ?o } USING <file:///etc/passwd> WHERE { ?s ?p ?o }",
         "Refused: USING <file:///etc/passwd> is not a graph of this endpoint"),
        (f"WITH <{iri}> INSERT {{ GRAPH <urn:leak> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}",
         f"Refused: WITH <{iri}> is not a graph of this endpoint"),
        (f"LOAD <{iri}> INTO GRAPH <urn:leak>", "Refused: LOAD would fetch data from the web or the file system"),
    ]


def every_quad(get) -> str:
    response = get("/sparql", params={"query": EVERY_QUAD, "format": "tsv"})
    assert response.status_code == 200, response.text
    return response.text


# --------------------------------------------------------------------------- updates


def test_updates_that_would_read_a_file_are_refused_from_the_first_request(canary, public):
    with TestClient(writable_app(public)) as client:
        for update, refusal in file_updates(canary):  # the first goes to a worker that has run nothing
            response = client.post("/sparql", data={"update": update})
            assert response.status_code == 403, (update, response.text)
            assert response.text.startswith(refusal), response.text
            assert SECRET not in response.text
        answer = every_quad(client.get)
        served = snapshot_of(client.app.state.evkg.kb)
    assert "public words" in answer
    assert SECRET not in answer and SECRET not in served
    assert "urn:leak" not in answer


def test_the_refusal_says_what_to_do(canary, public):
    iri = canary.as_uri()
    with TestClient(writable_app(public)) as client:
        using = client.post("/sparql", data={"update": f"INSERT {{ ?s ?p ?o }} USING <{iri}> WHERE {{ ?s ?p ?o }}"})
        with_ = client.post("/sparql", data={"update": "WITH <urn:test:new> INSERT { <urn:x> <urn:y> 1 } WHERE {}"})
    assert using.text == (
        f"Refused: USING <{iri}> is not a graph of this endpoint, and it never reads graphs from "
        "the web or the file system. An update here reads only the graphs the store holds. "
        f"Its graphs are: https://w3id.org/evkg/graph/ontology, {PUBLIC_GRAPH}.\n"
    )
    assert with_.status_code == 403
    assert "To write a new graph, name it in the template instead: INSERT { GRAPH <urn:test:new> { ... } } WHERE { ... }, or INSERT DATA." in with_.text


def test_using_a_graph_the_store_holds_reads_it_from_the_store(public):
    """rdflib would try to download <urn:test:public>; the worker takes it from the store."""
    with TestClient(writable_app(public)) as client:
        first = client.post("/sparql", data={"update": f"INSERT {{ GRAPH <urn:test:copy> {{ ?s ?p ?o }} }} USING <{PUBLIC_GRAPH}> WHERE {{ ?s ?p ?o }}"})
        assert first.status_code == 200, first.text
        named = client.post("/sparql", data={"update": f"INSERT {{ GRAPH <urn:test:named> {{ ?s ?p ?o }} }} USING NAMED <{PUBLIC_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o FILTER(?p = <urn:test:says>) }} }}"})
        assert named.status_code == 200, named.text
        with_ = client.post("/sparql", data={"update": f"WITH <{PUBLIC_GRAPH}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"})
        assert with_.status_code == 200, with_.text
        copied = client.get("/sparql", params={"query": "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'urn:test:')) } ORDER BY ?g", "format": "csv"})
    assert copied.text == "g,o\r\nurn:test:copy,public words\r\nurn:test:named,public words\r\n"


def test_a_worker_started_after_a_timeout_refuses_too(canary, public):
    app = writable_app(public, timeout=1.0)
    with running_server(app) as url:
        pool = app.state.evkg.pool
        wait_until(lambda: len(pool.pids()["idle"]) == 1, what="the worker")
        first_pid = pool.pids()["idle"][0]
        stopped = httpx.get(url + "/sparql", params={"query": SLOW}, timeout=READ_SECONDS)
        assert stopped.status_code == 503
        assert stopped.text.startswith("The query was stopped after")
        wait_until(lambda: pool.restarts == 1 and len(pool.pids()["idle"]) == 1, what="the worker replaced")
        assert pool.pids()["idle"] != [first_pid]
        # The fresh worker's first request: an update that would read the canary.
        update, refusal = file_updates(canary)[0]
        response = httpx.post(url + "/sparql", data={"update": update}, timeout=READ_SECONDS)
        assert response.status_code == 403
        assert response.text.startswith(refusal)
        held = httpx.post(url + "/sparql", data={"update": f"INSERT {{ GRAPH <urn:test:copy> {{ ?s ?p ?o }} }} USING <{PUBLIC_GRAPH}> WHERE {{ ?s ?p ?o }}"},
                          timeout=READ_SECONDS)
        assert held.status_code == 200, held.text
        answer = every_quad(lambda path, **kw: httpx.get(url + path, timeout=READ_SECONDS, **kw))
    assert SECRET not in answer
    assert "urn:test:copy" in answer


def test_run_job_never_loads_a_graph_whatever_rdflib_was_set_to(canary, public, monkeypatch):
    """In-process (the Python API): rdflib's own default is to load USING graphs."""
    monkeypatch.setattr(rdflib.plugins.sparql, "SPARQL_LOAD_GRAPHS", True)
    kb = evkg.load([public], seeds=False)
    for update, refusal in file_updates(canary):
        reply = run_job(kb, Job("update", update, allow_update=True))
        assert (reply.status, reply.text.startswith(refusal)) == (403, True), reply.text
    monkeypatch.setattr(rdflib.plugins.sparql, "SPARQL_LOAD_GRAPHS", True)
    held = run_job(kb, Job("update", f"INSERT {{ GRAPH <urn:test:copy> {{ ?s ?p ?o }} }} USING <{PUBLIC_GRAPH}> WHERE {{ ?s ?p ?o }}", allow_update=True))
    assert held.status == 200, held.text
    assert rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS is False
    assert SECRET not in snapshot_of(kb)
    assert "<urn:test:copy>" in snapshot_of(kb)
    with pytest.raises(evkg.EvkgError):  # the API's query() runs no updates at all
        kb.query(file_updates(canary)[0][0])
    assert SECRET not in snapshot_of(kb)




# --------------------------------------------------------------------------- CORS


@pytest.fixture(scope="module")
def private_kb(tmp_path_factory):
    path = tmp_path_factory.mktemp("private") / "private.ttl"
    path.write_text(f'<urn:private:s> <urn:private:p> "{SECRET}" .\n')
    return evkg.load([path], seeds=False)


@pytest.fixture(scope="module")
def default_client(private_kb):
    with TestClient(make_app(private_kb, allowed_hosts=("testserver",), workers=1)) as client:
        yield client


def cors_of(response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name.startswith("access-control-")}


def test_no_cors_headers_by_default(default_client):
    client = default_client
    foreign = {"Origin": ATTACKER}
    answers = [
        client.get("/sparql", params={"query": "SELECT ?o WHERE { ?s ?p ?o }"}, headers=foreign),
        client.post("/sparql", data={"query": "SELECT ?o WHERE { ?s ?p ?o }"}, headers=foreign),
        client.post("/sparql", content=b"SELECT ?o WHERE { ?s ?p ?o }", headers={**foreign, "Content-Type": "application/sparql-query"}),
        client.get("/sparql", headers={**foreign, "Accept": "text/turtle"}),  # the service description
        client.get("/sparql", params={"query": "SELECT ?o WHERE {"}, headers=foreign),  # an error
    ]
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 400]
    assert [cors_of(r) for r in answers] == [{}] * 5
    assert answers[0].headers["vary"] == "Accept"
    # The explorer's own pages are on the server's origin: they need no CORS.
    same = {"Origin": "http://testserver"}
    page = client.post("/query", data={"query": "SELECT ?o WHERE { ?s ?p ?o }"}, headers=same)
    assert page.status_code == 200
    assert SECRET in page.text
    names = client.get("/api/search", params={"q": "x"}, headers={**same, "Accept": "application/json"})
    assert names.status_code == 200


def test_preflight_grants_nothing_by_default(default_client):
    response = default_client.options("/sparql", headers={"Origin": ATTACKER, "Access-Control-Request-Method": "POST"})
    assert response.status_code == 204
    assert cors_of(response) == {}
    assert response.headers["vary"] == "Origin"
    assert response.headers["allow"] == "GET, POST, OPTIONS"


@pytest.fixture(scope="module")
def cors_client(private_kb):
    app = make_app(private_kb, allowed_hosts=("testserver",), workers=1, cors_origins=(YASGUI + "/", "http://localhost:3000"))
    with TestClient(app) as client:
        yield client


def test_cors_answers_the_named_origins_only(cors_client):
    allowed = cors_client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": YASGUI})
    assert cors_of(allowed) == {
        "access-control-allow-origin": YASGUI,
        "access-control-expose-headers": "Evkg-Max-Rows, Evkg-Rows, Evkg-Truncated",
    }
    assert allowed.headers["vary"] == "Accept, Origin"
    other = cors_client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": ATTACKER})
    assert cors_of(other) == {}
    assert other.headers["vary"] == "Accept, Origin"
    described = cors_client.get("/sparql", headers={"Origin": "http://localhost:3000", "Accept": "text/turtle"})
    assert described.headers["access-control-allow-origin"] == "http://localhost:3000"


def test_cors_preflight_for_a_named_origin(cors_client):
    allowed = cors_client.options("/sparql", headers={"Origin": YASGUI, "Access-Control-Request-Method": "POST"})
    assert allowed.status_code == 204
    assert cors_of(allowed) == {
        "access-control-allow-origin": YASGUI,
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": "Content-Type, Accept",
        "access-control-max-age": "86400",
    }
    assert allowed.headers["vary"] == "Origin"
    other = cors_client.options("/sparql", headers={"Origin": ATTACKER, "Access-Control-Request-Method": "POST"})
    assert cors_of(other) == {}
    assert other.headers["vary"] == "Origin"


def test_cors_for_any_site_only_when_asked(private_kb):
    with TestClient(make_app(private_kb, allowed_hosts=("testserver",), workers=1, cors_origins=("*",))) as client:
        response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": ATTACKER})
        preflight = client.options("/sparql", headers={"Origin": ATTACKER, "Access-Control-Request-Method": "POST"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["vary"] == "Accept"
    assert preflight.headers["access-control-allow-origin"] == "*"


def test_cors_origins_are_checked():
    assert ServerSettings(cors_origins=("HTTPS://YasGUI.example:443/", YASGUI)).cors_origins == (YASGUI,)
    for bad in ("null", "https://yasgui.example/sparql", "ftp://yasgui.example", "yasgui.example"):
        with pytest.raises(InputError, match="is not a web origin"):
            ServerSettings(cors_origins=(bad,))


def test_evkg_serve_refuses_a_bad_cors_origin(runner):
    result = runner.invoke(cli, ["--no-seeds", "serve", "--port", "0", "--cors", "https://yasgui.example/sparql"])
    assert result.exit_code == 2
    assert "--cors 'https://yasgui.example/sparql' is not a web origin" in result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- CORS in a browser


@pytest.fixture
def elsewhere():
    """Another web site on 127.0.0.1 (another port: another origin) whose page tries to
    read the endpoint's answer; set ``site.target`` to the endpoint's base URL."""

    class Page(BaseHTTPRequestHandler):
        target = ""

        def do_GET(self):  # noqa: N802 (http.server's name)
            script = (
                "fetch(%r + '/sparql?query=' + encodeURIComponent('SELECT ?o WHERE { ?s ?p ?o }'))"
                ".then(r => r.text()).then(t => { document.body.textContent = t; document.title = 'read'; })"
                ".catch(() => { document.title = 'blocked'; });" % Page.target
            )
            body = f"<!doctype html><html><head><title></title></head><body><script>{script}</script></body></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Page.origin = f"http://127.0.0.1:{server.server_address[1]}"
    yield Page
    server.shutdown()
    server.server_close()


def _open(browser, site) -> tuple[str, str]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(site.origin + "/")
        page.wait_for_function("document.title !== ''", timeout=READ_SECONDS * 1000)
        return page.title(), page.text_content("body") or ""
    finally:
        context.close()


@pytest.mark.browser
def test_a_page_from_another_origin_cannot_read_the_answers_in_chromium(browser, private_kb, elsewhere):
    with running_server(make_app(private_kb, workers=1)) as url:
        elsewhere.target = url
        title, body = _open(browser, elsewhere)
    assert title == "blocked"
    assert SECRET not in body


@pytest.mark.browser
def test_a_page_from_an_origin_given_to_cors_reads_them_in_chromium(browser, private_kb, elsewhere):
    with running_server(make_app(private_kb, workers=1, cors_origins=(elsewhere.origin,))) as url:
        elsewhere.target = url
        title, body = _open(browser, elsewhere)
    assert title == "read"
    assert SECRET in body
