"""What a view of the whole graph keeps when it is cut: the same nodes and edges as the
plain rule (every edge that passes the filters counted, every node ranked, the first
``max_nodes`` kept with the edges among them), on the seeds, on synthetic data in a
store and on synthetic graphs full of ties; and the data hash, which is of the values
only."""

from __future__ import annotations

import random

import networkx as nx
import pytest
from rdflib import Literal

import evkg
from benchmarks import synthetic
from evkg.graph import graph_of
from evkg.graph.cache import graph_from_bytes, graph_to_bytes
from evkg.graph import view as view_module
from evkg.graph.view import graph_view, view_from_graph


def plain_selection(G: nx.MultiDiGraph, max_nodes: int) -> tuple[set, set, int]:
    """The nodes and ``(u, v, key)`` edges of the whole graph cut to ``max_nodes``, by
    the rule written out: rank every node by its edges (most first), then by label and
    name, keep the first ones and every edge between two kept nodes."""
    degree = {n: 0 for n in G}
    for u, v in G.edges():
        degree[u] += 1
        degree[v] += 1
    ranked = sorted(G, key=lambda n: (-degree[n], str(G.nodes[n].get("label", n)), str(n)))
    kept = set(ranked[:max_nodes])
    edges = {(u, v, k) for u, v, k in G.edges(keys=True) if u in kept and v in kept}
    return kept, edges, G.number_of_edges()


def selection(view) -> tuple[set, set, int]:
    return set(view.G), set(view.G.edges(keys=True)), view.total_edges


def tied_graph(n: int, seed: int) -> nx.MultiDiGraph:
    """Nodes of few distinct degrees and labels, with parallel edges and loops: the cut
    falls among many ties."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    for i in range(n):
        G.add_node(f"urn:n{i:03d}", label=f"Entity {i % 7}", type="urn:T", type_label="thing")
    nodes = list(G)
    for _ in range(2 * n):
        u, v = rng.choice(nodes), rng.choice(nodes)
        G.add_edge(u, v, key=rng.choice(["urn:p", "urn:q"]), predicate="urn:p", label="p")
    return G


@pytest.fixture(scope="module")
def synthetic_kb(tmp_path_factory):
    """About 2,000 edges of the benchmarks' synthetic data, with the seeds."""
    return evkg.load([synthetic.write(tmp_path_factory.mktemp("synthetic") / "synthetic.nq", 2000)])


@pytest.mark.parametrize("max_nodes", [1, 7, 50, 200, 5000])
def test_the_seeds_cut_keeps_the_plain_selection(kb, max_nodes):
    assert selection(graph_view(kb, max_nodes=max_nodes)) == plain_selection(graph_of(kb), max_nodes)


@pytest.mark.parametrize("max_nodes", [10, 100, 1000])
def test_a_synthetic_store_cut_keeps_the_plain_selection(synthetic_kb, max_nodes):
    G = graph_of(synthetic_kb)
    assert G.number_of_nodes() > 1000
    view = graph_view(synthetic_kb, max_nodes=max_nodes)
    assert selection(view) == plain_selection(G, max_nodes)
    assert view.note == (
        f"Showing {max_nodes:,} of {G.number_of_nodes():,} nodes, the best-connected nodes: "
        f"the view is limited to {max_nodes:,} nodes."
    )


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("max_nodes", [1, 13, 60, 200])
def test_a_cut_among_ties_keeps_the_plain_selection(seed, max_nodes):
    G = tied_graph(120, seed)
    assert selection(view_from_graph(G, max_nodes=max_nodes)) == plain_selection(G, max_nodes)


def test_a_filtered_cut_ranks_by_the_edges_that_pass(kb):
    view = graph_view(kb, types=["Company"], max_nodes=20)
    companies = graph_view(kb, types=["Company"], max_nodes=100_000).G
    assert selection(view)[:2] == plain_selection(companies, 20)[:2]


def test_the_data_hash_is_of_the_values_not_of_the_objects(kb):
    G = graph_of(kb)
    read_back = graph_from_bytes(graph_to_bytes(G))  # shares lists, never strings, as it read them
    copied = nx.MultiDiGraph()
    for n in reversed(list(G)):  # nodes added in another order
        copied.add_node(n, **{key: value for key, value in G.nodes[n].items()})
    for u, v, key, data in G.edges(keys=True, data=True):
        copied.add_edge(u, v, key=key, **{name: value for name, value in data.items()})
    hashes = {view_from_graph(H).data_hash for H in (G, read_back, copied)}
    assert hashes == {graph_view(kb).data_hash}


def test_the_data_hash_sees_every_value():
    G = tied_graph(30, 0)
    base = view_from_graph(G).data_hash
    changed_node, changed_edge, term = G.copy(), G.copy(), G.copy()
    changed_node.nodes["urn:n001"]["label"] = "Entity 1 "
    u, v, key = next(iter(G.edges(keys=True)))
    changed_edge.edges[u, v, key]["label"] = "q"
    term.nodes["urn:n001"]["label"] = Literal("Entity 1")  # not marshal's: written as JSON
    hashes = [view_from_graph(H).data_hash for H in (G, changed_node, changed_edge, term)]
    assert hashes[0] == base and len(set(hashes)) == 4
    assert view_from_graph(term.copy()).data_hash == hashes[3]


def test_the_data_hash_is_kept_on_disk_with_the_graph(monkeypatch):
    first = graph_view(evkg.load()).data_hash

    def written_out_again(G):
        raise AssertionError("the hash was not read back")

    monkeypatch.setattr(view_module, "_content_hash", written_out_again)
    assert graph_view(evkg.load()).data_hash == first
