"""The path search's own structure (evkg.graph.search): the same answers as the search on
the built networkx graph, and a cache entry that is used only when it is whole and ours."""

from __future__ import annotations

import json
import random
import stat

import networkx as nx
import pytest
from click.testing import CliRunner

import evkg
from benchmarks import synthetic
from evkg import caching
from evkg.cli import cli
from evkg.errors import EvkgError, InputError
from evkg.graph import build, build_graph, paths, search

from .conftest import record_calls

#: Every option of shortest_paths but collapse (which searches the collapsed graph itself).
OPTIONS = [
    {},
    {"k": 3},
    {"all_shortest": True},
    {"max_hops": 2},
    {"dependency": True},
    {"dependency": True, "k": 2},
    {"cited_only": True},
    {"cited_only": True, "k": 2},
    {"dependency": True, "cited_only": True},
]


def _defaults(options: dict) -> dict:
    found = dict(k=1, all_shortest=False, max_hops=None, via=(), avoid=(), dependency=False, cited_only=False)
    found.update(options)
    return found


def _answer(kb, G, index, implementation, a, b, options) -> str:
    """One search's whole answer (JSON and the neighbour lists), or its error."""
    try:
        if implementation == "graph":
            result = paths._paths_in_graph(kb, G, a, b, **_defaults(options))
        else:
            result = paths._paths_in_index(kb, index, a, b, **_defaults(options))
    except EvkgError as exc:
        return f"{type(exc).__name__}: {exc}"
    return json.dumps([result.to_dict(), result.source_neighbours, result.target_neighbours], ensure_ascii=False)


def _compare(kb, pairs: int, seed: int) -> int:
    """Search random pairs with every option both ways; the number of searches compared."""
    G = build_graph(kb)
    index = search.index_from_kb(kb)
    assert index == search.index_from_graph(G)
    rng = random.Random(seed)
    nodes = list(G)
    labels = sorted({d["label"] for _, _, d in G.edges(data=True)})
    filters = [{"via": [labels[0], labels[-1]]}, {"avoid": [rng.choice(labels)]},
               {"avoid": [rng.choice(nodes)]}, {"avoid": [rng.choice(labels)], "dependency": True}]
    compared = 0
    for _ in range(pairs):
        a, b = rng.sample(nodes, 2)
        for options in OPTIONS + filters:
            assert _answer(kb, G, index, "index", a, b, options) == _answer(kb, G, index, "graph", a, b, options), (
                a, b, options)
            compared += 1
    return compared


def test_the_index_gives_the_answers_of_the_graph_on_the_seeds(kb):
    assert _compare(kb, pairs=60, seed=1) == 60 * 13


def test_the_index_gives_the_answers_of_the_graph_on_an_oxigraph_store(oxigraph_kb):
    assert _compare(oxigraph_kb, pairs=30, seed=2) == 30 * 13


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_the_index_gives_the_answers_of_the_graph_on_synthetic_data(store, tmp_path):
    data = synthetic.write(tmp_path / "synthetic.nq", edges=3000, seed=5)
    if store == "memory":
        kb = evkg.load([data])
    else:
        kb = evkg.load(store=f"oxigraph:{tmp_path / 'db'}")
        kb.store.load_file(data, graph_iri=synthetic.GRAPH)
        kb = evkg.load(store=kb.store)
    assert synthetic.firm_iri(0) in search.index_from_kb(kb).nodes
    assert _compare(kb, pairs=25, seed=3) == 25 * 13


def _old_search(monkeypatch):
    """Make shortest_paths search the built graph, as it did before the index."""
    monkeypatch.setattr(paths, "_paths_in_index", lambda kb, index, *args, **options: paths._paths_in_graph(
        kb, build_graph(kb), *args, **options))


@pytest.mark.parametrize("arguments", [
    ["Pakistan", "CATL"],
    ["Toyota", "BYD", "--k", "3"],
    ["Indonesia", "CATL", "--dependency"],
    ["Pakistan", "CATL", "--avoid", "China", "--format", "json"],
    ["Pakistan", "CATL", "--cited-only", "--format", "json"],
    ["Mazda", "Changan", "--via", "partner", "--all-shortest"],
    ["CATL", "Pakistan", "--dependency", "--k", "2", "--format", "json"],
    ["Pakistan", "CATL", "--max-hops", "1"],
])
def test_evkg_path_prints_the_same_bytes_as_the_search_on_the_graph(arguments, monkeypatch, tmp_path):
    monkeypatch.setenv("EVKG_CACHE_DIR", str(tmp_path / "cache"))
    new = CliRunner().invoke(cli, ["path", *arguments])
    _old_search(monkeypatch)
    old = CliRunner().invoke(cli, ["path", *arguments])
    assert (new.exit_code, new.output) == (old.exit_code, old.output)
    assert new.exit_code == 0 and new.output.strip()


def test_a_second_process_reads_the_index_and_builds_no_graph(monkeypatch, tmp_path):
    monkeypatch.setenv("EVKG_CACHE_DIR", str(tmp_path / "cache"))
    builds = record_calls(monkeypatch, build, "build_graph")
    made = record_calls(monkeypatch, search, "index_from_kb")
    first = paths.shortest_paths(evkg.load(), "Pakistan", "CATL")
    again = paths.shortest_paths(evkg.load(), "Pakistan", "CATL")  # a new knowledge base, as in a new process
    assert len(made) == 1 and builds == []
    assert again == first
    (entry,) = (tmp_path / "cache" / "search").glob("*.cache")
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(entry.parent.stat().st_mode) == 0o700


