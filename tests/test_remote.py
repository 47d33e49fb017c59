"""The sparql:URL store on a real Virtuoso server: the same answers as the memory store,
`evkg load` over SPARQL Update, SPARQL safety, and clear errors."""

from __future__ import annotations

import pytest

from evkg.cli import cli
from evkg.errors import NetworkAccessError, StoreError
from evkg.graph import shortest_paths
from evkg.store import open_store

FACTS = """\
@prefix ev: <https://w3id.org/evkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/evkg/id/company/example-cells> a ev:BatteryMaker ; rdfs:label "Example Cells" .
"""


# ------------------------------------------------------------------ same answers


@pytest.mark.parametrize(
    "source, target",
    [("Pakistan", "CATL"), ("Indonesia", "CATL"), ("Proton", "Geely"), ("Mazda", "Changan"), ("Honda", "DeepSeek")],
)
def test_path_probes_agree(kb, sparql_kb, source, target):
    on_memory = shortest_paths(kb, source, target, k=2).to_dict()
    assert on_memory["paths"]
    assert shortest_paths(sparql_kb, source, target, k=2).to_dict() == on_memory


def test_show_stats_search_and_export_agree(kb, sparql_kb):
    assert sparql_kb.describe("CATL").to_dict() == kb.describe("CATL").to_dict()
    assert sparql_kb.stats() == kb.stats()
    assert sparql_kb.search("contemporary") == kb.search("contemporary")
    assert sparql_kb.serialize("trig") == kb.serialize("trig")


def test_construct_and_ask_agree(kb, sparql_kb):
    construct = "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a ev:Country ; rdfs:label ?l }"
    assert set(sparql_kb.query(construct).graph) == set(kb.query(construct).graph)
    assert sparql_kb.query("ASK { company:catl a ev:BatteryMaker }").askAnswer is True
    assert sparql_kb.query("ASK { company:catl a ev:Country }").askAnswer is False


def test_from_reads_only_the_named_graph(kb, sparql_kb):
    query = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/evkg/graph/ontology> WHERE { ?s ?p ?o }"
    assert [tuple(r) for r in sparql_kb.query(query)] == [tuple(r) for r in kb.query(query)]


def test_graph_sees_only_evkg_graphs(kb, sparql_kb):
    # The server's own graphs (Virtuoso keeps several) stay out of GRAPH ?g.
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    assert [tuple(r) for r in sparql_kb.query(query)] == [tuple(r) for r in kb.query(query)]


# ------------------------------------------------------------------ evkg load


def test_load_then_show_on_a_fresh_store(runner, tmp_path, virtuoso_scratch):
    facts = tmp_path / "my.ttl"
    facts.write_text(FACTS)
    spec = f"sparql:{virtuoso_scratch}"
    result = runner.invoke(cli, ["--store", spec, "load", str(facts)])
    assert result.exit_code == 0, result.output
    assert f"Created {spec} with the ontology and the seeds" in result.stderr
    assert f"Loaded {facts}: 2 triples in " in result.stdout
    shown = runner.invoke(cli, ["--store", spec, "show", "Example Cells"])
    assert shown.exit_code == 0 and shown.stdout.startswith("Example Cells  (battery maker)")
    found = runner.invoke(cli, ["--store", spec, "query", "--format", "csv",
                                "SELECT ?g WHERE { GRAPH ?g { company:example-cells a ev:BatteryMaker } }"])
    assert found.stdout.splitlines() == ["g", "https://w3id.org/evkg/graph/data/my.ttl"]
    path = runner.invoke(cli, ["--store", spec, "path", "Pakistan", "CATL"])
    assert path.exit_code == 0 and path.stdout == runner.invoke(cli, ["path", "Pakistan", "CATL"]).stdout


def test_update_url_is_where_updates_go(tmp_path, virtuoso_scratch):
    facts = tmp_path / "more.ttl"
    facts.write_text(FACTS)
    store = open_store(f"sparql:{virtuoso_scratch}", update_url=virtuoso_scratch.replace("/sparql", "/nowhere"))
    with pytest.raises(StoreError, match="HTTP 404"):
        store.load_file(facts, graph_iri="https://w3id.org/evkg/graph/data/more.ttl")


# ------------------------------------------------------------------ safety and errors


def test_service_is_refused_before_the_server(sparql_kb, canary):
    url, hits = canary
    with pytest.raises(NetworkAccessError, match="SERVICE"):
        sparql_kb.query(f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}")
    assert hits == []


def test_unreachable_server():
    with pytest.raises(StoreError, match=r"cannot reach the server at http://127.0.0.1:9/sparql .*Is it running"):
        open_store("sparql:http://127.0.0.1:9/sparql").graphs()


def test_not_a_sparql_endpoint(canary):
    url, _ = canary
    with pytest.raises(StoreError, match="not SPARQL results .*is .* a SPARQL endpoint"):
        open_store(f"sparql:{url}/data").graphs()


def test_refused_access_names_the_variables_but_not_the_secret(runner, virtuoso, monkeypatch):
    monkeypatch.setenv("EVKG_SPARQL_USER", "analyst")
    monkeypatch.setenv("EVKG_SPARQL_PASSWORD", "s3cret-word")
    result = runner.invoke(cli, ["--store", f"sparql:{virtuoso}-auth", "stats"])
    assert result.exit_code == 2
    assert "HTTP 401" in result.output and "EVKG_SPARQL_USER and EVKG_SPARQL_PASSWORD" in result.output
    assert "s3cret-word" not in result.output


def test_stats_never_shows_the_credentials(runner, virtuoso, monkeypatch):
    monkeypatch.setenv("EVKG_SPARQL_PASSWORD", "s3cret-word")
    result = runner.invoke(cli, ["--store", f"sparql:{virtuoso}", "stats", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "s3cret-word" not in result.output


def test_the_store_reaches_its_own_server_while_remote_fetching_is_refused(sparql_kb, virtuoso):
    """A query runs inside evkg's network guard; the store's first connection to the
    endpoint the user named must still go through."""
    from evkg.loading import network_guard
    from evkg.ontology import PREFIXES

    store = open_store(f"sparql:{virtuoso}")  # a new client: no connection yet
    with network_guard(False):
        result = store.query("ASK { ?s ?p ?o }", PREFIXES)
    assert result.askAnswer is True
