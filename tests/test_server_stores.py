"""`evkg serve` over the persistent stores: the query workers open an Oxigraph database
(read-only) or talk to a SPARQL server (Virtuoso, Oxigraph's server) themselves, answer as
the memory store does, and are still stopped at the time limit; --allow-update and --data
are refused there."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import httpx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper
from starlette.testclient import TestClient

import evkg
from evkg.cli import cli
from evkg.server import make_app
from evkg.server.pool import QueryPool
from evkg.server.runner import running_server
from evkg.server.stores import SharedStore

from .server_process import READ_SECONDS, base_url, evkg_serve, wait_until

COMPETENCY = Path(__file__).parent / "competency"
QUESTIONS = sorted(p.stem for p in COMPETENCY.glob("*.rq"))
TIMEOUT = 5.0
#: Seconds the tests wait for an answer (the default of httpx is 5): a loaded machine meets it.
READ = READ_SECONDS
GRAPH = "https://w3id.org/evkg/graph/"
FACTS = """\
@prefix ev: <https://w3id.org/evkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix company: <https://w3id.org/evkg/id/company/> .
company:served-cells a ev:BatteryMaker ; rdfs:label "Served Cells"@en ;
    ev:partnerOf company:catl .
"""
#: Questions beyond the competency ones, for the other ways a query is answered: the
#: named graphs, FROM, ASK, and the protocol's default-graph-uri.
MORE_QUESTIONS = {
    "battery-makers": ("SELECT ?label WHERE { ?maker a ev:BatteryMaker ; rdfs:label ?label }", ()),
    "graphs": ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", ()),
    "from-ontology": (f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}ontology> WHERE {{ ?s ?p ?o }}", ()),
    "ask": ("ASK { company:catl a ev:BatteryMaker }", ()),
    "default-graph-uri": ("SELECT ?s ?code WHERE { ?s skos:notation ?code }", (f"{GRAPH}reference",)),
}
# Three independent patterns over ~4,000 triples: ~6e10 rows, far beyond any timeout.
SLOW_ON_OXIGRAPH = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# A CONSTRUCT is joined by rdflib over the SPARQL store, one request per row of the
# first pattern: slow here, cheap for the SPARQL server (which a SELECT cross product
# would keep busy long after the worker is gone).
SLOW_ON_SPARQL = "CONSTRUCT { ?a ?b ?c } WHERE { ?a ?b ?c . ?d ?e ?f }"


# --------------------------------------------------------------------------- helpers


def _evkg(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evkg", *args], capture_output=True, text=True, timeout=timeout)


def query_workers(server_pid: int) -> set[int]:
    """The query worker processes of a server: its children started by multiprocessing."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if parent == server_pid and b"spawn_main" in command:
            found.add(int(entry.name))
    return found


def open_files_under(pid: int, folder: Path) -> list[str]:
    """The files in ``folder`` that process ``pid`` has open."""
    names = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith(str(folder.resolve()) + os.sep):
                names.append(target)
    return names


@dataclass
class Server:
    base: str
    pid: int
    banner: list[str]


@contextlib.contextmanager
def serving(*args: str):
    """Run `evkg [ARGS] serve` in a process of its own; yield it once it answers, stop it with Ctrl+C after."""
    with evkg_serve(*args, "serve", "--port", "0", "--quiet", "--timeout", str(TIMEOUT)) as process:
        server = Server(base_url(process), process.pid, list(process.lines))
        # The socket listens before the banner: this waits until the server takes it.
        assert httpx.get(server.base + "/sparql", params={"query": "ASK {}"}, timeout=READ).status_code == 200
        yield server
    assert "Traceback" not in process.output(), process.output()


def select(url: str, query: str, default_graphs=()) -> tuple[list[str], list[tuple]]:
    """Ask with SPARQLWrapper: (variables, sorted rows of (kind, value)), numbers normalized."""
    client = SPARQLWrapper(url + "/sparql")
    client.setTimeout(READ)
    client.setQuery(query)
    client.setReturnFormat(JSON)
    for graph in default_graphs:
        client.addDefaultGraph(graph)
    answer = client.query().convert()
    if "boolean" in answer:
        return [], [("boolean", answer["boolean"])]
    names = answer["head"]["vars"]
    rows = [
        tuple((cell["type"], _normal(cell["value"])) if cell else None for cell in (row.get(n) for n in names))
        for row in answer["results"]["bindings"]
    ]
    return names, sorted(rows, key=repr)


