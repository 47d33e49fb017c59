"""The query page as YASGUI: the vendored copies, the page's policy and config, the vocabulary
it completes (through the app object), and a person's use of it in Chromium against a
running `evkg serve`: type with completion, run, sort, filter, page, download, examples, and
the pivot/chart tab (aggregates, drag and drop, charts, escaping)."""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
from contextlib import contextmanager
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import expect
from starlette.testclient import TestClient

import evkg
from evkg.ontology import PREFIXES
from evkg.queries import list_examples
from evkg.server import make_app
from evkg.server.pages import YASGUI_STYLE_HASHES

from .conftest import ROOT

STATIC = ROOT / "evkg" / "server" / "static"
VENDORED = STATIC / "yasgui"
PIVOT = STATIC / "pivot"


@pytest.fixture(scope="module")
def client(kb):
    with TestClient(make_app(kb, allowed_hosts=("testserver",), workers=1)) as client:
        yield client


def config_of(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="query-config">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def policy_of(response) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in response.headers["content-security-policy"].split(";") if d.strip()}


# --------------------------------------------------------------------------- the vendored copy


def _refresh_script():
    text = (ROOT / "scripts" / "refresh_yasgui.py").read_text(encoding="utf-8")
    version = re.search(r'^VERSION = "([^"]+)"', text, re.M).group(1)
    integrity = re.search(r'^INTEGRITY = "([^"]+)"', text, re.M).group(1)
    return version, integrity


