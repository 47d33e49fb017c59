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
from .paths import PathNode, _node, _resolve_node

__all__ = [
    "Dependency",
    "DependencyReport",
    "dependencies",
    "Ranked",
    "rank_nodes",
    "rank",
    "GRAPH_EXPORT_FORMATS",
    "graph_to_text",
    "graph_to_csv_tables",
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
    start = _resolve_node(kb, G, entity)
    D = dependency_graph(G)
    if reverse:
        D = D.reverse(copy=False)
    chains = nx.single_source_shortest_path(D, start, cutoff=max_depth)
    organizations = _organization_types(kb)
    report = DependencyReport(_node(G, start), reverse)
    for node, chain in sorted(chains.items(), key=lambda kv: (len(kv[1]), G.nodes[kv[0]]["label"])):
        if node == start or G.nodes[node]["type"] not in organizations:
            continue
        country = G.nodes[node]["country"]
        report.items.append(
            Dependency(
                _node(G, node),
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
            wanted |= _class_and_subclasses(kb, name)
        keep = [n for n, d in G.nodes(data=True) if d["type"] in wanted]
    return rank_nodes(G, by=by, nodes=keep, top=top)


def _class_and_subclasses(kb: KnowledgeBase, name: str) -> set[str]:
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


def _flat_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are all strings, numbers or booleans (GraphML/GEXF need it):
    lists and dicts become JSON text, None becomes an empty string."""
    H = nx.MultiDiGraph()

    def flat(data: dict) -> dict:
        out = {}
        for key, value in sorted(data.items()):
            if isinstance(value, (list, tuple, dict)):
                out[key] = json.dumps(value, ensure_ascii=False, sort_keys=True)
            elif value is None:
                out[key] = ""
            else:
                out[key] = value
        return out

    for node in sorted(G.nodes):
        H.add_node(node, **flat(G.nodes[node]))
    for u, v, key, data in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        H.add_edge(u, v, key=str(key), **flat(data))
    return H


def graph_to_text(G: nx.MultiDiGraph, format: str) -> str:
    """GraphML or GEXF text of the graph, deterministic for the same graph.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "b", key="p", label="links", sources=[])
    'p'
    >>> "<graphml" in graph_to_text(G, "graphml")
    True
    """
    H = _flat_graph(G)
    buffer = io.BytesIO()
    if format == "graphml":
        nx.write_graphml(H, buffer, encoding="utf-8", prettyprint=True)
    elif format == "gexf":
        nx.write_gexf(H, buffer, encoding="utf-8", prettyprint=True)
    else:
        raise InputError(f"unknown graph format {format!r}; use graphml, gexf or csv.")
    text = buffer.getvalue().decode("utf-8")
    # GEXF carries today's date; drop it so the same graph gives the same bytes.
    return re.sub(r'lastmodifieddate="[^"]*"', "", text)


def graph_to_csv_tables(G: nx.MultiDiGraph, *, raw: bool = False) -> tuple[str, str]:
    """Two CSV tables: nodes (id, label, type, country, fact) and edges (source,
    source_label, relation, predicate, target, target_label, dependency, graphs, quote).

    A cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return) gets a leading single quote and double
    quotes (:func:`evkg.export.formula_safe`), unless ``raw``; plain numbers stay.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("urn:a", label="=1+2", type="urn:T", type_label="thing", country=None, fact=False)
    >>> print(graph_to_csv_tables(G)[0], end="")
    id,label,type,type_label,country,fact
    urn:a,"'=1+2",urn:T,thing,,false
    """
    node_rows = [["id", "label", "type", "type_label", "country", "fact"]]
    for node in sorted(G.nodes):
        d = G.nodes[node]
        node_rows.append([node, d["label"], d["type"], d["type_label"], d["country"] or "", "true" if d["fact"] else "false"])
    edge_rows = [["source", "source_label", "relation", "predicate", "target", "target_label", "dependency", "graphs", "quote"]]
    for u, v, key, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        quotes = sorted({s["quote"] for s in d["sources"] if s.get("quote")})
        edge_rows.append([
            u, G.nodes[u]["label"], d["label"], d["predicate"], v, G.nodes[v]["label"],
            d["dependency"].rsplit("#", 1)[-1], " ".join(d["graphs"]), " | ".join(quotes),
        ])
    nodes = "".join(csv_row(row, raw=raw) + "\n" for row in node_rows)
    edges = "".join(csv_row(row, raw=raw) + "\n" for row in edge_rows)
    return nodes, edges

