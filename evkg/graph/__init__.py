"""The networkx side of evkg: build a graph from the knowledge base, find explained and
cited paths, follow dependencies, rank brokers and hubs, export for Gephi, and select
the views that evkg.render.html draws.

Examples
--------
>>> import evkg
>>> from evkg import graph
>>> kb = evkg.load()
>>> result = graph.shortest_paths(kb, "Pakistan", "CATL")
>>> result.paths[0].nodes[0].label, result.paths[0].nodes[-1].label
('Pakistan', 'CATL')
"""

from .analysis import (
    GRAPH_EXPORT_FORMATS,
    Dependency,
    DependencyReport,
    Ranked,
    dependencies,
    graph_to_csv_tables,
    graph_to_text,
    rank,
    rank_nodes,
)
from .build import build_graph, dependency_graph, relations
from .cache import graph_of
from .layout import layout_positions
from .paths import (
    Neighbour,
    Neighbourhood,
    Path,
    PathEdge,
    PathNode,
    PathResult,
    neighbourhood,
    resolve_relations,
    shortest_paths,
)
from .view import GraphView, ViewSource, graph_view, resolve_sources, view_from_graph

__all__ = [
    "build_graph",
    "graph_of",
    "dependency_graph",
    "relations",
    "shortest_paths",
    "neighbourhood",
    "resolve_relations",
    "dependencies",
    "rank",
    "rank_nodes",
    "graph_to_text",
    "graph_to_csv_tables",
    "GRAPH_EXPORT_FORMATS",
    "PathNode",
    "PathEdge",
    "Path",
    "PathResult",
    "Neighbour",
    "Neighbourhood",
    "Dependency",
    "DependencyReport",
    "Ranked",
    "graph_view",
    "view_from_graph",
    "resolve_sources",
    "layout_positions",
    "GraphView",
    "ViewSource",
]
