"""The reference data: every ISO 3166-1 country and ISO 4217 currency from pycountry, named
as the source, the IRIs the articles use kept, and ISO 3166-2 subdivisions in their countries."""

from __future__ import annotations

import csv
import importlib.metadata
import json
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
ISO_3166_1 = URIRef("https://www.iso.org/standard/72482.html")
ISO_3166_2 = URIRef("https://www.iso.org/standard/72483.html")
ISO_4217 = URIRef("https://www.iso.org/standard/64758.html")


@pytest.fixture(scope="module")
def gazetteer():
    return Dataset().parse(SUBDIVISIONS, format="trig")


@pytest.fixture(scope="module")
def kb_with_subdivisions():
    """The seeds with the subdivisions added (the tests only read it)."""
    return evkg.load([SUBDIVISIONS])


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
    for standard in (ISO_3166_1, ISO_3166_2, ISO_4217):
        assert (reference, DCTERMS.conformsTo, standard) in kb.dataset
    assert (ISO_3166_1, RDFS.seeAlso, URIRef("https://www.iso.org/iso-3166-country-codes.html")) in kb.dataset
    assert (ISO_4217, RDFS.seeAlso, URIRef("https://www.iso.org/iso-4217-currency-codes.html")) in kb.dataset


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
    graph, iso = gazetteer.graph(GRAPH["subdivisions"]), gazetteer.graph(GRAPH["iso-3166-2"])
    for sub in pycountry.subdivisions:
        # the subdivisions the articles name are in the loaded reference data, under their IRIs
        held = (graph, iso) if (None, SKOS.notation, Literal(sub.code)) in iso else (kb.dataset, kb.dataset)
        (iri,) = held[1].subjects(SKOS.notation, Literal(sub.code))
        assert (iri, RDF.type, EV.Subdivision) in held[0]
        assert (iri, EV.locatedIn, entity_iri("country", sub.country_code.lower())) in held[1], sub.code
    guangdong = entity_iri("subdivision", "cn-gd")
    assert iso.value(guangdong, RDFS.label) == Literal("Guangdong Sheng", lang="en"), "ISO's name"
    assert (guangdong, SKOS.altLabel, Literal("Guangdong", lang="en")) in graph, "evkg's name"


def test_a_subdivision_named_like_a_country_carries_its_country(gazetteer):
    graph, iso = gazetteer.graph(GRAPH["subdivisions"]), gazetteer.graph(GRAPH["iso-3166-2"])
    georgia = entity_iri("subdivision", "us-ga")
    assert graph.value(georgia, RDFS.label) == Literal("Georgia (United States)", lang="en")
    assert (georgia, SKOS.altLabel, Literal("Georgia", lang="en")) in iso


def test_the_subdivisions_load_with_data_and_conform(kb_with_subdivisions):
    kb = kb_with_subdivisions
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
    codes = [(r, p, c) for r, p, c in graph.triples((None, SKOS.notation, None)) if (r, RDF.type, EV.Region) in graph]
    assert len(codes) == 10 and all(statements[t] == [M49] for t in codes)
    assert sorted(statements) == sorted(relations + codes)
    home = {t: s for t, s in statements.items() if t[1] == EV.basedIn}
    assert len(home) == 12 and set(map(tuple, home.values())) == {(BACKGROUND,)}
    assert statements[(entity_iri("place", "jakarta"), EV.locatedIn, entity_iri("country", "id"))] == [ISO_3166_2]
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


# ------------------------------------------------------------------ ISO codes and names cite their standard


def _iso(kb, subject, predicate, value) -> list[tuple]:
    return [(c.source, c.title, c.quote, c.note) for c in kb.citations(subject, predicate, value)]


def _cites(standard: URIRef, short: str, title: str) -> list[tuple]:
    return [(str(standard), title, None, f"{short}, as provided by pycountry {VERSION}")]


ISO_3166_1_CITED = _cites(ISO_3166_1, "ISO 3166-1", "ISO 3166-1:2020 Codes for the representation of names of countries "
                          "and their subdivisions — Part 1: Country code")
ISO_4217_CITED = _cites(ISO_4217, "ISO 4217", "ISO 4217:2015 Codes for the representation of currencies")
ISO_3166_2_CITED = _cites(ISO_3166_2, "ISO 3166-2", "ISO 3166-2:2020 Codes for the representation of names of countries "
                          "and their subdivisions — Part 2: Country subdivision code")


