"""Explained, cited paths between two entities, and an entity's neighbourhood.

Examples
--------
>>> import evkg
>>> kb = evkg.load()
>>> result = shortest_paths(kb, "Mazda", "Changan")
>>> [(e.label, e.target.rsplit("/", 1)[-1]) for e in result.paths[0].edges]
[('partner of', 'changan')]
>>> result = shortest_paths(kb, "Mazda", "Changan", via=["partner"])
>>> [n.label for n in result.paths[0].nodes]
['Mazda', 'Mazda–Changan joint venture', 'Changan']
>>> result.paths[0].edges[0].label
'partner in'
"""

from __future__ import annotations

import itertools
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import networkx as nx

from ..errors import InputError
from ..kb import KnowledgeBase, source_count
from .build import DEPENDS_BACKWARD, DEPENDS_FORWARD, dependency_graph
from .cache import graph_of
from .search import UNQUOTED_PENALTY, NarrowReader, SearchIndex, hop_graph, search_index

__all__ = [
    "PathNode",
    "PathEdge",
    "Path",
    "PathResult",
    "Neighbour",
    "Neighbourhood",
    "shortest_paths",
    "neighbourhood",
    "resolve_node",
    "resolve_relations",
]

_UNQUOTED_PENALTY = UNQUOTED_PENALTY


@dataclass(frozen=True)
class PathNode:
    id: str
    label: str
    type: str

    @classmethod
    def of(cls, G: nx.MultiDiGraph, node: str) -> "PathNode":
        """The node ``node`` of a graph made by :func:`~evkg.graph.build_graph`, with its
        label and the label of its type.

        >>> G = nx.MultiDiGraph()
        >>> G.add_node("urn:x:catl", label="CATL", type_label="battery maker")
        >>> PathNode.of(G, "urn:x:catl")
        PathNode(id='urn:x:catl', label='CATL', type='battery maker')
        """
        data = G.nodes[node]
        return cls(node, data["label"], data["type_label"])


@dataclass(frozen=True)
class PathEdge:
    """One hop, as walked: ``source`` → ``target``. ``forward`` is False when the hop walks
    a triple from its object to its subject; ``label`` is then the inverse label."""

    source: str
    target: str
    predicate: str
    label: str
    forward: bool
    sources: tuple[dict, ...]

    @property
    def source_count(self) -> int:
        """How many sources state the hop (several quotes of one source count once)."""
        return source_count(self.sources)


@dataclass(frozen=True)
class Path:
    length: int
    nodes: tuple[PathNode, ...]
    edges: tuple[PathEdge, ...]


