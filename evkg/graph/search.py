"""The small graph a path search walks: integer nodes and the graph's edges as flat arrays,
kept on disk between runs, and read in milliseconds.

:func:`build_graph` gives every node and edge its labels, details and citations; a path
search needs none of that until it has found its paths. A :class:`SearchIndex` holds only
what the search reads: the graph's nodes (IRIs, in the graph's order, numbered), and its
edges in the order ``G.edges`` lists them, each as source, target, predicate number and
whether a source quotes it; plus, per node, its edges in that order (compressed sparse
rows). It is built from the knowledge base with a few narrow passes (types, links, quotes,
reified statements), never the labels, details or citations of every node
(:func:`index_from_kb`), or from a built graph (:func:`index_from_graph`, which gives the
same arrays).

The search itself runs networkx's own algorithms (``nx.shortest_path``,
``nx.shortest_simple_paths``, ``nx.all_shortest_paths``) on :func:`hop_graph`, a
networkx graph whose adjacency is read from the arrays on demand, one node at a time,
with each node's neighbours in the order the networkx search graph built from the full
graph would hold them: the same paths come out, in the same order, ties broken the same.

On disk an index is one file of the cache (:mod:`evkg.caching`, kind ``search``): a JSON
header line (layout, counts, the predicates, the byte order), then the arrays as raw
machine integers, then the node IRIs one per line. Data only, checked whole by the
cache's HMAC; a file of another layout, shape or byte order is a miss.

Examples
--------
>>> import evkg
>>> kb = evkg.load()
>>> index = index_from_kb(kb)
>>> catl = index.node_id("https://w3id.org/evkg/id/company/catl")
>>> index.nodes[catl]
'https://w3id.org/evkg/id/company/catl'
>>> index == index_from_graph(evkg.graph.build_graph(kb))
True
"""

from __future__ import annotations

import json
import sys
import weakref
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import caching

if TYPE_CHECKING:
    import networkx as nx

    from ..kb import KnowledgeBase

__all__ = [
    "SEARCH_LAYOUT",
    "NarrowReader",
    "SearchIndex",
    "hop_graph",
    "index_from_bytes",
    "index_from_graph",
    "index_from_kb",
    "index_to_bytes",
    "search_index",
]

#: Changes whenever the file's layout or the meaning of its arrays changes.
SEARCH_LAYOUT = "evkg-search-1"

# Hops without a quote (reference data, user files without evidence) cost a little more,
# so that among equally short paths the cited ones come first.
UNQUOTED_PENALTY = 0.01
_UNQUOTED = 1.0 + UNQUOTED_PENALTY

#: The arrays of an index, in the order the file holds them, and their item type.
_ARRAYS = (("source", "i"), ("target", "i"), ("predicate", "i"), ("quoted", "b"), ("offsets", "q"), ("incident", "i"))


@dataclass(eq=False)
class SearchIndex:
    """What a path search reads of the graph.

    ``nodes`` are the graph's node IRIs in its order (sorted); edge ``e`` runs from
    ``nodes[source[e]]`` to ``nodes[target[e]]`` with predicate ``predicates[predicate[e]]``
    (IRI, label, inverse label, dependency IRI); ``quoted[e]`` is 1 when a source quotes
    it. The edges of node ``n`` are ``incident[offsets[n]:offsets[n + 1]]``, in edge order
    (a loop once)."""

    nodes: list[str]
    predicates: list[tuple[str, str, str, str]]
    source: array
    target: array
    predicate: array
    quoted: array
    offsets: array = field(default_factory=lambda: array("q"))
    incident: array = field(default_factory=lambda: array("i"))

    def __post_init__(self):
        if not self.offsets:
            self.offsets, self.incident = _incidence(len(self.nodes), self.source, self.target)
        self._graphs: dict = {}

    def __eq__(self, other) -> bool:
        if not isinstance(other, SearchIndex):
            return NotImplemented
        return self.nodes == other.nodes and self.predicates == other.predicates and all(
            getattr(self, name) == getattr(other, name) for name, _ in _ARRAYS
        )

    def node_id(self, iri: str) -> int | None:
        """The number of node ``iri``, or None if it is not a node of the graph."""
        at = bisect_left(self.nodes, iri)
        return at if at < len(self.nodes) and self.nodes[at] == iri else None

    def edges_of(self, node: int) -> Iterator[int]:
        """The edges that start or end at ``node``, in edge order."""
        incident = self.incident
        return (incident[i] for i in range(self.offsets[node], self.offsets[node + 1]))

    def neighbours(self, node: int) -> set[int]:
        """Every node an edge joins to ``node``, either way."""
        source, target = self.source, self.target
        return {target[e] if source[e] == node else source[e] for e in self.edges_of(node)}