def test_every_country_code_and_iso_name_cites_iso_3166_1(kb):
    for country in pycountry.countries:
        iri = entity_iri("country", country.alpha_2.lower())
        assert _iso(kb, iri, SKOS.notation, Literal(country.alpha_2)) == ISO_3166_1_CITED, country.alpha_2
        assert _iso(kb, iri, EV.alpha3Code, Literal(country.alpha_3)) == ISO_3166_1_CITED, country.alpha_2
        for name in (country.name, getattr(country, "official_name", None)):
            held = [p for p in (RDFS.label, SKOS.altLabel) if name and (iri, p, Literal(name, lang="en")) in kb.dataset]
            for predicate in held:
                citations = _iso(kb, iri, predicate, Literal(name, lang="en"))
                assert ISO_3166_1_CITED[0] in citations, (country.alpha_2, name)
    # a curated name that is also ISO's cites both; a common name pycountry adds is not ISO's
    assert [c[0] for c in _iso(kb, entity_iri("country", "cn"), RDFS.label, Literal("China", lang="en"))] == [
        str(ISO_3166_1), str(SOURCE["reference"])]
    assert [c[0] for c in _iso(kb, entity_iri("country", "bo"), RDFS.label, Literal("Bolivia", lang="en"))] == [
        str(SOURCE["reference"])]


def test_every_currency_code_and_name_cites_iso_4217(kb):
    for currency in pycountry.currencies:
        unit = UNIT[f"CCY_{currency.alpha_3}"]
        for predicate, value in ((QUDT.currencyCode, Literal(currency.alpha_3)), (QUDT.currencyNumber, Literal(currency.numeric)),
                                 (RDFS.label, Literal(currency.name, lang="en"))):
            assert _iso(kb, unit, predicate, value) == ISO_4217_CITED, (currency.alpha_3, predicate)


def test_the_subdivisions_cite_iso_3166_2(kb_with_subdivisions):
    kb = kb_with_subdivisions
    guangdong, shanghai = entity_iri("subdivision", "cn-gd"), entity_iri("place", "shanghai")
    assert _iso(kb, guangdong, SKOS.notation, Literal("CN-GD")) == ISO_3166_2_CITED
    assert _iso(kb, guangdong, EV.locatedIn, entity_iri("country", "cn")) == ISO_3166_2_CITED
    assert _iso(kb, guangdong, RDFS.label, Literal("Guangdong Sheng", lang="en")) == ISO_3166_2_CITED
    assert [c[0] for c in _iso(kb, guangdong, SKOS.altLabel, Literal("Guangdong", lang="en"))] == [str(SOURCE["subdivisions"])]
    assert _iso(kb, shanghai, SKOS.notation, Literal("CN-SH")) == ISO_3166_2_CITED
    assert _iso(kb, shanghai, EV.locatedIn, entity_iri("country", "cn")) == ISO_3166_2_CITED


def test_show_prints_the_standard_and_pycountry(runner):
    from evkg.cli import cli

    text = runner.invoke(cli, ["show", "Pakistan"])
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    code = lines.index("skos:notation")
    number = lines[code + 2].split("]")[0].strip()
    assert lines[code + 1:code + 3] == ["  • PK", f"      {number}] (ISO 3166-1, as provided by pycountry {VERSION})"]
    assert f"  {number}] {ISO_3166_1_CITED[0][1]}  <{ISO_3166_1}>" in lines
    # the names ISO gives are shown with their citations; the curated label cites the reference data too
    name = lines.index("skos:altLabel")
    assert lines[name + 1:name + 3] == ["  • Islamic Republic of Pakistan", f"      {number}] (ISO 3166-1, as provided by pycountry {VERSION})"]
    label = lines.index("rdfs:label")
    assert lines[label + 1:label + 3] == ["  • Pakistan  (2 sources)", f"      {number}] (ISO 3166-1, as provided by pycountry {VERSION})"]
    assert "rdfs:label" not in runner.invoke(cli, ["show", "CATL"]).output, "names no classification gives only head the page"
    data = json.loads(runner.invoke(cli, ["show", "Pakistan Rupee", "--format", "json"]).output)
    sources = {f["relation"]: f["sources"] for f in data["facts"]}
    assert [(s["source"], s["title"], s["note"]) for s in sources[str(QUDT.currencyCode)]] == [ISO_4217_CITED[0][:2] + ISO_4217_CITED[0][3:]]


