"""The vocabulary the query editor completes: the project prefixes, and the classes and
properties of the knowledge base with their labels (served at ``/api/vocabulary``).

Examples
--------
>>> import evkg
>>> terms = vocabulary(evkg.load())
>>> terms["prefixes"]["ev"]
'https://w3id.org/evkg/ontology#'
>>> [c for c in terms["classes"] if c["curie"] == "ev:BatteryMaker"][0]["label"]
'battery maker'
"""

from __future__ import annotations

import re
import weakref

from rdflib import URIRef

from ..kb import KnowledgeBase
from ..ontology import PREFIXES

__all__ = ["vocabulary"]

# Declared in the ontology, or used in the data: what a query can name.
_CLASSES = """SELECT DISTINCT ?term WHERE {
  { ?term a owl:Class } UNION { ?term a rdfs:Class } UNION { ?x a ?term }
  FILTER isIRI(?term)
}"""
_PROPERTIES = """SELECT DISTINCT ?term WHERE {
  { ?term a owl:ObjectProperty } UNION { ?term a owl:DatatypeProperty } UNION
  { ?term a owl:AnnotationProperty } UNION { ?term a rdf:Property } UNION { ?x ?term ?y }
  FILTER isIRI(?term)
}"""
# Labels first, then definitions: the first English (or untagged) text of each kind wins.
_TEXTS = (
    ("label", "rdfs:label"), ("label", "skos:prefLabel"),
    ("comment", "skos:definition"), ("comment", "rdfs:comment"),
)
_TEXT = """SELECT ?term ?text WHERE {{
  ?term {property} ?text .
  FILTER (isIRI(?term) && isLiteral(?text) && (lang(?text) = "" || langMatches(lang(?text), "en")))
}}"""
# The local part of a prefixed name that needs no escaping (a cautious subset of PN_LOCAL).
_PLAIN_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")

_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _curie(iri: str) -> str:
    """``prefix:local`` where a project prefix fits and the local part is plain, else ``<iri>``."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace) and _PLAIN_LOCAL.match(iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def _terms(iris: set[str], texts: dict[str, dict[str, str]]) -> list[dict]:
    terms = []
    for iri in iris:
        found = texts.get(iri, {})
        terms.append({"iri": iri, "curie": _curie(iri), "label": found.get("label", ""), "comment": found.get("comment", "")})
    return sorted(terms, key=lambda term: (term["curie"].startswith("<"), term["curie"].lower()))


def vocabulary(kb: KnowledgeBase) -> dict:
    """What a SPARQL editor needs to complete names in queries over ``kb``.

    Parameters
    ----------
    kb : KnowledgeBase
        Any store: the terms come from three SPARQL queries.

    Returns
    -------
    dict
        ``prefixes`` (prefix -> namespace, the project's, predeclared by the endpoint),
        ``classes`` and ``properties``: lists of ``{"iri", "curie", "label", "comment"}``,
        sorted by prefixed name. A class or property is one the ontology declares or the
        data uses; its label and comment are the English (or untagged) ``rdfs:label`` /
        ``skos:prefLabel`` and ``skos:definition`` / ``rdfs:comment``, empty if none.
        Computed once per knowledge base and revision.
    """
    cached = _cache.get(kb)
    if cached is not None and cached[0] == kb.revision:
        return cached[1]
    classes = {str(row[0]) for row in kb.rows(_CLASSES) if isinstance(row[0], URIRef)}
    properties = {str(row[0]) for row in kb.rows(_PROPERTIES) if isinstance(row[0], URIRef)}
    texts: dict[str, dict[str, str]] = {}
    for kind, prop in _TEXTS:
        for term, text in kb.rows(_TEXT.format(property=prop)):
            if str(term) in classes or str(term) in properties:
                texts.setdefault(str(term), {}).setdefault(kind, " ".join(str(text).split()))
    result = {"prefixes": dict(PREFIXES), "classes": _terms(classes, texts), "properties": _terms(properties, texts)}
    _cache[kb] = (kb.revision, result)
    return result
