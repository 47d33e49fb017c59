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

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from ..kb import _HIDDEN, QUANTITY_PARTS, Citation, KnowledgeBase, _citation_order, quantity_text
from ..ontology import EV, ID, REFERENCE_GRAPH

__all__ = [
    "build_graph",
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
    classes = _entity_classes(kb)
    props = relations(kb)
    read = _Reader(kb)

    # Every IRI's classes, then the nodes: instances of the ontology's entity classes.
    types: dict[URIRef, set[URIRef]] = defaultdict(set)
    for subject, _, kind in read.triples_with(RDF.type):
        if isinstance(subject, URIRef) and isinstance(kind, URIRef):
            types[subject].add(kind)
    nodes = {iri for iri, kinds in types.items() if not kinds.isdisjoint(classes)}

    names = read.names(nodes)
    places = read.places(nodes)
    details = read.details(nodes)
    quotes = read.quotes()
    G = nx.MultiDiGraph()
    for iri in sorted(nodes):
        kinds = types[iri]
        own = sorted(k for k in kinds if str(k).startswith(str(EV._NS)))
        kind = (own or sorted(kinds))[0]
        label, alt_labels = names.get(iri, (None, ()))
        is_fact = iri in quotes
        G.add_node(
            str(iri),
            label=label if label is not None else kb.label_of(iri),
            type=str(kind),
            type_label=read.label(kind),
            country=_country(iri, kinds, places, types),
            fact=is_fact,
            alt_labels=list(alt_labels),
            details=list(details.get(iri, ())),
            sources=[c.__dict__ for c in read.citations(iri)] if is_fact else [],
        )

    edges: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for s, p, o, g in read.links():
        if s in nodes and o in nodes:
            edges[(str(s), str(p), str(o))].add(str(g))
    evidence = read.evidence()
    for (s, p, o), graphs in sorted(edges.items()):
        relation = props.get(p) or Relation(p, read.label(URIRef(p)), f"inverse of {read.label(URIRef(p))}", str(EV.NoDependency))
        if G.nodes[s]["fact"]:
            sources = G.nodes[s]["sources"]
        else:
            sources = [c.__dict__ for c in evidence.get((URIRef(s), URIRef(p), URIRef(o)), [])]
            if not sources:
                sources = [{"graph": g, "source": "", "title": read.graph_title(g), "quote": None} for g in sorted(graphs)]
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
    # The reference data names every ISO 3166 country: one that only it names, with no
    # edge, would be an isolated node on every page and in every ranking.
    typed_elsewhere = {s for s, _, g in read.quads_with(RDF.type) if str(g) != str(REFERENCE_GRAPH)}
    G.remove_nodes_from([n for n in list(G) if G.degree(n) == 0 and URIRef(n) not in typed_elsewhere])
    if collapse:
        G = _collapse(G)
    return G


def _country(iri: URIRef, kinds: set[URIRef], places: dict, types: dict) -> str | None:
    """The node itself if it is a country, else the first country it is based or located in."""
    if EV.Country in kinds:
        return str(iri)
    for predicate in (EV.basedIn, EV.locatedIn):
        for place in sorted(places.get((iri, predicate), ())):
            if EV.Country in types.get(place, ()):
                return str(place)
    return None


#: Triples the graph's nodes do not show among their details.
_NOT_DETAILS = frozenset(_HIDDEN | {EV.evidence})


class _Reader:
    """Reads what the graph's nodes and edges carry in a few passes over the store, not
    a lookup per node, and puts it into words as the knowledge base does.

    On a store that answers SPARQL itself (Oxigraph, a SPARQL endpoint) each pass is
    one streamed query; on rdflib's memory store, one walk over a triple pattern (rdflib's
    own SPARQL engine is the slower way there).
    """

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.by_sparql = kb.store is not None and kb.store.native_sparql
        self._labels: dict[URIRef, str] = {}
        self._titles: dict[str, str] = {}
        self._sources: dict[URIRef, tuple[str, str]] = {}
        self._quotes: dict[URIRef, list[tuple[URIRef, str]]] | None = None
        self._extra: dict[URIRef, list[URIRef]] = defaultdict(list)
        self._interpretations: dict[URIRef, str] = {}

    # ------------------------------------------------------------ passes over the store

    def triples_with(self, *predicates: URIRef) -> Iterator[tuple]:
        """(subject, predicate, object) of every triple with one of ``predicates``."""
        if self.by_sparql:
            values = " ".join(f"<{p}>" for p in predicates)
            return self.kb.rows(f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o }}")
        union = self.kb.dataset
        return ((s, p, o) for p in predicates for s, o in union.subject_objects(p))

    def quads_with(self, predicate: URIRef) -> Iterator[tuple]:
        """(subject, object, graph) of every triple with ``predicate``, in each named graph."""
        if self.by_sparql:
            return self.kb.rows(f"SELECT ?s ?o ?g WHERE {{ GRAPH ?g {{ ?s <{predicate}> ?o }} }}")
        return ((s, o, _name(g)) for s, _, o, g in self.kb.dataset.quads((None, predicate, None, None)))

    def described(self) -> Iterator[tuple]:
        """(subject, predicate, object) of every triple about an IRI that could be a detail."""
        if self.by_sparql:
            skip = ", ".join(f"<{p}>" for p in sorted(_NOT_DETAILS))
            return self.kb.rows(f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && ?p NOT IN ({skip})) }}")
        return (
            (s, p, o) for s, p, o in self.kb.dataset.triples((None, None, None))
            if isinstance(s, URIRef) and p not in _NOT_DETAILS
        )

    def links(self) -> Iterator[tuple]:
        """(subject, predicate, object, graph) of every IRI-to-IRI triple in a named graph
        but rdf:type and prov:wasDerivedFrom: the candidate edges."""
        if self.by_sparql:
            return self.kb.rows(
                "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                "FILTER(isIRI(?s) && isIRI(?o) && ?p != rdf:type && ?p != prov:wasDerivedFrom) }"
            )
        return (
            (s, p, o, _name(g)) for s, p, o, g in self.kb.dataset.quads((None, None, None, None))
            if isinstance(s, URIRef) and isinstance(o, URIRef) and p not in (RDF.type, PROV.wasDerivedFrom)
        )

    # ------------------------------------------------------------ what nodes and edges carry

    def label(self, term) -> str:
        """The label of a property, class or other IRI (asked once each)."""
        if term not in self._labels:
            self._labels[term] = self.kb.label_of(term)
        return self._labels[term]

    def graph_title(self, graph: str) -> str:
        if graph not in self._titles:
            self._titles[graph] = self.kb.graph_title(graph)
        return self._titles[graph]

    def names(self, nodes: set) -> dict[URIRef, tuple[str | None, tuple[str, ...]]]:
        """Each node's label (as KnowledgeBase.label_of chooses it) and its other names."""
        found: dict[URIRef, dict] = defaultdict(lambda: {RDFS.label: None, SKOS.prefLabel: None, SKOS.altLabel: set()})
        for subject, predicate, value in self.triples_with(RDFS.label, SKOS.prefLabel, SKOS.altLabel):
            if subject not in nodes:
                continue
            entry = found[subject]
            if predicate == SKOS.altLabel:
                entry[predicate].add(str(value))
            elif isinstance(value, Literal) and value.language in (None, "en"):
                current = entry[predicate]
                if current is None or str(value) < current:
                    entry[predicate] = str(value)
        return {
            iri: (entry[RDFS.label] or entry[SKOS.prefLabel], tuple(sorted(entry[SKOS.altLabel])))
            for iri, entry in found.items()
        }

    def places(self, nodes: set) -> dict[tuple[URIRef, URIRef], list[URIRef]]:
        found: dict[tuple[URIRef, URIRef], list[URIRef]] = defaultdict(list)
        for subject, predicate, place in self.triples_with(EV.basedIn, EV.locatedIn):
            if subject in nodes and isinstance(place, URIRef):
                found[(subject, predicate)].append(place)
        return found

    def details(self, nodes: set) -> dict[URIRef, tuple[tuple[str, str], ...]]:
        """KnowledgeBase.attributes of every node: figures and dates in words."""
        entity_space = str(ID)
        pairs: dict[URIRef, set[tuple[str, str]]] = defaultdict(set)
        quantities: dict = {}
        for subject, predicate, value in self.described():
            if subject not in nodes or predicate in _NOT_DETAILS:
                continue
            if isinstance(value, BNode):
                quantities.setdefault(value, []).append((subject, predicate))
            elif isinstance(value, Literal):
                pairs[subject].add((self.label(predicate), str(value)))
            elif not str(value).startswith(entity_space):
                pairs[subject].add((self.label(predicate), self.label(value)))
        if quantities:
            parts: dict = defaultdict(dict)
            for node, predicate, value in self.triples_with(*QUANTITY_PARTS):
                if node in quantities:
                    held = parts[node]
                    held[predicate] = value if predicate not in held else min(held[predicate], value)
            for node, uses in quantities.items():
                words = quantity_text(parts.get(node, {}))
                for subject, predicate in uses:
                    pairs[subject].add((self.label(predicate), words))
        return {iri: tuple(sorted(found)) for iri, found in pairs.items()}

    def quotes(self) -> dict[URIRef, list[tuple[URIRef, str]]]:
        """Every node with a quote: its (graph, quote) pairs."""
        if self._quotes is None:
            self._quotes = defaultdict(list)
            for node, quote, graph in self.quads_with(EV.quote):
                self._quotes[node].append((graph, str(quote)))
            for node, _, extra in self.triples_with(EV.evidence):
                self._extra[node].append(extra)
            for node, _, reading in self.triples_with(EV.interpretation):
                self._interpretations[node] = str(reading)
        return self._quotes

    def _source(self, graph: URIRef) -> tuple[str, str]:
        if graph not in self._sources:
            source = self.kb._graph_source(graph)
            self._sources[graph] = (str(source or ""), self.kb._source_title(source))
        return self._sources[graph]

    def citations(self, node) -> list[Citation]:
        """KnowledgeBase.node_citations, from the quotes read in bulk."""
        quotes = self.quotes()
        if node not in quotes:
            return self.kb.node_citations(node)  # no quote of its own: the knowledge base's rules
        interpretation = self._interpretations.get(node)
        citations = [Citation(str(graph), *self._source(graph), quote, interpretation) for graph, quote in quotes[node]]
        for extra in sorted(self._extra.get(node, ())):
            citations.extend(self.citations(extra))
        return sorted(set(citations), key=lambda c: (c.graph, c.quote or ""))

    def evidence(self) -> dict[tuple, list[Citation]]:
        """KnowledgeBase.evidence_index, from the quotes read in bulk."""
        parts: dict = defaultdict(dict)
        for node, predicate, value in self.triples_with(RDF.subject, RDF.predicate, RDF.object):
            held = parts[node]
            held[predicate] = value if predicate not in held else min(held[predicate], value)
        index: dict[tuple, list[Citation]] = defaultdict(list)
        for node, held in parts.items():
            triple = (held.get(RDF.subject), held.get(RDF.predicate), held.get(RDF.object))
            index[triple].extend(self.citations(node))
        return {triple: sorted(found, key=_citation_order) for triple, found in index.items()}


def _name(graph) -> URIRef:
    return graph.identifier if hasattr(graph, "identifier") else graph


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

