"""Fast, deterministic node positions for large graphs: pivot MDS per component, leaves
fanned around their neighbour, the largest component in the centre and the others in a
strip at its right.

Force-directed layouts in the browser (and networkx's ``spring_layout``) cost seconds to
minutes on a few thousand nodes. Pivot MDS (Brandes and Pich, 2006) places nodes by their
hop distances to a few pivot nodes: a handful of breadth-first searches and one small
eigenproblem, so 20,000 nodes take about a second.

Examples
--------
>>> import networkx as nx
>>> pos = layout_positions(nx.path_graph(5))
>>> sorted(pos) == list(range(5))
True
>>> pos == layout_positions(nx.path_graph(5))
True
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Hashable

import networkx as nx
import numpy as np

__all__ = ["layout_positions", "main_component"]

# The number of pivots: more gives a finer global shape and costs one search each.
_PIVOTS = 40


def layout_positions(
    G: nx.Graph, *, seed: int = 0, edge_length: float = 90.0
) -> dict[Hashable, tuple[float, float]]:
    """Return ``{node: (x, y)}`` for ``G``, the same for the same graph every time.

    Edge directions and parallel edges are ignored. Coordinates are in pixels and
    rounded to one decimal, so that they serialize to the same text everywhere. The
    largest component (see :func:`main_component`) is centred on the origin; the other
    components stand in columns at its right, largest first, so that a few stray nodes
    do not shrink the main picture when the whole layout is fitted to a screen.

    Parameters
    ----------
    G : networkx graph
        Any graph; nodes are ordered by ``str(node)`` so insertion order does not matter.
    seed : int
        Seeds the small jitter that separates nodes the distances cannot tell apart.
    edge_length : float
        The typical distance between two neighbours, in pixels.

    Returns
    -------
    dict
        Every node of ``G`` with its position; an empty dict for an empty graph.

    Examples
    --------
    >>> import networkx as nx
    >>> pos = layout_positions(nx.star_graph(3), edge_length=100)
    >>> sorted({round(math.dist(pos[0], pos[leaf])) for leaf in (1, 2, 3)})  # leaves on a ring
    [75]
    """
    nodes = sorted(G, key=str)
    if not nodes:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    neighbours: list[set[int]] = [set() for _ in nodes]
    for u, v in G.edges():
        if u != v:
            neighbours[index[u]].add(index[v])
            neighbours[index[v]].add(index[u])
    adjacency = [sorted(n) for n in neighbours]
    rng = np.random.default_rng(seed)
    blocks = [
        _component_layout(sorted(component), adjacency, rng, edge_length)
        for component in _components(adjacency)
    ]
    xy = _pack(blocks, len(nodes), edge_length)
    return {node: (round(float(xy[i, 0]), 1), round(float(xy[i, 1]), 1)) for node, i in index.items()}


def main_component(G: nx.Graph) -> set[Hashable]:
    """The nodes of the component :func:`layout_positions` puts in the centre.

    The largest connected component, edge directions ignored; of equally large ones, the
    one holding the node that comes first by ``str(node)``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("b", "c"), ("x", "y"), ("y", "z")])
    >>> G.add_node("a")
    >>> sorted(main_component(G))
    ['x', 'y', 'z']
    >>> main_component(nx.Graph())
    set()
    """
    nodes = sorted(G, key=str)
    if not nodes:
        return set()
    index = {node: i for i, node in enumerate(nodes)}
    adjacency: list[list[int]] = [[] for _ in nodes]
    for u, v in G.edges():
        adjacency[index[u]].append(index[v])
        adjacency[index[v]].append(index[u])
    return {nodes[i] for i in _components(adjacency)[0]}


def _components(adjacency: list[list[int]]) -> list[list[int]]:
    """Connected components, largest first (ties: lowest node first)."""
    seen = [False] * len(adjacency)
    found = []
    for start in range(len(adjacency)):
        if seen[start]:
            continue
        seen[start] = True
        component, queue = [start], deque([start])
        while queue:
            for other in adjacency[queue.popleft()]:
                if not seen[other]:
                    seen[other] = True
                    component.append(other)
                    queue.append(other)
        found.append(component)
    found.sort(key=lambda c: (-len(c), min(c)))
    return found


def _hops(indptr: np.ndarray, targets: np.ndarray, start: int) -> np.ndarray:
    """Hop distances from ``start`` to every node of its component, all in the
    component's local numbering (neighbours of node ``i``: ``targets[indptr[i]:indptr[i + 1]]``).

    Breadth-first, one level at a time over arrays: a level's nodes are the neighbours of
    the last level's nodes that have no distance yet."""
    distance = np.full(len(indptr) - 1, -1.0)
    distance[start] = 0.0
    frontier = np.array([start])
    level = 0.0
    while frontier.size:
        level += 1.0
        first, counts = indptr[frontier], indptr[frontier + 1] - indptr[frontier]
        offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        reached = targets[np.repeat(first, counts) + offsets]
        frontier = np.unique(reached[distance[reached] < 0])
        distance[frontier] = level
    return distance


