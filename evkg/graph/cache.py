"""The built graph kept on disk between runs, so that the second `evkg path` on a large
store does not build the graph again (see :mod:`evkg.caching` for the folder).

A graph is filed under a key made from what the knowledge base holds: for the memory
store, the bytes of every file loaded (ontology, seeds, --data files); for an Oxigraph
store, the generation mark evkg writes into the database folder whenever it changes the
store (:meth:`evkg.store.OxigraphStore.generation`). A knowledge base with no such key
(a SPARQL endpoint, whose contents evkg cannot vouch for; a knowledge base built by hand;
one changed after it was loaded) is never cached.

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

import weakref
from typing import TYPE_CHECKING

from .. import caching

if TYPE_CHECKING:
    import networkx as nx

    from ..kb import KnowledgeBase

__all__ = ["cache_key", "cached_graph", "file_graph", "graph_of"]

#: Graphs built in this process, per knowledge base and revision.
_IN_MEMORY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

#: Changes whenever the graph's attributes change shape, so that old files are not read.
GRAPH_FORMAT = "evkg-graph-2"


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
    return None if key is None else caching.read_cached("graphs", key)


def file_graph(kb: KnowledgeBase, G: nx.MultiDiGraph, *, collapse: bool) -> None:
    """Keep ``G`` on disk for ``kb`` (atomically); a cache that cannot be written is skipped."""
    key = cache_key(kb, collapse=collapse)
    if key is not None:
        caching.write_cached("graphs", key, G)


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