def test_the_copy_is_pinned_licensed_and_unchanged():
    version, integrity = _refresh_script()
    readme = (VENDORED / "README.md").read_text(encoding="utf-8")
    assert f"`@zazuko/yasgui@{version}`" in readme
    assert f"tarball integrity: `{integrity}`" in readme
    sums = dict(re.findall(r"^\| `([^`]+)` \| `([0-9a-f]{64})` \|$", readme, re.M))
    assert sorted(sums) == ["LICENSE", "yasgui.min.css", "yasgui.min.js"]
    assert sorted(p.name for p in VENDORED.iterdir()) == ["LICENSE", "README.md", "yasgui.min.css", "yasgui.min.js"]
    for name, digest in sums.items():
        assert hashlib.sha256((VENDORED / name).read_bytes()).hexdigest() == digest, name
    licence = (VENDORED / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith(f"YASGUI (@zazuko/yasgui {version}, ")
    assert "The MIT License (MIT)" in licence
    for bundled in ("codemirror (MIT)", "datatables.net (MIT)", "jquery (MIT)", "dompurify (MPL-2.0 OR Apache-2.0)"):
        assert f"\n{bundled}, bundled into yasgui.min.js" in licence


def _refresh_module():
    spec = importlib.util.spec_from_file_location("refresh_yasgui", ROOT / "scripts" / "refresh_yasgui.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_pivot_libraries_are_pinned_licensed_and_unchanged():
    packages = _refresh_module().PIVOT_PACKAGES
    readme = (PIVOT / "README.md").read_text(encoding="utf-8")
    for name, version, integrity, _ in packages:
        assert f"- `{name}@{version}`: `{integrity}`" in readme
    served = sorted(target for *_, files in packages for target in files.values())
    assert served == ["chart.umd.min.js", "jquery-ui.min.js", "jquery.min.js", "pivot.min.css", "pivot.min.js"]
    sums = dict(re.findall(r"^\| `([^`]+)` \| `([0-9a-f]{64})` \|$", readme, re.M))
    assert sorted(sums) == sorted(["LICENSE", *served])
    assert sorted(p.name for p in PIVOT.iterdir()) == sorted(["LICENSE", "README.md", *served])
    for name, digest in sums.items():
        assert hashlib.sha256((PIVOT / name).read_bytes()).hexdigest() == digest, name
    licence = (PIVOT / "LICENSE").read_text(encoding="utf-8")
    headings = re.findall(r"^(\S+ (?:\S+ )?\(MIT\)):", licence, re.M) + re.findall(r"^(\S+ \(MIT\)), bundled", licence, re.M)
    assert sorted(headings) == sorted([f"{name} {version} (MIT)" for name, version, *_ in packages] + ["jquery-color (MIT)"])
    assert licence.count("Permission is hereby granted, free of charge") == len(packages) + 1
    # the view needs no eval (the page's script-src is 'self' alone)
    for name in served:
        assert not re.search(r"new Function\(|\beval\(", (PIVOT / name).read_text(encoding="utf-8")), name


def test_the_package_data_ships_the_copy():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["evkg.server"]
    for path in STATIC.rglob("*"):
        if path.is_file():
            relative = path.relative_to(STATIC.parent).as_posix()
            assert any(fnmatch(relative, p) and relative.count("/") == p.count("/") for p in patterns), relative


def test_the_allowed_inline_styles_are_the_bundles_own():
    # The column resizer's two <style> texts, as the bundled script writes them.
    script = (VENDORED / "yasgui.min.js").read_text(encoding="utf-8")
    layout = re.search(r"createStyle\(\w+,`( \.grip-resizable\{[^`]*)`\)", script).group(1)
    cursor = re.search(r"createStyle\(document\.querySelector\(`head`\),`(\*\{cursor:)`\+n\.opt\.dragCursor\+`(!important\})`\)", script)
    drag = cursor.group(1) + re.search(r'dragCursor:`([^`]+)`', script).group(1) + cursor.group(2)
    hashes = tuple("sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() for text in (layout, drag))
    assert hashes == YASGUI_STYLE_HASHES


def test_the_bundle_calls_no_remote_service_by_default():
    # prefix.cc is used only when prefixCcApi is set (it is null); LOV only by the class and
    # property completers the page replaces; the page's script names no host at all.
    script = (VENDORED / "yasgui.min.js").read_text(encoding="utf-8")
    assert "prefixCcApi:null" in script
    ours = (STATIC / "query.js").read_text(encoding="utf-8")
    assert re.findall(r"https?://", ours) == []
    assert '"variables", "evkgPrefixes", "evkgClasses", "evkgProperties"' in ours
    # the pivot asks this server for labels, with the predeclared rdfs: prefix; the one
    # address it names is SVG's namespace, for its icon
    pivot = (STATIC / "query-pivot.js").read_text(encoding="utf-8")
    assert re.findall(r"https?://[^\s\"]*", pivot) == ["http://www.w3.org/2000/svg"]
    assert "fetch(endpoint," in pivot


# --------------------------------------------------------------------------- the page, by the app


def test_the_page_loads_only_its_own_assets(client):
    response = client.get("/query", headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = response.text
    assert re.findall(r'(?:src|href|action)="(?![/#])[^"]*"', page) == []
    assets = re.findall(r'<(?:script|link)[^>]* (?:src|href)="([^"]+)"', page)
    assert assets == [
        "/static/favicon.svg", "/static/style.css", "/static/explorer.js",
        "/static/yasgui/yasgui.min.css", "/static/pivot/pivot.min.css", "/static/query.css",
        "/static/yasgui/yasgui.min.js", "/static/pivot/jquery.min.js", "/static/pivot/jquery-ui.min.js",
        "/static/pivot/pivot.min.js", "/static/pivot/chart.umd.min.js", "/static/query-pivot.js", "/static/query.js",
    ]
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert served.content == (STATIC / asset.removeprefix("/static/")).read_bytes()
    assert '<textarea id="query-text" name="query"' in page  # the form for browsers without scripts


def test_the_pages_policy_stays_strict(client):
    policy = policy_of(client.get("/query"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["style-src"] == ["'self'", *(f"'{h}'" for h in YASGUI_STYLE_HASHES)]
    assert policy["base-uri"] == ["'none'"]
    header = client.get("/query?example=catl-plants").headers["content-security-policy"]
    assert "unsafe" not in header and "*" not in header and "http" not in header
    # the other pages keep the site's policy, without the two style hashes
    assert policy_of(client.get("/"))["style-src"] == ["'self'"]


def test_the_editor_config(client):
    config = config_of(client.get("/query").text)
    assert config["endpoint"] == "/sparql"
    assert config["vocabulary"] == "/api/vocabulary"
    assert config["prefixes"] == PREFIXES
    assert config["open"] is None
    declared = dict(re.findall(r"^PREFIX (\w+): <([^>]+)>$", config["defaultQuery"], re.M))
    assert declared == PREFIXES
    assert [e["name"] for e in config["examples"]] == [e.name for e in list_examples()]
    assert all(e["query"].startswith("PREFIX ") for e in config["examples"])
    assert config["pages"] == {"https://w3id.org/evkg/id/": "/id/", "https://w3id.org/evkg/source/": "/source/"}


def test_an_example_or_a_query_in_the_address_opens_in_a_tab(client):
    example = next(e for e in list_examples() if e.name == "catl-plants")
    opened = config_of(client.get("/query?example=catl-plants").text)["open"]
    assert opened["title"] == example.title
    assert opened["query"].endswith(example.text)
    assert "PREFIX ev: <https://w3id.org/evkg/ontology#>\n" in opened["query"]
    asked = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    assert config_of(client.get("/query", params={"query": asked}).text)["open"] == {"query": asked, "title": "Query"}
    assert config_of(client.get("/query?example=nope").text)["open"] is None


def test_the_config_cannot_end_its_script_element(client):
    hostile = "</script><script>alert(1)</script>"
    page = client.get("/query", params={"query": hostile}).text
    block = re.search(r'id="query-config">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block
    assert config_of(page)["open"]["query"] == hostile


def test_the_vocabulary(client):
    response = client.get("/api/vocabulary")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    terms = response.json()
    assert terms["prefixes"] == PREFIXES
    classes = {t["curie"]: t for t in terms["classes"]}
    properties = {t["curie"]: t for t in terms["properties"]}
    assert classes["ev:BatteryCellPlant"] == {
        "iri": "https://w3id.org/evkg/ontology#BatteryCellPlant", "curie": "ev:BatteryCellPlant",
        "label": "battery cell plant", "comment": classes["ev:BatteryCellPlant"]["comment"],
    }
    assert classes["ev:BatteryCellPlant"]["comment"]
    assert properties["ev:operator"]["label"] == "operator"
    assert properties["ev:capacity"]["iri"] == "https://w3id.org/evkg/ontology#capacity"
    # terms of other vocabularies that the data uses are there too, prefixed
    assert {"rdfs:label", "qudt:numericValue", "skos:prefLabel"} <= set(properties)
    assert "ev:BatteryCellPlant" not in properties and "ev:operator" not in classes
    for term in terms["classes"] + terms["properties"]:
        prefix, _, local = term["curie"].partition(":")
        assert PREFIXES[prefix] + local == term["iri"]
    assert [t["curie"].lower() for t in terms["classes"]] == sorted(t["curie"].lower() for t in terms["classes"])


def test_the_vocabulary_of_a_knowledge_base_without_the_seeds():
    from evkg.server.vocabulary import vocabulary

    terms = vocabulary(evkg.load(seeds=False))
    assert terms["prefixes"] == PREFIXES
    assert [c["curie"] for c in terms["classes"] if c["curie"] == "ev:BatteryCellPlant"] == ["ev:BatteryCellPlant"]


# --------------------------------------------------------------------------- in Chromium

TYPED = "SELECT ?plant ?label ?gwh WHERE { ?plant a ev:BatteryCellPlant ; rdfs:label ?label ; ev:capacity/qudt:numericValue ?gwh }"


@contextmanager
def serving(*options: str):
    """`evkg [OPTIONS] serve` on a free port of 127.0.0.1 (one query worker): its base URL."""
    server = subprocess.Popen(
        [sys.executable, "-m", "evkg", *options, "serve", "--port", "0", "--workers", "1", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        banner = [server.stdout.readline() for _ in range(2)]
        found = re.fullmatch(r"  Explorer +(http://127\.0\.0\.1:\d+)/\n", banner[1])
        assert found, banner
        yield found.group(1)
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.communicate(timeout=30)


@pytest.fixture(scope="module")
def served():
    with serving() as base:
        yield base


@contextmanager
def watched_page(browser, base: str):
    """A fresh page that records every request, console error, policy violation and dialog;
    a request for anything but the server's origin is refused, and the test fails on any."""
    origin = urlsplit(base)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    requests: list[str] = []
    errors: list[str] = []
    dialogs: list[str] = []

    def elsewhere(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme not in ("blob", "data", "about") and (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc)

    def dialog(opened) -> None:
        dialogs.append(opened.message)
        opened.dismiss()

    context.route("**/*", lambda route: route.abort() if elsewhere(route.request.url) else route.continue_())
    context.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", dialog)
    page.set_default_timeout(20_000)
    page.requests = requests
    yield page
    violations = page.evaluate("window.__violations")
    context.close()
    assert errors == []
    assert dialogs == []
    assert violations == []
    assert [url for url in requests if elsewhere(url)] == []


@pytest.fixture
def page(browser, served):
    with watched_page(browser, served) as page:
        yield page


def editor_value(page) -> str:
    return page.evaluate("window.evkgYasgui.getTab().getYasqe().getValue()")


def pick(page, term: str) -> None:
    """Wait for ``term`` among the completions shown, and take it."""
    hint = page.locator(f'.CodeMirror-hints li[data-term="{term}"]')
    expect(hint).to_be_visible()
    hint.click()
    expect(page.locator(".CodeMirror-hints")).to_have_count(0)
    expect(page.locator(".tabPanel.active .CodeMirror-focused")).to_have_count(1)


def test_type_complete_run_sort_filter_download(page, served, kb, tmp_path):
    page.goto(served + "/query")
    expect(page.locator("html.yasgui-ready")).to_have_count(1)
    expect(page.locator("#query-plain")).to_be_hidden()
    panel = page.locator(".tabPanel.active")
    expect(panel.locator(".CodeMirror")).to_be_visible()
    assert editor_value(page).startswith("PREFIX company: <https://w3id.org/evkg/id/company/>\n")

    # type a query of our own; the class and the property come from the completions
    panel.locator(".CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("SELECT ?plant ?label ?gwh WHERE { ?plant a ev:BatteryC")
    pick(page, "ev:BatteryCellPlant")
    page.keyboard.type(" ; rdfs:label ?label ; ev:capa")
    expect(page.locator('.CodeMirror-hints li[data-term="ev:capacity"] .evkg-hint-label')).to_have_text("capacity")
    pick(page, "ev:capacity")
    page.keyboard.type("/qudt:numericValue ?gwh }")
    page.keyboard.press("Escape")
    # each prefix was declared (once) as it was typed, from the project's list
    lines = editor_value(page).splitlines()
    assert lines[-1] == TYPED
    assert sorted(lines[:-1]) == [f"PREFIX {p}: <{PREFIXES[p]}>" for p in ("ev", "qudt", "rdfs")]

    # run it: the table has the rows the knowledge base gives
    expected = sorted(str(label) for _, label, _ in kb.rows(TYPED))
    panel.locator(".yasqe_queryButton").click()
    rows = panel.locator(".yasr table.dataTable tbody tr")
    expect(rows).to_have_count(len(expected))
    labels = panel.locator(".yasr table.dataTable tbody tr td:nth-child(3)")

    # sort by label, both ways
    header = panel.locator(".yasr table.dataTable thead th", has_text="label")
    header.click()
    expect(labels.first).to_contain_text(expected[0])
    header.click()
    expect(labels.first).to_contain_text(expected[-1])
    # an entity's cell links its page on this server
    hungary = panel.locator("a.iri", has_text="facility:catl-hungary-cell-plant")
    expect(hungary).to_have_attribute("href", "/id/facility/catl-hungary-cell-plant")

    # filter (the box reacts to keys, as typed)
    search = panel.locator(".yasr input[placeholder='Filter query results']")
    search.press_sequentially("Hungary")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("CATL Hungary battery cell plant")
    search.press("Control+A")
    search.press("Backspace")
    expect(rows).to_have_count(len(expected))

    # download as CSV: every row, every column
    with page.expect_download() as download:
        panel.locator(".yasr_downloadIcon").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".csv"
    table = list(csv.reader(saved.read_text(encoding="utf-8").splitlines()))
    assert table[0] == ["plant", "label", "gwh"]
    assert sorted(row[1] for row in table[1:]) == expected

    page.screenshot(path=str(tmp_path / "query-page.png"), full_page=True)
    paths = {urlsplit(url).path for url in page.requests}
    assert {"/query", "/api/vocabulary", "/sparql", "/static/yasgui/yasgui.min.js"} <= paths


def test_examples_open_in_tabs_and_tables_page(page, served, kb):
    page.goto(served + "/query")
    expect(page.locator("html.yasgui-ready")).to_have_count(1)
    example = next(e for e in list_examples() if e.name == "catl-plants")
    page.get_by_role("link", name=example.title).click()
    expect(page.locator(".tabsList .tab.active")).to_contain_text(example.title)
    panel = page.locator(".tabPanel.active")
    expect(panel.locator(".yasr table.dataTable tbody tr")).to_have_count(3)
    expect(panel.locator(".yasr table.dataTable")).to_contain_text("CATL Hungary battery cell plant")
    assert page.url == served + "/query"
    # the same example again selects its tab instead of adding one
    tabs = page.locator(".tabsList .tab")
    count = tabs.count()
    page.get_by_role("link", name="Who owns whom?").click()
    expect(tabs).to_have_count(count + 1)
    page.get_by_role("link", name=example.title).click()
    expect(tabs).to_have_count(count + 1)
    expect(page.locator(".tabsList .tab.active")).to_contain_text(example.title)

    # a long answer pages, 50 rows a page
    countries = "SELECT ?label WHERE { ?c a ev:Country ; rdfs:label ?label } ORDER BY ?label"
    total = len(list(kb.rows(countries)))
    assert total > 100
    page.goto(served + "/query?" + urlencode({"query": countries}))
    panel = page.locator(".tabPanel.active")
    expect(panel.locator(".yasr table.dataTable tbody tr")).to_have_count(50)
    info = panel.locator(".dt-info")
    expect(info).to_have_text(f"Showing 1 to 50 of {total} entries")
    panel.locator(".dt-paging button", has_text=">").first.click()
    expect(info).to_have_text(f"Showing 51 to 100 of {total} entries")
    # the address asked once: a reload shows the same tabs (kept in local storage), not
    # another copy of the query
    assert page.url == served + "/query"
    kept = [name.strip() for name in page.locator(".tabsList .tab").all_inner_texts()]
    page.reload()
    expect(page.locator("html.yasgui-ready")).to_have_count(1)
    expect(page.locator(".tabsList .tab")).to_have_count(len(kept))
    assert [name.strip() for name in page.locator(".tabsList .tab").all_inner_texts()] == kept


def test_without_scripts_the_plain_form_runs_queries(browser, served):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "/query?example=catl-plants")
    expect(page.locator("#query-text")).to_be_visible()
    expect(page.locator("#query-plain table.results tbody tr")).to_have_count(3)
    context.close()


# --------------------------------------------------------------------------- the pivot/chart tab

FACILITIES = """?f a ?k ; rdfs:label ?facility ; ev:locatedIn ?c .
  ?k rdfs:subClassOf* ev:Facility ; rdfs:label ?kind .
  ?c a ev:Country ; rdfs:label ?country .
  OPTIONAL { ?f ev:capacity [ qudt:numericValue ?gwh ; qudt:hasUnit unit:GigaW-HR ] }"""


def open_pivot(page):
    """Switch the active tab's results to the pivot/chart tab; its panel."""
    panel = page.locator(".tabPanel.active")
    expect(panel.locator(".yasr table.dataTable tbody tr").first).to_be_visible()
    panel.locator(".yasr .select_pivot").click()
    pivot = panel.locator(".yasr .evkg-pivot")
    expect(pivot.locator(".pvtRendererArea")).to_be_visible()
    return pivot


def drawn_chart(pivot) -> dict:
    """The labels and values of the chart the pivot shows, and how many bars it draws."""
    canvas = pivot.locator(".evkg-chart canvas")
    expect(canvas).to_be_visible()
    return canvas.evaluate("""canvas => {
        const chart = Chart.getChart(canvas);
        return {
            labels: chart.data.labels,
            series: chart.data.datasets.map(d => d.label),
            values: chart.data.datasets.map(d => d.data),
            bars: chart.data.datasets.reduce((n, d, i) => n + chart.getDatasetMeta(i).data.length, 0),
        };
    }""")


def row_totals(pivot) -> dict[str, float]:
    table = pivot.locator("table.pvtTable")
    labels = table.locator("tbody th.pvtRowLabel").all_inner_texts()
    totals = table.locator("tbody td.rowTotal").all_inner_texts()
    return {label: float(total.replace(",", "")) for label, total in zip(labels, totals, strict=True)}


def test_the_pivot_sums_typed_numbers_and_columns_drag_into_rows(page, served, kb, tmp_path):
    query = f"SELECT ?facility ?country ?kind ?gwh WHERE {{\n  {FACILITIES}\n}}"
    by_country = {
        str(country): float(gwh)
        for country, gwh in kb.rows(f"SELECT ?country (SUM(COALESCE(?gwh, 0)) AS ?gwh) WHERE {{ {FACILITIES} }} GROUP BY ?country")
    }
    kinds = {str(k) for (k,) in kb.rows(f"SELECT DISTINCT ?kind WHERE {{ {FACILITIES} }}")}
    assert len(by_country) > 3 and len(kinds) > 2
    page.goto(served + "/query?" + urlencode({"query": query}))
    pivot = open_pivot(page)

    # three text columns and one number: a table of the sum of the number, to drag into
    expect(pivot.locator("select.pvtRenderer")).to_have_value("Table")
    expect(pivot.locator("select.pvtAggregator")).to_have_value("Sum")
    # only the typed number is offered to the aggregator (after PivotTable.js's empty choice)
    assert pivot.locator("select.pvtAttrDropdown option").all_inner_texts() == ["", "gwh"]
    grand = pivot.locator("table.pvtTable .pvtGrandTotal")
    expect(grand).to_have_text(f"{sum(by_country.values()):,.2f}")

    # drag the country into the rows: one row each, with the sums SPARQL gives
    pivot.locator(".pvtUnused li", has_text="country").drag_to(pivot.locator("td.pvtRows"))
    expect(pivot.locator("table.pvtTable tbody th.pvtRowLabel")).to_have_count(len(by_country))
    assert row_totals(pivot) == pytest.approx(by_country)
    expect(grand).to_have_text(f"{sum(by_country.values()):,.2f}")
    page.screenshot(path=str(tmp_path / "pivot-table.png"), full_page=True)

    # as a bar chart: one bar a country, of the same height
    pivot.locator("select.pvtRenderer").select_option("Bar chart")
    chart = drawn_chart(pivot)
    assert chart["bars"] == len(by_country)
    assert dict(zip(chart["labels"], chart["values"][0], strict=True)) == pytest.approx(by_country)
    # the kind into the columns: a stacked chart, one series a kind
    pivot.locator(".pvtUnused li", has_text="kind").drag_to(pivot.locator("td.pvtCols"))
    pivot.locator("select.pvtRenderer").select_option("Stacked bar chart")
    expect(pivot.locator(".evkg-chart canvas")).to_have_count(1)
    chart = drawn_chart(pivot)
    assert set(chart["series"]) == kinds
    stacked = [sum(v or 0 for v in bar) for bar in zip(*chart["values"], strict=True)]
    assert dict(zip(chart["labels"], stacked, strict=True)) == pytest.approx(by_country)
    page.screenshot(path=str(tmp_path / "pivot-chart.png"), full_page=True)
    # every view draws, within the page's policy (the fixture fails on a violation)
    views = pivot.locator("select.pvtRenderer option").all_inner_texts()
    assert views == ["Table", "Table Barchart", "Heatmap", "Row Heatmap", "Col Heatmap", "Bar chart", "Stacked bar chart", "Line chart"]
    for view in views:
        pivot.locator("select.pvtRenderer").select_option(view)
        drawn = pivot.locator(".evkg-chart canvas" if view.endswith(" chart") else "table.pvtTable")
        expect(drawn).to_have_count(1)
        expect(pivot.locator(".pvtRendererArea > *")).to_have_count(1)
    # the charts the views replaced are let go (the last view drawn is a chart)
    assert page.evaluate("Object.keys(Chart.instances).length") == 1
    paths = {urlsplit(url).path for url in page.requests}
    assert {"/static/pivot/pivot.min.js", "/static/pivot/chart.umd.min.js", "/static/query-pivot.js"} <= paths


def test_the_chart_example_opens_as_a_bar_chart_and_stays_so(page, served, kb):
    example = next(e for e in list_examples() if e.name == "facilities-per-country")
    expected = [(str(country), int(n)) for country, n in kb.rows(example.text)]
    assert len(expected) > 3
    page.goto(served + "/query")
    expect(page.locator("html.yasgui-ready")).to_have_count(1)
    page.get_by_role("link", name=example.title).click()
    expect(page.locator(".tabsList .tab.active")).to_contain_text(example.title)
    pivot = open_pivot(page)
    # one text column and one number: a bar chart of the number by the text, in the
    # query's order; the country's IRI-free label is the bar's name
    expect(pivot.locator("select.pvtRenderer")).to_have_value("Bar chart")
    expect(pivot.locator("select.pvtAggregator")).to_have_value("Integer Sum")
    chart = drawn_chart(pivot)
    assert chart["bars"] == len(expected)
    assert list(zip(chart["labels"], chart["values"][0], strict=True)) == expected
    # the tab keeps its view: after a reload the chart is what the results show
    page.reload()
    expect(page.locator("html.yasgui-ready")).to_have_count(1)
    assert drawn_chart(page.locator(".tabPanel.active .yasr .evkg-pivot"))["bars"] == len(expected)


HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def served_hostile(tmp_path_factory):
    """A server whose data holds a company labelled with markup."""
    data = tmp_path_factory.mktemp("hostile") / "hostile.ttl"
    data.write_text(
        "@prefix ev: <https://w3id.org/evkg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f"<https://w3id.org/evkg/id/company/hostile> a ev:Company ; rdfs:label {json.dumps(HOSTILE)}@en .\n"
        '<https://w3id.org/evkg/id/company/twin> a ev:Company ; rdfs:label "CATL"@en .\n',
        encoding="utf-8",
    )
    with serving("--data", str(data)) as base:
        yield base


def test_result_values_reach_the_pivot_as_text(browser, served_hostile):
    query = (
        "SELECT ?company ?note ?code ?gwh WHERE { VALUES (?company ?note ?code ?gwh) {"
        f' (company:hostile {json.dumps(HOSTILE)} "7" 2.5) (company:catl "<b>bold</b>" "8" 4.0)'
        ' (company:twin "x" "9" 1.0) (company:unlabelled "y" "10" 0.5) } }'
    )
    # labels from the server; two IRIs of one label get their prefixed names; no label, the name
    names = [HOSTILE, "CATL (company:catl)", "CATL (company:twin)", "company:unlabelled"]
    with watched_page(browser, served_hostile) as page:
        # The tab shows the pivot before the values arrive, so that only the pivot draws them.
        # (YASR's own table would too: its sanitizer, DOMPurify, parses each value with
        # DOMParser, an inert document, and Chromium reports that as a policy violation.)
        page.goto(served_hostile + "/query?" + urlencode({"query": "SELECT ?n WHERE { VALUES ?n { 1 } }"}))
        open_pivot(page)
        page.evaluate("q => { const tab = window.evkgYasgui.getTab(); tab.getYasqe().setValue(q); return tab.query(); }", query)
        pivot = page.locator(".tabPanel.active .yasr .evkg-pivot")
        expect(pivot.locator(".pvtUnused li", has_text="company")).to_be_visible()
        expect(page.locator(".tabPanel.active .yasr table.dataTable")).to_have_count(0)
        # digits in a plain string are text: only the typed number is aggregated
        assert pivot.locator("select.pvtAttrDropdown option").all_inner_texts() == ["", "gwh"]
        pivot.locator(".pvtUnused li", has_text="company").drag_to(pivot.locator("td.pvtRows"))
        pivot.locator(".pvtUnused li", has_text="note").drag_to(pivot.locator("td.pvtCols"))
        expect(pivot.locator("table.pvtTable tbody th.pvtRowLabel")).to_have_count(len(names))
        assert pivot.locator("table.pvtTable tbody th.pvtRowLabel").all_text_contents() == names
        assert row_totals(pivot) == pytest.approx(dict(zip(names, [2.5, 4.0, 1.0, 0.5], strict=True)))
        assert HOSTILE in pivot.locator("table.pvtTable thead").text_content()
        assert "<b>bold</b>" in pivot.locator("table.pvtTable thead").text_content()
        # the filter list of the column shows it as text too
        pivot.locator(".pvtRows li", has_text="company").locator(".pvtTriangle").click()
        expect(pivot.locator(".pvtFilterBox:visible .value", has_text=HOSTILE)).to_have_text(HOSTILE)
        pivot.locator("select.pvtRenderer").select_option("Bar chart")
        chart = drawn_chart(pivot)
        assert chart["labels"] == names
        assert HOSTILE in chart["series"]
        assert page.locator(".yasr img, .yasr b").count() == 0