def _normal(value: str) -> str:
    try:
        return format(Decimal(value).normalize(), "f")
    except (InvalidOperation, ValueError):
        return value


def construct(url: str, query: str) -> Graph:
    client = SPARQLWrapper(url + "/sparql")
    client.setTimeout(READ)
    client.setQuery(query)
    client.setReturnFormat(TURTLE)
    return Graph().parse(data=client.query().convert(), format="turtle")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def facts(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("facts") / "served-facts.ttl"
    path.write_text(FACTS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def oxigraph_db(tmp_path_factory, facts) -> Path:
    """An Oxigraph store made by `evkg load` (the seeds and FACTS), in a process of its own."""
    db = tmp_path_factory.mktemp("served") / "db"
    done = _evkg("--store", f"oxigraph:{db}", "load", str(facts))
    assert done.returncode == 0, done.stderr
    return db


@dataclass
class Served:
    store: str
    server: Server
    reference: str  # the same data served from the memory store
    slow: str  # a query that outlives TIMEOUT there
    database: Path | None = None  # the Oxigraph database's folder


@pytest.fixture(scope="module")
def served_oxigraph(oxigraph_db, facts):
    with serving("--store", f"oxigraph:{oxigraph_db}") as server, \
            running_server(make_app(evkg.load([facts]), workers=1)) as reference:
        yield Served("oxigraph", server, reference, SLOW_ON_OXIGRAPH, oxigraph_db)


@pytest.fixture(scope="module")
def served_sparql(virtuoso, sparql_kb, kb):
    with serving("--store", f"sparql:{virtuoso}") as server, running_server(make_app(kb, workers=1)) as reference:
        yield Served("sparql", server, reference, SLOW_ON_SPARQL)


@pytest.fixture(scope="module")
def served_sparql_oxigraph(oxigraph_server, oxigraph_server_kb, kb):
    with serving("--store", oxigraph_server.spec) as server, running_server(make_app(kb, workers=1)) as reference:
        yield Served("sparql", server, reference, SLOW_ON_SPARQL)


@pytest.fixture(params=["oxigraph", "sparql", "sparql-oxigraph"])
def served(request) -> Served:
    """`evkg serve` over an Oxigraph database, Virtuoso, and Oxigraph's server."""
    return request.getfixturevalue(f"served_{request.param.replace('-', '_')}")


# --------------------------------------------------------------------------- same answers


@pytest.mark.parametrize("name", QUESTIONS)
def test_competency_questions_get_the_memory_store_answers(served, name):
    query = (COMPETENCY / f"{name}.rq").read_text(encoding="utf-8")
    names, rows = select(served.server.base, query)
    assert (names, rows) == select(served.reference, query)
    with open(COMPETENCY / f"{name}.csv", newline="", encoding="utf-8") as handle:
        header, *expected = list(csv.reader(handle))
    assert names == header
    assert sorted(tuple(_normal(cell[1]) if cell else "" for cell in row) for row in rows) == sorted(
        tuple(_normal(value) for value in row) for row in expected
    )


@pytest.mark.parametrize("name", sorted(MORE_QUESTIONS))
def test_graphs_from_ask_and_protocol_datasets_get_the_memory_store_answers(served, name):
    query, default_graphs = MORE_QUESTIONS[name]
    answer = select(served.server.base, query, default_graphs)
    assert answer[1], "the question has an answer"
    assert answer == select(served.reference, query, default_graphs)


def test_the_data_loaded_into_oxigraph_is_served(served_oxigraph):
    _, rows = select(served_oxigraph.server.base, MORE_QUESTIONS["battery-makers"][0])
    assert ("literal", "Served Cells") in {row[0] for row in rows}


def test_construct_gets_the_memory_store_graph(served):
    query = "CONSTRUCT { ?plant rdfs:label ?label ; ev:capacity ?c . ?c ?p ?o } WHERE { ?plant ev:operator company:catl ; rdfs:label ?label ; ev:capacity ?c . ?c ?p ?o }"
    graph = construct(served.server.base, query)
    assert len(graph) > 0
    assert isomorphic(graph, construct(served.reference, query))


def test_entity_pages_are_the_memory_store_pages(served):
    path = "/id/facility/catl-hungary-cell-plant"
    turtle = httpx.get(served.server.base + path, headers={"Accept": "text/turtle"}, timeout=READ)
    assert turtle.status_code == 200
    assert turtle.headers["content-type"] == "text/turtle; charset=utf-8"
    reference = httpx.get(served.reference + path, headers={"Accept": "text/turtle"}, timeout=READ)
    assert isomorphic(Graph().parse(data=turtle.text, format="turtle"), Graph().parse(data=reference.text, format="turtle"))
    page = httpx.get(served.server.base + path, headers={"Accept": "text/html"}, timeout=READ)
    assert page.status_code == 200
    assert "CATL Hungary battery cell plant" in page.text
    assert "100 GWh under construction" in page.text
    missing = httpx.get(served.server.base + "/id/company/no-such-firm", headers={"Accept": "text/html"}, timeout=READ)
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/", "/search?q=CATL", "/api/search?q=contemporary", "/path?from=Pakistan&to=CATL",
        "/query?example=byd-worldwide", "/id/company/catl", "/graph/entity/company/catl",
        "/graph/path?from=Pakistan&to=CATL", "/sparql",
    ],
)
def test_explorer_pages_answer_as_on_the_memory_store(served, url):
    page = httpx.get(served.server.base + url, timeout=READ)
    reference = httpx.get(served.reference + url, timeout=READ)
    assert reference.status_code == page.status_code == 200
    assert page.headers["content-type"] == reference.headers["content-type"]
    assert _same_page(page.text, served.server.base) == _same_page(reference.text, served.reference)


