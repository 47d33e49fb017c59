"""Views of the knowledge graph to draw: the whole graph, an entity's neighbourhood or
the paths between two entities, filtered by class, source and relation, and cut to a
size a browser can draw, with a note saying so (never a silent cut).

Examples
--------
>>> import evkg
>>> kb = evkg.load()
>>> view = graph_view(kb, around="Proton")
>>> view.title
'Proton and its neighbours'
>>> "https://w3id.org/evkg/id/company/geely" in view.G
True
>>> view = graph_view(kb, path=("Proton", "Geely"))
>>> sorted(view.G.nodes[n]["label"] for n in view.highlight_nodes)
['Geely', 'Proton']
"""

from __future__ import annotations

import hashlib
import json
import marshal
import weakref
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import networkx as nx
from rdflib import URIRef
from rdflib.namespace import RDF

from .. import caching
from ..errors import InputError
from ..kb import KnowledgeBase, normalize_name
from ..ontology import EV, GRAPH
from .analysis import class_and_subclasses
from .cache import cache_key, graph_of
from .paths import PathResult, resolve_node, resolve_relations, shortest_paths
from .style import FAMILIES, class_families

__all__ = [
    "DEFAULT_MAX_NODES",
    "FAMILIES",
    "GraphView",
    "ViewSource",
    "graph_view",
    "view_from_graph",
    "resolve_sources",
]

#: The default cap on the nodes of a view: a browser draws 5,000 in well under 3 s.
DEFAULT_MAX_NODES = 5000

_ONTOLOGY_GRAPH = str(GRAPH["ontology"])


@dataclass(frozen=True)
class ViewSource:
    """A named graph that contributes to a view, with how much of the view it supports."""

    graph: str
    source: str
    title: str
    nodes: int
    edges: int

    @property
    def id(self) -> str:
        """The short name ``--source`` accepts: the last part of the graph IRI."""
        return self.graph.rsplit("/", 1)[-1]


@dataclass
class GraphView:
    """A part of the graph, ready to draw.

    Attributes
    ----------
    G : networkx.MultiDiGraph
        The selected nodes and edges, with the attributes of :func:`build_graph`.
    title : str
        What the view shows, in words.
    kind : str
        ``"graph"`` (the whole graph, filtered), ``"around"`` or ``"path"``.
    center : str or None
        The entity of an ``"around"`` view.
    highlight_nodes, highlight_edges : frozenset
        The nodes and the ``(u, v, key)`` edges of the paths of a ``"path"`` view.
    path : PathResult or None
        The paths of a ``"path"`` view (``path.reason`` says why there are none).
    note : str or None
        Set when the view was cut to ``max_nodes``: what was kept and what was left out.
    filters : tuple of str
        The filters applied, in words (``"class: company"``).
    sources : tuple of ViewSource
        The named graphs behind the view's nodes and edges, in IRI order.
    families : dict
        Class IRI -> family name (see :data:`FAMILIES`) for the classes of the view.
    total_nodes, total_edges : int
        The size of the whole graph the view was taken from.
    data_hash : str
        SHA-256 of the whole graph's content: the same data gives the same hash.
    """

    G: nx.MultiDiGraph
    title: str
    kind: str = "graph"
    center: str | None = None
    highlight_nodes: frozenset = frozenset()
    highlight_edges: frozenset = frozenset()
    path: PathResult | None = None
    note: str | None = None
    filters: tuple[str, ...] = ()
    sources: tuple[ViewSource, ...] = ()
    families: dict[str, str] = field(default_factory=dict)
    total_nodes: int = 0
    total_edges: int = 0
    data_hash: str = ""


# --------------------------------------------------------------------------- public


