"""Export: every format round-trips, output is byte-identical across runs and hash seeds,
files are written atomically."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from evkg.cli import cli
from evkg.errors import OutputError, UnknownFormat
from evkg.export import EXPORT_FORMATS, serialize_dataset, write_atomically

PARSERS = {"ttl": "turtle", "trig": "trig", "nq": "nquads", "nt": "nt", "jsonld": "json-ld"}


def _union(dataset: Dataset) -> Graph:
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def _tree_form(graph: Graph) -> Counter | None:
    """The triples of ``graph``, each blank node replaced by what hangs off it (recursively,
    in no order), counted: equal for two graphs exactly when they are isomorphic, provided
    each blank node is the object of one triple at most and heads a tree (as the seeds'
    quantities and quotes do). None for a graph whose blank nodes are not such trees.

    rdflib's ``isomorphic`` takes seconds on the seeds' 300 blank nodes; this, milliseconds.
    """
    below: dict[BNode, list] = {}
    objects = Counter(o for _, _, o in graph if isinstance(o, BNode))
    for s, p, o in graph:
        if isinstance(s, BNode):
            below.setdefault(s, []).append((p, o))
    if any(count > 1 for count in objects.values()):
        return None
    described: set[BNode] = set()

    def shape(term):
        if not isinstance(term, BNode):
            return term
        described.add(term)
        return ("_:", frozenset(Counter((p, shape(o)) for p, o in below.get(term, ())).items()))

    form = Counter((shape(s) if isinstance(s, BNode) else s, p, shape(o))
                   for s, p, o in graph if not isinstance(s, BNode) or s not in objects)
    # A blank node never reached from a triple's subject is on a cycle: not a tree.
    return form if described == set(below) | set(objects) else None


def same_graph(a: Graph, b: Graph) -> bool:
    """Whether ``a`` and ``b`` are isomorphic: by their tree forms, else by rdflib."""
    forms = _tree_form(a), _tree_form(b)
    return forms[0] == forms[1] if None not in forms else isomorphic(a, b)


@pytest.fixture(scope="module")
def exported(kb) -> dict[str, str]:
    """Each export format of the seed knowledge base, serialized once for this module."""
    return {fmt: kb.serialize(fmt) for fmt in sorted(EXPORT_FORMATS)}


@pytest.fixture(scope="module")
def seeds_union(kb) -> Graph:
    return _union(kb.dataset)


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_export_round_trips(kb, exported, seeds_union, fmt):
    back = Dataset()
    back.parse(data=exported[fmt], format=PARSERS[fmt])
    assert same_graph(_union(back), seeds_union)
    if EXPORT_FORMATS[fmt]:
        assert {str(g) for g in kb.graph_names()} <= {
            str(g.identifier) for g in back.graphs() if len(g)
        }


EX = "http://example.org/"


def _graph(*triples) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def test_the_tree_form_tells_graphs_apart_as_rdflib_does():
    a, b, c, d = BNode(), BNode(), BNode(), BNode()
    s, p, q = URIRef(EX + "s"), URIRef(EX + "p"), URIRef(EX + "q")
    one, two = Literal(1), Literal(2)
    tree = _graph((s, p, a), (a, q, one), (s, p, b), (b, q, two), (b, p, c), (c, q, one))
    relabelled = _graph((s, p, d), (d, q, two), (d, p, b), (b, q, one), (s, p, c), (c, q, one))
    swapped = _graph((s, p, a), (a, q, two), (s, p, b), (b, q, one), (b, p, c), (c, q, one))
    twins = _graph((s, p, a), (a, q, one), (s, p, b), (b, q, one))
    merged = _graph((s, p, a), (a, q, one))
    shared = _graph((s, p, a), (URIRef(EX + "t"), p, a), (a, q, one))
    cycle = _graph((a, p, b), (b, p, a), (s, q, one))
    assert _tree_form(tree) is not None and _tree_form(shared) is None and _tree_form(cycle) is None
    pairs = [(tree, relabelled), (tree, swapped), (twins, merged), (shared, tree), (cycle, _graph((s, q, one)))]
    for left, right in pairs:
        assert same_graph(left, right) == isomorphic(left, right)
    assert same_graph(tree, relabelled) and not same_graph(tree, swapped) and not same_graph(twins, merged)


#: Hash seeds the exports must not depend on.
HASH_SEEDS = ("0", "1", "12345")
#: `evkg export` of every format in one process (the CLI's own code, each format written by
#: its command), so that a process per hash seed covers them all.
EXPORT_ALL = """
import sys
from evkg.cli import cli
folder, formats = sys.argv[1], sys.argv[2:]
for fmt in formats:
    cli.main(["export", "--format", fmt, "-o", f"{folder}/kb.{fmt}"], prog_name="evkg", standalone_mode=False)
"""


@pytest.fixture(scope="module")
def exports_by_seed(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """Hash seed -> format -> the bytes `evkg export` wrote in a process with that seed."""
    folders = {seed: tmp_path_factory.mktemp(f"seed-{seed}") for seed in HASH_SEEDS}
    processes = {
        seed: subprocess.Popen(
            [sys.executable, "-c", EXPORT_ALL, str(folder), *sorted(EXPORT_FORMATS)],
            env={**os.environ, "PYTHONHASHSEED": seed}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        for seed, folder in folders.items()
    }
    for seed, process in processes.items():
        output = process.communicate(timeout=600)[0]
        assert process.returncode == 0, output.decode(errors="replace")
    return {seed: {fmt: (folder / f"kb.{fmt}").read_bytes() for fmt in EXPORT_FORMATS} for seed, folder in folders.items()}


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_export_is_identical_across_hash_seeds(exports_by_seed, exported, fmt):
    outputs = {by_format[fmt] for by_format in exports_by_seed.values()}
    assert len(outputs) == 1
    assert outputs == {exported[fmt].encode("utf-8")}


def test_nquads_lines_are_sorted_and_blank_nodes_canonical(exported):
    lines = exported["nq"].splitlines()
    assert lines == sorted(lines)
    assert not any("_:N" in line for line in lines)  # rdflib's random labels never leak


def test_unknown_export_format(kb):
    with pytest.raises(UnknownFormat, match="trig"):
        serialize_dataset(kb.dataset, "xlsx")


def test_write_atomically_into_missing_folder(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        write_atomically(tmp_path / "missing" / "out.ttl", "x")


def test_write_atomically_leaves_no_temp_files(tmp_path):
    target = tmp_path / "out.ttl"
    write_atomically(target, "first")
    write_atomically(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]


def test_cli_export_to_file_and_missing_folder(exported, runner, tmp_path):
    out = tmp_path / "kb.nq"
    result = runner.invoke(cli, ["export", "--format", "nq", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text() == exported["nq"]
    result = runner.invoke(cli, ["export", "-o", str(tmp_path / "nope" / "kb.trig")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