@dataclass
class PathResult:
    """The answer to "how is A connected to B": paths, or why there are none."""

    source: PathNode
    target: PathNode
    paths: list[Path] = field(default_factory=list)
    reason: str | None = None
    source_neighbours: list[str] = field(default_factory=list)
    target_neighbours: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The documented JSON shape (see the README)."""
        return {
            "from": asdict(self.source),
            "to": asdict(self.target),
            "paths": [
                {
                    "length": p.length,
                    "nodes": [asdict(n) for n in p.nodes],
                    "edges": [
                        {
                            "source": e.source,
                            "target": e.target,
                            "predicate": e.predicate,
                            "label": e.label,
                            "direction": "forward" if e.forward else "backward",
                            "sources": [
                                {"graph": s["graph"], "source": s.get("source") or s["graph"],
                                 "title": s["title"], "quote": s["quote"],
                                 "interpretation": s.get("interpretation"), "note": s.get("note")}
                                for s in e.sources
                            ],
                            "source_count": e.source_count,
                        }
                        for e in p.edges
                    ],
                }
                for p in self.paths
            ],
            "reason": self.reason,
        }


def resolve_relations(G: nx.MultiDiGraph, names: Iterable[str]) -> set[str]:
    """Map relation names (label, inverse label, IRI or local name) to predicate IRIs.

    Raises
    ------
    InputError
        An unknown name; the message lists the relations the graph has.
    """
    return _resolve_in({(d["predicate"], d["label"], d["inverse_label"]) for _, _, d in G.edges(data=True)}, names)


def _resolve_in(relations: set[tuple[str, str, str]], names: Iterable[str]) -> set[str]:
    """resolve_relations over (predicate, label, inverse label) triples."""
    known: dict[str, set[str]] = defaultdict(set)
    for predicate, label, inverse_label in relations:
        for name in (label, inverse_label, predicate, predicate.rsplit("#", 1)[-1].rsplit("/", 1)[-1]):
            known[name.casefold()].add(predicate)
    chosen: set[str] = set()
    for name in names:
        found = known.get(name.casefold()) or known.get(name.replace("ev:", "").casefold())
        if not found:
            labels = sorted({label for _, label, _ in relations})
            raise InputError(f"unknown relation {name!r}. Relations: {', '.join(labels)}.")
        chosen |= found
    return chosen


def resolve_node(kb: KnowledgeBase, G: nx.MultiDiGraph | SearchIndex, name: str):
    """The node ``name`` (a label, alias, code or IRI, as :meth:`KnowledgeBase.entity`
    resolves it) stands for: its IRI in ``G``, its number in a search index.

    Raises :class:`InputError` when the entity is no node of the graph.

    >>> from evkg import load
    >>> from evkg.graph import build_graph
    >>> kb = load()
    >>> resolve_node(kb, build_graph(kb), "CATL")
    'https://w3id.org/evkg/id/company/catl'
    """
    iri = kb.entity(name).iri
    node = (iri if iri in G else None) if not isinstance(G, SearchIndex) else G.node_id(iri)
    if node is None:
        raise InputError(
            f"{name!r} ({iri}) is not an entity of the graph (it is a document, concept or "
            "literal holder); pick an organization, place, facility or fact."
        )
    return node


def _edge_allowed(data: dict, via: set[str], avoid: set[str]) -> bool:
    if via and data["predicate"] not in via:
        return False
    return data["predicate"] not in avoid


# The unfiltered search graphs of each built graph, so that repeated lookups in one
# process (a server, a notebook) do not rebuild them.
_HOP_CACHE: "weakref.WeakKeyDictionary[nx.MultiDiGraph, dict]" = weakref.WeakKeyDictionary()


def _hop_graph(G, *, via, avoid_relations, avoid_nodes, dependency, cited_only=False) -> nx.Graph | nx.DiGraph:
    """A simple graph for the search: one edge per adjacent pair, weighted by whether
    the best edge between them is quoted (with ``cited_only``, quoted edges only)."""
    if via or avoid_relations:
        return _build_hop_graph(G, via=via, avoid_relations=avoid_relations, avoid_nodes=avoid_nodes,
                                dependency=dependency, cited_only=cited_only)
    cache = _HOP_CACHE.setdefault(G, {})
    if (dependency, cited_only) not in cache:
        cache[(dependency, cited_only)] = _build_hop_graph(G, via=set(), avoid_relations=set(), avoid_nodes=set(),
                                                           dependency=dependency, cited_only=cited_only)
    H = cache[(dependency, cited_only)]
    if avoid_nodes:
        H = nx.subgraph_view(H, filter_node=lambda n: n not in avoid_nodes)
    return H


def _build_hop_graph(G, *, via, avoid_relations, avoid_nodes, dependency, cited_only=False) -> nx.Graph | nx.DiGraph:
    H: nx.Graph | nx.DiGraph = nx.DiGraph() if dependency else nx.Graph()
    H.add_nodes_from(n for n in G if n not in avoid_nodes)
    if dependency:
        D = dependency_graph(G)
        pairs = ((u, v, G.edges[c]) for u, v, d in D.edges(data=True) for c in d["carriers"])
    else:
        pairs = ((u, v, d) for u, v, d in G.edges(data=True))
    # The lightest edge of each pair, in the order pairs first appear (which fixes the
    # order of neighbours, and so which of several equal paths the search finds).
    lightest: dict[tuple, float] = {}
    unquoted = 1.0 + _UNQUOTED_PENALTY
    for u, v, data in pairs:
        if u in avoid_nodes or v in avoid_nodes or not _edge_allowed(data, via, avoid_relations):
            continue
        weight = unquoted
        for source in data["sources"]:
            if source.get("quote"):
                weight = 1.0
                break
        if cited_only and weight == unquoted:
            continue  # a hop no source quotes (reference data, background knowledge)
        pair = (u, v) if dependency or u <= v else (v, u)
        if lightest.get(pair, unquoted + 1.0) > weight:
            lightest[pair] = weight
    H.add_weighted_edges_from((u, v, weight) for (u, v), weight in lightest.items())
    return H


def _best_edge(G, a, b, via, avoid, dependency, cited_only=False) -> PathEdge:
    """The edge to explain hop a → b: quoted before unquoted, forward before backward
    (with ``cited_only``, quoted only)."""
    candidates = []
    for key, data in (G.get_edge_data(a, b) or {}).items():
        if _edge_allowed(data, via, avoid) and (not dependency or data["dependency"] in DEPENDS_FORWARD):
            candidates.append((not any(s.get("quote") for s in data["sources"]), 0, key, data, True))
    for key, data in (G.get_edge_data(b, a) or {}).items():
        if _edge_allowed(data, via, avoid) and (not dependency or data["dependency"] in DEPENDS_BACKWARD):
            candidates.append((not any(s.get("quote") for s in data["sources"]), 1, key, data, False))
    if cited_only:
        candidates = [c for c in candidates if not c[0]]
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    _, _, _, data, forward = candidates[0]
    return PathEdge(
        source=a,
        target=b,
        predicate=data["predicate"],
        label=data["label"] if forward else data["inverse_label"],
        forward=forward,
        sources=tuple(data["sources"]),
    )


def shortest_paths(
    kb: KnowledgeBase,
    source: str,
    target: str,
    *,
    k: int = 1,
    all_shortest: bool = False,
    max_hops: int | None = None,
    via: Iterable[str] = (),
    avoid: Iterable[str] = (),
    dependency: bool = False,
    collapse: bool = False,
    cited_only: bool = False,
) -> PathResult:
    """How is ``source`` connected to ``target``? Shortest paths, each hop explained.

    Parameters
    ----------
    kb : KnowledgeBase
    source, target : str
        Entity names, as :meth:`KnowledgeBase.entity` resolves them.
    k : int
        Return up to ``k`` shortest simple paths (shortest first).
    all_shortest : bool
        Return every path of the shortest length instead.
    max_hops : int, optional
        Ignore paths longer than this.
    via : iterable of str
        Follow only these relations (labels, IRIs or local names).
    avoid : iterable of str
        Relations or entities the paths must not use.
    dependency : bool
        Follow only dependency-carrying edges, in their direction: each hop goes from
        an entity to something it depends on.
    collapse : bool
        Walk the collapsed graph (fact nodes replaced by labelled edges).
    cited_only : bool
        Only paths whose every hop a source quotes: no hop along reference data or
        background knowledge.

    Returns
    -------
    PathResult
        ``paths`` is empty when there is none; ``reason`` then says why.

    Raises
    ------
    UnknownEntity, AmbiguousEntity, InputError

    Examples
    --------
    >>> import evkg
    >>> kb = evkg.load()
    >>> r = shortest_paths(kb, "Proton", "Geely")
    >>> r.paths[0].length, r.paths[0].edges[0].label
    (1, 'owned by')
    >>> r = shortest_paths(kb, "Pakistan", "CATL", cited_only=True)
    >>> all(any(s["quote"] for s in e.sources) for e in r.paths[0].edges)
    True
    """
    if k < 1:
        raise InputError("k must be at least 1.")
    if max_hops is not None and max_hops < 1:
        raise InputError("--max-hops must be at least 1.")
    options = dict(k=k, all_shortest=all_shortest, max_hops=max_hops, via=via, avoid=avoid, dependency=dependency,
                   cited_only=cited_only)
    if collapse:  # the collapsed graph's edges are its fact nodes: searched as built
        return _paths_in_graph(kb, graph_of(kb, collapse=True), source, target, **options)
    return _paths_in_index(kb, search_index(kb), source, target, **options)


def _paths_in_graph(kb, G, source, target, *, k, all_shortest, max_hops, via, avoid, dependency, cited_only) -> PathResult:
    """shortest_paths on a built graph ``G``."""
    a = resolve_node(kb, G, source)
    b = resolve_node(kb, G, target)
    result = PathResult(PathNode.of(G, a), PathNode.of(G, b))
    if a == b:
        raise InputError(f"{source!r} and {target!r} are the same entity; give two different ones.")
    resolve = lambda names: resolve_relations(G, names)  # noqa: E731
    via_set, avoid_relations, avoid_nodes = _filters(kb, G, resolve, via, avoid, (a, b))

    def hops(cited: bool, filtered: bool = True):
        return _hop_graph(G, via=via_set if filtered else set(), avoid_relations=avoid_relations if filtered else set(),
                          avoid_nodes=avoid_nodes if filtered else set(), dependency=dependency, cited_only=cited)

    H = hops(cited_only)
    for nodes in _search(H, a, b, k=k, all_shortest=all_shortest, max_hops=max_hops):
        edges = tuple(
            _best_edge(G, x, y, via_set, avoid_relations, dependency, cited_only) for x, y in zip(nodes, nodes[1:])
        )
        result.paths.append(Path(len(edges), tuple(PathNode.of(G, n) for n in nodes), edges))
    if not result.paths:
        result.reason = _why_no_path(H, hops(False, filtered=False), hops(False) if cited_only else None, a, b,
                                     max_hops=max_hops, dependency=dependency,
                                     filtered=bool(via_set or avoid_relations or avoid_nodes))
        result.source_neighbours = _neighbour_labels({G.nodes[n]["label"] for n in _adjacent(G, a)})
        result.target_neighbours = _neighbour_labels({G.nodes[n]["label"] for n in _adjacent(G, b)})
    return result


def _paths_in_index(kb, index: SearchIndex, source, target, *, k, all_shortest, max_hops, via, avoid, dependency,
                    cited_only) -> PathResult:
    """shortest_paths on the search index; the labels and citations of the answer read
    from the knowledge base afterwards."""
    a = resolve_node(kb, index, source)
    b = resolve_node(kb, index, target)
    details = _Details(kb, index)
    result = PathResult(*details.nodes([a, b]))
    if a == b:
        raise InputError(f"{source!r} and {target!r} are the same entity; give two different ones.")
    relations = {(p, label, inverse) for p, label, inverse, _ in index.predicates}
    resolve = lambda names: _resolve_in(relations, names)  # noqa: E731
    via_set, avoid_relations, avoid_iris = _filters(kb, index, resolve, via, avoid, (a, b))
    avoid_nodes = set(avoid_iris)

    def hops(cited: bool, filtered: bool = True):
        allowed = None
        if filtered and (via_set or avoid_relations):
            allowed = {i for i, (p, *_) in enumerate(index.predicates) if (not via_set or p in via_set) and p not in avoid_relations}
        return hop_graph(index, dependency=dependency, cited_only=cited, allowed=allowed,
                         avoid_nodes=avoid_nodes if filtered else ())

    H = hops(cited_only)
    found = _search(H, a, b, k=k, all_shortest=all_shortest, max_hops=max_hops)
    chosen = [[_best_index_edge(index, x, y, via_set, avoid_relations, dependency, cited_only) for x, y in zip(n, n[1:])]
              for n in found]
    labelled = dict(zip(sorted({n for nodes in found for n in nodes}), details.nodes(sorted({n for nodes in found for n in nodes}))))
    for nodes, hops_taken in zip(found, chosen):
        edges = tuple(details.edge(e, x, forward) for (e, forward), x in zip(hops_taken, nodes))
        result.paths.append(Path(len(edges), tuple(labelled[n] for n in nodes), edges))
    if not result.paths:
        result.reason = _why_no_path(H, hops(False, filtered=False), hops(False) if cited_only else None, a, b,
                                     max_hops=max_hops, dependency=dependency,
                                     filtered=bool(via_set or avoid_relations or avoid_nodes))
        result.source_neighbours = _neighbour_labels(details.labels(index.neighbours(a)))
        result.target_neighbours = _neighbour_labels(details.labels(index.neighbours(b)))
    return result


def _filters(kb, G, resolve, via, avoid, ends) -> tuple[set[str], set[str], set]:
    """The relations of --via, and the relations and nodes of --avoid."""
    via_set = resolve(via) if via else set()
    avoid_relations: set[str] = set()
    avoid_nodes: set = set()
    for name in avoid:
        try:
            avoid_relations |= resolve([name])
        except InputError:
            node = resolve_node(kb, G, name)
            if node in ends:
                raise InputError(f"cannot avoid {name!r}: it is an end of the path.") from None
            avoid_nodes.add(node)
    return via_set, avoid_relations, avoid_nodes


def _best_index_edge(index: SearchIndex, a: int, b: int, via, avoid, dependency, cited_only) -> tuple[int, bool]:
    """_best_edge on the index: the edge number and whether it is walked forward."""
    candidates = []
    for e in index.edges_of(a):
        iri, _, _, kind = index.predicates[index.predicate[e]]
        if (via and iri not in via) or iri in avoid:
            continue
        unquoted = not index.quoted[e]
        if index.source[e] == a and index.target[e] == b and (not dependency or kind in DEPENDS_FORWARD):
            candidates.append((unquoted, 0, iri, e, True))
        if index.source[e] == b and index.target[e] == a and (not dependency or kind in DEPENDS_BACKWARD):
            candidates.append((unquoted, 1, iri, e, False))
    if cited_only:
        candidates = [c for c in candidates if not c[0]]
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    _, _, _, e, forward = candidates[0]
    return e, forward

def _search(H, a, b, *, k, all_shortest, max_hops) -> list[list[str]]:
    try:
        if all_shortest:
            found = sorted(nx.all_shortest_paths(H, a, b))
        elif k > 1:
            found = list(itertools.islice(nx.shortest_simple_paths(H, a, b, weight="weight"), k))
        else:
            found = [nx.shortest_path(H, a, b, weight="weight")]
    except nx.NetworkXNoPath:
        return []
    if max_hops is not None:
        found = [p for p in found if len(p) - 1 <= max_hops]
    return found


def _why_no_path(H, full, uncited, a, b, *, max_hops, dependency, filtered) -> str:
    """Why ``H`` has no path from ``a`` to ``b``: ``full`` is the search graph with no
    filter, ``uncited`` the one without --cited-only (None when not asked)."""
    if nx.has_path(H, a, b) and max_hops is not None:
        hops = nx.shortest_path_length(H, a, b)
        return f"every path has more than {max_hops} hops (the shortest has {hops})."
    if uncited is not None and nx.has_path(uncited, a, b):
        return ("every path has a hop that no source quotes (reference data or background knowledge); "
                "drop --cited-only to see those paths.")
    if filtered and nx.has_path(full, a, b):
        return "every path uses an avoided entity or relation, or a relation outside --via."
    if dependency:
        return "no chain of dependency edges leads from the first entity to the second."
    return "the two entities are in different components of the graph: nothing connects them."


def _adjacent(G, node) -> Iterable:
    return itertools.chain(G.successors(node), G.predecessors(node))


def _neighbour_labels(names: set[str], limit: int = 10) -> list[str]:
    names = sorted(names)
    return names[:limit] + ([f"... {len(names) - limit} more"] if len(names) > limit else [])



class _Details:
    """The labels and citations of the few nodes and edges of an answer, read from the
    knowledge base the way :func:`~evkg.graph.build.build_graph` reads them for all."""

    def __init__(self, kb: KnowledgeBase, index: SearchIndex):
        self.kb, self.index, self.read = kb, index, NarrowReader(kb)

    def _label(self, iri) -> str:
        from rdflib import Literal
        from rdflib.namespace import RDFS, SKOS

        rdf = self.kb.dataset
        chosen = []
        for predicate in (RDFS.label, SKOS.prefLabel):
            values = [str(v) for v in rdf.objects(iri, predicate) if isinstance(v, Literal) and v.language in (None, "en")]
            chosen.append(min(values) if values else None)
        label = chosen[0] or chosen[1]
        return label if label is not None else self.kb.label_of(iri)

    def _type_label(self, iri) -> str:
        from rdflib import RDF, URIRef

        from ..ontology import EV

        kinds = {k for k in self.kb.dataset.objects(iri, RDF.type) if isinstance(k, URIRef)}
        own = sorted(k for k in kinds if str(k).startswith(str(EV._NS)))
        return self.read.label((own or sorted(kinds))[0])

    def nodes(self, ids: Iterable[int]) -> list[PathNode]:
        from rdflib import URIRef

        iris = [URIRef(self.index.nodes[i]) for i in ids]
        return [PathNode(str(iri), self._label(iri), self._type_label(iri)) for iri in iris]

    def labels(self, ids: Iterable[int]) -> set[str]:
        from rdflib import URIRef

        return {self._label(URIRef(self.index.nodes[i])) for i in ids}

    def edge(self, e: int, start: int, forward: bool) -> PathEdge:
        """Edge ``e`` walked from node ``start``."""
        index = self.index
        s, o = index.nodes[index.source[e]], index.nodes[index.target[e]]
        predicate, label, inverse_label, _ = index.predicates[index.predicate[e]]
        return PathEdge(
            source=index.nodes[start],
            target=o if index.nodes[start] == s else s,
            predicate=predicate,
            label=label if forward else inverse_label,
            forward=forward,
            sources=tuple(self._sources(s, predicate, o)),
        )

    def _sources(self, s: str, p: str, o: str) -> list[dict]:
        """The sources of edge (s, p, o) as build_graph gives them: a fact node's
        citations, else the reified statement's, else each graph that holds it."""
        from rdflib import URIRef

        read = self.read
        triple = (URIRef(s), URIRef(p), URIRef(o))
        if read.is_fact(triple[0]):
            return [c.__dict__ for c in read.citations(triple[0])]
        found = read.statements([triple]).get(triple)
        if found:
            return [c.__dict__ for c in found]
        if read.by_sparql:
            graphs = {str(g) for (g,) in self.kb.rows(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{s}> <{p}> <{o}> }} }}")}
        else:
            graphs = {str(getattr(g, "identifier", g)) for *_, g in self.kb.dataset.quads((*triple, None))}
        return [{"graph": g, "source": "", "title": read.graph_title(g), "quote": None} for g in sorted(graphs)]


