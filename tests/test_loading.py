"""Reading files: formats, parse errors with file and line, all-or-nothing merges, XML entities."""

from __future__ import annotations

import time

import pytest
from rdflib import URIRef

import evkg
from evkg.errors import InputError, ParseError, UnknownFormat, UnsafeInputError
from evkg.loading import guess_format, parse_file

from .conftest import DATA, REAL_RDF


def test_guess_format_from_extension():
    assert guess_format("a.ttl") == "turtle"
    assert guess_format("a.TRIG") == "trig"
    assert guess_format("a.owl") == "xml"
    assert guess_format("a.jsonld") == "json-ld"


def test_unknown_extension_lists_the_known_ones():
    with pytest.raises(UnknownFormat, match=r"\.ttl"):
        guess_format("facts.xlsx")


def test_malformed_turtle_names_file_and_line():
    with pytest.raises(ParseError) as info:
        parse_file(DATA / "malformed.ttl")
    assert info.value.line == 3
    assert "malformed.ttl, line 3" in str(info.value)


def test_malformed_ntriples_line_is_computed():
    with pytest.raises(ParseError) as info:
        parse_file(DATA / "malformed.nt")
    assert info.value.line == 3


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        parse_file(tmp_path / "nope.ttl")


def test_loading_is_all_or_nothing():
    kb = evkg.load(seeds=False)
    before = len(kb)
    with pytest.raises(ParseError):
        kb.add_file(DATA / "malformed.ttl")
    assert len(kb) == before
    assert (URIRef("http://example.org/a"), None, None) not in kb.dataset


def test_triples_of_a_user_file_get_a_named_graph_of_their_own():
    kb = evkg.load([DATA / "protege-entities.rdf"], seeds=False)
    assert URIRef("https://w3id.org/evkg/graph/data/protege-entities.rdf") in kb.graph_names()


def test_billion_laughs_is_refused_fast():
    start = time.perf_counter()
    with pytest.raises(UnsafeInputError, match="billion laughs"):
        parse_file(DATA / "billion-laughs.rdf")
    assert time.perf_counter() - start < 5  # a generous bound: unguarded, it takes minutes


def test_external_entity_is_refused():
    with pytest.raises(UnsafeInputError, match="external"):
        parse_file(DATA / "external-entity.rdf")


def test_plain_internal_entities_load():
    dataset = parse_file(DATA / "protege-entities.rdf")
    labels = {str(o) for o in dataset.objects(URIRef("http://example.org/battery#Cell"), None)}
    assert "battery cell" in labels


@pytest.mark.parametrize(
    "name",
    ["qudt-units.ttl", "emmo-battery-reference.ttl", "iof-supply-chain.rdf", "fibo-lei.rdf"],
)
def test_real_world_ontologies_load_and_show_in_stats(name):
    path = REAL_RDF / name
    if not path.exists():
        pytest.fail(f"missing real-world test file {path}")
    kb = evkg.load([path], seeds=False)
    graphs = {s["graph"]: s["triples"] for s in kb.stats().by_source}
    assert graphs[f"https://w3id.org/evkg/graph/data/{name}"] > 100
