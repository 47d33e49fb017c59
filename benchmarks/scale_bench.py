"""Benchmark: evkg at 10k, 100k and 1M triples, on each store, beside its anchors.

For synthetic supply-chain data of each size (``benchmarks/synthetic.py``, seeded,
sized in triples) and each store (``memory``, ``oxigraph:PATH``, and ``sparql:URL`` on
a Virtuoso started for the purpose when evkg and the machine have both) it measures:

- load: the file into the store (``evkg load`` for oxigraph and sparql, ``evkg --data``
  for memory), in triples/s, against pyoxigraph's own ``bulk_load`` of the same file
  into a new database and against plain rdflib (``Dataset.parse``);
- queries: the competency queries (``tests/competency/*.rq``) through
  ``KnowledgeBase.query``, against the same text on pyoxigraph directly (the database
  evkg has open, through its pyoxigraph handle) and on plain rdflib (``Dataset.query`` on
  the same in-memory dataset), the two sides alternated query by query in one process;
- graph: ``build_graph`` against a plain loop over pyoxigraph's quads into a
  ``networkx.MultiDiGraph``; ``shortest_paths`` cold (graph build plus the first
  lookup) and cached (later lookups in the same process), against ``nx.shortest_path``
  on the plain graph; the HTML page of the whole graph (``graph_view`` cut to its
  default 5,000 nodes, then ``render_html``), which has no anchor;
- start-up: ``evkg path Pakistan CATL`` on the seeds, whole process, the first time
  (nothing in a new cache folder) and after (parsed seeds and graph read back), against
  ``python -c "import rdflib, networkx"``.

Every step runs in a fresh subprocess; its peak memory is the child's maximum resident
set size from ``os.wait4`` (the per-child form of ``getrusage(RUSAGE_CHILDREN)``).
Times are medians of ``--runs`` runs (``--large-runs`` for sizes of 1M triples and
more, said in the output); ratios are evkg ÷ anchor, measured in the same run.
The targets of the scale plan are reported against, never asserted; where one is
missed, the output says by how much. Run it with::

    python -m benchmarks.scale_bench                          # 10k, 100k, 1M; writes benchmarks/RESULTS.md
    python -m benchmarks.scale_bench --sizes 10k --runs 3     # a quick run
    python -m benchmarks.scale_bench --sizes 10k 100k 1M --runs 5 --large-runs 2
    python -m benchmarks.scale_bench --stores memory oxigraph         # without Virtuoso
    python -m benchmarks.scale_bench --sizes 1M --runs 1 --stores oxigraph --data-dir /tmp/evkg-data
    python -m benchmarks.scale_bench --sizes 10M --runs 1 --stores oxigraph -o benchmarks/RESULTS-10M-oxigraph.md
    python -m benchmarks.scale_bench --sizes 10M --runs 3 --stores oxigraph --data-dir /tmp/evkg-data --steps queries

``--steps`` runs some of the steps (load, queries, graph, path, page, startup); without
``load`` the oxigraph store is the database a run with the same ``--data-dir`` kept.

Each target applies at one size (1M or 10M triples, oxigraph store) and the report marks
it met, missed (by how much) or not measured when that size was not run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from tests.virtuoso import VIRTUOSO, virtuoso_missing, virtuoso_server

from . import synthetic

HERE = Path(__file__).resolve().parent
COMPETENCY = HERE.parent / "tests" / "competency"
DATA_GRAPH = "https://w3id.org/evkg/graph/data/synthetic.nq"
LARGE = 1_000_000  # sizes from here on use --large-runs
STORES = ("memory", "oxigraph", "sparql")
#: The steps ``--steps`` may name, in the order they run: the loads (with their anchors),
#: the competency queries, the graph build and in-process path lookups (with the plain
#: networkx anchor), whole ``evkg path`` processes, the page, the seeds' start-up.
STEPS_RUN = ("load", "queries", "graph", "path", "page", "startup")
SEEDS_PAIR = ("Pakistan", "CATL")

# Targets from the scale plan: key -> (what, limit, unit, size it applies to). Every one is
# a ratio, a time or a peak memory, judged on the oxigraph store at that size.
TENM = 10_000_000
TARGETS = {
    "load": ("`evkg load` ÷ pyoxigraph bulk_load", 1.3, "×", LARGE),
    "queries": ("competency queries on oxigraph: ÷ pyoxigraph directly", 1.5, "×", LARGE),
    "build": ("graph build ÷ plain loop into networkx", 2.0, "×", LARGE),
    "path": ("`shortest_paths` in a process that has already searched, median of the lookup", 50.0, "ms", LARGE),
    "process": ("`evkg path` whole process, graph/search structure already on disk", 1.0, "s", LARGE),
    "process_first": ("`evkg path` whole process, the first time (nothing on disk)", 10.0, "s", LARGE),
    "render": ("`evkg render` of the whole graph (cut to 5,000 nodes)", 3.0, "s", LARGE),
    "graph_memory": ("peak memory of the graph side (graph build, paths, page)", 600.0, "MB", LARGE),
    "memory_10m": ("peak memory of every step", 16_384.0, "MB", TENM),
    "process_10m": ("`evkg path` whole process, graph/search structure already on disk", 3.0, "s", TENM),
    "queries_10m": ("competency queries on oxigraph: ÷ pyoxigraph directly", 1.5, "×", TENM),
    "startup": ("`evkg path Pakistan CATL` whole process ÷ `python -c \"import rdflib, networkx\"`", 2.0, "×", None),
}


# --------------------------------------------------------------------------- steps
# Each step runs in its own process (``python -m benchmarks.scale_bench --step ...``)
# and writes a JSON object of seconds (lists, one per run) to the file it is given.


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _competency_queries() -> list[tuple[str, str]]:
    return [(path.stem, path.read_text(encoding="utf-8")) for path in sorted(COMPETENCY.glob("*.rq"))]


def _spec(store: str, db: Path) -> str:
    """The ``--store`` spec of a store name as the parent passes it (sparql: with its URL)."""
    return f"oxigraph:{db}" if store == "oxigraph" else store


def _load_kb(store: str, data: Path, db: Path):
    import evkg

    if store == "memory":
        return evkg.load([data])
    return evkg.load(store=_spec(store, db))


def step_load_evkg(store: str, data: Path, db: Path, runs: int) -> dict:
    """One load into a new store: the seeds go in first (not timed), then the file."""
    import evkg
    from evkg.stores import open_store

    if store == "memory":
        base = evkg.load()
        before = len(base)
        del base
        start = time.perf_counter()
        kb = evkg.load([data])
        return {"load": [time.perf_counter() - start], "triples": len(kb) - before}
    backend = open_store(_spec(store, db))
    evkg.load(store=backend)
    report = backend.load_file(data, graph_iri=DATA_GRAPH)
    return {"load": [report.seconds], "triples": report.triples}


def step_load_pyoxigraph(data: Path, db: Path) -> dict:
    import pyoxigraph as ox

    store = ox.Store(str(db))
    seconds = _timed(lambda: store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS))
    return {"load": [seconds], "triples": len(store)}


def step_load_rdflib(data: Path) -> dict:
    from rdflib import Dataset

    rdf = Dataset()
    seconds = _timed(lambda: rdf.parse(str(data), format="nquads"))
    return {"load": [seconds], "triples": len(rdf)}


def _pyoxigraph_run(store, text: str):
    """A function that answers ``text`` on a pyoxigraph Store and reads every row."""
    import pyoxigraph as ox

    from evkg.ontology import PREFIXES

    prefixes = {k: str(v) for k, v in PREFIXES.items()}

    def run():
        answer = store.query(text, prefixes=prefixes)
        if not isinstance(answer, ox.QueryBoolean):
            list(answer)

    return run


def _rdflib_run(rdf, text: str):
    """A function that answers ``text`` with rdflib's own ``Dataset.query`` and reads every row."""
    from evkg.ontology import PREFIXES

    def run():
        result = rdf.query(text, initNs=PREFIXES)
        if result.type == "SELECT":
            list(result)

    return run