def _incidence(count: int, source: array, target: array) -> tuple[array, array]:
    """Each node's edges, in edge order, as offsets into one array (a loop once)."""
    degree = [0] * (count + 1)
    for u, v in zip(source, target):
        degree[u + 1] += 1
        if v != u:
            degree[v + 1] += 1
    offsets = array("q", degree)
    for n in range(count):
        offsets[n + 1] += offsets[n]
    incident = array("i", bytes(4 * offsets[count]))
    place = array("q", offsets[:count])
    for e, (u, v) in enumerate(zip(source, target)):
        incident[place[u]] = e
        place[u] += 1
        if v != u:
            incident[place[v]] = e
            place[v] += 1
    return offsets, incident


# --------------------------------------------------------------------------- building


def index_from_graph(G: nx.MultiDiGraph) -> SearchIndex:
    """The index of a graph :func:`~evkg.graph.build.build_graph` built (not collapsed)."""
    nodes = list(G)
    number = {n: i for i, n in enumerate(nodes)}
    predicates: dict[str, int] = {}
    table: list[tuple[str, str, str, str]] = []
    source, target, predicate, quoted = array("i"), array("i"), array("i"), array("b")
    for u, v, data in G.edges(data=True):
        p = data["predicate"]
        if p not in predicates:
            predicates[p] = len(table)
            table.append((p, data["label"], data["inverse_label"], data["dependency"]))
        source.append(number[u])
        target.append(number[v])
        predicate.append(predicates[p])
        quoted.append(any(s.get("quote") for s in data["sources"]))
    return _ordered(SearchIndex(nodes, table, source, target, predicate, quoted))


def index_from_kb(kb: KnowledgeBase) -> SearchIndex:
    """The index of ``kb``'s graph (as ``build_graph(kb)`` would make it), read from the
    store with narrow passes: the nodes, the links between them, which nodes are facts
    and which are quoted, and the reified statements. Terms are kept as plain strings
    throughout (rdflib's terms hash and build slowly)."""
    from rdflib import URIRef

    from ..ontology import EV, REFERENCE_GRAPH
    from .build import Relation, entity_classes, relations

    props = relations(kb)
    read = NarrowReader(kb)
    nodes = _nodes(kb, read, entity_classes(kb))
    links: set[tuple[str, str, str]] = set()
    for s, p, o in _links(kb, read):
        s, o = str(s), str(o)
        if s in nodes and o in nodes:
            links.add((s, str(p), o))
    facts, quoted_facts = _facts(kb, read)
    for fact in facts - quoted_facts:  # no quote with words of its own: its extra evidence may have one
        if any(c.quote for c in read.citations(URIRef(fact))):
            quoted_facts.add(fact)
    evidence = {(str(s), str(p), str(o)) for (s, p, o), found in read.statements().items() if any(c.quote for c in found)}

    # The reference data names every country; one that only it names, with no edge, is
    # not a node (as build_graph drops it).
    linked = {s for s, _, _ in links} | {o for _, _, o in links}
    lonely = [iri for iri in nodes if iri not in linked]
    if lonely:
        kept = {str(s) for s, g in _type_graphs(kb, lonely) if str(g) != str(REFERENCE_GRAPH)}
        nodes.difference_update(iri for iri in lonely if iri not in kept)
    names = sorted(nodes)
    number = {iri: i for i, iri in enumerate(names)}

    predicates: dict[str, int] = {}
    table: list[tuple[str, str, str, str]] = []
    source, target, predicate, quoted = array("i"), array("i"), array("i"), array("b")
    edges = sorted(links)
    at = 0
    while at < len(edges):
        # One node's edges: its successors in the order its first edge to each was added
        # (edges go in sorted by predicate, then object), each successor's by predicate.
        s = edges[at][0]
        successors: dict[str, list[str]] = {}
        while at < len(edges) and edges[at][0] == s:
            _, p, o = edges[at]
            successors.setdefault(o, []).append(p)
            at += 1
        u = number[s]
        fact = s in facts
        fact_quoted = s in quoted_facts
        for o, keys in successors.items():
            v = number[o]
            for p in keys:
                found = predicates.get(p)
                if found is None:
                    relation = props.get(p)
                    if relation is None:
                        label = read.label(URIRef(p))
                        relation = Relation(p, label, f"inverse of {label}", str(EV.NoDependency))
                    found = predicates[p] = len(table)
                    table.append((p, relation.label, relation.inverse_label, relation.dependency))
                source.append(u)
                target.append(v)
                predicate.append(found)
                quoted.append(fact_quoted if fact else (s, p, o) in evidence)
    return _ordered(SearchIndex(names, table, source, target, predicate, quoted))


