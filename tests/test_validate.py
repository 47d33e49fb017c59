"""`evkg validate` agrees with SHACL processors: it counts and lists the report's top-level
results as pyshacl and rdf-validate-shacl (JavaScript, run by node) do, shows nested
details under their parent, names a blank node by the fact it belongs to, and every
message describes the constraint it is attached to."""

from __future__ import annotations

import json
import shutil
import subprocess

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

import evkg
from evkg.cli import cli
from evkg.ontology import SHAPES_PATH

from .conftest import DATA, ROOT

BROKEN = DATA / "broken-facts.ttl"
SHACL_JS = ROOT / "tests" / "shacl-js"

EXPECTED_TEXT = """\
Violation: <https://example.org/broken/ridgeway>
  path:    rdfs:label
  value:   Ridgeway Motoren
  message: The rdfs:label must be an English (@en) literal.
Violation: Ridgeway plant <https://example.org/broken/ridgeway-plant>
  path:    ev:status
  value:   <https://example.org/broken/rumoured>
  message: A facility has at most one ev:status, from ev:StatusScheme.
  because:
    Violation: <https://example.org/broken/rumoured>
      path:    skos:inScheme
      message: A status must be a concept of ev:StatusScheme (announced, planned, under construction, operating, active).
Violation: Ridgeway stake in Volta Cells <https://example.org/broken/ridgeway-volta>
  path:    ev:quote
  message: A fact needs ev:quote: the source sentence it rests on, verbatim, as a plain string.
Violation: Volta alliance <https://example.org/broken/volta-alliance>
  path:    ev:partner
  message: A partnership needs at least two ev:partner values.
Violation: the capacity of Volta Cells plant <https://example.org/broken/volta-plant> (a blank node)
  message: A quantity with a number needs exactly one qudt:hasUnit.
5 violations.
"""


@pytest.fixture(scope="module")
def broken_kb():
    return evkg.load([BROKEN])


