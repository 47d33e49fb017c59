"""The built graph kept on disk between runs, so that the second `evkg path` on a large
store does not build the graph again (see :mod:`evkg.caching` for the folder).

A graph is filed under a key made from what the knowledge base holds: for the memory
store, the bytes of every file loaded (ontology, seeds, --data files); for an Oxigraph
store, the generation mark evkg writes into the database folder whenever it changes the
store (:meth:`evkg.stores.oxigraph.OxigraphStore.generation`). A knowledge base with no such key
(a SPARQL endpoint, whose contents evkg cannot vouch for; a knowledge base built by hand;
one changed after it was loaded) is never cached.

On disk a graph is plain JSON, never a pickle, laid out in columns: the node names,
each attribute's values, the edges as numbers of nodes (every node's successors and
predecessors in the order of the graph filed), and a value that several nodes and edges
hold (a list of sources) written once and shared again when read. Values are JSON's own
(strings, numbers, booleans, None, lists, dicts with string keys) plus tuples and rdflib
terms, so that what is read back has the same types as what was written; a graph
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
from itertools import chain, islice, repeat
from typing import TYPE_CHECKING

from .. import caching

if TYPE_CHECKING:
    import networkx as nx

    from ..kb import KnowledgeBase

__all__ = ["cache_key", "cached_graph", "file_graph", "graph_built", "graph_from_bytes", "graph_of", "graph_to_bytes"]

#: Graphs built in this process, per knowledge base and revision.
_IN_MEMORY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

#: Changes whenever the graph's attributes change shape, so that old files are not read.
GRAPH_FORMAT = "evkg-graph-5"


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
#
# The body is one JSON object:
#
#   layout            GRAPH_FORMAT
#   graph             the graph's own attributes, marked (see _plain)
#   nodes             a column of the node names, in the graph's order
#   node_attributes   a table of their attribute dicts
#   successors        per node, how many successors it has
#   targets           those successors, node after node, as numbers of nodes: the pairs
#   predecessors      per node, how many predecessors it has
#   sources           those predecessors, node after node, as numbers of pairs
#   keys_per_pair     per pair, how many edges (keys) it has
#   keys              a column of the edges' keys, pair after pair
#   edge_attributes   a table of their attribute dicts
#   shared            columns of the values several attributes hold, numbered in turn
#
# so that every node gets its successors and predecessors in the order of the graph
# filed. A table groups rows by their attribute names in order ("shapes"), says which
# shape each row has as runs of [shape, count], and holds one column per name and shape.
# A column is {"kind": ..., "values": [...]}, read back without a hook on every JSON
# object (the cost of the earlier layout): kind "json" is as read; "strings" is numbers
# into a "table" of strings; a template such as ["list", ["tuple", "json"]] turns the
# lists it names into tuples; "marked" (anything else) has tuples and rdflib terms
# marked, as the graph's attributes are. "shared": [rows, numbers] puts a shared value
# at each row named (an empty list holds its place).

#: Marks a JSON object that stands for another type, in a "marked" value; a dict of the
#: graph's own with such a key is not filed.
_TAG = "\u0000"
_TUPLE, _IRI, _LITERAL, _BNODE = (_TAG + name for name in ("tuple", "iri", "literal", "bnode"))

#: The tag as JSON writes it: a file without these bytes holds no marked object at all.
_TAG_IN_JSON = b"\\u0000"


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
    with caching.collector_paused():
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
        references: list[list[int]] = []  # the numbers of every column, renumbered below

        def column(values: list) -> dict:
            """A column of attribute values, those of ``shared_ids`` as numbers into ``shared``."""
            rows, held = [], []
            for row, value in enumerate(values):
                if id(value) in shared_ids:
                    number = numbers.get(id(value))
                    if number is None:
                        number = numbers[id(value)] = len(shared)
                        shared.append(value)
                    rows.append(row)
                    held.append(number)
            if not rows:
                return _column(values)
            references.append(held)
            values = list(values)
            for row in rows:
                values[row] = []
            return {**_column(values), "shared": [rows, held]}

        nodes = list(G)
        index = {node: at for at, node in enumerate(nodes)}
        pairs: dict[tuple[int, int], int] = {}
        successors, targets, keys_per_pair, keys, rows = [], [], [], [], []
        for at, u in enumerate(nodes):
            out = G.succ[u]
            successors.append(len(out))
            for v, keyed in out.items():
                pairs[at, index[v]] = len(targets)
                targets.append(index[v])
                keys_per_pair.append(len(keyed))
                for key, data in keyed.items():
                    keys.append(key)
                    rows.append(data)
        predecessors, sources = [], []
        for at, v in enumerate(nodes):
            into = G.pred[v]
            predecessors.append(len(into))
            sources.extend(pairs[index[u], at] for u in into)
        body = {
            "layout": GRAPH_FORMAT,
            "graph": _plain(G.graph),
            "nodes": _column(nodes),
            "node_attributes": _table([data for _, data in G.nodes(data=True)], column),
            "successors": successors,
            "targets": targets,
            "predecessors": predecessors,
            "sources": sources,
            "keys_per_pair": keys_per_pair,
            "keys": _column(keys),
            "edge_attributes": _table(rows, column),
        }
        # The shared values in one column per template (a list of sources is read as it
        # is, a list of pairs is not), numbered in the order of those columns.
        groups: dict[str, list[int]] = {}
        templates = [_template(value) for value in shared]
        for number, template in enumerate(templates):
            groups.setdefault(json.dumps(None if template is None else _written(template)), []).append(number)
        renumbered = [0] * len(shared)
        for new, number in enumerate(number for group in groups.values() for number in group):
            renumbered[number] = new
        for held in references:
            held[:] = [renumbered[number] for number in held]
        body["shared"] = [
            _column([shared[number] for number in group], [templates[number] for number in group])
            for group in groups.values()
        ]
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=True).encode("utf-8")


def graph_from_bytes(data: bytes) -> nx.MultiDiGraph:
    """The graph :func:`graph_to_bytes` wrote.

    Raises
    ------
    ValueError
        ``data`` is not such a graph (damaged, another layout, wrong shape).
    """
    with caching.collector_paused():
        try:
            body = json.loads(data)
        except (ValueError, UnicodeDecodeError, TypeError) as exc:
            raise ValueError(f"not a graph: {exc}") from None
        if not isinstance(body, dict) or body.get("layout") != GRAPH_FORMAT:
            raise ValueError("not a graph of this layout")
        return _graph_of_body(body, _Columns(marked=_TAG_IN_JSON in data))


def _graph_of_body(body: dict, columns: _Columns) -> nx.MultiDiGraph:
    import networkx as nx

    shared = body.get("shared")
    if type(shared) is not list:
        raise ValueError("parts missing or of the wrong type")
    columns.shared = [value for column in shared for value in columns.values(column, shared=False)]
    names = columns.values(body.get("nodes"), shared=False)
    node_data = columns.rows(body.get("node_attributes"), len(names))
    successors, targets, predecessors, sources, keys_per_pair = (
        body.get(part) for part in ("successors", "targets", "predecessors", "sources", "keys_per_pair")
    )
    pairs = len(targets) if type(targets) is list else -1
    if not (
        _numbers(targets, len(names)) and _numbers(sources, pairs) and len(sources) == len(set(sources)) == pairs
        and _counts(successors, len(names), pairs) and _counts(predecessors, len(names), pairs)
        and _counts(keys_per_pair, pairs, None) and 0 not in keys_per_pair
    ):
        raise ValueError("the edges are not pairs of nodes")
    keys = columns.values(body.get("keys"), shared=False)
    edge_data = columns.rows(body.get("edge_attributes"), len(keys))
    graph = _typed(body.get("graph"))
    if type(graph) is not dict or len(keys) != sum(keys_per_pair):
        raise ValueError("parts missing or of the wrong type")
    # Every pair's dict of keys, in the successors' order: each node's successors, then
    # its predecessors, as dicts in the graph's own order, the same dict of keys on both
    # sides, as add_edge makes them; add_edge per edge took several times as long.
    pair_source = list(chain.from_iterable(map(repeat, range(len(names)), successors)))
    if list(map(targets.__getitem__, sources)) != list(chain.from_iterable(map(repeat, range(len(names)), predecessors))):
        raise ValueError("a predecessor that is not a successor")
    try:
        if keys_per_pair.count(1) == pairs:
            keyed = [{key: attributes} for key, attributes in zip(keys, edge_data)]
        else:
            edges = zip(keys, edge_data)
            keyed = [dict(islice(edges, count)) for count in keys_per_pair]
        out = zip(map(names.__getitem__, targets), keyed)
        succ = [dict(islice(out, count)) for count in successors]
        into = zip(map(names.__getitem__, map(pair_source.__getitem__, sources)), map(keyed.__getitem__, sources))
        pred = [dict(islice(into, count)) for count in predecessors]
        G = nx.MultiDiGraph()
        G.graph.update(graph)
        G._node.update(zip(names, node_data))
    except TypeError as exc:  # a name that cannot be a node (a list, a dict), or a key
        raise ValueError(f"not a graph: {exc}") from None
    if len(G._node) != len(names) or sum(map(len, keyed)) != len(keys) or sum(map(len, succ)) != pairs:
        raise ValueError("a node, a pair of nodes or an edge twice")
    G._succ.update(zip(names, succ))
    G._pred.update(zip(names, pred))
    return G


class _Columns:
    """Reads the columns and tables of one file: ``marked`` when its bytes hold the tag
    anywhere (then no column but a "marked" one may hold a marked object)."""

    def __init__(self, *, marked: bool):
        self.marked = marked
        self.shared: list | None = None

    def values(self, found, *, shared: bool = True) -> list:
        """The values of the column ``found``, shared ones put in place if ``shared``."""
        if type(found) is not dict or type(found.get("values")) is not list:
            raise ValueError("a column without values")
        kind, values = found.get("kind"), found["values"]
        if kind == "marked":
            values = [_typed(value) for value in values]
        elif kind == "strings":
            table = found.get("table")
            if not (type(table) is list and _all_of(table, str) and _numbers(values, len(table))):
                raise ValueError("a column of strings whose numbers are not of its table")
            values = list(map(table.__getitem__, values))
        else:
            if self.marked:
                _untagged(values)
            values = _templated(values, kind)
        refs = found.get("shared")
        if refs is not None:
            if not shared or self.shared is None or type(refs) is not list or len(refs) != 2:
                raise ValueError("shared values where none can be")
            rows, numbers = refs
            if not (
                _numbers(rows, len(values)) and _numbers(numbers, len(self.shared))
                and len(rows) == len(numbers) == len(set(rows))
            ):
                raise ValueError("a shared value out of range")
            held = self.shared
            for row, number in zip(rows, numbers):
                values[row] = held[number]
        return values

    def rows(self, found, count: int) -> list[dict]:
        """The ``count`` attribute dicts of the table ``found``, in order."""
        if type(found) is not dict:
            raise ValueError("a table missing")
        shapes, runs, columns = found.get("shapes"), found.get("runs"), found.get("columns")
        if not (
            type(shapes) is list and type(columns) is list and type(runs) is list and len(shapes) == len(columns)
            and all(
                type(names) is list and type(group) is list and len(group) == len(names) == len(set(names))
                and all(type(name) is str and not name.startswith(_TAG) for name in names)
                for names, group in zip(shapes, columns)
            )
            and all(type(run) is list and len(run) == 2 and _all_of(run, int) for run in runs)
        ):
            raise ValueError("a table of the wrong shape")
        if not all(0 <= shape < len(shapes) and size > 0 for shape, size in runs):
            raise ValueError("a run of rows of no shape")
        sizes = [0] * len(shapes)
        for shape, size in runs:
            sizes[shape] += size
        if sum(sizes) != count:
            raise ValueError("a table of another number of rows")
        groups = []
        for names, group, size in zip(shapes, columns, sizes):
            values = [self.values(column) for column in group]
            if any(len(column) != size for column in values):
                raise ValueError("a column of another number of rows")
            groups.append(list(map(dict, map(zip, repeat(names), zip(*values)))) if names else [{} for _ in range(size)])
        if len(groups) == 1:
            return groups[0]
        rows: list[dict] = []
        taken = [iter(group) for group in groups]
        for shape, size in runs:
            rows.extend(islice(taken[shape], size))
        return rows


def _numbers(values, bound: int) -> bool:
    """Whether ``values`` is a list of ints from 0 to ``bound`` (not included)."""
    return type(values) is list and _all_of(values, int) and (not values or (min(values) >= 0 and max(values) < bound))


def _counts(values, count: int, total: int | None) -> bool:
    """Whether ``values`` is a list of ``count`` ints from 0 up, adding up to ``total`` if given."""
    return (
        type(values) is list and len(values) == count and _all_of(values, int) and (not values or min(values) >= 0)
        and (total is None or sum(values) == total)
    )


def _all_of(values: list, kind: type) -> bool:
    return set(map(type, values)) <= {kind}


def _templated(values: list, template) -> list:
    """``values`` read back by their column's template: "json" as they are, ["list", T] or
    ["tuple", T] each a list of items read by T (then made a tuple)."""
    if template == "json":
        return values
    if not (type(template) is list and len(template) == 2 and template[0] in ("list", "tuple")):
        raise ValueError(f"an unknown kind of column {template!r}")
    if not _all_of(values, list):
        raise ValueError("a value of a column of lists that is not a list")
    kind, inner = template
    if inner != "json":
        items = iter(_templated([item for value in values for item in value], inner))
        values = [list(islice(items, len(value))) for value in values]
    return list(map(tuple, values)) if kind == "tuple" else values


def _untagged(values: list) -> None:
    """Refuse a marked object among ``values``, which JSON holds as it is."""
    for value in values:
        if type(value) is list:
            _untagged(value)
        elif type(value) is dict:
            if any(key.startswith(_TAG) for key in value):
                raise ValueError("a marked value in a column of plain values")
            _untagged(list(value.values()))


def _table(rows: list[dict], column) -> dict:
    """The attribute dicts ``rows`` as a table (see the layout's notes), each column made
    by ``column``."""
    shapes: dict[tuple, int] = {}
    groups: list[list[dict]] = []
    runs: list[list[int]] = []
    for row in rows:
        names = tuple(row)
        shape = shapes.get(names)
        if shape is None:
            if not all(type(name) is str and not name.startswith(_TAG) for name in names):
                raise TypeError("an attribute name that is not a plain string")
            shape = shapes[names] = len(groups)
            groups.append([])
        groups[shape].append(row)
        if runs and runs[-1][0] == shape:
            runs[-1][1] += 1
        else:
            runs.append([shape, 1])
    return {
        "shapes": [list(names) for names in shapes],
        "runs": runs,
        "columns": [
            [column(list(values)) for values in zip(*(row.values() for row in group))] for group in groups
        ],
    }


def _column(values: list, templates: list | None = None) -> dict:
    """``values`` as a column (see the layout's notes); ``templates``, theirs if known."""
    if values and _all_of(values, str) and 2 * len(set(values)) <= len(values):
        table = list(dict.fromkeys(values))
        number = {text: at for at, text in enumerate(table)}
        return {"kind": "strings", "table": table, "values": [number[text] for text in values]}
    template = "any"
    for found in map(_template, values) if templates is None else templates:
        template = _unified(template, found)
        if template is None:
            return {"kind": "marked", "values": [_plain(value) for value in values]}
    # JSON writes tuples as lists, and _template saw every dict key.
    return {"kind": _written(template), "values": values}


#: The templates of a column as it is written: "json" (a JSON value, tuples nowhere
#: inside), ("list", T) and ("tuple", T) (a list or tuple of items of T), "any" (no item
#: seen yet, as in an empty list); None when no template fits.
def _template(value):
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return "json"
    if kind is list or kind is tuple:
        inner = "any"
        for item in value:
            inner = _unified(inner, _template(item))
            if inner is None:
                return None
        return ("list" if kind is list else "tuple", inner)
    if kind is dict:
        return "json" if _plain_dict(value) else None
    return None


def _plain_dict(value: dict) -> bool:
    """Whether ``value`` is JSON's as it is: plain string keys, no tuple or term inside."""
    if not all(type(key) is str and not key.startswith(_TAG) for key in value):
        raise TypeError("a dict key that is not a plain string")
    return all(_untupled(_template(item)) for item in value.values())


def _unified(first, second):
    """The template of a column holding values of templates ``first`` and ``second``."""
    if first == second or second == "any":
        return first
    if first == "any":
        return second
    if first is None or second is None:
        return None
    if first == "json":
        first, second = second, first
    if second == "json":
        return "json" if first[0] == "list" and _untupled(first) else None
    if first[0] != second[0]:
        return None
    inner = _unified(first[1], second[1])
    return None if inner is None else (first[0], inner)


def _untupled(template) -> bool:
    """Whether values of ``template`` are JSON's as they are (no tuple inside)."""
    return template in ("json", "any") or (template is not None and template[0] == "list" and _untupled(template[1]))


def _written(template):
    """``template`` as a column's kind: with no tuple inside, "json"."""
    return "json" if _untupled(template) else [template[0], _written(template[1])]


def _attribute_dicts(G: nx.MultiDiGraph):
    yield from (data for _, data in G.nodes(data=True))
    yield from (data for _, _, data in G.edges(data=True))


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


def _typed(value):
    """A value written by :func:`_plain`, read back: a marked object as the type it stands for."""
    kind = type(value)
    if kind is list:
        return [_typed(item) for item in value]
    if kind is not dict:
        return value
    if not any(key.startswith(_TAG) for key in value):
        return {key: _typed(item) for key, item in value.items()}
    if len(value) != 1:
        raise ValueError("a mark beside other keys")
    ((key, found),) = value.items()
    if key == _TUPLE and type(found) is list:
        return tuple(_typed(item) for item in found)
    from rdflib import BNode, Literal, URIRef

    if key == _IRI and type(found) is str:
        return URIRef(found)
    if key == _BNODE and type(found) is str:
        return BNode(found)
    if (
        key == _LITERAL and type(found) is list and len(found) == 3 and type(found[0]) is str
        and all(part is None or type(part) is str for part in found[1:]) and None in found[1:]
    ):
        return Literal(found[0], lang=found[1], datatype=None if found[2] is None else URIRef(found[2]))
    raise ValueError(f"an unknown mark {key!r}")
