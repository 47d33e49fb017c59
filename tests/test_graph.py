"""The networkx side: building, explained paths, dependencies, ranking, graph export."""

from __future__ import annotations

import io
import json

import networkx as nx
import pytest

from evkg.cli import cli
from evkg.errors import InputError
from evkg.graph import (
    build_graph,
    dependencies,
    graph_of,
    graph_to_csv_tables,
    graph_to_text,
    neighbourhood,
    rank,
    rank_nodes,
    shortest_paths,
)
from evkg.ontology import EV

ID = "https://w3id.org/evkg/id/"


def labels(path):
    return [n.label for n in path.nodes]


# ------------------------------------------------------------------ building


def test_graph_nodes_and_edges_carry_sources(kb):
    G = build_graph(kb)
    catl = ID + "company/catl"
    assert G.nodes[catl]["type"] == str(EV.BatteryMaker)
    assert G.nodes[catl]["country"] == ID + "country/cn"
    proton_owner = G.get_edge_data(ID + "company/proton", ID + "company/geely")
    edge = proton_owner[str(EV.ownedBy)]
    assert edge["label"] == "owned by"
    assert edge["dependency"] == str(EV.SubjectDependsOnObject)
    assert "nearly half" in edge["sources"][0]["quote"]
    assert edge["graphs"] == ["https://w3id.org/evkg/graph/000_2f9e7fe2686975ec"]


def test_dependency_direction_comes_from_the_ontology(kb):
    """Changing the annotation in the data changes the graph: nothing is hard-coded."""
    import evkg
    from rdflib import URIRef

    other = evkg.load()
    ontology = other.dataset.graph(URIRef("https://w3id.org/evkg/graph/ontology"))
    ontology.remove((EV.ownedBy, EV.dependency, None))
    ontology.add((EV.ownedBy, EV.dependency, EV.NoDependency))
    other.revision += 1
    edge = build_graph(other).get_edge_data(ID + "company/proton", ID + "company/geely")[str(EV.ownedBy)]
    assert edge["dependency"] == str(EV.NoDependency)


def test_collapse_replaces_fact_nodes_with_labelled_edges(kb):
    H = build_graph(kb, collapse=True)
    assert not any(d["fact"] for _, d in H.nodes(data=True))
    toyota, byd = ID + "company/toyota", ID + "company/byd"
    edges = list((H.get_edge_data(toyota, byd) or {}).values()) + list((H.get_edge_data(byd, toyota) or {}).values())
    assert any(e.get("via") == ID + "partnership/toyota-byd-co-development" for e in edges)
    assert all(e["sources"][0]["quote"] for e in edges if "via" in e)


def test_graph_is_cached_per_revision(kb):
    assert graph_of(kb) is graph_of(kb)
    assert graph_of(kb, collapse=True) is not graph_of(kb)


# ------------------------------------------------------------------ paths


@pytest.mark.parametrize(
    "source, target",
    [("Pakistan", "CATL"), ("Indonesia", "CATL"), ("Proton", "Geely"), ("Mazda", "Changan"), ("Honda", "DeepSeek")],
)
def test_paths_that_must_exist(kb, source, target):
    result = shortest_paths(kb, source, target)
    assert result.paths, result.reason
    path = result.paths[0]
    assert labels(path)[0] == source and labels(path)[-1] == target
    assert path.length == len(path.edges) == len(path.nodes) - 1
    for edge, (a, b) in zip(path.edges, zip(path.nodes, path.nodes[1:])):
        assert (edge.source, edge.target) == (a.id, b.id)
        assert edge.sources


def test_pakistan_to_catl_goes_through_china_with_quotes(kb):
    path = shortest_paths(kb, "Pakistan", "CATL").paths[0]
    assert "China" in labels(path)
    assert any(s.get("quote") for e in path.edges for s in e.sources)


def test_avoiding_china_changes_or_removes_the_path(kb):
    result = shortest_paths(kb, "Pakistan", "CATL", avoid=["China"])
    for path in result.paths:
        assert "China" not in labels(path)
    if not result.paths:
        assert "avoided" in result.reason


def test_avoid_relation(kb):
    result = shortest_paths(kb, "Proton", "Geely", avoid=["owned by", "owner", "ownedEntity"])
    for path in result.paths:
        assert all(e.predicate not in (str(EV.ownedBy), str(EV.owner), str(EV.ownedEntity)) for e in path.edges)


