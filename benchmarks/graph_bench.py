"""Benchmark: graph build and path lookup, evkg against plain networkx on the same data.

For the seeds and for synthetic supply-chain graphs (``benchmarks/synthetic.py``) of the
given sizes, it measures, as medians of ``--runs`` runs in one process:

- build: ``evkg.graph.build_graph(kb)`` against a plain loop that adds every
  IRI-to-IRI triple of the same rdflib store to a ``networkx.MultiDiGraph``;
- path: ``evkg.graph.shortest_paths(kb, A, B)`` on the cached graph (resolution of the
  two names, the search, and the explanation of every hop with its sources) against
  ``networkx.shortest_path`` on the plain graph, undirected.

Ratios are evkg ÷ plain networkx, measured in the same run, so they hold when the
machine's speed drifts. Usage::

    python -m benchmarks.graph_bench                     # seeds, 10k, 100k edges
    python -m benchmarks.graph_bench --sizes 10000 1000000 --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import networkx as nx
from rdflib import URIRef
from rdflib.namespace import PROV, RDF

import evkg
from evkg.graph import build_graph, graph_of, shortest_paths

from . import synthetic


def median_seconds(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def plain_graph(kb) -> nx.MultiDiGraph:
    """The anchor: every IRI-to-IRI triple of the store as an edge, nothing more."""
    G = nx.MultiDiGraph()
    for s, p, o in kb.dataset.triples((None, None, None)):
        if isinstance(s, URIRef) and isinstance(o, URIRef) and p not in (RDF.type, PROV.wasDerivedFrom):
            G.add_edge(s, o, key=p)
    return G


def measure(name: str, kb, pair: tuple[str, str], runs: int) -> dict:
    row = {"data": name, "triples": len(kb.dataset)}
    row["build"] = median_seconds(lambda: build_graph(kb), runs)
    row["build_nx"] = median_seconds(lambda: plain_graph(kb), runs)
    G = graph_of(kb)  # cached from here on, as in a long-running process
    row["nodes"], row["edges"] = G.number_of_nodes(), G.number_of_edges()
    plain = plain_graph(kb).to_undirected(as_view=True)
    a, b = pair
    row["path"] = median_seconds(lambda: shortest_paths(kb, a, b), runs)
    row["path_nx"] = median_seconds(lambda: nx.shortest_path(plain, URIRef(a), URIRef(b)), runs)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description="Graph build and path lookup: evkg against plain networkx.")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000], help="synthetic edge counts")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    seeds_pair = ("https://w3id.org/evkg/id/country/pk", "https://w3id.org/evkg/id/company/catl")
    rows = [measure("seeds", evkg.load(), seeds_pair, args.runs)]
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = synthetic.write(Path(tmp) / f"synthetic-{size}.nq", size)
            start = time.perf_counter()
            kb = evkg.load([path], seeds=False)
            loaded = time.perf_counter() - start
            pair = (synthetic.firm_iri(0), synthetic.country_iri(1))
            row = measure(f"synthetic {size:,}", kb, pair, args.runs)
            row["load"] = loaded
            rows.append(row)
            del kb

    print(f"Medians of {args.runs} runs; ratio = evkg / plain networkx on the same store.")
    if args.runs == 1:
        print("With one run, the path figure includes building the search graph, which later lookups reuse.")
    print()
    header = f"{'data':<20}{'triples':>10}{'nodes':>11}{'edges':>11}  {'build s':>9}{'nx s':>9}{'ratio':>7}  {'path ms':>9}{'nx ms':>9}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['data']:<20}{r['triples']:>10,}{r['nodes']:>11,}{r['edges']:>11,}  "
            f"{r['build']:>9.3f}{r['build_nx']:>9.3f}{r['build'] / r['build_nx']:>7.1f}  "
            f"{r['path'] * 1000:>9.2f}{r['path_nx'] * 1000:>9.3f}{r['path'] / r['path_nx']:>8.0f}"
        )
    loads = [r for r in rows if "load" in r]
    if loads:
        print("\nLoading the synthetic files into the in-memory store (once, not part of the ratios):")
        for r in loads:
            print(f"  {r['data']}: {r['load']:.1f} s, {r['triples'] / r['load']:,.0f} triples/s")


if __name__ == "__main__":
    main()