def _nodes(kb: KnowledgeBase, read, classes: set) -> set[str]:
    """The IRIs typed with one of ``classes``."""
    from rdflib import RDF, URIRef

    if read.by_sparql:
        values = " ".join(f"<{c}>" for c in classes)
        rows = kb.rows(f"SELECT DISTINCT ?s WHERE {{ VALUES ?t {{ {values} }} ?s a ?t FILTER(isIRI(?s)) }}")
        return {str(s) for (s,) in rows}
    return {str(s) for s, kind in kb.dataset.subject_objects(RDF.type) if isinstance(s, URIRef) and kind in classes}


def _links(kb: KnowledgeBase, read) -> Iterable[tuple]:
    """(subject, predicate, object) of every candidate edge, as build_graph's reader finds
    them (once per named graph that holds it)."""
    if read.by_sparql:
        return kb.rows(
            "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
            "FILTER(isIRI(?s) && isIRI(?o) && ?p != rdf:type && ?p != prov:wasDerivedFrom) }"
        )
    from rdflib import RDF, URIRef
    from rdflib.namespace import PROV

    skip = (RDF.type, PROV.wasDerivedFrom)
    return (
        (s, p, o) for s, p, o, _ in kb.dataset.quads((None, None, None, None))
        if isinstance(s, URIRef) and isinstance(o, URIRef) and p not in skip
    )


def _facts(kb: KnowledgeBase, read) -> tuple[set[str], set[str]]:
    """The nodes with an ev:quote in a named graph (fact nodes), and those of them with a
    quote that has words."""
    from ..ontology import EV

    if read.by_sparql:
        pattern = f"GRAPH ?g {{ ?s <{EV.quote}> ?q }}"
        facts = {str(s) for (s,) in kb.rows(f"SELECT DISTINCT ?s WHERE {{ {pattern} }}")}
        # Few nodes, if any, have an empty quote: those of them with no other are not quoted.
        empty = {str(s) for (s,) in kb.rows(f"SELECT DISTINCT ?s WHERE {{ {pattern} FILTER(STRLEN(STR(?q)) = 0) }}")}
        worded = {str(s) for (s,) in kb.rows(
            f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {' '.join(f'<{n}>' for n in empty)} }} {pattern} "
            "FILTER(STRLEN(STR(?q)) > 0) }")} if empty else set()
        return facts, facts - (empty - worded)
    facts, quoted = set(), set()
    for node, _, quote, _ in kb.dataset.quads((None, EV.quote, None, None)):
        facts.add(str(node))
        if str(quote):
            quoted.add(str(node))
    return facts, quoted


def _type_graphs(kb: KnowledgeBase, subjects: list) -> Iterator[tuple]:
    """(subject, graph) of each rdf:type statement about ``subjects``, in named graphs."""
    from rdflib import RDF, URIRef

    if kb.store is not None and kb.store.native_sparql:
        for at in range(0, len(subjects), 500):
            values = " ".join(f"<{s}>" for s in subjects[at : at + 500])
            yield from kb.rows(f"SELECT ?s ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s a ?o }} }}")
        return
    for subject in subjects:
        for _, _, _, graph in kb.dataset.quads((URIRef(subject), RDF.type, None, None)):
            yield subject, getattr(graph, "identifier", graph)


def _ordered(index: SearchIndex) -> SearchIndex:
    """``index`` with its predicates numbered in IRI order (the same table however built)."""
    order = sorted(range(len(index.predicates)), key=lambda i: index.predicates[i][0])
    renumber = array("i", bytes(4 * len(order)))
    for new, old in enumerate(order):
        renumber[old] = new
    index.predicates = [index.predicates[i] for i in order]
    index.predicate = array("i", (renumber[p] for p in index.predicate))
    return index