def graph_view(
    kb: KnowledgeBase,
    *,
    around: str | None = None,
    depth: int = 1,
    path: PathResult | tuple[str, str] | None = None,
    types: Iterable[str] = (),
    sources: Iterable[str] = (),
    relations: Iterable[str] = (),
    max_nodes: int = DEFAULT_MAX_NODES,
    collapse: bool = False,
) -> GraphView:
    """Select the part of the knowledge graph to draw.

    Filters narrow the graph first; ``around`` and ``path`` then take the nodes within
    ``depth`` hops (either direction) of the entity or of the paths' nodes. The entity
    and the paths are always kept, whatever the filters say.

    Parameters
    ----------
    kb : KnowledgeBase
    around : str, optional
        An entity name: show its neighbourhood.
    depth : int
        Hops out from ``around`` or from the paths (0: the entity or the paths alone).
    path : PathResult or (str, str), optional
        The result of :func:`shortest_paths` (computed with the same ``collapse``), or
        two entity names to join by one shortest path; its nodes and edges are
        highlighted in their context.
    types : iterable of str
        Keep entities of these classes (labels such as "Company", or IRIs; subclasses
        count).
    sources : iterable of str
        Keep what these sources assert: a graph or source IRI, its id (a unique prefix
        such as ``000`` will do) or the article's title.
    relations : iterable of str
        Keep edges of these relations (labels, inverse labels, IRIs or local names).
    max_nodes : int
        Cut the view to this many nodes, nearest (or best-connected) first; ``note``
        then says so.
    collapse : bool
        Use the graph whose fact nodes are replaced by direct labelled edges.

    Returns
    -------
    GraphView

    Raises
    ------
    UnknownEntity, AmbiguousEntity
        ``around`` or an end of ``path`` names no entity, or several.
    InputError
        An unknown class, source or relation (the message lists the known ones), both
        ``around`` and ``path``, a negative ``depth`` or ``max_nodes`` below 1.

    Examples
    --------
    >>> import evkg
    >>> view = graph_view(evkg.load(), around="Proton", relations=["owned by"])
    >>> sorted(d["label"] for _, d in view.G.nodes(data=True))
    ['Geely', 'Proton']
    """
    if around is not None and path is not None:
        raise InputError("give either an entity to show around or a path, not both.")
    if depth < 0:
        raise InputError("the depth must be 0 or more.")
    if max_nodes < 1:
        raise InputError("max_nodes must be at least 1.")
    # The view makes no cycles; the collector's passes over the whole graph would cost
    # more than the view itself on a large one.
    with caching.collector_paused():
        return _graph_view(
            kb, around=around, depth=depth, path=path, types=types, sources=sources, relations=relations,
            max_nodes=max_nodes, collapse=collapse,
        )


def _graph_view(kb, *, around, depth, path, types, sources, relations, max_nodes, collapse) -> GraphView:
    G = graph_of(kb, collapse=collapse)
    graph_sources = _graph_sources(kb)
    kind, center, result, title = "graph", None, None, "The evkg knowledge graph"
    must: list[str] = []
    highlight: set[tuple[str, str, str]] = set()
    if around is not None:
        kind, center = "around", resolve_node(kb, G, around)
        must = [center]
        name = G.nodes[center]["label"]
        title = name if depth == 0 else f"{name} and its neighbours" if depth == 1 else f"{name} and all within {depth} hops"
    elif path is not None:
        kind = "path"
        if isinstance(path, PathResult):
            result = path
        else:
            ends = tuple(path)
            if len(ends) != 2:
                raise InputError("a path needs two entities: FROM and TO.")
            result = shortest_paths(kb, ends[0], ends[1], collapse=collapse)
        must, highlight = _path_elements(G, result)
        title = f"How {result.source.label} is connected to {result.target.label}"

    filters: list[str] = []
    wanted_types = None
    if types := list(types):
        wanted_types = set()
        for name in types:
            wanted_types |= class_and_subclasses(kb, name)
        filters.append("class: " + ", ".join(types))
    wanted_predicates = None
    if relations := list(relations):
        wanted_predicates = resolve_relations(G, relations)
        filters.append("relation: " + ", ".join(relations))
    wanted_graphs = None
    if sources := list(sources):
        wanted_graphs = resolve_sources(kb, sources)
        filters.append("source: " + ", ".join(g.rsplit("/", 1)[-1] for g in sorted(wanted_graphs)))

    unfiltered = wanted_types is None and wanted_predicates is None and wanted_graphs is None
    if unfiltered:
        # Every node and every edge pass: no list of the whole graph's edges is made.
        nodes, edges = set(G), None
    else:
        nodes, edges = _filtered(G, must, wanted_types, wanted_predicates, wanted_graphs, graph_sources)
    if kind == "graph":
        degree = _degrees(G) if edges is None else _edge_degrees(edges)
        ranked = _by_degree(G, nodes, degree, limit=max_nodes)
        total = len(nodes)
        reason = "the best-connected nodes"
    else:
        if edges is None:
            edges = list(G.edges(keys=True))
        ranked = _by_distance(G, nodes, edges, must, depth)
        total = len(ranked)
        reason = "the nodes nearest to " + ("the entity" if kind == "around" else "the paths")
    view = _assemble(
        G, ranked, edges, total=total, must=must, highlight=highlight, max_nodes=max_nodes, reason=reason,
        title=title, graph_sources=graph_sources,
    )
    view.kind, view.center, view.path, view.filters = kind, center, result, tuple(filters)
    if kind == "path":
        view.highlight_nodes = frozenset(n for n in must if n in view.G)
    # Over the whole graph, so that a class keeps its colour from one view to the next.
    view.families = class_families(kb, (d["type"] for _, d in G.nodes(data=True)))
    full = graph_of(kb)
    view.total_nodes, view.total_edges = G.number_of_nodes(), _number_of_edges(G)
    view.data_hash = _data_hash(kb, full)
    return view