def test_via_restricts_relations(kb):
    result = shortest_paths(kb, "Mazda", "Changan", via=["partner"])
    assert labels(result.paths[0]) == ["Mazda", "Mazda–Changan joint venture", "Changan"]
    assert {e.predicate for e in result.paths[0].edges} == {str(EV.partner)}


def test_max_hops_explains_the_missing_path(kb):
    result = shortest_paths(kb, "Pakistan", "CATL", max_hops=1)
    assert result.paths == []
    assert "more than 1 hops" in result.reason
    assert result.source_neighbours and result.target_neighbours


def test_k_shortest_are_distinct_and_sorted(kb):
    result = shortest_paths(kb, "Toyota", "BYD", k=3)
    assert len(result.paths) == 3
    assert len({tuple(n.id for n in p.nodes) for p in result.paths}) == 3
    assert [p.length for p in result.paths] == sorted(p.length for p in result.paths)


def test_all_shortest_have_one_length(kb):
    result = shortest_paths(kb, "Toyota", "BYD", all_shortest=True)
    assert len({p.length for p in result.paths}) == 1


def test_dependency_paths_follow_direction(kb):
    forward = shortest_paths(kb, "Indonesia", "CATL", dependency=True)
    assert forward.paths, forward.reason
    backward = shortest_paths(kb, "CATL", "Indonesia", dependency=True)
    assert backward.paths == [] and "dependency" in backward.reason


def test_unknown_relation_lists_valid_ones(kb):
    with pytest.raises(InputError, match="Relations: .*owned by"):
        shortest_paths(kb, "Proton", "Geely", via=["owns-ish"])


def test_cannot_avoid_an_end(kb):
    with pytest.raises(InputError, match="end of the path"):
        shortest_paths(kb, "Proton", "Geely", avoid=["Geely"])


def test_path_json_shape(kb):
    data = shortest_paths(kb, "Pakistan", "CATL").to_dict()
    assert set(data) == {"from", "to", "paths", "reason"}
    assert set(data["from"]) == {"id", "label", "type"}
    path = data["paths"][0]
    assert set(path) == {"length", "nodes", "edges"}
    assert set(path["edges"][0]) == {"source", "target", "predicate", "label", "direction", "sources", "source_count"}
    assert set(path["edges"][0]["sources"][0]) == {"graph", "source", "title", "quote", "interpretation", "note"}


# ------------------------------------------------------------------ neighbours, dependencies


def test_neighbourhood_groups_by_relation(kb):
    hood = neighbourhood(kb, "Proton")
    groups = hood.grouped()
    assert "owned by" in groups
    assert [n.node.label for n in groups["owned by"]] == ["Geely"]
    assert all(n.depth == 1 for n in hood.neighbours)
    deeper = neighbourhood(kb, "Proton", depth=2)
    assert {n.depth for n in deeper.neighbours} == {1, 2}


def test_depends_shares_sum_to_100(kb):
    report = dependencies(kb, "Indonesia")
    assert report.items
    assert sum(share for _, _, share in report.by_country) == pytest.approx(100.0, abs=0.2)
    assert sum(n for _, n, _ in report.by_country) == len(report.items)
    assert "CATL" in {d.node.label for d in report.items}


def test_depends_reverse_who_depends_on_catl(kb):
    report = dependencies(kb, "CATL", reverse=True)
    assert report.items
    assert "Indonesia Battery Corporation" in {d.node.label for d in report.items}


# ------------------------------------------------------------------ ranking


def test_rank_nodes_on_a_known_graph():
    # A star around "hub" plus a bridge "b" between the star and a triangle.
    G = nx.Graph()
    G.add_edges_from([("hub", "x"), ("hub", "y"), ("hub", "z"), ("hub", "b"), ("b", "t1"), ("t1", "t2"), ("t2", "t3"), ("t3", "t1")])
    for n in G:
        G.nodes[n]["label"] = n
    degree = rank_nodes(G, by="degree")
    assert degree[0].node == "hub" and degree[0].score == pytest.approx(4 / 7)
    between = {r.node: r.score for r in rank_nodes(G, by="betweenness")}
    assert between["b"] == pytest.approx(nx.betweenness_centrality(G)["b"])
    assert between["b"] > between["t2"] == 0.0
    pagerank = rank_nodes(G, by="pagerank", top=1)
    assert pagerank[0].node == "hub"