def _component_layout(component, adjacency, rng, edge_length) -> tuple[list[int], np.ndarray]:
    """Positions of one component, centred on the origin."""
    n = len(component)
    if n == 1:
        return component, np.zeros((1, 2))
    local = {node: i for i, node in enumerate(component)}
    degree = np.array([len(adjacency[node]) for node in component])
    if n <= 3:
        xy = np.array([[i * edge_length, 0.0] for i in range(n)])
        return component, xy - xy.mean(axis=0)
    indptr = np.concatenate([[0], np.cumsum(degree)])
    targets = np.array([local[other] for node in component for other in adjacency[node]], dtype=np.intp)
    # Pivots by max-min distance, starting from the best-connected node.
    pivot = int(np.argmax(degree))
    rows, nearest = [], np.full(n, np.inf)
    for _ in range(min(_PIVOTS, n)):
        hops = _hops(indptr, targets, pivot)
        rows.append(hops)
        nearest = np.minimum(nearest, hops)
        far = int(np.argmax(nearest))
        if nearest[far] == 0:
            break
        pivot = far
    squared = np.array(rows).T ** 2  # n x k
    centred = -0.5 * (squared - squared.mean(axis=0) - squared.mean(axis=1, keepdims=True) + squared.mean())
    values, vectors = np.linalg.eigh(centred.T @ centred)
    top = vectors[:, np.argsort(values)[::-1][:2]]
    if top.shape[1] < 2:
        top = np.hstack([top, np.zeros((top.shape[0], 1))])
    xy = centred @ top
    # Eigenvector signs are arbitrary: fix them so the output does not depend on LAPACK.
    for axis in range(2):
        column = xy[:, axis]
        if column[int(np.argmax(np.abs(column)))] < 0:
            xy[:, axis] = -column
    xy = _scale_to_edges(xy, component, adjacency, local, edge_length)
    xy += rng.normal(scale=0.12 * edge_length, size=xy.shape)
    leaves = _leaves(component, adjacency)
    if n > 50:
        _spread(xy, component, adjacency, local, leaves, edge_length)
    _fan_out_leaves(xy, leaves, local, edge_length)
    return component, xy - xy.mean(axis=0)


def _spread(xy, component, adjacency, local, leaves, edge_length, rounds: int = 60) -> None:
    """Even out crowded regions: move nodes down the gradient of a blurred density grid
    while pulling each towards its neighbours. Pivot MDS puts the many nodes that share
    their distances to the pivots on top of each other; this separates them in
    O(nodes + edges) per round, where pairwise repulsion would cost O(nodes²)."""
    placed = {node for group in leaves.values() for node in group}
    core = np.array([local[node] for node in component if node not in placed])
    if len(core) < 3:
        return
    pos = xy[core]
    position = {int(j): i for i, j in enumerate(core)}
    pairs = np.array(
        [(position[local[u]], position[local[v]]) for u in component if u not in placed
         for v in adjacency[u] if v not in placed and u < v],
        dtype=int,
    ).reshape(-1, 2)
    degree = np.bincount(pairs.ravel(), minlength=len(core)).astype(float)
    weight = 1.0 + np.array([len(leaves.get(u, ())) for u in component if u not in placed], dtype=float) / 4.0
    # Room for every node and for the rings of leaves drawn around it later.
    side = math.sqrt(float(weight.sum())) * edge_length * 1.3
    radius = float(np.sqrt(((pos - pos.mean(axis=0)) ** 2).sum(axis=1).mean()))
    if radius > 0 and radius < side / 3:
        pos = (pos - pos.mean(axis=0)) * (side / 3 / radius)
    bins = int(min(160, max(8, math.sqrt(len(core)) * 1.2)))
    kernel = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0
    for step in range(rounds):
        heat = side / 10 * (1 - step / rounds) + edge_length * 0.05
        low = pos.min(axis=0) - edge_length
        high = pos.max(axis=0) + edge_length
        span = high - low
        cells = np.clip(((pos - low) / span * bins).astype(int), 0, bins - 1)
        density = np.zeros((bins, bins))
        np.add.at(density, (cells[:, 0], cells[:, 1]), weight)
        for axis in (0, 1):
            density = np.apply_along_axis(lambda row: np.convolve(row, kernel, mode="same"), axis, density)
        gx, gy = np.gradient(density)
        push = -np.stack([gx[cells[:, 0], cells[:, 1]], gy[cells[:, 0], cells[:, 1]]], axis=1)
        push /= max(float(np.abs(push).max()), 1e-9)
        pull = np.zeros_like(pos)
        if len(pairs):
            delta = pos[pairs[:, 1]] - pos[pairs[:, 0]]
            np.add.at(pull, pairs[:, 0], delta)
            np.add.at(pull, pairs[:, 1], -delta)
            pull /= np.maximum(degree, 1.0)[:, None]
        move = heat * push + 0.15 * pull
        length = np.sqrt((move**2).sum(axis=1))
        move *= (np.minimum(length, heat) / np.maximum(length, 1e-9))[:, None]
        pos = pos + move
    xy[core] = pos


