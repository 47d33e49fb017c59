"""Benchmark: evkg at 10k, 100k and 1M triples, on each store, beside its anchors.

For synthetic supply-chain data of each size (``benchmarks/synthetic.py``, seeded,
sized in triples) and each store (``memory``, ``oxigraph:PATH``, and ``sparql:URL`` on
a Virtuoso started for the purpose when evkg and the machine have both) it measures:

- load: the file into the store (``evkg load`` for oxigraph and sparql, ``evkg --data``
  for memory), in triples/s, against pyoxigraph's own ``bulk_load`` of the same file
  into a new database and against plain rdflib (``Dataset.parse``);
- queries: the competency queries (``tests/competency/*.rq``) through
  ``KnowledgeBase.query``, against the same text on pyoxigraph directly (the same
  database, opened by pyoxigraph alone) and on plain rdflib (``Dataset.query`` on the
  same in-memory dataset);
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


def step_queries(store: str, data: Path, db: Path, runs: int) -> dict:
    """Each competency query ``runs`` times through evkg and, for memory, plain rdflib."""
    from evkg.ontology import PREFIXES

    kb = _load_kb(store, data, db)
    out: dict[str, dict[str, list[float]]] = {"evkg": {}, "rdflib": {}}
    for name, text in _competency_queries():
        kb.query(text)  # parse caches and page cache warm, as in a session
        out["evkg"][name] = [_timed(lambda: kb.query(text)) for _ in range(runs)]
        if store == "memory":
            def plain():
                result = kb.dataset.query(text, initNs=PREFIXES)
                if result.type == "SELECT":
                    list(result)
            plain()
            out["rdflib"][name] = [_timed(plain) for _ in range(runs)]
    return out


def step_queries_pyoxigraph(db: Path, runs: int) -> dict:
    import pyoxigraph as ox

    from evkg.ontology import PREFIXES

    store = ox.Store(str(db))
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    out: dict[str, list[float]] = {}
    for name, text in _competency_queries():
        def run():
            answer = store.query(text, prefixes=prefixes)
            if not isinstance(answer, ox.QueryBoolean):
                list(answer)
        run()
        out[name] = [_timed(run) for _ in range(runs)]
    return {"pyoxigraph": out}


def step_graph(store: str, data: Path, db: Path, runs: int, pair: list[str]) -> dict:
    """Per run, on a new knowledge base: build, first lookup, cached lookups; then the page."""
    from evkg.graph import graph_of, shortest_paths
    from evkg.graph.view import graph_view
    from evkg.kb import KnowledgeBase
    from evkg.render.html import render_html

    base = _load_kb(store, data, db)
    out: dict[str, list[float]] = {"build": [], "first": [], "cached": [], "render": []}
    for _ in range(runs):
        kb = KnowledgeBase(base.dataset, store=base.store)  # nothing cached in it yet
        out["build"].append(_timed(lambda: graph_of(kb)))
        out["first"].append(_timed(lambda: shortest_paths(kb, *pair)))
        out["cached"].append(statistics.median(_timed(lambda: shortest_paths(kb, *pair)) for _ in range(max(5, runs))))
    G = graph_of(kb)
    out["nodes"], out["edges"] = G.number_of_nodes(), G.number_of_edges()
    for _ in range(runs):
        out["render"].append(_timed(lambda: render_html(graph_view(kb))))
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
    "graph": lambda a: step_graph(a["store"], Path(a["data"]), Path(a["db"]), a["runs"], a["pair"]),
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
                  sparql_graph_max: int) -> dict:
    """Load ``runs`` times into a new store, then the queries and the graph work on the last.

    On sparql: the graph is built from triple patterns sent one by one over HTTP, which
    takes minutes at 10k triples: one run, and only up to ``sparql_graph_max`` triples."""

    def fresh(folder: Path) -> Path:
        shutil.rmtree(folder, ignore_errors=True)
        return folder

    def work(spec: str) -> dict:
        figures: dict = {}
        graph_runs = runs
        log(f"{store}: competency queries")
        try:
            queries = run_step("queries", result, store=spec, data=str(data), db=str(db), runs=runs)
            figures["queries"] = {name: median(times) for name, times in queries["evkg"].items()}
            figures["queries_rdflib"] = {name: median(times) for name, times in queries["rdflib"].items()}
            figures["queries_peak_mb"] = queries["peak_mb"]
        except StepFailed as exc:
            figures["queries_failed"] = str(exc)
        if store == "sparql":
            if triples > sparql_graph_max:
                figures["graph_failed"] = f"not measured above {sparql_graph_max:,} triples (--sparql-graph-max)"
                return figures
            graph_runs = figures["graph_runs"] = 1
        log(f"{store}: graph build, paths, page")
        try:
            graph = run_step("graph", result, store=spec, data=str(data), db=str(db), runs=graph_runs, pair=pair)
            for key in ("build", "first", "cached", "render"):
                figures[key] = median(graph[key])
            figures["cold"] = median(b + f for b, f in zip(graph["build"], graph["first"]))
            figures["graph_peak_mb"] = graph["peak_mb"]
            figures["nodes"], figures["edges"] = graph["nodes"], graph["edges"]
        except StepFailed as exc:
            figures["graph_failed"] = str(exc)
        if store == "oxigraph":
            log(f"{store}: `evkg path` whole process, graph built then read from disk")
            command = [sys.executable, "-m", "evkg", "--store", _spec(store, db), "path", *pair]
            os.environ["EVKG_CACHE_DIR"] = str(fresh(db.with_name("graph-cache")))
            cpu: list[float] = []
            figures["process_first"], figures["process_first_peak_mb"] = whole_process(command, 1, cpu)
            figures["process_cached"], figures["process_cached_peak_mb"] = whole_process(command, runs, cpu)
            figures["process_first_cpu"], figures["process_cached_cpu"] = cpu
            os.environ.pop("EVKG_CACHE_DIR")
        return figures

    log(f"{store}: load")
    loads = []
    if store != "sparql":
        for _ in range(runs):
            loads.append(run_step("load-evkg", result, store=store, data=str(data), db=str(fresh(db)), runs=1))
        figures = work(store)
    else:
        # A new server per run: the seeds go in first (untimed), then the file; the
        # last server stays up for the queries and the graph work.
        for i in range(runs):
            server = virtuoso_server(db.with_name("virtuoso"), buffers=170_000, max_rows=10_000_000, query_seconds=600)
            with server as (url, pid):
                spec = f"sparql:{url}"
                loads.append(run_step("load-evkg", result, store=spec, data=str(data), db=str(db), runs=1))
                if i == runs - 1:
                    figures = work(spec)
                    figures["server_peak_mb"] = server_peak_mb(pid)
    figures.update(
        load=median(r["load"][0] for r in loads),
        load_peak_mb=median(r["peak_mb"] for r in loads),
        loaded_triples=loads[0]["triples"],
    )
    return figures


def measure_size(triples: int, runs: int, work: Path, stores: list[str], *, sparql_graph_max: int,
                 data_dir: Path | None = None) -> dict:
    """Every figure for one size. With ``data_dir`` the synthetic file is kept there and
    reused by later runs (the generator is deterministic; a file is only ever whole)."""
    data = (data_dir or work) / f"synthetic-{triples}.nq"
    if data_dir is None or not data.exists():
        synthetic.write(data, triples=triples)
    pair = [synthetic.firm_iri(0), synthetic.country_iri(1)]
    row: dict = {"triples": triples, "runs": runs, "stores": {}, "nodes": None, "edges": None}
    result = work / "step.json"
    db = work / f"evkg-{triples}"

    def fresh(folder: Path) -> Path:
        shutil.rmtree(folder, ignore_errors=True)
        return folder

    log = lambda text: print(f"[{triples:,}] {text}", file=sys.stderr, flush=True)  # noqa: E731

    # rdflib's parse is the anchor of the memory store alone (and takes the most time and
    # memory of all steps at 10M triples): measured only when that store is.
    anchors = {"pyoxigraph": [], "rdflib": []} if "memory" in stores else {"pyoxigraph": []}
    log(f"anchors: {', '.join(anchors)} load")
    for _ in range(runs):
        anchors["pyoxigraph"].append(run_step("load-pyoxigraph", result, data=str(data), db=str(fresh(work / "ox-anchor"))))
        if "rdflib" in anchors:
            anchors["rdflib"].append(run_step("load-rdflib", result, data=str(data)))
    shutil.rmtree(work / "ox-anchor", ignore_errors=True)
    row["anchor_load"] = {
        name: {"seconds": median(r["load"][0] for r in results), "peak_mb": median(r["peak_mb"] for r in results)}
        for name, results in anchors.items()
    }

    for store in stores:
        figures = measure_store(store, triples, data, db, runs, pair, result, log, sparql_graph_max=sparql_graph_max)
        if "nodes" in figures and row["nodes"] is None:
            row["nodes"], row["edges"] = figures["nodes"], figures["edges"]
        row["stores"][store] = figures

    # The direct anchors read the store evkg made (the same quads: ontology, seeds, data).
    if "oxigraph" not in stores or not db.exists():
        run_step("load-evkg", result, store="oxigraph", data=str(data), db=str(fresh(db)), runs=1)
    log("anchors: pyoxigraph queries, plain networkx")
    direct = run_step("queries-pyoxigraph", result, db=str(db), runs=runs)
    row["queries_pyoxigraph"] = {name: median(times) for name, times in direct["pyoxigraph"].items()}
    row["queries_pyoxigraph_peak_mb"] = direct["peak_mb"]
    plain = run_step("graph-networkx", result, db=str(db), runs=runs, pair=pair)
    row["build_nx"] = median(plain["build"])
    row["path_nx"] = median(plain["path"])
    row["nx_peak_mb"] = plain["peak_mb"]
    shutil.rmtree(db, ignore_errors=True)
    if data_dir is None:
        data.unlink()
    return row


def step_peaks(row: dict) -> dict[str, float]:
    """The peak memory (MB) of every step measured for one size, by step."""
    peaks = {f"{name} load": figures["peak_mb"] for name, figures in row["anchor_load"].items()}
    peaks["pyoxigraph queries"] = row["queries_pyoxigraph_peak_mb"]
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
            "load": f["load"] / row["anchor_load"]["pyoxigraph"]["seconds"],
            "queries": queries,
            "queries_10m": queries,
            "build": f["build"] / row["build_nx"] if "build" in f else None,
            "path": f["cached"] * 1000 if "cached" in f else None,
            "process": f.get("process_cached"),
            "process_10m": f.get("process_cached"),
            "process_first": f.get("process_first"),
            "render": f.get("render"),
            "graph_memory": f.get("graph_peak_mb"),
            "memory_10m": max(step_peaks(row).values()),
        }[key]
        note = {"queries": ", sum of medians", "queries_10m": ", sum of medians", "path": ", in process",
                "memory_10m": ", the highest step"}.get(key, "")
        cpu = {"process": "process_cached_cpu", "process_10m": "process_cached_cpu", "process_first": "process_first_cpu"}.get(key)
        if cpu in f:
            note += f"; wall time, CPU {f[cpu]:.2f} s"
        lines.append(_verdict(key, measured, at + note))
    lines.append(_verdict("startup", startup["evkg"] / startup["import"], "seeds, memory store, parsed seeds and graph read from the cache"))
    return lines


def report(rows: list[dict], startup: dict, args, sparql_note: str, stamp: str) -> str:
    """RESULTS.md: the same sections and columns on every run; only the figures change."""
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
        "- Other work ran on the machine during the run: the figures are noisy; the ratios, whose two sides ran",
        "  minutes apart in the same run, hold better than the absolute times."
        + (" Load average (1 min) when the run began: {:.1f}; when it ended: {:.1f}.".format(*args.loadavg)
           if getattr(args, "loadavg", None) else ""),
        "",
        "## Method",
        "",
        f"- Medians of {args.runs} runs"
        + (f"; sizes of {LARGE:,} triples and more: medians of {args.large_runs} run(s) only (`--large-runs`)." if any(r["triples"] >= LARGE for r in rows) else "."),
        "- Each step (a load, the queries, the graph work) runs in a fresh Python process; peak memory is that",
        "  process's maximum resident set size (os.wait4), so it includes the interpreter and the loaded store.",
        "- Data: `benchmarks/synthetic.py`, seed 42, exactly the stated number of triples, N-Quads, loaded",
        "  beside the ontology and the seeds (the stores hold those too; the anchors read the same database).",
        "- Load: the file alone (the ontology and seeds go in first, untimed). oxigraph: `Store.load_file`, as",
        "  `evkg load` calls it; memory: `evkg.load([file])`, which parses the ontology and seeds too.",
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
            anchor = row["anchor_load"][anchor_name]["seconds"]
            cells = [store, f"{f['load']:.2f}", f"{f['loaded_triples'] / f['load']:,.0f}", f"{anchor:.2f} ({anchor_name})",
                     _ratio(f["load"], anchor), f"{f['load_peak_mb']:,.0f}"]
            if "queries" in f:
                q = sum(f["queries"].values())
                qa = sum(f["queries_rdflib"].values()) if store == "memory" else sum(row["queries_pyoxigraph"].values())
                cells += [_ms(q), f"{_ms(qa)} ({anchor_name})", _ratio(q, qa), f"{f['queries_peak_mb']:,.0f}"]
            else:
                cells += ["–", "", "", ""]
                notes.append(f"- {store}: the queries failed: {f['queries_failed']}")
            lines.append("| " + " | ".join(cells) + " |")
        lines += [
            "",
            "| store | build s | plain nx s | ratio | path cold ms | path cached ms | nx path ms | ratio (cached) | page s | graph peak MB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for store, f in row["stores"].items():
            if "build" not in f:
                lines.append(f"| {store} | – | {row['build_nx']:.2f} | | | | {row['path_nx'] * 1000:.3f} | | | |")
                notes.append(f"- {store}: graph build, paths and page: {f['graph_failed']}")
                continue
            if f.get("graph_runs", row["runs"]) != row["runs"]:
                notes.append(f"- {store}: the graph build, paths and page are of {f['graph_runs']} run(s) only.")
            lines.append(
                f"| {store} | {f['build']:.2f} | {row['build_nx']:.2f} | {_ratio(f['build'], row['build_nx'])} | "
                f"{_ms(f['cold'])} | {_ms(f['cached'])} | {row['path_nx'] * 1000:.3f} | {_ratio(f['cached'], row['path_nx'])} | "
                f"{f['render']:.2f} | {f['graph_peak_mb']:,.0f} |"
            )
        for store, f in row["stores"].items():
            if "process_cached" in f:
                notes.append(
                    f"- {store}: `evkg path` as a whole process: {f['process_first']:.2f} s the first time (builds what "
                    f"the search needs and keeps it on disk; CPU {f.get('process_first_cpu', 0):.2f} s, peak "
                    f"{f.get('process_first_peak_mb', 0):,.0f} MB), {f['process_cached']:.2f} s after (reads it back; "
                    f"CPU {f.get('process_cached_cpu', 0):.2f} s, peak {f['process_cached_peak_mb']:,.0f} MB)."
                )
        anchors = row["anchor_load"]
        peaks = step_peaks(row)
        highest = max(peaks, key=peaks.get)
        notes.append(f"- The step with the highest peak memory: {highest}, {peaks[highest]:,.0f} MB.")
        lines += ["", *notes]
        server = row["stores"].get("sparql", {}).get("server_peak_mb")
        lines += [
            "",
            f"Anchors' peak memory: pyoxigraph bulk_load {anchors['pyoxigraph']['peak_mb']:,.0f} MB, rdflib parse "
            + (f"{anchors['rdflib']['peak_mb']:,.0f} MB" if "rdflib" in anchors else "not measured (no memory store)")
            + f", plain networkx loop {row['nx_peak_mb']:,.0f} MB."
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
                        help="keep the synthetic files here and reuse them in later runs (default: made anew, removed)")
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

    from evkg.export import write_atomically

    unavailable = sparql_unavailable() if "sparql" in args.stores else "not asked for (--stores)"
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
                                     data_dir=args.data_dir))
        print("start-up: evkg path vs import rdflib, networkx", file=sys.stderr, flush=True)
        startup = measure_startup(Path(tmp) / "startup-cache", args.runs)
    args.loadavg = (began, os.getloadavg()[0])
    text = report(rows, startup, args, sparql_note, stamp)
    write_atomically(args.output, text)
    print(text)


if __name__ == "__main__":
    main()
