"""The review page of `evkg suggest --format html` in a real headless Chromium (Debian's,
driven by Playwright): it makes no request, runs no script from the article, highlights
each suggestion's sentence, and a suggestion's link scrolls to its sentence."""

from __future__ import annotations

import pytest

from evkg.render.review import render_review

from .offline_page import OfflinePage
from .suggest_sample import S_CONFLICT, S_STAKE, TEXT, sample

pytestmark = pytest.mark.browser

HOSTILE = ("Volta said <script>alert(1)</script> and <img src=x onerror=alert(2)> "
           "<a href=\"https://example.org/\" onclick=alert(3)>here</a> on Monday.")


def hostile_sample() -> tuple[dict, str]:
    """The sample, with a suggestion resting on a sentence full of markup."""
    text = TEXT + HOSTILE + "\n"
    result = sample()
    start = text.index(HOSTILE)
    result["facts"].append({
        "kind": "based-in", "fields": {"organization": "<b>Volta</b>", "organization_type": "company", "country": "Germany"},
        "links": {"organization": None, "country": None}, "quote": HOSTILE, "start": start, "end": start + len(HOSTILE),
        "confidence": 0.4, "status": "new", "matches": [],
    })
    result["entities"].append({"mention": "Volta", "label": "<img src=x onerror=alert(5)>", "iri": None,
                               "class": "ev:Company", "status": "new", "start": start, "end": start + 5, "confidence": 0.5})
    return result, text


class Review(OfflinePage):
    """A review page opened from a file, with what it logged, asked for and tried to pop up."""

    def __init__(self, browser, tmp_path, result, text, *, enforce_csp: bool):
        super().__init__(browser, tmp_path / "review.html", render_review(result, text),
                         viewport={"width": 1300, "height": 800}, enforce_csp=enforce_csp)


@pytest.fixture
def open_review(browser, tmp_path):
    pages = []

    def opener(result, text, *, enforce_csp=False):
        page = Review(browser, tmp_path, result, text, enforce_csp=enforce_csp)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.context.close()


def test_page_makes_no_request_and_runs_nothing_from_the_article(open_review):
    result, text = hostile_sample()
    page = open_review(result, text)
    assert page.js("() => window.evkgReview.ready") is True
    assert page.requests == [page.url]
    assert page.blocked == [] and page.dialogs == [] and page.errors == []
    assert page.js("() => document.querySelectorAll('script').length") == 1
    assert page.js("() => document.querySelectorAll('img, iframe, object, embed, form').length") == 0
    assert page.js("() => [...new Set(Array.from(document.querySelectorAll('#article *')).map(e => e.tagName))].sort()") == [
        "MARK", "SPAN"]
    assert page.js("() => Array.from(document.querySelectorAll('a')).filter(a => !a.getAttribute('href').startsWith('#q')"
                   " && !a.getAttribute('href').startsWith('#m')).length") == 0
    # The article's text is all there, markup as text, character for character.
    assert page.js("() => document.getElementById('article').textContent") == text
    # Clicking the would-be link inside the article runs nothing either.
    page.page.get_by_text("here</a>", exact=False).click()
    assert page.dialogs == [] and page.requests == [page.url]


def test_page_under_its_own_policy_runs_its_script_and_nothing_else(open_review):
    result, text = hostile_sample()
    page = open_review(result, text, enforce_csp=True)
    assert page.js("() => window.evkgReview.ready") is True
    assert page.js("() => window.__violations") == []
    assert page.dialogs == [] and page.errors == [] and page.requests == [page.url]


def test_each_sentence_is_highlighted_and_a_link_scrolls_to_it(open_review, tmp_path):
    result = sample()
    page = open_review(result, TEXT)
    sentences = sorted({(f["start"], f["end"]) for f in result["facts"]})
    assert page.js("() => window.evkgReview.highlights") >= len(sentences)
    for start, end in sentences:
        anchor = f"q{start}-{end}"
        marked = page.js("(a) => Array.from(document.querySelectorAll('mark.s'))"
                         ".filter(m => m.dataset.s.split(' ').includes(a)).map(m => m.textContent).join('')", anchor)
        assert marked == TEXT[start:end]
    # Make the article scroll, so that the jump can be seen.
    page.page.set_viewport_size({"width": 1300, "height": 260})
    start = TEXT.index(S_CONFLICT)
    anchor = f"q{start}-{start + len(S_CONFLICT)}"
    before = page.js("(a) => document.getElementById(a).getBoundingClientRect().top", anchor)
    page.page.locator(f"li.fact[data-anchor='{anchor}'] a.goto").click()
    assert page.js("() => window.evkgReview.current") == anchor
    assert page.js("(a) => document.getElementById(a).classList.contains('current')", anchor)
    top = page.js("(a) => document.getElementById(a).getBoundingClientRect().top", anchor)
    height = page.js("() => window.innerHeight")
    assert top != before and 0 <= top <= height
    # And a highlighted sentence marks its suggestions in the list.
    stake = TEXT.index(S_STAKE)
    page.page.locator(f"#q{stake}-{stake + len(S_STAKE)}").click()
    assert page.js("() => Array.from(document.querySelectorAll('li.fact.current')).map(li => li.dataset.anchor)") == [
        f"q{stake}-{stake + len(S_STAKE)}"]


def test_review_page_is_photographed(open_review, tmp_path):
    result, text = hostile_sample()
    page = open_review(result, text)
    start = text.index(S_CONFLICT)
    page.page.locator(f"li.fact[data-anchor='q{start}-{start + len(S_CONFLICT)}'] a.goto").click()
    shot = page.page.screenshot(path=str(tmp_path / "review.png"))
    assert len(shot) > 10_000
    assert page.dialogs == [] and page.errors == []