def _scale_to_edges(xy, component, adjacency, local, edge_length) -> np.ndarray:
    lengths = [
        math.dist(xy[local[u]], xy[local[v]]) for u in component for v in adjacency[u] if u < v
    ]
    median = float(np.median(lengths)) if lengths else 0.0
    return xy * (edge_length / median) if median > 1e-9 else xy


def _leaves(component, adjacency) -> dict[int, list[int]]:
    """Node -> its neighbours of degree one."""
    leaves: dict[int, list[int]] = {}
    for node in component:
        if len(adjacency[node]) == 1 and len(adjacency[adjacency[node][0]]) > 1:
            leaves.setdefault(adjacency[node][0], []).append(node)
    return leaves


def _fan_out_leaves(xy, leaves, local, edge_length) -> None:
    """Put the nodes of degree one on rings around their neighbour: the distances to the
    pivots cannot tell such siblings apart, so they would all land on one spot."""
    spacing = 0.35 * edge_length
    for parent, group in leaves.items():
        centre = xy[local[parent]]
        placed = 0
        ring = 1
        while placed < len(group):
            radius = edge_length * (0.75 + 0.45 * (ring - 1))
            room = max(6, int(2 * math.pi * radius / spacing))
            chunk = group[placed : placed + room]
            offset = 0.5 * ring  # stagger the rings
            for i, node in enumerate(chunk):
                angle = 2 * math.pi * (i + offset) / len(chunk)
                xy[local[node]] = centre + radius * np.array([math.cos(angle), math.sin(angle)])
            placed += len(chunk)
            ring += 1


def _pack(blocks, count: int, edge_length: float) -> np.ndarray:
    """Centre the first (largest) block on the origin and stand the others in columns at
    its right, largest first: columns as tall as the first block, or taller when the
    others would otherwise stretch into a long row."""
    xy = np.zeros((count, 2))
    main_nodes, main_xy = blocks[0]
    low, high = main_xy.min(axis=0), main_xy.max(axis=0)
    xy[main_nodes] = main_xy - (low + high) / 2
    if len(blocks) == 1:
        return xy
    gap = edge_length
    rest = [positions.max(axis=0) - positions.min(axis=0) + gap for _, positions in blocks[1:]]
    square = math.sqrt(sum(float(w * h) for w, h in rest))
    column_height = max(float(high[1] - low[1]), 4 * edge_length, square)
    columns: list[list[tuple[list[int], np.ndarray, np.ndarray]]] = [[]]
    used = 0.0
    for nodes, positions in blocks[1:]:
        size = positions.max(axis=0) - positions.min(axis=0)
        if columns[-1] and used + size[1] > column_height:
            columns.append([])
            used = 0.0
        columns[-1].append((nodes, positions, size))
        used += float(size[1]) + gap
    x = float(high[0] - low[0]) / 2 + 1.5 * gap
    for column in columns:
        width = max(float(size[0]) for _, _, size in column)
        height = sum(float(size[1]) for _, _, size in column) + gap * (len(column) - 1)
        y = -height / 2
        for nodes, positions, size in column:
            corner = positions.min(axis=0)
            xy[nodes] = positions - corner + np.array([x + (width - float(size[0])) / 2, y])
            y += float(size[1]) + gap
        x += width + gap
    return xy
