"""The ontology and the seeds under OWL reasoners, with the vocabularies they align to
loaded (W3C ORG, PROV-O, SKOS, the QUDT units the seeds use; copies in data/vocab/):
HermiT (OWL 2 DL, through owlready2 and Java) finds them consistent with no
unsatisfiable class, and the OWL-RL closure (owlrl) makes no country, region or place an
organization and no organization a place."""

from __future__ import annotations

from pathlib import Path

import owlready2
import owlrl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

import evkg
from evkg.ontology import EV, ONTOLOGY_PATH, ORG, SCHEMA

VOCAB = Path(__file__).parent / "data" / "vocab"
VOCABULARIES = ("w3c-org.ttl", "w3c-prov-o.ttl", "skos-subset.ttl", "qudt-units-subset.ttl")

#: The datatypes of the OWL 2 datatype map (OWL 2 Structural Specification, 4), the only
#: ones an OWL 2 DL reasoner accepts as a range.
OWL2_DATATYPES = {
    XSD[name]
    for name in (
        "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int "
        "short byte unsignedLong unsignedInt unsignedShort unsignedByte double float string "
        "normalizedString token language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI "
        "dateTime dateTimeStamp"
    ).split()
} | {RDF.PlainLiteral, RDF.XMLLiteral, RDFS.Literal, OWL.real, OWL.rational}

#: The terms of FIBO's FND Ownership module
#: (https://spec.edmcouncil.org/fibo/ontology/FND/OwnershipAndControl/Ownership/).
FIBO_OWNERSHIP = "https://spec.edmcouncil.org/fibo/ontology/FND/OwnershipAndControl/Ownership/"
FIBO_OWNERSHIP_TERMS = {
    FIBO_OWNERSHIP + name
    for name in (
        "Asset IntangibleAsset TangibleAsset Owner Ownership hasOwnedAsset hasOwningParty isAssetOf "
        "isOwnedAsset isOwnedBy isOwningParty owns ownsAsset"
    ).split()
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_PATH)


@pytest.fixture(scope="module")
def merged(kb) -> Graph:
    """The ontology and every seed graph in one graph, with the aligned vocabularies."""
    merged = Graph()
    for triple in kb.dataset.triples((None, None, None)):
        merged.add(triple)
    for name in VOCABULARIES:
        # The vocabularies' own literals in datatypes outside the OWL 2 map (QUDT's
        # qudt:LatexString symbols) are left out: HermiT cannot read them, and they say
        # nothing about classes. evkg's own data goes in whole.
        for s, p, o in Graph().parse(VOCAB / name):
            if getattr(o, "datatype", None) is None or o.datatype in OWL2_DATATYPES:
                merged.add((s, p, o))
    return merged


def test_hermit_finds_ontology_and_seeds_consistent(merged, tmp_path):
    path = tmp_path / "evkg-with-vocabularies.nt"
    merged.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    with onto:
        # raises OwlReadyInconsistentOntologyError when the whole is inconsistent
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert [str(c.iri) for c in world.inconsistent_classes()] == []


@pytest.fixture(scope="module")
def closure(merged) -> Graph:
    closed = Graph()
    for triple in merged:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    return closed


def _instances(rdf: Graph, *classes) -> set:
    return {s for cls in classes for s in rdf.subjects(RDF.type, cls) if isinstance(s, URIRef)}


def test_owl_rl_closure_keeps_places_and_organizations_apart(closure):
    organizations = _instances(closure, ORG.Organization, EV.Organization, PROV.Organization, FOAF.Organization, SCHEMA.Organization)
    places = _instances(closure, EV.Place, SCHEMA.Place)
    assert _instances(closure, EV.Country) and _instances(closure, EV.Region)
    assert sorted(map(str, places & organizations)) == []
    agents = _instances(closure, FOAF.Agent)
    assert sorted(map(str, _instances(closure, EV.Country, EV.Region) & agents)) == []


def test_owl_rl_closure_keeps_industry_groups_out_of_organizations(closure):
    groups = _instances(closure, EV.IndustryGroup)
    assert groups
    assert sorted(map(str, groups & _instances(closure, ORG.Organization, EV.Organization))) == []


def test_owl_rl_closure_has_no_contradiction(closure):
    assert list(closure.subjects(RDF.type, OWL.Nothing)) == []


def test_ranges_are_in_the_owl2_datatype_map(ontology):
    outside = {
        (str(prop), str(rng))
        for prop, rng in ontology.subject_objects(RDFS.range)
        if str(rng).startswith(str(XSD)) and rng not in OWL2_DATATYPES
    }
    assert outside == set()


def test_body_styles_are_not_drivetrains(ontology):
    for style in (EV.Crossover, EV.SportUtilityVehicle):
        broader = set(ontology.transitive_objects(style, SKOS.broader)) - {style}
        assert broader == {EV.Vehicle}, style


def test_fibo_alignment_uses_fnd_ownership_terms(ontology):
    fibo = {str(o) for _, _, o in ontology if isinstance(o, URIRef) and "spec.edmcouncil.org/fibo" in str(o)}
    assert fibo and fibo <= FIBO_OWNERSHIP_TERMS, fibo - FIBO_OWNERSHIP_TERMS


def test_shacl_still_checks_years_are_gyear(tmp_path):
    data = tmp_path / "years.ttl"
    data.write_text(
        "@prefix ev: <https://w3id.org/evkg/ontology#> .\n"
        "<https://example.org/claim> ev:year \"twenty\" .\n"
        "<https://example.org/plant> ev:targetYear \"2031\" .\n",
        encoding="utf-8",
    )
    report = evkg.load([data], seeds=False).validate()
    messages = {(v.focus, v.message) for v in report.violations}
    assert ("https://example.org/claim", "ev:year must be an xsd:gYear (\"2024\"^^xsd:gYear).") in messages
    assert ("https://example.org/plant", "ev:targetYear must be an xsd:gYear (\"2026\"^^xsd:gYear).") in messages
