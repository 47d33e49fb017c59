"""Stores: the same answers on memory and Oxigraph, `evkg load` all or nothing, SPARQL
safety on Oxigraph, and one-paragraph errors for a bad --store."""

from __future__ import annotations

import subprocess
import sys

import pytest

import evkg
from evkg.cli import cli
from evkg.errors import NetworkAccessError, ParseError, QueryError, StoreError
from evkg.graph import shortest_paths
from evkg.stores import open_store
from rdflib import URIRef

FACTS = """\
@prefix ev: <https://w3id.org/evkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/evkg/id/company/example-cells> a ev:BatteryMaker ; rdfs:label "Example Cells" .
"""


def quads(kb) -> int:
    return sum(1 for _ in kb.dataset.quads((None, None, None, None)))


# ------------------------------------------------------------------ same answers


@pytest.mark.parametrize(
    "source, target",
    [("Pakistan", "CATL"), ("Indonesia", "CATL"), ("Proton", "Geely"), ("Mazda", "Changan"), ("Honda", "DeepSeek")],
)
def test_path_probes_agree(kb, oxigraph_kb, source, target):
    on_memory = shortest_paths(kb, source, target, k=2).to_dict()
    assert on_memory["paths"]
    assert shortest_paths(oxigraph_kb, source, target, k=2).to_dict() == on_memory


def test_show_stats_search_and_export_agree(kb, oxigraph_kb):
    assert oxigraph_kb.describe("CATL").to_dict() == kb.describe("CATL").to_dict()
    assert oxigraph_kb.stats() == kb.stats()
    assert oxigraph_kb.search("contemporary") == kb.search("contemporary")
    assert oxigraph_kb.serialize("trig") == kb.serialize("trig")


def test_construct_and_ask_agree(kb, oxigraph_kb):
    construct = "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a ev:Country ; rdfs:label ?l }"
    assert set(oxigraph_kb.query(construct).graph) == set(kb.query(construct).graph)
    assert oxigraph_kb.query("ASK { company:catl a ev:BatteryMaker }").askAnswer is True


def test_from_reads_only_the_named_graph(kb, oxigraph_kb):
    query = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/evkg/graph/ontology> WHERE { ?s ?p ?o }"
    assert [tuple(r) for r in oxigraph_kb.query(query)] == [tuple(r) for r in kb.query(query)]


# ------------------------------------------------------------------ SPARQL safety


def test_service_is_refused_on_oxigraph(oxigraph_kb, canary):
    url, hits = canary
    with pytest.raises(NetworkAccessError, match="SERVICE"):
        oxigraph_kb.query(f"SELECT * WHERE {{ service <{url}/sparql> {{ ?s ?p ?o }} }}")
    assert hits == []


def test_oxigraph_never_evaluates_a_query_naming_service(oxigraph_kb, canary):
    # Oxigraph's engine would fetch SERVICE itself; the store hands such queries to rdflib.
    url, hits = canary
    assert oxigraph_kb.store.query(f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}", {}) is None
    assert hits == []


def test_jsonld_remote_context_is_not_fetched_by_load(tmp_path, canary):
    url, hits = canary
    doc = tmp_path / "remote.jsonld"
    doc.write_text(f'{{"@context": "{url}/ctx.jsonld", "@id": "http://example.org/x", "name": "x"}}')
    store = open_store(f"oxigraph:{tmp_path / 'db'}")
    with pytest.raises(evkg.EvkgError):
        store.load_file(doc, graph_iri="https://w3id.org/evkg/graph/data/remote.jsonld")
    assert hits == []


# ------------------------------------------------------------------ evkg load


def test_load_then_show_on_a_fresh_store(runner, tmp_path):
    facts = tmp_path / "my.ttl"
    facts.write_text(FACTS)
    spec = f"oxigraph:{tmp_path / 'db'}"
    result = runner.invoke(cli, ["--store", spec, "load", str(facts)])
    assert result.exit_code == 0, result.output
    assert f"Loaded {facts}: 2 triples in " in result.stdout
    shown = runner.invoke(cli, ["--store", spec, "show", "CATL"])
    assert shown.exit_code == 0 and shown.stdout.startswith("CATL  (battery maker)")
    found = runner.invoke(cli, ["search", "Example Cells", "--format", "json"], obj=None)
    assert "example-cells" not in found.stdout  # the memory store does not have it
    found = runner.invoke(cli, ["--store", spec, "query", "--format", "csv",
                                "SELECT ?g WHERE { GRAPH ?g { company:example-cells a ev:BatteryMaker } }"])
    assert found.stdout.splitlines() == ["g", "https://w3id.org/evkg/graph/data/my.ttl"]