def view_from_graph(
    G: nx.MultiDiGraph,
    *,
    title: str = "Graph",
    max_nodes: int = DEFAULT_MAX_NODES,
    families: dict[str, str] | None = None,
) -> GraphView:
    """Wrap a graph with :func:`build_graph`'s attributes (your own, or a synthetic one)
    in a view of the whole graph, cut to ``max_nodes`` best-connected nodes.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", label="A", type="urn:T", type_label="thing")
    >>> G.add_node("b", label="B", type="urn:T", type_label="thing")
    >>> _ = G.add_edge("a", "b", key="urn:p", predicate="urn:p", label="p")
    >>> view = view_from_graph(G, max_nodes=1)
    >>> list(view.G), view.note
    (['a'], 'Showing 1 of 2 nodes, the best-connected nodes: the view is limited to 1 node.')
    """
    if max_nodes < 1:
        raise InputError("max_nodes must be at least 1.")
    with caching.collector_paused():
        ranked = _by_degree(G, set(G), _degrees(G), limit=max_nodes)
        view = _assemble(
            G, ranked, None, total=G.number_of_nodes(), must=[], highlight=set(), max_nodes=max_nodes,
            reason="the best-connected nodes", title=title, graph_sources={},
        )
        view.families = dict(families or {})
        view.total_nodes, view.total_edges = G.number_of_nodes(), _number_of_edges(G)
        view.data_hash = _content_hash(G)
    return view


def resolve_sources(kb: KnowledgeBase, names: Iterable[str]) -> set[str]:
    """Map source names to named graph IRIs.

    A name is a graph or source IRI, a graph's id (``000_2f9e7fe2686975ec``) or a unique
    prefix of it (``000``), or an article's title (case and punctuation do not count).

    Raises
    ------
    InputError
        An unknown or ambiguous name; the message lists the sources.

    Examples
    --------
    >>> import evkg
    >>> sorted(resolve_sources(evkg.load(), ["000", "reference"]))
    ['https://w3id.org/evkg/graph/000_2f9e7fe2686975ec', 'https://w3id.org/evkg/graph/reference']
    """
    available = _graph_sources(kb)
    chosen: set[str] = set()
    for name in names:
        text = name.strip()
        folded, normal = text.casefold(), normalize_name(text)
        exact, partial = [], []
        for graph, (source, title) in sorted(available.items()):
            ident = graph.rsplit("/", 1)[-1].casefold()
            if folded in (graph.casefold(), source.casefold(), ident) or (normal and normal == normalize_name(title)):
                exact.append(graph)
            elif folded and (ident.startswith(folded) or (len(normal) >= 4 and normal in normalize_name(title))):
                partial.append(graph)
        found = exact or partial
        listing = "; ".join(f"{g.rsplit('/', 1)[-1]} ({t})" for g, (_, t) in sorted(available.items()))
        if not found:
            raise InputError(f"unknown source {name!r}. Sources: {listing}.")
        if len(found) > 1:
            names_found = ", ".join(g.rsplit("/", 1)[-1] for g in found)
            raise InputError(f"{name!r} matches several sources ({names_found}); give more of the id.")
        chosen.add(found[0])
    return chosen