def test_a_graph_built_in_the_process_gives_the_index(monkeypatch, tmp_path):
    monkeypatch.setenv("EVKG_CACHE_DIR", "off")
    made = record_calls(monkeypatch, search, "index_from_kb")
    kb = evkg.load()
    G = evkg.graph.graph_of(kb)
    assert search.search_index(kb) == search.index_from_graph(G) and made == []


@pytest.mark.parametrize("damage", ["tampered", "truncated", "foreign", "empty"])
def test_an_unusable_index_file_is_a_miss_and_is_made_again(damage, monkeypatch, tmp_path):
    monkeypatch.setenv("EVKG_CACHE_DIR", str(tmp_path / "other"))
    paths.shortest_paths(evkg.load(), "Pakistan", "CATL")
    (foreign,) = (tmp_path / "other" / "search").glob("*.cache")
    monkeypatch.setenv("EVKG_CACHE_DIR", str(tmp_path / "cache"))
    expected = paths.shortest_paths(evkg.load(), "Pakistan", "CATL")
    (entry,) = (tmp_path / "cache" / "search").glob("*.cache")
    data = entry.read_bytes()
    if damage == "tampered":
        at = len(data) // 2
        entry.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :])
    elif damage == "truncated":
        entry.write_bytes(data[: len(data) - 100])
    elif damage == "foreign":  # the same contents, filed by another cache folder (another secret)
        entry.write_bytes(foreign.read_bytes())
    else:
        entry.write_bytes(b"")
    made = record_calls(monkeypatch, search, "index_from_kb")
    assert paths.shortest_paths(evkg.load(), "Pakistan", "CATL") == expected
    assert len(made) == 1 and entry.read_bytes() == data


def test_an_index_round_trips_and_a_file_of_another_shape_is_refused(kb):
    index = search.index_from_kb(kb)
    data = search.index_to_bytes(index)
    assert search.index_from_bytes(data) == index
    header, _, body = data.partition(b"\n")
    fields = json.loads(header)
    for changed in ({"layout": "evkg-search-0"}, {"byteorder": "big" if fields["byteorder"] == "little" else "little"},
                    {"nodes": fields["nodes"] + 1}, {"sizes": [fields["sizes"][0] - 4, *fields["sizes"][1:]]}):
        with pytest.raises(ValueError):
            search.index_from_bytes(json.dumps({**fields, **changed}).encode() + b"\n" + body)
    for broken in (b"", b"{}", b"not json\n", data[: len(data) // 2]):
        with pytest.raises(ValueError):
            search.index_from_bytes(broken)


def test_a_file_in_the_cache_is_data_only(monkeypatch, tmp_path):
    """What is filed is the JSON header, machine integers and IRIs: nothing Python runs."""
    monkeypatch.setenv("EVKG_CACHE_DIR", str(tmp_path / "cache"))
    kb = evkg.load()
    search.search_index(kb)
    data = caching.read_cached("search", search.index_key(kb))
    header = json.loads(data.partition(b"\n")[0])
    assert header["layout"] == search.SEARCH_LAYOUT and b"pickle" not in data and not data.startswith(b"\x80")
    assert data.endswith(search.index_from_bytes(data).nodes[-1].encode())


def test_the_search_graph_is_a_networkx_graph_with_the_graphs_neighbour_order(kb):
    G = build_graph(kb)
    index = search.index_from_graph(G)
    H = search.hop_graph(index)
    old = paths._hop_graph(G, via=set(), avoid_relations=set(), avoid_nodes=set(), dependency=False)
    assert isinstance(H, nx.Graph) and len(H) == len(old)
    for node in list(G)[::7]:
        n = index.node_id(node)
        assert [index.nodes[m] for m in H[n]] == list(old[node])
        assert [H[n][m]["weight"] for m in H[n]] == [old[node][m]["weight"] for m in old[node]]
    D = search.hop_graph(index, dependency=True)
    old = paths._hop_graph(G, via=set(), avoid_relations=set(), avoid_nodes=set(), dependency=True)
    for node in list(G)[::7]:
        n = index.node_id(node)
        assert [index.nodes[m] for m in D.successors(n)] == list(old.successors(node))
        assert [index.nodes[m] for m in D.predecessors(n)] == list(old.predecessors(node))


def test_build_graph_still_returns_the_networkx_graph(kb):
    G = build_graph(kb)
    assert type(G) is nx.MultiDiGraph
    catl = "https://w3id.org/evkg/id/company/catl"
    assert G.nodes[catl]["label"] == "CATL"
    assert {"predicate", "label", "inverse_label", "dependency", "graphs", "sources"} <= set(
        next(iter(G.edges(catl, data=True)))[2]
    )
    assert evkg.graph.graph_of(kb) is evkg.graph.graph_of(kb)


def test_an_unknown_or_same_entity_is_refused_as_before(kb):
    with pytest.raises(InputError, match="same entity"):
        paths.shortest_paths(kb, "CATL", "CATL")
    with pytest.raises(InputError, match="cannot avoid"):
        paths.shortest_paths(kb, "Pakistan", "CATL", avoid=["CATL"])
    with pytest.raises(InputError, match="unknown relation"):
        paths.shortest_paths(kb, "Pakistan", "CATL", via=["no such relation"])
