"""The server on a real socket (uvicorn on 127.0.0.1): protocol conformance with
SPARQLWrapper as the client, the query timeout, a dying worker, long requests."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import threading
import time
from urllib.parse import quote, urlsplit

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from SPARQLWrapper import CSV, GET, JSON, POST, POSTDIRECTLY, RDFXML, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from evkg.cli import cli
from evkg.server import make_app
from evkg.server.runner import running_server

from .server_process import READ_SECONDS, base_url, evkg_serve, wait_until

TIMEOUT = 2.0
LABEL_OF_CATL = "SELECT ?label WHERE { company:catl rdfs:label ?label }"
# Three independent patterns over ~4,000 triples: ~6e10 rows, far beyond any timeout.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CONSTRUCT = "CONSTRUCT { ?plant rdfs:label ?label } WHERE { ?plant ev:operator company:catl ; rdfs:label ?label }"
HUNGARY_PLANT = URIRef("https://w3id.org/evkg/id/facility/catl-hungary-cell-plant")


@pytest.fixture(scope="module")
def live(kb):
    app = make_app(kb, timeout=TIMEOUT, workers=2)
    with running_server(app) as url:
        yield url, app.state.evkg.pool


def endpoint(url: str, query: str, fmt: str, method: str = GET) -> SPARQLWrapper:
    client = SPARQLWrapper(url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    client.setTimeout(READ_SECONDS)
    return client


# --------------------------------------------------------------------------- SPARQLWrapper


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_json(live, method):
    url, _ = live
    result = endpoint(url, LABEL_OF_CATL, JSON, method).query().convert()
    assert result["head"]["vars"] == ["label"]
    assert result["results"]["bindings"] == [{"label": {"type": "literal", "value": "CATL", "xml:lang": "en"}}]


def test_sparqlwrapper_post_directly(live):
    url, _ = live
    client = endpoint(url, LABEL_OF_CATL, JSON, POST)
    client.setRequestMethod(POSTDIRECTLY)
    assert client.query().convert()["results"]["bindings"][0]["label"]["value"] == "CATL"


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_xml(live, method):
    url, _ = live
    document = endpoint(url, LABEL_OF_CATL, XML, method).query().convert()
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert literals == ["CATL"]


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_csv(live, method):
    url, _ = live
    assert endpoint(url, LABEL_OF_CATL, CSV, method).query().convert() == b"label\r\nCATL\r\n"


def test_sparqlwrapper_ask(live):
    url, _ = live
    assert endpoint(url, "ASK { company:catl a ev:BatteryMaker }", JSON).query().convert()["boolean"] is True


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_construct_as_turtle(live, method):
    url, _ = live
    response = endpoint(url, CONSTRUCT, TURTLE, method).query()
    assert response.info()["content-type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=response.convert(), format="turtle")
    assert (HUNGARY_PLANT, RDFS.label, Literal("CATL Hungary battery cell plant", lang="en")) in graph


def test_sparqlwrapper_construct_as_rdfxml(live):
    url, _ = live
    graph = endpoint(url, CONSTRUCT, RDFXML).query().convert()
    assert isinstance(graph, Graph)
    assert (HUNGARY_PLANT, RDFS.label, Literal("CATL Hungary battery cell plant", lang="en")) in graph


def test_sparqlwrapper_sees_syntax_errors(live):
    url, _ = live
    with pytest.raises(QueryBadFormed, match="SPARQL syntax error at line 1, column"):
        endpoint(url, "SELECT ?x WHERE {", JSON).query()


def test_long_queries_by_get(live):
    url, _ = live
    # A ~100 KB query string in the URL; one long literal, quick to parse, so that the
    # 2 s limit measures nothing but the request's length.
    query = f'SELECT (STRLEN("{"x" * 100_000}") AS ?n) WHERE {{}}'
    result = endpoint(url, query, JSON, GET).query().convert()
    assert result["results"]["bindings"][0]["n"]["value"] == "100000"


def test_request_over_the_cap_is_413_on_the_wire(live):
    url, _ = live
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", "/sparql?query=" + quote("ASK {} #" + "x" * 1_000_001))
    response = connection.getresponse()
    assert response.status == 413
    connection.close()


# --------------------------------------------------------------------------- stopping queries


def _slow_in_background(url: str, result: dict) -> threading.Thread:
    def run() -> None:
        started = time.monotonic()
        response = httpx.get(url + "/sparql", params={"query": SLOW}, timeout=READ_SECONDS)
        result.update(status=response.status_code, text=response.text, seconds=time.monotonic() - started)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_slow_query_is_stopped_while_other_clients_are_answered(live):
    url, pool = live
    wait_until(lambda: len(pool.pids()["idle"]) == 2, what="both workers idle")
    slow: dict = {}
    thread = _slow_in_background(url, slow)
    wait_until(lambda: pool.pids()["busy"], what="the slow query in a worker")
    fast = []
    # Another client: clients are told apart by address, and one may not take every worker.
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=READ_SECONDS) as other:
        while thread.is_alive():
            started = time.monotonic()
            response = other.get(url + "/sparql", params={"query": LABEL_OF_CATL})
            fast.append(time.monotonic() - started)
            assert response.status_code == 200
            thread.join(0.05)  # a query every 50 ms or so, until the slow one is answered
    assert slow["status"] == 503
    assert slow["text"].startswith("The query was stopped after 2.0 s: this endpoint gives each query at most 2 s")
    assert TIMEOUT <= slow["seconds"] < TIMEOUT + 1.0
    assert len(fast) >= 5
    assert max(fast) < 1.0
    wait_until(lambda: len(pool.pids()["idle"]) == 2, what="the stopped worker replaced")
    assert httpx.get(url + "/sparql", params={"query": LABEL_OF_CATL}, timeout=READ_SECONDS).status_code == 200


def test_a_dead_worker_is_a_503_and_the_next_query_works(live):
    url, pool = live
    wait_until(lambda: len(pool.pids()["idle"]) == 2, what="both workers idle")
    slow: dict = {}
    thread = _slow_in_background(url, slow)
    wait_until(lambda: pool.pids()["busy"], what="the slow query in a worker")
    os.kill(pool.pids()["busy"][0], signal.SIGKILL)
    thread.join()
    assert slow["status"] == 503
    assert slow["text"].startswith("The query worker stopped while evaluating this query (killed by SIGKILL)")
    assert slow["seconds"] < TIMEOUT
    for _ in range(3):
        assert httpx.get(url + "/sparql", params={"query": LABEL_OF_CATL}, timeout=READ_SECONDS).status_code == 200


# --------------------------------------------------------------------------- the command


def test_evkg_serve_prints_its_urls_answers_and_stops_on_ctrl_c():
    with evkg_serve("--no-seeds", "serve", "--port", "0", "--quiet") as server:
        banner = server.lines[:4]
        assert banner[0].startswith("evkg serve: ")
        assert "2 query workers, 10 s per query, at most 10,000 rows per answer." in banner[0]
        base = base_url(server)
        assert re.fullmatch(r"  Explorer +http://127\.0\.0\.1:\d+/\n", banner[1])
        assert banner[2] == f"  SPARQL endpoint  {base}/sparql\n"
        assert banner[3] == "Read-only; answering this machine only. Press Ctrl+C to stop.\n"
        # The socket listens before the banner: the request waits until the server takes it.
        answer = httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=READ_SECONDS)
        assert answer.json() == {"head": {}, "boolean": True}
    assert server.process.returncode == 0
    assert server.output().strip().endswith("Stopped.")
    assert "Traceback" not in server.output()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["serve", "--host", "0.0.0.0"], "listens on every interface"),
        (["--allow-network", "serve"], "never lets queries reach the network"),
        (["serve", "--host", "192.0.2.1"], "--host 192.0.2.1 is not an address of this machine."),
    ],
)
def test_evkg_serve_refuses_bad_settings(runner, args, message):
    result = runner.invoke(cli, ["--no-seeds", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_evkg_serve_says_when_the_port_is_taken(runner):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(cli, ["--no-seeds", "serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is in use; pick another with --port" in result.output