class NarrowReader:
    """What :func:`~evkg.graph.build.build_graph` says of a few nodes and edges (labels of
    properties, titles of graphs, citations of fact and statement nodes), read node by node
    with the rules the knowledge base applies (:meth:`KnowledgeBase.node_citations`)."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.by_sparql = kb.store is not None and kb.store.native_sparql
        self._labels: dict = {}
        self._titles: dict = {}
        self._sources: dict = {}
        self._quotes: dict = {}
        self._extra: dict = {}
        self._readings: dict = {}

    def label(self, term) -> str:
        """The label of a property, class or other IRI (asked once each)."""
        if term not in self._labels:
            self._labels[term] = self.kb.label_of(term)
        return self._labels[term]

    def graph_title(self, graph: str) -> str:
        if graph not in self._titles:
            self._titles[graph] = self.kb.graph_title(graph)
        return self._titles[graph]

    def is_fact(self, node) -> bool:
        """Whether ``node`` has a quote of its own (build_graph's fact nodes)."""
        self._read(node)
        return node in self._quotes

    def citations(self, node) -> list:
        """KnowledgeBase.node_citations of ``node``, its quotes read once."""
        from ..kb import Citation

        self._read(node)
        quotes = self._quotes.get(node)
        if quotes is None:  # no quote of its own: the knowledge base's rules
            return self.kb.node_citations(node)
        readings = self._readings.get(node)
        reading = max(readings) if readings else None
        found = [Citation(str(graph), *self._source(graph), quote, reading) for graph, quote in quotes]
        for extra in sorted(self._extra.get(node, ())):
            found.extend(self.citations(extra))
        return sorted(set(found), key=lambda c: (c.graph, c.quote or ""))

    def statements(self, triples: Iterable[tuple] | None = None) -> dict[tuple, list]:
        """KnowledgeBase.evidence_index: the citations of each reified triple (of
        ``triples``, as rdflib terms, or of all)."""
        from rdflib import RDF

        from ..kb import Citation

        rdf = self.kb.dataset
        parts = (RDF.subject, RDF.predicate, RDF.object)
        if triples is None:
            if self.by_sparql:
                rows = self.kb.rows("SELECT ?n ?p ?v WHERE { VALUES ?p { rdf:subject rdf:predicate rdf:object } ?n ?p ?v }")
            else:
                rows = ((n, p, v) for p in parts for n, v in rdf.subject_objects(p))
        else:
            nodes = {n for s, _, _ in triples for n in rdf.subjects(RDF.subject, s)}
            rows = ((n, p, v) for n in nodes for p in parts for v in rdf.objects(n, p))
        held: dict = {}
        for node, part, value in rows:
            found = held.setdefault(node, {})
            found[part] = value if part not in found else min(found[part], value)
        index: dict = {}
        for node, found in held.items():
            index.setdefault(tuple(found.get(part) for part in parts), []).extend(self.citations(node))
        return {triple: sorted(found, key=Citation.sort_key) for triple, found in index.items()}

    def _source(self, graph) -> tuple[str, str]:
        if graph not in self._sources:
            source = self.kb.graph_source(graph)
            self._sources[graph] = (str(source or ""), self.kb.source_title(source))
        return self._sources[graph]

    def _read(self, node) -> None:
        if node in self._extra:
            return
        from ..ontology import EV

        rdf = self.kb.dataset
        for _, _, quote, graph in rdf.quads((node, EV.quote, None, None)):
            self._quotes.setdefault(node, []).append((getattr(graph, "identifier", graph), str(quote)))
        self._extra[node] = list(rdf.objects(node, EV.evidence))
        self._readings[node] = [str(reading) for reading in rdf.objects(node, EV.interpretation)]


# --------------------------------------------------------------------------- on disk


def index_to_bytes(index: SearchIndex) -> bytes:
    """``index`` as one header line of JSON, the arrays' bytes, then the node IRIs."""
    parts = [getattr(index, name).tobytes() for name, _ in _ARRAYS]
    iris = "\n".join(index.nodes).encode("utf-8")
    header = {
        "layout": SEARCH_LAYOUT,
        "byteorder": sys.byteorder,
        "nodes": len(index.nodes),
        "edges": len(index.source),
        "predicates": index.predicates,
        "sizes": [len(part) for part in parts] + [len(iris)],
    }
    return json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" + b"".join(parts) + iris


def index_from_bytes(data: bytes) -> SearchIndex:
    """The index :func:`index_to_bytes` wrote.

    Raises
    ------
    ValueError
        ``data`` is not such an index (damaged, cut, another layout or byte order).
    """
    end = data.find(b"\n")
    try:
        header = json.loads(data[:end]) if end > 0 else None
    except (ValueError, UnicodeDecodeError):
        header = None
    if not isinstance(header, dict) or header.get("layout") != SEARCH_LAYOUT or header.get("byteorder") != sys.byteorder:
        raise ValueError("not a search index of this layout")
    count, edges, predicates, sizes = (header.get(k) for k in ("nodes", "edges", "predicates", "sizes"))
    if not (type(count) is int and type(edges) is int and isinstance(predicates, list) and isinstance(sizes, list)
            and len(sizes) == len(_ARRAYS) + 1 and all(type(s) is int and s >= 0 for s in sizes)
            and sum(sizes) == len(data) - end - 1):
        raise ValueError("a search index of the wrong shape")
    if not all(isinstance(p, list) and len(p) == 4 and all(type(t) is str for t in p) for p in predicates):
        raise ValueError("a predicate that is not (IRI, label, inverse label, dependency)")
    view = memoryview(data)
    at = end + 1
    arrays = {}
    for (name, code), size in zip(_ARRAYS, sizes):
        found = array(code)
        if size % found.itemsize:
            raise ValueError(f"a cut array ({name})")
        found.frombytes(view[at : at + size])
        arrays[name] = found
        at += size
    nodes = str(view[at:], "utf-8").split("\n") if count else []
    offsets, incident = arrays["offsets"], arrays["incident"]
    if len(nodes) != count or len(offsets) != count + 1 or any(len(arrays[n]) != edges for n, _ in _ARRAYS[:4]):
        raise ValueError("arrays of the wrong length")
    if offsets[0] != 0 or offsets[count] != len(incident):
        raise ValueError("offsets that do not cover the incidence")
    return SearchIndex(nodes, [tuple(p) for p in predicates], arrays["source"], arrays["target"],
                       arrays["predicate"], arrays["quoted"], offsets, incident)


def index_key(kb: KnowledgeBase) -> str | None:
    """The key of ``kb``'s index on disk, or None if its contents cannot be vouched for."""
    contents = kb.content_id
    if contents is None:
        return None
    from .. import __version__

    return caching.cache_key(SEARCH_LAYOUT, __version__, contents)


#: Indexes made or read in this process, per knowledge base and revision.
_IN_MEMORY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def search_index(kb: KnowledgeBase) -> SearchIndex:
    """The index of ``kb``: kept in memory per knowledge base and revision, and on disk
    between runs when ``kb``'s contents have a key (as :func:`~evkg.graph.graph_of` does)."""
    held = _IN_MEMORY.get(kb)
    if held is not None and held[0] == kb.revision:
        return held[1]
    key = index_key(kb)
    index = None
    if key is not None:
        data = caching.read_cached("search", key)
        if data is not None:
            try:
                index = index_from_bytes(data)
            except ValueError:  # another layout or shape: built again
                index = None
    if index is None:
        from .cache import graph_built

        G = graph_built(kb)  # a graph already built in this process gives it faster
        index = index_from_kb(kb) if G is None else index_from_graph(G)
        if key is not None:
            caching.write_cached("search", key, index_to_bytes(index))
    _IN_MEMORY[kb] = (kb.revision, index)
    return index


# --------------------------------------------------------------------------- the search graph


def hop_graph(index: SearchIndex, *, dependency: bool = False, cited_only: bool = False,
              allowed: set[int] | None = None, avoid_nodes: Iterable[int] = ()) -> nx.Graph | nx.DiGraph:
    """A networkx graph to search (nodes are numbers): one edge per adjacent pair, weighted
    1 when a source quotes the lightest edge between them, a little more when none does
    (with ``cited_only``, quoted edges only); with ``dependency``, directed, each edge from
    an entity to what it depends on. ``allowed``: the predicate numbers it may follow
    (None: all). The unfiltered graphs are kept with the index, their adjacency read as
    the search reaches each node."""
    import networkx as nx

    avoid = frozenset(avoid_nodes)
    key = (dependency, cited_only, None if allowed is None else frozenset(allowed), avoid)
    found = index._graphs.get(key)
    if found is not None:
        return found
    spec = _Spec(index, dependency, cited_only, allowed, avoid)
    H = nx.DiGraph() if dependency else nx.Graph()
    H._node = _Nodes(len(index.nodes), avoid)
    if dependency:
        H._succ = H._adj = _Adjacency(spec, spec.successors)
        H._pred = _Adjacency(spec, spec.predecessors)
    else:
        H._adj = _Adjacency(spec, spec.neighbours)
    if allowed is None and not avoid:
        index._graphs[key] = H
    return H


class _Spec:
    """Which edges a search graph keeps, and each node's neighbours in it."""

    def __init__(self, index: SearchIndex, dependency: bool, cited_only: bool, allowed, avoid: frozenset):
        from .build import DEPENDS_BACKWARD, DEPENDS_FORWARD

        self.index = index
        self.avoid = avoid
        self.cited_only = cited_only
        self.allowed = allowed
        self.forward = [p[3] in DEPENDS_FORWARD for p in index.predicates]
        self.backward = [p[3] in DEPENDS_BACKWARD for p in index.predicates]

    def keeps(self, e: int) -> bool:
        index = self.index
        if self.allowed is not None and index.predicate[e] not in self.allowed:
            return False
        return not self.cited_only or bool(index.quoted[e])

    def weight(self, e: int) -> float:
        return 1.0 if self.index.quoted[e] else _UNQUOTED

    def neighbours(self, x: int) -> dict:
        """Undirected: partners in the order of the first kept edge to each (the order
        pairs first appear among the graph's edges), at the lightest kept edge's weight."""
        index, avoid = self.index, self.avoid
        source, target = index.source, index.target
        found: dict = {}
        for e in index.edges_of(x):
            if not self.keeps(e):
                continue
            y = target[e] if source[e] == x else source[e]
            if y in avoid:
                continue
            w = self.weight(e)
            held = found.get(y)
            if held is None:
                found[y] = {"weight": w}
            elif held["weight"] > w:
                held["weight"] = w
        return found

    def successors(self, x: int) -> dict:
        """Directed: what ``x`` depends on, in the order the dependency graph first links
        each (over all its edges, kept or not), among those a kept edge links."""
        index, avoid = self.index, self.avoid
        source, target, predicate = index.source, index.target, index.predicate
        order: dict = {}
        for e in index.edges_of(x):
            p = predicate[e]
            ends = []
            if source[e] == x and self.forward[p]:
                ends.append(target[e])
            if target[e] == x and self.backward[p]:
                ends.append(source[e])
            for y in ends:
                held = order.setdefault(y, [None])
                if y not in avoid and self.keeps(e):
                    w = self.weight(e)
                    if held[0] is None or held[0] > w:
                        held[0] = w
        return {y: {"weight": w} for y, (w,) in order.items() if w is not None}

    def predecessors(self, x: int) -> dict:
        """Directed: what depends on ``x``, in node order."""
        index, avoid = self.index, self.avoid
        source, target, predicate = index.source, index.target, index.predicate
        found: dict = {}
        for e in index.edges_of(x):
            p = predicate[e]
            if not self.keeps(e):
                continue
            ends = []
            if target[e] == x and self.forward[p]:
                ends.append(source[e])
            if source[e] == x and self.backward[p]:
                ends.append(target[e])
            for y in ends:
                if y in avoid:
                    continue
                w = self.weight(e)
                if y not in found or found[y] > w:
                    found[y] = w
        return {y: {"weight": found[y]} for y in sorted(found)}


class _Nodes(Mapping):
    """The node numbers of a search graph (all but the avoided), each with no attributes."""

    def __init__(self, count: int, avoid: frozenset):
        self.count, self.avoid = count, avoid

    def __getitem__(self, n):
        if n in self:
            return {}
        raise KeyError(n)

    def __contains__(self, n) -> bool:
        return type(n) is int and 0 <= n < self.count and n not in self.avoid

    def __iter__(self):
        return (n for n in range(self.count) if n not in self.avoid)

    def __len__(self) -> int:
        return self.count - len(self.avoid)


class _Adjacency(Mapping):
    """A node's neighbours, worked out from the index the first time they are asked for."""

    def __init__(self, spec: _Spec, neighbours):
        self.spec, self.of, self.made = spec, neighbours, {}

    def __getitem__(self, n) -> dict:
        found = self.made.get(n)
        if found is None:
            if not (type(n) is int and 0 <= n < len(self.spec.index.nodes)) or n in self.spec.avoid:
                raise KeyError(n)
            found = self.made[n] = self.of(n)
        return found

    def __contains__(self, n) -> bool:
        return type(n) is int and 0 <= n < len(self.spec.index.nodes) and n not in self.spec.avoid

    def __iter__(self):
        return (n for n in range(len(self.spec.index.nodes)) if n not in self.spec.avoid)

    def __len__(self) -> int:
        return len(self.spec.index.nodes) - len(self.spec.avoid)
