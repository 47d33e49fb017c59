"""The HTML graph pages in a real headless Chromium (Debian's, driven by Playwright): they
load without errors, draw what the view holds with labels that can be read and do not
overlap, search, highlight paths, filter (and say so when nothing is left), show quotes in
tooltips, run none of the hostile labels, and make no request outside the file.

Nothing here waits a fixed time: the tests wait for the page's own signals
(``document.body.dataset.evkgState`` becomes "settled" once the physics or an animation has
finished, ``window.evkg.moves`` counts finished animations), with timeouts a loaded
machine meets."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import networkx as nx
import pytest

import evkg
from evkg.graph.view import graph_view, view_from_graph
from evkg.render.html import PATH_COLOR, render_html

from .conftest import DATA
from .offline_page import OfflinePage

pytestmark = pytest.mark.browser

ID = "https://w3id.org/evkg/id/"
CATL = ID + "company/catl"
EVIL = "<img src=x onerror=alert(1)>"
#: How long a page may take to settle, or an animation to end, on a busy machine.
PATIENCE = 90.0
SETTLED = "() => document.body.dataset.evkgState === 'settled'"


class Loaded(OfflinePage):
    """A graph page opened from a file, settled, with what it logged, asked for and tried to pop up."""

    def __init__(self, browser, view, tmp_path: Path, *, name: str = "page", enforce_csp: bool = False):
        super().__init__(browser, tmp_path / f"{name}.html", render_html(view),
                         viewport={"width": 1400, "height": 900}, enforce_csp=enforce_csp, timeout=PATIENCE)
        self.wait(SETTLED)

    def wait(self, predicate: str, timeout: float = PATIENCE) -> None:
        # Checked on every animation frame (through the DevTools protocol, which the
        # page's Content-Security-Policy does not govern).
        self.page.wait_for_function(predicate, timeout=timeout * 1000)

    def moved(self, before: int) -> None:
        """Wait until an animation begun after ``moves`` was ``before`` has finished."""
        self.wait(f"() => window.evkg.moves > {before} && document.body.dataset.evkgState === 'settled'")

    def frames(self, count: int = 10) -> None:
        """Let the page draw ``count`` more frames."""
        self.js("(count) => new Promise((done) => { let n = 0;"
                " const step = () => (++n < count ? requestAnimationFrame(step) : done());"
                " requestAnimationFrame(step); })", count)

    def labels(self) -> dict:
        return self.js("() => window.evkg.labels")

    def screenshot(self, path: Path) -> None:
        self.page.screenshot(path=str(path))
        assert path.stat().st_size > 20_000

    def node_point(self, node: str) -> tuple[float, float]:
        return tuple(self.js(
            """(id) => { const n = window.evkg.network; const p = n.canvasToDOM(n.getPositions([id])[id]);
                          const r = document.getElementById('graph').getBoundingClientRect();
                          return [p.x + r.left, p.y + r.top]; }""",
            node,
        ))

    def hover(self, node: str) -> str:
        x, y = self.node_point(node)
        self.page.mouse.move(x + 2, y + 2)
        self.page.mouse.move(x, y)
        self.wait("() => { const t = document.querySelector('div.vis-tooltip'); return t && t.style.visibility === 'visible'; }")
        return self.js("() => document.querySelector('div.vis-tooltip').textContent")

    def painted_pixels(self) -> int:
        return self.js(
            """() => { const c = document.querySelector('#graph canvas');
                        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"""
        )


def overlaps(labels: dict) -> list[tuple[str, str]]:
    """The pairs of drawn labels whose boxes intersect."""
    boxes = [(item["id"], item["box"]) for item in labels["nodes"] + labels["edges"]]
    return [
        (a, b) for (a, p), (b, q) in combinations(boxes, 2)
        if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]
    ]


def best_connected(view, count: int) -> list[str]:
    degree = view.G.degree()
    return sorted(view.G, key=lambda n: (-degree[n], str(n)))[:count]


@pytest.fixture
def open_page(browser, tmp_path):
    pages = []

    def opener(view, **options):
        page = Loaded(browser, view, tmp_path, **options)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.close()


# ------------------------------------------------------------------ loading and drawing


def test_seed_graph_loads_draws_everything_and_is_photographed(open_page, kb, tmp_path):
    view = graph_view(kb)
    page = open_page(view, name="graph")
    assert page.errors == []
    assert page.js("() => window.evkg.nodes.length") == len(view.G)
    assert page.js("() => window.evkg.edges.length") == view.G.number_of_edges()
    assert page.js("() => window.evkg.shown") == {"nodes": len(view.G), "edges": view.G.number_of_edges()}
    assert page.painted_pixels() > 10_000
    page.screenshot(tmp_path / "graph.png")


def test_whole_graph_labels_its_hubs_at_first_sight(open_page, kb):
    view = graph_view(kb)
    page = open_page(view)
    labels = page.labels()
    drawn = {item["id"]: item["px"] for item in labels["nodes"]}
    # The whole graph fits the screen, and still the five largest hubs are labelled,
    # at 12 px or more on the screen, with no two labels over each other.
    assert labels["scale"] < 0.8
    hubs = best_connected(view, 5)
    assert [hub in drawn for hub in hubs] == [True] * 5
    assert min(drawn[hub] for hub in hubs) >= 12
    assert len(drawn) >= 10
    assert overlaps(labels) == []
    # Zoomed in, more labels find room.
    before = page.js("() => window.evkg.moves")
    page.js("() => window.evkg.network.moveTo({ scale: 1.5, animation: { duration: 200 } })")
    page.moved(before)
    assert len(page.labels()["nodes"]) > len(drawn)


def test_small_components_stand_in_a_strip_beside_the_main_one(open_page, kb):
    page = open_page(graph_view(kb))
    pinned = page.js("() => window.evkg.data.nodes.filter(n => n.pin).map(n => n.id)")
    assert pinned  # the seed graph has nodes that link to nothing
    placed = page.js("() => window.evkg.network.getPositions()")
    main = sorted((p["x"], p["y"], n) for n, p in placed.items() if n not in pinned)
    right = main[-1][0]
    top, bottom = min(y for _, y, _ in main), max(y for _, y, _ in main)
    assert all(placed[n]["x"] > right for n in pinned)
    assert all(top <= placed[n]["y"] <= bottom for n in pinned)
    # The main component fills most of the canvas's width, the strip included.
    graph = page.js("() => { const r = document.getElementById('graph').getBoundingClientRect(); return [r.left, r.right]; }")
    left_x, right_x = page.node_point(main[0][2])[0], page.node_point(main[-1][2])[0]
    assert right_x - left_x > 0.6 * (graph[1] - graph[0])
    assert all(graph[0] < page.node_point(n)[0] < graph[1] for n in pinned)


def test_around_depth_two_labels_do_not_overlap(open_page, kb, tmp_path):
    page = open_page(graph_view(kb, around="CATL", depth=2), name="around")
    labels = page.labels()
    assert CATL in {item["id"] for item in labels["nodes"]}
    assert len(labels["nodes"]) >= 20 and len(labels["edges"]) >= 20
    assert overlaps(labels) == []
    page.screenshot(tmp_path / "around.png")


def test_physics_settles_and_stops(open_page, kb):
    page = open_page(graph_view(kb, around="CATL", depth=2))
    assert page.js("() => window.evkg.network.physics.options.enabled") is False
    before = page.js("() => window.evkg.network.getPositions()")
    page.frames(10)
    assert page.js("() => window.evkg.network.getPositions()") == before


def test_large_graph_draws_at_the_given_positions_without_physics(open_page):
    U = nx.barabasi_albert_graph(2000, 2, seed=3)
    G = nx.MultiDiGraph()
    G.add_nodes_from((f"n{i}", {"label": f"Entity {i}", "type": "urn:T", "type_label": "thing"}) for i in U)
    G.add_edges_from((f"n{u}", f"n{v}", "urn:p", {"predicate": "urn:p", "label": "links"}) for u, v in U.edges())
    page = open_page(view_from_graph(G))
    assert page.errors == []
    assert page.js("() => window.evkg.data.physics") is False
    assert page.js("() => window.evkg.nodes.length") == 2000
    first = page.js("() => window.evkg.data.nodes[0]")
    placed = page.js("(id) => window.evkg.network.getPositions([id])[id]", first["id"])
    assert (placed["x"], placed["y"]) == (first["x"], first["y"])
    assert page.painted_pixels() > 10_000


# ------------------------------------------------------------------ search, path, filters, tooltips


def test_search_finds_catl_and_focuses_it(open_page, kb):
    page = open_page(graph_view(kb))
    before = page.js("() => window.evkg.moves")
    page.page.fill("#search", "CATL")
    page.page.press("#search", "Enter")
    assert page.js("() => window.evkg.focused") == CATL
    assert page.js("() => window.evkg.network.getSelectedNodes()") == [CATL]
    page.moved(before)  # the focus animation has ended
    centre = page.js("() => window.evkg.network.getViewPosition()")
    node = page.js("(id) => window.evkg.network.getPositions([id])[id]", CATL)
    assert abs(centre["x"] - node["x"]) < 2 and abs(centre["y"] - node["y"]) < 2
    assert page.js("() => document.getElementById('selection-body').textContent").startswith("CATL")
    # Other names find it too.
    page.page.fill("#search", "contemporary amperex")
    first = page.js("() => document.querySelector('#search-results button').textContent")
    assert first.startswith("CATL ")


def test_path_view_highlights_exactly_the_path_edges(open_page, kb, tmp_path):
    view = graph_view(kb, path=("Pakistan", "CATL"))
    page = open_page(view, name="path")
    drawn = page.js(
        """(colour) => { const keys = new Map(window.evkg.data.edges.map(e => [e.id, e.key]));
             return window.evkg.edges.get({filter: e => e.width === 4 && e.color.color === colour})
                      .map(e => [e.from, e.to, keys.get(e.id)]); }""",
        PATH_COLOR,
    )
    assert {tuple(e) for e in drawn} == set(view.highlight_edges)
    lit = page.js("() => window.evkg.nodes.get({filter: n => n.opacity === 1}).map(n => n.id).sort()")
    assert lit == sorted(view.highlight_nodes)
    steps = page.js("() => document.getElementById('path-body').textContent")
    assert "Pakistan" in steps and "CATL" in steps and "\u201c" in steps
    # Every node and edge of the path is labelled, and no label covers another.
    labels = page.labels()
    assert view.highlight_nodes <= {item["id"] for item in labels["nodes"]}
    assert sum(item["hl"] for item in labels["edges"]) == len(view.highlight_edges)
    assert overlaps(labels) == []
    page.screenshot(tmp_path / "path.png")


def test_filters_hide_and_restore_without_blanking(open_page, kb):
    page = open_page(graph_view(kb))
    total = page.js("() => window.evkg.shown.nodes")
    claims = page.js("() => window.evkg.data.classes.findIndex(c => c.label === 'claim')")
    page.page.locator(".legend-row").nth(claims).click()
    hidden = page.js("() => window.evkg.shown.nodes")
    assert 0 < hidden < total
    assert page.painted_pixels() > 10_000
    page.page.click("#sources-none")
    assert page.js("() => window.evkg.shown.nodes") < hidden
    page.page.click("#sources-all")
    page.page.click("#classes-all")
    assert page.js("() => window.evkg.shown.nodes") == total
    assert page.labels()["edges"] == []  # too many edges to label them at first
    page.page.check("#edge-labels")
    page.wait("() => window.evkg.labels.edges.length > 0")
    assert overlaps(page.labels()) == []
    assert page.errors == []


def test_filters_that_hide_everything_say_so(open_page, kb, tmp_path):
    page = open_page(graph_view(kb), name="empty")
    total = page.js("() => window.evkg.shown.nodes")
    page.hover(CATL)
    page.page.click("#classes-none")
    assert page.js("() => window.evkg.shown.nodes") == 0
    message = page.page.locator("#graph .empty")
    assert message.is_visible()
    assert message.locator("p").text_content() == "No node matches the filters: no class is ticked."
    # The tooltip of the node that was under the pointer is gone with the node.
    assert page.js("() => [...document.querySelectorAll('div.vis-tooltip')].every(t => t.style.visibility !== 'visible')")
    assert page.labels()["nodes"] == []
    page.screenshot(tmp_path / "empty.png")
    page.page.locator(".source-row").nth(0).click()
    assert message.locator("p").text_content() == (
        f"No node matches the filters: no class is ticked, {len(page.js('() => window.evkg.data.sources')) - 1}"
        f" of {len(page.js('() => window.evkg.data.sources'))} sources ticked."
    )
    message.get_by_role("button", name="Show every class and source").click()
    assert page.js("() => window.evkg.shown.nodes") == total
    assert not message.is_visible()
    assert page.painted_pixels() > 10_000
    assert page.errors == []


def test_tooltip_shows_figures_and_the_verbatim_quote(open_page, kb):
    page = open_page(graph_view(kb, around="Proton"))
    text = page.hover(ID + "stake/geely-in-proton")
    assert text.startswith("Geely's stake in Proton")
    assert "share wording" in text and "nearly half" in text
    assert "\u201cMalaysia\u2019s Proton" in text


def test_tooltip_counts_the_sources_of_a_fact_two_sources_describe(open_page):
    kb = evkg.load([DATA / "corroboration.trig"], seeds=False)
    page = open_page(graph_view(kb, around="CATL"))
    text = page.hover(ID + "partnership/catl-example-motors")
    assert "2 sources" in text
    assert "\u201cCATL and Example Motors plan a joint venture this year.\u201d" in text
    assert "\u201cThe CATL and Example Motors venture now runs its first line.\u201d" in text


def test_clicking_a_node_lights_its_neighbourhood(open_page, kb):
    page = open_page(graph_view(kb, around="CATL", depth=2))
    x, y = page.node_point(CATL)
    page.page.mouse.click(x, y)
    lit = set(page.js("() => window.evkg.nodes.get({filter: n => n.opacity === 1}).map(n => n.id)"))
    neighbours = set(page.js("(id) => window.evkg.network.getConnectedNodes(id)", CATL))
    assert lit == neighbours | {CATL}
    assert len(lit) < page.js("() => window.evkg.nodes.length")


# ------------------------------------------------------------------ safety


def test_hostile_labels_run_nothing(open_page):
    kb = evkg.load([DATA / "xss.ttl"])
    view = graph_view(kb, around=EVIL)
    page = open_page(view, name="xss")
    assert page.js("() => document.querySelector('h1').textContent") == f"{EVIL} and its neighbours"
    before = page.js("() => window.evkg.moves")
    page.page.fill("#search", "img src")
    page.page.press("#search", "Enter")
    evil = page.js("() => window.evkg.focused")
    assert page.js("(id) => window.evkg.data.nodes.find(n => n.id === id).name", evil) == EVIL
    page.moved(before)
    tooltip = page.hover(evil)
    assert tooltip.startswith(EVIL) and "</script><script>alert(2)</script>" in tooltip
    plant = next(n for n, d in view.G.nodes(data=True) if d["label"].startswith("Plant"))
    assert "<svg onload=alert(4)></svg>" in page.hover(plant)
    assert page.dialogs == []
    assert page.js("() => window.pwned === undefined")
    assert page.js("() => document.querySelectorAll('img, iframe, [onerror], [onload], [onmouseover]').length") == 0
    assert page.errors == []


def test_offline_page_makes_no_request_and_obeys_its_policy(open_page, kb):
    page = open_page(graph_view(kb, path=("Pakistan", "CATL")), enforce_csp=True)
    assert page.blocked == []
    assert [url for url in page.requests if not url.startswith("data:")] == [page.url]
    assert page.js("() => window.__violations") == []
    assert page.errors == []
    assert page.painted_pixels() > 10_000
