"""Interactive HTML for a graph view: one self-contained page that works offline, shows
every label as text, and is byte-identical for the same view.

vis-network (shipped inside the pyvis package) is inlined, the data goes in as JSON in a
``<script type="application/json">`` block, and the page's own script builds every label,
tooltip and legend entry with ``textContent``. A Content-Security-Policy allows only the
page's own scripts (by hash) and no network access at all.

Examples
--------
>>> import evkg
>>> from evkg.graph.view import graph_view
>>> page = render_html(graph_view(evkg.load(), around="Proton"))
>>> page.startswith("<!DOCTYPE html>"), "<script src=" in page
(True, False)
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import math
import re
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .. import __version__
from ..caching import collector_paused
from ..graph.layout import layout_positions, main_component
from ..graph.style import FAMILY_STYLES, class_colors, node_size
from ..graph.view import GraphView

__all__ = [
    "render_html",
    "page_data",
    "PHYSICS_LIMIT",
    "EDGE_LABEL_LIMIT",
    "FAMILY_STYLES",
    "PATH_COLOR",
]

#: Above this many nodes the positions come from Python and the physics stays off.
PHYSICS_LIMIT = 500
#: Relation labels are shown at first when the view has at most this many edges.
EDGE_LABEL_LIMIT = 250
#: The colour of the highlighted paths.
PATH_COLOR = "#e6007e"

_LABEL_LENGTH = 40
_MAX_CITES = 6


def render_html(view: GraphView, *, title: str | None = None) -> str:
    """Return one complete, self-contained HTML document that draws ``view``.

    Parameters
    ----------
    view : GraphView
        From :func:`evkg.graph.view.graph_view` or :func:`~evkg.graph.view.view_from_graph`.
    title : str, optional
        The page's heading; the view's own title by default.

    Returns
    -------
    str
        The HTML; the same view gives the same text.

    Examples
    --------
    >>> from evkg.graph.view import view_from_graph
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("x", label="<b>bold</b>", type="urn:T", type_label="thing")
    >>> page = render_html(view_from_graph(G), title="A & B")
    >>> "<title>A &amp; B</title>" in page, "<b>bold</b>" in page
    (True, False)
    """
    # The page makes no cycles; the collector's passes over a large graph held elsewhere
    # in the process would cost more than the page.
    with collector_paused():
        return _render(view, title)


def _render(view: GraphView, title: str | None) -> str:
    data = page_data(view, title=title)
    assets = _assets()
    script = assets["script"]
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_csp_hash(assets['vis_js'])} {_csp_hash(script)}",
            "style-src 'unsafe-inline'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    return _template().render(
        data=data,
        data_json=_script_json(data),
        csp=csp,
        vis_css=assets["vis_css"],
        vis_js=assets["vis_js"],
        style=assets["style"],
        script=script,
        version=__version__,
    )


def page_data(view: GraphView, *, title: str | None = None) -> dict:
    """The data the page is built from: nodes, edges, classes, sources, quotes, paths.

    Every value is plain text; the page inserts it with ``textContent``. Node positions
    are computed here (seeded), so the page draws at once and the output is stable. On
    pages that run the physics, the nodes outside the main component are flagged
    ``pin``: they stay in their strip beside it, out of the simulation.
    """
    G = view.G
    degree = Counter()
    for u, v in G.edges():
        degree[u] += 1
        degree[v] += 1
    classes, class_index = _classes(view)
    sources = [
        {"id": s.id, "graph": s.graph, "title": s.title, "nodes": s.nodes, "edges": s.edges}
        for s in view.sources
    ]
    source_index = {s.graph: i for i, s in enumerate(view.sources)}
    by_source_iri = {s.source: i for i, s in enumerate(view.sources) if s.source}
    quotes: list[dict] = []
    quote_index: dict[tuple, int] = {}

    def cite(citations) -> list[int]:
        found = []
        for c in citations:
            source = source_index.get(c.get("graph") or "", by_source_iri.get(c.get("source") or "", -1))
            key = (source, c.get("title") or "", c.get("quote") or "")
            if key not in quote_index:
                quote_index[key] = len(quotes)
                quotes.append({"source": source, "title": key[1], "quote": c.get("quote")})
                if c.get("note") and not c.get("quote"):  # what a source without a sentence says instead
                    quotes[-1]["note"] = c["note"]
            found.append(quote_index[key])
        return sorted(dict.fromkeys(found))

    def counted(item: dict) -> dict:
        # How many sources the quotes come from, when more than one (one quote each is the default).
        count = len({quotes[i]["source"] if quotes[i]["source"] >= 0 else quotes[i]["title"] for i in item["cites"]})
        if count > 1:
            item["nsrc"] = count
        return item

    def in_sources(graphs, citations) -> list[int]:
        found = {source_index[g] for g in graphs if g in source_index}
        found |= {quotes[i]["source"] for i in cite(citations) if quotes[i]["source"] >= 0}
        return sorted(found)

    positions = layout_positions(G, seed=7)
    physics = G.number_of_nodes() <= PHYSICS_LIMIT
    # The physics settles the main component only; the small ones keep their places in
    # the strip beside it, which the page moves next to the settled main component.
    main = main_component(G) if physics else set(G)
    edges = []
    node_sources: dict[str, set[int]] = {n: set() for n in G}
    for number, (u, v, key, d) in enumerate(sorted(G.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2])))):
        src = in_sources(d.get("graphs", ()), d.get("sources", ()))
        node_sources[u].update(src)
        node_sources[v].update(src)
        edge = {
            "id": f"e{number}",
            "from": str(u),
            "to": str(v),
            "key": str(key),
            "label": str(d.get("label", key)),
            "cites": cite(d.get("sources", ())),
            "src": src,
        }
        if (u, v, key) in view.highlight_edges:
            edge["hl"] = True
        if d.get("via"):
            edge["via"] = str(d["via"])
        edges.append(counted(edge))
    nodes = []
    for n in sorted(G, key=str):
        d = G.nodes[n]
        label = str(d.get("label", n))
        family = view.families.get(d.get("type", ""), "other")
        node = {
            "id": str(n),
            "label": _shorten(label, 28 if family == "statement" else _LABEL_LENGTH),
            "name": label,
            "cls": class_index[d.get("type", "")],
            "type": str(d.get("type_label", "")),
            "size": node_size(degree[n], family=family),
            # Hubs get larger labels, so that they stay readable when the whole graph fits.
            "font": round(12 + min(10.0, 2.0 * math.sqrt(degree[n])), 1),
            "x": round(positions[n][0]),
            "y": round(positions[n][1]),
            "alt": [str(a) for a in d.get("alt_labels", ())],
            "details": [[str(k), str(v)] for k, v in d.get("details", ())],
            "cites": cite(d.get("sources", ())),
        }
        node["src"] = sorted(node_sources[n] | {quotes[i]["source"] for i in node["cites"] if quotes[i]["source"] >= 0})
        if d.get("country_label"):
            node["country"] = str(d["country_label"])
        if n in view.highlight_nodes:
            node["hl"] = True
        if n not in main:
            node["pin"] = True
        nodes.append(counted(node))
    paths = None
    if view.path is not None:
        paths = [
            {
                "length": p.length,
                "hops": [
                    counted({"from": e.source, "to": e.target, "label": e.label, "cites": cite(e.sources)})
                    for e in p.edges
                ],
                "nodes": {n.id: n.label for n in p.nodes},
            }
            for p in view.path.paths
        ]
    heading = title if title is not None else view.title
    return {
        "title": heading,
        "kind": view.kind,
        "center": view.center,
        "note": view.note,
        "filters": list(view.filters),
        "physics": physics,
        "edgeLabels": len(edges) <= EDGE_LABEL_LIMIT,
        "pathColor": PATH_COLOR,
        "classes": classes,
        "sources": sources,
        "quotes": quotes,
        "nodes": nodes,
        "edges": edges,
        "paths": paths,
        "pathFrom": view.path.source.label if view.path else None,
        "pathTo": view.path.target.label if view.path else None,
        "pathReason": view.path.reason if view.path else None,
        "counts": {
            "nodes": len(nodes),
            "edges": len(edges),
            "totalNodes": view.total_nodes,
            "totalEdges": view.total_edges,
        },
        "hash": view.data_hash,
    }


# --------------------------------------------------------------------------- helpers


def _shorten(text: str, length: int = _LABEL_LENGTH) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _classes(view: GraphView) -> tuple[list[dict], dict[str, int]]:
    """The classes of the view with colour and shape, grouped by family, and an index.

    Shades follow each family's classes in IRI order over ``view.families``, so a class
    keeps its colour across the views of one knowledge base."""
    counts = Counter(d.get("type", "") for _, d in view.G.nodes(data=True))
    labels = {d.get("type", ""): d.get("type_label", "") for _, d in view.G.nodes(data=True)}
    family_of = {cls: view.families.get(cls, "other") for cls in set(view.families) | set(counts)}
    shade = class_colors(view.families, counts)
    order = list(FAMILY_STYLES)
    present = sorted(counts, key=lambda c: (order.index(family_of[c]), (labels[c] or c).casefold(), c))
    classes = []
    for cls in present:
        family = family_of[cls]
        name, shape, _ = FAMILY_STYLES[family]
        classes.append(
            {
                "iri": cls,
                "label": labels[cls] or cls.rsplit("#", 1)[-1].rsplit("/", 1)[-1] or "(untyped)",
                "family": family,
                "familyLabel": name,
                "shape": shape,
                "color": shade[cls],
                "count": counts[cls],
            }
        )
    return classes, {c["iri"]: i for i, c in enumerate(classes)}


def _script_json(data: dict) -> str:
    """JSON that cannot end its ``<script>`` block or open a comment in it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _inline_safe(text: str, tag: str) -> str:
    """Make a script or style safe to inline: no ``</tag`` and no ``<!--`` inside.

    In JavaScript strings and regular expressions ``<\\/`` and ``<\\!`` mean the same."""
    text = re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)
    return text.replace("<!--", "<\\!--")


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    """vis-network from the pyvis package and the page's own script and style.

    The package is found, not imported: importing pyvis imports IPython, which takes
    longer than writing a page of 5,000 nodes."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the pyvis package, which ships vis-network, is not installed: pip install pyvis")
    vis = Path(spec.submodule_search_locations[0]) / "templates" / "lib" / "vis-9.1.2"
    here = resources.files("evkg.render") / "templates"
    return {
        "vis_js": _inline_safe((vis / "vis-network.min.js").read_text(encoding="utf-8"), "script"),
        "vis_css": _inline_safe((vis / "vis-network.css").read_text(encoding="utf-8"), "style"),
        "script": _inline_safe((here / "graph.js").read_text(encoding="utf-8"), "script"),
        "style": _inline_safe((here / "graph.css").read_text(encoding="utf-8"), "style"),
    }


@lru_cache(maxsize=1)
def _template():
    import jinja2

    text = (resources.files("evkg.render") / "templates" / "graph.html").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string(text)
