"""Errors a user should see as one clear message, never as a traceback: on the command
line (exit 2 with "Error: ..."), from the server (an HTTP status and a sentence), and in
the server's log."""

from __future__ import annotations

import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

import evkg
from evkg.cli import cli
from evkg.server import make_app
from evkg.server.runner import running_server

from .server_process import READ_SECONDS

REFERENCE = "https://w3id.org/evkg/graph/reference"


@pytest.fixture(scope="module")
def client(kb):
    with TestClient(make_app(kb, allowed_hosts=("testserver",), workers=1)) as client:
        yield client


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory, runner_module):
    spec = f"oxigraph:{tmp_path_factory.mktemp('errors') / 'db'}"
    result = runner_module.invoke(cli, ["--store", spec, "stats"])  # a new store gets the seeds
    assert result.exit_code == 0, result.output
    return spec


@pytest.fixture(scope="module")
def runner_module():
    from click.testing import CliRunner

    return CliRunner()


def no_traceback(result):
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


# --------------------------------------------------------------------------- the command line


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_ask_as_csv(runner, store, request):
    args = [] if store == "memory" else ["--store", request.getfixturevalue("oxigraph")]
    result = runner.invoke(cli, [*args, "query", "--format", "csv", "ASK { company:catl a ev:BatteryMaker }"])
    no_traceback(result)
    assert result.exit_code == 0
    assert result.output == "_askResult\ntrue\n"


def test_an_unknown_function_on_oxigraph(runner, oxigraph):
    result = runner.invoke(cli, ["--store", oxigraph, "query", "SELECT (<urn:test:shout>('hi') AS ?x) WHERE {}"])
    no_traceback(result)
    assert result.exit_code == 2
    assert result.output == (
        "Error: the query failed: the function <urn:test:shout> is not supported by the Oxigraph "
        "store (SPARQL 1.1's own functions are; evkg defines no others).\n"
    )


def test_a_literal_that_is_not_its_datatype_is_kept_quietly(runner):
    result = runner.invoke(cli, ["--no-seeds", "query", "--format", "csv", 'SELECT ?x WHERE { BIND("V"^^xsd:integer AS ?x) }'])
    assert result.exit_code == 0
    assert result.output == "x\nV\n"  # no traceback logged on stderr either (mixed in here)


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_rdfxml_in_an_unknown_encoding(runner, tmp_path, store, request):
    path = tmp_path / "odd.rdf"
    path.write_text('<?xml version="1.0" encoding="x-made-up"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n')
    if store == "memory":
        result = runner.invoke(cli, ["--no-seeds", "--data", str(path), "stats"])
        no_traceback(result)
        assert result.exit_code in (0, 2)
    else:
        result = runner.invoke(cli, ["--store", request.getfixturevalue("oxigraph"), "load", str(path)])
        no_traceback(result)
        assert result.exit_code == 2
        assert result.output == (
            f"Error: {path}: the XML declaration names an encoding this system does not know "
            "(unknown encoding: x-made-up); save the file as UTF-8. Nothing was loaded.\n"
        )


class _NotSparql(BaseHTTPRequestHandler):
    """A web server that answers every request with JSON that is not SPARQL results."""

    def _answer(self):
        body = json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": [{"name": "not a binding"}]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


def test_a_sparql_store_that_answers_other_json(runner):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotSparql)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    try:
        result = runner.invoke(cli, ["--store", f"sparql:{url}", "stats"])
    finally:
        server.shutdown()
    no_traceback(result)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: sparql:{url}: the server's answer is JSON but not SPARQL results (application/json)")


def test_a_second_csv_export_into_the_same_folder(runner, tmp_path):
    folder = tmp_path / "graph-csv"
    first = runner.invoke(cli, ["--no-seeds", "export", "--format", "csv", "-o", str(folder)])
    assert first.exit_code == 0, first.output
    before = (folder / "edges.csv").read_bytes()
    second = runner.invoke(cli, ["--no-seeds", "export", "--format", "csv", "-o", str(folder)])
    assert second.exit_code == 0, second.output
    assert (folder / "edges.csv").read_bytes() == before
    other = runner.invoke(cli, ["--no-seeds", "export", "--format", "nq", "-o", str(folder)])
    assert other.exit_code == 2
    assert f"{folder} is a folder; --format nq writes one file." in other.output


# --------------------------------------------------------------------------- the server


def test_from_named_of_a_graph_the_server_holds(client):
    query = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{REFERENCE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) > 0


def test_the_query_page_answers_ask(client):
    response = client.get("/query?query=ASK%20%7B%7D")
    assert response.status_code == 200
    assert "<h2>Answer: yes</h2>" in response.text


def test_a_client_that_leaves_mid_body_leaves_no_traceback(kb, caplog):
    uvicorn_log = logging.getLogger("uvicorn.error")  # uvicorn's loggers do not propagate
    uvicorn_log.addHandler(caplog.handler)
    with running_server(make_app(kb, workers=1)) as url:
        parts = urlsplit(url)
        with caplog.at_level(logging.INFO):
            with socket.create_connection((parts.hostname, parts.port)) as sock:
                sock.sendall(
                    b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                    b"Content-Length: 1000\r\n\r\nSELECT * WHERE {"
                )
            # The next request on a new connection is answered after the first one ended.
            import httpx

            answer = httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=READ_SECONDS)
            assert answer.json() == {"head": {}, "boolean": True}
    uvicorn_log.removeHandler(caplog.handler)
    assert not [r for r in caplog.records if r.exc_info], caplog.text