def test_load_takes_store_after_the_command(runner, tmp_path):
    facts = tmp_path / "my.ttl"
    facts.write_text(FACTS)
    result = runner.invoke(cli, ["load", str(facts), "--store", f"oxigraph:{tmp_path / 'db'}"])
    assert result.exit_code == 0, result.output


def test_a_bad_file_leaves_the_store_unchanged(tmp_path):
    good, bad = tmp_path / "good.ttl", tmp_path / "bad.nt"
    good.write_text(FACTS)
    bad.write_text('<http://e/s> <http://e/p> "o" .\n<http://e/s> <http://e/p> .\n')
    kb = evkg.load(store=f"oxigraph:{tmp_path / 'db'}", seeds=False)
    kb.store.load_file(good, graph_iri="https://w3id.org/evkg/graph/data/good.ttl")
    before = quads(kb)
    with pytest.raises(ParseError, match=r"bad.nt, line 2: .*Nothing was loaded"):
        kb.store.load_file(bad, graph_iri="https://w3id.org/evkg/graph/data/bad.nt")
    assert quads(kb) == before


@pytest.mark.parametrize("blank_node", [True, False], ids=["one bulk loader", "side by side"])
def test_an_error_after_a_million_quads_written_leaves_the_store_unchanged(tmp_path, blank_node):
    # Oxigraph's bulk loader hands a million quads at a time to its writers; a syntax
    # error past the first million must still leave nothing in the store.
    bad = tmp_path / "late-error.nt"
    with bad.open("w", encoding="utf-8") as out:
        out.write("_:b <http://e/p> <http://e/o> .\n" if blank_node else "")
        out.writelines(f"<http://e/s{i}> <http://e/p> <http://e/o> .\n" for i in range(1_000_001))
        out.write("<http://e/s> <http://e/p> .\n")
    kb = evkg.load(store=f"oxigraph:{tmp_path / 'db'}", seeds=False)
    before = quads(kb)
    with pytest.raises(ParseError, match=rf"late-error.nt, line {1_000_002 + blank_node}: .*Nothing was loaded"):
        kb.store.load_file(bad, graph_iri="https://w3id.org/evkg/graph/data/late-error.nt")
    assert quads(kb) == before
    assert list(kb.store.path.glob("bulk-*.sst")) == []


def test_default_graph_of_a_quad_file_goes_to_its_graph(tmp_path):
    mixed = tmp_path / "mixed.nq"
    mixed.write_text("<http://e/a> <http://e/p> <http://e/b> .\n<http://e/a> <http://e/p> <http://e/c> <http://e/g> .\n")
    kb = evkg.load(store=f"oxigraph:{tmp_path / 'db'}", seeds=False)
    kb.store.load_file(mixed, graph_iri="https://w3id.org/evkg/graph/data/mixed.nq")
    rows = kb.query("SELECT ?g ?o WHERE { GRAPH ?g { <http://e/a> <http://e/p> ?o } }")
    assert sorted((str(g), str(o)) for g, o in rows) == [
        ("http://e/g", "http://e/c"),
        ("https://w3id.org/evkg/graph/data/mixed.nq", "http://e/b"),
    ]


def test_load_refuses_the_memory_store(runner, tmp_path):
    facts = tmp_path / "my.ttl"
    facts.write_text(FACTS)
    result = runner.invoke(cli, ["load", str(facts)])
    assert result.exit_code == 2
    assert "fills a persistent store" in result.output


def test_data_is_refused_on_a_persistent_store(runner, tmp_path):
    facts = tmp_path / "my.ttl"
    facts.write_text(FACTS)
    result = runner.invoke(cli, ["--store", f"oxigraph:{tmp_path / 'db'}", "--data", str(facts), "stats"])
    assert result.exit_code == 2
    assert "evkg --store oxigraph:" in result.output and "load FILE" in result.output