def _same_page(text: str, base: str) -> str:
    """A page without what differs between two servers of the same data: their URLs, timings."""
    return re.sub(r"\b\d+(?:\.\d+)? ms\b", "(time)", text.replace(base, ""))


# --------------------------------------------------------------------------- the workers have the store


def test_every_oxigraph_worker_opens_the_database_itself(served_oxigraph, oxigraph_db):
    server = served_oxigraph.server
    assert any(
        line.startswith(f"  Store            oxigraph:{oxigraph_db}, opened read-only by each query worker")
        for line in server.banner
    )
    workers = query_workers(server.pid)
    assert len(workers) == 2
    for pid in workers:
        assert open_files_under(pid, oxigraph_db), f"worker {pid} has no file of the database open"


def test_an_app_over_an_open_oxigraph_store_lets_its_workers_read_it(oxigraph_kb):
    """make_app over a store this process has open for writing: the workers open it read-only."""
    with TestClient(make_app(oxigraph_kb, workers=1, allowed_hosts=("testserver",))) as client:
        response = client.get("/sparql", params={"query": "SELECT ?label WHERE { company:catl rdfs:label ?label }"})
        assert response.json()["results"]["bindings"] == [{"label": {"type": "literal", "value": "CATL", "xml:lang": "en"}}]
        (worker,) = client.app.state.evkg.pool.pids()["idle"]
        assert open_files_under(worker, oxigraph_kb.store.path)


def test_serve_refuses_a_database_another_process_has_open(oxigraph_kb):
    # This process has the session's store open for writing.
    done = _evkg("--store", f"oxigraph:{oxigraph_kb.store.path}", "serve", "--port", "0", timeout=60)
    assert done.returncode == 2
    assert "another process has this database open" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_served_oxigraph_database_is_locked_against_writers(served_oxigraph, oxigraph_db, facts):
    done = _evkg("--store", f"oxigraph:{oxigraph_db}", "load", str(facts))
    assert done.returncode == 2
    assert "another process has this database open" in done.stderr


def test_sparql_workers_answer_from_the_server_not_a_copy(served_sparql, virtuoso, runner, tmp_path):
    """Data added to the SPARQL store after the server started is in its answers."""
    later = tmp_path / "added-later.ttl"
    later.write_text(FACTS.replace("served-cells", "added-later-cells"), encoding="utf-8")
    ask = "ASK { company:added-later-cells ev:partnerOf company:catl }"
    assert select(served_sparql.server.base, ask) == ([], [("boolean", False)])
    graph = f"{GRAPH}data/added-later.ttl"
    try:
        result = runner.invoke(cli, ["--store", f"sparql:{virtuoso}", "load", str(later)])
        assert result.exit_code == 0, result.output
        assert select(served_sparql.server.base, ask) == ([], [("boolean", True)])
    finally:
        _remove_graph(virtuoso, graph)


