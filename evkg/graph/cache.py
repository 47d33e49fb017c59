"""The built graph kept on disk between runs, so that the second `evkg path` on a large
store does not build the graph again (see :mod:`evkg.caching` for the folder).

A graph is filed under a key made from what the knowledge base holds: for the memory
store, the bytes of every file loaded (ontology, seeds, --data files); for an Oxigraph
store, the generation mark evkg writes into the database folder whenever it changes the
store (:meth:`evkg.stores.oxigraph.OxigraphStore.generation`). A knowledge base with no such key
(a SPARQL endpoint, whose contents evkg cannot vouch for; a knowledge base built by hand;
one changed after it was loaded) is never cached.

On disk a graph is plain JSON, never a pickle: its graph, node and edge attributes in
order, the edges in an order that gives every node the same successors and predecessors
in the same order as the graph filed, and a value that several nodes and edges hold (a
list of sources) written once and shared again when read. Values are JSON's own (strings, numbers, booleans,
None, lists, dicts with string keys) plus tuples and rdflib terms, each marked with a key
of its own, so that what is read back has the same types as what was written; a graph
holding anything else is not filed. A file of another layout or shape is a miss.

Examples
--------
>>> import os, tempfile, evkg
>>> os.environ["EVKG_CACHE_DIR"] = tempfile.mkdtemp()
>>> kb = evkg.load()
>>> cached_graph(kb, collapse=False) is None        # nothing filed yet
True
>>> G = graph_of(kb)                                # built, and filed
>>> cached_graph(evkg.load(), collapse=False).number_of_nodes() == G.number_of_nodes()
True
"""

from __future__ import annotations

import json
import weakref
from graphlib import TopologicalSorter
from typing import TYPE_CHECKING

from .. import caching

if TYPE_CHECKING:
    import networkx as nx

    from ..kb import KnowledgeBase

__all__ = ["cache_key", "cached_graph", "file_graph", "graph_built", "graph_from_bytes", "graph_of", "graph_to_bytes"]

#: Graphs built in this process, per knowledge base and revision.
_IN_MEMORY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

#: Changes whenever the graph's attributes change shape, so that old files are not read.
GRAPH_FORMAT = "evkg-graph-4"


def cache_key(kb: KnowledgeBase, *, collapse: bool) -> str | None:
    """The key of ``kb``'s graph on disk, or None if its contents cannot be vouched for."""
    contents = kb.content_id
    if contents is None:
        return None
    import networkx

    from .. import __version__

    return caching.cache_key(GRAPH_FORMAT, __version__, f"networkx {networkx.__version__}", contents, f"collapse={collapse}")


def cached_graph(kb: KnowledgeBase, *, collapse: bool) -> nx.MultiDiGraph | None:
    """The graph filed for ``kb``, or None if there is none (or it cannot be read)."""
    key = cache_key(kb, collapse=collapse)
    data = None if key is None else caching.read_cached("graphs", key)
    if data is None:
        return None
    try:
        return graph_from_bytes(data)
    except Exception:  # another layout or shape: built again
        return None


def file_graph(kb: KnowledgeBase, G: nx.MultiDiGraph, *, collapse: bool) -> None:
    """Keep ``G`` on disk for ``kb`` (atomically); a cache that cannot be written is skipped."""
    key = cache_key(kb, collapse=collapse)
    if key is None:
        return
    try:
        data = graph_to_bytes(G)
    except (TypeError, ValueError):  # a value JSON cannot hold as it is
        return
    caching.write_cached("graphs", key, data)


def graph_of(kb: KnowledgeBase, *, collapse: bool = False) -> nx.MultiDiGraph:
    """The graph of ``kb``: kept in memory per knowledge base and revision, and on disk
    between runs when ``kb``'s contents have a key (see the module's notes)."""
    from .build import build_graph

    cache = _IN_MEMORY.setdefault(kb, {})
    for key in [key for key in cache if key[0] != kb.revision]:
        del cache[key]
    key = (kb.revision, collapse)
    if key not in cache:
        G = cached_graph(kb, collapse=collapse)
        if G is None:
            G = build_graph(kb, collapse=collapse)
            file_graph(kb, G, collapse=collapse)
        cache[key] = G
    return cache[key]


