"""Network analysis: what an entity depends on (by home country), brokers and hubs, and
the graph in formats Gephi and spreadsheets read.

Examples
--------
>>> import networkx as nx
>>> G = nx.path_graph(3)
>>> [(r.node, round(r.score, 2)) for r in rank_nodes(G, by="betweenness")][:1]
[(1, 1.0)]
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field

import networkx as nx
from rdflib import URIRef
from rdflib.namespace import RDFS

from ..errors import InputError
from ..export import csv_row
from ..kb import KnowledgeBase
from ..ontology import EV
from .build import dependency_graph
from .cache import graph_of
from .paths import PathNode, resolve_node

__all__ = [
    "Dependency",
    "DependencyReport",
    "dependencies",
    "Ranked",
    "rank_nodes",
    "rank",
    "class_and_subclasses",
    "GRAPH_EXPORT_FORMATS",
    "graph_to_text",
    "graph_to_csv_tables",
    "edge_id",
]


@dataclass(frozen=True)
class Dependency:
    node: PathNode
    depth: int
    country: str | None
    country_label: str
    chain: tuple[str, ...]


@dataclass
class DependencyReport:
    """What ``entity`` depends on (or, reversed, what depends on it), transitively."""

    entity: PathNode
    reverse: bool
    items: list[Dependency] = field(default_factory=list)
    by_country: list[tuple[str, int, float]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "entity": self.entity.__dict__,
            "reverse": self.reverse,
            "organizations": [
                {**d.node.__dict__, "depth": d.depth, "country": d.country, "country_label": d.country_label,
                 "chain": list(d.chain)}
                for d in self.items
            ],
            "by_country": [{"country": c, "organizations": n, "share": s} for c, n, s in self.by_country],
        }


def _organization_types(kb: KnowledgeBase) -> set[str]:
    return {str(c) for c in kb.dataset.transitive_subjects(RDFS.subClassOf, EV.Organization)}


def dependencies(
    kb: KnowledgeBase, entity: str, *, reverse: bool = False, max_depth: int | None = None
) -> DependencyReport:
    """Follow dependency edges from ``entity`` and group the organizations reached by
    their home country, with each country's share (in percent, summing to 100).

    ``reverse=True`` answers the opposite question: who depends on ``entity``.
    Organizations whose country is unknown are grouped under "unknown".

    Examples
    --------
    >>> import evkg
    >>> report = dependencies(evkg.load(), "Proton")
    >>> [d.node.label for d in report.items if d.depth == 1]
    ['Geely']
    """
    if max_depth is not None and max_depth < 1:
        raise InputError("--max-depth must be at least 1.")
    G = graph_of(kb)
    start = resolve_node(kb, G, entity)
    D = dependency_graph(G)
    if reverse:
        D = D.reverse(copy=False)
    chains = nx.single_source_shortest_path(D, start, cutoff=max_depth)
    organizations = _organization_types(kb)
    report = DependencyReport(PathNode.of(G, start), reverse)
    for node, chain in sorted(chains.items(), key=lambda kv: (len(kv[1]), G.nodes[kv[0]]["label"])):
        if node == start or G.nodes[node]["type"] not in organizations:
            continue
        country = G.nodes[node]["country"]
        report.items.append(
            Dependency(
                PathNode.of(G, node),
                len(chain) - 1,
                country,
                G.nodes[country]["label"] if country in G else "unknown",
                tuple(G.nodes[n]["label"] for n in chain),
            )
        )
    counts = Counter(d.country_label for d in report.items)
    total = sum(counts.values())
    report.by_country = [
        (country, count, round(100.0 * count / total, 1))
        for country, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return report


@dataclass(frozen=True)
class Ranked:
    node: object
    label: str
    type: str
    score: float


_MEASURES = {
    "degree": lambda U: nx.degree_centrality(U),
    "betweenness": lambda U: nx.betweenness_centrality(U, normalized=True),
    "pagerank": lambda U: nx.pagerank(U),
}


def rank_nodes(G: nx.Graph, *, by: str = "degree", nodes=None, top: int | None = None) -> list[Ranked]:
    """Rank the nodes of any networkx graph by ``degree``, ``betweenness`` or ``pagerank``
    centrality, computed on its simple undirected projection.

    Parameters
    ----------
    G : networkx graph
    by : str
    nodes : iterable, optional
        Keep only these nodes in the ranking (centrality is still computed on all).
    top : int, optional

    Raises
    ------
    InputError
        An unknown measure.
    """
    if by not in _MEASURES:
        raise InputError(f"unknown measure {by!r}; use one of {', '.join(_MEASURES)}.")
    U = nx.Graph()
    U.add_nodes_from(G.nodes)
    U.add_edges_from((u, v) for u, v in G.edges() if u != v)
    scores = _MEASURES[by](U) if len(U) else {}
    keep = set(G.nodes) if nodes is None else set(nodes)
    ranked = [
        Ranked(n, G.nodes[n].get("label", str(n)), G.nodes[n].get("type_label", ""), float(scores.get(n, 0.0)))
        for n in keep
    ]
    ranked.sort(key=lambda r: (-r.score, r.label, str(r.node)))
    return ranked[:top] if top else ranked


def rank(
    kb: KnowledgeBase,
    *,
    by: str = "degree",
    types: tuple[str, ...] = (),
    top: int | None = 10,
    collapse: bool = True,
) -> list[Ranked]:
    """Brokers and hubs of the knowledge graph: entities ranked by centrality.

    ``types`` keeps entities of these classes (labels such as "Company" or "country",
    or IRIs; subclasses count). The collapsed graph is used by default, so that
    partnerships and plants connect their participants directly.

    Examples
    --------
    >>> import evkg
    >>> top = rank(evkg.load(), by="degree", types=("Country",), top=1)
    >>> top[0].label
    'China'
    """
    G = graph_of(kb, collapse=collapse)
    keep = None
    if types:
        wanted = set()
        for name in types:
            wanted |= class_and_subclasses(kb, name)
        keep = [n for n, d in G.nodes(data=True) if d["type"] in wanted]
    return rank_nodes(G, by=by, nodes=keep, top=top)


def class_and_subclasses(kb: KnowledgeBase, name: str) -> set[str]:
    """The IRIs of the class ``name`` (its IRI, ``ev:`` name or label) and of all its
    subclasses; :class:`InputError` lists the classes when none is called so.

    >>> from evkg import load
    >>> sorted(class_and_subclasses(load(), "automaker"))
    ['https://w3id.org/evkg/ontology#Automaker']
    """
    rdf = kb.dataset
    from rdflib.namespace import OWL, RDF

    classes = {c for c in rdf.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    folded = name.casefold().replace("ev:", "")
    matches = [
        c for c in classes
        if folded in {str(c).casefold(), str(c).rsplit("#", 1)[-1].casefold(), str(rdf.value(c, RDFS.label) or "").casefold()}
    ]
    if not matches:
        labels = sorted(str(rdf.value(c, RDFS.label)) for c in classes if str(c).startswith(str(EV._NS)))
        raise InputError(f"unknown class {name!r}. Classes: {', '.join(labels)}.")
    found: set[str] = set()
    for match in matches:
        found |= {str(c) for c in rdf.transitive_subjects(RDFS.subClassOf, match)}
    return found


# --------------------------------------------------------------------------- export

GRAPH_EXPORT_FORMATS = ("graphml", "gexf", "csv")

_GEXF_NS = "http://gexf.net/1.3"
# Characters XML 1.0 cannot carry at all: a label holding one would make the file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def edge_id(source: str, target: str, key: str, predicate: str) -> str:
    """The id an exported edge gets in GraphML, GEXF and CSV alike: ``e`` and 16 hex
    digits of the SHA-256 of its source, predicate, target and key, so the same edge has
    the same id in every export and no two edges share one.

    Examples
    --------
    >>> edge_id("urn:a", "urn:b", "urn:p", "urn:p")
    'eee0a3b5540705419'
    """
    text = "\n".join((str(source), str(predicate), str(target), str(key)))
    return "e" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _weight(data: dict) -> int:
    """An edge's weight: the number of sources (named graphs) that state it, at least 1."""
    return max(1, len(data.get("graphs") or ()))