# --------------------------------------------------------------------------- neighbourhood


@dataclass(frozen=True)
class Neighbour:
    node: PathNode
    depth: int
    relation: str
    via: str
    forward: bool
    sources: tuple[dict, ...]


@dataclass
class Neighbourhood:
    center: PathNode
    neighbours: list[Neighbour]

    def grouped(self) -> dict[str, list[Neighbour]]:
        groups: dict[str, list[Neighbour]] = defaultdict(list)
        for n in self.neighbours:
            groups[n.relation].append(n)
        return dict(sorted(groups.items()))

    def to_dict(self) -> dict:
        return {
            "center": asdict(self.center),
            "neighbours": [
                {**asdict(n.node), "depth": n.depth, "relation": n.relation, "via": n.via,
                 "direction": "forward" if n.forward else "backward",
                 "sources": [{"graph": s["graph"], "title": s["title"], "quote": s["quote"]} for s in n.sources]}
                for n in self.neighbours
            ],
        }


def neighbourhood(
    kb: KnowledgeBase,
    entity: str,
    *,
    depth: int = 1,
    relations: Iterable[str] = (),
    collapse: bool = False,
) -> Neighbourhood:
    """The entities within ``depth`` hops of ``entity`` (either direction), each with the
    relation that first reached it.

    Examples
    --------
    >>> import evkg
    >>> hood = neighbourhood(evkg.load(), "Proton")
    >>> sorted({n.relation for n in hood.neighbours}) >= ['based in', 'owned by']
    True
    """
    if depth < 1:
        raise InputError("--depth must be at least 1.")
    G = graph_of(kb, collapse=collapse)
    center = resolve_node(kb, G, entity)
    allowed = resolve_relations(G, relations) if relations else set()
    seen = {center}
    frontier = [center]
    found: list[Neighbour] = []
    for level in range(1, depth + 1):
        next_frontier = []
        for node in frontier:
            steps = [(v, key, d, True) for _, v, key, d in G.out_edges(node, keys=True, data=True)]
            steps += [(u, key, d, False) for u, _, key, d in G.in_edges(node, keys=True, data=True)]
            for other, key, data, forward in sorted(steps, key=lambda s: (s[0], str(s[1]))):
                if allowed and data["predicate"] not in allowed:
                    continue
                if other in seen:
                    continue
                seen.add(other)
                next_frontier.append(other)
                found.append(
                    Neighbour(
                        PathNode.of(G, other), level, data["label"] if forward else data["inverse_label"],
                        node, forward, tuple(data["sources"]),
                    )
                )
        frontier = next_frontier
    return Neighbourhood(PathNode.of(G, center), found)