def test_rank_filters_by_type_with_subclasses(kb):
    ranked = rank(kb, by="degree", types=("Company",), top=50)
    assert {r.type for r in ranked} <= {"automaker", "battery maker", "technology firm", "telecom operator", "consultancy", "company"}
    with pytest.raises(InputError, match="unknown class"):
        rank(kb, types=("Spaceship",))


# ------------------------------------------------------------------ export


def test_graphml_and_gexf_round_trip(kb):
    G = graph_of(kb)
    back = nx.read_graphml(io.BytesIO(graph_to_text(G, "graphml").encode()), force_multigraph=True)
    assert set(back.nodes) == set(G.nodes)
    assert back.number_of_edges() == G.number_of_edges()
    assert back.nodes[ID + "company/catl"]["label"] == "CATL"
    gexf = nx.read_gexf(io.BytesIO(graph_to_text(G, "gexf").encode()))
    assert set(gexf.nodes) == set(G.nodes)
    assert graph_to_text(G, "gexf") == graph_to_text(graph_of(kb), "gexf")


def test_csv_tables(kb):
    nodes, edges = graph_to_csv_tables(graph_of(kb))
    assert nodes.splitlines()[0] == "Id,Label,type,type_label,country,fact"
    assert edges.splitlines()[0].startswith("Source,Target,Type,Id,Label,Weight,")
    assert len(edges.splitlines()) == graph_of(kb).number_of_edges() + 1


# ------------------------------------------------------------------ CLI


