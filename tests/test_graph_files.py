"""The graph exports open in the tools users have: GraphML in graphology (run by node) and
networkx, GEXF 1.3 valid against the format's schema and styled as the HTML pages (class
colours, sizes by degree, layout positions), CSV in the layout of Gephi's spreadsheet
import."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest
from lxml import etree

from evkg.cli import cli
from evkg.graph import edge_id, graph_of, graph_to_csv_tables, graph_to_text, graph_view
from evkg.graph.style import class_families
from evkg.render.html import page_data

ROOT = Path(__file__).resolve().parent.parent
GRAPHOLOGY = ROOT / "tests" / "graphology"
GEXF_XSD = ROOT / "tests" / "data" / "gexf-1.3" / "gexf.xsd"
GEXF = "{http://gexf.net/1.3}"
CATL = "https://w3id.org/evkg/id/company/catl"


def families_of(kb, G):
    return class_families(kb, (d["type"] for _, d in G.nodes(data=True)))


@pytest.fixture(scope="module")
def whole(kb):
    return graph_of(kb)


@pytest.fixture(scope="module")
def gexf(kb, whole):
    return graph_to_text(whole, "gexf", families=families_of(kb, whole))


def graphology(path: Path, node: str = "", edge: str = "") -> dict:
    """What graphology's own parser (graphology-graphml or graphology-gexf) reads."""
    program = shutil.which("node")
    assert program, "node is needed: run tests/install-deps.sh"
    assert (GRAPHOLOGY / "node_modules" / "graphology-graphml").is_dir(), "run tests/install-deps.sh (npm ci in tests/graphology)"
    run = subprocess.run([program, str(GRAPHOLOGY / "read.mjs"), str(path), node, edge],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def small_graph() -> nx.MultiDiGraph:
    """Two edges of one predicate between different pairs, two predicates between one
    pair, and labels that XML must escape or cannot hold."""
    G = nx.MultiDiGraph()
    for name, label in [("a", 'Alpha & "Sons" <Ltd>'), ("b", "Beta\tworks\x0b"), ("c", "Gamma")]:
        G.add_node(f"urn:x:{name}", label=label, type="urn:x:Firm", type_label="firm", country=None, fact=False, sources=[])
    for u, v, p in [("a", "b", "supplies"), ("c", "b", "supplies"), ("a", "b", "owns")]:
        G.add_edge(f"urn:x:{u}", f"urn:x:{v}", key=f"urn:x:{p}", predicate=f"urn:x:{p}", label=p,
                   dependency="urn:x#NoDependency", graphs=["urn:g:1", "urn:g:2"] if p == "owns" else ["urn:g:1"], sources=[])
    return G


# --------------------------------------------------------------------------- GraphML


def test_graphml_edges_have_their_own_ids_and_keep_the_predicate(whole):
    root = etree.fromstring(graph_to_text(whole, "graphml").encode())
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = {k.get("attr.name"): k.get("id") for k in root.findall("g:key[@for='edge']", ns)}
    edges = root.findall(".//g:edge", ns)
    ids = [e.get("id") for e in edges]
    assert len(ids) == whole.number_of_edges() == len(set(ids))
    expected = {edge_id(u, v, k, d["predicate"]) for u, v, k, d in whole.edges(keys=True, data=True)}
    assert set(ids) == expected
    predicates = {e.find(f"g:data[@key='{keys['predicate']}']", ns).text for e in edges}
    assert predicates == {d["predicate"] for *_, d in whole.edges(keys=True, data=True)}


def test_graphml_reads_back_in_networkx(whole):
    back = nx.read_graphml(io.BytesIO(graph_to_text(whole, "graphml").encode()), force_multigraph=True)
    assert set(back.nodes) == set(whole.nodes)
    assert back.number_of_edges() == whole.number_of_edges()
    owner = next((u, v, k, d) for u, v, k, d in whole.edges(keys=True, data=True) if u == CATL)
    read = back.edges[owner[0], owner[1], edge_id(*owner[:3], owner[3]["predicate"])]
    assert read["predicate"] == owner[3]["predicate"]
    assert read["label"] == owner[3]["label"]
    assert read["weight"] == len(owner[3]["graphs"])


def test_graphml_opens_in_graphology(whole, tmp_path):
    path = tmp_path / "evkg.graphml"
    path.write_text(graph_to_text(whole, "graphml"), encoding="utf-8")
    u, v, key, data = next(iter(sorted(whole.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))))
    read = graphology(path, CATL, edge_id(u, v, key, data["predicate"]))
    assert (read["nodes"], read["edges"]) == (whole.number_of_nodes(), whole.number_of_edges())
    assert read["node"]["label"] == "CATL"
    assert (read["edge"]["source"], read["edge"]["target"], read["edge"]["predicate"]) == (u, v, data["predicate"])


