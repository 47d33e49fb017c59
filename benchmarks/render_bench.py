"""Benchmark: evkg's HTML graph pages against plain pyvis with its defaults.

For the seed graph and synthetic graphs of 1,000, 5,000 and 20,000 nodes (built with a
fixed seed), it measures the time to write the HTML file and its size, then the time to
first draw and to a stable layout in headless Chromium, from navigation start. Times are
medians of --runs runs (one run when a single run already takes longer than 20 s).

pyvis runs as a user would run it: ``Network()``, ``from_nx`` and ``write_html`` with
the defaults. Its default page loads vis-network from a CDN, so it draws nothing offline;
the browser columns use ``cdn_resources="in_line"`` for pyvis, the only way it draws
without network. All requests outside the file are blocked.

Run it with:

    python -m benchmarks.render_bench          # all sizes, 3 runs
    python -m benchmarks.render_bench --sizes 1000 --runs 5

It needs Debian's chromium at /usr/bin/chromium and the playwright package.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import networkx as nx

import evkg
from evkg.export import write_atomically
from evkg.graph.view import graph_view, view_from_graph
from evkg.render.html import render_html

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SLOW = 20.0  # seconds: one run is enough past this

# Wraps vis.Network as the page's script defines it, to time the first draw and the end
# of stabilisation of whatever page is loaded (ours or pyvis's) the same way.
PROBE = """
window.__bench = {};
Object.defineProperty(window, "vis", { configurable: true, get() { return this.__vis; }, set(lib) {
  this.__vis = lib;
  let wrapped;
  Object.defineProperty(lib, "Network", { configurable: true, enumerable: true, get() { return wrapped; }, set(Original) {
    wrapped = function (...args) {
      const network = new Original(...args);
      network.once("stabilizationIterationsDone", () => { window.__bench.stable = performance.now(); });
      network.once("afterDrawing", () => {
        window.__bench.draw = performance.now();
        if (!network.physics.options.enabled && window.__bench.stable === undefined) window.__bench.stable = window.__bench.draw;
      });
      return network;
    };
    wrapped.prototype = Original.prototype;
  } });
} });
"""

CLASSES = [("Automaker", "automaker"), ("BatteryMaker", "battery maker"), ("Country", "country"),
           ("BatteryCellPlant", "battery cell plant"), ("Claim", "claim")]


def synthetic_graph(n: int, seed: int = 42) -> nx.MultiDiGraph:
    """A scale-free graph with evkg's node and edge attributes, the same for the same n."""
    rng = random.Random(seed)
    U = nx.barabasi_albert_graph(n, 2, seed=seed)
    G = nx.MultiDiGraph()
    for i in U:
        local, label = CLASSES[rng.randrange(len(CLASSES))]
        G.add_node(
            f"https://example.org/id/{i}",
            label=f"Entity {i}",
            type=f"https://w3id.org/evkg/ontology#{local}",
            type_label=label,
            country=None,
            fact=False,
            alt_labels=[f"E{i}"],
            details=[("capacity", f"{rng.randrange(1, 200)} GWh"), ("status", "operating")],
            sources=[],
        )
    for u, v in U.edges():
        source = {"graph": "https://example.org/graph/synthetic", "source": "", "title": "Synthetic article",
                  "quote": f"Entity {u} and Entity {v} signed an agreement."}
        G.add_edge(
            f"https://example.org/id/{u}", f"https://example.org/id/{v}",
            key="https://w3id.org/evkg/ontology#partnerOf", predicate="https://w3id.org/evkg/ontology#partnerOf",
            label="partner of", inverse_label="partner of", graphs=[source["graph"]], sources=[source],
        )
    return G


def for_pyvis(G: nx.MultiDiGraph) -> nx.DiGraph:
    """The same graph as a pyvis user would hand it over: label, group and title text."""
    D = nx.DiGraph()
    for n, d in G.nodes(data=True):
        D.add_node(n, label=d["label"], group=d["type_label"], title=f"{d['label']} ({d['type_label']})")
    for u, v, d in G.edges(data=True):
        D.add_edge(u, v, label=d["label"], title=(d["sources"][0]["quote"] or "") if d["sources"] else "")
    return D