def graph_built(kb: KnowledgeBase, *, collapse: bool = False) -> nx.MultiDiGraph | None:
    """The graph :func:`graph_of` holds in memory for ``kb`` as it is now, or None (nothing
    is built or read for it)."""
    return _IN_MEMORY.get(kb, {}).get((kb.revision, collapse))


# --------------------------------------------------------------------------- the layout on disk

#: Marks a JSON object that stands for another type; a dict of the graph's own with such
#: a key is not filed.
_TAG = "\u0000"
_TUPLE, _IRI, _LITERAL, _BNODE, _SHARED = (_TAG + name for name in ("tuple", "iri", "literal", "bnode", "shared"))


def graph_to_bytes(G: nx.MultiDiGraph) -> bytes:
    """``G`` as plain JSON, for :func:`graph_from_bytes`.

    Raises
    ------
    TypeError
        ``G`` holds a value other than JSON's, tuples and rdflib terms.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "b", key="p", details=[("size", "big")])
    'p'
    >>> H = graph_from_bytes(graph_to_bytes(G))
    >>> H.edges["a", "b", "p"]
    {'details': [('size', 'big')]}
    """
    # A list or dict that several nodes and edges hold (a fact's sources, held by the
    # fact and by its edges) is written once and read back as one object again.
    seen: set[int] = set()
    shared_ids: set[int] = set()
    for data in _attribute_dicts(G):
        for value in data.values():
            if type(value) in (list, dict, tuple):
                (shared_ids if id(value) in seen else seen).add(id(value))
    shared: list = []
    numbers: dict[int, int] = {}

    def attributes(data: dict) -> dict:
        found = {}
        for name, value in data.items():
            if type(name) is not str or name.startswith(_TAG):
                raise TypeError("an attribute name that is not a plain string")
            if id(value) in shared_ids:
                number = numbers.get(id(value))
                if number is None:
                    number = numbers[id(value)] = len(shared)
                    shared.append(_plain(value))
                found[name] = {_SHARED: number}
            else:
                found[name] = _plain(value)
        return found

    body = {
        "layout": GRAPH_FORMAT,
        "graph": _plain(G.graph),
        "nodes": [[_plain(node), attributes(data)] for node, data in G.nodes(data=True)],
        "edges": [
            [_plain(u), _plain(v), _plain(key), attributes(data)]
            for u, v in _pair_order(G)
            for key, data in G.succ[u][v].items()
        ],
    }
    body["shared"] = shared
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=True).encode("utf-8")


def graph_from_bytes(data: bytes) -> nx.MultiDiGraph:
    """The graph :func:`graph_to_bytes` wrote.

    Raises
    ------
    ValueError
        ``data`` is not such a graph (damaged, another layout, wrong shape).
    """
    marks: list[_Shared] = []

    def typed(found: dict):
        if len(found) != 1:
            return found
        ((key, value),) = found.items()
        if key == _TUPLE and type(value) is list:
            return tuple(value)
        if key == _SHARED and type(value) is int:
            marks.append(_Shared(value))
            return marks[-1]
        return _typed(found)

    with caching.collector_paused():
        try:
            body = json.loads(data, object_hook=typed)
        except (ValueError, UnicodeDecodeError, TypeError) as exc:
            raise ValueError(f"not a graph: {exc}") from None
        return _graph_of_body(body, marks)