# ------------------------------------------------------------------ errors


def test_unknown_store_lists_the_valid_forms(runner):
    result = runner.invoke(cli, ["--store", "sparkle:/tmp/x", "stats"])
    assert result.exit_code == 2
    assert "memory (rdflib in memory, the default), oxigraph:PATH" in result.output


def test_store_path_that_is_a_file(runner, tmp_path):
    path = tmp_path / "file.txt"
    path.write_text("x")
    result = runner.invoke(cli, ["--store", f"oxigraph:{path}", "stats"])
    assert result.exit_code == 2
    assert "is a file; an Oxigraph store is a folder" in result.output


def test_store_folder_not_writable(tmp_path, monkeypatch):
    monkeypatch.setattr("os.access", lambda *args: False)
    with pytest.raises(StoreError, match="is not writable"):
        open_store(f"oxigraph:{tmp_path / 'db'}")


def test_store_locked_by_another_process(tmp_path):
    db = tmp_path / "db"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import pyoxigraph, sys; s = pyoxigraph.Store({str(db)!r}); print('open', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        result = subprocess.run([sys.executable, "-m", "evkg", "--store", f"oxigraph:{db}", "stats"], capture_output=True, text=True)
    finally:
        holder.communicate("")
    assert result.returncode == 2
    assert "another process has this database open" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


BLANK_FILES = {
    "anonymous.ttl": '<http://e/plant> <http://e/capacity> [ <http://e/value> "100" ; <http://e/unit> <http://e/GWh> ] .\n',
    "labelled.nq": (
        '<http://e/plant> <http://e/capacity> _:q <http://e/g> .\n'
        '_:q <http://e/value> "100" <http://e/g> .\n'
        '_:q <http://e/unit> <http://e/GWh> .\n'
    ),
    # An escape makes evkg check every term, reading blank node labels as written.
    "escaped.nq": (
        '<http://e/plant> <http://e/capacity> _:q <http://e/g> .\n'
        '_:q <http://e/value> "100" <http://e/g> .\n'
        '_:q <http://e/unit> <http://e/GWh> .\n'
        '<http://e/plant> <http://e/name> "Caf\\u00e9 plant" <http://e/g> .\n'
    ),
}


@pytest.mark.parametrize("name", sorted(BLANK_FILES))
def test_blank_nodes_are_one_node_in_each_graph_and_in_the_union(tmp_path, name):
    # Each triple is stored twice (its graph, and the union): a blank node must keep one
    # name across both copies, or the union could not tell which graph a triple came from.
    data = tmp_path / name
    data.write_text(BLANK_FILES[name])
    kb = evkg.load(store=f"oxigraph:{tmp_path / 'db'}", seeds=False)
    kb.store.load_file(data, graph_iri=f"https://w3id.org/evkg/graph/data/{name}")
    in_union = kb.query("SELECT ?v ?u WHERE { <http://e/plant> <http://e/capacity> ?q . ?q <http://e/value> ?v ; <http://e/unit> ?u }")
    assert [(str(v), str(u)) for v, u in in_union] == [("100", "http://e/GWh")]
    across = kb.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?q <http://e/value> ?v . GRAPH ?g { ?q <http://e/value> ?v } }"
    )
    assert int(next(iter(across))[0]) == 1
    value = next(kb.dataset.triples((None, URIRef("http://e/value"), None)))
    assert [g.identifier for g in kb.dataset.contexts(value)] != []


@pytest.mark.parametrize("literal", ["plain", "caf\\u00e9"], ids=["plain", "escaped"])
def test_the_same_blank_node_label_in_two_files_is_two_nodes(tmp_path, literal):
    first, second = tmp_path / "a.nt", tmp_path / "b.nt"
    first.write_text(f'_:x <http://e/p> "{literal} a" .\n')
    second.write_text(f'_:x <http://e/p> "{literal} b" .\n')
    kb = evkg.load(store=f"oxigraph:{tmp_path / 'db'}", seeds=False)
    for path in (first, second):
        kb.store.load_file(path, graph_iri=f"https://w3id.org/evkg/graph/data/{path.name}")
    rows = kb.query("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x <http://e/p> ?v }")
    assert int(next(iter(rows))[0]) == 2


