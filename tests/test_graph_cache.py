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
    nodes, edges = good["node_attributes"], good["edge_attributes"]
    (sources,) = [column for column in edges["columns"][0] if "shared" in column][:1]
    rows, numbers = sources["shared"]

    def with_column(table, at, column):
        return {**table, "columns": [table["columns"][0][:at] + [column] + table["columns"][0][at + 1:]]}

    wrong = [
        b"[]",
        b"not json",
        b"\xff\xfe",
        json.dumps({**good, "layout": "evkg-graph-4"}).encode(),  # another version
        json.dumps({**good, "nodes": {"a": 1}}).encode(),
        json.dumps({**good, "nodes": {"kind": "json", "values": [["a", "list"]] * len(good["nodes"]["values"])}}).encode(),
        json.dumps({**good, "nodes": {"kind": "strings", "table": ["a"], "values": [0] * len(G)}}).encode(),  # twice
        json.dumps({**good, "nodes": {"kind": "json", "values": good["nodes"]["values"][:-1]}}).encode(),
        json.dumps({**good, "nodes": {**good["nodes"], "kind": "set"}}).encode(),
        json.dumps({**good, "nodes": {**good["nodes"], "kind": ["tuple", "json"]}}).encode(),  # names not lists
        json.dumps({**good, "targets": [len(G)] + good["targets"][1:]}).encode(),  # no such node
        json.dumps({**good, "targets": [-1] + good["targets"][1:]}).encode(),
        json.dumps({**good, "targets": [True] + good["targets"][1:]}).encode(),
        json.dumps({**good, "sources": good["sources"][::-1]}).encode(),  # predecessors not of their node
        json.dumps({**good, "sources": good["sources"][:1] * len(good["sources"])}).encode(),
        json.dumps({**good, "successors": [0] * len(G)}).encode(),
        json.dumps({**good, "keys_per_pair": [0] * len(good["keys_per_pair"])}).encode(),
        json.dumps({**good, "keys": {"kind": "strings", "table": ["p"], "values": [0] * len(good["keys"]["values"])}}).encode(),
        json.dumps({**good, "keys": {"kind": "json", "values": [{}] * len(good["keys"]["values"])}}).encode(),  # unhashable
        json.dumps({**good, "edge_attributes": {**edges, "runs": [[0, 1]]}}).encode(),
        json.dumps({**good, "edge_attributes": {**edges, "runs": [[1, len(good["keys"]["values"])]]}}).encode(),
        json.dumps({**good, "edge_attributes": {**edges, "shapes": [["\u0000x"] * len(edges["shapes"][0])]}}).encode(),
        json.dumps({**good, "node_attributes": {**nodes, "columns": []}}).encode(),
        json.dumps({**good, "edge_attributes": with_column(edges, edges["columns"][0].index(sources),
                    {**sources, "shared": [rows, [len(good["shared"][0]["values"]) + 10**6] + numbers[1:]]})}).encode(),
        json.dumps({**good, "edge_attributes": with_column(edges, edges["columns"][0].index(sources),
                    {**sources, "shared": [rows[:1] * len(rows), numbers]})}).encode(),
        json.dumps({**good, "shared": [{**good["shared"][0], "shared": [[0], [0]]}] + good["shared"][1:]}).encode(),
        json.dumps({**good, "shared": {"kind": "json"}}).encode(),
        json.dumps({**good, "graph": {"x": {"\u0000unknown": 1}}}).encode(),
        json.dumps({**good, "graph": {"x": {"\u0000literal": ["a", "en", "http://x"]}}}).encode(),
        json.dumps({**good, "graph": {"x": {"\u0000tuple": [], "y": 1}}}).encode(),
        json.dumps({**good, "graph": [1]}).encode(),
        # a marked object where the layout has none: refused, though JSON could hold it
        json.dumps({**good, "node_attributes": with_column(nodes, 0, {"kind": "json", "values": [{"\u0000tuple": [1]}] * len(G)})}).encode(),
    ]
    for data in wrong:
        caching.write_cached("graphs", key, data)
        assert cache.cached_graph(evkg.load(), collapse=False) is None, data[:60]
    caching.write_cached("graphs", key, b"[]")
    assert same_graph(cache.graph_of(evkg.load()), G) and len(builds) == 2


def public_build(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``G`` built again through networkx's public API, edge after edge in an order that
    gives every node its successors and predecessors in ``G``'s order."""
    from graphlib import TopologicalSorter

    order: TopologicalSorter = TopologicalSorter()
    for adjacency in (G.succ, G.pred):
        for n, neighbours in adjacency.items():
            before = ()
            for m in neighbours:
                pair = (n, m) if adjacency is G.succ else (m, n)
                order.add(pair, *before)
                before = (pair,)
    H = nx.MultiDiGraph(**G.graph)
    H.add_nodes_from(G.nodes(data=True))
    for u, v in order.static_order():
        for key, data in G.succ[u][v].items():
            H.add_edge(u, v, key)
            H.edges[u, v, key].update(data)
    return H


def test_the_graph_read_back_is_the_one_networkx_builds(kb):
    G = build.build_graph(kb)
    H = cache.graph_from_bytes(cache.graph_to_bytes(G))
    built = public_build(G)
    assert nx.utils.graphs_equal(H, built) and same_graph(H, built) and same_graph(built, G)
    assert H.number_of_edges() == G.number_of_edges() and H._adj is H._succ
    for u, v, key in list(H.edges(keys=True))[:50]:  # both sides hold one dict of keys, as add_edge makes
        assert H._succ[u][v] is H._pred[v][u] and H.has_edge(u, v, key)
    H.add_edge("new", next(iter(H)), key="k")  # and the graph goes on as any other
    assert H.has_edge("new", next(iter(H)), "k") and "new" in H.pred[next(iter(H))]


def test_columns_of_every_kind_survive_the_round_trip():
    G = nx.MultiDiGraph()
    xsd_integer = URIRef("http://www.w3.org/2001/XMLSchema#integer")
    for n in range(6):  # names in a column of strings or of values marked, attributes of two shapes
        G.add_node(f"n{n % 3}" if n < 3 else ("t", n), kind="same", term=URIRef(f"urn:{n}") if n % 2 else f"urn:{n}")
    G.add_node("bare")
    G.add_node("nested", pairs=[[("a", 1)], []], mixed=[("a",), "b"], literal=Literal("3", datatype=xsd_integer))
    shared = [("s", "t")]
    G.nodes["n0"]["shared"] = shared
    G.add_edge("n0", "n1", key=("k", 1), shared=shared)
    G.add_edge("n0", "n1", key="k", shared=shared)  # a pair of two keys
    G.add_edge("n1", "n0", key=0)
    G.add_edge("bare", "bare")
    G.nodes["n1"]["label"] = "with a \u0000 inside"  # the tag's bytes in the file: every column is looked at
    data = cache.graph_to_bytes(G)
    body = json.loads(data)
    assert body["keys"]["kind"] == "marked" and len(body["node_attributes"]["shapes"]) > 2
    assert any(column["kind"] == "strings" for columns in body["node_attributes"]["columns"] for column in columns)
    H = cache.graph_from_bytes(data)
    assert same_graph(H, G) and nx.utils.graphs_equal(H, public_build(G))
    assert H.nodes["n0"]["shared"] is H.edges["n0", "n1", "k"]["shared"] is H.edges["n0", "n1", ("k", 1)]["shared"]
    assert type(H.nodes["n1"]["term"]) is URIRef and type(H.nodes["n0"]["term"]) is str
    assert cache.graph_to_bytes(H) == data  # written again, the same bytes