def test_graphml_of_a_predicate_shared_by_several_pairs_opens_in_graphology(tmp_path):
    path = tmp_path / "small.graphml"
    path.write_text(graph_to_text(small_graph(), "graphml"), encoding="utf-8")
    read = graphology(path, "urn:x:a")
    assert (read["nodes"], read["edges"]) == (3, 3)
    assert read["node"]["label"] == 'Alpha & "Sons" <Ltd>'


# --------------------------------------------------------------------------- GEXF


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(GEXF_XSD)))


def test_gexf_is_valid_gexf_1_3(gexf, schema):
    document = etree.fromstring(gexf.encode())
    assert schema.validate(document), schema.error_log
    assert document.get("version") == "1.3"


def test_gexf_with_characters_xml_must_escape_is_valid(schema):
    text = graph_to_text(small_graph(), "gexf")
    assert schema.validate(etree.fromstring(text.encode())), schema.error_log
    back = nx.read_gexf(io.BytesIO(text.encode()))
    assert back.nodes["urn:x:a"]["label"] == 'Alpha & "Sons" <Ltd>'
    assert back.nodes["urn:x:b"]["label"] == "Beta\tworks\ufffd"  # no vertical tab in XML 1.0
    assert sorted(d["label"] for *_, d in back.edges(data=True)) == ["owns", "supplies", "supplies"]


def test_gexf_reads_back_in_networkx(whole, gexf):
    back = nx.read_gexf(io.BytesIO(gexf.encode()))
    assert isinstance(back, nx.MultiDiGraph)
    assert set(back.nodes) == set(whole.nodes)
    assert back.number_of_edges() == whole.number_of_edges()
    assert back.nodes[CATL]["label"] == "CATL"
    assert back.nodes[CATL]["type_label"] == "battery maker"
    assert back.nodes[CATL]["fact"] is False


def test_gexf_draws_the_graph_as_the_html_page(kb, gexf):
    page = page_data(graph_view(kb))
    colour = {c["iri"]: c["color"] for c in page["classes"]}
    drawn = {n["id"]: n for n in page["nodes"]}
    nodes = etree.fromstring(gexf.encode()).findall(f".//{GEXF}node")
    assert len(nodes) == len(drawn)
    for node in nodes:
        html = drawn[node.get("id")]
        klass = page["classes"][html["cls"]]["iri"]
        c = node.find(f"{GEXF}color")
        assert "#{:02x}{:02x}{:02x}".format(*(int(c.get(k)) for k in "rgb")) == colour[klass]
        assert float(node.find(f"{GEXF}size").get("value")) == html["size"]
        position = node.find(f"{GEXF}position")
        # The page rounds to pixels, and its y axis points down where Gephi's points up.
        assert abs(float(position.get("x")) - html["x"]) <= 0.5
        assert abs(-float(position.get("y")) - html["y"]) <= 0.5
    catl = next(n for n in nodes if n.get("id") == CATL)
    assert catl.find(f"{GEXF}color").attrib == {"r": "74", "g": "144", "b": "217"}  # battery makers' blue


