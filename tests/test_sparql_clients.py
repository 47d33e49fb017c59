"""The endpoint works with the SPARQL clients people already use, unchanged: SPARQLWrapper
with every return format and request method for every query form, the format names of
SPARQLWrapper, Fuseki and Virtuoso, answers exactly in the W3C shapes (read back with
pyoxigraph's and rdflib's parsers), SELECT * columns in the order the query names them
on every store, and a default-graph-uri that is no IRI."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings
from urllib.parse import quote
from xml.dom.minidom import Document

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.query import Result
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDF, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from starlette.testclient import TestClient

from evkg.cli import cli
from evkg.server import make_app
from evkg.server.runner import running_server

SELECT = "SELECT ?label ?country WHERE { company:catl rdfs:label ?label ; ev:basedIn ?country }"
QUERIES = {
    "SELECT": SELECT,
    "ASK": "ASK { company:catl a ev:BatteryMaker }",
    "CONSTRUCT": "CONSTRUCT { ?plant rdfs:label ?label } WHERE { ?plant ev:operator company:catl ; rdfs:label ?label }",
    "DESCRIBE": "DESCRIBE company:catl",
}
SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
TABLE = {JSON: SPARQL_JSON, XML: SPARQL_XML, CSV: "text/csv", TSV: "text/tab-separated-values"}
GRAPH = {TURTLE: "text/turtle", N3: "text/turtle", RDF: "application/rdf+xml", RDFXML: "application/rdf+xml",
         XML: "application/rdf+xml", JSONLD: "application/ld+json", JSON: "application/ld+json"}
#: What SPARQLWrapper's convert() gives for each media type.
CONVERTED = {SPARQL_JSON: dict, SPARQL_XML: Document, "text/csv": bytes, "text/tab-separated-values": bytes,
             "text/turtle": bytes, "application/rdf+xml": Graph, "application/ld+json": Graph}
STAR = "SELECT * WHERE { ?plant ev:operator ?firm ; rdfs:label ?name . OPTIONAL { ?firm ev:basedIn ?home } } ORDER BY ?plant ?name LIMIT 3"


@pytest.fixture(scope="module")
def live(kb):
    with running_server(make_app(kb, workers=2, timeout=30)) as url:
        yield url + "/sparql"


@pytest.fixture(scope="module")
def client(kb):
    with TestClient(make_app(kb, workers=1, timeout=30, max_rows=2), base_url="http://localhost") as test_client:
        yield test_client


def expected_type(form: str, fmt: str) -> str:
    """The media type the endpoint answers SPARQLWrapper with: the asked format where it
    fits the query form, else the form's default (SPARQLWrapper then accepts */*)."""
    if form in ("SELECT", "ASK"):
        return TABLE.get(fmt, SPARQL_JSON)
    return GRAPH.get(fmt, "text/turtle")


@pytest.mark.parametrize("method", [GET, POST, POSTDIRECTLY])
@pytest.mark.parametrize("form", list(QUERIES))
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV, TURTLE, N3, RDF, RDFXML, JSONLD])
def test_sparqlwrapper_every_return_format_and_method(live, method, form, fmt):
    wrapper = SPARQLWrapper(live)
    wrapper.setQuery(QUERIES[form])
    wrapper.setReturnFormat(fmt)
    wrapper.setMethod(method)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        answer = wrapper.query()
        media = answer.info()["content-type"].split(";")[0]
        converted = answer.convert()
    assert media == expected_type(form, fmt)
    assert isinstance(converted, CONVERTED[media])
    fits = fmt in (TABLE if form in ("SELECT", "ASK") else GRAPH)
    if fits:  # SPARQLWrapper got the format it asked for, and says nothing
        assert [str(w.message) for w in caught if "has been returned" in str(w.message)] == []
    if isinstance(converted, Graph):
        assert len(converted) > 0
    elif isinstance(converted, dict) and form == "SELECT":
        assert converted["results"]["bindings"][0]["label"]["value"] == "CATL"


# --------------------------------------------------------------------------- format names