def _alternated(sides: dict, runs: int) -> dict[str, list[float]]:
    """Times of each side's function: one untimed run of each (parse caches and the page
    cache warm, as in a session), then ``runs`` rounds of one timed run of each, the side
    that goes first changing every round (A B, B A, A B ...), so that neither side has
    the machine's state (caches, other load) to itself."""
    for run in sides.values():
        run()
    names = list(sides)
    times: dict[str, list[float]] = {name: [] for name in names}
    for i in range(runs):
        for name in names if i % 2 == 0 else names[::-1]:
            times[name].append(_timed(sides[name]))
    return times


def step_queries(store: str, data: Path, db: Path, runs: int) -> dict:
    """Each competency query through ``KnowledgeBase.query``, alternated (:func:`_alternated`)
    query by query with its anchor in the same process on the same data: pyoxigraph's own
    ``Store.query`` on the database evkg has open (oxigraph), ``Dataset.query`` on evkg's
    dataset (memory). On sparql: evkg alone (its anchor is pyoxigraph's, measured apart)."""
    kb = _load_kb(store, data, db)
    anchor = {"oxigraph": "pyoxigraph", "memory": "rdflib"}.get(store)
    out: dict[str, dict[str, list[float]]] = {"evkg": {}, **({anchor: {}} if anchor else {})}
    for name, text in _competency_queries():
        sides = {"evkg": lambda: kb.query(text)}
        if anchor == "pyoxigraph":
            sides[anchor] = _pyoxigraph_run(kb.store.pyoxigraph_store, text)
        elif anchor == "rdflib":
            sides[anchor] = _rdflib_run(kb.dataset, text)
        for side, times in _alternated(sides, runs).items():
            out[side][name] = times
    return out


def step_queries_pyoxigraph(db: Path, runs: int) -> dict:
    """The competency queries on pyoxigraph alone (when the oxigraph store is not measured,
    so that no evkg process has the database open to alternate with)."""
    import pyoxigraph as ox

    store = ox.Store(str(db))
    out: dict[str, list[float]] = {}
    for name, text in _competency_queries():
        out[name] = _alternated({"pyoxigraph": _pyoxigraph_run(store, text)}, runs)["pyoxigraph"]
    return {"pyoxigraph": out}


