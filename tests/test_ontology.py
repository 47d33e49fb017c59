"""The ontology: the Python vocabulary and the Turtle agree, every term is documented,
every object property says how it carries dependency, every class has a SHACL shape."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SH, SKOS

from evkg.ontology import EV, ONTOLOGY_PATH, SHAPES_PATH
from evkg.ontology.vocab import EV as VocabEV


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_PATH)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_PATH)


def _terms(ontology: Graph) -> set[str]:
    ns = str(EV._NS)
    return {str(s)[len(ns):] for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(ns)}


def test_vocabulary_matches_turtle(ontology):
    in_python = set(VocabEV.__annotations__)
    in_turtle = _terms(ontology)
    assert in_python - in_turtle == set(), "terms in vocab.py missing from evkg.ttl"
    assert in_turtle - in_python == set(), "terms in evkg.ttl missing from vocab.py"


def test_misspelt_term_is_an_error():
    with pytest.raises(AttributeError):
        EV.Automakr  # noqa: B018


def test_every_class_and_property_has_label_and_definition(ontology):
    undocumented = ontology.query(
        """
        SELECT ?term WHERE {
          VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty skos:Concept }
          ?term a ?kind .
          FILTER (isIRI(?term))
          FILTER (NOT EXISTS { ?term rdfs:label ?label }
                  || (NOT EXISTS { ?term skos:definition ?d } && NOT EXISTS { ?term rdfs:comment ?c }))
        }""",
        initNs={"owl": OWL, "skos": SKOS},
    )
    assert [str(row[0]) for row in undocumented] == []


def test_every_object_property_declares_its_dependency(ontology):
    schemes = set(ontology.subjects(SKOS.inScheme, EV.DependencyScheme))
    assert schemes == {EV.SubjectDependsOnObject, EV.ObjectDependsOnSubject, EV.MutualDependency, EV.NoDependency}
    for prop in ontology.subjects(RDF.type, OWL.ObjectProperty):
        values = set(ontology.objects(prop, EV.dependency))
        assert len(values) == 1 and values <= schemes, prop


def test_alignment_to_standard_vocabularies(ontology):
    from rdflib.namespace import RDFS

    expected = {
        (EV.Organization, "http://www.w3.org/ns/org#FormalOrganization"),
        (EV.Partnership, "http://www.w3.org/ns/org#OrganizationalCollaboration"),
        (EV.Facility, "http://www.w3.org/ns/org#Site"),
        (EV.Company, "https://schema.org/Corporation"),
        (EV.Country, "https://schema.org/Country"),
        (EV.VehicleModel, "https://schema.org/ProductModel"),
        (EV.Article, "https://schema.org/NewsArticle"),
        (EV.Statement, "https://schema.org/Quotation"),
        (EV.QuantityValue, "http://qudt.org/schema/qudt/QuantityValue"),
    }
    for cls, parent in expected:
        assert (cls, RDFS.subClassOf, URIRef(parent)) in ontology, (cls, parent)
    # org:memberOf's domain and range would make countries agents and regions organizations
    assert (EV.memberOf, RDFS.subPropertyOf, URIRef("http://www.w3.org/ns/org#memberOf")) not in ontology
    assert (EV.subsidiaryOf, RDFS.subPropertyOf, URIRef("http://www.w3.org/ns/org#subOrganizationOf")) in ontology
    assert (EV.OwnershipStake, SKOS.closeMatch, None) in ontology


def test_no_owl_imports(ontology):
    assert list(ontology.objects(None, OWL.imports)) == []


def test_every_class_has_a_shape(ontology, shapes):
    """Each class is targeted by a shape, itself or through a superclass (SHACL targets
    reach the instances of subclasses)."""
    from rdflib.namespace import RDFS

    targeted = set(shapes.objects(None, SH.targetClass))
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    uncovered = {
        c for c in classes
        if not targeted & set(ontology.transitive_objects(c, RDFS.subClassOf))
    }
    assert uncovered == set()


def test_every_constraint_has_a_message(shapes):
    alternatives = set(shapes.objects(None, RDF.first))  # members of sh:or: the parent has the message
    for shape in set(shapes.subjects(SH.path, None)) - alternatives:
        assert (shape, SH.message, None) in shapes, f"property shape without sh:message: {shape}"
    for shape in set(shapes.subjects(SH["or"], None)):
        assert (shape, SH.message, None) in shapes, f"sh:or without sh:message: {shape}"