@pytest.mark.parametrize(
    ("form", "name", "media"),
    [
        ("SELECT", "json", SPARQL_JSON), ("SELECT", "xml", SPARQL_XML), ("SELECT", "csv", "text/csv"),
        ("SELECT", "tsv", "text/tab-separated-values"), ("SELECT", "srj", SPARQL_JSON),
        ("SELECT", "application/sparql-results+xml", SPARQL_XML), ("SELECT", "text/csv", "text/csv"),
        ("CONSTRUCT", "json-ld", "application/ld+json"), ("CONSTRUCT", "jsonld", "application/ld+json"),
        ("CONSTRUCT", "application/ld+json", "application/ld+json"), ("CONSTRUCT", "n3", "text/turtle"),
        ("CONSTRUCT", "turtle", "text/turtle"), ("CONSTRUCT", "ttl", "text/turtle"),
        ("CONSTRUCT", "text/turtle", "text/turtle"), ("CONSTRUCT", "nt", "application/n-triples"),
        ("CONSTRUCT", "rdf+xml", "application/rdf+xml"), ("CONSTRUCT", "application/rdf+xml", "application/rdf+xml"),
        ("CONSTRUCT", "json", "application/ld+json"), ("CONSTRUCT", "xml", "application/rdf+xml"),
        ("DESCRIBE", "n3", "text/turtle"), ("DESCRIBE", "rdf", "application/rdf+xml"),
    ],
)
@pytest.mark.parametrize("parameter", ["format", "output"])
def test_format_names_clients_send(client, form, name, media, parameter):
    response = client.get("/sparql", params={"query": QUERIES[form], parameter: name})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media


@pytest.mark.parametrize(
    ("form", "name", "accept", "media"),
    [
        ("CONSTRUCT", "json", "text/turtle", "text/turtle"),  # json is no graph format: the header decides
        ("CONSTRUCT", "json", "application/n-triples", "application/n-triples"),
        ("CONSTRUCT", "csv", "application/ld+json", "application/ld+json"),
        ("CONSTRUCT", "csv", None, "text/turtle"),
        ("SELECT", "turtle", "text/csv", "text/csv"),
        ("SELECT", "json-ld", None, SPARQL_JSON),
    ],
)
def test_a_name_of_the_other_kind_leaves_it_to_the_accept_header(client, form, name, accept, media):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": QUERIES[form], "format": name}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media


def test_sparqlwrappers_pair_of_name_and_media_type(client):
    """SPARQLWrapper sends format=tsv&format=text/tab-separated-values (and the same for
    output= and results=)."""
    params = [(p, v) for p in ("format", "output", "results") for v in ("tsv", "text/tab-separated-values")]
    response = client.get("/sparql", params=[("query", SELECT), *params])
    assert response.headers["content-type"] == "text/tab-separated-values; charset=utf-8"


def test_a_name_of_no_format_is_400(client):
    response = client.get("/sparql", params={"query": SELECT, "format": "yaml"})
    assert response.status_code == 400
    assert response.text == "format='yaml' is not a format for this result; use one of json, xml, csv, tsv.\n"


# --------------------------------------------------------------------------- W3C shapes


TABLE_PARSERS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML, "tsv": ox.QueryResultsFormat.TSV, "csv": None}


@pytest.mark.parametrize("name", list(TABLE_PARSERS))
@pytest.mark.parametrize("query", [SELECT, "SELECT ?s ?o WHERE { ?s ev:operator ?o } ORDER BY ?s ?o", QUERIES["ASK"]],
                         ids=["select", "truncated", "ask"])
def test_table_answers_parse_in_pyoxigraph_and_rdflib(client, name, query):
    response = client.get("/sparql", params={"query": query, "format": name})
    assert response.status_code == 200, response.text
    parsed = Result.parse(io.BytesIO(response.content), format=name)
    if TABLE_PARSERS[name] is not None:  # pyoxigraph refuses CSV by design: it loses term types
        # Read into plain values at once: pyoxigraph's answers must be freed on the thread
        # that made them, not by a later collection on the test client's thread.
        answer = ox.parse_query_results(response.content, TABLE_PARSERS[name])
        if isinstance(answer, ox.QueryBoolean):
            ox_boolean = bool(answer)
        else:
            ox_variables = [v.value for v in answer.variables]
            ox_rows = [[None if term is None else term.value for term in row] for row in answer]
        del answer
    if query == QUERIES["ASK"] and name in ("json", "xml"):
        assert parsed.askAnswer is True
        assert ox_boolean is True
        return
    if query == QUERIES["ASK"]:
        # CSV and TSV define no boolean answer: ASK comes as Jena writes it, one column
        # _askResult, which both parsers read as such.
        assert [str(v) for v in parsed.vars] == ["_askResult"]
        assert [str(term) for term in next(iter(parsed))] == ["true"]
        if name == "tsv":
            assert ox_rows == [["true"]]
        return
    rows = list(parsed)
    assert [str(v) for v in parsed.vars] == (["label", "country"] if query == SELECT else ["s", "o"])
    assert len(rows) == (1 if query == SELECT else 2)
    if TABLE_PARSERS[name] is not None:
        assert ox_variables == [str(v) for v in parsed.vars]
        assert len(ox_rows) == len(rows)