@pytest.fixture(scope="module")
def data_file(broken_kb, tmp_path_factory):
    """The data evkg validates (every named graph, merged) as N-Triples, for other tools."""
    path = tmp_path_factory.mktemp("validate") / "data.nt"
    data = Graph()
    for s, p, o, _ in broken_kb.dataset.quads((None, None, None, None)):
        data.add((s, p, o))
    data.serialize(path, format="nt", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pyshacl_report(data_file):
    """pyshacl run directly, with its defaults, on the same data and shapes."""
    conforms, report, _ = pyshacl.validate(Graph().parse(data_file), shacl_graph=Graph().parse(SHAPES_PATH))
    return conforms, report


def _key(focus, path, message) -> tuple[str, str, str]:
    return (str(focus), str(path or ""), str(message))


def test_cli_lists_the_top_level_results_with_details_indented(runner):
    result = runner.invoke(cli, ["validate", str(BROKEN)])
    assert result.exit_code == 1
    assert result.output == EXPECTED_TEXT


def test_count_equals_pyshacl_top_level_results(broken_kb, pyshacl_report):
    conforms, report = pyshacl_report
    top = list(report.objects(None, SH.result))
    nested = set(report.subjects(RDF.type, SH.ValidationResult)) - set(top)
    assert not conforms
    assert len(top) == 5
    assert len(nested) == 1  # the status's reason, nested under the status's result
    ours = broken_kb.validate()
    assert len(ours.violations) == len(top)
    iri_results = {
        _key(report.value(r, SH.focusNode), report.value(r, SH.resultPath), report.value(r, SH.resultMessage))
        for r in top if isinstance(report.value(r, SH.focusNode), URIRef)
    }
    expanded = {prefix: str(ns) for prefix, ns in broken_kb.dataset.namespaces()}

    def full(path: str) -> str:
        prefix, _, local = path.partition(":")
        return expanded[prefix] + local if path else ""

    assert {_key(v.focus, full(v.path), v.message) for v in ours.violations if not v.focus.startswith("_:")} == iri_results


def test_count_equals_rdf_validate_shacl(broken_kb, data_file):
    node = shutil.which("node")
    assert node, "node is needed: run tests/install-deps.sh"
    assert (SHACL_JS / "node_modules" / "rdf-validate-shacl").is_dir(), "run tests/install-deps.sh (npm ci in tests/shacl-js)"
    run = subprocess.run([node, str(SHACL_JS / "validate.mjs"), str(SHAPES_PATH), str(data_file)],
                         capture_output=True, text=True, check=True, timeout=120)
    js = json.loads(run.stdout)
    assert js["conforms"] is False
    ours = broken_kb.validate()
    assert len(js["results"]) == len(ours.violations) == 5
    assert sorted(r["details"] for r in js["results"]) == sorted(len(v.details) for v in ours.violations)
    assert sorted(m for r in js["results"] for m in r["messages"]) == sorted(v.message for v in ours.violations)


def test_seeds_conform_for_pyshacl_too(kb):
    data = Graph()
    for s, p, o, _ in kb.dataset.quads((None, None, None, None)):
        data.add((s, p, o))
    conforms, _, text = pyshacl.validate(data, shacl_graph=Graph().parse(SHAPES_PATH))
    assert conforms, text
    assert kb.validate().conforms


def test_a_stake_without_a_quote_is_told_so(broken_kb):
    stake = "https://example.org/broken/ridgeway-volta"
    assert [v.message for v in broken_kb.validate().violations if v.focus == stake] == [
        "A fact needs ev:quote: the source sentence it rests on, verbatim, as a plain string."
    ]


def test_a_blank_node_is_named_by_its_fact(broken_kb):
    (quantity,) = [v for v in broken_kb.validate().violations if v.focus.startswith("_:")]
    assert quantity.focus_label == "the capacity of Volta Cells plant <https://example.org/broken/volta-plant> (a blank node)"
    assert quantity.value == ""  # the value node is the focus itself: not repeated


def test_a_blank_node_in_a_blank_node_names_the_whole_chain(tmp_path):
    data = tmp_path / "nested.ttl"
    data.write_text(
        "@prefix ev: <https://w3id.org/evkg/ontology#> .\n@prefix qudt: <http://qudt.org/schema/qudt/> .\n"
        "<https://example.org/n/jv> ev:investment [ ev:amount [ a ev:QuantityValue ; qudt:numericValue 3.0 ] ] .\n",
        encoding="utf-8",
    )
    (result,) = [v for v in evkg.load([data], seeds=False).validate().violations if v.focus.startswith("_:")]
    assert result.focus_label == "the amount of the investment of <https://example.org/n/jv> (a blank node)"


def test_json_nests_details_and_counts_top_level_results(runner):
    result = runner.invoke(cli, ["validate", str(BROKEN), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["conforms"] is False
    assert report["results"] == len(report["violations"]) == 5
    (status,) = [v for v in report["violations"] if v["path"] == "ev:status"]
    assert status["details"] == [{
        "focus": "https://example.org/broken/rumoured", "focus_label": "<https://example.org/broken/rumoured>",
        "path": "skos:inScheme",
        "message": "A status must be a concept of ev:StatusScheme (announced, planned, under construction, operating, active).",
        "severity": "Violation", "value": "", "details": [],
    }]


def test_validate_reads_standard_input_and_writes_a_file(runner, tmp_path):
    out = tmp_path / "report.txt"
    result = runner.invoke(cli, ["validate", "-", "-o", str(out)], input=BROKEN.read_bytes())
    assert result.exit_code == 1
    assert out.read_text(encoding="utf-8") == EXPECTED_TEXT
    assert result.output == f"Wrote {out}\n"


# Node-level parameters of a shape: constraints whose results take the shape's own sh:message.
_NOT_CONSTRAINTS = {SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.property,
                    SH.message, SH.path, SH.severity, SH.deactivated, SH.name, SH.description}


def test_a_message_on_a_shape_describes_its_one_constraint():
    """A node shape's sh:message is every result's message for its node-level
    constraints: such a shape has exactly one (its sh:or), never sh:node."""
    shapes = Graph().parse(SHAPES_PATH)
    for shape in set(shapes.subjects(SH.message, None)) - set(shapes.subjects(SH.path, None)):
        constraints = {p for p in shapes.predicates(shape, None) if str(p).startswith(str(SH)) and p not in _NOT_CONSTRAINTS}
        assert constraints == {SH["or"]}, (shape, constraints)
