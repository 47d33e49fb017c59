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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import networkx as nx
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from ..caching import collector_paused
from ..kb import NO_DETAIL_PREDICATES, QUANTITY_PARTS, KnowledgeBase, quantity_text
from ..ontology import EV, ID, REFERENCE_GRAPH

__all__ = [
    "build_graph",
    "dependency_graph",
    "Relation",
    "relations",
    "entity_classes",
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


def entity_classes(kb: KnowledgeBase) -> set[URIRef]:
    """The classes whose instances are the graph's nodes: every OWL class of the knowledge
    base but documents and helpers (articles, reference data, evidence and quantity
    values, with their subclasses).

    Examples
    --------
    >>> import evkg
    >>> classes = entity_classes(evkg.load())
    >>> EV.Company in classes, EV.Article in classes
    (True, False)
    """
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
    (True for n-ary fact nodes), ``alt_labels``, ``details`` (figures and dates as
    (name, text) pairs) and ``sources``. Edges run subject → object, keyed by predicate
    IRI, with ``predicate``, ``label``, ``inverse_label``, ``dependency`` (an
    ev:DependencyScheme IRI), ``graphs`` and ``sources`` (dicts with graph, source, title,
    quote). Every value is a plain string, number, boolean, list, tuple or dict; equal
    lists (the same graphs, the same details) are one list, held by every node or edge
    that has them: read them, never change them in place.

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
    classes = {str(c) for c in entity_classes(kb)}
    props = relations(kb)
    # The values read hold no reference cycles: the collector's passes over the millions
    # of them a large store gives would only cost time.
    with collector_paused():
        G = _assemble(kb, classes, props)
    if collapse:
        G = _collapse(G)
    return G


def _assemble(kb: KnowledgeBase, classes: set[str], props: dict[str, Relation]) -> nx.MultiDiGraph:
    """The graph of :func:`build_graph`, not collapsed: one pass over the store, then the
    nodes in IRI order, then the edges in (subject, predicate, object) order."""
    scan = _Scan(kb)
    scan.read(_quads(kb, skip=_SKIPPED))
    nodes = sorted(iri for iri, kinds in scan.types.items() if not classes.isdisjoint(kinds))
    candidates = set(nodes)
    edges = {}
    linked = set()
    for s in nodes:
        found = scan.edges_from(s, candidates)
        if found:
            edges[s] = found
            linked.add(s)
            linked.update([o for _, o, _ in found])
    # The reference data names every ISO 3166 country: one that only it names, with no
    # edge, would be an isolated node on every page and in every ranking.
    nodes = [n for n in nodes if n in linked or n in scan.typed_elsewhere]
    del linked, candidates
    shared = _Shared()

    G = nx.MultiDiGraph()
    fact_sources: dict[str, list] = {}
    for iri in nodes:
        kinds = scan.types[iri]
        if len(kinds) == 1:
            kind = kinds[0]
        else:
            kind = min((k for k in kinds if k.startswith(_EV)), default=None) or min(kinds)
        label, alt_labels = scan.names(iri)
        if iri in scan.quotes:
            sources = fact_sources[iri] = scan.citations(iri)
        else:
            sources = shared.list(())
        G.add_node(
            iri,
            label=label if label is not None else kb.label_of(URIRef(iri)),
            type=kind,
            type_label=scan.label(kind),
            country=scan.country(iri, kinds, edges.get(iri, ())),
            fact=iri in fact_sources,
            alt_labels=shared.list(alt_labels),
            details=shared.list(scan.details(iri)),
            sources=sources,
        )
    scan.release_nodes()

    evidence = scan.evidence()
    for s in nodes:
        found = edges.pop(s, None)
        if found is None:
            continue
        fact = fact_sources.get(s)
        for p, o, graphs in found:
            relation = props.get(p)
            if relation is None:
                label = scan.label(p)
                relation = props[p] = Relation(p, label, f"inverse of {label}", str(EV.NoDependency))
            sources = fact
            if sources is None:
                sources = (evidence and evidence.get((s, p, o))) or shared.graph_sources(graphs, scan.graph_title)
            G.add_edge(
                s,
                o,
                key=relation.iri,
                predicate=relation.iri,
                label=relation.label,
                inverse_label=relation.inverse_label,
                dependency=relation.dependency,
                graphs=shared.list(graphs),
                sources=sources,
            )
    return G


_EV = str(EV._NS)
_XSD_STRING = str(XSD.string)
_XSD_DECIMAL = str(XSD.decimal)


class _Blank(str):
    """A blank node's label, apart from IRIs (both are plain strings elsewhere)."""

    __slots__ = ()


def _quads(kb: KnowledgeBase, *, skip: frozenset[str] = frozenset()) -> Iterator[tuple]:
    """Every quad of ``kb``'s named graphs as plain values: an IRI is a ``str``, a blank
    node a :class:`_Blank`, a literal a (lexical form, language, datatype) tuple, and
    the graph its name. Quads whose predicate is in ``skip`` are left out.

    An Oxigraph database is read directly, graph by graph, without making rdflib terms;
    a store that answers SPARQL itself in one streamed query; rdflib's memory store by
    walking its quads.
    """
    handle = kb.store.pyoxigraph_store if kb.store is not None else None
    if handle is not None:
        return _oxigraph_quads(handle, skip)
    if kb.store is not None and kb.store.native_sparql:
        rows = kb.rows("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    else:
        rows = ((s, p, o, _name(g)) for s, p, o, g in kb.dataset.quads((None, None, None, None)))
    return _rdflib_quads(rows, skip)


def _oxigraph_quads(store, skip: frozenset[str]) -> Iterator[tuple]:
    import pyoxigraph as ox

    named, blank, literal = ox.NamedNode, ox.BlankNode, ox.Literal
    for graph in sorted(store.named_graphs(), key=str):
        name = graph.value
        for quad in store.quads_for_pattern(None, None, None, graph):
            p = quad.predicate.value
            if p in skip:
                continue
            s = quad.subject
            kind = type(s)
            if kind is named:
                s = s.value
            elif kind is blank:
                s = _Blank(s.value)
            else:
                continue  # a quoted triple (RDF 1.2) is no entity
            o = quad.object
            kind = type(o)
            if kind is named:
                o = o.value
            elif kind is literal:
                language = o.language
                if language:
                    o = (o.value, language, None)
                else:
                    datatype = o.datatype.value
                    value = o.value
                    if datatype == _XSD_DECIMAL and "." not in value:
                        value += ".0"  # as evkg's rdflib view of the store reads it
                    o = (value, None, datatype)
            elif kind is blank:
                o = _Blank(o.value)
            else:
                continue
            yield s, p, o, name


def _rdflib_quads(rows, skip: frozenset[str]) -> Iterator[tuple]:
    for s, p, o, g in rows:
        p = str(p)
        if p in skip:
            continue
        kind = type(s)
        if kind is URIRef:
            s = str(s)
        elif kind is BNode:
            s = _Blank(s)
        else:
            continue
        kind = type(o)
        if kind is URIRef:
            o = str(o)
        elif kind is Literal:
            o = (str(o), o.language, None if o.datatype is None else str(o.datatype))
        elif kind is BNode:
            o = _Blank(o)
        else:
            continue
        yield s, p, o, str(g)


def _term(value):
    """The rdflib term of a plain value from :func:`_quads`."""
    if type(value) is tuple:
        text, language, datatype = value
        if language or datatype is None or datatype == _XSD_STRING:
            return Literal(text, lang=language or None)
        return Literal(text, datatype=URIRef(datatype))
    return BNode(value) if type(value) is _Blank else URIRef(value)


class _Shared:
    """One list for every equal list of values (the same graphs, details, names), and one
    list of sources for every edge stated by the same graphs with no quote of its own:
    the graph of a large store holds each of them once."""

    def __init__(self):
        self._lists: dict[tuple, list] = {}
        self._sources: dict[tuple, list] = {}

    def list(self, values) -> list:
        key = tuple(values)
        found = self._lists.get(key)
        if found is None:
            found = self._lists[key] = list(key)
        return found

    def graph_sources(self, graphs: tuple[str, ...], title) -> list[dict]:
        found = self._sources.get(graphs)
        if found is None:
            found = self._sources[graphs] = [
                {"graph": g, "source": "", "title": title(g), "quote": None} for g in graphs
            ]
        return found


#: What a quad's predicate tells :class:`_Scan` to note besides edges and details.
_TYPE, _NAME, _ALT_NAME, _QUOTE, _EVIDENCE, _READING, _STATEMENT, _QUANTITY = range(1, 9)
_ROLES = {
    str(RDF.type): _TYPE,
    str(RDFS.label): _NAME,
    str(SKOS.prefLabel): _NAME,
    str(SKOS.altLabel): _ALT_NAME,
    str(EV.quote): _QUOTE,
    str(EV.evidence): _EVIDENCE,
    str(EV.interpretation): _READING,
    **{str(p): _STATEMENT for p in (RDF.subject, RDF.predicate, RDF.object)},
    **{str(p): _QUANTITY for p in QUANTITY_PARTS},
}
#: Neither an edge nor a detail, and nothing else the graph shows.
_SKIPPED = frozenset({str(PROV.wasDerivedFrom)})


class _Scan:
    """What the graph's nodes and edges carry, read in one pass over the quads of
    :func:`_quads` and kept as plain strings; put into words as the knowledge base does
    (:meth:`KnowledgeBase.label_of`, :meth:`KnowledgeBase.attributes`,
    :meth:`KnowledgeBase.node_citations`, :meth:`KnowledgeBase.evidence_index`).

    What is held for each of many subjects is kept small (its classes as a tuple, its
    candidate edges as one flat list of predicate, object, graph ...): a large store has
    hundreds of thousands of them.
    """

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.types: dict[str, tuple[str, ...]] = {}
        self.typed_elsewhere: set[str] = set()  # typed in a graph other than the reference data
        self.quotes: dict = {}  # node -> [(graph, quote)]
        self._label: dict[str, str] = {}  # the least English rdfs:label
        self._preferred: dict[str, str] = {}  # the least English skos:prefLabel
        self._alt: dict[str, set[str]] = {}
        self._pairs: dict[str, set[tuple[str, str]]] = {}
        self._uses: dict = {}  # blank node -> [(subject, predicate)]
        self._parts: dict = {}  # node -> {quantity part: [values]}
        self._statements: dict = {}  # node -> {rdf:subject, rdf:predicate, rdf:object: [values]}
        self._extra: dict = {}
        self._readings: dict = {}
        self._links: dict[str, list[str]] = {}  # subject -> [predicate, object, graph, ...]
        self._one: dict[str, str] = {}
        self._words: dict[str, str] = {}
        self._texts: dict[tuple, str] = {}
        self._sources: dict[str, tuple[str, str]] = {}
        self._titles: dict[str, str] = {}
        self._citations: dict = {}

    def read(self, quads: Iterable[tuple]) -> None:
        roles, hidden, rdf_type = _ROLES, _HIDDEN_DETAILS, str(RDF.type)
        reference, entity_space = str(REFERENCE_GRAPH), str(ID)
        types, links, pairs, text, label = self.types, self._links, self._pairs, self.text, self.label
        # One string for each IRI: a node's IRI is read in many quads, and the graph and
        # what is read towards it hold it once.
        one = self._one
        for s, p, o, g in quads:
            p = one.setdefault(p, p)
            role = roles.get(p)
            subject_iri = type(s) is str
            if subject_iri:
                s = one.setdefault(s, s)
            kind = type(o)
            if kind is str:
                o = one.setdefault(o, o)
            if role is not None:
                if role == _TYPE:
                    if subject_iri and kind is str:
                        held = types.get(s)
                        if held is None:
                            types[s] = (o,)
                        elif o not in held:
                            types[s] = held + (o,)
                        if g != reference:
                            self.typed_elsewhere.add(s)
                    continue
                if role == _NAME or role == _ALT_NAME:
                    if subject_iri:
                        self._name(s, p, o)
                elif role == _QUOTE:
                    self.quotes.setdefault(s, []).append((g, text(o) if kind is tuple else str(o)))
                elif role == _EVIDENCE:
                    self._extra.setdefault(s, set()).add(o)
                elif role == _READING:
                    self._readings.setdefault(s, set()).add(text(o) if kind is tuple else str(o))
                elif role == _STATEMENT:
                    self._statements.setdefault(s, {}).setdefault(p, []).append(o)
                else:  # _QUANTITY
                    self._parts.setdefault(s, {}).setdefault(p, []).append(o)
            if not subject_iri:
                continue
            if kind is str:
                if p != rdf_type:
                    held = links.get(s)
                    if held is None:
                        links[s] = [p, o, g]
                    else:
                        held += (p, o, g)
                if p not in hidden and not o.startswith(entity_space):
                    pairs.setdefault(s, set()).add((label(p), label(o)))
            elif p in hidden:
                continue
            elif kind is tuple:
                pairs.setdefault(s, set()).add((label(p), text(o)))
            else:
                self._uses.setdefault(o, []).append((s, p))
        self._quantities()

    # ------------------------------------------------------------ terms in words

    def label(self, iri: str) -> str:
        """The label of a property, class or other IRI (asked once each)."""
        found = self._words.get(iri)
        if found is None:
            found = self._words[iri] = self.kb.label_of(URIRef(iri))
        return found

    def text(self, literal: tuple) -> str:
        """A literal as rdflib writes it (a number in its canonical form)."""
        value, language, datatype = literal
        if language or datatype is None or datatype == _XSD_STRING:
            return value
        found = self._texts.get(literal)
        if found is None:
            found = self._texts[literal] = str(_term(literal))
        return found

    def graph_title(self, graph: str) -> str:
        if graph not in self._titles:
            self._titles[graph] = self.kb.graph_title(graph)
        return self._titles[graph]

    # ------------------------------------------------------------ nodes

    def _name(self, subject: str, predicate: str, value) -> None:
        if predicate == _ALT_LABEL:
            self._alt.setdefault(subject, set()).add(self.text(value) if type(value) is tuple else str(value))
        elif type(value) is tuple and value[1] in (None, "en"):
            chosen = self._label if predicate == _LABEL else self._preferred
            text = self.text(value)
            current = chosen.get(subject)
            if current is None or text < current:
                chosen[subject] = text

    def names(self, iri: str) -> tuple[str | None, tuple[str, ...]]:
        """A node's label (as KnowledgeBase.label_of chooses it) and its other names."""
        label = self._label.get(iri)
        if label is None:
            label = self._preferred.get(iri)
        alt = self._alt.get(iri)
        return label, tuple(sorted(alt)) if alt else ()

    def country(self, iri: str, kinds: tuple[str, ...], edges) -> str | None:
        """The node itself if it is a country, else the first country it is based or
        located in, from its ``edges`` (from :meth:`edges_from`)."""
        if _COUNTRY in kinds:
            return iri
        for predicate in _PLACES:
            for p, place, _ in edges:
                if p == predicate and _COUNTRY in self.types.get(place, ()):
                    return place
        return None

    def details(self, iri: str) -> tuple[tuple[str, str], ...]:
        """KnowledgeBase.attributes of a node: figures and dates in words."""
        found = self._pairs.get(iri)
        return tuple(sorted(found)) if found else ()

    def _quantities(self) -> None:
        """Put each quantity value a node's detail points to into words."""
        words_of: dict[tuple, str] = {}
        for node, held in self._uses.items():
            parts = self._parts.get(node, {})
            key = tuple((p, tuple(values)) for p, values in parts.items())
            words = words_of.get(key)
            if words is None:
                words = words_of[key] = quantity_text({URIRef(p): _least(values) for p, values in parts.items()})
            for subject, predicate in held:
                self._pairs.setdefault(subject, set()).add((self.label(predicate), words))
        self._uses = self._parts = None

    def release_nodes(self) -> None:
        """Drop what only the nodes needed."""
        self._label = self._preferred = self._alt = self._pairs = None

    # ------------------------------------------------------------ citations

    def _source(self, graph: str) -> tuple[str, str]:
        if graph not in self._sources:
            source = self.kb.graph_source(URIRef(graph))
            self._sources[graph] = (str(source or ""), self.kb.source_title(source))
        return self._sources[graph]

    def citations(self, node) -> list[dict]:
        """KnowledgeBase.node_citations, from the quotes read in the pass, as the dicts
        of the citations' fields."""
        found = self._citations.get(node)
        if found is not None:
            return found
        quotes = self.quotes.get(node)
        if quotes is None:  # no quote of its own: the knowledge base's rules
            found = [c.__dict__ for c in self.kb.node_citations(_term(node))]
        else:
            readings = self._readings.get(node)
            reading = max(readings) if readings else None
            found = []
            for graph, quote in quotes:
                source, title = self._source(graph)
                found.append(
                    {"graph": graph, "source": source, "title": title, "quote": quote, "interpretation": reading, "note": None}
                )
            for extra in self._extra.get(node, ()):
                found.extend(self.citations(extra))
            if len(found) > 1:
                unique = {tuple(c.values()): c for c in found}
                found = sorted(unique.values(), key=lambda c: (c["graph"], c["quote"] or ""))
        self._citations[node] = found
        return found

    def evidence(self) -> dict[tuple, list[dict]]:
        """KnowledgeBase.evidence_index, from the statements read in the pass."""
        index: dict[tuple, list[dict]] = defaultdict(list)
        for node, held in self._statements.items():
            triple = tuple(_plain(_least(held[part])) if part in held else None for part in _STATEMENT_PARTS)
            index[triple].extend(self.citations(node))
        return {triple: sorted(found, key=_cited_order) for triple, found in index.items()}

    # ------------------------------------------------------------ edges

    def edges_from(self, subject: str, nodes: set[str]) -> list[tuple[str, str, tuple[str, ...]]]:
        """The edges from ``subject`` to ``nodes``, in (predicate, object) order, each with
        the graphs that state it; read once."""
        held = self._links.pop(subject, None)
        if not held:
            return []
        if len(held) == 3:
            p, o, g = held
            return [(p, o, (g,))] if o in nodes else []
        found = []
        last = None
        for p, o, g in sorted(zip(held[::3], held[1::3], held[2::3])):
            if o not in nodes:
                continue
            if last is not None and last[0] == p and last[1] == o:
                if g != last[2][-1]:
                    found[-1] = last = (p, o, last[2] + (g,))
            else:
                last = (p, o, (g,))
                found.append(last)
        return found


def _cited_order(citation: dict) -> tuple[str, str, str, str]:
    """:meth:`evkg.kb.Citation.sort_key` of a citation as a dict."""
    return (citation["graph"], citation["source"], citation["title"], citation["quote"] or "")


_LABEL, _ALT_LABEL = str(RDFS.label), str(SKOS.altLabel)
_COUNTRY = str(EV.Country)
_PLACES = (str(EV.basedIn), str(EV.locatedIn))
_STATEMENT_PARTS = tuple(str(p) for p in (RDF.subject, RDF.predicate, RDF.object))
#: Predicates whose triples are no detail of a node (as KnowledgeBase.attributes has it).
_HIDDEN_DETAILS = frozenset(str(p) for p in NO_DETAIL_PREDICATES)


def _least(values: list):
    """The least of the values a property has (as rdflib orders terms)."""
    return _term(values[0]) if len(values) == 1 else min(_term(v) for v in values)


def _plain(term):
    """The plain value of an rdflib term (the inverse of :func:`_term` for IRIs and blank nodes)."""
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, BNode):
        return _Blank(term)
    return term


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