def timed(function, runs: int) -> tuple[float, int]:
    """Median seconds of ``function`` over ``runs`` runs (one if the first is slow)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
        if times[0] > SLOW:
            break
    return statistics.median(times), len(times)


def write_evkg(make_view, path: Path) -> None:
    write_atomically(path, render_html(make_view()))


def write_pyvis(D: nx.DiGraph, path: Path, **options) -> None:
    from pyvis.network import Network

    net = Network(**options)
    net.from_nx(D.copy())  # from_nx changes the graph it is given
    net.write_html(str(path))


def browser_times(browser, path: Path, runs: int, timeout: float) -> tuple[float | None, float | None, int]:
    """Median seconds from navigation start to the first draw and to a stable layout."""
    draws, stables = [], []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.add_init_script(PROBE)
        url = path.as_uri()
        context.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        result = None
        while time.perf_counter() - start < timeout:
            result = page.evaluate("() => window.__bench")
            if result and "stable" in result and "draw" in result:
                break
            page.wait_for_timeout(50)
        context.close()
        draws.append(result.get("draw", float("inf")) / 1000 if result else float("inf"))
        stables.append(result.get("stable", float("inf")) / 1000 if result else float("inf"))
        if min(draws[-1], stables[-1]) > SLOW:
            break
    draw, stable = statistics.median(draws), statistics.median(stables)
    return (None if draw == float("inf") else draw), (None if stable == float("inf") else stable), len(draws)


def seconds(value: float | None, timeout: float) -> str:
    return f">{timeout:.0f}" if value is None else f"{value:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000, 20000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60.0, help="Give up on a page after this many seconds.")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    kb = evkg.load()
    cases = [("seeds", graph_view(kb).G, lambda: graph_view(kb))]
    for n in args.sizes:
        G = synthetic_graph(n)
        cases.append((f"synthetic {n:,}", G, lambda G=G: view_from_graph(G, max_nodes=len(G))))

    rows = []
    here = Path.cwd()
    with tempfile.TemporaryDirectory() as scratch:
        # pyvis's default write_html puts a lib/ folder in the current one: keep it here.
        folder = Path(scratch)
        os.chdir(folder)
        browser, playwright = None, None
        if not args.no_browser:
            from playwright.sync_api import sync_playwright

            playwright = sync_playwright().start()
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, G, make_view in cases:
            ours, theirs, inline = folder / "evkg.html", folder / "pyvis.html", folder / "pyvis-inline.html"
            D = for_pyvis(G)
            t_ours, r_ours = timed(lambda: write_evkg(make_view, ours), args.runs)
            t_theirs, r_theirs = timed(lambda: write_pyvis(D, theirs), args.runs)
            row = {
                "graph": name, "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
                "write": (t_ours, t_theirs, r_ours, r_theirs),
                "size": (ours.stat().st_size, theirs.stat().st_size),
            }
            if browser is not None:
                write_pyvis(D, inline, cdn_resources="in_line")
                row["browser"] = (
                    browser_times(browser, ours, args.runs, args.timeout),
                    browser_times(browser, inline, args.runs, args.timeout),
                )
            rows.append(row)
            print(f"measured {name}", flush=True)
        if browser is not None:
            browser.close()
            playwright.stop()
        os.chdir(here)

    print()
    print(f"Medians of up to {args.runs} runs (n = runs taken); pyvis = Network() + from_nx + write_html, defaults.")
    print(f"Browser: headless Chromium, seconds from navigation start; '>{args.timeout:.0f}' = not reached in time.")
    print()
    header = ["graph", "nodes", "edges", "write evkg s", "write pyvis s", "pyvis/evkg",
              "evkg MB", "pyvis MB", "draw evkg s", "draw pyvis s", "stable evkg s", "stable pyvis s"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        t_ours, t_theirs, r_ours, r_theirs = row["write"]
        cells = [
            row["graph"], f"{row['nodes']:,}", f"{row['edges']:,}",
            f"{t_ours:.2f} (n={r_ours})", f"{t_theirs:.2f} (n={r_theirs})", f"{t_theirs / t_ours:.1f}×",
            f"{row['size'][0] / 1e6:.2f}", f"{row['size'][1] / 1e6:.2f}",
        ]
        if "browser" in row:
            (d_ours, s_ours, _), (d_theirs, s_theirs, _) = row["browser"]
            cells += [seconds(d_ours, args.timeout), seconds(d_theirs, args.timeout),
                      seconds(s_ours, args.timeout), seconds(s_theirs, args.timeout)]
        else:
            cells += ["-"] * 4
        print("| " + " | ".join(cells) + " |")
    print()
    print("pyvis's default page (cdn_resources='local') loads vis-network from a CDN: offline it draws nothing.")


if __name__ == "__main__":
    main()