# --------------------------------------------------------------------------- selection


def _graph_sources(kb: KnowledgeBase) -> dict[str, tuple[str, str]]:
    """Named graph IRI -> (source IRI, title), for every graph but the ontology.

    A graph's source is the first (in term order) of the articles, reference data and
    sources that the graph types: those are a few, where the graph may type hundreds of
    thousands of entities."""
    rdf = kb.dataset
    kinds = (EV.Article, EV.ReferenceData, EV.Source)
    documents = sorted({s for kind in kinds for s in rdf.subjects(RDF.type, kind)})
    found = {}
    for graph in _named_graphs(kb):
        if str(graph) == _ONTOLOGY_GRAPH:
            continue
        named = rdf.graph(graph)
        source = next((s for s in documents if (s, RDF.type, None) in named), None)
        found[str(graph)] = (str(source or ""), kb.graph_title(str(graph)))
    return found


def _named_graphs(kb: KnowledgeBase) -> list:
    """:meth:`KnowledgeBase.graph_names`, each graph's triples not counted but looked for."""
    return sorted(
        g.identifier
        for g in kb.dataset.graphs()
        if isinstance(g.identifier, URIRef) and next(iter(g.triples((None, None, None))), None) is not None
    )


def _cited_graphs(citations: Iterable[dict], graph_sources: dict[str, tuple[str, str]]) -> set[str]:
    by_source = {source: graph for graph, (source, _) in graph_sources.items() if source}
    found = set()
    for citation in citations:
        if citation.get("graph"):
            found.add(citation["graph"])
        elif citation.get("source") in by_source:
            found.add(by_source[citation["source"]])
    return found


def _edge_graphs(data: dict, graph_sources) -> set[str]:
    return {g for g in data.get("graphs", ()) if g} | _cited_graphs(data.get("sources", ()), graph_sources)


def _path_elements(G: nx.MultiDiGraph, result: PathResult) -> tuple[list[str], set[tuple[str, str, str]]]:
    """The nodes (in path order) and the (u, v, key) edges of the paths of ``result``."""
    nodes = [result.source.id, result.target.id]
    edges: set[tuple[str, str, str]] = set()
    for node in nodes:
        if node not in G:
            raise InputError(f"{node} is not in this graph; compute the path with the same collapse setting.")
    for walked in result.paths:
        nodes.extend(n.id for n in walked.nodes)
        for hop in walked.edges:
            u, v = (hop.source, hop.target) if hop.forward else (hop.target, hop.source)
            candidates = {k: d for k, d in (G.get_edge_data(u, v) or {}).items() if d["predicate"] == hop.predicate}
            same = [k for k, d in candidates.items() if tuple(d["sources"]) == tuple(hop.sources)]
            keys = same or list(candidates)
            if not keys:
                raise InputError(
                    f"the hop {hop.source} —{hop.label}→ {hop.target} is not an edge of this graph; "
                    "compute the path with the same collapse setting."
                )
            edges.update((u, v, k) for k in keys)
    return list(dict.fromkeys(nodes)), edges


def _filtered(G, must, wanted_types, wanted_predicates, wanted_graphs, graph_sources):
    """The nodes and (u, v, key) edges that pass the filters; ``must`` nodes always pass."""
    keep = set(must)
    nodes = {n for n, d in G.nodes(data=True) if wanted_types is None or n in keep or d["type"] in wanted_types}
    edges = []
    for u, v, key, data in G.edges(keys=True, data=True):
        if u not in nodes or v not in nodes:
            continue
        if wanted_predicates is not None and data["predicate"] not in wanted_predicates:
            continue
        if wanted_graphs is not None and not (_edge_graphs(data, graph_sources) & wanted_graphs):
            continue
        edges.append((u, v, key))
    if wanted_predicates is not None or wanted_graphs is not None:
        linked = {u for u, _, _ in edges} | {v for _, v, _ in edges}
        cited = set()
        if wanted_graphs is not None and wanted_predicates is None:
            cited = {n for n in nodes if _cited_graphs(G.nodes[n].get("sources", ()), graph_sources) & wanted_graphs}
        nodes = {n for n in nodes if n in linked or n in keep or n in cited}
    edges.sort(key=lambda e: (e[0], e[1], str(e[2])))
    return nodes, edges


