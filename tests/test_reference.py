"""The reference data: every ISO 3166-1 country and ISO 4217 currency from pycountry, named
as the source, the IRIs the articles use kept, and ISO 3166-2 subdivisions in their countries."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import pycountry
import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

import evkg
from evkg.ontology import EV, GRAPH, QUDT, SOURCE, UNIT, entity_iri

from .conftest import ROOT

SUBDIVISIONS = ROOT / "evkg" / "seeds" / "gazetteer" / "subdivisions.trig"
VERSION = importlib.metadata.version("pycountry")


@pytest.fixture(scope="module")
def gazetteer():
    return Dataset().parse(SUBDIVISIONS, format="trig")


def test_every_iso_country_is_there_with_its_codes(kb):
    for country in pycountry.countries:
        iri = entity_iri("country", country.alpha_2.lower())
        assert (iri, RDF.type, EV.Country) in kb.dataset, country.alpha_2
        assert [str(c) for c in kb.dataset.objects(iri, SKOS.notation)] == [country.alpha_2]
        assert [str(c) for c in kb.dataset.objects(iri, EV.alpha3Code)] == [country.alpha_3]
        assert kb.dataset.value(iri, RDFS.label) is not None


def test_codes_and_names_resolve(kb):
    assert kb.entity("DEU").iri == str(entity_iri("country", "de"))
    assert kb.entity("Korea, Republic of").iri == str(entity_iri("country", "kr"))
    assert kb.entity("Russia").label == "Russia"
    assert kb.entity("Georgia").iri == str(entity_iri("country", "ge"))


def test_the_source_names_pycountry_and_its_version(kb):
    package = URIRef(f"https://pypi.org/project/pycountry/{VERSION}/")
    reference = SOURCE["reference"]
    assert (reference, PROV.wasDerivedFrom, package) in kb.dataset
    assert kb.dataset.value(package, RDFS.label) == Literal(f"pycountry {VERSION}", lang="en")
    assert (reference, DCTERMS.conformsTo, URIRef("https://www.iso.org/iso-3166-country-codes.html")) in kb.dataset
    assert (reference, DCTERMS.conformsTo, URIRef("https://www.iso.org/iso-4217-currency-codes.html")) in kb.dataset


def test_the_iris_and_names_the_articles_use_are_kept(kb):
    china = entity_iri("country", "cn")
    assert kb.dataset.value(china, RDFS.label) == Literal("China", lang="en")
    assert kb.entity("South Korea").iri == str(entity_iri("country", "kr"))
    assert kb.entity("USA").iri == str(entity_iri("country", "us"))
    assert (china, EV.memberOf, entity_iri("region", "east-asia")) in kb.dataset
    assert (entity_iri("company", "catl"), EV.basedIn, china) in kb.dataset
    assert kb.entity("Xinjiang Uygur Zizhiqu").iri == str(entity_iri("place", "xinjiang"))
    assert kb.entity("CN-SH").iri == str(entity_iri("place", "shanghai"))


def test_every_iso_currency_is_its_qudt_unit(kb):
    for currency in pycountry.currencies:
        unit = UNIT[f"CCY_{currency.alpha_3}"]
        assert (unit, RDF.type, QUDT.CurrencyUnit) in kb.dataset, currency.alpha_3
        assert kb.dataset.value(unit, QUDT.currencyCode) == Literal(currency.alpha_3)


def test_every_subdivision_is_in_its_country(kb, gazetteer):
    graph = gazetteer.graph(GRAPH["subdivisions"])
    for sub in pycountry.subdivisions:
        # the subdivisions the articles name are in the loaded reference graph, under their IRIs
        held = graph if (None, SKOS.notation, Literal(sub.code)) in graph else kb.dataset
        (iri,) = held.subjects(SKOS.notation, Literal(sub.code))
        assert (iri, RDF.type, EV.Subdivision) in held
        assert (iri, EV.locatedIn, entity_iri("country", sub.country_code.lower())) in held, sub.code
    guangdong = entity_iri("subdivision", "cn-gd")
    assert graph.value(guangdong, RDFS.label) == Literal("Guangdong Sheng", lang="en")
    assert (guangdong, SKOS.altLabel, Literal("Guangdong", lang="en")) in graph


def test_a_subdivision_named_like_a_country_carries_its_country(gazetteer):
    graph = gazetteer.graph(GRAPH["subdivisions"])
    georgia = entity_iri("subdivision", "us-ga")
    assert graph.value(georgia, RDFS.label) == Literal("Georgia (United States)", lang="en")
    assert (georgia, SKOS.altLabel, Literal("Georgia", lang="en")) in graph


def test_the_subdivisions_load_with_data_and_conform():
    kb = evkg.load([SUBDIVISIONS])
    assert kb.entity("Guangdong").iri == str(entity_iri("subdivision", "cn-gd"))
    assert kb.entity("Georgia").iri == str(entity_iri("country", "ge")), "the bare name stays the country's"
    assert (SOURCE["subdivisions"], PROV.wasDerivedFrom, URIRef(f"https://pypi.org/project/pycountry/{VERSION}/")) in kb.dataset


def test_countries_only_the_reference_names_are_no_graph_nodes(kb):
    from evkg.graph import build_graph

    G = build_graph(kb)
    assert str(entity_iri("country", "cn")) in G
    assert str(entity_iri("country", "fr")) not in G


def test_the_files_are_what_the_script_writes():
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_reference.py"), "--check"], check=True)


# ------------------------------------------------------------------ where each relation comes from

CURATED = ROOT / "scripts" / "reference-curated.trig"
M49 = URIRef("https://unstats.un.org/unsd/methodology/m49/")
BACKGROUND = SOURCE["background-knowledge"]


def _statements(kb) -> dict[tuple, list]:
    """(subject, predicate, object) -> the sources its reference statements follow."""
    graph = kb.dataset.graph(GRAPH["reference"])
    found: dict[tuple, list] = {}
    for node in graph.subjects(RDF.type, EV.ReferenceStatement):
        triple = (graph.value(node, RDF.subject), graph.value(node, RDF.predicate), graph.value(node, RDF.object))
        found.setdefault(triple, []).extend(graph.objects(node, PROV.wasDerivedFrom))
    return found


def test_every_membership_cites_the_classification_its_region_follows(kb):
    graph = kb.dataset.graph(GRAPH["reference"])
    statements = _statements(kb)
    memberships = list(graph.triples((None, EV.memberOf, None)))
    assert len(memberships) == 42
    for country, _, region in memberships:
        follows = statements.get((country, EV.memberOf, region))
        assert follows == [graph.value(region, DCTERMS.conformsTo)], (country, region)
        classification = follows[0]
        assert (classification, RDF.type, EV.Classification) in graph
        assert str(classification).startswith("https://")
        assert graph.value(classification, DCTERMS.title) is not None
        assert graph.value(classification, EV.citationNote) is not None


def test_every_relation_of_the_reference_says_where_it_comes_from(kb):
    graph = kb.dataset.graph(GRAPH["reference"])
    statements = _statements(kb)
    relations = [t for p in (EV.memberOf, EV.locatedIn, EV.basedIn) for t in graph.triples((None, p, None))]
    assert sorted(statements) == sorted(relations)
    home = {t: s for t, s in statements.items() if t[1] == EV.basedIn}
    assert len(home) == 12 and set(map(tuple, home.values())) == {(BACKGROUND,)}
    assert statements[(entity_iri("place", "jakarta"), EV.locatedIn, entity_iri("country", "id"))] == [
        URIRef("https://www.iso.org/iso-3166-country-codes.html")]
    assert list(graph.subjects(EV.quote, None)) == []


def test_citations_name_the_classification_or_background_knowledge(kb):
    [membership] = kb.citations(entity_iri("country", "pk"), EV.memberOf, entity_iri("region", "south-asia"))
    assert (membership.source, membership.title, membership.quote, membership.note) == (
        str(M49), "UN M49 geoscheme", None, "as the UN M49 geoscheme classifies it")
    [home] = kb.citations(entity_iri("company", "catl"), EV.basedIn, entity_iri("country", "cn"))
    assert (home.source, home.quote, home.note) == (
        str(BACKGROUND), None, "background knowledge, stated by no source in the graph")


def test_a_membership_an_article_states_cites_its_sentence_and_the_classification(kb):
    citations = kb.citations(entity_iri("country", "th"), EV.memberOf, entity_iri("region", "southeast-asia"))
    assert [(c.source, c.note) for c in citations] == [
        (str(SOURCE["000_2f9e7fe2686975ec"]), None), (str(M49), "as the UN M49 geoscheme classifies it")]
    assert citations[0].quote.startswith("Across many parts of Southeast Asia")


def test_south_central_america_lies_in_latin_america_and_reaches_countries(kb):
    south_central, latin = entity_iri("region", "south-central-america"), entity_iri("region", "latin-america")
    assert (south_central, EV.locatedIn, latin) in kb.dataset
    members = set(kb.dataset.subjects(EV.memberOf, south_central))
    assert members == {entity_iri("country", "br"), entity_iri("country", "mx")}
    assert members <= set(kb.dataset.subjects(EV.memberOf, latin))
    assert kb.entity("Latin America and the Caribbean").iri == str(latin)


def test_every_region_of_the_reference_has_a_member_country(kb):
    graph = kb.dataset.graph(GRAPH["reference"])
    for region in graph.subjects(RDF.type, EV.Region):
        assert any((c, RDF.type, EV.Country) in kb.dataset for c in kb.dataset.subjects(EV.memberOf, region)), region


def test_no_curated_fact_is_lost(kb):
    curated = Dataset().parse(CURATED, format="trig")
    missing = [t for t in curated.graph(GRAPH["reference"]) if t not in kb.dataset]
    assert missing == []
