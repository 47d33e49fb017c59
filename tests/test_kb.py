"""The knowledge base API: name resolution, search, descriptions, statistics, queries."""

from __future__ import annotations

import pytest

import evkg
from evkg.errors import AmbiguousEntity, QueryError, UnknownEntity
from evkg.kb import normalize_name

CATL = "https://w3id.org/evkg/id/company/catl"


@pytest.mark.parametrize(
    "name",
    ["CATL", "catl", " CATL ", "company:catl", CATL, f"<{CATL}>", "Contemporary Amperex Technology"],
)
def test_entity_resolves_names_iris_and_alt_labels(kb, name):
    assert kb.entity(name).iri == CATL


def test_entity_ignores_dashes_and_case(kb):
    for name in ("China–Pakistan Economic Corridor", "china-pakistan economic corridor", "CPEC"):
        assert kb.entity(name).iri == "https://w3id.org/evkg/id/corridor/cpec"


def test_unknown_entity_suggests_close_names(kb):
    with pytest.raises(UnknownEntity) as info:
        kb.entity("Toyata")
    assert "Toyota" in info.value.suggestions
    assert "Did you mean" in str(info.value)


def test_ambiguous_name_lists_candidates():
    from rdflib import Dataset, Literal, URIRef
    from rdflib.namespace import RDFS

    dataset = Dataset(default_union=True)
    graph = dataset.graph(URIRef("urn:g"))
    for iri in ("https://example.org/a", "https://example.org/b"):
        graph.add((URIRef(iri), RDFS.label, Literal("Mercury", lang="en")))
    kb = evkg.KnowledgeBase(dataset)
    with pytest.raises(AmbiguousEntity) as info:
        kb.entity("mercury")
    assert {c[0] for c in info.value.candidates} == {"https://example.org/a", "https://example.org/b"}


def test_label_beats_alt_label():
    from rdflib import Dataset, Literal, URIRef
    from rdflib.namespace import RDFS, SKOS

    dataset = Dataset(default_union=True)
    graph = dataset.graph(URIRef("urn:g"))
    graph.add((URIRef("urn:x:unicom"), RDFS.label, Literal("Unicom", lang="en")))
    graph.add((URIRef("urn:x:china-unicom"), SKOS.altLabel, Literal("Unicom", lang="en")))
    assert evkg.KnowledgeBase(dataset).entity("unicom").iri == "urn:x:unicom"


def test_normalize_name_folds_punctuation():
    assert normalize_name("SAIC-Motor") == normalize_name("saic motor")
    assert normalize_name("Việt Nam") == "viet nam"


def test_search_ranks_exact_then_prefix(kb):
    hits = kb.search("byd")
    assert hits[0].entity.label == "BYD"
    assert hits[0].score == 1.0
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
    assert any("BYD" in h.entity.label and h.entity.label != "BYD" for h in hits[1:])


def test_search_finds_typos(kb):
    assert kb.search("Hungery")[0].entity.label == "Hungary"


def test_describe_catl_shows_hungary_plant_with_quote(kb):
    description = kb.describe("CATL")
    plants = [f for f in description.facts if f.direction == "part" and "Hungary" in f.value_label]
    assert plants, [f.value_label for f in description.facts]
    details = dict(plants[0].details)
    assert details["capacity"].startswith("100 GWh")
    assert details["status"] == "under construction"
    assert any("Hungary (100 GWh under construction)" in (c.quote or "") for c in plants[0].citations)


def test_describe_cites_binary_facts_with_their_evidence(kb):
    description = kb.describe("Proton")
    owned = [f for f in description.facts if f.relation.endswith("#ownedBy")]
    assert [f.value_label for f in owned] == ["Geely"]
    assert "owns nearly half the company" in owned[0].citations[0].quote


def test_stats_count_sources_and_classes(kb):
    stats = kb.stats()
    graphs = {s["graph"] for s in stats.by_source}
    assert "https://w3id.org/evkg/graph/reference" in graphs
    assert sum(1 for g in graphs if g.startswith("https://w3id.org/evkg/graph/00")) == 4
    assert stats.by_class["country"] >= 20


def test_query_prefixes_are_predeclared(kb):
    result = kb.query("SELECT ?n WHERE { company:catl rdfs:label ?n }")
    assert [str(r[0]) for r in result] == ["CATL"]


def test_query_syntax_error_has_position(kb):
    with pytest.raises(QueryError, match=r"line 2, column \d+"):
        kb.query("SELECT ?x\nWHERE { ?x ?y }")


def test_update_is_refused(kb):
    with pytest.raises(QueryError, match="read-only"):
        kb.query("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(QueryError, match="read-only"):
        kb.query("LOAD <http://127.0.0.1:9/data.ttl>")


def test_undeclared_prefix_is_a_query_error(kb):
    with pytest.raises(QueryError):
        kb.query("SELECT * WHERE { ?s nope:p ?o }")


def test_fact_node_from_two_articles_cites_each_statement_to_its_own_article(tmp_path):
    """A plant two sources describe: its capacity rests on the first source's sentence
    only, its status on the second's, and a shared statement on both."""
    data = tmp_path / "two.trig"
    data.write_text(
        """
@prefix ev: <https://w3id.org/evkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix country: <https://w3id.org/evkg/id/country/> .
<urn:g1> { <urn:s1> a ev:Article ; rdfs:label "First"@en .
  <urn:plant> a ev:VehiclePlant ; rdfs:label "Plant"@en ; ev:locatedIn country:th ;
     ev:description "Rated for many cars." ; ev:quote "The plant is in Thailand and rated for many cars." ;
     prov:wasDerivedFrom <urn:s1> . }
<urn:g2> { <urn:s2> a ev:Article ; rdfs:label "Second"@en .
  <urn:plant> a ev:VehiclePlant ; ev:locatedIn country:th ; ev:status ev:Operating ;
     ev:quote "The Thai plant has begun production." ; prov:wasDerivedFrom <urn:s2> . }
""",
        encoding="utf-8",
    )
    kb = evkg.load([data])
    facts = {f.relation_label: f for f in kb.describe("urn:plant").facts if f.direction == "out"}
    quotes = {label: sorted(c.quote for c in fact.citations) for label, fact in facts.items()}
    assert quotes["description"] == ["The plant is in Thailand and rated for many cars."]
    assert quotes["status"] == ["The Thai plant has begun production."]
    assert quotes["located in"] == ["The Thai plant has begun production.", "The plant is in Thailand and rated for many cars."]


def test_a_fact_resting_on_a_reading_says_so(kb):
    """ev:interpretation travels with the citations, and show prints it under the quote."""
    from evkg.render.text import describe_lines

    description = kb.describe("Wuling Indonesia battery pack facility")
    readings = {c.interpretation for f in description.facts for c in f.citations if c.interpretation}
    assert len(readings) == 1 and next(iter(readings)).startswith("The capacity's “packs” and “annually”")
    lines = list(describe_lines(description))
    assert any(line.strip().startswith("interpreted: The capacity's") for line in lines)
    assert not any(line == "interpretation" for line in lines)  # a reading is no relation of its own