def test_a_cut_answer_says_so_in_headers_and_head_link(client):
    response = client.get("/sparql", params={"query": "SELECT ?s ?o WHERE { ?s ev:operator ?o }"})
    data = response.json()
    assert list(data) == ["head", "results"]
    assert response.headers["evkg-truncated"] == "true"
    assert response.headers["evkg-rows"] == "2"
    note = response.headers["evkg-note"]
    assert note == ("The answer was cut to the first 2 rows, the most this endpoint returns "
                    "(evkg serve --max-rows). Add LIMIT/OFFSET to page through the rest.")
    assert data["head"] == {"vars": ["s", "o"], "link": ["data:text/plain;charset=utf-8," + quote(note)]}


GRAPH_PARSERS = {"turtle": (ox.RdfFormat.TURTLE, "turtle"), "nt": (ox.RdfFormat.N_TRIPLES, "nt"),
                 "jsonld": (ox.RdfFormat.JSON_LD, "json-ld"), "rdfxml": (ox.RdfFormat.RDF_XML, "xml")}


@pytest.mark.parametrize("name", list(GRAPH_PARSERS))
@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_graph_answers_parse_in_pyoxigraph_and_rdflib(kb, name, form):
    with TestClient(make_app(kb, workers=1, timeout=30), base_url="http://localhost") as full:
        response = full.get("/sparql", params={"query": QUERIES[form], "format": name})
    assert response.status_code == 200, response.text
    ox_format, rdflib_format = GRAPH_PARSERS[name]
    quads = list(ox.parse(response.content, ox_format))
    graph = Graph().parse(data=response.content, format=rdflib_format)
    assert len(quads) == len(graph) > 0


# --------------------------------------------------------------------------- SELECT *


def star_columns_by_cli(store: list[str], seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    run = subprocess.run([sys.executable, "-m", "evkg", *store, "query", "--format", "csv", STAR],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()[0]


@pytest.mark.parametrize("seed", ["1", "2", "3"])
def test_select_star_columns_in_query_order_from_the_cli(seed):
    # rdflib's order of SELECT * columns changed with the hash seed of each run.
    assert star_columns_by_cli([], seed) == "plant,firm,name,home"


def test_select_star_columns_in_query_order_from_the_cli_on_oxigraph(runner, oxigraph_kb):
    result = runner.invoke(cli, ["--store", oxigraph_kb.store.spec, "query", "--format", "csv", STAR])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "plant,firm,name,home"


def test_select_star_columns_in_query_order_from_the_server(kb, oxigraph_kb):
    for source in (kb, oxigraph_kb):
        with TestClient(make_app(source, workers=2, timeout=30), base_url="http://localhost") as server:
            for _ in range(4):  # each worker, more than once
                response = server.get("/sparql", params={"query": STAR})
                assert response.json()["head"]["vars"] == ["plant", "firm", "name", "home"]
                tsv = server.get("/sparql", params={"query": STAR, "format": "tsv"}).text
                assert tsv.splitlines()[0] == "?plant\t?firm\t?name\t?home"


def test_select_star_columns_in_query_order_in_the_library(kb, oxigraph_kb):
    assert [str(v) for v in kb.query(STAR).vars] == ["plant", "firm", "name", "home"]
    assert [str(v) for v in oxigraph_kb.query(STAR).vars] == ["plant", "firm", "name", "home"]
    by_rows = list(oxigraph_kb.rows(STAR))[0]
    assert by_rows == next(iter(oxigraph_kb.query(STAR)))


# --------------------------------------------------------------------------- dataset parameters


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
def test_a_graph_parameter_that_is_no_iri_is_400(client, name):
    response = client.get("/sparql", params={"query": SELECT, name: "not a uri"})
    assert response.status_code == 400
    assert response.text == f"{name}='not a uri' is not an IRI (it holds a space); give a graph's full IRI.\n"


def test_an_iri_of_no_graph_here_is_still_refused(client):
    response = client.get("/sparql", params={"query": SELECT, "default-graph-uri": "https://example.org/elsewhere"})
    assert response.status_code == 403
    assert "is not a graph of this endpoint" in response.text


def test_the_query_page_says_when_the_answer_was_cut(client):
    page = client.get("/query", params={"query": "SELECT ?s ?o WHERE { ?s ev:operator ?o }"})
    assert page.status_code == 200
    assert "The answer was cut to the first 2 rows, the most this endpoint returns" in page.text
