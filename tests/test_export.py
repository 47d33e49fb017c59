"""Export: every format round-trips, output is byte-identical across runs and hash seeds,
files are written atomically."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rdflib import Dataset, Graph
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


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_export_round_trips(kb, fmt):
    text = kb.serialize(fmt)
    back = Dataset()
    back.parse(data=text, format=PARSERS[fmt])
    assert isomorphic(_union(back), _union(kb.dataset))
    if EXPORT_FORMATS[fmt]:
        assert {str(g) for g in kb.graph_names()} <= {
            str(g.identifier) for g in back.graphs() if len(g)
        }


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_export_is_identical_across_hash_seeds(fmt, tmp_path):
    outputs = set()
    for seed in ("0", "1", "12345"):
        out = tmp_path / f"{seed}.{fmt}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "evkg", "export", "--format", fmt, "-o", str(out)],
            check=True, env=env, capture_output=True,
        )
        outputs.add(out.read_bytes())
    assert len(outputs) == 1


def test_nquads_lines_are_sorted_and_blank_nodes_canonical(kb):
    lines = kb.serialize("nq").splitlines()
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


def test_cli_export_to_file_and_missing_folder(kb, runner, tmp_path):
    out = tmp_path / "kb.nq"
    result = runner.invoke(cli, ["export", "--format", "nq", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text() == kb.serialize("nq")
    result = runner.invoke(cli, ["export", "-o", str(tmp_path / "nope" / "kb.trig")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
