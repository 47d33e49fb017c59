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