def step_graph(store: str, data: Path, db: Path, runs: int, pair: list[str], parts: list[str]) -> dict:
    """Per run, on a new knowledge base: build, first lookup, cached lookups (``"graph"`` in
    ``parts``); then the page (``"page"`` in ``parts``)."""
    from evkg.graph import graph_of, shortest_paths
    from evkg.graph.view import graph_view
    from evkg.kb import KnowledgeBase
    from evkg.render.html import render_html

    base = _load_kb(store, data, db)
    out: dict[str, list[float]] = {}
    kb = base
    if "graph" in parts:
        out.update(build=[], first=[], cached=[])
        for _ in range(runs):
            kb = KnowledgeBase(base.dataset, store=base.store)  # nothing cached in it yet
            out["build"].append(_timed(lambda: graph_of(kb)))
            out["first"].append(_timed(lambda: shortest_paths(kb, *pair)))
            out["cached"].append(statistics.median(_timed(lambda: shortest_paths(kb, *pair)) for _ in range(max(5, runs))))
    G = graph_of(kb)
    out["nodes"], out["edges"] = G.number_of_nodes(), G.number_of_edges()
    if "page" in parts:
        out["render"] = [_timed(lambda: render_html(graph_view(kb))) for _ in range(runs)]
    return out


def step_graph_networkx(db: Path, runs: int, pair: list[str]) -> dict:
    """The anchor: every IRI-to-IRI quad of the union as an edge, by a plain loop."""
    import networkx as nx
    import pyoxigraph as ox

    store = ox.Store(str(db))
    skip = {"http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://www.w3.org/ns/prov#wasDerivedFrom"}

    def build():
        G = nx.MultiDiGraph()
        for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            s, p, o = q.subject, q.predicate, q.object
            if isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode) and p.value not in skip:
                G.add_edge(s.value, o.value, key=p.value)
        return G

    out: dict[str, list[float]] = {"build": [], "path": []}
    for _ in range(runs):
        out["build"].append(_timed(build))
    plain = build().to_undirected(as_view=True)
    for _ in range(max(5, runs)):
        out["path"].append(_timed(lambda: nx.shortest_path(plain, *pair)))
    return out


STEPS = {
    "load-evkg": lambda a: step_load_evkg(a["store"], Path(a["data"]), Path(a["db"]), a["runs"]),
    "load-pyoxigraph": lambda a: step_load_pyoxigraph(Path(a["data"]), Path(a["db"])),
    "load-rdflib": lambda a: step_load_rdflib(Path(a["data"])),
    "queries": lambda a: step_queries(a["store"], Path(a["data"]), Path(a["db"]), a["runs"]),
    "queries-pyoxigraph": lambda a: step_queries_pyoxigraph(Path(a["db"]), a["runs"]),
    "graph": lambda a: step_graph(a["store"], Path(a["data"]), Path(a["db"]), a["runs"], a["pair"], a["parts"]),
    "graph-networkx": lambda a: step_graph_networkx(Path(a["db"]), a["runs"], a["pair"]),
}


# --------------------------------------------------------------------------- Virtuoso

# --------------------------------------------------------------------------- parent


class StepFailed(RuntimeError):
    """A step's process failed; the message is the last line it wrote to stderr."""


