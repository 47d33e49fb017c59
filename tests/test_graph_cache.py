"""The built graph kept on disk between runs, keyed by the knowledge base's contents."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from rdflib import BNode, Literal, URIRef

import evkg
from evkg import caching
from evkg.graph import build, cache, shortest_paths
from evkg.kb import KnowledgeBase

from .conftest import record_calls

FACTS = """\
@prefix ev: <https://w3id.org/evkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/evkg/id/company/example-cells> a ev:BatteryMaker ; rdfs:label "Example Cells" ;
    ev:basedIn <https://w3id.org/evkg/id/country/hungary> .
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("EVKG_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "graphs"


@pytest.fixture
def builds(monkeypatch):
    """The knowledge bases whose graph was actually built (not read from disk)."""
    return record_calls(monkeypatch, build, "build_graph")


def test_a_second_run_reads_the_graph_from_disk(folder, builds):
    first = cache.graph_of(evkg.load())
    assert len(builds) == 1 and len(list(folder.glob("*.cache"))) == 1
    again = cache.graph_of(evkg.load())  # a new knowledge base, as in a new process
    assert len(builds) == 1
    assert sorted(again.nodes(data=True)) == sorted(first.nodes(data=True))
    assert sorted(again.edges(keys=True, data=True)) == sorted(first.edges(keys=True, data=True))


def test_other_files_give_another_graph(folder, builds, tmp_path):
    cache.graph_of(evkg.load())
    facts = tmp_path / "facts.ttl"
    facts.write_text(FACTS)
    G = cache.graph_of(evkg.load([facts]))
    assert len(builds) == 2
    assert "https://w3id.org/evkg/id/company/example-cells" in G
    facts.write_text(FACTS.replace("Example Cells", "Example Cells Two"))
    G = cache.graph_of(evkg.load([facts]))
    assert len(builds) == 3
    assert G.nodes["https://w3id.org/evkg/id/company/example-cells"]["label"] == "Example Cells Two"


def test_data_added_after_loading_is_never_read_from_an_old_graph(folder, builds, tmp_path):
    cache.graph_of(evkg.load())
    kb = evkg.load()
    facts = tmp_path / "facts.ttl"
    facts.write_text(FACTS)
    kb.add_file(facts)
    assert kb.content_id is None
    assert "https://w3id.org/evkg/id/company/example-cells" in cache.graph_of(kb)
    assert len(builds) == 2


def test_a_knowledge_base_made_by_hand_is_not_cached(folder, builds, kb):
    cache.graph_of(KnowledgeBase(kb.dataset))
    assert not folder.exists() or not list(folder.glob("*.cache"))


def test_an_oxigraph_store_is_keyed_by_its_generation(folder, builds, tmp_path):
    spec = f"oxigraph:{tmp_path / 'db'}"
    kb = evkg.load(store=spec)
    mark = kb.content_id
    assert mark and mark.startswith("oxigraph:")
    cache.graph_of(kb)
    cache.graph_of(evkg.load(store=spec))
    assert len(builds) == 1
    facts = tmp_path / "facts.ttl"
    facts.write_text(FACTS)
    kb.store.load_file(facts, graph_iri="https://w3id.org/evkg/graph/data/facts.ttl")
    reopened = evkg.load(store=spec)
    assert reopened.content_id != mark
    G = cache.graph_of(reopened)
    assert len(builds) == 2
    assert "https://w3id.org/evkg/id/company/example-cells" in G


def test_a_damaged_file_is_built_again(folder, builds):
    cache.graph_of(evkg.load())
    (path,) = folder.glob("*.cache")
    path.write_bytes(b"not a graph")
    G = cache.graph_of(evkg.load())
    assert "https://w3id.org/evkg/id/company/catl" in G and len(builds) == 2
    assert path.read_bytes() != b"not a graph"


def test_the_cache_can_be_turned_off(monkeypatch, builds, tmp_path):
    monkeypatch.setenv("EVKG_CACHE_DIR", "off")
    cache.graph_of(evkg.load())
    cache.graph_of(evkg.load())
    assert len(builds) == 2


def typed(value):
    """``value`` with the type of every part spelled out, so that equal means the same types."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [typed(item) for item in value])
    return (type(value).__name__, value)


def same_graph(G, H) -> bool:
    """Same nodes, edges and attributes, with the same types, in the same orders."""
    return (
        typed(G.graph) == typed(H.graph)
        and typed(list(G.nodes(data=True))) == typed(list(H.nodes(data=True)))
        and typed(list(G.edges(keys=True, data=True))) == typed(list(H.edges(keys=True, data=True)))
        and all(list(G.succ[n]) == list(H.succ[n]) and list(G.pred[n]) == list(H.pred[n]) for n in G)
    )


@pytest.mark.parametrize("collapse", [False, True])
def test_a_graph_read_from_disk_is_the_graph_built(folder, builds, collapse):
    fresh = build.build_graph(evkg.load(), collapse=collapse)
    cache.graph_of(evkg.load(), collapse=collapse)  # built and filed
    again = cache.cached_graph(evkg.load(), collapse=collapse)
    assert again is not fresh and same_graph(again, fresh)
    assert any(isinstance(data["details"], list) and data["details"] for _, data in again.nodes(data=True))
    assert all(type(pair) is tuple for _, data in again.nodes(data=True) for pair in data["details"])
    assert len(builds) == 2  # the fresh one, and the one filed
    for u, _, data in again.edges(data=True):  # a fact's sources: one list, as built
        assert (data["sources"] is again.nodes[u]["sources"]) == again.nodes[u]["fact"]
    assert shortest_paths(evkg.load(), "Pakistan", "CATL", collapse=collapse).paths == shortest_paths(
        evkg.KnowledgeBase(evkg.load().dataset), "Pakistan", "CATL", collapse=collapse
    ).paths


def test_orders_types_and_terms_survive_the_round_trip():
    G = nx.MultiDiGraph(name="test", built=(1, 2))
    G.add_node("z", label="Zed", score=1.5, fact=False, count=3, none=None, pairs=[("a", "b")])
    G.add_node("a", iri=URIRef("https://example.org/a"), node=BNode("b1"),
               literal=Literal("chat", lang="fr"), number=Literal("7", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")))
    G.add_node(("x", 1), nested={"deep": [{"k": ("t",)}]})
    # predecessors of "a" in an order other than the nodes': ("x", 1) first, then z
    G.add_edge(("x", 1), "a", key="p1")
    G.add_edge("z", "a", key="p2", w=1)
    G.add_edge("z", "a", key="p1")
    G.add_edge("a", "z", key="back", name="another")
    G.edges["a", "z", "back"].update({"u_for_edge": "an attribute add_edge cannot take", "key": "nor this"})
    H = cache.graph_from_bytes(cache.graph_to_bytes(G))
    assert same_graph(H, G)
    assert list(H.pred["a"]) == [("x", 1), "z"] and list(H.succ["z"]["a"]) == ["p2", "p1"]
    assert type(H.nodes["a"]["literal"]) is Literal and H.nodes["a"]["literal"].language == "fr"
    assert H.nodes["a"]["number"] == Literal(7)


@pytest.mark.parametrize(
    "value",
    [object(), {1: "an int key"}, {"\u0000tuple": [1]}, {"a", "set"}, b"bytes", Literal],
)
def test_a_graph_holding_other_values_is_not_filed(folder, value):
    G = nx.MultiDiGraph()
    G.add_node("n", value=value)
    with pytest.raises(TypeError):
        cache.graph_to_bytes(G)
    kb = evkg.load()
    cache.file_graph(kb, G, collapse=False)
    assert cache.cached_graph(kb, collapse=False) is None


def test_a_valid_file_of_the_wrong_shape_is_a_miss(folder, builds):
    kb = evkg.load()
    G = cache.graph_of(kb)
    key = cache.cache_key(kb, collapse=False)
    good = json.loads(caching.read_cached("graphs", key))
    edge = good["edges"][0]
    wrong = [
        b"[]",
        b"not json",
        b"\xff\xfe",
        json.dumps({**good, "layout": "evkg-graph-2"}).encode(),  # another version
        json.dumps({**good, "nodes": {"a": 1}}).encode(),
        json.dumps({**good, "nodes": good["nodes"] + [[["a", "list"], {}]]}).encode(),  # unhashable
        json.dumps({**good, "nodes": good["nodes"] + good["nodes"][:1]}).encode(),  # twice
        json.dumps({**good, "edges": good["edges"] + [["nowhere", edge[1], "p", {}]]}).encode(),
        json.dumps({**good, "edges": good["edges"] + [edge]}).encode(),
        json.dumps({**good, "edges": [edge[:3]]}).encode(),
        json.dumps({**good, "graph": {"x": {"\u0000unknown": 1}}}).encode(),
        json.dumps({**good, "graph": {"x": {"\u0000literal": ["a", "en", "http://x"]}}}).encode(),
    ]
    for data in wrong:
        caching.write_cached("graphs", key, data)
        assert cache.cached_graph(evkg.load(), collapse=False) is None, data[:60]
    caching.write_cached("graphs", key, b"[]")
    assert same_graph(cache.graph_of(evkg.load()), G) and len(builds) == 2