def _graph_of_body(body, marks: list[_Shared]) -> nx.MultiDiGraph:
    import networkx as nx

    if not isinstance(body, dict) or body.get("layout") != GRAPH_FORMAT:
        raise ValueError("not a graph of this layout")
    graph, nodes, edges, shared = (body.get(part) for part in ("graph", "nodes", "edges", "shared"))
    if not isinstance(graph, dict) or not all(isinstance(part, list) for part in (nodes, edges, shared)):
        raise ValueError("parts missing or of the wrong type")
    if not all(isinstance(node, list) and len(node) == 2 and isinstance(node[1], dict) for node in nodes):
        raise ValueError("a node is not (name, attributes)")
    if not all(isinstance(edge, list) and len(edge) == 4 and isinstance(edge[3], dict) for edge in edges):
        raise ValueError("an edge is not (source, target, key, attributes)")
    placed = 0
    for attributes in [node[1] for node in nodes] + [edge[3] for edge in edges]:
        for name, value in attributes.items():
            if type(value) is _Shared:
                if not 0 <= value.number < len(shared):
                    raise ValueError("a shared value out of range")
                attributes[name] = shared[value.number]
                placed += 1
    if placed != len(marks):
        raise ValueError("a shared value where none can be")
    G = nx.MultiDiGraph()
    G.graph.update(graph)
    try:
        G.add_nodes_from((name, attributes) for name, attributes in nodes)
        known = len(G)
        add_edge = G.add_edge
        for u, v, key, attributes in edges:
            if _ADD_EDGE_NAMES.isdisjoint(attributes):
                add_edge(u, v, key, **attributes)
            else:  # an attribute add_edge would take for an argument
                G.edges[u, v, add_edge(u, v, key)].update(attributes)
    except TypeError as exc:  # a name that cannot be a node (a list, a dict), or a key
        raise ValueError(f"not a graph: {exc}") from None
    # Counted from the graph's own dicts: a multigraph's number_of_edges adds up every
    # node's degree through its views, a second on a graph of 270,000 edges.
    added = sum(len(keyed) for targets in G._succ.values() for keyed in targets.values())
    if len(G) != known or len(nodes) != known or added != len(edges):
        raise ValueError("an edge to a node not listed, or a node or edge twice")
    return G


#: The names of add_edge's own arguments.
_ADD_EDGE_NAMES = frozenset({"u_for_edge", "v_for_edge", "key"})


class _Shared:
    """Where a shared value goes, until the table of them is read."""

    __slots__ = ("number",)

    def __init__(self, number: int):
        self.number = number


def _attribute_dicts(G: nx.MultiDiGraph):
    yield from (data for _, data in G.nodes(data=True))
    yield from (data for _, _, data in G.edges(data=True))


def _pair_order(G: nx.MultiDiGraph) -> list[tuple]:
    """The (source, target) pairs of ``G`` in an order that, added in turn, gives every
    node its successors and its predecessors in the order ``G`` has them."""
    order: TopologicalSorter = TopologicalSorter()
    for u, targets in G.succ.items():
        before = None
        for v in targets:
            order.add((u, v), *(() if before is None else (before,)))
            before = (u, v)
    for v, sources in G.pred.items():
        before = None
        for u in sources:
            order.add((u, v), *(() if before is None else (before,)))
            before = (u, v)
    return list(order.static_order())


def _plain(value):
    """``value`` as JSON can hold it, with tuples and rdflib terms marked."""
    kind = type(value)
    if kind is str or kind is bool or kind is int or kind is float or value is None:
        return value
    if kind is list:
        return [_plain(item) for item in value]
    if kind is dict:
        if not all(type(key) is str and not key.startswith(_TAG) for key in value):
            raise TypeError("a dict key that is not a plain string")
        return {key: _plain(item) for key, item in value.items()}
    if kind is tuple:
        return {_TUPLE: [_plain(item) for item in value]}
    from rdflib import BNode, Literal, URIRef

    if kind is URIRef:
        return {_IRI: str(value)}
    if kind is BNode:
        return {_BNODE: str(value)}
    if kind is Literal:
        return {_LITERAL: [str(value), value.language, None if value.datatype is None else str(value.datatype)]}
    raise TypeError(f"cannot keep a {kind.__name__} in the graph cache")


def _typed(found: dict):
    """A JSON object read back: a marked one as the type it stands for."""
    if len(found) != 1:
        return found
    ((key, value),) = found.items()
    if not key.startswith(_TAG):
        return found
    if key == _TUPLE and isinstance(value, list):
        return tuple(value)
    from rdflib import BNode, Literal, URIRef

    if key == _IRI and type(value) is str:
        return URIRef(value)
    if key == _BNODE and type(value) is str:
        return BNode(value)
    if (
        key == _LITERAL and isinstance(value, list) and len(value) == 3 and type(value[0]) is str
        and all(part is None or type(part) is str for part in value[1:]) and None in value[1:]
    ):
        return Literal(value[0], lang=value[1], datatype=None if value[2] is None else URIRef(value[2]))
    raise ValueError(f"an unknown mark {key!r}")