def server_peak_mb(pid: int) -> float | None:
    """The peak resident memory of a running server process (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def run_step(name: str, result_file: Path, **args) -> dict:
    """Run one step in a fresh interpreter; its figures, with ``peak_mb`` from wait4."""
    command = [sys.executable, "-m", "benchmarks.scale_bench", "--step", name, json.dumps(args), str(result_file)]
    errors = result_file.with_suffix(".err")
    with errors.open("wb") as stderr:
        child = subprocess.Popen(command, cwd=HERE.parent, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        lines = errors.read_text(encoding="utf-8", errors="replace").strip().splitlines() or ["no message"]
        raise StepFailed(f"{lines[-1][:240]} (exit code {child.returncode})")
    out = json.loads(result_file.read_text(encoding="utf-8"))
    out["peak_mb"] = usage.ru_maxrss / 1024  # Linux reports kilobytes
    return out


def whole_process(command: list[str], runs: int, cpu: list | None = None) -> tuple[float, float]:
    """Median wall time and median peak RSS (MB) of ``command``, run ``runs`` times; the
    median CPU time (user + system, from wait4) is appended to ``cpu`` if given, as the
    figure that a machine busy with other work inflates least."""
    times, peaks, used = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        times.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{' '.join(command)} failed")
        peaks.append(usage.ru_maxrss / 1024)
        used.append(usage.ru_utime + usage.ru_stime)
    if cpu is not None:
        cpu.append(statistics.median(used))
    return statistics.median(times), statistics.median(peaks)


def measure_startup(cache: Path, runs: int) -> dict:
    """``evkg path Pakistan CATL`` on the seeds, whole process, with a new cache folder:
    once with nothing cached (the seeds parsed, the graph built), then ``runs`` times
    reading both back; and the import of rdflib and networkx alone."""
    command = [sys.executable, "-m", "evkg", "path", *SEEDS_PAIR]
    os.environ["EVKG_CACHE_DIR"] = str(cache)
    try:
        first, _ = whole_process(command, 1)
        cached, cached_mb = whole_process(command, runs)
    finally:
        os.environ.pop("EVKG_CACHE_DIR")
    imported, imported_mb = whole_process([sys.executable, "-c", "import rdflib, networkx"], runs)
    return {"evkg": cached, "evkg_mb": cached_mb, "evkg_first": first, "import": imported, "import_mb": imported_mb}


def median(values) -> float:
    return statistics.median(values)


def measure_store(store: str, triples: int, data: Path, db: Path, runs: int, pair: list[str], result: Path, log, *,
                  sparql_graph_max: int, steps: set[str]) -> dict:
    """Load ``runs`` times into a new store, then the queries and the graph work on the last;
    only the ``steps`` asked for (without ``load``, the oxigraph store is the database
    already in ``db``).

    On sparql: the graph is built from triple patterns sent one by one over HTTP, which
    takes minutes at 10k triples: one run, and only up to ``sparql_graph_max`` triples."""

    def fresh(folder: Path) -> Path:
        shutil.rmtree(folder, ignore_errors=True)
        return folder

    def work(spec: str) -> dict:
        figures: dict = {}
        graph_runs = runs
        if "queries" in steps:
            log(f"{store}: competency queries" + {"oxigraph": ", alternated with pyoxigraph's",
                                                  "memory": ", alternated with rdflib's"}.get(store, ""))
            try:
                queries = run_step("queries", result, store=spec, data=str(data), db=str(db), runs=runs)
                figures["queries"] = {name: median(times) for name, times in queries["evkg"].items()}
                for anchor in ("rdflib", "pyoxigraph"):
                    if anchor in queries:
                        figures[f"queries_{anchor}"] = {name: median(times) for name, times in queries[anchor].items()}
                figures["queries_peak_mb"] = queries["peak_mb"]
            except StepFailed as exc:
                figures["queries_failed"] = str(exc)
        parts = [part for part in ("graph", "page") if part in steps]
        if parts and store == "sparql":
            if triples > sparql_graph_max:
                figures["graph_failed"] = f"not measured above {sparql_graph_max:,} triples (--sparql-graph-max)"
                return figures
            graph_runs = figures["graph_runs"] = 1
        if parts:
            log(f"{store}: " + " and ".join({"graph": "graph build, paths", "page": "page"}[part] for part in parts))
            try:
                graph = run_step("graph", result, store=spec, data=str(data), db=str(db), runs=graph_runs, pair=pair,
                                 parts=parts)
                for key in ("build", "first", "cached", "render"):
                    if key in graph:
                        figures[key] = median(graph[key])
                if "build" in graph:
                    figures["cold"] = median(b + f for b, f in zip(graph["build"], graph["first"]))
                figures["graph_peak_mb"] = graph["peak_mb"]
                figures["nodes"], figures["edges"] = graph["nodes"], graph["edges"]
            except StepFailed as exc:
                figures["graph_failed"] = str(exc)
        if store == "oxigraph" and "path" in steps:
            log(f"{store}: `evkg path` whole process, graph built then read from disk")
            command = [sys.executable, "-m", "evkg", "--store", _spec(store, db), "path", *pair]
            os.environ["EVKG_CACHE_DIR"] = str(fresh(result.with_name("graph-cache")))
            cpu: list[float] = []
            figures["process_first"], figures["process_first_peak_mb"] = whole_process(command, 1, cpu)
            figures["process_cached"], figures["process_cached_peak_mb"] = whole_process(command, runs, cpu)
            figures["process_first_cpu"], figures["process_cached_cpu"] = cpu
            os.environ.pop("EVKG_CACHE_DIR")
        return figures

    loads = []
    if "load" in steps:
        log(f"{store}: load")
    if store != "sparql":
        for _ in range(runs if "load" in steps else 0):
            loads.append(run_step("load-evkg", result, store=store, data=str(data), db=str(fresh(db)), runs=1))
        figures = work(store)
    else:
        # A new server per run: the seeds go in first (untimed), then the file; the
        # last server stays up for the queries and the graph work.
        for i in range(runs):
            server = virtuoso_server(result.with_name("virtuoso"), buffers=170_000, max_rows=10_000_000, query_seconds=600)
            with server as (url, pid):
                spec = f"sparql:{url}"
                loads.append(run_step("load-evkg", result, store=spec, data=str(data), db=str(db), runs=1))
                if i == runs - 1:
                    figures = work(spec)
                    figures["server_peak_mb"] = server_peak_mb(pid)
    if loads:
        figures.update(
            load=median(r["load"][0] for r in loads),
            load_peak_mb=median(r["peak_mb"] for r in loads),
            loaded_triples=loads[0]["triples"],
        )
    return figures


def database_dir(data_dir: Path, triples: int) -> Path:
    """Where a run with ``--data-dir`` keeps the oxigraph database evkg loaded, for runs of
    later steps alone (``--steps queries``)."""
    return data_dir / f"evkg-oxigraph-{triples}"


def measure_size(triples: int, runs: int, work: Path, stores: list[str], *, sparql_graph_max: int,
                 data_dir: Path | None = None, steps: set[str] = frozenset(STEPS_RUN)) -> dict:
    """Every figure for one size (of the ``steps`` asked for). With ``data_dir`` the synthetic
    file is kept there and reused by later runs (the generator is deterministic; a file is
    only ever whole), and so is the oxigraph database evkg loaded."""
    data = (data_dir or work) / f"synthetic-{triples}.nq"
    if data_dir is None or not data.exists():
        synthetic.write(data, triples=triples)
    pair = [synthetic.firm_iri(0), synthetic.country_iri(1)]
    row: dict = {"triples": triples, "runs": runs, "stores": {}, "nodes": None, "edges": None}
    result = work / "step.json"
    db = database_dir(data_dir, triples) if data_dir is not None else work / f"evkg-{triples}"

    def fresh(folder: Path) -> Path:
        shutil.rmtree(folder, ignore_errors=True)
        return folder

    log = lambda text: print(f"[{triples:,}] {text}", file=sys.stderr, flush=True)  # noqa: E731

    # rdflib's parse is the anchor of the memory store alone (and takes the most time and
    # memory of all steps at 10M triples): measured only when that store is.
    anchors = {"pyoxigraph": [], "rdflib": []} if "memory" in stores else {"pyoxigraph": []}
    if "load" in steps:
        log(f"anchors: {', '.join(anchors)} load")
    for _ in range(runs if "load" in steps else 0):
        anchors["pyoxigraph"].append(run_step("load-pyoxigraph", result, data=str(data), db=str(fresh(work / "ox-anchor"))))
        if "rdflib" in anchors:
            anchors["rdflib"].append(run_step("load-rdflib", result, data=str(data)))
    shutil.rmtree(work / "ox-anchor", ignore_errors=True)
    if "load" in steps:
        row["anchor_load"] = {
            name: {"seconds": median(r["load"][0] for r in results), "peak_mb": median(r["peak_mb"] for r in results)}
            for name, results in anchors.items()
        }

    for store in stores:
        figures = measure_store(store, triples, data, db, runs, pair, result, log, sparql_graph_max=sparql_graph_max,
                                steps=steps)
        if "nodes" in figures and row["nodes"] is None:
            row["nodes"], row["edges"] = figures["nodes"], figures["edges"]
        if "queries_pyoxigraph" in figures:
            row["queries_pyoxigraph"] = figures.pop("queries_pyoxigraph")
        row["stores"][store] = figures

    # The direct anchors read the store evkg made (the same quads: ontology, seeds, data).
    alone = "queries" in steps and "queries_pyoxigraph" not in row
    if (alone or "graph" in steps) and ("oxigraph" not in stores or not (db / "CURRENT").exists()):
        run_step("load-evkg", result, store="oxigraph", data=str(data), db=str(fresh(db)), runs=1)
    if alone:
        log("anchors: pyoxigraph queries, alone")
        direct = run_step("queries-pyoxigraph", result, db=str(db), runs=runs)
        row["queries_pyoxigraph"] = {name: median(times) for name, times in direct["pyoxigraph"].items()}
        row["queries_pyoxigraph_peak_mb"] = direct["peak_mb"]
    if "graph" in steps:
        log("anchors: plain networkx")
        plain = run_step("graph-networkx", result, db=str(db), runs=runs, pair=pair)
        row["build_nx"] = median(plain["build"])
        row["path_nx"] = median(plain["path"])
        row["nx_peak_mb"] = plain["peak_mb"]
    if data_dir is None:
        shutil.rmtree(db, ignore_errors=True)
        data.unlink()
    return row


def step_peaks(row: dict) -> dict[str, float]:
    """The peak memory (MB) of every step measured for one size, by step."""
    peaks = {f"{name} load": figures["peak_mb"] for name, figures in row.get("anchor_load", {}).items()}
    if "queries_pyoxigraph_peak_mb" in row:
        peaks["pyoxigraph queries"] = row["queries_pyoxigraph_peak_mb"]
    if "nx_peak_mb" in row:
        peaks["plain networkx loop"] = row["nx_peak_mb"]
    for store, f in row["stores"].items():
        for key, what in (("load_peak_mb", "load"), ("queries_peak_mb", "queries"), ("graph_peak_mb", "graph, paths, page"),
                          ("process_first_peak_mb", "`evkg path` first"), ("process_cached_peak_mb", "`evkg path` after")):
            if key in f:
                peaks[f"{store} {what}"] = f[key]
    return peaks


# --------------------------------------------------------------------------- report


def machine() -> list[str]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = "unknown"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return [f"- CPU: {model}; nproc: {nproc}; memory: {memory}; {platform.system()} {platform.release()}"]


def versions() -> list[str]:
    names = ["evkg", "rdflib", "pyoxigraph", "oxrdflib", "networkx"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return [f"- Python {platform.python_version()}; " + ", ".join(found)]


def _ratio(value: float, anchor: float) -> str:
    return f"{value / anchor:.2f}×" if anchor > 0 else "n/a"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def _shown(value: float, unit: str) -> str:
    if unit == "×":
        return f"{value:.2f}×"
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value:.2f} s" if unit == "s" else f"{value:.1f} ms"


def _verdict(key: str, measured: float | None, at: str) -> str:
    """One row of the targets table, judged here: met, missed (by how much) or not measured."""
    what, limit, unit, _ = TARGETS[key]
    limit_shown = f"{limit:g}×" if unit == "×" else _shown(limit, unit)
    if measured is None:
        return f"| {what} | ≤ {limit_shown} | – ({at}) | not measured |"
    shown = _shown(measured, unit)
    if measured <= limit:
        return f"| {what} | ≤ {limit_shown} | {shown} ({at}) | met |"
    over = _shown(measured - limit, unit)
    return f"| {what} | ≤ {limit_shown} | {shown} ({at}) | missed by {measured / limit:.2f}× the limit (+{over}) |"


def target_rows(rows: list[dict], startup: dict) -> list[str]:
    """The targets table: each target judged on the oxigraph figures of its size."""
    by_size = {r["triples"]: r for r in rows if "oxigraph" in r["stores"]}
    lines = ["| target | limit | measured | verdict |", "|---|---:|---:|---|"]
    for key, (_, _, _, size) in TARGETS.items():
        if size is None:
            continue
        row = by_size.get(size)
        at = f"at {size:,} triples"
        if row is None:
            lines.append(_verdict(key, None, f"{size:,} triples not run"))
            continue
        f = row["stores"]["oxigraph"]
        queries = (sum(f["queries"].values()) / sum(row["queries_pyoxigraph"].values())) if "queries" in f else None
        measured = {
            "load": f["load"] / row["anchor_load"]["pyoxigraph"]["seconds"] if "load" in f else None,
            "queries": queries,
            "queries_10m": queries,
            "build": f["build"] / row["build_nx"] if "build" in f and "build_nx" in row else None,
            "path": f["cached"] * 1000 if "cached" in f else None,
            "process": f.get("process_cached"),
            "process_10m": f.get("process_cached"),
            "process_first": f.get("process_first"),
            "render": f.get("render"),
            "graph_memory": f.get("graph_peak_mb"),
            "memory_10m": max(step_peaks(row).values(), default=None),
        }[key]
        note = {"queries": ", sum of medians", "queries_10m": ", sum of medians", "path": ", in process",
                "memory_10m": ", the highest step"}.get(key, "")
        cpu = {"process": "process_cached_cpu", "process_10m": "process_cached_cpu", "process_first": "process_first_cpu"}.get(key)
        if cpu in f:
            note += f"; wall time, CPU {f[cpu]:.2f} s"
        lines.append(_verdict(key, measured, at + note))
    if startup is None:
        lines.append(_verdict("startup", None, "not run (--steps)"))
    else:
        lines.append(_verdict("startup", startup["evkg"] / startup["import"], "seeds, memory store, parsed seeds and graph read from the cache"))
    return lines


def report(rows: list[dict], startup: dict | None, args, sparql_note: str, stamp: str) -> str:
    """RESULTS.md: the same sections and columns on every run; only the figures change (a
    step not run, ``--steps``, leaves its cells as "–")."""
    steps = [step for step in STEPS_RUN if step in args.steps]
    lines = [
        "# evkg at scale: benchmark results",
        "",
        "Written by `python -m benchmarks.scale_bench` (see its docstring for what each figure is).",
        f"Run of {stamp}; command: `{' '.join(['python -m benchmarks.scale_bench', *sys.argv[1:]])}`.",
        "",
        "## Machine and versions",
        "",
        *machine(),
        *versions(),
        "- Other work ran on the machine during the run: the figures are noisy; the ratios hold better than the",
        "  absolute times (the two sides of the queries' ratio ran alternately in one process, those of the",
        "  others minutes apart in the same run)."
        + (" Load average (1 min) when the run began: {:.1f}; when it ended: {:.1f}.".format(*args.loadavg)
           if getattr(args, "loadavg", None) else ""),
        "",
        "## Method",
        "",
        f"- Medians of {args.runs} runs"
        + (f"; sizes of {LARGE:,} triples and more: medians of {args.large_runs} run(s) only (`--large-runs`)." if any(r["triples"] >= LARGE for r in rows) else "."),
        f"- Steps run: {', '.join(steps)}"
        + ("." if len(steps) == len(STEPS_RUN) else
           f" (`--steps`; not run: {', '.join(s for s in STEPS_RUN if s not in steps)}; their cells are –).")
        + (f" The oxigraph databases are those kept in `--data-dir` ({args.data_dir}) by an earlier run."
           if "load" not in steps and args.data_dir else ""),
        "- Each step (a load, the queries, the graph work) runs in a fresh Python process; peak memory is that",
        "  process's maximum resident set size (os.wait4), so it includes the interpreter and the loaded store.",
        "- Data: `benchmarks/synthetic.py`, seed 42, exactly the stated number of triples, N-Quads, loaded",
        "  beside the ontology and the seeds (the stores hold those too; the anchors read the same database).",
        "- Load: the file alone (the ontology and seeds go in first, untimed). oxigraph: `Store.load_file`, as",
        "  `evkg load` calls it; memory: `evkg.load([file])`, which parses the ontology and seeds too.",
        "- Queries: each competency query through `KnowledgeBase.query` and through its anchor in the same",
        "  process, query by query: one untimed run of each (parse caches, the page cache and the store's block",
        "  cache warm, as in a session), then the timed runs alternated A B, B A, A B ... (the side that goes first",
        "  changes every round), so that neither side has a state of the machine to itself (the first minutes",
        "  after a load, other work on the machine). oxigraph: pyoxigraph's `Store.query` on the database evkg has",
        "  open (the same handle, hence the same cache), every row read; memory: rdflib's `Dataset.query` on",
        "  evkg's dataset. sparql: evkg alone, against pyoxigraph's figures of the oxigraph step (or of a",
        "  pyoxigraph process of its own when the oxigraph store is not measured).",
        "- Path cold = graph build + first lookup in a new knowledge base. Path cached = later lookups in the",
        "  same process. The graph kept on disk between runs is measured apart: whole `evkg path` processes.",
        "- Page: `render_html(graph_view(kb))`, the whole graph cut to 5,000 nodes, as `evkg render` does.",
        f"- `sparql:URL` store: {sparql_note}",
        "",
    ]
    for row in rows:
        graph_size = f"{row['nodes']:,} graph nodes, {row['edges']:,} edges; " if row["nodes"] is not None else ""
        lines += [
            f"## {row['triples']:,} triples ({graph_size}{row['runs']} run(s))",
            "",
            "| store | load s | triples/s | anchor s | ratio | load peak MB | queries ms (sum) | anchor ms | ratio | query peak MB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        notes = []
        for store, f in row["stores"].items():
            anchor_name = "rdflib" if store == "memory" else "pyoxigraph"
            if "load" in f:
                anchor = row["anchor_load"][anchor_name]["seconds"]
                cells = [store, f"{f['load']:.2f}", f"{f['loaded_triples'] / f['load']:,.0f}", f"{anchor:.2f} ({anchor_name})",
                         _ratio(f["load"], anchor), f"{f['load_peak_mb']:,.0f}"]
            else:
                cells = [store, "–", "", "", "", ""]
            if "queries" in f:
                q = sum(f["queries"].values())
                qa = sum(f["queries_rdflib"].values()) if store == "memory" else sum(row["queries_pyoxigraph"].values())
                cells += [_ms(q), f"{_ms(qa)} ({anchor_name})", _ratio(q, qa), f"{f['queries_peak_mb']:,.0f}"]
            else:
                cells += ["–", "", "", ""]
                if "queries_failed" in f:
                    notes.append(f"- {store}: the queries failed: {f['queries_failed']}")
            lines.append("| " + " | ".join(cells) + " |")
        lines += [
            "",
            "| store | build s | plain nx s | ratio | path cold ms | path cached ms | nx path ms | ratio (cached) | page s | graph peak MB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        plain = (f"{row['build_nx']:.2f}", f"{row['path_nx'] * 1000:.3f}") if "build_nx" in row else ("–", "–")
        for store, f in row["stores"].items():
            if "graph_failed" in f:
                notes.append(f"- {store}: graph build, paths and page: {f['graph_failed']}")
            if "graph_peak_mb" not in f:
                lines.append(f"| {store} | – | {plain[0]} | | | | {plain[1]} | | | |")
                continue
            if f.get("graph_runs", row["runs"]) != row["runs"]:
                notes.append(f"- {store}: the graph build, paths and page are of {f['graph_runs']} run(s) only.")
            cells = [store]
            if "build" in f:
                cells += [f"{f['build']:.2f}", plain[0], _ratio(f["build"], row["build_nx"]), _ms(f["cold"]), _ms(f["cached"]),
                          plain[1], _ratio(f["cached"], row["path_nx"])]
            else:
                cells += ["–", plain[0], "", "–", "–", plain[1], ""]
            cells += [f"{f['render']:.2f}" if "render" in f else "–", f"{f['graph_peak_mb']:,.0f}"]
            lines.append("| " + " | ".join(cells) + " |")
        for store, f in row["stores"].items():
            if "process_cached" in f:
                notes.append(
                    f"- {store}: `evkg path` as a whole process: {f['process_first']:.2f} s the first time (builds what "
                    f"the search needs and keeps it on disk; CPU {f.get('process_first_cpu', 0):.2f} s, peak "
                    f"{f.get('process_first_peak_mb', 0):,.0f} MB), {f['process_cached']:.2f} s after (reads it back; "
                    f"CPU {f.get('process_cached_cpu', 0):.2f} s, peak {f['process_cached_peak_mb']:,.0f} MB)."
                )
        anchors = row.get("anchor_load", {})
        peaks = step_peaks(row)
        if peaks:
            highest = max(peaks, key=peaks.get)
            notes.append(f"- The step with the highest peak memory (of the steps run): {highest}, {peaks[highest]:,.0f} MB.")
        lines += ["", *notes]
        server = row["stores"].get("sparql", {}).get("server_peak_mb")
        anchor_peaks = []
        if anchors:
            anchor_peaks.append(f"pyoxigraph bulk_load {anchors['pyoxigraph']['peak_mb']:,.0f} MB, rdflib parse "
                                + (f"{anchors['rdflib']['peak_mb']:,.0f} MB" if "rdflib" in anchors else "not measured (no memory store)"))
        if "queries_pyoxigraph_peak_mb" in row:
            anchor_peaks.append(f"pyoxigraph queries alone {row['queries_pyoxigraph_peak_mb']:,.0f} MB")
        if "nx_peak_mb" in row:
            anchor_peaks.append(f"plain networkx loop {row['nx_peak_mb']:,.0f} MB")
        lines += [
            "",
            "Anchors' peak memory: " + (", ".join(anchor_peaks) or "none measured (--steps)") + "."
            + (f" The Virtuoso server's own peak: {server:,.0f} MB (VmHWM; its buffers are preallocated)." if server else ""),
            "",
        ]
        for store, f in row["stores"].items():
            if store == "memory" or "queries" not in f:
                continue
            lines += [f"Competency queries on {store}, median ms (evkg / pyoxigraph):", ""]
            lines.append(
                ", ".join(f"{name[:4]} {_ms(f['queries'][name])}/{_ms(row['queries_pyoxigraph'][name])}" for name in sorted(f["queries"]))
                + "."
            )
            lines.append("")

    lines += ["## Targets", "", *target_rows(rows, startup)]
    if startup is None:
        lines += ["", "Start-up: not measured (--steps).", ""]
        return "\n".join(lines)
    lines += [
        "",
        f"Start-up: `evkg path Pakistan CATL` {startup['evkg']:.2f} s ({startup['evkg_mb']:,.0f} MB) with the parsed "
        f"seeds and the graph read from the cache, {startup['evkg_first']:.2f} s the first time (nothing cached: "
        f"{startup['evkg_first'] / startup['import']:.2f}× the import); "
        f"`python -c \"import rdflib, networkx\"` {startup['import']:.2f} s ({startup['import_mb']:,.0f} MB); "
        f"medians of {args.runs} runs.",
        "",
    ]
    return "\n".join(lines)


def parse_size(text: str) -> int:
    units = {"k": 1_000, "m": 1_000_000}
    try:
        if text[-1].lower() in units:
            return int(float(text[:-1]) * units[text[-1].lower()])
        return int(text)
    except (ValueError, IndexError):
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (give 10000, 10k or 1M)") from None


def parse_steps(text: str) -> list[str]:
    steps = [step.strip() for step in text.split(",") if step.strip()]
    unknown = [step for step in steps if step not in STEPS_RUN]
    if unknown or not steps:
        raise argparse.ArgumentTypeError(f"unknown step(s) {', '.join(unknown) or '(none given)'}: give some of {','.join(STEPS_RUN)}")
    return steps


def sparql_unavailable() -> str | None:
    """Why the sparql: store cannot be measured here, or None when it can."""
    from evkg.stores import STORE_FORMS

    if not any(form.startswith("sparql:") for form in STORE_FORMS):
        return "this evkg has no sparql: store"
    return virtuoso_missing()


def virtuoso_version() -> str:
    answer = subprocess.run([str(VIRTUOSO), "-?"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    for line in (answer.stdout + answer.stderr).splitlines():
        if line.startswith("Version"):
            return "Virtuoso " + line.split()[1]
    return "Virtuoso (version unknown)"


def main() -> None:
    parser = argparse.ArgumentParser(description="evkg at 10k, 100k and 1M triples, beside its anchors.")
    parser.add_argument("--sizes", type=parse_size, nargs="+", default=[10_000, 100_000, 1_000_000], help="triples: 10000, 10k, 1M ...")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median); default 5")
    parser.add_argument("--large-runs", type=int, help=f"runs for sizes of {LARGE:,} triples and more (default: --runs)")
    parser.add_argument("--stores", nargs="+", choices=STORES, default=list(STORES))
    parser.add_argument("--sparql-graph-max", type=parse_size, default=10_000,
                        help="largest size for the graph work on the sparql: store (one run; slow); default 10k")
    parser.add_argument("-o", "--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--data-dir", type=Path,
                        help="keep the synthetic files and the oxigraph database evkg loaded here, and reuse them in later "
                             "runs (default: made anew, removed)")
    parser.add_argument("--steps", type=parse_steps, default=list(STEPS_RUN),
                        help=f"the steps to run, comma-separated: {','.join(STEPS_RUN)} (default: all). Without load, "
                             "the oxigraph store is the database an earlier run kept in --data-dir, e.g. "
                             "--steps queries --data-dir /tmp/evkg-data")
    parser.add_argument("--step", nargs=2, metavar=("NAME", "ARGS"), help=argparse.SUPPRESS)
    parser.add_argument("result", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        name, step_args = args.step
        args.result.write_text(json.dumps(STEPS[name](json.loads(step_args))), encoding="utf-8")
        return
    if args.runs < 1 or (args.large_runs is not None and args.large_runs < 1):
        parser.error("runs must be at least 1")
    args.large_runs = args.large_runs or args.runs
    if "load" not in args.steps:
        if "oxigraph" in args.stores:
            if args.data_dir is None:
                parser.error("--steps without load measures the oxigraph database an earlier run kept: give its --data-dir")
            missing = [size for size in args.sizes if not (database_dir(args.data_dir, size) / "CURRENT").exists()]
            if missing:
                parser.error(f"--steps without load: no database in {', '.join(str(database_dir(args.data_dir, size)) for size in missing)}; "
                             "make it with a run that has the load step and the same --data-dir")

    from evkg.export import write_atomically

    unavailable = "not asked for (--stores)"
    if "sparql" in args.stores:
        unavailable = sparql_unavailable() if "load" in args.steps else "--steps without load: the store is a new server each run"
    if unavailable is None:
        sparql_note = (
            f"{virtuoso_version()}, a new server with a new database on 127.0.0.1 for each load run; load is "
            "`Store.load_file` (parse, then SPARQL Update in batches into staging graphs, then a request per staging graph moves it into place); anchors are pyoxigraph's. Peak memory "
            "is evkg's process; the server's is given apart."
        )
    else:
        sparql_note = f"not measured ({unavailable})."
        args.stores = [store for store in args.stores if store != "sparql"]
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    began = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory(prefix="evkg-scale-") as tmp:
        for size in sorted(args.sizes):
            runs = args.large_runs if size >= LARGE else args.runs
            rows.append(measure_size(size, runs, Path(tmp), args.stores, sparql_graph_max=args.sparql_graph_max,
                                     data_dir=args.data_dir, steps=set(args.steps)))
        startup = None
        if "startup" in args.steps:
            print("start-up: evkg path vs import rdflib, networkx", file=sys.stderr, flush=True)
            startup = measure_startup(Path(tmp) / "startup-cache", args.runs)
    args.loadavg = (began, os.getloadavg()[0])
    text = report(rows, startup, args, sparql_note, stamp)
    write_atomically(args.output, text)
    print(text)


if __name__ == "__main__":
    main()
