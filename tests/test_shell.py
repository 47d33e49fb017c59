"""evkg in the shell: -o FILE on every command that prints, - for standard input, shell
completion through click's protocol, tables that fit a terminal and never cut piped
values, units by their short names, and every query format the server offers."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

import pytest
from click.shell_completion import ShellComplete
from rdflib import Graph, URIRef

from evkg.cli import cli
from evkg.render.results import result_lines
from evkg.render.text import table

from .conftest import DATA

TINY = """\
@prefix ev: <https://w3id.org/evkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/sh/ember> a ev:Automaker ; rdfs:label "Ember Motors"@en .
<https://example.org/sh/emberline> a ev:BatteryMaker ; rdfs:label "Emberline Cells"@en .
"""

# ------------------------------------------------------------------ -o FILE

PRINTING = {
    "search": ["search", "catl", "--limit", "2"],
    "stats": ["stats"],
    "validate": ["validate"],
    "neighbors": ["neighbors", "Proton"],
    "depends": ["depends", "Indonesia"],
    "rank": ["rank", "--top", "3"],
    "show": ["show", "Proton"],
    "conflicts": ["conflicts"],
    "path": ["path", "Pakistan", "CATL"],
    "query": ["query", "--example", "catl-plants"],
}


def test_every_command_that_prints_has_an_output_option():
    lacking = {name for name, command in cli.commands.items()
               if name not in ("serve", "load") and "output" not in {p.name for p in command.params}}
    assert lacking == set()


@pytest.mark.parametrize("name", sorted(PRINTING))
def test_output_file_holds_what_standard_output_shows(runner, tmp_path, name):
    printed = runner.invoke(cli, PRINTING[name])
    assert printed.exit_code == 0, printed.output
    out = tmp_path / "out.txt"
    written = runner.invoke(cli, [*PRINTING[name], "-o", str(out)])
    assert written.exit_code == 0
    assert written.stdout == ""
    assert written.stderr == f"Wrote {out}\n"
    assert out.read_text(encoding="utf-8") == printed.stdout


# ------------------------------------------------------------------ standard input


def test_query_file_dash_reads_standard_input(runner):
    result = runner.invoke(cli, ["query", "-f", "-", "--format", "csv"],
                           input="SELECT ?label WHERE { company:catl rdfs:label ?label }")
    assert result.exit_code == 0
    assert result.stdout == "label\nCATL\n"


def test_data_dash_reads_turtle_from_standard_input(runner):
    result = runner.invoke(cli, ["--no-seeds", "--data", "-", "search", "ember", "--format", "json"], input=TINY)
    assert result.exit_code == 0, result.output
    assert [hit["label"] for hit in json.loads(result.stdout)] == ["Ember Motors", "Emberline Cells"]


def test_data_dash_guesses_json_ld(runner):
    doc = json.dumps({"@id": "https://example.org/sh/ash", "@type": "https://w3id.org/evkg/ontology#Automaker",
                      "http://www.w3.org/2000/01/rdf-schema#label": {"@value": "Ash Motors", "@language": "en"}})
    result = runner.invoke(cli, ["--no-seeds", "--data", "-", "show", "Ash Motors"], input=doc)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Ash Motors  (automaker)\n  https://example.org/sh/ash\n"


def test_data_format_names_the_format_of_standard_input(runner):
    line = '<https://example.org/sh/a> <http://www.w3.org/2000/01/rdf-schema#label> "A"@en <https://example.org/sh/g> .\n'
    result = runner.invoke(cli, ["--no-seeds", "--data-format", "nq", "--data", "-", "stats", "--format", "json"], input=line)
    assert result.exit_code == 0, result.output
    assert sorted(s["graph"] for s in json.loads(result.stdout)["by_source"]) == [
        "https://example.org/sh/g", "https://w3id.org/evkg/graph/ontology"]


def test_bad_standard_input_is_named_as_such(runner):
    result = runner.invoke(cli, ["--no-seeds", "--data", "-", "stats"], input="<https://example.org/x> <y> .\n")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: standard input (read as ttl), line 1: cannot parse as turtle")


def test_standard_input_is_read_once(runner):
    result = runner.invoke(cli, ["--data", "-", "validate", "-"], input=TINY)
    assert result.exit_code == 2
    assert "standard input (-) can be read once" in result.stderr


# ------------------------------------------------------------------ shell completion


def _completions(args: list[str], incomplete: str) -> list[str]:
    return [item.value for item in ShellComplete(cli, {}, "evkg", "_EVKG_COMPLETE").get_completions(args, incomplete)]


def test_entity_names_complete_from_the_data(tmp_path):
    data = tmp_path / "tiny.ttl"
    data.write_text(TINY, encoding="utf-8")
    assert _completions(["--no-seeds", "--data", str(data), "show"], "emb") == ["Ember Motors", "Emberline Cells"]
    assert _completions(["--no-seeds", "--data", str(data), "path", "Ember Motors"], "emberl") == ["Emberline Cells"]


def test_seed_entities_examples_classes_and_relations_complete():
    assert _completions(["show"], "toyota") == ["Toyota", "Toyota–BYD co-development", "Toyota–FAW alliance"]
    assert _completions(["query", "--example"], "catl") == ["catl-plants"]
    assert _completions(["rank", "--type"], "Co") == ["CoDevelopment", "Company", "Consultancy", "Country"]
    assert _completions(["neighbors", "BYD", "--relation"], "based") == ["based in"]
    assert _completions(["render", "--around"], "catl") == ["CATL", "CATL Germany battery cell plant", "CATL Hungary battery cell plant"]


def test_bash_completion_through_the_environment_escapes_spaces():
    """click's bash script reads each line with `read`, which takes one backslash away:
    bash then gets ``Toyota–BYD\\ co-development``, one word on the command line."""
    env = {**os.environ, "_EVKG_COMPLETE": "bash_complete", "COMP_WORDS": "evkg show Toyota", "COMP_CWORD": "2"}
    result = subprocess.run([sys.executable, "-m", "evkg"], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["plain,Toyota", "plain,Toyota–BYD\\\\ co-development", "plain,Toyota–FAW\\\\ alliance"]


def test_bash_completion_continues_an_escaped_name():
    env = {**os.environ, "_EVKG_COMPLETE": "bash_complete", "COMP_WORDS": "evkg show Toyota–BYD\\ co", "COMP_CWORD": "2"}
    result = subprocess.run([sys.executable, "-m", "evkg"], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["plain,Toyota–BYD\\\\ co-development"]


def test_a_completed_bash_word_is_the_name():
    """What bash gets after `read` (one backslash less) is the name, for the shell."""
    import shlex

    env = {**os.environ, "_EVKG_COMPLETE": "bash_complete", "COMP_WORDS": "evkg show Toyota–B", "COMP_CWORD": "2"}
    (line,) = subprocess.run([sys.executable, "-m", "evkg"], env=env, capture_output=True, text=True, check=True).stdout.splitlines()
    after_read = line.split(",", 1)[1].replace("\\\\", "\\")
    assert shlex.split(after_read) == ["Toyota–BYD co-development"]


def test_a_second_completion_reads_the_cache_without_rdflib():
    code = ("import sys; from evkg.completion import complete; "
            "print(complete('entities', 'Toyota')); print('rdflib' in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # fills the cache
    second = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert second.stdout == "['Toyota', 'Toyota–BYD co-development', 'Toyota–FAW alliance']\nFalse\n"


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o nosort -F _evkg_completion evkg"),
                                           ("zsh", "compdef _evkg_completion evkg"),
                                           ("fish", "complete --no-files --command evkg")])
def test_completion_scripts_for_each_shell(shell, marker):
    env = {**os.environ, "_EVKG_COMPLETE": f"{shell}_source"}
    result = subprocess.run([sys.executable, "-m", "evkg"], env=env, capture_output=True, text=True, check=True)
    assert marker in result.stdout


# ------------------------------------------------------------------ tables


QUOTE = "A long sentence that a source gives about a plant, its capacity and the year it opens."


def test_table_wraps_to_the_width_and_keeps_every_word():
    lines = list(table(["plant", "quote"], [["Ember plant", QUOTE]], width=50))
    assert lines == [
        "plant        quote",
        "-----------  -------------------------------------",
        "Ember plant  A long sentence that a source gives",
        "             about a plant, its capacity and the",
        "             year it opens.",
    ]


def test_table_without_a_width_never_cuts():
    lines = list(table(["plant", "quote"], [["Ember plant", QUOTE]]))
    assert lines[2] == f"Ember plant  {QUOTE}"


def test_query_table_shows_units_by_short_name():
    result = Graph().query(
        "SELECT ?unit WHERE { VALUES ?unit { <http://qudt.org/vocab/unit/GigaW-HR> <http://qudt.org/vocab/unit/CCY_EUR> "
        "<http://qudt.org/vocab/unit/NUM> } }"
    )
    assert list(result_lines(result, "table")) == ["unit", "--------", "GWh", "EUR", "unit:NUM", "", "(3 rows)"]


def _on_a_terminal(args: list[str], columns: int) -> str:
    """Run evkg with its standard output on a pseudo-terminal ``columns`` wide."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns)}
    process = subprocess.Popen([sys.executable, "-m", "evkg", *args], stdout=follower, stderr=subprocess.PIPE, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is done writing
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0, process.stderr.read()
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_query_table_fits_the_terminal_and_piped_output_is_whole(runner):
    shown = _on_a_terminal(["query", "--example", "catl-plants"], 100)
    assert max(len(line) for line in shown.splitlines()) <= 100
    assert "GWh" in shown and "unit:" not in shown
    piped = runner.invoke(cli, ["query", "--example", "catl-plants"]).stdout
    quotes = {line.split("  ")[-1] for line in piped.splitlines()[2:-2]}
    assert all(not q.endswith("…") for q in quotes)
    words = " ".join(shown.split())
    for quote in quotes:  # every word of each quote is on the terminal, wrapped
        assert all(word in words for word in quote.split())


# ------------------------------------------------------------------ query formats

CONSTRUCT = "CONSTRUCT { company:catl rdfs:label ?label } WHERE { company:catl rdfs:label ?label }"


@pytest.mark.parametrize("fmt", ["rdfxml", "xml"])
def test_construct_as_rdf_xml(runner, fmt):
    result = runner.invoke(cli, ["query", CONSTRUCT, "--format", fmt])
    assert result.exit_code == 0, result.output
    parsed = Graph().parse(data=result.stdout, format="xml")
    assert [str(o) for o in parsed.objects(URIRef("https://w3id.org/evkg/id/company/catl"))] == ["CATL"]


def test_rdf_xml_is_for_graph_results(runner):
    result = runner.invoke(cli, ["query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--format", "rdfxml"])
    assert result.exit_code == 2
    assert "is for CONSTRUCT/DESCRIBE results" in result.stderr


def test_query_json_ld_has_the_export_context(runner):
    queried = json.loads(runner.invoke(cli, ["query", CONSTRUCT, "--format", "jsonld"]).stdout)
    exported = json.loads(runner.invoke(cli, ["--no-seeds", "--data", str(DATA / "valid" / "minimal.ttl"),
                                              "export", "--format", "jsonld"]).stdout)
    assert queried["@context"] == exported["@context"]
    assert queried["@id"] == "company:catl"
