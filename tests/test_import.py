"""Importing CSV tables: the shipped samples import and conform, every bad cell is named by
row, column and value (exit 2, nothing written), and the same table gives the same bytes."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

import evkg
from benchmarks.import_bench import write_table
from evkg.cli import IMPORT_KINDS, cli
from evkg.errors import TableError
from evkg.ontology import EV, QUDT, UNIT, entity_iri
from evkg.ingest.tabular import KINDS, LAYOUTS, import_csv, known_units, serialize_graph

from .conftest import ROOT

SAMPLES = ROOT / "examples" / "import"
NOTES = "https://example.org/evkg/test-notes"
ARTICLE = "src:000_2f9e7fe2686975ec"
PROTON_QUOTE = (
    "Malaysia’s Proton launched its first EV earlier this year, developed with support "
    "from China’s Geely, which owns nearly half the company."
)

PLANT = {
    "name": "Example Test plant",
    "type": "battery cell plant",
    "operator": "Example Test Cells",
    "operator_type": "battery maker",
    "location": "Hungary",
    "status": "planned",
    "capacity": "2.5",
    "capacity_unit": "GWh",
    "target_year": "2026",
    "source": NOTES,
    "source_title": "Invented test notes",
    "source_date": "2026-01-15",
    "quote": "Example Test Cells plans a 2.5 GWh plant in Hungary.",
}
STAKE = {
    "owner": "Example Test Holding",
    "owner_type": "company",
    "owned": "Example Test Cells",
    "owned_type": "battery maker",
    "share_percent": "40",
    "source": NOTES,
    "source_title": "Invented test notes",
    "quote": "Example Test Holding owns 40% of Example Test Cells.",
}


def table(*rows: dict[str, str], columns: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns or list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def read(kb, text: str | bytes, kind: str):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_csv(kb, io.BytesIO(data), kind=kind, name="test.csv")


# ------------------------------------------------------------------ the samples


@pytest.fixture(scope="module")
def samples(kb):
    return {kind: import_csv(kb, SAMPLES / f"{kind}.csv", kind=kind) for kind in KINDS}


def test_a_sample_ships_for_every_kind():
    assert sorted(p.stem for p in SAMPLES.glob("*.csv")) == sorted(KINDS)
    assert IMPORT_KINDS == KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_sample_gives_one_sourced_quoted_fact_per_row(samples, kind):
    rdf = samples[kind]
    with open(SAMPLES / f"{kind}.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    facts = sorted(rdf.subjects(EV.quote, None))
    assert len(facts) == len(rows)
    for fact in facts:
        assert (fact, PROV.wasDerivedFrom, None) in rdf
        if (fact, RDF.type, EV.Evidence) in rdf:  # a sourced triple: its subject is named
            assert rdf.value(rdf.value(fact, RDF.subject), RDFS.label) is not None
        else:
            assert rdf.value(fact, RDFS.label) is not None


def test_samples_together_conform_with_the_seeds(samples, tmp_path):
    files = []
    for kind, rdf in samples.items():
        files.append(tmp_path / f"{kind}.ttl")
        files[-1].write_text(serialize_graph(rdf), encoding="utf-8")
    report = evkg.load(files).validate()
    assert report.conforms, "\n".join(f"{v.focus} {v.path} {v.message}" for v in report.violations)


def test_samples_name_only_invented_organizations(samples):
    """The samples state facts about example firms only, never about real ones."""
    for rdf in samples.values():
        for fact in rdf.subjects(EV.quote, None):
            for predicate in (EV.partner, EV.operator, EV.owner, EV.ownedEntity, EV.area, RDF.subject):
                for party in rdf.objects(fact, predicate):
                    assert str(rdf.value(party, RDFS.label)).startswith("Example "), party


def test_sample_maps_figures_units_statuses_and_dates(samples):
    rdf = samples["facilities"]
    plant = entity_iri("facility", "example-cells-hungary-plant")
    assert (plant, RDF.type, EV.BatteryCellPlant) in rdf
    assert (plant, EV.status, EV.UnderConstruction) in rdf
    assert (plant, EV.operator, entity_iri("company", "example-cells-ltd")) in rdf
    assert (plant, EV.locatedIn, entity_iri("country", "hu")) in rdf
    assert rdf.value(plant, EV.targetYear) == Literal("2026", datatype=XSD.gYear)
    capacity = rdf.value(plant, EV.capacity)
    assert rdf.value(capacity, QUDT.numericValue) == Literal("2.5", datatype=XSD.decimal)
    assert rdf.value(capacity, QUDT.hasUnit) == UNIT["GigaW-HR"]
    german = rdf.value(entity_iri("facility", "example-motors-germany-plant"), EV.capacity)
    assert rdf.value(german, QUDT.numericValue) == Literal("150000.0", datatype=XSD.decimal)
    source = URIRef("https://example.org/evkg/import-example")
    assert rdf.value(source, RDF.type) == EV.Source
    assert rdf.value(source, URIRef("http://purl.org/dc/terms/date")) == Literal("2026-01-15", datatype=XSD.date)


def test_imported_file_shows_up_in_show(runner, tmp_path):
    out = tmp_path / "plants.ttl"
    result = runner.invoke(cli, ["import", str(SAMPLES / "facilities.csv"), "--kind", "facilities", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Wrote {out} (3 rows, 47 triples)\n"
    shown = runner.invoke(cli, ["--data", str(out), "show", "Example Cells Hungary plant"])
    assert shown.exit_code == 0, shown.output
    assert "  • 2.5 GWh" in shown.output
    assert "“Example Cells Ltd is building a 2.5 GWh cell plant in Hungary, due to open in late 2026.”" in shown.output
    assert "Invented example notes for evkg import (not a real source)" in shown.output


# ------------------------------------------------------------------ resolving names


def test_labels_prefixed_names_and_article_ids_resolve(kb):
    row = {"owner": "Geely", "owned": "company:proton", "share_wording": "nearly half",
           "label": "Geely's stake in Proton, restated", "source": "000_2f9e7fe2686975ec", "quote": PROTON_QUOTE}
    rdf = read(kb, table(row), "ownership")
    stake = entity_iri("stake", "geelys-stake-in-proton-restated")
    assert (stake, EV.owner, entity_iri("company", "geely")) in rdf
    assert (stake, EV.ownedEntity, entity_iri("company", "proton")) in rdf
    assert (stake, PROV.wasDerivedFrom, URIRef("https://w3id.org/evkg/source/000_2f9e7fe2686975ec")) in rdf
    assert not list(rdf.subjects(RDF.type, EV.Source)), "a known source is not declared again"


def test_a_new_organization_is_declared_once_and_named_by_later_rows(kb):
    second = {**STAKE, "owner": "Example Test Fund", "owner_type": "company", "owned_type": "", "source_title": "",
              "quote": "Example Test Fund owns 10% of Example Test Cells.", "share_percent": "10"}
    rdf = read(kb, table(STAKE, second), "ownership")
    cells = entity_iri("company", "example-test-cells")
    assert list(rdf.objects(cells, RDF.type)) == [EV.BatteryMaker]
    assert len(list(rdf.subjects(EV.ownedEntity, cells))) == 2


def test_a_2000_row_table_gives_one_fact_per_row(kb):
    rows = []
    for n in range(2000):
        operator, operator_type = (f"Example Row Cells {n}", "battery maker") if n % 2 else (("CATL", "BYD")[n % 4 // 2], "")
        rows.append({**PLANT, "name": f"Example Row plant {n}", "operator": operator, "operator_type": operator_type,
                     "location": ("Hungary", "China")[n % 2], "capacity": f"{n % 50}.5",
                     "source_title": PLANT["source_title"] if n == 0 else "", "source_date": PLANT["source_date"] if n == 0 else "",
                     "quote": f"{operator} plans Example Row plant {n}, rated at {n % 50}.5 GWh."})
    rdf = read(kb, table(*rows), "facilities")
    plants = set(rdf.subjects(RDF.type, EV.BatteryCellPlant))
    assert len(plants) == 2000
    assert {str(rdf.value(p, RDFS.label)) for p in plants} == {f"Example Row plant {n}" for n in range(2000)}
    assert all(rdf.value(p, EV.quote) is not None and rdf.value(p, PROV.wasDerivedFrom) == URIRef(NOTES) for p in plants)
    assert len(set(rdf.subjects(RDF.type, EV.BatteryMaker))) == 1000
    assert (entity_iri("facility", "example-row-plant-0"), EV.operator, entity_iri("company", "catl")) in rdf
    assert len(set(rdf.subjects(EV.quote, None))) == 2000


def test_turtle_names_blank_nodes_as_the_canonical_export_does(kb):
    from evkg.export import serialize_dataset
    from evkg.ingest.tabular import _OUTPUT_PREFIXES
    from evkg.loading import default_graph
    from rdflib import Dataset

    again = {**HOME, "source_title": ""}  # the same statement with the same quote: blank nodes alike
    other = {**HOME, "organization": "Example Test Drives", "organization_type": "technology firm", "country": "China",
             "source_title": "", "quote": "Example Test Drives, a Chinese supplier, makes motors."}
    for kind, text in [
        ("based-in", table(HOME, again, other, again, {**other, "country": "Japan"})),
        ("observations", (SAMPLES / "observations.csv").read_text(encoding="utf-8")),
        ("facilities", (SAMPLES / "facilities.csv").read_text(encoding="utf-8")),
    ]:
        rdf = read(kb, text, kind)
        dataset = Dataset()
        default_graph(dataset).__iadd__(rdf)
        assert serialize_graph(rdf) == serialize_dataset(dataset, "ttl", prefixes=_OUTPUT_PREFIXES), kind


def _rdflib_and_ours(triples, bind) -> tuple[str, str]:
    """rdflib's longturtle of ``triples`` and that of :func:`tabular._longturtle`, each
    with a graph of its own bound by ``bind``."""
    from rdflib import Graph

    from evkg.ingest import tabular

    theirs, ours = Graph(store="SimpleMemory"), Graph(store="SimpleMemory")
    bind(theirs)
    bind(ours)
    for triple in triples:
        theirs.add(triple)
    return theirs.serialize(format="longturtle"), tabular._longturtle(triples, ours)


def _never(*args):
    raise AssertionError("left to rdflib")


@pytest.mark.parametrize("kind", KINDS)
def test_turtle_writer_gives_rdflibs_longturtle_bytes_for_imports(kb, monkeypatch, tmp_path, kind):
    from evkg.ingest import tabular

    monkeypatch.setattr(tabular, "_rdflib_longturtle", _never)
    for data in [(SAMPLES / f"{kind}.csv").read_bytes(), write_table(kind, 40, tmp_path / "bench.csv").read_bytes()]:
        rdf = read(kb, data, kind)
        labels = tabular._canonical_labels(rdf)
        rename = {node: BNode(f"g0b{n}") for n, node in enumerate(sorted(labels, key=labels.__getitem__))}
        triples = [(rename.get(s, s), p, rename.get(o, o)) for s, p, o in rdf]

        def bind(graph):
            for prefix, namespace in tabular._OUTPUT_PREFIXES.items():
                graph.bind(prefix, namespace)

        theirs, ours = _rdflib_and_ours(triples, bind)
        assert ours == theirs, kind
        assert serialize_graph(rdf) == ours


def test_turtle_writer_gives_rdflibs_longturtle_bytes_for_the_export(kb, monkeypatch):
    from evkg.export import canonical_graphs
    from evkg.ingest import tabular
    from evkg.ontology import PREFIXES

    monkeypatch.setattr(tabular, "_rdflib_longturtle", _never)
    triples = list(dict.fromkeys(t for graph in canonical_graphs(kb.dataset, PREFIXES) for t in graph))

    def bind(graph):
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)

    theirs, ours = _rdflib_and_ours(triples, bind)
    assert ours == theirs
    assert ours == kb.serialize("ttl")


def test_turtle_writer_names_iris_as_rdflib_does_with_prefixes_it_makes(monkeypatch):
    """A predicate in no bound namespace gets a prefix made for it (ns1), which subjects
    and objects in that namespace then use too, as in rdflib."""
    from evkg.ingest import tabular

    monkeypatch.setattr(tabular, "_rdflib_longturtle", _never)
    value = BNode()
    triples = [
        (URIRef("urn:x:s"), URIRef("urn:x:p"), URIRef("urn:x:o")),
        (URIRef("urn:x:s"), URIRef("urn:x:p"), value),
        (URIRef("urn:x:s"), RDFS.label, Literal("s", lang="en")),
        (value, RDF.type, URIRef("urn:x:C")),
        (value, URIRef("urn:y:q"), Literal("1.50", datatype=XSD.decimal)),
        (value, URIRef("urn:y:q"), Literal("x", datatype=URIRef("urn:z:dt"))),
        (BNode(), URIRef("urn:x:p"), value),
    ]
    theirs, ours = _rdflib_and_ours(triples, lambda graph: None)
    assert ours == theirs and "ns1:s" in ours


def test_turtle_writer_leaves_lists_to_rdflib():
    from rdflib import Graph
    from rdflib.collection import Collection

    from evkg.ingest import tabular

    rdf = Graph(store="SimpleMemory")
    head = BNode()
    Collection(rdf, head, [Literal(1), Literal(2)])
    rdf.add((URIRef("urn:x:s"), URIRef("urn:x:p"), head))
    theirs, ours = _rdflib_and_ours(list(rdf), lambda graph: None)
    assert ours == theirs and "( 1 2 )" in " ".join(ours.split())


def test_bom_semicolons_and_spreadsheet_headers_are_read(kb):
    text = table(STAKE).replace(",", ";").replace("share_percent", "Share Percent")
    rdf = read(kb, b"\xef\xbb\xbf" + text.encode("utf-8"), "ownership")
    assert len(rdf) == len(read(kb, table(STAKE), "ownership"))


def test_standard_input(runner):
    result = runner.invoke(cli, ["import", "-", "--kind", "ownership"], input=table(STAKE).encode())
    assert result.exit_code == 0, result.output
    assert "stake:example-test-holdings-stake-in-example-test-cells" in result.stdout


# ------------------------------------------------------------------ errors


ERRORS = {
    "bad unit": ("facilities", PLANT, {"capacity_unit": "furlongs"},
                 ["row 2, column capacity_unit, value 'furlongs': unknown unit", "GWh (unit:GigaW-HR)",
                  "or any ISO 4217 currency code"]),
    "unknown entity": ("facilities", PLANT, {"operator": "CATLL", "operator_type": ""},
                       ["row 2, column operator, value 'CATLL': no entity has this name. Did you mean: CATL?",
                        "give its class in operator_type"]),
    "share 120": ("ownership", STAKE, {"share_percent": "120"},
                  ["row 2, column share_percent, value '120': ev:sharePercent is one xsd:decimal from 0 to 100."]),
    "bad date": ("facilities", PLANT, {"source_date": "2025-02-30"},
                 ["row 2, column source_date, value '2025-02-30': not a date"]),
    "bad year": ("facilities", PLANT, {"target_year": "20x6"}, ["row 2, column target_year, value '20x6': not a year"]),
    "bad status": ("facilities", PLANT, {"status": "almost done"},
                   ["row 2, column status, value 'almost done': not in the scheme of facility and project statuses",
                    "active, announced, operating, planned, under construction"]),
    "empty quote": ("facilities", PLANT, {"quote": ""}, ["row 2, column quote (empty): every fact needs the sentence"]),
    "short quote": ("facilities", PLANT, {"quote": "Short."}, ["row 2, column quote, value 'Short.': A fact needs ev:quote"]),
    "not a number": ("facilities", PLANT, {"capacity": "2.5 GWh"}, ["row 2, column capacity, value '2.5 GWh': not a number"]),
    "number without unit": ("facilities", PLANT, {"capacity_unit": ""}, ["row 2, column capacity_unit (empty): a number needs its unit"]),
    "no share": ("ownership", STAKE, {"share_percent": ""}, ["row 2, column share_percent (empty): a stake needs its share"]),
    "wrong kind of entity": ("ownership", STAKE, {"owner": "Hungary", "owner_type": ""},
                             ["row 2, column owner, value 'Hungary': Hungary (country:hu) is a country; owner needs an organization."]),
    "type clash": ("ownership", STAKE, {"owner": "BYD", "owner_type": "battery maker"},
                   ["row 2, column owner_type, value 'battery maker': 'BYD' is already in the knowledge base as an automaker"]),
    "unknown class": ("ownership", STAKE, {"owner_type": "firm"},
                      ["row 2, column owner_type, value 'firm': not a kind of organization; use one of: automaker"]),
    "unknown source": ("ownership", STAKE, {"source": "src:nope", "source_title": ""},
                       ["row 2, column source, value 'src:nope': no source has this name"]),
    "new source without title": ("ownership", STAKE, {"source_title": ""},
                                 ["row 2, column source_title (empty): the new source https://example.org/evkg/test-notes needs a title"]),
    "label already taken": ("facilities", PLANT, {
        "name": "BYD Thailand plant", "type": "vehicle plant", "operator": "BYD", "operator_type": "",
        "location": "Thailand", "status": "", "capacity": "150000", "capacity_unit": "per year", "target_year": "",
        "source": ARTICLE, "source_title": "", "source_date": "",
        "quote": "In Thailand, BYD’s new factory, rated for 150,000 vehicles a year, is preparing to export plug-in hybrids to Europe.",
    }, ["row 2, column name, value 'BYD Thailand plant': the name gives facility:byd-thailand-plant, "
        "which the knowledge base already has; give the row its own name."]),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_bad_cell_is_named_and_nothing_is_written(runner, tmp_path, case):
    kind, base, changes, expected = ERRORS[case]
    source = tmp_path / "table.csv"
    source.write_text(table({**base, **changes}), encoding="utf-8")
    out = tmp_path / "out.ttl"
    result = runner.invoke(cli, ["import", str(source), "--kind", kind, "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"Error: {source}: 1 problem; nothing was imported.\n"), result.output
    for fragment in expected:
        assert fragment in result.output
    assert not out.exists()


def test_every_problem_is_listed_in_row_order(kb):
    rows = [{**PLANT, "capacity_unit": "GWx"}, {**PLANT, "name": "Example Test plant 2", "status": "soon", "operator_type": ""}]
    with pytest.raises(TableError) as caught:
        read(kb, table(*rows), "facilities")
    assert [(p[0], p[1], p[2]) for p in caught.value.problems] == [(2, "capacity_unit", "GWx"), (3, "status", "soon")]
    assert str(caught.value).splitlines()[0] == "test.csv: 2 problems; nothing was imported."


def test_two_rows_minting_one_iri(kb):
    with pytest.raises(TableError) as caught:
        read(kb, table(STAKE, {**STAKE, "share_percent": "41"}), "ownership")
    (problem,) = caught.value.problems
    assert problem[:2] == (3, "label")
    assert "gives stake:example-test-holdings-stake-in-example-test-cells, as row 2 does" in problem[3]


@pytest.mark.parametrize(
    "header, expected",
    [
        ("owner,owned,share_percent,source", "missing required column: quote."),
        ("owner,owned,share_percent,source,quote,shares", "unknown column 'shares' (did you mean share_"),
        ("owner,owned,owned,source,quote", "repeated column: owned."),
    ],
)
def test_header_problems_are_listed(runner, tmp_path, header, expected):
    source = tmp_path / "stakes.csv"
    source.write_text(header + "\nExample A,Example B,10,https://example.org/x,Some sentence here.\n", encoding="utf-8")
    result = runner.invoke(cli, ["import", str(source), "--kind", "ownership", "-o", str(tmp_path / "out.ttl")])
    assert result.exit_code == 2
    assert f"Error: {source}: the header does not fit the ownership layout:" in result.output
    assert expected in result.output
    assert "required: owner, owned, source, quote" in result.output
    assert not (tmp_path / "out.ttl").exists()


def test_non_utf8_names_row_column_and_value(runner, tmp_path):
    source = tmp_path / "latin1.csv"
    source.write_bytes(table({**PLANT, "operator": "Café Example"}).encode("cp1252"))
    result = runner.invoke(cli, ["import", str(source), "--kind", "facilities", "-o", str(tmp_path / "out.ttl")])
    assert result.exit_code == 2
    assert "row 2, column operator, value 'Caf\ufffd Example': is not UTF-8 (byte 0xe9)." in result.output
    assert "CSV UTF-8" in result.output
    assert not (tmp_path / "out.ttl").exists()


def test_utf16_is_refused_with_advice(kb):
    with pytest.raises(TableError, match="is UTF-16, not UTF-8"):
        read(kb, table(STAKE).encode("utf-16"), "ownership")


def test_header_without_rows(kb):
    with pytest.raises(TableError, match="has a header but no rows"):
        read(kb, "owner,owned,share_percent,source,quote\n", "ownership")


# ------------------------------------------------------------------ output


def test_dry_run_prints_the_triples_and_writes_nothing(runner, tmp_path):
    out = tmp_path / "out.ttl"
    result = runner.invoke(cli, ["import", str(SAMPLES / "ownership.csv"), "--kind", "ownership", "--dry-run", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert not out.exists()
    assert "ev:sharePercent 51.0 ;" in result.stdout
    assert result.stderr == f"Dry run: 2 rows, 28 triples, all valid; {out} was not written.\n"


def test_same_table_gives_the_same_bytes(tmp_path):
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"run{seed}.ttl"
        subprocess.run(
            [sys.executable, "-m", "evkg", "import", str(SAMPLES / "observations.csv"), "--kind", "observations", "-o", str(out)],
            check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith(b"# Imported by `evkg import --kind observations` from observations.csv: 2 rows.\n")


def test_columns_describes_the_layout(runner):
    for kind in KINDS:
        result = runner.invoke(cli, ["import", "--kind", kind, "--columns"])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[0] == f"{kind}: {LAYOUTS[kind].help}"
        for column in LAYOUTS[kind].columns:
            assert any(line.split()[:1] == [column.name] for line in lines), column.name
        assert "  quote *" in result.output
        assert lines[-1].startswith("Units: ") and "GWh (unit:GigaW-HR)" in lines[-1]
        assert lines[-1].endswith(", or any ISO 4217 currency code (USD, EUR, CNY, JPY, KRW ... as unit:CCY_USD ...)")
        assert "  confidence  " in result.output


def test_known_units_are_the_unit_table_and_the_currencies_the_seeds_use(kb):
    assert known_units(kb) == {
        "%": "unit:PERCENT", "count": "unit:NUM", "GW": "unit:GigaW",
        "GWh": "unit:GigaW-HR", "kWh": "unit:KiloW-HR", "MW": "unit:MegaW", "MWh": "unit:MegaW-HR",
        "per year": "unit:NUM-PER-YR", "TWh": "unit:TeraW-HR", "USD": "unit:CCY_USD",
    }


@pytest.mark.parametrize(
    "unit, iri",
    [("MWh", UNIT["MegaW-HR"]), ("GW", UNIT["GigaW"]), ("EUR", UNIT["CCY_EUR"]), ("krw", UNIT["CCY_KRW"]),
     ("yuan", UNIT["CCY_CNY"]), ("unit:CCY_JPY", UNIT["CCY_JPY"]), ("gigawatt hours", UNIT["GigaW-HR"])],
)
def test_any_unit_of_the_unit_table_and_any_iso_currency_imports(kb, unit, iri):
    rdf = read(kb, table({**PLANT, "capacity_unit": unit}), "facilities")
    capacity = rdf.value(entity_iri("facility", "example-test-plant"), EV.capacity)
    assert rdf.value(capacity, QUDT.hasUnit) == iri


def test_no_file_is_a_usage_error(runner):
    result = runner.invoke(cli, ["import", "--kind", "ownership"])
    assert result.exit_code == 2
    assert "give the CSV FILE to import" in result.output


def test_the_library_depends_only_on_lower_layers():
    code = (
        "import sys, evkg.ingest.tabular; "
        "bad = sorted(m for m in sys.modules if m.startswith(('evkg.graph', 'evkg.render', 'evkg.server', 'evkg.cli'))); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------ home countries, places, new entities

HOME = {
    "organization": "Example Test Motors",
    "organization_type": "automaker",
    "country": "Japan",
    "source": NOTES,
    "source_title": "Invented test notes",
    "quote": "Example Test Motors, a Japanese carmaker, showed a new van.",
}
WHERE = {
    "place": "Example Test Valley",
    "place_type": "city",
    "country": "Hungary",
    "source": NOTES,
    "source_title": "Invented test notes",
    "quote": "Example Test Valley, a town in Hungary, will host the line.",
}
ENTITY = {
    "name": "Example Test Anodes",
    "class": "battery maker",
    "country": "Germany",
    "other_names": "ETA; Example Anodes",
    "source": NOTES,
    "source_title": "Invented test notes",
    "source_date": "2026-01-15",
    "quote": "Example Test Anodes, a German firm, makes anode material.",
}


def _evidence(rdf, subject, predicate, value):
    (node,) = [n for n in rdf.subjects(RDF.type, EV.Evidence)
               if (n, RDF.subject, subject) in rdf and (n, RDF.predicate, predicate) in rdf and (n, RDF.object, value) in rdf]
    return node


def test_based_in_states_the_home_country_with_its_quote(kb):
    known = {**HOME, "organization": "CATL", "organization_type": "", "country": "CN",
             "quote": "CATL, the Chinese cell maker, says so again."}
    rdf = read(kb, table(HOME, known), "based-in")
    motors, catl = entity_iri("company", "example-test-motors"), entity_iri("company", "catl")
    assert (motors, RDF.type, EV.Automaker) in rdf
    assert (motors, EV.basedIn, entity_iri("country", "jp")) in rdf
    assert (catl, EV.basedIn, entity_iri("country", "cn")) in rdf
    node = _evidence(rdf, catl, EV.basedIn, entity_iri("country", "cn"))
    assert rdf.value(node, EV.quote) == Literal("CATL, the Chinese cell maker, says so again.")
    assert rdf.value(node, PROV.wasDerivedFrom) == URIRef(NOTES)
    assert not list(rdf.objects(catl, RDFS.label)), "a known organization is not declared again"


def test_located_in_states_where_a_place_is(kb):
    known = {**WHERE, "place": "Shanghai", "place_type": "", "country": "China", "quote": "Shanghai is a city in China."}
    rdf = read(kb, table(WHERE, known), "located-in")
    valley = entity_iri("place", "example-test-valley")
    assert (valley, RDF.type, EV.Subdivision) in rdf
    assert (valley, EV.locatedIn, entity_iri("country", "hu")) in rdf
    _evidence(rdf, entity_iri("place", "shanghai"), EV.locatedIn, entity_iri("country", "cn"))
    region = read(kb, table({**WHERE, "place_type": "port", "country": "Southeast Asia"}), "located-in")
    assert (entity_iri("port", "example-test-valley"), EV.locatedIn, entity_iri("region", "southeast-asia")) in region


def test_entities_declares_organizations_and_places(kb):
    city = {**ENTITY, "name": "Example Test Town", "class": "city", "country": "Thailand", "other_names": "",
            "quote": "The plant is in Example Test Town in Thailand."}
    area = {**ENTITY, "name": "Example Test Coast", "class": "ev:Region", "country": "", "other_names": "",
            "quote": "Example Test Coast is a stretch of shore we made up."}
    rdf = read(kb, table(ENTITY, city, area), "entities")
    anodes = entity_iri("company", "example-test-anodes")
    assert set(rdf.objects(anodes, RDF.type)) == {EV.BatteryMaker}
    assert rdf.value(anodes, RDFS.label) == Literal("Example Test Anodes", lang="en")
    assert sorted(map(str, rdf.objects(anodes, URIRef("http://www.w3.org/2004/02/skos/core#altLabel")))) == ["ETA", "Example Anodes"]
    assert (anodes, EV.basedIn, entity_iri("country", "de")) in rdf
    assert rdf.value(_evidence(rdf, anodes, EV.basedIn, entity_iri("country", "de")), EV.quote) == Literal(ENTITY["quote"])
    town = entity_iri("place", "example-test-town")
    assert (town, RDF.type, EV.Subdivision) in rdf and (town, EV.locatedIn, entity_iri("country", "th")) in rdf
    coast = entity_iri("region", "example-test-coast")
    assert rdf.value(_evidence(rdf, coast, RDF.type, EV.Region), EV.quote) == Literal(area["quote"])


def test_a_place_of_entities_may_be_in_a_region_of_another_row(kb):
    coast = {**ENTITY, "name": "Example Test Coast", "class": "region", "country": "", "other_names": "",
             "quote": "Example Test Coast is a stretch of shore we made up."}
    bay = {**coast, "name": "Example Test Bay", "class": "port", "country": "Example Test Coast",
           "quote": "Example Test Bay lies on Example Test Coast."}
    rdf = read(kb, table(bay, coast), "entities")
    assert (entity_iri("port", "example-test-bay"), EV.locatedIn, entity_iri("region", "example-test-coast")) in rdf


def test_entities_then_facilities_naming_them(runner, tmp_path):
    entities = tmp_path / "entities.csv"
    entities.write_text(table(ENTITY, {**ENTITY, "name": "Example Test Town", "class": "city", "country": "Hungary",
                                       "other_names": "", "quote": "The works are in Example Test Town, Hungary."}),
                        encoding="utf-8")
    declared = tmp_path / "entities.ttl"
    result = runner.invoke(cli, ["import", str(entities), "--kind", "entities", "-o", str(declared)])
    assert result.exit_code == 0, result.output
    plants = tmp_path / "facilities.csv"
    plants.write_text(table({**PLANT, "operator": "ETA", "operator_type": "", "location": "Example Test Town",
                             "quote": "ETA plans a 2.5 GWh plant in Example Test Town."}), encoding="utf-8")
    facts = tmp_path / "facilities.ttl"
    result = runner.invoke(cli, ["--data", str(declared), "import", str(plants), "--kind", "facilities", "-o", str(facts)])
    assert result.exit_code == 0, result.output
    text = facts.read_text(encoding="utf-8")
    assert "Invented test notes" not in text, "the source of the first table is not declared again"
    assert "ev:locatedIn place:example-test-town ;" in text
    assert "ev:operator company:example-test-anodes ;" in text
    report = evkg.load([declared, facts]).validate()
    assert report.conforms, [v.message for v in report.violations]
    shown = runner.invoke(cli, ["--data", str(declared), "--data", str(facts), "show", "Example Test Town"])
    assert shown.exit_code == 0, shown.output
    assert "Example Test plant" in shown.output


@pytest.mark.parametrize("kind, row", [("based-in", HOME), ("located-in", WHERE), ("entities", ENTITY), ("ownership", STAKE)])
def test_the_confidence_column_is_ignored(kb, kind, row):
    plain = serialize_graph(read(kb, table(row), kind))
    for value in ("0.35", "", "not a number"):
        assert serialize_graph(read(kb, table({**row, "confidence": value}), kind)) == plain


NEW_KIND_ERRORS = {
    "home not a country": ("based-in", HOME, {"country": "Southeast Asia"},
                           ["row 2, column country, value 'Southeast Asia': Southeast Asia (region:southeast-asia) is a region; country needs a country."]),
    "organization is a country": ("based-in", HOME, {"organization": "Japan", "organization_type": ""},
                                  ["row 2, column organization, value 'Japan': Japan (country:jp) is a country; organization needs an organization."]),
    "unknown organization": ("based-in", HOME, {"organization": "Example Nobody", "organization_type": ""},
                             ["row 2, column organization, value 'Example Nobody': no entity has this name.",
                              "To add a new organization, give its class in organization_type."]),
    "no home": ("based-in", HOME, {"country": ""}, ["row 2, column country (empty): is required"]),
    "place is a country": ("located-in", WHERE, {"place": "Vietnam", "place_type": ""},
                           ["row 2, column place, value 'Vietnam': Vietnam (country:vn) is a country; place needs"]),
    "unknown place class": ("located-in", WHERE, {"place_type": "volcano"},
                            ["row 2, column place_type, value 'volcano': not a kind of place a new entity can have"]),
    "unknown place": ("located-in", WHERE, {"place_type": ""},
                      ["row 2, column place, value 'Example Test Valley': no entity has this name.",
                       "To add a new place, give its class in place_type."]),
    "in a company": ("located-in", WHERE, {"country": "BYD"},
                     ["row 2, column country, value 'BYD': BYD (company:byd) is an automaker; country needs a place."]),
    "unknown class": ("entities", ENTITY, {"class": "gizmo"},
                      ["row 2, column class, value 'gizmo': not a class a new entity can have; use one of: automaker"]),
    "a new country": ("entities", ENTITY, {"class": "country"},
                      ["row 2, column class, value 'country': not a class a new entity can have"]),
    "already known": ("entities", ENTITY, {"name": "CATL"},
                      ["row 2, column name, value 'CATL': the knowledge base already has 'CATL' (company:catl, a battery maker)"]),
    "city without country": ("entities", ENTITY, {"class": "city", "country": ""},
                             ["row 2, column country (empty): a subdivision needs the country (or region) it is in."]),
    "organization in a region": ("entities", ENTITY, {"country": "Europe"},
                                 ["row 2, column country, value 'Europe': Europe (region:europe) is a region; country needs a country."]),
    "entity without quote": ("entities", ENTITY, {"quote": ""}, ["row 2, column quote (empty): every fact needs the sentence"]),
}


@pytest.mark.parametrize("case", sorted(NEW_KIND_ERRORS))
def test_bad_cell_of_a_new_kind_is_named(runner, tmp_path, case):
    kind, base, changes, expected = NEW_KIND_ERRORS[case]
    source = tmp_path / "table.csv"
    source.write_text(table({**base, **changes}), encoding="utf-8")
    out = tmp_path / "out.ttl"
    result = runner.invoke(cli, ["import", str(source), "--kind", kind, "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"Error: {source}: 1 problem; nothing was imported.\n"), result.output
    for fragment in expected:
        assert fragment in result.output, result.output
    assert not out.exists()


def test_an_entity_declared_twice(kb):
    with pytest.raises(TableError) as caught:
        read(kb, table(ENTITY, {**ENTITY, "quote": "Example Test Anodes is named again here."}), "entities")
    (problem,) = caught.value.problems
    assert problem[:3] == (3, "name", "Example Test Anodes")
    assert "row 2 declares 'Example Test Anodes' already" in problem[3]


@pytest.mark.parametrize(
    "indicator, concept",
    [("investment", EV.InvestmentAmount), ("EV sales", EV.ElectricVehicleSales), ("market share", EV.MarketShare),
     ("revenue", EV.Revenue), ("battery production capacity", EV.BatteryProductionCapacity), ("exports", EV.Exports)],
)
def test_general_indicators_import_by_label_or_other_name(kb, indicator, concept):
    row = {"area": "Example Test Motors", "area_type": "automaker", "indicator": indicator, "value": "4.1",
           "unit": "EUR", "year": "2026", "source": NOTES, "source_title": "Invented test notes",
           "quote": "Example Test Motors reported a figure of 4.1 for the year."}
    rdf = read(kb, table(row), "observations")
    (observation,) = rdf.subjects(RDF.type, EV.Observation)
    assert rdf.value(observation, EV.indicator) == concept
    assert rdf.value(rdf.value(observation, EV.value), QUDT.hasUnit) == UNIT["CCY_EUR"]


# ------------------------------------------------------------------ the shapes, quickly and whole


def _mapped(kb, kind: str, text: str):
    """The import of ``text`` up to the SHACL check, which is left to the test."""
    from evkg.ingest import tabular

    job = tabular._Import(kb, LAYOUTS[kind], "test.csv")
    job._check_shapes = lambda: None
    job.run(*tabular._read_rows(text.encode("utf-8"), "test.csv"))
    return job


def _mutations(rdf, seed: str, count: int):
    """``count`` graphs, each ``rdf`` with one triple removed, given a second value, or its
    object replaced by a term that breaks a class, datatype, language or length rule."""
    import random

    from rdflib import BNode

    triples = sorted(rdf, key=lambda t: tuple(x.n3() for x in t))
    wrong = [URIRef("https://w3id.org/evkg/id/country/hu"), EV.Facility, Literal("x", lang="de"),
             Literal("2026", datatype=XSD.integer), Literal("short"), BNode()]
    pick = random.Random(seed)
    for _ in range(count):
        s, p, o = pick.choice(triples)
        how = pick.randrange(3)
        changed = set(rdf) - {(s, p, o)}
        if how == 1:
            changed.add((s, p, pick.choice(wrong)))
        elif how == 2:
            changed |= {(s, p, o), (s, p, pick.choice(wrong))}
        yield changed


@pytest.mark.parametrize("kind", KINDS)
def test_the_quick_shape_check_never_passes_what_pyshacl_reports(kb, kind):
    from rdflib import Graph

    from evkg.ingest import tabular

    job = _mapped(kb, kind, (SAMPLES / f"{kind}.csv").read_text(encoding="utf-8"))
    assert tabular._conforms(tabular._DataView(job)), "a valid table needs no pyshacl run"
    original, reported = job.rdf, 0
    for triples in _mutations(original, kind, 40):
        job.rdf, job.problems = Graph(), []
        for triple in triples:
            job.rdf.add(triple)
        view = tabular._DataView(job)
        job._report_shapes(view)
        if job.problems:
            reported += 1
            assert not tabular._conforms(view), (kind, job.problems)
    assert reported >= 10, "the mutations break the shapes often enough to test the check"


SHAPE_ERRORS = {case: ERRORS[case] for case in ("short quote", "share 120")} | {
    "short evidence quote": ("based-in", HOME, {"quote": "Japan."}, ["row 2, column quote, value 'Japan.': A fact needs ev:quote"]),
    "short entity quote": ("entities", ENTITY, {"quote": "Anodes."}, ["row 2, column quote, value 'Anodes.': A fact needs ev:quote"]),
    "short place quote": ("located-in", WHERE, {"quote": "A town."}, ["row 2, column quote, value 'A town.': A fact needs ev:quote"]),
    "short alliance quote": ("alliances", None, {"quote": "Allies."}, ["row 2, column quote, value 'Allies.': A fact needs ev:quote"]),
    "short observation quote": ("observations", None, {"quote": "Sales."}, ["row 2, column quote, value 'Sales.': A fact needs ev:quote"]),
}


def _sample_row(kind: str) -> dict[str, str]:
    with (SAMPLES / f"{kind}.csv").open(encoding="utf-8", newline="") as rows:
        return next(csv.DictReader(rows))


@pytest.mark.parametrize("case", sorted(SHAPE_ERRORS))
def test_shape_problems_are_those_of_pyshacl_on_the_whole_data_graph(kb, monkeypatch, case):
    from evkg.ingest import tabular

    kind, base, changes, expected = SHAPE_ERRORS[case]
    text = table({**(base or _sample_row(kind)), **changes})
    with pytest.raises(TableError) as quick:
        read(kb, text, kind)
    monkeypatch.setattr(tabular, "_conforms", lambda view: False)
    with pytest.raises(TableError) as whole:
        read(kb, text, kind)
    assert quick.value.problems == whole.value.problems
    assert [p[:2] for p in quick.value.problems] == [(2, "quote" if "quote" in case else "share_percent")]
    for fragment in expected:
        assert fragment in str(quick.value)


def test_a_bad_row_among_2000_is_named_by_its_number(kb, monkeypatch):
    import pyshacl

    rows = [{**HOME, "organization": f"Example Row Motors {n}", "source_title": HOME["source_title"] if n == 0 else "",
             "quote": f"Example Row Motors {n}, a Japanese carmaker, showed a new van."} for n in range(2_000)]
    rows[1_543] = {**rows[1_543], "quote": "A van."}
    calls = []
    validate = pyshacl.validate
    monkeypatch.setattr(pyshacl, "validate", lambda *a, **k: calls.append(1) or validate(*a, **k))
    with pytest.raises(TableError) as caught:
        read(kb, table(*rows), "based-in")
    assert [p[:3] for p in caught.value.problems] == [(1_545, "quote", "A van.")]
    assert "A fact needs ev:quote" in caught.value.problems[0][3]
    assert calls == [1]
