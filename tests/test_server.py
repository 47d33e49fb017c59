"""The server through its app object: the SPARQL 1.1 Protocol, every error case, the
explorer pages and content negotiation. Queries still run in real worker processes."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from starlette.testclient import TestClient

import evkg
from evkg.server import ServerSettings, make_app
from evkg.server.evaluation import Job, kb_from_nquads, run_job, snapshot_of

from .conftest import DATA

CATL = "https://w3id.org/evkg/id/company/catl"
HUNGARY_PLANT = "https://w3id.org/evkg/id/facility/catl-hungary-cell-plant"
HUNGARY_QUOTE = "dwarfed by CATL’s facilities in Germany (14 GWh) and Hungary (100 GWh under construction)"
LABEL_OF_CATL = "SELECT ?label WHERE { company:catl rdfs:label ?label }"
SPARQL_JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def client(kb):
    with TestClient(make_app(kb, allowed_hosts=("testserver",))) as client:
        yield client


def bindings(response) -> list[dict]:
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


# --------------------------------------------------------------------------- protocol: queries


def test_get_query_answers_sparql_json(client):
    response = client.get("/sparql", params={"query": LABEL_OF_CATL})
    assert response.status_code == 200
    assert response.headers["content-type"] == SPARQL_JSON
    assert response.json()["head"] == {"vars": ["label"]}
    assert bindings(response) == [{"label": "CATL"}]


def test_post_form_and_post_direct_give_the_same_answer(client):
    via_get = client.get("/sparql", params={"query": LABEL_OF_CATL}).json()
    form = client.post("/sparql", data={"query": LABEL_OF_CATL})
    direct = client.post(
        "/sparql", content=LABEL_OF_CATL.encode(), headers={"Content-Type": "application/sparql-query; charset=utf-8"}
    )
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json() == via_get


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("application/json", SPARQL_JSON),
        ("text/html,application/xhtml+xml,*/*;q=0.8", SPARQL_JSON),
        (None, SPARQL_JSON),
    ],
)
def test_select_formats_by_accept(client, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": LABEL_OF_CATL}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["vary"] == "Accept"


def test_select_bodies_in_each_format(client):
    query = "SELECT ?code ?label WHERE { country:cn skos:notation ?code ; rdfs:label ?label }"
    root = ET.fromstring(client.get("/sparql", params={"query": query, "format": "xml"}).content)
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["code", "label"]
    assert root.find("r:results/r:result/r:binding[@name='code']/r:literal", ns).text == "CN"
    text = client.get("/sparql", params={"query": query, "format": "csv"}).text
    assert list(csv.reader(io.StringIO(text))) == [["code", "label"], ["CN", "China"]]
    tsv = client.get("/sparql", params={"query": query, "format": "tsv"}).text
    assert tsv.splitlines() == ["?code\t?label", '"CN"\t"China"@en']


def test_format_parameter_wins_over_accept(client):
    response = client.get("/sparql", params={"query": LABEL_OF_CATL, "format": "csv"}, headers={"Accept": SPARQL_JSON})
    assert response.headers["content-type"].startswith("text/csv")


def test_ask_in_json_xml_csv(client):
    query = "ASK { company:catl a ev:BatteryMaker }"
    assert client.get("/sparql", params={"query": query}).json() == {"head": {}, "boolean": True}
    xml = client.get("/sparql", params={"query": query, "format": "xml"}).text
    assert "<boolean>true</boolean>" in xml
    assert client.get("/sparql", params={"query": query, "format": "csv"}).text == "_askResult\r\ntrue\r\n"


CONSTRUCT = "CONSTRUCT { ?plant rdfs:label ?label } WHERE { ?plant ev:operator company:catl ; rdfs:label ?label }"


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        (None, "text/turtle; charset=utf-8", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_construct_in_each_graph_format(client, accept, media_type, rdflib_format):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    graph = Graph().parse(data=response.text, format=rdflib_format)
    assert (URIRef(HUNGARY_PLANT), RDFS.label, Literal("CATL Hungary battery cell plant", lang="en")) in graph
    assert len(graph) == int(response.headers["evkg-rows"])


def test_describe_gives_the_entity_triples(client):
    response = client.get("/sparql", params={"query": "DESCRIBE company:catl"}, headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef(CATL), RDFS.label, Literal("CATL", lang="en")) in graph


def test_default_graph_uri_restricts_the_dataset(client):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    reference = "https://w3id.org/evkg/graph/reference"
    restricted = client.get("/sparql", params={"query": query, "default-graph-uri": reference})
    assert restricted.status_code == 200
    everything = int(bindings(client.get("/sparql", params={"query": query}))[0]["n"])
    assert 0 < int(bindings(restricted)[0]["n"]) < everything


def test_named_graph_uri_lists_the_only_named_graphs(client):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    ontology = "https://w3id.org/evkg/graph/ontology"
    response = client.get("/sparql", params={"query": query, "named-graph-uri": ontology})
    assert bindings(response) == [{"g": ontology}]


def test_every_answer_states_the_row_cap(client):
    response = client.get("/sparql", params={"query": LABEL_OF_CATL})
    assert response.headers["evkg-max-rows"] == "10000"
    assert response.headers["evkg-truncated"] == "false"
    assert response.headers["evkg-rows"] == "1"
    assert list(response.json()) == ["head", "results"]  # the W3C members only
    assert "link" not in response.json()["head"]


def test_large_answers_are_cut_at_max_rows_with_a_note(client):
    query = "SELECT * WHERE { ?s ?p ?o . VALUES ?copy { 1 2 3 } }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert response.headers["evkg-truncated"] == "true"
    data = response.json()
    assert len(data["results"]["bindings"]) == 10_000
    assert list(data) == ["head", "results"]
    assert "cut to the first 10,000 rows" in response.headers["evkg-note"]
    assert data["head"]["link"] == ["data:text/plain;charset=utf-8," + quote(response.headers["evkg-note"])]


def test_run_job_cuts_graph_results_too(kb):
    reply = run_job(kb, Job("query", CONSTRUCT, format="nt", max_rows=1))
    assert reply.status == 200
    assert reply.headers["Evkg-Truncated"] == "true"
    assert len(reply.text.splitlines()) == 1


def test_service_description_on_get_without_query(client):
    response = client.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    sd = Graph().parse(data=response.text, format="turtle")
    SD = "http://www.w3.org/ns/sparql-service-description#"
    endpoints = list(sd.objects(None, URIRef(SD + "endpoint")))
    assert endpoints == [URIRef("http://testserver/sparql")]
    names = {str(n) for n in sd.objects(None, URIRef(SD + "name"))}
    assert "https://w3id.org/evkg/graph/reference" in names
    assert URIRef(SD + "SPARQL11Update") not in set(sd.objects(None, URIRef(SD + "supportedLanguage")))


def test_browsers_asking_for_the_endpoint_get_the_query_page(client):
    response = client.get("/sparql", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/query"


def test_other_pages_get_no_cors_unless_the_server_names_them(client):
    response = client.get("/sparql", params={"query": LABEL_OF_CATL}, headers={"Origin": "http://yasgui.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options("/sparql", headers={"Origin": "http://yasgui.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert "access-control-allow-origin" not in preflight.headers
    # evkg serve --cors ORIGIN (tests/test_security_server.py has the rest)


# --------------------------------------------------------------------------- protocol: errors


def test_malformed_query_is_400_with_line_and_column(client):
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE {\n  ?x a ev:Country ."})
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text.startswith("SPARQL syntax error at line 2, column 20:")


def test_undeclared_prefix_is_400(client):
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?x a nope:Thing }"})
    assert response.status_code == 400
    assert "nope" in response.text


@pytest.mark.parametrize(
    "request_",
    [
        {"method": "POST", "data": {"update": "INSERT DATA { company:x rdfs:label 'x' }"}},
        {"method": "POST", "content": b"DELETE WHERE { ?s ?p ?o }", "headers": {"Content-Type": "application/sparql-update"}},
        {"method": "GET", "params": {"query": "CLEAR ALL"}},
        {"method": "POST", "data": {"query": "INSERT DATA { company:x rdfs:label 'x' }"}},
    ],
    ids=["form-update", "direct-update", "update-as-get-query", "update-as-post-query"],
)
def test_updates_are_refused_with_403(client, request_):
    response = client.request(url="/sparql", **request_)
    assert response.status_code == 403
    assert response.text.startswith("This SPARQL endpoint is read-only")
    assert "--allow-update" in response.text
    assert bindings(client.get("/sparql", params={"query": "SELECT ?l WHERE { company:x rdfs:label ?l }"})) == []


def test_update_by_get_is_405(client):
    response = client.get("/sparql", params={"update": "CLEAR ALL"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        ({"params": [("query", LABEL_OF_CATL), ("query", LABEL_OF_CATL)]}, 400, "exactly one query="),
        ({"params": {"query": "  "}}, 400, "The query is empty."),
        ({"method": "POST", "data": {"query": "ASK {}", "update": "CLEAR ALL"}}, 400, "not both"),
        ({"method": "POST", "data": {"format": "json"}}, 400, "neither query= nor update="),
        ({"method": "POST", "content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415, "Unsupported content type 'text/plain'"),
        ({"method": "POST", "content": b"\xff\xfe", "headers": {"Content-Type": "application/sparql-query"}}, 400, "not UTF-8"),
        ({"params": {"query": LABEL_OF_CATL}, "headers": {"Accept": "image/png"}}, 406, "this result comes as application/sparql-results+json"),
        ({"params": {"query": LABEL_OF_CATL, "format": "yaml"}}, 400, "format='yaml' is not a format for this result"),
    ],
    ids=["two-queries", "empty", "query-and-update", "no-query", "bad-content-type", "not-utf8", "not-acceptable", "wrong-format"],
)
def test_protocol_errors(client, kwargs, status, message):
    method = kwargs.pop("method", "GET")
    response = client.request(method, "/sparql", **kwargs)
    assert response.status_code == status
    assert message in response.text


def test_service_never_reaches_the_network(client, canary):
    url, hits = canary
    response = client.get("/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"})
    assert response.status_code == 403
    assert response.text.startswith(f"Refused: the query calls SERVICE <{url}/sparql>")
    assert hits == []


def test_from_and_graph_parameters_never_reach_the_network(client, canary):
    url, hits = canary
    from_remote = client.get("/sparql", params={"query": f"SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}"})
    named_remote = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "named-graph-uri": f"{url}/data.ttl"})
    default_remote = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": f"{url}/data.ttl"})
    for response in (from_remote, named_remote, default_remote):
        assert response.status_code == 403
        assert f"<{url}/data.ttl> is not a graph of this endpoint" in response.text
    assert hits == []


def test_oversized_bodies_are_413(client):
    big = "ASK {} #" + "x" * 1_000_001
    assert client.post("/sparql", data={"query": big}).status_code == 413
    direct = client.post("/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"})
    assert direct.status_code == 413
    assert "larger than 1,000,000 bytes" in direct.text


def test_oversized_body_without_a_length_is_413(client):
    def chunks():
        for _ in range(20):
            yield b"#" + b"x" * 99_999

    response = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 413


def test_oversized_query_string_is_413(kb):
    app = make_app(kb, max_request_bytes=10_000, allowed_hosts=("testserver",))
    response = TestClient(app).get("/sparql", params={"query": "ASK {} #" + "x" * 10_001})
    assert response.status_code == 413
    assert "larger than 10,000 bytes" in response.text


def test_foreign_host_header_is_refused(client):
    response = client.get("/sparql", params={"query": LABEL_OF_CATL}, headers={"Host": "rebound.example:8000"})
    assert response.status_code == 400
    assert "not to the Host 'rebound.example:8000'" in response.text
    assert "--public" in response.text


def test_loopback_names_are_answered(kb):
    app = make_app(kb)
    for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST"):
        assert TestClient(app).get("/static/style.css", headers={"Host": host}).status_code == 200
    assert TestClient(app).get("/static/style.css", headers={"Host": "evil.example"}).status_code == 400


def test_public_answers_any_host(kb):
    app = make_app(kb, public=True, host="0.0.0.0")
    assert TestClient(app).get("/static/style.css", headers={"Host": "evil.example"}).status_code == 200


def test_listening_everywhere_needs_public():
    with pytest.raises(evkg.InputError, match="--public"):
        ServerSettings(host="0.0.0.0")


# --------------------------------------------------------------------------- evaluation, in process


def test_deep_recursion_is_a_500_with_a_message(tmp_path):
    chain = tmp_path / "chain.nt"
    chain.write_text("".join(f"<urn:n{i}> <urn:next> <urn:n{i + 1}> .\n" for i in range(3000)))
    kb = evkg.load([chain], seeds=False)
    reply = run_job(kb, Job("query", "SELECT (COUNT(?o) AS ?n) WHERE { <urn:n0> <urn:next>+ ?o }"))
    assert reply.status == 500
    assert reply.text.startswith("The query recursed too deeply to evaluate")


def test_snapshots_carry_every_quad(kb):
    copy = kb_from_nquads(snapshot_of(kb))
    assert len(copy) == len(kb)
    assert copy.graph_names() == kb.graph_names()
    assert copy.entity("CATL").iri == CATL


# --------------------------------------------------------------------------- explorer pages


def html(client, url: str, status: int = 200) -> str:
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response.text


def test_home_says_what_the_data_is(client):
    page = html(client, "/")
    assert "China EV Car Industry Accelerates Global Embrace with Full-Chain Strategy" in page
    assert "battery maker" in page
    assert 'href="/query?example=catl-plants"' in page
    assert 'action="/search"' in page


@pytest.mark.parametrize("url", ["/", "/id/company/catl", "/path?from=Pakistan&to=CATL", "/query?example=catl-plants"])
def test_pages_load_and_link_nothing_from_elsewhere(client, url):
    response = client.get(url)
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert re.findall(r'(?:src|href|action)="(?![/#])[^"]*"', response.text) == []


def test_search_page_and_completion(client):
    page = html(client, "/search?q=CATL")
    assert '<a href="/id/company/catl">CATL</a>' in page
    hits = client.get("/api/search", params={"q": "contemporary amp"}).json()
    assert hits[0]["label"] == "CATL"
    assert hits[0]["url"] == "/id/company/catl"
    assert client.get("/api/search", params={"q": ""}).json() == []


def test_entity_page_shows_facts_figures_and_quotes(client):
    page = html(client, "/id/company/catl")
    assert "<h1>CATL</h1>" in page
    assert '<a href="/id/facility/catl-hungary-cell-plant">CATL Hungary battery cell plant</a>' in page
    assert "<dt>capacity</dt><dd>100 GWh</dd>" in page
    assert HUNGARY_QUOTE in page
    assert 'src="/graph/entity/company/catl"' in page


def test_entity_page_answers_at_the_issue_path_too(client):
    assert html(client, "/entity/company/catl") == html(client, "/id/company/catl")


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        ("text/turtle", "text/turtle; charset=utf-8", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("text/turtle;q=0.9, text/html;q=0.5", "text/turtle; charset=utf-8", "turtle"),
    ],
)
def test_entity_iris_dereference_to_their_triples(client, accept, media_type, rdflib_format):
    response = client.get("/id/company/catl", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["vary"] == "Accept"
    graph = Graph().parse(data=response.text, format=rdflib_format)
    assert (URIRef(CATL), RDFS.label, Literal("CATL", lang="en")) in graph
    assert (URIRef(HUNGARY_PLANT), URIRef("https://w3id.org/evkg/ontology#operator"), URIRef(CATL)) in graph


@pytest.mark.parametrize("accept", ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "*/*", None])
def test_browsers_and_curl_get_html(client, accept):
    headers = {"Accept": accept} if accept else {}
    assert client.get("/id/company/catl", headers=headers).headers["content-type"].startswith("text/html")


def test_format_parameter_for_download_links(client):
    response = client.get("/id/company/catl", params={"format": "jsonld"}, headers={"Accept": "text/html"})
    assert response.headers["content-type"] == "application/ld+json"
    assert client.get("/id/company/catl", params={"format": "png"}).status_code == 400


def test_unknown_entity_is_404_with_suggestions(client):
    page = html(client, "/id/company/catl-typo", 404)
    assert "Nothing in the knowledge base is called &lt;https://w3id.org/evkg/id/company/catl-typo&gt;." in page
    assert '<a href="/id/company/catl">CATL</a>' in page
    plain = client.get("/id/company/catl-typo", headers={"Accept": "text/turtle"})
    assert plain.status_code == 404
    assert plain.headers["content-type"].startswith("text/plain")


def test_other_resources_have_pages(client):
    assert "evkg reference data" in html(client, "/source/reference")
    page = html(client, "/resource?iri=https://w3id.org/evkg/ontology%23BatteryMaker")
    assert "<h1>battery maker</h1>" in page
    redirect = client.get("/resource", params={"iri": CATL}, follow_redirects=False)
    assert redirect.status_code == 301 and redirect.headers["location"] == "/id/company/catl"


def test_path_page_explains_each_hop(client):
    page = html(client, "/path?from=Pakistan&to=CATL")
    assert '<a href="/id/country/pk" class="node">Pakistan</a>' in page
    assert "—aligned with→" in page and "—home of→" in page
    assert "its strategic alignment with China." in page
    assert 'src="/graph/path?from=' in page


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/path?from=Pakistan&to=Atlantis", 404, "No entity is called &#39;Atlantis&#39;"),
        ("/path?from=Pakistan", 400, "Give two entities"),
        ("/path?from=CATL&to=CATL", 400, "are the same entity"),
    ],
)
def test_path_page_errors(client, url, status, message):
    assert message in html(client, url, status)


def test_query_page_is_prefilled_with_prefixes(client):
    page = html(client, "/query")
    assert "PREFIX ev: &lt;https://w3id.org/evkg/ontology#&gt;" in page
    assert "<textarea" in page


def test_query_page_runs_an_example_and_shows_rows(client):
    page = html(client, "/query?example=catl-plants")
    assert "PREFIX skos: &lt;http://www.w3.org/2004/02/skos/core#&gt;" in page
    assert "<h2>3 rows</h2>" in page
    assert '<a href="/id/facility/catl-hungary-cell-plant"' not in page  # labels are literals here
    assert "CATL Hungary battery cell plant" in page
    assert 'download="results.csv"' in page and 'download="results.json"' in page


def test_query_page_downloads_are_the_endpoint(client):
    page = html(client, "/query?query=" + "SELECT%20%3Fx%20WHERE%20%7B%20VALUES%20%3Fx%20%7B%201%20%7D%20%7D")
    assert 'href="/sparql?query=SELECT+%3Fx+WHERE+%7B+VALUES+%3Fx+%7B+1+%7D+%7D&amp;format=csv"' in page


def test_query_page_shows_errors(client):
    page = html(client, "/query?query=SELECT%20%3Fx%20WHERE%20%7B", 400)
    assert "SPARQL syntax error at line 1, column" in page
    assert "Error (400)" in page


def test_query_page_escapes_the_query(client):
    page = html(client, "/query?query=" + "%3C%2Ftextarea%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", 400)
    assert "<script>alert(1)" not in page
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_graph_views_are_self_contained_pages_for_frames(client):
    for url in ("/graph/entity/company/catl", "/graph/path?from=Pakistan&to=CATL"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.text.startswith("<!DOCTYPE html>")
        assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
        assert "<script src=" not in response.text
    assert client.get("/graph/entity/company/nope").status_code == 404


def test_unknown_pages_are_404(client):
    assert "There is no page at /nowhere." in html(client, "/nowhere", 404)
    assert client.get("/nowhere").text == "There is no page at /nowhere.\n"


# --------------------------------------------------------------------------- escaping


@pytest.fixture(scope="module")
def hostile_client():
    kb = evkg.load([DATA / "xss.ttl"])
    with TestClient(make_app(kb, allowed_hosts=("testserver",), workers=1)) as client:
        yield client


@pytest.mark.parametrize(
    "url",
    [
        "/resource?iri=https://example.org/xss/evil",
        "/resource?iri=https://example.org/xss/evil-plant",
        "/id/company/catl",
        "/search?q=img",
        "/query?query=SELECT%20%3Fl%20WHERE%20%7B%20%3Chttps%3A%2F%2Fexample.org%2Fxss%2Fevil%3E%20rdfs%3Alabel%20%3Fl%20%7D",
    ],
)
def test_pages_escape_everything(hostile_client, url):
    page = html(hostile_client, url)
    for raw in ("<img src=x", "<script>alert", "<svg onload", "<b onmouseover", "<script>window.pwned"):
        assert raw not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page or "&lt;img src=y" in page or "&lt;svg onload" in page


# --------------------------------------------------------------------------- updates, when allowed


@pytest.fixture(scope="module")
def writable_client():
    kb = evkg.load(seeds=False)
    with TestClient(make_app(kb, allowed_hosts=("testserver",), allow_update=True)) as client:
        yield client


def test_allowed_updates_reach_every_worker_and_the_pages(writable_client):
    client = writable_client
    response = client.post("/sparql", data={"update": "INSERT DATA { GRAPH graph:mine { company:acme a ev:Automaker ; rdfs:label 'Acme'@en } }"})
    assert response.status_code == 200, response.text
    assert response.text.startswith("Update applied: the dataset had")
    for _ in range(4):  # more requests than workers
        assert bindings(client.get("/sparql", params={"query": "SELECT ?l WHERE { company:acme rdfs:label ?l }"})) == [{"l": "Acme"}]
    assert "<h1>Acme</h1>" in html(client, "/id/company/acme")
    assert "SPARQL Update is enabled on this server." in html(client, "/")


def test_load_is_refused_even_when_updates_are_allowed(writable_client, canary):
    url, hits = canary
    for update in (f"LOAD <{url}/data.ttl>", f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"):
        response = writable_client.post("/sparql", data={"update": update})
        assert response.status_code == 403
        assert response.text.startswith("Refused:")
    assert hits == []


def test_updates_from_other_sites_are_refused(writable_client):
    response = writable_client.post(
        "/sparql", data={"update": "CLEAR ALL"}, headers={"Origin": "http://attacker.example"}
    )
    assert response.status_code == 403
    assert "another web site" in response.text


def test_update_errors(writable_client):
    bad = writable_client.post("/sparql", data={"update": "INSERT DATA { company:x"})
    assert bad.status_code == 400
    assert bad.text.startswith("SPARQL Update syntax error")
    query = writable_client.post("/sparql", data={"update": "SELECT * WHERE { ?s ?p ?o }"})
    assert query.status_code == 400 and "send it as query=" in query.text
    as_query = writable_client.get("/sparql", params={"query": "CLEAR ALL"})
    assert as_query.status_code == 400 and "send it with POST as update=" in as_query.text


# --------------------------------------------------------------------------- long property paths


def test_property_paths_follow_long_chains_in_the_workers(tmp_path):
    """rdflib's ``p+`` recurses once per hop; in-process it fails near 1,000 hops."""
    chain = tmp_path / "chain.nt"
    chain.write_text("".join(f"<urn:n{i}> <urn:next> <urn:n{i + 1}> .\n" for i in range(5000)))
    app = make_app(evkg.load([chain], seeds=False), allowed_hosts=("testserver",), workers=1, timeout=60)
    with TestClient(app) as client:
        response = client.get("/sparql", params={"query": "SELECT (COUNT(?o) AS ?n) WHERE { <urn:n0> <urn:next>+ ?o }"})
        assert response.status_code == 200, response.text
        assert bindings(response) == [{"n": "5000"}]


def test_public_names():
    import evkg.server

    assert sorted(evkg.server.__all__) == ["ServerSettings", "ServerState", "make_app"]
    for name in evkg.server.__all__:
        assert getattr(evkg.server, name).__module__.startswith("evkg.server.")
