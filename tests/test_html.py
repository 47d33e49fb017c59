"""Graph views and their HTML pages: what a view selects, the data handed to the page,
escaping, self-containment, determinism, and the `render` command."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import subprocess
import sys
from urllib.parse import unquote, urlparse

import networkx as nx
import pytest
from rdflib import URIRef
from rdflib.namespace import RDFS

import evkg
from evkg.cli import cli
from evkg.errors import InputError, UnknownEntity
from evkg.graph import graph_of, neighbourhood, shortest_paths
from evkg.graph.layout import layout_positions, main_component
from evkg.graph.view import graph_view, resolve_sources, view_from_graph
from evkg.ontology import EV
from evkg.render.html import FAMILY_STYLES, PATH_COLOR, PHYSICS_LIMIT, page_data, render_html

from .conftest import DATA

ID = "https://w3id.org/evkg/id/"
CATL = ID + "company/catl"
EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def xss_kb():
    return evkg.load([DATA / "xss.ttl"])


def page_json(page: str) -> dict:
    block = re.search(r'<script type="application/json" id="evkg-data">(.*?)</script>', page, re.S)
    return json.loads(block.group(1))


def synthetic(n: int, seed: int = 1) -> nx.MultiDiGraph:
    U = nx.barabasi_albert_graph(n, 2, seed=seed)
    G = nx.MultiDiGraph()
    for i in U:
        G.add_node(f"n{i}", label=f"Entity {i}", type="urn:T", type_label="thing")
    for u, v in U.edges():
        G.add_edge(f"n{u}", f"n{v}", key="urn:p", predicate="urn:p", label="links")
    return G


# ------------------------------------------------------------------ selecting a view


def test_whole_graph_view_is_the_graph(kb):
    view = graph_view(kb)
    G = graph_of(kb)
    assert view.kind == "graph" and view.note is None
    assert set(view.G) == set(G)
    assert view.G.number_of_edges() == G.number_of_edges() == view.total_edges
    assert view.G is not G


def test_view_does_not_touch_the_cached_graph(kb):
    before = {n: dict(d) for n, d in graph_of(kb).nodes(data=True)}
    view = graph_view(kb, around="CATL")
    view.G.nodes[CATL]["label"] = "changed"
    assert {n: dict(d) for n, d in graph_of(kb).nodes(data=True)} == before


def test_around_takes_the_neighbourhood(kb):
    view = graph_view(kb, around="CATL", depth=2)
    hood = neighbourhood(kb, "CATL", depth=2)
    assert set(view.G) == {CATL} | {n.node.id for n in hood.neighbours}
    assert view.center == CATL and view.kind == "around"
    assert view.title == "CATL and all within 2 hops"


def test_depth_zero_is_the_entity_alone(kb):
    view = graph_view(kb, around="CATL", depth=0)
    assert list(view.G) == [CATL]


def test_path_view_highlights_the_path_in_its_context(kb):
    result = shortest_paths(kb, "Pakistan", "CATL", k=2)
    view = graph_view(kb, path=result)
    on_path = {n.id for p in result.paths for n in p.nodes}
    assert view.highlight_nodes == on_path
    hops = {(e.source, e.target) if e.forward else (e.target, e.source) for p in result.paths for e in p.edges}
    assert {(u, v) for u, v, _ in view.highlight_edges} == hops
    for u, v, key in view.highlight_edges:
        assert view.G.has_edge(u, v, key)
    assert len(view.G) > len(on_path)  # the context is there too
    assert view.title == "How Pakistan is connected to CATL"


def test_path_given_by_names(kb):
    view = graph_view(kb, path=("Proton", "Geely"), depth=0)
    assert set(view.G) == {ID + "company/proton", ID + "company/geely"}
    assert view.G.number_of_edges() >= len(view.highlight_edges) == 1


def test_no_path_shows_both_ends_with_the_reason(kb):
    result = shortest_paths(kb, "Proton", "CATL", max_hops=1)
    assert not result.paths
    view = graph_view(kb, path=result)
    assert view.highlight_nodes == {ID + "company/proton", CATL}
    assert not view.highlight_edges
    assert "1 hops" in page_data(view)["pathReason"]


def test_path_from_the_collapsed_graph_needs_collapse(kb):
    result = shortest_paths(kb, "Mazda", "Changan", avoid=["partner of"], collapse=True)
    assert graph_view(kb, path=result, collapse=True).highlight_edges
    with pytest.raises(InputError, match="same collapse setting"):
        graph_view(kb, path=result)


def test_type_filter_keeps_subclasses(kb):
    view = graph_view(kb, types=["Company", "country"])
    rdf = kb.dataset
    for _, data in view.G.nodes(data=True):
        ancestors = set(rdf.transitive_objects(URIRef(data["type"]), RDFS.subClassOf))
        assert EV.Company in ancestors or EV.Country in ancestors
    assert {"automaker", "battery maker", "country"} <= {d["type_label"] for _, d in view.G.nodes(data=True)}
    assert view.filters == ("class: Company, country",)


def test_relation_filter_drops_unlinked_nodes(kb):
    view = graph_view(kb, relations=["based in"])
    assert {d["label"] for _, _, d in view.G.edges(data=True)} == {"based in"}
    assert all(view.G.degree(n) for n in view.G)


def test_source_filter_keeps_what_the_article_states(kb):
    graph = "https://w3id.org/evkg/graph/reference"
    view = graph_view(kb, sources=["reference"])
    assert view.G.number_of_edges()
    assert all(graph in d["graphs"] for _, _, d in view.G.edges(data=True))


def test_resolve_sources_by_id_prefix_iri_and_title(kb):
    graph = "https://w3id.org/evkg/graph/003_7f74400d9fb2f1c6"
    assert resolve_sources(kb, ["003"]) == {graph}
    assert resolve_sources(kb, [graph]) == {graph}
    assert resolve_sources(kb, ["https://w3id.org/evkg/source/003_7f74400d9fb2f1c6"]) == {graph}
    title = kb.graph_title(graph)
    assert resolve_sources(kb, [title.upper()]) == {graph}
    with pytest.raises(InputError, match="matches several sources"):
        resolve_sources(kb, ["00"])
    with pytest.raises(InputError, match=r"unknown source '999'\. Sources: 000_"):
        resolve_sources(kb, ["999"])


@pytest.mark.parametrize(
    "options, message",
    [
        ({"around": "CATL", "path": ("Proton", "Geely")}, "not both"),
        ({"depth": -1}, "depth must be 0 or more"),
        ({"max_nodes": 0}, "at least 1"),
        ({"types": ["Spaceship"]}, "unknown class 'Spaceship'. Classes: "),
        ({"relations": ["teleports to"]}, "unknown relation 'teleports to'. Relations: "),
        ({"path": ("CATL",)}, "needs two entities"),
    ],
)
def test_bad_options_are_input_errors(kb, options, message):
    with pytest.raises(InputError, match=re.escape(message)):
        graph_view(kb, **options)


def test_unknown_entity(kb):
    with pytest.raises(UnknownEntity, match="no entity is called 'Teslaa'"):
        graph_view(kb, around="Teslaa")


def test_max_nodes_cuts_with_a_note_keeping_the_nearest(kb):
    full = graph_view(kb, around="China", depth=2)
    view = graph_view(kb, around="China", depth=2, max_nodes=10)
    assert len(view.G) == 10 and ID + "country/cn" in view.G
    assert view.note == (
        f"Showing 10 of {len(full.G):,} nodes, the nodes nearest to the entity: the view is limited to 10 nodes."
    )
    first_ring = {n.node.id for n in neighbourhood(kb, "China").neighbours}
    assert set(view.G) - {ID + "country/cn"} <= first_ring


def test_max_nodes_never_drops_the_path(kb):
    view = graph_view(kb, path=("Pakistan", "CATL"), max_nodes=1)
    assert set(view.G) == set(view.highlight_nodes)
    assert "nodes of the paths are all shown" in view.note


def test_whole_graph_cut_keeps_the_best_connected():
    view = view_from_graph(synthetic(300), max_nodes=20)
    degrees = dict(synthetic(300).degree())
    assert min(degrees[n] for n in view.G) >= max(d for n, d in degrees.items() if n not in view.G)
    assert view.note.startswith("Showing 20 of 300 nodes, the best-connected nodes")


def test_data_hash_is_of_the_data_not_the_view(kb):
    assert graph_view(kb).data_hash == graph_view(kb, around="CATL").data_hash == graph_view(evkg.load()).data_hash
    assert re.fullmatch(r"[0-9a-f]{64}", graph_view(kb).data_hash)
    assert graph_view(evkg.load([DATA / "xss.ttl"])).data_hash != graph_view(kb).data_hash


def test_view_sources_count_what_they_support(kb):
    view = graph_view(kb, around="Proton")
    by_id = {s.id: s for s in view.sources}
    article = by_id["000_2f9e7fe2686975ec"]
    assert article.edges >= 1 and article.nodes >= 2
    assert article.title == kb.graph_title(article.graph)
    assert all(s.graph != "https://w3id.org/evkg/graph/ontology" for s in view.sources)


# ------------------------------------------------------------------ layout


def test_layout_is_deterministic_and_ignores_insertion_order():
    G = synthetic(400)
    H = nx.MultiDiGraph()
    H.add_nodes_from(reversed(list(G.nodes(data=True))))
    H.add_edges_from(reversed(list(G.edges(keys=True, data=True))))
    assert layout_positions(G) == layout_positions(H)


def test_layout_separates_nodes():
    pos = layout_positions(synthetic(2000))
    assert len(set(pos.values())) == 2000


def test_layout_of_components_and_single_nodes():
    G = nx.Graph([(1, 2), (3, 4), (4, 5)])
    G.add_node(6)
    pos = layout_positions(G)
    assert sorted(pos) == [1, 2, 3, 4, 5, 6]
    assert layout_positions(nx.Graph()) == {}


def test_layout_centres_the_main_component_and_stands_the_rest_beside_it():
    G = nx.Graph(synthetic(60).to_undirected())
    G.add_nodes_from(["stray-a", "stray-b", "stray-c", "stray-d"])
    G.add_edge("pair-1", "pair-2")
    pos = layout_positions(G, edge_length=90)
    main = main_component(G)
    assert main == set(synthetic(60))
    xs = [pos[n][0] for n in main]
    ys = [pos[n][1] for n in main]
    assert (min(xs) + max(xs)) / 2 == pytest.approx(0, abs=0.1)
    assert (min(ys) + max(ys)) / 2 == pytest.approx(0, abs=0.1)
    rest = set(G) - main
    # One column at the right, within the main component's height, the pair first.
    assert min(pos[n][0] for n in rest) >= max(xs) + 90
    assert all(min(ys) <= pos[n][1] <= max(ys) for n in rest)
    strays = [pos[n][1] for n in rest if n.startswith("stray")]
    assert pos["pair-1"][1] == pos["pair-2"][1] < min(strays)
    assert len({pos[n] for n in rest}) == len(rest)


def test_main_component_breaks_ties_by_the_first_node():
    G = nx.Graph([("b", "c"), ("a", "z")])
    assert main_component(G) == {"a", "z"}
    assert main_component(nx.Graph()) == set()


# ------------------------------------------------------------------ the page's data


def test_page_data_nodes_and_edges_match_the_view(kb):
    view = graph_view(kb, around="CATL", depth=2)
    data = page_data(view)
    assert [n["id"] for n in data["nodes"]] == sorted(view.G)
    assert len(data["edges"]) == view.G.number_of_edges()
    assert {(e["from"], e["to"], e["key"]) for e in data["edges"]} == set(view.G.edges(keys=True))
    assert len({e["id"] for e in data["edges"]}) == len(data["edges"])
    catl = next(n for n in data["nodes"] if n["id"] == CATL)
    assert catl["name"] == "CATL" and "Contemporary Amperex Technology" in catl["alt"]
    assert data["classes"][catl["cls"]]["label"] == "battery maker"
    assert catl["country"] == "China"
    assert data["counts"] == {
        "nodes": len(view.G), "edges": view.G.number_of_edges(),
        "totalNodes": view.total_nodes, "totalEdges": view.total_edges,
    }


def test_page_data_carries_quotes_and_figures(kb):
    data = page_data(graph_view(kb, around="Proton"))
    owned = next(e for e in data["edges"] if e["label"] == "owned by")
    quotes = [data["quotes"][i] for i in owned["cites"]]
    assert any("nearly half" in (q["quote"] or "") for q in quotes)
    assert all(q["title"] for q in quotes)
    stake = next(n for n in data["nodes"] if n["id"] == ID + "stake/geely-in-proton")
    assert ["share wording", "nearly half"] in stake["details"]


def test_colours_and_shapes_by_class(kb):
    data = page_data(graph_view(kb))
    for c in data["classes"]:
        name, shape, palette = FAMILY_STYLES[c["family"]]
        assert c["shape"] == shape and c["color"] in palette and c["familyLabel"] == name
        assert c["count"] == sum(1 for n in data["nodes"] if data["classes"][n["cls"]] is c)
    by_family: dict[str, list[str]] = {}
    for c in data["classes"]:
        by_family.setdefault(c["family"], []).append(c["color"])
    for family, colours in by_family.items():
        if len(colours) <= len(FAMILY_STYLES[family][2]):
            assert len(set(colours)) == len(colours), family
    # A class keeps its colour from one view to another.
    around = {c["iri"]: c["color"] for c in page_data(graph_view(kb, around="CATL"))["classes"]}
    whole = {c["iri"]: c["color"] for c in data["classes"]}
    assert all(whole[iri] == colour for iri, colour in around.items())


def test_path_edges_are_flagged_and_nothing_else(kb):
    view = graph_view(kb, path=("Pakistan", "CATL"))
    data = page_data(view)
    flagged = {(e["from"], e["to"], e["key"]) for e in data["edges"] if e.get("hl")}
    assert flagged == set(view.highlight_edges)
    assert {n["id"] for n in data["nodes"] if n.get("hl")} == set(view.highlight_nodes)
    assert data["pathColor"] == PATH_COLOR
    assert [h["label"] for h in data["paths"][0]["hops"]] == [e.label for e in view.path.paths[0].edges]


def test_physics_only_for_small_views():
    assert page_data(view_from_graph(synthetic(50)))["physics"] is True
    big = page_data(view_from_graph(synthetic(PHYSICS_LIMIT + 1)))
    assert big["physics"] is False
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in big["nodes"])


def test_small_components_are_pinned_where_the_physics_runs():
    G = synthetic(50)
    G.add_node("stray", label="Stray", type="urn:T", type_label="thing")
    data = page_data(view_from_graph(G))
    assert [n["id"] for n in data["nodes"] if n.get("pin")] == ["stray"]
    # Laid out in Python alone, a large page needs no pins.
    H = synthetic(PHYSICS_LIMIT + 1)
    H.add_node("stray", label="Stray", type="urn:T", type_label="thing")
    assert not any(n.get("pin") for n in page_data(view_from_graph(H))["nodes"])


def test_minimal_graph_renders():
    G = nx.MultiDiGraph()
    G.add_node("a")
    page = render_html(view_from_graph(G))
    assert page_json(page)["nodes"][0]["name"] == "a"


# ------------------------------------------------------------------ escaping


def test_labels_quotes_and_titles_are_escaped(xss_kb):
    view = graph_view(xss_kb, around=EVIL)
    page = render_html(view, title="</title><script>alert('title')</script>")
    for raw in ("<img", "<svg", "<b ", "<!-- co", "</script><script>alert", "onerror=\"window"):
        assert raw not in page, raw
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;</title>" in page
    # Exactly the page's three script blocks end, and the data survives the trip intact.
    assert len(re.findall(r"</script", page, re.I)) == 3
    data = page_json(page)
    names = {n["name"] for n in data["nodes"]}
    assert EVIL in names and 'Plant "<b onmouseover=alert(3)>" & <!-- co' in names
    evil = next(n for n in data["nodes"] if n["name"] == EVIL)
    assert evil["alt"] == ["</script><script>alert(2)</script>"]
    assert any("<svg onload=alert(4)></svg>" in (q["quote"] or "") for q in data["quotes"])
    assert any(s["title"].startswith("</script><script>") for s in data["sources"])
    assert "<img src=y onerror=\"window.pwned = 'relation'\">" in {e["label"] for e in data["edges"]}


def test_footer_and_headings_escape_source_titles(xss_kb):
    page = render_html(graph_view(xss_kb, around=EVIL))
    footer = page[page.index("<footer>"): page.index("</footer>")]
    assert "&lt;/script&gt;&lt;script&gt;window.pwned" in footer
    assert "<h1>&lt;img src=x onerror=alert(1)&gt; and its neighbours</h1>" in page


# ------------------------------------------------------------------ self-contained and safe by policy


def test_page_is_self_contained(kb):
    page = render_html(graph_view(kb, around="CATL"))
    assert not re.search(r"<script[^>]*\bsrc=", page, re.I)
    assert not re.search(r"<link\b", page, re.I)
    assert not re.search(r"@import", page)
    assert not re.search(r"url\((?!\"?data:)", page)
    assert not re.search(r"<(img|iframe|object|embed|audio|video|source)\b", page, re.I)
    assert "vis.Network" in page and "vis-network" in page


def test_content_security_policy_allows_only_the_page_scripts(kb):
    page = render_html(graph_view(kb, around="CATL"))
    csp = html.unescape(re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1))
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 2
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


# ------------------------------------------------------------------ determinism


def test_same_view_same_bytes(kb):
    assert render_html(graph_view(kb)) == render_html(graph_view(evkg.load()))


def test_same_bytes_whatever_the_hash_seed(tmp_path):
    code = (
        "import hashlib, evkg; from evkg.graph.view import graph_view; from evkg.render.html import render_html;"
        "kb = evkg.load(); print(hashlib.sha256(render_html(graph_view(kb, path=('Pakistan', 'CATL'))).encode()).hexdigest())"
    )
    digests = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


# ------------------------------------------------------------------ the command line


def test_render_writes_a_named_file_in_the_current_folder(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["render"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Wrote evkg-graph.html (")
    assert open("evkg-graph.html", encoding="utf-8").read().startswith("<!DOCTYPE html>")
    result = runner.invoke(cli, ["render", "--around", "catl"])
    assert result.stderr.startswith("Wrote evkg-around-catl.html (")
    result = runner.invoke(cli, ["render", "--path", "Pakistan", "CATL", "--k", "2"])
    assert result.stderr.startswith("Wrote evkg-path-pakistan-to-catl.html (")


def test_render_to_a_file_and_open_it(runner, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    out = tmp_path / "catl.html"
    result = runner.invoke(cli, ["render", "--around", "CATL", "-o", str(out), "--open"])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 100_000
    assert len(opened) == 1 and unquote(urlparse(opened[0]).path) == str(out)


def test_render_to_standard_output(runner):
    result = runner.invoke(cli, ["render", "--around", "CATL", "--depth", "0", "-o", "-"])
    assert result.exit_code == 0
    assert page_json(result.stdout)["nodes"][0]["id"] == CATL


def test_render_filters_and_title(runner, tmp_path):
    out = tmp_path / "companies.html"
    result = runner.invoke(cli, ["render", "--type", "Company", "--type", "Country", "--relation", "based in",
                                 "--source", "reference", "--title", "Home countries", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = page_json(out.read_text(encoding="utf-8"))
    assert data["title"] == "Home countries"
    assert data["filters"] == ["class: Company, Country", "relation: based in", "source: reference"]
    assert {e["label"] for e in data["edges"]} == {"based in"}


def test_render_says_when_it_cuts(runner, tmp_path):
    result = runner.invoke(cli, ["render", "--max-nodes", "5", "-o", str(tmp_path / "g.html")])
    assert result.exit_code == 0
    assert "Note: Showing 5 of" in result.stderr and "Raise --max-nodes" in result.stderr


def test_render_reports_no_path(runner, tmp_path):
    result = runner.invoke(cli, ["render", "--path", "Proton", "CATL", "--max-hops", "1", "-o", str(tmp_path / "p.html")])
    assert result.exit_code == 0
    assert result.stderr.startswith("No path from Proton to CATL: every path has more than 1 hops")


def test_path_html_option(runner, tmp_path):
    out = tmp_path / "path.html"
    result = runner.invoke(cli, ["path", "Pakistan", "CATL", "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Pakistan —")
    assert f"Wrote {out}" in result.stderr
    assert any(e.get("hl") for e in page_json(out.read_text(encoding="utf-8"))["edges"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--around", "Teslaa"], "no entity is called 'Teslaa'"),
        (["--around", "CATL", "--path", "Proton", "Geely"], "give --around or --path, not both"),
        (["--k", "2"], "--k applies to --path FROM TO only"),
        (["--via", "partner", "--dependency"], "--via, --dependency apply to --path FROM TO only"),
        (["--depth", "2"], "--depth applies to --around and --path"),
        (["--type", "Spaceship"], "unknown class 'Spaceship'"),
        (["--source", "999"], "unknown source '999'. Sources: 000_"),
        (["--relation", "teleports to"], "unknown relation 'teleports to'"),
        (["--max-nodes", "0"], "0 is not in the range x>=1"),
        (["-o", "no-such-folder/x.html"], "does not exist"),
        (["--path", "CATL"], "requires 2 arguments"),
        (["-o", "-", "--open"], "--open needs a file"),
    ],
)
def test_render_bad_input_exit_2(runner, args, message):
    result = runner.invoke(cli, ["render", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