def _degrees(G: nx.MultiDiGraph) -> dict[Hashable, int]:
    """Node -> its edges, in and out, over the whole graph (a loop counts twice)."""
    # The graph's own dicts: its views cost more than the counting.
    out, into = G._succ, G._pred
    return {n: sum(map(len, out[n].values())) + sum(map(len, into[n].values())) for n in out}


def _edge_degrees(edges) -> dict[Hashable, int]:
    """Node -> its edges among ``edges``, ``(u, v, key)`` triples."""
    degree: dict[Hashable, int] = defaultdict(int)
    for u, v, _ in edges:
        degree[u] += 1
        degree[v] += 1
    return degree


def _number_of_edges(G: nx.MultiDiGraph) -> int:
    """``G.number_of_edges()``, which adds up every node's degree on a multigraph."""
    return sum(len(keyed) for targets in G._succ.values() for keyed in targets.values())


def _by_degree(G, nodes, degree, *, limit: int) -> list[Hashable]:
    """The first ``limit`` of ``nodes`` by rank: most edges first, then by label and by
    name. Only the nodes with at least as many edges as the last one kept are sorted."""
    def rank(n):
        return (-degree.get(n, 0), str(G.nodes[n].get("label", n)), str(n))

    if limit < len(nodes):
        floor = sorted((degree.get(n, 0) for n in nodes), reverse=True)[limit - 1]
        nodes = [n for n in nodes if degree.get(n, 0) >= floor]
    return sorted(nodes, key=rank)[:limit]


def _by_distance(G, nodes, edges, must, depth) -> list[Hashable]:
    """Nodes within ``depth`` hops of ``must`` over ``edges``: nearest, then best-connected first."""
    adjacency: dict[Hashable, set] = defaultdict(set)
    degree: dict[Hashable, int] = defaultdict(int)
    for u, v, _ in edges:
        adjacency[u].add(v)
        adjacency[v].add(u)
        degree[u] += 1
        degree[v] += 1
    distance = {n: 0 for n in must}
    frontier = list(must)
    for level in range(1, depth + 1):
        reached = []
        for node in frontier:
            for other in adjacency[node]:
                if other in nodes and other not in distance:
                    distance[other] = level
                    reached.append(other)
        frontier = reached
    order = {n: i for i, n in enumerate(must)}
    return sorted(
        distance,
        key=lambda n: (distance[n], order.get(n, 0), -degree[n], str(G.nodes[n].get("label", n)), str(n)),
    )


def _assemble(G, ranked, edges, *, total, must, highlight, max_nodes, reason, title, graph_sources) -> GraphView:
    """Cut ``ranked`` to ``max_nodes`` (``must`` nodes always stay) and build the view.

    ``ranked`` holds the first nodes of the ranking at least, ``total`` how many nodes
    were ranked; ``edges`` lists the ``(u, v, key)`` edges that passed the filters, or
    is None when every edge of ``G`` did."""
    keep_count = max(max_nodes, len(must))
    kept = set(ranked[:keep_count])
    note = None
    if total > len(kept):
        note = (
            f"Showing {len(kept):,} of {total:,} nodes, {reason}: "
            f"the view is limited to {max_nodes:,} node{'s' if max_nodes != 1 else ''}."
        )
        if len(must) > max_nodes:
            note += f" The {len(must)} nodes of the paths are all shown."
    H = nx.MultiDiGraph()
    for n in sorted(kept, key=str):
        data = dict(G.nodes[n])
        country = data.get("country")
        if country is not None and country in G and country != n:
            data["country_label"] = G.nodes[country].get("label", country)
        H.add_node(n, **data)
    if edges is None:  # the edges out of the kept nodes, rather than a pass over all edges
        chosen = {(u, v, key) for u in kept for v, keyed in G.succ[u].items() if v in kept for key in keyed}
    else:
        chosen = {e for e in edges if e[0] in kept and e[1] in kept}
    chosen |= set(highlight)
    for u, v, key in sorted(chosen, key=lambda e: (str(e[0]), str(e[1]), str(e[2]))):
        H.add_edge(u, v, key=key, **G.edges[u, v, key])
    return GraphView(
        G=H,
        title=title,
        highlight_edges=frozenset(highlight),
        note=note,
        sources=_view_sources(H, graph_sources),
    )