def test_load_reports_progress_up_to_the_total(tmp_path):
    data = tmp_path / "plain.nt"
    data.write_text("".join(f"<http://e/s{i}> <http://e/p> <http://e/o{i}> .\n" for i in range(2500)))
    kb = evkg.load(store=f"oxigraph:{tmp_path / 'db'}", seeds=False)
    heard = []
    kb.store.load_file(data, graph_iri="https://w3id.org/evkg/graph/data/plain.nt",
                       progress=lambda stage, done, total: heard.append((stage, done, total)))
    assert heard[0][0] == "parsing" and heard[-1] == ("writing", 2500, 2500)
    assert ("parsing", 2500, 2500) in heard
    assert len(kb.query("SELECT * WHERE { GRAPH ?g { ?s <http://e/p> ?o } }")) == 2500
    assert len(kb.query("SELECT * WHERE { ?s <http://e/p> ?o }")) == 2500


@pytest.mark.parametrize("text, message", [
    ("SELECT ?x WHERE { ?x a ev:Country", "SPARQL syntax error at line 1"),
    ("INSERT DATA { company:catl a ev:Country }", "SPARQL Update"),
    ("SELECT ?x WHERE { ?x a nope:Thing }", "nope"),
])
def test_oxigraph_refuses_bad_queries_as_the_memory_store_does(kb, oxigraph_kb, text, message):
    with pytest.raises(QueryError, match=message) as on_memory:
        kb.query(text)
    with pytest.raises(QueryError) as on_oxigraph:
        oxigraph_kb.query(text)
    assert str(on_oxigraph.value) == str(on_memory.value)


def test_from_named_reads_a_graph_the_store_holds(any_kb):
    rows = any_kb.query(
        "SELECT DISTINCT ?g FROM NAMED <https://w3id.org/evkg/graph/ontology> WHERE { GRAPH ?g { ?s ?p ?o } }"
    )
    assert [str(g) for (g,) in rows] == ["https://w3id.org/evkg/graph/ontology"]
    with pytest.raises(NetworkAccessError, match="FROM <http://example.org/elsewhere>"):
        any_kb.query("SELECT * FROM NAMED <http://example.org/elsewhere> WHERE { GRAPH ?g { ?s ?p ?o } }")


# ------------------------------------------------------------------ interrupted work


def _lines_file(path, triples: int):
    with path.open("w", encoding="utf-8") as out:
        for i in range(triples):
            out.write(f"<http://example.org/s{i}> <http://example.org/p{i % 50}> \"value {i}\" .\n")
    return path


