"""The explorer in headless Chromium (Playwright): search, entity page, path page, query
page, as a person would use them. No console errors; no request leaves 127.0.0.1."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from evkg.server import make_app
from evkg.server.runner import running_server

pytestmark = pytest.mark.browser

#: How long a page, a request or an assertion may take on a busy machine, in ms.
PATIENCE = 60_000


@pytest.fixture(autouse=True)
def patient_assertions():
    """``expect`` waits 5 s by default, too short for a loaded machine; set it back after."""
    expect.set_options(timeout=PATIENCE)
    yield
    expect.set_options(timeout=None)

@pytest.fixture(scope="module")
def site(kb):
    with running_server(make_app(kb)) as url:
        yield url


@pytest.fixture
def page(browser, site):
    """A fresh page that records every request and every console error; any request
    for another host is refused, and the test fails on any of either."""
    context = browser.new_context()
    requests: list[str] = []
    errors: list[str] = []

    def only_here(route):
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("http:", "https:", "ws:", "wss:")) and host != "127.0.0.1":
            route.abort()
        else:
            route.continue_()

    context.route("**/*", only_here)
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(PATIENCE)
    yield page
    context.close()
    assert errors == []
    away = [url for url in requests if url.startswith(("http:", "https:", "ws:")) and urlsplit(url).hostname != "127.0.0.1"]
    assert away == []
    assert requests


def test_search_entity_path_and_query(page, site):
    page.goto(site + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The electric-vehicle industry, fact by fact")

    # search, with names completed from /api/search as one types
    search = page.locator("#home-q")
    search.press_sequentially("CAT", delay=30)
    expect(page.locator("#entity-names option[value='CATL']")).to_have_count(1)
    search.fill("CATL")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=CATL$"))
    page.get_by_role("link", name="CATL", exact=True).click()

    # the entity page: the Hungary plant with its capacity and its quote, and the graph
    expect(page).to_have_url(site + "/id/company/catl")
    plant = page.locator("li.fact", has_text="CATL Hungary battery cell plant")
    expect(plant).to_contain_text("capacity100 GWh")
    expect(plant.locator("blockquote")).to_contain_text("Hungary (100 GWh under construction)")
    expect(page.frame_locator("details.graph iframe").locator("canvas").first).to_be_visible()

    # the path page
    page.get_by_role("link", name="Paths", exact=True).click()
    page.get_by_label("From").fill("Pakistan")
    page.get_by_label("To", exact=True).fill("CATL")
    page.get_by_role("button", name="Find paths").click()
    chain = page.locator("p.chain").first
    expect(chain).to_contain_text("Pakistan")
    expect(chain).to_contain_text("CATL")
    expect(page.locator("ol.hops blockquote").first).to_contain_text("Pakistan")
    expect(page.frame_locator("section.graph iframe").locator("canvas").first).to_be_visible()

    # the query page (YASGUI, see test_yasgui.py): an example opens in a tab and shows rows
    page.get_by_role("link", name="Query", exact=True).click()
    expect(page.locator("html.yasgui-ready")).to_have_count(1)
    page.get_by_role("link", name="Where does CATL build battery cells, how much, and when?").click()
    results = page.locator(".tabPanel.active .yasr table.dataTable")
    expect(results.locator("tbody tr")).to_have_count(3)
    expect(results).to_contain_text("CATL Hungary battery cell plant")


def test_hostile_labels_run_nothing(browser, tmp_path):
    from evkg.kb import load

    from .conftest import DATA

    kb = load([DATA / "xss.ttl"])
    with running_server(make_app(kb, workers=1)) as url:
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(PATIENCE)
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in ("/resource?iri=https://example.org/xss/evil", "/id/company/catl", "/search?q=img"):
            page.goto(url + path)
            page.wait_for_load_state("load")
            assert page.evaluate("window.pwned") is None
        expect(page.locator("body")).to_contain_text("<img src=x onerror=alert(1)>")
        context.close()
        assert dialogs == []