def _view_sources(H: nx.MultiDiGraph, graph_sources) -> tuple[ViewSource, ...]:
    nodes: dict[str, set] = defaultdict(set)
    edges: dict[str, int] = defaultdict(int)
    for u, v, data in H.edges(data=True):
        for graph in _edge_graphs(data, graph_sources):
            edges[graph] += 1
            nodes[graph].update((u, v))
    for n, data in H.nodes(data=True):
        for graph in _cited_graphs(data.get("sources", ()), graph_sources):
            nodes[graph].add(n)
    return tuple(
        ViewSource(
            graph,
            graph_sources.get(graph, ("", ""))[0],
            graph_sources.get(graph, ("", graph.rsplit("/", 1)[-1]))[1],
            len(nodes[graph]),
            edges[graph],
        )
        for graph in sorted(set(nodes) | set(edges))
        if graph != _ONTOLOGY_GRAPH
    )


_HASHES: "weakref.WeakKeyDictionary[nx.MultiDiGraph, str]" = weakref.WeakKeyDictionary()

#: Changes whenever :func:`_content_hash` writes the graph out otherwise.
_HASH_LAYOUT = "evkg-data-hash-2"

#: Nodes per block of the content hash: a block is written out whole, then hashed.
_HASH_BLOCK = 2000


def _data_hash(kb: KnowledgeBase, G: nx.MultiDiGraph) -> str:
    """:func:`_content_hash` of ``kb``'s graph ``G``, kept on disk beside the graph, under
    its key: a later process that reads the graph back does not write it out again."""
    if G in _HASHES:
        return _HASHES[G]
    graph_key = cache_key(kb, collapse=False)
    key = None if graph_key is None else caching.cache_key(_HASH_LAYOUT, graph_key)
    found = None if key is None else caching.read_cached("graph-hashes", key)
    if found is not None and len(found) == 64 and all(c in b"0123456789abcdef" for c in found):
        _HASHES[G] = found.decode("ascii")
        return _HASHES[G]
    digest = _content_hash(G)
    if key is not None:
        caching.write_cached("graph-hashes", key, digest.encode("ascii"))
    return digest


def _content_hash(G: nx.MultiDiGraph) -> str:
    """SHA-256 of the graph's content (cached per graph): every node in the order of
    ``str(node)``, with its attributes and its edges out as the graph holds them (a graph
    of :func:`build_graph` adds them in subject, predicate, object order).

    The nodes go in blocks, each written with :mod:`marshal` version 2, which writes
    every value out and never refers back to an object written before, so that the bytes
    depend on the values alone, not on which objects the graph shares. A block holding a
    value marshal cannot write (an rdflib term, an object of the caller's) is written as
    JSON instead, with such values as their ``str``.
    """
    if G in _HASHES:
        return _HASHES[G]
    digest = hashlib.sha256()
    # The graph's own dicts, which marshal writes as they are (its views it cannot).
    attributes, targets = G._node, G._succ
    nodes = sorted(attributes, key=str)
    for start in range(0, len(nodes), _HASH_BLOCK):
        block = [(n, attributes[n], targets[n]) for n in nodes[start : start + _HASH_BLOCK]]
        try:
            digest.update(b"m" + marshal.dumps(block, 2))
        except ValueError:  # a value marshal cannot write
            digest.update(b"j" + _json_block(block))
    _HASHES[G] = digest.hexdigest()
    return _HASHES[G]


def _json_block(block) -> bytes:
    """A block of the content hash as JSON: targets and keys as lists of pairs, since
    JSON's object keys are strings only."""
    plain = [[n, data, [[v, list(keyed.items())] for v, keyed in targets.items()]] for n, data, targets in block]
    text = json.dumps(plain, ensure_ascii=False, default=str, separators=(",", ":"))
    return text.encode("utf-8", "surrogatepass")