def _wait_for(condition, process, what: str, limit: float = 300):
    """Poll ``condition`` until it holds; fail if ``process`` ends first or after ``limit`` s."""
    import time

    deadline = time.monotonic() + limit
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the process ended (exit {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"no {what} within {limit} s")
        time.sleep(0.005)


def test_a_killed_load_is_cleaned_up_and_reported_by_the_next_run(tmp_path):
    import os
    import signal

    facts = _lines_file(tmp_path / "many.nt", 200_000)
    db = tmp_path / "db"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = dict(os.environ, TMPDIR=str(scratch), EVKG_CACHE_DIR=str(tmp_path / "cache"))
    command = [sys.executable, "-m", "evkg", "--no-seeds", "--store", f"oxigraph:{db}"]
    loading = subprocess.Popen([*command, "load", str(facts)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # The bulk loader's files appear once the file is parsed and the writing has begun.
        _wait_for(lambda: any(db.glob("bulk-*.sst")), loading, "bulk file in the database")
        os.kill(loading.pid, signal.SIGKILL)
    finally:
        loading.wait()
    assert loading.returncode == -signal.SIGKILL
    assert (db / "evkg-loading").is_file()
    assert list(db.glob("bulk-*.sst"))

    after = subprocess.run([*command, "stats"], env=env, capture_output=True, text=True, check=True)
    notes = [line for line in after.stderr.splitlines() if "interrupted" in line]
    assert len(notes) == 1
    assert notes[0].startswith(f"oxigraph:{db}: the load of {facts} (process {loading.pid}, started ")
    assert notes[0].endswith(
        f"Part of {facts} may be in the store (graph <https://w3id.org/evkg/graph/data/many.nt>): "
        "load it again (triples already there are not doubled)."
    )
    assert not list(db.glob("bulk-*.sst"))
    assert not (db / "evkg-loading").exists()
    assert list(scratch.iterdir()) == []  # a load stages nothing in the temporary folder

    again = subprocess.run([*command, "load", str(facts)], env=env, capture_output=True, text=True, check=True)
    assert "interrupted" not in again.stderr
    assert "Loaded" in again.stdout and "200,000 triples" in again.stdout
    assert not list(db.glob("bulk-*.sst"))


def test_orphan_bulk_files_without_a_note_are_removed_and_reported(tmp_path):
    import os

    db = tmp_path / "db"
    command = [sys.executable, "-m", "evkg", "--no-seeds", "--store", f"oxigraph:{db}"]
    env = {**os.environ, "EVKG_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run([*command, "load", str(_lines_file(tmp_path / "few.nt", 3))], env=env, capture_output=True, check=True)
    (db / "bulk-1234.sst").write_bytes(b"\0" * 1000)
    check = subprocess.run([*command, "stats"], capture_output=True, text=True, env=env)
    assert check.returncode == 0, check.stderr
    assert check.stderr.splitlines() == [
        f"oxigraph:{db}: removed 1 unfinished bulk file (0.0 MB) left by a load that was interrupted."
    ]
    assert not (db / "bulk-1234.sst").exists()


_STOP_BEFORE_RENAMING = """
import os, sys
from pathlib import Path
import evkg.export as export

def stop(*args):
    print("written", flush=True)
    sys.stdin.read()

export.os.replace = stop
export.write_files_atomically({Path(sys.argv[1]) / "nodes.csv": "new nodes", Path(sys.argv[1]) / "edges.csv": "new edges"})
"""


_EXPORT_AGAIN = """
import sys
from pathlib import Path
from evkg.export import write_files_atomically

write_files_atomically({Path(sys.argv[1]) / "nodes.csv": "id,label", Path(sys.argv[1]) / "edges.csv": "source,target"})
"""


def test_a_killed_csv_export_leaves_the_old_files_and_the_next_one_cleans_up(runner, tmp_path):
    import os
    import signal

    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "nodes.csv").write_text("old nodes", encoding="utf-8")
    (folder / "edges.csv").write_text("old edges", encoding="utf-8")
    writer = subprocess.Popen(
        [sys.executable, "-c", _STOP_BEFORE_RENAMING, str(folder)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout.readline() == "written\n"  # both files written, none renamed yet
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait()
    left = sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
    assert len(left) == 2 and all(name.endswith(".tmp") and f".{writer.pid}-" in name for name in left)
    assert (folder / "nodes.csv").read_text(encoding="utf-8") == "old nodes"
    assert (folder / "edges.csv").read_text(encoding="utf-8") == "old edges"

    # The next export of the folder, as `evkg export --format csv -o DIR` writes it.
    result = subprocess.run(
        [sys.executable, "-c", _EXPORT_AGAIN, str(folder)], capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "interrupted" in line]
    assert len(notes) == 2
    assert notes[0].startswith(f"{folder / 'nodes.csv'}: removed .nodes.csv.{writer.pid}-")
    assert notes[0].endswith(f"left by a write of nodes.csv that was interrupted (process {writer.pid} stopped before it finished); {folder / 'nodes.csv'} is as that write found it.")
    assert sorted(p.name for p in folder.iterdir()) == ["edges.csv", "nodes.csv"]
    assert (folder / "nodes.csv").read_text(encoding="utf-8") == "id,label"


def test_a_write_of_a_running_process_is_left_alone(tmp_path):
    import os

    from evkg.export import remove_interrupted_writes

    mine = tmp_path / f".out.ttl.{os.getpid()}-abcd1234.tmp"
    mine.write_text("in progress", encoding="utf-8")
    other = tmp_path / ".other.ttl.1-abcd1234.tmp"  # another file's: not this write's business
    other.write_text("x", encoding="utf-8")
    assert remove_interrupted_writes(tmp_path / "out.ttl") == []
    assert mine.exists() and other.exists()