def test_cli_path_text(runner):
    result = runner.invoke(cli, ["path", "Proton", "Geely"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Proton —owned by→ Geely"
    assert "nearly half" in result.output


def test_cli_path_json(runner):
    result = runner.invoke(cli, ["path", "Pakistan", "CATL", "--format", "json"])
    data = json.loads(result.output)
    assert data["from"]["label"] == "Pakistan" and data["to"]["label"] == "CATL"


def test_cli_path_unknown_entity(runner):
    result = runner.invoke(cli, ["path", "Pakistn", "CATL"])
    assert result.exit_code == 2
    assert "Pakistan" in result.output


def test_cli_neighbors_depends_rank(runner):
    assert "owned by" in runner.invoke(cli, ["neighbors", "Proton"]).output
    result = runner.invoke(cli, ["depends", "Indonesia"])
    assert result.exit_code == 0 and "share" in result.output
    result = runner.invoke(cli, ["rank", "--by", "betweenness", "--type", "Country", "--top", "3"])
    assert result.exit_code == 0 and len(result.output.splitlines()) == 5


def test_cli_export_graph_formats(runner, tmp_path):
    out = tmp_path / "g.graphml"
    assert runner.invoke(cli, ["export", "--format", "graphml", "-o", str(out)]).exit_code == 0
    nx.read_graphml(out)
    folder = tmp_path / "csv"
    assert runner.invoke(cli, ["export", "--format", "csv", "-o", str(folder)]).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["edges.csv", "nodes.csv"]
    result = runner.invoke(cli, ["export", "--format", "ttl", "--collapse"])
    assert result.exit_code == 2


def test_a_hop_resting_on_a_reading_says_so(kb):
    from evkg.render.text import path_lines

    lines = list(path_lines(shortest_paths(kb, "CPEC", "Pakistan")))
    assert "      interpreted: What CPEC links is read from its name, China–Pakistan Economic Corridor; the article uses only the acronym." in lines


# ------------------------------------------------------------------ cited-only paths

_CITED_KB = """
@prefix ev: <https://w3id.org/evkg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix ex: <https://w3id.org/evkg/id/company/> .
@prefix c: <https://w3id.org/evkg/id/country/> .

<https://example.org/graph/news> {
    <https://example.org/news> a ev:Article ; rdfs:label "Test wire"@en ; ev:articleId "news" .
    ex:anode a ev:Company ; rdfs:label "Anode Works"@en ; prov:wasDerivedFrom <https://example.org/news> .
    ex:cathode a ev:Company ; rdfs:label "Cathode Labs"@en ; prov:wasDerivedFrom <https://example.org/news> .
    c:xa a ev:Country ; rdfs:label "Exland"@en ; prov:wasDerivedFrom <https://example.org/news> .
    ex:anode ev:partnerOf ex:cathode .
    [] a ev:Evidence ; rdf:subject ex:anode ; rdf:predicate ev:partnerOf ; rdf:object ex:cathode ;
       ev:quote "Anode Works signed a supply pact with Cathode Labs." ; prov:wasDerivedFrom <https://example.org/news> .
    ex:cathode ev:basedIn c:xa .
    [] a ev:Evidence ; rdf:subject ex:cathode ; rdf:predicate ev:basedIn ; rdf:object c:xa ;
       ev:quote "Cathode Labs, of Exland, makes cathodes." ; prov:wasDerivedFrom <https://example.org/news> .
}
<https://example.org/graph/facts> {
    <https://example.org/facts> a ev:ReferenceData ; rdfs:label "test facts"@en .
    ex:separator a ev:Company ; rdfs:label "Separator Co"@en ; prov:wasDerivedFrom <https://example.org/facts> .
    ex:anode ev:basedIn c:xa .
    ex:separator ev:basedIn c:xa .
}
"""


@pytest.fixture(scope="module")
def cited_kb(tmp_path_factory):
    import evkg

    path = tmp_path_factory.mktemp("cited") / "cited.trig"
    path.write_text(_CITED_KB, encoding="utf-8")
    return evkg.load([path], seeds=False)


def test_cited_only_takes_the_longer_quoted_path(cited_kb):
    shortest = shortest_paths(cited_kb, "Anode Works", "Exland").paths[0]
    assert labels(shortest) == ["Anode Works", "Exland"]
    assert [s["quote"] for s in shortest.edges[0].sources] == [None]
    cited = shortest_paths(cited_kb, "Anode Works", "Exland", cited_only=True)
    assert [labels(p) for p in cited.paths] == [["Anode Works", "Cathode Labs", "Exland"]]
    assert [[s["quote"] for s in e.sources] for e in cited.paths[0].edges] == [
        ["Anode Works signed a supply pact with Cathode Labs."],
        ["Cathode Labs, of Exland, makes cathodes."],
    ]


def test_cited_only_says_why_there_is_no_path(cited_kb):
    result = shortest_paths(cited_kb, "Anode Works", "Separator Co", cited_only=True)
    assert result.paths == []
    assert result.reason == (
        "every path has a hop that no source quotes (reference data or background knowledge); "
        "drop --cited-only to see those paths."
    )
    assert labels(shortest_paths(cited_kb, "Anode Works", "Separator Co").paths[0]) == ["Anode Works", "Exland", "Separator Co"]


def test_cited_only_paths_of_the_seeds_are_quoted_at_every_hop(kb):
    for source, target in [("Pakistan", "CATL"), ("Thailand", "Japan"), ("Proton", "Hungary")]:
        result = shortest_paths(kb, source, target, cited_only=True, k=3)
        assert result.paths, (source, target)
        for path in result.paths:
            assert all(any(s["quote"] for s in e.sources) for e in path.edges), (source, target, labels(path))
    plain = shortest_paths(kb, "Pakistan", "CATL").paths[0]
    assert not all(any(s["quote"] for s in e.sources) for e in plain.edges)


def test_a_hop_on_background_knowledge_says_so(kb):
    path = shortest_paths(kb, "Pakistan", "CATL").paths[0]
    last = path.edges[-1]
    assert (last.label, last.sources) == ("home of", ({
        "graph": "https://w3id.org/evkg/graph/reference",
        "source": "https://w3id.org/evkg/source/background-knowledge",
        "title": "background knowledge",
        "quote": None,
        "interpretation": None,
        "note": "background knowledge, stated by no source in the graph",
    },))
    edge = shortest_paths(kb, "Pakistan", "CATL").to_dict()["paths"][0]["edges"][-1]
    assert edge["sources"][0]["note"] == "background knowledge, stated by no source in the graph"


def test_cli_path_cited_only(runner):
    result = runner.invoke(cli, ["path", "Pakistan", "Oceania", "--cited-only"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "No path from Pakistan to Oceania: every path has a hop that no source quotes "
        "(reference data or background knowledge); drop --cited-only to see those paths."
    )
    result = runner.invoke(cli, ["path", "Pakistan", "CATL", "--cited-only", "--format", "json"])
    data = json.loads(result.output)
    assert all(any(s["quote"] for s in e["sources"]) for e in data["paths"][0]["edges"])