def test_gexf_opens_styled_in_graphology(whole, gexf, tmp_path):
    path = tmp_path / "evkg.gexf"
    path.write_text(gexf, encoding="utf-8")
    read = graphology(path, CATL)
    assert (read["nodes"], read["edges"]) == (whole.number_of_nodes(), whole.number_of_edges())
    node = etree.fromstring(gexf.encode()).find(f".//{GEXF}node[@id='{CATL}']")
    position = node.find(f"{GEXF}position")
    assert read["node"]["label"] == "CATL"
    assert read["node"]["color"] == "rgb(74,144,217)"
    assert read["node"]["size"] == float(node.find(f"{GEXF}size").get("value"))
    assert (read["node"]["x"], read["node"]["y"]) == (float(position.get("x")), float(position.get("y")))


def test_gexf_edges_carry_id_label_weight_and_predicate(whole, gexf):
    edges = etree.fromstring(gexf.encode()).findall(f".//{GEXF}edge")
    assert len({e.get("id") for e in edges}) == whole.number_of_edges()
    u, v, key, data = next((u, v, k, d) for u, v, k, d in whole.edges(keys=True, data=True) if len(d["graphs"]) > 1)
    edge = next(e for e in edges if e.get("id") == edge_id(u, v, key, data["predicate"]))
    assert (edge.get("source"), edge.get("target"), edge.get("label")) == (u, v, data["label"])
    assert float(edge.get("weight")) == len(data["graphs"])
    values = {a.get("for"): a.get("value") for a in edge.iter(f"{GEXF}attvalue")}
    assert values["predicate"] == data["predicate"]


def test_gexf_export_is_the_same_bytes_every_time(runner, tmp_path):
    first, second = tmp_path / "a.gexf", tmp_path / "b.gexf"
    for path in (first, second):
        result = runner.invoke(cli, ["export", "--format", "gexf", "-o", str(path)])
        assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()
    assert b"lastmodifieddate" not in first.read_bytes()


def test_collapsed_gexf_is_valid_too(kb, schema):
    G = graph_of(kb, collapse=True)
    text = graph_to_text(G, "gexf", families=families_of(kb, G))
    assert schema.validate(etree.fromstring(text.encode())), schema.error_log


# --------------------------------------------------------------------------- CSV


def test_csv_tables_follow_gephis_spreadsheet_import(whole):
    nodes_text, edges_text = graph_to_csv_tables(whole)
    nodes = list(csv.DictReader(io.StringIO(nodes_text)))
    edges = list(csv.DictReader(io.StringIO(edges_text)))
    assert list(nodes[0]) == ["Id", "Label", "type", "type_label", "country", "fact"]
    assert list(edges[0]) == [
        "Source", "Target", "Type", "Id", "Label", "Weight",
        "source_label", "target_label", "predicate", "dependency", "graphs", "quote",
    ]
    assert {row["Id"] for row in nodes} == set(whole.nodes)
    assert len(edges) == whole.number_of_edges() == len({row["Id"] for row in edges})
    assert {row["Type"] for row in edges} == {"Directed"}
    ids = {edge_id(u, v, k, d["predicate"]) for u, v, k, d in whole.edges(keys=True, data=True)}
    assert {row["Id"] for row in edges} == ids
    assert all(row["Source"] in whole and row["Target"] in whole for row in edges)
    catl = next(row for row in nodes if row["Id"] == CATL)
    assert (catl["Label"], catl["type_label"]) == ("CATL", "battery maker")
    weights = {row["Id"]: int(row["Weight"]) for row in edges}
    assert min(weights.values()) == 1
    for u, v, k, d in whole.edges(keys=True, data=True):
        assert weights[edge_id(u, v, k, d["predicate"])] == max(1, len(d["graphs"]))


def test_csv_of_the_small_graph():
    nodes, edges = graph_to_csv_tables(small_graph())
    assert nodes.splitlines()[1] == 'urn:x:a,"Alpha & ""Sons"" <Ltd>",urn:x:Firm,firm,,false'
    rows = list(csv.reader(io.StringIO(edges)))
    owns = next(row for row in rows if row[4] == "owns")
    assert owns[:6] == ["urn:x:a", "urn:x:b", "Directed", edge_id("urn:x:a", "urn:x:b", "urn:x:owns", "urn:x:owns"), "owns", "2"]
