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

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .analysis import (
        GRAPH_EXPORT_FORMATS,
        Dependency,
        DependencyReport,
        Ranked,
        dependencies,
        edge_id,
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
    from .style import class_colors, class_families
    from .view import GraphView, ViewSource, graph_view, resolve_sources, view_from_graph

# The submodules load on first use: `evkg path` needs the graph and the path search,
# not the layout (numpy) or the analyses.
_HOME = {
    "GRAPH_EXPORT_FORMATS": "analysis",
    "Dependency": "analysis",
    "DependencyReport": "analysis",
    "Ranked": "analysis",
    "dependencies": "analysis",
    "edge_id": "analysis",
    "graph_to_csv_tables": "analysis",
    "graph_to_text": "analysis",
    "rank": "analysis",
    "rank_nodes": "analysis",
    "build_graph": "build",
    "dependency_graph": "build",
    "relations": "build",
    "graph_of": "cache",
    "layout_positions": "layout",
    "Neighbour": "paths",
    "Neighbourhood": "paths",
    "Path": "paths",
    "PathEdge": "paths",
    "PathNode": "paths",
    "PathResult": "paths",
    "neighbourhood": "paths",
    "resolve_relations": "paths",
    "shortest_paths": "paths",
    "class_colors": "style",
    "class_families": "style",
    "GraphView": "view",
    "ViewSource": "view",
    "graph_view": "view",
    "resolve_sources": "view",
    "view_from_graph": "view",
}

__all__ = list(_HOME)


def __getattr__(name: str):
    if name in _HOME:
        import importlib

        value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