def _flat_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are all strings, numbers or booleans (GraphML/GEXF need it):
    lists and dicts become JSON text, None becomes an empty string, and a character XML
    cannot hold becomes U+FFFD. Each edge's key is its :func:`edge_id` and it gets a
    ``weight``; the predicate stays an attribute."""
    H = nx.MultiDiGraph()

    def flat(data: dict) -> dict:
        out = {}
        for key, value in sorted(data.items()):
            if isinstance(value, (list, tuple, dict)):
                out[key] = _NOT_XML.sub("\ufffd", json.dumps(value, ensure_ascii=False, sort_keys=True))
            elif isinstance(value, str):
                out[key] = _NOT_XML.sub("\ufffd", value)
            elif value is None:
                out[key] = ""
            else:
                out[key] = value
        return out

    for node in sorted(G.nodes):
        H.add_node(node, **flat(G.nodes[node]))
    for u, v, key, data in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        H.add_edge(u, v, key=edge_id(u, v, key, data.get("predicate", key)), **flat({**data, "weight": _weight(data)}))
    return H


def graph_to_text(G: nx.MultiDiGraph, format: str, *, families: dict[str, str] | None = None) -> str:
    """GraphML or GEXF text of the graph, deterministic for the same graph.

    Every edge has its own id (:func:`edge_id`), its predicate IRI as an attribute and a
    weight: the number of sources that state it. GEXF is version 1.3, valid against the
    format's schema, and drawn as the HTML pages draw the graph: each node has its
    class's colour (``families``, from :func:`evkg.graph.style.class_families`, picks
    each class's shades; classes it lacks are "other"), a size that grows with its degree
    and the position of :func:`evkg.graph.layout.layout_positions` (y pointing up, as in
    Gephi). The GEXF 1.3 schema declares these ``color``, ``size`` and ``position``
    elements of the viz module in the GEXF namespace, where Gephi and graphology read them.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "b", key="p", predicate="p", label="links", sources=[])
    'p'
    >>> "<graphml" in graph_to_text(G, "graphml")
    True
    >>> print(graph_to_text(G, "gexf").splitlines()[1])
    <gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">
    """
    H = _flat_graph(G)
    if format == "gexf":
        return _gexf(G, H, families or {})
    if format != "graphml":
        raise InputError(f"unknown graph format {format!r}; use graphml, gexf or csv.")
    buffer = io.BytesIO()
    # The standard library's writer: networkx picks lxml's when it is installed, which
    # writes other bytes.
    nx.write_graphml_xml(H, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue().decode("utf-8")


def _xml(value) -> str:
    """``value`` as the text of an XML attribute in double quotes."""
    text = _NOT_XML.sub("\ufffd", str(value))
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        .replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")
    )


def _gexf_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _xml(value)


def _gexf_type(values: list) -> str:
    if values and all(isinstance(v, bool) for v in values):
        return "boolean"
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "double"
    return "string"


def _gexf_attributes(kind: str, items: list[dict], skip: set[str]) -> tuple[list[str], list[str]]:
    """The ``<attributes>`` block of one class (node or edge) and the attribute names."""
    names = sorted({key for data in items for key in data} - skip)
    lines = [f'    <attributes class="{kind}" mode="static">']
    for name in names:
        kind_of = _gexf_type([data[name] for data in items if name in data])
        lines.append(f'      <attribute id="{_xml(name)}" title="{_xml(name)}" type="{kind_of}"/>')
    lines.append("    </attributes>")
    return lines, names


def _attvalues(data: dict, names: list[str], indent: str) -> list[str]:
    present = [name for name in names if name in data]
    if not present:
        return []
    return [
        f"{indent}<attvalues>",
        *(f'{indent}  <attvalue for="{_xml(name)}" value="{_gexf_value(data[name])}"/>' for name in present),
        f"{indent}</attvalues>",
    ]


def _number(value: float) -> str:
    return repr(round(float(value), 1) + 0.0)


def _gexf(G: nx.MultiDiGraph, H: nx.MultiDiGraph, families: dict[str, str]) -> str:
    from .. import __version__
    from .layout import layout_positions
    from .style import class_colors, node_size

    positions = layout_positions(G, seed=7)  # the HTML pages' layout
    degree = Counter()
    for u, v in G.edges():
        degree[u] += 1
        degree[v] += 1
    colors = class_colors(families, (d.get("type", "") for _, d in G.nodes(data=True)))
    nodes = [(n, H.nodes[n]) for n in H.nodes]
    edges = list(H.edges(keys=True, data=True))
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<gexf xmlns="{_GEXF_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{_GEXF_NS} {_GEXF_NS}/gexf.xsd" version="1.3">',
        "  <meta>",
        f"    <creator>evkg {_xml(__version__)}</creator>",
        "    <description>The evkg knowledge graph: entities, facts and the relations between them, "
        "each with the sources that state it</description>",
        "  </meta>",
        '  <graph defaultedgetype="directed" mode="static" idtype="string">',
    ]
    block, node_names = _gexf_attributes("node", [d for _, d in nodes], {"label"})
    lines += block
    block, edge_names = _gexf_attributes("edge", [d for *_, d in edges], {"label", "weight"})
    lines += block
    lines.append(f'    <nodes count="{len(nodes)}">')
    for node, data in nodes:
        x, y = positions[node]
        red, green, blue = (int(colors.get(G.nodes[node].get("type", ""), "#888888")[i : i + 2], 16) for i in (1, 3, 5))
        lines.append(f'      <node id="{_xml(node)}" label="{_xml(data.get("label", node))}">')
        lines += _attvalues(data, node_names, "        ")
        lines.append(f'        <color r="{red}" g="{green}" b="{blue}"/>')
        lines.append(f'        <position x="{_number(x)}" y="{_number(-y)}" z="0.0"/>')
        family = families.get(G.nodes[node].get("type", ""), "other")
        lines.append(f'        <size value="{_number(node_size(degree[node], family=family))}"/>')
        lines.append("      </node>")
    lines.append("    </nodes>")
    lines.append(f'    <edges count="{len(edges)}">')
    for u, v, key, data in edges:
        lines.append(
            f'      <edge id="{_xml(key)}" source="{_xml(u)}" target="{_xml(v)}" '
            f'label="{_xml(data.get("label", ""))}" weight="{_number(data["weight"])}">'
        )
        lines += _attvalues(data, edge_names, "        ")
        lines.append("      </edge>")
    lines += ["    </edges>", "  </graph>", "</gexf>"]
    return "\n".join(lines) + "\n"


def graph_to_csv_tables(G: nx.MultiDiGraph, *, raw: bool = False) -> tuple[str, str]:
    """Two CSV tables in the layout of Gephi's spreadsheet import, so that it needs no
    mapping: nodes (``Id``, ``Label``, then type, type_label, country, fact) and edges
    (``Source``, ``Target``, ``Type`` (always Directed), ``Id`` (:func:`edge_id`),
    ``Label`` (the relation), ``Weight`` (the number of sources that state the edge), then
    source_label, target_label, predicate, dependency, graphs, quote).

    A cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return) gets a leading single quote and double
    quotes (:func:`evkg.export.formula_safe`), unless ``raw``; plain numbers stay.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("urn:a", label="=1+2", type="urn:T", type_label="thing", country=None, fact=False)
    >>> print(graph_to_csv_tables(G)[0], end="")
    Id,Label,type,type_label,country,fact
    urn:a,"'=1+2",urn:T,thing,,false
    """
    node_rows = [["Id", "Label", "type", "type_label", "country", "fact"]]
    for node in sorted(G.nodes):
        d = G.nodes[node]
        node_rows.append([node, d["label"], d["type"], d["type_label"], d["country"] or "", "true" if d["fact"] else "false"])
    edge_rows = [[
        "Source", "Target", "Type", "Id", "Label", "Weight",
        "source_label", "target_label", "predicate", "dependency", "graphs", "quote",
    ]]
    for u, v, key, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        quotes = sorted({s["quote"] for s in d["sources"] if s.get("quote")})
        edge_rows.append([
            u, v, "Directed", edge_id(u, v, key, d["predicate"]), d["label"], str(_weight(d)),
            G.nodes[u]["label"], G.nodes[v]["label"], d["predicate"],
            d["dependency"].rsplit("#", 1)[-1], " ".join(d["graphs"]), " | ".join(quotes),
        ])
    nodes = "".join(csv_row(row, raw=raw) + "\n" for row in node_rows)
    edges = "".join(csv_row(row, raw=raw) + "\n" for row in edge_rows)
    return nodes, edges