def _remove_graph(url: str, graph: str) -> None:
    """Take a loaded graph out of the SPARQL store again: its triples, its union copies, its registry entry."""
    union, registry = f"{GRAPH}store/union", f"{GRAPH}store/graphs"
    update = (
        f"DELETE {{ GRAPH <{union}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }};\n"
        f"DELETE WHERE {{ GRAPH <{registry}> {{ <{graph}> ?p ?o }} }};\n"
        f"DROP SILENT GRAPH <{graph}>"
    )
    httpx.post(url, data={"update": update}, timeout=READ).raise_for_status()


# --------------------------------------------------------------------------- stopping queries


def test_a_slow_query_is_stopped_and_its_worker_replaced(served):
    server = served.server
    wait_until(lambda: len(query_workers(server.pid)) == 2, 120, "both workers")
    before = query_workers(server.pid)
    response = httpx.get(server.base + "/sparql", params={"query": served.slow}, timeout=READ)
    assert response.status_code == 503
    stopped = re.match(rf"The query was stopped after (\d+\.\d) s: this endpoint gives each query at most {TIMEOUT:g} s", response.text)
    assert stopped and float(stopped.group(1)) >= TIMEOUT, response.text  # a busy machine stops it a little later
    seen = {}

    def one_worker_replaced() -> bool:  # one look at /proc per check: workers come and go between looks
        seen["workers"] = query_workers(server.pid)
        return len(before - seen["workers"]) == len(seen["workers"] - before) == 1

    wait_until(one_worker_replaced, 120, "one worker replaced")
    after = seen["workers"]
    if served.database is not None:  # the fresh worker opened the database itself
        (fresh,) = after - before
        wait_until(lambda: open_files_under(fresh, served.database), 120, "the fresh worker's database files")
    for _ in range(3):  # both workers answer, the fresh one included
        assert select(server.base, "ASK { company:catl a ev:BatteryMaker }") == ([], [("boolean", True)])


def test_a_worker_that_cannot_open_the_store_says_why(tmp_path):
    pool = QueryPool(SharedStore(f"oxigraph:{tmp_path / 'nothing'}"), workers=1)

    async def start() -> None:
        try:
            await pool.start()
        finally:
            await pool.close()

    with pytest.raises(RuntimeError, match=r"could not open the data: --store oxigraph:.*there is no Oxigraph database"):
        asyncio.run(start())


# --------------------------------------------------------------------------- updates, --data, new stores


def test_updates_are_refused_with_what_to_do(served):
    response = httpx.post(served.server.base + "/sparql", data={"update": "CLEAR ALL"}, timeout=READ)
    assert response.status_code == 403
    assert "This SPARQL endpoint is read-only" in response.text
    assert f"Its data lives in {served.store}:" in response.text
    assert "load FILE..." in response.text


@pytest.mark.parametrize("spec", ["oxigraph:./evkg-db", "sparql:http://127.0.0.1:9/sparql"])
def test_allow_update_is_refused_on_a_persistent_store(runner, spec):
    result = runner.invoke(cli, ["--store", spec, "serve", "--allow-update"])
    assert result.exit_code == 2
    assert "--allow-update keeps changes in the server's memory, so it works with the memory store only" in result.output
    assert f"evkg --store {spec} load" in result.output


def test_allow_update_over_a_persistent_store_is_refused_by_the_app_too(sparql_kb):
    with pytest.raises(evkg.EvkgError, match="--allow-update keeps changes in the server's memory"):
        make_app(sparql_kb, allow_update=True)


@pytest.mark.parametrize("where", ["global", "serve"])
def test_data_files_are_refused_on_a_persistent_store(runner, tmp_path, facts, where):
    spec = f"oxigraph:{tmp_path / 'db'}"
    args = ["--store", spec, "--data", str(facts), "serve"] if where == "global" else ["--store", spec, "serve", "--data", str(facts)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert f"--data adds files to the memory store for one run; to add them to {spec} for good, run `evkg --store {spec} load FILE...`" in " ".join(result.output.split())
    assert not (tmp_path / "db").exists()


def test_a_new_oxigraph_store_is_set_up_served_and_released(tmp_path, facts):
    db = tmp_path / "new-db"
    with serving("--store", f"oxigraph:{db}") as server:
        assert server.banner[1].startswith(f"  Store            oxigraph:{db}, opened read-only")
        _, rows = select(server.base, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert ("uri", f"{GRAPH}reference") in {row[0] for row in rows}
        assert _evkg("--store", f"oxigraph:{db}", "load", str(facts)).returncode == 2
    loaded = _evkg("--store", f"oxigraph:{db}", "load", str(facts))  # the server let go of it
    assert loaded.returncode == 0, loaded.stderr
