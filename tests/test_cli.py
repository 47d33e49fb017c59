"""The command line: every command has help with an example, works, and turns bad input
into a one-paragraph error with exit code 2 (1 for SHACL violations)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from evkg.cli import cli
from evkg.queries import list_examples

from .conftest import DATA, ROOT

COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(runner, command):
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_python_dash_m_works():
    result = subprocess.run([sys.executable, "-m", "evkg", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("evkg, version")


def test_help_does_not_import_rdflib():
    code = "import sys; from evkg.cli import cli; assert 'rdflib' not in sys.modules, 'rdflib imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_help_does_not_import_oxigraph():
    code = (
        "import sys; from evkg.cli import main; sys.argv = ['evkg', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert not {'pyoxigraph', 'oxrdflib'} & set(sys.modules), 'Oxigraph imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


# ------------------------------------------------------------------ query


def test_query_table(runner):
    result = runner.invoke(cli, ["query", "SELECT ?label WHERE { company:catl rdfs:label ?label }"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["label", "-----", "CATL", "", "(1 row)"]


def test_query_json_is_w3c_results_format(runner):
    result = runner.invoke(cli, ["query", "--format", "json", "SELECT ?c WHERE { country:cn skos:notation ?c }"])
    data = json.loads(result.output)
    assert data["head"]["vars"] == ["c"]
    assert data["results"]["bindings"][0]["c"]["value"] == "CN"


def test_query_xml_csv_tsv(runner):
    q = "SELECT ?c WHERE { country:cn skos:notation ?c }"
    xml_out = runner.invoke(cli, ["query", "--format", "xml", q]).output
    root = ET.fromstring(xml_out)
    assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql"
    rows = list(csv.reader(io.StringIO(runner.invoke(cli, ["query", "--format", "csv", q]).output)))
    assert rows == [["c"], ["CN"]]
    assert runner.invoke(cli, ["query", "--format", "tsv", q]).output.splitlines() == ["?c", '"CN"']


def test_query_ask(runner):
    result = runner.invoke(cli, ["query", "ASK { company:catl a ev:BatteryMaker }"])
    assert result.output.strip() == "true"


def test_construct_gives_turtle_and_refuses_table_formats(runner):
    q = "CONSTRUCT { company:catl rdfs:label ?l } WHERE { company:catl rdfs:label ?l }"
    result = runner.invoke(cli, ["query", q])
    assert result.exit_code == 0
    assert '"CATL"@en' in result.output
    result = runner.invoke(cli, ["query", "--format", "nt", q])
    assert result.output.strip() == '<https://w3id.org/evkg/id/company/catl> <http://www.w3.org/2000/01/rdf-schema#label> "CATL"@en .'
    result = runner.invoke(cli, ["query", "--format", "csv", q])
    assert result.exit_code == 2
    assert "CONSTRUCT" in result.output and "turtle" in result.output


def test_query_from_file_and_stdin(runner, tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT ?n WHERE { country:pk skos:notation ?n }")
    assert "PK" in runner.invoke(cli, ["query", "-f", str(rq)]).output
    assert "PK" in runner.invoke(cli, ["query", "-"], input=rq.read_text()).output


def test_query_needs_exactly_one_source(runner):
    result = runner.invoke(cli, ["query"])
    assert result.exit_code == 2
    assert "exactly one" in result.output


def test_query_syntax_error_exit_2_with_position(runner):
    result = runner.invoke(cli, ["query", "SELECT ?x WHERE { ?x ?y }"])
    assert result.exit_code == 2
    assert "line 1, column" in result.output
    assert "Traceback" not in result.output


def test_list_examples_has_at_least_twelve(runner):
    result = runner.invoke(cli, ["query", "--list-examples"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) >= 12


@pytest.mark.parametrize("name", [e.name for e in list_examples()])
def test_every_example_runs_and_answers(runner, name):
    result = runner.invoke(cli, ["query", "--example", name, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data.get("boolean") is True or data["results"]["bindings"], f"{name} returned nothing"


def test_unknown_example_lists_names(runner):
    result = runner.invoke(cli, ["query", "--example", "nope"])
    assert result.exit_code == 2
    assert "catl-plants" in result.output


def test_query_output_file(runner, tmp_path):
    out = tmp_path / "r.csv"
    result = runner.invoke(cli, ["query", "--format", "csv", "-o", str(out), "SELECT ?c WHERE { country:cn skos:notation ?c }"])
    assert result.exit_code == 0
    assert out.read_text().splitlines() == ["c", "CN"]


# ------------------------------------------------------------------ show / search / stats


def test_show_text_has_quotes_and_sources(runner):
    result = runner.invoke(cli, ["show", "CATL"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("CATL  (battery maker)")
    assert "100 GWh" in result.output
    assert "Sources" in result.output


def test_show_json(runner):
    data = json.loads(runner.invoke(cli, ["show", "company:byd", "--format", "json"]).output)
    assert data["entity"]["label"] == "BYD"
    assert all("sources" in f for f in data["facts"])


def test_show_unknown_entity(runner):
    result = runner.invoke(cli, ["show", "Teslaa"])
    assert result.exit_code == 2
    assert "no entity is called 'Teslaa'" in result.output


def test_search(runner):
    result = runner.invoke(cli, ["search", "amperex"])
    assert result.exit_code == 0
    assert "CATL" in result.output.splitlines()[2]
    assert "No entity matches" in runner.invoke(cli, ["search", "zzzzqqq"]).output


def test_stats(runner):
    result = runner.invoke(cli, ["stats"])
    assert result.exit_code == 0
    assert "Entities by class" in result.output and "Named graphs" in result.output
    data = json.loads(runner.invoke(cli, ["stats", "--format", "json"]).output)
    assert data["triples"] > 1000


# ------------------------------------------------------------------ validate / data


def test_validate_seeds_exit_0(runner):
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def test_validate_invalid_file_exit_1(runner):
    result = runner.invoke(cli, ["--no-seeds", "validate", str(DATA / "invalid" / "one-partner.ttl")])
    assert result.exit_code == 1
    assert "at least two ev:partner" in result.output
    assert "https://example.org/jv" in result.output


def test_data_file_adds_facts(runner):
    result = runner.invoke(cli, ["--data", str(ROOT / "examples" / "my-facts.ttl"), "show", "Example Cells Ltd"])
    assert result.exit_code == 0, result.output
    assert "Example Cells plant" in result.output


def test_malformed_data_file_exit_2_with_line(runner):
    result = runner.invoke(cli, ["--data", str(DATA / "malformed.ttl"), "stats"])
    assert result.exit_code == 2
    assert "malformed.ttl, line 3" in result.output
    assert "Traceback" not in result.output


def test_missing_data_file(runner):
    result = runner.invoke(cli, ["--data", "no-such-file.ttl", "stats"])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_unknown_data_extension(runner, tmp_path):
    odd = tmp_path / "facts.xlsx"
    odd.write_text("x")
    result = runner.invoke(cli, ["--data", str(odd), "stats"])
    assert result.exit_code == 2
    assert "cannot tell the RDF format" in result.output


def test_unsafe_xml_exit_2(runner):
    result = runner.invoke(cli, ["--data", str(DATA / "billion-laughs.rdf"), "stats"])
    assert result.exit_code == 2
    assert "billion laughs" in result.output


def _readme_block(command: str) -> list[str]:
    """The output lines the README shows under ``$ command`` (up to the closing fence or
    the next prompt)."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(f"$ {command}") + 1
    block = []
    for line in lines[start:]:
        if line.startswith(("```", "$ ")):
            break
        block.append(line)
    return block


def test_the_readme_first_path_cites_background_knowledge_for_the_last_hop(runner):
    result = runner.invoke(cli, ["path", "Pakistan", "CATL"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Pakistan —aligned with→ China —home of→ CATL"
    assert lines[-1] == "  [3] home of: background knowledge, stated by no source in the graph"
    assert lines == _readme_block("evkg path Pakistan CATL")
