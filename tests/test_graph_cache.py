"""The built graph kept on disk between runs, keyed by the knowledge base's contents."""

from __future__ import annotations

import pytest

import evkg
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
    assert len(builds) == 1 and len(list(folder.glob("*.pickle"))) == 1
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
    assert not folder.exists() or not list(folder.glob("*.pickle"))


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
    (path,) = folder.glob("*.pickle")
    path.write_bytes(b"not a graph")
    result = shortest_paths(evkg.load(), "Pakistan", "CATL")
    assert result.paths and len(builds) == 2
    assert path.read_bytes() != b"not a graph"


def test_the_cache_can_be_turned_off(monkeypatch, builds, tmp_path):
    monkeypatch.setenv("EVKG_CACHE_DIR", "off")
    cache.graph_of(evkg.load())
    cache.graph_of(evkg.load())
    assert len(builds) == 2
