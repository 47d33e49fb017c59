"""Build a networkx graph from the knowledge base: entities as nodes, relations as edges,
each edge with its predicate, labels, dependency direction and sources.

Examples
--------
>>> import evkg
>>> from evkg.graph import build_graph
>>> G = build_graph(evkg.load())
>>> G.nodes["https://w3id.org/evkg/id/company/catl"]["label"]
'CATL'
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
from rdflib import URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS

from ..kb import KnowledgeBase
from ..ontology import EV

__all__ = [
    "build_graph",
    "graph_of",
    "dependency_graph",
    "Relation",
    "relations",
    "DEPENDS_FORWARD",
    "DEPENDS_BACKWARD",
]

# What an edge's ``dependency`` attribute says, as two booleans: does the edge's source
# depend on its target (forward), does the target depend on the source (backward).
DEPENDS_FORWARD = {str(EV.SubjectDependsOnObject), str(EV.MutualDependency)}
DEPENDS_BACKWARD = {str(EV.ObjectDependsOnSubject), str(EV.MutualDependency)}

# Classes whose instances are documents or helpers, not entities of the graph.
_NOT_ENTITIES = {EV.Article, EV.ReferenceData, EV.Evidence, EV.QuantityValue}


@dataclass(frozen=True)
class Relation:
    """An object property as the graph uses it: IRI, label, inverse label, dependency."""

    iri: str
    label: str
    inverse_label: str
    dependency: str


def relations(kb: KnowledgeBase) -> dict[str, Relation]:
    """The object properties declared in the knowledge base (the ontology and any user
    vocabulary), with the dependency direction read from their ``ev:dependency``."""
    rdf = kb.dataset
    found = {}
    for prop in set(rdf.subjects(RDF.type, OWL.ObjectProperty)):
        if not isinstance(prop, URIRef):
            continue
        label = rdf.value(prop, RDFS.label)
        inverse = rdf.value(prop, EV.inverseLabel)
        dependency = rdf.value(prop, EV.dependency) or EV.NoDependency
        name = str(label) if label is not None else _local(prop)
        found[str(prop)] = Relation(
            str(prop), name, str(inverse) if inverse is not None else f"inverse of {name}", str(dependency)
        )
    return found


def _local(iri) -> str:
    text = str(iri)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _entity_classes(kb: KnowledgeBase) -> set[URIRef]:
    """ev: classes (with their subclasses) whose instances are graph nodes."""
    rdf = kb.dataset
    classes = {c for c in rdf.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    excluded = set()
    for root in _NOT_ENTITIES:
        excluded |= set(rdf.transitive_subjects(RDFS.subClassOf, root))
    return classes - excluded


def _country_of(kb: KnowledgeBase, iri: URIRef, types: set[URIRef]) -> str | None:
    rdf = kb.dataset
    if EV.Country in types:
        return str(iri)
    for predicate in (EV.basedIn, EV.locatedIn):
        for place in sorted(rdf.objects(iri, predicate)):
            if (place, RDF.type, EV.Country) in rdf:
                return str(place)
    return None


def build_graph(kb: KnowledgeBase, *, collapse: bool = False) -> nx.MultiDiGraph:
    """Return the knowledge base as a ``networkx.MultiDiGraph``.

    Nodes are entities (instances of the ontology's classes, fact nodes included) with
    attributes ``label``, ``type``, ``type_label``, ``country`` (IRI or None), ``fact``
    (True for n-ary fact nodes), ``details`` (figures and dates as (name, text) pairs) and
    ``sources``. Edges run subject → object, keyed by predicate IRI, with ``predicate``,
    ``label``, ``inverse_label``, ``dependency`` (an ev:DependencyScheme IRI), ``graphs``
    and ``sources`` (dicts with graph, source, title, quote).

    With ``collapse=True`` each n-ary fact node is replaced by direct edges between its
    participants, labelled with the fact (``via`` holds the fact node's IRI); the
    dependency of such an edge is composed from the two edges it replaces.

    Parameters
    ----------
    kb : KnowledgeBase
    collapse : bool

    Examples
    --------
    >>> import evkg
    >>> G = build_graph(evkg.load(), collapse=True)
    >>> toyota = "https://w3id.org/evkg/id/company/toyota"
    >>> sorted({d["label"] for _, _, d in G.edges(toyota, data=True) if "via" in d})
    ['Toyota–BYD co-development', 'Toyota–FAW alliance']
    """
    rdf = kb.dataset
    classes = _entity_classes(kb)
    props = relations(kb)
    G = nx.MultiDiGraph()

    nodes: dict[URIRef, set[URIRef]] = defaultdict(set)
    for subject, kind in rdf.subject_objects(RDF.type):
        if isinstance(subject, URIRef) and kind in classes:
            nodes[subject].add(kind)
    for iri in sorted(nodes):
        entity = kb.entity(str(iri))
        is_fact = (iri, EV.quote, None) in rdf
        G.add_node(
            str(iri),
            label=entity.label,
            type=entity.type,
            type_label=entity.type_label,
            country=_country_of(kb, iri, nodes[iri]),
            fact=is_fact,
            alt_labels=list(entity.alt_labels),
            details=list(kb.attributes(str(iri))),
            sources=[c.__dict__ for c in kb.node_citations(str(iri))] if is_fact else [],
        )

    evidence = kb.evidence_index()
    edges: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for s, p, o, g in rdf.quads((None, None, None, None)):
        if s in nodes and o in nodes and p not in (RDF.type, PROV.wasDerivedFrom):
            graph_name = g.identifier if hasattr(g, "identifier") else g
            edges[(str(s), str(p), str(o))].add(str(graph_name))
    for (s, p, o), graphs in sorted(edges.items()):
        relation = props.get(p) or Relation(p, kb.label_of(p), f"inverse of {kb.label_of(p)}", str(EV.NoDependency))
        if G.nodes[s]["fact"]:
            sources = G.nodes[s]["sources"]
        else:
            sources = [c.__dict__ for c in evidence.get((URIRef(s), URIRef(p), URIRef(o)), [])]
            if not sources:
                sources = [{"graph": g, "source": "", "title": kb.graph_title(g), "quote": None} for g in sorted(graphs)]
        G.add_edge(
            s,
            o,
            key=p,
            predicate=p,
            label=relation.label,
            inverse_label=relation.inverse_label,
            dependency=relation.dependency,
            graphs=sorted(graphs),
            sources=sources,
        )
    if collapse:
        G = _collapse(G)
    return G


def _collapse(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Replace each fact node by labelled edges between its participants."""
    H = nx.MultiDiGraph()
    H.add_nodes_from((n, d) for n, d in G.nodes(data=True) if not d["fact"])
    for u, v, key, data in G.edges(keys=True, data=True):
        if not G.nodes[u]["fact"] and not G.nodes[v]["fact"]:
            H.add_edge(u, v, key=key, **data)
    for fact, attrs in G.nodes(data=True):
        if not attrs["fact"]:
            continue
        # (participant, participant depends on fact, fact depends on participant, role)
        links = []
        for _, participant, data in G.out_edges(fact, data=True):
            if not G.nodes[participant]["fact"]:
                links.append((participant, data["dependency"] in DEPENDS_BACKWARD, data["dependency"] in DEPENDS_FORWARD, data["label"]))
        for participant, _, data in G.in_edges(fact, data=True):
            if not G.nodes[participant]["fact"]:
                links.append((participant, data["dependency"] in DEPENDS_FORWARD, data["dependency"] in DEPENDS_BACKWARD, data["inverse_label"]))
        links.sort()
        for i, (a, a_on_fact, fact_on_a, role_a) in enumerate(links):
            for b, b_on_fact, fact_on_b, role_b in links[i + 1 :]:
                if a == b:
                    continue
                forward = a_on_fact and fact_on_b
                backward = b_on_fact and fact_on_a
                dependency = (
                    EV.MutualDependency if forward and backward
                    else EV.SubjectDependsOnObject if forward
                    else EV.ObjectDependsOnSubject if backward
                    else EV.NoDependency
                )
                H.add_edge(
                    a,
                    b,
                    key=f"{fact}#{role_a}|{role_b}",
                    predicate=attrs["type"],
                    label=attrs["label"],
                    inverse_label=attrs["label"],
                    dependency=str(dependency),
                    graphs=sorted({s["graph"] for s in attrs["sources"]}),
                    sources=attrs["sources"],
                    via=fact,
                    roles=[role_a, role_b],
                )
    return H


def dependency_graph(G: nx.MultiDiGraph) -> nx.DiGraph:
    """A DiGraph with an edge x → y wherever x depends on y through some edge of ``G``.

    Each edge keeps the multigraph edges that carry it in ``carriers`` as
    (u, v, key) triples.
    """
    D = nx.DiGraph()
    D.add_nodes_from(G.nodes(data=True))
    for u, v, key, data in G.edges(keys=True, data=True):
        if data["dependency"] in DEPENDS_FORWARD:
            D.add_edge(u, v)
            D.edges[u, v].setdefault("carriers", []).append((u, v, key))
        if data["dependency"] in DEPENDS_BACKWARD:
            D.add_edge(v, u)
            D.edges[v, u].setdefault("carriers", []).append((u, v, key))
    return D


_CACHE: "weakref.WeakKeyDictionary[KnowledgeBase, dict]" = weakref.WeakKeyDictionary()


def graph_of(kb: KnowledgeBase, *, collapse: bool = False) -> nx.MultiDiGraph:
    """The graph of ``kb``, built once per knowledge base and revision (cached)."""
    cache = _CACHE.setdefault(kb, {})
    stale = [key for key in cache if key[0] != kb.revision]
    for key in stale:
        del cache[key]
    key = (kb.revision, collapse)
    if key not in cache:
        cache[key] = build_graph(kb, collapse=collapse)
    return cache[key]

