"""The evkg vocabulary: the OWL ontology, its SHACL shapes and the namespaces of the project.

Examples
--------
>>> from evkg.ontology import EV, ID, entity_iri
>>> entity_iri("company", "catl")
rdflib.term.URIRef('https://w3id.org/evkg/id/company/catl')
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from .vocab import EV

__all__ = [
    "EV",
    "BASE",
    "ID",
    "SOURCE",
    "GRAPH",
    "ORG",
    "SCHEMA",
    "QUDT",
    "UNIT",
    "PREFIXES",
    "ONTOLOGY_PATH",
    "SHAPES_PATH",
    "REFERENCE_GRAPH",
    "entity_iri",
]

BASE = "https://w3id.org/evkg/"
ID = Namespace(BASE + "id/")
SOURCE = Namespace(BASE + "source/")
GRAPH = Namespace(BASE + "graph/")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")

#: The named graph that holds plain reference data (country codes, regions).
REFERENCE_GRAPH = GRAPH["reference"]

_HERE = Path(str(resources.files(__package__)))
ONTOLOGY_PATH = _HERE / "evkg.ttl"
SHAPES_PATH = _HERE / "shapes.ttl"

#: Prefixes predeclared in every query and used in every export.
PREFIXES: dict[str, str] = {
    "ev": str(EV._NS),
    "id": str(ID),
    "src": str(SOURCE),
    "graph": str(GRAPH),
    "company": str(ID["company/"]),
    "organization": str(ID["organization/"]),
    "country": str(ID["country/"]),
    "region": str(ID["region/"]),
    "facility": str(ID["facility/"]),
    "partnership": str(ID["partnership/"]),
    "model": str(ID["model/"]),
    "person": str(ID["person/"]),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "org": str(ORG),
    "schema": str(SCHEMA),
    "qudt": str(QUDT),
    "unit": str(UNIT),
}


def entity_iri(kind: str, slug: str) -> URIRef:
    """Return the IRI of an instance: ``https://w3id.org/evkg/id/{kind}/{slug}``."""
    return ID[f"{kind}/{slug}"]