def test_path_and_page_print_the_standard_of_a_place(runner, kb):
    from evkg.cli import cli
    from evkg.graph import graph_view
    from evkg.render.html import page_data

    text = runner.invoke(cli, ["path", "Jakarta", "Indonesia"])
    assert text.output.splitlines() == ["Jakarta —located in→ Indonesia", f"  [1] located in: ISO 3166-2, as provided by pycountry {VERSION}"]
    data = json.loads(runner.invoke(cli, ["path", "Jakarta", "Indonesia", "--format", "json"]).output)
    [source] = data["paths"][0]["edges"][0]["sources"]
    assert (source["source"], source["note"]) == (str(ISO_3166_2), f"ISO 3166-2, as provided by pycountry {VERSION}")
    page = page_data(graph_view(kb, sources=["reference"]))
    notes = {q["title"]: q.get("note") for q in page["quotes"]}
    assert notes[ISO_3166_2_CITED[0][1]] == f"ISO 3166-2, as provided by pycountry {VERSION}"
    assert notes["UN M49 geoscheme"] == "as the UN M49 geoscheme classifies it"


# ------------------------------------------------------------------ M49, against a copy of the UN table

M49_TABLE = ROOT / "tests" / "data" / "m49.csv"  # its source and licence: tests/data/m49.md
#: The areas of M49 the table has no column for, as unions of areas it has: the continent
#: of North America (a footnote of the M49 table); and South-Central America, which is no
#: M49 area but the article's name for Central and South America.
UNIONS = {"003": {"021", "013", "029"}, "south-central-america": {"013", "005"}}


def m49_areas(path=M49_TABLE) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Each M49 area's code -> the alpha-2 codes of its countries, and its name, from the table."""
    members: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as table:
        for row in csv.DictReader(table):
            for level in ("Region", "Sub-region", "Intermediate Region"):
                if row[f"{level} Code"]:
                    code = row[f"{level} Code"].zfill(3)
                    members.setdefault(code, set()).add(row["ISO3166-1-Alpha-2"])
                    names[code] = row[f"{level} Name"]
    for area, parts in UNIONS.items():
        members[area] = set().union(*(members[p] for p in parts))
    return members, names


def m49_mismatches(kb, areas: dict[str, set[str]], names: dict[str, str]) -> list[str]:
    """What the reference data says about M49 regions that the table does not: a code that
    is no area of the table, a name that is not the area's, a member (a country with any
    membership, or a region) the area does not hold, or a member it leaves out."""
    graph = kb.dataset.graph(GRAPH["reference"])
    countries = {c for c in graph.subjects(EV.memberOf, None) if (c, RDF.type, EV.Country) in kb.dataset}
    code_of = {c: str(kb.dataset.value(c, SKOS.notation)) for c in countries}
    wrong = []
    for region in sorted(graph.subjects(DCTERMS.conformsTo, M49)):
        code = graph.value(region, SKOS.notation)
        area = str(code) if code is not None else str(region).rsplit("/", 1)[-1]
        if area not in areas:
            wrong.append(f"{region}: {area} is no area of the M49 table")
            continue
        if area in names and names[area] not in {str(n) for p in (RDFS.label, SKOS.altLabel) for n in kb.dataset.objects(region, p)}:
            wrong.append(f"{region}: M49 names {area} {names[area]!r}")
        held = {code_of[c] for c in countries if (c, EV.memberOf, region) in graph}
        wrong += [f"{region}: {c} is no member of M49 {area}" for c in sorted(held - areas[area])]
        wrong += [f"{region}: M49 {area} holds {c}" for c in sorted((areas[area] & set(code_of.values())) - held)]
        for outer in graph.objects(region, EV.locatedIn):
            outer_code = graph.value(outer, SKOS.notation)
            if outer_code is not None and not areas[area] <= areas.get(str(outer_code), set()):
                wrong.append(f"{region}: M49 {area} is not within {outer_code}")
    return wrong


def test_m49_codes_names_and_members_are_those_of_the_un_table(kb):
    areas, names = m49_areas()
    assert len(areas) > 25 and areas["035"] >= {"ID", "MY", "PH", "TH", "VN"} and names["035"] == "South-eastern Asia"
    assert m49_mismatches(kb, areas, names) == []


def test_a_wrong_m49_membership_is_found(kb, tmp_path):
    areas, names = m49_areas()
    # Pakistan moved to Central Asia in a copy of the table
    table = tmp_path / "m49.csv"
    text = M49_TABLE.read_text(encoding="utf-8").replace("PK,586,142,Asia,34,Southern Asia", "PK,586,142,Asia,143,Central Asia")
    table.write_text(text, encoding="utf-8")
    moved, moved_names = m49_areas(table)
    assert m49_mismatches(kb, moved, moved_names) == [
        f"{entity_iri('region', 'central-asia')}: M49 143 holds PK",
        f"{entity_iri('region', 'south-asia')}: PK is no member of M49 034",
    ]
    # an area whose name is not the region's
    renamed = dict(names, **{"030": "Far East"})
    assert m49_mismatches(kb, areas, renamed) == [f"{entity_iri('region', 'east-asia')}: M49 names 030 'Far East'"]
